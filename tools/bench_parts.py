"""Benchmark of the "part of a symbol" correction on real people: `python tools/bench_parts.py [--corrections 5]`.

Some people write a symbol in strokes that the page reads as several symbols (a 4 drawn as a "(" and a "|" that do
not touch: "(1", "61"). In the look-inside panel the person can tap the first piece and say "part of a symbol":
both nets learn that the piece is no symbol on its own (learn.Learner.learn with net.REJECT), and the grouping
then joins it to its neighbour.

Each validation writer group of CROHME (training/crohme.py; no net trained on them) with at least --min-symbols
symbols of ours is one person (tools/bench_learn.py's RealWriter: the same drawings, the stream then the unseen
half). The person draws the stream's symbols alone, each read as the page reads it (tools/bench_learn.py's
drawn_accuracy: strokes, grouping, both nets, grammar); each one read as more than one symbol gets the "part of a
symbol" correction on its first piece, at most --corrections times. Printed per writer who made one, and over
all of them: the unseen symbols of two strokes or more read right (what the correction is for) and all unseen
symbols read right (what it must not break), before and after, and each net's MNIST test accuracy lost.
learn.Plan is unchanged; nothing is tuned on these writers.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "py"), str(ROOT / "tools")]

import numpy as np  # noqa: E402

import bench_learn  # noqa: E402
import grouping  # noqa: E402
import learn  # noqa: E402
import net  # noqa: E402
from training import crohme, mnist  # noqa: E402


def split_pieces(models, strokes):
    """The first piece's (28, 28) image when the page reads a lone symbol's strokes as several symbols, else None."""
    found = grouping.symbols(strokes, net.reader(list(models.values())))
    return found[0].image if len(found) > 1 else None


def person(args, group, expressions, x_test, y_test, base):
    """One writer's session -> a result row, or None when no drawing of theirs was split."""
    models, replay, versions = bench_learn.load(args.weights)
    writer = bench_learn.RealWriter(group, expressions, args.seed)
    stream = [(strokes, label) for strokes, _, label in writer.parts["stream"]]
    unseen = [(strokes, label) for strokes, _, label in writer.parts["unseen"]]
    several = [(s, label) for s, label in unseen if len(s) > 1]

    def reading():
        return {"several": bench_learn.drawn_accuracy(models, *zip(*several)) if several else float("nan"),
                "all": bench_learn.drawn_accuracy(models, *zip(*unseen)) if unseen else float("nan")}

    learner = None
    made = 0
    before = None
    for strokes, label in stream:
        if made >= args.corrections:
            break
        piece = split_pieces(models, strokes)
        if piece is None:
            continue
        if learner is None:
            before = reading()
            learner = learn.Learner(models, replay, versions)
            learner.prepare()
        learner.learn(piece, net.REJECT)
        made += 1
    if not made:
        return None
    after = reading()
    adapted = bench_learn.mnist_accuracy(models, x_test, y_test)
    drops = {n: 100 * (base[n] - adapted[n]) for n in bench_learn.NETS}
    return dict(group=group, made=made, several=len(several), unseen=len(unseen), before=before, after=after,
                drops=drops)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, default=ROOT / "weights")
    parser.add_argument("--corrections", type=int, default=5, help="'part of a symbol' corrections a person makes")
    parser.add_argument("--min-symbols", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    x_test, y_test = mnist.load("test")
    x_test = x_test.astype(np.float32) / 255.0
    models, _, _ = bench_learn.load(args.weights)
    base = bench_learn.mnist_accuracy(models, x_test, y_test)
    writers = bench_learn.real_writers(crohme.load("validation"), args.min_symbols)
    print("%d validation writer groups with >= %d symbols of ours; each draws its stream alone and says \"part of a "
          "symbol\" on the first piece of each drawing read as several symbols (at most %d times)"
          % (len(writers), args.min_symbols, args.corrections))
    print("%-36s %5s  %-26s %-26s %s"
          % ("writer", "made", "unseen of 2+ strokes", "all unseen", "MNIST drop CNN / MLP"))
    rows = []
    for group, expressions in writers.items():
        row = person(args, group, expressions, x_test, y_test, base)
        if row is None:
            continue
        rows.append(row)
        print("%-36s %5d  %5.1f -> %5.1f %% of %-4d  %5.1f -> %5.1f %% of %-4d  %.2f / %.2f" % (
            group, row["made"], 100 * row["before"]["several"], 100 * row["after"]["several"], row["several"],
            100 * row["before"]["all"], 100 * row["after"]["all"], row["unseen"], row["drops"]["cnn"],
            row["drops"]["mlp"]), flush=True)
    if not rows:
        print("no writer's drawing was read as several symbols")
        return 0

    def total(key, when):
        counts = [r["several"] if key == "several" else r["unseen"] for r in rows]
        return sum(r[when][key] * n for r, n in zip(rows, counts) if n) / max(sum(counts), 1)

    print("over the %d writers who made a correction (%d in all): unseen of 2+ strokes %.1f -> %.1f %%, all unseen "
          "%.1f -> %.1f %%; MNIST drop at worst %.2f points" % (
              len(rows), sum(r["made"] for r in rows), 100 * total("several", "before"),
              100 * total("several", "after"), 100 * total("all", "before"), 100 * total("all", "after"),
              max(max(r["drops"].values()) for r in rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
