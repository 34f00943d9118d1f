"""training/pen.py and training/symbols.py: MNIST traced into pen strokes, the styles and operators generators,
and that a net learns the operators from them."""
import numpy as np
import pytest

import preprocess
from training import mnist, pen, symbols


@pytest.fixture(scope="module")
def digits():
    x, y = mnist.load("train")
    return x[:300], y[:300]


def test_labels_are_digits_operators_then_reject():
    assert symbols.LABELS[:10] == tuple("0123456789")
    assert symbols.LABELS[10:17] == ("+", "-", "×", "÷", "=", "(", ")")
    assert symbols.LABELS[symbols.REJECT] == "not one symbol" == symbols.LABELS[-1]


def test_a_traced_digit_redrawn_covers_the_original(digits):
    """Strokes traced from an MNIST digit, redrawn with the pad's pen and brought back to 28x28, cover the same
    pixels as the digit itself (intersection over union of the inked pixels)."""
    x, _ = digits
    rng = np.random.default_rng(0)
    scores = []
    for image in x[:40]:
        strokes = pen.trace(image)
        assert strokes and all(s.ndim == 2 and s.shape[1] == 2 for s in strokes)
        redrawn = preprocess.to_mnist(pen.render(strokes, rng, height=(0.6, 0.6)))
        original = preprocess.to_mnist(image.astype(np.float32) / 255.0)
        a, b = redrawn > 0.3, original > 0.3
        scores.append((a & b).sum() / (a | b).sum())
    assert np.median(scores) > 0.55 and min(scores) > 0.3, scores


def test_the_chains_of_a_skeleton_cover_each_edge_once():
    skeleton = np.zeros((9, 9), bool)
    skeleton[4, 1:8] = True   # a horizontal line ...
    skeleton[1:4, 4] = True   # ... with a branch up from its middle: a T
    chains = pen._chains(skeleton)
    edges = [frozenset(tuple(int(v) for v in p) for p in pair) for chain in chains
             for pair in zip(chain[:-1], chain[1:])]
    points = [(int(r), int(c)) for r, c in zip(*np.nonzero(skeleton))]
    adjacent = {frozenset((p, q)) for p in points for q in points if p != q and max(abs(p[0] - q[0]),
                                                                                    abs(p[1] - q[1])) == 1}
    assert len(edges) == len(set(edges)) and set(edges) == adjacent  # every 8-neighbour step, once
    assert max(map(len, chains)) >= 7  # walked from a line end through the junction, not a step at a time


@pytest.mark.parametrize("kind", ["operators", "styles", "traced"])
def test_generators_are_deterministic_for_a_seed(kind, digits):
    x, y = digits
    one = symbols.drawn(kind, 21, seed=3, x=x, y=y, workers=1, chunk=7)
    two = symbols.drawn(kind, 21, seed=3, x=x, y=y, workers=2, chunk=7)
    other = symbols.drawn(kind, 21, seed=4, x=x, y=y, workers=1)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
    assert one[0].shape == (21, 28, 28) and one[0].dtype == np.float32
    assert not np.array_equal(one[0], other[0])


def test_operators_come_in_turn_and_look_like_themselves():
    images, labels = symbols.drawn("operators", 70, seed=1, workers=1)
    assert [symbols.LABELS[t] for t in labels[:7]] == list(symbols.OPERATORS)
    assert np.bincount(labels, minlength=18)[10:17].tolist() == [10] * 7
    minus, equals = images[labels == symbols.INDEX["-"]], images[labels == symbols.INDEX["="]]
    rows = lambda batch: (batch.sum(axis=2) > 1.0).sum(axis=1)  # noqa: E731 - inked rows per image
    assert rows(minus).mean() < rows(equals).mean()  # a minus is one flat bar, = two with a gap


def test_the_training_set_traces_every_digit_twice_the_second_time_with_more_hands(digits):
    x, y = digits
    once = symbols.dataset(5, x[:40], y[:40], styles=10, operators=14, retraced=False, cache=False)
    twice = symbols.dataset(5, x[:40], y[:40], styles=10, operators=14, cache=False)
    assert len(once[1]) == 40 + 10 + 14 and len(twice[1]) == 40 + 10 + 14 + 40
    np.testing.assert_array_equal(twice[0][:64], once[0])  # the first tracing, styles and operators are kept
    np.testing.assert_array_equal(twice[1][64:], y[:40])   # the second tracing: the same digits, in order ...
    assert not np.array_equal(twice[0][64:], twice[0][:40])  # ... drawn anew
    assert twice[2]["retraced"] and not once[2]["retraced"] and twice[2]["sha256"] != once[2]["sha256"]


def test_the_reject_fit_takes_the_first_tracing_as_one_symbol_not_the_second(digits):
    """training/reject.py's "one symbol" examples: the digits and the drawings of one tracing, whether or not
    the set has a second (whose held hands made the CNN's reject output shy)."""
    from training import reject

    x, y = digits
    once = symbols.dataset(5, x[:40], y[:40], styles=10, operators=14, retraced=False, cache=False)
    twice = symbols.dataset(5, x[:40], y[:40], styles=10, operators=14, cache=False)
    expected = np.concatenate([x[:40].astype(np.float32) / 255.0, once[0]])
    np.testing.assert_array_equal(reject.one_symbol(x[:40], twice[0], twice[2]), expected)
    np.testing.assert_array_equal(reject.one_symbol(x[:40], once[0], once[2]), expected)


def test_the_test_generator_has_wider_ranges_than_training():
    train, test = symbols.TRAIN, symbols.TEST
    # the wobbly hand shakes wobble x hand_wobble; "hands" is a share of the digits, not a range of the hand
    assert test["wobble"] * test["hand_wobble"] > train["wobble"] * train["hand_wobble"]
    for key, value in symbols.TRAIN.items():
        if key in ("hands", "hand_wobble"):
            continue
        wider = symbols.TEST[key]
        if isinstance(value, tuple):
            assert wider[0] <= value[0] and wider[1] >= value[1] and wider != value, key
        else:
            assert wider > value, key


def _fit_mlp(x, y, seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(7, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    return model


def test_a_tiny_net_learns_the_operators_from_the_generator():
    """Trained on 840 training-generator operators, a tiny MLP reads the test generator's (other seed, wider
    ranges) well; with the same labels shuffled it cannot: the labels carry what it learns."""
    x, y = symbols.drawn("operators", 840, seed=1)
    x_test, y_test = symbols.drawn("operators", 280, seed=99, r=symbols.TEST)
    y, y_test = y - 10, y_test - 10
    accuracy = (_fit_mlp(x, y).predict(x_test, verbose=0).argmax(1) == y_test).mean()
    shuffled = np.random.default_rng(0).permutation(y)
    chance = (_fit_mlp(x, shuffled).predict(x_test, verbose=0).argmax(1) == y_test).mean()
    assert accuracy > 0.9 and chance < 0.4, (accuracy, chance)
