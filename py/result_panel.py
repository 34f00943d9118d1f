"""The result card in the page: it owns the reading line (#reading-line: #number, #answer, #answer-note), the
verdict (#verdict), each net's box (#cnn, #mlp: .net-digits, .net-conf, .bars) and "what the nets saw" (#seen:
one button per 28x28 input). A UI module (it touches the DOM); py/app.py reads the drawing and hands this what
to show: `show(shown, ...)` for a reading, `clear()` when there is none, and `verdict(text, kind)` for what it
says of it (why a drawing could not be read). Charts and image buttons already there are reused, so a new
stroke re-lays out only what changed. Text is always set as text.
"""
from pyscript import document

NETS = ("cnn", "mlp")
CONFIDENT = 0.6  # below this top probability (for any digit) the page says it is not sure
templates = {}  # bar chart templates by label set (bar_chart)
charts_shown = {}  # net -> [(labels, style, caption)] of the charts in its .bars now (show_charts)
seen_shown = []  # [(input bytes, symbol read)] of the buttons in #seen now (show_seen)


def element(id_):
    return document.getElementById(id_)


def clear():
    """The card with nothing drawn."""
    element("number").dataset.value = ""
    element("number").textContent = "?"
    element("reading-line").dataset.doubt = ""
    show_answer(None)
    verdict("Draw a digit, a number or a sum to begin.", "")
    for name in NETS:
        box = element(name)
        box.dataset.digits = ""
        box.dataset.confidence = ""
        box.querySelector(".net-digits").textContent = "–"
        box.querySelector(".net-conf").textContent = ""
        show_charts(box.querySelector(".bars"), name, [], [])
    element("seen").replaceChildren()
    seen_shown.clear()


def verdict(text, kind):
    node = element("verdict")
    node.textContent = text
    node.className = "verdict " + kind


def show(shown, symbols, readings, combined, rows, batch, piece_text, rejected=None, scribble=False):
    """A reading: shown (answer.Shown); symbols: the labels of the probabilities' columns; readings: {net: (text,
    lowest top probability)}; combined: (N, S) the nets' mean probabilities; rows: {net: ((N, L), labels)} for its
    bar charts; batch: (N, 28, 28) the inputs; piece_text: what each input was read as; rejected: (N,) the CNN's
    "not one symbol" probabilities; scribble: a piece is no symbol (the reading is shown greyed)."""
    node = element("number")
    node.dataset.value = shown.reading
    show_expression(node, shown.expression)
    show_answer(shown)
    element("reading-line").dataset.doubt = "scribble" if scribble else ""
    for name in NETS:
        show_net(name, readings[name], *rows[name])
    show_seen(batch, piece_text)
    confidence = float(combined.max(axis=1).min())
    explain(shown, confidence, readings, combined, symbols, rejected if scribble else None)


def clicked_seen(event):
    """(the image button in #seen that `event` came from, its index), or None."""
    button = event.target.closest("button[data-index]")
    return None if button is None else (button, int(button.dataset.index))


def show_expression(node, expression):
    """The reading as text, its exponents raised (<sup>): "(1 + 2)²"."""
    import answer

    parts = answer.raised_parts(expression)
    if all(not up for _, up in parts):
        node.textContent = expression
        return
    children = []
    for text, up in parts:
        child = document.createElement("sup" if up else "span")
        child.textContent = text
        children.append(child)
    node.replaceChildren(*children)


def show_answer(shown):
    """The value beside the expression (#answer), or what is wrong (#answer-note); shown None: nothing drawn."""
    line, node, note = element("reading-line"), element("answer"), element("answer-note")
    value, error = (shown.value, shown.error) if shown else ("", "")
    node.dataset.value, node.dataset.error = value, error
    parts = []
    if value:
        equals, result = document.createElement("span"), document.createElement("b")
        equals.className, equals.textContent, result.textContent = "equals", " = ", shown.result or value
        parts = [equals, result]
        if shown.decimal:
            decimal = document.createElement("small")
            decimal.textContent = shown.decimal
            parts.append(decimal)
    node.replaceChildren(*parts)
    note.textContent = shown.message if shown and error else ""
    note.dataset.error = error
    line.dataset.kind = ("empty" if not shown or not shown.reading else "error" if error else
                         "plain" if shown.plain else "sum")
    # The line's length sets its type size (static/app.css): long sums get smaller, never cut.
    text = answer_line(shown)
    line.style.setProperty("--chars", str(max(3, len(text))))


def answer_line(shown):
    import answer

    return answer.display(shown) if shown and shown.reading else "?"


def explain(shown, confidence, readings, combined, symbols, rejected):
    """rejected: (N,) the CNN's "not one symbol" probabilities when a piece is no symbol (show_reading), else None."""
    number = shown.argmax  # what the nets' best labels say, before the grammar
    # the pieces only (layout's "." and "^" rows are no net's reading), for comparing with each net
    pieces = "".join(c for c in number if c not in "^.") if len(number) != len(combined) else number
    if rejected is not None:
        where = "" if len(number) == 1 else " (symbol %d)" % (int(rejected.argmax()) + 1)
        text, kind = ("Hmm — that doesn't look like a digit or a sign to the CNN%s. Try drawing it again." % where,
                      "unsure")
    elif confidence < CONFIDENT:
        index = int(combined.max(axis=1).argmin())
        first, second = [symbols[int(d)] for d in combined[index].argsort()[::-1][:2]]
        where = "" if len(number) == 1 else " (symbol %d)" % (index + 1)
        text, kind = "Not sure — %s or %s?%s Try drawing it a bit clearer." % (first, second, where), "unsure"
    elif all(readings[name][0] in (number, pieces) for name in NETS):
        text, kind = "Both networks agree.", "agree"
    else:
        text, kind = ("The networks disagree — CNN: %s, MLP: %s." % (readings["cnn"][0], readings["mlp"][0]),
                      "disagree")
    import answer

    note = answer.grammar_note(shown, number)
    verdict(text + (" " + note if note else ""), kind)


