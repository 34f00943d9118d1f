"""Real people's pen strokes (CROHME 2014/2016 training share), drawn the way the pad draws, for training and for
the benchmark of real hands (tools/bench_real.py).

The data (training/data/crohme/expressions.jsonl.gz, vendored from ../shared/data/crohme/, its README there) is
one expression per line: its writer `group`, its symbols (label, stroke indices) and its strokes (lists of
[x, y], y down, the median symbol 100 units tall). Writers are split by group, never by expression:

    is_validation(group)         a fixed fifth of the writer groups, never trained on (figures count only there)
    load(part)                   the expressions of "train" or "validation" writers
    symbols_in_order(e)          its symbols left to right (files list them in their own order: = often last)
    cut_symbols(e)               ... up to its first =
    truth(e)                     its arithmetic as the page writes it, cut after the first =, or None
    strokes_of(e, symbol)        one symbol's strokes, (K, 2) float32 arrays
    lone_images(es, seed, ...)   every symbol drawn alone on the pad, as the page reads it -> (N, 28, 28), labels
    pad_scale(strokes, height)   px per data unit on the pad; line_ink(e, rng, ...): a whole expression drawn
                                 on the pad -> ink, each symbol's x-extent and label
    line_pieces(es, seed)        the pieces the page's segmentation weighs in real lines, labelled
    glyph_images(part)           what the page's reading by strokes (py/grouping.py) shows the nets: every
                                 symbol drawn from its strokes, and every candidate group of strokes that joins
                                 two symbols or more, or is a bent part of one (REJECT)
    symbol_images(part)          both: what the nets learn of a part's symbols

Labels index training/symbols.LABELS; "not one symbol" (REJECT) for `other:` symbols that look like none of
ours, and LOOKALIKE symbols (`x` like ×, `l` like 1, a fraction bar like -) are left out: a net cannot be
taught that an x is not a × when people write × as an x.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

import grouping  # py/, on sys.path through the training package
import preprocess
from training import pen, segments, symbols

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "training" / "data" / "crohme" / "expressions.jsonl.gz"
SOURCE_SHA256 = "281a382423d4f1f552b609247719e924c1572bdc3b6cf5b1961b49cf9532af24"
CACHE = ROOT / ".cache" / "crohme"
LICENCE = "CROHME 2014/2016 training set (R. Zanibbi et al.): Creative Commons, research and education only, no commercial use"
VALIDATION_SHARE = 5   # one writer group in 5 (by a hash of its name) is a validation writer
DEV_SHARE = 5          # of the training writers, one group in 5 (by another hash) is a "dev" writer: nets trained
                       # on the others ("fit") let the grouping's weights be fitted on writers those nets never saw
PARTS = ("train", "validation", "fit", "dev")
PAD = (420, 280)       # the pad's snapshot (width, height) in px: a 3:2 pad, its shorter side 280 (static/pad.js)
PAD_PEN = 14           # px: the pad's pen on that snapshot (1/20 of 280)
MARGIN = 10            # px kept free around a line drawn on the pad
DIGIT_HEIGHT = (40.0, 130.0)  # px: how tall the lines drawn for training write a digit (the median symbol); a
                              # line too wide for the pad is drawn smaller
LONE_HEIGHT = (40.0, 220.0)   # ... and a symbol alone
LOOKALIKE = frozenset("other:" + name for name in (
    "x", "X", "\\times", "l", "I", "|", "/", "\\prime", "o", "O", "s", "S", "z", "Z", "b", "g", "q", "t", "T", "c",
    "C", "\\frac", "-", ".", ",", "\\cdot", "\\ldots", "noisy", "[", "]", "\\{", "\\}", "\\lt", "\\gt", "\\pm",
    "\\neq", "\\div"))
LOOKS_LIKE_OURS = -1   # label of a piece matching a LOOKALIKE symbol: dropped from training
REPEATS = 2            # times each real symbol is drawn alone for training (train.py --real-repeats' default)
STRAIGHT = 0.2         # a stroke bent less than this share of its length is straight (a bar, a stick)
JITTER_SHIFT = 0.06    # with jitter: each stroke of a symbol of 2+ strokes moved by up to this share of its size,
JITTER_TURN = 8.0      # ... turned by up to this many degrees and scaled by up to JITTER_SCALE about its own
JITTER_SCALE = 0.1     # ... middle (how another writer puts a +'s bar, a 4's upright or an ='s bars)


def is_validation(group: str) -> bool:
    """The fixed validation writers: a group whose name hashes to 0 modulo VALIDATION_SHARE."""
    return int(hashlib.sha256(group.encode()).hexdigest(), 16) % VALIDATION_SHARE == 0


@lru_cache(maxsize=1)
def _all():
    data = SOURCE.read_bytes()
    if hashlib.sha256(data).hexdigest() != SOURCE_SHA256:
        raise SystemExit("%s: sha256 differs from %s (the vendored data changed)" % (SOURCE, SOURCE_SHA256))
    return tuple(json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines() if line.strip())


def is_dev(group: str) -> bool:
    """The dev writers: training writers (not is_validation) whose group hashes, salted, to 0 modulo DEV_SHARE."""
    return not is_validation(group) and int(hashlib.sha256(b"dev " + group.encode()).hexdigest(), 16) % DEV_SHARE == 0


def add_part_argument(parser):
    """--real-part for the training scripts (train, reject, calibrate): the writers they learn from, all training
    writers or the "fit" ones (every training writer but the dev ones); never the validation writers."""
    parser.add_argument("--real-part", choices=("train", "fit"), default="train",
                        help="the CROHME writers trained on: all training writers, or all but the dev ones (DEV_SHARE)")


def load(part: str = "train") -> list:
    """The expressions of a part's writers, in file order: "train" or "validation" (never trained on), or the
    training writers split again into "fit" and "dev" (see DEV_SHARE)."""
    if part not in PARTS:
        raise ValueError("part is one of %s, not %r" % (", ".join(PARTS), part))
    if part == "validation":
        return [e for e in _all() if is_validation(e["group"])]
    return [e for e in _all() if not is_validation(e["group"]) and (part == "train" or is_dev(e["group"]) == (part == "dev"))]


def strokes_of(expression, symbol) -> list:
    """A symbol's strokes: a list of (K, 2) float32 arrays of (x, y), y down, in the data's units."""
    return [np.asarray(expression["strokes"][i], np.float32).reshape(-1, 2) for i in symbol["strokes"]]


def box_of(expression, symbol):
    """(x0, y0, x1, y1) of a symbol's strokes."""
    return pen.bounds(strokes_of(expression, symbol))


