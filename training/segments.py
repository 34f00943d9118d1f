"""Pieces of drawn numbers and expressions as the page's segmentation cuts them, labelled to teach the nets
what is not one symbol.

To read a group of ink, `segment` (py/segment.py) weighs several ways: whole, cut in 2..n, piece by piece,
and asks the reader how sure it is of every piece. A net trained on whole symbols is often sure of a piece that
is none: half of a wide 8 reads as a 3, a 1 touching a 4 reads as a 4, half a + reads as a -. So this module
renders numbers of MNIST *training* digits, and expressions of them with operators drawn by training/symbols.py,
as canvas drawings (wider gaps and sizes than the benchmark's), lists every piece segment would weigh, and
labels it (labels index training/symbols.LABELS):

    the symbol it covers  its horizontal extent matches one symbol's (IoU >= MATCH), and it was cut out
                          (a symbol read whole is what the main training already teaches)
    REJECT (17)           it matches none (IoU < MISS): a cut-off part, or several symbols as one
    (dropped)             in between: too close to call

    pieces(x, y, count, seed) -> (N, 28, 28) float32 in [0, 1] (ink = 1), (N,) int64 labels

The result is cached under .cache/segments/, keyed by the arguments and the source of the modules that draw and
cut (whose change may change the pieces); the manifest records the pieces' sha256.
"""
from __future__ import annotations

import hashlib
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

import segment  # py/, on sys.path through the training package

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "segments"
REJECT = 17         # training/symbols.REJECT: "not one symbol"
EXPRESSIONS = 0.5   # share of the drawn lines that are expressions (the rest: plain numbers)
MATCH = 0.85        # a piece whose extent overlaps one digit's this much (IoU) is that digit
MISS = 0.7          # one overlapping every digit less than this is not a digit
LENGTHS = (1, 2, 3, 4)
LENGTH_SHARE = (0.2, 0.3, 0.3, 0.2)
GAP = (-0.12, 0.35)  # gaps between digits, in mean digit widths (the benchmark: -0.08 to 0.35)
HEIGHT = (0.5, 0.9)  # digit heights, share of the 280 px canvas (the benchmark: 0.55 to 0.85)
CANVAS = 280
CHUNK = 250          # lines per worker task, each with its own seed: the same result with any worker count
TAUGHT_ASPECT = 0.8  # the splits of groups narrower than this are not taught: segment weighs them only when the
                     # group read whole is no symbol, and their halves (of nearly every digit) would swamp the
                     # rest (tried: 78,703 pieces, 94 % of them rejects; symbols kept 91.5 % instead of 96.8 %,
                     # MNIST test digits called not one symbol 0.97 % instead of 0.58 %)


def overlap(a, b) -> float:
    """Intersection over union of two horizontal extents (x0, x1)."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(inter, 0) / (max(a[1], b[1]) - min(a[0], b[0]))


def label(box, extents, labels) -> int | None:
    """A piece's label from its box (x0, y0, x1, y1) and the symbols' extents: the symbol's, REJECT or None."""
    scores = [overlap((box[0], box[2]), extent) for extent in extents]
    best = int(np.argmax(scores))
    if scores[best] >= MATCH:
        return int(labels[best])
    return REJECT if scores[best] < MISS else None


def number_pieces(x, y, indices, rng, gap=GAP):
    """Render the digits x[indices] as one number (gaps drawn from `gap`, in mean digit widths) and label
    every piece segment would weigh. Returns lists of (28, 28) images and labels."""
    from training import drawings

    parts = [drawings.random_pen(x[i], rng, int(rng.uniform(*HEIGHT) * CANVAS)) for i in indices]
    return line_pieces(*drawings.compose(parts, rng, CANVAS, gap=gap), y[indices])


def expression_parts(x, y, rng, length):
    """Ink arrays of a random expression of `length` symbols (numbers of MNIST digits from x, operators from
    training/symbols.py, sometimes in parentheses), all at one digit height, and their labels (LABELS indices)."""
    from training import drawings, pen, symbols

    tokens = []
    while len(tokens) < length:
        if tokens and tokens[-1] not in symbols.OPERATORS[:5]:
            tokens.append(str(rng.choice(list("+-×÷="))))
        elif rng.random() < 0.15:
            tokens += ["(", "d", ")"]
        else:
            tokens += ["d"] * int(rng.integers(1, 3))
    digit_height = rng.uniform(*HEIGHT) * CANVAS * 0.8
    parts, labels = [], []
    for token in tokens[:length]:
        if token == "d":
            i = int(rng.integers(0, len(x)))
            parts.append(drawings.random_pen(x[i], rng, int(digit_height * rng.uniform(0.9, 1.1))))
            labels.append(int(y[i]))
        else:
            size = rng.uniform(0.9, 1.15) if token in "()" else rng.uniform(0.35, 0.75)
            strokes = pen.warp(symbols.operator(token, rng), rng, wobble=symbols.TRAIN["wobble"])
            parts.append(pen.ink_of(strokes, size * digit_height, pen.PEN))
            labels.append(symbols.INDEX[token])
    return parts, labels


