"""CIFAR-10 from a local file or `keras.datasets`, and CIFAR-10N's labels."""

import io

import numpy as np

from keras_nnaqc.datasets.local_files import KERAS_LAYOUT
from keras_nnaqc.datasets.local_files import array_names
from keras_nnaqc.datasets.local_files import read_npz

# A file of the images as JPEG bytes, concatenated, with offsets.
JPEG_LAYOUT = ("train_jpeg", "train_offsets", "y_train")
JPEG_LAYOUT += ("test_jpeg", "test_offsets", "y_test")

# CIFAR-10N's human labels, by the names of its paper, and their arrays in
# the release (`CIFAR-10_human.pt`, saved as an .npz).
CIFAR10N_LABEL_SETS = {
    "aggre": "aggre_label",
    "random1": "random_label1",
    "random2": "random_label2",
    "random3": "random_label3",
    "worse": "worse_label",
}


def load_cifar10(path=None):
    """Loads CIFAR-10, from a local file in the `keras.datasets` layout.

    Args:
        path: An `.npz` with `x_train` (50000, 32, 32, 3), `y_train`,
            `x_test`, `y_test`, as `keras.datasets.cifar10.load_data()`
            returns them, or with the images as JPEG files (`train_jpeg`,
            `train_offsets`, `y_train`, `test_jpeg`, `test_offsets`,
            `y_test`; decoded with Pillow). Defaults to `None`:
            `keras.datasets.cifar10` (which downloads it once).

    Returns:
        `((x_train, y_train), (x_test, y_test))`, uint8 NumPy arrays, the
        labels of shape `(n,)`.
    """
    if path is None:
        import keras

        (x_train, y_train), (x_test, y_test) = (
            keras.datasets.cifar10.load_data()
        )
        return (x_train, y_train.reshape(-1)), (x_test, y_test.reshape(-1))
    if "train_jpeg" not in array_names(path, "CIFAR-10", KERAS_LAYOUT):
        return read_npz(path, "CIFAR-10", KERAS_LAYOUT)
    arrays = read_npz(path, "CIFAR-10", JPEG_LAYOUT)
    return tuple(
        (
            _decode_jpeg(arrays[f"{split}_jpeg"], arrays[f"{split}_offsets"]),
            arrays[f"y_{split}"].reshape(-1),
        )
        for split in ("train", "test")
    )


def load_cifar10n_labels(path, label_set):
    """Loads one set of CIFAR-10N's human labels and the clean labels.

    Args:
        path: An `.npz` of CIFAR-10N's arrays (`clean_label`, `aggre_label`,
            `random_label1`... `worse_label`), in CIFAR-10's training order.
        label_set: One of `"aggre"` (majority vote, 9.0% wrong),
            `"random1"`, `"random2"`, `"random3"` (one annotator each,
            17-18%) or `"worse"` (a wrong label whenever an annotator gave
            one, 40.2%).

    Returns:
        `(noisy_labels, clean_labels)`, arrays of shape `(50000,)`.
    """
    if label_set not in CIFAR10N_LABEL_SETS:
        raise ValueError(
            f"CIFAR-10N's label sets are {', '.join(CIFAR10N_LABEL_SETS)}. "
            f"Received: label_set={label_set!r}"
        )
    key = CIFAR10N_LABEL_SETS[label_set]
    arrays = read_npz(path, "CIFAR-10N", ("clean_label", key))
    return arrays[key].astype("int64"), arrays["clean_label"].astype("int64")


def _decode_jpeg(blob, offsets):
    """Images from concatenated JPEG files and their start offsets."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(
            "Reading CIFAR-10 from JPEG files needs Pillow: `pip install "
            "pillow` (or `pip install keras-nnaqc[plot]`)."
        ) from error
    images = []
    for start, end in zip(offsets[:-1], offsets[1:], strict=True):
        with Image.open(io.BytesIO(blob[start:end].tobytes())) as image:
            images.append(np.asarray(image.convert("RGB")))
    return np.stack(images)
