"""py/inside.py, the look-inside panel's pictures, on the committed nets (any label list) under CPython."""
import os

import numpy as np
import pytest

import inside
import net
from training import mnist

WEIGHTS = os.path.join(os.path.dirname(__file__), "..", "weights")


@pytest.fixture(scope="module")
def models():
    return {name: net.load(os.path.join(WEIGHTS, name + ".npz")) for name in ("cnn", "mlp")}


@pytest.fixture(scope="module")
def digit():
    x, y = mnist.load("test")
    return x[0] / np.float32(255), int(y[0])


def test_evidence_is_gradient_times_input_of_top_against_runner_up(models, digit):
    x, _ = digit
    for model in models.values():
        found = inside.look(model, x)
        ranked = model.predict_proba(x).argsort()
        assert (found.top, found.second) == (model.symbols[ranked[-1]], model.symbols[ranked[-2]])
        expected = model.input_gradient(x, int(ranked[-1]), int(ranked[-2])) * x
        np.testing.assert_allclose(found.evidence, expected, atol=1e-6)
        assert found.evidence_image.shape == (28, 28, 4) and found.evidence_image.dtype == np.uint8
        assert np.abs(found.evidence).max() > 0


def test_evidence_colours_red_for_blue_against_gray_ink_white_paper():
    x = np.zeros((28, 28), np.float32)
    x[5:10, 5:10] = 1.0
    evidence = np.zeros((28, 28), np.float32)
    evidence[5, 5], evidence[6, 6] = 2.0, -1.0
    image = inside.evidence_map(x, evidence).astype(int)
    assert tuple(image[5, 5, :3]) == tuple(inside.RED)  # the strongest evidence: full colour
    r, g, b = image[6, 6, :3]
    assert b > r and b > g  # against: blue
    assert tuple(image[7, 7, :3]) == (175, 175, 175)  # ink without evidence: light gray
    assert tuple(image[0, 0]) == (255, 255, 255, 255)  # paper: white, opaque
    blank = inside.evidence_map(np.zeros((28, 28)), np.zeros((28, 28)))
    assert (blank == 255).all()


def test_cnn_shows_filters_and_feature_maps(models, digit):
    x, _ = digit
    model = models["cnn"]
    found = inside.look(model, x)
    kernel = model.layers[0].kernel
    count, size = kernel.shape[3], kernel.shape[0]
    columns = inside.columns_for(count)
    rows = -(-count // columns)
    assert (found.n_filters, found.filter_size) == (count, size)
    assert found.filters.shape == (rows * size + rows - 1, columns * size + columns - 1, 4)
    maps = model.activations(x)[1]  # after the first ReLU
    h = maps.shape[0]
    assert found.feature_maps.shape == (rows * h + 2 * (rows - 1), columns * h + 2 * (columns - 1), 4)
    for image in (found.filters, found.feature_maps):
        assert image[..., :3].std() > 10, "a picture that is all one colour shows nothing"
    brightest = np.unravel_index(maps.argmax(), maps.shape)
    tile = found.feature_maps[(brightest[2] // columns) * (h + 2):, (brightest[2] % columns) * (h + 2):]
    assert tuple(tile[brightest[0], brightest[1], :3]) == (255, 255, 255)
    assert found.units == []


def test_mlp_shows_its_hidden_units_that_pushed_hardest(models, digit):
    x, _ = digit
    model = models["mlp"]
    found = inside.look(model, x)
    assert found.filters is None and 1 <= len(found.units) <= inside.TOP_UNITS
    shares = [unit.share for unit in found.units]
    assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 1 + 1e-6
    # The same units and shares from the net's own first hidden layer: activation x gradient there.
    top, second = (model.symbols.index(s) for s in (found.top, found.second))
    hidden = model.activations(x)[2]
    gradient = model.gradients(x, top, second).inputs[3][0]
    push = hidden * gradient
    assert [u.index for u in found.units] == list(np.argsort(push)[::-1][:len(found.units)])
    assert found.units[0].share == pytest.approx(push.max() / push[push > 0].sum(), rel=1e-5)
    kernel = model.layers[1].kernel
    assert found.units[0].image.shape == (28, 28, 4)
    np.testing.assert_array_equal(found.units[0].image, inside.diverging(kernel[:, found.units[0].index].reshape(28, 28)))


def test_top_units_ranks_positive_pushes_only():
    kernel = np.zeros((784, 4), np.float32)
    units = inside.top_units(kernel, np.array([1.0, 2.0, 3.0, 0.0]), np.array([1.0, 1.0, -1.0, 5.0]), count=3)
    assert [(u.index, round(u.share, 4)) for u in units] == [(1, 0.6667), (0, 0.3333)]


def test_blank_input_and_sentences(models):
    """A blank input still gives pictures (no division by zero) and sentences naming the symbols."""
    for name, model in models.items():
        found = inside.look(model, np.zeros((28, 28), np.float32))
        assert np.isfinite(found.evidence).all() and found.evidence_image.shape == (28, 28, 4)
        said = inside.sentences(name.upper(), found)
        assert found.top in said["evidence"] and found.second in said["evidence"]
        assert ("filters" in said) == (found.filters is not None) and ("units" in said) == bool(found.units)
