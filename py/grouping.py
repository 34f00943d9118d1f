"""Read a drawing by its strokes: which strokes make each symbol, and each symbol drawn again for the nets.

    symbols(strokes, read)   strokes -> [Symbol(box, image, strokes)] left to right
    weigh(strokes, read)     ... its two steps: the candidates read by the nets (Weighed),
    choose(weighed)          ... and the best grouping under the weights (tools/fit_strokes.py tries many)

strokes: list of (K, 2) float arrays of points (x, y), y down, in pad px (the snapshot's pixels), in the order
they were drawn. read: (N, 28, 28) -> (N, S + 1), the probabilities of S symbols then of "not one symbol"
(net.reader; its `symbols` attribute names the S columns).

How: the strokes are put in order of their horizontal centres (on real sums every symbol's strokes are then
consecutive, however late a stroke was added: a +'s bar drawn after the next digit, an = finished last, the
dot of a ÷). A candidate symbol is a run of 1-MAX_STROKES strokes in that order whose strokes lie near each
other. Each candidate is drawn again from its strokes with a round pen at the nets' own scale (ink.render ->
preprocess.normalize), all are read in one batch, and dynamic programming over the strokes picks the grouping
whose symbols score best: the nets' reading of each symbol weighed with a layout prior (its height, width and
height on the line, per label: a tall ( against a 1, a - mid-line, an = of two bars), the gaps inside it, the
overlap of strokes cut apart, and the grammar (the labels must begin a valid text: "3+3--" cannot, "3+3=" can;
the DP runs over the grammar's states, calc.step). The prior is fitted on the training writers of CROHME, the weights on its dev writers (tools/fit_strokes.py). A single stroke
wide enough to hold several symbols (a cursive "12") is also read the way pixels are (segment.segment_boxes on
its ink) and split when that reads better, unless every piece reads as a 1 (a 1 with a long flag). Drawings
are remembered by their strokes' bytes (MEMORY): a new stroke draws again only the candidates it changes, and the
nets remember what they read (net.Remembering).

Pure Python + numpy + Pillow: it runs the same under CPython and in the page (Pyodide).
"""
from __future__ import annotations

import collections
import hashlib
from typing import NamedTuple

import numpy as np

import calc
import ink
import preprocess
import segment

# --- Every threshold, in one place -------------------------------------------------------------------------
MAX_STROKES = 4                       # a symbol has at most this many strokes (÷: 3, a 4 or 5 drawn in pieces)
MAX_INPUT_STROKES = 120               # bounded work: more strokes than a sum may have are read as the first ones
TALL_SHARE = 0.3                      # the line's height: the median height of strokes at least this share of
                                      # the tallest (bars and dots say nothing of it)
FLAT = 0.5                            # a drawing whose tallest stroke is lower than this share of its widest ...
BAR_WIDTH = 0.6                       # ... is bars and dots: a bar is this many line heights wide (the median
                                      # -, = of the CROHME training writers: 0.52, 0.66 digit heights)
MAX_GAP = 0.6                         # strokes of a symbol lie at most this share of the line's height apart
                                      # in x (the ÷'s dots lie over its bar, an ='s bars over each other)
MAX_WIDTH = 2.5                       # ... and a symbol is at most this many line heights wide
PEN = 0.143                           # the nets' pen: this share of the symbol's extent (MNIST's 1/8 of the
                                      # box once the pen's own width is in the box: 0.125 / 0.875)
