"""calc.py: the solver's arithmetic, formatting, every error state, refused input and limits.

Values of many sums are checked against an independent oracle: Python's own parser evaluating the same sum
with every number as a Fraction (eval in the test only, on strings made of digits, + - * / ( ) alone).
"""
import itertools
import random
import re
from fractions import Fraction

import pytest

import calc
from calc import solve


def oracle(symbols):
    """The value of a complete sum by Python's grammar (same precedence and associativity), or "zero"."""
    python = re.sub(r"\d+", lambda m: "F(%r)" % m.group(), symbols.rstrip("=")).replace("×", "*").replace("÷", "/")
    assert re.fullmatch(r"[F()'0-9+\-*/]*", python)
    try:
        return eval(python, {"__builtins__": {}}, {"F": Fraction})  # noqa: S307 - test oracle, checked above
    except ZeroDivisionError:
        return "zero"


# --- Arithmetic -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("12+7×3", 33), ("2+3×4", 14), ("(2+3)×4", 20), ("2×3+4", 10), ("20-6÷3", 18), ("2×(3+4)×5", 70),
    ("8-3-2", 3), ("16÷4÷2", 2), ("2-3+4", 3), ("100÷10×2", 20), ("((7))", 7), ("1+2=", 3),
    ("-3+5", 2), ("(-2)×3", -6), ("2×(-3)", -6), ("-(3)", -3), ("-(-3)", 3), ("-3×2", -6), ("-2-3", -5),
    ("(-(2+3))", -5), ("0×5", 0), ("007+1", 8),
])
def test_value(text, value):
    s = solve(text)
    assert (s.error, s.value, s.plain) == ("", Fraction(value), False)
    assert s.value == oracle(text)


@pytest.mark.parametrize("text, value_text, decimal_text, display", [
    ("12+7×3", "33", "", "12 + 7 × 3 = 33"),
    ("12+7×3=", "33", "", "12 + 7 × 3 = 33"),
    ("2-8", "-6", "", "2 - 8 = -6"),
    ("7÷3", "7/3", "≈ 2.3333", "7 ÷ 3 = 7/3 ≈ 2.3333"),
    ("6÷4", "3/2", "= 1.5", "6 ÷ 4 = 3/2 = 1.5"),
    ("4÷2", "2", "", "4 ÷ 2 = 2"),
    ("-7÷3", "-7/3", "≈ -2.3333", "-7 ÷ 3 = -7/3 ≈ -2.3333"),
    ("2÷3", "2/3", "≈ 0.6667", "2 ÷ 3 = 2/3 ≈ 0.6667"),  # rounded, not cut
    ("1÷30", "1/30", "≈ 0.03333", "1 ÷ 30 = 1/30 ≈ 0.03333"),  # 4 significant digits below 1
    ("1÷8", "1/8", "= 0.125", "1 ÷ 8 = 1/8 = 0.125"),
    ("1÷10000", "1/10000", "= 0.0001", "1 ÷ 10000 = 1/10000 = 0.0001"),
    ("(-2)×3", "-6", "", "(-2) × 3 = -6"),
    ("2×(-3)=", "-6", "", "2 × (-3) = -6"),
])
def test_formatting(text, value_text, decimal_text, display):
    s = solve(text)
    assert (s.value_text, s.decimal_text, s.display()) == (value_text, decimal_text, display)


def test_fractions_are_exact_and_reduced():
    assert solve("1÷3+1÷3+1÷3").value == 1
    assert solve("1÷3+1÷3+1÷3").value_text == "1"
    s = solve("10÷4")
    assert (s.value.numerator, s.value.denominator, s.value_text) == (5, 2, "5/2")
    # half to even on the exact value, not on a float: 1/80000 = 0.0000125 -> 4 significant digits, exact
    assert calc.format_decimal(Fraction(1, 80000)) == "= 0.0000125"
    assert calc.format_decimal(Fraction(123456789, 10 ** 9)) == "≈ 0.1235"
    assert calc.format_decimal(Fraction(10 ** 15 - 1, 3)) == "= 333333333333333"
    assert calc.format_decimal(Fraction(10 ** 15 - 2, 3)) == "≈ 333333333333332.6667"


