"""Split a drawn line (a number, an expression) into its symbols, each made MNIST-style for the nets.

    segment_boxes(image, read=None)  image or ink array -> [(box, (28, 28) array)] left to right
    segment(image, read=None)        image or ink array -> [(28, 28) array] left to right
    segment_candidates(image)        image or ink array -> every way segment weighs, per group of ink

Ink comes apart into pieces (ink.Pieces); pieces form groups (a symbol drawn in several strokes: a 5's
lifted bar, = and ÷ stacked); a wide group may be touching symbols, cut at valleys of ink. `read` is optional:
(N, 28, 28) -> (N, S + 1), the probabilities of S symbols then a last "not one symbol" column (net.reader).
With it, segment tells touching symbols from one wide symbol by reading both ways (see the thresholds below);
without it, by shape alone. A group's ways are remembered across calls by a digest of its ink (MEMORY): a
drawing read again after one more stroke cuts and normalizes only the groups that stroke changed.

Pure Python + numpy + Pillow: it runs the same under CPython and in the page (Pyodide).
"""
from __future__ import annotations

import collections
import hashlib
import itertools

import numpy as np

from ink import Pieces, as_ink, box_of, crop, digit_components, grown, stroke_width
from preprocess import normalize

# --- Every threshold, in one place -------------------------------------------------------------------------
DOT_SIZE = 0.03                       # a piece this large (share of the short side) is kept even if light: a dot
MAX_PIECES = 60                       # at most this many pieces are grouped (the page reads at most 41 symbols)
FRAGMENT_SIZE = 0.5                   # a piece less tall than this share of the tallest is a fragment ...
ATTACH_GAP = 0.5                      # ... and joins the symbol whose ink is within this share of the height ...
ATTACH_OVERLAP = 0.3                  # ... and over or under which this share of its width lies (else: a symbol
                                      # of its own, a minus beside a digit)
FLAG_TOP = 0.3                        # a flat fragment centred within this share of a unit's height from its top,
FLAG_REACH = 0.35                     # starting over it or within this share of its height to its right, its ink
FLAG_GAP = 0.18                       # within this share of the height of the unit's, is that unit's lifted top
                                      # bar (a 5's flag), not a minus: a minus sits mid-line, apart ...
FLAT = 1.5                            # (a fragment this many times wider than tall is flat)
BAR_OVERLAP = 0.5                     # ... unless another flat fragment overlaps its width by this share (of the
BAR_APART = 1.0                       # narrower) and lies within this share of the wider's width over or under
                                      # it: the two are the bars of an =, never a flag (a 5 has one)
FLAT_STROKES = 2.5                    # a group of pieces less tall than this many stroke widths (-, =, ÷) ...
FLAT_SHARE = 0.5                      # ... or than this share of the tallest group is never cut in pieces
LONE_DOT = 0.25                       # a group smaller than this share of the tallest, not flat, is a stray dot;
STRAY_HEIGHT = 0.5                    # so is one less tall than this share of the tallest and narrower than
STRAY_NARROW = 0.5                    # this share of its own height (a fleck beside a digit: no operator is that
                                      # narrow, and a 1 or a bracket is not drawn half as tall as the rest) ...
STRAY_PENS = 2.5                      # ... and one no larger than this many stroke widths (an operator that small
                                      # is a blob no reader could tell)
MERGE_OVERLAP = 0.5                   # pieces whose x-extents overlap this much (of the narrower) are one digit
NARROW_FLOOR = 0.35                   # ... the narrower width counting as at least this share of the height
SIDE_BY_SIDE = 0.75                   # such pieces are read one by one only if their heights overlap this much
                                      # (of the shorter): stacked ones (the bars of a lone =) are one symbol
