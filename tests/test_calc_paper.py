"""Written as on paper (issue 30): decimals and powers in calc, and a text continuing from a kept result."""
from __future__ import annotations

import itertools
import random
import re
from fractions import Fraction

import numpy as np
import pytest

import calc
import grammar
from calc import solve
from tests.test_calc import agrees_with_the_oracle


def oracle(symbols, previous=None):
    """The value by Python's own grammar: decimals as Fractions, ^ as ** (which binds tighter than unary minus
    in Python too), or "zero"."""
    text = symbols.rstrip("=")
    if previous is not None:
        text = "P" + text
    python = re.sub(r"\d+(\.\d+)?", lambda m: "F(%r)" % m.group(), text)
    python = python.replace("×", "*").replace("÷", "/").replace("^", "**")
    python = re.sub(r"\*\*F\('(\d+)'\)", lambda m: "**%d" % int(m.group(1)), python)  # a whole exponent
    assert re.fullmatch(r"[FP()'0-9.+\-*/]*", python), python
    try:
        return eval(python, {"__builtins__": {}}, {"F": Fraction, "P": previous})  # noqa: S307 - checked above
    except ZeroDivisionError:
        return "zero"


@pytest.mark.parametrize("text, value", [
    ("2.5×4=", 10), ("0.1+0.2", Fraction(3, 10)), ("1.2×3", Fraction(18, 5)), ("0.5+0.25", Fraction(3, 4)),
    ("3^2", 9), ("(1+2)^2", 9), ("2^10", 1024), ("-3^2", -9), ("(-3)^2", 9), ("2×3^2", 18), ("2^0", 1),
    ("0^0", 1), ("1.5^2", Fraction(9, 4)), ("10^15", 10 ** 15), ("007.50", Fraction(15, 2)), ("2^3+1", 9),
])
def test_decimals_and_powers_are_exact(text, value):
    s = solve(text)
    assert (s.error, s.value) == ("", value), s.message


@pytest.mark.parametrize("text, error", [
    ("10^16", "too-long"), ("2^60", "too-long"), ("0.5^60", "too-long"), ("3.", "incomplete"), ("3^", "incomplete"),
    ("1.2.3", "operators"), ("3^2^2", "operators"), (".5", "operators"), ("3^1.5", "operators"),
    ("3^(2)", "operators"), ("+^2", "operators"), ("(2+3).5", "operators"), ("2^-1", "operators"),
    ("9999999999999999^1", "too-long"),
])
def test_decimal_and_power_errors(text, error):
    s = solve(text)
    assert s.error == error, (text, s.value, s.message)
    assert s.message


def test_a_huge_power_of_one_or_zero_is_quick_and_exact():
    assert solve("1^999999999999").value == 1
    assert solve("0^999999999999").value == 0


def test_display_of_decimals_and_powers():
    assert calc.pretty("(1+2)^2") == "(1 + 2)^2"
    assert calc.exact_decimal(Fraction(18, 5)) == "3.6"
    assert calc.exact_decimal(Fraction(-3, 10)) == "-0.3"
    assert calc.exact_decimal(Fraction(10)) == "10"
    assert calc.exact_decimal(Fraction(1, 2 ** 10)) == "0.0009765625"   # 10 places exactly
    assert calc.exact_decimal(Fraction(1, 2 ** 11)) is None              # 11 places
    assert calc.exact_decimal(Fraction(7, 3)) is None


@pytest.mark.parametrize("text, previous, value", [
    ("×2", 33, 66), ("+1×2", 33, 35), ("×2+1", 33, 67), ("-3", 33, 30), ("÷4", 3, Fraction(3, 4)),
    ("^2", 3, 9), ("×2", Fraction(7, 3), Fraction(14, 3)), ("×0.5=", 3, Fraction(3, 2)),
])
def test_a_text_starting_with_an_operator_continues_from_the_kept_result(text, previous, value):
    s = solve(text, previous=Fraction(previous))
    assert (s.error, s.value, s.expression) == ("", value, text)
    assert not s.plain


def test_a_text_starting_with_a_number_is_a_new_sum_after_a_kept_result():
    assert (solve("5", previous=Fraction(33)).value, solve("5", previous=Fraction(33)).plain) == (5, True)
    assert solve("(1+1)", previous=Fraction(33)).value == 2


def test_without_a_kept_result_a_leading_operator_is_still_an_error():
    assert solve("×2").error == "operators"
    assert solve("×2", previous=None).error == "operators"
    assert solve("×", previous=Fraction(3)).error == "incomplete"
    assert solve("×=", previous=Fraction(3)).error == "incomplete"


SYMBOLS = calc.TEXT_SYMBOLS


