"""Benchmark of real hands: `python tools/bench_real.py [--weights weights] [--draws 1] [--seed 0]`.

Draws the symbols, numbers and sums of the *validation writers* of the CROHME share (training/crohme.py: writer
groups never trained on) on the pad's 420 x 280 px snapshot, and reads each as the page reads it: by its strokes
(py/grouping.py and py/layout.py, what the page does) and by its pixels (py/segment.py, today's
segmentation) drawn with the pad's pen (static/pad.js BRUSH, 1/60 of the snapshot's 280 px since issue 29;
`--pixel-pen 14` for the 1/20 pen the issue "Read real people" was written with), with both nets as reader,
then the grammar (py/answer.py). Each drawing is the same both ways (the same strokes at the same size).

    lone symbols   every digit and + - × ÷ = of those writers drawn alone (( and ) are judged inside sums:
                   alone, a straight ) is a 1), the median symbol of its expression 80-200 px tall
    numbers        every run of digits (1-12) in their one-line expressions, drawn as written
    expressions    their arithmetic expressions cut after the first =, at most 12 symbols, drawn as written
                   (digits 40-110 px tall, smaller when the line would not fit the pad)

Prints per label and per collection, the confusions, every expression read wrong, and the floors of the issue
"Read real people" beside each figure.
"""
from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "py"), str(ROOT)]
import answer  # noqa: E402
import calc  # noqa: E402
import net  # noqa: E402
import segment  # noqa: E402
from tools import bench_strokes  # noqa: E402
from training import crohme, pen  # noqa: E402

SEED = 2026_12_03
LONE_HEIGHT = (80.0, 200.0)  # px of the median symbol when a symbol is drawn alone
DIGIT_HEIGHT = (55.0, 120.0)  # px of a digit in a number or sum: a fifth to near half the pad's height (people
                              # write smaller only when the line would not fit the pad: it is then drawn smaller)
LONE_LABELS = tuple("0123456789+-×÷=")
PAD_PEN = crohme.PAD[1] / 60  # px: the pad's displayed pen on its snapshot (static/pad.js BRUSH = 1/60)
FLOORS = dict(lone=0.97, digit=0.97, operator=0.97, divide=0.90, numbers=0.98, expressions=0.90)


class Page:
    """Reads a drawing as the page does, by its strokes (tools/bench_strokes.read_expression: what the page does
    when the pad hands over strokes, decimal points and exponents placed by py/layout.py) or by its pixels
    (py/segment.py, "today's segmentation", crohme.line_ink at the same size with the pad's pen), with both
    nets, then the grammar. Called with (expression, its symbols to draw, the median symbol's height in px)."""

    def __init__(self, weights: Path, by: str, pixel_pen: float = PAD_PEN):
        self.read = net.reader([net.load(str(weights / name)) for name in ("cnn.npz", "mlp.npz")])
        self.by = by
        self.pixel_pen = pixel_pen
        self.seconds = []

    def __call__(self, expression, only, digit_height) -> str:
        if self.by == "strokes":  # in pad px, at the scale line_ink draws them (where on the pad does not matter)
            strokes = [stroke for s in only for stroke in crohme.strokes_of(expression, s)]
            scale = crohme.pad_scale(strokes, digit_height)
            low = pen.bounds(strokes)[:2]
            started = time.perf_counter()
            shown, _ = bench_strokes.read_expression([(p - low) * scale for p in strokes], self.read)
            self.seconds.append(time.perf_counter() - started)
            return shown.reading if shown else ""
        ink = crohme.line_ink(expression, digit_height=digit_height, only=only, ink_pen=self.pixel_pen)[0]
        started = time.perf_counter()
        images = [digit for _, digit in segment.segment_boxes(ink, read=self.read)]
        if not images:
            return ""
        out = self.read(np.stack(images))
        reading = answer.read(out[:, :-1], self.read.symbols).reading
        self.seconds.append(time.perf_counter() - started)
        return reading


def digit_runs(expression):
    """The maximal runs of adjacent digits of a one-line expression, as lists of its symbols."""
    runs, run = [], []
    for symbol in crohme.symbols_in_order(expression):
        if symbol["label"].isdigit():
            run.append(symbol)
        else:
            runs.append(run)
            run = []
    return [r for r in runs + [run] if 0 < len(r) <= 12]


def lone(page, validation, rng, draws):
    results = []  # (label, read, collection)
    for expression in validation:
        for symbol in expression["symbols"]:
            if symbol["label"] in LONE_LABELS and symbol["strokes"]:
                for _ in range(draws):
                    read = page(expression, [symbol], rng.uniform(*LONE_HEIGHT))
                    results.append((symbol["label"], read, expression["collection"]))
    return results


