"""Benchmark the committed networks through py/net.py: `python tools/bench_models.py [--weights weights/]`.

Prints, per net and as the page reads (the mean of both nets' probabilities):
- MNIST test accuracy, per-digit accuracy, and how many MNIST test digits are read as an operator;
- MNIST *test* digits traced into pen strokes and redrawn the way the pad draws (training/pen.py), read through
  preprocess.to_mnist: plainly, and in each way of holding the pen (training/symbols.HANDS);
- each digit style MNIST lacks (training/symbols.STYLES) and each operator, drawn by the *test* generator
  (training/symbols.TEST ranges, a seed of its own);
- each operator drawn alone, split as the page splits a drawing (py/segment.py with both nets as reader): how
  often it comes back as one symbol, and read right (a diagnostic: the floors are the nets' own);
- the confusion pairs that remain; weight bytes; CPython forward time per image.
Floors (issue 10): MNIST CNN >= 99.5 %, MLP >= 99.0 %; traced test digits >= 99.0 % as the page reads them;
each style >= 97 %; each operator >= 99 %; MNIST test digits read as an operator <= 0.3 %; weights <= 400 KB.
"""
from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "py"), str(ROOT)]
import net  # noqa: E402
import preprocess  # noqa: E402
import segment  # noqa: E402
from tools import bench_expressions  # noqa: E402
from training import mnist, pen, symbols  # noqa: E402

FLOORS = {"cnn": 0.995, "mlp": 0.990}
TEST_SEED = 2026_11_25  # the test generator's own seed (training uses small seeds)
NETS = ("cnn", "mlp")
LEGIBLE = bench_expressions.SMALLEST  # pen widths: smaller, an operator's strokes merge into a blob (a tiny ÷ is a +)


def time_per_image(model, x, repeats):
    model.predict_proba(x)  # warm-up
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict_proba(x)
        runs.append((time.perf_counter() - start) / (1 if x.ndim == 2 else len(x)))
    return statistics.median(runs)


def pen_widths(ink):
    """How many of the pad's pen widths tall (or wide, for a flat symbol) a drawing's ink is."""
    rows, columns = np.nonzero(ink > 0.5)
    return max(np.ptp(rows), np.ptp(columns)) / pen.PEN if len(rows) else 0.0


_readers = {}  # weights folder -> both nets' reader, loaded once per worker process


def _alone(ink, weights):
    """The pieces segment splits a drawing into, with both nets of `weights` as reader (the page's way)."""
    if weights not in _readers:
        _readers[weights] = net.reader([net.load(str(Path(weights) / (n + ".npz"))) for n in NETS])
    return segment.segment(ink, _readers[weights])


def _draw(task):
    """One drawing of the test generator -> (28, 28) input (or None), its label, its size in pen widths and,
    for an operator given a weights folder, the pieces segment splits it into (else None)."""
    kind, name, seed, x28, label = task[:5]
    rng = np.random.default_rng(seed)
    r = symbols.TEST
    if kind == "operator":
        ink = symbols.operator_ink(name, rng, r)
    elif kind == "style":
        label, strokes = symbols.style(name, rng, r)
        ink = pen.render(strokes, rng, height=r["size"])
    else:  # a traced test digit, plainly or in one of HANDS
        warp, pen_px, height = (symbols.hand(name, rng, r) if name != "plain"
                                else (dict(slant=rng.uniform(-10, 10), wobble=r["wobble"] / 2), pen.PEN, r["size"]))
        ink = pen.render(pen.warp(pen.trace(x28), rng, **warp), rng, height=height, pen=pen_px)
    return preprocess.to_mnist(ink), label, pen_widths(ink), _alone(ink, task[5]) if len(task) > 5 else None


def operator_seed(op, i):
    """The seed of the test generator's i-th drawing of operator `op`."""
    return TEST_SEED * 13 + symbols.OPERATORS.index(op) * 100_000 + i


def test_drawings(x, y, traced, per_kind, weights, workers=2):
    """({set name: (inputs (N, 28, 28), labels (N,) as symbol strings)} of the test generator, {operator:
    [pieces segment splits each drawing into]}); each operator's set is followed by its drawings at least
    LEGIBLE pen widths tall (a diagnostic, see LEGIBLE)."""
    tasks = {"traced test digits": [("traced", "plain", TEST_SEED + i, x[i], str(y[i])) for i in range(traced)]}
    for k, hand in enumerate(symbols.HANDS):
        tasks["hand: " + hand] = [("traced", hand, TEST_SEED * 7 + k * 100_000 + i, x[i], str(y[i]))
                                  for i in range(per_kind)]
    for k, style in enumerate(sorted(symbols.STYLES)):
        tasks["style: " + style] = [("style", style, TEST_SEED * 11 + k * 100_000 + i, None, None)
                                    for i in range(per_kind)]
    for op in symbols.OPERATORS:
        tasks["operator " + op] = [("operator", op, operator_seed(op, i), None, op, str(weights))
                                   for i in range(per_kind)]
    with Pool(workers) as pool:
        out, alone = {}, {}
        for name, batch in tasks.items():
            drawn = [d for d in pool.map(_draw, batch, chunksize=50) if d[0] is not None]
            out[name] = (np.stack([d[0] for d in drawn]), np.array([d[1] for d in drawn]))
            if name.startswith("operator"):
                alone[name.split()[-1]] = [d[3] for d in drawn]
                legible = [d for d in drawn if d[2] >= LEGIBLE]
                out["  %s, >= %g pen widths" % (name, LEGIBLE)] = (np.stack([d[0] for d in legible]),
                                                                   np.array([d[1] for d in legible]))
    return out, alone