def _random_term(rng, depth=0):
    parts = []
    for i in range(rng.randint(1, 3)):
        if i:
            parts.append(rng.choice("+-×÷"))
        if depth < 2 and rng.random() < 0.25:
            parts.append("(" + _random_term(rng, depth + 1) + ")")
        else:
            number = str(rng.randint(0, 99)) + ("." + str(rng.randint(0, 99)) if rng.random() < 0.3 else "")
            parts.append(number)
        if rng.random() < 0.2:
            parts.append("^" + str(rng.randint(0, 4)))
    return "".join(parts)


@pytest.mark.parametrize("previous", [None, Fraction(7, 3)])
def test_never_raises_and_agrees_with_the_grammar_and_the_oracle(previous):
    """Every text of up to 3 symbols of TEXT_SYMBOLS and 4,000 random longer ones, with and without a kept
    result: solve() never raises; a complete text (by the state machine) is solved to the oracle's value or
    fails only on arithmetic; an invalid one is never solved."""
    rng = random.Random(1)
    texts = ["".join(t) for n in range(1, 4) for t in itertools.product(SYMBOLS, repeat=n)]
    texts += ["".join(rng.choice(SYMBOLS) for _ in range(rng.randint(4, 12))) for _ in range(2000)]
    texts += [rng.choice(["", "-", "×", "^2+"]) + _random_term(rng) for _ in range(2000)]
    texts = [t for t in texts if len(t) <= calc.MAX_SYMBOLS]  # longer ones are too-long, whatever they hold
    solved = 0
    for text in texts:
        s = solve(text, previous=previous)
        start = calc.CONTINUING if previous is not None and calc.continues(text) else calc.INITIAL
        kind = calc.classify(text, start)
        solved += agrees_with_the_oracle(text, s, kind,
                                         lambda: oracle(text, previous if start == calc.CONTINUING else None))
    assert solved > 1500


def test_the_grammar_reads_a_continuation_only_after_a_kept_result():
    labels = list(calc.SYMBOLS)
    p = np.full((2, len(labels)), 0.001)
    p[0, labels.index("×")], p[0, labels.index("4")] = 0.9, 0.05   # "×" (or a poor 4), then a clear 2
    p[1, labels.index("2")] = 0.99
    assert grammar.read(p, labels).symbols == "42"                       # no kept result: × is impossible first
    kept = grammar.read(p, labels, start=calc.CONTINUING)
    assert (kept.symbols, kept.status) == ("×2", "complete")


def test_the_grammar_takes_layout_columns():
    labels = list(calc.SYMBOLS) + list(calc.LAYOUT_SYMBOLS)
    rows = [labels.index(c) for c in "2.5×4"]
    p = np.full((5, len(labels)), 1e-4)
    p[np.arange(5), rows] = 1.0
    assert grammar.read(p, labels).symbols == "2.5×4"


def _certain(text, labels):
    p = np.full((len(text), len(labels)), 1e-4)
    p[np.arange(len(text)), [labels.index(c) for c in text]] = 1.0
    return p


def test_the_page_shows_an_exact_decimal_and_keeps_the_exact_value():
    import answer

    labels = list(calc.TEXT_SYMBOLS)
    shown = answer.read(_certain("1.2×3", labels), labels)
    assert (shown.reading, shown.value, shown.result, shown.decimal) == ("1.2×3", "18/5", "3.6", "")
    assert answer.display(shown) == "1.2 × 3 = 3.6"
    shown = answer.read(_certain("7÷3", labels), labels)
    assert (shown.value, shown.result, shown.decimal) == ("7/3", "7/3", "≈ 2.3333")
    shown = answer.read(_certain("0.5+0.25", labels), labels)
    assert (shown.value, shown.result) == ("3/4", "0.75")


def test_the_page_continues_from_a_kept_result():
    import answer

    labels = list(calc.TEXT_SYMBOLS)
    shown = answer.read(_certain("×2", labels), labels, previous=Fraction(33))
    assert (shown.reading, shown.value, shown.continued, shown.fact) == ("×2", "66", True, 66)
    assert answer.display(shown) == "33 × 2 = 66"
    shown = answer.read(_certain("-3", labels), labels, previous=Fraction(7, 2))
    assert (answer.display(shown), shown.value) == ("3.5 - 3 = 0.5", "1/2")
    assert answer.read(_certain("×2", labels), labels).error == "operators"


def test_exponents_are_cut_out_to_be_raised():
    import answer

    assert answer.raised_parts("(1 + 2)^2 + 1") == [("(1 + 2)", False), ("2", True), (" + 1", False)]
    assert answer.raised_parts("2^10") == [("2", False), ("10", True)]
    assert answer.raised_parts("12 + 3") == [("12 + 3", False)]
