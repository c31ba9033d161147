"""A NumPy generator whose uniform draws are chosen by the test."""

import numpy as np

# `Generator.random` returns k / 2**53 for an integer k in [0, 2**53).
LARGEST_DRAW = 1.0 - 2.0**-53


class FixedDraws(np.random.Generator):
    """Returns `values` (repeated) from `random`, so a test can pick the
    adversarial draws a seed would produce once in a billion."""

    def __init__(self, values):
        super().__init__(np.random.PCG64(0))
        self.values = np.asarray(values, dtype=np.float64)

    def random(self, size=None, dtype=np.float64, out=None):
        return np.resize(self.values, size)
