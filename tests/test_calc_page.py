"""The handwritten calculator in a real browser: sums drawn with the mouse are read with the grammar, worked out
and shown with their value (#answer), errors by their code, and the fact is about a whole result.

Test contract (issue 11): #number[data-value] is exactly what was read; #answer[data-value] the value ("" for
a plain number or an error); #answer[data-error] the error code; #fact[data-number] the number of the fact shown.
These tests need weights that read + - × ÷ = ( ) (the 18-output nets)."""
from tests import browser, strokes
from tests.test_app import wait_for_reading_of_all_strokes

STATE = """() => { const n = document.querySelector('#number'), a = document.querySelector('#answer');
    return {read: n.dataset.value, value: a.dataset.value, error: a.dataset.error,
            line: document.querySelector('#reading-line').textContent,
            note: document.querySelector('#answer-note').textContent}; }"""
FACT_NUMBER = "document.querySelector('#fact').dataset.number"
CARDS_WITHIN_PANEL = """() => { const nets = document.querySelector('.nets').getBoundingClientRect();
    return [...document.querySelectorAll('.nets > .net')].every(card => {
        const r = card.getBoundingClientRect(); return r.left >= nets.left - 0.5 && r.right <= nets.right + 0.5; }); }"""


def draw_sum(page, text):
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#number').dataset.value === ''", timeout=20_000)
    browser.draw(page, strokes.expression(text))
    wait_for_reading_of_all_strokes(page)
    return page.evaluate(STATE)


def wait_for_fact_about(page, number):
    page.wait_for_function("%s === %r && document.querySelector('#fact').dataset.source !== ''"
                           % (FACT_NUMBER, number), timeout=20_000)
    return page.locator("#fact").inner_text()


def test_a_sum_is_worked_out_with_a_fact_about_its_result(app):
    state = draw_sum(app, "12+7×3=")
    assert (state["read"], state["value"], state["error"]) == ("12+7×3=", "33", "")
    assert " ".join(state["line"].split()) == "12 + 7 × 3 = 33"
    assert "33" in wait_for_fact_about(app, "33")
    assert app.locator("#seen canvas").count() == 7
    # each net's bars cover every label: the 17 symbols and "not one symbol"
    for name in ("cnn", "mlp"):
        charts = app.locator("#%s .chart" % name)
        assert charts.count() == 7
        assert charts.first.locator(".bar b").all_inner_texts() == list("0123456789+-×÷=()?")
        assert app.evaluate("document.querySelector('#%s').dataset.digits" % name) != ""
    # the two cards stay side by side within the panel however long their captions ("1: 81% · no symbol: …")
    assert app.evaluate(CARDS_WITHIN_PANEL), "a net's card is wider than its column"


def test_brackets_come_first(app):
    state = draw_sum(app, "(2+3)×4")
    assert (state["read"], state["value"], state["error"]) == ("(2+3)×4", "20", "")
    wait_for_fact_about(app, "20")


def test_division_by_zero_is_an_error_without_a_fact(app):
    state = draw_sum(app, "8÷0")
    assert (state["read"], state["value"], state["error"]) == ("8÷0", "", "division-by-zero")
    assert "zero" in state["note"].lower()
    assert app.evaluate(FACT_NUMBER) == ""


def test_an_unfinished_sum_is_incomplete(app):
    state = draw_sum(app, "3+")
    assert (state["read"], state["value"], state["error"]) == ("3+", "", "incomplete")
    assert state["note"] != ""


def test_undo_back_to_a_number_shows_a_plain_number_again(app):
    state = draw_sum(app, "12+7×3=")
    assert state["value"] == "33"
    for _ in range(8):  # "=", "3", "×", "7" and "+" are 2 + 1 + 2 + 1 + 2 strokes
        app.click("#undo")
    app.wait_for_function("window.pad.strokeCount() === 2 && "
                          "document.querySelector('#number').dataset.strokes === '2'", timeout=20_000)
    state = app.evaluate(STATE)
    assert (state["read"], state["value"], state["error"], state["note"]) == ("12", "", "", "")
    assert app.locator("#reading-line").get_attribute("data-kind") == "plain"
    wait_for_fact_about(app, "12")


def test_a_plain_number_still_works_as_before(app):
    state = draw_sum(app, "12")
    assert (state["read"], state["value"], state["error"], state["line"]) == ("12", "", "", "12")
    wait_for_fact_about(app, "12")


def test_a_fraction_is_exact_and_the_fact_card_says_facts_are_about_whole_numbers(app):
    state = draw_sum(app, "7÷3=")
    assert (state["read"], state["value"], state["error"]) == ("7÷3=", "7/3", "")
    assert "2.3333" in state["line"]
    app.wait_for_function("document.querySelector('#fact').textContent.includes('whole numbers')", timeout=20_000)
    assert app.evaluate(FACT_NUMBER) == ""
