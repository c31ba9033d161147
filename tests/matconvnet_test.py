import json

import keras
import numpy as np

from keras_nnaqc import cli
from keras_nnaqc._optimizers import fresh_optimizer
from keras_nnaqc.reproduction import load_noisy_data
from keras_nnaqc.reproduction.matconvnet import LayerRateSGD
from keras_nnaqc.reproduction.matconvnet import matconvnet_cifar10_cnn
from keras_nnaqc.reproduction.matconvnet import matconvnet_mnist_cnn
from keras_nnaqc.reproduction.settings import get_setting
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


def kernels_of(model):
    return {
        v.path.split("/")[-2]: to_numpy(v)
        for v in model.trainable_variables
        if v.path.endswith("kernel")
    }


class MatConvNetCNNTest(TestCase):
    def test_initialisation_and_weight_decay(self):
        model = matconvnet_cifar10_cnn(seed=0)
        model(np.zeros((1, 32, 32, 3), "float32"))
        kernels = kernels_of(model)
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

    def test_either_convolution_layout_is_the_same_model(self):
        images = np.random.default_rng(0).normal(size=(4, 32, 32, 3))
        images = images.astype("float32")
        last = matconvnet_cifar10_cnn(seed=2, conv_format="channels_last")
        first = matconvnet_cifar10_cnn(seed=2, conv_format="channels_first")
        self.assertEqual(first.get_layer("conv1").data_format, "channels_first")
        self.assertEqual(first.input_shape, (None, 32, 32, 3))
        for a, b in zip(last.get_weights(), first.get_weights(), strict=True):
            self.assertAllClose(a, b)
        self.assertAllClose(
            first(images, training=False),
            last(images, training=False),
            atol=1e-5,
        )
        # Weights move between the layouts (Flatten keeps channels-last
        # order), so the dense layers see the same features.
        last.set_weights([w * 1.5 for w in first.get_weights()])
        first.set_weights(last.get_weights())
        self.assertAllClose(
            first(images, training=False),
            last(images, training=False),
            atol=1e-4,
        )

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

    def test_shifts_images_by_whole_pixels_in_training_only(self):
        images = np.random.default_rng(0).normal(size=(16, 32, 32, 3))
        images = images.astype("float32")
        model = matconvnet_cifar10_cnn(seed=1, flip=False, shift=4)
        shift = model.get_layer("shift")
        self.assertAllClose(to_numpy(shift(images, training=False)), images)
        offsets = shifts_of(images, shift(images, training=True), 4)
        self.assertEqual(offsets.count(None), 0)
        self.assertTrue(len(set(offsets)) > 8)  # not one for every image

    def test_every_shift_equally_likely_and_apart_from_the_flip(self):
        # One bright pixel in the middle: where it lands is the shift.
        images = np.zeros((1800, 32, 32, 1), "float32")
        images[:, 16, 16] = 1.0
        model = matconvnet_cifar10_cnn(seed=3, shift=4)
        flipped = to_numpy(model.get_layer("flip")(images, training=True))
        shifted = to_numpy(model.get_layer("shift")(images, training=True))
        rows, columns = (
            np.nonzero(shifted[..., 0].max(axis=2) > 0.5)[1],
            (np.nonzero(shifted[..., 0].max(axis=1) > 0.5)[1]),
        )
        self.assertEqual((len(rows), len(columns)), (1800, 1800))
        for offsets in (rows - 16, columns - 16):
            counts = np.bincount(offsets + 4, minlength=9)
            self.assertEqual(len(counts), 9)  # within 4 pixels
            self.assertTrue(counts.min() > 140 and counts.max() < 260)
        # The flip (the pixel moves to column 15) and the vertical shift
        # draw apart: a flip goes with a shift down about half the time.
        was_flipped = flipped[:, 16, 15, 0] > 0.5
        down = rows > 16
        agreement = np.mean(was_flipped[rows != 16] == down[rows != 16])
        self.assertTrue(0.4 < agreement < 0.6)


class CIFAR10SettingTest(TestCase):
    def test_setting_shifts_flips_and_trains_75_epochs_in_fixed_steps(self):
        setting = get_setting("cifar10")
        self.assertEqual(setting.epochs, 75)
        # MatConvNet's steps after epochs 30 and 40 of 45, at the same
        # shares of 75; every epoch trained, the best one kept.
        self.assertEqual(setting.rate_steps, (50, 66))
        self.assertEqual(setting.patience, None)
        self.assertTrue(
            get_setting("cifar10n").build_base_model is setting.build_base_model
        )
        model = setting.build_base_model(seed=0)  # as scripts/ call it
        self.assertEqual(model.get_layer("shift").height_factor, 4.5 / 32)
        self.assertEqual(model.get_layer("flip").mode, "horizontal")
        self.assertEqual(len(model.losses), 5)  # every kernel decayed


