"""Export trained networks to the self-describing `.npz` format py/net.py runs, and keep weights/manifest.json.

Keras models are walked layer by layer: Conv2D, Dense, MaxPooling2D, Flatten, ReLU/activations; a
BatchNormalization right after a Conv2D or Dense is folded into its kernel and bias (so the page needs no BN
layer); Dropout is dropped (a no-op at inference). Kernels are stored as float32, float16, or int8 with one
float32 scale per output unit (symmetric: weight = int8 * scale).
"""
from __future__ import annotations

import datetime
import hashlib
import io
import json
from pathlib import Path

import numpy as np

FORMAT = 1
STORAGES = ("int8", "float16", "float32")
INPUT = {"shape": [28, 28, 1], "scale": 1.0, "mean": 0.0, "std": 1.0}


class ExportError(Exception):
    """The model has a layer the page cannot run."""


def quantize(kernel: np.ndarray, storage: str) -> dict[str, np.ndarray]:
    """Arrays to store for one kernel (last axis = output units)."""
    if storage == "float32":
        return {"kernel": kernel.astype(np.float32)}
    if storage == "float16":
        return {"kernel": kernel.astype(np.float16)}
    if storage != "int8":
        raise ValueError("storage must be one of %s" % (STORAGES,))
    peak = np.abs(kernel.reshape(-1, kernel.shape[-1])).max(axis=0)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    return {"kernel": np.clip(np.round(kernel / scale), -127, 127).astype(np.int8), "kernel_scale": scale}


def _activation_layers(name: str) -> list[dict]:
    if name in ("linear", None):
        return []
    if name in ("relu", "sigmoid", "softmax"):
        return [{"kind": name}]
    raise ExportError("activation %r is not supported by py/net.py" % name)


def _fold_batchnorm(kernel, bias, bn_layer):
    gamma, beta, mean, variance = bn_layer.get_weights()
    factor = gamma / np.sqrt(variance + bn_layer.epsilon)
    return kernel * factor, (bias - mean) * factor + beta


def keras_layers(model) -> list[tuple[dict, np.ndarray | None, np.ndarray | None]]:
    """(spec, kernel, bias) per runnable layer of a Keras model, BN folded, float32 weights."""
    out = []
    layers = [layer for layer in model.layers if type(layer).__name__ not in ("InputLayer", "Dropout")]
    i = 0
    while i < len(layers):
        layer = layers[i]
        kind = type(layer).__name__
        config = layer.get_config()
        if kind in ("Conv2D", "Dense"):
            weights = layer.get_weights()
            kernel = weights[0].astype(np.float64)
            bias = weights[1].astype(np.float64) if len(weights) > 1 else np.zeros(kernel.shape[-1])
            if kind == "Conv2D" and (tuple(config["strides"]) != (1, 1) or tuple(config["dilation_rate"]) != (1, 1)):
                raise ExportError("%s: only stride 1, dilation 1 convolutions are supported" % layer.name)
            activation = config.get("activation", "linear")
            if i + 1 < len(layers) and type(layers[i + 1]).__name__ == "BatchNormalization":
                if activation != "linear":
                    raise ExportError("%s: BatchNormalization after an activation cannot be folded" % layer.name)
                kernel, bias = _fold_batchnorm(kernel, bias, layers[i + 1])
                i += 1
            spec = {"kind": "conv2d" if kind == "Conv2D" else "dense", "name": layer.name}
            if kind == "Conv2D":
                spec["padding"] = config["padding"]
            out.append((spec, kernel.astype(np.float32), bias.astype(np.float32)))
            out.extend((s, None, None) for s in _activation_layers(activation))
        elif kind == "MaxPooling2D":
            size = tuple(config["pool_size"])
            if size[0] != size[1] or tuple(config["strides"] or size) != size or config["padding"] != "valid":
                raise ExportError("%s: only square, non-overlapping, valid max pooling is supported" % layer.name)
            out.append(({"kind": "maxpool2d", "size": size[0]}, None, None))
        elif kind == "Flatten":
            out.append(({"kind": "flatten"}, None, None))
        elif kind == "ReLU":
            out.append(({"kind": "relu"}, None, None))
        elif kind == "Activation":
            out.extend((s, None, None) for s in _activation_layers(config["activation"]))
        elif kind in ("Reshape",) and tuple(config["target_shape"]) == (28, 28, 1):
            pass  # the page feeds (N, 28, 28, 1) already
        else:
            raise ExportError("layer %s of kind %s is not supported by py/net.py" % (layer.name, kind))
        i += 1
    return out


def summarize(specs_and_kernels) -> str:
    """A one-line description like 'conv 5x5x32 → pool 2 → dense 128 → dense 10'."""
    parts = []
    for spec, kernel, _ in specs_and_kernels:
        if spec["kind"] == "conv2d":
            parts.append("conv %dx%dx%d" % (kernel.shape[0], kernel.shape[1], kernel.shape[3]))
        elif spec["kind"] == "dense":
            parts.append("dense %d" % kernel.shape[1])
        elif spec["kind"] == "maxpool2d":
            parts.append("pool %d" % spec["size"])
        elif spec["kind"] == "sigmoid":
            parts[-1] += " sigmoid"
    n_params = sum(k.size + b.size for _, k, b in specs_and_kernels if k is not None)
    return "%s (%s params)" % (" → ".join(parts), "{:,}".format(n_params))


def npz_bytes(name: str, specs_and_kernels, storage: str, input_spec: dict = INPUT, labels=None) -> bytes:
    """Serialize layers to the npz format py/net.py reads; `labels` names the outputs in order (py/net.py's
    docstring), None for the older 10/11-output files."""
    arrays = {}
    for spec, kernel, bias in specs_and_kernels:
        if kernel is not None:
            for key, value in quantize(kernel, storage).items():
                arrays["%s.%s" % (spec["name"], key)] = value
            arrays[spec["name"] + ".bias"] = bias.astype(np.float32)
    architecture = {"format": FORMAT, "name": name, "summary": summarize(specs_and_kernels),
                    "storage": storage, "input": input_spec, "layers": [s for s, _, _ in specs_and_kernels]}
    if labels is not None:
        architecture["labels"] = list(labels)
    arrays["architecture"] = np.array(json.dumps(architecture))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def write(path: Path, data: bytes) -> dict:
    """Write a weights file; return its manifest facts (file, bytes, sha256)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"file": path.name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def update_manifest(out_dir: Path, name: str, entry: dict) -> Path:
    """Record one net's entry in out_dir/manifest.json, keeping the other nets' entries."""
    path = Path(out_dir) / "manifest.json"
    manifest = json.loads(path.read_text()) if path.exists() else {}
    manifest.setdefault("format", FORMAT)
    manifest.setdefault("models", {})[name] = dict(entry, date=datetime.date.today().isoformat())
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return path
