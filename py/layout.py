"""Layout: which marks of a line of writing are decimal points, and which small raised digits are exponents.

Pure Python + numpy (no DOM): it runs on CPython 3.11 in the tests and under Pyodide in the page. py/app.py
hands it the symbols the page read (their boxes and readings) and the small marks of the drawing no symbol
holds (a tap is a dot); tools/bench_paper.py fits and measures it on real CROHME writers.

    items = [Item((x0, y0, x1, y1), "2"), Item(box, ""), Item(box, "5")]   # y grows down; "" is a mark
    roles(items)        # ["", ".", ""]: per item "" (as read), "." (a decimal point), "^" (an exponent digit),
                        #                or "drop" (a mark that is no decimal point: a speck)
    text(items)         # "2.5": the readings with "." and "^" put in ("3^2", "(1+2)^2")

In the page (py/app.py): split_dots(strokes) keeps taps that may be decimal points apart from the stroke grouping;
pieces(found, strokes) cuts an exponent written close to its base out of grouping's symbol (raised_strokes);
rows(probabilities, symbols, boxes, marks) gives the grammar its rows with "." and "^" put in.

A decimal point: a mark (or a piece read as anything) no larger than DOT_SIZE of the digit before it, whose
middle lies low (DOT_LOW of that digit's height or lower, but no lower than DOT_DEEP: a mark at mid-line after a
raised exponent is none), at most DOT_GAP of that height after it, no short bar (DOT_BAR, DOT_BAR_LONG: a small
minus, the upright of a small +), not crossed by another mark (CROSSED: a small ×), with nothing above or below
it (the dots of ÷ have their bar, an i its stem; the digit before it counts only when the mark lies under it,
not right of it). A mark with no digit right before it is no decimal point, and two marks with no symbol
between them are one point (a point written in two strokes). An exponent: a digit no taller than EXP_HEIGHT of
the digit or ")" before it, its middle raised by EXP_RISE of that height or more, starting in the right half of
that base and at most EXP_GAP after it; the digits right after it at its own size and height (EXP_LEVEL) belong
to the same exponent. Thresholds were fitted
on CROHME writers that are not validation writers (tools/bench_paper.py).
"""
from __future__ import annotations

from dataclasses import dataclass

DIGITS = "0123456789"
DOT_SIZE = 0.2     # a decimal point's larger side, at most, as a share of the digit before it
DOT_LOW = 0.6      # its middle at least this far down that digit (0 its top, 1 its bottom)
DOT_GAP = 0.8      # its left edge at most this far right of that digit's right edge, in that digit's heights
DOT_DEEP = 1.3     # ... and no further down than this (a mark at mid-line after a raised exponent is no point)
DOT_BAR = 4.0      # a mark this many times longer than thick, and longer than DOT_BAR_LONG of the line's digits
DOT_BAR_LONG = 0.15  # (their median height), is a bar
CROSSED = 0.1      # two crossing marks each at least this long (of that digit) are a small x or +, no point
NEAR = 0.5         # only a symbol whose middle is this near (in that digit's heights) can be over or under a dot
EXP_HEIGHT = 0.9   # an exponent digit is at most this tall, as a share of its base (a digit or ")")
EXP_RISE = 0.2     # its middle at least this much higher than the base's middle, in base heights
EXP_GAP = 1.2      # its left edge at most this far right of the base's right edge, in base heights
EXP_LEVEL = 0.4    # a next digit of the same exponent: its middle within this share of the exponent's height


@dataclass(frozen=True)
class Item:
    """One symbol of the line: box (x0, y0, x1, y1) with y down, in any units; label: what it was read as
    (one of the page's symbols), or "" for a mark no symbol holds."""
    box: tuple
    label: str = ""


def _height(box):
    return box[3] - box[1]


def _middle(box):
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _before(items, k, skip=()):
    """The index of the symbol (not a mark) whose middle is the nearest left of item k's middle (none in
    `skip`), or None."""
    cx = _middle(items[k].box)[0]
    best = None
    for i, item in enumerate(items):
        if i == k or i in skip or item.label == "":
            continue
        x = _middle(item.box)[0]
        if x < cx and (best is None or x > _middle(items[best].box)[0]):
            best = i
    return best


