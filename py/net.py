"""The networks' forward pass in plain numpy, built from a self-describing weights file.

A weights file (`.npz`, written by training/export.py) holds every array plus an `architecture` JSON string:

    {"format": 1, "name": "cnn", "summary": "...",
     "input": {"shape": [28, 28, 1], "scale": 1.0, "mean": 0.0, "std": 1.0},
     "layers": [{"kind": "conv2d", "name": "conv1", "padding": "valid"}, {"kind": "relu"},
                {"kind": "maxpool2d", "size": 2}, {"kind": "flatten"},
                {"kind": "dense", "name": "dense1"}, {"kind": "softmax"}]}

Layer kinds: dense, conv2d, maxpool2d, flatten, relu, sigmoid, softmax, in Keras' NHWC order. A layer with
`name` has arrays `<name>.kernel` and `<name>.bias`; a kernel stored as int8 comes with `<name>.kernel_scale`
(float32, one per output unit: weight = int8 * scale), otherwise it is float16/float32. The plan is built once at
load (dequantized to float32, kernels reshaped for im2col) so a forward pass only computes.

Input convention: x is (28, 28) or (N, 28, 28) float32 in [0, 1], ink = 1 (MNIST's white on black); the net's
normalization is (x * scale - mean) / std.

Labels: the architecture's `labels` list names the outputs in order, e.g. the digits "0".."9", then
"+", "-", "×", "÷", "=", "(", ")", then REJECT ("not one symbol": half a symbol, two symbols touching, learned
from the pieces segmentation weighs). A file without `labels` (format of 2026-11) has 10 outputs (the digits) or
11 (the digits and "not one digit"). `read` gives every output, for segmentation's reader; `predict_proba` gives
the symbols' probabilities (every label but the reject one) summing to 1; `Model.symbols` names its columns.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

FORMAT = 1
KINDS = ("dense", "conv2d", "maxpool2d", "flatten", "relu", "sigmoid", "softmax")
CHUNK = 32  # images per forward pass inside predict_proba
DIGITS = tuple("0123456789")
SYMBOLS = DIGITS + ("+", "-", "×", "÷", "=", "(", ")")  # every symbol a net may know, in the canonical order
REJECT = "not one symbol"
OLD_REJECT = "not one digit"  # the 11th output of files without a labels list


class ModelError(Exception):
    """A weights file is missing, corrupted, or does not describe a network this module can run."""


def _fail(source, problem):
    raise ModelError("%s: %s" % (source, problem))


# Layers: each is a function (N, ...) float32 -> (N, ...) float32, closed over its precomputed arrays.

# Products x @ W with W given transposed, (out, in) contiguous. Pyodide's numpy has no BLAS: there einsum's
# contiguous sum-of-products loop is ~2x faster than its matmul; with BLAS (CPython), matmul wins.
if sys.platform == "emscripten":
    def _product(x, weight_t):
        return np.einsum("mk,nk->mn", x, weight_t)
else:
    def _product(x, weight_t):
        return x @ weight_t.T


def _dense(kernel, bias):
    weight_t = np.ascontiguousarray(kernel.T)

    def forward(x):
        return _product(x, weight_t) + bias
    return forward


def _conv2d(kernel, bias, padding):
    kh, kw, cin, cout = kernel.shape
    matrix_t = np.ascontiguousarray(kernel.transpose(3, 2, 0, 1).reshape(cout, cin * kh * kw))

    def forward(x):
        if padding == "same":
            top, left = (kh - 1) // 2, (kw - 1) // 2
            x = np.pad(x, ((0, 0), (top, kh - 1 - top), (left, kw - 1 - left), (0, 0)))
        windows = sliding_window_view(x, (kh, kw), axis=(1, 2))  # (N, H', W', C, kh, kw), no copy
        n, h, w = windows.shape[:3]
        return (_product(windows.reshape(n * h * w, cin * kh * kw), matrix_t) + bias).reshape(n, h, w, cout)
    return forward


def _maxpool2d(size):
    def forward(x):
        n, h, w, c = x.shape
        h, w = h // size * size, w // size * size
        return x[:, :h, :w].reshape(n, h // size, size, w // size, size, c).max(axis=(2, 4))
    return forward


def _flatten(x):
    return x.reshape(x.shape[0], -1)


def _relu(x):
    return np.maximum(x, 0, out=x)


def _sigmoid(x):
    # exp of a large negative number overflows harmlessly to inf -> 0; silence the warning, which PyScript shows.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=1, keepdims=True)
    return x


class Model:
    """A loaded network: `predict_proba(x)` for x (28, 28) or (N, 28, 28) float32 in [0, 1], ink = 1."""

    def __init__(self, architecture, layers, source="<memory>", n_params=0):
        self.architecture = architecture
        self.name = architecture.get("name", "net")
        self.summary = architecture.get("summary", "")
        self.source = source
        self.n_params = n_params
        normalization = architecture["input"]
        self.input_shape = tuple(normalization["shape"])
        self._scale = np.float32(normalization.get("scale", 1.0) / normalization.get("std", 1.0))
        self._shift = np.float32(normalization.get("mean", 0.0) / normalization.get("std", 1.0))
        self._layers = layers
        self.labels = list(architecture["labels"])
        self.outputs = len(self.labels)
        self.rejects = self.labels[-1] in (REJECT, OLD_REJECT)
        self.symbols = self.labels[:-1] if self.rejects else list(self.labels)

    def predict_proba(self, x):
        """x: (28, 28) or (N, 28, 28) float32 in [0, 1], ink = 1 -> (S,) or (N, S) float32 probabilities of
        the S symbols (`self.symbols`; for a net with a reject output: given that it is one symbol)."""
        return self.symbol_probabilities(self.read(x))

    def symbol_probabilities(self, out):
        """This net's outputs (..., outputs) from `read` -> (..., S) symbol probabilities summing to 1."""
        if not self.rejects:
            return out
        symbols = out[..., :-1] + np.finfo(np.float32).tiny  # never all zero, even if every symbol underflowed
        return symbols / symbols.sum(axis=-1, keepdims=True)

    def rejection(self, out):
        """This net's outputs (N, outputs) from `read` -> (N,) its reject probabilities, or None if it has none."""
        return out[:, -1] if self.rejects else None

    def read(self, x):
        """Every output, the reject one (if any) last: (outputs,) or (N, outputs), each row summing to 1."""
        x = np.asarray(x, dtype=np.float32)
        single = x.ndim == 2
        if single:
            x = x[None]
        if x.ndim != 3 or x.shape[1:] != self.input_shape[:2]:
            raise ValueError("%s expects (N, %d, %d) images, got %s"
                             % (self.name, self.input_shape[0], self.input_shape[1], x.shape))
        x = x.reshape((x.shape[0],) + self.input_shape)
        if len(x) <= CHUNK:
            out = self._forward(x)
        else:  # im2col of a large batch outgrows the CPU caches: run it in cache-sized chunks
            out = np.concatenate([self._forward(x[i:i + CHUNK]) for i in range(0, len(x), CHUNK)])
        return out[0] if single else out

    def _forward(self, x):
        return self.run(x)

    def run(self, x, start=0, stop=None):
        """Layers start:stop of the net on x: from the input, (N, 28, 28) images normalized first; else the
        outputs of layer start - 1. (For training tools that read the hidden activations.)"""
        if start == 0:
            x = (x.reshape((len(x),) + self.input_shape) * self._scale - self._shift).astype(np.float32)
        for layer in self._layers[start:stop]:
            x = layer(x)
        return x

    def predict(self, x):
        """The index (into `self.symbols`) of the most likely symbol: int for one image, (N,) for a batch."""
        return self.predict_proba(x).argmax(axis=-1)


