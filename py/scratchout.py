"""Scratch-out: a zigzag drawn over ink erases the strokes it covers, and itself, as a pencil's scribble would.

Pure Python + numpy (no DOM): it runs on CPython 3.11 in the tests and under Pyodide in the page; static/pad.js
erases (undoably) what `find` names, py/app.py asks it after each new stroke.

    erase = find(strokes)   # strokes: [[(x, y), ...], ...] in writing order, any units (y down); the last is new
    erase                   # [] (keep everything), or the indices of the covered strokes and of the zigzag

A zigzag (`is_zigzag`) is one stroke with at least MIN_TURNS sharp turns back on itself, each the other way
from the one before: simplified to its corners (TURN_SPAN of its size), its direction turns by TURN_ANGLE
degrees or more there, as a scribble's reversals do and the rounded turns of an 8 or a loopy 2 do not; and its
legs lie along one axis (AXIS), as a 3 with pointed turns does not; a short leg between two long ones (a
rounded or hooked reversal) is part of the one turn between them (MERGE). It scratches out the strokes drawn
before it that lie half or more (INSIDE of their length) within its outline (its convex hull, grown by MARGIN of
its size: a slanted zigzag's box reaches into its neighbours' corners where it has no ink), when it covers most
(COVER) of those strokes' box and no other stroke runs through it (`crosses`): a zigzag over empty
pad, a small one on a big symbol, or one over a bar that a stroke crosses (a + whose bar is written over
again, as real writers do) is just ink. The
thresholds were fitted on real strokes and synthetic zigzags of CROHME writers that are not validation writers
(tools/bench_paper.py prints the figures).
"""
from __future__ import annotations

import numpy as np

MIN_TURNS = 3          # sharp reversals a scribble has at least ("a zigzag": ↘↗↘↗ has three)
TURN_ANGLE = 110.0     # degrees: a turn at least this sharp is a reversal (an 8 turns smoothly)
TURN_SPAN = 0.06       # the stroke is simplified to corners within this share of its box diagonal
MERGE = 0.3            # legs shorter than this share of the longest leg fold into the corner around them
SAMPLES = 96           # points a stroke is resampled to (even spacing along its length)
AXIS = 0.55            # its legs lie along one axis at least this much (along_one_axis; real 3s: 0.2-0.7)
MIN_LENGTH = 1.5       # a zigzag's length is at least this many times its box diagonal (back and forth)
INSIDE = 0.5           # share of a stroke's length within the zigzag's outline for it to be scratched out
MARGIN = 0.08          # the zigzag's outline grown by this share of its box's larger side (its ends fall short)
COVER = 0.6            # share of the scratched strokes' box the zigzag's box must cover
CROSS = 0.05           # a stroke left that crosses the zigzag's box with this share of it inside: no scratch-out
BEYOND = 0.1           # ... crossing: reaching past two opposite sides by this share of the box's larger side


def _array(points):
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


