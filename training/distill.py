"""Knowledge distillation: a net learns from a trained teacher's softened readings as well as from the labels.

    python -m training.train --nets mlp --teacher weights/cnn.npz

Hinton, Vinyals & Dean (2015), "Distilling the knowledge in a neural network": the teacher's probabilities at a
temperature T > 1 say which wrong symbols an input resembles (a curved 1 is a bit like "("), which a one-hot
label cannot; a small net matched to them generalises better than one fitted to the labels alone. Their MNIST
MLP went from 146 to 74 test errors this way.

The teacher is an exported `.npz` (training/export.py), run here with plain TensorFlow ops on each augmented
batch (so it sees exactly what the student sees): conv2d, relu, maxpool2d, flatten, dense; int8 kernels are
dequantized. Only its symbol outputs are used (a "not one symbol" output, training/reject.py, is left out).
Targets are packed as y (B, 2S): the one-hot label, then the teacher's probabilities at temperature T.
"""
from __future__ import annotations

import io
import json

import numpy as np

TEMPERATURE = 4.0
HARD_WEIGHT = 0.5  # the labels' share of the loss; the teacher's is the rest (scaled by T², as in the paper)
REJECT_LABELS = ("not one symbol", "not one digit")


def teacher_layers(path):
    """An exported net's layers as (kind, arrays) with float32 kernels, and its symbol labels (reject left out)."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    architecture = json.loads(str(arrays["architecture"]))
    labels = list(architecture.get("labels") or [str(d) for d in range(10)])
    symbols = [s for s in labels if s not in REJECT_LABELS]
    layers = []
    for spec in architecture["layers"]:
        if spec["kind"] in ("conv2d", "dense"):
            kernel = arrays[spec["name"] + ".kernel"].astype(np.float32)
            if spec["name"] + ".kernel_scale" in arrays:
                kernel = kernel * arrays[spec["name"] + ".kernel_scale"]
            layers.append((spec, kernel, arrays[spec["name"] + ".bias"].astype(np.float32)))
        else:
            layers.append((spec, None, None))
    if layers and layers[-1][0]["kind"] == "softmax":
        layers.pop()  # the teacher gives logits
    spec, kernel, bias = layers[-1]
    layers[-1] = (spec, kernel[:, :len(symbols)], bias[:len(symbols)])  # the symbols' columns only
    return layers, symbols


def teacher(path):
    """A TF function (B, 28, 28, 1) float32 -> (B, S) the teacher's symbol logits, and its S symbol labels."""
    import tensorflow as tf

    layers, symbols = teacher_layers(path)

    def logits(x):
        for spec, kernel, bias in layers:
            kind = spec["kind"]
            if kind == "conv2d":
                x = tf.nn.conv2d(x, kernel, 1, spec.get("padding", "valid").upper()) + bias
            elif kind == "dense":
                x = tf.matmul(x, kernel) + bias
            elif kind == "relu":
                x = tf.nn.relu(x)
            elif kind == "sigmoid":
                x = tf.sigmoid(x)
            elif kind == "maxpool2d":
                x = tf.nn.max_pool2d(x, spec["size"], spec["size"], "VALID")
            elif kind == "flatten":
                x = tf.reshape(x, [tf.shape(x)[0], -1])
            else:
                raise ValueError("the teacher has a layer of kind %r" % kind)
        return x
    return logits, symbols


def with_soft_targets(logits, classes, temperature=TEMPERATURE):
    """A tf.data map (x, y) -> (x, [one-hot y, softmax(teacher logits / T)]) of shape (B, 2 * classes)."""
    import tensorflow as tf

    def attach(x, y):
        soft = tf.nn.softmax(logits(x) / temperature)
        return x, tf.concat([tf.one_hot(y, classes), soft], axis=1)
    return attach


def loss(classes, temperature=TEMPERATURE, hard_weight=HARD_WEIGHT):
    """Keras loss on y_true (B, 2 * classes) from with_soft_targets and y_pred (B, classes) softmax outputs."""
    import tensorflow as tf

    def distillation(y_true, y_pred):
        hard, soft = y_true[:, :classes], y_true[:, classes:]
        log_p = tf.math.log(tf.clip_by_value(y_pred, 1e-7, 1.0))
        hard_loss = -tf.reduce_sum(hard * log_p, axis=1)
        soft_loss = -tf.reduce_sum(soft * tf.nn.log_softmax(log_p / temperature), axis=1)
        return hard_weight * hard_loss + (1 - hard_weight) * temperature ** 2 * soft_loss
    return distillation


def accuracy(classes):
    """Keras metric: the student's argmax against the label packed in y_true's first `classes` columns."""
    import tensorflow as tf

    def hard_accuracy(y_true, y_pred):
        return tf.cast(tf.equal(tf.argmax(y_true[:, :classes], 1), tf.argmax(y_pred, 1)), tf.float32)
    return hard_accuracy


def describe(path, temperature=TEMPERATURE, hard_weight=HARD_WEIGHT):
    """What the manifest records about the teacher."""
    import hashlib

    data = open(path, "rb").read()
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        summary = json.loads(str(archive["architecture"])).get("summary", "")
    return {"teacher": str(path), "teacher_sha256": hashlib.sha256(data).hexdigest(), "teacher_summary": summary,
            "temperature": temperature, "hard_weight": hard_weight}
