"""`keras_nnaqc.datasets.load`: the paper's datasets and your own, noisy."""

import os
import warnings

import numpy as np

from keras_nnaqc._validation import check_labels
from keras_nnaqc._validation import check_probability
from keras_nnaqc.datasets.catalog import get_spec
from keras_nnaqc.datasets.splits import ArraySplit
from keras_nnaqc.datasets.splits import Batching
from keras_nnaqc.datasets.splits import FileSplit
from keras_nnaqc.datasets.splits import LabelDraw

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


def load(
    name,
    split="train",
    noise_rate=0.0,
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
    *,
    noise=None,
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
        noise_rate: Rate `p` of synthetic label noise. Defaults to `0.0`.
        seed: Seed of the noise, the subsets and the shuffling. Defaults to
            `0`.
        train_size: Number of examples kept, drawn at random (the paper's
            subsets, e.g. 30K of CIFAR-10). Defaults to `None` (all).
        batch_size: Batch size. Defaults to `100`, as in the paper.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults
            to `None`: `"sparse"` (10 classes) for ImageNet, as the paper,
            else `"uniform_simplex"` (eq. 1). `"grouped"` on CIFAR-100 keeps
            errors within superclasses.
        noisy_label: Which real noisy labels: for CIFAR-N, `"aggre"`,
            `"random1"`, `"random2"`, `"random3"`, `"worse"` (CIFAR-10N) or
            `"noisy"` (CIFAR-100N); for Clothing1M, `"noisy"`. Defaults to
            `None` (the first).
        validation_split: Share of the (noisy) examples held out, e.g. to
            stop training early. Defaults to `None`.
        subset: With `validation_split`, `"training"` or `"validation"`.
            Defaults to `None`.
        data_dir: TFDS data directory; for Clothing1M the folder of the
            release; for MNIST and CIFAR-10 also a local `.npz` in the
            `keras.datasets` layout. Defaults to `None`.
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
        noise: Deprecated name of `noise_rate`. Defaults to `None`.

    Returns:
        A `NoisyDataset`; pass its `dataset` to `fit` or `evaluate`.

    Example:

    ```python
    train = keras_nnaqc.datasets.load("cifar10", noise_rate=0.5, augment=True)
    test = keras_nnaqc.datasets.load("cifar10", split="test")
    model.fit(train.dataset, epochs=45)
    model.evaluate(test.dataset)
    ```
    """
    spec = get_spec(name)
    noise_rate = _noise_rate(noise_rate, noise)
    if spec.noisy_label_sets:
        noisy_label = noisy_label or spec.noisy_label_sets[0]
        if noisy_label not in spec.noisy_label_sets:
            raise ValueError(
                f"{name} has the noisy labels {sorted(spec.noisy_label_sets)}."
                f" Received: noisy_label={noisy_label!r}"
            )
    if spec.noise_model is None and noise_rate:
        raise ValueError(
            f"{name} carries real human label noise; choose it with "
            f"`noisy_label`. Received: noise_rate={noise_rate}"
        )
    if shuffle is None:
        shuffle = split in spec.training_splits and subset != "validation"
    draw = LabelDraw(
        noise_rate=noise_rate,
        noise_model=spec.noise_model if noise_model is None else noise_model,
        seed=seed,
        train_size=train_size,
        validation_split=validation_split,
        subset=subset,
        noisy_label=noisy_label,
    )
    batching = Batching(
        batch_size=batch_size,
        shuffle=shuffle,
        augment=augment,
        seed=seed,
        image_size=image_size or spec.image_size,
        preprocessing=preprocessing,
    )
    return spec.read(split, data_dir, manual_dir).noisy_dataset(
        name,
        split if subset is None else f"{split} ({subset})",
        spec.num_classes,
        draw,
        batching,
    )


def load_arrays(
    images,
    labels,
    num_classes=None,
    noise_rate=0.0,
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
    *,
    noise=None,
):
    """Your own in-memory images and labels, with label noise.

    Works without TensorFlow (through a `keras.utils.PyDataset`).

    Args:
        images: Array of shape `(n, height, width, channels)`.
        labels: Integer labels, shape `(n,)` or `(n, 1)`.
        num_classes: Number of classes. Defaults to `None` (largest + 1).
        noise_rate: Rate `p` of synthetic label noise. Defaults to `0.0`.
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
        noise: Deprecated name of `noise_rate`. Defaults to `None`.

    Returns:
        A `NoisyDataset`.
    """
    noise_rate = _noise_rate(noise_rate, noise)
    images = np.asarray(images)
    labels = check_labels(labels, num_classes).reshape(-1)
    if len(images) != len(labels):
        raise ValueError(
            "`images` and `labels` must have as many examples. Received: "
            f"{len(images)} images and {len(labels)} labels"
        )
    if num_classes is None:
        num_classes = max(int(labels.max(initial=0)) + 1, 2)
    if coarse_labels is not None:
        coarse_labels = np.asarray(coarse_labels).reshape(-1)
    arrays = ArraySplit(
        images=images,
        clean_labels=labels,
        coarse_labels=coarse_labels,
        groups=groups,
    )
    draw = LabelDraw(
        noise_rate=noise_rate,
        noise_model=noise_model,
        seed=seed,
        train_size=train_size,
        validation_split=validation_split,
        subset=subset,
    )
    batching = Batching(
        batch_size=batch_size, shuffle=shuffle, augment=augment, seed=seed
    )
    return arrays.noisy_dataset(name, split, num_classes, draw, batching)


def load_image_directory(
    directory,
    image_size=(224, 224),
    noise_rate=0.0,
    seed=0,
    batch_size=32,
    noise_model="uniform_simplex",
    validation_split=None,
    subset=None,
    augment=False,
    preprocessing=None,
    shuffle=None,
    *,
    noise=None,
):
    """Images in one folder per class (as `keras.utils.
    image_dataset_from_directory` reads them), with label noise.

    Classes are the subfolder names in alphabetical order.

    Args:
        directory: The folder of class folders.
        image_size: `(height, width)` of the output images. Defaults to
            `(224, 224)`.
        noise_rate: Rate `p` of synthetic label noise. Defaults to `0.0`.
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
        noise: Deprecated name of `noise_rate`. Defaults to `None`.

    Returns:
        A `NoisyDataset` named after the folder, with `class_names`.
    """
    noise_rate = _noise_rate(noise_rate, noise)
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
    files = FileSplit(
        paths=paths, clean_labels=np.array(labels), class_names=classes
    )
    draw = LabelDraw(
        noise_rate=noise_rate,
        noise_model=noise_model,
        seed=seed,
        validation_split=validation_split,
        subset=subset,
    )
    batching = Batching(
        batch_size=batch_size,
        shuffle=subset != "validation" if shuffle is None else shuffle,
        augment=augment,
        seed=seed,
        image_size=image_size,
        preprocessing=preprocessing,
    )
    return files.noisy_dataset(
        directory, subset or "all", len(classes), draw, batching
    )


def _noise_rate(noise_rate, noise):
    """`noise_rate`, or the rate given by the deprecated name `noise`."""
    if noise is None:
        return check_probability("noise_rate", noise_rate)
    if noise_rate:
        raise ValueError(
            "`noise` is the deprecated name of `noise_rate`; pass only "
            f"`noise_rate`. Received: noise={noise!r}, "
            f"noise_rate={noise_rate!r}"
        )
    warnings.warn(
        "`noise` is deprecated and will be removed in the next release; "
        f"use `noise_rate={noise!r}` instead.",
        DeprecationWarning,
        stacklevel=3,
    )
    return check_probability("noise", noise)
