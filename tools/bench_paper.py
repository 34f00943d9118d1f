"""Benchmark of "Write it as on paper" (issue 30) on real CROHME writers: scratch-out and layout.

    .venv/bin/python tools/bench_paper.py [--data training/data/crohme/expressions.jsonl.gz] [--fit] [--seed 0]

Validation writers: a `group` is one iff int(sha256(group), 16) % 5 == 0; thresholds are fitted (--fit) on the
other groups only, and the figures that count are printed for the validation ones.

Scratch-out (py/scratchout.py):
- never on real symbols: every real symbol of the data, alone, its strokes drawn in writing order: does any
  stroke scratch out the ones before it (find), and is any stroke zigzag-shaped at all (is_zigzag)?
- nor inside real expressions (each stroke after the ones before it, in writing order);
- synthetic zigzags (random reversals, slant, overshoot, rounded turns, jitter, pointer-like spacing) drawn over
  real expressions: over one symbol, over two side by side, over one digit of a number; right when `find`
  names exactly the covered symbols' strokes and the zigzag.
Layout (py/layout.py), when present: decimal points and raised exponents of real expressions.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "py"))
sys.path.insert(0, str(ROOT))

import scratchout  # noqa: E402
from training import crohme  # noqa: E402

DATA = ROOT / "training" / "data" / "crohme" / "expressions.jsonl.gz"  # vendored from ../shared/data/crohme
ALPHABET = set("0123456789+-×÷=()")


is_validation = crohme.is_validation  # the writer split every figure of real hands uses


def load(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def symbols_in_order(expression):
    """[(label, [stroke indices], box)] sorted left to right by their box's left edge."""
    found = []
    for symbol in expression["symbols"]:
        points = np.concatenate([np.asarray(expression["strokes"][i], float).reshape(-1, 2)
                                 for i in symbol["strokes"]])
        found.append((symbol["label"], symbol["strokes"], scratchout.box(points)))
    return sorted(found, key=lambda item: (item[2][0] + item[2][2]) / 2)


# --- Real symbols and expressions: scratch-out must never fire ---------------------------------------------

def false_fires(expressions, whole=True, **params):
    """(symbols, fired symbols by label, zigzag-shaped strokes by label, strokes, expression strokes fired)."""
    fired, shaped, count, strokes_seen = Counter(), Counter(), Counter(), 0
    in_expressions = 0
    for e in expressions:
        strokes = e["strokes"]
        for symbol in e["symbols"]:
            own = [strokes[i] for i in symbol["strokes"]]
            count[symbol["label"]] += 1
            strokes_seen += len(own)
            zig = {k: v for k, v in params.items() if k in ("min_turns", "angle", "axis")}
            if any(scratchout.is_zigzag(s, **zig) for s in own):
                shaped[symbol["label"]] += 1
            if any(scratchout.find(own[:k + 1], **params) for k in range(1, len(own))):
                fired[symbol["label"]] += 1
        for k in range(1, len(strokes) if whole else 0):
            if scratchout.find(strokes[:k + 1], **params):
                in_expressions += 1
    return count, fired, shaped, strokes_seen, in_expressions


# --- Synthetic zigzags over real symbols ---------------------------------------------------------------------

