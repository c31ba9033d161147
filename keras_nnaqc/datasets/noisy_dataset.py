import dataclasses
import typing
from collections.abc import Callable

import numpy as np

from keras_nnaqc import noise
from keras_nnaqc._validation import check_labels
from keras_nnaqc._validation import check_probability

if typing.TYPE_CHECKING:
    import keras
    import tensorflow as tf

UNKNOWN_LABEL = -1


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoisyDataset:
    """A dataset split ready for `fit`, with its clean and noisy labels.

    The noisy labels are drawn once per example (by its position in the
    split) and attached before any shuffling, so every epoch sees the same
    ones.

    Attributes:
        name: Name of the dataset.
        split: Name of the split.
        dataset: What `fit` and `evaluate` take: a `tf.data.Dataset` (or a
            `keras.utils.PyDataset` without TensorFlow) of `(images,
            labels)` batches, the labels being `noisy_labels`.
        clean_labels: The true label of each example, in split order (`-1`
            where unknown, as for most of Clothing1M's noisy set).
        noisy_labels: The label of each example that `dataset` yields.
        num_classes: Number of classes.
        transition_matrix: The synthetic noise applied, `None` when none
            was (clean labels, or real noise).
        coarse_labels: CIFAR-100's superclass of each example, else `None`.
        images: The images in split order when held in memory, else `None`.
        ordered: `ordered(batch_size)` gives a dataset of `(images,
            noisy_labels)` batches in split order, without augmentation:
            for `predict` and `NoisyLabelModel.label_issues`.
        class_names: Names of the classes when known, else `None`.
        paths: The image files in split order, for datasets read from
            files, else `None`.
    """

    name: str
    split: str
    dataset: "tf.data.Dataset | keras.utils.PyDataset"
    clean_labels: np.ndarray
    noisy_labels: np.ndarray
    num_classes: int
    transition_matrix: np.ndarray | None = None
    coarse_labels: np.ndarray | None = None
    images: np.ndarray | None = None
    ordered: Callable | None = None
    class_names: list[str] | None = None
    paths: np.ndarray | None = None

    @property
    def actual_noise(self):
        """The share of examples with a known clean label that is wrong."""
        known = self.clean_labels != UNKNOWN_LABEL
        if not known.any():
            return None
        return float(
            np.mean(self.clean_labels[known] != self.noisy_labels[known])
        )

    def __len__(self):
        return len(self.noisy_labels)


def add_noise(
    clean_labels,
    num_classes,
    rate,
    noise_model,
    seed,
    groups=None,
    features=None,
):
    """Draws noisy labels once, reproducibly from `seed`.

    The one way the package draws synthetic noisy labels: `nnaqc run`,
    `nnaqc reproduce`, `datasets.load` and the demo all call it, so the same
    labels, rate, noise model and seed give the same noisy labels.

    Args:
        clean_labels: Integer labels.
        num_classes: Number of classes.
        rate: Label-noise rate `p`; `0` leaves the labels clean.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`.
        seed: Seed of the noise matrix and of the draw.
        groups: Group of each class, for the `"grouped"` model. Defaults
            to `None`.
        features: The inputs, one per label, for the `"idn"` model
            (`noise.instance_dependent`). Defaults to `None`.

    Returns:
        `(noisy_labels, transition_matrix)`; the matrix is `None` at rate 0,
        and for `"idn"` the empirical clean-to-noisy matrix of the draw
        (there is no single true one).

    Example:

    ```python
    noisy_labels, phi = keras_nnaqc.datasets.add_noise(
        y_train, 10, 0.5, "uniform_simplex", seed=0
    )
    ```
    """
    rate = check_probability("rate", rate)
    clean_labels = check_labels(clean_labels, num_classes, name="clean_labels")
    if rate == 0:
        return clean_labels.copy(), None
    _, matrix_seed, draw_seed, _ = seed_streams(seed)
    if noise_model == "idn":
        if features is None:
            raise ValueError(
                "Instance-dependent noise (`idn`) depends on each input: "
                "pass `features`. Received: features=None"
            )
        noisy = noise.instance_dependent(
            features,
            clean_labels,
            rate,
            seed=draw_seed,
            num_classes=num_classes,
        )
        return noisy, noise.empirical_transition(
            clean_labels, noisy, num_classes
        )
    matrix = noise.named_transition(
        noise_model,
        num_classes,
        rate,
        seed=np.random.default_rng(matrix_seed),
        groups=groups,
    )
    return noise.corrupt(clean_labels, matrix, seed=draw_seed), matrix


def choose_subset(count, size, seed):
    """Sorted indices of `size` of `count` examples, drawn from `seed`."""
    if size is None:
        return np.arange(count)
    if not 0 < size <= count:
        raise ValueError(
            f"`train_size` must be in [1, {count}] (the split's size). "
            f"Received: train_size={size}"
        )
    stream = seed_streams(seed)[0]
    return np.sort(np.random.default_rng(stream).permutation(count)[:size])


def select_part(count, validation_split, subset, seed):
    """Positions of the `"training"` or `"validation"` part of `count`
    examples (all of them without `validation_split`), drawn from `seed`."""
    if not validation_split:
        if subset is not None:
            raise ValueError(
                "`subset` needs `validation_split`. Received: "
                f"subset={subset!r}, validation_split={validation_split!r}"
            )
        return np.arange(count)
    if not 0 < validation_split < 1 or subset not in ("training", "validation"):
        raise ValueError(
            "`validation_split` must be in (0, 1) and `subset` 'training' or "
            f"'validation'. Received: validation_split={validation_split!r}, "
            f"subset={subset!r}"
        )
    order = np.random.default_rng(seed_streams(seed)[3]).permutation(count)
    held_out = int(round(validation_split * count))
    return np.sort(
        order[:held_out] if subset == "validation" else order[held_out:]
    )


def seed_streams(seed):
    """Independent seeds of the training subset, the noise matrix, the noisy
    labels and the validation split, in that order: every entry point draws
    them from these, so one configuration gives the same noisy data."""
    return np.random.SeedSequence(seed).spawn(4)