def page_reader(models):
    """(N, 28, 28) -> (labels of the page's reading, the nets' per-net readings) over the common symbols."""
    symbols_ = net.common_symbols(list(models.values()))

    def read(x):
        probabilities = {name: net.aligned(m, np.concatenate([m.predict_proba(x[i:i + 1000])
                                                             for i in range(0, len(x), 1000)]), symbols_)
                         for name, m in models.items()}
        names = np.array(symbols_)
        mean = sum(probabilities.values()) / len(probabilities)
        return names[mean.argmax(1)], {name: names[p.argmax(1)] for name, p in probabilities.items()}
    return read


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, default=ROOT / "weights")
    parser.add_argument("--traced", type=int, default=10000, help="MNIST test digits traced and redrawn")
    parser.add_argument("--per-kind", type=int, default=1000, help="drawings per style, hand and operator")
    args = parser.parse_args(argv)
    x, y = mnist.load("test")
    xf = x.astype(np.float32) / 255.0
    manifest = json.loads((args.weights / "manifest.json").read_text())
    models, total = {}, 0
    for name in NETS:
        path = args.weights / (name + ".npz")
        model = models[name] = net.load(str(path))
        names = np.array(model.symbols)
        predicted = names[np.concatenate([model.predict(xf[i:i + 1000]) for i in range(0, len(x), 1000)])]
        truth = y.astype(str)
        accuracy = (predicted == truth).mean()
        size = path.stat().st_size
        total += size
        print("== %s: %s" % (name, model.summary))
        print("   labels: %s" % " ".join(model.labels))
        print("   MNIST test accuracy: %.2f%%  (floor %.1f%%: %s; manifest says %.2f%%)"
              % (100 * accuracy, 100 * FLOORS[name], "beaten" if accuracy >= FLOORS[name] else "MISSED",
                 100 * manifest["models"][name]["mnist_test_accuracy"]))
        print("   per digit: " + ", ".join("%d: %.2f%%" % (d, 100 * (predicted[y == d] == str(d)).mean())
                                           for d in range(10)))
        print("   MNIST test digits read as an operator: %.2f%%" % (100 * np.isin(predicted, symbols.OPERATORS).mean()))
        if model.rejects:
            print("   MNIST test digits called not one symbol: %.2f%%" % (100 * (model.read(xf)[:, -1] > 0.5).mean()))
        print("   weights: %d bytes on disk (%d parameters, %s storage)"
              % (size, model.n_params, model.architecture.get("storage", "?")))
        print("   CPython forward: %.3f ms single image, %.4f ms per image in a batch of 256"
              % (1000 * time_per_image(model, xf[0], 300), 1000 * time_per_image(model, xf[:256], 20)))
    print("== total weight bytes: %d (%.0f KB; floor 400 KB)" % (total, total / 1024))

    read = page_reader(models)
    page, _ = read(xf)
    print("== as the page reads (both nets' mean): MNIST test %.2f%%, read as an operator %.2f%%"
          % (100 * (page == y.astype(str)).mean(), 100 * np.isin(page, symbols.OPERATORS).mean()))
    started = time.time()
    sets, alone = test_drawings(x, y, args.traced, args.per_kind, args.weights)
    print("== the test generator's drawings (%d, drawn in %.0f s), read as the page reads them; CNN, MLP:"
          % (sum(len(v[1]) for v in sets.values()), time.time() - started))
    confusions = collections.Counter()
    for name, (images, truth) in sets.items():
        page, per_net = read(images)
        floor = 0.99 if name.startswith(("traced", "operator")) else 0.97
        accuracy = (page == truth).mean()
        verdict = "(diagnostic)" if name.startswith(" ") else "(floor %.0f%%: %s)" % (
            100 * floor, "beaten" if accuracy >= floor else "MISSED")
        print("   %-34s %6.2f%%  %-22s %6.2f%% %6.2f%%   n=%d"
              % (name, 100 * accuracy, verdict, 100 * (per_net["cnn"] == truth).mean(),
                 100 * (per_net["mlp"] == truth).mean(), len(truth)))
        if name.startswith(" "):
            continue  # its drawings were counted in the operator's whole set
        confusions.update("%s→%s" % pair for pair in zip(truth[page != truth], page[page != truth]))
    print("== each operator drawn alone, split as the page splits a drawing (segment, both nets as reader):")
    for op, splits in alone.items():
        one = [pieces[0] for pieces in splits if len(pieces) == 1]
        right = (read(np.stack(one))[0] == op).sum() if one else 0
        print("   %s  one symbol %6.2f%%   one symbol, read right %6.2f%%   n=%d"
              % (op, 100 * len(one) / len(splits), 100 * right / len(splits), len(splits)))
    print("== confusion pairs left (truth→read, count over all test-generator drawings): "
          + ", ".join("%s %d" % item for item in confusions.most_common(15)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
