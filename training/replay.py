"""The replay set: shipped examples of every label that the page mixes into each correction it learns
(py/learn.py), so a net taught one person's 1 does not forget everyone else's 7.

    python -m training.replay --seed 1 --out weights/replay.npz

Made from MNIST *training* digits, pad drawings of training/symbols.py (MNIST digits traced and redrawn, digits in
styles MNIST lacks, the operators), real symbols of the CROHME training writers (training/crohme.py) and pieces
that are not one symbol (training/segments.py), all with the TRAIN
ranges. Stored small (the page downloads it): 4-bit pixels, two to a byte (`pack` / py/learn.py's unpacking),
deflated; labels as indices into a `labels` array of names. Recorded in weights/manifest.json under "replay".
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path

import numpy as np

from training import crohme, mnist, segments, symbols

ROOT = Path(__file__).resolve().parent.parent
COUNTS = dict(mnist=120, traced=20, styles=30, operators=60, real=20, pieces=300)  # per digit / style / operator /
# real symbol (CROHME training writers, training/crohme.py); pieces


def pack(images):
    """(N, 28, 28) float32 in [0, 1] -> (N, 28, 14) uint8: 4-bit pixels, two to a byte (left one high)."""
    levels = np.round(np.clip(images, 0, 1) * 15).astype(np.uint8)
    return (levels[:, :, 0::2] << 4) | levels[:, :, 1::2]


def _per_label(x, y, labels, count, rng):
    """Up to `count` examples of each label in `labels`, chosen at random."""
    chosen = [rng.permutation(np.flatnonzero(y == label))[:count] for label in labels]
    index = np.concatenate(chosen)
    return x[index], y[index]


def build(seed):
    """(x (N, 28, 28) float32, y (N,) int64 indices into symbols.LABELS, description)."""
    rng = np.random.default_rng(seed)
    x_train, y_train = mnist.load("train")
    digits = range(10)
    parts = {"mnist": _per_label(x_train.astype(np.float32) / 255.0, y_train.astype(np.int64), digits,
                                 COUNTS["mnist"], rng)}
    start = int(rng.integers(0, len(x_train) - 1000))
    traced = symbols.drawn("traced", 1000, seed, symbols.TRAIN, x_train[start:start + 1000],
                           y_train[start:start + 1000], workers=1)
    parts["traced"] = _per_label(*traced, digits, COUNTS["traced"], rng)
    parts["styles"] = symbols.drawn("styles", COUNTS["styles"] * len(symbols.STYLES), seed + 1, workers=1)
    parts["operators"] = symbols.drawn("operators", COUNTS["operators"] * len(symbols.OPERATORS), seed + 2,
                                       workers=1)
    x_real, y_real = crohme.lone_images("train", seed=seed)
    parts["real"] = _per_label(x_real, y_real, range(symbols.REJECT), COUNTS["real"], rng)
    x_pieces, y_pieces = segments.pieces(x_train[start:start + 1000], y_train[start:start + 1000], 200, seed,
                                         workers=1, cache=False)
    rejected = np.flatnonzero(y_pieces == symbols.REJECT)
    keep = rng.permutation(rejected)[:COUNTS["pieces"]]
    parts["pieces"] = (x_pieces[keep], y_pieces[keep])
    x = np.concatenate([p[0] for p in parts.values()]).astype(np.float32)
    y = np.concatenate([p[1] for p in parts.values()]).astype(np.int64)
    counts = np.bincount(y, minlength=len(symbols.LABELS))
    info = {"sources": {k: int(len(v[1])) for k, v in parts.items()},
            "per_label": {symbols.LABELS[i]: int(c) for i, c in enumerate(counts)}}
    return x, y, info


def to_bytes(x, y):
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x=pack(x), y=y.astype(np.uint8), labels=np.array(symbols.LABELS))
    return buffer.getvalue()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description="Make the replay set the page learns corrections with.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "weights" / "replay.npz")
    args = parser.parse_args(argv)
    x, y, info = build(args.seed)
    data = to_bytes(x, y)
    args.out.write_bytes(data)
    manifest_path = args.out.parent / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest["replay"] = dict(info, file=args.out.name, bytes=len(data), examples=int(len(y)), seed=args.seed,
                              sha256=hashlib.sha256(data).hexdigest(), data_md5=mnist.checksums(),
                              command="python -m training.replay " + " ".join(argv),
                              made_from="MNIST training digits; training/symbols.py drawings (TRAIN ranges); "
                                        "real symbols of the CROHME training writers (training/crohme.py); "
                                        "training/segments.py pieces that are not one symbol",
                              licence=crohme.LICENCE,
                              storage="4-bit pixels, two per byte, deflated")
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print("wrote %s: %d examples, %d bytes; %s" % (args.out, len(y), len(data), info["per_label"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
