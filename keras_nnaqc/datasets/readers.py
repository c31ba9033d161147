"""How the datasets of the catalogue are read, one split at a time.

Each function here makes or is a `read(split, data_dir, manual_dir)` of
`DatasetSpec`, returning a `SplitData`.
"""

import numpy as np

from keras_nnaqc.datasets import clothing1m
from keras_nnaqc.datasets import tfds_source
from keras_nnaqc.datasets.mnist import load_mnist
from keras_nnaqc.datasets.splits import ArraySplit
from keras_nnaqc.datasets.splits import StreamSplit

# The splits of a local `.npz` in the `keras.datasets` layout, in order.
LOCAL_SPLITS = ("train", "test")


def in_memory(tfds_name, num_classes, read_local=None):
    """A reader of a dataset held in memory, from TFDS or a local `.npz`.

    Args:
        tfds_name: Its name in TFDS.
        num_classes: Number of classes, to read the class groups off
            coarse labels (CIFAR-100's superclasses).
        read_local: `read_local(path)` returns `((x_train, y_train),
            (x_test, y_test))` from a local `.npz`, read instead of TFDS
            when `data_dir` names one. Defaults to `None` (TFDS only).

    Returns:
        A `read(split, data_dir, manual_dir)` giving an `ArraySplit`.
    """

    def read(split, data_dir, manual_dir):
        if read_local is not None and str(data_dir or "").endswith(".npz"):
            arrays = _local_split(read_local, data_dir, tfds_name, split)
        else:
            arrays = tfds_source.split_arrays(tfds_name, split, data_dir)
        coarse = arrays.get("coarse_label")
        return ArraySplit(
            images=arrays["image"],
            clean_labels=arrays["label"],
            coarse_labels=coarse,
            groups=None
            if coarse is None
            else _groups(arrays["label"], coarse, num_classes),
        )

    return read


def human_labelled(tfds_name, base_name, label_fields):
    """A reader of CIFAR-N: CIFAR's training images relabelled by people.

    Args:
        tfds_name: Its name in TFDS.
        base_name: The TFDS name of the dataset it relabels, whose other
            splits it shares.
        label_fields: The field of each set of human labels, by set name.

    Returns:
        A `read(split, data_dir, manual_dir)` giving an `ArraySplit`, with
        the human labels on the training split.
    """

    def read(split, data_dir, manual_dir):
        if split != "train":  # CIFAR-N relabels the training images only.
            arrays = tfds_source.split_arrays(base_name, split, data_dir)
            return ArraySplit(
                images=arrays["image"], clean_labels=arrays["label"]
            )
        arrays = tfds_source.split_arrays(tfds_name, split, data_dir)
        return ArraySplit(
            images=arrays["image"],
            clean_labels=arrays["label"],
            coarse_labels=arrays.get("coarse_label"),
            noisy_labels={
                name: arrays[field] for name, field in label_fields.items()
            },
        )

    return read


def encoded_stream(tfds_name):
    """A reader of a TFDS dataset too large for memory, images left encoded.

    Args:
        tfds_name: Its name in TFDS.

    Returns:
        A `read(split, data_dir, manual_dir)` giving a `StreamSplit`.
    """

    def read(split, data_dir, manual_dir):
        examples, labels = tfds_source.encoded_stream(
            tfds_name, split, data_dir, manual_dir
        )
        return StreamSplit(examples=examples, clean_labels=labels)

    return read


def clothing1m_release(split, data_dir, manual_dir):
    """Reads a split of Clothing1M from its release in `data_dir`."""
    return clothing1m.read_split(data_dir, split)


def mnist_file(path):
    """MNIST from a local `.npz`, with a channel axis as TFDS gives it."""
    return tuple(
        (images[..., None], labels) for images, labels in load_mnist(path)
    )


def _local_split(read_local, path, name, split):
    """A split of a local `.npz`, its arrays named as TFDS names them."""
    if split not in LOCAL_SPLITS:
        raise ValueError(
            f"A local {name}.npz has the splits 'train' and 'test'. "
            f"Received: split={split!r}"
        )
    images, labels = read_local(path)[LOCAL_SPLITS.index(split)]
    return {"image": images, "label": labels}


def _groups(labels, coarse_labels, num_classes):
    """The coarse group of each fine class, read off the examples; `None`
    unless every class appears with one group."""
    pairs = np.unique(np.stack([labels, coarse_labels], axis=1), axis=0)
    if not np.array_equal(pairs[:, 0], np.arange(num_classes)):
        return None
    return pairs[:, 1]
