"""tape.py: kept lines, the result a continuation starts from, storage that survives bad data."""
from fractions import Fraction

import calc
import answer
import tape
from tape import Tape


def shown(text, previous=None):
    return answer.shown(calc.solve(text, previous), previous=previous)


def test_a_solved_sum_is_kept_with_its_exact_answer_and_line():
    t = Tape()
    line = t.keep(shown("12+7×3="))
    assert (line.value, line.answer, line.text) == ("12+7×3=", "33", "12 + 7 × 3 = 33")
    assert t.previous() == 33
    line = t.keep(shown("×2", previous=t.previous()))
    assert (line.value, line.answer, line.text) == ("×2", "66", "33 × 2 = 66")
    line = t.keep(shown("1.2×3"))
    assert (line.answer, line.text, t.previous()) == ("18/5", "1.2 × 3 = 3.6", Fraction(18, 5))


def test_a_plain_number_is_kept_and_errors_or_nothing_are_not():
    t = Tape()
    assert t.keep(shown("007")).answer == "7"
    assert t.keep(shown("0")).answer == "0"
    for text in ("", "3+", "8÷0", "((3", "×2"):
        assert t.keep(shown(text)) is None, text
    assert t.keep(None) is None
    assert len(t.lines) == 2


def test_storage_round_trip():
    t = Tape()
    t.keep(shown("2.5×4="))
    t.keep(shown("7÷3"))
    again, note = Tape.loads(t.dumps())
    assert note == "" and again.lines == t.lines and again.previous() == Fraction(7, 3)


def test_bad_storage_gives_an_empty_tape_and_a_note():
    for text in ("{", "[]", "null", '{"version": 1, "lines": [["1+1", "two", "1 + 1 = 2"]]}',
                 '{"version": 1, "lines": [["1+1", "2"]]}', '{"version": 2, "lines": []}',
                 '{"version": 1, "lines": [["1+1", "1/0", "x"]]}', '{"version": 1, "lines": [["1", "0.5", "x"]]}',
                 '{"version": 1, "lines": [["<b>", "2", "' + "x" * 300 + '"]]}'):
        t, note = Tape.loads(text)
        assert t.lines == [] and t.previous() is None and note, text
    t, note = Tape.loads(None)  # nothing stored: no note
    assert t.lines == [] and note == ""


def test_the_tape_is_bounded_and_clears():
    t = Tape()
    for i in range(tape.MAX_LINES + 5):
        t.keep(shown(str(i)))
    assert len(t.lines) == tape.MAX_LINES and t.lines[0].value == "5"
    t.clear()
    assert t.previous() is None and Tape.loads(t.dumps())[0].lines == []
