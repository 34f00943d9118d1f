"""Pictures of why a net read a symbol the way it did, for the page's "look inside" panel (#inside).

Pure numpy on top of py/net.py: `look(model, x)` gathers, for one net and one 28x28 input, everything the panel
draws, as RGBA images (uint8, (H, W, 4)) and numbers; py/app.py only puts them on canvases and sets the sentences
`sentences` writes. Pictures:
- the evidence map: gradient x input of log(p_top / p_runner-up), over the input: which pixels of the drawing made
  it the top symbol rather than the runner-up (red) and which pointed to the runner-up (blue);
- for a net that starts with a convolution: its filters and the feature maps they make of the input;
- for a net whose first layer is dense on the pixels: the hidden units that pushed hardest for the top symbol over
  the runner-up (gradient x activation), each drawn as its weight image, with its share of that push.
Colours: a red/blue diverging pair (ColorBrewer's RdBu ends, readable with red-green colour blindness), white at
zero; red is always positive (evidence for, a weight that wants ink), blue negative.
"""
from __future__ import annotations

import numpy as np

RED = np.array([178, 24, 43], dtype=np.float32)
BLUE = np.array([33, 102, 172], dtype=np.float32)
WHITE = np.array([255, 255, 255], dtype=np.float32)
INK_GRAY = 80  # how much darker than white the input's ink shows under an evidence map
TOP_UNITS = 6  # hidden units shown for a dense net


def rgba(rgb):
    """(H, W, 3) floats in [0, 255] -> (H, W, 4) uint8, opaque."""
    out = np.empty(rgb.shape[:2] + (4,), dtype=np.uint8)
    out[..., :3] = np.clip(np.rint(rgb), 0, 255)
    out[..., 3] = 255
    return out


def gray(x):
    """x (H, W) in [0, 1] -> RGBA, white on black (ink = 1, as the nets see it)."""
    level = np.clip(x, 0, 1)[..., None] * 255.0
    return rgba(np.repeat(level, 3, axis=-1))


def _signed_colour(base, values, scale):
    """Blend (H, W, 3) base towards RED where values > 0 and BLUE where < 0, by |values| / scale in [0, 1]."""
    strength = np.clip(np.abs(values) / scale, 0, 1)[..., None] if scale > 0 else np.zeros(values.shape + (1,))
    target = np.where((values > 0)[..., None], RED, BLUE)
    return base * (1 - strength) + target * strength


def diverging(values, scale=None):
    """values (H, W) signed -> RGBA: white at 0, red positive, blue negative; full colour at |value| = scale
    (default: the largest |value|)."""
    scale = float(np.abs(values).max()) if scale is None else scale
    return rgba(_signed_colour(np.broadcast_to(WHITE, values.shape + (3,)), values, scale))


def evidence_map(x, evidence):
    """x (28, 28) in [0, 1], evidence (28, 28) signed -> RGBA: the input's ink in light gray on white, coloured
    red for positive evidence and blue for negative. Strength is sqrt(|e| / max |e|), so weak evidence still shows."""
    base = WHITE - INK_GRAY * np.clip(x, 0, 1)[..., None]
    peak = float(np.abs(evidence).max())
    shown = np.sign(evidence) * np.sqrt(np.abs(evidence) / peak) if peak > 0 else evidence
    return rgba(_signed_colour(base, shown, 1.0))


