"""Clothing1M from a local copy of its official release.

No TFDS builder exists for it; the release (by request to its authors) is a
folder holding `images/` and these label files, each line
`images/<dir>/<file>.jpg <label>` (key-value files) or the key alone (key
lists).
"""

import os

import numpy as np

from keras_nnaqc.datasets.noisy_dataset import UNKNOWN_LABEL

NUM_CLASSES = 14
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
        `(paths, clean_labels, labels)`: the labels the split trains on
        (noisy for `"noisy_train"`) and the clean ones (`-1` where the
        release gives none).
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
    paths = [os.path.join(str(directory), key) for key in keys]
    clean_labels = np.array([clean.get(key, UNKNOWN_LABEL) for key in keys])
    labels = (
        clean_labels
        if source == "clean"
        else np.array([noisy[k] for k in keys])
    )
    return paths, clean_labels, labels


def _read_key_values(directory, name):
    pairs = {}
    with open(os.path.join(str(directory), name)) as lines:
        for line in lines:
            if line.strip():
                key, label = line.split()
                pairs[key] = int(label)
    return pairs