# Touching digits
CUT_SEARCH = 0.3                      # cut at the least ink within this share of a digit's width of the guess
STUB_MASS = 0.2                       # a bit left by the cut with less ink than this share of the piece is dropped
SHORTEST_PIECE = 0.6                  # a cut leaving a piece less tall than this share of the group is no split
SPLIT_ASPECT = 1.25                   # without a reader: a group this much wider than tall is touching digits,
DIGIT_ASPECT = 0.8                    # ... as many as its width / (this typical digit aspect x its height)
# With a reader (segment's `read`), a group wider than JUDGE_ASPECT is read whole and cut at every combination
# of the valleys of its column ink (over-segmentation: the reader, not the shape, tells where digits end). A way
# scores the sum of log(probability of each piece's best symbol; a piece cut out of touching ink: its best
# digit, as operators are not written touching their neighbours), plus prior() = per cut ASPECT_WEIGHT * aspect -
# SPLIT_BIAS, minus CUT_WEIGHT * (ink on the cuts, in stroke widths), plus (any split) REJECT_WEIGHT * the
# reader's chance that the group read whole is not one symbol. The weights are fitted by
# tools/fit_segmentation.py on numbers of MNIST training digits (REJECT_WEIGHT and JUDGE_ASPECT were chosen on
# such numbers too, on a grid with the three); the benchmark uses test digits.
JUDGE_ASPECT = 0.3                    # a group wider than this (width / height) may be touching symbols (two 1s)
TOUCHING_NARROWEST = 0.1              # cut no piece narrower than this share of the group's height (a thin "1")
MAX_CUTS = 4                          # the valleys tried, at most
NARROWEST_DIGIT = 0.35                # a group may hold as many digits as its aspect / this (speed: fewer ways) ...
MAX_TOUCHING = 4                      # ... but at most this many
ASPECT_WEIGHT = 3.0                   # (fitted: a cut pays off from an aspect of 4/3 on; the ink on a cut did
CUT_WEIGHT = 0.0                      # not help once the reader knows "not one digit"; and a negative prior
SPLIT_BIAS = 4.0                      # for narrower groups lets segment skip reading their splits)
REJECT_WEIGHT = 2.0                   # a group read whole as "not one symbol" (0.5: a 1 and a 9 touching) is
                                      # split more readily: a narrow one is tried at all only then
SURE_OPERATOR = 0.9                   # a group read whole as an operator this surely is kept whole: + and × are
                                      # wide by nature (the prior, fitted on digits, would cut a flat ×) ...
SURE_CROSSING = 0.25                  # ... + and ×, read whole as their best label with this much: they are as
                                      # wide as two digits, and their halves pass for a 7 and a 5 (both: the
                                      # chance given that the group is one symbol, so a refit of "not one
                                      # symbol" does not move them)
FLECK_REJECT = 0.98                   # a group read whole as "not one symbol" this surely, less tall than
FLECK_HEIGHT = 0.75                   # this share of the tallest and narrower than this share of its own
FLECK_NARROW = 0.35                   # height, is dropped: a noisy digit's detached stroke (no operator is that
                                      # narrow; a 1 or a bracket that short reads as one)
DIGITS = 10                           # the reader's first columns are the digits 0-9, then the operators
CROSSING = (DIGITS, DIGITS + 2)       # ... + - × ÷ = ( ): the columns of + and ×
# Speed
MEMORY = 128                          # groups' ways remembered across drawings: a drawing grows stroke by stroke,
                                      # and the groups a new stroke leaves alone need not be cut and normalized again


# --- Several digits ----------------------------------------------------------------------------------------

def _components(pieces: Pieces, short_side: int) -> list[int]:
    """The pieces that may be part of a symbol: ink.digit_components (not specks), and dots (the dots of ÷)."""
    kept = digit_components(pieces, short_side)
    if not kept:
        return []
    sizes = np.maximum(pieces.box[:, 2] - pieces.box[:, 0], pieces.box[:, 3] - pieces.box[:, 1])
    dots = np.nonzero(sizes >= DOT_SIZE * short_side)[0].tolist()
    found = sorted(set(kept) | set(dots))
    if len(found) > MAX_PIECES:  # bounded work for a drawing of hundreds of dots: its heaviest pieces
        found = sorted(sorted(found, key=lambda c: -pieces.mass[c])[:MAX_PIECES])
    return found


def _attaches(box, unit_box) -> bool:
    """Does a fragment lie over or under a unit (its x-extent within the unit's, ATTACH_OVERLAP of it)?"""
    overlap = min(box[2], unit_box[2]) - max(box[0], unit_box[0])
    return overlap >= ATTACH_OVERLAP * max(box[2] - box[0], 1)


def _flag(box, unit_box) -> bool:
    """Is a fragment a unit's lifted top bar (a 5's flag): flat, high on the unit, starting over it or just
    right of it (FLAG_TOP, FLAG_REACH)?"""
    width, height, unit_height = box[2] - box[0], box[3] - box[1], max(unit_box[3] - unit_box[1], 1)
    centre = (box[1] + box[3]) / 2
    return (width >= FLAT * height and centre <= unit_box[1] + FLAG_TOP * unit_height
            and unit_box[0] <= box[0] <= unit_box[2] + FLAG_REACH * unit_height)


