"""The paper's datasets and your own, with label noise drawn once."""

from keras_nnaqc.datasets.catalog import DATASETS
from keras_nnaqc.datasets.loader import load
from keras_nnaqc.datasets.loader import load_arrays
from keras_nnaqc.datasets.loader import load_image_directory
from keras_nnaqc.datasets.mnist import load_mnist
from keras_nnaqc.datasets.mnist import load_mnist_subset
from keras_nnaqc.datasets.noisy_dataset import NoisyDataset
from keras_nnaqc.datasets.noisy_dataset import add_noise

__all__ = [
    "DATASETS",
    "load",
    "load_arrays",
    "load_image_directory",
    "load_mnist",
    "load_mnist_subset",
    "NoisyDataset",
    "add_noise",
]
