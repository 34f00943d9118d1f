"""layout.py: decimal points and raised exponents from the symbols' boxes and readings."""
import numpy as np

import layout
from layout import Item


def digit(x, label="2", top=0.0, height=1.0, width=0.6):
    return Item((x, top, x + width, top + height), label)


def dot(x, y=0.92, size=0.08):
    return Item((x, y - size / 2, x + size, y + size / 2), "")


def test_a_low_dot_between_digits_is_a_decimal_point():
    items = [digit(0.0, "2"), dot(0.7), digit(0.9, "5")]
    assert layout.roles(items) == ["", ".", ""]
    assert layout.text(items) == "2.5"


def test_a_dot_with_no_digit_before_it_or_high_or_large_is_none():
    assert layout.roles([dot(0.0), digit(0.3, "5")])[0] == "drop"                  # no number before it
    assert layout.roles([Item((0, 0, 0.5, 1), "+"), dot(0.7), digit(0.9)])[1] == "drop"  # after an operator
    assert layout.roles([digit(0.0), dot(0.7, y=0.3), digit(0.9)])[1] == "drop"    # a raised dot
    assert layout.roles([digit(0.0), dot(0.7, size=0.4), digit(1.3)])[1] == "drop"  # too large for a dot
    assert layout.roles([digit(0.0), dot(2.5), digit(3.0)])[1] == "drop"           # far after the digit


def test_the_dots_of_a_divide_sign_are_no_decimal_points():
    bar = Item((0.75, 0.48, 1.25, 0.52), "")
    items = [digit(0.0, "8"), dot(0.96, y=0.25), bar, dot(0.96, y=0.8), digit(1.4, "2")]
    assert "." not in layout.roles(items)
    strokes = [[(0, 0), (0.6, 1)], [(1.0, 0.25)], [(0.75, 0.5), (1.25, 0.5)], [(1.0, 0.8)], [(1.4, 0), (2.0, 1)]]
    kept, dots = layout.split_dots(strokes)
    assert (len(kept), dots) == (5, [])


def test_split_dots_keeps_a_tap_apart():
    strokes = [[(0, 0), (0.3, 0.5), (0.6, 1)], [(0.7, 0.93)], [(0.9, 0), (1.5, 1)]]
    kept, dots = layout.split_dots(strokes)
    assert len(kept) == 2 and dots == [(0.7, 0.93, 0.7, 0.93)]


def test_small_raised_digits_after_a_digit_or_bracket_are_an_exponent():
    assert layout.text([digit(0.0, "3"), digit(0.65, "2", top=-0.25, height=0.5, width=0.3)]) == "3^2"
    bracket = [Item((0, 0, 0.3, 1.1), "("), digit(0.4, "1"), Item((1.1, 0.2, 1.6, 0.8), "+"), digit(1.7, "2"),
               Item((2.4, 0, 2.7, 1.1), ")"), digit(2.8, "2", top=-0.3, height=0.5, width=0.3)]
    assert layout.text(bracket) == "(1+2)^2"
    two_digits = [digit(0.0, "2"), digit(0.65, "1", top=-0.3, height=0.5, width=0.25),
                  digit(0.95, "0", top=-0.28, height=0.5, width=0.3)]
    assert layout.text(two_digits) == "2^10"


def test_digits_on_the_line_are_no_exponent():
    line = [digit(0.0, "4"), digit(0.7, "5", top=0.1), digit(1.4, "6", top=0.0, height=0.95)]  # a drifting line
    assert layout.text(line) == "456"
    after_operator = [Item((0, 0.2, 0.5, 0.8), "+"), digit(0.6, "2", top=-0.2, height=0.5)]
    assert layout.text(after_operator) == "+2"


def test_rows_put_in_points_and_carets_for_the_grammar():
    symbols = list("0123456789+-×÷=()")
    reading = "3" + "2"
    p = np.full((2, len(symbols)), 0.01)
    for i, c in enumerate(reading):
        p[i, symbols.index(c)] = 0.9
    boxes = [(0.0, 0.0, 0.6, 1.0), (0.65, -0.25, 0.95, 0.25)]
    rows, labels, pieces = layout.rows(p, symbols, boxes, [])
    assert labels[-2:] == [".", "^"] and pieces == [0, None, 1]
    assert "".join(labels[k] for k in rows.argmax(axis=1)) == "3^2"
    rows, labels, pieces = layout.rows(p[:, :] * 1, symbols, [(0, 0, 0.6, 1), (0.9, 0, 1.5, 1)], [(0.7, 0.9, 0.74, 0.94)])
    assert "".join(labels[k] for k in rows.argmax(axis=1)) == "3.2" and pieces == [0, None, 1]


