"""Choose the pad's displayed pen (static/pad.js BRUSH) on real sums: `python tools/measure_pen.py`.

Draws the real arithmetic expressions of CROHME's training writers (tools/bench_strokes.py) at the size a sum
is written across the pad (symbols DIGIT_PX tall in the 280 px snapshot, tests/strokes.py's sums), each symbol
with a round pen of each width tried, and prints the share of expressions in which the ink of two different
symbols touches (the person then sees one blob where they wrote two symbols), and the pen's share of a digit's
height.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "py"), str(ROOT), str(ROOT / "tools")]
import bench_strokes  # noqa: E402
import ink  # noqa: E402

SNAPSHOT_SIDE = 280
DIGIT_PX = 60        # the data's median symbol height is 100 units
DIVISORS = (20, 30, 40, 50, 60, 80)


def touching(row, pen: float) -> bool:
    """Does the ink of any two symbols of the expression touch, drawn DIGIT_PX tall with this pen (px)?"""
    scale = DIGIT_PX / 100.0
    points = np.concatenate(row["strokes"])
    low, high = points.min(axis=0) - pen / scale, points.max(axis=0) + pen / scale
    shape = tuple(int(v) + 2 for v in np.ceil((high - low) * scale)[::-1])
    count = np.zeros(shape, np.int16)
    for symbol in row["symbols"]:
        drawn = ink.render([row["strokes"][i] for i in symbol["strokes"]], shape, scale, low, pen)
        count += drawn > 0.5
    return bool((count > 1).any())


def main():
    rows = [r for r in bench_strokes.load("train") if r.get("arithmetic")]
    print("%d real sums of training writers, symbols %d px tall in the %d px snapshot" % (len(rows), DIGIT_PX, SNAPSHOT_SIDE))
    for divisor in DIVISORS:
        pen = SNAPSHOT_SIDE / divisor
        share = np.mean([touching(row, pen) for row in rows])
        print("  BRUSH 1/%d (%.1f px, %.0f %% of a digit's height): two symbols' ink touch in %.1f %% of the sums"
              % (divisor, pen, 100 * pen / DIGIT_PX, 100 * share))


if __name__ == "__main__":
    main()
