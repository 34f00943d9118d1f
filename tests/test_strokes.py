"""tests/strokes.py itself: the drawings browser tests make of sums are laid out as a person would write them."""
import pytest

from tests import strokes


def boxes(text, **options):
    """(x0, y0, x1, y1) of each symbol of `text`, from expression()'s strokes (in the pad's [0, 1] box)."""
    drawn = iter(strokes.expression(text, **options))
    out = []
    for char in text:
        shapes = strokes.DIGITS.get(char) or strokes.OPERATORS[strokes.ALIASES.get(char, char)]
        points = [p for _ in shapes for p in next(drawn)]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    assert next(drawn, None) is None
    return out


@pytest.mark.parametrize("text", ["12+7×3=", "(2+3)×4", "8÷0", "3+", "1234567890+-×÷=()1234567890"])
def test_symbols_are_left_to_right_inside_the_pad_and_apart(text):
    found = boxes(text, jitter=0.02, seed=1)
    for (x0, y0, x1, y1) in found:
        assert 0 <= x0 <= x1 <= 1 and 0 <= y0 <= y1 <= 1
    for a, b in zip(found, found[1:]):
        assert a[2] < b[0], "symbols overlap or are out of order"


def test_operators_are_smaller_and_centred_brackets_taller():
    found = dict(zip("(2+3)", boxes("(2+3)")))
    digit_h = found["2"][3] - found["2"][1]
    middle = (found["2"][1] + found["2"][3]) / 2
    plus = found["+"]
    assert plus[3] - plus[1] < 0.8 * digit_h
    assert abs((plus[1] + plus[3]) / 2 - middle) < 1e-9
    assert found["("][3] - found["("][1] > 1.1 * digit_h


def test_division_has_two_dots_and_ascii_aliases_draw_the_same():
    assert [len(s) for s in strokes.OPERATORS["÷"]] == [2, 1, 1]
    assert strokes.expression("8/2*3") == strokes.expression("8÷2×3")


def test_number_of_digits_is_unchanged_and_delegates_other_text():
    assert strokes.number("12+3") == strokes.expression("12+3", height=0.6)
    assert len(strokes.number("12")) == 2 and strokes.number("12")[0][0][1] == pytest.approx(0.2 + 0.15 * 0.6)