def zigzag(target, rng, height):
    """A scribble over the box `target` (x0, y0, x1, y1): back and forth 4-9 times across it, moving along the
    other side; slanted, overshooting or falling short a little, rounded turns, hand jitter, a point every
    ~1.5 % of a symbol's height (as pointer events come)."""
    x0, y0, x1, y1 = target
    least = 0.35 * height  # one scribbles wider than a thin 1 or a flat minus
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = max(x1 - x0, least), max(y1 - y0, least)
    across_x = rng.random() < 0.6  # strokes across (left-right), moving down; else up-down, moving right
    over = rng.uniform(-0.05, 0.2, size=2)
    w, h = w * (1 + over[0]), h * (1 + over[1])
    leg, advance = (w, h) if across_x else (h, w)
    # dense as scribbles are: each leg moves on by 10-45 % of its length, and there are 4 legs at least
    reversals = max(4, int(math.ceil(advance / (leg * rng.uniform(0.1, 0.45)))))
    corners = []
    for k in range(reversals + 1):
        t = k / reversals
        side = (k % 2) * 2 - 1
        if across_x:
            corners.append((cx + side * w / 2 * rng.uniform(0.85, 1.05), cy - h / 2 + t * h))
        else:
            corners.append((cx - w / 2 + t * w, cy + side * h / 2 * rng.uniform(0.85, 1.05)))
    corners = np.asarray(corners)
    # rounded turns: a quadratic corner cut of up to 20 % of each leg
    cut = rng.uniform(0.0, 0.2)
    path = [corners[0]]
    for a, b, c in zip(corners, corners[1:], corners[2:]):
        p, q = b + (a - b) * cut, b + (c - b) * cut
        for t in np.linspace(0, 1, 5):
            path.append((1 - t) ** 2 * p + 2 * (1 - t) * t * b + t ** 2 * q)
    path.append(corners[-1])
    path = np.asarray(path)
    angle = math.radians(rng.uniform(-20, 20))
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    path = (path - (cx, cy)) @ rotation.T + (cx, cy)
    dense = scratchout.resample(path, max(8, int(np.hypot(*np.diff(path, axis=0).T).sum() / (0.015 * height))))
    dense += rng.normal(0, 0.01 * height, dense.shape)
    return np.round(dense).tolist()


def clear_of_others(expression, ordered, chosen, box, height=100.0):
    """True when no other symbol's box reaches into the area a zigzag over `box` would cover (the target's box,
    at least 0.35 of a symbol's height each side, grown by the most a zigzag overshoots) by more than a tenth
    of that symbol's box: in a two-dimensional formula (a fraction's bar over a digit, an index under it) or a
    tight line, a scribble over one symbol covers others too, and what it meant is unclear. The page writes one
    line."""
    x0, y0, x1, y1 = box
    least = 0.35 * height
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = max(x1 - x0, least) * 1.25, max(y1 - y0, least) * 1.25
    zone = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    for label, strokes, other in ordered:
        if set(strokes) & set(chosen):
            continue
        floor = 0.1 * max(other[2] - other[0], other[3] - other[1], 1.0)
        ow, oh = max(other[2] - other[0], floor), max(other[3] - other[1], floor)
        ix = max(0.0, min(zone[2], other[2] + (ow - (other[2] - other[0])) / 2) -
                 max(zone[0], other[0] - (ow - (other[2] - other[0])) / 2))
        iy = max(0.0, min(zone[3], other[3] + (oh - (other[3] - other[1])) / 2) -
                 max(zone[1], other[1] - (oh - (other[3] - other[1])) / 2))
        if ix * iy > 0.1 * ow * oh:
            return False
    return True


def targets(expression, rng):
    """[(kind, [stroke indices], box)]: one symbol of the page's alphabet, two side by side, one digit of a
    number of 2+ digits; only where a scribble over them would cover nothing else (clear_of_others)."""
    everything = [s for s in symbols_in_order(expression) if s[1]]
    ordered = [s for s in everything if s[0] in ALPHABET]  # what the page reads: digits, operators, brackets
    found = []
    if ordered:
        one = ordered[int(rng.integers(len(ordered)))]
        found.append(("one symbol", one[1], one[2]))
    if len(ordered) >= 2:
        k = int(rng.integers(len(ordered) - 1))
        a, b = ordered[k], ordered[k + 1]
        # side by side on one line: at most half a symbol's height apart, their heights overlapping
        apart = b[2][0] - a[2][2]
        overlap = min(a[2][3], b[2][3]) - max(a[2][1], b[2][1])
        if apart <= 50 and overlap > 0:
            found.append(("two symbols", a[1] + b[1], _union(a[2], b[2])))
    runs = [list(g) for digit, g in itertools.groupby(ordered, key=lambda s: s[0] in "0123456789") if digit]
    runs = [r for r in runs if len(r) >= 2]
    if runs:
        run = runs[int(rng.integers(len(runs)))]
        d = run[int(rng.integers(len(run)))]
        found.append(("part of a number", d[1], d[2]))
    return [(kind, strokes, box) for kind, strokes, box in found
            if clear_of_others(expression, everything, strokes, box)]


