"""Train the two networks with TensorFlow/Keras, evaluate them, and export them for the page.

    python -m training.train --seed 1 --out weights/

trains the LeNet-like CNN and the MLP on the 60,000 MNIST training images plus drawings made the way the pad
draws (training/symbols.py: every training digit traced into pen strokes and redrawn, digits in styles MNIST
lacks, and the operators + - × ÷ = ( )), all with drawing-like augmentation (training/augment.py), exports each to `<out>/<net>.npz` (training/export.py), re-loads the exported file with
py/net.py to measure its MNIST test accuracy (what the page will really get), and records everything in
`<out>/manifest.json`: command, seed, data md5s, versions, accuracy, size, sha256. The test set is used only for
that final report, never for choosing anything during training.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import net  # noqa: E402 - py/, on sys.path through the training package
from training import crohme, distill, export, mnist  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NETS = ("cnn", "mlp")


def build_cnn(keras, small=False, filters=(16, 32), hidden=128, classes=10):
    """LeNet-like: conv 5x5 → BN → ReLU → pool, twice, then a hidden dense layer."""
    (c1, c2), hidden = ((8, 16), 32) if small else (filters, hidden)
    layers = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(c1, 5, name="conv1"), layers.BatchNormalization(), layers.ReLU(),
        layers.MaxPooling2D(2),
        layers.Conv2D(c2, 5, name="conv2"), layers.BatchNormalization(), layers.ReLU(),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.25),
        layers.Dense(hidden, activation="relu", name="dense1"),
        layers.Dropout(0.4),
        layers.Dense(classes, activation="softmax", name="out"),
    ], name="cnn")


def build_mlp(keras, small=False, classes=10, hidden=(256, 128)):
    """The "smooth brain": two hidden ReLU layers on the flattened pixels."""
    h1, h2 = (64, 32) if small else hidden
    layers = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Flatten(),
        layers.Dense(h1, activation="relu", name="dense1"),
        layers.Dropout(0.2),
        layers.Dense(h2, activation="relu", name="dense2"),
        layers.Dropout(0.2),
        layers.Dense(classes, activation="softmax", name="out"),
    ], name="mlp")




def dataset(tf, x, y, batch_size, strength, seed, then=None):
    """Shuffled, batched, augmented (x, y); `then` is one more map on each batch (distillation's targets)."""
    from training.augment import augment

    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if strength > 0:
        ds = ds.map(lambda a, b: (augment(a, strength), b), num_parallel_calls=1, deterministic=True)
    if then is not None:
        ds = ds.map(then, num_parallel_calls=1, deterministic=True)
    return ds.prefetch(2)


def with_drawings(x_train, y_train, args):
    """MNIST plus the pad-drawn symbols (training/symbols.py) unless --no-symbols: x, y, their description."""
    if args.no_symbols:
        return x_train, y_train, None
    from training import symbols

    x_digits, y_digits = mnist.load("train")
    if args.train_limit:
        x_digits, y_digits = x_digits[:args.train_limit], y_digits[:args.train_limit]
    started = time.time()
    scale = len(x_digits) / 60000
    x_drawn, y_drawn, info = symbols.dataset(args.seed, x_digits, y_digits, styles=int(symbols.STYLES_COUNT * scale),
                                             operators=int(symbols.OPERATORS_COUNT * scale),
                                             retraced=not args.once_traced)
    print("== %d pad drawings (%.0f s): %s" % (len(y_drawn), time.time() - started, info["per_label"]))
    x_train, y_train = np.concatenate([x_train, x_drawn[..., None]]), np.concatenate([y_train, y_drawn])
    if args.real_repeats:
        x_real, y_real, info["real"] = real_symbols(args)
        x_train, y_train = np.concatenate([x_train, x_real[..., None]]), np.concatenate([y_train, y_real])
    return x_train, y_train, info


def real_symbols(args):
    """Real people's symbols (training/crohme.py, the training writers only): each drawn alone on the pad
    --real-repeats times (what reading by pixels shows the nets) and once from its strokes (what reading by
    strokes shows them): x (N, 28, 28), y (N,), their description. Symbols that are none of ours, and groups of
    strokes that are no symbol, are left to training/reject.py."""
    from training import symbols

    started = time.time()
    x, y, glyphs = crohme.symbol_images(args.real_part, seed=args.seed, repeats=args.real_repeats,
                                         jitter=args.stroke_jitter)
    from_strokes = int((y[len(y) - glyphs:] != symbols.REJECT).sum())
    keep = y != symbols.REJECT
    x, y = x[keep], y[keep]
    if args.real_balance:
        x, y = balanced(x, y, args.real_balance, args.seed)
    info = dict(crohme.describe(x, y), part=args.real_part, repeats=args.real_repeats, stroke_jitter=args.stroke_jitter,
                from_strokes=from_strokes, balance=args.real_balance,
                generator="training/crohme.py lone_images (pad pen) + glyph_images (py/grouping.py)")
    print("== %d real symbols of the training writers (%.0f s): %s" % (len(y), time.time() - started, info["per_label"]))
    return x, y, info


def balanced(x, y, least, seed):
    """Rows of labels with fewer than `least` examples drawn again at random (with replacement) up to `least`:
    real writers wrote far fewer 5-9s and ×s than 1s and brackets (the augmentation varies the copies)."""
    rng = np.random.default_rng(seed)
    more = [rng.choice(np.flatnonzero(y == label), least - count)
            for label, count in zip(*np.unique(y, return_counts=True)) if count < least]
    if not more:
        return x, y
    extra = np.concatenate(more)
    return np.concatenate([x, x[extra]]), np.concatenate([y, y[extra]])


def extra_examples(path, labels):
    """A person's corrections exported by the page (py/learn.py: x (N, 28, 28) uint8 or float in [0, 1], ink
    high; y label names, or indices into `labels`) -> x (N, 28, 28, 1) float32, y (N,) int64 indices."""
    with np.load(path, allow_pickle=False) as archive:
        x, y = archive["x"], archive["y"]
    x = x.astype(np.float32) / (255.0 if x.dtype == np.uint8 else 1.0)
    if y.dtype.kind in "US":
        parts = np.isin(y.astype(str), ["not one symbol", "not one digit"])  # "part of a symbol" in the page
        if parts.any():  # the symbol outputs trained here have none for it: training/reject.py fits that one
            print("== %d corrections of %s say \"not one symbol\": left out (the symbols' nets have no such output)"
                  % (int(parts.sum()), path))
            x, y = x[~parts], y[~parts]
        unknown = sorted(set(str(v) for v in y) - set(labels))
        if unknown:
            raise SystemExit("%s: labels %s are not among the nets' labels" % (path, ", ".join(unknown)))
        y = np.array([labels.index(str(v)) for v in y])
    if x.shape[1:] != (28, 28) or len(x) != len(y) or not ((0 <= y) & (y < len(labels))).all():
        raise SystemExit("%s: expected x (N, 28, 28) and N labels among %d" % (path, len(labels)))
    return x[..., None], y.astype(np.int64)


def cosine_adam(keras, lr, epochs, count, batch_size):
    """Adam whose learning rate falls from lr along a cosine to 1 % of it over `epochs` passes of `count`
    examples: the last batches cannot tip what is learnt, so a fit ends where its data, not its noise, put it."""
    steps = epochs * int(np.ceil(count / batch_size))
    return keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(lr, steps, alpha=0.01))


