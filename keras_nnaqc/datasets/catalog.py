"""Every dataset of `keras_nnaqc.datasets.load`, by name, as one spec."""

from keras_nnaqc.datasets import clothing1m
from keras_nnaqc.datasets import readers
from keras_nnaqc.datasets.cifar10 import CIFAR10N_LABEL_SETS
from keras_nnaqc.datasets.cifar10 import load_cifar10
from keras_nnaqc.datasets.specs import DatasetSpec

# CIFAR-100N's one set of human labels, by the name of its paper.
CIFAR100N_LABEL_SETS = {"noisy": "noise_label"}


def _in_memory(name, num_classes, read_local=None):
    """A dataset held in memory, with synthetic noise."""
    return DatasetSpec(
        name=name,
        num_classes=num_classes,
        read=readers.in_memory(name, num_classes, read_local),
    )


def _human_labelled(name, num_classes, base_name, label_fields):
    """CIFAR-N: real noise only, the human labels of its training split."""
    return DatasetSpec(
        name=name,
        num_classes=num_classes,
        read=readers.human_labelled(name, base_name, label_fields),
        noise_model=None,
        noisy_label_sets=tuple(label_fields),
    )


_SPECS = [
    _in_memory("mnist", 10, readers.mnist_file),
    _in_memory("cifar10", 10, load_cifar10),
    _in_memory("cifar100", 100),
    _human_labelled("cifar10_n", 10, "cifar10", CIFAR10N_LABEL_SETS),
    _human_labelled("cifar100_n", 100, "cifar100", CIFAR100N_LABEL_SETS),
    DatasetSpec(
        name="imagenet2012",
        num_classes=1000,
        read=readers.encoded_stream("imagenet2012"),
        splits=("train", "validation"),
        noise_model="sparse",  # 10 classes per class, as the paper.
        image_size=(227, 227),  # AlexNet's.
    ),
    DatasetSpec(
        name="clothing1m",
        num_classes=clothing1m.NUM_CLASSES,
        read=readers.clothing1m_release,
        splits=tuple(clothing1m.SPLITS),
        training_splits=("noisy_train", "clean_train"),
        noisy_label_sets=(clothing1m.NOISY_LABEL_SET,),
        image_size=(224, 224),
    ),
]
SPECS = {spec.name: spec for spec in _SPECS}
DATASETS = tuple(SPECS)


def get_spec(name):
    """The spec of a dataset of `load`.

    Args:
        name: One of `DATASETS`.

    Returns:
        A `DatasetSpec`.
    """
    if name not in SPECS:
        raise ValueError(
            f"Unknown dataset {name!r}. Valid datasets: {', '.join(DATASETS)}."
            f" Received: name={name!r}"
        )
    return SPECS[name]