PEN_FLOOR = 0.06                      # ... but at least this share of the line's height (a dot, a short bar)
WORK_SIDE = 80                        # px: a candidate is drawn this large, then fitted into 20x20 (anti-aliased)
CURSIVE_ASPECT = 0.9                  # a single stroke at least this wide for its height, and at least
CURSIVE_HEIGHT = 0.5                  # this share of the line's height, may be several symbols (a cursive 12)
CURSIVE_SURE = 0.9                    # ... unless the nets read it whole as one symbol this surely
CURSIVE_PEN = 0.12                    # ... its ink is drawn for segment with this pen (share of its height) ...
CURSIVE_SIDE = 120                    # ... and this tall in px
# The score of a symbol read as a label: log p(label) + LAYOUT_WEIGHT * log layout(label) - GAP_WEIGHT * (gap
# inside / line height) + SYMBOL_BONUS; a grouping also pays CUT_WEIGHT * how much the strokes on either side of
# each cut between symbols overlap in x, GRAMMAR_COST once if its labels cannot begin a valid text and UNCLOSED_COST
# once if they end with a bracket open (choose();
# all fitted by tools/fit_strokes.py --part dev: on CROHME's dev writers, read by nets trained without them, as
# the shipped nets read a new writer; the nets are surer of the writers they trained on, and weights fitted there
# split a new writer's + into - and 1).
LAYOUT_WEIGHT = 0.1
GAP_WEIGHT = 0.0
SYMBOL_BONUS = 1.5
CUT_WEIGHT = 10.0
REJECT_WEIGHT = 2.0                   # ... + REJECT_WEIGHT * log(1 - p(not one symbol)), over what p(label) has
GRAMMAR_COST = 2.0                    # ... and a reading that cannot begin a valid text pays this once
APART_WEIGHT = 0.0                    # ... - APART_WEIGHT * how far a symbol's strokes lie beside each other
UNCLOSED_COST = 0.5                   # ... and a reading that leaves a bracket open at its end pays this once
WEIGHTS = (LAYOUT_WEIGHT, GAP_WEIGHT, SYMBOL_BONUS, CUT_WEIGHT, REJECT_WEIGHT, GRAMMAR_COST, APART_WEIGHT,
           UNCLOSED_COST)
TOP_LABELS = 3                        # (the grammar weighs each candidate's best labels, nets and layout)
BEAM = 12                             # (grammar states kept per place in the strokes)
CUT_REACH = 3                         # (strokes this far on either side of a cut are compared)
NARROW = 0.15                         # (a stroke counts as at least this many line heights wide there)
FEATURE_FLOOR = 0.05                  # (features) heights and widths in line heights plus this before their log
Z_CAP = 5.0                           # a feature further than this many deviations counts as this far
# Per label, the mean and deviation of (log height, log width, centre below the line's middle), in line
# heights, on CROHME's training writers (tools/fit_strokes.py prints this table).
LAYOUT = {
    '0': ((-0.032, -0.192, 0.062), (0.182, 0.24, 0.128)),  # 54 symbols
    '1': ((0.086, -0.497, -0.002), (0.102, 0.54, 0.062)),  # 158 symbols
    '2': ((0.049, -0.186, -0.002), (0.153, 0.306, 0.063)),  # 133 symbols
    '3': ((0.049, -0.281, 0.0), (0.1, 0.214, 0.067)),  # 67 symbols
    '4': ((0.21, -0.446, 0.0), (0.208, 0.351, 0.116)),  # 44 symbols
    '5': ((0.065, -0.067, -0.006), (0.129, 0.297, 0.079)),  # 52 symbols
    '6': ((0.049, -0.446, 0.0), (0.148, 0.154, 0.082)),  # 43 symbols
    '7': ((0.139, -0.128, -0.03), (0.133, 0.34, 0.075)),  # 41 symbols
    '8': ((0.077, -0.424, -0.017), (0.1, 0.298, 0.05)),  # 49 symbols
    '9': ((0.111, -0.478, 0.0), (0.1, 0.319, 0.05)),  # 24 symbols
    '+': ((-0.309, -0.357, 0.053), (0.299, 0.322, 0.087)),  # 83 symbols
    '-': ((-2.282, -0.532, 0.147), (0.445, 0.204, 0.142)),  # 35 symbols
    '×': ((-0.248, -0.284, 0.147), (0.177, 0.359, 0.105)),  # 33 symbols
    '÷': ((0.004, 0.049, 0.131), (0.183, 0.304, 0.136)),  # 58 symbols
    '=': ((-0.855, -0.314, 0.188), (0.326, 0.367, 0.194)),  # 68 symbols
    '(': ((0.237, -1.019, -0.02), (0.314, 0.474, 0.083)),  # 2024 symbols
    ')': ((0.327, -1.034, -0.004), (0.347, 0.462, 0.086)),  # 2024 symbols
}
DEFAULT_LAYOUT = ((0.0, -0.3, 0.0), (0.6, 0.6, 0.3))
MEMORY = 512                          # candidates' images remembered across drawings
CURSIVE_MEMORY = 64                   # ... and wide strokes cut by pixels


