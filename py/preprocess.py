"""Turn a canvas drawing into what the networks were trained on, and split a number into its digits.

A drawing is black ink on white, of any size, anywhere on the canvas, with any pen. MNIST digits are white ink
on black, fitted in a 20x20 box (aspect kept, anti-aliased) and centred by centre of mass in 28x28, with a stroke
about an eighth of the digit's size. This module brings one to the other:

    decode_image(data)      data URL / base64 / bytes  -> PIL image          (bad input: PreprocessError)
    ink(image)              PIL image                  -> (H, W) float32 in [0, 1], ink = 1
    from_rgba(buf, w, h)    canvas getImageData bytes  -> (H, W) ink array  (skips PNG encode/decode)
    to_mnist(image)         image or ink array         -> (28, 28) float32 in [0, 1], ink = 1, or None if blank
    segment_boxes(image, read=None)  image or ink array -> [(box, (28, 28) array)] left to right
    segment(image, read=None)        image or ink array -> [(28, 28) array] left to right
    segment_candidates(image)        image or ink array -> every way segment weighs, per group of ink

`read` is optional: (N, 28, 28) -> (N, S + 1), the probabilities of S symbols then a last "not one symbol"
column (net.reader). With it, segment tells touching digits from one wide digit by reading both ways (see the
thresholds below); without it, by shape alone.

Pure Python + numpy + Pillow: it runs the same under CPython and in the page (Pyodide).
"""
from __future__ import annotations

import base64
import binascii
import io
import itertools

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
FRAGMENT_SIZE = 0.5                   # a piece less tall than this share of the tallest is a fragment ...
ATTACH_GAP = 0.35                     # ... and joins the digit whose ink is within this share of the height
OUTLINE_POINTS = 400                  # (ink distance is measured between at most this many points per piece)
MERGE_OVERLAP = 0.5                   # pieces whose x-extents overlap this much (of the narrower) are one digit
NARROW_FLOOR = 0.35                   # ... the narrower width counting as at least this share of the height
# Touching digits
CUT_SEARCH = 0.3                      # cut at the least ink within this share of a digit's width of the guess
STUB_MASS = 0.2                       # a bit left by the cut with less ink than this share of the piece is dropped
SHORTEST_PIECE = 0.6                  # a cut leaving a piece less tall than this share of the group is no split
SPLIT_ASPECT = 1.25                   # without a reader: a group this much wider than tall is touching digits,
DIGIT_ASPECT = 0.8                    # ... as many as its width / (this typical digit aspect x its height)
# With a reader (segment's `read`), a group wider than JUDGE_ASPECT is read whole and cut at every combination
# of the valleys of its column ink (over-segmentation: the reader, not the shape, tells where digits end). A way
# scores the sum of log(probability of each piece's best digit), plus prior() = per cut ASPECT_WEIGHT * aspect -
# SPLIT_BIAS, minus CUT_WEIGHT * (ink on the cuts, in stroke widths). The weights are fitted by
# tools/fit_segmentation.py on numbers of MNIST training digits; the benchmark uses test digits.
JUDGE_ASPECT = 0.8                    # a group wider than this (width / height) may be touching digits
TOUCHING_NARROWEST = 0.1              # cut no piece narrower than this share of the group's height (a thin "1")
MAX_CUTS = 4                          # the valleys tried, at most
NARROWEST_DIGIT = 0.35                # a group may hold as many digits as its aspect / this (speed: fewer ways) ...
MAX_TOUCHING = 4                      # ... but at most this many
ASPECT_WEIGHT = 3.0                   # (fitted: a cut pays off from an aspect of 4/3 on; the ink on a cut did
CUT_WEIGHT = 0.0                      # not help once the reader knows "not one digit"; and a negative prior
SPLIT_BIAS = 4.0                      # for narrower groups lets segment skip reading their splits)
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
    rgba = pixels.reshape(height, width, 4).astype(np.float32) / 255.0
    alpha = rgba[..., 3]
    luminance = rgba[..., 0] * 0.299 + rgba[..., 1] * 0.587 + rgba[..., 2] * 0.114
    return _ink_from_gray(luminance * alpha + (1.0 - alpha))


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
        edges = np.diff(np.pad(mask, ((0, 0), (1, 1))).astype(np.int8), axis=1)
        self.rows, self.starts = np.nonzero(edges == 1)
        self.ends = np.nonzero(edges == -1)[1]
        self.label = self._connect()
        sums = np.pad(np.cumsum(array, axis=1), ((0, 0), (1, 0)))
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
        parent = list(range(len(self.rows)))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        rows, starts, ends = self.rows.tolist(), self.starts.tolist(), self.ends.tolist()
        previous, current, row = [], [], -1
        for i, r in enumerate(rows):
            if r != row:
                previous = current if r == row + 1 else []
                current, row = [], r
            for j in previous:  # runs of the row above touching this one, diagonals included
                if starts[j] <= ends[i] and ends[j] >= starts[i]:
                    a, b = find(i), find(j)
                    if a != b:
                        parent[a] = b
            current.append(i)
        roots = [find(i) for i in range(len(rows))]
        _, label = np.unique(np.array(roots, dtype=np.int64), return_inverse=True)
        return label.reshape(-1)

    def outline(self, component) -> np.ndarray:
        """(N, 2) points (x, y) at both ends of each of a component's runs: its outline, roughly (at most
        OUTLINE_POINTS of them, for speed)."""
        chosen = self.label == component
        rows = self.rows[chosen]
        points = np.concatenate([np.stack([self.starts[chosen], rows], axis=1),
                                 np.stack([self.ends[chosen] - 1, rows], axis=1)]).astype(np.float64)
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
        chosen = np.isin(self.label, list(components))
        rows, starts, ends = self.rows[chosen] - y0, self.starts[chosen] - x0, self.ends[chosen] - x0
        for r, s, e in zip(rows.tolist(), starts.tolist(), ends.tolist()):
            mask[r, s:e] = True
        return mask


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
    area = binary.sum()
    padded = np.pad(binary, 1)
    inner = padded[1:-1, 1:-1] & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    boundary = (binary & ~inner).sum()
    return 2.0 * area / max(boundary, 1)


