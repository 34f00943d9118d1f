"""The page's UI module: the only Python that touches the DOM.

Boot: numpy/Pillow (installed by PyScript from pyscript.toml), then the two networks from weights/. Then, after
each change of the drawing pad (static/pad.js: `pad:change` on #pad, coalesced), it reads the pad's pixels,
segments them into digits (preprocess), runs both networks (net), shows the number, each net's reading and
probabilities, the 28x28 images the nets saw, and a fact about the number (facts). Everything it computes comes
from the pure modules beside it; this file only reads and writes the page. Text is always set as text.
"""
import asyncio

from pyodide.ffi import create_proxy, to_js
from pyscript import document, window

CONFIDENT = 0.6  # below this top probability (for any digit) the page says it is not sure
NOT_A_DIGIT = 0.8  # above this "not one digit" probability (the CNN's 11th output) the page says so
WARM_UP_DRAWINGS = 12  # predictions on a made-up drawing after ready: wasm code is slow for its first calls
NETS = ("cnn", "mlp")
BAR_PX = 40  # height of a 100 % bar (static/app.css gives the chart room for it and the labels)

models = {}
# api_missing: the facts proxy answered 404 or HTML (e.g. GitHub Pages has none): stop asking it this session.
state = {"timer": None, "number": "", "generation": 0, "api_missing": False}
handlers = []  # event-handler proxies, kept alive for the page's lifetime (created once)


def element(id_):
    return document.getElementById(id_)


def set_status(text, status=None):
    element("status").textContent = text
    if status:
        document.body.dataset.status = status


# --- Boot ---------------------------------------------------------------------------------------------------

def load_models():
    import net

    for name in NETS:
        models[name] = net.load("weights/%s.npz" % name)


def listen(target, event, function):
    proxy = create_proxy(function)
    target.addEventListener(event, proxy)
    handlers.append(proxy)


def boot():
    set_status("Loading the networks…")
    try:
        load_models()
    except Exception as error:  # noqa: BLE001 - net.ModelError and I/O errors: the message says which file
        set_status("The networks could not be loaded — %s. Reload the page; if it persists, the site's weights "
                   "files are damaged." % error, "error")
        return
    listen(element("pad"), "pad:change", on_pad_change)
    for radio in document.querySelectorAll("input[name=kind]"):
        listen(radio, "change", on_kind_change)
    set_status("Ready — draw a digit. Both networks run in your browser.", "ready")
    window.performance.mark("app-ready")
    if not window.pad.isEmpty():  # drawn while Python was loading
        predict()
    else:
        asyncio.ensure_future(warm_up())


def made_up_drawing():
    """RGBA bytes, width, height of a "10" drawn black on white, as the pad would hand it over."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (280, 280), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(80, 60), (80, 220)], fill="black", width=20)
    draw.ellipse([(130, 60), (220, 220)], outline="black", width=20)
    return image.tobytes(), image.width, image.height


async def warm_up():
    """Run the reading path (not the display) a few times right after ready, in small steps that give way to
    the person: the first drawings are then as quick as the later ones (imports done, wasm code warmed up)."""
    import numpy as np

    import facts  # noqa: F401 - imported now rather than at the first fact
    import net
    import preprocess

    pixels, width, height = made_up_drawing()
    for _ in range(WARM_UP_DRAWINGS):
        await asyncio.sleep(0.01)
        if not window.pad.isEmpty():
            return  # the person is drawing: their own predictions take over
        digits = preprocess.segment_boxes(preprocess.from_rgba(pixels, width, height), read=read_both)
        outputs = {name: models[name].read(np.stack([d for _, d in digits])) for name in NETS}
        net.not_one_digit(outputs["cnn"])
        for out in outputs.values():
            net.digit_probabilities(out)
    window.performance.mark("warmed-up")


# --- Reading the drawing ------------------------------------------------------------------------------------

def on_pad_change(event):
    # Read at the next turn of the event loop; changes before then (a burst of Undo) are read once, since
    # predict() reads the pad as it is when it runs. No timer delay: pointer-up to prediction is the latency.
    if state["timer"] is None:
        state["timer"] = asyncio.get_event_loop().call_soon(predict)


def read_pad():
    """The pad's digits: list of ((x0, y0, x1, y1), (28, 28) array), left to right."""
    import preprocess

    image = window.pad.pixels()
    pixels = image.data.to_py()  # a memoryview copy of the canvas bytes
    ink = preprocess.from_rgba(pixels, image.width, image.height)
    # With a reader, segmentation weighs each way of splitting touching digits by how well it reads.
    return preprocess.segment_boxes(ink, read=read_both)


def read_both(batch):
    """(N, 28, 28) -> (N, 10 or 11): both nets' mean reading, with the CNN's "not one digit" chance."""
    import net

    return net.reader([models[name] for name in NETS])(batch)


