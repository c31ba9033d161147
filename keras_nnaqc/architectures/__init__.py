"""The paper's base models, as plain Keras models ending in logits."""

from keras_nnaqc.architectures.alexnet import alexnet
from keras_nnaqc.architectures.cifar10_cnn import cifar10_cnn
from keras_nnaqc.architectures.lc_cnn import lc_cnn
from keras_nnaqc.architectures.mnist_cnn import mnist_cnn
from keras_nnaqc.architectures.resnet50 import resnet50
from keras_nnaqc.architectures.resnet_cifar import resnet44
from keras_nnaqc.architectures.resnet_cifar import resnet_cifar

__all__ = [
    "alexnet",
    "cifar10_cnn",
    "lc_cnn",
    "mnist_cnn",
    "resnet50",
    "resnet44",
    "resnet_cifar",
]