class Symbol(NamedTuple):
    """One symbol read from strokes: box (x0, y0, x1, y1) in pad px around its points, image (28, 28)
    float32 for the nets, strokes: the indices (into the input) of the strokes it was drawn with."""
    box: tuple
    image: np.ndarray
    strokes: tuple


# --- Geometry ----------------------------------------------------------------------------------------------

def _boxes(strokes) -> np.ndarray:
    """(N, 4) float64 boxes (x0, y0, x1, y1) around each stroke's points."""
    return np.array([[p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()] for p in strokes],
                    dtype=np.float64).reshape(-1, 4)


def line_of(boxes: np.ndarray) -> tuple[float, np.ndarray]:
    """(line height, (a, b)): the median height of the tall strokes (TALL_SHARE) — or, when every stroke is flat,
    the widest one's width / BAR_WIDTH — and the line's middle y = a + b * x fitted through the tall strokes'
    centres (flat when there are fewer than three)."""
    heights = boxes[:, 3] - boxes[:, 1]
    tall = heights >= TALL_SHARE * heights.max()
    height = max(float(np.median(heights[tall])), 1.0)
    widths = boxes[:, 2] - boxes[:, 0]
    if heights.max() < FLAT * widths.max():  # only bars and dots (an = or ÷ alone): no stroke tells the line's
        height = max(height, float(widths.max()) / BAR_WIDTH)  # height; a bar is BAR_WIDTH of it wide
    cx, cy = (boxes[tall, 0] + boxes[tall, 2]) / 2, (boxes[tall, 1] + boxes[tall, 3]) / 2
    if tall.sum() >= 3 and np.ptp(cx) > height:
        slope, middle = np.polyfit(cx, cy, 1)
        slope = float(np.clip(slope, -0.3, 0.3))  # a sum written uphill or down, not a column
        middle = float(np.median(cy - slope * cx))
    else:
        slope, middle = 0.0, float(np.median(cy))
    return height, np.array([middle, slope])


def features(box, height: float, line: np.ndarray) -> np.ndarray:
    """A symbol's layout features: (log height, log width, centre below the line's middle), in line heights."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return np.array([np.log((y1 - y0) / height + FEATURE_FLOOR), np.log((x1 - x0) / height + FEATURE_FLOOR),
                     (cy - (line[0] + line[1] * cx)) / height])


def layout_logp(feature: np.ndarray, labels) -> np.ndarray:
    """(len(labels),) log density (up to a constant) of one symbol's features under each label's layout."""
    return layout_logps(feature[None, :], labels)[0]


def layout_logps(feature: np.ndarray, labels) -> np.ndarray:
    """(R, len(labels)): layout_logp of R symbols' features (R, 3)."""
    means = np.array([LAYOUT.get(label, DEFAULT_LAYOUT)[0] for label in labels])
    spreads = np.array([LAYOUT.get(label, DEFAULT_LAYOUT)[1] for label in labels])
    z = np.minimum(np.abs((feature[:, None, :] - means[None]) / spreads[None]), Z_CAP)
    return -0.5 * (z * z).sum(axis=2) - np.log(spreads).sum(axis=1)[None, :]


# --- Drawing a candidate for the nets ----------------------------------------------------------------------

_memory: collections.OrderedDict = collections.OrderedDict()


