"""training/segments.py: the labels of the pieces segmentation weighs, which teach the CNN "not one digit"."""
import numpy as np
import pytest

import segment
from training import drawings, mnist, segments


@pytest.fixture(scope="module")
def train_set():
    return mnist.load("train")


@pytest.mark.parametrize("box, expected", [
    ((100, 0, 200, 50), 7),             # one digit's extent: that digit
    ((105, 0, 198, 50), 7),             # nearly: still that digit
    ((100, 0, 150, 50), 17),            # half of it: not one digit
    ((100, 0, 300, 50), 17),            # both digits as one: not one digit
    ((100, 0, 180, 50), None),          # 80 % of it: too close to call, dropped
])
def test_labels_by_overlap_with_the_digits(box, expected):
    assert segments.label(box, [(100, 200), (200, 300)], [7, 2]) == expected


def test_cuts_through_a_lone_digit_are_not_digits(train_set):
    """Two wide 0s far apart: the halves segment weighs are not digits; the whole 0s are left to MNIST."""
    x, y = train_set
    zeros = np.nonzero(y == 0)[0]
    widest = zeros[np.argsort([np.ptp(np.nonzero(x[i].any(0))[0]) for i in zeros[:300]])[-2:]]
    images, labels = segments.number_pieces(x, y, widest, np.random.default_rng(0))
    assert len(labels) >= 2 and set(labels) == {segments.REJECT}
    assert all(image.shape == (28, 28) and image.dtype == np.float32 for image in images)


def test_touching_digits_cut_apart_are_labelled(train_set):
    """Two touching 0s: the cut between them gives two pieces labelled 0; cuts elsewhere are not digits."""
    x, y = train_set
    rng = np.random.default_rng(0)
    images, labels = segments.number_pieces(x, y, np.nonzero(y == 0)[0][:2], rng, gap=(-0.1, -0.1))
    assert labels.count(0) >= 2 and labels.count(segments.REJECT) >= 2, labels


def test_touching_digits_as_one_are_not_a_digit(train_set):
    x, y = train_set
    rng = np.random.default_rng(3)
    zeros = [drawings.random_pen(x[i], rng, 200) for i in np.nonzero(y == 0)[0][:2]]
    ink, extents = drawings.compose(zeros, rng, 280, gap=(-0.2, -0.2))
    groups = segment.segment_candidates(ink)
    assert len(groups) == 1, "the two 0s touch"
    whole = next(reading for shape, reading in groups[0] if not shape[0])
    assert segments.label(whole[0][0], extents, [0, 0]) == segments.REJECT


def test_pieces_are_the_same_for_any_number_of_workers(train_set, monkeypatch):
    x, y = train_set
    monkeypatch.setattr(segments, "CHUNK", 6)
    one = segments.pieces(x[:2000], y[:2000], 12, seed=5, workers=1, cache=False)
    two = segments.pieces(x[:2000], y[:2000], 12, seed=5, workers=2, cache=False)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
    assert one[0].shape == (len(one[1]), 28, 28) and 0 < (one[1] == segments.REJECT).sum() < len(one[1])
    assert segments.describe(*one)["pieces_sha256"] == segments.describe(*two)["pieces_sha256"]


def test_the_splits_of_a_narrow_digit_are_not_taught(train_set):
    """A lone 0 drawn narrow (aspect about 0.6): segment may cut it when its whole reading is rejected, but its
    halves are not taught as "not one symbol" (TAUGHT_ASPECT): every digit has such halves, and they swamped the
    pieces. A wide pair of touching 0s still is."""
    x, y = train_set
    zero = x[np.nonzero(y == 0)[0][0]]
    narrow = drawings.mnist_ink(zero, 200, 4)[:, ::2]  # every other column: half as wide
    ink, extents = drawings.compose([narrow], np.random.default_rng(0), 280)
    assert 0.3 < narrow.shape[1] / narrow.shape[0] < segments.TAUGHT_ASPECT
    assert any(shape[0] for ways in segment.segment_candidates(ink) for shape, _ in ways), "segment weighs cuts"
    assert segments.line_pieces(ink, extents, [0]) == ([], [])
    pair, pair_extents = drawings.compose([drawings.mnist_ink(zero, 200, 4)] * 2, np.random.default_rng(0), 280,
                                          gap=(-0.1, -0.1))
    assert segments.REJECT in segments.line_pieces(pair, pair_extents, [0, 0])[1]
