"""Simulated writers: people whose handwriting MNIST lacks, each with a style held fixed across their drawings,
for the benchmark of learning from corrections (tools/bench_learn.py) and its tests.

A writer (seeded) picks once: a slant (often backwards), a pen (a thick marker or a fine pen), a width, and
for each digit one form: a slashed 0, a 1 with a flag and a foot, a crossed 7, an open 4, a 9 with a straight
stem, a 2 with a loop, a snowman 8 (two separate rings), a 5 with a hooked top, ... Every drawing then varies
only as one person's does: the points jitter a little, the size and place change, the slant wobbles a few
degrees. Drawings go through the pad's pen (training/pen.py) and the page's preprocessing, like a real one.

    Writer(seed).draw(label, rng) -> (28, 28) float32 in [0, 1], ink = 1
    Writer(seed).drawings(labels, seed) -> (N, 28, 28) float32
"""
from __future__ import annotations

import numpy as np

import preprocess  # py/, on sys.path through the training package

from training import drawings, pen, symbols

# Forms of each digit in a unit box (x in [0, 0.6], y in [0, 1], y down), several strokes where the pen lifts.
FORMS = {
    "0": {"slashed": [[(0.3, 0.0), (0.08, 0.15), (0.02, 0.5), (0.08, 0.85), (0.3, 1.0), (0.52, 0.85),
                       (0.58, 0.5), (0.52, 0.15), (0.3, 0.0)], [(0.55, 0.08), (0.05, 0.92)]],
          "dotted": [[(0.3, 0.0), (0.08, 0.15), (0.02, 0.5), (0.08, 0.85), (0.3, 1.0), (0.52, 0.85),
                      (0.58, 0.5), (0.52, 0.15), (0.3, 0.0)], [(0.3, 0.5), (0.31, 0.52)]]},
    "1": {"flag and foot": [[(0.05, 0.3), (0.35, 0.0), (0.35, 1.0)], [(0.05, 1.0), (0.62, 1.0)]],
          "long flag": [[(0.0, 0.45), (0.42, 0.0), (0.42, 1.0)]]},
    "2": {"loop": symbols.STYLES["2 with a loop"][1],
          "z-like": [[(0.0, 0.0), (0.6, 0.0), (0.0, 1.0), (0.6, 1.0)]]},
    "3": {"flat top": symbols.STYLES["3 with a flat top"][1],
          "pointed": [[(0.0, 0.05), (0.55, 0.0), (0.15, 0.45), (0.55, 0.55), (0.58, 0.85), (0.3, 1.0), (0.0, 0.92)]]},
    "4": {"open top": [[(0.3, 0.0), (0.0, 0.6), (0.6, 0.6)], [(0.42, 0.3), (0.42, 1.0)]],
          "closed": symbols.STYLES["4 with a closed top"][1]},
    "5": {"hooked": [[(0.55, 0.02), (0.1, 0.0), (0.05, 0.45), (0.35, 0.35), (0.58, 0.55), (0.55, 0.85),
                      (0.3, 1.0), (0.0, 0.85)], [(0.55, 0.02), (0.6, 0.12)]],
          "round": [[(0.58, 0.0), (0.1, 0.02), (0.05, 0.4), (0.4, 0.4), (0.6, 0.62), (0.5, 0.95), (0.1, 0.98)]]},
    "6": {"straight back": symbols.STYLES["6 with a straight back"][1],
          "small loop": [[(0.5, 0.0), (0.15, 0.4), (0.05, 0.8), (0.2, 1.0), (0.45, 0.95), (0.45, 0.72),
                          (0.2, 0.7), (0.07, 0.8)]]},
    "7": {"crossed": symbols.STYLES["7 with a crossbar"][1],
          "hooked": [[(0.0, 0.15), (0.05, 0.0), (0.6, 0.0), (0.25, 1.0)], [(0.15, 0.5), (0.5, 0.5)]]},
    "8": {"snowman": [[(0.3, 0.0), (0.12, 0.1), (0.12, 0.35), (0.3, 0.45), (0.48, 0.35), (0.48, 0.1),
                       (0.3, 0.0)], [(0.3, 0.47), (0.05, 0.6), (0.05, 0.9), (0.3, 1.0), (0.55, 0.9),
                                     (0.55, 0.6), (0.3, 0.47)]],
          "plain": [list(p) for p in drawings.STROKES[8]]},
    "9": {"straight stem": symbols.STYLES["9 with a straight stem"][1],
          "curled": [[(0.55, 0.3), (0.3, 0.4), (0.05, 0.25), (0.2, 0.0), (0.5, 0.05), (0.55, 0.3), (0.5, 0.9),
                      (0.3, 1.0), (0.1, 0.9)]]},
}
JITTER = 0.025  # point jitter, share of the height: one person's variation


class Writer:
    """One simulated person. `seed` fixes the style."""

    def __init__(self, seed):
        rng = np.random.default_rng([seed, 12])
        self.seed = seed
        self.slant = float(rng.choice([-1, 1]) * rng.uniform(15, 30))
        self.pen = float(rng.choice([rng.uniform(28, 36), rng.uniform(7, 10)]))
        self.aspect = float(rng.uniform(0.75, 1.3))
        self.forms = {label: sorted(forms)[int(rng.integers(len(forms)))] for label, forms in FORMS.items()}

    def describe(self):
        return "slant %+.0f°, pen %.0f px, width x%.2f, %s" % (
            self.slant, self.pen, self.aspect, ", ".join("%s %s" % (k, v) for k, v in self.forms.items()))

    def strokes(self, label, rng):
        """Pen strokes of one drawing of `label` (a digit, or an operator drawn the usual way)."""
        if label in FORMS:
            template = FORMS[label][self.forms[label]]
            strokes = [np.array(s, np.float32) + rng.normal(0, JITTER, (len(s), 2)).astype(np.float32)
                       for s in template]
        else:
            strokes = symbols.operator(label, rng, symbols.TRAIN)
        return pen.warp(strokes, rng, slant=self.slant + rng.uniform(-4, 4), aspect=self.aspect,
                        wobble=0.02)

    def draw(self, label, rng):
        ink = pen.render(self.strokes(label, rng), rng, height=(0.45, 0.85), pen=self.pen * rng.uniform(0.9, 1.1))
        return preprocess.to_mnist(ink)

    def drawings(self, labels, seed):
        """(N, 28, 28) float32: one drawing of each label in `labels`, with their own rng."""
        rng = np.random.default_rng([self.seed, seed])
        return np.array([self.draw(label, rng) for label in labels], np.float32).reshape(-1, 28, 28)
