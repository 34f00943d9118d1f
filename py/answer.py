"""What the page shows for a drawing read as symbols: the expression, its value, the error code of the page's
test contract, and the number a fact is about. Also the per-net rows of the bar charts (every label).

Pure Python + numpy (no DOM): it runs on CPython 3.11 in the tests and under Pyodide in the page; py/app.py
only copies these fields into the page.

    shown = answer.read(probabilities, symbols)   # (N, S) both nets' mean symbol probabilities, S labels
    shown.reading     # "12+7×3=": #number[data-value], exactly the symbols read (ASCII hyphen for minus)
    shown.expression  # "12 + 7 × 3": the reading as people write it (without the final "=" when solved)
    shown.value       # "33": #answer[data-value], exact ("18/5"); "" for a plain number or on error
    shown.result      # "33", "3.6", "7/3": what people see, a decimal when exact in at most 10 places
    answer.read(p, symbols, previous=Fraction(33))   # after a kept result: "×2" reads as 33 × 2
    shown.error       # "": #answer[data-error], one of CONTRACT_ERRORS or ""
    shown.fact        # 33: the whole number >= 0 a fact is about, or None (fact_note then says why)

Reading: grammar.read picks, among each symbol's most probable labels, the likeliest text that is a valid sum
(the argmax when it is valid or only unfinished); calc.solve computes it exactly.

Error codes: the page's contract knows incomplete, operators, parentheses, division-by-zero and too-long.
calc.solve has two more, mapped so that `value == "" and error == ""` always means "a plain number, or
nothing drawn":
- "empty" -> "": nothing is drawn, so #number[data-value] is "" too and nothing is wrong.
- "symbols" -> "operators": something that is not a calculator symbol stands where only a number or an
  operator may (the closest contract code). In the page it cannot happen: grammar.read chooses only among
  calc.SYMBOLS, and a piece the nets call "not one symbol" is still read as its likeliest symbol, with a
  warning (app.explain).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import calc
import grammar

CONTRACT_ERRORS = ("incomplete", "operators", "parentheses", "division-by-zero", "too-long")
PAGE_ERROR = dict({code: code for code in CONTRACT_ERRORS}, empty="", symbols="operators")
MAX_PIECES = calc.MAX_SYMBOLS + 1  # pieces the page reads at most: one more than a sum may have (-> too-long)
REJECT_LABEL = "?"  # the bar of "not one symbol" in the charts
REJECT_NAME = "no symbol"  # ... and its name in their captions


@dataclass(frozen=True)
class Shown:
    """One reading as the page shows it (see the module docstring). changed: positions where the grammar took
    a runner-up label (grammar.Reading.changed); argmax: the likeliest label of each symbol, joined."""
    reading: str
    expression: str
    value: str = ""
    decimal: str = ""
    error: str = ""
    message: str = ""
    plain: bool = False
    fact: int | None = None
    fact_note: str = ""
    changed: tuple = ()
    argmax: str = ""
    result: str = ""
    continued: bool = False


def read(probabilities, symbols, previous=None):
    """The Shown reading of (N, S) symbol probabilities (rows: symbols left to right; columns: `symbols`, which
    may include calc.LAYOUT_SYMBOLS columns). previous: the last kept result (Fraction) or None: a drawing may
    then start with an operator and continue from it.

    N = 0 gives the empty reading; N > calc.MAX_SYMBOLS is not searched (grammar.read bounds it) and is
    too-long."""
    if len(probabilities) == 0:
        return shown(calc.solve(""))
    start = calc.INITIAL if previous is None else calc.CONTINUING
    found = grammar.read(probabilities, list(symbols), start=start)
    return shown(calc.solve(found.symbols, previous), found.changed, found.argmax, previous)


def read_line(probabilities, symbols, boxes, marks, previous=None):
    """(Shown, pieces) of N pieces on one line, as the page reads them: layout.rows puts in the decimal points
    and exponents by each piece's likeliest label and `read` reads the rows; when the grammar settles a piece on
    another label (a ")" that a point follows, read as a 1), layout places them again by the labels it settled
    on, and the rows are read again. probabilities: (N, S) over `symbols`; boxes: the N pieces' boxes; marks:
    the dots kept apart (layout.split_dots); pieces: per row, the piece it is, or None (layout.rows)."""
    import layout

    p = np.asarray(probabilities, dtype=np.float64)
    symbols = list(symbols)
    rows, labels, pieces = layout.rows(p, symbols, boxes, marks)
    found = read(rows, labels, previous)
    likeliest = [symbols[int(k)] for k in p.argmax(axis=1)]
    settled = list(likeliest)
    for row, piece in enumerate(pieces):
        if piece is not None and row < len(found.reading):
            settled[piece] = found.reading[row]
    if settled == likeliest:
        return found, pieces
    rows, labels, pieces = layout.rows(p, symbols, boxes, marks, placed_as=settled)
    return read(rows, labels, previous), pieces


def shown(solution, changed=(), argmax=None, previous=None):
    """The Shown form of a calc.Solution (previous: the kept result it may continue from)."""
    reading = solution.expression
    argmax = reading if argmax is None else argmax
    continued = previous is not None and calc.continues(reading) and not solution.error
    if solution.error:
        return Shown(reading, solution.pretty, error=PAGE_ERROR[solution.error], message=solution.message,
                     changed=changed, argmax=argmax)
    if solution.plain:
        number = int(solution.value)
        return Shown(reading, solution.value_text, plain=True, fact=number, changed=changed, argmax=argmax)
    value = solution.value
    fact, note = fact_number(value)
    expression = calc.pretty(reading.rstrip("="), continuing=continued)
    if continued:
        expression = "%s %s" % (result_text(previous)[0], expression)
    result, decimal = result_text(value)
    return Shown(reading, expression, value=solution.value_text, decimal=decimal, fact=fact, fact_note=note,
                 changed=changed, argmax=argmax, result=result, continued=continued)


def result_text(value):
    """(shown, beside) for a Fraction: ("3.6", "") when its decimal ends within 10 places, else the fraction and
    its rounded decimal ("7/3", "≈ 2.3333")."""
    exact = calc.exact_decimal(value)
    if exact is not None:
        return exact, ""
    return calc.format_value(value), calc.format_decimal(value)


def raised_parts(expression):
    """[(text, raised)]: the expression cut where an exponent is raised: "(1 + 2)^2 + 1" ->
    [("(1 + 2)", False), ("2", True), (" + 1", False)] (the page shows the raised parts as superscripts)."""
    parts, i = [], 0
    while True:
        caret = expression.find("^", i)
        if caret < 0:
            break
        end = caret + 1
        while end < len(expression) and expression[end].isdigit():
            end += 1
        parts += [(expression[i:caret], False), (expression[caret + 1:end], True)]
        i = end
    parts.append((expression[i:], False))
    return [(text, up) for text, up in parts if text]


def fact_number(value):
    """(n, "") when the Fraction `value` is a whole number >= 0 (facts are about those), else (None, why)."""
    if value.denominator == 1 and value >= 0:
        return int(value), ""
    if value.denominator != 1:
        return None, "Facts are about whole numbers, and %s is a fraction." % calc.format_value(value)
    return None, "Facts are about whole numbers from 0 up, and %s is below zero." % calc.format_value(value)


def display(item):
    """The whole line for people: "12 + 7 × 3 = 33", "7 ÷ 3 = 7/3 ≈ 2.3333", "123", "3 +"."""
    if not item.value:
        return item.expression
    return " ".join(part for part in (item.expression, "=", item.result or item.value, item.decimal) if part)


def grammar_note(item, symbols_read):
    """A sentence naming the symbols the grammar changed ("" if none): symbols_read is the nets' argmax text."""
    if not item.changed:
        return ""
    parts = ["symbol %d as %s (not %s)" % (i + 1, item.reading[i], symbols_read[i]) for i in item.changed]
    return "Read as a valid sum: %s." % ", ".join(parts)


