"""Pieces of drawn numbers as the page's segmentation cuts them, labelled to teach the CNN what is not a digit.

To read a group of ink, `segment` (py/preprocess.py) weighs several ways: whole, cut in 2..n, piece by piece,
and asks the reader how sure it is of every piece. A net trained on MNIST alone is often sure of a piece that
is no digit: half of a wide 8 reads as a 3, a 1 touching a 4 reads as a 4. So this module renders numbers of
MNIST *training* digits as canvas drawings (training/drawings.py; wider gaps and sizes than the benchmark's),
lists every piece segment would weigh, and labels it:

    the digit it covers   its horizontal extent matches one digit's (IoU >= MATCH), and it was cut out
                          (a digit read whole is what MNIST already teaches)
    NOT_A_DIGIT (10)      it matches none (IoU < MISS): a cut-off part, or several digits as one
    (dropped)             in between: too close to call

    pieces(x, y, count, seed) -> (N, 28, 28) float32 in [0, 1] (ink = 1), (N,) int64 labels in 0..10

The result is cached under .cache/segments/, keyed by the arguments and the source of preprocess.py and
drawings.py (whose change may change the pieces); the manifest records the pieces' sha256.
"""
from __future__ import annotations

import hashlib
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "segments"
NOT_A_DIGIT = 10
MATCH = 0.85        # a piece whose extent overlaps one digit's this much (IoU) is that digit
MISS = 0.7          # one overlapping every digit less than this is not a digit
LENGTHS = (1, 2, 3, 4)
LENGTH_SHARE = (0.2, 0.3, 0.3, 0.2)
GAP = (-0.12, 0.35)  # gaps between digits, in mean digit widths (the benchmark: -0.08 to 0.35)
HEIGHT = (0.5, 0.9)  # digit heights, share of the 280 px canvas (the benchmark: 0.55 to 0.85)
CANVAS = 280
CHUNK = 500          # numbers per worker task, each with its own seed: the same result with any worker count


def _preprocess():
    sys.path.insert(0, str(ROOT / "py"))
    import preprocess
    return preprocess


def overlap(a, b) -> float:
    """Intersection over union of two horizontal extents (x0, x1)."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(inter, 0) / (max(a[1], b[1]) - min(a[0], b[0]))


def label(box, extents, labels) -> int | None:
    """A piece's label from its box (x0, y0, x1, y1) and the digits' extents: digit, NOT_A_DIGIT or None."""
    scores = [overlap((box[0], box[2]), extent) for extent in extents]
    best = int(np.argmax(scores))
    if scores[best] >= MATCH:
        return int(labels[best])
    return NOT_A_DIGIT if scores[best] < MISS else None


def number_pieces(x, y, indices, rng, gap=GAP):
    """Render the digits x[indices] as one number (gaps drawn from `gap`, in mean digit widths) and label
    every piece segment would weigh. Returns lists of (28, 28) images and labels."""
    from training import drawings

    preprocess = _preprocess()
    parts = [drawings.random_pen(x[i], rng, int(rng.uniform(*HEIGHT) * CANVAS)) for i in indices]
    ink, extents = drawings.compose(parts, rng, CANVAS, gap=gap)
    seen, images, labels = set(), [], []
    for ways in preprocess.segment_candidates(ink):
        for (cuts, _, _), reading in ways:
            for box, digit in reading:
                tag = label(box, extents, y[indices])
                if tag is None or box in seen or (tag != NOT_A_DIGIT and not cuts):
                    continue  # (a group read whole that is one digit is what MNIST already teaches)
                seen.add(box)
                images.append(digit)
                labels.append(tag)
    return images, labels


def _chunk(task):
    x, y, count, seed = task
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for _ in range(count):
        length = int(rng.choice(LENGTHS, p=LENGTH_SHARE))
        more_images, more_labels = number_pieces(x, y, rng.integers(0, len(x), size=length), rng)
        images += more_images
        labels += more_labels
    return images, labels


def _key(count, seed, n):
    digest = hashlib.sha256()
    for path in (ROOT / "py" / "preprocess.py", ROOT / "training" / "drawings.py", Path(__file__)):
        digest.update(path.read_bytes())
    return "%d-%d-%d-%s" % (count, seed, n, digest.hexdigest()[:12])


def pieces(x, y, count, seed, workers=2, cache=True):
    """Pieces of `count` numbers (1-4 digits) drawn from x (N, 28, 28) uint8 MNIST, y (N,) labels.
    Returns (M, 28, 28) float32 images and (M,) int64 labels (10 = not one digit)."""
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
    return {"pieces": int(len(labels)), "not_a_digit": int((labels == NOT_A_DIGIT).sum()),
            "pieces_sha256": digest.hexdigest()}


if __name__ == "__main__":
    import time

    from training import mnist

    xs, ys = mnist.load("train")
    started = time.time()
    images, tags = pieces(xs, ys, int(sys.argv[1]) if len(sys.argv) > 1 else 1000, 1, cache=False)
    print(describe(images, tags), np.bincount(tags, minlength=11), "%.1f s" % (time.time() - started))
