"""scratchout.py: a zigzag over ink names the strokes it covers (and itself); nothing else ever does."""
import math

import numpy as np

import scratchout
from tests import strokes as pen


def zigzag_over(box, legs=6, across=True, slant=0.0):
    """A scribble over box (x0, y0, x1, y1): `legs` strokes back and forth, across (left-right, moving down) or
    up and down (moving right), a little beyond the box."""
    x0, y0, x1, y1 = box
    least = 0.5 * max(x1 - x0, y1 - y0)  # one scribbles wider than a thin 1
    w, h = max(x1 - x0, least) * 1.1, max(y1 - y0, least) * 1.1
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    points = []
    for k in range(legs + 1):
        t = k / legs
        side = 1 if k % 2 else -1
        points.append((cx + side * w / 2, cy - h / 2 + t * h) if across else (cx - w / 2 + t * w, cy + side * h / 2))
    c, s = math.cos(slant), math.sin(slant)
    return [((x - cx) * c - (y - cy) * s + cx, (x - cx) * s + (y - cy) * c + cy) for x, y in points]


def box_of(strokes):
    return scratchout.box(np.concatenate([np.asarray(s) for s in strokes]))


def test_a_zigzag_over_one_digit_erases_it_and_itself():
    for digit in "0123456789":
        drawn = pen.number(digit)
        found = scratchout.find(drawn + [zigzag_over(box_of(drawn))])
        assert found == list(range(len(drawn) + 1)), digit


def test_a_zigzag_up_and_down_or_slanted_also_scratches_out():
    drawn = pen.number("7")
    for across, slant in ((False, 0.0), (True, 0.25), (False, -0.2)):
        assert scratchout.find(drawn + [zigzag_over(box_of(drawn), 7, across, slant)]) == [0, 1]


def test_the_4_of_45_plus_1_is_scratched_out_and_nothing_else():
    drawn = pen.expression("45+1")
    four = drawn[:2]  # the 4's two strokes
    found = scratchout.find(drawn + [zigzag_over(box_of(four))])
    assert found == [0, 1, len(drawn)]


def test_two_symbols_under_one_zigzag():
    drawn = pen.expression("45+1")
    found = scratchout.find(drawn + [zigzag_over(box_of(drawn[:3]), legs=8)])
    assert found == [0, 1, 2, len(drawn)]


def test_a_zigzag_over_an_empty_pad_is_just_ink():
    assert scratchout.find([zigzag_over((0.3, 0.3, 0.5, 0.5))]) == []
    assert scratchout.find([]) == []
    drawn = pen.expression("1+2")
    assert scratchout.find(drawn + [zigzag_over((0.0, 0.0, 0.05, 0.05))]) == []  # beside the ink, not on it


def test_a_small_zigzag_on_a_big_symbol_is_just_ink():
    drawn = pen.number("8", height=0.8)
    x0, y0, x1, y1 = box_of(drawn)
    small = (x0 + 0.4 * (x1 - x0), y0 + 0.45 * (y1 - y0), x0 + 0.6 * (x1 - x0), y0 + 0.55 * (y1 - y0))
    assert scratchout.find(drawn + [zigzag_over(small)]) == []


def test_symbols_written_are_never_scratch_outs():
    """Every symbol of the browser tests' pen, and sums of them, stroke by stroke: no stroke erases anything."""
    drawn = pen.expression("1234567890+-×÷=()")
    for k in range(1, len(drawn)):
        assert scratchout.find(drawn[:k + 1]) == [], k
    for digit, shape in pen.DIGITS.items():
        for stroke in shape:
            assert not scratchout.is_zigzag(stroke), digit


def test_an_8_a_w_like_3_and_a_loopy_2_are_no_zigzags():
    t = np.linspace(0, 2 * np.pi, 80)
    eight = np.stack([np.sin(2 * t) * 0.3, np.sin(t) * 0.5], axis=1)  # a figure eight, one stroke
    half = np.linspace(-np.pi / 2, np.pi / 2, 30)  # a 3 of two bumps meeting in a cusp at its middle
    w_three = np.concatenate([np.stack([0.4 * np.cos(half), 0.25 + 0.25 * np.sin(half)], axis=1),
                              np.stack([0.4 * np.cos(half), 0.75 + 0.25 * np.sin(half)], axis=1)])
    loop = np.stack([0.5 + 0.15 * np.cos(t), 0.85 + 0.1 * np.sin(t)], axis=1)
    loopy_two = np.concatenate([[(0.1, 0.2), (0.5, 0.0), (0.9, 0.2), (0.5, 0.75)], loop, [(1.0, 1.0)]])
    for shape in (eight, w_three, loopy_two):
        assert not scratchout.is_zigzag(shape)


def test_a_bar_written_over_again_through_an_upright_is_no_scratch_out():
    """Real writers go back and forth over a +'s bar: a stroke crossing the zigzag's box stays, so nothing goes."""
    upright = [(0.5, 0.0), (0.5, 1.0)]
    bar = [(0.1, 0.5), (0.9, 0.5)]
    scribble = zigzag_over((0.1, 0.45, 0.9, 0.55), legs=6)
    assert scratchout.find([upright, bar, scribble]) == []


def test_simplify_keeps_the_corners():
    line = [(x / 10, 0.0) for x in range(11)] + [(1.0, y / 10) for y in range(1, 11)]
    assert np.allclose(scratchout.simplify(line, 0.01), [(0, 0), (1, 0), (1, 1)])


def test_a_hook_at_a_reversal_does_not_flip_its_way():
    """A scribble's corner overshoots and hooks back (a short leg the other way): still one reversal, turning
    the way the long legs around it say, so the turns alternate and it is a zigzag."""
    hooked = [(0, 0), (1, 0.2), (0, 0.4), (1.0, 0.6), (0.88, 0.48), (0, 0.8), (1, 1.0)]
    assert [t > 0 for _, t in scratchout.turns(hooked)] == [True, False, True, False]
    assert scratchout.is_zigzag(hooked)


def test_a_slanted_zigzag_erases_only_what_lies_under_its_ink():
    """A slanted zigzag's box reaches into corners it has no ink in: a mark there (a neighbour's stroke) stays."""
    one = [(0.5, 0.0), (0.5, 1.0)]
    scribble = zigzag_over((0.5, 0.0, 0.5, 1.0), legs=8, slant=0.35)
    x0, y0, x1, y1 = box_of([scribble])
    mark = [(x1 - 0.12, y1 - 0.12), (x1 - 0.02, y1 - 0.08)]
    assert scratchout.find([one, mark, scribble]) == [0, 2]
