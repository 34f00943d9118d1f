"""grammar.py: reading symbol probabilities under the calculator's grammar, with synthetic probability rows.

The search is checked against brute force (every combination of each symbol's candidate labels) on random rows.
"""
import itertools
import math

import numpy as np
import pytest

import calc
import grammar
from grammar import read

REJECT = "not one symbol"


def rows(*specs, labels=calc.SYMBOLS, rest=1e-4):
    """(N, K) probabilities: each spec is "s" (p(s) = 0.9) or {"s": p, ...}; other labels share what is left."""
    p = np.zeros((len(specs), len(labels)))
    for i, spec in enumerate(specs):
        spec = {spec: 0.9} if isinstance(spec, str) else spec
        for label, value in spec.items():
            p[i, list(labels).index(label)] = value
        free = p[i] == 0
        p[i, free] = max(1 - p[i].sum(), 0) / free.sum() if free.any() else 0
        p[i, free] = np.minimum(p[i, free], rest)
    return p


def test_valid_argmax_is_kept():
    r = read(rows("1", "2", {"+": 0.6, "1": 0.3}, "7", {"×": 0.5, "+": 0.4}, "3"))
    assert (r.symbols, r.status, r.changed, r.argmax) == ("12+7×3", "complete", (), "12+7×3")
    assert math.isclose(r.log_probability, sum(math.log(v) for v in (0.9, 0.9, 0.6, 0.9, 0.5, 0.9)))


def test_a_plain_number_is_valid_and_kept():
    # "1 + 1" drawn, the middle symbol read as "1" with "+" runner-up: "111" is a valid number: kept
    r = read(rows("1", {"1": 0.5, "+": 0.45}, "1"))
    assert (r.symbols, r.status, r.changed) == ("111", "complete", ())


def test_a_lone_operator_stands_unless_a_digit_is_nearly_as_likely():
    """Drawn alone, a + or × has nothing around it to go by: the nets' reading stands (calc says what is wrong),
    unless a complete reading is within TRAILING_MARGIN of it."""
    for symbol in "+×=÷":
        r = read(rows({symbol: 0.7, "1": 0.2}))
        assert (r.symbols, r.status, r.changed) == (symbol, "invalid", ())
    r = read(rows({"+": 0.5, "1": 0.4}))
    assert (r.symbols, r.status, r.changed) == ("1", "complete", (0,))
    r = read(rows("1", {"+": 0.7, "4": 0.2}, "+", "3"))  # more than one symbol: corrected, as before
    assert (r.symbols, r.status, r.changed) == ("14+3", "complete", (1,))


def test_an_unfinished_argmax_is_kept():
    # the person is still writing: "3+" stays, though "34" would be complete
    r = read(rows("3", {"+": 0.6, "4": 0.35}))
    assert (r.symbols, r.status, r.changed) == ("3+", "incomplete", ())
    assert calc.solve(r.symbols).error == "incomplete"
    r = read(rows("(", "3", "+", {"4": 0.5, ")": 0.4}))
    assert (r.symbols, r.status) == ("(3+4", "incomplete")


def test_a_finished_looking_reading_closes_its_bracket():
    # "(7×2)+8" with its ")" read as a 1 (")" runner-up): "(7×21+8" lacks only a ")", and "(7×2)+8" is
    # complete at e^0.7 less: the complete one wins (a margin of UNFINISHED_MARGIN)
    r = read(rows("(", "7", "×", "2", {"1": 0.6, ")": 0.3}, "+", "8"))
    assert (r.symbols, r.status, r.changed, r.argmax) == ("(7×2)+8", "complete", (4,), "(7×21+8")
    # ... but not when the ")" is all but excluded (beyond the margin, with BRACKETS_IN_SUMS given back):
    # someone still writing "(7×21"
    r = read(rows("(", "7", "×", "2", {"1": 0.9, ")": 0.002}, "+", "8"))
    assert (r.symbols, r.status) == ("(7×21+8", "incomplete")
    # a trailing operator is only changed when the complete reading is nearly as likely (TRAILING_MARGIN)
    r = read(rows("2", "-", "7", {"-": 0.5, "=": 0.45}))
    assert (r.symbols, r.changed) == ("2-7=", (3,))
    r = read(rows("2", "-", "7", {"-": 0.7, "=": 0.25}))
    assert (r.symbols, r.status) == ("2-7-", "incomplete")