def common_symbols(models):
    """The symbols of several nets together, in SYMBOLS order (then any others in first-seen order)."""
    known = [s for m in models for s in m.symbols]
    return [s for s in SYMBOLS if s in known] + [s for s in dict.fromkeys(known) if s not in SYMBOLS]


def aligned(model, probabilities, symbols):
    """(N, S_model) probabilities of `model.symbols` -> (N, len(symbols)), zero for symbols it does not know."""
    columns = [symbols.index(s) for s in model.symbols]
    out = np.zeros((len(probabilities), len(symbols)), dtype=np.float32)
    out[:, columns] = probabilities
    return out


def reader(models):
    """Segmentation's reader from several nets: (N, 28, 28) -> (N, S + 1): the mean of their symbol
    probabilities over `read.symbols` (common_symbols; where they disagree, the more confident one usually
    wins), scaled by the chance of one symbol, then the chance of none (the mean over the nets that have a
    reject output; 0 if none has), so each row sums to 1."""
    symbols = common_symbols(models)

    def read(x):
        outs = [model.read(x) for model in models]
        means = sum(aligned(m, m.symbol_probabilities(o), symbols) for m, o in zip(models, outs)) / len(outs)
        rejections = [m.rejection(o) for m, o in zip(models, outs) if m.rejects]
        rejected = sum(rejections) / len(rejections) if rejections else np.zeros(len(means), np.float32)
        return np.concatenate([means * (1.0 - rejected)[:, None], rejected[:, None]], axis=1)
    read.symbols = symbols
    return read