def average(probabilities):
    """The nets' mean probabilities: where they disagree, the more confident one usually wins."""
    return sum(probabilities.values()) / len(probabilities)


def predict():
    state["timer"] = None
    window.performance.mark("predict-start")
    # Which drawing this reading is of: tests and tools wait for it to match the pad.
    element("number").dataset.strokes = str(window.pad.strokeCount())
    try:
        digits = [] if window.pad.isEmpty() else read_pad()
        if not digits:
            show_empty()
            return
        import numpy as np

        import net

        batch = np.stack([d for _, d in digits])
        outputs = {name: models[name].read(batch) for name in NETS}
        probabilities = {name: net.digit_probabilities(out) for name, out in outputs.items()}
        show_reading(batch, probabilities, net.not_one_digit(outputs["cnn"]))
        window.requestAnimationFrame(painted)
    except Exception as error:  # noqa: BLE001 - one bad drawing must not break the page
        show_problem("Could not read that drawing: %s" % error)
        raise
    finally:
        window.performance.mark("predict-end")
        window.performance.measure("predict", "predict-start", "predict-end")


def _painted(timestamp):
    # The frame after the DOM update: the prediction is on screen (measured by tools/bench_speed.py).
    window.performance.mark("prediction-painted")


painted = create_proxy(_painted)  # one proxy for the page's lifetime, not one per prediction


def reading(probabilities):
    """(digits as a string, lowest top probability) for one net's (N, 10) probabilities."""
    top = probabilities.argmax(axis=1)
    return "".join(str(int(d)) for d in top), float(probabilities.max(axis=1).min())


# --- Showing results ----------------------------------------------------------------------------------------

def show_empty():
    element("number").dataset.value = ""
    element("number").textContent = "?"
    verdict("Draw a digit to begin.", "")
    for name in NETS:
        box = element(name)
        box.dataset.digits = ""
        box.dataset.confidence = ""
        box.querySelector(".net-digits").textContent = "–"
        box.querySelector(".net-conf").textContent = ""
        box.querySelector(".bars").replaceChildren()
    element("seen").replaceChildren()
    set_fact_idle()


def show_problem(message):
    show_empty()
    verdict(message, "disagree")


def verdict(text, kind):
    node = element("verdict")
    node.textContent = text
    node.className = "verdict " + kind


def show_reading(batch, probabilities, rejected=None):
    """rejected: (N,) the CNN's "not one digit" probability of each digit, or None."""
    readings = {name: reading(p) for name, p in probabilities.items()}
    combined = average(probabilities)
    number, confidence = reading(combined)
    node = element("number")
    node.dataset.value = number
    node.textContent = number
    for name in NETS:
        show_net(name, readings[name], probabilities[name])
    show_seen(batch)
    explain(number, confidence, readings, combined, rejected)
    request_fact(number)


def explain(number, confidence, readings, combined, rejected):
    if rejected is not None and rejected.max() > NOT_A_DIGIT:
        where = "" if len(number) == 1 else " (digit %d)" % (int(rejected.argmax()) + 1)
        verdict("Hmm — that doesn't look like a digit to the CNN%s. Try drawing it again." % where, "unsure")
    elif confidence < CONFIDENT:
        index = int(combined.max(axis=1).argmin())
        first, second = [int(d) for d in combined[index].argsort()[::-1][:2]]
        where = "" if len(number) == 1 else " (digit %d)" % (index + 1)
        verdict("Not sure — %d or %d?%s Try drawing it a bit clearer." % (first, second, where), "unsure")
    elif all(readings[name][0] == number for name in NETS):
        verdict("Both networks agree.", "agree")
    else:
        verdict("The networks disagree — CNN: %s, MLP: %s." % (readings["cnn"][0], readings["mlp"][0]),
                "disagree")


def show_net(name, net_reading, probabilities):
    digits, confidence = net_reading
    box = element(name)
    box.dataset.digits = digits
    box.dataset.confidence = "%.4f" % confidence
    box.querySelector(".net-digits").textContent = digits
    box.querySelector(".net-conf").textContent = "%d%% sure" % round(100 * confidence)
    charts = [bar_chart(p) for p in probabilities]
    box.querySelector(".bars").replaceChildren(*charts)


