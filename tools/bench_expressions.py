"""Benchmark reading and solving drawn sums: `python tools/bench_expressions.py [--count 300] [--seed 0]`.

Draws expressions of 3-9 symbols the way the pad draws them: numbers of MNIST *test* digits traced into pen
strokes (training/pen.py), operators from the *test* generator (training/symbols.TEST ranges, a seed of its own),
laid out on a line with gaps like a person leaves. Each is read as the page reads it (py/segment.py with both
nets as reader, then py/answer.py: the grammar and the solver) and compared with what was drawn.
Prints: read exactly, solved exactly (the value, or the same error), count of symbols right, and the time per
drawing in CPython (the page's Pyodide is ~2.7x slower). Floors (issue 11): read >= 95 %, solved >= 95 %.
"""
from __future__ import annotations

import argparse
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
from training import mnist, pen, segments, symbols  # noqa: E402

SEED = 2026_11_26
PEN = 14        # px: the pad's pen (1/20 of its 280 px snapshot)
SMALLEST = 3.0  # an operator is drawn at least this many pen widths tall (wide, for - and =): smaller, its strokes
                # merge into one blob on the pad too, a + and a ÷ alike, which no reader can tell apart
APART = {"=": 2.5, "÷": 3.0}  # ... and = and ÷ at least this many pen widths tall, so that their bars and dots
                              # stay apart (an = whose bars touch is a thick minus to anyone)


def expression_text(rng, length):
    """A random valid-looking sum of `length` symbols: numbers, + - × ÷, sometimes brackets and a final =."""
    tokens = []
    while len(tokens) < length:
        if tokens and (tokens[-1].isdigit() or tokens[-1] == ")"):
            tokens.append(str(rng.choice(list("+-×÷"))))
        elif rng.random() < 0.15 and length - len(tokens) >= 5:
            tokens += ["(", str(int(rng.integers(1, 10))), str(rng.choice(list("+-×"))), str(int(rng.integers(1, 10))), ")"]
        else:
            tokens += list(str(int(rng.integers(1, 100))))
    text = "".join(tokens[:length])
    while text and not text[-1].isdigit() and text[-1] != ")":
        text = text[:-1]
    return text + ("=" if rng.random() < 0.3 else "")


def draw(text, x, y, rng, smallest=SMALLEST):
    """The ink of `text` drawn on one line: digits are MNIST test digits traced and redrawn, operators from the
    test generator; all at one digit height, with a pad-like pen."""
    by_digit = {d: np.nonzero(y == d)[0] for d in range(10)}
    height = rng.uniform(60, 110)
    parts = []
    for char in text:
        if char.isdigit():
            i = int(rng.choice(by_digit[int(char)]))
            strokes = pen.warp(pen.trace(x[i]), rng, slant=rng.uniform(-10, 10), wobble=symbols.TEST["wobble"] / 2)
            x0, y0, x1, y1 = pen.bounds(strokes)
            parts.append(pen.ink_of(strokes, height / max(y1 - y0, 1e-6), 14))
        else:
            size = rng.uniform(0.9, 1.15) if char in "()" else rng.uniform(0.35, 0.75)
            strokes = pen.warp(symbols.operator(char, rng, symbols.TEST), rng, wobble=symbols.TEST["wobble"])
            scale = max(size * height, smallest * PEN)
            if smallest and char in APART:  # = and ÷: far enough apart that their pieces do not merge
                scale = max(scale, APART[char] * PEN / max(pen.bounds(strokes)[3] - pen.bounds(strokes)[1], 1e-3))
            parts.append(pen.ink_of(strokes, scale, PEN))
    ink, _ = segments.line(parts, rng, height=int(height * 2.2), gap=(0.15, 0.45))
    return ink


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weights", type=Path, default=ROOT / "weights")
    parser.add_argument("--smallest", type=float, default=SMALLEST,
                        help="an operator's least size in pen widths (0: as small as 0.35 of a digit, blobs included)")
    parser.add_argument("--show", type=int, default=12, help="misread drawings to print")
    parser.add_argument("--margin", type=float, default=None, help="grammar.UNFINISHED_MARGIN to try (tuning)")
    parser.add_argument("--trailing", type=float, default=None, help="grammar.TRAILING_MARGIN to try (tuning)")
    args = parser.parse_args(argv)
    x, y = mnist.load("test")
    models = [net.load(str(args.weights / name)) for name in ("cnn.npz", "mlp.npz")]
    read = net.reader(models)
    if args.margin is not None:
        answer.grammar.UNFINISHED_MARGIN = args.margin
    if args.trailing is not None:
        answer.grammar.TRAILING_MARGIN = args.trailing
    rng = np.random.default_rng(SEED + args.seed)
    right = solved = counted = 0
    seconds, wrong = [], []
    for _ in range(args.count):
        text = expression_text(rng, int(rng.integers(3, 10)))
        ink = draw(text, x, y, rng, args.smallest)
        start = time.perf_counter()
        pieces = segment.segment_boxes(ink, read=read)
        out = read(np.stack([d for _, d in pieces]))
        shown = answer.read(out[:, :-1], read.symbols)
        seconds.append(time.perf_counter() - start)
        expected = calc.solve(text)
        got = calc.solve(shown.reading)
        counted += len(pieces) == len(text)
        right += shown.reading == text
        solved += (got.value, got.error) == (expected.value, expected.error)
        if shown.reading != text and len(wrong) < args.show:
            wrong.append("%s→%s" % (text, shown.reading))
    print("== %d drawn sums of 3-9 symbols (MNIST test digits traced, test-generator operators):" % args.count)
    print("   symbol count right %.1f %%, read exactly %.1f %% (floor 95 %%), solved exactly %.1f %% (floor 95 %%)"
          % (100 * counted / args.count, 100 * right / args.count, 100 * solved / args.count))
    print("   CPython per drawing: median %.1f ms, max %.1f ms" % (1000 * statistics.median(seconds), 1000 * max(seconds)))
    print("   misread (drawn→read): " + ", ".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
