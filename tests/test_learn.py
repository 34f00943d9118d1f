"""py/learn.py: the loss gradient through net.py's backward against finite differences and TensorFlow's
GradientTape; a correction flips a misread while MNIST barely moves; storing, restoring, refusing bad states,
forgetting, exporting; and training.train --extra reading the export."""
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest

import learn
import net
from training import export, mnist, train

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
NETS = ("cnn", "mlp")


def tiny_mlp(rng, classes=6):
    """A net.py MLP (dense 12 -> relu -> dense 8 -> relu -> dense classes -> softmax) in float64."""
    shapes = [(12, 8), (8, 7), (7, classes)]
    layers, names = [net.Flatten()], ["d1", "d2", "out"]
    for (n_in, n_out), name in zip(shapes, names):
        layers.append(net.Dense(rng.normal(0, 0.7, (n_in, n_out)), rng.normal(0, 0.3, n_out), name))
        layers.append(net.ReLU() if name != "out" else net.Softmax())
    return net.Model({"input": {"shape": [12]}, "labels": [str(i) for i in range(classes)]}, layers)


def loss_of(model, start, features, targets, weights):
    logits = model.run(features.copy(), start, -1)
    return learn.softmax_cross_entropy(logits, targets, weights)[0]


@pytest.mark.parametrize("head", [1, 2, 3])
def test_gradients_match_finite_differences(head):
    rng = np.random.default_rng(3)
    model = tiny_mlp(rng)
    x, targets = rng.normal(0, 1, (9, 12)), rng.integers(0, 6, 9)
    weights = rng.random(9)
    weights /= weights.sum()
    start = learn.head_start(model, head)
    features = model.run(x, 1, start)  # float64 throughout (from layer 1: no float32 normalization)
    _, grads = learn.gradients(model, start, features, targets, weights)
    assert set(grads) == {"%s.%s" % (layer.name, p) for layer in learn.head_layers(model, start)
                          for p in ("kernel", "bias")}
    for layer in learn.head_layers(model, start):
        for part in ("kernel", "bias"):
            value = getattr(layer, part)
            numeric = np.zeros_like(value)
            for index in np.ndindex(value.shape):
                old = value[index]
                for sign in (1, -1):
                    value[index] = old + sign * 1e-6
                    layer.set_weights(layer.kernel, layer.bias)
                    numeric[index] += sign * loss_of(model, start, features, targets, weights) / 2e-6
                value[index] = old
                layer.set_weights(layer.kernel, layer.bias)
            analytic = grads["%s.%s" % (layer.name, part)]
            assert np.abs(analytic - numeric).max() < 1e-6, (layer.name, part)


def test_a_wrong_loss_gradient_would_be_caught():
    """The check above can fail: the softmax gradient without the targets (Y instead of Y − T) is far off."""
    rng = np.random.default_rng(4)
    logits, targets = rng.normal(0, 1, (5, 6)), rng.integers(0, 6, 5)
    _, right = learn.softmax_cross_entropy(logits, targets)
    wrong = learn.softmax(logits) / 5
    assert np.abs(right - wrong).max() > 0.1


@pytest.fixture(scope="module")
def keras_cnn():
    """A small Keras CNN with 18 outputs named like the page's, trained a moment so its ReLUs are varied."""
    import keras

    keras.utils.set_random_seed(2)
    labels = list(net.SYMBOLS) + [net.REJECT]
    model = train.build_cnn(keras, small=True, classes=len(labels))
    x, y = mnist.load("train")
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit((x[:1000] / np.float32(255))[..., None], y[:1000], epochs=1, verbose=0)
    ours = net.loads(export.npz_bytes(model.name, export.keras_layers(model), "float32", labels=labels))
    return model, ours