def _alone_vertically(items, k, reach, skip=()):
    """True when no other item (none in `skip`) lies over or under item k, or across it (reaching over its
    middle, give or take its width or a tenth of `reach`, within `reach` of it): the bar of a ÷, the stem of an
    i or a !, the rest of a + whose short stroke this is."""
    x0, y0, x1, y1 = items[k].box
    middle = (x0 + x1) / 2
    pad = max(x1 - x0, reach / 10)
    x0, x1 = middle - pad / 2, middle + pad / 2
    for i, item in enumerate(items):
        if i == k or i in skip or \
                (item.label == "" and max(item.box[2] - item.box[0], _height(item.box)) <= reach / 3):
            continue  # another small mark (a dot written in two strokes) does not count
        if abs(_middle(item.box)[0] - middle) > NEAR * reach:
            continue  # a symbol beside it (the digit before it, leaning over it), not over or under it
        a0, b0, a1, b1 = item.box
        if a1 < x0 or a0 > x1:
            continue
        if b1 > y0 - reach and b0 < y1 + reach:
            return False
    return True


def is_decimal_point(items, k, size=DOT_SIZE, low=DOT_LOW, gap=DOT_GAP, deep=DOT_DEEP, bar=DOT_BAR,
                     bar_long=DOT_BAR_LONG):
    """Is item k a decimal point (see the module docstring)?"""
    box = items[k].box
    left = _before(items, k)
    if left is None or items[left].label not in DIGITS:
        return False
    base = items[left].box
    h = _height(base)
    if h <= 0 or max(box[2] - box[0], _height(box)) > size * h:
        return False
    if not low <= (_middle(box)[1] - base[1]) / h <= deep or box[0] - base[2] > gap * h:
        return False
    # A short bar (a minus, the upright of a small +) is no point: a point is about as wide as it is high.
    # Long for the line's digits (their median height), not for the one before it: a tall digit makes no
    # minus short, a point written as a dash after a short one is no bar.
    line = sorted(_height(item.box) for item in items if item.label in DIGITS)
    longer, thicker = max(box[2] - box[0], _height(box)), min(box[2] - box[0], _height(box))
    if longer >= bar_long * line[len(line) // 2] and longer >= bar * thicker:
        return False
    # Two marks crossing each other, each no tap, are a small x or + (each covers half the other's box).
    for i, item in enumerate(items):
        other = item.box
        if i == k or item.label != "" or min(longer, max(other[2] - other[0], _height(other))) < CROSSED * h:
            continue
        across = max(0.0, min(box[2], other[2]) - max(box[0], other[0]))
        down = max(0.0, min(box[3], other[3]) - max(box[1], other[1]))
        if across >= 0.5 * min(box[2] - box[0], other[2] - other[0]) and \
                down >= 0.5 * min(_height(box), _height(other)) and across + down > 0:
            return False
    # The digit before counts as over it only when the mark lies under it, not right of it (an i's or a !'s
    # dot under its stem; a point tucked close after a tall digit is beside it).
    return _alone_vertically(items, k, h, skip=(left,) if _middle(box)[0] > base[2] else ())


def roles(items, **thresholds):
    """Per item: "" (as read), "." (a decimal point), "^" (a digit of an exponent) or "drop" (a mark that is
    no decimal point). Items in any order; the roles follow it."""
    dot_keys = {"size", "low", "gap", "deep", "bar", "bar_long"}
    dots = {k for k, item in enumerate(items) if is_decimal_point(
        items, k, **{key: v for key, v in thresholds.items() if key in dot_keys})}
    found = ["." if k in dots else ("drop" if item.label == "" else "") for k, item in enumerate(items)]
    # One point between two symbols: the marks of a point written in two strokes (or a tap beside it) are one.
    previous = ""
    for k in sorted(range(len(items)), key=lambda k: _middle(items[k].box)[0]):
        if found[k] == "drop":
            continue
        if found[k] == "." and previous == ".":
            found[k] = "drop"
            continue
        previous = found[k]
    exp_keys = {"height", "rise", "exp_gap", "level"}
    raised = exponents(items, skip=dots | {k for k, r in enumerate(found) if r == "drop"},
                       **{key: v for key, v in thresholds.items() if key in exp_keys})
    return ["^" if k in raised else role for k, role in enumerate(found)]


BASES = DIGITS + ")"  # what an exponent may follow in the page's sums


def exponents(items, skip=(), height=EXP_HEIGHT, rise=EXP_RISE, exp_gap=EXP_GAP, level=EXP_LEVEL, bases=BASES):
    """The indices of the digits that are exponents (items in `skip`, such as decimal points, are left out).
    bases: the labels an exponent may follow (None: any symbol, as a letter in CROHME's x^2)."""
    order = sorted((k for k in range(len(items)) if k not in skip), key=lambda k: _middle(items[k].box)[0])
    raised = set()
    for position, k in enumerate(order):
        if items[k].label not in DIGITS or position == 0:
            continue
        before = order[position - 1]
        box, base = items[k].box, items[before].box
        if before in raised:  # the next digit of the same exponent: same size and height
            h = _height(base)
            if h > 0 and abs(_middle(box)[1] - _middle(base)[1]) <= level * h and \
                    0.5 <= _height(box) / h <= 1.6 and box[0] - base[2] <= exp_gap * h:
                raised.add(k)
            continue
        if bases is not None and items[before].label not in bases:
            continue
        h = _height(base)
        if h <= 0 or _height(box) > height * h:
            continue
        if (_middle(base)[1] - _middle(box)[1]) / h < rise:
            continue
        if box[0] < _middle(base)[0] or box[0] - base[2] > exp_gap * h:
            continue
        raised.add(k)
    return raised


def text(items, found=None):
    """The line's text, left to right: readings, "." for decimal points, "^" before each exponent's digits;
    dropped marks left out."""
    found = roles(items) if found is None else found
    order = sorted(range(len(items)), key=lambda k: _middle(items[k].box)[0])
    out, previous = [], ""
    for k in order:
        role = found[k]
        if role == "drop":
            continue
        if role == "^" and previous != "^":
            out.append("^")
        out.append("." if role == "." else items[k].label)
        previous = role
    return "".join(out)


# --- In the page: dots kept apart from the reading, and the rows the grammar reads ---------------------------

TALL = 0.3  # strokes at least this share of the tallest are the line's symbols when dots are looked for
OVERLAP = 0.5  # ... one symbol when they overlap in x by this share of the narrower


def _stroke_box(points):
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def split_dots(strokes):
    """(strokes to read, dot boxes): the strokes that may be decimal points (small, low after a tall stroke,
    nothing over or under them, by is_decimal_point with every tall stroke taken for a digit) are kept apart
    from the reading, so the nets and the grouping never see them; the dots of ÷ (a bar between them) stay.
    strokes: [[(x, y), ...], ...] in any units."""
    if not strokes:
        return [], []
    boxes = [_stroke_box(s) for s in strokes]
    items, marks = line_items(boxes)
    first = len(items) - len(marks)
    dots = {marks[m] for m in range(len(marks)) if is_decimal_point(items, first + m)}
    return [s for k, s in enumerate(strokes) if k not in dots], [boxes[k] for k in sorted(dots)]


def line_items(boxes):
    """(items, marks) that split_dots weighs for strokes' boxes: the digits ("0") first, then the marks ("");
    marks: the stroke of each mark, in order. A stroke at least TALL of the tallest is (part of) a digit; the
    tall strokes of one digit drawn in pieces lie over one another (OVERLAP in x: a 4's top part and its stem)
    and are one, and so are its strokes larger than a point that lie over it (a 5's flag, a 4's short stroke):
    a point is measured by the whole digit's box."""
    tallest = max(b[3] - b[1] for b in boxes)
    tall = [k for k, b in enumerate(boxes) if b[3] - b[1] >= TALL * tallest]
    is_tall = set(tall)
    digits = []
    for k in sorted(tall, key=lambda k: boxes[k][0]):
        b = boxes[k]
        if digits and min(digits[-1][2], b[2]) - max(digits[-1][0], b[0]) >= \
                OVERLAP * min(digits[-1][2] - digits[-1][0], b[2] - b[0]):
            digits[-1] = union([digits[-1], b])
        else:
            digits.append(b)
    marks = []
    for k in range(len(boxes)):
        if k in is_tall:
            continue
        b = boxes[k]
        for g, d in enumerate(digits):
            if max(b[2] - b[0], b[3] - b[1]) > DOT_SIZE * (d[3] - d[1]) and \
                    min(d[2], b[2]) - max(d[0], b[0]) >= OVERLAP * min(d[2] - d[0], b[2] - b[0]) and \
                    min(d[3], b[3]) - max(d[1], b[1]) > -0.5 * (d[3] - d[1]):
                digits[g] = union([d, b])
                break
        else:
            marks.append(k)
    return [Item(b, "0") for b in digits] + [Item(boxes[k], "") for k in marks], marks


RAISED_BOTTOM = 0.55  # a raised part ends above this share of the rest's height (a guard, not fitted)
RAISED_LEAST = 0.3    # ... and is at least this tall for the rest's height (no bar, no dot)
RAISED_WIDE = 2.0     # ... and at most this many times as wide as it is tall (a 5's long flag is no exponent;
                      # 5 of CROHME's 641 raised digits of fit writers are wider, 6 of 17 false cuts are)


def raised_strokes(boxes, height=EXP_HEIGHT, rise=EXP_RISE):
    """The positions of the strokes of one grouped symbol that are an exponent written close to its base: the
    strokes right of a cut (in x order) whose box starts in the right half of the rest's, is raised as an
    exponent is (EXP_HEIGHT, EXP_RISE), ends above RAISED_BOTTOM of the rest and is no bar or dot (RAISED_LEAST,
    RAISED_WIDE). [] when there is none: a 5's bar starts at its left, a 7's crossbar is flat, the dots of ÷ are
    small, a 5's long flag is wide."""
    if len(boxes) < 2:
        return []
    order = sorted(range(len(boxes)), key=lambda k: _middle(boxes[k])[0])
    for cut in range(1, len(order)):
        rest = union([boxes[k] for k in order[:cut]])
        up = union([boxes[k] for k in order[cut:]])
        h = _height(rest)
        if h <= 0 or not RAISED_LEAST * h <= _height(up) <= height * h:
            continue
        if up[3] > rest[1] + RAISED_BOTTOM * h or up[0] < _middle(rest)[0]:
            continue
        if up[2] - up[0] > RAISED_WIDE * _height(up):
            continue
        if (_middle(rest)[1] - _middle(up)[1]) / h >= rise:
            return sorted(order[cut:])
    return []


def pieces(found, strokes):
    """[(box, (28, 28) image)] of grouping.symbols' `found` symbols, left to right, each as it is or as its base
    and an exponent written close to it (raised_strokes: a 3 and its small raised 2 grouped as one), each part
    drawn again for the nets (grouping.glyph). strokes: what grouping read, (K, 2) points each."""
    import grouping
    import numpy as np

    out = []
    for symbol in found:
        own = [np.asarray(strokes[k], dtype=np.float32).reshape(-1, 2) for k in symbol.strokes]
        boxes = [(float(p[:, 0].min()), float(p[:, 1].min()), float(p[:, 0].max()), float(p[:, 1].max()))
                 for p in own]
        up = raised_strokes(boxes)
        if not up:
            out.append((tuple(int(round(v)) for v in symbol.box), symbol.image))
            continue
        floor = grouping.PEN_FLOOR * (symbol.box[3] - symbol.box[1])
        for raised in (False, True):
            part = [k for k in range(len(own)) if (k in up) == raised]
            out.append((tuple(int(round(v)) for v in union([boxes[k] for k in part])),
                        grouping.glyph([own[k] for k in part], floor)))
    return out


def union(boxes):
    """The box around boxes (x0, y0, x1, y1)."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def rows(probabilities, symbols, boxes, marks, placed_as=None):
    """What the grammar reads once layout has spoken: (P (M, S + 2), labels, pieces).

    probabilities: (N, S) of the N pieces read (columns: `symbols`), boxes: their N boxes; marks: the boxes of
    dots kept apart (split_dots). Rows go left to right: a piece's probabilities, one-hot "." for a decimal
    point (a mark, or a piece read as anything), one-hot "^" before each exponent's first digit; marks that are
    no decimal point are left out. labels: `symbols` + [".", "^"]; pieces: per row, the piece it is, or None.
    placed_as: N labels to place the pieces by (default: each one's likeliest; answer.read_line gives the
    grammar's)."""
    import numpy as np

    p = np.asarray(probabilities, dtype=np.float64)
    labels = list(symbols) + [".", "^"]
    placed_as = [symbols[int(k)] for k in p.argmax(axis=1)] if placed_as is None else list(placed_as)
    items = [Item(tuple(box), label) for box, label in zip(boxes, placed_as)] + \
        [Item(tuple(box), "") for box in marks]
    found = roles(items)
    order = sorted(range(len(items)), key=lambda k: _middle(items[k].box)[0])
    out, pieces, previous = [], [], ""
    for k in order:
        role = found[k]
        if role == "drop":
            continue
        if role == "^" and previous != "^":
            out.append(_one_hot(len(labels), len(labels) - 1))
            pieces.append(None)
        if role == ".":
            out.append(_one_hot(len(labels), len(labels) - 2))
        else:
            out.append(np.concatenate([p[k], [0.0, 0.0]]))
        pieces.append(k if k < len(p) else None)
        previous = role
    return (np.stack(out) if out else np.zeros((0, len(labels)))), labels, pieces


def _one_hot(width, k):
    import numpy as np

    row = np.zeros(width)
    row[k] = 1.0
    return row