def glyph(strokes, floor: float) -> np.ndarray:
    """A symbol's strokes ((K, 2) arrays, pad px) -> (28, 28) float32 as the nets were trained on: drawn with
    a round pen PEN of its extent wide (at least `floor` px), WORK_SIDE px large, then preprocess.normalize."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = float((high - low).max())
    pen = max(PEN * extent, floor, 1e-3)
    scale = WORK_SIDE / (extent + pen)
    margin = pen / 2 + 1.0 / scale
    width, height = np.ceil((high - low + 2 * margin) * scale).astype(int) + 1
    drawn = ink.render(strokes, (int(height), int(width)), scale, low - margin, pen * scale)
    mask = drawn > ink.INK_LEVEL
    if not mask.any():
        return np.zeros((preprocess.SIZE, preprocess.SIZE), np.float32)
    return preprocess.normalize(drawn, ink.grown(mask), ink.box_of(mask))


def _remembered_glyph(strokes, floor: float) -> np.ndarray:
    """glyph(strokes, floor), remembered by the strokes' bytes and the pen it is drawn with: the floor (from the
    line's height, which a new stroke may change) only matters when it is wider than PEN of the symbol's extent,
    so a symbol large enough is drawn once whatever the line's height (and then read once: net.Remembering)."""
    digest = hashlib.blake2b(digest_size=16)
    low, high = np.full(2, np.inf), np.full(2, -np.inf)
    for points in strokes:
        digest.update(np.ascontiguousarray(points, dtype=np.float32).tobytes())
        digest.update(b"|")
        low, high = np.minimum(low, points.min(axis=0)), np.maximum(high, points.max(axis=0))
    own = PEN * float((high - low).max())  # as glyph() computes it
    key = (digest.digest(), "own") if own >= max(floor, 1e-3) else (digest.digest(), round(floor, 1))
    if key in _memory:
        _memory.move_to_end(key)
        return _memory[key]
    made = _memory[key] = glyph(strokes, floor)
    made.flags.writeable = False
    if len(_memory) > MEMORY:
        _memory.popitem(last=False)
    return made


# --- Candidates and the best grouping ----------------------------------------------------------------------

def candidates(boxes: np.ndarray, order: np.ndarray, height: float) -> list[tuple[int, int, float]]:
    """The runs order[i:j] (1 to MAX_STROKES strokes) that may be one symbol: each stroke within MAX_GAP line
    heights (in x) of the ones before it, the whole at most MAX_WIDTH wide. [(i, j, gap)]: gap is the widest
    horizontal gap inside the run in line heights (0 when the strokes overlap)."""
    found = []
    for i in range(len(order)):
        right, gap = boxes[order[i], 2], 0.0
        for j in range(i + 1, min(i + MAX_STROKES, len(order)) + 1):
            if j > i + 1:
                box = boxes[order[j - 1]]
                gap = max(gap, (box[0] - right) / height)
                right = max(right, box[2])
                if gap > MAX_GAP:
                    break
            run = boxes[order[i:j]]
            if run[:, 2].max() - run[:, 0].min() > MAX_WIDTH * height and j > i + 1:
                break
            found.append((i, j, max(gap, 0.0)))
    return found


def cut_overlaps(boxes: np.ndarray, order: np.ndarray, height: float) -> np.ndarray:
    """(N + 1,) for each place i between order[i - 1] and order[i]: the most any stroke of the CUT_REACH before
    it overlaps in x any of the CUT_REACH after it, as a share of the narrower one (each at least NARROW line
    heights wide about its centre), in [0, 1]; 0 at both ends. Strokes over each other are rarely two symbols on a line."""
    n = len(order)
    cuts = np.zeros(n + 1)
    ordered = boxes[order]
    # a narrow stroke (the upright of a +, a 1) counts as NARROW wide about its centre, in its width and its
    # overlap alike: the upright inside a +'s bar overlaps it wholly
    centres, widths = (ordered[:, 0] + ordered[:, 2]) / 2, np.maximum(ordered[:, 2] - ordered[:, 0], NARROW * height)
    x0, x1 = centres - widths / 2, centres + widths / 2
    for i in range(1, n):
        left, right = slice(max(0, i - CUT_REACH), i), slice(i, min(n, i + CUT_REACH))
        overlap = np.minimum(x1[left, None], x1[None, right]) - np.maximum(x0[left, None], x0[None, right])
        narrower = np.minimum(widths[left, None], widths[None, right])
        cuts[i] = float(np.clip(overlap / narrower, 0.0, 1.0).max())
    return cuts


