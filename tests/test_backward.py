"""py/net.py's backward pass: gradients of log-probabilities (as predict_proba gives them) against TensorFlow's
GradientTape and against finite differences, for every layer kind, with and without a reject output."""
import os

import numpy as np
import pytest

import net
from tests.test_net import every_kind_model, exported, fit, with_rejects
from training import mnist, train

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
IMAGES = 16


@pytest.fixture(scope="module")
def data():
    x_train, y_train = mnist.load("train")
    x_test, _ = mnist.load("test")
    return (x_train[:2000].astype(np.float32) / 255)[..., None], y_train[:2000], x_test[:IMAGES] / np.float32(255)


@pytest.fixture(scope="module")
def keras_models(data):
    """Tiny Keras nets, a second or two of training each: every layer kind; a CNN with an 11th "not one digit"
    output; one with 18 outputs named like the page's (symbols, then the reject output); an MLP."""
    import keras

    keras.utils.set_random_seed(1)
    symbols = list(net.SYMBOLS) + [net.REJECT]
    return {"every_kind": (fit(every_kind_model(keras), data), None),
            "cnn_reject": (fit(train.build_cnn(keras, small=True, classes=11), with_rejects(data)), None),
            "symbols": (fit(train.build_cnn(keras, small=True, classes=len(symbols)), data), symbols),
            "mlp": (fit(train.build_mlp(keras, small=True), data), None)}


def ours(keras_model, labels):
    from training import export

    if labels is None:
        return exported(keras_model)
    return net.loads(export.npz_bytes(keras_model.name, export.keras_layers(keras_model), "float32", labels=labels))


def top_two(model, x):
    """Each image's most likely symbol and runner-up, (N,) each."""
    ranked = model.predict_proba(x).argsort(axis=1)
    return ranked[:, -1], ranked[:, -2]


def tape_gradients(keras_model, x, n_symbols, k, against=None):
    """TensorFlow's d/dx and d/d(variables) of sum over the batch of log p_k (p: the softmax outputs
    renormalized over the first n_symbols, as predict_proba does), or of log(p_k / p_against)."""
    import tensorflow as tf

    images = tf.constant(x[..., None])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(images)
        y = keras_model(images, training=False)[:, :n_symbols]
        log_p = tf.math.log(y / tf.reduce_sum(y, axis=1, keepdims=True))
        value = tf.gather(log_p, k, batch_dims=1)
        if against is not None:
            value -= tf.gather(log_p, against, batch_dims=1)
        total = tf.reduce_sum(value)
    variables = {"%s.%s" % tuple(v.path.split("/")[-2:]): v for v in keras_model.trainable_variables}
    grads = {name: tape.gradient(total, v).numpy() for name, v in variables.items()}
    return tape.gradient(total, images).numpy()[..., 0], grads


@pytest.mark.parametrize("name", ["every_kind", "cnn_reject", "symbols", "mlp"])
def test_input_gradient_matches_tensorflow(keras_models, data, name):
    keras_model, labels = keras_models[name]
    model = ours(keras_model, labels)
    x = data[2]
    top, second = top_two(model, x)
    for k, against in ((second, None), (top, None), (top, second)):
        expected, _ = tape_gradients(keras_model, x, len(model.symbols), k, against)
        actual = model.input_gradient(x, k, against)
        assert actual.shape == (IMAGES, 28, 28) and actual.dtype == np.float32
        assert np.abs(expected).max() > 1e-2, "a test of gradients that are all zero proves nothing"
        assert np.abs(actual - expected).max() <= 1e-4
    one = model.input_gradient(x[3], int(second[3]))
    assert one.shape == (28, 28)
    np.testing.assert_allclose(one, model.input_gradient(x, second)[3], atol=1e-6)


@pytest.mark.parametrize("name", ["every_kind", "mlp"])
def test_kernel_and_bias_gradients_match_tensorflow(keras_models, data, name):
    """Gradients of the dense and conv parameters (summed over a batch), for layers with no BatchNormalization
    folded into them (a folded kernel is not the Keras variable)."""
    keras_model, labels = keras_models[name]
    model = ours(keras_model, labels)
    x = data[2]
    top, second = top_two(model, x)
    _, expected = tape_gradients(keras_model, x, len(model.symbols), top, second)
    actual = model.gradients(x, top, second).params
    compared = [key for key in expected if key in actual and not key.startswith("c1.")]
    assert len(compared) >= 4
    for key in compared:
        assert actual[key].shape == expected[key].shape, key
        assert np.abs(actual[key] - expected[key]).max() <= 1e-4, key


def float64_copy(keras_model, labels):
    """Our net with float64 weights: finite differences in float64 are exact enough to check against."""
    model = ours(keras_model, labels)
    for layer in model.layers:
        if layer.kind in ("dense", "conv2d"):
            layer.set_weights(layer.kernel.astype(np.float64), layer.bias.astype(np.float64))
    return model


def log_p(model, image, k):
    """log p_k of one (28, 28) float64 image through the layers, in float64 (exported nets' input needs no
    normalization: scale 1, mean 0)."""
    z = image.reshape((1,) + model.input_shape)
    for layer in model.layers:
        z = layer.forward(z)
    return float(np.log(model.symbol_probabilities(z)[0, k]))


@pytest.mark.parametrize("name", ["every_kind", "cnn_reject", "mlp"])
def test_input_gradient_matches_finite_differences(keras_models, data, name):
    """On a digit with a little noise: in blank areas max pooling ties exactly (no derivative there: TensorFlow's
    choice is checked above), noise breaks the ties."""
    model = float64_copy(*keras_models[name])
    rng = np.random.default_rng(0)
    image = (data[2][5] + rng.uniform(0, 0.05, (28, 28)).astype(np.float32)).astype(np.float64)
    k = int(top_two(model, image.astype(np.float32)[None])[1][0])
    gradient = model.input_gradient(image, k)
    inked = np.argwhere(image > 0.3)
    pixels = [tuple(p) for p in inked[rng.choice(len(inked), 15, replace=False)]] + \
             [tuple(p) for p in rng.integers(0, 28, (15, 2))]
    eps = 1e-5
    for pixel in pixels:
        up, down = image.copy(), image.copy()
        up[pixel] += eps
        down[pixel] -= eps
        numeric = (log_p(model, up, k) - log_p(model, down, k)) / (2 * eps)
        assert abs(gradient[pixel] - numeric) <= 1e-6 + 1e-4 * abs(numeric), pixel


def test_gradient_needs_a_softmax_and_a_right_shape(keras_models):
    model = ours(*keras_models["mlp"])
    with pytest.raises(ValueError, match="expects"):
        model.input_gradient(np.zeros((20, 20), np.float32), 0)


def test_activations_are_every_layer_output(keras_models, data):
    """activations(x): one array per layer, shaped as the layer's output, the last being read(x)."""
    model = ours(*keras_models["every_kind"])
    outputs = model.activations(data[2][0])
    assert [a.shape for a in outputs][:4] == [(28, 28, 4), (28, 28, 4), (14, 14, 4), (10, 10, 6)]
    assert len(outputs) == len(model.layers)
    assert outputs[0].min() < 0 <= outputs[1].min()  # the convolution's output is kept as it was before ReLU
    np.testing.assert_allclose(outputs[-1], model.read(data[2][0]), atol=1e-6)

