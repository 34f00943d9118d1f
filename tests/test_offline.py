"""Installable and offline: the web app manifest, the service worker's generated precache list, and in Chromium
with service workers on: a first visit online, then a reload with the network gone (server stopped, context
offline) that starts Python from its memory snapshot, still reads a drawing and gives an offline fact, and a new
version that replaces the old cache.

The service-worker tests cannot use the `page` fixture: Playwright routing hides a worker's own fetches and
disables the HTTP cache (shared/RUNTIME.md). They serve the site with tools/webserver.py's offline mode instead
(the CDN URLs rewritten to the local runtime mirror as files are served) and route nothing.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests import browser, strokes
from tools import build_sw, webserver

ROOT = Path(__file__).resolve().parent.parent
SITE = ["index.html", "pyscript.toml", "site.toml", "sw.js", "manifest.webmanifest", "py", "static", "weights"]
OFFLINE_READY = "body[data-offline=ready]"
CACHES = "caches.keys().then((names) => names.filter((name) => name.startsWith('digit-factoid-')))"
FACT_SHOWN = "document.querySelector('#fact').dataset.source !== ''"


# --- Manifest -------------------------------------------------------------------------------------------------

def test_manifest_is_complete_and_its_icons_exist():
    manifest = json.loads((ROOT / "manifest.webmanifest").read_text(encoding="utf-8"))
    for field in ("name", "short_name", "start_url", "scope", "theme_color", "background_color"):
        assert manifest.get(field), "manifest.webmanifest lacks %s" % field
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", manifest["theme_color"])
    found = {}
    for icon in manifest["icons"]:
        file = ROOT / icon["src"]
        assert file.is_file(), "manifest icon %s does not exist" % icon["src"]
        if icon["type"] == "image/png":
            with Image.open(file) as image:
                assert image.format == "PNG"
                assert "%dx%d" % image.size == icon["sizes"], "%s is %s, the manifest says %s" % (
                    icon["src"], image.size, icon["sizes"])
            found[(icon["sizes"], icon["purpose"])] = file
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(found)
    # A maskable icon is full-bleed: no transparent corner for the launcher's mask to reveal.
    with Image.open(found[("512x512", "maskable")]) as maskable:
        assert maskable.convert("RGBA").getpixel((0, 0))[3] == 255


def test_page_links_the_manifest_and_the_worker_from_files():
    html = (ROOT / "index.html").read_text(encoding="utf-8")
    assert '<link rel="manifest" href="manifest.webmanifest">' in html
    assert '<script type="module" src="static/sw-register.js"></script>' in html
    assert "serviceWorker" not in html, "register the worker from a static file (no inline script: CSP)"


# --- The generated precache list ------------------------------------------------------------------------------

def test_precache_list_in_sw_js_is_up_to_date(cache_root):
    current = (ROOT / "sw.js").read_text(encoding="utf-8")
    assert build_sw.render(current, ROOT, cache_root) == current, (
        "sw.js's precache list is stale (a file changed, or pyscript.toml/index.html/static/ name new files): "
        "run `.venv/bin/python tools/build_sw.py` and commit sw.js")


def test_precache_list_covers_the_app_and_the_runtime(cache_root):
    paths = [path for path, _ in build_sw.entries(ROOT, cache_root)]
    for local in ("./", "pyscript.toml", "py/app.py", "py/net.py", "weights/cnn.npz", "weights/mlp.npz",
                  "static/pad.js", "static/sw-register.js", "manifest.webmanifest", "static/pyodide.mjs",
                  "static/pyodide-snapshot-worker.mjs"):
        assert local in paths
    names = {p.rsplit("/", 1)[-1] for p in paths if p.startswith(build_sw.CDN)}
    assert {"core.js", "core.css", "pyodide.mjs", "pyodide.asm.wasm", "python_stdlib.zip"} <= names
    assert any(n.startswith("numpy-") for n in names) and any(n.startswith("pillow-") for n in names)
    assert "sw.js" not in paths, "the worker must not cache itself (its updates would never be seen)"


# --- Service worker in the browser ----------------------------------------------------------------------------

def copy_site(dest: Path) -> Path:
    dest.mkdir()
    for name in SITE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest / name)
    return dest


@pytest.fixture
def sw_context(chromium, cache_root, tmp_path):
    """(context, page, watch, server, url) with service workers on and nothing routed, for a copy of the site."""
    site = copy_site(tmp_path / "site")
    server, url = webserver.start(site, runtime_dir=cache_root / "cdn" / "cdn.jsdelivr.net")
    context = chromium.new_context(service_workers="allow")
    page = context.new_page()
    watch = browser.Watch(cache_root)
    page.on("pageerror", lambda error: watch.js_errors.append(str(error)))
    page.on("console", watch._console)
    # Nothing may leave the machine: with rewriting, every request is to the site's own loopback server.
    context.on("request", lambda r: not browser.LOOPBACK.match(urlsplit(r.url).hostname or "")
               and urlsplit(r.url).scheme in ("http", "https") and watch.blocked.append(r.url))
    yield context, page, watch, server, url, site
    watch.check_page(page)
    context.close()
    server.shutdown()
    problems = watch.problems()
    if problems:
        pytest.fail("the page had problems:\n  " + "\n  ".join(problems), pytrace=False)


def wait_ready(page):
    page.wait_for_selector("body[data-status=ready], body[data-status=error]", timeout=browser.READY_TIMEOUT_MS)
    assert page.evaluate("document.body.dataset.status") == "ready", page.locator("#status").inner_text()


def test_after_one_visit_the_page_works_with_the_network_gone(sw_context):
    context, page, watch, server, url, _ = sw_context
    query = "facts=%snumbers" % url  # the facts API is this very server: gone with it below
    browser.open_app(page, url, query)
    page.wait_for_selector(OFFLINE_READY, state="attached", timeout=60_000)
    # static/pyodide.mjs's background worker keeps a memory snapshot of a started Python for the next visit.
    page.wait_for_selector("body[data-snapshot=stored]", state="attached", timeout=120_000)
    assert len(page.evaluate(CACHES)) == 1

    server.shutdown()
    server.server_close()
    context.set_offline(True)
    watch.expect("ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED|Failed to fetch")
    page.goto(url + "?" + query)
    wait_ready(page)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.evaluate("document.body.dataset.snapshot") == "restored"

    browser.draw(page, strokes.number("7"))
    page.wait_for_function("document.querySelector('#number').dataset.value !== ''", timeout=20_000)
    assert page.locator("#number").get_attribute("data-value") == "7"
    page.wait_for_function(FACT_SHOWN, timeout=10_000)
    assert page.locator("#fact").get_attribute("data-source") == "offline"
    assert page.locator("#fact").get_attribute("data-number") == "7"


def test_a_new_version_replaces_the_old_cache_only_when_asked(sw_context, cache_root):
    context, page, watch, server, url, site = sw_context
    browser.open_app(page, url)
    page.wait_for_selector(OFFLINE_READY, state="attached", timeout=60_000)
    [old] = page.evaluate(CACHES)

    # The lead publishes a new version: a changed module, and sw.js regenerated as the staleness test demands.
    marker = "# version 2 of this module\n"
    with open(site / "py" / "facts.py", "a", encoding="utf-8") as module:
        module.write(marker)
    (site / "sw.js").write_text(build_sw.render((site / "sw.js").read_text(), site, cache_root))
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    page.wait_for_selector("#update", timeout=60_000)
    assert page.locator("#update").inner_text().startswith("A new version is ready")
    # Until the person reloads, the running page keeps its version: the old cache still serves it.
    assert old in page.evaluate(CACHES)
    assert marker not in page.evaluate("fetch('py/facts.py').then((r) => r.text())")

    with page.expect_navigation():
        page.locator("#update button").click()
    wait_ready(page)
    [new] = page.evaluate(CACHES)
    assert new != old
    assert marker in page.evaluate("fetch('py/facts.py').then((r) => r.text())")
    assert page.locator("#update").count() == 0
