"""Benchmark reading by strokes on real pen strokes: `python tools/bench_strokes.py [--show 12]`.

Reads CROHME's expressions (training/data/crohme/expressions.jsonl.gz, real writers' strokes with each symbol's
stroke indices) of the *validation* writers only (a writer group is one iff sha256(group) % 5 == 0, the rule
the lead's training uses; tools/fit_strokes.py fits on the others), each drawn in its own stroke order, with
py/grouping.py and both shipped nets as reader, then py/answer.py (grammar, solver). Prints:

- strokes grouped exactly into symbols, over the symbols of every expression made only of the app's symbols
  (the data's truth: each symbol's stroke indices); floor 99 %;
- real arithmetic expressions (the data's `arithmetic` ones, cut after the first =, at most 12 symbols) read
  exactly and solved right (the same value or the same error as the truth); floors 95 %;
- pointer-up -> result in CPython: grouping, reading, grammar and solver per expression, median and slowest, with
  nothing remembered and after the last stroke (the earlier strokes' reads remembered, as in the page);
- MNIST *test* digits traced into pen strokes (training/pen.py), written side by side as 2- and 3-digit numbers
  (each digit 50-90 px tall on the pad, slanted a little, gaps of 0.1-0.5 of its height, a little up or down)
  and read by strokes: numbers read exactly (`--numbers 500`; a diagnostic, no floor: skeleton traces have spurs
  and split lines no pen makes; issue 29's number floors are the pixel bench's, tools/bench_preprocess.py).
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
import grouping  # noqa: E402
import layout  # noqa: E402
import net  # noqa: E402
from training import crohme  # noqa: E402

ALPHABET = set("0123456789+-×÷=()")
MAX_SYMBOLS = 12


def load(part: str) -> list[dict]:
    """The expressions of a part's writers (crohme.PARTS: "validation", "train", or its "fit" and "dev"): copies of the data's
    dicts, `strokes` as (K, 2) float32 arrays, `symbols` sorted left to right (crohme.symbols_in_order)."""
    return [dict(row, strokes=[np.asarray(s, dtype=np.float32).reshape(-1, 2) for s in row["strokes"]],
                 symbols=crohme.symbols_in_order(row) + [s for s in row["symbols"] if not s["strokes"]])
            for row in crohme.load(part)]


def alphabet_only(rows) -> list[dict]:
    """Expressions whose every symbol is one of the app's, and whose every stroke belongs to a symbol."""
    kept = []
    for row in rows:
        used = sorted(i for s in row["symbols"] for i in s["strokes"])
        if row["symbols"] and all(s["label"] in ALPHABET for s in row["symbols"]) and used == list(range(len(row["strokes"]))):
            kept.append(row)
    return kept


def arithmetic(rows) -> list[tuple[str, list]]:
    """Real arithmetic expressions cut after their first = and of at most MAX_SYMBOLS symbols: [(truth, strokes)]
    with the strokes of the kept symbols in the writer's order."""
    found = []
    for row in rows:
        if not row.get("arithmetic"):
            continue
        kept = []
        for s in row["symbols"]:  # left to right (load)
            if not s["label"] in ALPHABET:
                break
            kept.append(s)
            if s["label"] == "=":
                break
        if len(kept) != len(row["symbols"]) and kept[-1]["label"] != "=" or len(kept) > MAX_SYMBOLS:
            continue
        indices = sorted(i for s in kept for i in s["strokes"])
        found.append(("".join(s["label"] for s in kept), [row["strokes"][i] for i in indices]))
    return found


def grouped_right(row, found) -> tuple[int, int]:
    """(symbols whose strokes came out as exactly one symbol, symbols in the truth)."""
    truth = {tuple(sorted(s["strokes"])) for s in row["symbols"]}
    return len(truth & {tuple(s.strokes) for s in found}), len(truth)


def read_expression(strokes, read):
    """strokes (pad px) -> (answer.Shown, or None when nothing is read; the pieces read): the page's reading
    (py/app.py read_pad and show_reading): dots that may be decimal points kept apart (layout.split_dots), the
    rest grouped into symbols (grouping.symbols), an exponent grouped with its base cut from it (layout.pieces),
    both nets, then the points and exponents placed and the grammar (answer.read_line)."""
    rest, marks = layout.split_dots(strokes)
    parts = layout.pieces(grouping.symbols(rest, read), rest) if rest else []
    if not parts:
        return None, parts
    out = read(np.stack([image for _, image in parts]))
    shown, _ = answer.read_line(out[:, :-1], read.symbols, [box for box, _ in parts], marks)
    return shown, parts


NUMBER_SEED = 29


