"""The page's UI module: it wires the page. It and the panel modules (py/*_panel.py: the result card, the fact
card, the tape, the look inside, the corrections), each owning its own element ids, are the only Python that
touches the DOM.

Boot: numpy/Pillow (installed by PyScript from pyscript.toml), then the two networks from weights/. Then, after
each change of the drawing pad (static/pad.js: `pad:change` on #pad), it reads the pad's strokes as symbols
(grouping; the pad's pixels through segment where there are no strokes), runs both networks (net), reads the
symbols as a number or a sum and works it out (answer: grammar + calc), and hands that to the panels: the result
card (result_panel: the reading, each net's probabilities of every label, the 28x28 images the nets saw) and a
fact about the number or the sum's result (facts_panel). Each image the nets saw is a button opening the "look
inside" panel (inside_panel: evidence maps, feature maps, hidden units, from inside.py), where a button per
symbol teaches both nets what it really is (learn_panel, learn.py). A new stroke may be a scratch-out
(scratchout: the pad erases what it covers); layout puts in decimal points and raised exponents; the tape
(tape_panel) keeps sums, and a sum starting with an operator goes on from it. Everything it computes comes from
the pure modules beside it; this file only reads and writes the page. Text is always set as text.
"""
import asyncio

from pyodide.ffi import create_proxy, to_js
from pyscript import document, window

import facts_panel  # the fact card (#fact, #fact-source, the kind radios)
import inside_panel  # the look inside (#inside and the ids in it)
import learn_panel  # the corrections (#correct-labels, #forget, #export-learned, body[data-learned])
import result_panel  # the reading, the verdict, each net's charts, what the nets saw (#number ... #seen)

NOT_A_DIGIT = 0.8  # above this "not one symbol" probability (the CNN's last output) the page says so
NO_FACT_FOR_SCRIBBLE = "No fact for this one: it doesn't look like a number or a sum. Draw digits to get one."
WARM_UP_DRAWINGS = 12  # predictions on a made-up drawing after ready: wasm code is slow for its first calls
READ_MEMORY = 256  # pieces whose reading each net remembers (net.Remembering): a new stroke leaves most unchanged
NETS = ("cnn", "mlp")

models = {}
remembering = {}  # each net's net.Remembering: what it read, kept across drawings until its weights change
# symbols: the labels of the probabilities' columns (both nets' symbols, net.common_symbols).
# batch: the (N, 28, 28) inputs of the reading shown (the look-inside panel shows one of them).
# shown: the answer.Shown on the page now (the tape keeps it), or None.
state = {"symbols": list("0123456789"),
         "batch": None, "shown": None}
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
        remembering[name] = net.Remembering(models[name], READ_MEMORY)


def listen(target, event, function, capture=False):
    proxy = create_proxy(function)
    target.addEventListener(event, proxy, capture)
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
    facts_panel.setup(listen)  # the fact card: its own panel module, wired here
    listen(element("seen"), "click", on_seen_click)  # one listener for every image button, present and future
    # The look inside (inside.py): its own panel module, wired here; the corrections show under it.
    inside_panel.setup(listen, models, shown_reading, learn_panel.show)
    # The corrections (learn.py): their own panel module, wired here; it teaches the symbol the panel shows.
    learn_panel.setup(listen, models, inside_image, reread)
    import tape_panel  # the tape (issue 30): its own panel module, wired here

    tape_panel.setup(listen, lambda: state["shown"], lambda: window.pad.clear())
    set_status("Ready — draw a number or a sum. Both networks run in your browser.", "ready")
    window.performance.mark("app-ready")
    if not window.pad.isEmpty():  # drawn while Python was loading
        predict()
    else:
        asyncio.ensure_future(warm_up())


def inside_image():
    """The (28, 28) input the look-inside panel shows, or None."""
    at = inside_panel.index()
    return None if at is None or state["batch"] is None else state["batch"][at]


def reread():
    """The drawing read again (after the nets changed), if there is one."""
    if state["batch"] is not None:
        predict()


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

    import answer
    import calc  # noqa: F401 - imported now rather than at the first reading shown
    import facts  # noqa: F401 - imported now rather than at the first fact
    import grouping  # noqa: F401 - the pad is read by its strokes
    import net
    import preprocess
    import segment

    pixels, width, height = made_up_drawing()
    for _ in range(WARM_UP_DRAWINGS):
        await asyncio.sleep(0.01)
        if not window.pad.isEmpty():
            return  # the person is drawing: their own predictions take over
        digits = segment.segment_boxes(preprocess.from_rgba(pixels, width, height), read=read_both)
        outputs = {name: models[name].read(np.stack([d for _, d in digits])) for name in NETS}
        models["cnn"].rejection(outputs["cnn"])
        symbols = net.common_symbols(list(models.values()))
        probabilities = [net.aligned(models[name], models[name].symbol_probabilities(out), symbols)
                         for name, out in outputs.items()]
        answer.read(sum(probabilities) / len(probabilities), symbols)  # the grammar's first run, not the person's
    # The display's first run (bar chart templates, canvases, proxies: ~15 ms more for a first drawing), shown
    # and cleared within this one task, so never painted; no fact is asked for.
    state["symbols"] = symbols
    batch = np.stack([d for _, d in digits])
    show_reading(batch, dict(zip(outputs, probabilities)), models["cnn"].rejection(outputs["cnn"]), outputs,
                 fact=False)
    show_empty()
    # Everything made so far (modules, nets, templates) lives as long as the page: collect the start-up's garbage
    # now, at idle, and move the rest out of the collector's generations, so a full collection while the
    # person draws has only the drawings' own objects to walk.
    import gc

    gc.collect()
    gc.freeze()
    window.performance.mark("warmed-up")