def _read_npz(data, source):
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except Exception as error:  # noqa: BLE001 - zip, format and value errors all mean the same to a user
        _fail(source, "not a readable weights file (%s)" % (str(error) or type(error).__name__))


def _architecture(arrays, source):
    if "architecture" not in arrays:
        _fail(source, "missing the 'architecture' array")
    try:
        architecture = json.loads(str(arrays["architecture"]))
    except ValueError as error:
        _fail(source, "the architecture is not valid JSON (%s)" % error)
    if architecture.get("format") != FORMAT:
        _fail(source, "weights format %r, this code reads format %d" % (architecture.get("format"), FORMAT))
    if not isinstance(architecture.get("input", {}).get("shape"), list):
        _fail(source, "the architecture has no input shape")
    return architecture


def _kernel(arrays, name, source):
    for key in (name + ".kernel", name + ".bias"):
        if key not in arrays:
            _fail(source, "missing array %r" % key)
    kernel, bias = arrays[name + ".kernel"], arrays[name + ".bias"]
    if kernel.dtype == np.int8:
        if name + ".kernel_scale" not in arrays:
            _fail(source, "missing array %r for the int8 kernel" % (name + ".kernel_scale"))
        scale = arrays[name + ".kernel_scale"]
        if scale.shape != (kernel.shape[-1],):
            _fail(source, "%s.kernel_scale has shape %s, expected (%d,)" % (name, scale.shape, kernel.shape[-1]))
        kernel = kernel.astype(np.float32) * scale.astype(np.float32)
    elif kernel.dtype not in (np.float16, np.float32):
        _fail(source, "%s.kernel has unsupported dtype %s" % (name, kernel.dtype))
    if bias.shape != (kernel.shape[-1],):
        _fail(source, "%s.bias has shape %s, expected (%d,)" % (name, bias.shape, kernel.shape[-1]))
    kernel, bias = kernel.astype(np.float32), bias.astype(np.float32)
    if not (np.isfinite(kernel).all() and np.isfinite(bias).all()):
        _fail(source, "%s holds values that are not finite" % name)
    return kernel, bias


