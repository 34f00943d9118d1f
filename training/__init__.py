"""Training, data and export for the page's nets. The page's own modules in py/ (net, preprocess, segment,
learn) are what training reads its nets and drawings with, so importing this package puts py/ on sys.path."""
import sys
from pathlib import Path

PY = str(Path(__file__).resolve().parent.parent / "py")
if PY not in sys.path:
    sys.path.insert(0, PY)
