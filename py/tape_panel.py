"""The tape's panel in the page: it owns #tape, #tape-panel, #tape-note, #keep and #clear-tape, and the
localStorage key of the kept lines. A UI module (it touches the DOM); the tape itself is py/tape.py.

py/app.py wires it: `setup(listen, current, clear_pad)` once at boot (listen: app.listen; current(): the
answer.Shown on the page now, or None; clear_pad(): clears the drawing), then `previous()` at each reading.
Keep (the button, or Enter outside a text field) moves the current sum to the tape and clears the pad. Every
text is set as text, never HTML.
"""
import asyncio

from pyscript import document, window

import tape as tape_module

STORAGE_KEY = "digit-factoid-tape"
wiring = {"tape": tape_module.Tape(), "current": None, "clear_pad": None}


def element(id_):
    return document.getElementById(id_)


def setup(listen, current, clear_pad):
    """Restore the stored tape and listen to the panel's buttons and the Enter key."""
    wiring["current"], wiring["clear_pad"] = current, clear_pad
    listen(element("keep"), "click", lambda event: keep())
    listen(element("clear-tape"), "click", lambda event: clear())
    listen(element("tape"), "click", on_copy_click)
    listen(document, "keydown", on_key)
    restore()


def previous():
    """The last kept result (a Fraction), or None: what a drawing starting with an operator continues from."""
    return wiring["tape"].previous()


def on_key(event):
    if event.key != "Enter" or event.repeat or event.ctrlKey or event.metaKey or event.altKey:
        return
    target = event.target
    if target.closest and target.closest("input, select, textarea, button, a, [role=dialog]"):
        return  # Enter on a control is that control's own
    event.preventDefault()
    keep()


def keep():
    """The sum on the page to the tape; the pad is cleared. Nothing to keep: a note says why."""
    line = wiring["tape"].keep(wiring["current"]())
    if line is None:
        note("Nothing to keep yet: write a sum or a number that can be worked out, then Keep.")
        return
    save()
    render()
    wiring["clear_pad"]()


def clear():
    wiring["tape"].clear()
    try:
        window.localStorage.removeItem(STORAGE_KEY)
    except Exception:  # noqa: BLE001 - storage disabled: nothing was stored
        pass
    render()
    element("keep").focus()


def save():
    try:
        window.localStorage.setItem(STORAGE_KEY, wiring["tape"].dumps())
    except Exception as error:  # noqa: BLE001 - storage full or disabled: the tape lasts this visit only
        note("The tape is kept for this visit only: the browser would not store it (%s)." % error)
        return
    note("")


def restore():
    try:
        text = window.localStorage.getItem(STORAGE_KEY)
    except Exception as error:  # noqa: BLE001 - storage disabled (privacy settings)
        render()
        note("The tape cannot be kept in this browser (%s)." % error)
        return
    wiring["tape"], problem = tape_module.Tape.loads(None if text is None else str(text))
    if problem:
        try:
            window.localStorage.removeItem(STORAGE_KEY)
        except Exception:  # noqa: BLE001
            pass
    render()
    note(problem)


def note(text):
    node = element("tape-note")
    node.textContent = text
    node.hidden = not text


def render():
    """One <li> per kept line, newest last: its text and a copy button; data-value and data-answer as the
    contract says."""
    items = []
    for i, line in enumerate(wiring["tape"].lines):
        item, text, button = (document.createElement(tag) for tag in ("li", "span", "button"))
        item.dataset.value, item.dataset.answer = line.value, line.answer
        text.className, text.textContent = "tape-text", line.text
        button.type, button.className, button.textContent = "button", "tape-copy", "Copy"
        button.dataset.index = str(i)
        button.setAttribute("aria-label", "Copy %s" % line.text)
        item.append(text, button)
        items.append(item)
    element("tape").replaceChildren(*items)
    element("tape-panel").dataset.lines = str(len(items))
    element("clear-tape").disabled = not items


def on_copy_click(event):
    button = event.target.closest("button.tape-copy")
    if button is None:
        return
    index = int(button.dataset.index)
    lines = wiring["tape"].lines
    if 0 <= index < len(lines):
        asyncio.ensure_future(copy(lines[index].text, button))


async def copy(text, button):
    """The line to the clipboard; where the browser refuses (no permission, plain http), the button says so."""
    try:
        await window.navigator.clipboard.writeText(text)
        said = "Copied"
    except Exception:  # noqa: BLE001 - a refused clipboard is an ordinary answer, not an error
        said = "Copy failed"
    button.textContent = said
    await asyncio.sleep(1.5)
    button.textContent = "Copy"
