"""A stand-in for the Numbers API on loopback, for the facts tests (Python and browser).

    with FactsStub() as stub:            # FactsStub(tls=True): HTTPS with a throwaway self-signed certificate
        stub.mode = "delay"               # one of MODES; stub.delay_s = 5.0
        url = stub.base_url               # e.g. http://127.0.0.1:41234 — pass as the page's ?facts= parameter
        ...
        stub.requests                     # the paths asked for, in order

`GET /{n}/{kind}?json` answers as numbersapi.com does (`{"text", "number", "found", "type"}`) in mode "normal",
and misbehaves on purpose in the others. Every answer allows any origin (the page is served from another port).
The server runs in its own threads; leaving the `with` block stops it, cutting short any pending delay.
"""
from __future__ import annotations

import http.server
import json
import re
import shutil
import ssl
import subprocess
import tempfile
import threading
from pathlib import Path

MODES = ("normal", "delay", "error", "html", "not-found", "wrong-number", "xss")
XSS_TEXT = 'Stub fact <img src=x onerror="window.__xss=1"> about {n}.'
PATH = re.compile(r"^/(\d+)/(trivia|math|date|year)$")
CLIENT_GONE = (ConnectionError, ssl.SSLError, TimeoutError)


def normal_text(n, kind):
    return "%d is the number of the stub's %s fact." % (n, kind)


class FactsStub:
    """The stub server; a context manager. `mode`, `delay_s` may change at any time, even between requests."""

    def __init__(self, tls: bool = False, mode: str = "normal", delay_s: float = 5.0):
        self.tls = tls
        self.mode = mode
        self.delay_s = delay_s
        self.requests: list[str] = []
        self.stopping = threading.Event()  # set on exit: delays end at once
        self.cert_path: Path | None = None  # the certificate to trust, when tls
        self._tempdir: tempfile.TemporaryDirectory | None = None
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return "%s://%s:%d" % ("https" if self.tls else "http", host, port)

    def __enter__(self) -> FactsStub:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self))
        if self.tls:
            self._tempdir = tempfile.TemporaryDirectory(prefix="facts-stub-")
            cert, key = make_certificate(Path(self._tempdir.name))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            # The handshake happens in the request's own thread, so a silent client cannot block accept().
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True,
                                                      do_handshake_on_connect=False)
            self.cert_path = cert
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="facts-stub", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()  # joins the request threads (they time out; delays were just cut short)
        self._thread.join()
        if self._tempdir is not None:
            self._tempdir.cleanup()

    def answer(self, path: str) -> tuple[int, str, str]:
        """(status, content type, body) for one request path, in the current mode."""
        self.requests.append(path)
        match = PATH.match(path.split("?")[0])
        if not match:
            return 404, "text/plain; charset=utf-8", "not found"
        n, kind = int(match.group(1)), match.group(2)
        mode = self.mode
        if mode == "delay":
            self.stopping.wait(self.delay_s)
        if mode == "error":
            return 500, "text/html; charset=utf-8", "<h1>500 Internal Server Error</h1>"
        if mode == "html":
            return 200, "text/html; charset=utf-8", "<!doctype html><title>Page</title><p>Not an API.</p>"
        fact = {"text": normal_text(n, kind), "number": n, "found": True, "type": kind}
        if mode == "not-found":
            fact.update(text="%d is an unremarkable number." % n, found=False)
        elif mode == "wrong-number":
            fact.update(text=normal_text(n + 1, kind), number=n + 1)
        elif mode == "xss":
            fact.update(text=XSS_TEXT.format(n=n))
        elif mode not in ("normal", "delay"):
            raise ValueError("unknown stub mode %r; use one of %s" % (mode, ", ".join(MODES)))
        return 200, "application/json; charset=utf-8", json.dumps(fact)


def handler_for(stub: FactsStub):
    class Handler(http.server.BaseHTTPRequestHandler):
        timeout = 2  # seconds: a client that connects and says nothing (a browser preconnect) is let go soon

        def do_GET(self):  # noqa: N802 - the base class's naming
            status, content_type, body = stub.answer(self.path)
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

        # A client that gave up (its own timeout) or did not speak TLS: nothing to answer, nothing to report.
        def handle(self):
            try:
                super().handle()
            except CLIENT_GONE:
                pass

        def finish(self):
            try:
                super().finish()
            except CLIENT_GONE:
                pass

    return Handler


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid 2 days: (cert.pem, key.pem) in `folder`."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the HTTPS facts stub needs the openssl command (apt-get install openssl)")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key
