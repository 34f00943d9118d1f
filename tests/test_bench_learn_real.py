"""tools/bench_learn.py --real: real validation writers (CROHME) correcting the page, a tiny run."""
import importlib.util
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("bench_learn", ROOT / "tools" / "bench_learn.py")
bench_learn = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_learn)

from training import crohme  # noqa: E402  (on sys.path through bench_learn)

WRITER = "KAIST:3KgFLQZCB5WAFBGCVK48DlPoyWg="  # a validation writer the page misreads a few times


def test_writers_are_validation_groups_split_by_expression_near_half():
    validation = crohme.load("validation")
    writers = bench_learn.real_writers(validation, 40)
    assert WRITER in writers and len(writers) >= 10
    train_groups = {e["group"] for e in crohme.load("train")}
    for group, expressions in writers.items():
        assert group not in train_groups
        stream, unseen = bench_learn.split_writer(expressions)
        assert stream and unseen and stream + unseen == expressions  # in order, no expression in both
        a, b = (sum(len(bench_learn.ours(e)) for e in part) for part in (stream, unseen))
        assert a + b >= 40 and abs(a - b) <= max(len(bench_learn.ours(e)) for e in expressions)


def test_a_real_writer_draws_glyphs_of_ours_only():
    person = bench_learn.RealWriter(WRITER, bench_learn.real_writers(crohme.load("validation"), 40)[WRITER])
    unseen, labels = person.unseen()
    assert unseen.shape == (len(labels), 28, 28) and unseen.dtype == np.float32
    assert 0 <= unseen.min() and unseen.max() <= 1 and (unseen.reshape(len(unseen), -1).max(axis=1) > 0.5).all()
    assert set(labels) <= set(bench_learn.REAL_LABELS) and "(" not in labels and ")" not in labels
    assert all(label in bench_learn.REAL_LABELS for _, label in person.stream())


def test_tiny_real_run_corrects_and_meets_the_floor(capsys):
    assert bench_learn.main(["--real", "--groups", WRITER, "--mnist", "1000", "--no-drawn"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.strip().startswith(WRITER))
    unseen, made, before, after = row.split()[1:5]
    assert int(made) >= 1  # the session did correct something
    assert float(after.rstrip("%")) >= 95.0, row  # issue "Read real people": >= 95 % after <= 20 corrections
    assert "all 1 writers together" in out
