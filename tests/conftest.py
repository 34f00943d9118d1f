"""Shared fixtures: the site served on loopback, and a Chromium page with the network closed.

A test that uses `page` fails at teardown if the page had an uncaught JS error, a console error, a Python
traceback, or tried to reach anything but loopback and the (mirrored) pinned CDN.
"""
from __future__ import annotations

import pytest

from tests import browser
from tools import build_runtime, webserver


@pytest.fixture(scope="session")
def cache_root():
    problems = build_runtime.verify(build_runtime.cache_root())
    if problems:
        pytest.fail("the runtime mirror is incomplete — run `bash tools/setup.sh` (or tools/build_runtime.py):\n"
                    + "\n".join(problems[:5]))
    return build_runtime.cache_root()


STUB_PREFIX = "/_facts_stub"  # where the site server also answers as the facts stub (same origin)


@pytest.fixture(scope="session")
def facts_stub():
    """A Numbers-API stand-in on loopback, in its normal mode, for tests that draw (each drawing asks for a fact).

    It answers on its own port (`facts_stub.base_url`) and on the site's origin (`stub_base`): the page's CSP lets
    it fetch only from its own origin and the CDN, so the browser tests use the latter."""
    from tests.facts_stub import FactsStub

    with FactsStub() as stub:
        yield stub


@pytest.fixture(scope="session")
def site_url(facts_stub):
    server, url = webserver.start(routes={STUB_PREFIX + "/": lambda rest: facts_stub.answer("/" + rest)})
    yield url
    server.shutdown()


@pytest.fixture
def stub_base(site_url, facts_stub):
    """The facts stub on the site's own origin, as a `?facts=` loopback override: http://127.0.0.1:PORT/_facts_stub"""
    facts_stub.mode = "normal"
    return site_url.rstrip("/") + STUB_PREFIX


@pytest.fixture
def app_query(stub_base):
    return "facts=" + stub_base


@pytest.fixture
def app(page, site_url, app_query):
    """The page opened and ready, facts from the stub (tests/test_engines.py has its own, per engine)."""
    browser.open_app(page, site_url, app_query)
    return page


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = browser.launch(playwright)
        yield instance
        instance.close()


@pytest.fixture
def page_and_watch(chromium, cache_root):
    context, page, watch = browser.new_page(chromium, cache_root)
    yield page, watch
    watch.check_page(page)
    context.close()
    problems = watch.problems()
    if problems:
        pytest.fail("the page had problems:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def page(page_and_watch):
    return page_and_watch[0]


@pytest.fixture
def watch(page_and_watch):
    return page_and_watch[1]