def test_two_operators_in_a_row_take_a_runner_up():
    # "12++3": the second + has "1" as runner-up, the first + only "7" with less: "12+13"
    r = read(rows("1", "2", {"+": 0.8, "7": 0.1}, {"+": 0.6, "1": 0.3}, "3"))
    assert (r.symbols, r.status, r.changed, r.argmax) == ("12+13", "complete", (3,), "12++3")
    assert calc.solve(r.symbols).value == 25
    # the other way round when the first + is the doubtful one
    r = read(rows("1", "2", {"+": 0.6, "7": 0.35}, {"+": 0.8, "1": 0.1}, "3"))
    assert (r.symbols, r.changed) == ("127+3", (2,))


def test_an_unbalanced_bracket_is_repaired_by_the_likelier_change():
    # "(2+3)" with the "(" read as "1": argmax "12+3)" has a ) without (
    r = read(rows({"1": 0.55, "(": 0.4}, "2", "+", "3", {")": 0.9, "1": 0.05}))
    assert (r.symbols, r.changed, r.argmax) == ("(2+3)", (0,), "12+3)")
    assert calc.solve(r.symbols).display() == "(2 + 3) = 5"
    # when the ) is the doubtful symbol instead, it is the one changed
    r = read(rows({"1": 0.9, "(": 0.005}, "2", "+", "3", {")": 0.55, "1": 0.4}))
    assert (r.symbols, r.changed) == ("12+31", (4,))


def test_several_symbols_can_change():
    r = read(rows({"+": 0.5, "1": 0.3}, {"×": 0.5, "2": 0.3}))
    assert (r.symbols, r.changed, r.status) == ("12", (0, 1), "complete")


def test_the_best_complete_reading_wins_over_prefixes():
    # "2×-3": changing - to ( leaves "2×(3" unfinished; changing it to 5 gives the complete "2×53"
    r = read(rows("2", "×", {"-": 0.5, "(": 0.4, "5": 0.05}, "3"))
    assert (r.symbols, r.status) == ("2×53", "complete")


def test_no_valid_reading_in_reach_returns_the_argmax():
    only_operators = {"+": 0.5, "×": 0.3, "÷": 0.2}
    r = read(rows(only_operators, only_operators, rest=0))
    assert (r.symbols, r.status, r.changed) == ("++", "invalid", ())
    assert calc.solve(r.symbols).error == "operators"


def test_unlikely_labels_are_not_invented():
    specs = ("1", "2", "+", {"+": 0.9, "1": 0.005}, "3")
    assert read(rows(*specs)).symbols == "12++3"
    assert read(rows(*specs), min_probability=0.001).symbols == "12+13"


def test_only_the_top_labels_are_tried():
    # "1" is only the 4th label of the second +
    spec = {"+": 0.4, "×": 0.25, "÷": 0.2, "1": 0.15}
    assert read(rows("1", "2", "+", spec, "3")).symbols == "12++3"
    assert read(rows("1", "2", "+", spec, "3"), top=4).symbols == "12+13"


def test_the_reject_column_is_ignored():
    labels = list(calc.SYMBOLS) + [REJECT]
    p = rows("1", {REJECT: 0.7, "+": 0.2, "1": 0.05}, "2", labels=labels)
    r = read(p, labels)
    assert (r.symbols, r.status) == ("1+2", "complete")
    # the same decision as without that column
    assert read(p[:, :-1], calc.SYMBOLS).symbols == "1+2"


def test_labels_in_another_order_and_ascii_aliases():
    labels = ["=", "*", "/"] + list("9876543210") + ["(", ")", "+", "-", REJECT]
    r = read(rows("6", {"/": 0.6, "*": 0.3}, "3", labels=labels), labels)
    assert r.symbols == "6÷3"
    r = read(rows("6", {"*": 0.5, "/": 0.4}, {"/": 0.8, "3": 0.15}, labels=labels), labels)
    assert (r.symbols, r.changed) == ("6×3", (2,))


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError):
        read(np.ones((3, 16)))
    with pytest.raises(ValueError):
        read(np.ones(17))
    with pytest.raises(ValueError):
        read(np.ones((2, 2)), ["a", "b"])


def test_empty_and_too_long():
    r = read(np.zeros((0, 17)))
    assert (r.symbols, r.status) == ("", "incomplete")
    assert calc.solve(r.symbols).error == "empty"
    # more than calc.MAX_SYMBOLS symbols: no search, the solver says too-long
    p = rows(*(["+"] + ["1"] * 40))
    assert read(p).symbols == "+" + "1" * 40
    assert calc.solve(read(p).symbols).error == "too-long"


