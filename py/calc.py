"""The handwritten calculator's solver: reads a string of symbols and computes it exactly, without eval.

Pure Python (no numpy, no DOM): it runs on CPython 3.11 in the tests and under Pyodide in the page.

    s = solve("12+7×3")        # a str, or a sequence of labels such as ["1", "2", "+", ...]
    s.error                    # "" when solved, else one of ERRORS; s.message says what to fix
    s.plain                    # True: just a number ("123", "123="), not a sum: the page shows it as before
    s.display()                # "12 + 7 × 3 = 33"
    s.value, s.value_text, s.decimal_text     # Fraction(33), "33", ""   (7÷3: Fraction(7, 3), "7/3", "≈ 2.3333")
    solve("×2", previous=Fraction(33))        # a text starting with an operator continues from a kept result: 66

Symbols (TEXT_SYMBOLS): SYMBOLS, the nets' labels, digits, + - × ÷ = ( ), and two that layout finds (py/layout.py): "." a
decimal point and "^" before a raised exponent. ASCII '*' and '/' are read as × and ÷, spaces are ignored;
anything else is refused (error "symbols").

Grammar (one source of truth: the state machine `step`, which py/grammar.py also uses to decode readings):

    sum    := ["-"] term (("+" | "-") term)*      unary minus only at the start or right after "("
    term   := factor (("×" | "÷") factor)*
    factor := primary ["^" digits]                a whole exponent >= 0, binding tighter than unary minus
    primary:= number | "(" sum ")"               number: digits ["." digits] (leading zeros allowed)
    text   := sum ["="]

Decimals are exact fractions (0.1 + 0.2 = 3/10). -3^2 = -9, (-3)^2 = 9; no exponent of an exponent.
Continuing (solve(text, previous=value), grammar state RESULT): the kept result stands before the text, so a
text may start with + - × ÷ or ^ ("×2" is previous × 2); "-3" is then previous - 3. A text starting with a
number or "(" is a new sum, as without a previous value.

Usual precedence, left associativity (8-3-2 = 3, 16÷4÷2 = 2). Deliberate refusals, all error "operators":
"--3" and "3×-2" (two operators in a row: write 3×(-2)), "2(3)", "(2)3", "(2)(3)" (no implicit
multiplication: the person has to write ×), "3=4" (= only at the very end), "+3" / "×3" (an operator first).

Errors are states, never exceptions (ERRORS maps each code to its meaning). The first problem from the left is
reported:
- empty: nothing (None, "", spaces only);
- symbols: a character or label that is not one of SYMBOLS (letters, "__import__", the "not one symbol" label);
- too-long: more than MAX_SYMBOLS symbols, a number of more than MAX_DIGITS digits, or a result, any
  intermediate value (a power included, checked before it is computed), or a fraction's denominator above
  LIMIT in absolute value (this bounds the work);
- incomplete: the text stops where a number is expected ("3+", "(", "-", "=", "3+=");
- operators: an operator where a number is expected, or a missing operator (see above);
- parentheses: ")" without "(", empty "()", "(" never closed ("(3+4", "(3+4=");
- division-by-zero: a division by a value that is zero ("3÷0", "3÷(2-2)").
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

SYMBOLS = "0123456789+-×÷=()"  # the nets' symbols
LAYOUT_SYMBOLS = ".^"  # found by layout, not by the nets
TEXT_SYMBOLS = SYMBOLS + LAYOUT_SYMBOLS  # what a text may hold
DIGITS = "0123456789"
ALIASES = {"*": "×", "/": "÷", "−": "-"}  # ASCII (and the typographic minus) for convenience; "x" is a letter
MAX_SYMBOLS = 40
MAX_DIGITS = 15
LIMIT = 10 ** 15
DECIMALS = 4  # decimals shown beside a fraction; more for small values, to keep 4 significant digits
ERRORS = {
    "empty": "nothing to read",
    "symbols": "a character that is not a digit or + - × ÷ = ( ) . ^",
    "too-long": "too many symbols, or a number too big",
    "incomplete": "the sum stops where a number is expected",
    "operators": "an operator in the wrong place or a missing operator",
    "parentheses": "brackets that do not match",
    "division-by-zero": "a division by zero",
}

# --- The grammar as a state machine ---------------------------------------------------------------------------
# A state is (kind, depth): kind is what was read last, depth the number of "(" still open.
START, OPEN, UNARY, BINARY, NUMBER, CLOSE, EQUALS = "start", "open", "unary", "binary", "number", "close", "equals"
POINT, DECIMAL, CARET, EXPONENT = "point", "decimal", "caret", "exponent"  # "2." "2.5" "2^" "2^3"
RESULT = "result"  # the start of a text that continues from a kept result (the previous value stands before it)
EXPECTS_OPERAND = (START, OPEN, UNARY, BINARY)  # a number or "(" must come next
AFTER_OPERAND = (NUMBER, CLOSE, DECIMAL, EXPONENT)  # an operator, ")" or "=" may come next
INITIAL = (START, 0)
CONTINUING = (RESULT, 0)


def step(state, symbol):
    """The state after reading `symbol` (one of SYMBOLS) in `state`, or None when the symbol cannot come there."""
    kind, depth = state
    if symbol in DIGITS:
        if kind in (POINT, DECIMAL):
            return (DECIMAL, depth)
        if kind in (CARET, EXPONENT):
            return (EXPONENT, depth)
        return (NUMBER, depth) if kind in EXPECTS_OPERAND or kind in (NUMBER, RESULT) else None
    if symbol == ".":
        return (POINT, depth) if kind == NUMBER else None
    if symbol == "^":
        return (CARET, depth) if kind in (NUMBER, DECIMAL, CLOSE, RESULT) else None
    if symbol == "(":
        return (OPEN, depth + 1) if kind in EXPECTS_OPERAND or kind == RESULT else None
    if symbol == ")":
        return (CLOSE, depth - 1) if kind in AFTER_OPERAND and depth > 0 else None
    if symbol == "-" and kind in (START, OPEN):
        return (UNARY, depth)
    if symbol in "+-×÷":
        return (BINARY, depth) if kind in AFTER_OPERAND or kind == RESULT else None
    if symbol == "=":
        return (EQUALS, depth) if kind in AFTER_OPERAND and depth == 0 else None
    return None


def is_complete(state):
    """True when the text read so far is a whole valid text (a sum, or a plain number), nothing left open."""
    kind, depth = state
    return kind in AFTER_OPERAND + (EQUALS,) and depth == 0


def classify(symbols, start=INITIAL):
    """"complete", "incomplete" (a valid beginning: "3+", "(3+4") or "invalid", for a string of SYMBOLS.
    start: INITIAL, or CONTINUING when a kept result stands before the text."""
    state = start
    for symbol in symbols:
        state = step(state, symbol)
        if state is None:
            return "invalid"
    return "complete" if is_complete(state) else "incomplete"


# --- Result ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Solution:
    """What the calculator makes of one text.

    expression: the symbols read, normalized (aliases replaced, spaces removed); for "symbols" errors, the text.
    value: the exact result (Fraction), or None on error. For a plain number, its value.
    error: "" or a key of ERRORS; message: for people, says what to fix ("" when solved).
    plain: True for a plain number (digits, maybe a final "="): not a sum, nothing to compute.
    """
    expression: str
    value: Fraction | None = None
    error: str = ""
    message: str = ""
    plain: bool = False

    @property
    def ok(self):
        return not self.error

    @property
    def pretty(self):
        """The expression with spaces around binary operators: "12 + 7 × 3 =", "(-2) × 3"."""
        return pretty(self.expression) if self.error != "symbols" else self.expression

    @property
    def value_text(self):
        """ "33", "-6", "7/3" ; a plain number as it was written ("007"); "" on error."""
        if self.value is None:
            return ""
        if self.plain:
            return self.expression.rstrip("=")
        return format_value(self.value)

    @property
    def decimal_text(self):
        """ "≈ 2.3333" or "= 1.5" beside a fraction; "" for a whole number or on error."""
        if self.value is None or self.value.denominator == 1:
            return ""
        return format_decimal(self.value)

    def display(self):
        """One line for the page: "12 + 7 × 3 = 33", "7 ÷ 3 = 7/3 ≈ 2.3333", "123"; on error, the pretty text."""
        if self.error:
            return self.pretty
        if self.plain:
            return self.value_text
        line = "%s = %s" % (pretty(self.expression.rstrip("=")), self.value_text)
        return line + (" " + self.decimal_text if self.decimal_text else "")


def format_value(value):
    """ "33", "-6", "7/3", "-7/3" for a Fraction."""
    if value.denominator == 1:
        return str(value.numerator)
    return "%d/%d" % (value.numerator, value.denominator)


def format_decimal(value):
    """ "≈ 2.3333" (rounded, half to even, exactly: no float), "= 1.5" when the decimal is exact.

    At least DECIMALS decimals, more for values below 1 so that 4 significant digits show (1/30: "≈ 0.03333").
    """
    decimals = DECIMALS
    while abs(value) * 10 ** decimals < 1000 and decimals < 20:
        decimals += 1
    scaled = value * 10 ** decimals
    rounded = round(scaled)
    sign = "-" if rounded < 0 else ""
    whole, part = divmod(abs(rounded), 10 ** decimals)
    digits = ("%0*d" % (decimals, part)).rstrip("0")
    text = sign + str(whole) + ("." + digits if digits else "")
    return ("= " if rounded == scaled else "≈ ") + text


def exact_decimal(value, places=10):
    """ "2.5", "-0.3", "10" for a Fraction whose decimal ends within `places` decimals, else None (7/3)."""
    scaled = value * 10 ** places
    if scaled.denominator != 1:
        return None
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled.numerator), 10 ** places)
    digits = ("%0*d" % (places, part)).rstrip("0")
    return sign + str(whole) + ("." + digits if digits else "")


def pretty(symbols, continuing=False):
    """Spaces around binary operators and "=", none after a unary minus or inside brackets: "(-2) × 3 =".

    Works on any string of SYMBOLS, valid or not, for showing what was read ("3 + × 4", "--3"). continuing:
    the text continues from a kept result, so a first "-" is binary ("- 3")."""
    out = []
    previous = "r" if continuing else ""
    for symbol in symbols:
        # a minus is a sign (kept against its number) first, after "(" or after another operator
        sign = symbol == "-" and (not previous or previous in "(+-×÷=")
        out.append(" %s " % symbol if symbol in "+-×÷=" and not sign else symbol)
        previous = symbol
    return " ".join("".join(out).split()).replace("( ", "(").replace(" )", ")")


# --- Reading the input ----------------------------------------------------------------------------------------

def normalize(text):
    """(symbols, problem): the text as a string of SYMBOLS, or (text, Solution) when it cannot be one.

    text: a str, or a sequence of labels (one symbol each; the nets' "not one symbol" label is refused)."""
    if text is None:
        return "", _error("", "empty", "Nothing to read yet: draw a number or a sum.")
    if isinstance(text, (list, tuple)):
        labels = [label.strip() if isinstance(label, str) else "" for label in text]
        bad = [i for i, label in enumerate(labels) if len(label) != 1]
        if bad:  # e.g. the nets' "not one symbol": shown as "?"
            shown = "".join("?" if i in bad else label for i, label in enumerate(labels))
            return shown, _error(shown, "symbols", "Symbol %d is not one symbol: write it again, more "
                                 "clearly." % (bad[0] + 1))
        text = "".join(labels)
    if not isinstance(text, str):
        return "", _error(repr(text), "symbols", "Only text can be read, not %s." % type(text).__name__)
    out = []
    for char in text:
        if char.isspace():
            continue
        symbol = ALIASES.get(char, char)
        if symbol is None or symbol not in TEXT_SYMBOLS:
            shown = text.strip()
            return shown, _error(shown, "symbols", "%r is not a digit or + - × ÷ = ( ) . ^: only those can be "
                                 "used." % char)
        out.append(symbol)
    symbols = "".join(out)
    if not symbols:
        return "", _error("", "empty", "Nothing to read yet: draw a number or a sum.")
    return symbols, None


def _error(expression, code, message):
    return Solution(expression=expression, error=code, message=message)


# --- Checking the syntax --------------------------------------------------------------------------------------

def syntax_error(symbols, start=INITIAL):
    """(code, message) for the first syntax problem from the left, or None. symbols: a non-empty string of SYMBOLS;
    start: INITIAL, or CONTINUING after a kept result."""
    state = start
    run = 0  # digits in the current number (its decimals and its exponent counted with it)
    for i, symbol in enumerate(symbols):
        run = run + 1 if symbol in DIGITS else run if symbol in ".^" else 0
        if run > MAX_DIGITS:
            return "too-long", "A number has more than %d digits: use shorter numbers." % MAX_DIGITS
        new = step(state, symbol)
        if new is None:
            return _misplaced(state, symbol, symbols[i - 1] if i else "", last=i == len(symbols) - 1)
        state = new
    kind, depth = state
    if kind in EXPECTS_OPERAND + (POINT, CARET):
        return "incomplete", _unfinished(kind, symbols[-1])
    if depth > 0:
        return "parentheses", "A bracket is still open: close it with )." if depth == 1 else \
            "%d brackets are still open: close them with )." % depth
    return None


def _unfinished(kind, previous):
    if kind == POINT:
        return "Write the digits after the decimal point."
    if kind == CARET:
        return "Write the exponent: small digits raised at the top right."
    if kind == OPEN:
        return "The bracket is empty so far: write what goes inside it, then )."
    if kind == UNARY:
        return "Write a number after the minus sign."
    return "The sum is not finished: write a number after %s." % previous


def _misplaced(state, symbol, previous, last):
    """(code, message) for `symbol` that cannot follow `previous` (read in `state`)."""
    kind, depth = state
    if kind == EQUALS:
        return "operators", "= goes only at the very end: remove it or what follows it."
    if symbol == ".":
        return "operators", ("A number has one decimal point only." if kind in (POINT, DECIMAL) else
                             "A decimal point goes right after a digit, between the digits of a number.")
    if symbol == "^" or kind in (POINT, CARET):
        if kind in (CARET, EXPONENT):
            return "operators", "An exponent is a whole number: no power of a power, no point in it."
        if kind in (POINT, CARET):
            return "operators", "Write digits after %s." % ("the decimal point" if kind == POINT else "^")
        return "operators", "An exponent goes after a number or a ), raised at its top right."
    if kind == EXPONENT and symbol == "(":
        return "operators", "Put an operator between the power and the ( (for times, write ×)."
    if symbol == "=":
        if kind in EXPECTS_OPERAND and last:
            return "incomplete", ("Write a sum before =." if kind == START else
                                  "The sum is not finished: write a number before =.")
        if kind in EXPECTS_OPERAND:
            return "operators", "= goes only at the very end: remove it or what follows it."
        return "parentheses", "Close the bracket with ) before =."
    if symbol == ")":
        if kind == OPEN:
            return "parentheses", "The brackets () are empty: write a number between them or remove them."
        if kind in (START, RESULT) or (kind in AFTER_OPERAND and depth == 0):
            return "parentheses", "There is a ) without a ( before it: remove it or add the (."
        return "operators", "Write a number after %s, before the )." % previous
    if symbol in DIGITS or symbol == "(":
        # only after a number or ")" (implicit multiplication)
        return "operators", "Put an operator between %s and %s (for times, write ×)." % (previous, symbol)
    # an operator where a number is expected
    if kind == START:
        return "operators", "A sum cannot start with %s: start with a number (or a minus sign)." % symbol
    if kind == OPEN:
        return "operators", "%s cannot come right after (: write a number first." % symbol
    if symbol == "-":
        return "operators", "Two operators in a row (%s-): put a negative number in brackets, like (-3)." % previous
    return "operators", "Two operators in a row (%s%s): remove one of them." % (previous, symbol)


# --- Computing ------------------------------------------------------------------------------------------------

class _Stop(Exception):
    """Internal: stops the evaluation with (code, message); solve() turns it into a Solution."""


def _checked(value):
    if abs(value) > LIMIT:
        raise _Stop("too-long", "The numbers get too big (over 10^15): use smaller numbers.")
    if value.denominator > LIMIT:
        raise _Stop("too-long", "The fraction gets too long to show (denominator over 10^15).")
    return value


def _power(base, exponent):
    """base ** exponent (a Fraction and a whole exponent >= 0), refused before it is computed when it would
    pass LIMIT (log10 of numerator and denominator times the exponent: the work stays bounded)."""
    if exponent > 1 and abs(base.numerator) > 1 and exponent * math.log10(abs(base.numerator)) > 15.01:
        raise _Stop("too-long", "The power gets too big (over 10^15): use a smaller exponent.")
    if exponent > 1 and base.denominator > 1 and exponent * math.log10(base.denominator) > 15.01:
        raise _Stop("too-long", "The fraction gets too long to show (denominator over 10^15).")
    return _checked(base ** exponent)


class _Evaluator:
    """Recursive descent over symbols the state machine accepted (so the syntax is known to be right).
    previous: the kept result a continuing text starts from (its place is the marker KEPT), or None."""

    KEPT = "r"

    def __init__(self, symbols, previous=None):
        self.symbols = symbols.rstrip("=")
        if previous is not None:
            self.symbols = self.KEPT + self.symbols
        self.previous = previous
        self.i = 0

    def peek(self):
        return self.symbols[self.i] if self.i < len(self.symbols) else ""

    def sum(self):
        negative = self.peek() == "-"
        self.i += negative
        value = self.term()
        if negative:
            value = -value
        while self.peek() in ("+", "-"):
            operator = self.symbols[self.i]
            self.i += 1
            right = self.term()
            value = _checked(value + right if operator == "+" else value - right)
        return value

    def term(self):
        value = self.factor()
        while self.peek() in ("×", "÷"):
            operator = self.symbols[self.i]
            self.i += 1
            right = self.factor()
            if operator == "÷" and right == 0:
                raise _Stop("division-by-zero", "Division by zero: the number after ÷ must not be 0.")
            value = _checked(value * right if operator == "×" else value / right)
        return value

    def factor(self):
        value = self.primary()
        if self.peek() == "^":
            self.i += 1
            start = self.i
            while self.peek() and self.peek() in DIGITS:
                self.i += 1
            value = _power(value, int(self.symbols[start:self.i]))
        return value

    def primary(self):
        if self.peek() == self.KEPT:
            self.i += 1
            return self.previous
        if self.peek() == "(":
            self.i += 1
            value = self.sum()
            self.i += 1  # the ")"
            return value
        start = self.i
        while self.peek() and self.peek() in DIGITS + ".":
            self.i += 1
        return Fraction(self.symbols[start:self.i])  # "2.5" -> 5/2 exactly


def continues(symbols):
    """True when a text (normalized symbols) starts with an operator, so it continues from a kept result."""
    return bool(symbols) and symbols[0] in "+-×÷^"


def solve(text, previous=None):
    """The Solution for `text`: a str (ASCII * and / allowed, spaces ignored), a sequence of one-symbol labels,
    or None. previous: the last kept result (a Fraction) or None; a text starting with an operator then
    continues from it (Solution.expression is still the text itself). Never raises for any input."""
    symbols, problem = normalize(text)
    if problem is not None:
        return problem
    if len(symbols) > MAX_SYMBOLS:
        return _error(symbols, "too-long", "More than %d symbols: write a shorter sum." % MAX_SYMBOLS)
    if previous is not None and not continues(symbols):
        previous = None  # a new sum
    found = syntax_error(symbols, CONTINUING if previous is not None else INITIAL)
    if found is not None:
        return _error(symbols, *found)
    if previous is None and symbols.rstrip("=").isdigit():
        return Solution(expression=symbols, value=Fraction(int(symbols.rstrip("="))), plain=True)
    try:
        value = _Evaluator(symbols, previous).sum()
    except _Stop as stop:
        return _error(symbols, *stop.args)
    return Solution(expression=symbols, value=value)
