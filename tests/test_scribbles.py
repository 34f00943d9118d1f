"""training/scribbles.py: drawings that are no symbol, for the nets' "not one symbol" output."""
import numpy as np

import net
from training import mnist, reject, scribbles


def test_every_kind_is_drawn_and_the_set_is_deterministic_for_a_seed():
    rng = np.random.default_rng(0)
    for kind in scribbles.KINDS:
        strokes = scribbles.scribble(kind, rng)
        assert strokes and all(s.ndim == 2 and s.shape[1] == 2 and np.isfinite(s).all() for s in strokes), kind
    x = scribbles.drawn(2 * len(scribbles.KINDS), seed=3)
    assert x.shape == (14, 28, 28) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert (x.reshape(14, -1).max(axis=1) > 0.9).all()  # each has ink
    np.testing.assert_array_equal(x, scribbles.drawn(14, seed=3))
    assert not np.array_equal(x, scribbles.drawn(14, seed=4))


def test_a_fitted_head_rejects_unseen_scribbles_and_keeps_digits():
    """Fitted on the features of digits (0) and scribbles (1) of a tiny MLP, the head rejects scribbles of
    another seed far more often than unseen digits (it fails if the scribbles look like the digits)."""
    import keras

    from training import export, train

    keras.utils.set_random_seed(0)
    x, y = mnist.load("train")
    x = x[:4000].astype(np.float32) / 255.0
    model = train.build_mlp(keras, small=True)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x[:3000].reshape(-1, 28, 28, 1), y[:3000], epochs=2, batch_size=64, verbose=0)
    data = export.npz_bytes("mlp", export.keras_layers(model), "int8")
    train_x = np.concatenate([x[:2000], scribbles.drawn(700, seed=1)])
    target = np.concatenate([np.zeros(2000), np.ones(700)])
    head = reject.fit_head(*reject.features(net.loads(data), train_x), target, seed=0, units=8, epochs=30)
    extended = net.loads(reject.with_reject_head(data, *head)[0])
    rejected_scribbles = (extended.read(scribbles.drawn(300, seed=2))[:, -1] > 0.5).mean()
    rejected_digits = (extended.read(x[3000:4000])[:, -1] > 0.5).mean()
    assert rejected_scribbles > 0.8 and rejected_digits < 0.05, (rejected_scribbles, rejected_digits)
