"""The smoke suite in Firefox and WebKit (Safari's engine), beside the Chromium tests: "any desktop browser".

Each engine gets one fresh browser for this module (a cold start), driven as tests/engines.py describes, with
the site served offline and the network closed. Every test fails at teardown on any uncaught JS error, console
error, Python traceback or request to outside loopback in that engine; the last test proves those checks fail
when they should. A difference between engines is fixed in the product, never skipped here.
"""
from __future__ import annotations

import json
import time

import pytest

from tests import browser, engines, strokes
from tests.conftest import STUB_PREFIX

READING_TIMEOUT_S = 30


@pytest.fixture(scope="module")
def offline_site(facts_stub):
    # The facts stub answers on the site's own origin too: the page's CSP refuses other ports.
    server, url = engines.serve_offline(routes={STUB_PREFIX + "/": lambda rest: facts_stub.answer("/" + rest)})
    yield url
    server.shutdown()


@pytest.fixture(scope="module", params=engines.ENGINES)
def engine(request):
    instance = engines.launch(request.param)
    yield instance
    instance.close()


@pytest.fixture
def checked(engine):
    """The engine, failing the test at teardown on anything that went wrong in it during the test."""
    engine.forget_problems()
    yield engine
    problems = engine.problems()
    if problems:
        pytest.fail("%s %s had problems:\n  %s" % (engine.name, engine.version, "\n  ".join(problems)),
                    pytrace=False)


@pytest.fixture
def app(checked, offline_site, facts_stub):
    """The page, ready, with an empty pad. Loaded once per engine (the first test pays the cold start);
    later tests clear the pad instead of reloading, to keep the suite fast."""
    facts_stub.mode = "normal"
    query = "facts=" + offline_site + STUB_PREFIX.lstrip("/")
    if checked.evaluate("location.href") != offline_site + "?" + query \
            or checked.evaluate("document.body.dataset.status") != "ready":
        checked.open_app(offline_site, query)
    clear(checked)
    return checked


def clear(engine):
    engine.press(engines.ESCAPE)
    engine.wait_for("%s === '' && window.pad.isEmpty()" % browser.PREDICTED_JS)


def draw_and_read(engine, text, **options):
    clear(engine)
    engine.draw(strokes.number(text, **options))
    engine.wait_for(browser.ALL_STROKES_READ_JS, READING_TIMEOUT_S)
    return engine.evaluate(browser.PREDICTED_JS)


def test_ready_offline_with_no_outside_request(app):
    assert app.evaluate("document.getElementById('status').textContent").startswith("Ready")
    assert app.evaluate("typeof window.pad.pixels") == "function"
    loaded = app.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    assert any("/_runtime/pyodide/v0.27.7/full/pyodide.asm.wasm" in url for url in loaded), \
        "the runtime should come from the local mirror: %s" % loaded
    assert any(url.endswith("/weights/cnn.npz") for url in loaded)
    assert app.outside_requests() == []


def test_a_digit_and_a_number_drawn_with_the_mouse_are_read(app):
    assert draw_and_read(app, "7") == "7"
    for name in ("cnn", "mlp"):
        assert app.evaluate("document.querySelector('#%s').dataset.digits" % name) == "7"
        assert 0.0 < float(app.evaluate("document.querySelector('#%s').dataset.confidence" % name)) <= 1.0
    assert draw_and_read(app, "123") == "123"
    assert app.evaluate("document.querySelectorAll('#seen canvas').length") == 3


def test_undo_and_clear(app):
    assert draw_and_read(app, "42") == "42"
    ink = app.ink_pixels()
    app.click("#undo")  # "4" is two strokes and "2" one: Undo removes the 2
    app.wait_for("%s === '4'" % browser.PREDICTED_JS, READING_TIMEOUT_S)
    assert app.evaluate("window.pad.strokeCount()") == 2
    assert 0 < app.ink_pixels() < ink
    app.click("#clear")
    app.wait_for("%s === ''" % browser.PREDICTED_JS)
    assert app.ink_pixels() == 0 and app.evaluate("window.pad.isEmpty()")
    assert app.evaluate("document.querySelector('#seen').children.length") == 0


def test_an_offline_fact_when_the_api_has_none(app, facts_stub):
    facts_stub.mode = "not-found"
    assert draw_and_read(app, "7") == "7"
    shown = app.wait_for("(() => { const f = %s; return f.number === '7' && f; })()" % browser.FACT_JS,
                         READING_TIMEOUT_S)
    assert shown["source"] == "offline" and "7" in shown["text"] and "stub" not in shown["text"]
    assert "offline" in app.evaluate("document.getElementById('fact-source').textContent")


def test_the_checks_catch_errors_and_outside_requests(app):
    """The checks every test relies on can fail: provoke each problem and see it reported."""
    app.evaluate("setTimeout(() => { throw new Error('provoked uncaught error'); }, 0)")
    app.evaluate("(Promise.reject(new Error('provoked rejection')), 0)")
    app.evaluate("(fetch('https://example.invalid/provoked').catch(() => 0), 0)")
    wanted = {"uncaught": "provoked uncaught error", "rejection": "provoked rejection",
              "outside request": "example.invalid"}
    deadline = time.monotonic() + 10
    while True:
        problems = json.dumps(app.problems())
        missing = [kind for kind, marker in wanted.items() if marker not in problems]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert missing == [], "%s did not report: %s (it reported %s)" % (app.name, missing, problems)
    app.forget_problems()
