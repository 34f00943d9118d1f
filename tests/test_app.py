"""The app in a real browser: drawing digits and numbers, Undo/Clear, touch, and the empty state."""
import math

from tests import browser, strokes

PREDICTED = "document.querySelector('#number').dataset.value"


def wait_for_number(page, expected_nonempty=True):
    condition = "%s !== ''" % PREDICTED if expected_nonempty else "%s === ''" % PREDICTED
    page.wait_for_function(condition, timeout=20_000)
    return page.evaluate(PREDICTED)


def draw_and_read(page, text, **options):
    page.keyboard.press("Escape")
    wait_for_number(page, expected_nonempty=False)
    browser.draw(page, strokes.number(text, **options))
    wait_for_reading_of_all_strokes(page)
    return page.evaluate(PREDICTED)


def wait_for_reading_of_all_strokes(page):
    """Wait until the shown reading is of the whole drawing (each stroke of a "4" triggers a reading)."""
    page.wait_for_function("document.querySelector('#number').dataset.strokes == window.pad.strokeCount()"
                           " && %s !== ''" % PREDICTED, timeout=20_000)


def test_empty_canvas_shows_no_prediction(app):
    assert app.evaluate(PREDICTED) == ""
    assert app.locator("#number").inner_text() == "?"
    assert "Draw a digit" in app.locator("#verdict").inner_text()
    assert app.evaluate("document.querySelector('#cnn').dataset.digits") == ""


def test_every_digit_drawn_with_the_mouse_is_read(app):
    wrong = {}
    for digit in "0123456789":
        got = draw_and_read(app, digit, jitter=0.03, seed=int(digit))
        if got != digit:
            wrong[digit] = got
    assert wrong == {}, "digits read wrongly (drawn: read): %s" % wrong


def test_both_nets_report_digits_and_confidence(app):
    draw_and_read(app, "7")
    for name in ("cnn", "mlp"):
        box = app.locator("#" + name)
        assert len(box.get_attribute("data-digits")) == 1
        assert 0.0 < float(box.get_attribute("data-confidence")) <= 1.0
        # bars for every label: the 17 symbols, then "not one symbol"
        assert box.locator(".bar b").all_inner_texts() == list("0123456789+-×÷=()?")
    assert app.locator("#seen canvas").count() == 1


# A scribble, in the pad's box coordinates: no digit.
# A five-pointed star in one stroke: no digit or sign. (A zigzag was used before the nets learned pad drawings;
# they now read it as an angular 3, as a person might.)
STAR = [k * 4 * math.pi / 5 - math.pi / 2 for k in range(6)]
SCRIBBLE = [[(0.5 + 0.1 * math.cos(a), 0.5 + 0.3 * math.sin(a)) for a in STAR]]


def test_a_scribble_is_called_no_digit_and_a_digit_is_not(app):
    """The CNN's "not one symbol" output: the page says a scribble is no digit (and still shows the nets'
    best guesses, greyed, with no fact about them), and says nothing of the kind for a real digit."""
    browser.draw(app, SCRIBBLE)
    wait_for_reading_of_all_strokes(app)
    assert "doesn't look like a digit" in app.locator("#verdict").inner_text()
    assert app.evaluate("document.querySelector('#cnn').dataset.digits") != ""
    assert app.locator("#reading-line").get_attribute("data-doubt") == "scribble"
    assert app.locator("#fact").get_attribute("data-number") == ""
    assert "No fact for this one" in app.locator("#fact").inner_text()
    draw_and_read(app, "3")
    assert "doesn't look like a digit" not in app.locator("#verdict").inner_text()
    assert app.locator("#reading-line").get_attribute("data-doubt") == ""
    app.wait_for_function("document.querySelector('#fact').dataset.number === '3'", timeout=20_000)


def test_a_number_written_side_by_side_is_read_whole(app):
    assert draw_and_read(app, "123") == "123"
    assert app.locator("#seen canvas").count() == 3
    assert app.evaluate("document.querySelector('#cnn').dataset.digits") == "123"


def test_undo_and_clear(app):
    assert draw_and_read(app, "42") == "42"
    # "4" is two strokes and "2" one: undo removes the 2.
    app.click("#undo")
    app.wait_for_function("%s === '4'" % PREDICTED, timeout=20_000)
    app.click("#clear")
    assert wait_for_number(app, expected_nonempty=False) == ""
    assert app.evaluate("window.pad.isEmpty()")
    assert app.evaluate("document.querySelector('#seen').children.length") == 0


def test_keyboard_shortcuts(app):
    draw_and_read(app, "17")
    app.keyboard.press("Control+z")
    app.wait_for_function("%s === '1'" % PREDICTED, timeout=20_000)
    app.keyboard.press("Escape")
    assert wait_for_number(app, expected_nonempty=False) == ""


def test_drawing_survives_a_resize(app):
    draw_and_read(app, "5")
    app.set_viewport_size({"width": 500, "height": 900})
    app.wait_for_timeout(300)
    assert browser.ink_pixels(app) > 200
    assert app.evaluate("window.pad.strokeCount()") == 1


def touch_stroke(client, box, points):
    def at(p):
        return [{"x": box["x"] + p[0] * box["width"], "y": box["y"] + p[1] * box["height"]}]

    client.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": at(points[0])})
    for a, b in zip(points, points[1:]):
        for t in (0.25, 0.5, 0.75, 1.0):
            p = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
            client.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": at(p)})
    client.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_digit_drawn_by_touch_is_read(chromium, cache_root, site_url, app_query):
    context, page, watch = browser.new_page(chromium, cache_root, has_touch=True, is_mobile=True,
                                            viewport={"width": 390, "height": 844}, device_scale_factor=2)
    try:
        browser.open_app(page, site_url, app_query)
        scroll_before = page.evaluate("window.scrollY")
        client = context.new_cdp_session(page)
        box = page.locator("#pad").bounding_box()
        for stroke in strokes.number("4"):
            touch_stroke(client, box, stroke)
        wait_for_reading_of_all_strokes(page)
        assert page.evaluate(PREDICTED) == "4"
        assert page.evaluate("window.scrollY") == scroll_before, "drawing must not scroll the page"
        watch.check_page(page)
        assert watch.problems() == []
    finally:
        context.close()


def flipped(route):
    body = bytearray(route.fetch().body())
    body[len(body) // 2] ^= 0x01
    route.fulfill(body=bytes(body), content_type="application/octet-stream")


def test_corrupted_weights_give_a_clear_error_state(page, site_url, app_query):
    page.route("**/weights/cnn.npz", flipped)
    browser.open_app(page, site_url, app_query, status="error")
    message = page.locator("#status").inner_text()
    assert "cnn.npz" in message and "sha256" in message and "could not be loaded" in message
    # The drawing pad still works (nothing is lost), but no prediction is made.
    browser.draw(page, strokes.number("1"))
    assert browser.ink_pixels(page) > 0 and page.evaluate(PREDICTED) == ""


def test_missing_weights_give_a_clear_error_state(page, site_url, app_query, watch):
    page.route("**/weights/mlp.npz", lambda route: route.fulfill(status=404, body="not found"))
    browser.open_app(page, site_url, app_query, status="error")
    message = page.locator("#status").inner_text()
    assert "mlp.npz" in message and "missing" in message and "could not be loaded" in message
    watch.expect("404 .*mlp.npz|status of 404")