def _union(a, b):
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def synthetic(expressions, seed, **params):
    """{kind: (right, total)} and the misses' examples: zigzags over real symbols of `expressions`."""
    rng = np.random.default_rng(seed)
    results = defaultdict(lambda: [0, 0])
    misses = []
    empty = [0, 0]
    for e in expressions:
        strokes = e["strokes"]
        for kind, indices, target in targets(e, rng):
            z = zigzag(target, rng, 100.0)
            found = scratchout.find(strokes + [z], **params)
            right = sorted(found) == sorted(indices + [len(strokes)])
            results[kind][0] += right
            results[kind][1] += 1
            if not right and len(misses) < 12:
                misses.append((e["id"], kind, sorted(indices), found))
        z = zigzag((0, 0, 100, 100), rng, 100.0)  # over an empty pad: just ink
        empty[0] += not scratchout.find([z], **params)
        empty[1] += 1
    return dict(results), empty, misses


def report(title, expressions, seed, params):
    count, fired, shaped, strokes_seen, in_expressions = false_fires(expressions, **params)
    print("\n## %s: %d expressions, %d symbols, %d strokes" % (title, len(expressions), sum(count.values()),
                                                              strokes_seen))
    alphabet = sum(v for k, v in count.items() if k in ALPHABET)
    print("real symbols of the alphabet scratched out: %d of %d" % (
        sum(v for k, v in fired.items() if k in ALPHABET), alphabet))
    print("real symbols of any label scratched out: %d of %d %s" % (
        sum(fired.values()), sum(count.values()), dict(fired.most_common(8))))
    print("real strokes zigzag-shaped (nothing under them checked): alphabet %d, any %d %s" % (
        sum(v for k, v in shaped.items() if k in ALPHABET), sum(shaped.values()), dict(shaped.most_common(8))))
    print("strokes of real expressions that scratch out earlier ones: %d" % in_expressions)
    results, empty, misses = synthetic(expressions, seed, **params)
    total = [sum(r[0] for r in results.values()), sum(r[1] for r in results.values())]
    for kind, (right, n) in sorted(results.items()):
        print("synthetic zigzag over %-16s %5d / %5d = %.2f %%" % (kind, right, n, 100 * right / n))
    print("synthetic zigzags, all kinds:            %5d / %5d = %.2f %%" % (total[0], total[1],
                                                                            100 * total[0] / total[1]))
    print("zigzag over an empty pad left as ink:    %5d / %5d" % tuple(empty))
    for miss in misses[:6]:
        print("  miss:", miss)
    return total[0] / total[1], sum(v for k, v in fired.items() if k in ALPHABET)


def fit(expressions, seed):
    """The grid of thresholds on the fit writers: the best share right with no real symbol scratched out."""
    best = None
    for angle, inside, margin, axis in itertools.product((110, 125), (0.5, 0.6, 0.7), (0.05, 0.08, 0.11),
                                                         (0.55, 0.6)):
        params = dict(angle=angle, inside=inside, margin=margin, axis=axis)
        _, fired, _, _, _ = false_fires(expressions[::4], whole=False, **params)
        results, _, _ = synthetic(expressions[::4], seed, **params)
        right = sum(r[0] for r in results.values()) / sum(r[1] for r in results.values())
        bad = sum(v for k, v in fired.items() if k in ALPHABET)
        print("%s: right %.2f %%, real symbols fired %d (any label: %d)" % (params, 100 * right, bad,
                                                                          sum(fired.values())), flush=True)
        key = (-bad, right)
        if best is None or key > best[0]:
            best = (key, params)
    print("best:", best)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fit", action="store_true", help="grid the thresholds on the fit writers")
    args = parser.parse_args(argv)
    expressions = load(args.data)
    validation = [e for e in expressions if is_validation(e["group"])]
    fitting = [e for e in expressions if not is_validation(e["group"])]
    print("writer groups: %d validation, %d fit" % (len({e["group"] for e in validation}),
                                                    len({e["group"] for e in fitting})))
    if args.fit:
        fit(fitting, args.seed)
        return
    params = {}
    report("fit writers", fitting, args.seed, params)
    report("validation writers", validation, args.seed + 1, params)
    try:
        import layout  # noqa: F401
    except ImportError:
        return
    from tools import bench_layout

    bench_layout.report(fitting, validation)
    bench_layout.report_sums(fitting, validation)


if __name__ == "__main__":
    main()