def bar_chart(probabilities):
    """One digit's probabilities over 0-9 as a row of bars; the top 3 are labelled with percentages."""
    figure = document.createElement("figure")
    chart = document.createElement("div")
    chart.className = "chart"
    ranked = [int(d) for d in probabilities.argsort()[::-1]]
    caption = document.createElement("figcaption")
    caption.textContent = " · ".join("%d: %d%%" % (d, round(100 * float(probabilities[d]))) for d in ranked[:3])
    figure.append(chart, caption)
    for digit in range(10):
        bar = document.createElement("div")
        bar.className = "bar best" if digit == ranked[0] else ("bar near" if digit in ranked[1:3] else "bar")
        track, fill = document.createElement("span"), document.createElement("i")
        fill.style.height = "%dpx" % max(2, round(BAR_PX * float(probabilities[digit])))
        track.append(fill)
        label = document.createElement("b")
        label.textContent = str(digit)
        bar.append(track, label)
        chart.append(bar)
    return figure


def show_seen(batch):
    """Draw each 28x28 input, white on black as the nets see it, into small pixelated canvases."""
    import numpy as np

    canvases = []
    for digit in batch:
        canvas = document.createElement("canvas")
        canvas.width = canvas.height = 28
        gray = (np.clip(digit, 0, 1) * 255).astype(np.uint8)
        rgba = np.empty((28, 28, 4), dtype=np.uint8)
        rgba[..., :3] = gray[..., None]
        rgba[..., 3] = 255
        data = window.Uint8ClampedArray.new(to_js(rgba.tobytes()))
        canvas.getContext("2d").putImageData(window.ImageData.new(data, 28, 28), 0, 0)
        canvases.append(canvas)
    element("seen").replaceChildren(*canvases)


# --- Facts --------------------------------------------------------------------------------------------------

def chosen_kind():
    checked = document.querySelector("input[name=kind]:checked")
    return checked.value if checked else "trivia"


def on_kind_change(event):
    if state["number"]:
        request_fact(state["number"], force=True)


def set_fact_idle():
    state["number"] = ""
    state["generation"] += 1
    fact = element("fact")
    fact.dataset.source = ""
    fact.dataset.number = ""
    fact.textContent = "A fact about your number will appear here."
    element("fact-source").textContent = ""


def request_fact(number, force=False):
    if number == state["number"] and not force:
        return
    state["number"] = number
    state["generation"] += 1
    element("fact-source").textContent = "Looking up %s…" % number
    asyncio.ensure_future(show_fact(int(number), chosen_kind(), state["generation"]))


async def fetch_text(url, timeout):
    """The browser's fetch with a timeout: (status, content type, body text). Raises on network errors."""
    controller = window.AbortController.new()
    abort = create_proxy(lambda: controller.abort())
    timer = window.setTimeout(abort, int(timeout * 1000))
    try:
        response = await window.fetch(url, signal=controller.signal)
        body = await response.text()
        return int(response.status), str(response.headers.get("content-type") or ""), str(body)
    finally:
        window.clearTimeout(timer)
        abort.destroy()


async def show_fact(n, kind, generation):
    import facts

    if state["api_missing"]:
        fact = facts.offline_fact(n, kind)
    else:
        base = facts.resolve_base(window.URLSearchParams.new(window.location.search).get("facts"))
        fact = await facts.get_fact(n, kind, fetch_text, base=base)
        state["api_missing"] = fact.note.startswith(("HTTP status 404", "not JSON"))
    if generation != state["generation"]:
        return  # the drawing changed while we waited: a newer fact is on its way
    node = element("fact")
    node.textContent = fact.text  # text, never HTML: the API's words cannot run anything
    node.dataset.number = str(fact.number)
    node.dataset.source = fact.source
    element("fact-source").textContent = ("from the Numbers API" if fact.source == "api"
                                          else "from Digit Factoid's own facts (offline)")


# --- Measurement hooks for tools/bench_speed.py (cheap: they only run when called) --------------------------

def bench(repeats=200):
    """JSON: median ms per call of each net's forward pass (one image) and of reading the pad, after warm-up."""
    import json
    import time

    import numpy as np

    def per_call(function, count):
        function()
        rounds = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(count):
                function()
            rounds.append((time.perf_counter() - start) * 1000 / count)
        return sorted(rounds)[2]

    x = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    result = {name + "_forward_ms": per_call(lambda m=models[name]: m.predict_proba(x), repeats) for name in NETS}
    if not window.pad.isEmpty():
        result["preprocess_ms"] = per_call(read_pad, max(1, repeats // 10))
    return json.dumps(result)


def memory():
    """JSON: the wasm heap size and Python's live object count (for leak checks)."""
    import gc
    import json

    import pyodide_js

    gc.collect()
    return json.dumps({"wasm_bytes": int(pyodide_js._module.HEAP8.length), "py_objects": len(gc.get_objects())})


window.digitFactoidBench = create_proxy(bench)
window.digitFactoidMemory = create_proxy(memory)

try:
    boot()
except Exception as error:  # noqa: BLE001 - any boot failure must reach the user, then the console
    set_status("Digit Factoid could not start: %s" % error, "error")
    raise
