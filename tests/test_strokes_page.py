"""Reading by strokes in a real browser: a real person's sum (CROHME, a validation writer's strokes) drawn with the
mouse in the writer's own order, and again with a +'s bar and an ='s bar drawn last, is read and worked out the
same, each symbol one tile in "what the nets saw".

The strokes come from the vendored CROHME share, training/data/crohme/expressions.jsonl.gz (research and
education only, README)."""
import sys
from pathlib import Path

import numpy as np
import pytest

from tests import browser
from tests.test_app import wait_for_reading_of_all_strokes
from tests.test_calc_page import STATE

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import bench_strokes  # noqa: E402

EXPRESSION = "HAMEX/formulaire032-equation025.inkml"  # 7+140=147, a validation writer (bench_strokes.is_validation)
PAD_ASPECT = 1.5  # the pad's width / height (static/app.css)


@pytest.fixture(scope="module")
def real_sum():
    row = next(r for r in bench_strokes.load("validation") if r["id"] == EXPRESSION)
    (truth, strokes), = bench_strokes.arithmetic([row])
    return truth, strokes, row["symbols"]


def on_pad(strokes):
    """Strokes in the data's units -> in [0, 1] of the pad's box, the sum 0.85 of its width or 0.5 of its
    height, centred."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = min(0.85 * PAD_ASPECT / max(high[0] - low[0], 1), 0.5 / max(high[1] - low[1], 1))
    middle = (low + high) / 2
    return [(((s - middle) * scale + [PAD_ASPECT / 2, 0.5]) / [PAD_ASPECT, 1.0]).tolist() for s in strokes]


def read_drawn(page, strokes):
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#number').dataset.value === ''", timeout=20_000)
    browser.draw(page, on_pad(strokes), steps=1)
    wait_for_reading_of_all_strokes(page)
    return page.evaluate(STATE)


def test_a_real_sum_drawn_in_its_writers_order_is_read(app, real_sum):
    truth, strokes, _ = real_sum
    state = read_drawn(app, strokes)
    assert (state["read"], state["value"], state["error"]) == (truth, "147", "")
    assert app.locator("#seen canvas").count() == len(truth)
    assert app.evaluate("window.pad.strokes().length") == len(strokes)


def test_a_real_sum_with_strokes_out_of_order_is_read_the_same(app, real_sum):
    truth, strokes, symbols = real_sum
    plus = next(s for s in symbols if s["label"] == "+")["strokes"]
    equals = next(s for s in symbols if s["label"] == "=")["strokes"]
    late = [plus[-1], equals[-1]]  # the +'s second stroke after the 0, the ='s second bar last
    order = [i for i in range(len(strokes)) if i not in late] + late
    state = read_drawn(app, [strokes[i] for i in order])
    assert (state["read"], state["value"], state["error"]) == (truth, "147", "")
    assert app.locator("#seen canvas").count() == len(truth)
    # Undo the last stroke (a bar of the =): the rest is read again, the = now a minus
    app.locator("#undo").click()
    wait_for_reading_of_all_strokes(app)
    assert app.evaluate(STATE)["read"] == truth[:-1] + "-"
    assert app.evaluate("window.pad.strokes().length") == len(strokes) - 1


@pytest.mark.parametrize("expression, value", [
    ("MathBrush/200926-131-139.inkml", "9"),   # (9): brackets, another collection's writer
    ("MfrDB/MfrDB0580.inkml", "6"),             # 2+4=
    ("MfrDB/MfrDB0742.inkml", "9"),             # 3×3
])
def test_real_sums_of_other_validation_writers_are_read(app, expression, value):
    """More real people's sums (validation writers of other collections), each drawn stroke by stroke in its
    writer's order, are read and worked out."""
    row = next(r for r in bench_strokes.load("validation") if r["id"] == expression)
    (truth, strokes), = bench_strokes.arithmetic([row])
    state = read_drawn(app, strokes)
    assert (state["read"], state["value"], state["error"]) == (truth, value, "")