class MatConvNetMnistTest(TestCase):
    def test_initialisation_and_weight_decay(self):
        model = matconvnet_mnist_cnn(seed=0)
        names = [layer.__class__.__name__ for layer in model.layers]
        self.assertEqual(names[0], "Conv2D")
        kernels = kernels_of(model)
        self.assertEqual(sorted(kernels), [f"conv{i}" for i in range(1, 5)])
        for kernel in kernels.values():
            self.assertTrue(abs(kernel.std() - 0.01) < 0.002)
        for variable in model.trainable_variables:
            if variable.path.endswith("bias"):
                self.assertEqual(float(np.abs(to_numpy(variable)).max()), 0.0)
        # The L2 terms add 5e-4 * w to each kernel's gradient.
        model(np.zeros((1, 28, 28, 1), "float32"))
        penalty = sum(float(to_numpy(loss)) for loss in model.losses)
        expected = sum(2.5e-4 * float((k**2).sum()) for k in kernels.values())
        self.assertAllClose(penalty, expected, rtol=1e-4)

    def test_shifts_training_images_before_the_first_convolution(self):
        images = np.random.default_rng(0).normal(size=(300, 28, 28, 1))
        images = images.astype("float32")
        model = matconvnet_mnist_cnn(seed=0, shift=2)
        self.assertEqual(model.layers[0].name, "shift")
        self.assertEqual(
            kernels_of(model).keys(),
            kernels_of(matconvnet_mnist_cnn(seed=0)).keys(),
        )
        shift = model.get_layer("shift")
        self.assertAllClose(to_numpy(shift(images, training=False)), images)
        offsets = shifts_of(images, shift(images, training=True), 2)
        self.assertEqual(offsets.count(None), 0)
        self.assertEqual(len(set(offsets)), 25)  # every offset drawn
        self.assertEqual(model.output_shape, (None, 10))

    def test_setting_centres_pixels_on_the_training_mean_image(self, capsys):
        path = self.temp_path("mnist.npz")
        rng = np.random.default_rng(0)
        x_train = rng.integers(0, 256, (50, 28, 28)).astype("uint8")
        np.savez(
            path,
            x_train=x_train,
            y_train=rng.integers(0, 10, 50).astype("uint8"),
            x_test=rng.integers(0, 256, (10, 28, 28)).astype("uint8"),
            y_test=rng.integers(0, 10, 10).astype("uint8"),
        )
        data = load_noisy_data(
            "mnist_matconvnet", 0.3, train_size=30, seed=0, data_path=path
        )
        self.assertEqual(data["x_train"].shape, (30, 28, 28, 1))
        # Each image minus the mean of all 50 training images, at pixel
        # scale.
        restored = data["x_train"][..., 0] + x_train.mean(axis=0)
        distances = np.abs(restored[:, None] - x_train[None]).max((2, 3))
        self.assertTrue(np.all(distances.min(axis=1) < 1e-3))

        cli.main(
            ["run", "--dataset", "mnist_matconvnet", "--data", path]
            + ["--method", "nnaqc", "--train-size", "40", "--epochs", "1"]
        )
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        self.assertEqual(result["dataset"], "mnist_matconvnet")
        self.assertTrue(0.0 <= result["test_error"] <= 100.0)


def shifts_of(images, shifted, shift):
    """The (dy, dx) each image of `shifted` is its image moved by, within
    `shift` pixels, the uncovered border zero; `None` where not exactly one
    offset matches."""
    offsets = []
    for image, out in zip(images, to_numpy(shifted), strict=True):
        matches = [
            (dy, dx)
            for dy in range(-shift, shift + 1)
            for dx in range(-shift, shift + 1)
            if np.allclose(out, moved(image, dy, dx), atol=1e-5)
        ]
        offsets.append(matches[0] if len(matches) == 1 else None)
    return offsets


def moved(image, dy, dx):
    """`image` moved down `dy` and right `dx` pixels, zero-filled."""
    out = np.zeros_like(image)
    height, width = image.shape[:2]
    out[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = (
        image[
            max(-dy, 0) : height - max(dy, 0), max(-dx, 0) : width - max(dx, 0)
        ]
    )
    return out
