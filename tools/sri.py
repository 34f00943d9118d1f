"""Subresource Integrity for the CDN tags in index.html, computed from the runtime mirror's bytes.

The mirror (tools/build_runtime.py) holds byte-identical copies of the pinned CDN files, so a hash of a mirror file
is the hash of the CDN's file. `python tools/sri.py` prints each CDN tag's URL, its integrity attribute and the
value the mirror gives; `--write` puts the mirror's values into index.html (after a version bump). Exit status 1
when a tag has no or a stale hash (without --write). tests/test_security.py checks the same on every run.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import build_runtime, webserver  # noqa: E402

INDEX = build_runtime.ROOT / "index.html"
# A <script ...> or <link ...> start tag that names the CDN in src= or href= (attributes may span lines).
CDN_TAG = re.compile(r"<(?:script|link)\b[^>]*?\b(?:src|href)=\"(%s[^\"]+)\"[^>]*>" % re.escape(webserver.CDN_BASE))
INTEGRITY = re.compile(r"\bintegrity=\"([^\"]*)\"")


def integrity(path: Path) -> str:
    """The SRI value of a file: "sha384-" + base64 of its SHA-384 digest."""
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode("ascii")


def cdn_tags(html: str) -> list[tuple[str, str, str | None]]:
    """[(whole start tag, CDN URL, its integrity attribute or None)] in document order."""
    found = []
    for match in CDN_TAG.finditer(html):
        attribute = INTEGRITY.search(match.group(0))
        found.append((match.group(0), match.group(1), attribute.group(1) if attribute else None))
    return found


def expected(url: str, root: Path | None = None) -> str:
    return integrity(build_runtime.url_to_path(url, root))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="write the mirror's hashes into index.html")
    args = parser.parse_args(argv)
    html = INDEX.read_text(encoding="utf-8")
    stale = 0
    for tag, url, current in cdn_tags(html):
        want = expected(url)
        print("%s\n  index.html: %s\n  mirror:     %s" % (url, current, want))
        if current != want:
            stale += 1
            if args.write and current is not None:
                html = html.replace(tag, tag.replace(current, want))
            elif args.write:
                html = html.replace(tag, tag[:-1].rstrip("/ ") + ' integrity="%s" crossorigin="anonymous">' % want)
    if args.write:
        INDEX.write_text(html, encoding="utf-8")
        print("index.html updated (%d tag(s))" % stale)
        return 0
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
