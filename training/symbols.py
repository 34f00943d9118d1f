"""Symbols as people draw them on the pad, labelled: the training data MNIST lacks, and the test generator.

    LABELS                        the nets' outputs: digits, + - × ÷ = ( ), then "not one symbol"
    operator(label, rng, ranges)  pen strokes of an operator, with wide variation (see TRAIN / TEST)
    style(name, rng, ranges)      pen strokes of a digit in a style MNIST lacks (STYLES)
    drawn(kind, count, seed, ranges, x, y)
                                  (count, 28, 28) float32 inputs as the page makes them (pad pen ->
                                  preprocess.to_mnist) and their labels, for kind "traced" (MNIST digits x
                                  traced into strokes), "styles" or "operators"
    dataset(seed, ...)            all three kinds for training (the digits traced twice), cached under
                                  .cache/symbols/ with a sha256

Two sets of ranges: TRAIN for training, TEST for the benchmark and tests: wider, so that a symbol is read
right when drawn beyond what training saw. Strokes are lists of (K, 2) arrays of (x, y), y down (training/pen.py).
"""
from __future__ import annotations

import hashlib
from multiprocessing import Pool
from pathlib import Path

import numpy as np

import preprocess  # py/, on sys.path through the training package
from training import pen

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "symbols"
OPERATORS = ("+", "-", "×", "÷", "=", "(", ")")
LABELS = tuple("0123456789") + OPERATORS + ("not one symbol",)
INDEX = {label: i for i, label in enumerate(LABELS)}
REJECT = len(LABELS) - 1

# Ranges of the hand's variation; TEST is wider everywhere.
TRAIN = dict(tilt=12.0, cross_tilt=15.0, cross_at=0.25, length_ratio=(0.7, 1.4), gap=(0.17, 0.6),
             roundness=(0.08, 0.35), dot_offset=(0.25, 0.6), wobble=0.04, slant=30.0, size=(0.3, 0.9),
             hands=0.4, hand_wobble=3.0, op_size=(0.12, 0.9))
TEST = dict(tilt=16.0, cross_tilt=20.0, cross_at=0.3, length_ratio=(0.6, 1.6), gap=(0.15, 0.7),
            roundness=(0.07, 0.4), dot_offset=(0.2, 0.7), wobble=0.06, slant=35.0, size=(0.25, 0.95),
            hands=0.25, hand_wobble=2.5, op_size=(0.1, 0.95))
# hands: the share of traced digits held in one of HANDS; hand_wobble: the wobbly hand's wobble, x wobble
# (TEST's wobbly hand, 0.15 of the height, still shakes more than TRAIN's 0.12). op_size: an operator's height
# as a share of the pad, log-uniform: half of them small, as in a written sum, where a 30 px "+" has a 14-20 px
# pen (the pen is then half its height: a blob unless the net has seen such).
RETRACED_HANDS = 0.5  # the share of HANDS in the second tracing of the training digits (see `dataset`)
STYLES_COUNT, OPERATORS_COUNT = 20_000, 42_000  # `dataset`'s drawings of STYLES and operators, for 60,000 digits


def _line(a, b, n=8):
    return np.linspace(a, b, n).astype(np.float32)


def _rotate(points, degrees, centre=(0.0, 0.0)):
    angle = np.radians(degrees)
    matrix = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    return (points - centre) @ matrix.T + centre


def _bar(rng, r, length=1.0, y=0.0, x=0.0):
    """A near-horizontal stroke centred at (x, y), drawn left to right."""
    half = length / 2
    return _rotate(_line((x - half, y), (x + half, y)), rng.uniform(-r["tilt"], r["tilt"]) / 2, (x, y))


def _dot(rng, r, at):
    """The dot of ÷: a tap (one point), or a short dash."""
    if rng.random() < 0.5:
        return np.array([at], np.float32)
    half = rng.uniform(0.02, 0.1)
    return _line((at[0] - half, at[1]), (at[0] + half, at[1]), 3)