def apart(boxes: np.ndarray, height: float) -> float:
    """How far the strokes of one candidate ((K, 4) boxes) lie beside each other rather than over each other, in
    [0, 1]: 1 - the least, over its strokes, of the most the stroke overlaps another in x (a share of the narrower,
    each at least NARROW line heights wide about its centre, as in cut_overlaps); 0 for one stroke. The strokes of
    a +, =, ×, ÷, a 4 or a 5 lie over each other; two neighbouring digits do not."""
    if len(boxes) < 2:
        return 0.0
    centres, widths = (boxes[:, 0] + boxes[:, 2]) / 2, np.maximum(boxes[:, 2] - boxes[:, 0], NARROW * height)
    x0, x1 = centres - widths / 2, centres + widths / 2
    overlap = np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :])
    share = np.clip(overlap / np.minimum(widths[:, None], widths[None, :]), 0.0, 1.0)
    np.fill_diagonal(share, 0.0)
    return float(1.0 - share.max(axis=1).min())


def _cursive(points, height: float, read):
    """A single stroke read as pixels (segment.segment_boxes on its ink): [(box in pad px, (28, 28))]."""
    low, high = points.min(axis=0), points.max(axis=0)
    scale = CURSIVE_SIDE / max(float(high[1] - low[1]), 1.0)
    pen = CURSIVE_PEN * CURSIVE_SIDE
    margin = pen
    width, tall = np.ceil((high - low) * scale + 2 * margin).astype(int) + 1
    drawn = ink.render([points], (int(tall), int(width)), scale, low - margin / scale, pen)
    found = segment.segment_boxes(drawn, read=read)
    return [((low[0] + (x0 - margin) / scale, low[1] + (y0 - margin) / scale,
              low[0] + (x1 - margin) / scale, low[1] + (y1 - margin) / scale), image)
            for (x0, y0, x1, y1), image in found]


class Weighed(NamedTuple):
    """What the geometry and the nets say of one drawing's candidates, before any weights (weigh -> choose).

    strokes: the input's (K, 2) float32 arrays; order: (N,) stroke indices in x order; runs: candidates()'s
    [(i, j, gap)]; groups: each run's stroke indices; boxes: each run's box (pad px); images: (R, 28, 28);
    symbols: the S labels of the nets' symbol columns as the grammar writes them (None: not one of its symbols);
    logp: (R, S) log p(label) as the nets read each run (their chance of "not one symbol" is already in it);
    fit: (R,) log(1 - p(not one symbol)); layout: (R, S) layout_logp; cuts: (N + 1,) cut_overlaps;
    splits: {r: [(box, image, label column, log p, log (1 - p(not one symbol)))]} a single wide stroke read as
    pixels (a cursive 12); apart: (R,) apart() of each run."""
    strokes: list
    order: np.ndarray
    runs: list
    groups: list
    boxes: list
    images: np.ndarray
    symbols: list
    logp: np.ndarray
    fit: np.ndarray
    layout: np.ndarray
    cuts: np.ndarray
    splits: dict
    apart: np.ndarray


