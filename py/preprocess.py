"""Turn a canvas drawing into what the networks were trained on.

A drawing is black ink on white, of any size, anywhere on the canvas, with any pen. MNIST digits are white ink
on black, fitted in a 20x20 box (aspect kept, anti-aliased) and centred by centre of mass in 28x28, with a stroke
about an eighth of the digit's size. This module brings one to the other:

    decode_image(data)      data URL / base64 / bytes  -> PIL image          (bad input: PreprocessError)
    ink(image)              PIL image                  -> (H, W) float32 in [0, 1], ink = 1
    from_rgba(buf, w, h)    canvas getImageData bytes  -> (H, W) ink array  (skips PNG encode/decode)
    to_mnist(image)         image or ink array         -> (28, 28) float32 in [0, 1], ink = 1, or None if blank
    Pieces(array)           the connected pieces of ink, for py/segment.py, which splits a line into symbols

Pure Python + numpy + Pillow: it runs the same under CPython and in the page (Pyodide).
"""
from __future__ import annotations

import base64
import binascii
import io

import numpy as np
from PIL import Image

# --- Every threshold, in one place -------------------------------------------------------------------------
# Input limits
MAX_PAYLOAD_BYTES = 8 * 1024 * 1024   # a 4K canvas PNG is ~1-3 MB; more is not a drawing
MAX_SIDE = 4096                       # pixels per side accepted from a decoded image
MAX_PIXELS = 16_000_000               # and in total (checked before decoding: no decompression bombs)
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
WORK_MAX_SIDE = 800                   # larger images are reduced first: plenty for 28x28, and fast
# Ink and pieces
INK_LEVEL = 0.15                      # a pixel with more ink than this is part of a stroke (for geometry)
MIN_DIGIT_FRACTION = 0.03             # ink smaller than this fraction of the canvas's short side is no digit
SPECK_MASS_FRACTION = 0.06            # a piece with less ink than this share of the largest piece is a speck
OUTLINE_POINTS = 400                  # (ink distance is measured between at most this many points per piece)
# MNIST's geometry and stroke
BOX = 20                              # the digit is fitted in a 20x20 box ...
SIZE = 28                             # ... inside a 28x28 image
TARGET_STROKE = 0.125                 # median stroke width / digit size on MNIST's test set (10-90 %: 0.09-0.18)
STROKE_TOLERANCE = 0.3                # leave strokes within +-30 % of the target alone
THIN_SHARE = 0.5                      # thin a thick pen by this share of the excess only, so no stroke vanishes
WORK_BOX = 4 * BOX                    # strokes are thickened/thinned with the digit at least this size ...
WORK_STROKE = 2.0                     # ... and large enough that the pen is this many px wide there
WORK_MAX = 12 * BOX                   # ... but never larger than this (speed)


class PreprocessError(ValueError):
    """The input is not a drawing this app can read; the message is fit to show a person."""


# --- Decoding ----------------------------------------------------------------------------------------------

