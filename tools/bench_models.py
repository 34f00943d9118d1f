"""Benchmark the committed networks through py/net.py: `python tools/bench_models.py [--weights weights/]`.

Prints, per net: MNIST test accuracy, per-class accuracy, weight bytes (file and parameters), and CPython forward
time per image, for a single image and for a batch of 256 (median of repeated runs, after a warm-up).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "py"), str(ROOT)]
import net  # noqa: E402
from training import mnist  # noqa: E402

FLOORS = {"cnn": 0.995, "mlp": 0.985}


def time_per_image(model, x, repeats):
    model.predict_proba(x)  # warm-up
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict_proba(x)
        runs.append((time.perf_counter() - start) / (1 if x.ndim == 2 else len(x)))
    return statistics.median(runs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, default=ROOT / "weights")
    args = parser.parse_args(argv)
    x, y = mnist.load("test")
    x = x.astype(np.float32) / 255.0
    manifest = json.loads((args.weights / "manifest.json").read_text())
    total = 0
    for name in ("cnn", "mlp"):
        path = args.weights / (name + ".npz")
        model = net.load(str(path))
        predicted = np.concatenate([model.predict(x[i:i + 1000]) for i in range(0, len(x), 1000)])
        accuracy = (predicted == y).mean()
        size = path.stat().st_size
        total += size
        print("== %s: %s" % (name, model.summary))
        print("   MNIST test accuracy: %.2f%%  (floor %.1f%%: %s; manifest says %.2f%%)"
              % (100 * accuracy, 100 * FLOORS[name], "beaten" if accuracy >= FLOORS[name] else "MISSED",
                 100 * manifest["models"][name]["mnist_test_accuracy"]))
        per_class = ["%d: %.2f%%" % (d, 100 * (predicted[y == d] == d).mean()) for d in range(10)]
        print("   per class: " + ", ".join(per_class))
        print("   weights: %d bytes on disk (%d parameters, %s storage)"
              % (size, model.n_params, model.architecture.get("storage", "?")))
        single = time_per_image(model, x[0], 300)
        batch = time_per_image(model, x[:256], 20)
        print("   CPython forward: %.3f ms single image, %.4f ms per image in a batch of 256"
              % (1000 * single, 1000 * batch))
    print("== total weight bytes: %d (%.0f KB)" % (total, total / 1024))
    return 0


if __name__ == "__main__":
    sys.exit(main())