def train_one(name, args, x_train, y_train, classes):
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(args.seed)
    if name == "cnn":
        model = build_cnn(keras, small=args.small, filters=args.cnn_filters, hidden=args.cnn_hidden,
                          classes=classes)
    else:
        model = build_mlp(keras, small=args.small, classes=classes, hidden=args.mlp_hidden)
    epochs = args.epochs_cnn if name == "cnn" else args.epochs_mlp
    strength = augment_strength(name, args)
    loss, metrics, then = "sparse_categorical_crossentropy", ["accuracy"], None
    if args.teacher:  # learn from the teacher's softened readings too (training/distill.py)
        logits, teacher_labels = distill.teacher(args.teacher)
        if len(teacher_labels) != classes:
            raise SystemExit("the teacher %s reads %d symbols, the net learns %d" % (args.teacher, len(teacher_labels),
                                                                                   classes))
        then = distill.with_soft_targets(logits, classes, args.temperature)
        loss = distill.loss(classes, args.temperature, args.hard_weight)
        metrics = [distill.accuracy(classes)]
    ds = dataset(tf, x_train, y_train, args.batch_size, strength, args.seed, then)
    model.compile(optimizer=cosine_adam(keras, args.lr, epochs, len(x_train), args.batch_size), loss=loss,
                  metrics=metrics)
    print("\n== %s: %s, %d epochs, augmentation strength %.1f" % (name, model.count_params(), epochs, strength))
    model.fit(ds, epochs=epochs, verbose=1 if sys.stdout.isatty() else 2)
    return model


