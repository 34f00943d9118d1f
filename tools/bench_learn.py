"""Benchmark of learning from corrections (py/learn.py), the floors of issue 12:

- a simulated writer whose style MNIST lacks (training/writer.py), correcting the page's misreadings as they
  come (at most 20 corrections): its unseen drawings read >= 95 % after, by the page's reading (the mean of both
  nets' symbol probabilities) and by each net; printed after every `--every` corrections;
- the adapted nets lose <= 0.3 points of MNIST test accuracy, each;
- CPython time per correction, the replay set's features prepared first as the page does while the person
  draws (the page's time is measured by tools/bench_speed.py).

    .venv/bin/python tools/bench_learn.py [--writers 1,2,3,4] [--corrections 20]

learn.Plan was tuned on writers 5-12 (--writers 5,6,7,8,9,10,11,12); the figures reported are writers 1-4's.

With --real, the writers are real people instead: the *validation writers* of the CROHME share (training/crohme.py,
writer groups no net trained on; issue "Read real people": >= 95 % after at most 20 corrections). Each writer
group with at least --min-symbols symbols of ours (the digits and + - × ÷ =; ( and ) are left out, as the issue
judges them only inside expressions) is one person:

    stream   their first expressions in the data's order, cut between two expressions where the symbols of ours
             before the cut come nearest to half the writer's: those symbols, in that order (each expression's
             left to right), are what the person draws, once each, and each misreading is corrected while
             corrections remain (at most --corrections; the stream may end first)
    unseen   the symbols of ours of the rest of their expressions: read before, during and after, never learned

No expression is in both parts. Each symbol is drawn alone as the page draws it from its strokes: the strokes on
the pad with their expression's median symbol 80-200 px tall (as tools/bench_real.py draws lone symbols, the size
seeded by the writer's name), the line's height from grouping.line_of and the glyph from grouping.glyph, the image
the nets read and the page learns. "page" is the mean of both nets' probabilities as for simulated writers;
"drawn" reads the unseen symbols as the page reads a lone drawing (grouping.symbols, both nets, the grammar:
py/answer.py), at the start and at the end. learn.Plan is unchanged (tuned on simulated writers 5-12), nothing is
tuned on these writers.

    .venv/bin/python tools/bench_learn.py --real [--min-symbols 40] [--groups NAME,...] [--limit N]
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time
import zlib
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # tiny products: threads only fight (the page has one)

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "py")]

import numpy as np  # noqa: E402

import answer  # noqa: E402
import grouping  # noqa: E402
import learn  # noqa: E402
import net  # noqa: E402
from training import crohme, mnist, pen, writer as writers  # noqa: E402

NETS = ("cnn", "mlp")
REAL_LABELS = tuple("0123456789+-×÷=")  # the symbols of ours judged alone (( and ) only inside expressions)
REAL_HEIGHT = (80.0, 200.0)  # px of the expression's median symbol when a symbol is drawn alone (bench_real.py)
FLOOR = 0.95


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


def simulated(person, labels, drawings, seed):
    """A simulated writer's drawings: (image, label) of `drawings` labels drawn at random."""
    rng = np.random.default_rng(seed)
    for _ in range(drawings):
        label = labels[int(rng.integers(len(labels)))]
        yield person.draw(label, rng), label


def session(learner, models, drawings, corrections, check, every, misread=None):
    """The writer draws (drawings: (image, label) pairs); each misreading is corrected while corrections remain
    (and noted in `misread` as (label, reading) when given). Returns (corrections made, ms per correction,
    drawings made, [check() at the start and after every `every` corrections and at the end])."""
    times, made, curve = [], 0, [check()]
    for made, (x, label) in enumerate(drawings, 1):
        read = page_reading(models, x[None])[0]
        if read != label:
            if misread is not None:
                misread.append((label, read))
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


# --- Real writers (--real) -----------------------------------------------------------------------------------

def real_symbol(expression, symbol, height):
    """One symbol drawn alone on the pad from its strokes, its expression's median symbol `height` px tall ->
    (its strokes in pad px, the (28, 28) glyph the page reads: grouping.glyph with the pen's floor of the line
    grouping.line_of finds in those strokes, as grouping.weigh does for a drawing of one symbol)."""
    strokes = crohme.strokes_of(expression, symbol)
    scale = crohme.pad_scale(strokes, height)
    low = pen.bounds(strokes)[:2]
    strokes = [(s - low) * scale for s in strokes]
    line_height, _ = grouping.line_of(grouping._boxes(strokes))
    return strokes, grouping.glyph(strokes, grouping.PEN_FLOOR * line_height)


