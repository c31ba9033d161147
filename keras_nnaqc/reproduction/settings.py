"""The training setting of each dataset: data, base model and schedule.

Every method of a comparison is trained with the same setting, so results
differ by the method alone.
"""

import dataclasses
import functools
from collections.abc import Callable

from keras_nnaqc.architectures import mnist_cnn
from keras_nnaqc.datasets import load_mnist
from keras_nnaqc.datasets import load_mnist_subset
from keras_nnaqc.datasets.cifar10 import CIFAR10N_LABEL_SETS
from keras_nnaqc.datasets.cifar10 import load_cifar10
from keras_nnaqc.reproduction.matconvnet import matconvnet_cifar10_cnn
from keras_nnaqc.reproduction.matconvnet import matconvnet_mnist_cnn
from keras_nnaqc.reproduction.matconvnet import matconvnet_whitening


@dataclasses.dataclass(frozen=True)
class Setting:
    """How experiments on one dataset are run.

    Attributes:
        dataset: Name of the dataset.
        num_classes: Number of classes.
        load: `load(data_path)` returns `((x_train, y_train), (x_test,
            y_test))` as NumPy arrays.
        build_base_model: Returns a fresh base model ending in logits.
        optimizer: Keras optimizer config (every run gets a fresh one).
        epochs: Default maximum number of epochs.
        batch_size: Batch size (100 in all of the paper's experiments).
        validation_fraction: Share of the noisy training set held out to
            stop training early (every method memorises noisy labels in
            the end; a user has only noisy labels to tell when).
        patience: Epochs without a better `monitor` before stopping, or
            `None` to train every epoch; either way the weights of the
            best epoch are kept.
        rate_steps: Epochs of `epochs` after which the learning rate is
            divided by 10 (a fixed schedule, as MatConvNet's; a run of
            another length steps at the same shares of it); empty for a
            constant rate.
        label_sets: The sets of real noisy labels the dataset comes with
            (CIFAR-10N), chosen per run instead of a noise rate, and each
            one's class-conditional twin (`CLASS_CONDITIONAL_SUFFIX`);
            empty for datasets that get synthetic noise.
        monitor: The validation metric that stops training, on the noisy
            hold-out.
        idn_features: `idn_features(data_path)` returns the training images
            that instance-dependent noise projects, in `load`'s order: Xia
            et al. project the raw pixel values, which `load` may have
            preprocessed away. `None`: `load`'s own training images.
    """

    dataset: str
    num_classes: int
    load: Callable
    build_base_model: Callable
    optimizer: dict
    epochs: int
    batch_size: int = 100
    validation_fraction: float = 0.1
    patience: int | None = 3
    rate_steps: tuple = ()
    label_sets: tuple = ()
    monitor: str = "val_loss"
    idn_features: Callable = None


# The suffix of a label set's class-conditional twin, as in
# `"worse_class_conditional"`: its labels redrawn, image by image, from the
# set's clean-to-noisy matrix over all training images (with the run's seed).
# It keeps how often each class is mistaken for which and drops which images
# the workers got wrong: the noise NNAQC assumes, beside the noise people make.
CLASS_CONDITIONAL_SUFFIX = "_class_conditional"


def _mnist_images(load):
    def load_images(data_path):
        (x_train, y_train), (x_test, y_test) = load(data_path)
        return (x_train[..., None], y_train), (x_test[..., None], y_test)

    return load_images


# Kept for the next run of a grid (decoding CIFAR-10's JPEG file takes half
# a minute).
_mnist_pixels = functools.lru_cache(maxsize=1)(_mnist_images(load_mnist))
_cifar10_pixels = functools.lru_cache(maxsize=1)(load_cifar10)


def _training_pixels(load_pixels):
    """`Setting.idn_features` for a setting that preprocesses the images of
    `load_pixels`: the stored training pixels, which IDN projects as Xia et
    al.'s code does (whitened, CIFAR-10's would make it nearly symmetric:
    docs/realistic_noise.md)."""

    def training_pixels(data_path):
        return load_pixels(data_path)[0][0]

    return training_pixels


@functools.lru_cache(maxsize=1)
def _centred_mnist(data_path):
    """MNIST at pixel scale minus the training images' mean image, as
    MatConvNet's `cnn_mnist.m` feeds it."""
    (x_train, y_train), (x_test, y_test) = _mnist_pixels(data_path)
    mean_image = x_train.astype("float32").mean(axis=0)
    return (x_train - mean_image, y_train), (x_test - mean_image, y_test)


