"""py/net.py against Keras (parity to 1e-4), its file validation, and the committed weights."""
import io
import json
import os
import shutil

import numpy as np
import pytest

import net
from training import drawings, export, mnist, train

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
WEIGHTS = os.path.join(os.path.dirname(__file__), "..", "weights")
PARITY_IMAGES = 1000


@pytest.fixture(scope="module")
def data():
    x_train, y_train = mnist.load("train")
    x_test, y_test = mnist.load("test")
    return ((x_train[:3000].astype(np.float32) / 255)[..., None], y_train[:3000],
            x_test.astype(np.float32) / 255, y_test)


def fit(model, data):
    x, y = data[0], data[1]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)
    return model


def every_kind_model(keras):
    """A tiny net with every layer kind net.py has: conv (same + valid), BN (folded), pool, flatten,
    dense, relu, sigmoid, softmax."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(4, 3, padding="same", name="c1"), layers.BatchNormalization(), layers.ReLU(),
        layers.MaxPooling2D(2),
        layers.Conv2D(6, 5, activation="relu", name="c2"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(16, activation="sigmoid", name="d1"),
        layers.Dense(10, name="d2"), layers.Activation("softmax"),
    ])


@pytest.fixture(scope="module")
def keras_models(data):
    import keras

    keras.utils.set_random_seed(0)
    return {"every_kind": fit(every_kind_model(keras), data),
            "cnn": fit(train.build_cnn(keras, small=True), data),
            "cnn_reject": fit(train.build_cnn(keras, small=True, classes=11), with_rejects(data)),
            "mlp": fit(train.build_mlp(keras, small=True), data)}


def with_rejects(data):
    """The training images plus 500 "not one digit" ones (class 10): two digits squeezed side by side."""
    x, y = data[0], data[1]
    return np.concatenate([x, drawings.squeezed_pairs(x[:1000])]), np.concatenate([y, np.full(500, 10)])


def exported(model, storage="float32"):
    return net.loads(export.npz_bytes(model.name, export.keras_layers(model), storage), model.name)


@pytest.mark.parametrize("name", ["every_kind", "cnn", "mlp"])
def test_numpy_forward_matches_keras(keras_models, data, name):
    model = keras_models[name]
    x = data[2][:PARITY_IMAGES]
    expected = model.predict(x[..., None], verbose=0)
    actual = exported(model).predict_proba(x)
    assert actual.shape == (PARITY_IMAGES, 10) and actual.dtype == np.float32
    assert np.abs(actual - expected).max() <= 1e-4
    np.testing.assert_allclose(actual.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("strategy", net.STRATEGIES)
def test_every_forward_strategy_matches_keras(keras_models, data, strategy, monkeypatch):
    """predict_proba by each strategy (the page's default among them) against Keras, as above."""
    monkeypatch.setattr(net, "STRATEGY", strategy)
    x = data[2][:PARITY_IMAGES]
    for name in ("every_kind", "cnn"):
        expected = keras_models[name].predict(x[..., None], verbose=0)
        actual = exported(keras_models[name]).predict_proba(x)
        assert actual.dtype == np.float32 and np.abs(actual - expected).max() <= 1e-4, name


@pytest.mark.parametrize("strategy", net.STRATEGIES)
@pytest.mark.parametrize("n", [1, 7, 40])
def test_every_forward_strategy_equals_the_reference(keras_models, strategy, n):
    """On random inputs (any values, not only drawings) and batch sizes, each strategy's outputs equal the
    reference layers' forward (Model.run) to 1e-5, for a net with "same" and "valid" convolutions and for
    the shipped CNN."""
    x = np.random.default_rng(n).random((n, 28, 28), dtype=np.float32)
    for model in (exported(keras_models["every_kind"]), net.load(os.path.join(WEIGHTS, "cnn.npz"))):
        reference = model.run(x)
        actual = model.forward(x, strategy)
        assert actual.shape == reference.shape and actual.dtype == np.float32
        assert np.abs(actual - reference).max() <= 1e-5


def test_unknown_strategy_is_a_clear_error(keras_models):
    with pytest.raises(ValueError, match="unknown forward strategy"):
        exported(keras_models["mlp"]).forward(np.zeros((1, 28, 28), np.float32), "magic")


def test_not_one_digit_output_matches_keras(keras_models, data):
    """An 11th output ("not one digit"): read() gives all 11 as Keras does, predict_proba the ten digits
    renormalized, and predictions are the best digit."""
    model = keras_models["cnn_reject"]
    x = data[2][:PARITY_IMAGES]
    expected = model.predict(x[..., None], verbose=0)
    ours = exported(model)
    assert ours.outputs == 11 and ours.rejects
    assert np.abs(ours.read(x) - expected).max() <= 1e-4
    digits = ours.predict_proba(x)
    assert digits.shape == (PARITY_IMAGES, 10)
    np.testing.assert_allclose(digits, expected[:, :10] / expected[:, :10].sum(1, keepdims=True), atol=1e-4)
    np.testing.assert_array_equal(ours.predict(x), expected[:, :10].argmax(1))


def test_reader_of_both_nets(keras_models, data):
    """net.reader: the mean of the nets' symbol probabilities, then a reject column (0 without a rejecting
    net); with a rejecting net, the means scaled by its chance of one symbol, that chance's complement last."""
    x = data[2][:200]
    plain, rejecting, mlp = (exported(keras_models[n]) for n in ("cnn", "cnn_reject", "mlp"))
    both = net.reader([plain, mlp])(x)
    np.testing.assert_allclose(both[:, :10], (plain.predict_proba(x) + mlp.predict_proba(x)) / 2, atol=1e-6)
    np.testing.assert_array_equal(both[:, 10], 0)
    read = net.reader([rejecting, mlp])(x)
    rejected = rejecting.read(x)[:, 10]
    assert read.shape == (200, 11)
    np.testing.assert_allclose(read[:, 10], rejected, atol=1e-6)
    np.testing.assert_allclose(read[:, :10], (rejecting.predict_proba(x) + mlp.predict_proba(x)) / 2
                               * (1 - rejected)[:, None], atol=1e-6)
    np.testing.assert_allclose(read.sum(1), 1.0, atol=1e-5)


SAME_READ = 1e-6  # probabilities of one image read in two batches of different sizes


def assert_same_rows(got, expected):
    """Row for row equal within SAME_READ, and each row nearer its own expected row than any other."""
    np.testing.assert_allclose(got, expected, rtol=0, atol=SAME_READ)
    distances = np.abs(got[:, None, :] - expected[None, :, :]).sum(axis=2)
    assert (distances.argmin(axis=1) == np.arange(len(got))).all()


def test_remembering_reads_each_row_once_and_the_same(keras_models, data):
    """net.Remembering: the model's read, rows already read taken from memory (segmentation's pieces, then the
    page's read of the chosen ones), everything else the model's own."""
    model = exported(keras_models["cnn_reject"])
    calls = []
    read = model.read
    model.read = lambda x: calls.append(len(x)) or read(x)
    remembering = net.Remembering(model)
    x = data[2][:6]
    first = remembering.read(x[:4])
    again = remembering.read(x[[3, 5, 0, 4]])
    assert calls == [4, 2]  # only rows 5 and 4 were new
    # Reads in batches of other sizes may differ in the last float32 bits (BLAS picks its kernels by CPU and batch
    # size): equal within SAME_READ, which a wrong or shifted row is far beyond.
    assert_same_rows(again, read(x[[3, 5, 0, 4]]))
    assert_same_rows(first, read(x[:4]))
    assert remembering.labels == model.labels and remembering.rejects
    both = net.reader([remembering, exported(keras_models["mlp"])])(x)
    np.testing.assert_allclose(both, net.reader([exported(keras_models["cnn_reject"]),
                                                 exported(keras_models["mlp"])])(x), atol=1e-6)
    assert remembering.read(x[2]).shape == (11,)  # one image: as the model does


def test_remembering_forgets_when_the_weights_change_and_keeps_at_most_its_limit():
    """Across drawings (the page keeps one net.Remembering per net): a row is read again once the weights were
    set anew (a correction taught), and only the `limit` most recently used rows are kept."""
    model = net.load(os.path.join(WEIGHTS, "mlp.npz"))
    calls = []
    read = model.read
    model.read = lambda x: calls.append(len(x)) or read(x)
    remembering = net.Remembering(model, limit=3)
    x = np.random.default_rng(0).random((5, 28, 28), dtype=np.float32)
    remembering.read(x[:3])
    remembering.read(x[:3])
    assert calls == [3]
    last = [layer for layer in model.layers if layer.kind == "dense"][-1]
    last.set_weights(last.kernel, last.bias + 1.0)
    changed = remembering.read(x[:3])
    assert calls == [3, 3]
    np.testing.assert_allclose(changed, read(x[:3]), rtol=0, atol=SAME_READ)
    remembering.read(x[0:1])  # row 0 used most recently: rows 1 and 2 are the oldest
    remembering.read(x[3:5])
    assert list(remembering.seen) == [x[0].tobytes(), x[3].tobytes(), x[4].tobytes()]
    remembering.read(x[[0, 1]])
    assert calls == [3, 3, 2, 1]


def test_single_image_equals_batch_row(keras_models, data):
    model = exported(keras_models["cnn"])
    batch = model.predict_proba(data[2][:5])
    single = model.predict_proba(data[2][3])
    assert single.shape == (10,)
    np.testing.assert_allclose(single, batch[3], atol=1e-6)


def test_int8_storage_stays_close_to_float(keras_models, data):
    model = keras_models["cnn"]
    x = data[2][:PARITY_IMAGES]
    full, small = exported(model, "float32"), exported(model, "int8")
    agree = (full.predict(x) == small.predict(x)).mean()
    assert agree >= 0.99
    assert np.abs(full.predict_proba(x) - small.predict_proba(x)).mean() < 0.01


def test_wrong_input_shape_is_a_clear_error(keras_models):
    with pytest.raises(ValueError, match="expects"):
        exported(keras_models["mlp"]).predict_proba(np.zeros((2, 20, 20), np.float32))


# Validation of weights files: each problem raises ModelError naming the file.

def npz_with(arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def arrays_of(data):
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        return {k: archive[k] for k in archive.files}


@pytest.fixture(scope="module")
def good_bytes(keras_models):
    model = keras_models["cnn"]
    return export.npz_bytes("cnn", export.keras_layers(model), "int8")


def test_missing_array_is_named(good_bytes):
    arrays = arrays_of(good_bytes)
    del arrays["conv2.bias"]
    with pytest.raises(net.ModelError, match=r"cnn-broken\.npz: missing array 'conv2\.bias'"):
        net.loads(npz_with(arrays), "cnn-broken.npz")


def test_wrong_shape_is_named(good_bytes):
    arrays = arrays_of(good_bytes)
    arrays["dense1.kernel"] = arrays["dense1.kernel"][:-3]
    with pytest.raises(net.ModelError, match=r"x\.npz: layer \d+ \(dense\): kernel .* does not fit"):
        net.loads(npz_with(arrays), "x.npz")


def test_not_an_npz_is_a_clear_error():
    with pytest.raises(net.ModelError, match=r"bad\.npz: not a weights file .* missing from the site"):
        net.loads(b"<html>404 not found</html>", "bad.npz")
    with pytest.raises(net.ModelError, match=r"cut\.npz: not a readable weights file"):
        net.loads(b"PK\x03\x04 truncated", "cut.npz")


def test_wrong_number_of_outputs(good_bytes):
    arrays = arrays_of(good_bytes)
    arrays["out.kernel"], arrays["out.bias"] = arrays["out.kernel"][:, :9], arrays["out.bias"][:9]
    arrays["out.kernel_scale"] = arrays["out.kernel_scale"][:9]
    with pytest.raises(net.ModelError, match=r"ends in shape \(9,\), expected \(10,\) for its labels"):
        net.loads(npz_with(arrays), "x.npz")


def test_labels_round_trip_through_export(keras_models, data):
    """A net with symbols and a reject output: its labels come back from the file, predict_proba covers the
    symbols only, and the reader lines up nets that know different labels (a digits-only MLP beside it)."""
    import keras

    keras.utils.set_random_seed(0)
    labels = list(net.SYMBOLS) + [net.REJECT]
    model = fit(train.build_cnn(keras, small=True, classes=len(labels)), data)
    ours = net.loads(export.npz_bytes("cnn", export.keras_layers(model), "float32", labels=labels), "x.npz")
    assert ours.labels == labels and ours.rejects and ours.symbols == list(net.SYMBOLS)
    x = data[2][:100]
    assert np.abs(ours.read(x) - model.predict(x[..., None], verbose=0)).max() <= 1e-4
    assert ours.predict_proba(x).shape == (100, 17)
    read = net.reader([ours, exported(keras_models["mlp"])])
    assert read.symbols == list(net.SYMBOLS)
    out = read(x)
    assert out.shape == (100, 18)
    np.testing.assert_allclose(out.sum(1), 1.0, atol=1e-5)
    mlp = exported(keras_models["mlp"]).predict_proba(x)
    expected = (ours.predict_proba(x)[:, :10] + mlp) / 2 * (1 - ours.read(x)[:, -1])[:, None]
    np.testing.assert_allclose(out[:, :10], expected, atol=1e-5)


def test_labels_must_match_the_outputs(good_bytes):
    arrays = arrays_of(good_bytes)
    architecture = json.loads(str(arrays["architecture"]))
    for labels, message in ((list("0123456789+"), r"expected \(11,\) for its labels"),
                            (list("0123456780"), "distinct names")):
        architecture["labels"] = labels
        arrays["architecture"] = np.array(json.dumps(architecture))
        with pytest.raises(net.ModelError, match=message):
            net.loads(npz_with(arrays), "x.npz")


def test_unknown_layer_kind(good_bytes):
    arrays = arrays_of(good_bytes)
    architecture = json.loads(str(arrays["architecture"]))
    architecture["layers"].insert(0, {"kind": "lstm"})
    arrays["architecture"] = np.array(json.dumps(architecture))
    with pytest.raises(net.ModelError, match="unknown layer kind"):
        net.loads(npz_with(arrays), "x.npz")


def test_flipped_byte_fails_the_manifest_check(tmp_path, good_bytes):
    facts = export.write(tmp_path / "cnn.npz", good_bytes)
    export.update_manifest(tmp_path, "cnn", facts)
    assert net.load(str(tmp_path / "cnn.npz")).name == "cnn"
    corrupted = bytearray(good_bytes)
    corrupted[len(corrupted) // 2] ^= 0x01
    (tmp_path / "cnn.npz").write_bytes(bytes(corrupted))
    with pytest.raises(net.ModelError, match=r"cnn\.npz: sha256 \w+ differs from the manifest"):
        net.load(str(tmp_path / "cnn.npz"))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(net.ModelError, match="cannot be read"):
        net.load(str(tmp_path / "nope.npz"))


# The committed weights: they verify against the manifest and meet the floors.

# The committed nets must not regress below what they were shipped at. Issue 10's floors are CNN 99.5 %, MLP 99.0 %:
# with the operators learned too, the nets of 2026-11-26 read 99.24 % and 98.70 % (curved MNIST 1s read as "(":
# README, "Reading every hand"), and issue 28 ("Read real people") set the floors at 99.2 % and 98.7 %; the nets
# retrained with real writers (2026-12-03) read 99.27 % and 98.84 %.
COMMITTED = {"cnn": 0.992, "mlp": 0.987}


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_committed_weights_verify_and_meet_the_floor(data, name, tmp_path):
    path = os.path.join(WEIGHTS, name + ".npz")
    manifest = json.load(open(os.path.join(WEIGHTS, "manifest.json")))
    entry = manifest["models"][name]
    model = net.load(path)  # checks the sha256 against manifest.json
    accuracy = (model.predict(data[2]) == data[3]).mean()
    assert accuracy >= COMMITTED[name]
    assert abs(accuracy - entry["mnist_test_accuracy"]) < 1e-3, "the manifest's accuracy must be reproducible"
    assert entry["data_md5"] == mnist.checksums() and "training.train" in entry["command"]
    shutil.copy(path, tmp_path / (name + ".npz"))
    assert net.load(str(tmp_path / (name + ".npz")), manifest=manifest).name == name


def test_the_einsum_product_is_summed_in_slices_when_it_would_be_too_large():
    """Pyodide's product (einsum) over more rows than its 32-bit iterator holds is made of slices of rows."""
    rng = np.random.default_rng(0)
    x, weight_t = rng.random((1000, 25), dtype=np.float32), rng.random((16, 25), dtype=np.float32)
    whole = net._einsum_product(x, weight_t)
    np.testing.assert_allclose(whole, x @ weight_t.T, rtol=1e-5)
    sliced = net._einsum_product(x, weight_t, limit=16 * 25 * 7)  # 7 rows a slice: 143 slices
    np.testing.assert_allclose(sliced, whole, rtol=1e-6)
    assert sliced.shape == (1000, 16)