@pytest.mark.parametrize("text, pretty", [
    ("12+7×3=", "12 + 7 × 3 ="), ("(-2)×3", "(-2) × 3"), ("-(3+4)", "-(3 + 4)"), ("3+×4", "3 + × 4"),
    ("3×-2", "3 × -2"), ("(3+)", "(3 +)"), ("2(3)", "2(3)"), ("3=4", "3 = 4"),
])
def test_pretty(text, pretty):
    assert calc.pretty(text) == pretty
    assert solve(text).pretty == pretty


def test_plain_numbers_are_not_sums():
    for text, value_text in [("123", "123"), ("7", "7"), ("12=", "12"), ("007", "007"), ("0", "0")]:
        s = solve(text)
        assert (s.error, s.plain, s.value_text, s.display(), s.decimal_text) == ("", True, value_text,
                                                                                 value_text, "")
        assert s.value == int(value_text)
    # brackets or a sign make it a sum, computed and shown as one
    assert (solve("(12)").plain, solve("(12)").display()) == (False, "(12) = 12")
    assert (solve("-5").plain, solve("-5").display()) == (False, "-5 = -5")


def test_aliases_and_labels():
    assert solve("2*3").display() == "2 × 3 = 6"
    assert solve("1/3").value == Fraction(1, 3)
    assert solve(" 1 + 2 ").display() == "1 + 2 = 3"
    assert solve(["1", "2", "+", "7", "×", "3"]).value == 33
    assert solve(("4", "÷", "2")).value == 2


# --- Errors ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("3+", "incomplete"), ("(", "incomplete"), ("=", "incomplete"), ("-", "incomplete"), ("(-", "incomplete"),
    ("3×(", "incomplete"), ("3+=", "incomplete"), ("(3+4)×", "incomplete"),
    ("3+×4", "operators"), ("+3", "operators"), ("×3", "operators"), ("÷3", "operators"), ("=3", "operators"),
    ("--3", "operators"), ("3×-2", "operators"), ("3--2", "operators"), ("(×2)", "operators"),
    ("2(3)", "operators"), ("(2)3", "operators"), ("(2)(3)", "operators"), ("3=4", "operators"),
    ("3==", "operators"), ("3=+", "operators"), ("(3+)", "operators"), ("**", "operators"),
    ("(3+4", "parentheses"), ("((3)", "parentheses"), ("3)", "parentheses"), ("(3))", "parentheses"),
    ("()", "parentheses"), (")", "parentheses"), ("(3+4=", "parentheses"), ("2×()", "parentheses"),
    ("3÷0", "division-by-zero"), ("3÷(2-2)", "division-by-zero"), ("0÷0", "division-by-zero"),
    ("1÷(1÷2-1÷2)", "division-by-zero"),
    ("1" * 16, "too-long"), ("1+" + "2" * 16, "too-long"), ("9" * 15 + "×10", "too-long"),
    ("1+" * 20 + "1", "too-long"), ("-" + "9" * 15 + "-2", "too-long"),
    ("", "empty"), ("   ", "empty"), (None, "empty"),
    ("abc", "symbols"), ("__import__", "symbols"), ("2x3", "symbols"), ("2**3", "operators"), ("1,5", "symbols"),
    ("2²", "symbols"), ("os.system('ls')", "symbols"), ("3+4;", "symbols"), (5, "symbols"),
    (["1", "not one symbol"], "symbols"), (["1", None], "symbols"),
])
def test_errors(text, code):
    s = solve(text)
    assert s.error == code
    assert code in calc.ERRORS
    assert s.value is None and not s.plain and not s.ok
    assert len(s.message) > 10 and s.message.endswith(".")
    assert (s.value_text, s.decimal_text) == ("", "")
    assert s.display() == s.pretty