def symbols_labels():
    """The labels the nets learn here: the symbols; "not one symbol" is added after, by training/reject.py."""
    from training import symbols

    return list(symbols.LABELS[:-1])


def augment_strength(name, args):
    return 0.0 if args.no_augment else (args.strength_cnn if name == "cnn" else args.strength_mlp)


def keras_digit_accuracy(model, x_test, y_test):
    """Keras' own test accuracy, the best of the ten digits (an 11th output is not a digit)."""
    probabilities = model.predict((x_test.astype(np.float32) / 255.0)[..., None], verbose=0, batch_size=1000)
    return float((probabilities[:, :10].argmax(axis=1) == y_test).mean())


def evaluate_exported(path, x_test, y_test):
    """Test accuracy of the exported file as py/net.py runs it (the page's numbers)."""
    model = net.load(path, manifest=None)
    x = x_test.astype(np.float32) / 255.0
    predicted = np.concatenate([model.predict(x[i:i + 1000]) for i in range(0, len(x), 1000)])
    return float((predicted == y_test).mean())


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Train the CNN and the MLP on MNIST and export them for the page.")
    parser.add_argument("--seed", type=int, default=1, help="random seed (numpy, TF, Python)")
    parser.add_argument("--nets", default="cnn,mlp", help="which nets to train, comma-separated (cnn, mlp)")
    # With the training digits traced twice (182,000 drawings), 18 and 30 epochs take as many steps as 22 and 40 did.
    parser.add_argument("--epochs-cnn", type=int, default=18)
    parser.add_argument("--epochs-mlp", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3, help="initial learning rate (cosine decay)")
    parser.add_argument("--storage", choices=export.STORAGES, default="int8", help="how kernels are stored")
    parser.add_argument("--train-limit", type=int, default=0, help="train on the first N images only (quick runs)")
    parser.add_argument("--small", action="store_true", help="tiny layer sizes (tests, quick runs)")
    parser.add_argument("--no-augment", action="store_true", help="train on plain MNIST")
    parser.add_argument("--strength-cnn", type=float, default=0.7, help="augmentation strength for the CNN")
    # MLPs have no built-in shift invariance and underfit heavy augmentation: they get a milder version.
    parser.add_argument("--strength-mlp", type=float, default=0.6, help="augmentation strength for the MLP")
    parser.add_argument("--cnn-filters", type=lambda v: tuple(int(c) for c in v.split(",")), default=(16, 32),
                        help="filters of the CNN's two conv layers, e.g. 16,32")
    parser.add_argument("--cnn-hidden", type=int, default=128, help="units of the CNN's hidden dense layer")
    parser.add_argument("--mlp-hidden", type=lambda v: tuple(int(c) for c in v.split(",")), default=(256, 128),
                        help="units of the MLP's two hidden layers, e.g. 256,128")
    parser.add_argument("--no-symbols", action="store_true",
                        help="MNIST digits only (no pad drawings, no operators): ten outputs")
    parser.add_argument("--once-traced", action="store_true",
                        help="trace the training digits once, not twice (training/symbols.py dataset's retraced)")
    parser.add_argument("--real-repeats", type=int, default=crohme.REPEATS,
                        help="draw each real symbol of the CROHME training writers this many times (0: none)")
    crohme.add_part_argument(parser)
    parser.add_argument("--stroke-jitter", action="store_true",
                        help="every second drawing of a real symbol of 2+ strokes moves each stroke a little (crohme.jittered)")
    parser.add_argument("--real-balance", type=int, default=0,
                        help="real labels with fewer examples than this are drawn again up to it (0: as they are)")
    parser.add_argument("--teacher", type=Path, help="an exported net (.npz) whose softened readings the nets "
                        "learn from too (knowledge distillation, training/distill.py)")
    parser.add_argument("--temperature", type=float, default=distill.TEMPERATURE, help="the teacher's softmax temperature")
    parser.add_argument("--hard-weight", type=float, default=distill.HARD_WEIGHT, help="the labels' share of the loss with a teacher")
    parser.add_argument("--out", type=Path, default=ROOT / "weights", help="output folder for .npz + manifest")
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="a corrections .npz exported by the page (x, y) to learn from too; repeatable")
    return parser.parse_args(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    names = [n.strip() for n in args.nets.split(",") if n.strip()]
    unknown = set(names) - set(NETS)
    if unknown:
        raise SystemExit("unknown net(s): %s (choose from %s)" % (", ".join(sorted(unknown)), ", ".join(NETS)))
    import keras
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    x_train, y_train = mnist.load("train")
    x_test, y_test = mnist.load("test")
    if args.train_limit:
        x_train, y_train = x_train[:args.train_limit], y_train[:args.train_limit]
    x_train = (x_train.astype(np.float32) / 255.0)[..., None]
    command = "python -m training.train " + " ".join(shlex.quote(a) for a in argv)
    x_train, y_train, drawings = with_drawings(x_train, y_train, args)
    labels = None if args.no_symbols else symbols_labels()
    for path in args.extra:  # people's corrections, exported by the page
        x_extra, y_extra = extra_examples(path, labels or [str(d) for d in range(10)])
        x_train, y_train = np.concatenate([x_train, x_extra]), np.concatenate([y_train, y_extra])
        print("== %d corrections from %s" % (len(y_extra), path))
    for name in names:
        started = time.time()
        x_fit, y_fit = x_train, y_train
        classes = len(labels) if labels else 10
        model = train_one(name, args, x_fit, y_fit, classes)
        keras_accuracy = keras_digit_accuracy(model, x_test, y_test)
        layers = export.keras_layers(model)
        facts = export.write(args.out / (name + ".npz"), export.npz_bytes(name, layers, args.storage, labels=labels))
        accuracy = evaluate_exported(args.out / (name + ".npz"), x_test, y_test)
        entry = dict(facts, architecture=export.summarize(layers), params=int(model.count_params()),
                     storage=args.storage, mnist_test_accuracy=round(accuracy, 4),
                     keras_test_accuracy=round(keras_accuracy, 4), command=command, seed=args.seed,
                     epochs=args.epochs_cnn if name == "cnn" else args.epochs_mlp,
                     augmentation_strength=augment_strength(name, args),
                     train_images=len(x_fit), data_md5=mnist.checksums(),
                     tensorflow=tf.__version__, keras=keras.__version__,
                     train_seconds=round(time.time() - started))
        if args.teacher:
            entry["distillation"] = distill.describe(args.teacher, args.temperature, args.hard_weight)
        if drawings:
            entry["drawings"] = dict(drawings, generator="training/symbols.py (TRAIN ranges)")
            entry["labels"] = list(labels)
        export.update_manifest(args.out, name, entry)
        print("== %s: MNIST test accuracy %.2f%% (Keras %.2f%%), %d bytes → %s"
              % (name, 100 * accuracy, 100 * keras_accuracy, facts["bytes"], args.out / facts["file"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