def traced_number(x28s, rng) -> list:
    """MNIST digits (uint8 (28, 28) each) -> the strokes (pad px, (K, 2) float32) of the number they write left to
    right: each traced (pen.trace), slanted up to 10 degrees, 50-90 px tall, 0.1-0.5 of its height after the one
    before, moved up or down by up to a tenth of its height."""
    from training import pen

    drawn, left = [], 40.0
    for x28 in x28s:
        strokes = pen.warp(pen.trace(x28), rng, slant=rng.uniform(-10, 10))
        if not strokes:
            continue
        x0, y0, x1, y1 = pen.bounds(strokes)
        tall = rng.uniform(50, 90)
        scale = tall / max(y1 - y0, 1e-3)
        top = 100.0 + rng.uniform(-0.1, 0.1) * tall
        drawn += [((s - [x0, y0]) * scale + [left, top]).astype(np.float32) for s in strokes]
        left += (x1 - x0) * scale + rng.uniform(0.1, 0.5) * tall
    return drawn


def traced_numbers(read, count, lengths=(2, 3)) -> dict:
    """{length: share of `count` traced numbers (traced_number) read exactly by strokes}, and the misreads."""
    from training import mnist

    x, y = mnist.load("test")
    rng = np.random.default_rng(NUMBER_SEED)
    shares, wrong = {}, []
    for length in lengths:
        right = 0
        for _ in range(count):
            indices = rng.integers(0, len(x), size=length)
            truth = "".join(str(int(d)) for d in y[indices])
            shown, _ = read_expression(traced_number(x[indices], rng), read)
            right += bool(shown) and shown.reading == truth
            if not (shown and shown.reading == truth) and len(wrong) < 12:
                wrong.append("%s→%s" % (truth, shown.reading if shown else ""))
        shares[length] = right / count
    return shares, wrong


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, default=ROOT / "weights")
    parser.add_argument("--show", type=int, default=12, help="misread expressions to print")
    parser.add_argument("--numbers", type=int, default=0, help="traced MNIST numbers of each length (0: none)")
    args = parser.parse_args(argv)
    models = [net.Remembering(net.load(str(args.weights / name))) for name in ("cnn.npz", "mlp.npz")]
    read = net.reader(models)
    rows = load("validation")
    right = total = 0
    for row in alphabet_only(rows):
        got, count = grouped_right(row, grouping.symbols(row["strokes"], read))
        right += got
        total += count
    print("== validation writers (%d groups), each expression drawn in its own stroke order"
          % len({r["group"] for r in rows}))
    print("   strokes grouped exactly into symbols: %.2f %% of %d symbols in %d expressions of the app's symbols "
          "(floor 99 %%)" % (100 * right / max(total, 1), total, len(alphabet_only(rows))))
    sums = arithmetic(rows)
    exact = solved = 0
    seconds, last, wrong = [], [], []
    for truth, strokes in sums:
        for model in models:  # a fresh page: nothing remembered
            model.seen.clear()
        grouping._memory.clear()
        start = time.perf_counter()
        shown, _ = read_expression(strokes, read)
        reading = shown.reading if shown else ""
        got = calc.solve(reading)
        seconds.append(time.perf_counter() - start)
        expected = calc.solve(truth)
        exact += reading == truth
        solved += (got.value, got.error) == (expected.value, expected.error)
        read_expression(strokes[:-1], read)  # the page a stroke earlier: its reads remembered
        start = time.perf_counter()
        shown, _ = read_expression(strokes, read)
        calc.solve(shown.reading if shown else "")
        last.append(time.perf_counter() - start)
        if reading != truth and len(wrong) < args.show:
            wrong.append("%s→%s" % (truth, reading))
    print("   real arithmetic expressions (cut after the first =, <= %d symbols): %d; read exactly %.1f %%, "
          "solved right %.1f %% (floors 95 %%)" % (MAX_SYMBOLS, len(sums), 100 * exact / max(len(sums), 1),
                                                  100 * solved / max(len(sums), 1)))
    print("   misread (written→read): " + ", ".join(wrong))
    print("   CPython pointer-up -> result (grouping, both nets, grammar, solver; nothing remembered): "
          "median %.1f ms, slowest %.1f ms" % (1000 * statistics.median(seconds), 1000 * max(seconds)))
    print("   ... the last stroke, the earlier ones read before (as the page draws): median %.1f ms, slowest %.1f ms"
          % (1000 * statistics.median(last), 1000 * max(last)))
    if args.numbers:
        shares, wrong = traced_numbers(read, args.numbers)
        print("== MNIST test digits traced into pen strokes, written as numbers and read by strokes (%d of each length)"
              % args.numbers)
        print("   read exactly: " + ", ".join("%d digits %.1f %%" % (n, 100 * v) for n, v in shares.items())
              + " (a diagnostic)")
        print("   misread (written→read): " + ", ".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
