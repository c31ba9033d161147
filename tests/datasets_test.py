import numpy as np
import pytest

from keras_nnaqc.datasets import load_mnist
from keras_nnaqc.datasets import load_mnist_subset
from keras_nnaqc.testing import TestCase


def write_mnist(path, **arrays):
    layout = {
        "x_train": np.zeros((3, 28, 28), np.uint8),
        "y_train": np.array([0, 1, 2], np.uint8),
        "x_test": np.zeros((2, 28, 28), np.uint8),
        "y_test": np.array([3, 4], np.uint8),
    }
    layout.update(arrays)
    np.savez(path, **layout)
    return path


class MnistTest(TestCase):
    def test_shipped_subset(self):
        (x_train, y_train), (x_test, y_test) = load_mnist_subset()
        self.assertEqual(x_train.shape, (10_000, 28, 28))
        self.assertEqual(x_test.shape, (2_000, 28, 28))
        self.assertEqual((x_train.dtype, y_train.dtype), (np.uint8, np.uint8))
        self.assertEqual(set(np.unique(y_train)), set(range(10)))
        self.assertTrue(np.bincount(y_test).min() > 150)  # every digit present
        self.assertEqual(int(x_train.max()), 255)

    def test_load_from_a_path_or_the_environment(self, monkeypatch):
        path = write_mnist(self.temp_path("mnist.npz"))
        (_, y_train), (_, y_test) = load_mnist(path)
        np.testing.assert_array_equal(y_train, [0, 1, 2])
        monkeypatch.setenv("KERAS_NNAQC_DATA", path)
        np.testing.assert_array_equal(load_mnist()[1][1], [3, 4])

    def test_errors_say_what_to_do(self, monkeypatch):
        monkeypatch.delenv("KERAS_NNAQC_DATA", raising=False)
        with pytest.raises(ValueError, match="KERAS_NNAQC_DATA.*path=None"):
            load_mnist()
        with pytest.raises(FileNotFoundError, match="nowhere.npz"):
            load_mnist("/nowhere.npz")
        path = self.temp_path("partial.npz")
        np.savez(path, x_train=np.zeros(1))
        with pytest.raises(ValueError, match=r"lacks \['x_test', 'y_test'"):
            load_mnist(path)