def weigh(strokes, read) -> Weighed | None:
    """Strokes (list of (K, 2) arrays of (x, y), pad px, in drawing order) -> their candidates read by the nets
    (Weighed), or None when there is no ink. Every candidate is drawn (or remembered) and read in one batch."""
    strokes = [np.asarray(s, dtype=np.float32).reshape(-1, 2) for s in strokes[:MAX_INPUT_STROKES]]
    strokes = [s for s in strokes if len(s)]
    if not strokes:
        return None
    boxes = _boxes(strokes)
    height, line = line_of(boxes)
    order = np.argsort((boxes[:, 0] + boxes[:, 2]) / 2, kind="stable")
    runs = candidates(boxes, order, height)
    groups = [[int(k) for k in order[i:j]] for i, j, _ in runs]
    floor = PEN_FLOOR * height
    images = np.stack([_remembered_glyph([strokes[k] for k in group], floor) for group in groups])
    out = read(images)
    labels = getattr(read, "symbols", None) or list(LAYOUT)[:out.shape[1] - 1]
    logp = np.log(np.maximum(out[:, :-1], 1e-7))
    fit = np.log(np.maximum(1.0 - out[:, -1], 1e-7))
    run_boxes = [_union(boxes[group]) for group in groups]
    layout = layout_logps(np.array([features(box, height, line) for box in run_boxes]), labels)
    splits = {}
    for r, ((i, j, _), box) in enumerate(zip(runs, run_boxes)):
        w, h = box[2] - box[0], box[3] - box[1]
        if (j == i + 1 and h >= CURSIVE_HEIGHT * height and w >= CURSIVE_ASPECT * h
                and out[r, :-1].max() < CURSIVE_SURE):
            found = _remembered_cursive(strokes[groups[r][0]], height, read)
            split_out = read(np.stack([image for _, image in found])) if len(found) > 1 else None
            # Cut at its corners, any stroke leaves sticks: pieces that all read as 1 are one symbol (a 1 with a
            # long flag, drawn in one go), not a cursive 11 (CROHME's training writers: 3 such cuts, all wrong).
            if split_out is not None and not all(labels[int(np.argmax(p[:-1]))] == "1" for p in split_out):
                splits[r] = [(box, image, int(np.argmax(p[:-1])), float(np.log(max(p[:-1].max(), 1e-7))),
                              float(np.log(max(1.0 - p[-1], 1e-7)))) for (box, image), p in zip(found, split_out)]
    symbols = [calc.ALIASES.get(label, label) if isinstance(label, str) else None for label in labels]
    symbols = [s if s is not None and len(s) == 1 and s in calc.TEXT_SYMBOLS else None for s in symbols]
    return Weighed(strokes, order, runs, groups, run_boxes, images, symbols, logp, fit, layout,
                   cut_overlaps(boxes, order, height), splits,
                   np.array([apart(boxes[group], height) for group in groups]))


_OFF = ("off", 0)   # the grammar's state once the symbols so far cannot begin a valid text
_steps: dict = {}


def _step(state, symbol):
    """calc.step, remembered; _OFF for a symbol that cannot come there (or no symbol of the grammar)."""
    key = (state, symbol)
    if key not in _steps:
        new = calc.step(state, symbol) if symbol is not None and state != _OFF else None
        _steps[key] = _OFF if new is None else new
    return _steps[key]


