"""`keras_nnaqc.datasets.load`: the paper's datasets and your own, noisy."""

import dataclasses
import os

import numpy as np

from keras_nnaqc.datasets import clothing1m
from keras_nnaqc.datasets import pipelines
from keras_nnaqc.datasets import tfds_source
from keras_nnaqc.datasets.cifar10 import CIFAR10N_LABEL_SETS
from keras_nnaqc.datasets.mnist import load_mnist
from keras_nnaqc.datasets.noisy_dataset import NoisyDataset
from keras_nnaqc.datasets.noisy_dataset import add_noise
from keras_nnaqc.datasets.noisy_dataset import choose_subset
from keras_nnaqc.datasets.noisy_dataset import select_part
from keras_nnaqc.validation import check_labels

DATASETS = (
    "mnist",
    "cifar10",
    "cifar100",
    "cifar10_n",
    "cifar100_n",
    "imagenet2012",
    "clothing1m",
)
NUM_CLASSES = {"mnist": 10, "cifar10": 10, "cifar100": 100, "cifar10_n": 10}
NUM_CLASSES.update({"cifar100_n": 100, "imagenet2012": 1000, "clothing1m": 14})
# The human labels of CIFAR-N, by the names used in its paper.
CIFAR_N_LABELS = {
    "cifar10_n": CIFAR10N_LABEL_SETS,
    "cifar100_n": {"noisy": "noise_label"},
}
TRAINING_SPLITS = ("train", "noisy_train", "clean_train")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


def load(
    name,
    split="train",
    noise=0.0,
    seed=0,
    train_size=None,
    batch_size=100,
    noise_model=None,
    noisy_label=None,
    validation_split=None,
    subset=None,
    data_dir=None,
    manual_dir=None,
    augment=False,
    image_size=None,
    preprocessing=None,
    shuffle=None,
):
    """Loads a split of one of the paper's datasets, with noisy labels.

    The noisy labels are drawn once per example of the (sub)set, from
    `seed`, before any hold-out or shuffling: the same call gives the same
    labels, and every epoch sees them.

    Args:
        name: One of `"mnist"`, `"cifar10"`, `"cifar100"` (fine labels;
            superclasses in `coarse_labels`), `"cifar10_n"`, `"cifar100_n"`
            (real human noise), `"imagenet2012"` (manual download) or
            `"clothing1m"` (local copy of the release).
        split: The split, e.g. `"train"` or `"test"` (ImageNet:
            `"validation"`; Clothing1M: `"noisy_train"`, `"clean_train"`,
            `"clean_val"`, `"clean_test"`). Defaults to `"train"`.
        noise: Rate `p` of synthetic label noise. Defaults to `0.0`.
        seed: Seed of the noise, the subsets and the shuffling. Defaults to
            `0`.
        train_size: Number of examples kept, drawn at random (the paper's
            subsets, e.g. 30K of CIFAR-10). Defaults to `None` (all).
        batch_size: Batch size. Defaults to `100`, as in the paper.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults
            to `None`: `"sparse"` (10 classes) for ImageNet, as the paper,
            else `"uniform_simplex"` (eq. 1). `"grouped"` on CIFAR-100 keeps
            errors within superclasses.
        noisy_label: For CIFAR-N, which human labels: `"aggre"`,
            `"random1"`, `"random2"`, `"random3"`, `"worse"` (CIFAR-10N) or
            `"noisy"` (CIFAR-100N). Defaults to `None` (the first).
        validation_split: Share of the (noisy) examples held out, e.g. to
            stop training early. Defaults to `None`.
        subset: With `validation_split`, `"training"` or `"validation"`.
            Defaults to `None`.
        data_dir: TFDS data directory; for Clothing1M the folder of the
            release; for MNIST also a local `mnist.npz`. Defaults to `None`.
        manual_dir: Where ImageNet's downloaded archives are. Defaults to
            `None` (TFDS's `downloads/manual` folder).
        augment: Random crops and flips. Defaults to `False`.
        image_size: `(height, width)` of streamed images. Defaults to `None`:
            227x227 for ImageNet (AlexNet), 224x224 for Clothing1M.
        preprocessing: `None` (pixels in [0, 255]) or `"caffe"` (as
            `keras.applications.resnet50.preprocess_input`), for streamed
            images. Defaults to `None`.
        shuffle: Reshuffle every epoch. Defaults to `None`: for training
            splits, except a validation subset.

    Returns:
        A `NoisyDataset`; pass its `dataset` to `fit` or `evaluate`.

    Example:

    ```python
    train = keras_nnaqc.datasets.load("cifar10", noise=0.5, augment=True)
    test = keras_nnaqc.datasets.load("cifar10", split="test")
    model.fit(train.dataset, epochs=45)
    model.evaluate(test.dataset)
    ```
    """
    if name not in DATASETS:
        raise ValueError(
            f"Unknown dataset {name!r}. Valid datasets: {', '.join(DATASETS)}."
            f" Received: name={name!r}"
        )
    if shuffle is None:
        shuffle = split in TRAINING_SPLITS and subset != "validation"
    if noise_model is None:
        noise_model = "sparse" if name == "imagenet2012" else "uniform_simplex"
    options = {
        "noise": noise,
        "seed": seed,
        "train_size": train_size,
        "batch_size": batch_size,
        "noise_model": noise_model,
        "validation_split": validation_split,
        "subset": subset,
        "augment": augment,
        "shuffle": shuffle,
        "name": name,
        "split": split if subset is None else f"{split} ({subset})",
    }
    if name in ("mnist", "cifar10", "cifar100"):
        arrays = _in_memory_split(name, split, data_dir)
        coarse = arrays.get("coarse_label")
        groups = None
        if coarse is not None:
            groups = _groups(arrays["label"], coarse, NUM_CLASSES[name])
        return load_arrays(
            arrays["image"],
            arrays["label"],
            NUM_CLASSES[name],
            coarse_labels=coarse,
            groups=groups,
            **options,
        )
    if name in CIFAR_N_LABELS:
        return _cifar_n(name, split, noisy_label, data_dir, options)
    if name == "imagenet2012":
        dataset, clean = tfds_source.encoded_stream(
            name, split, data_dir, manual_dir
        )
        size = image_size or (227, 227)
        return _stream(dataset, clean, options, size, preprocessing)
    paths, clean, labels = clothing1m.read_split(data_dir, split)
    size = image_size or (224, 224)
    return _files(paths, clean, labels, 14, options, size, preprocessing)


