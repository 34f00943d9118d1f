"""The browser harness itself: a broken page must fail a test. Each test breaks the page on purpose, checks
that the Watch saw it, then acknowledges it (watch.expect) so the fixture's own check passes."""
from tests import browser


def test_python_traceback_fails_the_page(page, site_url, watch):
    page.route("**/py/app.py", lambda route: route.fulfill(
        body="raise RuntimeError('deliberately broken page')", content_type="text/plain"))
    browser.open_app(page, site_url, status="error")
    assert "deliberately broken page" in page.locator("#status").inner_text()
    watch.check_page(page)
    assert any("deliberately broken page" in p and p.startswith("Python error") for p in watch.problems())
    watch.expect(r"deliberately broken page|console error")


def test_uncaught_js_error_fails_the_page(page, site_url, watch):
    browser.open_app(page, site_url)
    page.evaluate("setTimeout(() => { throw new Error('deliberate JS error') }, 0)")
    page.wait_for_timeout(200)
    assert any(p.startswith("uncaught JS error") and "deliberate JS error" in p for p in watch.problems())
    watch.expect("deliberate JS error")


def test_console_error_fails_the_page(page, site_url, watch):
    browser.open_app(page, site_url)
    page.evaluate("console.error('deliberate console error')")
    page.wait_for_timeout(100)
    assert any(p.startswith("console error") for p in watch.problems())
    watch.expect("deliberate console error")


def test_outbound_request_is_blocked_and_fails_the_page(chromium, cache_root, site_url):
    # The router is tested with the page's CSP bypassed: under the CSP the browser itself refuses first (below).
    context, page, watch = browser.new_page(chromium, cache_root, bypass_csp=True)
    try:
        browser.open_app(page, site_url)
        outcome = page.evaluate("fetch('https://example.com/leak').then(() => 'reached', () => 'blocked')")
        assert outcome == "blocked"
        assert watch.blocked == ["https://example.com/leak"]
        assert any("left the machine" in p for p in watch.problems())
    finally:
        context.close()


def test_a_request_the_csp_refuses_fails_the_page(page, site_url, watch):
    browser.open_app(page, site_url)
    outcome = page.evaluate("fetch('https://example.com/leak').then(() => 'reached', () => 'blocked')")
    assert outcome == "blocked"
    assert watch.blocked == [], "the CSP refuses it before any request is made"
    assert any(p.startswith("console error") and "Content Security Policy" in p for p in watch.problems())
    watch.expect("Content Security Policy")
