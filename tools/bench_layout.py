"""Layout on real CROHME writers (py/layout.py): decimal points and raised exponent digits.

    .venv/bin/python tools/bench_layout.py [--fit]

Run by tools/bench_paper.py too. Decimal points: every small stroke of the data (no larger than 0.35 of the
median symbol height) is a mark among the other symbols (whole boxes, truth labels; the rest of the mark's own
symbol stays beside it, as the page's segmentation keeps it): a decimal point iff its symbol is `other:.` with
a digit as the nearest symbol on each side (the dots of \cdots and full stops are not) and the LaTeX writes a
point after a digit (a \cdot between digits, `6^{6} \cdot 6^{2}`, is labelled `other:.` too).
Exponents: expressions written on one line (no fraction, root, index, sum...) whose LaTeX tokens match their
symbols sorted left to right label for label; a digit is an exponent iff LaTeX puts it in ^{...}. Validation
writers as in bench_paper (sha256 % 5 == 0); --fit grids the thresholds on the other writers. Realistic sums:
each writer's own real symbols (each at the size of its own line: writer_symbols) laid out on one line as sums
with decimal points (a tap or the writer's own dot) and exponents (small, raised, close), read as the page reads
(layout.split_dots, grouping, layout.pieces, both nets, layout.rows, the grammar).
"""
from __future__ import annotations

import argparse
import itertools
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "py"))
sys.path.insert(0, str(ROOT))

import layout  # noqa: E402
from tools import bench_paper  # noqa: E402

MARK = 35  # a stroke no larger than this (the median symbol is 100 high) is a mark
SKIP = ("\\frac", "\\sqrt", "_", "\\sum", "\\int", "\\lim", "\\prod", "\\over", "\\limits", "\\begin")
COMMANDS = {"\\times": "×", "\\div": "÷", "\\left(": "(", "\\right)": ")", "\\lt": "other:<", "\\gt": "other:>"}


def box_of(strokes):
    return bench_paper.scratchout.box(np.concatenate([np.asarray(s, float).reshape(-1, 2) for s in strokes]))


def label_of(label):
    return label if label in bench_paper.ALPHABET or label.startswith("other:") else label


def items_of(expression):
    """[layout.Item] of an expression's symbols (truth labels, other: ones as they are) with their stroke lists."""
    out = []
    for symbol in expression["symbols"]:
        if symbol["strokes"]:
            out.append((layout.Item(box_of([expression["strokes"][i] for i in symbol["strokes"]]),
                                    symbol["label"]), symbol))
    return out


def dot_cases(expressions):
    """[(items, k, truth)]: each small stroke as a mark among the rest of the expression."""
    cases = []
    for e in expressions:
        whole = items_of(e)
        for n, (item, symbol) in enumerate(whole):
            for i in symbol["strokes"]:
                stroke = e["strokes"][i]
                b = box_of([stroke])
                if max(b[2] - b[0], b[3] - b[1]) > MARK:
                    continue
                items = [it for m, (it, _) in enumerate(whole) if m != n]
                rest = [e["strokes"][j] for j in symbol["strokes"] if j != i]
                if rest:  # the rest of its symbol: a mark too when it is small (a dot of two strokes)
                    r = box_of(rest)
                    small = max(r[2] - r[0], r[3] - r[1]) <= MARK
                    items.append(layout.Item(r, "" if small else symbol["label"]))
                items.append(layout.Item(b, ""))
                cases.append((items, len(items) - 1, symbol["label"] == "other:." and _between_digits(items)
                              and written_point(e["latex"])))
    return cases


def written_point(latex):
    """True when the LaTeX writes a point after a digit ("0.5", "3.{2}"): CROHME labels a \\cdot between
    digits (6^{6} \\cdot 6^{2}) other:. too, a multiplication dot, no decimal point."""
    return re.search(r"[0-9]\s*\}?\s*\.", latex) is not None


def _between_digits(items):
    """True when the last item (a mark) has a digit as the nearest symbol on its left and on its right: a real
    decimal point, not the dots of \cdots or a full stop."""
    k = len(items) - 1
    cx = (items[k].box[0] + items[k].box[2]) / 2
    symbols = [(it.box[0] + it.box[2]) / 2 for it in items[:-1]]
    left = [i for i, x in enumerate(symbols) if x < cx and items[i].label]
    right = [i for i, x in enumerate(symbols) if x > cx and items[i].label]
    return bool(left and right) and items[max(left, key=lambda i: symbols[i])].label in layout.DIGITS and \
        items[min(right, key=lambda i: symbols[i])].label in layout.DIGITS


