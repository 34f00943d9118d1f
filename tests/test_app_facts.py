"""Facts in the page, against a Numbers-API stub on loopback (plain HTTP and HTTPS): the API's fact when it
answers well, the offline fact for every kind of failure, and the API's text always shown as text."""
import pytest

from tests import browser, strokes
from tests.facts_stub import FactsStub, normal_text

FACT_SHOWN = "document.querySelector('#fact').dataset.source !== ''"


def fact(page):
    return page.evaluate("""() => { const f = document.querySelector('#fact');
        return {source: f.dataset.source, number: f.dataset.number, text: f.textContent,
                html: f.innerHTML, children: f.children.length}; }""")


def draw_seven(page, timeout_ms=20_000):
    browser.draw(page, strokes.number("7"))
    page.wait_for_function(FACT_SHOWN, timeout=timeout_ms)
    return fact(page)


def test_api_fact_is_shown_with_its_source(page, site_url, facts_stub):
    facts_stub.mode = "normal"
    browser.open_app(page, site_url, "facts=" + facts_stub.base_url)
    shown = draw_seven(page)
    assert shown == {"source": "api", "number": "7", "text": normal_text(7, "trivia"),
                     "html": normal_text(7, "trivia"), "children": 0}
    assert "Numbers API" in page.locator("#fact-source").inner_text()


@pytest.mark.parametrize("mode", ["error", "html", "not-found", "wrong-number"])
def test_bad_answers_fall_back_to_the_offline_fact(page, site_url, facts_stub, watch, mode):
    facts_stub.mode = mode
    browser.open_app(page, site_url, "facts=" + facts_stub.base_url)
    shown = draw_seven(page)
    assert shown["source"] == "offline" and shown["number"] == "7"
    assert "7" in shown["text"] and "stub" not in shown["text"]
    assert "offline" in page.locator("#fact-source").inner_text()
    if mode == "error":  # the browser itself logs a failed (500) resource load
        watch.expect("status of 500|HTTP error: 500")


def test_slow_api_gives_the_offline_fact_before_the_answer_comes(page, site_url, facts_stub):
    facts_stub.mode = "delay"
    facts_stub.delay_s = 5.0
    browser.open_app(page, site_url, "facts=" + facts_stub.base_url)
    browser.draw(page, strokes.number("7"))
    # The page gives up after 3 s: the offline fact is there well before the stub's 5 s answer.
    page.wait_for_function(FACT_SHOWN, timeout=4_500)
    assert fact(page)["source"] == "offline"


def test_api_text_is_inserted_as_text_never_html(page, site_url, facts_stub):
    facts_stub.mode = "xss"
    browser.open_app(page, site_url, "facts=" + facts_stub.base_url)
    shown = draw_seven(page)
    assert shown["source"] == "api"
    assert '<img src=x onerror="window.__xss=1">' in shown["text"]
    assert shown["children"] == 0 and "&lt;img" in shown["html"]
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None


def test_https_proxy(chromium, cache_root, site_url):
    with FactsStub(tls=True) as stub:
        context, page, watch = browser.new_page(chromium, cache_root, ignore_https_errors=True)
        try:
            browser.open_app(page, site_url, "facts=" + stub.base_url)
            shown = draw_seven(page)
            assert shown["source"] == "api" and shown["text"] == normal_text(7, "trivia")
            assert stub.requests == ["/7/trivia?json"]
            watch.check_page(page)
            assert watch.problems() == []
        finally:
            context.close()


def test_choosing_another_kind_fetches_that_kind(page, site_url, facts_stub):
    facts_stub.mode = "normal"
    facts_stub.requests.clear()
    browser.open_app(page, site_url, "facts=" + facts_stub.base_url)
    draw_seven(page)
    page.click("text=Math")
    page.wait_for_function("document.querySelector('#fact').textContent.includes('math')", timeout=10_000)
    assert facts_stub.requests == ["/7/trivia?json", "/7/math?json"]


def test_without_a_proxy_the_page_uses_offline_facts(page, site_url, watch):
    # Like GitHub Pages: the same-origin /numbers path does not exist (404).
    browser.open_app(page, site_url)
    shown = draw_seven(page)
    assert shown["source"] == "offline" and shown["number"] == "7"
    watch.expect("status of 404|HTTP error: 404 .*/numbers/7/trivia")


def test_an_unsafe_override_is_ignored(page, site_url, watch):
    browser.open_app(page, site_url, "facts=http://example.com/numbers")
    shown = draw_seven(page)
    assert shown["source"] == "offline"
    assert watch.blocked == [], "the page must not call a plain-http, non-loopback facts URL"
    watch.expect("status of 404|HTTP error: 404 .*/numbers/7/trivia")
