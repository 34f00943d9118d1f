"""The from-scratch numpy trainers: analytic gradients vs numerical ones, learning, export to py/net.py."""
import numpy as np
import pytest

import net
from training import export, mnist, scratch


def numerical_gradient(model, x, t, name, eps=1e-6):
    param = model.params[name]
    grad = np.zeros_like(param)
    for index in np.ndindex(param.shape):
        old = param[index]
        param[index] = old + eps
        plus = scratch.cross_entropy(model.forward(x), t)
        param[index] = old - eps
        minus = scratch.cross_entropy(model.forward(x), t)
        param[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


@pytest.mark.parametrize("make", [
    lambda rng: scratch.LogisticRegression(d=12, k=10, rng=rng),
    lambda rng: scratch.SigmoidMLP(d=12, m=7, k=10, rng=rng),
], ids=["logistic", "sigmoid-mlp"])
def test_gradients_match_finite_differences(make):
    rng = np.random.default_rng(1)
    model = make(rng)
    for params in model.params.values():  # move away from the symmetric start
        params += rng.normal(0, 0.5, params.shape)
    x = rng.random((9, 12))
    t = scratch.one_hot(rng.integers(0, 10, 9))
    analytic = model.gradients(x, t)
    for name in model.params:
        numeric = numerical_gradient(model, x, t, name)
        assert np.abs(analytic[name] - numeric).max() < 1e-6 * max(1.0, np.abs(numeric).max()), name


def test_a_wrong_gradient_would_be_caught():
    """The check above can fail: drop the σ' factor from ∇W and it does."""
    rng = np.random.default_rng(2)
    model = scratch.SigmoidMLP(d=6, m=4, k=10, rng=rng)
    x, t = rng.random((5, 6)), scratch.one_hot(rng.integers(0, 10, 5))
    delta = model.forward(x) - t
    wrong = x.T @ (delta @ model.params["V"].T)
    assert np.abs(wrong - numerical_gradient(model, x, t, "W")).max() > 1e-3


@pytest.fixture(scope="module")
def small_mnist():
    x, y = mnist.load("train")
    x_test, y_test = mnist.load("test")
    return (x[:5000].reshape(5000, -1) / 255.0, y[:5000], x_test[:1000].reshape(1000, -1) / 255.0, y_test[:1000])


@pytest.mark.parametrize("model_class", [scratch.LogisticRegression, scratch.SigmoidMLP])
def test_learns_and_exports_for_the_page(model_class, small_mnist):
    x, y, x_test, y_test = small_mnist
    model = scratch.fit(model_class(rng=np.random.default_rng(0)), x, y, epochs=3, lr=0.5, log=None)
    accuracy = (model.forward(x_test).argmax(axis=1) == y_test).mean()
    assert accuracy > 0.8
    page_model = net.loads(export.npz_bytes("scratch", model.layers(), "float32"), "scratch.npz")
    expected = model.forward(x_test)
    actual = page_model.predict_proba(x_test.reshape(-1, 28, 28).astype(np.float32))
    assert np.abs(actual - expected).max() < 1e-4
