"""The page's UI module: the only Python that touches the DOM.

It boots the app (packages, then weights), then listens to the drawing pad (static/pad.js) and shows what the
networks read. Everything it computes comes from the pure modules beside it (preprocess, net, facts).
"""
from pyscript import document, window


def set_status(text, state=None):
    document.getElementById("status").textContent = text
    if state:
        document.body.dataset.status = state


def boot():
    set_status("Loading packages (numpy, Pillow)…")
    import numpy  # noqa: F401  (imported to prove the packages loaded)
    import PIL  # noqa: F401

    set_status("Ready — draw a digit.", "ready")


try:
    boot()
except Exception as error:  # noqa: BLE001 - any boot failure must reach the user, then the console
    set_status("Digit Factoid could not start: %s" % error, "error")
    raise
