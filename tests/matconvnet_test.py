import keras
import numpy as np

from keras_nnaqc._optimizers import fresh_optimizer
from keras_nnaqc.reproduction.matconvnet import LayerRateSGD
from keras_nnaqc.reproduction.matconvnet import matconvnet_cifar10_cnn
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import to_numpy


class LayerRateSGDTest(TestCase):
    def test_one_step_by_hand(self):
        model = keras.Sequential(
            [
                keras.Input((2,)),
                keras.layers.Dense(2, name="conv1"),
                keras.layers.Dense(1, name="head"),
            ]
        )
        variables = model.trainable_variables
        before = [to_numpy(v) for v in variables]
        optimizer = LayerRateSGD({"conv1": (0.1, 2.0)}, learning_rate=0.5)
        grads = [keras.ops.ones(v.shape) for v in variables]
        optimizer.apply(grads, variables)
        # conv1: kernel 0.5 * 0.1, bias 0.5 * 2; the head keeps 0.5.
        for variable, old, step in zip(
            variables, before, [0.05, 1.0, 0.5, 0.5], strict=True
        ):
            self.assertAllClose(variable, old - step)

    def test_a_fresh_copy_keeps_the_multipliers(self):
        optimizer = LayerRateSGD(learning_rate=0.05, momentum=0.9)
        copy = fresh_optimizer(optimizer)
        self.assertEqual(copy.multipliers, optimizer.multipliers)
        self.assertEqual(copy.multipliers["conv5"], (0.01, 0.2))
        self.assertEqual(float(copy.momentum), 0.9)


class MatConvNetCNNTest(TestCase):
    def test_initialisation_and_weight_decay(self):
        model = matconvnet_cifar10_cnn(seed=0)
        model(np.zeros((1, 32, 32, 3), "float32"))
        kernels = {
            v.path.split("/")[-2]: to_numpy(v)
            for v in model.trainable_variables
            if v.path.endswith("kernel")
        }
        self.assertEqual(sorted(kernels), [f"conv{i}" for i in range(1, 6)])
        self.assertTrue(abs(kernels["conv1"].std() - 0.01) < 0.001)
        self.assertTrue(abs(kernels["conv3"].std() - 0.05) < 0.002)
        for variable in model.trainable_variables:
            if variable.path.endswith("bias"):
                self.assertEqual(float(np.abs(to_numpy(variable)).max()), 0.0)
        # The L2 terms add 1e-4 * w to each kernel's gradient.
        penalty = sum(float(to_numpy(loss)) for loss in model.losses)
        expected = sum(5e-5 * float((k**2).sum()) for k in kernels.values())
        self.assertAllClose(penalty, expected, rtol=1e-4)

    def test_flips_images_in_training_only(self):
        images = np.random.default_rng(0).normal(size=(8, 32, 32, 3))
        images = images.astype("float32")
        flipping = matconvnet_cifar10_cnn(seed=1)
        plain = matconvnet_cifar10_cnn(seed=1, flip=False)
        self.assertEqual(flipping.layers[0].name, "flip")
        self.assertAllClose(
            flipping(images, training=False), plain(images), atol=1e-6
        )
        trained = to_numpy(flipping(images, training=True))
        as_is = to_numpy(plain(images))
        mirrored = to_numpy(plain(images[:, :, ::-1]))
        same = np.isclose(trained, as_is, atol=1e-5).all(axis=1)
        flipped = np.isclose(trained, mirrored, atol=1e-5).all(axis=1)
        self.assertTrue(np.all(same | flipped))
