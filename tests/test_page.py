"""The page boots Python in a real browser, offline, and the drawing pad works."""
from tests import browser


def test_page_reaches_ready(page, site_url, app_query):
    browser.open_app(page, site_url, app_query)
    assert page.locator("#status").inner_text().startswith("Ready")
    assert page.evaluate("typeof window.pad.pixels") == "function"


def test_stroke_changes_canvas_and_clear_empties_it(page, site_url, app_query):
    browser.open_app(page, site_url, app_query)
    assert browser.ink_pixels(page) == 0
    browser.draw(page, [[(0.3, 0.3), (0.5, 0.6), (0.7, 0.3)]])
    drawn = browser.ink_pixels(page)
    assert drawn > 500, "a stroke across the pad should leave ink, found %d pixels" % drawn
    assert page.evaluate("window.pad.strokeCount()") == 1
    page.click("#clear")
    assert browser.ink_pixels(page) == 0
    assert page.evaluate("window.pad.isEmpty()")


def test_undo_removes_only_the_last_stroke(page, site_url, app_query):
    browser.open_app(page, site_url, app_query)
    browser.draw(page, [[(0.2, 0.2), (0.2, 0.8)]])
    one = browser.ink_pixels(page)
    browser.draw(page, [[(0.6, 0.2), (0.6, 0.8)]])
    assert browser.ink_pixels(page) > one
    page.click("#undo")
    assert page.evaluate("window.pad.strokeCount()") == 1
    assert abs(browser.ink_pixels(page) - one) <= one * 0.02
    page.keyboard.press("Escape")
    assert browser.ink_pixels(page) == 0


def test_nothing_left_the_machine(page, site_url, app_query, watch):
    browser.open_app(page, site_url, app_query)
    assert watch.blocked == [] and watch.missing == []
