import pathlib

import numpy as np

from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import load_script

SCRIPT = (
    pathlib.Path(__file__).parents[1] / "scripts" / "noise_concentration.py"
)


class NoiseConcentrationTest(TestCase):
    def test_share_of_the_most_frequent_wrong_class_by_hand(self):
        concentration = load_script(SCRIPT).concentration
        # Class 0: four images, two wrong, both as class 1 (share 1);
        # class 1: four images, three wrong, as 0, 2, 2 (share 2/3);
        # class 2: two images, one wrong, as 0 (share 1).
        clean = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
        noisy = np.array([0, 0, 1, 1, 1, 0, 2, 2, 2, 0])
        share, diagonal = concentration(clean, noisy, num_classes=3)
        self.assertAllClose(share, (1 + 2 / 3 + 1) / 3)
        self.assertAllClose(diagonal, (2 / 4 + 1 / 4 + 1 / 2) / 3)
