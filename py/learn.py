"""Learning from a person's corrections, in the page: a few steps of gradient descent on both nets' dense head.

When the page misreads a symbol and the person says what it is, `Learner.learn(image, label)` teaches each net
that knows the label: the corrected image and augmented copies of it (small shift, rotation, scale, pen width),
a few of the person's earlier corrections, and a batch of shipped examples from the replay set (every label,
weights/replay.npz, made by training/replay.py) so that nothing else is forgotten.

The maths, as the seed derives it. With logits A (N, K) of the top dense layer, Y = softmax(A), targets T
one-hot and per-example weights w (summing to 1), the loss J = -Σₙ wₙ Σₖ Tₙₖ log Yₙₖ has

    ∂J/∂A = w ⊙ (Y − T)                                        (softmax_cross_entropy)

and py/net.py's backward carries that down, layer by layer: for the top dense layer (input Z, kernel V)
∇V J = Zᵀ (Y − T), and through a ReLU hidden layer (input X, kernel W) ∇W J = Xᵀ [((Y − T) Vᵀ) ⊙ Z′].
The loss covers every output: a correction says "this is one symbol, this one", so the reject output
("not one symbol") is a class like the others, and the replay set holds rejected pieces so it keeps its job.

Only the top `Plan.head` dense layers learn (the MLP's dense2 and out, the CNN's dense1 and out): what lies below
is frozen, so its output (for the CNN, the convolutions' features) is computed once per correction, and the
personal changes stay small. They are kept as float16 deltas from the shipped weights (`dumps` / `restore`,
a JSON text with base64 zlib arrays, keyed by the weights files' sha256 so another version is detected).

Images: (28, 28) or (N, 28, 28) float32 in [0, 1], ink = 1, as the nets read them. Pure numpy: runs in CPython
(tests, training/scratch.py, tools/bench_learn.py) and in the page.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import zlib
from dataclasses import dataclass

import numpy as np

import net

STATE_FORMAT = "digit-factoid-learned/1"
REJECTS = (net.REJECT, net.OLD_REJECT)  # one label for both spellings of "not one symbol"


class StateError(Exception):
    """A stored state that cannot be used: corrupt, or made for other weights."""


@dataclass
class Plan:
    """How one correction is learned. head: how many of the top dense layers learn; replay, copies, earlier:
    the batch (shipped examples, augmented copies of the correction, earlier corrections); steps: SGD steps at
    `rate`, then up to `extra` more until the net reads the correction right."""
    head: int = 2
    replay: int = 32
    copies: int = 8
    earlier: int = 8
    steps: int = 6
    extra: int = 14
    rate: float = 0.01


# --- The maths -----------------------------------------------------------------------------------------------

def softmax(logits):
    """(N, K) -> (N, K) rows summing to 1."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(logits, targets, weights=None):
    """Loss J = -Σₙ wₙ log Yₙ,tₙ (Y = softmax(logits)) and ∂J/∂logits = w ⊙ (Y − T).
    logits (N, K) float32; targets (N,) int output indices; weights (N,) summing to 1 (default 1/N each)."""
    n = len(logits)
    weights = np.full(n, 1.0 / n, logits.dtype) if weights is None else np.asarray(weights, logits.dtype)
    y = softmax(logits)
    rows = np.arange(n)
    loss = float(-(weights * np.log(np.maximum(y[rows, targets], 1e-30))).sum())
    y[rows, targets] -= 1.0  # Y − T
    return loss, y * weights[:, None]


def head_start(model, head=2):
    """Index of the first layer that learns: the `head`-th dense layer from the top."""
    dense = [i for i, layer in enumerate(model.layers) if layer.kind == "dense"]
    if not dense:
        raise ValueError("%s has no dense layer to learn" % model.name)
    return dense[-min(head, len(dense))]


def head_layers(model, start):
    """The dense layers from `start` up: the ones that learn."""
    return [layer for layer in model.layers[start:] if layer.kind == "dense"]


