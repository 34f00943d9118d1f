"""training/crohme.py: real writers' strokes, split by writer, drawn with the pad's pen as the page reads them."""
import numpy as np
import pytest

from training import crohme, segments, symbols


@pytest.fixture(scope="module")
def parts():
    return crohme.load("train"), crohme.load("validation")


def test_writers_are_split_by_group_never_by_expression(parts):
    train, validation = parts
    train_groups, validation_groups = {e["group"] for e in train}, {e["group"] for e in validation}
    assert not train_groups & validation_groups
    assert len(train) + len(validation) == len(crohme._all()) == 5655
    # a fixed fifth of the groups, not a fifth of the expressions picked at random
    assert 0.12 < len(validation_groups) / (len(train_groups) + len(validation_groups)) < 0.28
    assert all(crohme.is_validation(g) for g in validation_groups)


def test_the_training_writers_split_again_by_group_into_fit_and_dev(parts):
    train, validation = parts
    fit, dev = crohme.load("fit"), crohme.load("dev")
    fit_groups, dev_groups = {e["group"] for e in fit}, {e["group"] for e in dev}
    assert not fit_groups & dev_groups and not (fit_groups | dev_groups) & {e["group"] for e in validation}
    assert sorted(e["id"] for e in fit + dev) == sorted(e["id"] for e in train)
    assert 0.12 < len(dev_groups) / (len(fit_groups) + len(dev_groups)) < 0.28
    assert all(crohme.is_dev(g) for g in dev_groups) and not any(crohme.is_dev(g) for g in fit_groups)
    with pytest.raises(ValueError, match="part"):
        crohme.load("test")


def test_a_changed_source_is_refused(monkeypatch, tmp_path):
    changed = tmp_path / "expressions.jsonl.gz"
    changed.write_bytes(crohme.SOURCE.read_bytes()[:-1] + b"\0")
    monkeypatch.setattr(crohme, "SOURCE", changed)
    crohme._all.cache_clear()
    try:
        with pytest.raises(SystemExit, match="sha256"):
            crohme.load("train")
    finally:
        crohme._all.cache_clear()


def test_truth_is_left_to_right_and_cut_after_the_first_equals(parts):
    """Files list symbols in their own order: 199-151=48 is stored as 199-15148=."""
    every = parts[0] + parts[1]
    stored_late = [e for e in every if e["id"] == "HAMEX/formulaire008-equation070.inkml"]
    assert "".join(s["label"] for s in stored_late[0]["symbols"]) == "199-15148="
    assert crohme.truth(stored_late[0]) == "199-151="
    for e in every:
        text = crohme.truth(e)
        if text:
            xs = [crohme.box_of(e, s) for s in crohme.symbols_in_order(e)][:len(text)]
            assert [b[0] + b[2] for b in xs] == sorted(b[0] + b[2] for b in xs)
            assert "=" not in text[:-1] and len(text) <= 12


def test_labels_ours_others_and_lookalikes():
    assert crohme.label_index("7") == symbols.INDEX["7"] and crohme.label_index("×") == symbols.INDEX["×"]
    assert crohme.label_index("other:a") == symbols.REJECT
    assert crohme.label_index("other:\\sqrt") == symbols.REJECT
    for lookalike in ("other:x", "other:l", "other:o", "other:\\frac", "other:s", "other:."):
        assert crohme.label_index(lookalike) == crohme.LOOKS_LIKE_OURS


def test_lone_symbols_are_drawn_as_the_page_reads_them(parts):
    """Each symbol alone, with the pad's pen: MNIST-like inputs, labels of ours or REJECT, no look-alikes."""
    sample = parts[0][:40]
    images, labels = crohme._lone_chunk((sample, 0, 1, crohme.LONE_HEIGHT, False))
    images, labels = np.array(images), np.array(labels)
    expected = sum(1 for e in sample for s in e["symbols"]
                   if s["strokes"] and crohme.label_index(s["label"]) != crohme.LOOKS_LIKE_OURS)
    assert len(labels) == expected
    assert images.shape == (expected, 28, 28) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert set(labels) <= set(range(len(symbols.LABELS)))
    # as preprocess makes them: the ink fitted in 20 x 20 (then centred by its mass)
    spans = [(np.ptp(np.nonzero(i.max(0) > 0.1)[0]), np.ptp(np.nonzero(i.max(1) > 0.1)[0])) for i in images]
    assert all(max(w, h) <= 22 for w, h in spans) and np.mean([max(w, h) >= 17 for w, h in spans]) > 0.9
    again, _ = crohme._lone_chunk((sample, 0, 1, crohme.LONE_HEIGHT, False))
    np.testing.assert_array_equal(images, np.array(again))


