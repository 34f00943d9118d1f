"""training/reject.py: a net's last output "not one symbol" is added without changing how it reads symbols."""
import io

import numpy as np
import pytest

import net
from training import drawings, export, mnist, reject, train


@pytest.fixture(scope="module")
def small_cnn():
    """A tiny CNN trained for one epoch on 3,000 MNIST digits, exported as the page loads it (int8)."""
    import keras

    keras.utils.set_random_seed(0)
    x, y = mnist.load("train")
    model = train.build_cnn(keras, small=True)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit((x[:3000] / 255.0).astype(np.float32)[..., None], y[:3000], epochs=1, batch_size=64, verbose=0)
    return export.npz_bytes("cnn", export.keras_layers(model), "int8")


def test_the_new_output_leaves_the_digits_alone(small_cnn):
    """Adding hidden units and the reject output keeps every symbol weight byte for byte: predict_proba is
    unchanged to float rounding, and read() has the reject column last, named in the labels."""
    x = mnist.load("test")[0][:500].astype(np.float32) / 255.0
    before = net.loads(small_cnn)
    rng = np.random.default_rng(1)
    flat, hidden = 4 * 4 * 16, 32  # the small CNN's flattened conv features and hidden units
    head = (rng.normal(size=(flat, 4)), rng.normal(size=4), rng.normal(size=hidden + 4), 0.5)
    data, summary, params = reject.with_reject_head(small_cnn, *head)
    after = net.loads(data)
    assert before.outputs == 10 and after.outputs == 11 and "dense 36 → dense 11" in summary
    assert after.labels == list("0123456789") + [net.REJECT] and after.rejects and not before.rejects
    assert params == before.n_params + flat * 4 + 4 + 4 * 10 + hidden + 4 + 1
    np.testing.assert_allclose(after.predict_proba(x), before.predict_proba(x), atol=1e-6)
    np.testing.assert_array_equal(after.predict(x), before.predict(x))
    with np.load(io.BytesIO(small_cnn)) as old, np.load(io.BytesIO(data)) as new:
        np.testing.assert_array_equal(new["out.kernel"][:hidden, :10], old["out.kernel"])
        assert not new["out.kernel"][hidden:, :10].any()
        np.testing.assert_array_equal(new["dense1.kernel"][:, :hidden], old["dense1.kernel"])
        np.testing.assert_array_equal(new["conv1.kernel"], old["conv1.kernel"])


def test_the_output_taken_off_again_gives_back_the_net(small_cnn):
    """--refit: the reject output and its hidden units taken off give the net it was added to, array for array;
    a net whose last units feed the symbols has no head to take off."""
    rng = np.random.default_rng(2)
    flat, hidden, units = 4 * 4 * 16, 32, 5
    head = (rng.normal(size=(flat, units)), rng.normal(size=units), rng.normal(size=hidden + units), -0.5)
    data, _, _ = reject.with_reject_head(small_cnn, *head)
    back = reject.without_reject_head(data, units=units)
    with np.load(io.BytesIO(small_cnn)) as old, np.load(io.BytesIO(back)) as new:
        assert sorted(old.files) == sorted(new.files)
        for key in old.files:
            if key != "architecture":
                np.testing.assert_array_equal(new[key], old[key], err_msg=key)
    assert net.loads(back).labels == list("0123456789") and not net.loads(back).rejects
    with pytest.raises(SystemExit, match="feed the symbols"):
        reject.without_reject_head(data, units=units + 1)


def test_a_fitted_head_tells_squeezed_pairs_from_digits(small_cnn):
    """Fitted on the features of digits (0) and squeezed pairs (1), the head rejects unseen pairs far more
    often than unseen digits."""
    x, _ = mnist.load("train")
    x = x[:4000].astype(np.float32) / 255.0
    model = net.loads(small_cnn)
    train_x = np.concatenate([x[:2000], drawings.squeezed_pairs(x[2000:3000])])
    target = np.concatenate([np.zeros(2000), np.ones(500)])
    head = reject.fit_head(*reject.features(model, train_x), target, seed=0, units=8, epochs=40)
    extended = net.loads(reject.with_reject_head(small_cnn, *head)[0])
    rejected_pairs = (extended.read(drawings.squeezed_pairs(x[3000:4000]))[:, 10] > 0.5).mean()
    rejected_digits = (extended.read(x[3000:4000])[:, 10] > 0.5).mean()
    assert rejected_pairs > 0.8 and rejected_digits < 0.1, (rejected_pairs, rejected_digits)


def test_an_mlp_with_operators_gets_the_output_on_its_last_hidden_layer():
    """The MLP's last hidden layer is dense2: the new units go there, the 17 symbols' weights are kept."""
    import keras

    keras.utils.set_random_seed(0)
    model = train.build_mlp(keras, small=True, classes=17)
    labels = list(net.SYMBOLS)
    data = export.npz_bytes("mlp", export.keras_layers(model), "int8", labels=labels)
    before = net.loads(data)
    rng = np.random.default_rng(2)
    head = (rng.normal(size=(64, 3)), rng.normal(size=3), rng.normal(size=32 + 3), 0.1)
    after = net.loads(reject.with_reject_head(data, *head)[0])
    assert after.labels == labels + [net.REJECT] and after.symbols == labels
    x = mnist.load("test")[0][:200].astype(np.float32) / 255.0
    np.testing.assert_allclose(after.predict_proba(x), before.predict_proba(x), atol=1e-6)
    assert after.read(x).shape == (200, 18)