def _bars(boxes) -> set:
    """The indices of the boxes (x0, y0, x1, y1) that are a bar of an =: flat, with another flat one stacked
    over or under it (BAR_OVERLAP, BAR_APART)."""
    flat = [i for i, b in enumerate(boxes) if b[2] - b[0] >= FLAT * (b[3] - b[1])]
    bars = set()
    for i, j in itertools.combinations(flat, 2):
        a, b = boxes[i], boxes[j]
        overlap = min(a[2], b[2]) - max(a[0], b[0])
        apart = max(a[1] - b[3], b[1] - a[3])
        widths = (a[2] - a[0], b[2] - b[0])
        if overlap >= BAR_OVERLAP * min(widths) and apart <= BAR_APART * max(widths):
            bars.update((i, j))
    return bars


def _reach(box, unit_box, height, bar=False) -> float:
    """How far (px) a fragment's ink may be from a unit's to join it: ATTACH_GAP of the line's height if it lies
    over or under the unit (_attaches), FLAG_GAP if it is the unit's flag (_flag; a bar of an =, `bar`, never
    is: a 5 has one flag), else 0; also 0 when the boxes' gap (a bound on the ink's distance, cheap to test
    first) is already farther. Boxes: (x0, y0, x1, y1) ints (plain Python: this runs for every fragment and
    unit, and small numpy calls are slow in the page)."""
    reach = (ATTACH_GAP if _attaches(box, unit_box) else FLAG_GAP if not bar and _flag(box, unit_box) else 0) * height
    dx = max(unit_box[0] - box[2], box[0] - unit_box[2], 0)
    dy = max(unit_box[1] - box[3], box[1] - unit_box[3], 0)
    return reach if dx * dx + dy * dy <= reach * reach else 0.0


def _stray(width: int, height: int, tallest: int, pen: float) -> bool:
    """Is a group of this extent (px) a stray mark rather than a symbol: not flat (a minus is), and small
    (LONE_DOT), or short (STRAY_HEIGHT) and either narrow (STRAY_NARROW) or a couple of pen widths
    (STRAY_PENS)? The tallest group never is."""
    if width >= 2.5 * height:
        return False
    return max(width, height) < LONE_DOT * tallest or (
        height < STRAY_HEIGHT * tallest and (width < STRAY_NARROW * height or max(width, height) < STRAY_PENS * pen))


def _without_strays(pieces: Pieces, groups, array: np.ndarray):
    """Groups without the stray marks (_stray); array: the drawing's ink, for its stroke width."""
    boxes = [pieces.box[[c for unit in group for c in unit]] for group in groups]
    extents = [(b[:, 2].max() - b[:, 0].min(), b[:, 3].max() - b[:, 1].min()) for b in boxes]
    tallest = max(h for _, h in extents)
    # the pen matters only for short groups: a drawing without any (a plain number) skips the pass over its ink
    pen = stroke_width(array >= 0.5) if any(h < STRAY_HEIGHT * tallest for _, h in extents) else 0.0
    return [g for g, (w, h) in zip(groups, extents) if not _stray(w, h, tallest, pen)]