def operator(label, rng, r=TRAIN):
    """Pen strokes of one operator, in a unit-ish box (the renderer scales them)."""
    tilt = rng.uniform(-r["tilt"], r["tilt"])
    if label == "-":
        strokes = [_bar(rng, r)]
    elif label == "=":
        gap = rng.uniform(*r["gap"])
        strokes = [_bar(rng, r, 1.0, 0.0, 0.0), _bar(rng, r, rng.uniform(*r["length_ratio"]) ** 0.5, gap,
                                                       rng.uniform(-0.15, 0.15))]
    elif label == "÷":
        up, down = rng.uniform(*r["dot_offset"]), rng.uniform(*r["dot_offset"])
        strokes = [_bar(rng, r), _dot(rng, r, (rng.uniform(-0.1, 0.1), -up)),
                   _dot(rng, r, (rng.uniform(-0.1, 0.1), down))]
    elif label in ("+", "×"):
        ratio = rng.uniform(*r["length_ratio"])
        a, b = rng.uniform(-r["cross_at"], r["cross_at"], size=2)
        horizontal = _line((-0.5 + a * 0.5, 0.0), (0.5 + a * 0.5, 0.0))
        vertical = _line((0.0, (-0.5 + b * 0.5) * ratio), (0.0, (0.5 + b * 0.5) * ratio))
        base = 45.0 if label == "×" else 0.0
        spread = r["cross_tilt"]
        strokes = [_rotate(horizontal, base + rng.uniform(-spread, spread)),
                   _rotate(vertical, base + rng.uniform(-spread, spread))]
        tilt = 0.0
    elif label in ("(", ")"):
        roundness = rng.uniform(*r["roundness"])  # the arc's bulge, as a share of its height
        t = np.linspace(-1.0, 1.0, 12)
        bulge = roundness * (1 - t ** 2) * (1 if label == ")" else -1)
        ends = rng.uniform(-0.05, 0.05, size=2)  # the two ends need not line up
        x = bulge + np.where(t < 0, ends[0], ends[1]) * np.abs(t)
        strokes = [np.stack([x, t / 2], axis=1).astype(np.float32)]
    else:
        raise ValueError("not an operator: %r" % label)
    if rng.random() < 0.5 and len(strokes) > 1:
        strokes = strokes[::-1]  # stroke order varies; the image does not care, the pad's Undo does
    return [_rotate(s, tilt) for s in strokes]


# Digits in styles MNIST has few of, as strokes in a unit box (x in [0, 0.6], y in [0, 1], y down).
# Each point is jittered by JITTER; slant, pen and wobble vary on top (see `style`).
JITTER = 0.04
STYLES = {
    "1 with a long flag": ("1", [[(0.0, 0.32), (0.42, 0.0), (0.42, 1.0)]]),
    "1 with a flag and foot": ("1", [[(0.08, 0.25), (0.36, 0.0), (0.36, 1.0)], [(0.08, 1.0), (0.64, 1.0)]]),
    "7 with a crossbar": ("7", [[(0.0, 0.05), (0.6, 0.0), (0.22, 1.0)], [(0.12, 0.52), (0.55, 0.5)]]),
    "7 with a bent stem": ("7", [[(0.0, 0.0), (0.6, 0.0), (0.4, 0.4), (0.32, 1.0)]]),
    "4 with an open top": ("4", [[(0.22, 0.0), (0.0, 0.62), (0.6, 0.62)], [(0.45, 0.05), (0.45, 1.0)]]),
    "4 with a closed top": ("4", [[(0.45, 1.0), (0.45, 0.0), (0.0, 0.65), (0.6, 0.65)]]),
    "9 with a straight stem": ("9", [[(0.55, 0.3), (0.3, 0.42), (0.05, 0.3), (0.08, 0.05), (0.3, 0.0),
                                      (0.55, 0.1), (0.55, 0.3), (0.55, 1.0)]]),
    "2 with a loop": ("2", [[(0.0, 0.2), (0.15, 0.03), (0.35, 0.0), (0.55, 0.12), (0.55, 0.35), (0.08, 0.9),
                             (0.05, 1.0), (0.2, 0.88), (0.3, 0.95), (0.6, 1.0)]]),
    "3 with a flat top": ("3", [[(0.0, 0.0), (0.58, 0.0), (0.22, 0.4), (0.5, 0.48), (0.6, 0.72), (0.5, 0.93),
                                 (0.28, 1.0), (0.0, 0.9)]]),
    "6 with a straight back": ("6", [[(0.45, 0.0), (0.08, 0.55), (0.05, 0.85), (0.28, 1.0), (0.52, 0.88),
                                      (0.52, 0.62), (0.3, 0.5), (0.06, 0.62)]]),
}
# Ways of holding the pen, applied to traced MNIST digits: name -> (slant, pen px, wobble) choices.
HANDS = ("slanted", "very thick", "very thin", "wobbly")


def style(name, rng, r=TRAIN):
    """(label, strokes) of a digit in one of STYLES, jittered and slanted a little."""
    label, template = STYLES[name]
    strokes = [np.array(s, np.float32) + rng.normal(0, JITTER, size=(len(s), 2)).astype(np.float32)
               for s in template]
    slant = rng.uniform(-r["slant"], r["slant"]) * 0.5
    return label, pen.warp(strokes, rng, slant=slant, aspect=rng.uniform(0.8, 1.25), wobble=r["wobble"])


def hand(name, rng, r=TRAIN):
    """Drawing settings (warp kwargs, pen px, height range) of one of HANDS."""
    warp = dict(slant=rng.uniform(-r["slant"] / 3, r["slant"] / 3), wobble=r["wobble"] / 2)
    pen_px, height = pen.PEN, r["size"]
    if name == "slanted":
        warp["slant"] = rng.choice([-1, 1]) * rng.uniform(r["slant"] * 0.6, r["slant"])
    elif name == "very thick":  # a digit drawn small with the pad's pen, or a marker
        pen_px, height = rng.uniform(26, 40), (0.3, 0.6)
    elif name == "very thin":
        pen_px = rng.uniform(5, 10)
    elif name == "wobbly":
        warp["wobble"] = r["wobble"] * r["hand_wobble"]
    return warp, pen_px, height


