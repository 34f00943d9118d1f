"""py/segment.py and py/preprocess.py helpers written for speed in the page: each gives what the plain way gives."""
import numpy as np
import pytest
from PIL import Image

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