def decode_image(data) -> Image.Image:
    """A canvas data URL (PNG or JPEG), bare base64, or image bytes -> a loaded PIL image."""
    if isinstance(data, str):
        raw = _decode_text(data.strip())
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise PreprocessError("Expected an image as a data URL, base64 text or bytes, not %s."
                              % type(data).__name__)
    if not raw:
        raise PreprocessError("The image is empty.")
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise PreprocessError("The image is too large (%d MB; at most %d MB)."
                              % (len(raw) // 2 ** 20, MAX_PAYLOAD_BYTES // 2 ** 20))
    try:
        image = Image.open(io.BytesIO(raw))  # reads the header only: the size is checked before decoding
    except Image.DecompressionBombError:
        raise PreprocessError("The image is far too many pixels; at most %dx%d is accepted."
                              % (MAX_SIDE, MAX_SIDE)) from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for "not an image"
        raise PreprocessError("That is not an image Digit Factoid can read.") from None
    width, height = image.size
    if image.format not in FORMATS:
        raise PreprocessError("Images in %s format are not supported." % image.format)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE and width * height <= MAX_PIXELS):
        raise PreprocessError("The image is %dx%d pixels; at most %dx%d is accepted."
                              % (width, height, MAX_SIDE, MAX_SIDE))
    try:
        image.load()
    except Exception:  # noqa: BLE001
        raise PreprocessError("The image data is damaged or incomplete.") from None
    return image


def _decode_text(text: str) -> bytes:
    if len(text) > MAX_PAYLOAD_BYTES * 4 // 3 + 100:
        raise PreprocessError("The image is too large (at most %d MB)." % (MAX_PAYLOAD_BYTES // 2 ** 20))
    if text.startswith("data:"):
        header, comma, text = text.partition(",")
        if not comma or not header.endswith(";base64"):
            raise PreprocessError("The data URL is not base64-encoded.")
        mime = header[5:-7].lower()
        if mime not in ("image/png", "image/jpeg", "image/jpg", "image/webp"):
            raise PreprocessError("The data URL holds %s, not a PNG or JPEG image." % (mime or "no type"))
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise PreprocessError("The image data is not valid base64.") from None


# --- Pixels to ink -----------------------------------------------------------------------------------------

def ink(image: Image.Image) -> np.ndarray:
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


def _as_ink(image) -> tuple[np.ndarray, float]:
    """Ink array at working size, and the factor from working to input coordinates."""
    array = ink(image) if isinstance(image, Image.Image) else np.asarray(image, dtype=np.float32)
    if array.ndim != 2 or array.size == 0:
        raise PreprocessError("Expected a 2-D drawing, got shape %s." % (array.shape,))
    longest = max(array.shape)
    if longest <= WORK_MAX_SIDE:
        return array, 1.0
    factor = longest / WORK_MAX_SIDE
    size = (max(1, round(array.shape[1] / factor)), max(1, round(array.shape[0] / factor)))
    reduced = Image.fromarray(array, mode="F").resize(size, Image.BOX)
    return np.asarray(reduced, dtype=np.float32), factor


# --- Connected pieces of ink -------------------------------------------------------------------------------

class Pieces:
    """8-connected components of ink, found from horizontal runs with a union-find.

    runs: rows, starts, ends (exclusive) of each run of ink; label: the component of each run.
    Per component: mass (summed ink), box (x0, y0, x1, y1) exclusive ends."""

    def __init__(self, array: np.ndarray):
        mask = array > INK_LEVEL
        height, width = mask.shape
        framed = _framed(mask.view(np.int8), 0, 1)
        edges = framed[:, 1:] - framed[:, :-1]
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
        below, above = _touching(self.rows, self.starts, self.ends)  # (run, a run in the row above it)
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
        mask.reshape(-1)[_spans(firsts, self.ends[chosen] - self.starts[chosen])] = True
        return mask


def _spans(firsts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Every index of the spans firsts[k], firsts[k] + 1, ..., firsts[k] + lengths[k] - 1, concatenated:
    (sum(lengths),) (the pixels of runs, in one step instead of a slice per run)."""
    before = np.cumsum(lengths) - lengths  # where each span starts in the output
    return np.arange(int(lengths.sum())) + np.repeat(firsts - before, lengths)


def _framed(array: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """The array inside a frame of zeros, `rows` above and below, `columns` left and right (as np.pad does,
    in two numpy calls instead of a dozen: small numpy calls are slow in the page)."""
    height, width = array.shape
    framed = np.zeros((height + 2 * rows, width + 2 * columns), dtype=array.dtype)
    framed[rows:rows + height, columns:columns + width] = array
    return framed


def _touching(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def _digit_components(pieces: Pieces, short_side: int) -> list[int]:
    """Components that are not specks; empty when the drawing is blank or too small to be a digit."""
    if pieces.count == 0:
        return []
    sizes = np.maximum(pieces.box[:, 2] - pieces.box[:, 0], pieces.box[:, 3] - pieces.box[:, 1])
    if sizes.max() < MIN_DIGIT_FRACTION * short_side:
        return []
    keep = pieces.mass >= SPECK_MASS_FRACTION * pieces.mass.max()
    return [int(i) for i in np.nonzero(keep)[0]]


# --- One digit to MNIST ------------------------------------------------------------------------------------

def _stroke_width(binary: np.ndarray) -> float:
    """Mean stroke width in px of a binary image: area / half the boundary (a stroke of width w, length L
    has area wL and about 2L boundary pixels)."""
    area = int(binary.sum())
    # inner: ink whose 4 neighbours are ink (pixels on the image's edge have a blank one beyond it)
    inner = binary[1:-1, 1:-1] & binary[:-2, 1:-1] & binary[2:, 1:-1] & binary[1:-1, :-2] & binary[1:-1, 2:]
    boundary = area - int(inner.sum())
    return 2.0 * area / max(boundary, 1)


def _morph(work: np.ndarray, radius: int, grow: bool) -> np.ndarray:
    """Grey dilation (grow) or erosion by `radius` px, alternating 3x3 square and cross steps so that the
    pen stays nearly round (an octagon) rather than square."""
    pick = np.maximum if grow else np.minimum
    for step in range(radius):
        framed = _framed(work, 1, 1)  # zeros beyond the edges
        if step % 2 == 0:  # the 3x3 square: along rows, then along columns (max and min are separable)
            across = pick(pick(framed[:, :-2], framed[:, 2:]), framed[:, 1:-1])
            work = pick(pick(across[:-2], across[2:]), across[1:-1])
        else:  # the cross: the pixel and its 4 neighbours
            across = pick(pick(framed[1:-1, :-2], framed[1:-1, 2:]), work)
            work = pick(pick(across, framed[:-2, 1:-1]), framed[2:, 1:-1])
    return work


def _fit_box(digit: np.ndarray) -> np.ndarray:
    """A cropped ink array -> the digit fitted in a BOX-sized frame (aspect kept), float32 in [0, 1], its
    strokes thickened or thinned toward MNIST's width relative to the digit's size."""
    side = max(digit.shape)
    solid = digit > min(0.5, float(digit.max()) / 2)  # a faint drawing still has strokes
    stroke = _stroke_width(solid) / side  # relative to the digit's size, so independent of scale
    if abs(stroke - TARGET_STROKE) <= STROKE_TOLERANCE * TARGET_STROKE:
        return _resized(digit, BOX / side, Image.LANCZOS)
    work_side = min(max(WORK_BOX, WORK_STROKE / stroke), WORK_MAX)
    work = _resized(digit, work_side / side, Image.LANCZOS)
    change = (TARGET_STROKE - stroke) if stroke < TARGET_STROKE else THIN_SHARE * (TARGET_STROKE - stroke)
    radius = int(round(abs(change) * work_side / 2))  # the stroke grows or shrinks on both sides
    if change > 0:
        work = _morph(_framed(work, radius, radius), radius, grow=True)
    else:
        work = _morph(work, radius, grow=False)
    x0, y0, x1, y1 = _box_of(work > INK_LEVEL)  # thinning pulls the ink in from the crop's edges
    work = work[y0:y1, x0:x1]
    return _resized(work, BOX / max(work.shape), Image.BOX)


def _resized(array: np.ndarray, scale: float, method) -> np.ndarray:
    height, width = array.shape
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = Image.fromarray(np.clip(array, 0.0, 1.0).astype(np.float32), mode="F").resize(size, method)
    return np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)


def _center(digit: np.ndarray) -> np.ndarray:
    """Paste a BOX-fitted digit into SIZE x SIZE so that its centre of mass is at the centre."""
    height, width = digit.shape
    total = digit.sum()
    ys, xs = np.indices(digit.shape)
    cy = (ys * digit).sum() / total if total > 0 else height / 2
    cx = (xs * digit).sum() / total if total > 0 else width / 2
    top = int(round(SIZE / 2 - cy - 0.5))
    left = int(round(SIZE / 2 - cx - 0.5))
    top = min(max(top, 0), SIZE - height)
    left = min(max(left, 0), SIZE - width)
    out = np.zeros((SIZE, SIZE), dtype=np.float32)
    out[top:top + height, left:left + width] = digit
    return out


def _normalize(array: np.ndarray, mask: np.ndarray, box) -> np.ndarray:
    """The ink under mask inside box -> (28, 28) float32 in [0, 1], MNIST-style."""
    x0, y0, x1, y1 = box
    crop = array[y0:y1, x0:x1] * mask[y0:y1, x0:x1]
    return _center(np.clip(_fit_box(crop), 0.0, 1.0))


def _grown(mask: np.ndarray) -> np.ndarray:
    """The mask grown by one pixel, so the anti-aliased edge of a stroke stays with it."""
    across = mask.copy()  # the 3x3 square, along rows then along columns
    across[:, 1:] |= mask[:, :-1]
    across[:, :-1] |= mask[:, 1:]
    grown = across.copy()
    grown[1:] |= across[:-1]
    grown[:-1] |= across[1:]
    return grown


def _box_of(mask: np.ndarray):
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def to_mnist(image):
    """A drawing (PIL image or (H, W) ink array, ink = 1) -> (28, 28) float32 in [0, 1], ink = 1, MNIST-style;
    None when there is no ink (or only specks). All the ink is taken as one digit."""
    array, _ = _as_ink(image)
    pieces = Pieces(array)
    components = _digit_components(pieces, min(array.shape))
    if not components:
        return None
    window = pieces.window(components)
    mask = pieces.mask_of(components, window)
    return _normalize(_crop(array, window), _grown(mask), _box_of(mask))


def _crop(array: np.ndarray, window) -> np.ndarray:
    x0, y0, x1, y1 = window
    return array[y0:y1, x0:x1]
