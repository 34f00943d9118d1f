"""Fit py/grouping.py's layout prior and weights on CROHME's *training* writers: `python tools/fit_strokes.py`.

1. The layout prior: per label, the mean and deviation of each symbol's (log height, log width, centre below the
   line's middle) in line heights (grouping.features, the line as grouping.line_of finds it from the strokes),
   over every symbol of the training writers' expressions made only of the app's symbols (one line each; a label
   too rare there, ÷, over all expressions). Printed as grouping.LAYOUT.
2. The weights (grouping.WEIGHTS: LAYOUT_WEIGHT, GAP_WEIGHT, SYMBOL_BONUS, CUT_WEIGHT, REJECT_WEIGHT,
   GRAMMAR_COST, APART_WEIGHT): coordinate ascent over a grid (GRID), each try scored by the share of symbols whose
   strokes are grouped exactly, with the layout just fitted and the shipped nets (each drawing read by the nets
   once: grouping.weigh, then grouping.choose per try). The score is the mean of three shares, as the issues' floors
   are three: in the training writers' expressions made only of the app's symbols, in their numbers (runs of
   digits of their one-line expressions, NUMBERS at most) and in their symbols drawn alone (LONE per label at
   most). Validation writers (crohme.is_validation) are never read.
   `--part dev --weights D` fits the weights on the dev writers only (crohme.DEV_SHARE), read by nets D trained
   without them (train.py, reject.py, calibrate.py --real-part fit): nets read the writers they trained on more
   surely than any new writer, and the weights fitted to that sureness are not the ones new writers need.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "py"), str(ROOT), str(ROOT / "tools")]
import bench_real  # noqa: E402
import bench_strokes  # noqa: E402
from training import crohme  # noqa: E402
import grouping  # noqa: E402
import net  # noqa: E402

FEWEST = 20
NUMBERS = 400  # runs of digits in the fit (a fixed sample of the training writers')
LONE = 60      # symbols alone per label in the fit (...)
SAMPLE_SEED = 0
MIN_SPREAD = (0.1, 0.1, 0.05)  # a deviation at least this (few samples of a label must not make it a spike)


def _samples(rows) -> dict:
    """{label: [features]} of the app's symbols in these expressions."""
    samples = {}
    for row in rows:
        strokes = row["strokes"]
        if not strokes:
            continue
        boxes = grouping._boxes(strokes)
        height, line = grouping.line_of(boxes)
        for symbol in row["symbols"]:
            if symbol["label"] in bench_strokes.ALPHABET:
                box = grouping._union(boxes[symbol["strokes"]])
                samples.setdefault(symbol["label"], []).append(grouping.features(box, height, line))
    return samples


def part_of(row, symbols) -> dict:
    """A drawing of only `symbols` of an expression row: their strokes in the writer's order, re-indexed."""
    used = sorted(i for symbol in symbols for i in symbol["strokes"])
    index = {i: k for k, i in enumerate(used)}
    return dict(row, strokes=[row["strokes"][i] for i in used],
                symbols=[dict(symbol, strokes=[index[i] for i in symbol["strokes"]]) for symbol in symbols])


def numbers(rows, count=NUMBERS, seed=SAMPLE_SEED) -> list[dict]:
    """Up to `count` runs of two or more adjacent digits of one-line expressions (bench_real.digit_runs, as the
    benchmark of real hands cuts them), as drawings (part_of)."""
    found = [part_of(row, run) for row in rows if crohme.is_line(row)
             for run in bench_real.digit_runs(row) if len(run) >= 2]
    rng = np.random.default_rng(seed)
    return [found[i] for i in sorted(rng.permutation(len(found))[:count])]


def lone(rows, per_label=LONE, seed=SAMPLE_SEED) -> list[dict]:
    """Up to `per_label` symbols of each of the app's labels, each drawn alone (part_of)."""
    by_label = {}
    for row in rows:
        for symbol in row["symbols"]:
            if symbol["label"] in bench_strokes.ALPHABET and symbol["strokes"]:
                by_label.setdefault(symbol["label"], []).append(part_of(row, [symbol]))
    rng = np.random.default_rng(seed)
    return [drawn[i] for _, drawn in sorted(by_label.items()) for i in sorted(rng.permutation(len(drawn))[:per_label])]


def fit_layout(rows) -> dict:
    """The layout table from the expressions made only of the app's symbols (on one line); a label with fewer
    than FEWEST of them there (÷) from all the expressions it is in."""
    on_line, anywhere = _samples(bench_strokes.alphabet_only(rows)), _samples(rows)
    layout = {}
    for label in "0123456789+-×÷=()":
        values = np.array(on_line[label] if len(on_line.get(label, ())) >= FEWEST else anywhere[label])
        layout[label] = (tuple(np.round(np.median(values, axis=0), 3).tolist()),
                         tuple(np.round(np.maximum(1.4826 * np.median(np.abs(values - np.median(values, axis=0)), axis=0),
                                                   MIN_SPREAD), 3).tolist()))
        print("    %r: (%s, %s),  # %d symbols" % (label, layout[label][0], layout[label][1], len(values)))
    return layout