def line(parts, rng, height=CANVAS, margin=20, gap=GAP):
    """Ink arrays side by side on one line, centred on a common middle (± a little), like a written line;
    gaps in mean part widths. Returns the (H, W) ink array and each part's (x0, x1) extent."""
    from training import drawings

    height = max(height, max(p.shape[0] for p in parts) + 2 * margin)
    middle = height / 2 + rng.uniform(-0.1, 0.1) * height
    xs, width = drawings.side_by_side(parts, rng, margin, gap)
    out = np.zeros((height, width), dtype=np.float32)
    for x0, part in zip(xs, parts):
        y0 = int(np.clip(middle - part.shape[0] / 2 + rng.uniform(-0.08, 0.08) * part.shape[0],
                         0, height - part.shape[0]))
        region = out[y0:y0 + part.shape[0], x0:x0 + part.shape[1]]
        np.maximum(region, part, out=region)
    return out, [(x0, x0 + p.shape[1]) for x0, p in zip(xs, parts)]


def line_pieces(ink, extents, labels):
    """Every piece segment weighs in a drawn line of symbols, labelled by `label`: lists of (28, 28) images
    and labels."""
    seen, images, labels_out = set(), [], []
    for ways in segment.segment_candidates(ink):
        for (cuts, aspect, _), reading in ways:
            if cuts and aspect <= TAUGHT_ASPECT:
                continue
            for box, digit in reading:
                tag = label(box, extents, labels)
                if tag is None or box in seen or (tag != REJECT and not cuts):
                    continue  # (a group read whole that is one symbol is what the main training teaches)
                seen.add(box)
                images.append(digit)
                labels_out.append(tag)
    return images, labels_out


def _chunk(task):
    x, y, count, seed = task
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for _ in range(count):
        if rng.random() < EXPRESSIONS:
            parts, tags = expression_parts(x, y, rng, int(rng.integers(2, 8)))
            more_images, more_labels = line_pieces(*line(parts, rng), tags)
        else:
            length = int(rng.choice(LENGTHS, p=LENGTH_SHARE))
            more_images, more_labels = number_pieces(x, y, rng.integers(0, len(x), size=length), rng)
        images += more_images
        labels += more_labels
    return images, labels


def _key(count, seed, n):
    digest = hashlib.sha256()
    for name in ("py/preprocess.py", "py/segment.py", "training/drawings.py", "training/pen.py", "training/symbols.py",
                 "training/segments.py"):
        path = ROOT / name
        digest.update(path.read_bytes())
    return "%d-%d-%d-%s" % (count, seed, n, digest.hexdigest()[:12])


def pieces(x, y, count, seed, workers=2, cache=True):
    """Pieces of `count` numbers (1-4 digits) drawn from x (N, 28, 28) uint8 MNIST, y (N,) labels.
    Returns (M, 28, 28) float32 images and (M,) int64 labels (REJECT = not one symbol)."""
    path = CACHE / ("%s.npz" % _key(count, seed, len(x)))
    if cache and path.exists():
        with np.load(path) as saved:
            return saved["x"], saved["y"]
    tasks = [(x, y, min(CHUNK, count - start), seed * 1_000_003 + start) for start in range(0, count, CHUNK)]
    if workers > 1:
        with Pool(workers) as pool:
            results = pool.map(_chunk, tasks)
    else:
        results = [_chunk(task) for task in tasks]
    images = np.array([image for chunk, _ in results for image in chunk], dtype=np.float32).reshape(-1, 28, 28)
    labels = np.array([tag for _, chunk in results for tag in chunk], dtype=np.int64)
    if cache:
        CACHE.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, x=images, y=labels)
    return images, labels


def describe(images, labels) -> dict:
    """Counts and a checksum of the pieces, for the manifest and the log."""
    digest = hashlib.sha256(np.ascontiguousarray(images, dtype=np.float32).tobytes())
    digest.update(np.ascontiguousarray(labels, dtype=np.int64).tobytes())
    return {"pieces": int(len(labels)), "not_one_symbol": int((labels == REJECT).sum()),
            "pieces_sha256": digest.hexdigest()}


if __name__ == "__main__":
    import time

    from training import mnist

    xs, ys = mnist.load("train")
    started = time.time()
    images, tags = pieces(xs, ys, int(sys.argv[1]) if len(sys.argv) > 1 else 1000, 1, cache=False)
    print(describe(images, tags), np.bincount(tags, minlength=REJECT + 1), "%.1f s" % (time.time() - started))
