"""The paper's base models, as plain Keras models ending in logits."""

from keras_nnaqc.architectures.mnist_cnn import mnist_cnn
