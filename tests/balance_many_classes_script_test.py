import pathlib

import numpy as np

from keras_nnaqc.reproduction import runner
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import load_script

SCRIPT = (
    pathlib.Path(__file__).parents[1] / "scripts" / "balance_many_classes.py"
)


class DigitPairsTest(TestCase):
    def test_two_digits_side_by_side_and_their_class(self):
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(7, 28, 28)).astype("uint8")
        labels = np.array([3, 1, 4, 1, 5, 9, 2])
        pairs, classes = load_script(SCRIPT).digit_pairs(
            images, labels, 50, np.random.default_rng(1)
        )
        self.assertEqual(pairs.shape, (50, 28, 56, 1))
        left, right = np.random.default_rng(1).integers(7, size=(2, 50))
        np.testing.assert_array_equal(pairs[:, :, :28, 0], images[left])
        np.testing.assert_array_equal(pairs[:, :, 28:, 0], images[right])
        np.testing.assert_array_equal(
            classes, 10 * labels[left] + labels[right]
        )

    def test_registers_a_100_class_setting_with_the_batch_size(self):
        from keras_nnaqc.reproduction import settings

        name = load_script(SCRIPT).register(500)
        try:
            setting = settings.get_setting(name)
            self.assertEqual(
                (setting.num_classes, setting.batch_size), (100, 500)
            )
            model = setting.build_base_model()
            self.assertEqual(model(np.zeros((2, 28, 56, 1))).shape, (2, 100))
            # What each run records of it: the partial's arguments too.
            recorded = runner.recorded_setting(setting, 20)
            self.assertEqual(
                recorded["base_model"],
                "mnist_cnn(num_classes=100, input_shape=(28, 56, 1))",
            )
        finally:
            del settings.SETTINGS[name]
