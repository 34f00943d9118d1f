"""Cold load per browser engine, offline: `python tools/bench_engines.py [--runs 3] [--engines firefox webkit chromium]`.

For each engine, prints the median over `--runs` of navigation -> ready (performance mark "app-ready") for the
app and for the "floor" page of tools/bench_speed.py (bare Pyodide 0.27.7 + numpy + Pillow) in that same engine,
and their ratio. Every load is in a fresh browser (Firefox: a new profile; WebKit: a new automation session,
whose data is in memory only; Chromium: a new context): a cold start. App and floor runs alternate, so both see
the same machine load. Not a test: the figures vary with the machine; compare the ratios.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import engines  # noqa: E402
from tools import bench_speed  # noqa: E402

FLOOR_PATH = "/__floor.html"
QUERY = "?facts=http://127.0.0.1:9"  # no facts traffic on a cold load anyway (nothing is drawn)


def engine_cold_load(name: str, url: str) -> tuple[float, str]:
    """(ms from navigation to the "app-ready" mark, browser version) in a fresh browser."""
    engine = engines.launch(name)
    try:
        engine.open(url)
        engine.wait_for("performance.getEntriesByName('app-ready').length > 0", engines.READY_TIMEOUT_S, 0.2)
        problems = engine.problems()
        if problems:
            raise RuntimeError("%s had problems loading %s: %s" % (name, url, problems))
        return engine.evaluate(bench_speed.READY_AT), engine.version
    finally:
        engine.close()


def chromium_runs(base_url: str, runs: int) -> tuple[list[float], list[float], str]:
    from playwright.sync_api import sync_playwright

    from tests import browser
    from tools import build_runtime

    cache_root = build_runtime.ensure()
    app, floor = [], []
    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        for _ in range(runs):
            app.append(bench_speed.cold_load(chromium, cache_root, base_url + QUERY)[0])
            floor.append(bench_speed.cold_load(chromium, cache_root, base_url + "__floor.html")[0])
        version = chromium.version
        chromium.close()
    return app, floor, version


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold loads of each page in each engine")
    parser.add_argument("--engines", nargs="+", default=list(engines.ENGINES),
                        choices=list(engines.ENGINES) + ["chromium"])
    args = parser.parse_args(argv)
    # The floor page watched like the app (tests/page_watch.js first), so a failed load is noticed.
    floor_page = bench_speed.FLOOR_PAGE.replace("<title>", '<script src="%s"></script><title>' % engines.WATCH_SCRIPT)
    server, url = engines.serve_offline(pages={FLOOR_PATH: floor_page})
    print("| engine | version | app cold ready (ms) | floor cold ready (ms) | app / floor |")
    print("|---|---|---|---|---|")
    try:
        for name in args.engines:
            if name == "chromium":  # the site served plainly, the CDN answered by Playwright's routing
                plain, plain_url = bench_speed.webserver.start()
                try:
                    app, floor, version = chromium_runs(plain_url, args.runs)
                finally:
                    plain.shutdown()
            else:
                app, floor = [], []
                for _ in range(args.runs):
                    ms, version = engine_cold_load(name, url + QUERY)
                    app.append(ms)
                    floor.append(engine_cold_load(name, url + FLOOR_PATH.lstrip("/"))[0])
            print("| %s | %s | %.0f | %.0f | %.2f |" % (name, version, statistics.median(app),
                                                         statistics.median(floor),
                                                         statistics.median(app) / statistics.median(floor)),
                  flush=True)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
