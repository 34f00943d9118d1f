"""The look-inside panel in the page: it owns #inside and the ids in it (#inside-title, #inside-close,
#inside-input, the evidence maps, filters, feature maps and hidden units of each net). A UI module (it touches the
DOM); what it shows is computed by py/inside.py.

py/app.py wires it: `setup(listen, models, shown, on_open)` once at boot (listen: app.listen; models: {name:
net.Model}; shown(): (batch (N, 28, 28) of the reading on the page or None, the text each piece was read as,
the labels the nets know); on_open(labels, reading): called each time the panel shows a symbol, for the
corrections under it), then `opened(button, index)` when an image of "what the nets saw" is clicked,
`follow()` after each reading (the panel follows the drawing while it is open) and `close()`. Every text is set
as text, never HTML.
"""
from pyodide.ffi import create_proxy, to_js
from pyscript import document, window

wiring = {"models": {}, "shown": None, "on_open": None}
state = {"index": None, "opener": None}  # the symbol shown (None: closed), the button that opened the panel


def element(id_):
    return document.getElementById(id_)


def paint(canvas, image):
    """Put an RGBA image (H, W, 4) uint8 on a canvas, one canvas pixel per image pixel (CSS scales it)."""
    height, width = image.shape[:2]
    canvas.width, canvas.height = width, height
    data = window.Uint8ClampedArray.new(to_js(image.tobytes()))
    canvas.getContext("2d").putImageData(window.ImageData.new(data, width, height), 0, 0)


def setup(listen, models, shown, on_open):
    """Listen to the panel's Close button and to Escape (before the pad's own Escape, which clears)."""
    wiring.update(models=models, shown=shown, on_open=on_open)
    listen(element("inside-close"), "click", lambda event: close())
    listen(document, "keydown", on_key, capture=True)


def index():
    """The index of the symbol the panel shows, or None when it is closed."""
    return state["index"]


def opened(button, at, event):
    """An image of "what the nets saw" (`button`, symbol `at`) was clicked: open the panel on it."""
    # From the click itself, for tools/bench_speed.py: click -> "inside-painted".
    window.performance.mark("inside-click", to_js({"startTime": event.timeStamp},
                                                  dict_converter=window.Object.fromEntries))
    state["opener"] = button
    panel = element("inside")
    panel.hidden = False
    show(at)
    panel.focus()
    window.requestAnimationFrame(inside_painted)


def _inside_painted(timestamp):
    window.performance.mark("inside-painted")


inside_painted = create_proxy(_inside_painted)


def on_key(event):
    if event.key == "Escape" and state["index"] is not None:
        event.stopPropagation()  # the panel closes; the drawing stays
        event.preventDefault()
        close()


def close(restore_focus=True):
    if state["index"] is None:
        return
    state["index"] = None
    element("inside").hidden = True
    if not restore_focus:
        return
    opener = state["opener"]
    if opener is None or not opener.isConnected:  # the drawing changed: its image has a new button
        opener = document.querySelector("#seen button") or element("undo")
    opener.focus()


def follow():
    """After a new reading: the panel, if open, shows the same place in it (or its last symbol)."""
    batch, _, _ = wiring["shown"]()
    if state["index"] is not None and batch is not None:
        show(min(state["index"], len(batch) - 1))


def show(at):
    """Fill the panel for symbol `at` of the reading shown."""
    import inside

    batch, number, labels = wiring["shown"]()
    models = wiring["models"]
    state["index"] = at
    x = batch[at]
    element("inside-title").textContent = "Inside the nets: symbol %d of %d, read as %s" % (
        at + 1, len(batch), number[at] if at < len(number) else "?")
    paint(element("inside-input"), inside.gray(x))
    wiring["on_open"](labels, number[at] if at < len(number) else "")
    looks = {name: inside.look(model, x) for name, model in models.items()}
    said = {name: inside.sentences(name.upper(), found) for name, found in looks.items()}
    for name in models:
        paint(element("inside-evidence-" + name), looks[name].evidence_image)
        element("inside-evidence-%s-text" % name).textContent = said[name]["evidence"]
    with_filters = next((name for name in models if looks[name].filters is not None), None)
    for part, key in (("filters", "filters"), ("maps", "feature_maps")):
        figure = element("inside-" + part).parentElement
        figure.hidden = with_filters is None
        if with_filters is not None:
            paint(element("inside-" + part), getattr(looks[with_filters], key))
            element("inside-%s-text" % part).textContent = said[with_filters][key]
    with_units = next((name for name in models if looks[name].units), None)
    element("inside-units").parentElement.hidden = with_units is None
    if with_units is not None:
        element("inside-units").replaceChildren(*[unit_figure(u) for u in looks[with_units].units])
        element("inside-units-text").textContent = said[with_units]["units"]


def unit_figure(unit):
    """One hidden unit: its weight image and its share, as a list item."""
    item = document.createElement("figure")
    item.setAttribute("role", "listitem")
    canvas = document.createElement("canvas")
    paint(canvas, unit.image)
    canvas.setAttribute("role", "img")
    canvas.setAttribute("aria-label", "weights of hidden unit %d" % unit.index)
    caption = document.createElement("figcaption")
    caption.textContent = "unit %d · %d%%" % (unit.index, round(100 * unit.share))
    item.append(canvas, caption)
    return item