# --- Reading the drawing ------------------------------------------------------------------------------------

def on_pad_change(event):
    # A new stroke that is a zigzag over ink scratches it out (scratchout.find): the pad erases, and its own
    # "erase" change is what gets read.
    if getattr(event.detail, "kind", None) == "stroke" and scratch_out():
        return
    # Read at once, inside the pointer-up (or key) event: a task scheduled for later waited for the browser's
    # next frame first (~13 ms of the pointer-up -> painted latency, tools/bench_speed.py --paint).
    predict()


def scratch_out():
    """Erase what the newest stroke scratches out, if it is a scratch-out; True when it was one."""
    import scratchout

    strokes = window.pad.strokes().to_py()
    erase = scratchout.find(strokes)
    if erase:
        window.pad.erase(to_js(erase))
    return bool(erase)


def read_pad(nets=None):
    """The pad's digits: list of ((x0, y0, x1, y1), (28, 28) array), left to right. nets: the nets that read
    (net.Remembering ones keep what segmentation read, for the page's own read); default: the shipped ones."""
    import preprocess
    import segment

    import net

    read = net.reader([(nets or models)[name] for name in NETS])
    # --- reading by strokes (issue 29): the pad's strokes, grouped into symbols and drawn again for the nets
    strokes = window.pad.strokes().to_py()  # [[[x, y], ...], ...] in the snapshot's px, oldest first
    state["marks"] = []
    if strokes:
        import grouping
        import layout

        # Decimal points (issue 30) are kept apart from the reading: layout places them (show_reading).
        strokes, state["marks"] = layout.split_dots(strokes)
        # ... and an exponent written so close that it was grouped with its base is cut from it.
        return layout.pieces(grouping.symbols(strokes, read), strokes) if strokes else []
    # ---
    image = window.pad.pixels()
    pixels = image.data.to_py()  # a memoryview copy of the canvas bytes
    ink = preprocess.from_rgba(pixels, image.width, image.height)
    # With a reader, segmentation weighs each way of splitting touching digits by how well it reads.
    return segment.segment_boxes(ink, read=read)


def read_both(batch):
    """(N, 28, 28) -> (N, S + 1): both nets' mean reading, then the chance of "not one symbol"."""
    import net

    return net.reader([models[name] for name in NETS])(batch)


def average(probabilities):
    """The nets' mean probabilities: where they disagree, the more confident one usually wins."""
    return sum(probabilities.values()) / len(probabilities)


def predict():
    window.performance.mark("predict-start")
    # Which drawing this reading is of: tests and tools wait for it to match the pad.
    element("number").dataset.strokes = str(window.pad.strokeCount())
    try:
        import net

        nets = remembering  # each piece read once, in this drawing and the next ones
        digits = [] if window.pad.isEmpty() else read_pad(nets)
        window.performance.mark("predict-segmented")  # the parts of predict, for tools/bench_speed.py --calc
        import answer

        digits = digits[:answer.MAX_PIECES]  # bounded work: more pieces than a sum may have is too long anyway
        state["boxes"] = [box for box, _ in digits]
        if not digits:
            show_empty()
            return
        import numpy as np

        batch = np.stack([d for _, d in digits])
        outputs = {name: nets[name].read(batch) for name in NETS}
        symbols = net.common_symbols(list(models.values()))
        probabilities = {name: net.aligned(models[name], models[name].symbol_probabilities(out), symbols)
                         for name, out in outputs.items()}
        state["symbols"] = symbols
        state["batch"] = batch
        window.performance.mark("predict-read")
        show_reading(batch, probabilities, models["cnn"].rejection(outputs["cnn"]), outputs)
        inside_panel.follow()  # the panel follows the drawing while it is open
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
    """(symbols as a string, lowest top probability) for one net's (N, S) probabilities of state["symbols"]."""
    top = probabilities.argmax(axis=1)
    return "".join(state["symbols"][int(d)] for d in top), float(probabilities.max(axis=1).min())


# --- Showing results ----------------------------------------------------------------------------------------

def show_empty():
    state["shown"] = None
    state["batch"] = None
    result_panel.clear()
    inside_panel.close(restore_focus=False)
    facts_panel.idle()


def show_problem(message):
    show_empty()
    result_panel.verdict(message, "disagree")


