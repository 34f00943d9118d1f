"""Learning from a person's corrections, in the page: a few steps of gradient descent on both nets' dense head.

When the page misreads a symbol and the person says what it is, `Learner.learn(image, label)` teaches each net
that knows the label: the corrected image and augmented copies of it (small shift, rotation, scale, pen width),
a few of the person's earlier corrections, and the shipped examples of the replay set (every label,
weights/replay.npz, made by training/replay.py) so that nothing else is forgotten.

The maths, as the seed derives it. With logits A (N, K) of the top dense layer, Y = softmax(A), targets T
one-hot and per-example weights w (summing to 1), the loss J = -Σₙ wₙ Σₖ Tₙₖ log Yₙₖ has

    ∂J/∂A = w ⊙ (Y − T)                                        (softmax_cross_entropy)

and py/net.py's backward carries that down, layer by layer: for the top dense layer (input Z, kernel V)
∇V J = Zᵀ (Y − T), and through a ReLU hidden layer (input X, kernel W) ∇W J = Xᵀ [((Y − T) Vᵀ) ⊙ Z′].
The loss covers every output: a correction says "this is one symbol, this one", so the reject output
("not one symbol") is a class like the others, and the replay set holds rejected pieces so it keeps its job.

Only the top `Plan.head` dense layers learn (by default the last one, `out`, of each net: with the
features below it computed once for the whole replay set, every shipped example is in every step); what lies
below is frozen, and the personal changes stay small. Each step's batch weighs up the shipped examples of the
label and of the output the net misreads it as, so the boundary moves only as far as the person's drawings need
(the writers of tools/bench_learn.py draw parentheses that MNIST would call slanted 1s). The changes are kept
as float16 deltas from the shipped weights (`dumps` / `restore`, a JSON text with base64 zlib arrays, keyed by the
weights files' sha256 so another version is detected).

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


def _best_rival(logits, target, symbols):
    """(the best symbol other than `target` among the first `symbols` outputs, how far `target`'s logit lies
    above it)."""
    others = logits[:symbols].copy()
    if target < symbols:
        others[target] = -np.inf
    rival = int(others.argmax())
    return rival, float(logits[target] - logits[rival])


class StateError(Exception):
    """A stored state that cannot be used: corrupt, or made for other weights."""


@dataclass
class Plan:
    """How one correction is learned. head: how many of the top dense layers learn; copies, earlier: augmented
    copies of the correction and earlier corrections in the batch; replay: shipped examples in it (as many of
    each output as there are; the whole set when it is that large), those of the label and of the output the
    net reads the correction as (the boundary the correction moves) weighing `rivals` times the others; share:
    if set, the person's examples' share of the loss (else every example weighs the same); steps at `rate`: at
    least `steps`, then up to `extra` more, each at `grow` times the rate of the one before (a misread the
    shipped examples hold firm still flips in a few steps), until the net reads the correction right by
    `margin`; anchor: an L2 pull toward the shipped weights; guard >= 0: a step that makes more than `guard`
    more replay examples misread is undone and ends the learning (the growing steps cannot buy a correction
    with the shipped examples: without it, one correction cost the MLP 10 points of MNIST on writer 7).
    nudge (head 1 only): if the net reads the correction right by less than `lift` logits after the steps (or
    not at all), the top layer gets the least change that reads it right by `lift` (`_nudge`), so a correction
    always flips the reading, also where the grammar weighs it against a complete reading; ridge and
    kept shape that change (see `_nudge`); rounds: how many times the rival may be overtaken anew.

    Tuned with tools/bench_learn.py on writers 5-12 (reported on 1-4): a large replay batch with the rival
    outputs weighed up is what keeps MNIST; the writers' parentheses look like slanted MNIST 1s, and a few
    shipped examples lose that boundary. Only the last layer learns: its inputs are computed once for the whole
    replay set (`prepare`), so every shipped example fits in each step at the cost of one small product."""
    head: int = 1
    replay: int = 4096
    rivals: float = 4.0
    copies: int = 8
    earlier: int = 8
    share: float = 0.0
    steps: int = 3
    extra: int = 5
    rate: float = 0.15
    margin: float = 0.0
    anchor: float = 0.0
    guard: int = 12
    grow: float = 2.0
    nudge: bool = True
    ridge: float = 0.01
    lift: float = 1.0
    kept: float = 50.0
    rounds: int = 3


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


def step(model, start, features, targets, weights, rate, anchor=0.0, base=None):
    """One step of gradient descent on layers start.. of `model`, in place. features: the output of layer
    start - 1 for the batch (from model.run(x, 0, start)); targets (N,) output indices. Returns the loss."""
    loss, params = gradients(model, start, features, targets, weights)
    descend(model, start, params, rate, anchor, base)
    return loss


def descend(model, start, params, rate, anchor=0.0, base=None):
    """θ ← θ − rate ∇J for layers start.. of `model` (params: {"<layer>.kernel" / ".bias": ∇J}). With `anchor`
    > 0 the loss has a term anchor/2 ‖θ − θ₀‖² (θ₀: base {layer name: (kernel, bias)}), whose gradient
    anchor (θ − θ₀) pulls the weights back toward the shipped ones."""
    for layer in head_layers(model, start):
        dk, db = params[layer.name + ".kernel"], params[layer.name + ".bias"]
        if anchor:
            kernel, bias = base[layer.name]
            dk, db = dk + anchor * (layer.kernel - kernel), db + anchor * (layer.bias - bias)
        layer.set_weights(layer.kernel - rate * dk, layer.bias - rate * db)


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
        self.by_target = {name: [np.flatnonzero(targets == k) for k in range(model.outputs)]
                          for (name, targets), model in zip(self.replay_targets.items(), models.values())}
        self.replay_features = {name: None for name in models}  # (N, ...) frozen features of the replay set
        self.ready = {name: np.zeros(len(replay.y), bool) for name in models}  # which of them are computed
        self.corrections = []
        self.grams = {}

    def learn(self, image, label):
        """Teach every net that knows `label` that `image` (28, 28) is it. Returns {name: steps taken}."""
        image = to_uint8(image)
        earlier = list(self.corrections)
        self.corrections.append((image, label))
        rng = np.random.default_rng([self.seed, len(self.corrections)])
        x = image.astype(np.float32) / 255.0
        own = np.concatenate([x[None], augment(x, rng, self.plan.copies)])  # the correction first
        chosen = rng.permutation(len(earlier))[:self.plan.earlier]
        old = [augment(earlier[i][0].astype(np.float32) / 255.0, rng, 1) for i in chosen]
        old = np.concatenate(old) if old else np.zeros((0, 28, 28), np.float32)
        old_labels = [earlier[i][1] for i in chosen]
        steps = {}
        for name, model in self.models.items():
            target = output_index(model, label)
            if target >= 0:
                steps[name] = self._teach(name, own, target, old, old_labels, rng)
                if self.plan.nudge and self.plan.head == 1:  # still misread: the least change that reads it right
                    steps[name] += self._nudge(name, own, target, [image for image, _ in earlier])
        return steps

    def _teach(self, name, own, target, old, old_labels, rng):
        """SGD on one net's head. own: (C, 28, 28) the correction then its copies, all of output `target`;
        old: (E, 28, 28) earlier corrections of `old_labels`. Returns the steps taken."""
        model, start, plan = self.models[name], self.starts[name], self.plan
        own_features = model.run(own, 0, start)  # the frozen layers, once
        old_targets = np.array([output_index(model, label) for label in old_labels], np.int64)
        known = old_targets >= 0  # an earlier correction this net has no output for
        old_features = model.run(old[known], 0, start) if known.any() else own_features[:0]
        rival = self._rival(model, start, own_features, target)
        chosen = self._choose_replay(name, target, rival, rng)
        features = np.concatenate([own_features, old_features, self._replay_features(name, chosen)])
        targets = np.concatenate([np.full(len(own), target), old_targets[known], self.replay_targets[name][chosen]])
        weights = self._weights(len(own) + int(known.sum()), targets[len(targets) - len(chosen):], target, rival)
        shipped = np.arange(len(targets)) >= len(targets) - len(chosen)  # the replay rows
        taken, allowed, before = 0, None, None
        while taken <= plan.steps + plan.extra:
            logits = model.run(features, start, -1, keep=True)
            if plan.guard >= 0:  # the held-back check: a step that misreads more shipped examples is undone
                misread = int((logits[shipped].argmax(axis=1) != targets[shipped]).sum())
                if allowed is None:
                    allowed = misread + plan.guard
                elif misread > allowed:
                    self._set(name, before)
                    taken -= 1
                    break
            if taken == plan.steps + plan.extra or (
                    taken >= plan.steps and self._reads(model, start, own_features[:1], target, plan.margin)):
                break
            before = self._get(name)
            _, grad = softmax_cross_entropy(logits, targets, weights)
            rate = plan.rate * plan.grow ** max(0, taken + 1 - plan.steps)
            descend(model, start, model.backward(grad, top=-1, bottom=start).params, rate, plan.anchor,
                    self.base[name])
            taken += 1
        self._round(name)
        return taken

    def _nudge(self, name, own, target, earlier):
        """The least change of the top layer (its input z̃ = (z, 1), F + 1 values) that reads the correction right.
        own: (C, 28, 28) the correction then its copies; earlier: uint8 (28, 28) images of earlier corrections.
        Returns the rounds taken.

        The change raises the target's logit and lowers the rival's (the symbol the net reads) by w·z̃ / 2 each,
        one vector w: the margin of an example moves by w·z̃. Among the w that lift the correction's margin to
        `plan.lift`, the one moving the shipped examples' margins least, Σ (w·z̃ₙ)² / N + `kept` × the same over the
        earlier corrections + `ridge` ‖w‖² (scaled), is w ∝ H⁻¹ c, H their second moment matrix, c the mean z̃
        of the correction and its copies: the change goes where the drawing differs from what was shipped.
        A strong rival may leave a third symbol on top: up to `plan.rounds` rounds."""
        model, start, plan = self.models[name], self.starts[name], self.plan
        layer = head_layers(model, start)[-1]
        own_features = _with_one(model.run(own, 0, start))

        def rival_and_margin():  # of the correction, as the top layer reads it now
            logits = own_features[0] @ np.vstack([layer.kernel, layer.bias[None]])
            return _best_rival(logits, target, len(model.symbols))

        if rival_and_margin()[1] >= plan.lift:
            return 0  # read right by `lift` already (barely right is not enough: the grammar weighs both nets' mean)
        held = self._gram(name)
        if earlier:
            kept = _with_one(model.run(np.array(earlier, np.float32) / 255.0, 0, start))
            held = held + plan.kept * kept.T @ kept / len(self.replay.y)
        held = held + plan.ridge * np.trace(held) / len(held) * np.eye(len(held), dtype=held.dtype)
        direction = np.linalg.solve(held, own_features.mean(axis=0))
        taken = 0
        while taken < plan.rounds:
            rival, margin = rival_and_margin()
            short = plan.lift - margin
            if short <= 0:
                break
            change = direction * (short / float(own_features[0] @ direction)) / 2
            kernel, bias = layer.kernel.copy(), layer.bias.copy()
            kernel[:, target] += change[:-1]
            kernel[:, rival] -= change[:-1]
            bias[target] += change[-1]
            bias[rival] -= change[-1]
            layer.set_weights(kernel, bias)
            taken += 1
        self._round(name)
        return taken

    def _gram(self, name):
        """(F + 1, F + 1) Σ z̃ z̃ᵀ / N of the N shipped examples' top-layer inputs z̃ = (z, 1), computed once."""
        if name not in self.grams:
            self._prepare(name, np.arange(len(self.replay.y)))
            features = _with_one(self.replay_features[name][self.replay_targets[name] >= 0])
            self.grams[name] = features.T @ features / len(features)
        return self.grams[name]

    def _get(self, name):
        return [(layer.kernel, layer.bias) for layer in head_layers(self.models[name], self.starts[name])]

    def _set(self, name, weights):
        for layer, (kernel, bias) in zip(head_layers(self.models[name], self.starts[name]), weights):
            layer.set_weights(kernel, bias)

    @staticmethod
    def _rival(model, start, features, target):
        """The output other than `target` the net finds likeliest for the correction and its copies."""
        out = model.run(features.copy(), start).mean(axis=0)
        out[target] = -1
        if model.rejects:  # the reading the person saw is a symbol's
            out[-1] = -1
        return int(out.argmax())

    def _choose_replay(self, name, target, rival, rng):
        """Indices of `plan.replay` shipped examples (all, if there are no more), the same number of each output
        as far as they go."""
        groups = self.by_target[name]
        if self.plan.replay >= sum(len(g) for g in groups):
            return np.flatnonzero(self.replay_targets[name] >= 0)
        order = [k for k in rng.permutation(len(groups)) if len(groups[k])]
        counts = np.bincount([order[i % len(order)] for i in range(self.plan.replay)], minlength=len(groups))
        return np.concatenate([rng.choice(groups[k], min(c, len(groups[k])), replace=False)
                               for k, c in enumerate(counts) if c]).astype(np.int64)

    def _weights(self, personal, shipped, target, rival):
        """(personal + len(shipped),) loss weights summing to 1: the person's examples first, then the shipped
        ones (shipped: their outputs), those of `target` and `rival` (the boundary the correction moves) weighing
        `plan.rivals` times the others; with `plan.share` the person's examples weigh that share of the loss."""
        w = np.ones(personal + len(shipped), np.float32)
        w[personal:][(shipped == target) | (shipped == rival)] = self.plan.rivals
        if self.plan.share:
            w[:personal] *= self.plan.share / w[:personal].sum()
            w[personal:] *= (1 - self.plan.share) / max(w[personal:].sum(), 1e-9)
        return w / w.sum()

    def _replay_features(self, name, chosen):
        """(len(chosen), ...) frozen features of replay examples, each computed once and kept."""
        self._prepare(name, np.unique(chosen))
        return self.replay_features[name][chosen]

    def prepare(self, count=None):
        """Compute the frozen features of up to `count` more replay examples (default: all) for each net: the
        page calls it a chunk at a time while the person draws, so a correction only runs the learning layers.
        Once they are all ready, the nudge's Gram matrix of each net is computed too, one net per call when
        `count` is given. Returns how many examples are still to do, or 1 while a Gram matrix is (0: ready)."""
        left = 0
        for name, ready in self.ready.items():
            todo = np.flatnonzero(~ready)
            self._prepare(name, todo[:count])
            left = max(left, len(todo[count:]) if count is not None else 0)
        if left or not self.plan.nudge:
            return left
        for name in [n for n in self.ready if n not in self.grams][:1 if count is not None else None]:
            self._gram(name)
        return int(any(name not in self.grams for name in self.ready))

    def _prepare(self, name, indices):
        model, ready = self.models[name], self.ready[name]
        new = indices[~ready[indices]]
        if len(new):
            features = model.run(self.replay.x[new].astype(np.float32) / 255.0, 0, self.starts[name])
            if self.replay_features[name] is None:
                self.replay_features[name] = np.zeros((len(ready),) + features.shape[1:], np.float32)
            self.replay_features[name][new] = features
            ready[new] = True

    @staticmethod
    def _reads(model, start, features, target, margin=0.0):
        """Whether the net reads the first example as `target`, its probability ahead of any other's by `margin`."""
        p = model.symbol_probabilities(model.run(features[:1].copy(), start))[0]
        if target >= len(p):  # the reject output: not a symbol at all
            return bool(model.run(features[:1].copy(), start)[0].argmax() == target)
        ahead = p[target] - np.delete(p, target).max()
        return bool(ahead > margin) if margin else int(p.argmax()) == target

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


def _with_one(features):
    """(N, ...) top-layer inputs -> (N, F + 1) float64, flattened, a 1 appended (the bias's input)."""
    flat = features.reshape(len(features), -1).astype(np.float64)
    return np.concatenate([flat, np.ones((len(flat), 1))], axis=1)


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
