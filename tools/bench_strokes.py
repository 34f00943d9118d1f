"""Benchmark reading by strokes on real pen strokes: `python tools/bench_strokes.py [--show 12]`.

Reads CROHME's expressions (training/data/crohme/expressions.jsonl.gz, real writers' strokes with each symbol's
stroke indices) of the *validation* writers only (a writer group is one iff sha256(group) % 5 == 0, the rule
the lead's training uses; tools/fit_strokes.py fits on the others), each drawn in its own stroke order, with
py/grouping.py and both shipped nets as reader, then py/answer.py (grammar, solver). Prints:

- strokes grouped exactly into symbols, over the symbols of every expression made only of the app's symbols
  (the data's truth: each symbol's stroke indices); floor 99 %;
- real arithmetic expressions (the data's `arithmetic` ones, cut after the first =, at most 12 symbols) read
  exactly and solved right (the same value or the same error as the truth); floors 95 %;
- pointer-up -> result in CPython: grouping, reading, grammar and solver per expression, median and slowest, with
  nothing remembered and after the last stroke (the earlier strokes' reads remembered, as in the page).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "py"), str(ROOT)]
import answer  # noqa: E402
import calc  # noqa: E402
import grouping  # noqa: E402
import net  # noqa: E402

DATA = ROOT / "training" / "data" / "crohme" / "expressions.jsonl.gz"  # vendored from ../shared/data/crohme
ALPHABET = set("0123456789+-×÷=()")
MAX_SYMBOLS = 12


def is_validation(group: str) -> bool:
    """The lead's fixed rule for validation writers."""
    return int(hashlib.sha256(group.encode()).hexdigest(), 16) % 5 == 0


def load(validation: bool, path=DATA) -> list[dict]:
    """The expressions of validation (or training) writers: dicts of the data's fields, `strokes` as (K, 2)
    float32 arrays, `symbols` sorted left to right by their strokes' horizontal centre."""
    found = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if is_validation(row["group"]) != validation:
                continue
            row["strokes"] = [np.asarray(s, dtype=np.float32).reshape(-1, 2) for s in row["strokes"]]
            row["symbols"].sort(key=lambda s: _centre(row["strokes"], s["strokes"]))
            found.append(row)
    return found


def _centre(strokes, indices) -> float:
    points = np.concatenate([strokes[i] for i in indices])
    return float(points[:, 0].min() + points[:, 0].max()) / 2


def alphabet_only(rows) -> list[dict]:
    """Expressions whose every symbol is one of the app's, and whose every stroke belongs to a symbol."""
    kept = []
    for row in rows:
        used = sorted(i for s in row["symbols"] for i in s["strokes"])
        if row["symbols"] and all(s["label"] in ALPHABET for s in row["symbols"]) and used == list(range(len(row["strokes"]))):
            kept.append(row)
    return kept


def arithmetic(rows) -> list[tuple[str, list]]:
    """Real arithmetic expressions cut after their first = and of at most MAX_SYMBOLS symbols: [(truth, strokes)]
    with the strokes of the kept symbols in the writer's order."""
    found = []
    for row in rows:
        if not row.get("arithmetic"):
            continue
        kept = []
        for s in row["symbols"]:
            if not s["label"] in ALPHABET:
                break
            kept.append(s)
            if s["label"] == "=":
                break
        if len(kept) != len(row["symbols"]) and kept[-1]["label"] != "=" or len(kept) > MAX_SYMBOLS:
            continue
        indices = sorted(i for s in kept for i in s["strokes"])
        found.append(("".join(s["label"] for s in kept), [row["strokes"][i] for i in indices]))
    return found


def grouped_right(row, found) -> tuple[int, int]:
    """(symbols whose strokes came out as exactly one symbol, symbols in the truth)."""
    truth = {tuple(sorted(s["strokes"])) for s in row["symbols"]}
    return len(truth & {tuple(s.strokes) for s in found}), len(truth)


def read_expression(strokes, read):
    """strokes -> (answer.Shown, symbols): the page's reading."""
    found = grouping.symbols(strokes, read)
    if not found:
        return None, found
    out = read(np.stack([s.image for s in found]))
    return answer.read(out[:, :-1], read.symbols), found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, default=ROOT / "weights")
    parser.add_argument("--show", type=int, default=12, help="misread expressions to print")
    args = parser.parse_args(argv)
    models = [net.Remembering(net.load(str(args.weights / name))) for name in ("cnn.npz", "mlp.npz")]
    read = net.reader(models)
    rows = load(validation=True)
    right = total = 0
    for row in alphabet_only(rows):
        got, count = grouped_right(row, grouping.symbols(row["strokes"], read))
        right += got
        total += count
    print("== validation writers (%d groups), each expression drawn in its own stroke order"
          % len({r["group"] for r in rows}))
    print("   strokes grouped exactly into symbols: %.2f %% of %d symbols in %d expressions of the app's symbols "
          "(floor 99 %%)" % (100 * right / max(total, 1), total, len(alphabet_only(rows))))
    sums = arithmetic(rows)
    exact = solved = 0
    seconds, last, wrong = [], [], []
    for truth, strokes in sums:
        for model in models:  # a fresh page: nothing remembered
            model.seen.clear()
        grouping._memory.clear()
        start = time.perf_counter()
        shown, _ = read_expression(strokes, read)
        reading = shown.reading if shown else ""
        got = calc.solve(reading)
        seconds.append(time.perf_counter() - start)
        expected = calc.solve(truth)
        exact += reading == truth
        solved += (got.value, got.error) == (expected.value, expected.error)
        read_expression(strokes[:-1], read)  # the page a stroke earlier: its reads remembered
        start = time.perf_counter()
        shown, _ = read_expression(strokes, read)
        calc.solve(shown.reading if shown else "")
        last.append(time.perf_counter() - start)
        if reading != truth and len(wrong) < args.show:
            wrong.append("%s→%s" % (truth, reading))
    print("   real arithmetic expressions (cut after the first =, <= %d symbols): %d; read exactly %.1f %%, "
          "solved right %.1f %% (floors 95 %%)" % (MAX_SYMBOLS, len(sums), 100 * exact / max(len(sums), 1),
                                                  100 * solved / max(len(sums), 1)))
    print("   misread (written→read): " + ", ".join(wrong))
    print("   CPython pointer-up -> result (grouping, both nets, grammar, solver; nothing remembered): "
          "median %.1f ms, slowest %.1f ms" % (1000 * statistics.median(seconds), 1000 * max(seconds)))
    print("   ... the last stroke, the earlier ones read before (as the page draws): median %.1f ms, slowest %.1f ms"
          % (1000 * statistics.median(last), 1000 * max(last)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