def label_rows(model, outputs, symbols):
    """Bars of one net: its outputs (N, model.outputs) from net.Model.read -> ((N, L) probabilities, L labels).

    The L labels are `symbols` (every symbol the page reads, in that order; 0 for those the net does not
    know), then REJECT_LABEL when the net has a "not one symbol" output. Each row sums to 1."""
    known = [symbols.index(s) for s in model.symbols]
    width = len(symbols) + (1 if model.rejects else 0)
    rows = np.zeros((len(outputs), width), dtype=np.float32)
    rows[:, known] = outputs[:, :len(model.symbols)]
    if model.rejects:
        rows[:, -1] = outputs[:, -1]
    return rows, list(symbols) + ([REJECT_LABEL] if model.rejects else [])


def top_labels(row, labels, count=3):
    """The `count` likeliest labels of one row, best first: [(index, label, probability)]."""
    order = np.argsort(-np.asarray(row), kind="stable")[:count]
    return [(int(k), labels[k], float(row[k])) for k in order]


def caption(row, labels, count=3):
    """ "7: 92% · 1: 5% · no symbol: 2%": the top labels of one bar chart (the reject bar's spelled out), the
    best always, the others only when they round to at least 1 %."""
    top = [(label, round(100 * p)) for _, label, p in top_labels(row, labels, count)]
    return " · ".join("%s: %d%%" % (REJECT_NAME if label == REJECT_LABEL else label, percent)
                      for i, (label, percent) in enumerate(top) if i == 0 or percent >= 1)


def chart_style(row, labels):
    """The inline style of one bar chart (py/app.py's template): "--bars: L; --h0: 12%; ...": bar k's height as
    a share of the chart's height (static/app.css), and colours for the best bar and the two runners-up
    (--ck: var(--bar-best) or var(--bar-near); the best label's --tk: var(--ink))."""
    heights = ["--h%d: %d%%" % (k, round(100 * float(p))) for k, p in enumerate(row)]
    top = [k for k, _, _ in top_labels(row, labels)]
    colours = ["--c%d: var(--bar-best); --t%d: var(--ink)" % (top[0], top[0])]
    colours += ["--c%d: var(--bar-near)" % k for k in top[1:]]
    return "; ".join(["--bars: %d" % len(labels)] + heights + colours)