def resample(points, count=SAMPLES):
    """(count, 2) points evenly spaced along the polyline `points` ((N, 2)); a single point is repeated."""
    p = _array(points)
    if len(p) < 2:
        return np.repeat(p[:1], count, axis=0) if len(p) else np.zeros((0, 2))
    steps = np.hypot(*np.diff(p, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] == 0:
        return np.repeat(p[:1], count, axis=0)
    where = np.linspace(0.0, along[-1], count)
    return np.stack([np.interp(where, along, p[:, 0]), np.interp(where, along, p[:, 1])], axis=1)


def box(points):
    """(x0, y0, x1, y1) of (N, 2) points."""
    p = _array(points)
    return float(p[:, 0].min()), float(p[:, 1].min()), float(p[:, 0].max()), float(p[:, 1].max())


def simplify(points, epsilon):
    """The polyline's corners (Ramer-Douglas-Peucker): (M, 2) points, no point of the stroke farther than
    `epsilon` from it. Jitter and rounded turns fold into one corner each."""
    p = _array(points)
    if len(p) < 3:
        return p
    keep = np.zeros(len(p), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(p) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = p[i], p[j]
        chord = b - a
        norm = float(np.hypot(*chord))
        middle = p[i + 1:j]
        if norm == 0:
            distance = np.hypot(*(middle - a).T)
        else:
            distance = np.abs(chord[0] * (middle[:, 1] - a[1]) - chord[1] * (middle[:, 0] - a[0])) / norm
        k = int(np.argmax(distance))
        if distance[k] > epsilon:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return p[keep]


def turns(points, angle=TURN_ANGLE, span=TURN_SPAN, merge=None):
    """The sharp turns of a stroke: [(corner (x, y), signed turn in degrees)], one per turn of `angle` degrees or
    more. The stroke is simplified to its corners (within `span` of its box diagonal); corners with a leg
    shorter than `merge` (MERGE) of the longest leg between them are one turn (a rounded reversal, or one that
    overshoots and hooks back), by the angle between the long legs around it: a hook's short leg the other way
    does not flip the way a reversal turns."""
    p = _array(points)
    if len(p) < 3:
        return []
    x0, y0, x1, y1 = box(p)
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    if diagonal == 0:
        return []
    q = simplify(p, span * diagonal)
    if len(q) < 3:
        return []
    merge = MERGE if merge is None else merge
    legs = np.diff(q, axis=0)
    lengths = np.hypot(*legs.T)
    heading = np.arctan2(legs[:, 1], legs[:, 0])
    turned = np.degrees((np.diff(heading) + np.pi) % (2 * np.pi) - np.pi)  # at corners 1..M-2, in (-180, 180]
    merged = []  # [corner index, total turn]
    for k, t in enumerate(turned):
        if merged and lengths[k] < merge * lengths.max():
            merged[-1][1] += t
        else:
            merged.append([k + 1, float(t)])
    merged = [(k, (t + 180.0) % 360.0 - 180.0) for k, t in merged]
    return [(tuple(q[k]), t) for k, t in merged if abs(t) >= angle]


def along_one_axis(points, span=TURN_SPAN):
    """How much a stroke's straight legs lie along one line, 0 to 1: the length-weighted mean of their doubled
    direction angles (a leg and its way back count alike). A zigzag's legs go back and forth along one
    axis (0.7 to 1); the legs of a 3 or a 2 point every way."""
    p = _array(points)
    x0, y0, x1, y1 = box(p)
    q = simplify(p, span * float(np.hypot(x1 - x0, y1 - y0)))
    legs = np.diff(q, axis=0)
    lengths = np.hypot(*legs.T)
    if lengths.sum() == 0:
        return 0.0
    doubled = 2 * np.arctan2(legs[:, 1], legs[:, 0])
    return float(np.hypot((lengths * np.cos(doubled)).sum(), (lengths * np.sin(doubled)).sum()) / lengths.sum())


def is_zigzag(points, min_turns=MIN_TURNS, angle=TURN_ANGLE, axis=AXIS):
    """True when one stroke goes back and forth: at least `min_turns` sharp turns and a length of MIN_LENGTH
    times its box's diagonal or more."""
    p = _array(points)
    if len(p) < 4:
        return False
    x0, y0, x1, y1 = box(p)
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    length = float(np.hypot(*np.diff(p, axis=0).T).sum())
    if diagonal == 0 or length < MIN_LENGTH * diagonal or along_one_axis(p) < axis:
        return False
    found = [t for _, t in turns(p, angle)]
    # back and forth: each sharp turn the other way from the one before it (a spiral or an m turns one way)
    alternating = 1 + sum(1 for a, b in zip(found, found[1:]) if (a > 0) != (b > 0)) if found else 0
    return alternating >= min_turns


def inside_share(points, area):
    """Share of a stroke's length (its evenly resampled points) within the box `area` (x0, y0, x1, y1)."""
    q = resample(points, 32)
    x0, y0, x1, y1 = area
    within = (q[:, 0] >= x0) & (q[:, 0] <= x1) & (q[:, 1] >= y0) & (q[:, 1] <= y1)
    return float(within.mean())


def crosses(points, area, least=CROSS, beyond=BEYOND):
    """True when a stroke runs through the box `area`: `least` of its length or more inside, and reaching past
    two opposite sides of it (by `beyond` of the box's larger side)."""
    q = resample(points, 32)
    x0, y0, x1, y1 = area
    within = (q[:, 0] >= x0) & (q[:, 0] <= x1) & (q[:, 1] >= y0) & (q[:, 1] <= y1)
    if within.mean() < least or within.all():
        return False
    past = beyond * max(x1 - x0, y1 - y0)
    through_y = q[:, 1].min() < y0 - past and q[:, 1].max() > y1 + past
    through_x = q[:, 0].min() < x0 - past and q[:, 0].max() > x1 + past
    return bool(through_y or through_x)


def _widened(b, floor):
    """The box b with each side at least `floor` long, around its middle."""
    x0, y0, x1, y1 = b
    dx, dy = max(0.0, floor - (x1 - x0)) / 2, max(0.0, floor - (y1 - y0)) / 2
    return x0 - dx, y0 - dy, x1 + dx, y1 + dy


def hull(points):
    """The convex hull of (N, 2) points: (M, 2) corners in turning order (monotone chain); fewer than 3 when
    they lie on one line."""
    p = _array(points)
    if len(p) > 64:  # bounded work: points strictly inside the octagon of the extreme points are no corners
        angles = np.arange(8) * np.pi / 4
        ends = p[np.unique(np.argmax(p @ np.stack([np.cos(angles), np.sin(angles)]), axis=0))]
        if len(ends) >= 3:
            edge = np.roll(ends, -1, axis=0) - ends
            cross = edge[:, 0][None] * (p[:, 1][:, None] - ends[:, 1][None]) - \
                edge[:, 1][None] * (p[:, 0][:, None] - ends[:, 0][None])
            p = p[~((cross > 0).all(axis=1) | (cross < 0).all(axis=1))]
    p = sorted(set(map(tuple, p.tolist())))
    if len(p) < 3:
        return np.asarray(p, dtype=np.float64).reshape(-1, 2)

    def chain(ordered):
        out = []
        for c in ordered:
            while len(out) >= 2 and (out[-1][0] - out[-2][0]) * (c[1] - out[-2][1]) - \
                    (out[-1][1] - out[-2][1]) * (c[0] - out[-2][0]) <= 0:
                out.pop()
            out.append(c)
        return out

    return np.asarray(chain(p)[:-1] + chain(p[::-1])[:-1], dtype=np.float64)


def inside_hull_share(points, corners, grow):
    """Share of a stroke's length (its evenly resampled points) within the convex polygon `corners` (from
    hull) with each side moved out by `grow`."""
    q = resample(points, 32)
    a = corners
    edge = np.roll(a, -1, axis=0) - a
    norm = np.maximum(np.hypot(*edge.T), 1e-12)
    cross = (edge[:, 0][None] * (q[:, 1][:, None] - a[:, 1][None]) -
             edge[:, 1][None] * (q[:, 0][:, None] - a[:, 0][None])) / norm[None]
    return float((cross >= -grow).all(axis=1).mean())


def find(strokes, inside=INSIDE, margin=MARGIN, cover=COVER, cross=CROSS, **zigzag):
    """Indices of the strokes the last stroke scratches out, itself last; [] when it is no scratch-out.

    strokes: the drawing's strokes in writing order, each [(x, y), ...] (or (N, 2)); the last is the new one."""
    if len(strokes) < 2 or not is_zigzag(strokes[-1], **zigzag):
        return []
    zx0, zy0, zx1, zy1 = box(strokes[-1])
    grow = margin * max(zx1 - zx0, zy1 - zy0)
    # What the scribble covers is its ink's outline (its convex hull, grown by MARGIN), not its box: a slanted
    # zigzag's box reaches into the neighbours' corners where it has no ink.
    corners = hull(strokes[-1])
    if len(corners) >= 3:
        shares = [inside_hull_share(s, corners, grow) if len(s) else 0.0 for s in strokes[:-1]]
    else:
        grown = (zx0 - grow, zy0 - grow, zx1 + grow, zy1 + grow)
        shares = [inside_share(s, grown) if len(s) else 0.0 for s in strokes[:-1]]
    covered = [i for i, share in enumerate(shares) if share >= inside]
    # A stroke left that runs through the zigzag's own box (a +'s upright through a bar written over again, a
    # 3's back around its scribbled middle): the zigzag is part of writing, or what it would erase is unclear.
    own = (zx0, zy0, zx1, zy1)
    if not covered or any(share < inside and crosses(s, own, cross) for s, share in zip(strokes, shares)):
        return []
    under = box(np.concatenate([_array(strokes[i]) for i in covered]))
    # A flat or thin target (a minus, a 1) has a box of no area: each side counts at least a tenth of the larger.
    floor = 0.1 * max(under[2] - under[0], under[3] - under[1], 1e-9)
    under = _widened(under, floor)
    zig = _widened((zx0, zy0, zx1, zy1), floor)
    shared = max(0.0, min(zig[2], under[2]) - max(zig[0], under[0])) * \
        max(0.0, min(zig[3], under[3]) - max(zig[1], under[1]))
    if shared < cover * (under[2] - under[0]) * (under[3] - under[1]):
        return []
    return covered + [len(strokes) - 1]