def symbols_in_order(expression) -> list:
    """The symbols that have strokes, left to right by the middle of their box."""
    drawn = [s for s in expression["symbols"] if s["strokes"]]
    return sorted(drawn, key=lambda s: (lambda b: b[0] + b[2])(box_of(expression, s)))


def cut_symbols(expression) -> list:
    """Its symbols left to right, up to and with its first "=" (all when there is none)."""
    ordered = symbols_in_order(expression)
    labels = [s["label"] for s in ordered]
    return ordered[:labels.index("=") + 1] if "=" in labels else ordered


def truth(expression, longest: int = 12):
    """The expression as the page writes it, cut after its first "=" (when the truth is arithmetic), or None:
    not arithmetic, or longer than `longest` symbols once cut."""
    if not expression["arithmetic"]:
        return None
    labels = [s["label"] for s in cut_symbols(expression)]
    return "".join(labels) if 0 < len(labels) <= longest else None


def label_index(label: str) -> int:
    """A data label -> an index into symbols.LABELS, REJECT for other symbols, LOOKS_LIKE_OURS for look-alikes."""
    if label in symbols.INDEX:
        return symbols.INDEX[label]
    return LOOKS_LIKE_OURS if label in LOOKALIKE else symbols.REJECT


def _lone_symbols(expressions):
    """(strokes, tag) of each symbol lone_images draws, in its order: look-alikes and empty symbols left out."""
    for expression in expressions:
        for symbol in expression["symbols"]:
            tag = label_index(symbol["label"])
            if tag != LOOKS_LIKE_OURS and symbol["strokes"]:
                yield strokes_of(expression, symbol), tag


def drawn_alone(strokes, rng, height=LONE_HEIGHT, jitter=False):
    """One symbol's strokes drawn alone on the pad with its pen, at a size log-uniform in `height` (px for the
    median symbol of its expression), as the page reads it: (28, 28) float32, or None (no ink). jitter: each
    stroke of a symbol of two or more moved a little on its own first (jittered)."""
    # Symbols keep their size relative to the writer's digits (a small + stays small, its pen thick).
    scale = float(np.exp(rng.uniform(*np.log(height)))) / 100.0
    if jitter and len(strokes) > 1:
        strokes = jittered(strokes, rng)
    return preprocess.to_mnist(pen.ink_of(strokes, scale, PAD_PEN))


