"""Firefox and WebKit (Safari's engine) for the cross-engine smoke suite and benchmark, with the network closed.

Playwright cannot drive Debian's Firefox or WebKitGTK, and its own builds cannot be downloaded here, so:
- Firefox (Debian `firefox-esr`) speaks WebDriver BiDi itself: `Firefox` starts it with a throwaway profile and
  talks BiDi over selenium's WebSocket connection (no geckodriver needed). BiDi's event stream reports uncaught
  errors, console messages and every request the page makes.
- WebKit (Debian `webkit2gtk-driver`): `WebKit` drives MiniBrowser through WebKitWebDriver with selenium's
  classic WebDriver, on a virtual display (Xvfb; MiniBrowser's own headless mode hangs). Classic WebDriver has
  no event stream, so the page records its own errors through tests/page_watch.js, which the offline server
  puts first in <head> (`serve_offline`).

No request can leave the machine: the site is served by tools/webserver.py in offline mode (the CDN base is
rewritten to the local runtime mirror), and each browser's proxy is a `RequestRecorder` on loopback that refuses
and records whatever is sent to it (loopback itself is never proxied). Both engines share one interface
(`Engine`: open, evaluate, wait_for, draw, click, press, problems) so one test suite runs in each.
Also used by tools/bench_engines.py, so it has no pytest dependency.
"""
from __future__ import annotations

import base64
import glob
import http.server
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time
import warnings
from pathlib import Path

from tests import browser
from tools import build_runtime, webserver

ENGINES = ("firefox", "webkit")
FIREFOX = "/usr/bin/firefox-esr"
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER_GLOB = "/usr/lib/*/webkit2gtk-4.1/MiniBrowser"
WATCH_SCRIPT = "/tests/page_watch.js"
VIEWPORT = (1280, 900)
LAUNCH_TIMEOUT_S = 60
READY_TIMEOUT_S = 180  # WebKit boots Pyodide ~4x slower than Chromium, and a shared machine can double that
OUTSIDE = re.compile(r"^(?!data:|blob:|about:)(?!https?://(127\.\d+\.\d+\.\d+|localhost|\[::1\])[:/])")
# Everything the page itself recorded (tests/page_watch.js), PyScript's error banners, and any resource the page
# loaded from outside loopback, as a JSON-able list of strings.
PROBLEMS_JS = """[].concat(
    window.__pageProblems || ["tests/page_watch.js did not run: the page is not watched"],
    Array.from(document.querySelectorAll(".py-error"), (e) => "py-error banner: " + e.textContent.trim()),
    performance.getEntriesByType("resource").map((e) => e.name)
        .filter((url) => !/^(data:|blob:|https?:\\/\\/(127\\.\\d+\\.\\d+\\.\\d+|localhost|\\[::1\\])[:\\/])/.test(url))
        .map((url) => "resource from outside loopback: " + url))"""
ESCAPE = "\ue00c"  # WebDriver's key code for Escape


class EngineError(Exception):
    """The browser or its driver failed (not the page under test)."""


def serve_offline(pages: dict[str, str] | None = None, routes: dict | None = None):
    """The site in offline mode with tests/page_watch.js first in <head>; returns (server, base_url). routes: as
    webserver.start's (the facts stub on the site's own origin, which the page's CSP allows)."""
    runtime_dir = build_runtime.ensure() / "cdn" / "cdn.jsdelivr.net"
    return webserver.start(runtime_dir=runtime_dir, head_scripts=(WATCH_SCRIPT,), pages=pages, routes=routes)


