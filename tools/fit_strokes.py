"""Fit py/grouping.py's layout prior and weights on CROHME's *training* writers: `python tools/fit_strokes.py`.

1. The layout prior: per label, the mean and deviation of each symbol's (log height, log width, centre below the
   line's middle) in line heights (grouping.features, the line as grouping.line_of finds it from the strokes),
   over every symbol of the training writers' expressions made only of the app's symbols (one line each; a label
   too rare there, ÷, over all expressions). Printed as grouping.LAYOUT.
2. The weights (LAYOUT_WEIGHT, GAP_WEIGHT, SYMBOL_BONUS, CUT_WEIGHT): a grid, each scored by the share of symbols whose
   strokes are grouped exactly, on the training writers' expressions made only of the app's symbols, with the
   layout just fitted and the shipped nets. Validation writers (bench_strokes.is_validation) are never read.
"""
from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "py"), str(ROOT), str(ROOT / "tools")]
import bench_strokes  # noqa: E402
import grouping  # noqa: E402
import net  # noqa: E402

FEWEST = 20
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="fit the weights on at most this many expressions")
    args = parser.parse_args(argv)
    rows = bench_strokes.load(validation=False)
    print("LAYOUT = {")
    grouping.LAYOUT = fit_layout(rows)
    print("}")
    grouping.MEMORY = 10 ** 7
    models = [net.Remembering(net.load(str(ROOT / "weights" / name))) for name in ("cnn.npz", "mlp.npz")]
    read = net.reader(models)
    chosen = bench_strokes.alphabet_only(rows)
    if args.limit:
        chosen = chosen[:args.limit]
    results = []
    for weights in itertools.product((0.0, 0.3, 1.0), (0.0, 3.0), (-2.0, -1.0, 0.0, 1.0), (0.0, 2.0, 4.0, 8.0)):
        right = total = 0
        for row in chosen:
            got, count = bench_strokes.grouped_right(row, grouping.symbols(row["strokes"], read, weights))
            right += got
            total += count
        results.append((right / total, weights))
        print("  layout %.2f gap %.1f bonus %+.1f cut %.1f: %.2f %% of %d symbols" % (*weights, 100 * right / total, total),
              flush=True)
    best = max(results)
    print("best: LAYOUT_WEIGHT, GAP_WEIGHT, SYMBOL_BONUS, CUT_WEIGHT = %s (%.2f %%)" % (best[1], 100 * best[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
