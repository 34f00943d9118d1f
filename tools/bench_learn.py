"""Benchmark of learning from corrections (py/learn.py), the floors of issue 12:

- a simulated writer whose style MNIST lacks (training/writer.py), correcting the page's misreadings as they
  come (at most 20 corrections): its unseen drawings read >= 95 % after, by the page's reading (the mean of both
  nets' symbol probabilities) and by each net; printed after every `--every` corrections;
- the adapted nets lose <= 0.3 points of MNIST test accuracy, each;
- CPython time per correction, the replay set's features prepared first as the page does while the person
  draws (the page's time is measured by tools/bench_speed.py).

    .venv/bin/python tools/bench_learn.py [--writers 1,2,3,4] [--corrections 20]

learn.Plan was tuned on writers 5-12 (--writers 5,6,7,8,9,10,11,12); the figures reported are writers 1-4's.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # tiny products: threads only fight (the page has one)

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "py")]

import numpy as np  # noqa: E402

import learn  # noqa: E402
import net  # noqa: E402
from training import mnist, writer as writers  # noqa: E402

NETS = ("cnn", "mlp")


def load(folder):
    models = {name: net.load(str(folder / (name + ".npz"))) for name in NETS}
    replay = learn.Replay.loads((folder / "replay.npz").read_bytes())
    versions = {name: learn.file_version(str(folder / (name + ".npz"))) for name in NETS}
    return models, replay, versions


def page_reading(models, x):
    """(N, 28, 28) -> (N,) the symbols the page shows: argmax of the mean of both nets' probabilities."""
    symbols = net.common_symbols(list(models.values()))
    mean = sum(net.aligned(m, m.predict_proba(x), symbols) for m in models.values()) / len(models)
    return np.array(symbols)[mean.argmax(axis=1)]


def mnist_accuracy(models, x, y):
    return {name: float((np.concatenate([m.predict(x[i:i + 2000]) for i in range(0, len(x), 2000)]) == y).mean())
            for name, m in models.items()}


def unseen_accuracy(models, unseen, labels):
    """{"page": ..., "cnn": ..., "mlp": ...} shares of the unseen drawings read right."""
    labels = np.array(labels)
    out = {"page": float((page_reading(models, unseen) == labels).mean())}
    out.update({name: float((np.array(m.symbols)[m.predict(unseen)] == labels).mean()) for name, m in models.items()})
    return out


def session(learner, models, person, labels, corrections, drawings, seed, check, every):
    """The writer draws; each misreading is corrected while corrections remain. Returns (corrections made, ms
    per correction, drawings made, [check() at the start and after every `every` corrections and at the end])."""
    rng = np.random.default_rng(seed)
    times, made, curve = [], 0, [check()]
    for made in range(1, drawings + 1):
        label = labels[int(rng.integers(len(labels)))]
        x = person.draw(label, rng)
        if page_reading(models, x[None])[0] != label:
            started = time.perf_counter()
            learner.learn(x, label)
            times.append((time.perf_counter() - started) * 1000)
            if len(times) % every == 0:
                curve.append(check())
            if len(times) >= corrections:
                break
    if len(times) % every:
        curve.append(check())
    return len(times), times, made, curve


def show(reading):
    return "%.1f %% (CNN %.1f, MLP %.1f)" % tuple(100 * reading[k] for k in ("page", "cnn", "mlp"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", default="1,2,3,4", help="writer seeds, comma-separated (Plan tuned on 5-12)")
    parser.add_argument("--corrections", type=int, default=20)
    parser.add_argument("--every", type=int, default=5, help="read the unseen drawings after this many corrections")
    parser.add_argument("--drawings", type=int, default=200, help="most drawings in a correcting session")
    parser.add_argument("--unseen", type=int, default=30, help="unseen drawings per label for the test")
    parser.add_argument("--weights", type=Path, default=ROOT / "weights")
    for field, default in vars(learn.Plan()).items():  # to try other plans: --rate 0.05 --replay 32 ...
        parser.add_argument("--" + field, type=type(default), default=default)
    args = parser.parse_args(argv)
    plan = learn.Plan(**{field: getattr(args, field) for field in vars(learn.Plan())})
    x_test, y_test = mnist.load("test")
    x_test = x_test.astype(np.float32) / 255.0
    models, replay, versions = load(args.weights)
    labels = [s for s in net.common_symbols(list(models.values()))]
    base_mnist = mnist_accuracy(models, x_test, y_test)
    print("labels: %s; MNIST test: CNN %.2f %%, MLP %.2f %%\n%s"
          % (" ".join(labels), 100 * base_mnist["cnn"], 100 * base_mnist["mlp"], plan))
    worst = {"page": 1.0, "cnn": 1.0, "mlp": 1.0, "drop": -100.0}
    all_times = []
    for seed in (int(s) for s in args.writers.split(",")):
        models, replay, versions = load(args.weights)
        learner = learn.Learner(models, replay, versions, plan)
        learner.prepare()  # the page does this while the person draws
        person = writers.Writer(seed)
        unseen_labels = [label for label in labels for _ in range(args.unseen)]
        unseen = person.drawings(unseen_labels, seed=10_000)
        made, times, drawn, curve = session(learner, models, person, labels, args.corrections, args.drawings,
                                            seed, lambda: unseen_accuracy(models, unseen, unseen_labels),
                                            args.every)
        adapted = mnist_accuracy(models, x_test, y_test)
        drops = {n: 100 * (base_mnist[n] - adapted[n]) for n in NETS}
        all_times += times
        worst = dict({k: min(worst[k], curve[-1][k]) for k in ("page", "cnn", "mlp")},
                     drop=max([worst["drop"]] + list(drops.values())))
        counts = [0] + [min(args.every * i, made) for i in range(1, len(curve))]
        print("writer %d (%s)\n  %d corrections in %d drawings; unseen drawings read, by corrections made:"
              % (seed, person.describe(), made, drawn))
        for count, reading in zip(counts, curve):
            print("    %2d: %s" % (count, show(reading)))
        print("  MNIST test: CNN %.2f %% (%+.2f points), MLP %.2f %% (%+.2f points); %.0f ms per correction "
              "(median)" % (100 * adapted["cnn"], -drops["cnn"], 100 * adapted["mlp"], -drops["mlp"],
                            np.median(times) if times else 0))
    print("\nworst writer: unseen read %.1f %% by the page, %.1f %% by the CNN, %.1f %% by the MLP (floor 95 %%); "
          "MNIST drop %.2f points (floor 0.3)" % (100 * worst["page"], 100 * worst["cnn"], 100 * worst["mlp"],
                                                  worst["drop"]))
    print("CPython ms per correction: median %.0f, max %.0f" % (np.median(all_times), np.max(all_times)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