def show_reading(batch, probabilities, rejected=None, outputs=None, fact=True):
    """probabilities: {net: (N, S) over state["symbols"]}; rejected: (N,) the CNN's "not one symbol" probability
    of each piece, or None; outputs: {net: (N, outputs)} every output of each net (for the bars); fact: ask
    for a fact about it."""
    import answer
    import tape_panel

    readings = {name: reading(p) for name, p in probabilities.items()}
    combined = average(probabilities)
    # Layout (issue 30): decimal points and raised exponents put in as rows of "." and "^"; the grammar picks a
    # valid sum where the best labels are not; after a kept result, "×2" continues from it.
    previous = tape_panel.previous()
    if len(state.get("boxes", ())) == len(combined):
        shown, pieces = answer.read_line(combined, state["symbols"], state["boxes"], state.get("marks", []), previous)
    else:
        shown, pieces = answer.read(combined, state["symbols"], previous=previous), list(range(len(combined)))
    state["shown"] = shown
    by_piece = ["?"] * len(combined)  # what each piece was read as, for its image and the look inside
    for row, piece in enumerate(pieces):
        if piece is not None and row < len(shown.reading):
            by_piece[piece] = shown.reading[row]
    state["piece_text"] = "".join(by_piece)
    # A piece the CNN calls no symbol: the reading is shown greyed (the nets' best guess) and gets no fact.
    scribble = rejected is not None and bool(rejected.max() > NOT_A_DIGIT)
    charts = {name: (probabilities[name], state["symbols"]) if outputs is None else
              answer.label_rows(models[name], outputs[name], state["symbols"]) for name in NETS}
    result_panel.show(shown, state["symbols"], readings, combined, charts, batch, state["piece_text"], rejected,
                      scribble)
    if fact and scribble:
        facts_panel.idle(NO_FACT_FOR_SCRIBBLE)
    elif fact:
        facts_panel.show_for(shown)


# --- Looking inside: the panel is inside_panel's; the images that open it are result_panel's ----------------

def on_seen_click(event):
    clicked = result_panel.clicked_seen(event)
    if clicked is None or state["batch"] is None:
        return
    learn_panel.clear_result()
    inside_panel.opened(*clicked, event)


def shown_reading():
    """What the look-inside panel shows a symbol of: (batch or None, the text each piece was read as, labels)."""
    return state["batch"], state.get("piece_text", ""), state["symbols"]


# --- Measurement hooks for tools/bench_speed.py (cheap: they only run when called) --------------------------

def bench_strategies(repeats=100, sizes=(1, 9)):
    """JSON {strategy: {batch size: median ms}}: the CNN's forward pass by each of net.STRATEGIES, on random
    (N, 28, 28) inputs, N = 1 (one symbol) and 9 (a sum's symbols read at once)."""
    import json

    import net

    return json.dumps(net.strategy_times(models["cnn"], sizes, repeats))


def default_strategy():
    """The forward strategy `read` uses in this page (net.STRATEGY)."""
    import net

    return net.STRATEGY


def bench(repeats=200):
    """JSON: median ms per call of each net's forward pass (one image) and of reading the pad, after warm-up."""
    import json

    import numpy as np

    from net import per_call_ms as per_call

    x = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    result = {name + "_forward_ms": per_call(lambda m=models[name]: m.predict_proba(x), repeats) for name in NETS}
    if not window.pad.isEmpty():
        result["preprocess_ms"] = per_call(read_pad, max(1, repeats // 10))
    # The bar charts of the longest reading (answer.MAX_PIECES pieces, every label): the page's DOM work bound.
    import answer

    labels = list(state["symbols"]) + [answer.REJECT_LABEL]
    rows = np.random.default_rng(1).dirichlet(np.ones(len(labels)), answer.MAX_PIECES).astype(np.float32)

    def charts():
        return [result_panel.bar_chart(answer.chart_style(row, labels), answer.caption(row, labels), labels)
                for row in rows]

    result["bars_longest_ms"] = per_call(charts, 2)
    return json.dumps(result)


def memory():
    """JSON: the wasm heap size and Python's live object count (for leak checks)."""
    import gc
    import json

    import pyodide_js

    gc.collect()
    return json.dumps({"wasm_bytes": int(pyodide_js._module.HEAP8.length), "py_objects": len(gc.get_objects())})


def gc_log():
    """JSON [[generation, ms, objects collected], ...]: Python's garbage collections since the last call (the
    first call starts recording; for tools/bench_speed.py --paint)."""
    import gc
    import json
    import time

    if "gc_log" not in state:
        state["gc_log"], started = [], {}

        def record(phase, info):
            if phase == "start":
                started["at"] = time.perf_counter()
            else:
                state["gc_log"].append([info["generation"], (time.perf_counter() - started["at"]) * 1000,
                                        info["collected"]])
        gc.callbacks.append(record)
    log, state["gc_log"] = state["gc_log"], []
    return json.dumps(log)


window.digitFactoidBench = create_proxy(bench)
window.digitFactoidGcLog = create_proxy(gc_log)
window.digitFactoidStrategies = create_proxy(bench_strategies)
window.digitFactoidDefaultStrategy = create_proxy(default_strategy)
window.digitFactoidMemory = create_proxy(memory)

try:
    boot()
except Exception as error:  # noqa: BLE001 - any boot failure must reach the user, then the console
    set_status("Digit Factoid could not start: %s" % error, "error")
    raise
