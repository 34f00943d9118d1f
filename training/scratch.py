"""The seed's from-scratch trainers, in plain numpy: multi-class logistic regression and a 1-hidden-layer
sigmoid MLP, trained by minibatch gradient descent on the cross-entropy J = -Σ T ⊙ log Y.

Shapes: X (N, 784) float in [0, 1]; T (N, 10) one-hot targets; hidden Z = σ(X W + b) (N, M);
output Y = softmax(Z V + c) (N, 10). The gradients, as derived in the seed:

    ∇V J = Zᵀ (Y − T)                    ∇c J = Σₙ (Y − T)
    ∇W J = Xᵀ [((Y − T) Vᵀ) ⊙ Z (1 − Z)]   ∇b J = Σₙ ((Y − T) Vᵀ) ⊙ Z (1 − Z)

and for logistic regression (Y = softmax(X W + b)): ∇W J = Xᵀ (Y − T), ∇b J = Σₙ (Y − T).
One implementation of that maths serves this trainer and the page's learning from corrections: (Y − T) is
py/learn.py's softmax_cross_entropy, and the layers' backward passes (Xᵀ δ for a dense kernel, δ Vᵀ ⊙ σ′ below
it) are py/net.py's; these models are net.py layers over their `params`, in float64.
Both export to the same .npz format as the Keras nets, so py/net.py runs them:

    python -m training.scratch --model mlp --hidden 100 --epochs 10 --out /tmp/scratch-mlp.npz
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import learn  # py/, on sys.path through the training package
import net
from training import export, mnist


def one_hot(labels, k=10):
    t = np.zeros((len(labels), k))
    t[np.arange(len(labels)), labels] = 1.0
    return t


def cross_entropy(y, t):
    return float(-(t * np.log(np.clip(y, 1e-12, None))).sum())


class _Scratch:
    """A model whose parameters live in `params` (float64), run and differentiated as a py/net.py Model."""
    params: dict
    names: dict  # net.py parameter name -> key in params, e.g. "out.kernel" -> "W"

    def _net(self):
        """The net.py Model of the current params (built anew: fit changes params in place)."""
        layers = []
        for spec, kernel, bias in self.layers():
            kind = spec["kind"]
            layers.append(net.Dense(kernel, bias, spec["name"]) if kind == "dense" else
                          {"flatten": net.Flatten, "sigmoid": net.Sigmoid, "softmax": net.Softmax}[kind]())
        k = len(self.params[self.names["out.bias"]])
        return net.Model({"input": {"shape": [784]}, "labels": [str(i) for i in range(k)]}, layers)

    def forward(self, x):
        """x (N, d) float64 -> Y (N, k); from layer 1 on (the Flatten of a flat x is nothing), so no float32."""
        return self._net().run(np.asarray(x, np.float64), start=1)

    def gradients(self, x, t):
        """∇J of the summed cross-entropy for one-hot targets t (N, k): learn.gradients, every weight 1."""
        _, grads = learn.gradients(self._net(), 1, np.asarray(x, np.float64), t.argmax(axis=1), np.ones(len(x)))
        return {key: grads[name] for name, key in self.names.items()}


class LogisticRegression(_Scratch):
    """Y = softmax(X W + b)."""
    names = {"out.kernel": "W", "out.bias": "b"}

    def __init__(self, d=784, k=10, rng=None):
        rng = rng or np.random.default_rng(0)
        self.params = {"W": rng.normal(0, 0.01, (d, k)), "b": np.zeros(k)}

    def layers(self):
        p = self.params
        return [({"kind": "flatten"}, None, None),
                ({"kind": "dense", "name": "out"}, p["W"], p["b"]), ({"kind": "softmax"}, None, None)]


class SigmoidMLP(_Scratch):
    """Z = σ(X W + b), Y = softmax(Z V + c)."""
    names = {"hidden.kernel": "W", "hidden.bias": "b", "out.kernel": "V", "out.bias": "c"}

    def __init__(self, d=784, m=100, k=10, rng=None):
        rng = rng or np.random.default_rng(0)
        self.params = {"W": rng.normal(0, 1 / np.sqrt(d), (d, m)), "b": np.zeros(m),
                       "V": rng.normal(0, 1 / np.sqrt(m), (m, k)), "c": np.zeros(k)}

    def layers(self):
        p = self.params
        return [({"kind": "flatten"}, None, None),
                ({"kind": "dense", "name": "hidden"}, p["W"], p["b"]), ({"kind": "sigmoid"}, None, None),
                ({"kind": "dense", "name": "out"}, p["V"], p["c"]), ({"kind": "softmax"}, None, None)]


def fit(model, x, labels, epochs=5, batch_size=100, lr=0.1, seed=0, log=print):
    """Minibatch gradient descent on the mean cross-entropy (the summed gradient divided by the batch size)."""
    rng = np.random.default_rng(seed)
    t = one_hot(labels)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            for name, grad in model.gradients(x[batch], t[batch]).items():
                model.params[name] -= lr * grad / len(batch)
        if log:
            accuracy = (model.forward(x).argmax(axis=1) == labels).mean()
            log("epoch %d/%d: train loss %.4f, accuracy %.2f%%"
                % (epoch + 1, epochs, cross_entropy(model.forward(x), t) / len(x), 100 * accuracy))
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train the seed's numpy models on MNIST and export them.")
    parser.add_argument("--model", choices=("logistic", "mlp"), default="mlp")
    parser.add_argument("--hidden", type=int, default=100, help="hidden units of the sigmoid MLP")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the trained net here (.npz)")
    args = parser.parse_args(argv)
    x_train, y_train = mnist.load("train")
    x_test, y_test = mnist.load("test")
    x_train = x_train.reshape(len(x_train), -1) / 255.0
    x_test = x_test.reshape(len(x_test), -1) / 255.0
    rng = np.random.default_rng(args.seed)
    model = LogisticRegression(rng=rng) if args.model == "logistic" else SigmoidMLP(m=args.hidden, rng=rng)
    fit(model, x_train, y_train, args.epochs, lr=args.lr, seed=args.seed)
    accuracy = (model.forward(x_test).argmax(axis=1) == y_test).mean()
    print("%s: MNIST test accuracy %.2f%%" % (args.model, 100 * accuracy))
    if args.out:
        facts = export.write(args.out, export.npz_bytes("scratch-" + args.model, model.layers(), "float32"))
        print("wrote %s (%d bytes)" % (args.out, facts["bytes"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
