"""Fit the weights of segmentation's prior (py/segment.py: ASPECT_WEIGHT, CUT_WEIGHT, SPLIT_BIAS) to the nets.

    .venv/bin/python tools/fit_segmentation.py [--numbers 1500] [--seed 7] [--weights weights]

Draws numbers of 2-4 MNIST *training* digits the way tools/bench_preprocess.py does (its test digits are never
used here), reads every way segment weighs with the page's reader (net.reader of both nets), then searches a
grid of the three weights for the most numbers read exactly right. Prints the best weights, the current ones'
score and the neighbourhood of the best, so a flat optimum can be told from a sharp one. Changing the
constants is then a manual edit, checked with tools/bench_preprocess.py.
"""
from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "py"), str(ROOT)]

import net  # noqa: E402
import segment  # noqa: E402
from tools import bench_preprocess  # noqa: E402
from training import mnist  # noqa: E402

ASPECT_WEIGHTS = np.arange(0.0, 8.01, 0.5)
CUT_WEIGHTS = np.arange(0.0, 4.01, 0.5)
SPLIT_BIASES = np.arange(-2.0, 8.01, 0.5)


def number_ways(x, y, rng, length):
    """One number drawn as the benchmark draws them: its true digits (str) and, per group of ink, the ways
    segment weighs [(shape, [(box, digit)])]."""
    indices = rng.integers(0, len(x), size=length)
    groups = segment.segment_candidates(bench_preprocess.number_drawing(x, indices, rng))
    return "".join(str(int(d)) for d in y[indices]), groups


def read_all(numbers, read):
    """Replace every way's digits by (digits read as str, sum of log top probability, left edge, the chance
    that the group read whole is not one symbol), in one batch."""
    batch = np.stack([digit for _, groups in numbers for ways in groups for _, reading in ways
                      for _, digit in reading])
    outputs = np.concatenate([read(batch[i:i + 512]) for i in range(0, len(batch), 512)])
    probabilities = outputs[:, :10]
    tops, sure = iter(probabilities.argmax(1).tolist()), iter(probabilities.max(1).tolist())
    rejected = iter(outputs[:, -1].tolist())
    out = []
    for truth, groups in numbers:
        read_groups = []
        for ways in groups:
            read_ways, whole = [], None
            for shape, reading in ways:  # the first way reads the group whole
                boxes = [box for box, _ in reading]
                digits = [next(tops) for _ in reading]
                logp = sum(np.log(max(next(sure), 1e-7)) for _ in reading)
                no = [next(rejected) for _ in reading]
                whole = no[0] if whole is None else whole
                order = np.argsort([b[0] + b[2] for b in boxes])
                read_ways.append((shape, "".join(str(digits[k]) for k in order), logp,
                                  min(b[0] + b[2] for b in boxes), whole))
            read_groups.append(read_ways)
        out.append((truth, read_groups))
    return out


def features(numbers):
    """Flat arrays over every way: number index, group index, way index, cuts, aspect, cut ink, sum of log p,
    and the group's chance of "not one symbol" read whole."""
    rows = []
    for n, (_, groups) in enumerate(numbers):
        for g, ways in enumerate(groups):
            for w, ((cuts, aspect, cut_ink), _, logp, _, whole) in enumerate(ways):
                rows.append((n, g, w, float(cuts), aspect, cut_ink, logp, whole))
    return np.array(rows)


def accuracy(numbers, table, weights):
    """Share of numbers read exactly right with weights (aspect, cut, bias); segment's own REJECT_WEIGHT and
    JUDGE_ASPECT (no split of a group this narrow) as they are."""
    aspect_w, cut_w, bias = weights
    splits = table[:, 3] > 0
    score = table[:, 3] * (aspect_w * table[:, 4] - bias) - cut_w * table[:, 5] + table[:, 6]
    score = np.where(splits, score + segment.REJECT_WEIGHT * table[:, 7], score)
    score[splits & (table[:, 4] <= segment.JUDGE_ASPECT)] = -np.inf
    best = {}
    for (n, g, w), s in zip(table[:, :3].astype(int).tolist(), score.tolist()):
        if (n, g) not in best or s > best[n, g][0]:
            best[n, g] = (s, w)
    right = 0
    for n, (truth, groups) in enumerate(numbers):
        chosen = [groups[g][best[n, g][1]] for g in range(len(groups))]
        chosen.sort(key=lambda way: way[3])
        right += "".join(way[1] for way in chosen) == truth
    return right / len(numbers)


def reachable(numbers):
    """Share of numbers for which some choice of ways reads exactly right: the most any weights can give."""
    right = 0
    for truth, groups in numbers:
        for choice in itertools.product(*groups):
            if "".join(way[1] for way in sorted(choice, key=lambda way: way[3])) == truth:
                right += 1
                break
    return right / len(numbers)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numbers", type=int, default=1500, help="numbers drawn (lengths 2, 3, 4 in turn)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--weights", default=str(ROOT / "weights"))
    args = parser.parse_args(argv)
    x, y = mnist.load("train")
    models = [net.load(str(Path(args.weights) / name)) for name in ("cnn.npz", "mlp.npz")]
    rng = np.random.default_rng(args.seed)
    numbers = read_all([number_ways(x, y, rng, 2 + k % 3) for k in range(args.numbers)], net.reader(models))
    table = features(numbers)
    current = (segment.ASPECT_WEIGHT, segment.CUT_WEIGHT, segment.SPLIT_BIAS)
    axes = (ASPECT_WEIGHTS, CUT_WEIGHTS, SPLIT_BIASES)
    scores = np.array([accuracy(numbers, table, weights) for weights in itertools.product(*axes)])
    scores = scores.reshape([len(a) for a in axes])
    # Rank by the mean over each point's 3x3x3 neighbourhood: a broad optimum, not a lucky grid point.
    padded = np.pad(scores, 1, mode="edge")
    smooth = sum(np.roll(np.roll(np.roll(padded, i, 0), j, 1), k, 2)
                 for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1))[1:-1, 1:-1, 1:-1] / 27
    order = np.argsort(-smooth, axis=None)[:15]
    print("%d numbers of 2-4 MNIST training digits, seed %d" % (args.numbers, args.seed))
    print("current  ASPECT_WEIGHT %.1f  CUT_WEIGHT %.1f  SPLIT_BIAS %.1f: %.2f %% exactly right"
          % (current + (100 * accuracy(numbers, table, current),)))
    print("no prior (reader alone): %.2f %%" % (100 * accuracy(numbers, table, (0.0, 0.0, 0.0))))
    print("reachable (some way reads right): %.2f %%" % (100 * reachable(numbers)))
    print("best of %d on the grid (by the mean of each point's neighbourhood):" % scores.size)
    for flat in order:
        index = np.unravel_index(flat, scores.shape)
        weights = tuple(float(axis[i]) for axis, i in zip(axes, index))
        print("  ASPECT_WEIGHT %.1f  CUT_WEIGHT %.1f  SPLIT_BIAS %.1f: %.2f %% (neighbourhood %.2f %%)"
              % (weights + (100 * scores[index], 100 * smooth[index])))


if __name__ == "__main__":
    main()