def _groups(pieces: Pieces, components: list[int]) -> list[list[list[int]]]:
    """Components -> digit groups, each a list of units (a unit: one large component and the fragments that
    joined it). Each small fragment (a 5's lifted bar, a 7's cross bar, a broken stroke), largest first, joins
    the nearest unit it lies over or under, else the unit whose flag it is (_reach), or starts a unit of its own
    when none is near; then units stacked over each other (an 8 drawn as two loops) form one group."""
    box = pieces.box
    boxes = box.tolist()
    height = max(box[c, 3] - box[c, 1] for c in components)
    large = [c for c in components if box[c, 3] - box[c, 1] >= FRAGMENT_SIZE * height]
    units = [[c] for c in large]
    unit_boxes = [boxes[c] for c in large]
    outlines = [pieces.outline(c) for c in large]
    fragments = sorted(set(components) - set(large), key=lambda c: -pieces.mass[c])
    bars = {fragments[i] for i in _bars([boxes[c] for c in fragments])}
    for c in fragments:
        outline = pieces.outline(c)
        reaches = [_reach(boxes[c], unit_box, height, c in bars) for unit_box in unit_boxes]
        gaps = [_distance(outline, other, boxes[c], reach) if reach > 0 else np.inf
                for reach, other in zip(reaches, outlines)]
        # a unit it lies over or under comes first, the nearest of those; a flag's unit only if there is none
        joins = [(reach < ATTACH_GAP * height, gap, k) for k, (reach, gap) in enumerate(zip(reaches, gaps))
                 if gap <= reach]
        if joins:
            nearest = min(joins)[2]
            units[nearest].append(c)
            unit_boxes[nearest] = _union(unit_boxes[nearest], boxes[c])
            outlines[nearest] = np.concatenate([outlines[nearest], outline])
        else:
            units.append([c])
            unit_boxes.append(boxes[c])
            outlines.append(outline)
    groups = [[unit] for unit in units]
    extents = unit_boxes
    i = 0
    while i < len(groups):
        for j in range(i + 1, len(groups)):
            if _overlapping(extents[i], extents[j], height):
                groups[i] += groups.pop(j)
                extents[i] = _union(extents[i], extents.pop(j))
                i = -1  # start over: the grown group may now overlap an earlier one
                break
        i += 1
    return groups


def _distance(a: np.ndarray, b: np.ndarray, box_a, reach: float) -> float:
    """Least distance in px between two sets of (x, y) points, (N, 2) and (M, 2) int32 (integer arithmetic:
    exact), when it is at most `reach`; else inf. box_a: (x0, y0, x1, y1) around a's points: only b's points
    within reach of that box can be that near, so only they are measured."""
    x0, y0, x1, y1 = box_a
    near = b[(b[:, 0] >= x0 - reach) & (b[:, 0] <= x1 + reach) & (b[:, 1] >= y0 - reach) & (b[:, 1] <= y1 + reach)]
    if not len(near):
        return np.inf
    across = a[:, 0, None] - near[None, :, 0]  # (N, M); x and y apart: a sum over an axis of 2 is slow
    down = a[:, 1, None] - near[None, :, 1]
    across *= across
    down *= down
    across += down
    gap = float(np.sqrt(across.min()))
    return gap if gap <= reach else np.inf


def _overlapping(a, b, height) -> bool:
    """Do boxes a and b overlap horizontally enough to be pieces of one digit?"""
    overlap = min(a[2], b[2]) - max(a[0], b[0])
    narrower = max(min(a[2] - a[0], b[2] - b[0]), NARROW_FLOOR * height)
    return overlap / narrower >= MERGE_OVERLAP


def _union(a, b) -> list:
    """The box (x0, y0, x1, y1) around boxes a and b (plain Python: small numpy calls are slow in the page)."""
    return [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]


def _cut(array: np.ndarray, mask: np.ndarray, count: int):
    """Cut a group (its ink and mask, cropped) into `count` digits side by side, each cut at the column with
    the least ink near where equal widths would put it. Returns each digit's mask, left to right, and the
    mean ink on a cut in stroke widths (about how many strokes it crosses).
    (A least-ink path that may wander sideways, and trying several cuts, were tried: both cut single digits
    more often.)"""
    x0, _, x1, _ = box_of(mask)
    columns = (array * mask).sum(axis=0)
    step = (x1 - x0) / count
    cuts = [0]
    for k in range(1, count):
        lo = x0 + int(k * step - CUT_SEARCH * step)
        hi = x0 + int(k * step + CUT_SEARCH * step) + 1
        cuts.append(lo + int(np.argmin(columns[lo:hi])))
    cuts.append(mask.shape[1])
    parts = []
    for left, right in zip(cuts[:-1], cuts[1:]):
        part = np.zeros_like(mask)
        part[:, left:right] = mask[:, left:right]
        parts.append(_without_stubs(part, left, right))
    return parts, float(columns[cuts[1:-1]].mean()) / stroke_width(mask)