def real_writers(expressions, min_symbols):
    """{group: [its expressions, in the data's order]} of the writer groups with at least `min_symbols` symbols
    of ours (REAL_LABELS, with strokes), most symbols first."""
    groups = {}
    for expression in expressions:
        groups.setdefault(expression["group"], []).append(expression)
    count = {g: sum(len(ours(e)) for e in es) for g, es in groups.items()}
    return {g: groups[g] for g in sorted(groups, key=lambda g: (-count[g], g)) if count[g] >= min_symbols}


def ours(expression):
    """Its symbols of REAL_LABELS that have strokes, left to right."""
    return [s for s in crohme.symbols_in_order(expression) if s["label"] in REAL_LABELS]


def split_writer(expressions):
    """(stream, unseen) expressions: the first expressions, cut where the symbols of ours before the cut come
    nearest to half the writer's (the earlier cut on a tie; at least one expression on each side), and the rest."""
    held = np.cumsum([len(ours(e)) for e in expressions])
    if len(expressions) < 2:
        return expressions, []
    cut = 1 + int(np.argmin(np.abs(2 * held[:-1] - held[-1])))
    return expressions[:cut], expressions[cut:]


class RealWriter:
    """A validation writer group as one person: its stream of symbols to draw and its unseen symbols, each drawn
    once (real_symbol) at a size seeded by the group's name."""

    def __init__(self, group, expressions, seed=0):
        self.group = group
        rng = np.random.default_rng([zlib.crc32(group.encode()), seed])
        stream, unseen = split_writer(expressions)
        self.parts = {}
        for part, chosen in (("stream", stream), ("unseen", unseen)):
            drawn = []
            for expression in chosen:
                height = float(rng.uniform(*REAL_HEIGHT))
                for symbol in ours(expression):
                    strokes, image = real_symbol(expression, symbol, height)
                    drawn.append((strokes, image, symbol["label"]))
            self.parts[part] = drawn
        self.expressions = (len(stream), len(unseen))

    def stream(self):
        return [(image, label) for _, image, label in self.parts["stream"]]

    def unseen(self):
        return (np.stack([image for _, image, _ in self.parts["unseen"]]) if self.parts["unseen"]
                else np.zeros((0, 28, 28), np.float32), [label for _, _, label in self.parts["unseen"]])

    def unseen_strokes(self):
        return [strokes for strokes, _, _ in self.parts["unseen"]]


def drawn_accuracy(models, strokes_list, labels):
    """Share of lone drawings the page reads as their label: by strokes (grouping.symbols), both nets (changed
    as they are now), then the grammar (answer.read), as tools/bench_real.py's Page reads a lone symbol."""
    grouping._cursives.clear()  # keyed by the reader's id: a new reader may reuse a freed one's
    read = net.reader(list(models.values()))
    right = 0
    for strokes, label in zip(strokes_list, labels):
        images = [symbol.image for symbol in grouping.symbols(strokes, read)]
        if images:
            out = read(np.stack(images))
            right += answer.read(out[:, :-1], read.symbols).reading == label
    return right / max(len(labels), 1)