def load_arrays(
    images,
    labels,
    num_classes=None,
    noise=0.0,
    seed=0,
    train_size=None,
    batch_size=100,
    noise_model="uniform_simplex",
    validation_split=None,
    subset=None,
    augment=False,
    shuffle=True,
    groups=None,
    coarse_labels=None,
    name="arrays",
    split="train",
):
    """Your own in-memory images and labels, with label noise.

    Works without TensorFlow (through a `keras.utils.PyDataset`).

    Args:
        images: Array of shape `(n, height, width, channels)`.
        labels: Integer labels, shape `(n,)` or `(n, 1)`.
        num_classes: Number of classes. Defaults to `None` (largest + 1).
        noise: Rate `p` of synthetic label noise. Defaults to `0.0`.
        seed: Seed of the noise, subsets and shuffling. Defaults to `0`.
        train_size: Number of examples kept, drawn at random. Defaults to
            `None` (all).
        batch_size: Batch size. Defaults to `100`.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults to
            `"uniform_simplex"`.
        validation_split: Share of the noisy examples held out. Defaults to
            `None`.
        subset: With `validation_split`, `"training"` or `"validation"`.
            Defaults to `None`.
        augment: Random 4-pixel-padded crops and flips. Defaults to `False`.
        shuffle: Reshuffle every epoch. Defaults to `True`.
        groups: Group of each class, for the `"grouped"` noise model.
            Defaults to `None`.
        coarse_labels: Optional coarse label of each example. Defaults to
            `None`.
        name: Name recorded in the result. Defaults to `"arrays"`.
        split: Split name recorded in the result. Defaults to `"train"`.

    Returns:
        A `NoisyDataset`.
    """
    images = np.asarray(images)
    labels = check_labels(labels, num_classes).reshape(-1)
    if len(images) != len(labels):
        raise ValueError(
            "`images` and `labels` must have as many examples. Received: "
            f"{len(images)} images and {len(labels)} labels"
        )
    if num_classes is None:
        num_classes = max(int(labels.max(initial=0)) + 1, 2)
    options = {
        "noise": noise,
        "seed": seed,
        "train_size": train_size,
        "noise_model": noise_model,
        "validation_split": validation_split,
        "subset": subset,
    }
    rows, noisy, matrix = _selection(labels, num_classes, options, groups)
    if coarse_labels is not None:
        coarse_labels = np.asarray(coarse_labels).reshape(-1)[rows]
    return _in_memory(
        name,
        split,
        images[rows],
        labels[rows],
        noisy,
        num_classes,
        matrix,
        coarse_labels,
        batch_size,
        shuffle,
        seed,
        augment,
    )