def test_a_point_written_in_two_strokes_is_one_point():
    items = [digit(0.0, "2"), dot(0.7), dot(0.72, y=0.93), digit(0.9, "5")]
    assert layout.text(items) == "2.5"
    assert layout.roles(items).count(".") == 1


def test_a_point_close_after_a_tall_digit_is_beside_it_not_under_it():
    tall_nine = digit(0.0, "9", top=-0.9, height=1.9, width=0.5)
    assert layout.text([tall_nine, dot(0.52, y=0.92, size=0.05), digit(0.8, "4")]) == "9.4"


def test_a_short_bar_or_a_mark_below_an_exponent_is_no_point():
    tall_two = digit(0.0, "2", top=-0.3, height=1.3)
    minus = Item((0.75, 0.5, 0.95, 0.52), "")  # a short minus at mid-line: low for the tall 2, but a bar
    assert layout.roles([tall_two, minus, digit(1.0, "1")])[1] == "drop"
    three_squared = [digit(0.0, "3"), digit(0.65, "2", top=-0.25, height=0.5, width=0.3)]
    stroke_of_times = Item((1.05, 0.4, 1.13, 0.48), "")  # mid-line, far below the raised 2
    assert layout.roles(three_squared + [stroke_of_times, digit(1.3, "4")])[2] == "drop"


def test_a_five_whose_long_flag_starts_at_its_middle_keeps_it():
    body = (0.0, 0.3, 0.8, 1.1)   # the 5's body, under its flag
    flag = (0.45, -0.1, 1.35, 0.25)  # drawn apart, from its middle far to the right, raised: wide, no exponent
    assert layout.raised_strokes([body, flag]) == []
    assert layout.raised_strokes([body, (0.85, -0.25, 1.2, 0.3)]) == [1]  # a small raised digit is cut


def test_split_dots_measures_a_point_by_the_whole_digit_drawn_in_two_strokes():
    four = [[(0.3, 0.0), (0.0, 0.55), (0.75, 0.55)], [(0.3, 0.1), (0.3, 1.0)]]  # its top part, then its stem
    kept, dots = layout.split_dots(four + [[(0.85, 0.97)], [(1.0, 0.0), (1.5, 1.0)]])
    assert len(kept) == 3 and dots == [(0.85, 0.97, 0.85, 0.97)]


def test_split_dots_measures_a_point_after_a_five_by_its_flag_too():
    """A 5's flag drawn apart reaches far right of its body: the point after it is close to the 5, not far."""
    body = [(0.05, 0.0), (0.0, 0.5), (0.3, 0.45), (0.4, 0.8), (0.2, 1.0), (0.0, 0.9)]
    flag = [(0.05, 0.02), (1.15, 0.0)]
    kept, dots = layout.split_dots([body, flag, [(1.25, 0.97)], [(1.45, 0.0), (1.95, 1.0)]])
    assert len(kept) == 3 and dots == [(1.25, 0.97, 1.25, 0.97)]


def test_a_point_written_as_a_dash_after_a_short_digit_is_a_point():
    """A bar is long for the line's digits, not for the digit before it: a short 0 makes no dash a minus."""
    items = [digit(0.0, "7"), digit(0.7, "0", top=0.4, height=0.6, width=0.4), Item((1.15, 0.95, 1.23, 0.96), ""),
             digit(1.35, "5")]
    assert layout.text(items) == "70.5"


def test_a_small_times_sign_after_a_tall_digit_is_no_point():
    """Its two strokes are small and low for a tall 5, but they cross each other: a x (or a +), no point."""
    tall_five = digit(0.0, "5", top=-0.4, height=1.4)
    strokes_of_times = [Item((0.75, 0.42, 0.98, 0.64), ""), Item((0.76, 0.41, 0.97, 0.66), "")]
    assert "." not in layout.roles([tall_five] + strokes_of_times + [digit(1.1, "5")])
