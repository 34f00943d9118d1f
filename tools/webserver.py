"""A small static server for the site, shared by `tools/serve.py` and the browser tests.

Plain mode serves the repo folder as any static host would (GitHub Pages, Netlify). Offline mode also serves the
runtime mirror built by `tools/build_runtime.py` under /_runtime/ and rewrites the CDN base URL in the two files
that name it (index.html, pyscript.toml) to http://<this host>/_runtime/ as they are served, so the page runs with
no internet under the same CSP and Subresource Integrity hashes (the mirror's bytes are the CDN's); the files on
disk are untouched.
"""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CDN_BASE = "https://cdn.jsdelivr.net/"
RUNTIME_PATH = "/_runtime/"
# Explicit types: a bare machine may lack /etc/mime.types, and .mjs/.wasm must be right for the browser.
MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".toml": "text/plain; charset=utf-8",
    ".py": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".wasm": "application/wasm",
    ".whl": "application/octet-stream",
    ".zip": "application/zip",
    ".npz": "application/octet-stream",
    ".md": "text/plain; charset=utf-8",
}
# The files that name the CDN, by URL path -> file name.
REWRITTEN = {"/": "index.html", "/index.html": "index.html", "/pyscript.toml": "pyscript.toml"}


def content_type(path: str) -> str:
    return MIME_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory`; with `runtime_dir`, also the runtime mirror and the offline rewrite."""

    extensions_map = {"": "application/octet-stream", **MIME_TYPES}

    def __init__(self, *args, runtime_dir: Path | None = None, routes: dict | None = None, **kwargs):
        self.runtime_dir = runtime_dir
        self.routes = routes or {}
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def end_headers(self):
        # Always revalidate: a developer who edits a file sees it on reload.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_GET(self):  # noqa: N802 - the base class's name
        path = self.path.split("?")[0].split("#")[0]
        for prefix, answer in self.routes.items():
            if path.startswith(prefix):
                status, ctype, body = answer(self.path[len(prefix):])
                return self._send(body.encode("utf-8"), ctype, status)
        if self.runtime_dir is not None and path.startswith(RUNTIME_PATH):
            return self._send_file(self.runtime_dir / path[len(RUNTIME_PATH):])
        if self.runtime_dir is not None and path in REWRITTEN:
            return self._send_rewritten(REWRITTEN[path])
        return super().do_GET()

    def _send_file(self, file: Path):
        if ".." in file.parts or not file.is_file():
            return self.send_error(404, "not in the runtime mirror (run tools/build_runtime.py)")
        self._send(file.read_bytes(), content_type(file.name))

    def _send_rewritten(self, name: str):
        file = Path(self.directory) / name
        if not file.is_file():
            return self.send_error(404)
        # An absolute same-origin URL, not the bare path: the CDN base also stands in the page's CSP, where a
        # path alone is not a valid source (the browser would ignore it and say so; 'self' covers it anyway).
        host = self.headers.get("Host")
        runtime = "http://%s%s" % (host, RUNTIME_PATH) if host else RUNTIME_PATH
        text = file.read_text(encoding="utf-8").replace(CDN_BASE, runtime)
        self._send(text.encode("utf-8"), content_type(file.name))

    def _send(self, body: bytes, ctype: str, status: int = 200):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)



class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a browser closing a connection early is not an error worth printing


def start(directory: Path = ROOT, host: str = "127.0.0.1", port: int = 0, runtime_dir: Path | None = None,
          routes: dict | None = None):
    """Serve in a background thread; return (server, base_url). Call server.shutdown() to stop.

    routes: {"/prefix/": answer} answers GETs under that prefix with answer(rest of the path and query) ->
    (status, content type, text), e.g. the tests' Numbers-API stub on the site's own origin (its CSP allows it).
    """
    handler = functools.partial(SiteHandler, directory=str(directory), runtime_dir=runtime_dir, routes=routes)
    server = QuietServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://%s:%d/" % (host, server.server_address[1])
