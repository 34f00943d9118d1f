"""answer.py: what the page shows for a reading (the #number/#answer/#fact contract), from synthetic
probability rows and from calc solutions; the bar rows of a net with and without a reject output."""
from fractions import Fraction

import numpy as np
import pytest

import answer
import calc
import layout
from answer import read

SYMBOLS = list(calc.SYMBOLS)


def rows(*specs, labels=SYMBOLS):
    """(N, S): each spec is "s" (p = 0.9) or {"s": p, ...}; the rest of each row spread over the other labels."""
    p = np.zeros((len(specs), len(labels)))
    for i, spec in enumerate(specs):
        spec = {spec: 0.9} if isinstance(spec, str) else spec
        for label, value in spec.items():
            p[i, labels.index(label)] = value
        free = p[i] == 0
        p[i, free] = (1 - p[i].sum()) / free.sum()
    return p


def test_a_sum_shows_its_expression_and_value_and_a_fact_about_it():
    shown = read(rows(*"12+7×3="), SYMBOLS)
    assert (shown.reading, shown.expression, shown.value, shown.error) == ("12+7×3=", "12 + 7 × 3", "33", "")
    assert (shown.fact, shown.fact_note, shown.plain) == (33, "", False)
    assert answer.display(shown) == "12 + 7 × 3 = 33"


def test_without_equals_the_value_is_shown_too():
    shown = read(rows(*"(2+3)×4"), SYMBOLS)
    assert (shown.reading, shown.expression, shown.value, shown.fact) == ("(2+3)×4", "(2 + 3) × 4", "20", 20)


def test_a_plain_number_has_no_answer_and_its_fact_is_about_itself():
    shown = read(rows(*"12"), SYMBOLS)
    assert (shown.reading, shown.expression, shown.value, shown.error, shown.plain, shown.fact) == (
        "12", "12", "", "", True, 12)
    assert answer.display(shown) == "12"
    assert read(rows(*"007"), SYMBOLS).fact == 7


@pytest.mark.parametrize("text, error", [
    ("3+", "incomplete"), ("8÷0", "division-by-zero"), ("3+×4", "operators"), ("(3+4", "parentheses"),
    ("3)", "parentheses"), ("9" * 16, "too-long"), ("2(3)", "operators"),
])
def test_errors_use_the_contract_codes_and_show_what_was_read(text, error):
    shown = read(rows(*text), SYMBOLS)
    assert (shown.reading, shown.value, shown.error, shown.fact) == (text, "", error, None)
    assert shown.message and shown.expression == calc.pretty(text)


def test_every_calc_error_maps_into_the_contract():
    assert set(answer.PAGE_ERROR) == set(calc.ERRORS)
    assert set(answer.PAGE_ERROR.values()) <= set(answer.CONTRACT_ERRORS) | {""}
    # a piece that is not one symbol (only possible with labels outside calc.SYMBOLS): an error, never "plain"
    shown = answer.shown(calc.solve(["3", "not one symbol", "4"]))
    assert (shown.error, shown.value, shown.fact) == ("operators", "", None)
    assert "not one symbol" in shown.message


def test_nothing_drawn_is_empty_and_no_error():
    shown = read(np.zeros((0, len(SYMBOLS))), SYMBOLS)
    assert (shown.reading, shown.value, shown.error, shown.fact) == ("", "", "", None)


def test_fractions_and_negative_results_get_no_fact_but_a_reason():
    shown = read(rows(*"7÷3"), SYMBOLS)
    assert (shown.value, shown.decimal, shown.fact) == ("7/3", "≈ 2.3333", None)
    assert "whole numbers" in shown.fact_note and "7/3" in shown.fact_note
    assert answer.display(shown) == "7 ÷ 3 = 7/3 ≈ 2.3333"
    shown = read(rows(*"2-8"), SYMBOLS)
    assert (shown.value, shown.fact) == ("-6", None) and "-6" in shown.fact_note
    assert read(rows(*"3-3"), SYMBOLS).fact == 0


def test_fact_number_of_values():
    assert answer.fact_number(Fraction(33)) == (33, "")
    assert answer.fact_number(Fraction(0)) == (0, "")
    assert answer.fact_number(Fraction(-1))[0] is None
    assert answer.fact_number(Fraction(1, 2))[0] is None