def real_main(args, plan, x_test, y_test, base_mnist):
    validation = crohme.load("validation")
    eligible = chosen = real_writers(validation, args.min_symbols)
    if args.groups:
        chosen = {g: chosen[g] for g in args.groups.split(",")}
    if args.limit:
        chosen = dict(list(chosen.items())[:args.limit])
    print("real validation writers (CROHME share): %d here, of the %d of %d groups with >= %d symbols of ours (%s); "
          "per writer: "
          "its first expressions (cut between two, nearest to half its symbols of ours) are the stream drawn and "
          "corrected (at most %d corrections), the rest's symbols the unseen test"
          % (len(chosen), len(eligible), len({e["group"] for e in validation}), args.min_symbols, " ".join(REAL_LABELS),
             args.corrections))
    totals = collections.Counter()
    rows, all_times = [], []
    for group, expressions in chosen.items():
        models, replay, versions = load(args.weights)
        learner = learn.Learner(models, replay, versions, plan)
        learner.prepare()
        person = RealWriter(group, expressions, args.seed)
        stream = person.stream()
        unseen, unseen_labels = person.unseen()
        drawn_before = drawn_accuracy(models, person.unseen_strokes(), unseen_labels) if args.drawn else None
        misread = []
        made, times, drawn, curve = session(learner, models, stream, args.corrections,
                                            lambda: unseen_accuracy(models, unseen, unseen_labels), args.every,
                                            misread)
        drawn_after = drawn_accuracy(models, person.unseen_strokes(), unseen_labels) if args.drawn else None
        adapted = mnist_accuracy(models, x_test, y_test)
        drops = {n: 100 * (base_mnist[n] - adapted[n]) for n in NETS}
        all_times += times
        n = len(unseen_labels)
        counts = [0] + [min(args.every * i, made) for i in range(1, len(curve))]
        print("writer %s: %d + %d expressions, %d symbols in the stream, %d unseen\n"
              "  %d corrections in %d drawings; unseen symbols read, by corrections made:"
              % (group, person.expressions[0], person.expressions[1], len(stream), n, made, drawn))
        if misread:
            print("  corrected (drawn→read): " + ", ".join("%s→%s" % pair for pair in misread))
        for count, reading in zip(counts, curve):
            print("    %2d: %s" % (count, show(reading)))
        wrong = [(label, read) for label, read in zip(unseen_labels, page_reading(models, unseen)) if label != read]
        if wrong:
            print("  unseen read wrong after (drawn→read): " + ", ".join("%s→%s" % pair for pair in wrong))
        if args.drawn:
            print("  drawn on the page (strokes, nets, grammar): %.1f %% -> %.1f %%"
                  % (100 * drawn_before, 100 * drawn_after))
        print("  MNIST test: CNN %.2f %% (%+.2f points), MLP %.2f %% (%+.2f points); %.0f ms per correction "
              "(median)" % (100 * adapted["cnn"], -drops["cnn"], 100 * adapted["mlp"], -drops["mlp"],
                            np.median(times) if times else 0))
        rows.append(dict(group=group, n=n, made=made, stream=len(stream), before=curve[0], after=curve[-1],
                         drawn=(drawn_before, drawn_after), drops=drops))
        totals["unseen"] += n
        totals["corrections"] += made
        for key in ("page", "cnn", "mlp"):
            totals["before " + key] += round(curve[0][key] * n)
            totals["after " + key] += round(curve[-1][key] * n)
        if args.drawn:
            totals["before drawn"] += round(drawn_before * n)
            totals["after drawn"] += round(drawn_after * n)
    print("\n== real validation writers, unseen symbols read by the page (mean of both nets) before -> after "
          "corrections (CNN, MLP after); floor %.0f %% after at most %d corrections:" % (100 * FLOOR, args.corrections))
    print("   %-40s %6s %5s %7s %7s %7s %7s %7s  %s" % ("writer", "unseen", "corr", "before", "after", "CNN",
                                                      "MLP", "drawn", "MNIST drop CNN / MLP"))
    for row in rows:
        drawn = "%5.1f→%5.1f" % tuple(100 * d for d in row["drawn"]) if args.drawn else ""
        print("   %-40s %6d %5d %6.1f%% %6.1f%% %6.1f%% %6.1f%% %s  %+.2f / %+.2f %s"
              % (row["group"], row["n"], row["made"], 100 * row["before"]["page"], 100 * row["after"]["page"],
                 100 * row["after"]["cnn"], 100 * row["after"]["mlp"], drawn, row["drops"]["cnn"],
                 row["drops"]["mlp"], " ".join(["(below floor)"] * (row["after"]["page"] < FLOOR)
                                               + ["(MNIST drop above 0.3)"] * (max(row["drops"].values()) > 0.3))))
    if not rows:
        return 0
    n = max(totals["unseen"], 1)
    met = sum(row["after"]["page"] >= FLOOR for row in rows)
    print("\nall %d writers together (%d unseen symbols, %d corrections): page %.1f -> %.1f %%, CNN %.1f -> %.1f %%,"
          " MLP %.1f -> %.1f %%%s" % (len(rows), totals["unseen"], totals["corrections"],
                                      *(100 * totals[w + " " + k] / n for k in ("page", "cnn", "mlp")
                                        for w in ("before", "after")),
                                      "; drawn on the page %.1f -> %.1f %%" % (100 * totals["before drawn"] / n,
                                                                               100 * totals["after drawn"] / n)
                                      if args.drawn else ""))
    print("mean over writers: page %.1f -> %.1f %%; worst writer: page %.1f %%, CNN %.1f %%, MLP %.1f %% after; "
          "%d of %d writers at >= %.0f %% (floor); MNIST drop: worst %.2f points, mean CNN %.2f / MLP %.2f "
          "(floor 0.3)"
          % (100 * np.mean([r["before"]["page"] for r in rows]), 100 * np.mean([r["after"]["page"] for r in rows]),
             *(100 * min(r["after"][k] for r in rows) for k in ("page", "cnn", "mlp")), met, len(rows), 100 * FLOOR,
             max(max(r["drops"].values()) for r in rows), np.mean([r["drops"]["cnn"] for r in rows]),
             np.mean([r["drops"]["mlp"] for r in rows])))
    if all_times:
        print("CPython ms per correction: median %.0f, max %.0f" % (np.median(all_times), np.max(all_times)))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", default="1,2,3,4", help="writer seeds, comma-separated (Plan tuned on 5-12)")
    parser.add_argument("--corrections", type=int, default=20)
    parser.add_argument("--every", type=int, default=5, help="read the unseen drawings after this many corrections")
    parser.add_argument("--drawings", type=int, default=200, help="most drawings in a correcting session")
    parser.add_argument("--unseen", type=int, default=30, help="unseen drawings per label for the test")
    parser.add_argument("--weights", type=Path, default=ROOT / "weights")
    parser.add_argument("--real", action="store_true", help="real validation writers (CROHME) instead of simulated")
    parser.add_argument("--min-symbols", type=int, default=40, help="--real: a writer group's fewest symbols of ours")
    parser.add_argument("--groups", default="", help="--real: only these writer groups, comma-separated")
    parser.add_argument("--limit", type=int, default=0, help="--real: only the first N writers (most symbols first)")
    parser.add_argument("--seed", type=int, default=0, help="--real: seed of the sizes symbols are drawn at")
    parser.add_argument("--no-drawn", dest="drawn", action="store_false",
                        help="--real: skip reading the unseen symbols as lone drawings on the page (grammar)")
    parser.add_argument("--mnist", type=int, default=0, help="only the first N MNIST test images (0: all)")
    for field, default in vars(learn.Plan()).items():  # to try other plans: --rate 0.05 --replay 32 ...
        parser.add_argument("--" + field, type=type(default), default=default)
    args = parser.parse_args(argv)
    plan = learn.Plan(**{field: getattr(args, field) for field in vars(learn.Plan())})
    x_test, y_test = mnist.load("test")
    x_test = x_test.astype(np.float32) / 255.0
    if args.mnist:
        x_test, y_test = x_test[:args.mnist], y_test[:args.mnist]
    models, replay, versions = load(args.weights)
    labels = [s for s in net.common_symbols(list(models.values()))]
    base_mnist = mnist_accuracy(models, x_test, y_test)
    print("labels: %s; MNIST test: CNN %.2f %%, MLP %.2f %%\n%s"
          % (" ".join(labels), 100 * base_mnist["cnn"], 100 * base_mnist["mlp"], plan))
    if args.real:
        return real_main(args, plan, x_test, y_test, base_mnist)
    worst = {"page": 1.0, "cnn": 1.0, "mlp": 1.0, "drop": -100.0}
    all_times = []
    for seed in (int(s) for s in args.writers.split(",")):
        models, replay, versions = load(args.weights)
        learner = learn.Learner(models, replay, versions, plan)
        learner.prepare()  # the page does this while the person draws
        person = writers.Writer(seed)
        unseen_labels = [label for label in labels for _ in range(args.unseen)]
        unseen = person.drawings(unseen_labels, seed=10_000)
        made, times, drawn, curve = session(learner, models, simulated(person, labels, args.drawings, seed),
                                            args.corrections, lambda: unseen_accuracy(models, unseen, unseen_labels),
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
