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


def test_api_fact_is_shown_with_its_source(page, site_url, facts_stub, stub_base):
    facts_stub.mode = "normal"
    browser.open_app(page, site_url, "facts=" + stub_base)
    shown = draw_seven(page)
    assert shown == {"source": "api", "number": "7", "text": normal_text(7, "trivia"),
                     "html": normal_text(7, "trivia"), "children": 0}
    # The stub is not this site's own proxy (/numbers): the page names its host instead of vouching for it.
    host = stub_base.split("//")[1].split("/")[0]
    assert page.locator("#fact-source").inner_text() == "from %s (a facts server on another host)" % host


@pytest.mark.parametrize("mode", ["error", "html", "not-found", "wrong-number"])
def test_bad_answers_fall_back_to_the_offline_fact(page, site_url, facts_stub, stub_base, watch, mode):
    facts_stub.mode = mode
    browser.open_app(page, site_url, "facts=" + stub_base)
    shown = draw_seven(page)
    assert shown["source"] == "offline" and shown["number"] == "7"
    assert "7" in shown["text"] and "stub" not in shown["text"]
    assert "offline" in page.locator("#fact-source").inner_text()
    if mode == "error":  # the browser itself logs a failed (500) resource load
        watch.expect("status of 500|HTTP error: 500")


def test_slow_api_gives_the_offline_fact_before_the_answer_comes(page, site_url, facts_stub, stub_base):
    facts_stub.mode = "delay"
    facts_stub.delay_s = 5.0
    browser.open_app(page, site_url, "facts=" + stub_base)
    browser.draw(page, strokes.number("7"))
    # The page gives up after 3 s: the offline fact is there well before the stub's 5 s answer.
    page.wait_for_function(FACT_SHOWN, timeout=4_500)
    assert fact(page)["source"] == "offline"


def test_api_text_is_inserted_as_text_never_html(page, site_url, facts_stub, stub_base):
    facts_stub.mode = "xss"
    browser.open_app(page, site_url, "facts=" + stub_base)
    shown = draw_seven(page)
    assert shown["source"] == "api"
    assert '<img src=x onerror="window.__xss=1">' in shown["text"]
    assert shown["children"] == 0 and "&lt;img" in shown["html"]
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_loopback_proxy_on_another_port(chromium, cache_root, site_url, tls):
    # ?facts=http(s)://127.0.0.1:PORT (tests, local development) is accepted by the page's Python. The shipped CSP
    # lets the browser fetch only from the site's own origin, so this context bypasses the CSP: what is tested
    # here is the page's own choice of URL and the fetch over plain HTTP and TLS, not the CSP (test_security.py).
    with FactsStub(tls=tls) as stub:
        context, page, watch = browser.new_page(chromium, cache_root, ignore_https_errors=True, bypass_csp=True)
        try:
            browser.open_app(page, site_url, "facts=" + stub.base_url)
            shown = draw_seven(page)
            assert shown["source"] == "api" and shown["text"] == normal_text(7, "trivia")
            assert stub.requests == ["/7/trivia?json"]
            assert page.locator("#fact-source").inner_text() == \
                "from %s (a facts server on another host)" % stub.base_url.split("//")[1]
            watch.check_page(page)
            assert watch.problems() == []
        finally:
            context.close()


def test_choosing_another_kind_fetches_that_kind(page, site_url, facts_stub, stub_base):
    facts_stub.mode = "normal"
    facts_stub.requests.clear()
    browser.open_app(page, site_url, "facts=" + stub_base)
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


@pytest.mark.parametrize("override", ["http://example.com/numbers", "https://evil.example/numbers"])
def test_an_override_off_this_machine_is_ignored(page, site_url, watch, override):
    # A crafted link: the page still asks only its own proxy (here none: 404) and says its fact is its own.
    browser.open_app(page, site_url, "facts=" + override)
    shown = draw_seven(page)
    assert shown["source"] == "offline"
    assert watch.blocked == [], "the page must call no facts URL but its own"
    watch.expect("status of 404|HTTP error: 404 .*/numbers/7/trivia")


def test_a_bad_site_toml_gives_offline_facts_that_say_why(page, site_url):
    # A self-hoster's mistake in site.toml: no request for a fact at all, and the line under the fact says why.
    page.route("**/site.toml", lambda route: route.fulfill(
        body='[facts]\nbase = "http://numbersapi.com"\n', content_type="text/plain"))
    asked = []
    page.on("request", lambda request: "/7/trivia" in request.url and asked.append(request.url))
    browser.open_app(page, site_url)
    shown = draw_seven(page)
    assert shown["source"] == "offline" and asked == []
    assert "site.toml: [facts] base = 'http://numbersapi.com' is not" in page.locator("#fact-source").inner_text()
