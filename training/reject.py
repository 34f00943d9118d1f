"""Teach the exported CNN to say "not one digit", without changing how it reads digits.

    python -m training.reject --seed 1 --out weights/

The CNN (training/train.py) ends in a dense layer with ten outputs, one per digit. This adds an eleventh: a
small read-out of the same features (see below), fitted on the pieces that
segmentation weighs when it reads a drawn number (training/segments.py: numbers drawn from MNIST *training*
digits, each piece labelled "a digit" or "not one digit") and on the MNIST training digits, with everything
else frozen. The ten digit outputs keep their weights byte for byte, so the digits' probabilities relative to
each other, hence `predict_proba`, the MNIST accuracy and the digits the page shows, stay exactly as they were;
only segmentation's reader learns something new. (Training all eleven outputs together cost the CNN 0.2 points
of MNIST accuracy: 99.46-99.48 % instead of 99.64 %.)

The new output reads the hidden layer's 128 activations h and UNITS new hidden units e = relu(A f + a) on the
flattened conv features f, units whose weights to the ten digits are zero. With the digit logits z fixed,
P(not one digit) = sigmoid(v.[h, e] + c - logsumexp(z)), fitted with Keras on the frozen features.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from training import export, mnist, segments

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = 0.1       # share of the pieces kept out of the fit, to report how well it tells them apart
UNITS = 48           # hidden units added for the new output (the digits' 128 are reused too)
EPOCHS = 12
BATCH = 256


def _net():
    sys.path.insert(0, str(ROOT / "py"))
    import net
    return net


def features(model, x, chunk=1000):
    """What the CNN's dense layers see: the flattened conv features (N, F), the hidden activations (N, H) and
    the log-sum-exp of the ten digit logits (N,), for x (N, 28, 28) float32 in [0, 1]."""
    flat, hidden, offset = [], [], []
    for i in range(0, len(x), chunk):  # layers: ... flatten | dense1, relu | out | softmax
        f = model.run(x[i:i + chunk], stop=-4)
        h = model.run(f, start=-4, stop=-2)
        flat.append(f)
        hidden.append(h)
        offset.append(np.logaddexp.reduce(model.run(h, start=-2, stop=-1).astype(np.float64), axis=1))
    return np.concatenate(flat), np.concatenate(hidden), np.concatenate(offset)


def fit_head(flat, hidden, offset, target, seed, units=UNITS, epochs=EPOCHS):
    """P(not one digit) = sigmoid(v . [hidden, relu(flat @ A + a)] + c - offset), fitted with Keras.
    Returns A (F, units), a (units,), v (H + units,), c."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()  # the same weights from the same seed
    layers = keras.layers
    flat_in, hidden_in, offset_in = keras.Input((flat.shape[1],)), keras.Input((hidden.shape[1],)), keras.Input((1,))
    extra = layers.Dense(units, activation="relu", name="extra")(flat_in)
    logit = layers.Dense(1, name="reject")(layers.Concatenate()([hidden_in, extra]))
    model = keras.Model([flat_in, hidden_in, offset_in], layers.Subtract()([logit, offset_in]))
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss=keras.losses.BinaryCrossentropy(from_logits=True))
    model.fit([flat, hidden, offset[:, None]], target[:, None].astype(np.float32), epochs=epochs, batch_size=BATCH,
              shuffle=True, verbose=2 if units > 8 else 0)
    extra_kernel, extra_bias = model.get_layer("extra").get_weights()
    reject_kernel, reject_bias = model.get_layer("reject").get_weights()
    return extra_kernel, extra_bias, reject_kernel[:, 0], float(reject_bias[0])