def _build(architecture, arrays, source):
    """Walk the layer list, checking shapes as they flow, and return (layers, n_params)."""
    shape = tuple(architecture["input"]["shape"])  # per image, NHWC without N
    layers, n_params = [], 0
    for index, spec in enumerate(architecture.get("layers", [])):
        kind = spec.get("kind")
        where = "layer %d (%s)" % (index, kind)
        if kind not in KINDS:
            _fail(source, "%s: unknown layer kind" % where)
        if kind in ("dense", "conv2d"):
            kernel, bias = _kernel(arrays, spec.get("name", ""), source)
            n_params += kernel.size + bias.size
        if kind == "dense":
            if len(shape) != 1 or kernel.shape[0] != shape[0]:
                _fail(source, "%s: kernel %s does not fit input %s" % (where, kernel.shape, shape))
            layers.append(_dense(kernel, bias))
            shape = (kernel.shape[1],)
        elif kind == "conv2d":
            padding = spec.get("padding", "valid")
            if len(shape) != 3 or kernel.ndim != 4 or kernel.shape[2] != shape[2] or padding not in ("valid", "same"):
                _fail(source, "%s: kernel %s does not fit input %s" % (where, kernel.shape, shape))
            layers.append(_conv2d(kernel, bias, padding))
            if padding == "valid":
                shape = (shape[0] - kernel.shape[0] + 1, shape[1] - kernel.shape[1] + 1, kernel.shape[3])
            else:
                shape = (shape[0], shape[1], kernel.shape[3])
        elif kind == "maxpool2d":
            size = int(spec.get("size", 2))
            if len(shape) != 3 or size < 1:
                _fail(source, "%s: needs an image input, got %s" % (where, shape))
            layers.append(_maxpool2d(size))
            shape = (shape[0] // size, shape[1] // size, shape[2])
        elif kind == "flatten":
            layers.append(_flatten)
            shape = (int(np.prod(shape)),)
        else:
            layers.append({"relu": _relu, "sigmoid": _sigmoid, "softmax": _softmax}[kind])
    labels = _labels(architecture, shape, source)
    if len(shape) != 1 or shape[0] != len(labels):
        _fail(source, "the network ends in shape %s, expected (%d,) for its labels" % (shape, len(labels)))
    architecture["labels"] = labels
    return layers, n_params


def _labels(architecture, shape, source):
    """The output labels: the architecture's list, or for older files (10 or 11 outputs, by the net's final
    shape) the digits, then "not one digit"."""
    labels = architecture.get("labels")
    if labels is None:
        return list(DIGITS) + [OLD_REJECT] if shape == (len(DIGITS) + 1,) else list(DIGITS)
    if (not isinstance(labels, list) or len(labels) < 2 or len(set(labels)) != len(labels)
            or not all(isinstance(label, str) and label for label in labels)):
        _fail(source, "the architecture's labels are not a list of distinct names")
    return labels


def _check_manifest(data, source, manifest):
    """Compare the file's sha256 with the manifest's record of it, when there is one."""
    if manifest is None:
        return
    entry = next((e for e in manifest.get("models", {}).values() if e.get("file") == os.path.basename(source)), None)
    if entry is None or "sha256" not in entry:
        return
    actual = hashlib.sha256(data).hexdigest()
    if actual != entry["sha256"]:
        _fail(source, "sha256 %s differs from the manifest's %s: the file is corrupted or not the one "
                      "the manifest describes" % (actual[:12], entry["sha256"][:12]))


def _read_manifest(path):
    manifest_path = os.path.join(os.path.dirname(os.path.abspath(path)), "manifest.json")
    if not os.path.exists(manifest_path):
        return None
    try:
        with open(manifest_path, encoding="utf-8") as f:
            return json.load(f)
    except ValueError as error:
        _fail(manifest_path, "not valid JSON (%s)" % error)


def loads(data, source="<bytes>", manifest=None):
    """Build a Model from the bytes of a weights file; check its sha256 against `manifest` if given."""
    if not data.startswith(b"PK"):  # an .npz is a zip; a web server's "not found" page is not
        _fail(source, "not a weights file (%d bytes that are not an .npz archive): is it missing from the site?"
              % len(data))
    _check_manifest(data, source, manifest)
    arrays = _read_npz(data, source)
    architecture = _architecture(arrays, source)
    layers, n_params = _build(architecture, arrays, source)
    return Model(architecture, layers, source, n_params)


def load(path, manifest="auto"):
    """Load a weights file. With manifest="auto", the manifest.json beside it (if any) must agree on its sha256."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        _fail(path, "cannot be read (%s)" % (error.strerror or error))
    if manifest == "auto":
        manifest = _read_manifest(path)
    return loads(data, path, manifest)
