"""Written as on paper (issue 30), in a real browser: the running tape, continuing from a kept result,
decimals and powers, scratch-out and its Undo.

Contract: #tape holds one <li> per kept line with data-value (the expression read) and data-answer (exact);
#number[data-value] may hold "." and "^"; #answer[data-value] stays exact."""
from tests import browser, strokes
from tests.test_app import wait_for_reading_of_all_strokes
from tests.test_calc_page import STATE, draw_sum

TAPE = "[...document.querySelectorAll('#tape > li')].map(li => [li.dataset.value, li.dataset.answer, li.textContent])"


def keep(page):
    page.keyboard.press("Enter")
    page.wait_for_function("window.pad.isEmpty() && document.querySelector('#number').dataset.value === ''",
                           timeout=20_000)


def test_the_tape_keeps_a_line_across_a_reload_and_a_sum_continues_from_it(app, site_url, app_query):
    state = draw_sum(app, "12+7×3=")
    assert (state["read"], state["value"]) == ("12+7×3=", "33")
    keep(app)
    assert app.evaluate(TAPE) == [["12+7×3=", "33", "12 + 7 × 3 = 33Copy"]]
    browser.open_app(app, site_url, app_query)  # a reload: the tape is read back from localStorage
    assert [line[:2] for line in app.evaluate(TAPE)] == [["12+7×3=", "33"]]
    browser.draw(app, strokes.expression("×2"))
    wait_for_reading_of_all_strokes(app)
    state = app.evaluate(STATE)
    assert (state["read"], state["value"], state["error"]) == ("×2", "66", "")
    assert " ".join(state["line"].split()) == "33 × 2 = 66"
    app.locator("#keep").click()
    app.wait_for_function("document.querySelectorAll('#tape > li').length === 2", timeout=20_000)
    assert [line[:2] for line in app.evaluate(TAPE)] == [["12+7×3=", "33"], ["×2", "66"]]
    assert app.evaluate("window.pad.isEmpty()")
    app.locator("#clear-tape").click()
    assert app.evaluate(TAPE) == []
    browser.draw(app, strokes.expression("×2"))  # nothing kept: an operator first is an error again
    wait_for_reading_of_all_strokes(app)
    assert app.evaluate(STATE)["error"] == "operators"


def test_a_corrupt_tape_in_storage_gives_an_empty_tape_and_a_note(app, site_url, app_query):
    app.evaluate("localStorage.setItem('digit-factoid-tape', '{\"version\": 1, \"lines\": [[\"<img>\"')")
    browser.open_app(app, site_url, app_query)
    assert app.evaluate(TAPE) == []
    assert "could not be read" in app.locator("#tape-note").inner_text()
    assert app.evaluate("localStorage.getItem('digit-factoid-tape')") is None
    keep_nothing = app.locator("#keep")
    keep_nothing.click()  # nothing drawn: nothing kept, a note says why
    assert "Nothing to keep" in app.locator("#tape-note").inner_text()


def zigzag_over(strokes_of_symbol, legs=7):
    """A scribble back and forth across the box of some strokes (pad box coordinates), a little beyond it."""
    xs = [x for s in strokes_of_symbol for x, _ in s]
    ys = [y for s in strokes_of_symbol for _, y in s]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    w, h = (x1 - x0) * 1.1, (y1 - y0) * 1.1
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [(cx + (w / 2 if k % 2 else -w / 2), cy - h / 2 + h * k / legs) for k in range(legs + 1)]