class RequestRecorder:
    """An HTTP proxy on loopback that forwards nothing: it records each request (CONNECT host:port for HTTPS,
    the absolute URL for HTTP) and answers 403. Given to the browsers as their proxy."""

    def __init__(self):
        self.requests: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                pass

            def refuse(self):
                recorder.requests.append("%s %s" % (self.command, self.path))
                self.send_error(403, "the network is closed in tests")

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_CONNECT = refuse

        self.server = webserver.QuietServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Engine:
    """What the smoke suite needs from a browser; subclasses implement the primitives."""

    name = ""
    version = ""

    def __init__(self):
        self.recorder = RequestRecorder()
        self.earlier: list[str] = []  # problems of documents already navigated away from

    # --- primitives ------------------------------------------------------------------------------------------
    def _navigate(self, url: str) -> None:
        raise NotImplementedError

    def _run(self, expression: str) -> str:
        """Evaluate a JS expression that yields a JSON string (or a promise of one)."""
        raise NotImplementedError

    def _pointer(self, strokes: list[list[tuple[int, int]]]) -> None:
        """Press, move through and release the mouse along each stroke (viewport CSS pixels)."""
        raise NotImplementedError

    def click(self, selector: str) -> None:
        raise NotImplementedError

    def press(self, key: str) -> None:
        raise NotImplementedError

    def _engine_problems(self) -> list[str]:
        return []

    def screenshot(self, path: str) -> None:
        """The viewport as a PNG file."""
        raise NotImplementedError

    def _quit(self) -> None:
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------------------------------
    def evaluate(self, expression: str):
        """The JSON value of a JS expression (a promise is awaited)."""
        text = self._run("Promise.resolve((%s)).then((v) => JSON.stringify(v === undefined ? null : v))"
                         % expression)
        return json.loads(text)

    def wait_for(self, condition: str, timeout_s: float = 20.0, poll_s: float = 0.1):
        """Poll a JS expression until it is truthy; return its value or raise TimeoutError."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = self.evaluate(condition)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError("%s: not true after %.0f s: %s" % (self.name, timeout_s, condition))
            time.sleep(poll_s)

    def open(self, url: str) -> None:
        """Navigate (keeping the problems of the document left behind)."""
        if self.evaluate("location.protocol").startswith("http"):
            self.earlier.extend(self._page_problems())
        self._navigate(url)

    def open_app(self, base_url: str, query: str = "", status: str = "ready") -> float:
        """Open the page, wait for body[data-status] to be `status`; return seconds from navigation to it."""
        start = time.monotonic()
        self.open(base_url + ("?" + query if query else ""))
        selector = browser.READY_OR_ERROR % status
        self.wait_for("document.querySelector(%s) !== null" % json.dumps(selector), READY_TIMEOUT_S, 0.2)
        elapsed = time.monotonic() - start
        actual = self.evaluate("document.body.dataset.status")
        if actual != status:
            raise AssertionError("%s: page status is %r, not %r: %s" % (
                self.name, actual, status, self.evaluate("document.getElementById('status').textContent")))
        return elapsed

    def box(self, selector: str) -> dict:
        return self.evaluate("(() => { const r = document.querySelector(%s).getBoundingClientRect();"
                             " return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"
                             % json.dumps(selector))

    def draw(self, strokes, selector: str = "#pad", steps: int = 4) -> None:
        """Draw strokes with the mouse; points are (x, y) in [0, 1] of the element's box (as browser.draw)."""
        box = self.box(selector)
        paths = []
        for stroke in strokes:
            points = browser.stroke_points(box, stroke)
            path = [points[0]]
            for (x0, y0), (x1, y1) in zip(points, points[1:]):  # intermediate moves, like Playwright's steps
                path += [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(1, steps + 1)]
            paths.append([(round(x), round(y)) for x, y in path])
        self._pointer(paths)

    def ink_pixels(self, selector: str = "#pad") -> int:
        return self.evaluate("(%s)(%s)" % (browser.INK_PIXELS_JS, json.dumps(selector)))

    def _page_problems(self) -> list[str]:
        try:
            return self.evaluate(PROBLEMS_JS)
        except Exception as error:  # noqa: BLE001 - a page that cannot be asked is itself a problem
            return ["the page could not be checked: %s" % error]

    def outside_requests(self) -> list[str]:
        """Requests that tried to leave the machine (sent to the recording proxy)."""
        return list(self.recorder.requests)

    def problems(self) -> list[str]:
        """Everything that went wrong so far: page errors (this and earlier documents), engine-reported errors,
        requests that tried to leave the machine."""
        return (self.earlier + self._page_problems() + self._engine_problems()
                + ["request to outside loopback: " + r for r in self.outside_requests()])

    def forget_problems(self) -> None:
        """Start counting afresh (a new test on a shared browser, once the last one's problems were reported)."""
        self.earlier.clear()
        self.recorder.requests.clear()
        if self.evaluate("location.protocol").startswith("http"):
            self.evaluate("window.__pageProblems && window.__pageProblems.splice(0)")
            self.evaluate("performance.clearResourceTimings()")

    def close(self) -> None:
        try:
            self._quit()
        finally:
            self.recorder.close()


