"""Scribbles: drawings that are no symbol at all, to teach the nets' "not one symbol" output to say so.

training/reject.py fits that output on the pieces segmentation weighs (half a symbol, two symbols touching). A
drawing that is nothing the nets know (a star, a spiral, a tangle, a crossed-out patch) is none of those, so
what the output said of it was chance: one fit called the test's star "not one symbol" at 0.997, the next at
0.02. These are such drawings, in pen strokes as training/pen.py draws them, at the sizes, pens and wobble of
the digits:

    KINDS                        the shapes, none a digit or an operator
    scribble(kind, rng)          pen strokes of one (y down, unit-ish box)
    drawn(count, seed)           (count, 28, 28) float32 in [0, 1] (ink = 1) as the page would read them
"""
from __future__ import annotations

import numpy as np

import preprocess  # py/, on sys.path through the training package
from training import pen

KINDS = ("star", "spiral", "tangle", "crossout", "hash", "heart", "boxed x")  # not a smiley: at 28 px it is a
# 0 with a mark in it, as a slashed zero is


def _ring(t, rx=1.0, ry=1.0, cx=0.0, cy=0.0):
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1).astype(np.float32)


def _star(rng):
    points, step = (5, 2) if rng.random() < 0.6 else (7, int(rng.choice([2, 3])))
    angles = -np.pi / 2 + 2 * np.pi * step * np.arange(points + 1) / points + rng.uniform(-0.3, 0.3)
    radius = 1.0 + rng.normal(0, 0.06, size=points + 1)
    radius[-1] = radius[0]  # the stroke closes where it began
    return [_ring(angles) * radius[:, None]]


def _spiral(rng):
    turns = rng.uniform(2.0, 3.5)
    t = np.linspace(0, 2 * np.pi * turns, int(40 * turns))
    return [_ring(t * rng.choice([-1, 1])) * (0.1 + t / t[-1])[:, None]]


def _tangle(rng):
    """A knot of 12-24 random turns, smoothed: what a hand does when it scribbles."""
    corners = rng.uniform(-1, 1, size=(int(rng.integers(12, 25)), 2))
    t = np.linspace(0, len(corners) - 1, 8 * len(corners))
    path = np.stack([np.interp(t, np.arange(len(corners)), corners[:, axis]) for axis in (0, 1)], axis=1)
    kernel = np.ones(7) / 7  # round the corners off
    return [np.stack([np.convolve(np.pad(path[:, a], 3, mode="edge"), kernel, "valid") for a in (0, 1)], axis=1)]


def _crossout(rng):
    """Back-and-forth hatching over a patch, in one stroke: something crossed out."""
    teeth = int(rng.integers(6, 12))
    x = np.linspace(-1, 1, teeth + 1) + rng.normal(0, 0.05, teeth + 1)
    y = np.where(np.arange(teeth + 1) % 2, -0.6, 0.6) + rng.normal(0, 0.08, teeth + 1)
    return [np.stack([x, y], axis=1)]


def _hash(rng):
    a, b = rng.uniform(0.2, 0.45, size=2)
    return [np.array([[-a, -1], [-a, 1]]), np.array([[a, -1], [a, 1]]), np.array([[-1, -b], [1, -b]]),
            np.array([[-1, b], [1, b]])]


def _heart(rng):
    t = np.linspace(0, 2 * np.pi, 60)
    x, y = 16 * np.sin(t) ** 3, 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    return [np.stack([x, -y], axis=1) / 16]


def _boxed_x(rng):
    square = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]])
    return [square, np.array([[-1, -1], [1, 1]]), np.array([[1, -1], [-1, 1]])]


SHAPES = dict(zip(KINDS, (_star, _spiral, _tangle, _crossout, _hash, _heart, _boxed_x)))


def scribble(kind, rng):
    """Pen strokes of one scribble of `kind`: squeezed or widened, turned, slanted, wobbly, strokes jittered."""
    strokes = [np.asarray(s, np.float32) + rng.normal(0, 0.02, size=np.shape(s)).astype(np.float32)
               for s in SHAPES[kind](rng)]
    return pen.warp(strokes, rng, slant=rng.uniform(-20, 20), rotation=rng.uniform(-25, 25),
                    aspect=float(np.exp(rng.uniform(np.log(0.4), np.log(1.4)))), wobble=rng.uniform(0, 0.06))


def drawn(count, seed):
    """`count` scribbles, KINDS in turn, each at a random height and place, with a pen of 5 px to a tenth of
    that height (a thicker one fills a spiral or a tangle in: a blob, which a very thick 0 can be too)
    -> (count, 28, 28) float32 in [0, 1], ink = 1, as preprocess.to_mnist makes the page's inputs."""
    rng = np.random.default_rng(seed)
    images = []
    for i in range(count):
        strokes, height = scribble(KINDS[i % len(KINDS)], rng), rng.uniform(0.3, 0.9)
        pen_px = rng.uniform(5, max(6, 0.1 * height * pen.CANVAS))
        images.append(preprocess.to_mnist(pen.render(strokes, rng, height=(height, height), pen=pen_px)))
    return np.array(images, np.float32).reshape(-1, 28, 28)
