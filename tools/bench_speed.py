"""Speed benchmark of the page in headless Chromium, offline: `python tools/bench_speed.py [--runs 5] [--cycles 1000]`.

Prints medians of:
- cold load: navigation -> body[data-status=ready] for the app, and for a bare "floor" page that only loads
  Pyodide 0.27.7 + numpy + Pillow; their ratio (each run is a fresh browser context: empty cache and IndexedDB);
- bytes transferred on a cold load: total, and the weights;
- in the page, steady state: forward pass of each net (one image), preprocessing one canvas;
- pointer-up -> prediction painted (performance marks "stroke-end" -> "prediction-painted");
- click on an image in "what the nets saw" -> look-inside panel painted ("inside-click" -> "inside-painted");
- memory after 10, 100 and 1,000 predictions (draw/clear cycles): JS heap, wasm heap, live Python objects.
Not a test: numbers vary with the machine; compare the ratios.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import browser, strokes  # noqa: E402
from tools import build_runtime, webserver  # noqa: E402

FLOOR_PAGE = """<!doctype html><meta charset="utf-8"><title>floor</title><body data-status="loading">
<script type="module">
import { loadPyodide } from "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.mjs";
const pyodide = await loadPyodide();
await pyodide.loadPackage(["numpy", "pillow"]);
pyodide.runPython("import numpy, PIL");
performance.mark("app-ready");
document.body.dataset.status = "ready";
</script>"""
ONE_STROKE = "012356789"  # digits drawn in one stroke: one pointer-up, one prediction
READY_AT = "performance.getEntriesByName('app-ready')[0].startTime"


def cold_load(chromium, cache_root, url):
    """(ms from navigation to ready, bytes transferred, weight bytes) in a fresh context."""
    context, page, watch = browser.new_page(chromium, cache_root)
    sizes = {}

    def count(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            pass

    page.on("response", count)
    if url.endswith("__floor.html"):
        page.route("**/__floor.html", lambda route: route.fulfill(body=FLOOR_PAGE, content_type="text/html"))
    page.goto(url)
    page.wait_for_selector("body[data-status=ready]", state="attached", timeout=browser.READY_TIMEOUT_MS)
    ready = page.evaluate(READY_AT)
    context.close()
    weights = sum(size for u, size in sizes.items() if "/weights/" in u)
    return ready, sum(sizes.values()), weights


def stroke_to_paint(page, text):
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#number').dataset.value === ''")
    page.evaluate("performance.clearMarks()")
    browser.draw(page, strokes.number(text))
    page.wait_for_function("performance.getEntriesByName('prediction-painted').length > 0")
    return page.evaluate("""() => {
        const end = performance.getEntriesByName('stroke-end').pop().startTime;
        return performance.getEntriesByName('prediction-painted').pop().startTime - end; }""")


def click_to_panel(page, text):
    """ms from the click on the first image the nets saw to the frame that shows the look-inside panel."""
    stroke_to_paint(page, text)
    page.click('#seen [data-index="0"]')
    page.wait_for_function("performance.getEntriesByName('inside-painted').length > 0")
    ms = page.evaluate("""() => performance.getEntriesByName('inside-painted').pop().startTime
        - performance.getEntriesByName('inside-click').pop().startTime""")
    page.keyboard.press("Escape")  # closes the panel
    page.wait_for_selector("#inside", state="hidden")
    return ms


def memory(page):
    page.evaluate("window.gc && window.gc()")
    numbers = json.loads(page.evaluate("window.digitFactoidMemory()"))
    numbers["js_heap_bytes"] = page.evaluate("performance.memory.usedJSHeapSize")
    return numbers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold loads of each page")
    parser.add_argument("--cycles", type=int, default=1000, help="draw/clear cycles for the memory check")
    parser.add_argument("--strokes", type=int, default=20, help="drawings timed from pointer-up to paint")
    parser.add_argument("--opens", type=int, default=20, help="look-inside panels timed from click to paint")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    cache_root = build_runtime.ensure()
    server, url = webserver.start()
    query = "?facts=http://127.0.0.1:1"  # no facts traffic: a refused loopback port fails at once
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=browser.CHROMIUM, headless=True,
            args=browser.CHROMIUM_ARGS + ["--enable-precise-memory-info", "--js-flags=--expose-gc"])
        app, floor, total, weights = [], [], [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            ms, size, weight = cold_load(chromium, cache_root, url + query)
            app.append(ms), total.append(size), weights.append(weight)
            floor.append(cold_load(chromium, cache_root, url + "__floor.html")[0])
        print("cold load to ready (median of %d): app %.0f ms, floor %.0f ms, ratio app/floor %.3f"
              % (args.runs, statistics.median(app), statistics.median(floor),
                 statistics.median(app) / statistics.median(floor)))
        print("bytes on a cold load: %d total (%.1f MB), weights %d (%.0f KB)"
              % (statistics.median(total), statistics.median(total) / 2 ** 20,
                 statistics.median(weights), statistics.median(weights) / 1024))

        context, page, watch = browser.new_page(chromium, cache_root)
        watch.expect("ERR_CONNECTION_REFUSED|ERR_UNSAFE_PORT")
        browser.open_app(page, url, query[1:])
        delays = [stroke_to_paint(page, ONE_STROKE[i % len(ONE_STROKE)]) for i in range(args.strokes)]
        inside = json.loads(page.evaluate("window.digitFactoidBench(200)"))
        print("in the page: CNN forward %.3f ms, MLP forward %.3f ms, preprocessing one canvas %.2f ms"
              % (inside["cnn_forward_ms"], inside["mlp_forward_ms"], inside.get("preprocess_ms", float("nan"))))
        print("pointer-up -> prediction painted: median %.1f ms, max %.1f ms (%d drawings)"
              % (statistics.median(delays), max(delays), len(delays)))
        opens = [click_to_panel(page, ONE_STROKE[i % len(ONE_STROKE)]) for i in range(args.opens)]
        print("click -> look-inside panel painted: median %.1f ms, max %.1f ms (%d opens; issue 13: <= 50 ms)"
              % (statistics.median(opens), max(opens), len(opens)))

        checkpoints, done, baseline = [10, 100, args.cycles], 0, None
        for target in checkpoints:
            while done < target:
                stroke_to_paint(page, ONE_STROKE[done % len(ONE_STROKE)])
                done += 1
            numbers = memory(page)
            baseline = baseline or numbers
            print("after %4d predictions: JS heap %6.2f MB, wasm heap %6.1f MB, Python objects %d"
                  " (JS %+.1f%%, wasm %+.1f%% since 10)"
                  % (done, numbers["js_heap_bytes"] / 2 ** 20, numbers["wasm_bytes"] / 2 ** 20,
                     numbers["py_objects"],
                     100 * (numbers["js_heap_bytes"] / baseline["js_heap_bytes"] - 1),
                     100 * (numbers["wasm_bytes"] / baseline["wasm_bytes"] - 1)))
        watch.check_page(page)
        for problem in watch.problems():
            print("page problem: " + problem)
        context.close()
        chromium.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
