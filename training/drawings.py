"""Synthetic canvas drawings: black ink on a white (or transparent) canvas, as the page's drawing pad makes
them. The preprocessing tests and benchmark draw with it (MNIST test digits), and so does the training of the
segmentation reader (training/segments.py, MNIST training digits).

    draw_digit(digit, ...)         a digit from pen strokes (polylines), any canvas, position, size and pen
    mnist_ink(x28, ...)            an MNIST digit upscaled to pen-like strokes (random_pen: a random pen)
    render_mnist(x28, rng, ...)    that on a canvas at a random place and size
    compose(parts, ...)            several ink arrays side by side (random gaps, sizes, small overlaps)
    as_canvas(ink, ...)            an (H, W) ink array -> the RGBA/RGB image a canvas would give
    squeezed_pairs(x)              MNIST-style images two by two, squeezed side by side: not one digit

Ink arrays are (H, W) float32 in [0, 1], ink = 1.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# Pen strokes of each digit in a unit box: x in [0, 0.6], y in [0, 1] (y down), like a person draws them.
# Several strokes for one digit are lifted pen moves: the pieces segmentation must keep together.
STROKES = {
    0: [[(0.3, 0.0), (0.1, 0.12), (0.0, 0.5), (0.1, 0.88), (0.3, 1.0), (0.5, 0.88), (0.6, 0.5), (0.5, 0.12),
         (0.3, 0.0)]],
    1: [[(0.15, 0.2), (0.35, 0.0), (0.35, 1.0)]],
    2: [[(0.0, 0.2), (0.15, 0.03), (0.35, 0.0), (0.55, 0.12), (0.55, 0.35), (0.0, 1.0), (0.6, 1.0)]],
    3: [[(0.0, 0.1), (0.3, 0.0), (0.55, 0.12), (0.55, 0.35), (0.25, 0.48), (0.58, 0.62), (0.58, 0.88),
         (0.3, 1.0), (0.0, 0.9)]],
    4: [[(0.45, 1.0), (0.45, 0.0), (0.0, 0.65), (0.6, 0.65)]],
    5: [[(0.55, 0.0), (0.08, 0.0)],  # the top bar, drawn apart from the body
        [(0.05, 0.1), (0.0, 0.45), (0.3, 0.38), (0.55, 0.5), (0.58, 0.78), (0.4, 0.97), (0.15, 1.0), (0.0, 0.9)]],
    6: [[(0.5, 0.0), (0.2, 0.25), (0.02, 0.6), (0.08, 0.92), (0.3, 1.0), (0.52, 0.9), (0.55, 0.65),
         (0.3, 0.52), (0.05, 0.65)]],
    7: [[(0.0, 0.0), (0.6, 0.0), (0.2, 1.0)],
        [(0.15, 0.5), (0.5, 0.5)]],  # the cross bar
    8: [[(0.3, 0.5), (0.05, 0.35), (0.08, 0.08), (0.3, 0.0), (0.52, 0.08), (0.55, 0.35), (0.3, 0.5),
         (0.02, 0.7), (0.08, 0.93), (0.3, 1.0), (0.52, 0.93), (0.58, 0.7), (0.3, 0.5)]],
    9: [[(0.55, 0.3), (0.3, 0.42), (0.05, 0.3), (0.08, 0.05), (0.3, 0.0), (0.55, 0.1), (0.55, 0.3),
         (0.5, 1.0)]],
}
# A "4" in two strokes: the open angle, then the down stroke crossing its bar (not meeting the diagonal).
FOUR_IN_TWO = [[(0.3, 0.0), (0.0, 0.65), (0.6, 0.65)], [(0.45, 0.1), (0.45, 1.0)]]
# A "5" whose lifted bar sticks out far to the right, as many in MNIST: it overlaps the body's width little.
FIVE_LONG_BAR = [[(0.32, 0.0), (1.0, -0.03)],
                 [(0.3, 0.08), (0.05, 0.45), (0.3, 0.38), (0.55, 0.5), (0.58, 0.78), (0.4, 0.97), (0.15, 1.0),
                  (0.0, 0.9)]]
# An "8" as two loops, one over the other, apart with a thin pen: two large pieces stacked.
EIGHT_IN_TWO = [[(0.3, 0.0), (0.08, 0.1), (0.05, 0.3), (0.3, 0.45), (0.55, 0.3), (0.52, 0.1), (0.3, 0.0)],
                [(0.3, 0.53), (0.03, 0.65), (0.03, 0.9), (0.3, 1.0), (0.57, 0.9), (0.57, 0.65), (0.3, 0.53)]]


def draw_strokes(strokes, canvas=(280, 280), height=168, center=(140, 140), pen=15, fill="white"):
    """Pen strokes in the unit box, drawn black with a round pen of `pen` px, the box `height` px tall,
    centred at `center` on a canvas of (width, height) px. fill: "white" (RGB) or "transparent" (RGBA)."""
    mode, background = ("RGBA", (0, 0, 0, 0)) if fill == "transparent" else ("RGB", (255, 255, 255))
    image = Image.new(mode, canvas, background)
    draw = ImageDraw.Draw(image)
    black = (0, 0, 0, 255) if mode == "RGBA" else (0, 0, 0)
    left, top = center[0] - 0.3 * height, center[1] - 0.5 * height
    for stroke in strokes:
        points = [(left + x * height, top + y * height) for x, y in stroke]
        draw.line(points, fill=black, width=pen, joint="curve")
        for x, y in (points[0], points[-1]):  # round caps, as the canvas' lineCap = "round"
            draw.ellipse([x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2], fill=black)
    return image


def draw_digit(digit, canvas=(280, 280), height=168, center=None, pen=15, fill="white"):
    """The digit (0-9) drawn as pen strokes; see draw_strokes. center defaults to the canvas centre."""
    center = center or (canvas[0] / 2, canvas[1] / 2)
    return draw_strokes(STROKES[digit], canvas, height, center, pen, fill)


EDGE = 2  # px of room for the anti-aliased edge: the blur spreads this far


def mnist_ink(x28, height, thickness=0, level=0.5):
    """An MNIST digit (uint8 (28, 28), white on black) as a pen-like ink array: cropped to its ink, upscaled
    to `height` px, thresholded at `level` (a pen is solid), thickened (thickness > 0) or thinned (< 0) by that
    many px on each side, its edge softly anti-aliased. The array holds all of it, the soft edge included: a
    pen's stroke is round at the digit's edges, never cut flat by the array's."""
    rows, cols = np.nonzero(x28 > 0)
    crop = Image.fromarray(x28[rows.min():rows.max() + 1, cols.min():cols.max() + 1])
    scale = height / crop.height
    big = crop.resize((max(1, round(crop.width * scale)), height), Image.BICUBIC)
    margin = max(thickness, 0) + EDGE
    solid = Image.fromarray(np.pad((np.asarray(big) > 255 * level).astype(np.uint8) * 255, margin))
    if thickness:
        size = 2 * abs(thickness) + 1
        solid = solid.filter(ImageFilter.MaxFilter(size) if thickness > 0 else ImageFilter.MinFilter(size))
    smooth = np.asarray(solid.filter(ImageFilter.GaussianBlur(0.7)))
    rows, cols = np.nonzero(smooth)  # the array ends where the ink's soft edge does
    if len(rows):
        smooth = smooth[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    return smooth.astype(np.float32) / 255.0


def place(ink, canvas=(280, 280), top_left=(0, 0)):
    """An ink array pasted on a blank (H, W) ink canvas of (width, height) px at top_left (clipped)."""
    out = np.zeros((canvas[1], canvas[0]), dtype=np.float32)
    x, y = top_left
    h, w = ink.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, canvas[0]), min(y + h, canvas[1])
    out[y0:y1, x0:x1] = np.maximum(out[y0:y1, x0:x1], ink[y0 - y:y1 - y, x0 - x:x1 - x])
    return out


