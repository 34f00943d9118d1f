"""Turn a canvas drawing into what the networks were trained on.

A drawing is black ink on white, of any size, anywhere on the canvas, with any pen. MNIST digits are white ink
on black, fitted in a 20x20 box (aspect kept, anti-aliased) and centred by centre of mass in 28x28, with a stroke
about an eighth of the digit's size. This module brings one to the other:

    decode_image(data)      data URL / base64 / bytes  -> PIL image          (bad input: PreprocessError)
    ink(image)              PIL image                  -> (H, W) float32 in [0, 1], ink = 1
    from_rgba(buf, w, h)    canvas getImageData bytes  -> (H, W) ink array  (skips PNG encode/decode)
    to_mnist(image)         image or ink array         -> (28, 28) float32 in [0, 1], ink = 1, or None if blank
    normalize(ink, mask, box)  one symbol's ink (under mask, inside box) -> (28, 28), as to_mnist

The ink itself (pixels to ink, its pieces, stroke width) is py/ink.py's; ink, from_rgba and PreprocessError
are that module's, named here too for the callers that decode an image and read it.

Pure Python + numpy + Pillow: it runs the same under CPython and in the page (Pyodide).
"""
from __future__ import annotations

import base64
import binascii
import io

import numpy as np
from PIL import Image

from ink import INK_LEVEL, MAX_PIXELS, Pieces, PreprocessError, as_ink, box_of, crop, digit_components, framed
from ink import from_image as ink
from ink import from_rgba, grown, stroke_width

__all__ = ["PreprocessError", "decode_image", "from_rgba", "ink", "normalize", "to_mnist"]

# --- Every threshold, in one place -------------------------------------------------------------------------
# Input limits
MAX_PAYLOAD_BYTES = 8 * 1024 * 1024   # a 4K canvas PNG is ~1-3 MB; more is not a drawing
MAX_SIDE = 4096                       # pixels per side accepted from a decoded image (in total: ink.MAX_PIXELS)
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
# MNIST's geometry and stroke
BOX = 20                              # the digit is fitted in a 20x20 box ...
SIZE = 28                             # ... inside a 28x28 image
TARGET_STROKE = 0.125                 # median stroke width / digit size on MNIST's test set (10-90 %: 0.09-0.18)
STROKE_TOLERANCE = 0.3                # leave strokes within +-30 % of the target alone
THIN_SHARE = 0.5                      # thin a thick pen by this share of the excess only, so no stroke vanishes
WORK_BOX = 4 * BOX                    # strokes are thickened/thinned with the digit at least this size ...
WORK_STROKE = 2.0                     # ... and large enough that the pen is this many px wide there
WORK_MAX = 12 * BOX                   # ... but never larger than this (speed)


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


# --- One digit to MNIST ------------------------------------------------------------------------------------

def _morph(work: np.ndarray, radius: int, grow: bool) -> np.ndarray:
    """Grey dilation (grow) or erosion by `radius` px, alternating 3x3 square and cross steps so that the
    pen stays nearly round (an octagon) rather than square."""
    pick = np.maximum if grow else np.minimum
    for step in range(radius):
        edged = framed(work, 1, 1)  # zeros beyond the edges
        if step % 2 == 0:  # the 3x3 square: along rows, then along columns (max and min are separable)
            across = pick(pick(edged[:, :-2], edged[:, 2:]), edged[:, 1:-1])
            work = pick(pick(across[:-2], across[2:]), across[1:-1])
        else:  # the cross: the pixel and its 4 neighbours
            across = pick(pick(edged[1:-1, :-2], edged[1:-1, 2:]), work)
            work = pick(pick(across, edged[:-2, 1:-1]), edged[2:, 1:-1])
    return work


def _fit_box(digit: np.ndarray) -> np.ndarray:
    """A cropped ink array -> the digit fitted in a BOX-sized frame (aspect kept), float32 in [0, 1], its
    strokes thickened or thinned toward MNIST's width relative to the digit's size."""
    side = max(digit.shape)
    solid = digit > min(0.5, float(digit.max()) / 2)  # a faint drawing still has strokes
    stroke = stroke_width(solid) / side  # relative to the digit's size, so independent of scale
    if abs(stroke - TARGET_STROKE) <= STROKE_TOLERANCE * TARGET_STROKE:
        return _resized(digit, BOX / side, Image.LANCZOS)
    work_side = min(max(WORK_BOX, WORK_STROKE / stroke), WORK_MAX)
    work = _resized(digit, work_side / side, Image.LANCZOS)
    change = (TARGET_STROKE - stroke) if stroke < TARGET_STROKE else THIN_SHARE * (TARGET_STROKE - stroke)
    radius = int(round(abs(change) * work_side / 2))  # the stroke grows or shrinks on both sides
    if change > 0:
        work = _morph(framed(work, radius, radius), radius, grow=True)
    else:
        work = _morph(work, radius, grow=False)
    x0, y0, x1, y1 = box_of(work > INK_LEVEL)  # thinning pulls the ink in from the crop's edges
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


def normalize(array: np.ndarray, mask: np.ndarray, box) -> np.ndarray:
    """The ink under mask inside box -> (28, 28) float32 in [0, 1], MNIST-style."""
    x0, y0, x1, y1 = box
    crop = array[y0:y1, x0:x1] * mask[y0:y1, x0:x1]
    return _center(np.clip(_fit_box(crop), 0.0, 1.0))


def to_mnist(image):
    """A drawing (PIL image or (H, W) ink array, ink = 1) -> (28, 28) float32 in [0, 1], ink = 1, MNIST-style;
    None when there is no ink (or only specks). All the ink is taken as one digit."""
    array, _ = as_ink(image)
    pieces = Pieces(array)
    components = digit_components(pieces, min(array.shape))
    if not components:
        return None
    window = pieces.window(components)
    mask = pieces.mask_of(components, window)
    return normalize(crop(array, window), grown(mask), box_of(mask))