def show_net(name, net_reading, probabilities, labels):
    """probabilities: (N, L) of `labels`, one bar chart per piece."""
    import calc

    digits, confidence = net_reading
    box = element(name)
    box.dataset.digits = digits
    box.dataset.confidence = "%.4f" % confidence
    box.querySelector(".net-digits").textContent = calc.pretty(digits)
    box.querySelector(".net-conf").textContent = "%d%% sure" % round(100 * confidence)
    show_charts(box.querySelector(".bars"), name, probabilities, labels)


def show_charts(bars, name, probabilities, labels):
    """One bar chart per row of `probabilities` in `bars`, the charts already there reused: one left as it was
    (a piece the new stroke did not change) is not touched, so the browser styles and lays out only the charts
    that changed (re-making them all was most of pointer-up -> painted for a long sum)."""
    import answer

    key = tuple(labels)
    wanted = [(key, answer.chart_style(row, labels), answer.caption(row, labels)) for row in probabilities]
    shown = charts_shown.get(name, [])
    figures = list(bars.children) if len(bars.children) == len(shown) else None
    if figures is None:  # not made here: start afresh
        bars.replaceChildren()
        figures, shown = [], []
    for i, (old, new) in enumerate(zip(shown, wanted)):
        if old[0] != new[0]:
            figures[i].replaceWith(bar_chart(new[1], new[2], labels))
        elif old != new:
            figures[i].firstChild.style.cssText = new[1]
            figures[i].lastChild.textContent = new[2]
    for figure in figures[len(wanted):]:
        figure.remove()
    if len(wanted) > len(shown):
        bars.append(*[bar_chart(style, caption, labels) for _, style, caption in wanted[len(shown):]])
    charts_shown[name] = wanted


def bar_chart(style, caption, labels):
    """One piece's bar chart over `labels`: style (answer.chart_style) sets its bars' heights and colours, the
    caption (answer.caption) names the top 3 with percentages.

    A copy of one template per label set, its bars set by one style string: a few calls into the DOM per
    chart instead of ten per bar, so the longest reading (answer.MAX_PIECES pieces, every label, two nets)
    stays cheap."""
    figure = chart_template(labels).cloneNode(True)
    figure.firstChild.style.cssText = style
    figure.lastChild.textContent = caption
    return figure


def chart_template(labels):
    """The empty chart for `labels` (built once per label set): bar k's height is var(--hk) (a share of the
    chart's height, --chart-h), its colour var(--ck) and its label's colour var(--tk); static/app.css gives the
    defaults."""
    import answer

    key = tuple(labels)
    if key not in templates:
        figure, chart = document.createElement("figure"), document.createElement("div")
        chart.className = "chart"
        for k, label in enumerate(labels):
            bar, track, fill, text = (document.createElement(tag) for tag in ("div", "span", "i", "b"))
            bar.className = "bar"
            fill.style.cssText = "height: max(2px, var(--h%d, 0%%)); background: var(--c%d, var(--bar))" % (k, k)
            text.style.cssText = "color: var(--t%d, var(--muted))" % k
            text.textContent = label
            if label == answer.REJECT_LABEL:
                bar.title = "not one symbol"
            track.append(fill)
            bar.append(track, text)
            chart.append(bar)
        figure.append(chart, document.createElement("figcaption"))
        templates[key] = figure
    return templates[key]


def show_seen(batch, number):
    """Each 28x28 input, white on black as the nets see it, as a button that opens the look-inside panel. The
    buttons already there are reused, and one showing the same input read the same is left alone (as the
    charts: show_charts)."""
    import inside
    import inside_panel

    seen = element("seen")
    wanted = [(digit.tobytes(), number[i]) for i, digit in enumerate(batch)]
    shown = seen_shown if len(seen.children) == len(seen_shown) else []
    buttons = list(seen.children) if shown else []
    if not shown:
        seen.replaceChildren()
    for i, item in enumerate(wanted):
        if i < len(shown) and shown[i] == item:
            continue
        button = buttons[i] if i < len(buttons) else seen_button(i)
        button.setAttribute("aria-label", "Look inside the nets: symbol %d, read as %s" % (i + 1, item[1]))
        inside_panel.paint(button.firstChild, inside.gray(batch[i]))
        if i >= len(buttons):
            seen.append(button)
    for button in buttons[len(wanted):]:
        button.remove()
    seen_shown[:] = wanted


def seen_button(i):
    """The empty button of input i in "what the nets saw" (show_seen paints its canvas)."""
    button = document.createElement("button")
    button.type = "button"
    button.dataset.index = str(i)
    button.setAttribute("aria-haspopup", "dialog")
    button.setAttribute("aria-controls", "inside")
    button.append(document.createElement("canvas"))
    return button
