"""Benchmark py/preprocess.py on MNIST test digits rendered as canvas drawings, with the exported networks.

    .venv/bin/python tools/bench_preprocess.py [--n 10000] [--numbers 300] [--seed 0] [--weights weights]

Prints:
- each net's accuracy on plain MNIST test digits (reference) and on the same digits rendered as canvas
  drawings (280 px canvas, black on white, random place, size and pen thickness; training/drawings.py) read back
  through `to_mnist`;
- `segment` on 2-, 3- and 4-digit numbers made of random MNIST test digits side by side (random gaps, sizes,
  small overlaps): how often the count of digits is right, digit-level accuracy (a digit counts as right when
  the count is right and the CNN reads it right) and number-level accuracy (every digit right), read by the
  CNN, by both nets' best labels, and as the page shows them (both nets' mean, then py/answer.py: where the
  best labels are no valid text, the grammar takes a runner-up, as in the page);
- preprocessing time per canvas on this machine (CPython; Pyodide is ~2.7x slower).
Floors (issue 4): CNN on canvas-rendered single digits >= 99 %; 3-digit numbers >= 95 % exactly right.
"""
from __future__ import annotations

import argparse
import base64
import io
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "py"), str(ROOT)]

import answer  # noqa: E402
import net  # noqa: E402
import preprocess  # noqa: E402
import segment  # noqa: E402
from training import drawings  # noqa: E402
from training import mnist  # noqa: E402

NETS = ("cnn", "mlp")
CANVAS = 280
NUMBER_LENGTHS = (2, 3, 4)
TIMING_CANVASES = 200  # canvases kept to time decoding (10,000 would not fit in memory)


def load_nets(folder):
    """The nets whose weights exist in folder (the CNN is needed for the numbers)."""
    models = {}
    for name in NETS:
        path = Path(folder) / ("%s.npz" % name)
        if path.exists():
            models[name] = net.load(str(path))
        else:
            print("(no %s: %s is missing)" % (name, path))
    if "cnn" not in models:
        sys.exit("the CNN weights are needed: train them first (python -m training.train)")
    return models


def single_digits(x, y, models, n, rng):
    """Accuracy of each net on plain MNIST and on canvas renderings through to_mnist; to_mnist time."""
    indices = rng.permutation(len(x))[:n]
    read, canvases, seconds = [], [], 0.0
    for i in indices:
        image = drawings.render_mnist(x[i], rng, CANVAS)
        start = time.perf_counter()
        read.append(preprocess.to_mnist(image))
        seconds += time.perf_counter() - start
        if len(canvases) < TIMING_CANVASES:
            canvases.append(image)
    blank = sum(r is None for r in read)
    batch = np.stack([r if r is not None else np.zeros((28, 28), np.float32) for r in read])
    plain = x[indices].astype(np.float32) / 255.0
    for name, model in models.items():
        on_mnist = (model.predict_proba(plain).argmax(1) == y[indices]).mean()
        on_canvas = (model.predict_proba(batch).argmax(1) == y[indices]).mean()
        print("  %s: MNIST test %.2f %%   canvas drawings through to_mnist %.2f %%"
              % (name, 100 * on_mnist, 100 * on_canvas))
    print("  read as blank: %d of %d" % (blank, n))
    return seconds / n, canvases


def number_drawing(x, indices, rng):
    """Digits side by side at random sizes (55-85 % of the canvas height) and pen thicknesses."""
    parts = [drawings.random_pen(x[i], rng, int(rng.uniform(0.55, 0.85) * CANVAS)) for i in indices]
    ink, _ = drawings.compose(parts, rng, CANVAS)
    return drawings.as_canvas(ink)