def jittered(strokes, rng) -> list:
    """A symbol's strokes ((K, 2) arrays) each moved by up to JITTER_SHIFT of the symbol's size, turned by up to
    JITTER_TURN degrees and scaled by up to JITTER_SCALE about its own middle: the same symbol as another writer
    might put its strokes together."""
    x0, y0, x1, y1 = pen.bounds(strokes)
    size = max(x1 - x0, y1 - y0, 1.0)
    moved = []
    for stroke in strokes:
        middle = (stroke.min(axis=0) + stroke.max(axis=0)) / 2
        turn = np.radians(rng.uniform(-JITTER_TURN, JITTER_TURN))
        factor = 1.0 + rng.uniform(-JITTER_SCALE, JITTER_SCALE)
        matrix = factor * np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        shift = rng.uniform(-JITTER_SHIFT, JITTER_SHIFT, size=2) * size
        moved.append(((stroke - middle) @ matrix.T + middle + shift).astype(np.float32))
    return moved


def _lone_chunk(task):
    expressions, seed, repeats, height, jitter = task
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for strokes, tag in _lone_symbols(expressions):
        for repeat in range(repeats):
            image = drawn_alone(strokes, rng, height, jitter=jitter and repeat % 2 == 1)
            if image is not None:
                images.append(image)
                labels.append(tag)
    return images, labels


def _cached(name, parts, make):
    digest = hashlib.sha256(repr(parts).encode() + SOURCE_SHA256.encode())
    for path in ("py/ink.py", "py/preprocess.py", "py/segment.py", "py/grouping.py", "training/pen.py",
                 "training/segments.py", "training/crohme.py"):
        digest.update((ROOT / path).read_bytes())
    path = CACHE / ("%s-%s.npz" % (name, digest.hexdigest()[:16]))
    if path.exists():
        with np.load(path) as saved:
            return saved["x"], saved["y"]
    x, y = make()
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, x=x, y=y)
    return x, y


def lone_images(part="train", seed=1, repeats=REPEATS, height=LONE_HEIGHT, workers=2, chunk=200, jitter=False):
    """Every symbol of `part`'s writers drawn alone on the pad `repeats` times at sizes log-uniform in `height`
    (px for the median symbol of its expression) with the pad's pen, as the page reads it: (N, 28, 28) float32
    in [0, 1] (ink = 1), (N,) int64 indices into symbols.LABELS (REJECT: a symbol that is none of ours).
    jitter: every second drawing of a symbol of 2+ strokes has its strokes jittered."""
    expressions = load(part)

    def make():
        tasks = [(expressions[i:i + chunk], seed * 1_000_003 + i, repeats, height, jitter)
                 for i in range(0, len(expressions), chunk)]
        return symbols.pooled(_lone_chunk, tasks, workers)

    return _cached("lone-%s" % part, (part, seed, repeats, height) + (("jitter",) if jitter else ()), make)


def is_line(expression, overlap=0.3) -> bool:
    """Is the expression written on one line: no two symbols sharing more than `overlap` of the narrower one's
    width (fractions, roots and powers are not), and no superscript or subscript?"""
    if any(key in expression["latex"] for key in ("^", "_", "\\frac", "\\sqrt")):
        return False
    boxes = sorted(box_of(expression, s) for s in expression["symbols"] if s["strokes"])
    for a, b in zip(boxes, boxes[1:]):
        shared = min(a[2], b[2]) - b[0]
        if shared > overlap * max(min(a[2] - a[0], b[2] - b[0]), 1.0):
            return False
    return True


def pad_scale(strokes, digit_height, pad=PAD, pen_px=PAD_PEN) -> float:
    """px per data unit of strokes drawn on the pad with their median symbol `digit_height` px tall, smaller when
    they would not fit the pad (less its MARGIN and the pen)."""
    x0, y0, x1, y1 = pen.bounds(strokes)
    return min(digit_height / 100.0, (pad[0] - 2 * MARGIN - pen_px - 2) / max(x1 - x0, 1.0),
               (pad[1] - 2 * MARGIN - pen_px - 2) / max(y1 - y0, 1.0))  # ink_of adds pen / 2 + 1 each side