def test_jitter_moves_each_stroke_of_a_symbol_a_little_and_leaves_one_stroke_symbols_alone(parts):
    """--stroke-jitter: each stroke of a symbol of 2+ strokes moved, turned and scaled about its own middle by
    no more than the set amounts (how another writer puts a +'s bar); a symbol of one stroke is drawn as it was."""
    symbol, expression = next((s, e) for e in parts[0] for s in e["symbols"] if s["label"] == "+" and len(s["strokes"]) == 2)
    strokes = crohme.strokes_of(expression, symbol)
    x0, y0, x1, y1 = crohme.pen.bounds(strokes)
    size = max(x1 - x0, y1 - y0)
    for seed in range(5):
        for before, after in zip(strokes, crohme.jittered(strokes, np.random.default_rng(seed))):
            middle = (before.min(axis=0) + before.max(axis=0)) / 2
            reach = np.sqrt(((before - middle) ** 2).sum(axis=1)).max()
            turn = 2 * np.sin(np.radians(crohme.JITTER_TURN) / 2) * (1 + crohme.JITTER_SCALE)
            bound = (crohme.JITTER_SCALE + turn) * reach + np.sqrt(2) * crohme.JITTER_SHIFT * size
            moved = np.sqrt(((after - before) ** 2).sum(axis=1)).max()
            assert after.shape == before.shape and 0 < moved <= bound + 1e-3
    ones = [e for e in parts[0] if all(len(s["strokes"]) <= 1 for s in e["symbols"])][:5]
    multi = [expression]
    for rows, changed in ((ones, False), (multi, True)):
        plain = crohme._lone_chunk((rows, 0, 2, crohme.LONE_HEIGHT, False))
        jittery = crohme._lone_chunk((rows, 0, 2, crohme.LONE_HEIGHT, True))
        assert plain[1] == jittery[1]  # the same rows, the same labels
        assert (not np.array_equal(np.array(plain[0]), np.array(jittery[0]))) == changed
        np.testing.assert_array_equal(np.array(jittery[0]), np.array(crohme._lone_chunk((rows, 0, 2, crohme.LONE_HEIGHT, True))[0]))


def test_a_line_is_drawn_on_the_pad_with_each_symbols_extent(parts):
    line = next(e for e in parts[1] if crohme.truth(e) and crohme.is_line(e) and len(crohme.truth(e)) >= 4)
    ink, extents, labels, scale = crohme.line_ink(line, digit_height=80)
    assert ink.shape[0] >= crohme.PAD[1] and ink.shape[1] >= crohme.PAD[0]
    assert len(extents) == len(labels) == len([s for s in line["symbols"] if s["strokes"]])
    columns = np.nonzero(ink.max(axis=0) > 0.5)[0]
    assert abs(min(e[0] for e in extents) - columns[0]) <= 2 and abs(max(e[1] for e in extents) - columns[-1]) <= 2
    for (x0, x1) in extents:  # ink inside each extent
        assert ink[:, int(x0) + 1:int(x1)].max() > 0.5
    # a line too wide for the pad is drawn smaller, never cut
    wide, _, _, small = crohme.line_ink(line, digit_height=1000)
    assert wide.shape[1] <= crohme.PAD[0] + 1 and small < 10.0


def test_pieces_of_real_lines_are_labelled_like_the_synthetic_ones(parts):
    lines = [e for e in parts[0] if crohme.is_line(e)][:12]
    images, labels = crohme._pieces_chunk((lines, 0, 1))
    assert images and len(images) == len(labels)
    assert segments.REJECT in labels and crohme.LOOKS_LIKE_OURS not in labels
    assert not any(crohme.is_line(e) for e in parts[0] if "\\frac" in e["latex"])


