import dataclasses
from collections.abc import Callable

from keras_nnaqc.datasets.splits import SplitData


@dataclasses.dataclass(frozen=True, kw_only=True)
class DatasetSpec:
    """One dataset of `keras_nnaqc.datasets.load`: what it is, how it is read.

    Attributes:
        name: The name `load` takes.
        num_classes: Number of classes.
        read: `read(split, data_dir, manual_dir)` returns one split as a
            `SplitData` (an `ArraySplit`, `FileSplit` or `StreamSplit`),
            with its real noisy labels, if any, by the names of
            `noisy_label_sets`.
        splits: The named splits. Defaults to `("train", "test")`.
        training_splits: The splits trained on, which `load` shuffles by
            default. Defaults to `("train",)`.
        noise_model: The default model of synthetic noise (a name of
            `keras_nnaqc.noise.NOISE_MODELS`), or `None` for a dataset whose
            noise is real only, which takes no noise rate. Defaults to
            `"uniform_simplex"`.
        noisy_label_sets: The sets of real noisy labels the dataset comes
            with, which `load`'s `noisy_label` chooses from (the first by
            default); empty when its noise is synthetic. Defaults to `()`.
        image_size: The default `(height, width)` of images decoded from
            files or streams, `None` for datasets held in memory. Defaults
            to `None`.
    """

    name: str
    num_classes: int
    read: Callable[[str, str | None, str | None], SplitData]
    splits: tuple[str, ...] = ("train", "test")
    training_splits: tuple[str, ...] = ("train",)
    noise_model: str | None = "uniform_simplex"
    noisy_label_sets: tuple[str, ...] = ()
    image_size: tuple[int, int] | None = None