def with_reject_head(data, extra_kernel, extra_bias, reject_kernel, reject_bias):
    """The CNN's .npz bytes with `units` more hidden units (seen by the new output only: zero weights to the
    digits) and an 11th output; every existing int8 value and scale is kept."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    kernel = arrays["out.kernel"]
    if kernel.shape[1] != 10 or kernel.dtype != np.int8 or arrays["dense1.kernel"].dtype != np.int8:
        raise SystemExit("expected a CNN with int8 kernels and ten outputs, got %s %s" % (kernel.shape, kernel.dtype))
    extra = export.quantize(extra_kernel.astype(np.float32), "int8")
    arrays["dense1.kernel"] = np.concatenate([arrays["dense1.kernel"], extra["kernel"]], axis=1)
    arrays["dense1.kernel_scale"] = np.concatenate([arrays["dense1.kernel_scale"], extra["kernel_scale"]])
    arrays["dense1.bias"] = np.concatenate([arrays["dense1.bias"], extra_bias.astype(np.float32)])
    column = export.quantize(reject_kernel.astype(np.float32)[:, None], "int8")
    digits = np.concatenate([kernel, np.zeros((len(extra_bias), 10), np.int8)])  # the new units: not for digits
    arrays["out.kernel"] = np.concatenate([digits, column["kernel"]], axis=1)
    arrays["out.kernel_scale"] = np.concatenate([arrays["out.kernel_scale"], column["kernel_scale"]])
    arrays["out.bias"] = np.concatenate([arrays["out.bias"], np.float32([reject_bias])])
    architecture = json.loads(str(arrays["architecture"]))
    params = sum(v.size for k, v in arrays.items() if k.endswith((".kernel", ".bias")))
    hidden = arrays["dense1.bias"].size
    architecture["summary"] = re.sub(r"dense \d+ → dense 10 \(.*\)$", "dense %d → dense 11 (%s params)"
                                     % (hidden, "{:,}".format(params)), architecture["summary"])
    arrays["architecture"] = np.array(json.dumps(architecture))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue(), architecture["summary"], params


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--segments", type=int, default=12000, help="numbers drawn for the pieces")
    parser.add_argument("--out", type=Path, default=ROOT / "weights", help="folder with cnn.npz (ten outputs)")
    args = parser.parse_args(argv)
    net = _net()
    path = args.out / "cnn.npz"
    base = path.read_bytes()
    model = net.loads(base, str(path))
    if model.outputs != 10:
        raise SystemExit("%s already has %d outputs: retrain it first (python -m training.train --nets cnn)"
                         % (path, model.outputs))
    started = time.time()
    x_digits, y_digits = mnist.load("train")
    x_pieces, y_pieces = segments.pieces(x_digits, y_digits, args.segments, args.seed)
    held = int(len(y_pieces) * (1 - HELD_OUT))  # the last numbers' pieces: kept out of the fit
    x = np.concatenate([x_digits.astype(np.float32) / 255.0, x_pieces[:held]])
    target = np.concatenate([np.zeros(len(x_digits)), y_pieces[:held] == segments.NOT_A_DIGIT])
    head = fit_head(*features(model, x), target, args.seed)
    data, summary, params = with_reject_head(base, *head)
    extended = net.loads(data, str(path))
    held_read = extended.read(x_pieces[held:])[:, 10] > 0.5
    held_truth = y_pieces[held:] == segments.NOT_A_DIGIT
    x_test, y_test = mnist.load("test")
    x_test = x_test.astype(np.float32) / 255.0
    accuracy = float((extended.predict(x_test) == y_test).mean())
    before = float((model.predict(x_test) == y_test).mean())
    if accuracy != before:
        raise SystemExit("the digits' reading changed (%.4f -> %.4f): not exported" % (before, accuracy))
    rejected_test = float((extended.read(x_test)[:, 10] > 0.5).mean())
    facts = export.write(path, data)
    manifest = json.loads((args.out / "manifest.json").read_text())
    entry = dict(manifest["models"]["cnn"], **facts, architecture=summary, params=params)
    entry["not_one_digit"] = dict(
        segments.describe(x_pieces, y_pieces), command="python -m training.reject " + " ".join(
            shlex.quote(a) for a in argv), seed=args.seed, numbers=args.segments, base_sha256=hashlib.sha256(
            base).hexdigest(), preprocess_sha256=hashlib.sha256((ROOT / "py" / "preprocess.py").read_bytes()).hexdigest(),
        held_out_pieces=int(len(held_truth)), held_out_accuracy=round(float((held_read == held_truth).mean()), 4),
        held_out_rejected_recall=round(float(held_read[held_truth].mean()), 4),
        held_out_digits_kept=round(float(1 - held_read[~held_truth].mean()), 4) if (~held_truth).any() else None,
        mnist_test_rejected=round(rejected_test, 4), seconds=round(time.time() - started))
    export.update_manifest(args.out, "cnn", entry)
    print("== not one digit: held-out pieces %.2f %% right (rejected %.2f %% of the not-digits, kept %.2f %% "
          "of the digits); MNIST test digits called not one digit: %.2f %%; MNIST accuracy %.2f %% (unchanged)"
          % (100 * entry["not_one_digit"]["held_out_accuracy"], 100 * entry["not_one_digit"]["held_out_rejected_recall"],
             100 * (entry["not_one_digit"]["held_out_digits_kept"] or 0), 100 * rejected_test, 100 * accuracy))
    return 0


if __name__ == "__main__":
    sys.exit(main())