def test_scratching_out_the_4_of_45_plus_1_and_writing_3_gives_36_and_undo_brings_the_4_back(app):
    state = draw_sum(app, "45+1")
    assert (state["read"], state["value"]) == ("45+1", "46")
    drawn = strokes.expression("45+1")
    four = drawn[:2]  # the 4's two strokes (tests/strokes.py writes a 4 in two)
    browser.draw(app, [zigzag_over(four)])
    app.wait_for_function("window.pad.strokeCount() === %d && document.querySelector('#number').dataset.strokes"
                          " == window.pad.strokeCount()" % (len(drawn) - 2), timeout=20_000)
    assert app.evaluate(STATE)["read"] == "5+1"
    app.locator("#undo").click()  # one step brings both strokes of the 4 back, not the zigzag
    app.wait_for_function("window.pad.strokeCount() === %d" % len(drawn), timeout=20_000)
    wait_for_reading_of_all_strokes(app)
    assert app.evaluate(STATE)["read"] == "45+1"
    browser.draw(app, [zigzag_over(four)])  # scratched out again, and a 3 written in its place
    app.wait_for_function("window.pad.strokeCount() === %d" % (len(drawn) - 2), timeout=20_000)
    xs = [x for s in four for x, _ in s]
    ys = [y for s in four for _, y in s]
    x0, y0, w, h = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
    three = [[(x0 + x * w, y0 + y * h) for x, y in stroke] for stroke in strokes.DIGITS["3"]]
    browser.draw(app, three)
    app.wait_for_function("window.pad.strokeCount() === %d" % (len(drawn) - 1), timeout=20_000)
    wait_for_reading_of_all_strokes(app)
    state = app.evaluate(STATE)
    assert (state["read"], state["value"]) == ("35+1", "36")


def _shift(strokes_, dx=0.0, dy=0.0, scale=1.0, origin=(0.5, 0.5)):
    ox, oy = origin
    return [[(ox + (x - ox) * scale + dx, oy + (y - oy) * scale + dy) for x, y in s] for s in strokes_]


def _box(strokes_):
    xs = [x for s in strokes_ for x, _ in s]
    ys = [y for s in strokes_ for _, y in s]
    return min(xs), min(ys), max(xs), max(ys)


def with_decimal_point(text, after):
    """Strokes of `text` (tests.strokes.expression) with a tap right after the digit at position `after`, low
    on the line, in a gap opened for it: "25×4" with after=0 writes 2.5×4."""
    drawn = strokes.expression(text)
    sizes = [len(strokes.DIGITS[c]) if c in strokes.DIGITS else len(strokes.OPERATORS[strokes.ALIASES.get(c, c)])
             for c in text]
    first = sum(sizes[:after + 1])
    x0, y0, x1, y1 = _box(drawn[first - sizes[after]:first])
    gap = 0.25 * (x1 - x0)
    out = drawn[:first] + _shift(drawn[first:], dx=gap)
    tap = [(x1 + gap * 0.75, y1 - 0.02 * (y1 - y0))]
    return out + [tap]


def with_exponent(text, exponent, scale=0.5):
    """Strokes of `text` with `exponent` (digits) written small and raised at its top right."""
    drawn = strokes.expression(text)
    x0, y0, x1, y1 = _box(drawn)
    height = y1 - y0
    small = strokes.number(exponent, height=scale * 0.5)
    sx0, sy0, sx1, sy1 = _box(small)
    return drawn + _shift(small, dx=x1 + 0.03 - sx0, dy=y0 - 0.25 * height - sy0)


def read_drawing(page, drawn):
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#number').dataset.value === ''", timeout=20_000)
    browser.draw(page, drawn)
    wait_for_reading_of_all_strokes(page)
    return page.evaluate(STATE)


def test_a_decimal_point_between_digits(app):
    state = read_drawing(app, with_decimal_point("25×4", after=0))
    assert (state["read"], state["value"], state["error"]) == ("2.5×4", "10", "")


def test_small_raised_digits_are_a_power(app):
    state = read_drawing(app, with_exponent("3", "2"))
    assert (state["read"], state["value"], state["error"]) == ("3^2", "9", "")
    assert app.locator("#number sup").inner_text() == "2"  # shown raised
    state = read_drawing(app, with_exponent("(1+2)", "2"))
    assert (state["read"], state["value"], state["error"]) == ("(1+2)^2", "9", "")
