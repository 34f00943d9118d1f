"""Teach the exported nets to say "not one symbol", without changing how they read symbols.

    python -m training.reject --seed 1 --out weights/

Each net (training/train.py) ends in a dense layer with one output per symbol (digits and operators). This adds
one more, REJECT: a small read-out of the same features (see below), fitted on the pieces that segmentation
weighs when it reads a drawn line (training/segments.py: numbers and expressions drawn from MNIST *training*
digits and training operators, each piece labelled with its symbol or "not one symbol"), on scribbles that are no
symbol at all (training/scribbles.py), and on the MNIST training digits and the pad drawings the nets were
trained on (training/symbols.py, the first tracing), with everything else frozen. The symbol outputs keep their
weights byte for byte, so the symbols' probabilities relative to each other, hence `predict_proba`, the MNIST
accuracy and the symbols the page shows, stay exactly as they were; only segmentation's reader learns something
new. (Training the reject output together with the rest cost the CNN 0.2 points of MNIST accuracy: 99.46-99.48 %
instead of 99.64 %.)

The new output reads the last hidden layer's activations h and UNITS new hidden units e = relu(A f + a) on that
layer's input f, units whose weights to the symbols are zero. With the symbol logits z fixed,
P(not one symbol) = sigmoid(v.[h, e] + c - logsumexp(z)), fitted with Keras on the frozen features.
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

import net  # py/, on sys.path through the training package
from training import crohme, export, mnist, scribbles, segments, train

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = 0.1       # share of the pieces kept out of the fit, to report how well it tells them apart
SCRIBBLES = 6000     # scribbles (training/scribbles.py) in the fit, as "not one symbol"
HELD_SEED = 1000     # the held-out scribbles' seed: the fit's seed plus this
UNITS = 48           # hidden units added for the new output (the digits' 128 are reused too)
EPOCHS = 12
BATCH = 256


def features(model, x, chunk=1000):
    """What a net's last two dense layers see: the last hidden layer's input (N, F), its activations (N, H)
    and the log-sum-exp of the symbol logits (N,), for x (N, 28, 28) float32 in [0, 1]."""
    flat, hidden, offset = [], [], []
    for i in range(0, len(x), chunk):  # layers: ... | dense, relu | out | softmax
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
    model.compile(optimizer=train.cosine_adam(keras, 2e-3, epochs, len(target), BATCH),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    model.fit([flat, hidden, offset[:, None]], target[:, None].astype(np.float32), epochs=epochs, batch_size=BATCH,
              shuffle=True, verbose=2 if units > 8 else 0)
    extra_kernel, extra_bias = model.get_layer("extra").get_weights()
    reject_kernel, reject_bias = model.get_layer("reject").get_weights()
    return extra_kernel, extra_bias, reject_kernel[:, 0], float(reject_bias[0])


def with_reject_head(data, extra_kernel, extra_bias, reject_kernel, reject_bias):
    """A net's .npz bytes with `units` more hidden units in its last hidden layer (seen by the new output only:
    zero weights to the symbols) and a last output REJECT; every existing int8 value and scale is kept."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    model = net.loads(data)
    if model.rejects:
        raise SystemExit("the net already has a reject output (%s)" % model.labels[-1])
    architecture = json.loads(str(arrays["architecture"]))
    hidden_name, out_name = [layer["name"] for layer in architecture["layers"] if layer["kind"] == "dense"][-2:]
    kernel, symbols = arrays[out_name + ".kernel"], len(model.symbols)
    if kernel.dtype != np.int8 or arrays[hidden_name + ".kernel"].dtype != np.int8:
        raise SystemExit("expected int8 kernels, got %s" % kernel.dtype)
    extra = export.quantize(extra_kernel.astype(np.float32), "int8")
    for key, more in (("kernel", extra["kernel"]), ("kernel_scale", extra["kernel_scale"]),
                      ("bias", extra_bias.astype(np.float32))):
        name = "%s.%s" % (hidden_name, key)
        arrays[name] = np.concatenate([arrays[name], more], axis=-1)
    column = export.quantize(reject_kernel.astype(np.float32)[:, None], "int8")
    old = np.concatenate([kernel, np.zeros((len(extra_bias), symbols), np.int8)])  # new units: not for symbols
    arrays[out_name + ".kernel"] = np.concatenate([old, column["kernel"]], axis=1)
    arrays[out_name + ".kernel_scale"] = np.concatenate([arrays[out_name + ".kernel_scale"], column["kernel_scale"]])
    arrays[out_name + ".bias"] = np.concatenate([arrays[out_name + ".bias"], np.float32([reject_bias])])
    params = sum(v.size for k, v in arrays.items() if k.endswith((".kernel", ".bias")))
    hidden = arrays[hidden_name + ".bias"].size
    architecture["summary"] = re.sub(r"dense \d+ → dense \d+ \(.*\)$", "dense %d → dense %d (%s params)"
                                     % (hidden, symbols + 1, "{:,}".format(params)), architecture["summary"])
    architecture["labels"] = list(model.symbols) + [net.REJECT]
    arrays["architecture"] = np.array(json.dumps(architecture))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue(), architecture["summary"], params


