"""MNIST from local files: the subset shipped with the package, or a copy."""

import os
import pathlib

from keras_nnaqc.datasets.local_files import KERAS_LAYOUT
from keras_nnaqc.datasets.local_files import read_npz

SUBSET_PATH = pathlib.Path(__file__).parent / "data" / "mnist_subset.npz"
DATA_VARIABLE = "KERAS_NNAQC_DATA"


def load_mnist(path=None):
    """Loads MNIST from a local `mnist.npz` in the `keras.datasets` layout.

    Nothing is downloaded: point `path` (or the environment variable
    `KERAS_NNAQC_DATA`) at the file `keras.datasets.mnist.load_data()` keeps
    in `~/.keras/datasets/mnist.npz`, or any file with the same arrays.

    Args:
        path: Path of the `.npz` file. Defaults to `None`, which reads
            `$KERAS_NNAQC_DATA`.

    Returns:
        `((x_train, y_train), (x_test, y_test))`, uint8 NumPy arrays.
    """
    path = path or os.environ.get(DATA_VARIABLE)
    if not path:
        raise ValueError(
            "No MNIST file given: pass `path` (or set $KERAS_NNAQC_DATA) to a "
            "local mnist.npz in the keras.datasets layout, or use "
            "`load_mnist_subset()` for the subset shipped with the package. "
            "Received: path=None"
        )
    return read_npz(path, "MNIST", KERAS_LAYOUT)


def load_mnist_subset():
    """Loads the MNIST subset shipped with the package (10k train, 2k test).

    Returns:
        `((x_train, y_train), (x_test, y_test))`, uint8 NumPy arrays of
        10,000 and 2,000 images drawn at random from MNIST (CC BY-SA 3.0,
        Yann LeCun and Corinna Cortes).
    """
    return read_npz(SUBSET_PATH, "MNIST", KERAS_LAYOUT)