def test_a_bracket_alone_is_a_one_only_when_it_is_one_straight_stroke():
    """calibrate.py scores a real ( or ) as a 1 when it is one straight stroke (the issue: alone, a straight ) is
    a 1); a curved one, or one of two strokes, stays a bracket."""
    t = np.linspace(-1.0, 1.0, 15, dtype=np.float32)
    stick = np.stack([2 * (1 - t ** 2), 50 * t], axis=1)              # bulges 2 % of its length
    curved = np.stack([30 * (1 - t ** 2), 50 * t], axis=1)            # bulges 30 %
    assert crohme.is_stick([stick]) and crohme.is_stick([stick[::-1] @ np.float32([[0.9, 0.4], [-0.4, 0.9]])])  # reversed, tilted
    assert not crohme.is_stick([curved])
    assert not crohme.is_stick([stick[:7], stick[7:]])


def test_rare_real_labels_are_drawn_again_up_to_the_balance_and_common_ones_are_left():
    from training import train

    y = np.array([0] * 10 + [1] * 3 + [2] * 1)
    x = np.arange(len(y), dtype=np.float32)[:, None, None] * np.ones((1, 28, 28), np.float32)
    bx, by = train.balanced(x, y, 6, seed=1)
    assert np.bincount(by).tolist() == [10, 6, 6]
    assert (bx[:len(y)] == x).all() and (by[:len(y)] == y).all()  # the originals first, unchanged
    # each copy is a row of its own label
    assert all(int(bx[i, 0, 0]) in np.flatnonzero(y == by[i]) for i in range(len(y), len(by)))
    same_x, same_y = train.balanced(x, y, 1, seed=1)  # every label has at least one
    assert same_x is x and same_y is y


def test_training_learns_the_part_of_the_real_writers_it_is_asked_for(monkeypatch):
    """train.py --real-part fit leaves the dev writers out (their symbols are what the grouping is fitted on)."""
    from training import train

    asked = []

    def images(part, seed, repeats, jitter=False):
        asked.append(part)
        return np.zeros((3, 28, 28), np.float32), np.array([1, 2, symbols.REJECT]), 1

    monkeypatch.setattr(crohme, "symbol_images", images)
    for argv, part in (([], "train"), (["--real-part", "fit"], "fit")):
        x, y, info = train.real_symbols(train.parse_args(argv))
        assert asked[-1] == part and info["part"] == part and y.tolist() == [1, 2]
    with pytest.raises(SystemExit):
        train.parse_args(["--real-part", "validation"])  # never the validation writers


def test_the_real_hands_bench_draws_pixels_with_the_pads_pen_at_the_size_of_the_strokes(parts):
    """tools/bench_real.py reads by pixels what the pad shows (its 1/60 pen): crohme.line_ink with ink_pen, the
    same strokes at the same size as the reading by strokes; with the data's pen it is line_ink's drawing, pixel
    for pixel."""
    from tools import bench_real

    _, validation = parts
    expression = next(e for e in validation if crohme.truth(e) and len(crohme.cut_symbols(e)) >= 3)
    only = crohme.cut_symbols(expression)
    old, _, _, scale = crohme.line_ink(expression, digit_height=80.0, only=only)
    same = crohme.line_ink(expression, digit_height=80.0, only=only, ink_pen=crohme.PAD_PEN)
    assert np.array_equal(old, same[0]) and same[3] == scale
    thin, _, _, thin_scale = crohme.line_ink(expression, digit_height=80.0, only=only, ink_pen=bench_real.PAD_PEN)
    assert bench_real.PAD_PEN == pytest.approx(280 / 60) and thin_scale == scale
    assert thin.shape[0] >= crohme.PAD[1] and 0 < thin.sum() < 0.6 * old.sum()

    def box(ink):
        rows, cols = np.nonzero(ink > 0.5)
        return np.array([cols.min(), rows.min(), cols.max(), rows.max()], float)

    # the same strokes at the same size: the ink's width and height are only the pens' difference apart
    extent = lambda b: b[2:] - b[:2]  # noqa: E731
    assert np.abs(extent(box(old)) - extent(box(thin)) - (crohme.PAD_PEN - bench_real.PAD_PEN)).max() <= 3
