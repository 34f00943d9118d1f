"""Time py/grammar.py's read() and py/calc.py's solve() in CPython: `python tools/bench_calc.py [--runs 500]`.

Prints, for N = 30 and N = 40 symbols, the median, 95th percentile and maximum time of:
- read() on "noisy" readings: valid sums whose probability rows have random runner-ups, with one or two
  symbols' argmax swapped so that the argmax reading is invalid (read() must search);
- read() on "adversarial" rows whose three best labels are "(", ")" and a digit or "-" everywhere (the most
  grammar states the search can meet), also with an invalid argmax;
- solve() on the chosen readings.
Floor (issue 11): read() <= 5 ms for N = 30 in CPython (Pyodide is slower; compare there in the page).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "py"))
import calc  # noqa: E402
import grammar  # noqa: E402

LABELS = list(calc.SYMBOLS) + ["not one symbol"]


def random_sum(rng, n):
    """A valid sum of exactly n symbols (digits, binary operators, some brackets)."""
    while True:
        out, depth = [], 0
        while len(out) < n:
            room = n - len(out)
            if out and out[-1] in "0123456789)" and room > depth + 1 and rng.random() < 0.3:
                out.append(rng.choice("+-×÷"))
            elif (not out or out[-1] in "(+-×÷") and room > depth + 3 and rng.random() < 0.15:
                out.append("(")
                depth += 1
            elif out and out[-1] in "0123456789)" and depth and rng.random() < 0.3:
                out.append(")")
                depth -= 1
            else:
                out.append(rng.choice("123456789") if not out or out[-1] != "0" else rng.choice("0123"))
        text = "".join(out)
        if calc.classify(text) == "complete":
            return text


def rows_for(rng, text, runner_ups):
    """(N, 18) probabilities: the text's symbols first (p ~ 0.6-0.9), then runner-ups from `runner_ups`."""
    p = np.full((len(text), len(LABELS)), 1e-4)
    for i, symbol in enumerate(text):
        first = rng.uniform(0.6, 0.9)
        p[i, calc.SYMBOLS.index(symbol)] = first
        others = [s for s in runner_ups(i) if s != symbol][:2]
        for rank, other in enumerate(others):
            p[i, calc.SYMBOLS.index(other)] = (1 - first) * (0.6 if rank == 0 else 0.3)
    return p


def break_argmax(rng, p):
    """Swap the first and second label of random rows until the argmax reading is invalid."""
    p = p.copy()
    for _ in range(100):
        i = rng.randrange(len(p))
        order = np.argsort(-p[i, :-1])
        p[i, order[0]], p[i, order[1]] = p[i, order[1]], p[i, order[0]]
        argmax = "".join(calc.SYMBOLS[k] for k in p[:, :-1].argmax(axis=1))
        if calc.classify(argmax) == "invalid":
            return p
    return None


def cases(rng, n, runs, kind):
    made = []
    while len(made) < runs:
        text = random_sum(rng, n)
        if kind == "noisy":
            p = rows_for(rng, text, lambda i: rng.sample(calc.SYMBOLS, 3))
        else:
            p = rows_for(rng, text, lambda i: ["(", ")", rng.choice("-7")])
        p = break_argmax(rng, p)
        if p is not None:
            made.append(p)
    return made


def timed(function, inputs):
    times = []
    for x in inputs:
        start = time.perf_counter()
        function(x)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], times[-1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    print("Python %s (%s, %s); times in ms (median / p95 / max over %d readings)" % (
        sys.version.split()[0], sys.implementation.name, sys.platform, args.runs))
    for n in (30, 40):
        for kind in ("noisy", "adversarial"):
            inputs = cases(rng, n, args.runs, kind)
            readings = [grammar.read(p, LABELS) for p in inputs]
            repaired = sum(r.status == "complete" for r in readings)
            read_ms = timed(lambda p: grammar.read(p, LABELS), inputs)
            solve_ms = timed(calc.solve, [r.symbols for r in readings])
            print("N=%d %-11s read %.3f / %.3f / %.3f   solve %.3f / %.3f / %.3f   (%d/%d made valid)" % (
                (n, kind) + read_ms + solve_ms + (repaired, len(inputs))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
