"""The fact card in the page: it owns #fact, #fact-source and the kind radios (input[name=kind]), asks
py/facts.py for a fact about a number (the site's proxy from site.toml, or a loopback `?facts=` override for
tests; offline facts when there is none) and shows it. A UI module (it touches the DOM); py/app.py wires it:
`setup(listen)` once at boot, then `show_for(shown)` for each reading and `idle(text)` when there is none.
Text is always set as text: the API's words cannot run anything.
"""
import asyncio

from pyodide.ffi import create_proxy
from pyscript import document, window

SITE_SETTINGS = "site.toml"  # the self-hoster's settings (pyscript.toml [files] puts it here)
# number: the number whose fact is shown or asked for; generation: which request is current (a reply to an older
# one is dropped); api_missing: the facts proxy answered 404 or HTML (e.g. GitHub Pages has none): stop asking
# it this session.
state = {"number": "", "generation": 0, "api_missing": False}


def element(id_):
    return document.getElementById(id_)


def setup(listen):
    for radio in document.querySelectorAll("input[name=kind]"):
        listen(radio, "change", on_kind_change)


def chosen_kind():
    checked = document.querySelector("input[name=kind]:checked")
    return checked.value if checked else "trivia"


def on_kind_change(event):
    if state["number"]:
        request_fact(state["number"], force=True)


def show_for(shown):
    """A fact about the number or the sum's whole result; otherwise the card says why there is none."""
    if shown.fact is not None:
        request_fact(str(shown.fact))
    elif shown.error:
        idle("A fact about the result will appear once the sum can be worked out.")
    else:
        idle(shown.fact_note)


def idle(text="A fact about your number will appear here."):
    state["number"] = ""
    state["generation"] += 1
    fact = element("fact")
    fact.dataset.source = ""
    fact.dataset.number = ""
    fact.textContent = text
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

    base, problem = facts_base()
    if state["api_missing"]:
        fact = facts.offline_fact(n, kind)
    else:
        fact = await facts.get_fact(n, kind, fetch_text, base=base)
        state["api_missing"] = fact.note.startswith(("HTTP status 404", "not JSON"))
    if generation != state["generation"]:
        return  # the drawing changed while we waited: a newer fact is on its way
    node = element("fact")
    node.textContent = fact.text  # text, never HTML: the API's words cannot run anything
    node.dataset.number = str(fact.number)
    node.dataset.source = fact.source
    element("fact-source").textContent = facts.source_line(fact, base, problem)


def facts_base():
    """(base URL or None, problem): the site's proxy from site.toml, or a loopback `?facts=` override (tests)."""
    import facts

    try:
        with open(SITE_SETTINGS, encoding="utf-8") as file:
            configured, problem = facts.configured_base(file.read())
    except OSError as error:
        configured, problem = facts.DEFAULT_BASE, "site.toml could not be read: %s" % error
    override = window.URLSearchParams.new(window.location.search).get("facts")
    return facts.resolve_base(override, configured), problem