def line_ink(expression, rng=None, digit_height=None, pad=PAD, pen_px=PAD_PEN, only=None, ink_pen=None):
    """An expression drawn on the pad as its writer drew it, at a digit height (px of the median symbol, drawn
    from DIGIT_HEIGHT unless given) made smaller when the line would not fit the pad's width.
    only: the symbols to draw (default: all that have strokes). ink_pen: px of the pen the ink is drawn with
    (default pen_px, the pen the line is sized for: tools/bench_real.py draws the same size with the page's pen).
    Returns (ink (H, W) float32 with H >= the pad's height, ink = 1, [(x0, x1) of each symbol in px], [its
    label], the px per data unit)."""
    chosen = only if only is not None else [s for s in expression["symbols"] if s["strokes"]]
    every = [stroke for s in chosen for stroke in strokes_of(expression, s)]
    x0 = pen.bounds(every)[0]
    if digit_height is None:
        digit_height = float(rng.uniform(*DIGIT_HEIGHT))
    scale = pad_scale(every, digit_height, pad, pen_px)
    drawn = pen_px if ink_pen is None else ink_pen
    ink = pen.ink_of(every, scale, drawn)
    margin = drawn / 2 + 1  # ink_of's own margin around the strokes
    height, width = max(pad[1], ink.shape[0] + 2 * MARGIN), max(pad[0], ink.shape[1] + 2 * MARGIN)
    top, left = (height - ink.shape[0]) // 2, MARGIN
    canvas = np.zeros((height, width), np.float32)
    canvas[top:top + ink.shape[0], left:left + ink.shape[1]] = ink
    extents, labels = [], []
    for s in chosen:
        b = box_of(expression, s)
        extents.append((left + margin + (b[0] - x0) * scale - drawn / 2, left + margin + (b[2] - x0) * scale + drawn / 2))
        labels.append(s["label"])
    return canvas, extents, labels, scale


def _pieces_chunk(task):
    expressions, seed, repeats = task
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for expression in expressions:
        for _ in range(repeats):
            ink, extents, names, _ = line_ink(expression, rng)
            more, tags = segments.line_pieces(ink, extents, [label_index(n) for n in names])
            for image, tag in zip(more, tags):
                if tag != LOOKS_LIKE_OURS:
                    images.append(image)
                    labels.append(tag)
    return images, labels


def line_pieces(part="train", seed=1, repeats=2, workers=2, chunk=100):
    """The pieces the page's segmentation weighs in `part`'s one-line expressions drawn on the pad (each
    `repeats` times at other sizes), labelled as training/segments.py labels them (a symbol cut out, or REJECT)
    -> (N, 28, 28) float32, (N,) int64. Pieces of look-alike symbols are dropped."""
    expressions = [e for e in load(part) if is_line(e)]

    def make():
        tasks = [(expressions[i:i + chunk], seed * 1_000_003 + i, repeats) for i in range(0, len(expressions), chunk)]
        return symbols.pooled(_pieces_chunk, tasks, workers)

    return _cached("pieces-%s" % part, (part, seed, repeats), make)


def is_straight(stroke, bend=STRAIGHT) -> bool:
    """Is a stroke ((K, 2) points) a straight line or a dot: no point further from the line between its ends
    than `bend` of that line's length?"""
    chord = stroke[-1] - stroke[0]
    length = float(np.hypot(*chord))
    if length < 1e-6:
        return bool(np.ptp(stroke, axis=0).max() < 1.0) if len(stroke) > 1 else True
    off = np.abs(chord[0] * (stroke[:, 1] - stroke[0, 1]) - chord[1] * (stroke[:, 0] - stroke[0, 0])) / length
    return bool(off.max() <= bend * length)


def _glyph_groups(expression):
    """(its strokes, a candidate group of them, its tag, the pen's floor) for each group glyph_images draws of one
    expression (see there), in its order."""
    strokes = [np.asarray(s, np.float32).reshape(-1, 2) for s in expression["strokes"]]
    owner = np.full(len(strokes), -1)
    tags = []
    for n, symbol in enumerate(expression["symbols"]):
        owner[symbol["strokes"]] = n
        tags.append(label_index(symbol["label"]))
    if not len(strokes) or (owner < 0).any():
        return  # strokes that belong to no symbol: the truth of a group with them is unknown
    boxes = grouping._boxes(strokes)
    height, _ = grouping.line_of(boxes)
    order = np.argsort((boxes[:, 0] + boxes[:, 2]) / 2, kind="stable")
    floor = grouping.PEN_FLOOR * height
    for i, j, _ in grouping.candidates(boxes, order, height):
        group = order[i:j]
        owners = set(owner[group].tolist())
        if len(owners) == 1:
            n = owners.pop()
            if tags[n] == LOOKS_LIKE_OURS:
                continue
            if len(group) == len(expression["symbols"][n]["strokes"]):
                tag = tags[n]  # one symbol, whole
            elif any(not is_straight(strokes[k]) for k in group):
                tag = symbols.REJECT  # a bent part of one (a 4's first stroke, a 5 without its bar)
            else:
                continue  # a straight part may be a symbol of its own: one bar of an = is a -, a +'s upright a 1
        else:
            tag = symbols.REJECT
        yield strokes, group, tag, floor