@pytest.mark.parametrize("head", [1, 2])
def test_gradients_match_gradient_tape(keras_cnn, head):
    """The CNN's dense head, learned from conv features computed once: the same gradients as TensorFlow's of
    Keras' own loss on the whole net."""
    import keras
    import tensorflow as tf

    model, ours = keras_cnn
    x_test, y_test = mnist.load("test")
    x = x_test[:12] / np.float32(255)
    targets = np.array(list(y_test[:10]) + [12, 17])  # digits, an operator, the reject output
    start = learn.head_start(ours, head)
    loss, grads = learn.gradients(ours, start, ours.run(x, 0, start), targets)
    with tf.GradientTape() as tape:
        keras_loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            targets, model(x[..., None], training=False)))
    named = {"%s.%s" % (layer.name, part): v for layer in model.layers if layer.name in ("dense1", "out")[2 - head:]
             for part, v in zip(("kernel", "bias"), layer.weights)}
    expected = dict(zip(named, tape.gradient(keras_loss, list(named.values()))))
    assert set(grads) == set(expected)
    assert abs(loss - float(keras_loss)) < 1e-4
    for name, value in expected.items():
        assert np.abs(grads[name] - value.numpy()).max() < 1e-4 * max(1.0, np.abs(value.numpy()).max()), name


@pytest.fixture
def shipped():
    models = {name: net.load(str(WEIGHTS / (name + ".npz"))) for name in NETS}
    replay = learn.Replay.loads((WEIGHTS / "replay.npz").read_bytes())
    versions = {name: learn.file_version(str(WEIGHTS / (name + ".npz"))) for name in NETS}
    return models, replay, versions


@pytest.fixture(scope="module")
def test_digits():
    x, y = mnist.load("test")
    return x[:3000] / np.float32(255), y[:3000]


def accuracy(model, x, y):
    return float((model.predict(x) == y).mean())


def test_replay_set_is_small_and_has_every_label(shipped):
    models, replay, _ = shipped
    assert (WEIGHTS / "replay.npz").stat().st_size <= 300_000
    assert replay.x.shape[1:] == (28, 28) and replay.x.dtype == np.uint8 and replay.x.max() == 255
    assert set(replay.labels) >= set(net.SYMBOLS) | {net.REJECT}
    assert set(replay.y) == set(range(len(replay.labels))), "every label has examples"
    manifest = json.loads((WEIGHTS / "manifest.json").read_text())
    assert manifest["replay"]["sha256"] == learn.hashlib.sha256((WEIGHTS / "replay.npz").read_bytes()).hexdigest()
    for name, model in models.items():
        targets = replay.targets(model)
        assert set(targets[targets >= 0]) == set(range(model.outputs)), name


def test_a_correction_flips_a_misread_and_mnist_barely_moves(shipped, test_digits):
    models, replay, versions = shipped
    x, y = test_digits
    before = {name: accuracy(m, x, y) for name, m in models.items()}
    wrong = np.flatnonzero(models["mlp"].predict(x) != y)
    index = int(wrong[0])
    learner = learn.Learner(models, replay, versions)
    steps = learner.learn(x[index], str(y[index]))
    assert set(steps) == set(NETS)
    for name, model in models.items():
        assert model.symbols[int(model.predict(x[index]))] == str(y[index]), name
        assert accuracy(model, x, y) >= before[name] - 0.003, name


def test_state_round_trip_forget_and_export(shipped, test_digits):
    models, replay, versions = shipped
    x, y = test_digits
    shipped_out = {name: m.read(x[:200]) for name, m in models.items()}
    learner = learn.Learner(models, replay, versions)
    for i in range(3):
        learner.learn(x[i], str((y[i] + 1) % 10))  # wrong on purpose: the weights surely move
    taught = {name: m.read(x[:200]) for name, m in models.items()}
    text = learner.dumps()
    assert len(text) < 600_000
    learner.forget()
    for name, m in models.items():
        assert np.array_equal(m.read(x[:200]), shipped_out[name]), "forget restores the shipped nets exactly"
    fresh = learn.Learner(models, replay, versions)
    assert fresh.restore(text) == 3
    for name, m in models.items():
        assert np.array_equal(m.read(x[:200]), taught[name]), "what is stored is exactly what ran"
    with np.load(io.BytesIO(fresh.export()), allow_pickle=False) as archive:
        assert archive["x"].shape == (3, 28, 28) and archive["x"].dtype == np.uint8
        assert list(archive["y"]) == [str((y[i] + 1) % 10) for i in range(3)]