def _without_stubs(part: np.ndarray, left: int, right: int) -> np.ndarray:
    """A cut-out digit's mask without the small bits of its neighbour's strokes that the cut left on its
    side: pieces much smaller than its largest that touch a cut column. (Only columns left:right are looked
    at: the rest of the part is empty.)"""
    pieces = Pieces(part[:, left:right].astype(np.float32))
    if pieces.count < 2:
        return part
    width = right - left
    on_cut = ((pieces.box[:, 0] <= 0) & (left > 0)) | ((pieces.box[:, 2] >= width) & (right < part.shape[1]))
    stubs = on_cut & (pieces.mass < STUB_MASS * pieces.mass.max())
    if not stubs.any():
        return part
    cleaned = np.zeros_like(part)
    cleaned[:, left:right] = pieces.mask_of(np.nonzero(~stubs)[0].tolist(), (0, 0, width, part.shape[0]))
    return cleaned


def _digits(array: np.ndarray, parts, confine: bool) -> list[tuple]:
    """A group's ink (cropped) and the masks of its digits -> [(box, (28, 28) digit)], boxes in the crop's
    coordinates, empty parts skipped. confine: keep each digit's anti-aliased edge within its columns (after
    a cut, the edge beyond the cut belongs to the neighbour)."""
    digits = []
    for part in parts:
        if not part.any():
            continue
        box = box_of(part)
        edged = grown(part)
        if confine:
            edged[:, :box[0]] = False
            edged[:, box[2]:] = False
        digits.append((box, normalize(array, edged, box)))
    return digits


def _valleys(columns: np.ndarray, mask: np.ndarray, x0: int, x1: int, narrowest: int) -> list[int]:
    """Where touching digits may be cut: the columns with the least ink, at least `narrowest` px from the
    group's ends and from each other, with ink at least SHORTEST_PIECE of the group's height tall on either
    side (a cut through a 7's long bar, left of its stem, leaves no digit), at most MAX_CUTS of them, left
    to right. columns: the ink per column of the group's mask (H, W) bool; x0, x1: the ink's extent."""
    lo, hi = x0 + narrowest, x1 - narrowest
    if hi <= lo:
        return []
    rows = np.arange(mask.shape[0])[:, None]
    tops = np.where(mask, rows, mask.shape[0]).min(axis=0)  # an empty column: below the bottom
    bottoms = np.where(mask, rows, -1).max(axis=0)  # ... and above the top
    left = np.maximum.accumulate(bottoms) - np.minimum.accumulate(tops)  # the ink's height up to each column
    right = (np.maximum.accumulate(bottoms[::-1]) - np.minimum.accumulate(tops[::-1]))[::-1]
    tall = SHORTEST_PIECE * (bottoms.max() - tops.min())
    cuttable = (left[lo - 1:hi - 1] >= tall) & (right[lo:hi] >= tall)  # ink left of the cut, and from it on
    chosen = []
    for i in np.argsort(columns[lo:hi], kind="stable").tolist():
        if cuttable[i] and all(abs(lo + i - c) >= narrowest for c in chosen):
            chosen.append(lo + i)
            if len(chosen) == MAX_CUTS:
                break
    return sorted(chosen)


