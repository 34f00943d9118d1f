"""The look-inside panel (#inside) in a real browser: it opens from an image in "what the nets saw", by mouse or
keyboard, with every picture drawn; Escape closes it without clearing the drawing; the page keeps working."""
import pytest

from tests import browser, strokes
from tests.test_app import wait_for_reading_of_all_strokes

PLUS = [[(0.5, 0.1), (0.5, 0.9)], [(0.1, 0.5), (0.9, 0.5)]]
# Every canvas in the panel that is shown, and whether its pixels are not all one colour.
CANVASES = """() => [...document.querySelectorAll('#inside canvas')].filter(c => c.offsetParent !== null)
    .map(c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let lo = 255, hi = 0;
                for (let i = 0; i < d.length; i += 4) for (let j = 0; j < 3; j++) {
                    lo = Math.min(lo, d[i + j]); hi = Math.max(hi, d[i + j]); }
                return {id: c.id, width: c.width, shown: c.getBoundingClientRect().width, varied: hi > lo}; })"""
FOCUS_INSIDE = "document.querySelector('#inside').contains(document.activeElement)"


def placed(unit_strokes, left, top, width, height):
    """Strokes in a unit box -> in the pad's box coordinates, inside (left, top, width, height)."""
    return [[(left + x * width, top + y * height) for x, y in stroke] for stroke in unit_strokes]


def draw(page, drawn):
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#number').dataset.value === ''")
    browser.draw(page, drawn)
    wait_for_reading_of_all_strokes(page)


def open_panel(page, index=0):
    page.click('#seen [data-index="%d"]' % index)
    page.wait_for_selector("#inside", state="visible")


def check_every_picture(page):
    panel = page.locator("#inside")
    assert panel.get_attribute("role") == "dialog" and panel.get_attribute("aria-modal") == "false"
    title = page.locator("#" + panel.get_attribute("aria-labelledby")).inner_text()
    assert "read as" in title
    canvases = page.evaluate(CANVASES)
    ids = {c["id"] for c in canvases}
    assert {"inside-input", "inside-evidence-cnn", "inside-evidence-mlp", "inside-filters", "inside-maps"} <= ids
    assert page.locator("#inside-units canvas").count() >= 1
    blank = [c for c in canvases if not c["varied"] or c["width"] == 0 or c["shown"] < 20]
    assert blank == [], "pictures missing or blank: %s" % blank
    for caption in page.locator(".inside-grid > figure:visible > figcaption").all_inner_texts():
        assert len(caption) > 20, "each picture says what it shows"
    units = page.locator("#inside-units figcaption").all_inner_texts()
    assert all(u.startswith("unit ") and u.endswith("%") for u in units)


def test_panel_opens_for_a_drawn_digit_and_escape_closes_it(app):
    draw(app, strokes.number("7"))
    assert app.locator("#inside").is_hidden()
    open_panel(app)
    check_every_picture(app)
    reading = app.evaluate("document.querySelector('#number').dataset.value")
    assert app.locator("#inside-title").inner_text().endswith("read as " + reading)
    assert reading in app.locator("#inside-evidence-cnn-text").inner_text()
    assert app.evaluate(FOCUS_INSIDE)
    app.keyboard.press("Escape")
    app.wait_for_selector("#inside", state="hidden")
    assert app.evaluate("document.activeElement.matches('#seen [data-index=\"0\"]')")
    assert app.evaluate("document.querySelector('#number').dataset.value") == reading, "Escape kept the drawing"
    app.keyboard.press("Escape")  # with the panel closed, Escape clears the pad as before
    app.wait_for_function("document.querySelector('#number').dataset.value === ''")


def test_keyboard_opens_the_panel_and_the_page_keeps_working(app):
    draw(app, strokes.number("12"))
    app.focus('#seen [data-index="1"]')
    app.keyboard.press("Enter")
    app.wait_for_selector("#inside", state="visible")
    assert app.evaluate(FOCUS_INSIDE)
    assert app.locator("#inside-title").inner_text().startswith("Inside the nets: symbol 2 of 2")
    # Drawing on with the panel open: a new reading, and the panel follows it.
    browser.draw(app, strokes.number("3", height=0.3))
    wait_for_reading_of_all_strokes(app)
    count = app.locator("#seen button").count()
    assert app.locator("#inside").is_visible()
    assert "of %d" % count in app.locator("#inside-title").inner_text()
    check_every_picture(app)
    app.click("#inside-close")
    app.wait_for_selector("#inside", state="hidden")
    app.click("#clear")
    app.wait_for_function("document.querySelector('#number').dataset.value === ''")


def test_clearing_the_drawing_closes_the_panel(app):
    draw(app, strokes.number("4"))
    open_panel(app)
    app.click("#clear")
    app.wait_for_selector("#inside", state="hidden")


@pytest.mark.parametrize("where", ["left edge", "bottom-right corner"])
def test_a_digit_at_the_pads_edge_opens_without_error(app, where):
    box = (0.0, 0.1, 0.2, 0.6) if where == "left edge" else (0.78, 0.55, 0.22, 0.45)
    draw(app, placed(strokes.DIGITS["7"], *box))
    open_panel(app)
    check_every_picture(app)


def test_an_operator_opens_without_error(app):
    draw(app, placed(PLUS, 0.4, 0.3, 0.2, 0.4))
    open_panel(app)
    check_every_picture(app)
