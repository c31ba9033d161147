"""A split as a reader gives it, and how it becomes a `NoisyDataset`."""

import abc
import dataclasses
import typing
from collections.abc import Mapping

import numpy as np

from keras_nnaqc.datasets import pipelines
from keras_nnaqc.datasets.noisy_dataset import NoisyDataset
from keras_nnaqc.datasets.noisy_dataset import add_noise
from keras_nnaqc.datasets.noisy_dataset import choose_subset
from keras_nnaqc.datasets.noisy_dataset import select_part

if typing.TYPE_CHECKING:
    import tensorflow as tf


@dataclasses.dataclass(frozen=True, kw_only=True)
class LabelDraw:
    """Which examples are kept and which labels they train on.

    Every draw comes from its own stream of `seed` (`seed_streams`).

    Attributes:
        noise_rate: Rate `p` of synthetic label noise.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`; unused at
            rate 0.
        seed: Seed of the subset, the noise and the held-out part.
        train_size: Number of examples kept, drawn at random; `None` for
            all. Defaults to `None`.
        validation_split: Share of the kept examples held out. Defaults to
            `None`.
        subset: With `validation_split`, `"training"` or `"validation"`.
            Defaults to `None`.
        noisy_label: The set of real noisy labels to start from, where the
            split has it; else the clean labels. Defaults to `None`.
    """

    noise_rate: float
    noise_model: str | None
    seed: int
    train_size: int | None = None
    validation_split: float | None = None
    subset: str | None = None
    noisy_label: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Batching:
    """How a split is batched for `fit`.

    Attributes:
        batch_size: Batch size.
        shuffle: Reshuffle every epoch.
        augment: Random crops and flips.
        seed: Seed of the shuffling and augmentation.
        image_size: `(height, width)` of images decoded from files or
            streams. Defaults to `None`.
        preprocessing: `None` or `"caffe"`, for images decoded from files or
            streams. Defaults to `None`.
    """

    batch_size: int
    shuffle: bool
    augment: bool
    seed: int
    image_size: tuple[int, int] | None = None
    preprocessing: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class SplitData(abc.ABC):
    """The labels of a split as read, before any subset or noise; each
    kind of split (arrays, files, a stream) batches them its own way.

    Attributes:
        clean_labels: The true label of each example (`-1` where unknown).
        noisy_labels: The real noisy labels of each example, by the name of
            their set; empty when the split has none. Defaults to `{}`.
    """

    clean_labels: np.ndarray
    noisy_labels: Mapping[str, np.ndarray] = dataclasses.field(
        default_factory=dict
    )

    def select(self, draw, num_classes, groups=None, features=None):
        """Positions kept (random subset, then part) and their labels.

        Synthetic noise is drawn for the whole subset, on the real noisy
        labels `draw.noisy_label` or else the clean ones, before a
        validation part is held out, so both parts share one noise matrix.
        `features` (one per example) are what instance-dependent noise
        depends on; splits that are not in memory have none.

        Returns:
            `(positions, training labels, noise matrix or None)`.
        """
        labels = self.noisy_labels.get(draw.noisy_label, self.clean_labels)
        chosen = choose_subset(len(labels), draw.train_size, draw.seed)
        noisy, matrix = add_noise(
            np.asarray(labels)[chosen],
            num_classes,
            draw.noise_rate,
            draw.noise_model,
            draw.seed,
            groups,
            features=None if features is None else features[chosen],
        )
        part = select_part(
            len(chosen), draw.validation_split, draw.subset, draw.seed
        )
        return chosen[part], noisy[part], matrix

    @abc.abstractmethod
    def noisy_dataset(self, name, split, num_classes, draw, batching):
        """The examples `draw` keeps, batched, with their training labels.

        Args:
            name: Name of the dataset, recorded in the result.
            split: Name of the split, recorded in the result.
            num_classes: Number of classes.
            draw: A `LabelDraw`.
            batching: A `Batching`.

        Returns:
            A `NoisyDataset`.
        """

    def _batched(
        self, name, split, num_classes, selection, batches, batching, **details
    ):
        """The `NoisyDataset` of `select`'s `selection`, whose examples
        `batches(shuffle, augment, batch_size)` batches."""
        rows, noisy, matrix = selection

        def ordered(size=batching.batch_size):
            return batches(False, False, size)

        return NoisyDataset(
            name=name,
            split=split,
            dataset=batches(
                batching.shuffle, batching.augment, batching.batch_size
            ),
            clean_labels=np.asarray(self.clean_labels)[rows],
            noisy_labels=noisy,
            num_classes=num_classes,
            transition_matrix=matrix,
            ordered=ordered,
            **details,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ArraySplit(SplitData):
    """A split held in memory.

    Attributes:
        images: Array of shape `(n, height, width, channels)`.
        coarse_labels: A coarse label of each example (CIFAR-100's
            superclass), else `None`. Defaults to `None`.
        groups: The group of each class, for the `"grouped"` noise model,
            else `None`. Defaults to `None`.
    """

    images: np.ndarray
    coarse_labels: np.ndarray | None = None
    groups: np.ndarray | None = None

    def noisy_dataset(self, name, split, num_classes, draw, batching):
        """Works without TensorFlow (through a `keras.utils.PyDataset`)."""
        selection = self.select(draw, num_classes, self.groups, self.images)
        rows, noisy, _ = selection
        images = self.images[rows]
        coarse = self.coarse_labels

        def batches(shuffle, augment, size):
            return pipelines.array_pipeline(
                images, noisy, size, shuffle, batching.seed, augment
            )

        return self._batched(
            name,
            split,
            num_classes,
            selection,
            batches,
            batching,
            coarse_labels=None if coarse is None else coarse[rows],
            images=images,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class FileSplit(SplitData):
    """A split of image files.

    Attributes:
        paths: The image files (JPEG, PNG, BMP or GIF).
        class_names: Names of the classes when known, else `None`. Defaults
            to `None`.
    """

    paths: list[str]
    class_names: list[str] | None = None

    def noisy_dataset(self, name, split, num_classes, draw, batching):
        """Decodes the files in parallel (needs TensorFlow)."""
        selection = self.select(draw, num_classes)
        rows, labels, _ = selection
        paths = np.asarray(self.paths)[rows]

        def batches(shuffle, augment, size):
            return pipelines.file_pipeline(
                paths,
                labels,
                size,
                batching.image_size,
                shuffle,
                batching.seed,
                augment,
                batching.preprocessing,
            )

        return self._batched(
            name,
            split,
            num_classes,
            selection,
            batches,
            batching,
            class_names=self.class_names,
            paths=paths,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class StreamSplit(SplitData):
    """A split streamed from TFDS, as ImageNet is.

    Attributes:
        examples: A `tf.data.Dataset` of dicts with an `"image"` (encoded,
            or decoded), in the order of `clean_labels`.
    """

    examples: "tf.data.Dataset"

    def noisy_dataset(self, name, split, num_classes, draw, batching):
        """Attaches the labels by position (needs TensorFlow)."""
        import tensorflow as tf

        count = len(self.clean_labels)
        selection = self.select(draw, num_classes)
        rows, noisy, _ = selection
        keep = np.zeros(count, bool)
        keep[rows] = True
        label_at = np.full(count, -1, np.int64)
        label_at[rows] = noisy
        keep, label_at = tf.constant(keep), tf.constant(label_at)
        examples = self.examples
        encoded = examples.element_spec["image"].dtype == tf.string

        def batches(shuffle, augment, size):
            stream = examples.enumerate().filter(lambda i, e: keep[i])
            stream = stream.map(lambda i, e: (e["image"], label_at[i]))
            if shuffle:
                stream = stream.shuffle(10_000, seed=batching.seed)
            if encoded:
                stream = stream.map(
                    lambda image, label: (
                        tf.io.decode_jpeg(image, channels=3),
                        label,
                    ),
                    num_parallel_calls=tf.data.AUTOTUNE,
                )
            return pipelines.encoded_to_batches(
                stream,
                size,
                batching.image_size,
                batching.seed,
                augment,
                batching.preprocessing,
            )

        return self._batched(
            name, split, num_classes, selection, batches, batching
        )