def _splits(crop: np.ndarray, mask: np.ndarray, aspect: float) -> list[tuple]:
    """With a reader: a group wider than JUDGE_ASPECT cut at every combination of up to MAX_TOUCHING - 1
    valleys, each piece cut out once and shared by the ways that use it. [(shape, [(box, digit)])]."""
    if aspect <= JUDGE_ASPECT:
        return []
    x0, y0, x1, y1 = box_of(mask)
    columns = (crop * mask).sum(axis=0)
    stroke = stroke_width(mask)
    valleys = _valleys(columns, mask, x0, x1, max(1, int(TOUCHING_NARROWEST * (y1 - y0))))
    made = {}

    def piece(left, right):  # the digit between two cuts, or None when it is no digit (empty, a short tail)
        if (left, right) not in made:
            part = np.zeros_like(mask)
            part[:, left:right] = mask[:, left:right]
            digits = _digits(crop, [_without_stubs(part, left, right)], True) if part.any() else []
            tall = digits and digits[0][0][3] - digits[0][0][1] >= SHORTEST_PIECE * (y1 - y0)
            made[left, right] = digits[0] if tall else None
        return made[left, right]

    ways = []
    most = max(2, min(MAX_TOUCHING, int(aspect / NARROWEST_DIGIT)))  # digits this wide a group may hold
    for count in range(1, min(most - 1, len(valleys)) + 1):
        for cuts in itertools.combinations(valleys, count):
            bounds = [0, *cuts, mask.shape[1]]
            digits = [piece(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
            if all(digits):
                ways.append(((count, aspect, float(columns[list(cuts)].sum()) / stroke), digits))
    return ways


def _group_ink(pieces: Pieces, group, array: np.ndarray, line_height: int):
    """A group's window, its ink and mask cropped to the window, its aspect (width / height of the ink), which
    is 0 for a flat group (FLAT_STROKES, FLAT_SHARE of the line's height): no split is tried, however wide it
    is (a minus is a single stroke, not touching digits), and the digest of its ink (_ink_digest)."""
    components = [c for unit in group for c in unit]
    window = pieces.window(components)
    mask = pieces.mask_of(components, window)
    x0, y0, x1, y1 = box_of(mask)
    heights = pieces.box[components, 3] - pieces.box[components, 1]
    flat = y1 - y0 < FLAT_SHARE * line_height or heights.max() < FLAT_STROKES * stroke_width(mask)
    cropped = crop(array, window)
    return window, cropped, mask, 0.0 if flat else (x1 - x0) / (y1 - y0), _ink_digest(cropped, mask)


def _line_height(pieces: Pieces, groups) -> int:
    """The tallest group's height in px."""
    boxes = [pieces.box[[c for unit in g for c in unit]] for g in groups]
    return max(int(b[:, 3].max() - b[:, 1].min()) for b in boxes)


def _whole(crop: np.ndarray, mask: np.ndarray, aspect: float, digest: bytes) -> tuple:
    """The way that reads a group as one digit."""
    return (0, aspect, 0.0), _remembered(("whole", digest), lambda: _digits(crop, [mask], False))


def _ink_digest(crop: np.ndarray, mask: np.ndarray) -> bytes:
    """A digest of a group's ink, crop (H, W) float32 and mask (H, W) bool: of the mask, and of the crop's ink
    within one pixel of it (ink.grown), all that the ways look at (a neighbour's stroke that enters the group's
    window but comes no nearer leaves it unchanged)."""
    digest = hashlib.blake2b(repr(mask.shape).encode(), digest_size=16)  # the shape first: it frames the rest
    digest.update(np.packbits(mask).tobytes())
    digest.update(crop[grown(mask)].tobytes())
    return digest.digest()


_memory: collections.OrderedDict = collections.OrderedDict()


def _remembered(key: tuple, make):
    """make(), remembered across drawings under key (what is made, the digest of the group's ink, any number
    it depends on besides the ink): the last MEMORY results are kept. What is made is shared by every drawing
    with that ink: its arrays are made read-only."""
    if key in _memory:
        _memory.move_to_end(key)
        return _memory[key]
    made = _memory[key] = make()
    for array in _arrays_in(made):
        array.flags.writeable = False
    if len(_memory) > MEMORY:
        _memory.popitem(last=False)
    return made


def _arrays_in(made):
    """The numpy arrays inside nested lists and tuples."""
    if isinstance(made, np.ndarray):
        return [made]
    if isinstance(made, (list, tuple)):
        return [array for item in made for array in _arrays_in(item)]
    return []


def _judged_ways(pieces: Pieces, group, window, crop, mask, aspect, whole, digest) -> list[tuple]:
    """With a reader: the group whole, cut at valleys of ink (_splits), and (when it has several large
    pieces) piece by piece. Boxes in the window's coordinates."""
    ways = [whole] + _remembered(("splits", digest, aspect), lambda: _splits(crop, mask, aspect))
    if len(group) > 1 and aspect > JUDGE_ASPECT and _side_by_side([_box_of_pieces(pieces, unit) for unit in group]):
        units = [pieces.mask_of(unit, window) for unit in group]
        ways.append(((len(units) - 1, aspect, 0.0), _digits(crop, units, False)))
    return ways


def _box_of_pieces(pieces: Pieces, components) -> tuple:
    """(x0, y0, x1, y1) around the given components' ink."""
    box = pieces.box[list(components)]
    return int(box[:, 0].min()), int(box[:, 1].min()), int(box[:, 2].max()), int(box[:, 3].max())


def _side_by_side(boxes) -> bool:
    """May units with these boxes (x0, y0, x1, y1) be symbols in a row: does each pair's height overlap by
    SIDE_BY_SIDE of the shorter? Units one over the other (the bars of =, an 8 drawn as two loops) are not."""
    for a, b in itertools.combinations(boxes, 2):
        overlap = min(a[3], b[3]) - max(a[1], b[1])
        if overlap < SIDE_BY_SIDE * min(a[3] - a[1], b[3] - b[1]):
            return False
    return True


def _readings(pieces: Pieces, group, array: np.ndarray, judged: bool, line_height: int):
    """The ways to read a group, [(shape, [(box, digit)])] with boxes in the group window's coordinates, and
    the window. Without a reader: one way, split by aspect ratio. With one: _judged_ways. shape: (cuts, the
    group's aspect, ink on the cuts in stroke widths), what `prior` weighs."""
    window, crop, mask, aspect, digest = _group_ink(pieces, group, array, line_height)
    if judged:
        whole = _whole(crop, mask, aspect, digest)
        return _judged_ways(pieces, group, window, crop, mask, aspect, whole, digest), window
    count = 1 if aspect <= SPLIT_ASPECT else max(2, int(round(aspect / DIGIT_ASPECT)))
    if count > 1:
        parts, cut_ink = _cut(crop, mask, count)
        digits = _digits(crop, parts, True)
        _, y0, _, y1 = box_of(mask)
        if min(b[3] - b[1] for b, _ in digits) >= SHORTEST_PIECE * (y1 - y0):
            return [((count - 1, aspect, cut_ink), digits)], window
    # one digit, or the one split by aspect ratio cut a piece off (a tail, a bar): keep the group whole
    return [_whole(crop, mask, aspect, digest)], window


def _split_bound(aspect: float, rejected: float) -> float:
    """The most any split of a group this wide, read whole as not one symbol with chance `rejected`, can
    score: its prior with no ink on the cuts, each digit read with certainty (log 1 = 0). A whole reading
    that scores at least this needs no split read."""
    if aspect <= JUDGE_ASPECT:
        return -np.inf
    return max(prior((cuts, aspect, 0.0), rejected) for cuts in range(1, MAX_TOUCHING))


def prior(shape, rejected: float = 0.0) -> float:
    """A way's score apart from the reader's reading of its pieces, from its shape (cuts, aspect, cut ink) and
    the reader's chance that the group read whole is not one symbol: each cut of a wide group is more likely
    right, a cut through much ink less likely, any split more likely when the whole is no symbol."""
    cuts, aspect, cut_ink = shape
    split = REJECT_WEIGHT * rejected if cuts else 0.0
    return cuts * (ASPECT_WEIGHT * aspect - SPLIT_BIAS) - CUT_WEIGHT * cut_ink + split


def _choose(candidates, read) -> list[list[tuple]]:
    """Each group's ways [(shape, reading)] -> the chosen reading of every group, all read in one batch.
    A way scores its prior plus the log of each of its digits' probability, a digit's probability being
    the reader's for its best class: with an 11th "not one digit" column, the reader gives little to a
    piece that is not one digit (a digit cut in half, two digits read as one)."""
    if read is None or all(len(ways) == 1 for ways in candidates):
        return [ways[0][1] for ways in candidates]
    batch, index = [], {}
    for ways in candidates:
        for _, reading in ways:
            for _, digit in reading:
                if id(digit) not in index:  # pieces shared by several ways are read once
                    index[id(digit)] = len(batch)
                    batch.append(digit)
    out = read(np.stack(batch))
    logp = np.log(np.maximum(out[:, :-1].max(axis=1), 1e-7)).tolist()
    digit_logp = np.log(np.maximum(out[:, :DIGITS].max(axis=1), 1e-7)).tolist()
    rejected = out[:, -1].tolist()
    chosen = []
    for ways in candidates:
        whole = rejected[index[id(ways[0][1][0][1])]]  # the first way reads the group whole
        scores = [prior(shape, whole) + sum((digit_logp if shape[2] > 0 else logp)[index[id(digit)]]
                                            for _, digit in reading) for shape, reading in ways]
        chosen.append(ways[int(np.argmax(scores))][1])
    return chosen


def _groups_of(image):
    """(pieces, groups, ink array, factor to input coordinates) of a drawing."""
    array, factor = as_ink(image)
    pieces = Pieces(array)
    components = _components(pieces, min(array.shape))
    if not components:
        return pieces, [], array, factor
    groups = _without_strays(pieces, _groups(pieces, components), array)
    return pieces, groups, array, factor


def _in_input(ways, window, factor):
    """Ways with boxes in a group window's coordinates -> boxes in the input's pixel coordinates."""
    ox, oy = window[:2]
    return [(shape, [(tuple(int(round(v * factor)) for v in (x0 + ox, y0 + oy, x1 + ox, y1 + oy)), digit)
                     for (x0, y0, x1, y1), digit in reading]) for shape, reading in ways]


def segment_candidates(image, judged=True):
    """The ways segment weighs: one list per group of ink, [(shape, [(box, (28, 28) digit)])] (shape: what
    `prior` weighs), boxes in the input's pixel coordinates (x0, y0, x1, y1), groups left to right.
    judged=False: the one way chosen by shape alone. (Training uses this to show the reader the pieces it
    will be asked about; tools/fit_segmentation.py to fit the prior's weights.)"""
    pieces, groups, array, factor = _groups_of(image)
    line_height = _line_height(pieces, groups) if groups else 0
    found = [_in_input(*_readings(pieces, group, array, judged, line_height), factor) for group in groups]
    found.sort(key=lambda ways: ways[0][1][0][0][0])
    return found


def segment_boxes(image, read=None):
    """A drawing of one or more symbols -> [((x0, y0, x1, y1), (28, 28) array)] in reading order (left to
    right); boxes are in the input's pixel coordinates. Empty list when there is no ink.

    read: optional function (N, 28, 28) -> (N, S + 1): the probabilities of S symbols, then of "not one
    symbol" (net.reader). Without it, a group of touching digits is split by its aspect
    ratio alone. With it, each group is first read whole (one batch); the groups whose whole reading some
    split could still beat (_split_bound) are cut every way and read again (a second batch), and the best
    score wins: the same choice as reading every way, at a fraction of the work for lone digits. A group read
    whole as an operator with SURE_OPERATOR or more (+ or ×: SURE_CROSSING; given that it is one symbol) is
    kept whole; a short narrow group read whole as surely no symbol (FLECK_REJECT) is dropped."""
    pieces, groups, array, factor = _groups_of(image)
    line_height = _line_height(pieces, groups) if groups else 0
    if read is None:
        chosen = [_in_input(*_readings(pieces, group, array, False, line_height), factor)[0][1] for group in groups]
    else:
        inks = [_group_ink(pieces, group, array, line_height) for group in groups]
        wholes = [_whole(crop, mask, aspect, digest) for _, crop, mask, aspect, digest in inks]
        out = read(np.stack([reading[0][1] for _, reading in wholes])) if wholes else np.zeros((0, 2))
        symbols, rejected = out[:, :-1], out[:, -1]
        best = symbols.max(axis=1)
        sure = np.log(np.maximum(best, 1e-7))
        label = symbols.argmax(axis=1)
        given = best / np.maximum(1.0 - rejected, 1e-7)  # the best label's chance given that it is one symbol
        operator = (label >= DIGITS) & (given >= SURE_OPERATOR)
        operator |= np.isin(label, CROSSING) & (given >= SURE_CROSSING)
        chosen, open_groups = [], []
        for group, (window, crop, mask, aspect, digest), whole, logp, kept, no in zip(
                groups, inks, wholes, sure, operator, rejected.tolist()):
            if no >= FLECK_REJECT and _fleck_shaped(mask, line_height):
                continue  # a mark beside a symbol (a noisy digit's detached stroke), no symbol of its own
            if kept or logp >= _split_bound(aspect, no):
                chosen.append(_in_input([whole], window, factor)[0][1])
            else:  # cut it every way, reusing the whole reading
                ways = _judged_ways(pieces, group, window, crop, mask, aspect, whole, digest)
                open_groups.append(_in_input(ways, window, factor))
        chosen += _choose(open_groups, read)
    found = [item for reading in chosen for item in reading]
    found.sort(key=lambda item: item[0][0] + item[0][2])
    return found


def _fleck_shaped(mask: np.ndarray, line_height: int) -> bool:
    """Is a group's ink (its mask, (H, W) bool) shaped like a fleck the reader may drop: less tall than
    FLECK_HEIGHT of the line's tallest group, and narrower than FLECK_NARROW of its own height?"""
    x0, y0, x1, y1 = box_of(mask)
    return y1 - y0 < FLECK_HEIGHT * line_height and x1 - x0 < FLECK_NARROW * (y1 - y0)


def segment(image, read=None):
    """A drawing of one or more digits -> [(28, 28) float32 arrays] left to right (see segment_boxes)."""
    return [digit for _, digit in segment_boxes(image, read)]
