"""What each share of the training data adds: `python tools/ablate_data.py [--epochs 3] [--limit 30000]`.

Trains the same CNN (training/train.py's, at the given size) with the same seed and schedule on each mix of

    mnist      the MNIST training digits
    synthetic  the pad drawings of training/symbols.py (traced MNIST digits, styles, operators)
    real       the CROHME training writers' symbols (training/crohme.py: drawn alone with the pad's pen and
               from their strokes as py/grouping.py draws them)

each share cut to --limit examples, and prints its accuracy on the MNIST test digits and on the *validation*
writers' real symbols (drawn both ways), per digit and operator. A quick, smaller stand-in for the full training:
the shipped nets' own figures are in weights/manifest.json and tools/bench_real.py.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "py"), str(ROOT)]

import numpy as np  # noqa: E402

from training import crohme, mnist, symbols, train  # noqa: E402

MIXES = (("mnist",), ("mnist", "synthetic"), ("mnist", "real"), ("mnist", "synthetic", "real"))


def shares(limit, seed):
    rng = np.random.default_rng(seed)
    x, y = mnist.load("train")
    out = {"mnist": (x.astype(np.float32) / 255.0, y.astype(np.int64))}
    x_drawn, y_drawn, _ = symbols.dataset(seed, x, y, retraced=False)
    out["synthetic"] = (x_drawn, y_drawn)
    x_real, y_real, _ = crohme.symbol_images("train", seed=seed)
    keep = y_real != symbols.REJECT
    out["real"] = (x_real[keep], y_real[keep])
    for name, (xs, ys) in out.items():
        pick = rng.permutation(len(ys))[:limit]
        out[name] = (xs[pick], ys[pick])
    return out


def validation():
    x, y, _ = crohme.symbol_images("validation", repeats=1)
    keep = (y != symbols.REJECT) & (y != symbols.INDEX["("]) & (y != symbols.INDEX[")"])
    return x[keep], y[keep]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=30000, help="examples of each share")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    import keras

    data = shares(args.limit, args.seed)
    x_val, y_val = validation()
    x_test, y_test = mnist.load("test")
    x_test = x_test.astype(np.float32) / 255.0
    options = train.parse_args(["--seed", str(args.seed), "--epochs-cnn", str(args.epochs)])
    classes = len(symbols.LABELS) - 1
    print("== validation writers' symbols (no brackets: alone, a straight ) is a 1): %d" % len(y_val))
    for mix in MIXES:
        x = np.concatenate([data[name][0] for name in mix])[..., None]
        y = np.concatenate([data[name][1] for name in mix])
        model = train.train_one("cnn", options, x, y, classes)
        read = lambda images: model.predict(images[..., None], verbose=0, batch_size=1000).argmax(1)  # noqa: E731
        real = read(x_val) == y_val
        digits, operators = y_val < 10, y_val >= 10
        print("== %-26s MNIST test %.2f %% | real symbols %.2f %% (digits %.2f %%, + - × ÷ = %.2f %%)"
              % (" + ".join(mix), 100 * (read(x_test) == y_test).mean(), 100 * real.mean(),
                 100 * real[digits].mean(), 100 * real[operators].mean()), flush=True)
    keras.backend.clear_session()
    return 0


if __name__ == "__main__":
    sys.exit(main())