def tokens(latex):
    """[(label, raised)] of a one-line LaTeX text, or None when it is not one line."""
    text = latex.strip().strip("$").replace("\\left(", "(").replace("\\right)", ")")
    if any(s in text for s in SKIP):
        return None
    out, i, stack, raise_next = [], 0, [], False
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "^":
            raise_next = True
            i += 1
            continue
        if c == "{":
            stack.append(raise_next or (stack[-1] if stack else False))
            raise_next = False
            i += 1
            continue
        if c == "}":
            if stack:
                stack.pop()
            i += 1
            continue
        raised = raise_next or (stack[-1] if stack else False)
        raise_next = False
        if c == "\\":
            m = re.match(r"\\[A-Za-z]+|\\.", text[i:])
            name = m.group()
            i += len(name)
            label = COMMANDS.get(name, "other:" + name)
        else:
            label = c if c in bench_paper.ALPHABET else ("×" if c == "*" else "÷" if c == "/" else "other:" + c)
            i += 1
        out.append((label, raised))
    return out


def exponent_cases(expressions):  # noqa: C901 - one pass over tokens and symbols
    """[(items, raised set)] for one-line expressions whose LaTeX matches their symbols left to right."""
    cases = []
    for e in expressions:
        found = tokens(e["latex"])
        if not found or not any(r for _, r in found):
            continue
        whole = sorted(items_of(e), key=lambda pair: (pair[0].box[0] + pair[0].box[2]) / 2)
        if [it.label for it, _ in whole] != [label for label, _ in found]:
            continue
        items = [it for it, _ in whole]
        raised = {k for k, (label, r) in enumerate(found) if r and label in layout.DIGITS}
        cases.append((items, raised))
    return cases


def score_dots(cases, **t):
    tp = fp = fn = tn = 0
    for items, k, truth in cases:
        said = layout.is_decimal_point(items, k, **t)
        tp += said and truth
        fp += said and not truth
        fn += truth and not said
        tn += not said and not truth
    return tp, fp, fn, tn


def score_exponents(cases, **t):
    """(digits right, digits, raised found, raised, false raised, expressions exactly right, expressions)."""
    right = total = found = raised_total = false = exact = 0
    for items, raised in cases:
        said = layout.exponents(items, **t)
        digits = [k for k, it in enumerate(items) if it.label in layout.DIGITS]
        right += sum((k in said) == (k in raised) for k in digits)
        total += len(digits)
        found += len(said & raised)
        raised_total += len(raised)
        false += len(said - raised)
        exact += said == raised
    return right, total, found, raised_total, false, exact, len(cases)


def split_symbols(expressions):
    """(real symbols of the alphabet with 2+ strokes, those layout.raised_strokes would cut an exponent from)."""
    from collections import Counter

    seen, cut = 0, Counter()
    for e in expressions:
        for symbol in e["symbols"]:
            if symbol["label"] in bench_paper.ALPHABET and len(symbol["strokes"]) >= 2:
                seen += 1
                boxes = [box_of([e["strokes"][i]]) for i in symbol["strokes"]]
                if layout.raised_strokes(boxes):
                    cut[symbol["label"]] += 1
    return seen, cut


def report_sums(fitting, validation, count=300, weights=ROOT / "weights"):
    for title, expressions, seed in (("fit writers", fitting, 0), ("validation writers", validation, 1)):
        right, shaped, total, misses = sums(expressions, seed, count, weights)
        print("\n## realistic sums with decimals and powers (%s' own symbols, %s): read exactly %d of %d = %.1f %%; "
              "every point and exponent in its place %d = %.1f %%" % (title, ", ".join(TEMPLATES), right, total,
                                                                    100 * right / total, shaped,
                                                                    100 * shaped / total))
        wrong = [(t, g) for t, g in misses if shape(t) != shape(g)]
        print("  placed wrong: %s" % wrong[:12])


def report(fitting, validation):
    for title, expressions in (("fit writers", fitting), ("validation writers", validation)):
        seen, cut = split_symbols(expressions)
        print("\n## layout, %s\nreal symbols of 2+ strokes an exponent would be cut from: %d of %d %s" % (
            title, sum(cut.values()), seen, dict(cut)))
        tp, fp, fn, tn = score_dots(dot_cases(expressions))
        print("decimal points: %d of %d real ones found; %d of %d other small marks taken for one" % (
            tp, tp + fn, fp, fp + tn))
        cases = exponent_cases(expressions)
        for bases, what in ((layout.BASES, "after a digit or ) (the page)"), (None, "after any symbol (x^2 too)")):
            right, total, found, raised, false, exact, n = score_exponents(cases, bases=bases)
            print("exponent digits %s: %d of %d found, %d digits wrongly raised; digits right %.2f %% (%d); "
                  "expressions with every digit right %d of %d (%.1f %%)" % (
                      what, found, raised, false, 100 * right / max(total, 1), total, exact, n,
                      100 * exact / max(n, 1)))
        only = [(items, raised) for items, raised in cases if all(
            items[k - 1].label in layout.BASES or k - 1 in raised for k in raised if k > 0)]
        right, total, found, raised, false, exact, n = score_exponents(only)
        print("  of those, expressions whose every exponent follows a digit or ): %d of %d exactly right; "
              "exponent digits %d of %d found, %d wrongly raised" % (exact, n, found, raised, false))