def test_long_readings_are_repaired():
    text = "(12+7)×3-48÷(6-2)+1+(12+7)×3-48÷(6-2)+1"  # 39 symbols
    specs = [{s: 0.7, "1": 0.2} if s != "1" else {s: 0.7, "7": 0.2} for s in text]
    specs[19] = {"=": 0.6, "+": 0.3}  # "=" in the middle, "+" runner-up
    r = read(rows(*specs))
    assert r.argmax == text[:19] + "=" + text[20:]
    assert (r.symbols, r.status, r.changed) == (text, "complete", (19,))
    assert calc.solve(r.symbols).value == 2 * (19 * 3 - 12 + 1)


def brute_force(p, labels, top, min_probability):
    """(best log-probability, readings with it) over every combination of each row's candidate labels."""
    choices = grammar._choices(p, np.log(np.maximum(p, grammar.LOG_FLOOR)), list(labels), top, min_probability)
    best, readings = -math.inf, []
    for combo in itertools.product(*choices):
        text = "".join(s for s, _ in combo)
        if calc.classify(text) != "complete":
            continue
        score = sum(lp for _, lp in combo)
        if score > best + 1e-9:
            best, readings = score, [text]
        elif abs(score - best) <= 1e-9:
            readings.append(text)
    return best, readings


def test_search_agrees_with_brute_force():
    rng = np.random.default_rng(0)
    checked = repaired = 0
    while checked < 300:
        n = int(rng.integers(1, 7))
        p = rng.dirichlet(np.full(17, 0.3), size=n)
        r = read(p)
        nets = "".join(calc.SYMBOLS[k] for k in p.argmax(axis=1))
        assert r.argmax == nets
        p = grammar._in_context(p, list(calc.SYMBOLS), nets)  # what the grammar weighs: brackets given back in a sum
        argmax = "".join(calc.SYMBOLS[k] for k in p.argmax(axis=1))
        assert r.status == calc.classify(r.symbols)
        if r.status != "invalid" and not r.changed:
            assert r.symbols == r.argmax
            if r.status == "incomplete":
                continue
        best, readings = brute_force(p, calc.SYMBOLS, grammar.TOP, grammar.MIN_PROBABILITY)
        argmax_logp = float(np.log(p.max(axis=1)).sum())
        if calc.classify(argmax) == "invalid" and n == 1 and readings and argmax_logp - best > grammar.TRAILING_MARGIN:
            # a lone symbol that cannot begin a sum: the nets' reading stands unless a complete one is nearly as likely
            assert (r.symbols, r.status) == (argmax, "invalid")
        elif calc.classify(argmax) == "invalid":
            if readings:
                assert r.symbols in readings and math.isclose(r.log_probability, best), (r, best, readings)
                repaired += 1
            else:
                assert (r.symbols, r.status) == (argmax, "invalid")
        else:
            # a complete argmax is the most probable of all readings, so brute force finds it too
            assert r.symbols in readings
        checked += 1
    assert repaired > 50


def test_brackets_in_a_sum_get_back_what_a_bracket_alone_gave_up():
    """The nets' bracket logits were lowered so that a straight bracket drawn alone reads as a 1; in a sum the
    grammar gives back BRACKETS_IN_SUMS, so two sticks around "9+2" read as brackets, with both marked changed."""
    stick = {"1": 0.6, "(": 0.15, ")": 0.15}
    r = read(rows(stick, "9", "+", "2", stick))
    assert (r.symbols, r.changed, r.argmax) == ("(9+2)", (0, 4), "19+21")
    assert calc.solve(r.symbols).value == 11
    # the same sticks in a number, or alone: no sum, so no bracket is given anything back
    assert read(rows(stick, "9", "2", stick)).symbols == "1921"
    assert read(rows(stick)).symbols == "1"
    # a stick the nets all but call a 1 stays a 1 in a sum too
    sure = {"1": 0.9, "(": 0.01, ")": 0.01}
    assert read(rows(sure, "9", "+", "2", sure)).symbols == "19+21"
    # and with nothing given back (the constant at 0), the sum reads as the nets read it
    assert grammar._in_context(rows(stick, "9", "+"), list(calc.SYMBOLS), "19+", bonus=0).tolist() == \
        rows(stick, "9", "+").tolist()
