"""Browser test harness: real Debian Chromium through Playwright, with the network closed.

Every request the page makes is checked: loopback goes through, the pinned CDN URLs are answered from the
runtime mirror (tools/build_runtime.py), anything else is aborted and recorded. A `Watch` also records uncaught
JS errors, console errors and Python tracebacks; the `page` fixture in conftest.py fails the test on any of them.
Also used by tools (screenshots, the speed benchmark), so it has no pytest dependency.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from tools import build_runtime, webserver

CHROMIUM = "/usr/bin/chromium"
# Quiet on a closed network (shared/RUNTIME.md): no background connections that would be refused.
# --disable-dev-shm-usage: a CI machine's /dev/shm may be small, and a renderer that runs out of it crashes
# ("Target crashed", seen once in CI mid-drawing); /tmp has room.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$")
PY_TRACEBACK = ("Traceback (most recent call last)", "PythonError")
# Installed before any page script (through the driver, so the page's CSP does not apply to it): every CSP
# violation the page reports, as {directive, blocked, source}, for csp_violations().
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
    {directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile || ""}));
"""
READY_TIMEOUT_MS = 90_000  # a cold boot takes ~5 s; CI machines are noisy
READY_OR_ERROR = "body[data-status=%s], body[data-status=error]"  # % the awaited status


class Watch:
    """What went wrong on a page: errors, tracebacks, requests that left the machine."""

    def __init__(self, cache_root: Path):
        self.cdn_root = cache_root / "cdn"
        self.js_errors: list[str] = []
        self.console_errors: list[str] = []
        self.tracebacks: list[str] = []
        self.blocked: list[str] = []
        self.missing: list[str] = []
        self.http_errors: list[str] = []
        self.expected: list[re.Pattern] = []

    def expect(self, pattern: str) -> None:
        """Declare an error this test provokes on purpose (a regex on the message or URL)."""
        self.expected.append(re.compile(pattern))

    def attach(self, context, page) -> None:
        context.route("**/*", self._route)
        page.on("pageerror", lambda error: self.js_errors.append(str(error)))
        page.on("console", self._console)
        page.on("response", lambda r: r.status >= 400 and self.http_errors.append("%d %s" % (r.status, r.url)))

    def _console(self, message) -> None:
        text = message.text
        if any(marker in text for marker in PY_TRACEBACK):
            self.tracebacks.append(text)
        elif message.type == "error":
            self.console_errors.append(text)

    def _route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or (parts.hostname and LOOPBACK.match(parts.hostname)):
            return route.continue_()
        if url.startswith(webserver.CDN_BASE):
            file = build_runtime.url_to_path(url, self.cdn_root.parent)
            if file.is_file():
                return route.fulfill(path=str(file), headers={
                    "Content-Type": webserver.content_type(file.name),
                    "Access-Control-Allow-Origin": "*",
                })
            self.missing.append(url)
            return route.abort("failed")
        self.blocked.append(url)
        return route.abort("blockedbyclient")

    def check_page(self, page) -> None:
        """Collect Python errors PyScript shows in the page itself (its error banners)."""
        try:
            banners = page.locator(".py-error").all_inner_texts()
        except Exception:  # noqa: BLE001 - a closed page has nothing more to show
            banners = []
        self.tracebacks.extend("py-error banner: " + b for b in banners)

    def problems(self) -> list[str]:
        found = (["uncaught JS error: " + e for e in self.js_errors]
                 + ["console error: " + e for e in self.console_errors]
                 + ["Python error: " + e for e in self.tracebacks]
                 + ["request left the machine (blocked): " + u for u in self.blocked]
                 + ["CDN file missing from the runtime mirror: " + u for u in self.missing]
                 + ["HTTP error: " + e for e in self.http_errors])
        return [p for p in found if not any(x.search(p) for x in self.expected)]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def new_page(browser, cache_root: Path, **context_options):
    """A fresh context (empty HTTP cache and IndexedDB: a cold start) with its Watch."""
    context = browser.new_context(service_workers="block", **context_options)
    context.add_init_script(CSP_RECORDER)
    page = context.new_page()
    watch = Watch(cache_root)
    watch.attach(context, page)
    return context, page, watch


def open_app(page, base_url: str, query: str = "", status: str = "ready") -> None:
    """Open the page and wait until body[data-status] is `status` (fails fast if it is `error` instead)."""
    page.goto(base_url + ("?" + query if query else ""))
    page.wait_for_selector(READY_OR_ERROR % status, timeout=READY_TIMEOUT_MS)
    actual = page.evaluate("document.body.dataset.status")
    if actual != status:
        raise AssertionError("page status is %r, not %r: %s"
                             % (actual, status, page.locator("#status").inner_text()))


# The drawing's area in device pixels: canvas pixels that are not white. A JS function of a CSS selector.
INK_PIXELS_JS = """(selector) => {
        const c = document.querySelector(selector);
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) n++;
        return n;
    }"""


def stroke_points(box, stroke):
    """Points (x, y) in [0, 1] of a box {x, y, width, height} -> page coordinates (CSS pixels)."""
    return [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]


def draw(page, strokes, selector: str = "#pad", steps: int = 4) -> None:
    """Draw strokes on the canvas with the mouse; points are (x, y) in [0, 1] of the canvas box."""
    box = page.locator(selector).bounding_box()
    for stroke in strokes:
        points = stroke_points(box, stroke)
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=steps)
        page.mouse.up()


def ink_pixels(page, selector: str = "#pad") -> int:
    """How many canvas pixels are not white (the drawing's area in device pixels)."""
    return page.evaluate(INK_PIXELS_JS, selector)


def csp_violations(page) -> list[dict]:
    """The CSP violations the page reported so far: [{directive, blocked, source}] (see CSP_RECORDER)."""
    return page.evaluate("window.__cspViolations || []")


INLINE_PROBE = """() => {
    const script = document.createElement("script");
    script.textContent = "window.__inlineRan = true";
    document.head.append(script);
    return new Promise((done) => setTimeout(() => done(window.__inlineRan === true), 100));
}"""


def inline_script_runs(page) -> bool:
    """Inject an inline <script> into the page; whether it ran (under the page's CSP it must not).

    Takes anything with Playwright's `evaluate(function source)`, so other engines' drivers can pass an adapter."""
    return page.evaluate(INLINE_PROBE)


# The page's state, as JS expressions (shared by the Chromium tests and the other engines' smoke suite).
PREDICTED_JS = "document.querySelector('#number').dataset.value"
# The shown reading is of the whole drawing (each stroke triggers a reading; a "4" is two strokes).
ALL_STROKES_READ_JS = ("document.querySelector('#number').dataset.strokes == window.pad.strokeCount()"
                       " && document.querySelector('#number').dataset.value !== ''")
FACT_JS = ("(() => { const f = document.querySelector('#fact');"
           " return {source: f.dataset.source, number: f.dataset.number, text: f.textContent}; })()")