GRID = (  # the values tried for each of grouping.WEIGHTS
    (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5),          # LAYOUT_WEIGHT
    (0.0, 1.0, 2.0, 3.0, 5.0),                          # GAP_WEIGHT
    (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0),  # SYMBOL_BONUS
    (0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0),         # CUT_WEIGHT
    (0.0, 0.5, 1.0, 2.0, 3.0, 5.0),                     # REJECT_WEIGHT
    (0.0, 1.0, 2.0, 4.0, 8.0, 16.0),                    # GRAMMAR_COST
    (0.0, 0.5, 1.0, 2.0, 4.0, 8.0),                     # APART_WEIGHT
    (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0),                # UNCLOSED_COST
)
NAMES = ("LAYOUT_WEIGHT", "GAP_WEIGHT", "SYMBOL_BONUS", "CUT_WEIGHT", "REJECT_WEIGHT", "GRAMMAR_COST", "APART_WEIGHT",
         "UNCLOSED_COST")
ROUNDS = 4


def share(weighed_rows, weights) -> float:
    """The share of symbols whose strokes these weights group exactly, over [(row, grouping.Weighed)]; over
    several such lists (expressions, numbers, symbols alone), the mean of their shares."""
    if weighed_rows and isinstance(weighed_rows[0], list):
        return float(np.mean([share(rows, weights) for rows in weighed_rows]))
    right = total = 0
    for row, weighed in weighed_rows:
        got, count = bench_strokes.grouped_right(row, grouping.grouped(weighed, grouping.choose(weighed, weights)))
        right += got
        total += count
    return right / total


def fit_weights(weighed_rows, start) -> tuple:
    """Coordinate ascent over GRID from `start`: each weight in turn set to its best value with the others
    held, ROUNDS times or until nothing changes. Ties keep the current value (no drift on a plateau)."""
    weights, best = list(start), share(weighed_rows, start)
    for round_ in range(ROUNDS):
        changed = False
        for k, values in enumerate(GRID):
            for value in values:
                trial = weights[:k] + [value] + weights[k + 1:]
                got = share(weighed_rows, tuple(trial))
                if got > best:
                    best, weights, changed = got, trial, True
            print("  round %d, %s = %s: %.2f %%" % (round_ + 1, NAMES[k], weights[k], 100 * best), flush=True)
        if not changed:
            break
    return tuple(weights), best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="fit the weights on at most this many expressions")
    parser.add_argument("--weights", type=Path, default=ROOT / "weights", help="the nets' folder")
    parser.add_argument("--part", choices=("train", "dev"), default="train",
                        help="the writers fitted on: all training writers, or the dev ones with nets trained "
                             "without them (train.py --real-part fit)")
    parser.add_argument("--numbers", type=int, default=NUMBERS, help="runs of digits in the fit, at most")
    parser.add_argument("--lone", type=int, default=LONE, help="symbols drawn alone per label in the fit, at most")
    args = parser.parse_args(argv)
    rows = bench_strokes.load("train")
    print("LAYOUT = {")
    grouping.LAYOUT = fit_layout(rows)  # geometry: every training writer, whichever nets read
    print("}")
    rows = rows if args.part == "train" else bench_strokes.load(args.part)
    grouping.MEMORY = 10 ** 7
    models = [net.Remembering(net.load(str(args.weights / name))) for name in ("cnn.npz", "mlp.npz")]
    read = net.reader(models)
    chosen = bench_strokes.alphabet_only(rows)
    if args.limit:
        chosen = chosen[:args.limit]
    kinds = {"expressions": chosen, "numbers": numbers(rows, args.numbers), "alone": lone(rows, args.lone)}
    weighed_rows = [[(row, grouping.weigh(row["strokes"], read)) for row in drawn] for drawn in kinds.values()]

    def each(weights):
        return ", ".join("%s %.2f %% of %d symbols" % (kind, 100 * share(w, weights), sum(len(r["symbols"]) for r in drawn))
                         for (kind, drawn), w in zip(kinds.items(), weighed_rows))

    print("shipped weights %s: %s" % (grouping.WEIGHTS, each(grouping.WEIGHTS)))
    weights, best = fit_weights(weighed_rows, grouping.WEIGHTS)
    print("best: %s = %s (mean %.2f %%: %s)" % (", ".join(NAMES), weights, 100 * best, each(weights)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