def _glyph_chunk(expressions):
    images, labels = [], []
    for expression in expressions:
        for strokes, group, tag, floor in _glyph_groups(expression):
            images.append(grouping.glyph([strokes[k] for k in group], floor))
            labels.append(tag)
    return images, labels


def glyph_images(part="train", workers=2, chunk=200):
    """What the page's reading by strokes shows the nets for `part`'s expressions (py/grouping.py's candidates,
    drawn by grouping.glyph): each symbol whole, labelled (REJECT for the others' symbols; look-alikes left out),
    and each candidate joining strokes of two symbols or more, or holding a bent part of one, REJECT (straight
    parts are left out: a bar of an = is a minus). -> (N, 28, 28) float32, (N,) int64."""
    expressions = load(part)

    def make():
        return symbols.pooled(_glyph_chunk, [expressions[i:i + chunk] for i in range(0, len(expressions), chunk)], workers)

    return _cached("glyphs-%s" % part, (part,), make)


def symbol_images(part="train", seed=1, repeats=REPEATS, jitter=False):
    """What the nets learn of `part`'s symbols: lone_images then glyph_images, (N, 28, 28) float32, (N,) int64
    (REJECT for symbols and stroke groups that are none of ours), and how many come from the glyphs."""
    x_lone, y_lone = lone_images(part, seed=seed, repeats=repeats, jitter=jitter)
    x_glyphs, y_glyphs = glyph_images(part)
    return np.concatenate([x_lone, x_glyphs]), np.concatenate([y_lone, y_glyphs]), len(y_glyphs)


def is_stick(strokes) -> bool:
    """One straight stroke (is_straight), however it is tilted."""
    return len(strokes) == 1 and is_straight(strokes[0])


def alone_a_one(y, part="train", repeats=REPEATS) -> np.ndarray:
    """(N,) bool over the rows of symbol_images(part, repeats=repeats), whose labels `y` (N,) are: a ( or )
    written as one straight stroke, which drawn alone is a 1 (issue "Read real people": brackets are judged inside
    expressions, by the layout and the grammar; alone, a straight ) is a 1). training/calibrate.py scores those
    rows as 1s."""
    brackets = (symbols.INDEX["("], symbols.INDEX[")"])
    expressions = load(part)
    lone = [(tag, tag in brackets and is_stick(strokes)) for strokes, tag in _lone_symbols(expressions)
            for _ in range(repeats)]
    glyphs = [(tag, tag in brackets and is_stick([strokes[k] for k in group]))
              for expression in expressions for strokes, group, tag, _ in _glyph_groups(expression)]
    tags = np.array([tag for tag, _ in lone + glyphs])
    if len(tags) != len(y) or (tags != y).any():
        raise SystemExit("crohme.alone_a_one: its rows do not line up with symbol_images' (a symbol not drawn?)")
    return np.array([stick for _, stick in lone + glyphs], bool)


def describe(x, y) -> dict:
    """Counts and checksums for the manifest."""
    digest = hashlib.sha256(np.ascontiguousarray(x, np.float32).tobytes() + np.ascontiguousarray(y, np.int64).tobytes())
    counts = np.bincount(y, minlength=len(symbols.LABELS))
    return {"images": int(len(y)), "sha256": digest.hexdigest(), "source": str(SOURCE.relative_to(ROOT)),
            "source_sha256": SOURCE_SHA256, "licence": LICENCE,
            "writers": "groups with int(sha256(group), 16) %% %d != 0 (validation: == 0)" % VALIDATION_SHARE,
            "per_label": {symbols.LABELS[i]: int(c) for i, c in enumerate(counts) if c}}


if __name__ == "__main__":
    import time

    started = time.time()
    x, y = lone_images("train", repeats=1)
    print("lone", describe(x, y), "%.0f s" % (time.time() - started))
    started = time.time()
    x, y = line_pieces("train", repeats=1)
    print("pieces", describe(x, y), "%.0f s" % (time.time() - started))
