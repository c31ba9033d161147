"""Clothing1M from a local copy of its official release.

No TFDS builder exists for it; the release (by request to its authors) is a
folder holding `images/` and these label files, each line
`images/<dir>/<file>.jpg <label>` (key-value files) or the key alone (key
lists).
"""

import os

import numpy as np

from keras_nnaqc.datasets.noisy_dataset import UNKNOWN_LABEL
from keras_nnaqc.datasets.splits import FileSplit

NUM_CLASSES = 14
# The name of the release's noisy labels, for `load`'s `noisy_label`.
NOISY_LABEL_SET = "noisy"
LABEL_FILES = ("noisy_label_kv.txt", "clean_label_kv.txt")
# split name: (key list, whose labels the split trains on)
SPLITS = {
    "noisy_train": ("noisy_train_key_list.txt", "noisy"),
    "clean_train": ("clean_train_key_list.txt", "clean"),
    "clean_val": ("clean_val_key_list.txt", "clean"),
    "clean_test": ("clean_test_key_list.txt", "clean"),
}


def read_split(directory, split):
    """The image paths and labels of a Clothing1M split.

    Args:
        directory: Folder of the official release.
        split: `"noisy_train"` (1M images, noisy labels), `"clean_train"`
            (about 50K), `"clean_val"` (about 14K) or `"clean_test"` (about
            10K).

    Returns:
        A `FileSplit`: its clean labels (`-1` where the release gives
        none) and, for `"noisy_train"`, its noisy labels as the set
        `"noisy"`.
    """
    if split not in SPLITS:
        raise ValueError(
            f"Clothing1M splits are {sorted(SPLITS)}. Received: split={split!r}"
        )
    key_file, source = SPLITS[split]
    needed = (*LABEL_FILES, key_file)
    missing = [
        name
        for name in needed
        if not os.path.isfile(os.path.join(str(directory), name))
    ]
    if missing:
        raise FileNotFoundError(
            "Clothing1M is read from its official release: put its images/ "
            f"folder and {', '.join(needed)} in {str(directory)!r}. Missing "
            f"there: {', '.join(missing)}."
        )
    noisy = _read_key_values(directory, "noisy_label_kv.txt")
    clean = _read_key_values(directory, "clean_label_kv.txt")
    with open(os.path.join(str(directory), key_file)) as lines:
        keys = [line.strip() for line in lines if line.strip()]
    unlabelled = [
        key
        for key in keys
        if key not in (noisy if source == "noisy" else clean)
    ]
    if unlabelled:
        raise ValueError(
            f"{key_file} lists images without a {source} label, e.g. "
            f"{unlabelled[0]!r}. Received: {len(unlabelled)} such images"
        )
    noisy_labels = {}
    if source == "noisy":
        noisy_labels[NOISY_LABEL_SET] = np.array([noisy[k] for k in keys])
    return FileSplit(
        paths=[os.path.join(str(directory), key) for key in keys],
        clean_labels=np.array([clean.get(key, UNKNOWN_LABEL) for key in keys]),
        noisy_labels=noisy_labels,
    )


def _read_key_values(directory, name):
    pairs = {}
    with open(os.path.join(str(directory), name)) as lines:
        for line in lines:
            if line.strip():
                key, label = line.split()
                pairs[key] = int(label)
    return pairs
