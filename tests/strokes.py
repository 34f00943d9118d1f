"""Pen strokes for drawing digits and sums on the page in browser tests (and screenshots).

Each symbol is one or more strokes of points in its own unit box (x right, y down, both in [0, 1]), written the
way people usually write them; a stroke of one point is a tap (the dots of ÷). `number("123")` lays digits out
side by side and `expression("12+7×3=")` lays out any text of digits and + - × ÷ = ( ) (ASCII * and / too);
both return strokes in the pad's box coordinates ([0, 1] of its width and height), ready for
tests.browser.draw; `jitter` moves every point a little so no two drawings are the same.
"""
from __future__ import annotations

import random

DIGITS = {
    "0": [[(0.5, 0.0), (0.15, 0.15), (0.0, 0.5), (0.15, 0.88), (0.5, 1.0), (0.85, 0.88), (1.0, 0.5),
           (0.85, 0.12), (0.5, 0.0)]],
    "1": [[(0.3, 0.15), (0.55, 0.0), (0.55, 1.0)]],
    "2": [[(0.05, 0.22), (0.3, 0.02), (0.65, 0.0), (0.92, 0.2), (0.9, 0.42), (0.05, 1.0), (1.0, 1.0)]],
    "3": [[(0.05, 0.1), (0.45, 0.0), (0.85, 0.12), (0.88, 0.32), (0.4, 0.48), (0.9, 0.62), (0.92, 0.86),
           (0.5, 1.0), (0.05, 0.9)]],
    "4": [[(0.7, 0.0), (0.0, 0.68), (1.0, 0.68)], [(0.72, 0.3), (0.72, 1.0)]],
    "5": [[(0.9, 0.0), (0.15, 0.0), (0.08, 0.45), (0.5, 0.38), (0.9, 0.55), (0.92, 0.82), (0.55, 1.0),
           (0.05, 0.9)]],
    "6": [[(0.8, 0.0), (0.35, 0.22), (0.05, 0.6), (0.12, 0.92), (0.5, 1.0), (0.88, 0.82), (0.85, 0.55),
           (0.5, 0.45), (0.1, 0.62)]],
    "7": [[(0.0, 0.02), (1.0, 0.02), (0.35, 1.0)]],
    "8": [[(0.85, 0.15), (0.5, 0.0), (0.15, 0.15), (0.2, 0.38), (0.8, 0.62), (0.85, 0.88), (0.5, 1.0),
           (0.15, 0.88), (0.2, 0.62), (0.8, 0.38), (0.85, 0.15)]],
    "9": [[(0.9, 0.3), (0.6, 0.02), (0.2, 0.05), (0.05, 0.3), (0.3, 0.5), (0.75, 0.45), (0.9, 0.3),
           (0.85, 1.0)]],
}
OPERATORS = {
    "+": [[(0.0, 0.5), (1.0, 0.5)], [(0.5, 0.0), (0.5, 1.0)]],
    "-": [[(0.0, 0.5), (1.0, 0.5)]],
    "×": [[(0.0, 0.0), (1.0, 1.0)], [(1.0, 0.0), (0.0, 1.0)]],
    "÷": [[(0.0, 0.5), (1.0, 0.5)], [(0.5, 0.0)], [(0.5, 1.0)]],
    "=": [[(0.0, 0.15), (1.0, 0.15)], [(0.0, 0.85), (1.0, 0.85)]],
    "(": [[(0.9, 0.0), (0.4, 0.15), (0.1, 0.5), (0.4, 0.85), (0.9, 1.0)]],
    ")": [[(0.1, 0.0), (0.6, 0.15), (0.9, 0.5), (0.6, 0.85), (0.1, 1.0)]],
}
# (width, height) of each symbol's box in digit heights, all centred on the digits' middle line: operators
# smaller than digits, brackets taller, as people write them.
SIZES = {"+": (0.65, 0.65), "-": (0.65, 0.0), "×": (0.55, 0.55), "÷": (0.65, 0.7), "=": (0.65, 0.45),
         "(": (0.32, 1.25), ")": (0.32, 1.25)}
GAPS = {"digit": 0.25, "operator": 0.4, "bracket": 0.25}  # space before/after a symbol, in digit heights: the pen is thick
ALIASES = {"*": "×", "/": "÷"}
DIGIT_WIDTH = 0.6   # of the digit's height
PAD_ASPECT = 1.5    # the pad's width / height (static/app.css: aspect-ratio 3 / 2)


def number(text: str, height: float = 0.6, gap: float = 0.35, jitter: float = 0.0, seed: int = 0):
    """Strokes that write `text` (digits) centred on the pad; sizes are fractions of the pad's height,
    `gap` is the space between digits as a fraction of a digit's width. Text with other symbols ("12+7"):
    laid out by `expression` (same digit height)."""
    if not text.isdigit() and text.strip():
        return expression(text, height=height, jitter=jitter, seed=seed)
    rng = random.Random(seed)
    digit_w = height * DIGIT_WIDTH / PAD_ASPECT  # in fractions of the pad's width
    total = len(text) * digit_w + (len(text) - 1) * gap * digit_w
    if total > 0.9:  # a long number: shrink to fit
        height, digit_w, total = height * 0.9 / total, digit_w * 0.9 / total, 0.9
    left, top = (1 - total) / 2, (1 - height) / 2
    strokes = []
    for i, char in enumerate(text):
        x0 = left + i * digit_w * (1 + gap)
        for stroke in DIGITS[char]:
            strokes.append([(x0 + (x + rng.uniform(-jitter, jitter)) * digit_w,
                             top + (y + rng.uniform(-jitter, jitter)) * height) for x, y in stroke])
    return strokes


def _kind(char):
    return "digit" if char in DIGITS else "bracket" if char in "()" else "operator"


def expression(text: str, height: float = 0.5, jitter: float = 0.0, seed: int = 0):
    """Strokes that write `text` (digits and + - × ÷ = ( )) centred on the pad, left to right. `height` is a
    digit's height as a fraction of the pad's height; gaps between symbols are GAPS (the larger of the two
    neighbours' kinds, so digits of one number sit closer than the operators between numbers)."""
    rng = random.Random(seed)
    chars = [ALIASES.get(c, c) for c in text if not c.isspace()]
    sizes = [(DIGIT_WIDTH, 1.0) if c in DIGITS else SIZES[c] for c in chars]
    gaps = [max(GAPS[_kind(a)], GAPS[_kind(b)]) for a, b in zip(chars, chars[1:])]
    total = (sum(w for w, _ in sizes) + sum(gaps)) * height / PAD_ASPECT  # in fractions of the pad's width
    if total > 0.94:  # a long sum: shrink to fit
        height, total = height * 0.94 / total, 0.94
    unit_x = height / PAD_ASPECT  # one digit height, in fractions of the pad's width
    x = (1 - total) / 2
    strokes = []
    for i, (char, (w, h)) in enumerate(zip(chars, sizes)):
        top = 0.5 - h * height / 2
        shapes = DIGITS[char] if char in DIGITS else OPERATORS[char]
        for stroke in shapes:
            strokes.append([(x + (px + rng.uniform(-jitter, jitter)) * w * unit_x,
                             top + (py + rng.uniform(-jitter, jitter)) * h * height) for px, py in stroke])
        x += w * unit_x + (gaps[i] * unit_x if i < len(gaps) else 0)
    return strokes
