"""The corrections panel in the page: it owns #correct-labels, #correct-result, #learned, #learned-text, #forget,
#export-learned, body[data-learned] and the localStorage key of the corrections. A UI module (it touches the DOM);
the learning itself is py/learn.py.

py/app.py wires it: `setup(listen, models, current, reread)` once at boot (listen: app.listen; models: {name:
net.Model} the page reads with, changed in place when a correction is learned; current(): the (28, 28) image the
look-inside panel shows, or None; reread(): reads the drawing again, if any), then `show(labels, reading)` each
time that panel shows a symbol and `clear_result()` when it is opened on one. Every text is set as text, never
HTML.
"""
import asyncio

from pyodide.ffi import create_once_callable, create_proxy, to_js
from pyscript import document, window

PREPARE_CHUNK = 48  # replay examples per idle moment: ~50 ms of the CNN in Pyodide
STORAGE_KEY = "digit-factoid-learned"  # localStorage: learn.Learner.dumps() of the corrections in effect
wiring = {"models": {}, "current": None, "reread": None, "learner": None}


def element(id_):
    return document.getElementById(id_)


def setup(listen, models, current, reread):
    """Restore the stored corrections, listen to the panel's buttons, and ready the learner while people draw."""
    wiring.update(models=models, current=current, reread=reread)
    listen(element("correct-labels"), "click", on_correct_click)
    listen(element("forget"), "click", lambda event: forget())
    listen(element("export-learned"), "click", lambda event: export_learned())
    restore_learned()
    # The replay set and its features are made while the person draws, not at the first click.
    asyncio.get_event_loop().call_later(1.0, prepare_learner)


def learner():
    """The Learner of both nets, made on first use (the replay set is read then)."""
    if wiring["learner"] is None:
        import learn

        with open("weights/replay.npz", "rb") as f:
            replay = learn.Replay.loads(f.read())
        versions = {name: learn.file_version("weights/%s.npz" % name) for name in wiring["models"]}
        wiring["learner"] = learn.Learner(wiring["models"], replay, versions)
    return wiring["learner"]


def prepare_learner():
    """The replay set's features below the learning layers, a chunk at a time between the person's strokes."""
    if learner().prepare(PREPARE_CHUNK):
        asyncio.get_event_loop().call_later(0.05, prepare_learner)


PART = "part of a symbol"  # the button that teaches "not one symbol": a piece the page split off a symbol


def show(labels, reading):
    """A button per symbol the nets know (`labels`, not the reject output), the one they read marked, and one
    for a piece that is no symbol on its own (a 4's first stroke read as "(": taught, the page joins it to the
    stroke beside it next time)."""
    import net

    buttons = []
    for label in list(labels) + [net.REJECT]:
        button = document.createElement("button")
        button.type = "button"
        button.dataset.label = label
        if label == net.REJECT:
            button.textContent = PART
            button.className = "correct-part"
            button.setAttribute("aria-label", "It is no symbol on its own, only part of one: teach both nets")
            button.title = "Not one symbol: part of one, or two read as one"
        else:
            button.textContent = label
            button.setAttribute("aria-label", "It is %s: teach both nets" % label)
        if label == reading:
            button.setAttribute("aria-current", "true")
        buttons.append(button)
    element("correct-labels").replaceChildren(*buttons)


def clear_result():
    """The panel opens on another symbol: what was learned for the last one is no longer said."""
    element("correct-result").textContent = ""


def on_correct_click(event):
    button = event.target.closest("button[data-label]")
    x = wiring["current"]()
    if button is None or x is None:
        return
    window.performance.mark("learn-click", to_js({"startTime": event.timeStamp},
                                                 dict_converter=window.Object.fromEntries))
    label = button.dataset.label
    learner().learn(x, label)
    wiring["reread"]()  # the drawing read again by the changed nets (the panel follows, its buttons made anew)
    chosen = element("correct-labels").querySelector('[data-label="%s"]' % label)
    if chosen is not None:
        chosen.focus()
    element("correct-result").textContent = learned_text(label, x)
    save_learned()
    window.requestAnimationFrame(learn_painted)


def learned_text(label, x):
    """What the page says once `label` is learned for the image x (28, 28)."""
    import net

    models = wiring["models"]
    if label == net.REJECT:
        sure = {name: float(model.rejection(model.read(x[None]))[0]) for name, model in models.items()
                if model.rejects}
        return "Learned: this is only part of a symbol. %s" % " ".join(
            "%s now calls it no symbol at %d%%." % (name.upper(), round(100 * p)) for name, p in sure.items())
    reads = {name: model.symbols[int(model.predict(x))] for name, model in models.items()}
    return "Learned: this is a %s. %s" % (label, what_changed(label, reads))


def what_changed(label, reads):
    if all(read == label for read in reads.values()):
        return "Both nets now read %s." % label
    models = wiring["models"]
    return " ".join("%s %s." % (name.upper(), "now reads " + label if read == label else
                                ("still reads %s" % read if label in models[name].symbols
                                 else "has no output for %s" % label)) for name, read in reads.items())


def _learn_painted(timestamp):
    window.performance.mark("learn-painted")  # click -> learned and re-read, for tools/bench_speed.py


learn_painted = create_proxy(_learn_painted)


def save_learned():
    try:
        window.localStorage.setItem(STORAGE_KEY, learner().dumps())
    except Exception as error:  # noqa: BLE001 - storage full or disabled: the changes last this visit only
        show_learned("Learned for this visit only: the browser would not store it (%s)." % error)
        return
    show_learned()


def restore_learned():
    """Apply the stored corrections, if any; a corrupt or outdated state is dropped with a message."""
    import learn

    try:
        text = window.localStorage.getItem(STORAGE_KEY)
    except Exception as error:  # noqa: BLE001 - storage disabled (privacy settings)
        show_learned("Corrections cannot be kept in this browser (%s)." % error)
        return
    if text is None:
        show_learned()
        return
    try:
        learner().restore(str(text))
    except learn.StateError as error:
        window.localStorage.removeItem(STORAGE_KEY)
        show_learned("Your saved corrections were ignored: %s. The shipped nets are used." % error)
        return
    show_learned()


def show_learned(note=None):
    """body[data-learned] and the line under "what the nets saw": how many corrections are in effect."""
    count = len(wiring["learner"].corrections) if wiring["learner"] is not None else 0
    document.body.dataset.learned = str(count)
    text = "The nets have learned %d correction%s of yours." % (count, "" if count == 1 else "s") if count else ""
    element("learned-text").textContent = " ".join(t for t in (note, text) if t)
    element("learned").hidden = not (note or count)
    element("forget").hidden = element("export-learned").hidden = not count


def forget():
    learner().forget()
    window.localStorage.removeItem(STORAGE_KEY)
    show_learned()
    element("correct-result").textContent = "Forgotten: the nets are the shipped ones again."
    wiring["reread"]()


def export_learned():
    """Download the corrections as an .npz (x (N, 28, 28) uint8, y labels) for training.train --extra."""
    data = learner().export()
    blob = window.Blob.new(to_js([to_js(data)]), to_js({"type": "application/octet-stream"},
                                                       dict_converter=window.Object.fromEntries))
    url = window.URL.createObjectURL(blob)
    link = document.createElement("a")
    link.href, link.download = url, "digit-factoid-corrections.npz"
    link.click()
    window.setTimeout(create_once_callable(lambda: window.URL.revokeObjectURL(url)), 1000)