def damaged(text):
    state = json.loads(text)
    state["deltas"]["cnn"]["out.bias"] = state["deltas"]["cnn"]["out.bias"][:-8]
    return json.dumps(state)


def other_version(text):
    state = json.loads(text)
    state["versions"]["mlp"] = "f" * 64
    return json.dumps(state)


@pytest.mark.parametrize("spoil, message", [
    (lambda text: text[:len(text) // 2], "corrupt"),
    (damaged, "corrupt"),
    (other_version, "other weights"),
    (lambda text: json.dumps([1, 2]), "not a saved"),
])
def test_bad_states_are_refused_and_change_nothing(shipped, test_digits, spoil, message):
    models, replay, versions = shipped
    x, y = test_digits
    learner = learn.Learner(models, replay, versions)
    learner.learn(x[0], "3")
    text = learner.dumps()
    learner.forget()
    before = {name: m.read(x[:50]) for name, m in models.items()}
    with pytest.raises(learn.StateError, match=message):
        learner.restore(spoil(text))
    for name, m in models.items():
        assert np.array_equal(m.read(x[:50]), before[name])
    assert learner.corrections == []


def test_augmented_copies_stay_near_the_drawing():
    x, _ = mnist.load("test")
    image = x[0] / np.float32(255)
    copies = learn.augment(image, np.random.default_rng(0), 16)
    assert copies.shape == (16, 28, 28) and copies.dtype == np.float32
    assert 0 <= copies.min() and copies.max() <= 1
    centre = lambda a: (np.indices((28, 28)) * a).sum(axis=(1, 2)) / a.sum()  # noqa: E731
    for copy in copies:
        assert np.abs(centre(copy) - centre(image)).max() < 3.0
        assert 0.5 < copy.sum() / image.sum() < 2.5
    assert not np.allclose(copies[0], copies[1])


def test_train_extra_reads_an_export(tmp_path, shipped):
    models, replay, versions = shipped
    learner = learn.Learner(models, replay, versions)
    x, y = mnist.load("test")
    learner.learn(x[0] / np.float32(255), "7")
    learner.corrections.append((x[1], "+"))  # as the 18-label nets would take it
    learner.corrections.append((x[2], net.REJECT))  # "part of a symbol": no output of the nets trained here
    path = tmp_path / "corrections.npz"
    path.write_bytes(learner.export())
    x_extra, y_extra = train.extra_examples(path, train.symbols_labels())
    assert x_extra.shape == (2, 28, 28, 1) and x_extra.dtype == np.float32 and x_extra.max() <= 1
    assert list(y_extra) == [7, train.symbols_labels().index("+")]
    with pytest.raises(SystemExit, match=r"\+"):
        train.extra_examples(path, [str(d) for d in range(10)])  # digits-only nets have no "+"


def test_prepare_in_chunks_readies_the_features_then_the_nudges_gram(shipped):
    """Learner.prepare: the page's idle-time chunks end with every replay feature and each net's Gram matrix
    ready (so the first correction does not compute them), equal to what the nudge would compute itself."""
    models, replay, versions = shipped
    learner = learn.Learner(models, replay, versions)
    calls, left = 0, None
    while left != 0:
        left = learner.prepare(600)
        calls += 1
        assert calls < 50
    assert set(learner.grams) == set(NETS) and all(learner.ready[name].all() for name in NETS)
    assert calls > int(np.ceil(len(replay.y) / 600))  # one net's Gram per call, once the features are ready
    fresh = learn.Learner(models, replay, versions)
    for name in NETS:
        np.testing.assert_allclose(learner.grams[name], fresh._gram(name), rtol=1e-5, atol=1e-6)