def random_pen(x28, rng, height):
    """mnist_ink with a random pen: a little thinner to clearly thicker than MNIST's stroke."""
    return mnist_ink(x28, height, int(rng.integers(-1, height // 25 + 1)), rng.uniform(0.3, 0.5))


def render_mnist(x28, rng, canvas=280):
    """An MNIST digit as a canvas drawing: random size (35-90 % of the canvas), place and pen; returns an RGB
    PIL image (black on white)."""
    ink = random_pen(x28, rng, int(rng.uniform(0.35, 0.9) * canvas))
    while max(ink.shape) > canvas:  # a wide digit (a slanted 7) drawn large
        ink = random_pen(x28, rng, int(0.8 * ink.shape[0]))
    x = int(rng.integers(0, canvas - ink.shape[1] + 1))
    y = int(rng.integers(0, canvas - ink.shape[0] + 1))
    return as_canvas(place(ink, (canvas, canvas), (x, y)))


def side_by_side(parts, rng, margin, gap):
    """Where ink arrays go left to right, separated by random gaps in units of the mean part width (negative:
    a small overlap, the parts touch): each part's left x, and the width of a canvas holding them all."""
    mean_width = np.mean([p.shape[1] for p in parts])
    xs, x = [], margin
    for part in parts:
        xs.append(x)
        x += part.shape[1] + int(rng.uniform(*gap) * mean_width)
    return xs, max(x0 + p.shape[1] for x0, p in zip(xs, parts)) + margin


def compose(parts, rng, height=280, margin=20, gap=(-0.08, 0.35)):
    """Ink arrays side by side on one canvas `height` px tall (wide enough for all), each at a random
    vertical place (gaps: side_by_side). Returns the (H, W) ink array and each part's (x0, x1) extent."""
    xs, width = side_by_side(parts, rng, margin, gap)
    out = np.zeros((height, width), dtype=np.float32)
    for x0, part in zip(xs, parts):
        y0 = int(rng.integers(margin, max(margin, height - margin - part.shape[0]) + 1))
        out = np.maximum(out, place(part, (width, height), (x0, y0)))
    return out, [(x0, x0 + p.shape[1]) for x0, p in zip(xs, parts)]


def as_canvas(ink, fill="white"):
    """An (H, W) ink array -> the image a canvas gives: black ink on white (RGB), or on transparent (RGBA,
    ink in the alpha channel, as a canvas that was never filled)."""
    level = np.clip(ink * 255 + 0.5, 0, 255).astype(np.uint8)
    if fill == "transparent":
        rgba = np.zeros(ink.shape + (4,), dtype=np.uint8)
        rgba[..., 3] = level
        return Image.fromarray(rgba, "RGBA")
    return Image.fromarray(255 - level).convert("RGB")


def squeezed_pairs(x):
    """(2N, 28, 28[, 1]) MNIST-style images -> (N, 28, 28[, 1]): each two squeezed side by side into one image
    (every other column of each), a quick stand-in for "not one digit" in tests."""
    return np.concatenate([x[0::2, :, ::2], x[1::2, :, ::2]], axis=2)
