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

Speed: `read` (and so predict_proba, reader) runs the net by a forward *strategy* (STRATEGIES, chosen by
STRATEGY, per platform): how the convolutions are computed and whether conv + relu + pool are fused. Every
strategy gives the reference's outputs to float32 rounding (tests/test_net.py); tools/bench_speed.py times each
in the page and in CPython. The layers' own `forward` (run, activations, the backward passes) stay the
reference im2col, so looking inside and learning see exactly the same numbers whatever the strategy.

Input convention: x is (28, 28) or (N, 28, 28) float32 in [0, 1], ink = 1 (MNIST's white on black); the net's
normalization is (x * scale - mean) / std.

Looking inside: each layer carries its backward beside its forward. `activations(x)` gives every layer's output,
`input_gradient(x, k)` the gradient of log p_k (p as predict_proba gives it) with respect to the pixels, and
`gradients` / `backward` the gradients at every layer and of every kernel and bias (for py/inside.py's pictures,
and for learning from corrections).

Labels: the architecture's `labels` list names the outputs in order, e.g. the digits "0".."9", then
"+", "-", "×", "÷", "=", "(", ")", then REJECT ("not one symbol": half a symbol, two symbols touching, learned
from the pieces segmentation weighs). A file without `labels` (format of 2026-11) has 10 outputs (the digits) or
11 (the digits and "not one digit"). `read` gives every output, for segmentation's reader; `predict_proba` gives
the symbols' probabilities (every label but the reject one) summing to 1; `Model.symbols` names its columns.
"""
from __future__ import annotations

import collections
import hashlib
import io
import itertools
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


# Layers: small objects, each with its backward beside its forward (as in micrograd). `forward(x, keep=False)`
# maps (N, ...) float32 -> (N, ...) float32; only a pass with keep=True remembers what `backward` needs, so a
# plain prediction costs nothing extra. `backward(grad)` takes d(scalar)/d(output) and returns d(scalar)/d(input);
# dense and conv layers also leave d(scalar)/d(kernel) and /d(bias), summed over the batch, in `grads`.

# Products x @ W with W given transposed, (out, in) contiguous. Pyodide's numpy has no BLAS: there einsum's
# contiguous sum-of-products loop is ~2x faster than its matmul; with BLAS (CPython), matmul wins.
# On wasm32, einsum counts its m * n * k iterations in a 32-bit size: a bigger product fails ("iterator is too
# large"), e.g. the second conv over 2,760 replay examples (176,640 x 400 x 32): it is summed in slices of rows.
EINSUM_LIMIT = 1 << 30


def _einsum_product(x, weight_t, limit=EINSUM_LIMIT):
    rows = max(1, limit // max(1, weight_t.shape[0] * weight_t.shape[1]))
    if len(x) <= rows:
        return np.einsum("mk,nk->mn", x, weight_t)
    return np.concatenate([np.einsum("mk,nk->mn", x[i:i + rows], weight_t) for i in range(0, len(x), rows)])


if sys.platform == "emscripten":
    _product = _einsum_product
else:
    def _product(x, weight_t):
        return x @ weight_t.T


_WEIGHT_SETS = itertools.count(1)  # each set_weights takes the next number: what was read before may be stale


class _Layer:
    kind = ""
    name = None
    grads = None  # {"kernel": ..., "bias": ...} after a backward pass, for layers with parameters
    weights_set = 0  # the number of the set_weights that gave this layer its weights (0: it has none)

    def forward(self, x, keep=False):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError


class Dense(_Layer):
    """x (N, in) -> x @ kernel + bias, (N, out); kernel (in, out), bias (out,)."""
    kind = "dense"

    def __init__(self, kernel, bias, name=None):
        self.name = name
        self.set_weights(kernel, bias)

    def set_weights(self, kernel, bias):
        """New float32 kernel (in, out) and bias (out,), e.g. after a step of gradient descent."""
        self.kernel, self.bias = kernel, bias
        self.weights_set = next(_WEIGHT_SETS)
        self._weight_t = np.ascontiguousarray(kernel.T)

    def forward(self, x, keep=False):
        if keep:
            self._x = x
        return _product(x, self._weight_t) + self.bias

    def backward(self, grad, need_input=True):
        """need_input=False: only the kernel and bias gradients (the layer below is frozen); returns None."""
        self.grads = {"kernel": _product(np.ascontiguousarray(self._x.T), np.ascontiguousarray(grad.T)),
                      "bias": grad.sum(axis=0)}
        return _product(grad, self.kernel) if need_input else None


class Conv2D(_Layer):
    """x (N, H, W, Cin) -> (N, H', W', Cout), stride 1, padding "valid" or "same"; kernel (kh, kw, Cin, Cout).
    As im2col: each output pixel is its (Cin, kh, kw) window times a (Cout, Cin * kh * kw) matrix."""
    kind = "conv2d"

    def __init__(self, kernel, bias, padding="valid", name=None):
        self.name, self.padding = name, padding
        self.set_weights(kernel, bias)

    def set_weights(self, kernel, bias):
        """New float32 kernel (kh, kw, Cin, Cout) and bias (Cout,)."""
        self.kernel, self.bias = kernel, bias
        self.weights_set = next(_WEIGHT_SETS)
        kh, kw, cin, cout = kernel.shape
        self._matrix_t = np.ascontiguousarray(kernel.transpose(3, 2, 0, 1).reshape(cout, cin * kh * kw))
        self._offsets_t = np.ascontiguousarray(kernel.transpose(0, 1, 3, 2))  # (kh, kw, Cout, Cin), "shifted"
        self._spectra = {}  # (H, W) -> the kernel's spectra, for the "fft" strategy

    def padded(self, x):
        """x (N, H, W, C) with the zeros "same" padding adds around it (x itself for "valid")."""
        if self.padding != "same":
            return x
        rows, columns = self._pads()
        return np.pad(x, ((0, 0), rows, columns, (0, 0)))

    def _pads(self):
        kh, kw = self.kernel.shape[:2]
        if self.padding != "same":
            return (0, 0), (0, 0)
        top, left = (kh - 1) // 2, (kw - 1) // 2
        return (top, kh - 1 - top), (left, kw - 1 - left)

    def forward(self, x, keep=False):
        kh, kw, cin, _ = self.kernel.shape
        x = self.padded(x)
        windows = sliding_window_view(x, (kh, kw), axis=(1, 2))  # (N, H', W', C, kh, kw), no copy
        n, h, w = windows.shape[:3]
        columns = windows.reshape(n * h * w, cin * kh * kw)
        if keep:
            self._columns, self._padded_shape = columns, x.shape
        return (_product(columns, self._matrix_t) + self.bias).reshape(n, h, w, -1)

    def backward(self, grad):
        kh, kw, cin, cout = self.kernel.shape
        n, h, w, _ = grad.shape
        flat = grad.reshape(n * h * w, cout)
        kernel = (self._columns.T @ flat).reshape(cin, kh, kw, cout).transpose(1, 2, 0, 3)
        self.grads = {"kernel": kernel, "bias": flat.sum(axis=0)}
        # Each window's gradient, added back onto the pixels it was cut from (col2im): kh * kw shifted adds.
        windows = (flat @ self._matrix_t).reshape(n, h, w, cin, kh, kw)
        out = np.zeros(self._padded_shape, dtype=grad.dtype)
        for i in range(kh):
            for j in range(kw):
                out[:, i:i + h, j:j + w] += windows[..., i, j]
        (top, bottom), (left, right) = self._pads()
        return out[:, top:out.shape[1] - bottom, left:out.shape[2] - right]


class MaxPool2D(_Layer):
    """x (N, H, W, C) -> (N, H // size, W // size, C), the largest value of each size x size block (a ragged
    edge is dropped). Backward routes each block's gradient to its first largest value, as TensorFlow does."""
    kind = "maxpool2d"

    def __init__(self, size):
        self.size = size

    def _blocks(self, x):
        n, h, w, c = x.shape
        s = self.size
        return x[:, :h // s * s, :w // s * s].reshape(n, h // s, s, w // s, s, c)

    def forward(self, x, keep=False):
        if keep:
            self._x = x
        return self._blocks(x).max(axis=(2, 4))

    def backward(self, grad):
        n, hp, wp, c = grad.shape
        s = self.size
        blocks = self._blocks(self._x).transpose(0, 1, 3, 5, 2, 4).reshape(n, hp, wp, c, s * s)
        winner = blocks.argmax(axis=-1)[..., None] == np.arange(s * s)  # (N, H', W', C, s * s), one-hot
        routed = (winner * grad[..., None]).reshape(n, hp, wp, c, s, s).transpose(0, 1, 4, 2, 5, 3)
        out = np.zeros_like(self._x, dtype=grad.dtype)
        out[:, :hp * s, :wp * s] = routed.reshape(n, hp * s, wp * s, c)
        return out


class Flatten(_Layer):
    """x (N, ...) -> (N, prod(...)) in C order (Keras' Flatten of NHWC)."""
    kind = "flatten"

    def forward(self, x, keep=False):
        if keep:
            self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad):
        return grad.reshape(self._shape)


class ReLU(_Layer):
    kind = "relu"

    def forward(self, x, keep=False):
        y = np.maximum(x, 0, out=x)  # in place: the layer before keeps its input, never its output
        if keep:
            self._y = y
        return y

    def backward(self, grad):
        return grad * (self._y > 0)  # 0 at 0, as TensorFlow's


class Sigmoid(_Layer):
    kind = "sigmoid"

    def forward(self, x, keep=False):
        # exp of a large negative number overflows harmlessly to inf -> 0; silence the warning, which PyScript shows.
        with np.errstate(over="ignore"):
            y = 1.0 / (1.0 + np.exp(-x))
        if keep:
            self._y = y
        return y

    def backward(self, grad):
        return grad * self._y * (1.0 - self._y)


class Softmax(_Layer):
    """Along the last axis. (Gradients of log-probabilities start at its input instead: Model.log_gradient.)"""
    kind = "softmax"

    def forward(self, x, keep=False):
        y = x - x.max(axis=1, keepdims=True)
        np.exp(y, out=y)
        y /= y.sum(axis=1, keepdims=True)
        if keep:
            self._y = y
        return y

    def backward(self, grad):
        return self._y * (grad - (grad * self._y).sum(axis=1, keepdims=True))


# --- Forward strategies: other ways to compute the convolutions, for `read` only ----------------------------
# Each conv method maps (N, H, W, Cin) float32 (already padded for "same") to the correlation *without bias*,
# (N, H', W', Cout), possibly a strided view. Measured in Pyodide (no BLAS, tools/bench_speed.py): one matrix
# product over all windows (im2col) does 25 x 16 x 32 multiply-adds per conv2 pixel at einsum's speed; the FFT
# does conv2's 16 -> 32 channel mixing on 12 x 7 frequencies instead of 8 x 8 x 25 offsets.

def _conv_im2col(layer, x):
    """The reference: every window as a row, times the (Cout, Cin * kh * kw) matrix."""
    kh, kw, cin, _ = layer.kernel.shape
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))  # (N, H', W', Cin, kh, kw), no copy
    n, h, w = windows.shape[:3]
    return _product(windows.reshape(n * h * w, cin * kh * kw), layer._matrix_t).reshape(n, h, w, -1)