def numbers(page, validation, rng, draws):
    results = []  # (truth, read, collection)
    for expression in validation:
        if crohme.is_line(expression):
            for run in digit_runs(expression):
                for _ in range(draws):
                    read = page(expression, run, rng.uniform(*DIGIT_HEIGHT))
                    results.append(("".join(s["label"] for s in run), read, expression["collection"]))
    return results


def expressions(page, validation, rng, draws):
    results = []  # (truth, read, collection, id)
    for expression in validation:
        text = crohme.truth(expression)
        if text:
            for _ in range(draws):
                read = page(expression, crohme.cut_symbols(expression), rng.uniform(*DIGIT_HEIGHT))
                results.append((text, read, expression["collection"], expression["id"]))
    return results


def share(results):
    return sum(truth == read for truth, read, *_ in results) / max(len(results), 1)


def line(name, results, floor=None):
    right = sum(truth == read for truth, read, *_ in results)
    mark = "" if floor is None else "  (floor %.0f %%: %s)" % (100 * floor, "met" if right >= floor * len(results) else "NOT met")
    print("   %-28s %5.1f %%  %4d / %-4d%s" % (name, 100 * right / max(len(results), 1), right, len(results), mark))


def report(symbols, numbers_read, sums):
    print("== real lone symbols (validation writers), per label:")
    by_label = collections.defaultdict(list)
    for item in symbols:
        by_label[item[0]].append(item)
    for label in LONE_LABELS:
        floor = FLOORS["divide"] if label == "÷" else FLOORS["digit"] if label.isdigit() else FLOORS["operator"]
        line(label, by_label[label], floor)
    line("all lone symbols", symbols, FLOORS["lone"])
    confusions = collections.Counter((t, r) for t, r, _ in symbols if t != r)
    print("   confusions (drawn→read ×count): " + ", ".join("%s→%s ×%d" % (t, r or "nothing", n)
                                                          for (t, r), n in confusions.most_common(25)))
    print("== per collection (lone symbols / numbers / expressions):")
    for collection in sorted({c for *_, c in symbols}):
        parts = [[r for r in results if r[2] == collection] for results in (symbols, numbers_read, sums)]
        print("   %-12s " % collection + " / ".join("%5.1f %% of %d" % (100 * share(p), len(p)) for p in parts))
    print("== real numbers and expressions (validation writers):")
    line("numbers read exactly", numbers_read, FLOORS["numbers"])
    line("expressions read exactly", sums, FLOORS["expressions"])
    solved = [(calc.solve(t).value, calc.solve(r).value if r else None) for t, r, *_ in sums]
    print("   expressions solved right     %5.1f %%" % (100 * sum(a == b for a, b in solved) / max(len(solved), 1)))
    print("   numbers read wrong: " + ", ".join("%s→%s" % (t, r or "nothing") for t, r, _ in numbers_read if t != r))
    print("   expressions read wrong:")
    for truth, read, _, name in sums:
        if truth != read:
            print("     %-16s → %-16s %s" % (truth, read or "nothing", name))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, default=ROOT / "weights")
    parser.add_argument("--draws", type=int, default=1, help="times each item is drawn (at other sizes)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--by", choices=("strokes", "pixels"), action="append",
                        help="read by strokes (the page) and/or by pixels (today's segmentation); default both")
    parser.add_argument("--pixel-pen", type=float, default=PAD_PEN,
                        help="px: the pen of the pixel reading (default the pad's, 1/60 of 280 px; 14 before issue 29)")
    args = parser.parse_args(argv)
    validation = crohme.load("validation")
    for by in args.by or ("strokes", "pixels"):
        page = Page(args.weights, by, args.pixel_pen)
        print("\n######## read by %s: %d expressions of %d validation writer groups; weights %s%s"
              % (by, len(validation), len({e["group"] for e in validation}), args.weights,
                 "; pen %.1f px" % args.pixel_pen if by == "pixels" else ""))
        rng = np.random.default_rng(SEED + args.seed)  # the same drawings both ways
        started = time.time()
        results = lone(page, validation, rng, args.draws), numbers(page, validation, rng, args.draws), \
            expressions(page, validation, rng, args.draws)
        report(*results)
        print("== %d readings in %.0f s (CPython, per reading: median %.1f ms)"
              % (len(page.seconds), time.time() - started, 1000 * statistics.median(page.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