def mosaic(images, columns, gap=1, background=(200, 200, 210)):
    """Equal-sized RGBA images (n, h, w, 4) -> one RGBA image, `columns` across, `gap` pixels between tiles."""
    n, h, w = images.shape[:3]
    rows = -(-n // columns)
    out = np.empty((rows * h + (rows - 1) * gap, columns * w + (columns - 1) * gap, 4), dtype=np.uint8)
    out[..., :3], out[..., 3] = background, 255
    for i, image in enumerate(images):
        top, left = (i // columns) * (h + gap), (i % columns) * (w + gap)
        out[top:top + h, left:left + w] = image
    return out


def columns_for(n):
    """Columns of a roughly square grid of n tiles."""
    return int(np.ceil(np.sqrt(n)))


def first_layer(model, kind):
    """Index of the first `kind` layer that sees the pixels directly (only a flatten before it), or None."""
    for i, layer in enumerate(model.layers):
        if layer.kind == kind:
            return i
        if layer.kind != "flatten":
            return None
    return None


def activated(model, i):
    """The index of layer i's output after its activation function (the layer after it, if it is one)."""
    layers = model.layers
    return i + 1 if i + 1 < len(layers) and layers[i + 1].kind in ("relu", "sigmoid") else i


class Unit:
    """A hidden unit: `index` in its layer, `share` of the push for the top symbol over the runner-up (the
    positive pushes sum to 1), `image` its weights on the 28x28 pixels as RGBA."""

    def __init__(self, index, share, image):
        self.index, self.share, self.image = index, share, image


class Look:
    """What one net shows for one input (see `look`)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def look(model, x, units=TOP_UNITS):
    """x (28, 28) float32 in [0, 1], ink = 1 -> Look with:
    probabilities (S,) of model.symbols; top, second: the best symbol and the runner-up (names);
    evidence (28, 28) gradient x input of log(p_top / p_second); evidence_image RGBA (28, 28, 4);
    filters, feature_maps: RGBA mosaics of the first convolution's kernels (each scaled to its own largest
    weight) and of its activated outputs (all on one scale), or None; n_filters, filter_size;
    units: [Unit] up to `units` hidden units of a first dense layer, most pushing first, or []."""
    x = np.asarray(x, dtype=np.float32)
    probabilities = model.predict_proba(x)
    second, top = (int(i) for i in probabilities.argsort()[-2:])
    grads = model.gradients(x, top, second)
    evidence = grads.image[0] * x
    found = Look(probabilities=probabilities, top=model.symbols[top], second=model.symbols[second],
                 evidence=evidence, evidence_image=evidence_map(x, evidence),
                 filters=None, feature_maps=None, n_filters=0, filter_size=0, units=[])
    outputs = model.activations(x)
    conv = first_layer(model, "conv2d")
    if conv is not None:
        _add_filters(found, model.layers[conv].kernel, outputs[activated(model, conv)])
    dense = first_layer(model, "dense")
    if dense is not None:
        after = activated(model, dense)
        # d/d(this layer's output) is d/d(the next layer's input): grads.inputs[after + 1]
        found.units = top_units(model.layers[dense].kernel, outputs[after], grads.inputs[after + 1][0], units)
    return found


def _add_filters(found, kernel, maps):
    """kernel (kh, kw, 1, C) and maps (H, W, C) -> found.filters, found.feature_maps (RGBA mosaics)."""
    weights = kernel[:, :, 0, :].transpose(2, 0, 1)  # (C, kh, kw)
    count = len(weights)
    columns = columns_for(count)
    found.filters = mosaic(np.stack([diverging(w) for w in weights]), columns, gap=1)
    peak = float(maps.max())
    levels = maps.transpose(2, 0, 1) / peak if peak > 0 else maps.transpose(2, 0, 1)
    found.feature_maps = mosaic(np.stack([gray(m) for m in levels]), columns, gap=2, background=(120, 120, 140))
    found.n_filters, found.filter_size = count, kernel.shape[0]


def top_units(kernel, activation, gradient, count=TOP_UNITS):
    """kernel (784, U), activation (U,) and gradient (U,) of log(p_top / p_second) at the layer's output ->
    [Unit] the `count` units with the largest positive gradient x activation, share = that over the sum of all
    positive ones."""
    push = activation * gradient
    total = float(push[push > 0].sum())
    best = [int(u) for u in np.argsort(push)[::-1][:count] if push[u] > 0]
    return [Unit(u, float(push[u]) / total, diverging(kernel[:, u].reshape(28, 28))) for u in best]


def sentences(name, found):
    """Plain sentences under each picture of net `name` (e.g. "CNN"), keyed like the Look's pictures."""
    said = {"evidence": "%s: red pixels made it a %s rather than a %s; blue ones pointed to %s."
                        % (name, found.top, found.second, found.second)}
    if found.filters is not None:
        said["filters"] = ("The %s's %d first-layer filters, %d×%d pixels each. Each slides over the drawing "
                           "looking for its pattern: red wants ink, blue wants none."
                           % (name, found.n_filters, found.filter_size, found.filter_size))
        said["feature_maps"] = ("Where each filter found its pattern in your drawing, in the same order: "
                                "brighter is a stronger match.")
    if found.units:
        said["units"] = ("The %s's %d hidden units that pushed hardest for %s over %s, each drawn as the pixels "
                         "it weighs (red adds, blue subtracts), with its share of that push."
                         % (name, len(found.units), found.top, found.second))
    return said