def operator_ink(label, rng, r=TRAIN, pen_px=None):
    """An operator drawn on the pad: (CANVAS, CANVAS) float32 ink, its height log-uniform in r["op_size"];
    pen_px: the pen's width (default pen.PEN)."""
    strokes = pen.warp(operator(label, rng, r), rng, wobble=r["wobble"])
    size = float(np.exp(rng.uniform(*np.log(r["op_size"]))))
    return pen.render(strokes, rng, height=(size, size), pen=pen.PEN if pen_px is None else pen_px)


def _one(kind, rng, r, x=None, y=None, index=0):
    """(28, 28) input and label of one drawing of `kind`, or (None, label) when nothing is left."""
    if kind == "operators":
        label = OPERATORS[index % len(OPERATORS)]
        ink = operator_ink(label, rng, r)
    elif kind == "styles":
        label, strokes = style(sorted(STYLES)[index % len(STYLES)], rng, r)
        ink = pen.render(strokes, rng, height=r["size"])
    else:  # traced MNIST digits, a share r["hands"] of them held in one of HANDS
        label = str(int(y[index]))
        warp, pen_px, height = hand(HANDS[index % len(HANDS)], rng, r) if rng.random() < r["hands"] else (
            dict(slant=rng.uniform(-10, 10), wobble=r["wobble"] / 2), pen.PEN, r["size"])
        ink = pen.render(pen.warp(pen.trace(x[index]), rng, **warp), rng, height=height, pen=pen_px)
    return preprocess.to_mnist(ink), INDEX[label]


def _chunk(task):
    kind, start, count, seed, r, x, y = task
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for i in range(start, start + count):
        image, label = _one(kind, rng, r, x, y, i)
        if image is not None:
            images.append(image)
            labels.append(label)
    return images, labels


def drawn(kind, count, seed, r=TRAIN, x=None, y=None, workers=2, chunk=1000):
    """`count` drawings of `kind` ("traced": x[i] for i < count, "styles", "operators"), as the page would read
    them -> (M, 28, 28) float32 in [0, 1] (ink = 1), (M,) int64 indices into LABELS."""
    # A chunk of digits x gets its own slice of them (indices from 0); the others index their kind's cycle.
    tasks = [(kind, 0, min(chunk, count - start), seed * 1_000_003 + start, r, x[start:start + chunk],
              y[start:start + chunk]) if x is not None else
             (kind, start, min(chunk, count - start), seed * 1_000_003 + start, r, None, None)
             for start in range(0, count, chunk)]
    return pooled(_chunk, tasks, workers)


def pooled(function, tasks, workers):
    """function(task) -> (list of (28, 28) images, list of labels) over tasks, in `workers` processes ->
    (N, 28, 28) float32 and (N,) int64, in the tasks' order."""
    if workers > 1 and len(tasks) > 1:
        with Pool(workers) as pool:
            results = pool.map(function, tasks)
    else:
        results = [function(task) for task in tasks]
    images = np.array([i for chunk_images, _ in results for i in chunk_images], np.float32).reshape(-1, 28, 28)
    return images, np.array([t for _, chunk_labels in results for t in chunk_labels], np.int64)


def _key(*parts):
    digest = hashlib.sha256(repr(parts).encode())
    for path in (ROOT / "py" / "preprocess.py", ROOT / "training" / "pen.py", Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def dataset(seed, x, y, styles=STYLES_COUNT, operators=OPERATORS_COUNT, retraced=True, cache=True):
    """Training drawings: every MNIST digit of x traced and drawn once (and, if `retraced`, once more with
    another seed, RETRACED_HANDS of them in one of HANDS: the hands are the hardest to read), `styles` digits in
    STYLES, `operators` operators. Returns (N, 28, 28) float32, (N,) int64 and a description for the manifest."""
    path = CACHE / ("%s.npz" % _key(seed, len(x), styles, operators, retraced))
    if cache and path.exists():
        with np.load(path) as saved:
            images, labels = saved["x"], saved["y"]
    else:
        parts = [drawn("traced", len(x), seed, TRAIN, x, y), drawn("styles", styles, seed + 1),
                 drawn("operators", operators, seed + 2)]
        if retraced:
            parts.append(drawn("traced", len(x), seed + 3, dict(TRAIN, hands=RETRACED_HANDS), x, y))
        images = np.concatenate([p[0] for p in parts])
        labels = np.concatenate([p[1] for p in parts])
        if cache:
            CACHE.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(path, x=images, y=labels)
    digest = hashlib.sha256(np.ascontiguousarray(images).tobytes() + np.ascontiguousarray(labels).tobytes())
    counts = np.bincount(labels, minlength=len(LABELS))
    return images, labels, {"drawings": int(len(labels)), "sha256": digest.hexdigest(), "seed": seed,
                            "retraced": bool(retraced),
                            "per_label": {LABELS[i]: int(c) for i, c in enumerate(counts) if c}}