def test_messages_say_what_to_fix():
    assert "after +" in solve("3+").message
    assert "(-3)" in solve("3×-2").message
    assert "between 2 and (" in solve("2(3)").message
    assert "end" in solve("3=4").message
    assert "close" in solve("(3+4").message.lower()
    assert "empty" in solve("()").message
    assert "0" in solve("3÷0").message
    assert "'a'" in solve("3+a").message
    assert "Symbol 2" in solve(["1", "not one symbol", "2"]).message
    assert solve(["1", "not one symbol", "2"]).display() == "1?2"


def test_first_problem_from_the_left_is_reported():
    assert solve("3+×4)").error == "operators"
    assert solve("3)+×4").error == "parentheses"
    assert solve("3÷0+(").error == "incomplete"  # syntax before arithmetic


def test_limits():
    longest = "1+" * 19 + "12"  # 40 symbols
    assert len(longest) == 40 and solve(longest).value == 31
    assert solve(longest + "=").error == "too-long"  # 41 symbols
    assert solve("9" * 15).value == 10 ** 15 - 1  # 15 digits are fine
    assert solve("999999999999999+1").value == 10 ** 15  # the limit itself is fine
    assert solve("999999999999999+2").error == "too-long"
    assert solve("-999999999999999-2").error == "too-long"
    # an intermediate over the limit is refused even if the end result would be small
    assert solve("999999999999999×10÷100").error == "too-long"
    # a fraction whose denominator outgrows the limit
    assert solve("1÷999999999999999÷7").error == "too-long"


def test_never_raises_and_agrees_with_the_grammar_and_the_oracle():
    """Every string of up to 3 symbols and 4,000 random longer ones: solve() never raises; a complete text
    (calc.classify) is solved, or fails only on arithmetic; its value is the oracle's; an incomplete one is
    reported as incomplete or unclosed; an invalid one is never solved."""
    rng = random.Random(0)
    texts = ["".join(t) for n in range(1, 4) for t in itertools.product(calc.SYMBOLS, repeat=n)]
    texts += ["".join(rng.choice(calc.SYMBOLS) for _ in range(rng.randint(4, 12))) for _ in range(2000)]
    texts += [_random_sum(rng) for _ in range(2000)]
    solved = 0
    for text in texts:
        s = solve(text)
        kind = calc.classify(text)
        solved += agrees_with_the_oracle(text, s, kind, lambda: oracle(text))
    assert solved > 1500


def agrees_with_the_oracle(text, s, kind, expected) -> bool:
    """Asserts that solve()'s answer s for `text` of calc.classify kind `kind` agrees with the grammar and, for a
    complete text, with the oracle's value (expected(): a Fraction or "zero"); True when s was solved."""
    if kind == "complete":
        assert s.error in ("", "division-by-zero", "too-long"), text
        value = expected()
        if value == "zero":
            assert s.error == "division-by-zero", text
        elif s.error == "":
            assert s.value == value and abs(value) <= calc.LIMIT, text
            return True
    elif kind == "incomplete":
        assert s.error in ("incomplete", "parentheses"), text
    else:
        assert s.error in ("incomplete", "operators", "parentheses"), text
    return False


def _random_sum(rng, depth=0):
    """A random valid sum (may contain divisions by zero)."""
    parts = []
    for i in range(rng.randint(1, 3)):
        if i:
            parts.append(rng.choice("+-×÷"))
        if depth < 2 and rng.random() < 0.25:
            parts.append("(" + ("-" if rng.random() < 0.3 else "") + _random_sum(rng, depth + 1) + ")")
        else:
            parts.append(str(rng.randint(0, 99)))
    return ("-" if depth == 0 and rng.random() < 0.2 else "") + "".join(parts)


def test_step_is_the_grammar():
    assert calc.classify("") == "incomplete"
    assert [calc.classify(t) for t in ("3+", "(3+4", "(3+4)", "12", "12=", "=", "2(3)")] == [
        "incomplete", "incomplete", "complete", "complete", "complete", "invalid", "invalid"]
    assert calc.step(calc.INITIAL, "a") is None