def load_image_directory(
    directory,
    image_size=(224, 224),
    noise=0.0,
    seed=0,
    batch_size=32,
    noise_model="uniform_simplex",
    validation_split=None,
    subset=None,
    augment=False,
    preprocessing=None,
    shuffle=None,
):
    """Images in one folder per class (as `keras.utils.
    image_dataset_from_directory` reads them), with label noise.

    Classes are the subfolder names in alphabetical order.

    Args:
        directory: The folder of class folders.
        image_size: `(height, width)` of the output images. Defaults to
            `(224, 224)`.
        noise: Rate `p` of synthetic label noise. Defaults to `0.0`.
        seed: Seed of the noise, the split and the shuffling. Defaults to
            `0`.
        batch_size: Batch size. Defaults to `32`.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults to
            `"uniform_simplex"`.
        validation_split: Share held out for validation. Defaults to `None`.
        subset: With `validation_split`, `"training"` or `"validation"`.
            Defaults to `None`.
        augment: Random crops and flips. Defaults to `False`.
        preprocessing: `None` or `"caffe"`. Defaults to `None`.
        shuffle: Reshuffle every epoch. Defaults to `None`: unless `subset`
            is `"validation"`.

    Returns:
        A `NoisyDataset` named after the folder, with `class_names`.
    """
    directory = str(directory)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"No folder at {directory!r}.")
    classes = sorted(
        entry.name for entry in os.scandir(directory) if entry.is_dir()
    )
    paths, labels = [], []
    for label, name in enumerate(classes):
        for root, _, files in sorted(os.walk(os.path.join(directory, name))):
            for file in sorted(files):
                if file.lower().endswith(IMAGE_EXTENSIONS):
                    paths.append(os.path.join(root, file))
                    labels.append(label)
    if len(classes) < 2 or not paths:
        raise ValueError(
            "An image folder needs at least two class folders holding images "
            f"({', '.join(IMAGE_EXTENSIONS)}). Received: {len(classes)} class "
            f"folders and {len(paths)} images in {directory!r}"
        )
    options = {
        "noise": noise,
        "seed": seed,
        "train_size": None,
        "batch_size": batch_size,
        "noise_model": noise_model,
        "validation_split": validation_split,
        "subset": subset,
        "augment": augment,
        "shuffle": subset != "validation" if shuffle is None else shuffle,
        "name": directory,
        "split": subset or "all",
    }
    labels = np.array(labels)
    dataset = _files(
        paths, labels, labels, len(classes), options, image_size, preprocessing
    )
    return dataclasses.replace(dataset, class_names=classes)


def _selection(labels, num_classes, options, groups=None, noisy=None):
    """Positions kept (random subset, then part) and their training labels.

    The labels are `noisy` when given (real noise), else `labels` with
    synthetic noise drawn for the whole subset before a validation part is
    held out, so both parts share one noise matrix.

    Returns:
        `(positions, training labels, noise matrix or None)`.
    """
    chosen = choose_subset(len(labels), options["train_size"], options["seed"])
    if noisy is None:
        noisy, matrix = add_noise(
            labels[chosen],
            num_classes,
            options["noise"],
            options["noise_model"],
            options["seed"],
            groups,
        )
    else:
        noisy, matrix = np.asarray(noisy)[chosen], None
    part = select_part(
        len(chosen),
        options["validation_split"],
        options["subset"],
        options["seed"],
    )
    return chosen[part], noisy[part], matrix


def _in_memory(
    name,
    split,
    images,
    clean,
    noisy,
    num_classes,
    matrix,
    coarse,
    batch_size,
    shuffle,
    seed,
    augment,
):
    def ordered(size=batch_size):
        return pipelines.array_pipeline(images, noisy, size)

    return NoisyDataset(
        name,
        split,
        pipelines.array_pipeline(
            images, noisy, batch_size, shuffle, seed, augment
        ),
        clean,
        noisy,
        num_classes,
        matrix,
        coarse,
        images,
        ordered,
    )