@functools.lru_cache(maxsize=1)
def _whitened_cifar10(data_path):
    """CIFAR-10 whitened as MatConvNet does, at its pixel scale; kept for
    the next run of a grid (the whitening takes a minute)."""
    (x_train, y_train), (x_test, y_test) = _cifar10_pixels(data_path)
    x_train, x_test = matconvnet_whitening(x_train, x_test, unit_scale=False)
    return (x_train, y_train), (x_test, y_test)


def shifting_cifar10_cnn(num_classes=10, seed=None, conv_format=None):
    """The CIFAR-10 setting's base model: `matconvnet_cifar10_cnn` with its
    random flips, and random shifts of up to 4 pixels (not MatConvNet's:
    with them the paper's CNN reaches its clean error, without them it
    stays 3 points above, 2 above the bound allowed for JPEG copies;
    results/cifar10/base_schedule/)."""
    return matconvnet_cifar10_cnn(
        num_classes, seed=seed, shift=4, conv_format=conv_format
    )


def shifting_mnist_cnn(num_classes=10, seed=None):
    """The `mnist_matconvnet` setting's base model: `matconvnet_mnist_cnn`
    with random shifts of up to 2 pixels (not MatConvNet's: with them the
    paper's CNN errs on 0.80% and 0.87% on two seeds, without them on
    0.90% and 1.01%; results/mnist/base_schedule/)."""
    return matconvnet_mnist_cnn(num_classes, seed=seed, shift=2)


ADAM = {"class_name": "Adam", "config": {"learning_rate": 1e-3}}
# MatConvNet's cnn_mnist.m recipe with random shifts of up to 2 pixels
# (since 2026-12-05); the paper's base model errs on 0.80-0.87% with it,
# 0.90-1.01% without the shifts and 1.2% with Adam
# (results/mnist/base_schedule/).
MNIST_MATCONVNET = {
    "num_classes": 10,
    "load": _centred_mnist,
    "build_base_model": shifting_mnist_cnn,
    "optimizer": {
        "class_name": "SGD",
        "config": {"learning_rate": 0.001, "momentum": 0.9},
    },
    "epochs": 20,
    "patience": 5,
    "monitor": "val_accuracy",
    "idn_features": _training_pixels(_mnist_pixels),
}
MATCONVNET_SGD = {
    "class_name": "keras_nnaqc>LayerRateSGD",
    "config": {"learning_rate": 0.05, "momentum": 0.9},
}
# MatConvNet's cnn_cifar.m recipe (`reproduction/matconvnet.py`) with
# random shifts as well, and its fixed schedule stretched from 45 epochs
# to 75 (it was still improving at 45): the rate divided by 10 after
# epochs 50 and 66. Every run trains all 75 epochs and keeps the epoch of
# the best accuracy on the noisy hold-out, which tracks the test error
# (its loss is lowest long before). The plain model errs on 20.80% on the
# 50,000 clean images; with the steps on the hold-out's plateaus they
# came after epochs 26-28 and left it at 21.65-21.73%, over the 21.5%
# allowed for JPEG copies (results/cifar10/base_schedule/). Until
# 2026-12-05: flips only, at most 45 epochs, 3 points above the paper's
# 20.49% (results/cifar10/flips_setting/).
CIFAR10 = {
    "num_classes": 10,
    "load": _whitened_cifar10,
    "build_base_model": shifting_cifar10_cnn,
    "optimizer": MATCONVNET_SGD,
    "epochs": 75,
    "patience": None,
    "rate_steps": (50, 66),
    "monitor": "val_accuracy",
    "idn_features": _training_pixels(_cifar10_pixels),
}

SETTINGS = {
    "mnist": Setting(
        "mnist", 10, _mnist_images(load_mnist), mnist_cnn, ADAM, epochs=20
    ),
    "mnist_matconvnet": Setting("mnist_matconvnet", **MNIST_MATCONVNET),
    "mnist_subset": Setting(
        "mnist_subset",
        10,
        _mnist_images(lambda data_path: load_mnist_subset()),
        mnist_cnn,
        ADAM,
        epochs=8,
    ),
    "cifar10": Setting("cifar10", **CIFAR10),
    "cifar10n": Setting(
        "cifar10n",
        **CIFAR10,
        label_sets=(
            *CIFAR10N_LABEL_SETS,
            *(name + CLASS_CONDITIONAL_SUFFIX for name in CIFAR10N_LABEL_SETS),
        ),
    ),
}


def get_setting(dataset):
    """The training setting of a dataset.

    Args:
        dataset: One of `SETTINGS`.

    Returns:
        A `Setting`.
    """
    if dataset not in SETTINGS:
        raise ValueError(
            f"Unknown dataset {dataset!r}. Valid datasets: "
            f"{', '.join(SETTINGS)}. Received: dataset={dataset!r}"
        )
    return SETTINGS[dataset]
