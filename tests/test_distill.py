"""training/distill.py: the teacher run in TensorFlow reads as py/net.py does, and a student learns from it."""
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "py"), ROOT]
import net  # noqa: E402
from training import distill, mnist, train  # noqa: E402

tf = pytest.importorskip("tensorflow")
WEIGHTS = os.path.join(ROOT, "weights")


@pytest.mark.parametrize("name", ["cnn", "mlp"])
def test_teacher_reads_as_the_page_does(name):
    """Softmax of the TF teacher's logits = py/net.py's symbol probabilities (reject output left out)."""
    x, _ = mnist.load("test")
    x = x[:64].astype(np.float32) / 255.0
    model = net.load(os.path.join(WEIGHTS, name + ".npz"))
    logits, symbols = distill.teacher(os.path.join(WEIGHTS, name + ".npz"))
    assert symbols == model.symbols
    ours = tf.nn.softmax(logits(tf.constant(x[..., None]))).numpy()
    np.testing.assert_allclose(ours, model.predict_proba(x), atol=1e-5)


def test_loss_is_cross_entropy_with_hard_weight_one():
    classes = 3
    y_true = tf.constant([[0, 1, 0, 0.2, 0.5, 0.3]], tf.float32)
    y_pred = tf.constant([[0.1, 0.7, 0.2]], tf.float32)
    hard = distill.loss(classes, 4.0, 1.0)(y_true, y_pred).numpy()
    np.testing.assert_allclose(hard, [-np.log(0.7)], rtol=1e-6)
    soft = distill.loss(classes, 1.0, 0.0)(y_true, y_pred).numpy()  # T = 1: cross-entropy with the soft targets
    np.testing.assert_allclose(soft, [-(0.2 * np.log(0.1) + 0.5 * np.log(0.7) + 0.3 * np.log(0.2))], rtol=1e-5)


def test_a_student_learns_from_the_teacher_alone():
    """With the labels' weight 0 the only signal is the teacher: a tiny MLP still learns the digits from it
    (it would read ~10 % if the soft targets were not the teacher's readings of the very same images)."""
    x, y = mnist.load("train")
    x = (x[:3000].astype(np.float32) / 255.0)[..., None]
    args = train.parse_args(["--small", "--nets", "mlp", "--no-augment", "--epochs-mlp", "10", "--hard-weight", "0",
                             "--teacher", os.path.join(WEIGHTS, "cnn.npz")])
    model = train.train_one("mlp", args, x, y[:3000].astype(np.int64), len(train.symbols_labels()))
    x_test, y_test = mnist.load("test")
    p = model.predict((x_test[:1000].astype(np.float32) / 255.0)[..., None], verbose=0)
    assert (p.argmax(axis=1) == y_test[:1000]).mean() > 0.8
