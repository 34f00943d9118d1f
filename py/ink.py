"""The ink of a drawing and its pieces, shared by py/preprocess.py (a symbol's ink -> the nets' 28x28) and
py/segment.py / py/strokes.py (which ink makes a symbol).

Ink is an (H, W) float32 array in [0, 1], ink = 1, y down, in pixels; boxes are (x0, y0, x1, y1), ends exclusive.

    from_image(image)         PIL image                  -> ink
    from_rgba(buf, w, h)      canvas getImageData bytes  -> ink (skips PNG encode/decode)
    as_ink(image)             image or ink               -> ink at working size, factor back to the input's pixels
    Pieces(ink)               8-connected pieces of ink: runs, boxes, masses, outlines, masks
    digit_components(...)     the pieces that are not specks
    stroke_width(binary)      mean pen width in px
    grown(mask), box_of(mask), crop(ink, window), framed(array, rows, columns)
    render(strokes, ...)      strokes (lists of points) drawn with a round pen -> ink

Pure Python + numpy + Pillow: it runs the same under CPython and in the page (Pyodide).
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

# --- Every threshold, in one place -------------------------------------------------------------------------
MAX_PIXELS = 16_000_000               # pixels accepted in total from the canvas
WORK_MAX_SIDE = 800                   # larger images are reduced first: plenty for 28x28, and fast
INK_LEVEL = 0.15                      # a pixel with more ink than this is part of a stroke (for geometry)
MIN_DIGIT_FRACTION = 0.03             # ink smaller than this fraction of the canvas's short side is no digit
SPECK_MASS_FRACTION = 0.06            # a piece with less ink than this share of the largest piece is a speck
OUTLINE_POINTS = 400                  # (ink distance is measured between at most this many points per piece)
RENDER_SUPERSAMPLE = 4                # render() draws this many times larger, then averages: anti-aliased edges


class PreprocessError(ValueError):
    """The input is not a drawing this app can read; the message is fit to show a person."""


# --- Pixels to ink -----------------------------------------------------------------------------------------

def from_image(image: Image.Image) -> np.ndarray:
    """(H, W) float32 in [0, 1], ink = 1. Transparent pixels are background; dark-background images are not
    inverted (their bright strokes are the ink)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    gray = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    return _ink_from_gray(gray)


def from_rgba(buffer, width: int, height: int) -> np.ndarray:
    """Canvas `getImageData` bytes (RGBA, row-major) -> (H, W) ink array, alpha composited over white."""
    pixels = np.frombuffer(buffer, dtype=np.uint8)
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS or pixels.size != width * height * 4:
        raise PreprocessError("The canvas pixels do not match a %dx%d image." % (width, height))
    rgba = pixels.reshape(height, width, 4)
    red = rgba[..., 0]
    if (rgba[..., 3] == 255).all() and (rgba[..., 1] == red).all() and (rgba[..., 2] == red).all():
        return _ink_from_gray(_OPAQUE_GRAYS[red])  # the pad's drawings: the same numbers, looked up
    return _ink_from_gray(_composited(rgba))


def _composited(rgba: np.ndarray) -> np.ndarray:
    """(..., 4) uint8 RGBA -> (...) float32 luminance in [0, 1], alpha composited over white."""
    rgba = rgba.astype(np.float32) / 255.0
    alpha = rgba[..., 3]
    luminance = rgba[..., 0] * 0.299 + rgba[..., 1] * 0.587 + rgba[..., 2] * 0.114
    return luminance * alpha + (1.0 - alpha)


# The 256 opaque grays composited: a canvas drawn in one gray ink on white has only these.
_OPAQUE_GRAYS = _composited(np.stack([np.arange(256, dtype=np.uint8)] * 3 + [np.full(256, 255, np.uint8)], axis=1))


def _ink_from_gray(gray: np.ndarray) -> np.ndarray:
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    return gray if np.median(border) < 0.5 else (1.0 - gray).astype(np.float32)


def as_ink(image) -> tuple[np.ndarray, float]:
    """Ink array at working size, and the factor from working to input coordinates."""
    array = from_image(image) if isinstance(image, Image.Image) else np.asarray(image, dtype=np.float32)
    if array.ndim != 2 or array.size == 0:
        raise PreprocessError("Expected a 2-D drawing, got shape %s." % (array.shape,))
    longest = max(array.shape)
    if longest <= WORK_MAX_SIDE:
        return array, 1.0
    factor = longest / WORK_MAX_SIDE
    size = (max(1, round(array.shape[1] / factor)), max(1, round(array.shape[0] / factor)))
    reduced = Image.fromarray(array, mode="F").resize(size, Image.BOX)
    return np.asarray(reduced, dtype=np.float32), factor


