"""Screenshot the page as a person sees it, offline: `python tools/screenshot.py [--out docs/screenshot.png]`.

Options draw strokes first (`--digit 7`, `--number 123` use the test stroke shapes when available) and set the
viewport (`--width 1280 --height 900`, `--mobile` for a phone).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import browser  # noqa: E402
from tools import build_runtime, webserver  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="docs/screenshot.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=860)
    parser.add_argument("--mobile", action="store_true", help="a 390x844 phone viewport")
    parser.add_argument("--number", default="", help="digits or a sum (12+7×3=) to draw before the shot")
    parser.add_argument("--query", default="", help="query string for the page, e.g. facts=http://127.0.0.1:9/")
    parser.add_argument("--wait", type=float, default=0.0, help="extra seconds to wait before the shot")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    server, url = webserver.start()
    options = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True) \
        if args.mobile else dict(viewport={"width": args.width, "height": args.height})
    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        context, page, watch = browser.new_page(chromium, build_runtime.cache_root(), **options)
        browser.open_app(page, url, args.query)
        if args.number:
            from tests import strokes
            browser.draw(page, strokes.number(args.number))
            page.wait_for_function("document.querySelector('#number').dataset.value !== ''", timeout=20000)
        page.wait_for_timeout(int(args.wait * 1000) + 300)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=args.out, full_page=True)
        watch.check_page(page)
        chromium.close()
    server.shutdown()
    for problem in watch.problems():
        print("page problem: " + problem, file=sys.stderr)
    print("wrote %s" % args.out)
    return 1 if watch.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
