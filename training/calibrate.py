"""Give the brackets' outputs the offset that reads the training data best: `python -m training.calibrate --out weights/`.

A real ( or ) drawn alone is a straight or slightly curved stroke, as a 1 often is: the nets trained with the
CROHME writers' brackets (training/crohme.py) read 4 % of the MNIST *training* 1s as brackets. Alone, a straight
stroke is a 1 (brackets are judged inside sums, where py/grouping.py's layout and grammar place them). This
lowers the two bracket logits by one offset, chosen on the *training data only* (MNIST training digits, the pad
drawings of training/symbols.py and the CROHME training writers' symbols, each share weighed by its size) as the
offset on a grid that reads the most of it right (ties: the smallest), where a real ( or ) written as one
straight stroke (crohme.alone_a_one: bent less than crohme.STRAIGHT of its length) counts as a 1, as the issue
asks of a bracket drawn alone. Only the output layer's two biases change.

Run it on nets without a "not one symbol" output (after training/train.py, before training/reject.py); a net
that has one has it taken off first (training/reject.py --refit then fits it again).
"""
from __future__ import annotations

import argparse
import io
import json
import shlex
import sys
from pathlib import Path

import numpy as np

import net  # py/, on sys.path through the training package
from training import crohme, export, mnist, reject, symbols

ROOT = Path(__file__).resolve().parent.parent
BRACKETS = (symbols.INDEX["("], symbols.INDEX[")"])
GRID = np.round(np.arange(0.0, 6.01, 0.25), 2)


def training_data(seed, part="train"):
    """The training shares as train.py used them (no augmentation): x (N, 28, 28) float32, y (N,) the label each
    is scored as (a real bracket of one straight stroke: 1), and how many real brackets are scored as 1s."""
    x_digits, y_digits = mnist.load("train")
    x_drawn, y_drawn, _ = symbols.dataset(seed, x_digits, y_digits, retraced=False)
    x_real, y_real, _ = crohme.symbol_images(part, seed=seed)
    sticks = crohme.alone_a_one(y_real, part)
    y_real = np.where(sticks, symbols.INDEX["1"], y_real)
    x = np.concatenate([x_digits.astype(np.float32) / 255.0, x_drawn, x_real])
    y = np.concatenate([y_digits.astype(np.int64), y_drawn, y_real])
    keep = y != symbols.REJECT
    return x[keep], y[keep], int(sticks.sum())


def logits(model, x, chunk=2000):
    """(N, S) symbol logits: every layer but the softmax."""
    return np.concatenate([model.run(x[i:i + chunk], stop=-1) for i in range(0, len(x), chunk)])


def best_offset(z, y):
    """The offset on GRID taken off the bracket logits z[:, BRACKETS] that reads most of y right, and the
    share read right with each offset tried."""
    right = []
    for offset in GRID:
        shifted = z.copy()
        shifted[:, BRACKETS] -= offset
        right.append(float((shifted.argmax(1) == y).mean()))
    return float(GRID[int(np.argmax(right))]), right


def with_offset(data, offset):
    """The net's .npz bytes with `offset` taken off its bracket biases."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    architecture = json.loads(str(arrays["architecture"]))
    out_name = [layer["name"] for layer in architecture["layers"] if layer["kind"] == "dense"][-1]
    bias = arrays[out_name + ".bias"].astype(np.float32).copy()
    bias[list(BRACKETS)] -= np.float32(offset)
    arrays[out_name + ".bias"] = bias
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="the training data's seed (train.py's)")
    parser.add_argument("--nets", default="cnn,mlp")
    crohme.add_part_argument(parser)
    parser.add_argument("--out", type=Path, default=ROOT / "weights")
    args = parser.parse_args(argv)
    x, y, sticks = training_data(args.seed, args.real_part)
    x_test, y_test = mnist.load("test")
    x_test = x_test.astype(np.float32) / 255.0
    for name in [n.strip() for n in args.nets.split(",") if n.strip()]:
        path = args.out / (name + ".npz")
        data = path.read_bytes()
        if net.loads(data).rejects:
            data = reject.without_reject_head(data)
        model = net.loads(data)
        offset, right = best_offset(logits(model, x), y)
        calibrated = with_offset(data, offset)
        after = net.loads(calibrated)
        accuracy = float((after.predict(x_test) == y_test).mean())
        facts = export.write(path, calibrated)
        manifest = json.loads((args.out / "manifest.json").read_text())
        entry = dict(manifest["models"][name], **facts, labels=after.labels, mnist_test_accuracy=round(accuracy, 4))
        entry.pop("not_one_symbol", None)  # taken off: training/reject.py --refit fits it again
        entry["bracket_offset"] = dict(offset=offset, command="python -m training.calibrate " + " ".join(
            shlex.quote(a) for a in argv), training_examples=int(len(y)),
            training_read_right_before=round(right[0], 5), training_read_right_after=round(max(right), 5),
            real_brackets_scored_as_1=sticks,
            mnist_test_before=round(float((model.predict(x_test) == y_test).mean()), 4))
        export.update_manifest(args.out, name, entry)
        print("== %s: bracket offset %.2f (training data read right %.3f %% -> %.3f %%); MNIST test %.2f %% -> %.2f %%"
              % (name, offset, 100 * right[0], 100 * max(right), 100 * entry["bracket_offset"]["mnist_test_before"],
                 100 * accuracy), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
