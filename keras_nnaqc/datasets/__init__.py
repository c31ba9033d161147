"""Datasets: local MNIST files, and the subset shipped with the package."""

from keras_nnaqc.datasets.mnist import load_mnist
from keras_nnaqc.datasets.mnist import load_mnist_subset
