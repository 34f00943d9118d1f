"""Knowledge distillation: a net learns from a trained teacher's softened readings as well as from the labels.

    python -m training.train --nets mlp --teacher weights/cnn.npz

Hinton, Vinyals & Dean (2015), "Distilling the knowledge in a neural network": the teacher's probabilities at a
temperature T > 1 say which wrong symbols an input resembles (a curved 1 is a bit like "("), which a one-hot
label cannot; a small net matched to them generalises better than one fitted to the labels alone. Their MNIST
MLP went from 146 to 74 test errors this way.

The teacher is an exported `.npz` loaded by py/net.py, its layers run here with plain TensorFlow ops on each
augmented batch (so it sees exactly what the student sees). Only its symbol outputs are used (a "not one
symbol" output, training/reject.py, is left out).
Targets are packed as y (B, 2S): the one-hot label, then the teacher's probabilities at temperature T.
"""
from __future__ import annotations

import net  # py/, on sys.path through the training package

TEMPERATURE = 4.0
HARD_WEIGHT = 0.5  # the labels' share of the loss; the teacher's is the rest (scaled by T², as in the paper)


def teacher(path):
    """A TF function (B, 28, 28, 1) float32 -> (B, S) the teacher's symbol logits, and its S symbol labels.
    The net is loaded by py/net.py (format checks, int8 kernels dequantized); its final softmax is left out."""
    import tensorflow as tf

    model = net.load(str(path), manifest=None)
    symbols = list(model.symbols)
    layers = [layer for layer in model.layers if layer.kind != "softmax"]
    last = len(layers) - 1

    def logits(x):
        for k, layer in enumerate(layers):
            if layer.kind == "conv2d":
                x = tf.nn.conv2d(x, layer.kernel, 1, layer.padding.upper()) + layer.bias
            elif layer.kind == "dense":  # the last one: the symbols' columns only (no "not one symbol")
                kernel, bias = (layer.kernel[:, :len(symbols)], layer.bias[:len(symbols)]) if k == last else (
                    layer.kernel, layer.bias)
                x = tf.matmul(x, kernel) + bias
            elif layer.kind == "relu":
                x = tf.nn.relu(x)
            elif layer.kind == "sigmoid":
                x = tf.sigmoid(x)
            elif layer.kind == "maxpool2d":
                x = tf.nn.max_pool2d(x, layer.size, layer.size, "VALID")
            elif layer.kind == "flatten":
                x = tf.reshape(x, [tf.shape(x)[0], -1])
            else:
                raise ValueError("the teacher has a layer of kind %r" % layer.kind)
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
    return {"teacher": str(path), "teacher_sha256": hashlib.sha256(data).hexdigest(),
            "teacher_summary": net.loads(data, str(path)).summary, "temperature": temperature,
            "hard_weight": hard_weight}