def _conv_shifted(layer, x):
    """Direct convolution: kh * kw shifted copies of the input, each times that offset's (Cin, Cout) kernel."""
    kh, kw, cin, cout = layer.kernel.shape
    n, h, w = x.shape[0], x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((n * h * w, cout), np.float32)
    for i in range(kh):
        for j in range(kw):
            shifted = x[:, i:i + h, j:j + w].reshape(n * h * w, cin)
            out += shifted * layer.kernel[i, j, 0] if cin == 1 else _product(shifted, layer._offsets_t[i, j])
    return out.reshape(n, h, w, cout)


def _conv_channels_first(layer, x):
    """im2col transposed: (Cout, Cin * kh * kw) times the windows as columns, so the long axis (every output
    pixel) is the contiguous one: suits few input channels (conv1's 25-long windows)."""
    kh, kw, cin, cout = layer.kernel.shape
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))  # (N, H', W', Cin, kh, kw)
    n, h, w = windows.shape[:3]
    columns = np.ascontiguousarray(windows.transpose(3, 4, 5, 0, 1, 2)).reshape(cin * kh * kw, n * h * w)
    out = np.einsum("ok,km->om", layer._matrix_t, columns) if sys.platform == "emscripten" \
        else layer._matrix_t @ columns
    return out.reshape(cout, n, h, w).transpose(1, 2, 3, 0)