def test_the_grammar_takes_a_runner_up_and_says_so():
    # "12++3": the second "+" was nearly a "1"
    p = rows("1", "2", {"+": 0.8, "7": 0.1}, {"+": 0.6, "1": 0.3}, "3")
    shown = read(p, SYMBOLS)
    assert (shown.reading, shown.value, shown.changed, shown.argmax) == ("12+13", "25", (3,), "12++3")
    assert answer.grammar_note(shown, shown.argmax) == "Read as a valid sum: symbol 4 as 1 (not +)."
    assert answer.grammar_note(read(rows(*"12"), SYMBOLS), "12") == ""


def test_digit_only_nets_read_numbers():
    digits = list("0123456789")
    shown = read(rows(*"42", labels=digits), digits)
    assert (shown.reading, shown.plain, shown.fact) == ("42", True, 42)


def test_too_many_pieces_are_too_long_without_a_search():
    shown = read(rows(*("1+" * 30 + "1")), SYMBOLS)
    assert shown.error == "too-long" and len(shown.reading) == 61


class FakeModel:
    def __init__(self, symbols, rejects):
        self.symbols, self.rejects = list(symbols), rejects


def test_label_rows_cover_every_label_with_the_reject_last():
    outputs = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]], dtype=np.float32)  # "1", "+", reject
    rows_, labels = answer.label_rows(FakeModel("1+", True), outputs, ["1", "2", "+"])
    assert labels == ["1", "2", "+", answer.REJECT_LABEL]
    np.testing.assert_allclose(rows_, [[0.1, 0, 0.7, 0.2], [0.5, 0, 0.3, 0.2]])
    rows_, labels = answer.label_rows(FakeModel("21", False), outputs[:, :2] / 0.8, ["1", "2"])
    assert labels == ["1", "2"]
    np.testing.assert_allclose(rows_.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(rows_[0], [0.875, 0.125])


def test_caption_names_the_top_labels():
    assert answer.caption(np.array([0.05, 0.9, 0.05]), ["1", "+", "?"]) == "+: 90% · 1: 5% · no symbol: 5%"
    assert answer.caption(np.array([0.001, 0.995, 0.004]), ["1", "+", "?"]) == "+: 100%"


def test_chart_style_sets_every_height_and_colours_the_top_three():
    style = answer.chart_style(np.array([0.1, 0.6, 0.0, 0.3]), ["1", "+", "2", "?"])
    parts = dict(part.split(": ") for part in style.split("; "))
    assert parts["--bars"] == "4"
    assert [parts["--h%d" % k] for k in range(4)] == ["10%", "60%", "0%", "30%"]
    assert (parts["--c1"], parts["--t1"]) == ("var(--bar-best)", "var(--ink)")
    assert parts["--c3"] == parts["--c0"] == "var(--bar-near)" and "--c2" not in parts


def test_a_line_is_placed_again_by_the_labels_the_grammar_settles_on():
    """A real writer's "1.21-2" (a dev writer of CROHME): the first 1 is read as ")" (0.84, 1 at 0.15), so layout,
    which places a decimal point only after a digit, drops the point; the grammar then reads the ) as a 1
    (")21-2" begins no sum). answer.read_line places the pieces again by the grammar's labels: "1.21-2"."""
    labels = list(calc.SYMBOLS)

    def row(**p):
        out = np.full(len(labels), 1e-4)
        for label, value in p.items():
            out[labels.index({"close": ")", "minus": "-"}.get(label, label.lstrip("d")))] = value
        return out

    p = np.stack([row(close=0.84, d1=0.15), row(d2=0.99), row(d1=1.0), row(minus=1.0), row(d2=0.93)])
    boxes = [(0, 10, 15, 100), (51, 3, 161, 100), (191, -20, 267, 100), (292, 45, 368, 55), (396, 0, 531, 100)]
    mark = (28.7, 99.2, 38.4, 105.3)
    once = answer.read(*layout.rows(p, labels, boxes, [mark])[:2])
    assert once.reading == "121-2"  # the point lost after a ")"
    shown, pieces = answer.read_line(p, labels, boxes, [mark])
    assert (shown.reading, shown.value) == ("1.21-2", "-79/100")
    assert pieces == [0, None, 1, 2, 3, 4]
    # nothing to settle: one pass, the same as layout.rows then read
    plain = np.stack([row(d1=0.9), row(d2=0.99)])
    shown, pieces = answer.read_line(plain, labels, boxes[:2], [])
    assert (shown.reading, pieces) == ("12", [0, 1])
