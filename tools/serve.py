"""Serve Digit Factoid locally: `python tools/serve.py [--port 8000] [--offline]`.

Without --offline this is plain static serving, like GitHub Pages: the page loads its runtime from the CDN.
With --offline the runtime comes from the local mirror (built first if needed), so the page works with no
internet at all and behaves the same.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import build_runtime, webserver  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--offline", action="store_true", help="serve the runtime from the local mirror")
    args = parser.parse_args(argv)
    runtime_dir = None
    if args.offline:
        try:
            runtime_dir = build_runtime.ensure() / "cdn" / "cdn.jsdelivr.net"
        except build_runtime.RuntimeError_ as error:
            print("error: %s" % error, file=sys.stderr)
            return 1
    server, url = webserver.start(host=args.host, port=args.port, runtime_dir=runtime_dir)
    print("Digit Factoid at %s (%s runtime) — Ctrl+C to stop" % (url, "local" if args.offline else "CDN"))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