def choose(weighed: Weighed, weights=None) -> list[tuple[int, int]]:
    """The best grouping of a Weighed drawing: [(run, option)] left to right; option k < TOP_LABELS is the run
    read whole with its k-th best label, option TOP_LABELS its cursive split (weighed.splits).

    A run read whole as label l scores log p(l) + LAYOUT_WEIGHT * layout(l) + REJECT_WEIGHT * log(1 - p(not one
    symbol)) - GAP_WEIGHT * gap - APART_WEIGHT * apart + SYMBOL_BONUS; a cut between two runs costs CUT_WEIGHT * its overlap, and the
    first symbol after which the labels can no longer begin a valid text (calc's grammar, from the start of a
    text or after a kept result: "3+3--" cannot, "3+3=" can) costs GRAMMAR_COST once, and a reading that ends
    with a bracket open UNCLOSED_COST once (a 4 drawn as a "(" and a "|" is rarely "(1"). Dynamic programming over
    the strokes in x order and the grammar's states (calc.step): exact but for the BEAM best states kept per
    place."""
    layout_weight, gap_weight, bonus, cut_weight, reject_weight, grammar_cost, apart_weight, unclosed_cost = \
        weights or WEIGHTS
    runs, symbols = weighed.runs, weighed.symbols
    total = weighed.logp + layout_weight * weighed.layout
    ranked = np.argsort(-total, axis=1, kind="stable")[:, :TOP_LABELS]
    options = []
    for r, (i, j, gap) in enumerate(runs):
        base = reject_weight * float(weighed.fit[r]) - gap_weight * gap - apart_weight * float(weighed.apart[r]) + bonus
        found = [(float(total[r, k]) + base, (symbols[k],)) for k in ranked[r]]
        if r in weighed.splits:
            pieces = weighed.splits[r]
            found += [None] * (TOP_LABELS - len(found))
            found.append((sum(logp + reject_weight * fit + bonus for _, _, _, logp, fit in pieces),
                          tuple(symbols[k] for _, _, k, _, _ in pieces)))
        options.append(found)
    n = len(weighed.order)
    cut = cut_weight * weighed.cuts
    ending = collections.defaultdict(list)
    for r, (i, j, _) in enumerate(runs):
        ending[j].append(r)
    best = [dict() for _ in range(n + 1)]
    best[0] = {calc.INITIAL: (0.0, None), calc.CONTINUING: (0.0, None)}
    for j in range(1, n + 1):
        here = best[j]
        for r in ending[j]:
            i = runs[r][0]
            for state, (score, _) in best[i].items():
                score -= cut[i]
                for option, found in enumerate(options[r]):
                    if found is None:
                        continue
                    gain, labels = found
                    new, cost = state, 0.0
                    for label in labels:
                        new = _step(new, label)
                    if new == _OFF and state != _OFF:
                        cost = grammar_cost
                    value = score + gain - cost
                    if new not in here or value > here[new][0]:
                        here[new] = (value, (i, state, r, option))
        if len(here) > BEAM:
            best[j] = dict(sorted(here.items(), key=lambda item: -item[1][0])[:BEAM])
    state = max(best[n], key=lambda s: best[n][s][0] - (unclosed_cost if s != _OFF and s[1] > 0 else 0.0))
    chosen, j = [], n
    while j > 0:
        i, previous, r, option = best[j][state][1]
        chosen.append((r, option))
        j, state = i, previous
    return chosen[::-1]


_cursives: collections.OrderedDict = collections.OrderedDict()


def _remembered_cursive(points, height: float, read):
    """_cursive, remembered by the stroke's bytes (it depends on nothing else but the reader): the pixel
    segmentation of a wide stroke is the slowest step, and every later stroke would redo it."""
    key, reads_with = np.ascontiguousarray(points, dtype=np.float32).tobytes(), _reads_with(read)
    if key in _cursives and _cursives[key][0] == reads_with:
        _cursives.move_to_end(key)
        return _cursives[key][1]
    found = _cursive(points, height, read)
    _cursives[key] = (reads_with, found)
    _cursives.move_to_end(key)
    if len(_cursives) > CURSIVE_MEMORY:
        _cursives.popitem(last=False)
    return found


def _reads_with(read) -> tuple:
    """What a reader's readings depend on: net.reader's models and their weights' versions (a correction
    changes them; the page makes a new reader of the same models for each drawing), else the reader itself. Not
    its id(): a reader freed leaves its id to the next one made, which would be handed the old one's cuts."""
    models = getattr(read, "models", None)
    if models is None:
        return (read,)
    return tuple((model, getattr(model, "weights_version", None)) for model in models)


def symbols(strokes, read, weights=None) -> list[Symbol]:
    """Strokes (list of (K, 2) arrays of (x, y), pad px, in drawing order) -> the symbols they make, left to
    right (see the module's docstring). weights: optional WEIGHTS to try (tools/fit_strokes.py)."""
    weighed = weigh(strokes, read)
    return [] if weighed is None else grouped(weighed, choose(weighed, weights))


def grouped(weighed: Weighed, chosen) -> list[Symbol]:
    """The Symbols of choose()'s [(run, option)]."""
    found = []
    for r, option in chosen:
        group = tuple(sorted(weighed.groups[r]))
        if option == TOP_LABELS:
            found += [Symbol(tuple(float(v) for v in box), image, group) for box, image, _, _, _ in weighed.splits[r]]
        else:
            found.append(Symbol(tuple(float(v) for v in weighed.boxes[r]), weighed.images[r], group))
    return found


def _union(boxes: np.ndarray) -> tuple:
    """The box around (N, 4) boxes."""
    return (float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max()))