def _conv_fft(layer, x):
    """By the FFT (float64): circular convolution with the flipped kernel; its last H' x W' values are the
    valid correlation. The kernel's spectra (H * F, Cin, Cout) are computed once per input size."""
    kh, kw, cin, cout = layer.kernel.shape
    n, height, width = x.shape[:3]
    spectra = layer._spectra.get((height, width))
    if spectra is None:
        flipped = layer.kernel[::-1, ::-1].transpose(2, 3, 0, 1).astype(np.float64)  # (Cin, Cout, kh, kw)
        full = _rfft2(np.pad(flipped, ((0, 0), (0, 0), (0, height - kh), (0, width - kw))))
        spectra = layer._spectra[(height, width)] = np.ascontiguousarray(
            full.reshape(cin, cout, -1).transpose(2, 0, 1))
    image = _rfft2(np.ascontiguousarray(x.transpose(0, 3, 1, 2), dtype=np.float64))  # (N, Cin, H, F)
    mixed = np.matmul(image.reshape(n, cin, -1).transpose(2, 0, 1), spectra)  # (H * F, N, Cout)
    out = _irfft2(mixed.transpose(1, 2, 0).reshape((n, cout) + image.shape[2:]), width, first_row=kh - 1)
    return out[:, :, :, kw - 1:].transpose(0, 2, 3, 1).astype(np.float32)


