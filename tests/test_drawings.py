"""training/drawings.py: the canvas drawings the preprocessing tests, the benchmark and the reject fit draw."""
import numpy as np
import pytest

from training import drawings, mnist


def ink_height(ink):
    rows = np.nonzero((ink > 0.5).any(axis=1))[0]
    return rows.max() - rows.min() + 1


@pytest.mark.parametrize("thickness", [4, 8])
def test_an_mnist_digit_drawn_with_a_thicker_pen_is_not_cut_flat_at_its_edges(thickness):
    """A thicker pen makes the digit's ink reach that many px further on each side, and the ink array holds it
    all: no stroke is cut straight along the array's edge (a pen never draws that), only the soft edge of the
    ink touches it."""
    x, _ = mnist.load("test")
    for x28 in x[:20]:
        plain, thick = drawings.mnist_ink(x28, 200), drawings.mnist_ink(x28, 200, thickness)
        assert abs(ink_height(thick) - ink_height(plain) - 2 * thickness) <= 2
        for ink in (plain, thick):
            assert max(ink[0].max(), ink[-1].max(), ink[:, 0].max(), ink[:, -1].max()) < 0.05