def _morph(work: np.ndarray, radius: int, grow: bool) -> np.ndarray:
    """Grey dilation (grow) or erosion by `radius` px, alternating 3x3 square and cross steps so that the
    pen stays nearly round (an octagon) rather than square."""
    pick = np.maximum if grow else np.minimum
    height, width = work.shape
    for step in range(radius):
        padded = np.pad(work, 1)
        out = work.copy()
        shifts = ((0, 1), (1, 0), (1, 2), (2, 1)) + (((0, 0), (0, 2), (2, 0), (2, 2)) if step % 2 == 0 else ())
        for dy, dx in shifts:
            out = pick(out, padded[dy:dy + height, dx:dx + width])
        work = out
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
        work = _morph(np.pad(work, radius), radius, grow=True)
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
    padded = np.pad(mask, 1)
    grown = mask.copy()
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            grown |= padded[dy:dy + mask.shape[0], dx:dx + mask.shape[1]]
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


# --- Several digits ----------------------------------------------------------------------------------------

def _groups(pieces: Pieces, components: list[int]) -> list[list[list[int]]]:
    """Components -> digit groups, each a list of units (a unit: one large component and the fragments that
    joined it). Each small fragment (a 5's lifted bar, a 7's cross bar, a broken stroke), largest first, joins
    the unit whose ink is nearest, or starts a unit of its own when none is near; then units stacked over each
    other (an 8 drawn as two loops) form one group."""
    box = pieces.box
    height = max(box[c, 3] - box[c, 1] for c in components)
    large = [c for c in components if box[c, 3] - box[c, 1] >= FRAGMENT_SIZE * height]
    units = [[c] for c in large]
    outlines = [pieces.outline(c) for c in large]
    for c in sorted(set(components) - set(large), key=lambda c: -pieces.mass[c]):
        outline = pieces.outline(c)
        gaps = [_distance(outline, other) for other in outlines]
        nearest = int(np.argmin(gaps)) if gaps else -1
        if gaps and gaps[nearest] <= ATTACH_GAP * height:
            units[nearest].append(c)
            outlines[nearest] = np.concatenate([outlines[nearest], outline])
        else:
            units.append([c])
            outlines.append(outline)
    groups = [[unit] for unit in units]
    extents = [_union(box[unit].min(axis=0), box[unit].max(axis=0)) for unit in units]
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


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    """Least distance in px between two sets of (x, y) points, (N, 2) and (M, 2)."""
    return float(np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2).min()))


