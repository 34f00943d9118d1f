"""py/segment.py, py/ink.py and py/preprocess.py helpers written for speed in the page: each gives what the plain way gives."""
import numpy as np
import pytest
from PIL import Image

import ink
import preprocess
import segment
from training import drawings


def plain_distance(a, b):
    return float(np.sqrt(((a[:, None, :].astype(np.float64) - b[None, :, :]) ** 2).sum(axis=2).min()))


@pytest.mark.parametrize("seed", range(20))
def test_distance_is_the_least_distance_when_within_reach(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 60, (int(rng.integers(1, 40)), 2)).astype(np.int32) + [int(rng.integers(0, 80)), 0]
    b = rng.integers(0, 60, (int(rng.integers(1, 300)), 2)).astype(np.int32)
    box_a = (int(a[:, 0].min()), int(a[:, 1].min()), int(a[:, 0].max()) + 1, int(a[:, 1].max()) + 1)
    expected = plain_distance(a, b)
    for reach in (0.5, 3.0, 10.0, 50.0):
        assert segment._distance(a, b, box_a, reach) == (expected if expected <= reach else np.inf)


def unsure(batch):
    """A reader unsure of every piece (so every wide group is cut every way): (N, 28, 28) -> (N, 11)."""
    out = np.full((len(batch), 11), 0.05, np.float32)
    out[:, 3] = 0.2 + 0.3 * batch.mean(axis=(1, 2))  # differs from piece to piece
    return out


def touching_zeros(seven=False):
    """Two touching 0s (a wide group, cut every way), a 1 apart, and with `seven` a 7 added at the right."""
    canvas = (900, 300)
    parts = [drawings.draw_digit(0, canvas, 200, (180, 150), 22), drawings.draw_digit(0, canvas, 200, (300, 150), 22),
             drawings.draw_digit(1, canvas, 200, (500, 150), 22)]
    if seven:
        parts.append(drawings.draw_digit(7, canvas, 200, (750, 150), 22))
    return Image.fromarray(np.minimum.reduce([np.asarray(part) for part in parts]))


def same(a, b):
    return len(a) == len(b) and all(box_a == box_b and np.array_equal(x, y) for (box_a, x), (box_b, y) in zip(a, b))


def test_remembered_ways_are_the_ways_made_afresh(monkeypatch):
    """A drawing read twice, or grown by a symbol, reads as when nothing is remembered; the groups a new
    symbol leaves alone are taken from memory, and what memory holds cannot be changed."""
    segment._memory.clear()
    monkeypatch.setattr(segment, "MEMORY", 0)  # nothing kept: every way made afresh
    fresh = segment.segment_boxes(touching_zeros(), unsure)
    grown_fresh = segment.segment_boxes(touching_zeros(seven=True), unsure)
    assert not segment._memory
    monkeypatch.setattr(segment, "MEMORY", 128)
    first = segment.segment_boxes(touching_zeros(), unsure)
    again = segment.segment_boxes(touching_zeros(), unsure)
    grown = segment.segment_boxes(touching_zeros(seven=True), unsure)
    assert len(grown_fresh) == len(fresh) + 1 and any(key[0] == "splits" for key in segment._memory)
    assert same(first, fresh) and same(again, fresh) and same(grown, grown_fresh)
    assert all(x is y for (_, x), (_, y) in zip(first, grown[:-1]))  # the 0s and the 1 were not made again
    with pytest.raises(ValueError):
        grown[0][1][0, 0] = 1.0


def plain_labels(pieces):
    """Pieces' component of each run, by the plain union-find that looks at every run of the row above."""
    parent = list(range(len(pieces.rows)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows, starts, ends = pieces.rows.tolist(), pieces.starts.tolist(), pieces.ends.tolist()
    previous, current, row = [], [], -1
    for i, r in enumerate(rows):
        if r != row:
            previous = current if r == row + 1 else []
            current, row = [], r
        for j in previous:
            if starts[j] <= ends[i] and ends[j] >= starts[i]:
                a, b = find(i), find(j)
                if a != b:
                    parent[a] = b
        current.append(i)
    return np.unique([find(i) for i in range(len(rows))], return_inverse=True)[1].reshape(-1)


@pytest.mark.parametrize("seed", range(40))
def test_pieces_label_runs_as_the_plain_union_find(seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 60)), int(rng.integers(1, 90)))
    drawn = (rng.random(shape) < rng.uniform(0.05, 0.6)).astype(np.float32)
    pieces = ink.Pieces(drawn)
    np.testing.assert_array_equal(pieces.label, plain_labels(pieces))
    i, j = ink.touching(pieces.rows, pieces.starts, pieces.ends)
    expected = [(a, b) for a in range(len(pieces.rows)) for b in range(len(pieces.rows))
                if pieces.rows[b] == pieces.rows[a] - 1 and pieces.starts[b] <= pieces.ends[a]
                and pieces.ends[b] >= pieces.starts[a]]
    assert list(zip(i.tolist(), j.tolist())) == expected