class Firefox(Engine):
    """Debian's Firefox ESR, headless, driven over WebDriver BiDi with a fresh profile (a cold start)."""

    name = "firefox"

    def __init__(self):
        super().__init__()
        from selenium.webdriver.remote.websocket_connection import WebSocketConnection

        self.profile = tempfile.mkdtemp(prefix="digit-factoid-firefox-")
        self._write_prefs(Path(self.profile) / "user.js")
        self.process = subprocess.Popen(
            [FIREFOX, "--headless", "--no-remote", "--profile", self.profile, "--remote-debugging-port=0",
             "about:blank"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.errors: list[str] = []
        self.page_requests: list[str] = []
        try:
            ws_url = self._wait_for_bidi_url()
            self.bidi = WebSocketConnection(ws_url + "/session", LAUNCH_TIMEOUT_S, 0.005)  # timeout, poll (s)
            self.version = self.command("session.new", {"capabilities": {}})["capabilities"]["browserVersion"]
            self.bidi.callbacks["log.entryAdded"] = [self._on_log]
            self.bidi.callbacks["network.beforeRequestSent"] = [self._on_request]
            self.command("session.subscribe", {"events": ["log.entryAdded", "network.beforeRequestSent"]})
            self.context = self.command("browsingContext.getTree", {})["contexts"][0]["context"]
            self.command("browsingContext.setViewport", {
                "context": self.context, "viewport": {"width": VIEWPORT[0], "height": VIEWPORT[1]}})
        except BaseException:
            self._quit()
            raise

    def _write_prefs(self, path: Path) -> None:
        # The remote agent already sets its recommended automation prefs (no updates, telemetry, first-run
        # pages); these send anything else to the recording proxy. Loopback is never proxied by default.
        prefs = {"network.proxy.type": 1, "network.proxy.http": "127.0.0.1",
                 "network.proxy.http_port": self.recorder.port, "network.proxy.ssl": "127.0.0.1",
                 "network.proxy.ssl_port": self.recorder.port, "network.proxy.no_proxies_on": "",
                 "network.proxy.allow_hijacking_localhost": False,
                 "browser.shell.checkDefaultBrowser": False}
        path.write_text("".join("user_pref(%s, %s);\n" % (json.dumps(k), json.dumps(v)) for k, v in prefs.items()))

    def _wait_for_bidi_url(self) -> str:
        deadline = time.monotonic() + LAUNCH_TIMEOUT_S
        seen = []
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 1.0)
            if not ready:
                continue
            line = self.process.stdout.readline()
            if not line:
                break
            seen.append(line.rstrip())
            match = re.search(r"WebDriver BiDi listening on (ws://\S+)", line)
            if match:  # keep draining the pipe so Firefox never blocks on a full one
                threading.Thread(target=self.process.stdout.read, daemon=True).start()
                return match.group(1)
        raise EngineError("Firefox did not start its WebDriver BiDi server:\n" + "\n".join(seen[-20:]))

    def command(self, method: str, params: dict) -> dict:
        reply = self.bidi.send_cmd(method, params)
        if "error" in reply:
            raise EngineError("%s: %s: %s" % (method, reply["error"], reply.get("message", "")))
        return reply["result"]

    def _on_log(self, entry: dict) -> None:
        text = entry.get("text") or ""
        if any(marker in text for marker in browser.PY_TRACEBACK):
            self.errors.append("Python error: " + text)
        elif entry.get("type") == "javascript":
            self.errors.append("uncaught JS error: " + text)
        elif entry.get("level") == "error":
            self.errors.append("console error: " + text)

    def _on_request(self, event: dict) -> None:
        url = event["request"]["url"]
        if event.get("context") and OUTSIDE.match(url):
            self.page_requests.append(url)

    def _engine_problems(self) -> list[str]:
        return list(self.errors)

    def outside_requests(self) -> list[str]:
        """The page's requests to anything but loopback, as BiDi reports them. Not the recorder's list:
        Firefox itself asks its Remote Settings service at start-up whatever the prefs say (refused there)."""
        return list(self.page_requests)

    def forget_problems(self) -> None:
        super().forget_problems()
        self.errors.clear()
        self.page_requests.clear()

    def _navigate(self, url: str) -> None:
        self.command("browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"})

    def _run(self, expression: str) -> str:
        result = self.command("script.evaluate", {
            "expression": expression, "target": {"context": self.context}, "awaitPromise": True,
            "resultOwnership": "none"})
        if result["type"] == "exception":
            raise EngineError("JS exception: " + result["exceptionDetails"]["text"])
        return result["result"]["value"]

    def _actions(self, source: dict) -> None:
        self.command("input.performActions", {"context": self.context, "actions": [source]})

    def _pointer(self, strokes) -> None:
        actions = []
        for path in strokes:
            actions.append({"type": "pointerMove", "x": path[0][0], "y": path[0][1], "duration": 0})
            actions.append({"type": "pointerDown", "button": 0})
            actions += [{"type": "pointerMove", "x": x, "y": y, "duration": 0} for x, y in path[1:]]
            actions.append({"type": "pointerUp", "button": 0})
        self._actions({"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
                       "actions": actions})

    def click(self, selector: str) -> None:
        box = self.box(selector)
        x, y = round(box["x"] + box["width"] / 2), round(box["y"] + box["height"] / 2)
        self._pointer([[(x, y)]])

    def press(self, key: str) -> None:
        self._actions({"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]})

    def screenshot(self, path: str) -> None:
        data = self.command("browsingContext.captureScreenshot", {"context": self.context})["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def _quit(self) -> None:
        bidi = getattr(self, "bidi", None)
        if bidi is not None:
            try:
                self.command("browser.close", {})
            except Exception:  # noqa: BLE001 - already gone: terminate below
                pass
            bidi.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class VirtualDisplay:
    """An Xvfb server on a free display number (it picks one and tells us through -displayfd)."""

    def __init__(self, size: str = "1400x1000x24"):
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size,
                                         "-nolisten", "tcp"], pass_fds=(write_fd,),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        number = b""
        try:  # read the whole line: Xvfb dies of SIGPIPE if the pipe is closed before its newline
            deadline = time.monotonic() + LAUNCH_TIMEOUT_S
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                ready, _, _ = select.select([read_fd], [], [], 1.0)
                chunk = os.read(read_fd, 64) if ready else b""
                if ready and not chunk:
                    break
                number += chunk
        finally:
            os.close(read_fd)
        number = number.decode().strip()
        if not number:
            self.close()
            raise EngineError("Xvfb did not start")
        self.name = ":" + number

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WebKit(Engine):
    """WebKitGTK's MiniBrowser in a window on a virtual display, driven by WebKitWebDriver (classic WebDriver).
    An automation session keeps its website data in memory only: every launch is a cold start."""

    name = "webkit"

    def __init__(self):
        super().__init__()
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        binaries = sorted(glob.glob(MINIBROWSER_GLOB))
        if not binaries or not Path(WEBKIT_DRIVER).exists():
            raise EngineError("WebKitGTK's MiniBrowser or WebKitWebDriver is missing: run tools/setup.sh")
        self.display = VirtualDisplay()
        options = Options()
        options.binary_location = binaries[0]
        options.add_argument("--automation")
        # The proxy through the environment: WebDriver's proxy capability missed HTTPS here (tried).
        proxy = "http://127.0.0.1:%d" % self.recorder.port
        env = {**os.environ, "DISPLAY": self.display.name, "http_proxy": proxy, "https_proxy": proxy,
               "no_proxy": "127.0.0.1,localhost,::1"}
        service = Service(executable_path=WEBKIT_DRIVER, env=env)
        try:
            with warnings.catch_warnings():  # selenium's own WebKitGTK class uses its deprecated argument
                warnings.simplefilter("ignore", DeprecationWarning)
                self.driver = webdriver.WebKitGTK(options=options, service=service)
            self.driver.set_window_size(*VIEWPORT)
            self.driver.set_script_timeout(READY_TIMEOUT_S)
        except BaseException:
            self.display.close()
            raise
        self.version = self.driver.capabilities.get("browserVersion", "")

    def _navigate(self, url: str) -> None:
        self.driver.get(url)

    def _run(self, expression: str) -> str:
        return self.driver.execute_script("return " + expression)

    def _pointer(self, strokes) -> None:
        from selenium.webdriver.common.actions.action_builder import ActionBuilder
        from selenium.webdriver.common.actions.pointer_input import PointerInput
        from selenium.webdriver.common.actions import interaction

        builder = ActionBuilder(self.driver, mouse=PointerInput(interaction.POINTER_MOUSE, "mouse"), duration=0)
        for path in strokes:
            builder.pointer_action.move_to_location(*path[0])
            builder.pointer_action.pointer_down()
            for point in path[1:]:
                builder.pointer_action.move_to_location(*point)
            builder.pointer_action.pointer_up()
        builder.perform()

    def click(self, selector: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.CSS_SELECTOR, selector).click()

    def press(self, key: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self.driver).send_keys(key).perform()

    def screenshot(self, path: str) -> None:
        self.driver.save_screenshot(path)

    def _quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            self.display.close()


def launch(name: str) -> Engine:
    """A fresh browser of the engine `name` (one of ENGINES)."""
    return {"firefox": Firefox, "webkit": WebKit}[name]()
