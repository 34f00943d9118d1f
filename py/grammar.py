"""Reading a drawn sum with the grammar: the most probable sequence of symbols that is a valid text.

Pure Python + numpy (no DOM): it runs on CPython 3.11 in the tests and under Pyodide in the page.

    r = read(probabilities, labels)      # probabilities: (N, K) float, row i = symbol i's label probabilities
    r.symbols                            # "12+13": what to hand to calc.solve
    r.status                             # "complete", "incomplete" or "invalid" (calc.classify of r.symbols)
    r.changed                            # positions whose label is not the most probable one, e.g. (3,)
    r.argmax                             # the most probable label of each symbol, joined: "12++3"

labels: the K labels of the probability columns, in order (a net's `labels`; default calc.SYMBOLS). Columns
whose label is not one symbol of calc.TEXT_SYMBOLS (the reject label "not one symbol") are left out: choosing among
the 17 symbols only, the reject probability of a row is the same for every choice of that row, so leaving it
out changes no ranking. Deciding that a piece is not one symbol at all is the segmentation's job.

The rule (validity is calc's grammar: calc.step / calc.classify), on the nets' probabilities with brackets given
back their weight in a sum (_in_context: a stick is weighed as the data labels it, not as a bracket drawn alone):
1. If the argmax reading is complete (a valid sum, or a plain number such as "111") it is kept, unchanged.
2. If it is a valid beginning that is merely unfinished ("3+", "(3+4": the person may still be writing), it is
   kept too, and calc.solve says "incomplete" or "parentheses" -- unless it ends in a number or ")" with a
   bracket left open and a complete reading (as in 3) is at most UNFINISHED_MARGIN less likely (in
   log-probability): a finished drawing whose ")" was read as a 1, "(7×21+8", is read "(7×2)+8". A reading that
   ends in an operator ("3+") is someone still writing: it is kept unless a complete one is within
   TRAILING_MARGIN. So is a single symbol that cannot begin a sum ("+", "×", "=" drawn alone): with nothing
   around it to go by, the nets' reading stands, and calc.solve says what is wrong with it.
3. Otherwise: the complete reading with the largest sum of log-probabilities, each symbol taking one of its
   TOP most probable labels (the argmax, and runners-up of probability >= MIN_PROBABILITY: a label the net
   all but excluded is never invented). The search is a Viterbi over the grammar's states (kind of the last
   symbol, open brackets): validity depends on nothing else, so keeping the best path per state is exact; at
   most BEAM states are kept per step, which bounds the work (N <= calc.MAX_SYMBOLS).
4. If no complete reading exists within those choices, or N > calc.MAX_SYMBOLS, the argmax reading is returned
   with status "invalid" (or whatever it is), and calc.solve reports its error.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calc import AFTER_OPERAND, ALIASES, INITIAL, MAX_SYMBOLS, SYMBOLS, TEXT_SYMBOLS, classify, is_complete, step

TOP = 3
MIN_PROBABILITY = 0.01
BEAM = 32
UNFINISHED_MARGIN = 3.0  # log-probability: a complete reading up to e^3 = 20 times less likely beats an unfinished one
TRAILING_MARGIN = 0.5    # ... and one that ends in an operator ("3+": someone still writing)
LOG_FLOOR = 1e-12  # log(0) would make every reading through that label equally impossible
BRACKETS_IN_SUMS = 2.0  # log-probability given back to ( and ) in a drawing the nets read as a sum (see _in_context)


@dataclass(frozen=True)
class Reading:
    """A reading of N symbols. symbols: N chars of calc.SYMBOLS; status: calc.classify(symbols); changed:
    positions where the reading differs from argmax; log_probability: sum over symbols of log p(chosen label)."""
    symbols: str
    status: str
    changed: tuple
    argmax: str
    log_probability: float


def symbol_columns(labels):
    """[(column, symbol)] for the columns whose label is one symbol (ASCII * and / read as × and ÷)."""
    columns = []
    for j, label in enumerate(labels):
        symbol = ALIASES.get(label, label) if isinstance(label, str) else None
        if symbol is not None and len(symbol) == 1 and symbol in TEXT_SYMBOLS:
            columns.append((j, symbol))
    return columns


def read(probabilities, labels=SYMBOLS, top=TOP, min_probability=MIN_PROBABILITY, beam=BEAM,
         unfinished_margin=None, start=INITIAL):
    """The Reading of (N, K) label probabilities (rows need not sum to 1; only their order and ratios matter).

    labels: K labels, one per column. start: calc.INITIAL, or calc.CONTINUING when a kept result stands before
    the drawing (it may then start with an operator). Raises ValueError when the shape does not match the
    labels."""
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != len(labels):
        raise ValueError("probabilities must be (N, %d) for %d labels, got shape %s" % (
            len(labels), len(labels), p.shape))
    columns = symbol_columns(labels)
    if not columns:
        raise ValueError("no label is a calculator symbol: %r" % (labels,))
    p = p[:, [j for j, _ in columns]]
    symbols = [s for _, s in columns]
    nets = "".join(symbols[k] for k in p.argmax(axis=1)) if len(p) else ""
    p = _in_context(p, symbols, nets)
    best = p.argmax(axis=1) if len(p) else np.zeros(0, dtype=int)
    argmax = "".join(symbols[k] for k in best)
    logs = np.log(np.maximum(p, LOG_FLOOR))
    status = classify(argmax, start)
    changed = tuple(i for i, (a, b) in enumerate(zip(nets, argmax)) if a != b)
    argmax_reading = Reading(argmax, status, changed, nets, float(logs[np.arange(len(p)), best].sum()))
    if status == "complete" or len(p) > MAX_SYMBOLS:
        return argmax_reading
    choices = _choices(p, logs, symbols, top, min_probability)
    found = _viterbi(choices, beam, start)
    if found is None:
        return argmax_reading
    text, score = found
    if status == "incomplete" or len(p) == 1:
        if unfinished_margin is None:
            open_only = status == "incomplete" and _open_bracket_only(argmax, start)
            unfinished_margin = UNFINISHED_MARGIN if open_only else TRAILING_MARGIN
        if argmax_reading.log_probability - score > unfinished_margin:
            return argmax_reading
    changed = tuple(i for i, (a, b) in enumerate(zip(nets, text)) if a != b)
    return Reading(text, "complete", changed, nets, score)


def _in_context(p, symbols, nets, bonus=None):
    """p with the ( and ) columns times e^bonus (BRACKETS_IN_SUMS) in the rows the nets read as 1, ( or ), when
    they read the drawing as a sum (three symbols or more, one of them + - × or ÷). The nets' bracket logits were
    lowered so that a straight bracket drawn alone reads as a 1 (training/calibrate.py); in a sum brackets are far
    more common than alone, and the grammar pairs them. Only the 1-or-bracket choice is given back: a 5 whose
    runner-up is ( stays a 5."""
    bonus = BRACKETS_IN_SUMS if bonus is None else bonus
    if not bonus or len(nets) < 3 or not any(c in "+-×÷" for c in nets):
        return p
    sticks = np.array([c in "1()" for c in nets])
    bracket = [k for k, s in enumerate(symbols) if s in "()"]
    out = p.copy()
    out[np.ix_(sticks, bracket)] *= np.exp(bonus)
    return out


def _open_bracket_only(symbols, start=INITIAL):
    """True when `symbols` (a valid beginning) lacks only closing brackets: it ends in a number or ")"."""
    state = start
    for symbol in symbols:
        state = step(state, symbol)
    return state[0] in AFTER_OPERAND and state[1] > 0


def _choices(p, logs, symbols, top, min_probability):
    """Per row, [(symbol, log p)] for its `top` most probable labels: the first always, the others if
    p >= min_probability."""
    order = np.argsort(-p, axis=1, kind="stable")[:, :top]
    rows = []
    for i, ranked in enumerate(order.tolist()):
        rows.append([(symbols[k], float(logs[i, k])) for rank, k in enumerate(ranked)
                     if rank == 0 or p[i, k] >= min_probability])
    return rows


def _viterbi(choices, beam, start=INITIAL):
    """(text, score) of the best complete reading through `choices` (a list of [(symbol, log p)]), or None.

    A path is kept per grammar state (its best); states that cannot close their brackets in the symbols left
    are dropped, and at most `beam` states survive each step."""
    n = len(choices)
    paths = {start: (0.0, "")}
    for i, row in enumerate(choices):
        left = n - i - 1
        following = {}
        for state, (score, text) in paths.items():
            for symbol, logp in row:
                new = step(state, symbol)
                if new is None or new[1] > left:
                    continue
                total = score + logp
                kept = following.get(new)
                if kept is None or total > kept[0]:
                    following[new] = (total, text + symbol)
        if len(following) > beam:
            following = dict(sorted(following.items(), key=lambda item: -item[1][0])[:beam])
        paths = following
        if not paths:
            return None
    complete = [(score, text) for state, (score, text) in paths.items() if is_complete(state)]
    if not complete:
        return None
    score, text = max(complete, key=lambda item: item[0])
    return text, score