def fit(fitting):
    dots = dot_cases(fitting)
    best = None
    for size, low, gap, deep, bar, bar_long in itertools.product((0.2, 0.3, 0.4), (0.4, 0.5, 0.6, 0.7),
                                                                (0.5, 0.8, 1.2), (1.2, 1.3, 1.5, 100.0),
                                                                (3.0, 4.0, 6.0), (0.1, 0.12, 0.15)):
        params = dict(size=size, low=low, gap=gap, deep=deep, bar=bar, bar_long=bar_long)
        tp, fp, fn, tn = score_dots(dots, **params)
        key = tp - 3 * fp  # a speck read as a point changes a number: weigh it more than a missed point
        if best is None or key > best[0]:
            best = (key, params, (tp, fp, fn, tn))
        if (size, low, gap) == (layout.DOT_SIZE, layout.DOT_LOW, layout.DOT_GAP):
            print("  %s: key %d %s" % (params, key, (tp, fp, fn, tn)))
    print("dots, best:", best)
    cases = exponent_cases(fitting)
    best = None
    for height, rise, gap in itertools.product((0.7, 0.8, 0.9, 1.0), (0.1, 0.2, 0.3), (0.5, 0.8, 1.2)):
        right, total, found, raised, false, exact, n = score_exponents(cases, height=height, rise=rise,
                                                                       exp_gap=gap, bases=None)
        key = found - 3 * false
        if best is None or key > best[0]:
            best = (key, dict(height=height, rise=rise, exp_gap=gap), (found, raised, false, exact, n))
    print("exponents, best:", best)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=bench_paper.DATA)
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--weights", type=Path, default=ROOT / "weights", help="the nets of the realistic sums")
    args = parser.parse_args(argv)
    expressions = bench_paper.load(args.data)
    validation = [e for e in expressions if bench_paper.is_validation(e["group"])]
    fitting = [e for e in expressions if not bench_paper.is_validation(e["group"])]
    if args.fit:
        fit(fitting)
    else:
        report(fitting, validation)
        report_sums(fitting, validation, weights=args.weights)


# --- Decimals and powers in realistic sums, read as the page reads --------------------------------------------

TEMPLATES = ["d.d×d", "dd.d+d.d", "d.dd-d", "d^d", "dd^d", "(d+d)^d", "d^d+d", "d.d^d", "d×d^d-d", "(d-d)^d×d"]


LINE_DIGIT = (0.6, 1.6)  # a digit this share of its expression's median digit height is one of its line's


def writer_symbols(expressions):
    """{group: {label: [strokes of one real symbol, ...]}} for the labels the page reads, each at the size of its
    own line: scaled so that its expression's digits are 100 px tall (their median; CROHME's expressions come at
    scales from 39 to 135 px a digit, 5th to 95th percentile, and one writer's digits from two of them side by
    side would be 3 times apart); a digit outside LINE_DIGIT of that median (an exponent, an index, a digit of a
    fraction: 6 % of them are under 0.6) is no digit of a line and left out."""
    found = {}
    for e in expressions:
        mine = found.setdefault(e["group"], {})
        symbols = [(symbol["label"],
                    [np.asarray(e["strokes"][i], float).reshape(-1, 2) for i in symbol["strokes"]])
                   for symbol in e["symbols"] if symbol["strokes"] and
                   (symbol["label"] in bench_paper.ALPHABET or symbol["label"] == "other:.")]
        heights = {k: np.ptp(np.concatenate(strokes)[:, 1]) for k, (label, strokes) in enumerate(symbols)}
        digits = [heights[k] for k, (label, _) in enumerate(symbols) if label in layout.DIGITS]
        line = float(np.median(digits)) if digits else 100.0
        if line <= 0:
            continue
        for k, (label, strokes) in enumerate(symbols):
            if label in layout.DIGITS and not LINE_DIGIT[0] <= heights[k] / line <= LINE_DIGIT[1]:
                continue
            mine.setdefault(label, []).append([stroke * (100.0 / line) for stroke in strokes])
    return found