def test_pieces_of_blank_ink():
    pieces = ink.Pieces(np.zeros((5, 7), np.float32))
    assert pieces.count == 0 and pieces.label.shape == (0,)


def plain_morph(work, radius, grow):
    pick = np.maximum if grow else np.minimum
    height, width = work.shape
    for step in range(radius):
        padded = np.pad(work, 1)
        out = work.copy()
        shifts = ((0, 1), (1, 0), (1, 2), (2, 1)) + (((0, 0), (0, 2), (2, 0), (2, 2)) if step % 2 == 0 else ())
        for dy, dx in shifts:
            out = pick(out, padded[dy:dy + height, dx:dx + width])
        work = out
    return work


def plain_grown(mask):
    padded = np.pad(mask, 1)
    grown = mask.copy()
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            grown |= padded[dy:dy + mask.shape[0], dx:dx + mask.shape[1]]
    return grown


def plain_stroke_width(binary):
    padded = np.pad(binary, 1)
    inner = padded[1:-1, 1:-1] & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    return 2.0 * binary.sum() / max((binary & ~inner).sum(), 1)


def plain_mask_of(pieces, components, window):
    x0, y0, x1, y1 = window
    mask = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    for r, s, e, label in zip(pieces.rows, pieces.starts, pieces.ends, pieces.label):
        if label in components:
            mask[r - y0, s - x0:e - x0] = True
    return mask


@pytest.mark.parametrize("seed", range(12))
def test_image_steps_are_the_plain_ones(seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 40)), int(rng.integers(1, 40)))
    work = rng.random(shape).astype(np.float32) * (rng.random(shape) < 0.5)
    binary = rng.random(shape) < rng.uniform(0.1, 0.9)
    for radius in range(4):
        for grow in (True, False):
            np.testing.assert_array_equal(preprocess._morph(work, radius, grow), plain_morph(work, radius, grow))
    np.testing.assert_array_equal(ink.grown(binary), plain_grown(binary))
    assert ink.stroke_width(binary) == plain_stroke_width(binary)
    np.testing.assert_array_equal(ink.framed(work, 2, 3), np.pad(work, ((2, 2), (3, 3))))
    pieces = ink.Pieces(binary.astype(np.float32))
    components = set(rng.choice(max(pieces.count, 1), size=min(3, pieces.count), replace=False).tolist())
    window = (0, 0, shape[1], shape[0])
    if components:
        window = pieces.window(components)
    np.testing.assert_array_equal(pieces.mask_of(components, window), plain_mask_of(pieces, components, window))


def test_spans_are_the_runs_pixels():
    np.testing.assert_array_equal(ink.spans(np.array([3, 10, 20]), np.array([2, 0, 3])), [3, 4, 20, 21, 22])


@pytest.mark.parametrize("kind", ["opaque gray", "colour", "transparent"])
def test_from_rgba_of_gray_ink_looks_up_the_same_numbers(kind):
    rng = np.random.default_rng(1)
    rgba = np.repeat(rng.integers(0, 256, (30, 40, 1), dtype=np.uint8), 4, axis=2)
    rgba[..., 3] = 255
    if kind == "colour":
        rgba[3, 5, 1] ^= 1
    if kind == "transparent":
        rgba[7, 2, 3] = 0
    plain = rgba.astype(np.float32) / 255.0
    alpha = plain[..., 3]
    gray = (plain[..., 0] * 0.299 + plain[..., 1] * 0.587 + plain[..., 2] * 0.114) * alpha + (1.0 - alpha)
    np.testing.assert_array_equal(preprocess.from_rgba(rgba.tobytes(), 40, 30), ink._ink_from_gray(gray))