def gradients(model, start, features, targets, weights=None):
    """The loss and {"<layer>.kernel" / ".bias": ∂J/∂parameter} of layers start.. (net.py's backward, stopped at
    `start`). features: the output of layer start - 1 (the images themselves, (N, 28, 28), for start = 0)."""
    logits = model.run(features, start, -1, keep=True)
    loss, grad = softmax_cross_entropy(logits, targets, weights)
    return loss, model.backward(grad, top=-1, bottom=start).params


def step(model, start, features, targets, weights, rate):
    """One step of gradient descent on layers start.. of `model`, in place. features: the output of layer
    start - 1 for the batch (from model.run(x, 0, start)); targets (N,) output indices. Returns the loss."""
    loss, params = gradients(model, start, features, targets, weights)
    for layer in head_layers(model, start):
        layer.set_weights(layer.kernel - rate * params[layer.name + ".kernel"],
                          layer.bias - rate * params[layer.name + ".bias"])
    return loss


# --- Augmentation: the same symbol as the person might draw it again ------------------------------------------

def _bilinear(image, sy, sx):
    """image (28, 28) sampled at float coordinates (N, 28, 28) each; outside is 0."""
    padded = np.pad(image, 1)
    sy, sx = np.clip(sy + 1, 0, 28.999), np.clip(sx + 1, 0, 28.999)
    y0, x0 = np.floor(sy).astype(int), np.floor(sx).astype(int)
    fy, fx = sy - y0, sx - x0
    y1, x1 = np.minimum(y0 + 1, 29), np.minimum(x0 + 1, 29)
    top = padded[y0, x0] * (1 - fx) + padded[y0, x1] * fx
    bottom = padded[y1, x0] * (1 - fx) + padded[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def _spread(images):
    """3x3 maximum of each image (N, 28, 28): the strokes one pixel wider."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    return np.max([padded[:, i:i + 28, j:j + 28] for i in range(3) for j in range(3)], axis=0)


def augment(image, rng, count, rotate=10.0, shift=1.5, scale=0.08):
    """(28, 28) -> (count, 28, 28) float32 copies: rotated (± `rotate` degrees), scaled, shifted (± `shift` px)
    about the centre, a third drawn with a thicker pen and a third with a thinner one."""
    angle = np.radians(rng.uniform(-rotate, rotate, count))[:, None, None]
    zoom = rng.uniform(1 - scale, 1 + scale, count)[:, None, None]
    dx, dy = (rng.uniform(-shift, shift, (2, count))[..., None, None])
    ys, xs = np.mgrid[0:28, 0:28].astype(np.float32) - 13.5
    u, v = xs - dx, ys - dy  # inverse map: where each output pixel comes from
    sx = (np.cos(angle) * u + np.sin(angle) * v) / zoom + 13.5
    sy = (-np.sin(angle) * u + np.cos(angle) * v) / zoom + 13.5
    out = _bilinear(np.asarray(image, np.float32), sy, sx).astype(np.float32)
    pen = rng.integers(0, 3, count)  # 0 as drawn, 1 thicker, 2 thinner
    if (pen == 1).any():
        out[pen == 1] = np.maximum(out[pen == 1], rng.uniform(0.4, 0.8) * _spread(out[pen == 1]))
    if (pen == 2).any():
        low = rng.uniform(0.2, 0.4)
        out[pen == 2] = np.clip((out[pen == 2] - low) / (1 - low), 0, 1)
    return out


# --- Shipped examples --------------------------------------------------------------------------------------------

class Replay:
    """Shipped examples of every label. x (N, 28, 28) uint8 (ink = 255), y (N,) indices into `labels`."""

    def __init__(self, x, y, labels):
        self.x, self.y, self.labels = x, y, [str(label) for label in labels]

    @classmethod
    def loads(cls, data):
        """From the bytes of weights/replay.npz (training/replay.py): x (N, 28, 14) uint8, 4-bit pixels two to a
        byte (left one high); y (N,) indices into labels (names)."""
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            packed, y, labels = archive["x"], archive["y"].astype(np.int64), list(archive["labels"])
        x = np.empty(packed.shape[:2] + (28,), np.uint8)
        x[:, :, 0::2], x[:, :, 1::2] = packed >> 4, packed & 15
        return cls(x * np.uint8(17), y, labels)  # 15 * 17 = 255

    def targets(self, model):
        """(N,) `model`'s output index of each example, -1 where the model has no such output."""
        return np.array([output_index(model, label) for label in self.labels], np.int64)[self.y]


def output_index(model, label):
    """`model`'s output for a label name (either spelling of the reject label), or -1."""
    if label in model.labels:
        return model.labels.index(label)
    if label in REJECTS and model.rejects:
        return model.outputs - 1
    return -1


def to_uint8(image):
    return np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)