def _overlapping(a, b, height) -> bool:
    """Do boxes a and b overlap horizontally enough to be pieces of one digit?"""
    overlap = min(a[2], b[2]) - max(a[0], b[0])
    narrower = max(min(a[2] - a[0], b[2] - b[0]), NARROW_FLOOR * height)
    return overlap / narrower >= MERGE_OVERLAP


def _union(a, b) -> np.ndarray:
    return np.concatenate([np.minimum(a[:2], b[:2]), np.maximum(a[2:], b[2:])])


def _cut(array: np.ndarray, mask: np.ndarray, count: int):
    """Cut a group (its ink and mask, cropped) into `count` digits side by side, each cut at the column with
    the least ink near where equal widths would put it. Returns each digit's mask, left to right, and the
    mean ink on a cut in stroke widths (about how many strokes it crosses).
    (A least-ink path that may wander sideways, and trying several cuts, were tried: both cut single digits
    more often.)"""
    x0, _, x1, _ = _box_of(mask)
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
    return parts, float(columns[cuts[1:-1]].mean()) / _stroke_width(mask)


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
        box = _box_of(part)
        grown = _grown(part)
        if confine:
            grown[:, :box[0]] = False
            grown[:, box[2]:] = False
        digits.append((box, _normalize(array, grown, box)))
    return digits


def _valleys(columns: np.ndarray, x0: int, x1: int, narrowest: int) -> list[int]:
    """Where touching digits may be cut: the columns with the least ink, at least `narrowest` px from the
    group's ends and from each other, at most MAX_CUTS of them, left to right."""
    lo, hi = x0 + narrowest, x1 - narrowest
    chosen = []
    for i in np.argsort(columns[lo:hi], kind="stable").tolist():
        if all(abs(lo + i - c) >= narrowest for c in chosen):
            chosen.append(lo + i)
            if len(chosen) == MAX_CUTS:
                break
    return sorted(chosen)


def _splits(crop: np.ndarray, mask: np.ndarray, aspect: float) -> list[tuple]:
    """With a reader: a group wider than JUDGE_ASPECT cut at every combination of up to MAX_TOUCHING - 1
    valleys, each piece cut out once and shared by the ways that use it. [(shape, [(box, digit)])]."""
    if aspect <= JUDGE_ASPECT:
        return []
    x0, y0, x1, y1 = _box_of(mask)
    columns = (crop * mask).sum(axis=0)
    stroke = _stroke_width(mask)
    valleys = _valleys(columns, x0, x1, max(1, int(TOUCHING_NARROWEST * (y1 - y0))))
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


def _group_ink(pieces: Pieces, group, array: np.ndarray):
    """A group's window, its ink and mask cropped to the window, and its aspect (width / height of the ink)."""
    components = [c for unit in group for c in unit]
    window = pieces.window(components)
    mask = pieces.mask_of(components, window)
    x0, y0, x1, y1 = _box_of(mask)
    return window, _crop(array, window), mask, (x1 - x0) / (y1 - y0)


def _whole(crop: np.ndarray, mask: np.ndarray, aspect: float) -> tuple:
    """The way that reads a group as one digit."""
    return (0, aspect, 0.0), _digits(crop, [mask], False)


def _judged_ways(pieces: Pieces, group, window, crop, mask, aspect, whole) -> list[tuple]:
    """With a reader: the group whole, cut at valleys of ink (_splits), and (when it has several large
    pieces) piece by piece. Boxes in the window's coordinates."""
    ways = [whole] + _splits(crop, mask, aspect)
    if len(group) > 1 and aspect > JUDGE_ASPECT:
        units = [pieces.mask_of(unit, window) for unit in group]
        ways.append(((len(units) - 1, aspect, 0.0), _digits(crop, units, False)))
    return ways


