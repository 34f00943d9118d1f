"""What each share of the training data adds: `python tools/ablate_data.py [--epochs 3] [--limit 30000]`.

Trains the same CNN (training/train.py's, at the given size) with the same seed and schedule on each mix of

    mnist      the MNIST training digits
    synthetic  the pad drawings of training/symbols.py (traced MNIST digits, styles, operators)
    real       the CROHME training writers' symbols (training/crohme.py: drawn alone with the pad's pen and
               from their strokes as py/grouping.py draws them)

each share cut to --limit examples, and prints its accuracy on the MNIST test digits and on the *validation*
writers' real symbols (drawn both ways), per digit and operator. A quick, smaller stand-in for the full training:
the shipped nets' own figures are in weights/manifest.json and tools/bench_real.py.

`--lookalikes` measures instead what to do with the data's symbols that look like ours (crohme.LOOKALIKE: x like
×, l like 1, o like 0, ...), all three shares each time: left out (what training does), learned as the symbol they
look like (LOOKS_AS), or learned as "not one symbol". It prints the same figures, plus how the validation writers'
look-alikes (drawn alone) are read: as the symbol they look like, or as "not one symbol".
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
LOOKS_AS = dict({name: "×" for name in ("x", "X", "\\times")}, **{name: "1" for name in ("l", "I", "|")},
                **{name: "0" for name in ("o", "O")}, **{name: "5" for name in ("s", "S")},
                **{name: "2" for name in ("z", "Z")}, b="6", g="9", q="9", t="+", T="7", c="(", C="(",
                **{"[": "(", "]": ")", "\\{": "(", "\\}": ")", "-": "-", "\\frac": "-", "\\div": "÷"})
# (the look-alikes left out of LOOKS_AS, "/", "\\prime", dots, "\\lt", "\\gt", "\\pm", "\\neq", "noisy",
# stay out of every arm)


def lookalikes(part, seed):
    """The look-alikes of `part`'s writers that LOOKS_AS maps, each drawn alone once as crohme.lone_images draws
    a symbol: x (N, 28, 28), y (N,) indices of the symbol each looks like."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for expression in crohme.load(part):
        for symbol in expression["symbols"]:
            name = symbol["label"][len("other:"):]
            if symbol["label"] in crohme.LOOKALIKE and name in LOOKS_AS and symbol["strokes"]:
                image = crohme.drawn_alone(crohme.strokes_of(expression, symbol), rng)
                if image is not None:
                    images.append(image)
                    labels.append(symbols.INDEX[LOOKS_AS[name]])
    return np.array(images, np.float32).reshape(-1, 28, 28), np.array(labels, np.int64)


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
    parser.add_argument("--lookalikes", action="store_true", help="the look-alikes' arms instead of the shares'")
    args = parser.parse_args(argv)
    import keras

    data = shares(args.limit, args.seed)
    if args.lookalikes:
        return lookalike_arms(args, data)
    tests = test_sets()
    options = train.parse_args(["--seed", str(args.seed), "--epochs-cnn", str(args.epochs)])
    classes = len(symbols.LABELS) - 1
    print("== validation writers' symbols (no brackets: alone, a straight ) is a 1): %d" % len(tests[1]))
    for mix in MIXES:
        x = np.concatenate([data[name][0] for name in mix])[..., None]
        y = np.concatenate([data[name][1] for name in mix])
        model = train.train_one("cnn", options, x, y, classes)
        print("== %-26s %s" % (" + ".join(mix), scores(reader(model), *tests)), flush=True)
    keras.backend.clear_session()
    return 0


def test_sets():
    """(x_val, y_val, x_test, y_test): the validation writers' symbols (validation()) and MNIST's test digits."""
    x_val, y_val = validation()
    x_test, y_test = mnist.load("test")
    return x_val, y_val, x_test.astype(np.float32) / 255.0, y_test


def reader(model):
    """A Keras model -> (N, 28, 28) images -> (N,) the labels it reads."""
    return lambda images: model.predict(images[..., None], verbose=0, batch_size=1000).argmax(1)


def scores(read, x_val, y_val, x_test, y_test):
    """What each arm prints: MNIST test accuracy, and the real symbols read right (all, digits, operators)."""
    real = read(x_val) == y_val
    return "MNIST test %.2f %% | real symbols %.2f %% (digits %.2f %%, + - × ÷ = %.2f %%)" % (
        100 * (read(x_test) == y_test).mean(), 100 * real.mean(), 100 * real[y_val < 10].mean(),
        100 * real[y_val >= 10].mean())


def lookalike_arms(args, data):
    """Left out / as the symbol they look like / as "not one symbol": the CNN on all three shares each time."""
    import keras

    tests = test_sets()
    x_look, y_look = lookalikes("train", args.seed)
    x_look_val, y_look_val = lookalikes("validation", args.seed + 1)
    options = train.parse_args(["--seed", str(args.seed), "--epochs-cnn", str(args.epochs)])
    base_x = np.concatenate([data[name][0] for name in ("mnist", "synthetic", "real")])
    base_y = np.concatenate([data[name][1] for name in ("mnist", "synthetic", "real")])
    print("== validation writers' symbols of ours (no brackets): %d; look-alikes: %d of the training writers, %d of "
          "the validation writers" % (len(tests[1]), len(y_look), len(y_look_val)))
    for arm, extra in (("left out", None), ("as what they look like", y_look),
                       ("as not one symbol", np.full(len(y_look), symbols.REJECT))):
        x = np.concatenate([base_x] + ([x_look] if extra is not None else []))[..., None]
        y = np.concatenate([base_y] + ([extra] if extra is not None else []))
        read = reader(train.train_one("cnn", options, x, y, len(symbols.LABELS)))
        looks = read(x_look_val)
        print("== look-alikes %-24s %s | validation look-alikes read as the symbol they look like %.1f %%, as not one "
              "symbol %.1f %%" % (arm, scores(read, *tests), 100 * (looks == y_look_val).mean(),
                                  100 * (looks == symbols.REJECT).mean()), flush=True)
    keras.backend.clear_session()
    return 0


if __name__ == "__main__":
    sys.exit(main())