# --- The learner ----------------------------------------------------------------------------------------------

class Learner:
    """Both nets' personal changes. models: {name: net.Model}, changed in place; replay: Replay; versions:
    {name: sha256 of its weights file} (stored with the changes); corrections: (uint8 image, label) pairs."""

    def __init__(self, models, replay, versions, plan=None, seed=0):
        self.models, self.replay, self.versions = models, replay, dict(versions)
        self.plan, self.seed = plan or Plan(), seed
        self.starts = {name: head_start(model, self.plan.head) for name, model in models.items()}
        self.base = {name: {layer.name: (layer.kernel.copy(), layer.bias.copy())
                            for layer in head_layers(model, self.starts[name])} for name, model in models.items()}
        self.replay_targets = {name: replay.targets(model) for name, model in models.items()}
        self.corrections = []

    def learn(self, image, label):
        """Teach every net that knows `label` that `image` (28, 28) is it. Returns {name: steps taken}."""
        image = to_uint8(image)
        earlier = list(self.corrections)
        self.corrections.append((image, label))
        rng = np.random.default_rng([self.seed, len(self.corrections)])
        x = image.astype(np.float32) / 255.0
        batch = [x[None], augment(x, rng, self.plan.copies)]
        labels = [label] * (1 + self.plan.copies)
        for i in rng.permutation(len(earlier))[:self.plan.earlier]:
            old, old_label = earlier[i]
            batch.append(augment(old.astype(np.float32) / 255.0, rng, 1))
            labels.append(old_label)
        personal = np.concatenate(batch)
        steps = {}
        for name, model in self.models.items():
            target = output_index(model, label)
            if target < 0:
                continue
            chosen = rng.choice(np.flatnonzero(self.replay_targets[name] >= 0), self.plan.replay, replace=False)
            x_all = np.concatenate([personal, self.replay.x[chosen].astype(np.float32) / 255.0])
            targets = np.concatenate([[output_index(model, t) for t in labels], self.replay_targets[name][chosen]])
            known = targets >= 0  # an earlier correction this net has no output for
            steps[name] = self._teach(name, x_all[known], targets[known])
        return steps

    def _teach(self, name, x, targets):
        """SGD on one net's head; the first example is the correction. Returns the steps taken."""
        model, start = self.models[name], self.starts[name]
        features = model.run(x, 0, start)  # the frozen layers, once
        taken = 0
        for taken in range(1, self.plan.steps + self.plan.extra + 1):
            step(model, start, features, targets, None, self.plan.rate)
            if taken >= self.plan.steps and self._reads(model, start, features[:1], targets[0]):
                break
        self._round(name)
        return taken

    @staticmethod
    def _reads(model, start, features, target):
        logits = model.run(features.copy(), start)[0]
        return int(model.symbol_probabilities(logits).argmax()) == target

    def _round(self, name):
        """Keep the weights at base + a float16 delta: what is stored is exactly what runs."""
        for layer in head_layers(self.models[name], self.starts[name]):
            kernel, bias = self.base[name][layer.name]
            layer.set_weights(kernel + (layer.kernel - kernel).astype(np.float16).astype(np.float32),
                              bias + (layer.bias - bias).astype(np.float16).astype(np.float32))

    def forget(self):
        """Back to the shipped nets."""
        for name, model in self.models.items():
            for layer in head_layers(model, self.starts[name]):
                kernel, bias = self.base[name][layer.name]
                layer.set_weights(kernel.copy(), bias.copy())
        self.corrections = []

    # --- Keeping the changes -----------------------------------------------------------------------------------

    def dumps(self):
        """The personal changes as a JSON text: corrections (uint8 images, labels) and float16 weight deltas."""
        deltas = {}
        for name, model in self.models.items():
            deltas[name] = {}
            for layer in head_layers(model, self.starts[name]):
                kernel, bias = self.base[name][layer.name]
                deltas[name][layer.name + ".kernel"] = _pack((layer.kernel - kernel).astype(np.float16))
                deltas[name][layer.name + ".bias"] = _pack((layer.bias - bias).astype(np.float16))
        images = np.array([image for image, _ in self.corrections], np.uint8).reshape(-1, 28, 28)
        return json.dumps({"format": STATE_FORMAT, "versions": self.versions, "deltas": deltas,
                           "corrections": {"x": _pack(images), "labels": [label for _, label in self.corrections]}})

    def restore(self, text):
        """Apply a state from `dumps`. Raises StateError (and changes nothing) if it is corrupt or was made for
        other weights. Returns the number of corrections in effect."""
        try:
            state = json.loads(text)
            if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
                raise StateError("not a saved learning state")
            if state.get("versions") != self.versions:
                raise StateError("made for other weights (the nets were updated since)")
            new = {}
            for name, model in self.models.items():
                for layer in head_layers(model, self.starts[name]):
                    kernel, bias = self.base[name][layer.name]
                    dk = _unpack(state["deltas"][name][layer.name + ".kernel"], np.float16, kernel.shape)
                    db = _unpack(state["deltas"][name][layer.name + ".bias"], np.float16, bias.shape)
                    new[name, layer.name] = (kernel + dk.astype(np.float32), bias + db.astype(np.float32))
            labels = [str(label) for label in state["corrections"]["labels"]]
            images = _unpack(state["corrections"]["x"], np.uint8, (len(labels), 28, 28))
        except StateError:
            raise
        except Exception as error:  # noqa: BLE001 - JSON, base64, zlib, key and shape errors: all "corrupt"
            raise StateError("corrupt (%s)" % (str(error) or type(error).__name__)) from None
        if not all(np.isfinite(k).all() and np.isfinite(b).all() for k, b in new.values()):
            raise StateError("corrupt (weights that are not finite)")
        for name, model in self.models.items():
            for layer in head_layers(model, self.starts[name]):
                layer.set_weights(*new[name, layer.name])
        self.corrections = list(zip(images, labels))
        return len(labels)

    def export(self):
        """The corrections as .npz bytes: x (N, 28, 28) uint8 (ink = 255), y (N,) label strings — for
        `python -m training.train --extra FILE`."""
        buffer = io.BytesIO()
        images = np.array([image for image, _ in self.corrections], np.uint8).reshape(-1, 28, 28)
        np.savez_compressed(buffer, x=images, y=np.array([label for _, label in self.corrections], dtype=str))
        return buffer.getvalue()


def _pack(array):
    return base64.b64encode(zlib.compress(np.ascontiguousarray(array).tobytes(), 6)).decode("ascii")


def _unpack(text, dtype, shape):
    data = zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True))
    array = np.frombuffer(data, dtype=dtype)
    if array.size != int(np.prod(shape)):
        raise ValueError("an array of %d values, expected shape %s" % (array.size, shape))
    return array.reshape(shape)


def file_version(path):
    """sha256 of a weights file (the value weights/manifest.json records)."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