def numbers(x, y, models, count, rng, misses=False):
    """segment on numbers of each length, by geometry alone and with a reader (segment's `read`: the CNN, or
    the mean of both nets' probabilities): count right, digit-level and number-level accuracy, the digits read
    by the CNN, the numbers by both nets' best labels and as the page shows them. misses: print each number the
    page reads wrong. Returns seconds per canvas for each way, and canvases."""
    model = models["cnn"]
    ways = {"geometry only": None, "CNN as reader": net.reader([model])}
    page = ways["CNN as reader"]
    if "mlp" in models:
        ways["both as reader"] = page = net.reader([model, models["mlp"]])
    symbols = model.symbols
    seconds = dict.fromkeys(ways, 0.0)
    canvases = []
    for length in NUMBER_LENGTHS:
        tally = {way: np.zeros(5) for way in ways}  # count, digits, numbers right (CNN); best labels; page
        for _ in range(count):
            indices = rng.integers(0, len(x), size=length)
            truth = "".join(str(int(d)) for d in y[indices])
            canvas = number_drawing(x, indices, rng)
            if len(canvases) < TIMING_CANVASES:
                canvases.append(canvas)
            for way, read in ways.items():
                start = time.perf_counter()
                pieces = segment.segment(canvas, read)
                seconds[way] += time.perf_counter() - start
                shown = "(%d pieces)" % len(pieces)
                if len(pieces) == length:
                    right = int((model.predict_proba(np.stack(pieces)).argmax(1) == y[indices]).sum())
                    probabilities = page(np.stack(pieces))[:, :len(symbols)]
                    best = "".join(symbols[k] for k in probabilities.argmax(1))
                    shown = answer.read(probabilities, symbols).reading
                    tally[way] += (1, right, right == length, best == truth, shown == truth)
                if misses and read is page and shown != truth:
                    print("    drawn %s, read %s" % (truth, shown))
        for way, (counted, digits_right, numbers_right, best_right, shown_right) in tally.items():
            print("  %d digits, %-14s: count right %5.1f %%   digits right %6.2f %%   numbers exactly right %5.1f %%"
                  "   (both nets' best labels: %5.1f %%; as the page shows them: %5.1f %%)"
                  % (length, way, 100 * counted / count, 100 * digits_right / (count * length),
                     100 * numbers_right / count, 100 * best_right / count, 100 * shown_right / count))
    print("  (%d numbers of each length; a digit is right when the count is right and the CNN reads it right; the"
          " page shows the mean of both nets' readings, read by the grammar)" % count)
    return {way: total / (count * len(NUMBER_LENGTHS)) for way, total in seconds.items()}, canvases


def data_url(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def timings(single_canvases, number_canvases, to_mnist_seconds, segment_seconds):
    urls = [data_url(c) for c in single_canvases]
    start = time.perf_counter()
    for url in urls:
        preprocess.decode_image(url)
    decode_seconds = (time.perf_counter() - start) / len(urls)
    rgba = [(np.asarray(c.convert("RGBA")).tobytes(), c.width, c.height) for c in single_canvases]
    start = time.perf_counter()
    for buffer, width, height in rgba:
        preprocess.to_mnist(preprocess.from_rgba(buffer, width, height))
    rgba_seconds = (time.perf_counter() - start) / len(rgba)
    print("  decode_image(PNG data URL, %d px)  %.2f ms" % (CANVAS, 1000 * decode_seconds))
    print("  to_mnist(image)                    %.2f ms" % (1000 * to_mnist_seconds))
    print("  to_mnist(from_rgba(bytes))         %.2f ms" % (1000 * rgba_seconds))
    for way, seconds in segment_seconds.items():
        print("  segment(image), %-14s     %.2f ms  (2-4 digits, canvas %d px high, up to %d px wide%s)"
              % (way, 1000 * seconds, CANVAS, max(c.width for c in number_canvases),
                 ", forward passes included" if "reader" in way else ""))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10000, help="single digits to render (MNIST test set)")
    parser.add_argument("--numbers", type=int, default=300, help="numbers of each length (2, 3, 4 digits)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--misses", action="store_true", help="print each number the page reads wrong")
    parser.add_argument("--weights", default=str(ROOT / "weights"), help="folder with cnn.npz and mlp.npz")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    x, y = mnist.load("test")
    models = load_nets(args.weights)
    print("Single digits (%d MNIST test digits, %d px canvas, seed %d):" % (args.n, CANVAS, args.seed))
    to_mnist_seconds, single_canvases = single_digits(x, y, models, args.n, rng)
    print("Numbers through segment + CNN:")
    segment_seconds, number_canvases = numbers(x, y, models, args.numbers, rng, args.misses)
    print("Time per canvas (CPython):")
    timings(single_canvases, number_canvases, to_mnist_seconds, segment_seconds)


if __name__ == "__main__":
    main()
