"""Hardening: the page's Content-Security-Policy holds and lets it work, its CDN tags carry Subresource Integrity
hashes that match the runtime mirror, netlify.toml sends the same policy, and a crafted `?facts=` link cannot
make the page ask, or speak for, another server."""
import html.parser
import re
import time
import tomllib
from pathlib import Path

import pytest

from tests import browser, strokes
from tools import build_runtime, sri, webserver

ROOT = Path(__file__).resolve().parent.parent
META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
FACT_SHOWN = "document.querySelector('#fact').dataset.source !== ''"
INLINE_BLOCKED = "(Executing|Refused to execute) inline script"  # Chromium's wording, newer and older


def page_csp() -> str:
    return META_CSP.search((ROOT / "index.html").read_text(encoding="utf-8")).group(1)


def directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def netlify_headers() -> dict[str, str]:
    config = tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))
    return next(h["values"] for h in config["headers"] if h["for"] == "/*")


# --- The policy as written --------------------------------------------------------------------------------------

def test_the_policy_allows_only_this_site_and_the_pinned_runtime_folders():
    policy = directives(page_csp())
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    pinned = [build_runtime.PYSCRIPT_URL, build_runtime.PYODIDE_URL]
    for name in ("script-src", "style-src", "connect-src"):
        hosts = [s for s in policy[name] if not s.startswith("'")]
        assert set(hosts) <= set(pinned), "%s names more than the pinned runtime folders: %s" % (name, hosts)
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-inline'" not in policy["style-src"]
    assert "'wasm-unsafe-eval'" in policy["script-src"]


def test_netlify_sends_the_same_policy_and_the_security_headers():
    headers = netlify_headers()
    assert headers["Content-Security-Policy"] == page_csp() + "; frame-ancestors 'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in headers["Permissions-Policy"] and "microphone=()" in headers["Permissions-Policy"]


def test_a_configured_proxy_on_another_host_is_in_the_policy():
    """site.toml may name a proxy on another host only together with connect-src (else the browser blocks it)."""
    import facts

    base, problem = facts.configured_base((ROOT / "site.toml").read_text(encoding="utf-8"))
    assert problem == ""
    if base is not None and not base.startswith("/"):
        origin = "/".join(base.split("/")[:3])
        assert any(s.startswith(origin) for s in directives(page_csp())["connect-src"])


# --- Subresource Integrity ----------------------------------------------------------------------------------------

