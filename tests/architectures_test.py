import keras
import numpy as np
import pytest

from keras_nnaqc import architectures
from keras_nnaqc.testing import TestCase


def conv_parameters(size, inputs, filters):
    return size * size * inputs * filters + filters


class ArchitecturesTest(TestCase):
    def test_mnist_cnn(self):
        model = architectures.mnist_cnn()
        self.assertEqual(model.output_shape, (None, 10))
        expected = (
            conv_parameters(5, 1, 20)
            + conv_parameters(5, 20, 50)
            + conv_parameters(4, 50, 500)
            + conv_parameters(1, 500, 10)
        )
        self.assertEqual(model.count_params(), expected)
        images = np.zeros((2, 28, 28, 1), "uint8")
        self.assertEqual(model.predict(images, verbose=0).shape, (2, 10))

    def test_cifar10_cnn(self):
        model = architectures.cifar10_cnn()
        self.assertEqual(model.output_shape, (None, 10))
        expected = (
            conv_parameters(5, 3, 32)
            + conv_parameters(5, 32, 32)
            + conv_parameters(5, 32, 64)
            + conv_parameters(4, 64, 64)
            + conv_parameters(1, 64, 10)
        )
        self.assertEqual(model.count_params(), expected)
        first = architectures.cifar10_cnn(data_format="channels_first")
        self.assertEqual(first.input_shape, (None, 3, 32, 32))
        self.assertEqual(first.count_params(), expected)

    def test_lc_cnn(self):
        model = architectures.lc_cnn()
        self.assertEqual(model.output_shape, (None, 100))
        convolutions = [
            layer
            for layer in model.layers
            if isinstance(layer, keras.layers.Conv2D)
        ]
        dense = [
            layer
            for layer in model.layers
            if isinstance(layer, keras.layers.Dense)
        ]
        self.assertEqual((len(convolutions), len(dense)), (2, 3))

    def test_resnet44_has_44_weighted_layers(self):
        model = architectures.resnet44()
        self.assertEqual(model.output_shape, (None, 100))
        kinds = [type(layer).__name__ for layer in model.layers]
        # 43 convolutions and 1 dense layer on the main path, plus the two
        # 1x1 projection shortcuts.
        self.assertEqual(kinds.count("Conv2D"), 43 + 2)
        self.assertEqual(kinds.count("Dense"), 1)
        self.assertEqual(len(model.losses), 46)  # weight decay on each kernel

    def test_resnet_rejects_bad_depth(self):
        with pytest.raises(ValueError, match="depth=45"):
            architectures.resnet_cifar(45)

    def test_alexnet_freezes_the_first_four_blocks(self):
        model = architectures.alexnet()
        self.assertEqual(model.output_shape, (None, 1000))
        self.assertEqual(model.count_params(), 62_378_344)
        trainable = {
            layer.name: layer.trainable
            for layer in model.layers
            if layer.name.startswith("conv")
        }
        self.assertEqual(
            trainable,
            {
                "conv1": False,
                "conv2": False,
                "conv3": False,
                "conv4": False,
                "conv5": True,
            },
        )

    def test_alexnet_loads_weights(self, tmp_path):
        source = architectures.alexnet(num_classes=5, input_shape=(67, 67, 3))
        path = str(tmp_path / "alexnet.weights.h5")
        source.save_weights(path)
        loaded = architectures.alexnet(
            num_classes=5, input_shape=(67, 67, 3), weights=path
        )
        self.assertAllClose(loaded.layers[0].kernel, source.layers[0].kernel)

    def test_resnet50_for_clothing1m(self):
        model = architectures.resnet50(weights=None)
        self.assertEqual(model.output_shape, (None, 14))
