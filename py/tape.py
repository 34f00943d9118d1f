"""The running tape: the sums a person kept, each with its exact result, as on a paper calculator's roll.

Pure Python (no numpy, no DOM): it runs on CPython 3.11 in the tests and under Pyodide in the page;
py/tape_panel.py shows it and keeps it in localStorage.

    tape = Tape()
    line = tape.keep(shown)          # an answer.Shown with a value (a solved sum or a plain number), else None
    line.value, line.answer, line.text   # "12+7×3=", "33", "12 + 7 × 3 = 33"   (#tape > * data-value, data-answer)
    tape.previous()                  # Fraction(33): what a drawing starting with an operator continues from
    text = tape.dumps()              # JSON for storage
    tape, note = Tape.loads(text)    # a corrupt or foreign text gives an empty tape and a note, never raises

A line's `value` is the expression read (with "^" and "." as the page's contract writes them; a continuation
such as "×2" as written), `answer` the exact result ("18/5", "66"), `text` the line people read and copy.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

MAX_LINES = 200  # the oldest lines go first: storage stays small
MAX_FIELD = 200  # characters in one stored field; longer ones are not the page's own
VERSION = 1


@dataclass(frozen=True)
class Line:
    """One kept sum: value (the expression read), answer (the exact result, "3/4"), text (the whole line)."""
    value: str
    answer: str
    text: str

    @property
    def exact(self):
        return Fraction(self.answer)


class Tape:
    """The kept lines, oldest first."""

    def __init__(self, lines=()):
        self.lines = list(lines)[-MAX_LINES:]

    def keep(self, shown, display=None):
        """Add the reading `shown` (an answer.Shown) when it has a result; returns the Line, or None when there is
        nothing to keep (nothing drawn, an error, or an unfinished sum). display: its line for people (default:
        answer.display(shown))."""
        if shown is None or shown.error or not shown.reading:
            return None
        if shown.plain:
            answer = shown.expression.lstrip("0") or "0"
        elif shown.value:
            answer = shown.value
        else:
            return None
        if display is None:
            import answer as answer_module

            display = answer_module.display(shown)
        line = Line(shown.reading, answer, display)
        self.lines.append(line)
        del self.lines[:-MAX_LINES]
        return line

    def previous(self):
        """The last kept result (a Fraction), or None when the tape is empty."""
        return self.lines[-1].exact if self.lines else None

    def clear(self):
        self.lines.clear()

    def dumps(self):
        return json.dumps({"version": VERSION, "lines": [[ln.value, ln.answer, ln.text] for ln in self.lines]},
                          ensure_ascii=False)

    @classmethod
    def loads(cls, text):
        """(Tape, note): the tape stored as `text` (None: nothing stored). note is "" when all is well, else
        says what was dropped; a corrupt store gives an empty tape."""
        if text is None or text == "":
            return cls(), ""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("lines"), list):
                raise ValueError("not a tape of this page")
            lines = [_line(item) for item in data["lines"]]
        except (ValueError, TypeError, ZeroDivisionError) as error:
            return cls(), "The saved tape could not be read (%s), so it starts empty." % _short(error)
        return cls(lines), ""


def _line(item):
    """A Line from its stored [value, answer, text]; raises ValueError when it is not one."""
    if not (isinstance(item, list) and len(item) == 3 and all(isinstance(f, str) for f in item)):
        raise ValueError("a line is not three texts")
    if any(len(field) > MAX_FIELD for field in item) or not item[0] or not item[1]:
        raise ValueError("a line is empty or too long")
    Fraction(item[1])  # the exact answer must be a number ("3/4", "-6")
    if "." in item[1] or "e" in item[1].lower():
        raise ValueError("an answer is not an exact fraction")
    return Line(*item)


def _short(error):
    text = str(error) or type(error).__name__
    return text if len(text) < 80 else text[:77] + "…"
