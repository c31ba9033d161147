"""Reading TensorFlow Datasets (imported only when used)."""

import os

import numpy as np

IMAGENET_FILES = ("ILSVRC2012_img_train.tar", "ILSVRC2012_img_val.tar")


def import_tfds():
    try:
        import tensorflow_datasets as tfds
    except ImportError as error:
        raise ImportError(
            "This dataset is read with TensorFlow Datasets: "
            "`pip install keras-nnaqc[datasets]`."
        ) from error
    return tfds


def split_arrays(tfds_name, split, data_dir=None):
    """A whole split as NumPy arrays (for datasets that fit in memory)."""
    tfds = import_tfds()
    dataset = tfds.load(tfds_name, split=split, data_dir=data_dir)
    batches = list(tfds.as_numpy(dataset.batch(8192)))
    return {
        key: np.concatenate([b[key] for b in batches]) for key in batches[0]
    }


def encoded_stream(tfds_name, split, data_dir=None, manual_dir=None):
    """A split in file order, images left encoded, and its labels.

    Returns:
        `(dataset of examples, labels as a NumPy array)`; reading the labels
        goes once through the split.
    """
    tfds = import_tfds()
    download_config = tfds.download.DownloadConfig(manual_dir=manual_dir)
    try:
        dataset = tfds.load(
            tfds_name,
            split=split,
            shuffle_files=False,
            data_dir=data_dir,
            decoders={"image": tfds.decode.SkipDecoding()},
            download_and_prepare_kwargs={"download_config": download_config},
        )
    except AssertionError as error:
        if "anual" not in str(error):
            raise
        folder = manual_dir or os.path.join(
            data_dir or os.path.expanduser("~/tensorflow_datasets"),
            "downloads",
            "manual",
        )
        raise FileNotFoundError(
            f"{tfds_name} must be downloaded by hand (after registering at "
            f"https://image-net.org): put {' and '.join(IMAGENET_FILES)} in "
            f"{folder} (or pass manual_dir=...), then load it again."
        ) from error
    labels = [
        batch
        for batch in tfds.as_numpy(
            dataset.map(lambda e: e["label"]).batch(8192)
        )
    ]
    return dataset, np.concatenate(labels) if labels else np.zeros(0, int)