class Pieces:
    """8-connected components of ink, found from horizontal runs with a union-find.

    runs: rows, starts, ends (exclusive) of each run of ink; label: the component of each run.
    Per component: mass (summed ink), box (x0, y0, x1, y1) exclusive ends."""

    def __init__(self, array: np.ndarray):
        mask = array > INK_LEVEL
        height, width = mask.shape
        edged = framed(mask.view(np.int8), 0, 1)
        edges = edged[:, 1:] - edged[:, :-1]
        self.rows, self.starts = np.nonzero(edges == 1)
        self.ends = np.nonzero(edges == -1)[1]
        self.label = self._connect()
        sums = np.zeros((height, width + 1), dtype=np.result_type(array.dtype, np.float32))
        sums[:, 1:] = np.cumsum(array, axis=1)
        run_mass = sums[self.rows, self.ends] - sums[self.rows, self.starts]
        n = int(self.label.max()) + 1 if self.label.size else 0
        self.count = n
        self.mass = np.bincount(self.label, weights=run_mass, minlength=n)
        self.box = np.zeros((n, 4), dtype=np.int64)
        self.box[:, :2] = [width, height]
        np.minimum.at(self.box[:, 0], self.label, self.starts)
        np.minimum.at(self.box[:, 1], self.label, self.rows)
        np.maximum.at(self.box[:, 2], self.label, self.ends)
        np.maximum.at(self.box[:, 3], self.label, self.rows + 1)
        self.shape = mask.shape

    def _connect(self) -> np.ndarray:
        """Each run's component: runs touching (diagonals included) joined with a union-find, in run order;
        components numbered in the order of their roots' run indices.

        A run touching just one run above joins that run's tree and nothing else: it is linked to that run
        up front, all at once (the roots, and so the numbering, come out the same); only the runs touching
        several above (where strokes meet) are joined one by one."""
        below, above = touching(self.rows, self.starts, self.ends)  # (run, a run in the row above it)
        single = np.bincount(below, minlength=len(self.rows))[below] == 1
        links = np.arange(len(self.rows))
        links[below[single]] = above[single]
        parent = links.tolist()

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, j in zip(below[~single].tolist(), above[~single].tolist()):
            a, b = find(i), find(j)
            if a != b:
                parent[a] = b
        roots = np.array(parent, dtype=np.int64)
        while True:  # every run's root, by pointer jumping (a few numpy steps, not a find per run)
            up = roots[roots]
            if np.array_equal(up, roots):
                break
            roots = up
        _, label = np.unique(roots, return_inverse=True)
        return label.reshape(-1)

    def outline(self, component) -> np.ndarray:
        """(N, 2) int32 points (x, y) at both ends of each of a component's runs: its outline, roughly (at most
        OUTLINE_POINTS of them, for speed)."""
        chosen = self.label == component
        rows = self.rows[chosen]
        points = np.concatenate([np.stack([self.starts[chosen], rows], axis=1),
                                 np.stack([self.ends[chosen] - 1, rows], axis=1)]).astype(np.int32)
        return points[::max(1, len(points) // OUTLINE_POINTS)]

    def window(self, components):
        """The box around the given components, one pixel larger on each side (for anti-aliased edges)."""
        box = self.box[list(components)]
        height, width = self.shape
        return (max(int(box[:, 0].min()) - 1, 0), max(int(box[:, 1].min()) - 1, 0),
                min(int(box[:, 2].max()) + 1, width), min(int(box[:, 3].max()) + 1, height))

    def mask_of(self, components, window) -> np.ndarray:
        """Boolean mask of the given components' runs inside window (x0, y0, x1, y1), in its coordinates."""
        x0, y0, x1, y1 = window
        mask = np.zeros((y1 - y0, x1 - x0), dtype=bool)
        member = np.zeros(self.count, dtype=bool)  # (a lookup: np.isin is a dozen numpy calls)
        member[list(components)] = True
        chosen = member[self.label]
        firsts = (self.rows[chosen] - y0) * (x1 - x0) + self.starts[chosen] - x0  # runs' first pixels, flat
        mask.reshape(-1)[spans(firsts, self.ends[chosen] - self.starts[chosen])] = True
        return mask


def spans(firsts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Every index of the spans firsts[k], firsts[k] + 1, ..., firsts[k] + lengths[k] - 1, concatenated:
    (sum(lengths),) (the pixels of runs, in one step instead of a slice per run)."""
    before = np.cumsum(lengths) - lengths  # where each span starts in the output
    return np.arange(int(lengths.sum())) + np.repeat(firsts - before, lengths)


def framed(array: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """The array inside a frame of zeros, `rows` above and below, `columns` left and right (as np.pad does,
    in two numpy calls instead of a dozen: small numpy calls are slow in the page)."""
    height, width = array.shape
    framed = np.zeros((height + 2 * rows, width + 2 * columns), dtype=array.dtype)
    framed[rows:rows + height, columns:columns + width] = array
    return framed


def touching(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of runs where run j, in the row above run i, touches it (diagonals included), ordered by i
    then j. Runs: (N,) int arrays of rows, starts and ends (exclusive), ordered by row then start (so ends too).
    In a row, the runs touching a given span are consecutive: two binary searches find them all at once."""
    if not len(rows):
        return rows[:0], rows[:0]
    stride = int(ends.max()) + 2  # (row, column) as one sortable number
    start_keys, end_keys = rows * stride + starts, rows * stride + ends
    first = np.searchsorted(end_keys, (rows - 1) * stride + starts, side="left")  # above: ends at or after start
    stop = np.searchsorted(start_keys, (rows - 1) * stride + ends, side="right")  # above: starts at or before end
    counts = np.maximum(stop - first, 0)
    i = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts)
    return i, np.repeat(first, counts) + offsets


def digit_components(pieces: Pieces, short_side: int) -> list[int]:
    """Components that are not specks; empty when the drawing is blank or too small to be a digit."""
    if pieces.count == 0:
        return []
    sizes = np.maximum(pieces.box[:, 2] - pieces.box[:, 0], pieces.box[:, 3] - pieces.box[:, 1])
    if sizes.max() < MIN_DIGIT_FRACTION * short_side:
        return []
    keep = pieces.mass >= SPECK_MASS_FRACTION * pieces.mass.max()
    return [int(i) for i in np.nonzero(keep)[0]]


def stroke_width(binary: np.ndarray) -> float:
    """Mean stroke width in px of a binary image: area / half the boundary (a stroke of width w, length L
    has area wL and about 2L boundary pixels)."""
    area = int(binary.sum())
    # inner: ink whose 4 neighbours are ink (pixels on the image's edge have a blank one beyond it)
    inner = binary[1:-1, 1:-1] & binary[:-2, 1:-1] & binary[2:, 1:-1] & binary[1:-1, :-2] & binary[1:-1, 2:]
    boundary = area - int(inner.sum())
    return 2.0 * area / max(boundary, 1)


def grown(mask: np.ndarray) -> np.ndarray:
    """The mask grown by one pixel, so the anti-aliased edge of a stroke stays with it."""
    across = mask.copy()  # the 3x3 square, along rows then along columns
    across[:, 1:] |= mask[:, :-1]
    across[:, :-1] |= mask[:, 1:]
    grown = across.copy()
    grown[1:] |= across[:-1]
    grown[:-1] |= across[1:]
    return grown


def box_of(mask: np.ndarray):
    """(x0, y0, x1, y1) around the True pixels of a non-empty (H, W) mask, ends exclusive."""
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def crop(array: np.ndarray, window) -> np.ndarray:
    """The part of an (H, W) array inside window (x0, y0, x1, y1) (a view)."""
    x0, y0, x1, y1 = window
    return array[y0:y1, x0:x1]


# --- Strokes to ink ----------------------------------------------------------------------------------------

def render(strokes, shape, scale: float = 1.0, offset=(0.0, 0.0), pen: float = 1.0) -> np.ndarray:
    """Strokes drawn with a round pen -> (H, W) float32 ink in [0, 1], anti-aliased.

    strokes: list of (K, 2) arrays of points (x, y), y down, in any unit; a point p lands at (p - offset) * scale
    px of an image of shape (H, W); pen: the pen's width in those px. A stroke of one point (a tap) is a dot."""
    height, width = shape
    big = RENDER_SUPERSAMPLE
    image = Image.new("L", (width * big, height * big), 0)
    draw = ImageDraw.Draw(image)
    size = max(pen * big, 1.0)
    radius = size / 2
    shift = np.asarray(offset, dtype=np.float64)
    for points in strokes:
        points = (np.asarray(points, dtype=np.float64).reshape(-1, 2) - shift) * (scale * big)
        if not len(points):
            continue
        flat = points.ravel().tolist()
        if len(points) > 1:
            draw.line(flat, fill=255, width=max(int(round(size)), 1))
        # round caps, and round joints where the stroke turns (Pillow's joint="curve" is 10x slower)
        turns = _turns(points)
        for x, y in points[turns]:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(image.reduce(big), dtype=np.float32) / 255.0


def _turns(points: np.ndarray) -> np.ndarray:
    """(K,) bool: the ends of a polyline (K, 2), and the points where it turns by more than 30 degrees."""
    turns = np.zeros(len(points), dtype=bool)
    turns[[0, -1]] = True
    if len(points) > 2:
        before, after = points[1:-1] - points[:-2], points[2:] - points[1:-1]
        dot = (before * after).sum(axis=1)
        lengths = np.hypot(*before.T) * np.hypot(*after.T)
        turns[1:-1] = dot < 0.87 * lengths
    return turns
