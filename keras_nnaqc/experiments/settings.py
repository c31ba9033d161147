"""The training setting of each dataset: data, base model and schedule.

Every method of a comparison is trained with the same setting, so results
differ by the method alone.
"""

import dataclasses
from collections.abc import Callable

from keras_nnaqc.architectures import mnist_cnn
from keras_nnaqc.datasets import load_mnist
from keras_nnaqc.datasets import load_mnist_subset


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
        patience: Epochs without a better validation loss before stopping;
            the weights of the best epoch are kept.
    """

    dataset: str
    num_classes: int
    load: Callable
    build_base_model: Callable
    optimizer: dict
    epochs: int
    batch_size: int = 100
    validation_fraction: float = 0.1
    patience: int = 3


def _mnist_images(load):
    def load_images(data_path):
        (x_train, y_train), (x_test, y_test) = load(data_path)
        return (x_train[..., None], y_train), (x_test[..., None], y_test)

    return load_images


ADAM = {"class_name": "Adam", "config": {"learning_rate": 1e-3}}

SETTINGS = {
    "mnist": Setting(
        "mnist", 10, _mnist_images(load_mnist), mnist_cnn, ADAM, epochs=20
    ),
    "mnist_subset": Setting(
        "mnist_subset",
        10,
        _mnist_images(lambda data_path: load_mnist_subset()),
        mnist_cnn,
        ADAM,
        epochs=8,
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