class CdnTags(html.parser.HTMLParser):
    """Every element whose src or href is on the CDN: [(tag, url, attributes)]."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        url = attributes.get("src") or attributes.get("href") or ""
        if url.startswith(webserver.CDN_BASE):
            self.found.append((tag, url, attributes))


def test_every_cdn_tag_has_the_integrity_of_the_mirrors_bytes(cache_root):
    parser = CdnTags()
    parser.feed((ROOT / "index.html").read_text(encoding="utf-8"))
    assert {url for _, url, _ in parser.found} >= {build_runtime.PYSCRIPT_URL + "core.js",
                                                  build_runtime.PYSCRIPT_URL + "core.css"}
    for tag, url, attributes in parser.found:
        assert attributes.get("integrity") == sri.expected(url, cache_root), \
            "%s: stale or missing integrity; run `python tools/sri.py --write`" % url
        assert attributes.get("crossorigin") in ("", "anonymous"), "%s needs crossorigin for SRI" % url
    assert len(sri.cdn_tags((ROOT / "index.html").read_text(encoding="utf-8"))) == len(parser.found)


def test_sri_values_are_sha384_in_base64(tmp_path):
    file = tmp_path / "x.js"
    file.write_bytes(b"alert(1)")
    # openssl dgst -sha384 -binary x.js | base64
    assert sri.integrity(file) == "sha384-HT2E9NfWiuQ/w1PRai+hTyqW16NIoCGA/m8VQDUopfAtcz6YQjtsMmQd5uRbVDpW"


# --- The page under its policy ------------------------------------------------------------------------------------

def test_the_page_reads_a_drawing_under_its_csp_and_runs_no_injected_inline_script(page, site_url, app_query, watch):
    browser.open_app(page, site_url, app_query)
    browser.draw(page, strokes.number("7"))
    page.wait_for_function(FACT_SHOWN, timeout=20_000)
    assert page.evaluate("document.querySelector('#number').dataset.value") == "7"
    assert browser.csp_violations(page) == [], "the page itself broke its CSP"
    watch.expect(INLINE_BLOCKED)
    assert browser.inline_script_runs(page) is False
    assert [v["directive"] for v in browser.csp_violations(page)] == ["script-src-elem"]


def wait_for_violation(page, blocked: str) -> list[dict]:
    """Poll (from here: Playwright's wait_for_function evaluates with eval, which a strict CSP refuses) until the
    page reports a CSP violation of `blocked` ("eval", "wasm-eval", a URL); return all it reported."""
    deadline = time.monotonic() + browser.READY_TIMEOUT_MS / 1000
    while not any(v["blocked"] == blocked for v in browser.csp_violations(page)) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return browser.csp_violations(page)


def test_pyscript_still_needs_unsafe_eval(page, site_url, watch):
    # The page without 'unsafe-eval' in its CSP breaks on PyScript's Function(): when an upgrade no longer needs
    # it, this test fails, and the allowance should go. ('unsafe-eval' also allows WebAssembly, so taking out
    # 'wasm-unsafe-eval' alone changes nothing while it is there: the bare Pyodide test below shows that need.)
    def without_unsafe_eval(route):
        route.fulfill(body=route.fetch().text().replace(" 'unsafe-eval'", ""), content_type="text/html")

    page.route(site_url, without_unsafe_eval)
    watch.expect(".")  # the page is broken on purpose: every problem it reports is expected
    page.goto(site_url)
    violations = wait_for_violation(page, "eval")
    assert [v["blocked"] for v in violations] == ["eval"] and "pyscript" in violations[0]["source"]
    assert page.evaluate("document.body.dataset.status") != "ready"


BARE_PYODIDE = """import { loadPyodide } from "%sfull/pyodide.mjs";
const pyodide = await loadPyodide();
await pyodide.loadPackage(["numpy", "pillow"]);
pyodide.runPython("import numpy, PIL; from PIL import Image; Image.fromarray(numpy.zeros((28, 28), 'uint8'))");
document.body.dataset.status = "ready";
""" % build_runtime.PYODIDE_URL.removesuffix("full/")


@pytest.mark.parametrize("keep_wasm", [True, False], ids=["wasm-unsafe-eval", "none"])
def test_pyodide_with_numpy_and_pillow_needs_only_wasm_unsafe_eval(page, site_url, watch, keep_wasm):
    # Pyodide alone, under the page's CSP less PyScript's 'unsafe-eval': it loads and runs numpy and Pillow with
    # 'wasm-unsafe-eval' and no violation, and cannot start without it.
    policy = page_csp().replace(" 'unsafe-eval'", "")
    if not keep_wasm:
        policy = policy.replace(" 'wasm-unsafe-eval'", "")
        watch.expect(".")
    page.route(site_url + "__bare.html", lambda route: route.fulfill(content_type="text/html", body=(
        '<!doctype html><meta http-equiv="Content-Security-Policy" content="%s"><body data-status="loading">'
        '<script type="module" src="__bare.js"></script>' % policy)))
    page.route(site_url + "__bare.js", lambda route: route.fulfill(body=BARE_PYODIDE, content_type="text/javascript"))
    page.goto(site_url + "__bare.html")
    if keep_wasm:
        page.wait_for_selector("body[data-status=ready]", state="attached", timeout=browser.READY_TIMEOUT_MS)
        assert browser.csp_violations(page) == []
    else:
        assert {v["blocked"] for v in wait_for_violation(page, "wasm-eval")} == {"wasm-eval"}
        assert page.evaluate("document.body.dataset.status") == "loading"


def test_the_offline_server_keeps_the_policy_working(chromium, cache_root):
    # tools/serve.py --offline rewrites the CDN base (also inside the CSP) to this server's /_runtime/ mirror.
    server, url = webserver.start(runtime_dir=cache_root / "cdn" / "cdn.jsdelivr.net")
    context, page, watch = browser.new_page(chromium, cache_root)
    try:
        browser.open_app(page, url, "facts=http://127.0.0.1:9")  # a facts proxy CSP blocks: the offline fact
        watch.expect("Refused to connect|violates the following Content Security Policy")
        assert url + "_runtime/" in page.evaluate(
            "document.querySelector('meta[http-equiv=Content-Security-Policy]').content")
        browser.draw(page, strokes.number("7"))
        page.wait_for_function(FACT_SHOWN, timeout=20_000)
        assert page.evaluate("document.querySelector('#fact').dataset.source") == "offline"
        assert [v["directive"] for v in browser.csp_violations(page)] == ["connect-src"]
        watch.check_page(page)
        assert watch.problems() == [] and watch.missing == []
    finally:
        context.close()
        server.shutdown()


def test_a_tampered_runtime_script_is_refused(page, site_url, app_query, watch):
    # A CDN that serves other bytes for core.js: the browser refuses to run it (SRI) and the page says so.
    core = build_runtime.url_to_path(build_runtime.PYSCRIPT_URL + "core.js", watch.cdn_root.parent)
    page.route(build_runtime.PYSCRIPT_URL + "core.js", lambda route: route.fulfill(
        body=core.read_bytes() + b"\nwindow.__tampered = true;\n",
        headers={"Content-Type": "text/javascript", "Access-Control-Allow-Origin": "*"}))
    watch.expect("integrity")
    browser.open_app(page, site_url, app_query, status="error")
    assert "could not be downloaded" in page.locator("#status").inner_text()
    assert page.evaluate("window.__tampered") is None


# --- Crafted facts links ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_a_crafted_facts_link_asks_only_the_sites_own_proxy(chromium, cache_root, site_url, bypass_csp):
    # With the CSP bypassed, this proves the page's own code ignores the link, not only the browser's policy.
    context, page, watch = browser.new_page(chromium, cache_root, bypass_csp=bypass_csp)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        browser.open_app(page, site_url, "facts=https://evil.example/numbers")
        browser.draw(page, strokes.number("7"))
        page.wait_for_function(FACT_SHOWN, timeout=20_000)
        fact_requests = [u for u in requests if "/7/trivia" in u]
        assert fact_requests == [site_url + "numbers/7/trivia?json"]
        elsewhere = [u for u in requests if not u.startswith((site_url, webserver.CDN_BASE))]
        assert elsewhere == [] and watch.blocked == []
        assert browser.csp_violations(page) == []
        assert page.locator("#fact-source").inner_text() == "from Digit Factoid's own facts (offline)"
        watch.expect("status of 404|HTTP error: 404 .*/numbers/7/trivia")  # the test site has no /numbers proxy
        watch.check_page(page)
        assert watch.problems() == []
    finally:
        context.close()