def _in_memory_split(name, split, data_dir):
    """A split held in memory: from TFDS, or MNIST from a local `.npz`."""
    if name == "mnist" and str(data_dir or "").endswith(".npz"):
        if split not in ("train", "test"):
            raise ValueError(
                "A local mnist.npz has the splits 'train' and 'test'. "
                f"Received: split={split!r}"
            )
        (x_train, y_train), (x_test, y_test) = load_mnist(data_dir)
        images, labels = (
            (x_train, y_train) if split == "train" else (x_test, y_test)
        )
        return {"image": images[..., None], "label": labels}
    return tfds_source.split_arrays(name, split, data_dir)


def _cifar_n(name, split, noisy_label, data_dir, options):
    choices = CIFAR_N_LABELS[name]
    noisy_label = noisy_label or next(iter(choices))
    if noisy_label not in choices:
        raise ValueError(
            f"{name} has the human labels {sorted(choices)}. Received: "
            f"noisy_label={noisy_label!r}"
        )
    if options["noise"]:
        raise ValueError(
            f"{name} carries real human label noise; choose it with "
            f"`noisy_label`. Received: noise={options['noise']}"
        )
    if split != "train":  # CIFAR-N relabels the training images only.
        arrays = tfds_source.split_arrays(
            name.removesuffix("_n"), split, data_dir
        )
        return load_arrays(
            arrays["image"], arrays["label"], NUM_CLASSES[name], **options
        )
    arrays = tfds_source.split_arrays(name, split, data_dir)
    clean = arrays["label"]
    rows, noisy, _ = _selection(
        clean, NUM_CLASSES[name], options, noisy=arrays[choices[noisy_label]]
    )
    coarse = arrays.get("coarse_label")
    return _in_memory(
        name,
        options["split"],
        arrays["image"][rows],
        clean[rows],
        noisy,
        NUM_CLASSES[name],
        None,
        None if coarse is None else coarse[rows],
        options["batch_size"],
        options["shuffle"],
        options["seed"],
        options["augment"],
    )


def _stream(dataset, clean, options, image_size, preprocessing):
    """A TFDS split of encoded images with noisy labels attached by position."""
    import tensorflow as tf

    rows, noisy, matrix = _selection(clean, 1000, options)
    keep = np.zeros(len(clean), bool)
    keep[rows] = True
    label_at = np.full(len(clean), -1, np.int64)
    label_at[rows] = noisy
    keep, label_at = tf.constant(keep), tf.constant(label_at)
    encoded = dataset.element_spec["image"].dtype == tf.string

    def batches(shuffle, augment, size):
        stream = dataset.enumerate().filter(lambda i, e: keep[i])
        stream = stream.map(lambda i, e: (e["image"], label_at[i]))
        if shuffle:
            stream = stream.shuffle(10_000, seed=options["seed"])
        if encoded:
            stream = stream.map(
                lambda image, label: (
                    tf.io.decode_jpeg(image, channels=3),
                    label,
                ),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        return pipelines.encoded_to_batches(
            stream, size, image_size, options["seed"], augment, preprocessing
        )

    return NoisyDataset(
        options["name"],
        options["split"],
        batches(options["shuffle"], options["augment"], options["batch_size"]),
        clean[rows],
        noisy,
        1000,
        matrix,
        ordered=lambda size=options["batch_size"]: batches(False, False, size),
    )


def _files(
    paths, clean, labels, num_classes, options, image_size, preprocessing
):
    """Image files with their labels (given noisy ones, or noised here)."""
    rows, labels, matrix = _selection(np.asarray(labels), num_classes, options)
    paths, clean = np.asarray(paths)[rows], np.asarray(clean)[rows]

    def batches(shuffle, augment, size):
        return pipelines.file_pipeline(
            paths,
            labels,
            size,
            image_size,
            shuffle,
            options["seed"],
            augment,
            preprocessing,
        )

    return NoisyDataset(
        options["name"],
        options["split"],
        batches(options["shuffle"], options["augment"], options["batch_size"]),
        clean,
        labels,
        num_classes,
        matrix,
        ordered=lambda size=options["batch_size"]: batches(False, False, size),
        paths=paths,
    )


def _groups(labels, coarse_labels, num_classes):
    """The coarse group of each fine class, read off the examples; `None`
    unless every class appears with one group."""
    pairs = np.unique(np.stack([labels, coarse_labels], axis=1), axis=0)
    if not np.array_equal(pairs[:, 0], np.arange(num_classes)):
        return None
    return pairs[:, 1]