def without_reject_head(data, units=UNITS):
    """A net's .npz bytes with the reject output and its `units` hidden units (with_reject_head's) taken off
    again: the symbols' weights are kept value for value, so the net reads symbols exactly as before."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    architecture = json.loads(str(arrays["architecture"]))
    hidden_name, out_name = [layer["name"] for layer in architecture["layers"] if layer["kind"] == "dense"][-2:]
    kernel = arrays[out_name + ".kernel"]
    if (kernel[-units:, :-1] != 0).any():
        raise SystemExit("the last %d hidden units feed the symbols: no reject head of %d units to take off"
                         % (units, units))
    arrays[out_name + ".kernel"] = kernel[:-units, :-1]
    for key in ("kernel_scale", "bias"):
        arrays["%s.%s" % (out_name, key)] = arrays["%s.%s" % (out_name, key)][:-1]
        arrays["%s.%s" % (hidden_name, key)] = arrays["%s.%s" % (hidden_name, key)][:-units]
    arrays[hidden_name + ".kernel"] = arrays[hidden_name + ".kernel"][..., :-units]
    hidden, symbols = arrays[hidden_name + ".bias"].size, arrays[out_name + ".bias"].size
    params = sum(v.size for k, v in arrays.items() if k.endswith((".kernel", ".bias")))
    architecture["summary"] = re.sub(r"dense \d+ → dense \d+ \(.*\)$", "dense %d → dense %d (%s params)"
                                     % (hidden, symbols, "{:,}".format(params)), architecture["summary"])
    architecture["labels"] = architecture["labels"][:-1]
    arrays["architecture"] = np.array(json.dumps(architecture))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def negatives(seed, retraced=True):
    """Inputs that are one symbol (target 0): the MNIST training digits and the pad drawings the nets were
    trained on (training/symbols.py, the same cached set train.py used: `retraced` as it was), by `one_symbol`."""
    from training import symbols

    x_digits, y_digits = mnist.load("train")
    x_drawn, _, info = symbols.dataset(seed, x_digits, y_digits, retraced=retraced)
    return one_symbol(x_digits, x_drawn, info), info


def one_symbol(x_digits, x_drawn, info):
    """x_digits (N, 28, 28) uint8 and the drawings symbols.dataset made of them (its x and info) -> (M, 28, 28)
    float32 in [0, 1]: the digits and the drawings without the second tracing. Half of that tracing is drawn in
    the held hands (wobbly, very thick, ...): taken as "one symbol" too, they taught the CNN's output to accept
    messy pieces (held-out pieces 89.4 % right instead of 94.0 %; a scribble no longer called one), and
    weighting the rejects by the larger count did not undo it (90.5 %)."""
    if info["retraced"]:  # the second tracing is the last len(x_digits) rows; the rows before it are unchanged
        x_drawn = x_drawn[:len(x_drawn) - len(x_digits)]
    return np.concatenate([x_digits.astype(np.float32) / 255.0, x_drawn])


def with_real(x_pieces, y_pieces, ones, args):
    """The pieces and the one-symbol inputs with those of the CROHME training writers (training/crohme.py): the
    pieces segmentation weighs in their one-line expressions, the groups of strokes reading by strokes weighs
    that join two symbols or more, their symbols that are none of ours (all three "not one symbol"), and their
    symbols of ours, drawn alone and from their strokes (one symbol)."""
    from training import symbols

    x_lines, y_lines = crohme.line_pieces(args.real_part, seed=args.seed, repeats=args.real_repeats)
    x_drawn, y_drawn, glyphs = crohme.symbol_images(args.real_part, seed=args.seed)
    other = y_drawn == symbols.REJECT
    x = np.concatenate([x_lines, x_drawn[other], x_pieces])
    y = np.concatenate([y_lines, y_drawn[other], y_pieces])
    real = dict(crohme.describe(np.concatenate([x_lines, x_drawn[other]]), np.concatenate([y_lines, y_drawn[other]])),
                part=args.real_part, symbols_kept=int((~other).sum()), line_pieces=int(len(y_lines)),
                stroke_groups_rejected=int((y_drawn[len(y_drawn) - glyphs:] == symbols.REJECT).sum()),
                generator="training/crohme.py line_pieces + lone_images + glyph_images")
    print("== real writers: %d pieces of their lines, %d drawings that are no symbol of ours, %d of ours"
          % (len(y_lines), int(other.sum()), int((~other).sum())))
    return x, y, np.concatenate([ones, x_drawn[~other]]), real


def add_reject(name, args, x_pieces, y_pieces, ones, scribbled, argv):
    """Fit and export net `name`'s reject output; update its manifest entry. Returns the entry's record.
    scribbled: (scribbles for the fit, held-out scribbles), each (N, 28, 28) float32."""
    x_scribbles, held_scribbles = scribbled
    path = args.out / (name + ".npz")
    base = path.read_bytes()
    model = net.loads(base, str(path))
    if model.rejects and getattr(args, "refit", False):
        base = without_reject_head(base)
        model = net.loads(base, str(path))
    if model.rejects:
        raise SystemExit("%s already has a %r output: retrain it first (python -m training.train)"
                         % (path, model.labels[-1]))
    started = time.time()
    held = int(len(y_pieces) * (1 - HELD_OUT))  # the last lines' pieces: kept out of the fit
    x = np.concatenate([ones, x_pieces[:held], x_scribbles])
    target = np.concatenate([np.zeros(len(ones)), y_pieces[:held] == segments.REJECT, np.ones(len(x_scribbles))])
    head = fit_head(*features(model, x), target, args.seed)
    data, summary, params = with_reject_head(base, *head)
    extended = net.loads(data, str(path))
    held_read = extended.read(x_pieces[held:])[:, -1] > 0.5
    held_truth = y_pieces[held:] == segments.REJECT
    x_test, y_test = mnist.load("test")
    x_test = x_test.astype(np.float32) / 255.0
    accuracy = float((extended.predict(x_test) == y_test).mean())
    before = float((model.predict(x_test) == y_test).mean())
    if accuracy != before:
        raise SystemExit("%s: the symbols' reading changed (%.4f -> %.4f): not exported" % (name, before, accuracy))
    rejected_test = float((extended.read(x_test)[:, -1] > 0.5).mean())
    rejected_scribbles = float((extended.read(held_scribbles)[:, -1] > 0.5).mean())
    facts = export.write(path, data)
    manifest = json.loads((args.out / "manifest.json").read_text())
    entry = dict(manifest["models"][name], **facts, architecture=summary, params=params, labels=extended.labels)
    entry.pop("not_one_digit", None)
    entry["not_one_symbol"] = dict(
        segments.describe(x_pieces, y_pieces), command="python -m training.reject " + " ".join(
            shlex.quote(a) for a in argv), seed=args.seed, lines=args.segments, base_sha256=hashlib.sha256(
            base).hexdigest(), preprocess_sha256=hashlib.sha256((ROOT / "py" / "preprocess.py").read_bytes()).hexdigest(),
        segment_sha256=hashlib.sha256((ROOT / "py" / "segment.py").read_bytes()).hexdigest(),
        held_out_pieces=int(len(held_truth)), held_out_accuracy=round(float((held_read == held_truth).mean()), 4),
        held_out_rejected_recall=round(float(held_read[held_truth].mean()), 4),
        held_out_symbols_kept=round(float(1 - held_read[~held_truth].mean()), 4) if (~held_truth).any() else None,
        mnist_test_rejected=round(rejected_test, 4), scribbles=len(x_scribbles), held_out_scribbles=len(held_scribbles),
        held_out_scribbles_rejected=round(rejected_scribbles, 4), seconds=round(time.time() - started),
        real=getattr(args, "real", None))
    export.update_manifest(args.out, name, entry)
    record = entry["not_one_symbol"]
    print("== %s, not one symbol: held-out pieces %.2f %% right (rejected %.2f %% of the rejects, kept %.2f %% "
          "of the symbols); held-out scribbles rejected %.2f %%; MNIST test digits called not one symbol: %.2f %%; "
          "MNIST accuracy %.2f %% (unchanged)"
          % (name, 100 * record["held_out_accuracy"], 100 * record["held_out_rejected_recall"],
             100 * (record["held_out_symbols_kept"] or 0), 100 * rejected_scribbles, 100 * rejected_test,
             100 * accuracy))
    return record


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--segments", type=int, default=6000, help="lines (numbers, expressions) drawn for the pieces")
    parser.add_argument("--scribbles", type=int, default=SCRIBBLES, help="scribbles in the fit (no symbol at all)")
    parser.add_argument("--nets", default="cnn,mlp", help="which nets get the output, comma-separated")
    parser.add_argument("--real-repeats", type=int, default=2,
                        help="draw each one-line expression of the CROHME training writers this many times (0: none)")
    crohme.add_part_argument(parser)
    parser.add_argument("--out", type=Path, default=ROOT / "weights", help="folder with the nets (no reject output)")
    parser.add_argument("--refit", action="store_true",
                        help="take a net's reject output off first and fit it again (the symbols' weights are kept)")
    args = parser.parse_args(argv)
    x_digits, y_digits = mnist.load("train")
    x_pieces, y_pieces = segments.pieces(x_digits, y_digits, args.segments, args.seed)
    trained = json.loads((args.out / "manifest.json").read_text())["models"]
    retraced = all(entry.get("drawings", {}).get("retraced", True) for entry in trained.values())
    ones, _ = negatives(args.seed, retraced)
    args.real = None
    if args.real_repeats:  # real writers' pieces and symbols first: the held-out pieces stay the synthetic last ones
        x_pieces, y_pieces, ones, args.real = with_real(x_pieces, y_pieces, ones, args)
    scribbled = scribbles.drawn(args.scribbles, args.seed), scribbles.drawn(1000, args.seed + HELD_SEED)
    for name in [n.strip() for n in args.nets.split(",") if n.strip()]:
        add_reject(name, args, x_pieces, y_pieces, ones, scribbled, argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
