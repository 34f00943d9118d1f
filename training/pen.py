"""Pen strokes, drawn the way the page's pad draws them: a round pen on a 280 px canvas.

The pad (static/pad.js) gives Python a snapshot whose shorter side is 280 px, drawn with a round pen (BRUSH, now
1/20 of it: 14 px; the shipped nets were trained with 20 px, 1/14, and pens from 5 to 40 px in the "held" ways).
Training and the benchmarks draw symbols the same way:

    trace(x28)                    an MNIST digit (uint8 (28, 28)) -> its pen strokes: skeleton -> polylines
    warp(strokes, rng, ...)       strokes slanted, rotated, squeezed and made wobbly, as hands do
    render(strokes, rng, ...)     strokes -> (280, 280) float32 ink array (ink = 1), at a random size and place

Strokes are lists of (K, 2) float arrays of (x, y) points, y down, in any units: render fits them to a height.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

CANVAS = 280
PEN = 20                  # px: the pad's former BRUSH (1/14) of its 280 px snapshot (the data's seed pen)
TRACE_SCALE = 4           # skeletons are found on the digit upscaled this much (smoother lines)
TRACE_LEVEL = 0.35        # share of full ink where MNIST's anti-aliased edge counts as ink
# The 8 neighbours, 4-connected first: a chain prefers straight steps over diagonal shortcuts.
STEPS = ((0, 1), (1, 0), (0, -1), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1))


def trace(x28: np.ndarray) -> list[np.ndarray]:
    """An MNIST digit (uint8 or float (28, 28), white on black) -> its strokes, in px of the 28 px grid."""
    from skimage.morphology import skeletonize

    x = np.asarray(x28, dtype=np.float32)
    x = x / max(float(x.max()), 1e-6)
    size = 28 * TRACE_SCALE
    big = np.asarray(Image.fromarray((x * 255).astype(np.uint8)).resize((size, size), Image.BICUBIC))
    skeleton = skeletonize(big > TRACE_LEVEL * 255)
    return [chain[:, ::-1].astype(np.float32) / TRACE_SCALE for chain in _chains(skeleton)]


def _chains(skeleton: np.ndarray) -> list[np.ndarray]:
    """A one-pixel-wide skeleton -> polylines ((K, 2) arrays of (row, col)) covering each of its edges once,
    walked from the line ends first so that a stroke is one chain, not many."""
    points = set(zip(*np.nonzero(skeleton)))
    if not points:
        return []

    def neighbours(p):
        return [(p[0] + dy, p[1] + dx) for dy, dx in STEPS if (p[0] + dy, p[1] + dx) in points]

    used, chains = set(), []
    ends = sorted(p for p in points if len(neighbours(p)) == 1)
    for start in ends + sorted(points):
        for first in neighbours(start):
            if frozenset((start, first)) in used:
                continue
            chain, here, step = [start], start, first
            while step is not None:
                used.add(frozenset((here, step)))
                chain.append(step)
                here = step
                step = next((q for q in neighbours(here) if frozenset((here, q)) not in used), None)
            chains.append(np.array(chain, dtype=np.float32))
    singles = points - {p for edge in used for p in edge}
    chains += [np.array([p], dtype=np.float32) for p in sorted(singles)]
    return chains


def bounds(strokes):
    """(x0, y0, x1, y1) of all points."""
    allpoints = np.concatenate(strokes)
    return (*allpoints.min(axis=0), *allpoints.max(axis=0))


def warp(strokes, rng, slant=0.0, rotation=0.0, aspect=1.0, wobble=0.0):
    """Strokes transformed about their centre: slant (degrees, the top leans right for > 0), rotation (degrees),
    aspect (width factor), and wobble (a smooth random displacement, as a share of the height)."""
    x0, y0, x1, y1 = bounds(strokes)
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2], np.float32)
    height = max(y1 - y0, x1 - x0, 1e-6)
    shear = np.tan(np.radians(slant))
    angle = np.radians(rotation)
    matrix = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ np.array(
        [[aspect, -shear], [0.0, 1.0]])
    waves = [(rng.uniform(1.0, 3.0), rng.uniform(0, 2 * np.pi), rng.uniform(-1, 1)) for _ in range(4)]
    out = []
    for stroke in strokes:
        p = (stroke - centre) / height
        if wobble:  # a few long waves over the plane, so neighbouring points move together
            shift = np.zeros_like(p)
            for axis, (freq, phase, amp) in zip((0, 1, 0, 1), waves):
                shift[:, axis] += amp * np.sin(2 * np.pi * freq * (p[:, 1 - axis]) + phase)
            p = p + wobble * shift / 2
        out.append((p @ matrix.T).astype(np.float32))
    return out


def ink_of(strokes, scale, pen=PEN):
    """Strokes drawn with a round pen of `pen` px at `scale` px per unit -> their ink, cropped to it
    ((H, W) float32 in [0, 1], ink = 1)."""
    x0, y0, x1, y1 = bounds(strokes)
    margin = pen / 2 + 1
    width, height = int(np.ceil((x1 - x0) * scale + 2 * margin)), int(np.ceil((y1 - y0) * scale + 2 * margin))
    image = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        points = [(margin + (x - x0) * scale, margin + (y - y0) * scale) for x, y in stroke]
        if len(points) > 1:
            draw.line(points, fill=255, width=max(1, int(round(pen))), joint="curve")
        for x, y in (points[0], points[-1]):  # round caps, as the canvas' lineCap = "round"
            draw.ellipse([x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2], fill=255)
    return np.asarray(image, dtype=np.float32) / 255.0


def render(strokes, rng, height=(0.35, 0.9), pen=PEN, canvas=CANVAS, width_limit=0.95):
    """Strokes drawn with a round pen of `pen` px, their height a random share (`height` range) of a square
    canvas of `canvas` px, at a random place -> (canvas, canvas) float32 ink in [0, 1], ink = 1. A wide symbol
    (a minus) is drawn at most `width_limit` of the canvas wide."""
    x0, y0, x1, y1 = bounds(strokes)
    span_y, span_x = max(y1 - y0, 1e-6), max(x1 - x0, 1e-6)
    scale = rng.uniform(*height) * (canvas - pen) / max(span_y, 0.25 * span_x)
    scale = min(scale, width_limit * (canvas - pen) / span_x)
    ink = ink_of(strokes, scale, pen)
    h, w = ink.shape
    left = int(rng.integers(0, max(0, canvas - w) + 1))
    top = int(rng.integers(0, max(0, canvas - h) + 1))
    out = np.zeros((canvas, canvas), np.float32)
    out[top:top + h, left:left + w] = ink[:canvas - top, :canvas - left]
    return out