def realistic_sum(template, own, rng):
    """(text, strokes in pad px) of a sum of one writer's own real symbols on one line (digits 100 px tall):
    each "d" a random digit, "." a tap or the writer's own dot low after its digit, "^" its next digit written
    at 0.45-0.65 of the size, raised, close to its base. None when the writer lacks a symbol."""
    text, strokes, x = "", [], 0.0
    raise_next = False
    last_box = None
    for c in template:
        if c == "^":
            raise_next = True
            text += "^"
            continue
        if c == ".":
            base = last_box
            dot = own.get("other:.")
            if dot and rng.random() < 0.5:  # the writer's own dot, at most 6-14 px across
                sample = [np.asarray(s, float) for s in dot[int(rng.integers(len(dot)))]]
                points = np.concatenate(sample)
                size = max(np.ptp(points[:, 0]), np.ptp(points[:, 1]), 1.0)
                scale = min(1.0, rng.uniform(6, 14) / size)
                shape = [(s - points.min(axis=0)) * scale for s in sample]
            else:
                shape = [np.zeros((1, 2))]
            gap = rng.uniform(6, 18)
            y = base[3] - rng.uniform(0, 8)
            strokes += [s + (base[2] + gap, y) for s in shape]
            x = base[2] + gap + 10 + rng.uniform(8, 20)
            text += "."
            continue
        label = str(rng.integers(10)) if c == "d" else c
        if label == "0" and not text[-1:].isdigit() and template[template.index(c) + 1:template.index(c) + 2] == "d":
            label = str(rng.integers(1, 10))
        samples = own.get(label)
        if not samples:
            return None
        shape = [np.asarray(s, float) for s in samples[int(rng.integers(len(samples)))]]
        points = np.concatenate(shape)
        low, high = points.min(axis=0), points.max(axis=0)
        h = max(high[1] - low[1], 1.0)
        if raise_next or (text and text[-1] in "0123456789" and "^" in text[-3:] and c == "d"):
            base = last_box
            target = rng.uniform(0.45, 0.65) * (base[3] - base[1]) if raise_next else h
            scale = target / h
            top = base[1] - rng.uniform(0.15, 0.35) * (base[3] - base[1]) if raise_next else last_box[1]
            left = base[2] + rng.uniform(2, 12)
        else:
            scale = 1.0 if label in "0123456789()" else rng.uniform(0.6, 0.9)
            # digits stand on the baseline (y = 100), operators and brackets around the middle of the line
            top = 100 - h if label in "0123456789" else 50 - scale * h / 2
            left = x
        moved = [(s - low) * scale + (left, top) for s in shape]
        strokes += moved
        box = (left, top, left + (high[0] - low[0]) * scale, top + h * scale)
        if not raise_next and not (text and "^" in text[-2:] and c == "d"):
            last_box = box
        elif raise_next:
            last_box = box
        x = box[2] + rng.uniform(20, 35)
        raise_next = False
        text += label
    return text, strokes


def read_like_the_page(strokes, read):
    """The page's reading of strokes (pad px): tools/bench_strokes.read_expression's text ("" for nothing)."""
    from tools import bench_strokes

    shown, _ = bench_strokes.read_expression(strokes, read)
    return shown.reading if shown else ""


def shape(text):
    """A reading with every digit as d and every operator or bracket as o: where the points and exponents are."""
    return "".join("d" if c.isdigit() else c if c in ".^" else "o" for c in text)


def sums(expressions, seed, count, weights=ROOT / "weights"):
    """(right, shaped right, total, misses): realistic sums with decimals and powers of the expressions'
    writers, read as the page reads; shaped right: every point and exponent where it belongs, whatever the nets
    read each symbol as."""
    import net

    models = [net.load(str(weights / ("%s.npz" % name))) for name in ("cnn", "mlp")]
    read = net.reader(models)
    rng = np.random.default_rng(seed)
    own = writer_symbols(expressions)
    groups = sorted(g for g, labels in own.items() if sum(1 for d in "0123456789" if d in labels) == 10)
    right, shaped, total, misses = 0, 0, 0, []
    while total < count and groups:
        group = groups[int(rng.integers(len(groups)))]
        made = realistic_sum(TEMPLATES[int(rng.integers(len(TEMPLATES)))], own[group], rng)
        if made is None:
            continue
        text, strokes = made
        got = read_like_the_page(strokes, read)
        total += 1
        right += got == text
        shaped += shape(got) == shape(text)
        if got != text:
            misses.append((text, got))
    return right, shaped, total, misses


if __name__ == "__main__":
    main()