def _conv_hybrid(layer, x):
    """channels-first for one input channel (FFT of many 28 x 28 outputs costs more), FFT for more."""
    return (_conv_channels_first if layer.kernel.shape[2] == 1 else _conv_fft)(layer, x)


try:  # numpy >= 2's pocketfft ufuncs, called directly: np.fft's Python wrapper costs more than a 12 x 12 FFT
    from numpy.fft import _pocketfft_umath as _pocketfft
except ImportError:  # pragma: no cover - older numpy
    _pocketfft = None


def _rfft2(a):
    """Real (..., H, W) float64 -> (..., H, W // 2 + 1) complex128, as np.fft.rfft2."""
    if _pocketfft is None:
        return np.fft.rfft2(a)
    width = a.shape[-1]
    out = np.empty(a.shape[:-1] + (width // 2 + 1,), np.complex128)
    (_pocketfft.rfft_n_even if width % 2 == 0 else _pocketfft.rfft_n_odd)(a, 1.0, out=out)
    return _pocketfft.fft(out, 1.0, axes=[(-2,), (), (-2,)], out=out)


def _irfft2(spectrum, width, first_row=0):
    """(..., H, F) complex128 -> (..., H - first_row, width) float64: np.fft.irfft2(spectrum, s=(H, width))
    from row first_row on (the rows before it are not computed). Overwrites `spectrum`."""
    if _pocketfft is None:
        return np.fft.irfft2(spectrum, s=spectrum.shape[-2:-1] + (width,))[..., first_row:, :]
    _pocketfft.ifft(spectrum, 1.0 / spectrum.shape[-2], axes=[(-2,), (), (-2,)], out=spectrum)
    rows = spectrum[..., first_row:, :]
    return _pocketfft.irfft(rows, 1.0 / width, out=np.empty(rows.shape[:-1] + (width,), np.float64))


def _max_pool(x, size):
    """(N, H, W, C), any strides -> (N, H // size, W // size, C): MaxPool2D's forward by size * size strided
    maxima (no reshape, which would copy a strided conv output first)."""
    h, w = x.shape[1] // size * size, x.shape[2] // size * size
    out = None
    for i in range(size):
        for j in range(size):
            part = x[:, i:h:size, j:w:size]
            out = part.copy() if out is None else np.maximum(out, part, out=out)
    return out


CONV_METHODS = {"im2col": _conv_im2col, "shifted": _conv_shifted, "channels-first": _conv_channels_first,
                "fft": _conv_fft, "hybrid": _conv_hybrid}
# A strategy: a conv method, plain (conv + bias, relu, pool as the layers do) or fused (conv, pool, then bias
# and relu on the 4x smaller pooled map: max(a + b) = max(a) + b and relu commutes with max, exactly).
STRATEGIES = tuple(method + suffix for method in CONV_METHODS for suffix in ("", " fused"))
# The fastest of them that matches (tools/bench_speed.py): in Pyodide, no BLAS; in CPython, BLAS's matmul.
STRATEGY = "hybrid fused" if sys.platform == "emscripten" else "im2col fused"


def _forward_by(layers, x, strategy):
    """layers' forward on x (N, ...) float32 by `strategy` (a name in STRATEGIES)."""
    if strategy not in STRATEGIES:
        raise ValueError("unknown forward strategy %r (known: %s)" % (strategy, ", ".join(STRATEGIES)))
    method, _, fused = strategy.partition(" ")
    conv = CONV_METHODS[method]
    i = 0
    while i < len(layers):
        layer = layers[i]
        if layer.kind != "conv2d":
            x = layer.forward(x)
            i += 1
            continue
        x = conv(layer, layer.padded(x))
        kinds = [later.kind for later in layers[i + 1:i + 3]]
        if fused and kinds in (["relu", "maxpool2d"], ["maxpool2d", "relu"]):
            pool = layers[i + 1] if kinds[0] == "maxpool2d" else layers[i + 2]
            x = _max_pool(x, pool.size)
            x += layer.bias
            x = np.maximum(x, 0, out=x)
            i += 3
        else:
            x = x + layer.bias
            i += 1
    return x


def per_call_ms(function, count):
    """Median ms per call of `function()` over 5 rounds of `count` calls, after one call (warm-up)."""
    import time

    function()
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(count):
            function()
        rounds.append((time.perf_counter() - start) * 1000 / count)
    return sorted(rounds)[2]


def strategy_times(model, sizes=(1, 9), repeats=100):
    """{strategy: {str(N): median ms}}: `model`'s forward pass by each of STRATEGIES on random (N, 28, 28)
    inputs (seed 0), the same in the page (py/app.py) and in CPython (tools/bench_speed.py)."""
    rng = np.random.default_rng(0)
    inputs = {n: rng.random((n, 28, 28), dtype=np.float32) for n in sizes}
    return {strategy: {str(n): per_call_ms(lambda x=inputs[n], s=strategy: model.forward(x, s), max(1, repeats // n))
                       for n in sizes} for strategy in STRATEGIES}


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
        x, single = self._batch(x)
        x = x.reshape((x.shape[0],) + self.input_shape)
        if len(x) <= CHUNK:
            out = self._forward(x)
        else:  # im2col of a large batch outgrows the CPU caches: run it in cache-sized chunks
            out = np.concatenate([self._forward(x[i:i + CHUNK]) for i in range(0, len(x), CHUNK)])
        return out[0] if single else out

    def _batch(self, x):
        """x (28, 28) or (N, 28, 28) -> ((N, 28, 28) float32, whether it was one image); a clear error otherwise."""
        x = np.asarray(x, dtype=np.float32)
        single = x.ndim == 2
        if single:
            x = x[None]
        if x.ndim != 3 or x.shape[1:] != self.input_shape[:2]:
            raise ValueError("%s expects (N, %d, %d) images, got %s"
                             % (self.name, self.input_shape[0], self.input_shape[1], x.shape))
        return x, single

    def _forward(self, x):
        return self.forward(x)

    def forward(self, x, strategy=None):
        """x (N, 28, 28) float32 -> (N, outputs), by a forward strategy (default: STRATEGY; see STRATEGIES).
        Without keep: nothing is remembered for a backward pass."""
        x = (x.reshape((len(x),) + self.input_shape) * self._scale - self._shift).astype(np.float32)
        return _forward_by(self._layers, x, strategy or STRATEGY)

    def run(self, x, start=0, stop=None, keep=False):
        """Layers start:stop of the net on x: from the input, (N, 28, 28) images normalized first; else the
        outputs of layer start - 1. (For training tools that read the hidden activations.) keep=True remembers
        what `backward` needs."""
        if start == 0:
            x = (x.reshape((len(x),) + self.input_shape) * self._scale - self._shift).astype(np.float32)
        for layer in self._layers[start:stop]:
            x = layer.forward(x, keep)
        return x

    def predict(self, x):
        """The index (into `self.symbols`) of the most likely symbol: int for one image, (N,) for a batch."""
        return self.predict_proba(x).argmax(axis=-1)

    # --- Looking inside: every layer's output, and gradients by a backward pass ------------------------------

    @property
    def layers(self):
        """The layer objects in order (kind, name; kernel and bias for dense and conv2d)."""
        return list(self._layers)

    @property
    def weights_version(self):
        """Changes whenever any layer's weights are set (a correction taught, forgotten, restored)."""
        return tuple(layer.weights_set for layer in self._layers)

    def activations(self, x):
        """x (28, 28) -> [output of each layer for this image, without the batch axis], e.g. (24, 24, 16)
        after a first 5x5 convolution, (10,) at the end."""
        image, _ = self._batch(x)
        x = (image.reshape((1,) + self.input_shape) * self._scale - self._shift).astype(np.float32)
        outputs = []
        for layer in self._layers:
            x = layer.forward(x)
            outputs.append(x[0].copy())  # a copy: ReLU works in place on the layer before it
        return outputs

    def backward(self, grad, top=None, bottom=0):
        """After `run(x, keep=True, stop=top)`: grad (N, ...), d(scalar)/d(output of layer top - 1) (default:
        of the net's outputs, top = every layer) -> Gradients, found layer by layer from the top down.
        bottom > 0 stops at layer `bottom` (after `run(features, start=bottom, ...)`: the layers below are
        frozen, e.g. when learning only the dense head); then `image` is None."""
        top = range(len(self._layers))[:top].stop  # as a slice's stop: None is every layer, -1 all but the last
        inputs = [None] * top
        for i in range(top - 1, bottom - 1, -1):
            if i == bottom > 0 and self._layers[i].kind == "dense":  # nothing below learns: skip its input's
                grad = inputs[i] = self._layers[i].backward(grad, need_input=False)
            else:
                grad = inputs[i] = self._layers[i].backward(grad)
        params = {"%s.%s" % (layer.name, key): value for layer in self._layers[bottom:top]
                  if layer.grads is not None for key, value in layer.grads.items()}
        image = None if bottom else (grad * self._scale).reshape((len(grad),) + self.input_shape[:2])
        return Gradients(image, inputs, params)

    def log_gradient(self, logits, k, against=None):
        """d/d(logits) of log p_k, p as predict_proba gives it (a softmax over the symbols' logits: the reject
        output drops out), or with `against` j of log(p_k / p_j) = logit_k - logit_j.
        logits (N, outputs); k, against: symbol indices, int or (N,) ints -> (N, outputs) float32."""
        grad = np.zeros_like(logits)
        rows = np.arange(len(logits))
        if against is None:
            symbols = logits[:, :len(self.symbols)]
            q = np.exp(symbols - symbols.max(axis=1, keepdims=True))
            grad[:, :len(self.symbols)] = -q / q.sum(axis=1, keepdims=True)
        else:
            grad[rows, against] -= 1
        grad[rows, k] += 1
        return grad

    def gradients(self, x, k, against=None):
        """x (28, 28) or (N, 28, 28) float32 in [0, 1], ink = 1 -> Gradients of log p_k (or of log(p_k / p_j)
        with against=j; see log_gradient), by one kept forward pass to the logits and one backward pass."""
        images, _ = self._batch(x)
        if self._layers[-1].kind != "softmax":
            raise ValueError("%s does not end in a softmax: no log-probabilities to differentiate" % self.name)
        logits = self.run(images, stop=-1, keep=True)
        return self.backward(self.log_gradient(logits, k, against), top=-1)

    def input_gradient(self, x, k, against=None):
        """x (28, 28) float32 in [0, 1], ink = 1 -> (28, 28) float32: d log p_k / dx, p as predict_proba gives
        it (with against=j: d log(p_k / p_j) / dx). For a batch (N, 28, 28) and k int or (N,): (N, 28, 28)."""
        image = self.gradients(x, k, against).image
        return image[0] if np.ndim(x) == 2 else image


class Gradients:
    """What Model.backward found. image: (N, 28, 28) d/dx of the raw input x; inputs[i]: d/d(input of layer i)
    (inputs[0] is of the normalized image, (N, 28, 28, 1)); params: {"<layer name>.kernel" / ".bias": array of
    the parameter's shape}, summed over the batch (for gradient descent on the dense and conv layers)."""

    def __init__(self, image, inputs, params):
        self.image, self.inputs, self.params = image, inputs, params


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
    read.models = tuple(models)  # what it reads with: memories of its readings key on them (grouping)
    return read


class Remembering:
    """A Model that remembers what it has read, row by row (keyed by the 28x28 bytes): segmentation reads the
    pieces it weighs and the page then reads the pieces it chose, the same arrays; the next drawing, one stroke
    more, has mostly the same pieces again. Each is read once. It forgets all it read when the model's weights
    change (weights_version), and keeps at most `limit` rows (None: all), the least recently used forgotten
    first.
    Everything but `read` is the model's own."""

    def __init__(self, model, limit=None):
        self.model, self.seen, self.limit = model, collections.OrderedDict(), limit
        self.version = getattr(model, "weights_version", None)

    def __getattr__(self, name):
        return getattr(self.model, name)

    def read(self, x):
        """Like Model.read: (N, 28, 28) -> (N, outputs), rows read before taken from memory."""
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 3 or not len(x):
            return self.model.read(x)
        version = getattr(self.model, "weights_version", None)
        if version != self.version:
            self.seen, self.version = collections.OrderedDict(), version
        keys = [row.tobytes() for row in x]
        new = [i for i, key in enumerate(keys) if key not in self.seen]
        if new:
            for i, row in zip(new, self.model.read(x[new])):
                self.seen[keys[i]] = row
        out = np.stack([self.seen[key] for key in keys])
        for key in keys:
            self.seen.move_to_end(key)  # now the most recently used
        while self.limit is not None and len(self.seen) > self.limit:
            self.seen.popitem(last=False)  # the least recently used
        return out


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
            layers.append(Dense(kernel, bias, spec.get("name")))
            shape = (kernel.shape[1],)
        elif kind == "conv2d":
            padding = spec.get("padding", "valid")
            if len(shape) != 3 or kernel.ndim != 4 or kernel.shape[2] != shape[2] or padding not in ("valid", "same"):
                _fail(source, "%s: kernel %s does not fit input %s" % (where, kernel.shape, shape))
            layers.append(Conv2D(kernel, bias, padding, spec.get("name")))
            if padding == "valid":
                shape = (shape[0] - kernel.shape[0] + 1, shape[1] - kernel.shape[1] + 1, kernel.shape[3])
            else:
                shape = (shape[0], shape[1], kernel.shape[3])
        elif kind == "maxpool2d":
            size = int(spec.get("size", 2))
            if len(shape) != 3 or size < 1:
                _fail(source, "%s: needs an image input, got %s" % (where, shape))
            layers.append(MaxPool2D(size))
            shape = (shape[0] // size, shape[1] // size, shape[2])
        elif kind == "flatten":
            layers.append(Flatten())
            shape = (int(np.prod(shape)),)
        else:
            layers.append({"relu": ReLU, "sigmoid": Sigmoid, "softmax": Softmax}[kind]())
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