def _readings(pieces: Pieces, group, array: np.ndarray, judged: bool):
    """The ways to read a group, [(shape, [(box, digit)])] with boxes in the group window's coordinates, and
    the window. Without a reader: one way, split by aspect ratio. With one: _judged_ways. shape: (cuts, the
    group's aspect, ink on the cuts in stroke widths), what `prior` weighs."""
    window, crop, mask, aspect = _group_ink(pieces, group, array)
    if judged:
        return _judged_ways(pieces, group, window, crop, mask, aspect, _whole(crop, mask, aspect)), window
    count = 1 if aspect <= SPLIT_ASPECT else max(2, int(round(aspect / DIGIT_ASPECT)))
    if count > 1:
        parts, cut_ink = _cut(crop, mask, count)
        digits = _digits(crop, parts, True)
        _, y0, _, y1 = _box_of(mask)
        if min(b[3] - b[1] for b, _ in digits) >= SHORTEST_PIECE * (y1 - y0):
            return [((count - 1, aspect, cut_ink), digits)], window
    # one digit, or the one split by aspect ratio cut a piece off (a tail, a bar): keep the group whole
    return [_whole(crop, mask, aspect)], window


def _split_bound(aspect: float) -> float:
    """The most any split of a group this wide can score: its prior with no ink on the cuts, each digit read
    with certainty (log 1 = 0). A whole reading that scores at least this needs no split read."""
    if aspect <= JUDGE_ASPECT:
        return -np.inf
    return max(prior((cuts, aspect, 0.0)) for cuts in range(1, MAX_TOUCHING))


def prior(shape) -> float:
    """A way's score apart from the reader, from its shape (cuts, aspect, cut ink): each cut of a wide group
    is more likely right, a cut through much ink less likely."""
    cuts, aspect, cut_ink = shape
    return cuts * (ASPECT_WEIGHT * aspect - SPLIT_BIAS) - CUT_WEIGHT * cut_ink


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
    logp = np.log(np.maximum(read(np.stack(batch))[:, :-1].max(axis=1), 1e-7)).tolist()
    chosen = []
    for ways in candidates:
        scores = [prior(shape) + sum(logp[index[id(digit)]] for _, digit in reading) for shape, reading in ways]
        chosen.append(ways[int(np.argmax(scores))][1])
    return chosen


def _groups_of(image):
    """(pieces, groups, ink array, factor to input coordinates) of a drawing."""
    array, factor = _as_ink(image)
    pieces = Pieces(array)
    components = _digit_components(pieces, min(array.shape))
    return pieces, (_groups(pieces, components) if components else []), array, factor


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
    found = [_in_input(*_readings(pieces, group, array, judged), factor) for group in groups]
    found.sort(key=lambda ways: ways[0][1][0][0][0])
    return found


def segment_boxes(image, read=None):
    """A drawing of one or more digits -> [((x0, y0, x1, y1), (28, 28) array)] in reading order (left to
    right); boxes are in the input's pixel coordinates. Empty list when there is no ink.

    read: optional function (N, 28, 28) -> (N, S + 1): the probabilities of S symbols, then of "not one
    symbol" (net.reader). Without it, a group of touching digits is split by its aspect
    ratio alone. With it, each group is first read whole (one batch); the groups whose whole reading some
    split could still beat (_split_bound) are cut every way and read again (a second batch), and the best
    score wins: the same choice as reading every way, at a fraction of the work for lone digits."""
    pieces, groups, array, factor = _groups_of(image)
    if read is None:
        chosen = [_in_input(*_readings(pieces, group, array, False), factor)[0][1] for group in groups]
    else:
        inks = [_group_ink(pieces, group, array) for group in groups]
        wholes = [_whole(crop, mask, aspect) for _, crop, mask, aspect in inks]
        sure = np.log(np.maximum(read(np.stack([reading[0][1] for _, reading in wholes]))[:, :-1].max(axis=1),
                                 1e-7)) if wholes else []
        chosen, open_groups = [], []
        for group, (window, crop, mask, aspect), whole, logp in zip(groups, inks, wholes, sure):
            if logp >= _split_bound(aspect):
                chosen.append(_in_input([whole], window, factor)[0][1])
            else:  # cut it every way, reusing the whole reading
                ways = _judged_ways(pieces, group, window, crop, mask, aspect, whole)
                open_groups.append(_in_input(ways, window, factor))
        chosen += _choose(open_groups, read)
    found = [item for reading in chosen for item in reading]
    found.sort(key=lambda item: item[0][0] + item[0][2])
    return found


def segment(image, read=None):
    """A drawing of one or more digits -> [(28, 28) float32 arrays] left to right (see segment_boxes)."""
    return [digit for _, digit in segment_boxes(image, read)]
