"""Input pipelines yielding `(images, labels)` batches for `Model.fit`.

In-memory arrays go through tf.data when TensorFlow is installed, else
through a `keras.utils.PyDataset`, so JAX and PyTorch users need not install
TensorFlow. Image files and TFDS streams need TensorFlow.
"""

import importlib.util
import math

import keras
import numpy as np

CIFAR_PADDING = 4
# keras.applications' "caffe" preprocessing: BGR order, ImageNet mean off.
CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)


def has_tensorflow():
    return importlib.util.find_spec("tensorflow") is not None


def array_pipeline(
    images, labels, batch_size, shuffle=False, seed=None, augment=False
):
    """Batches of in-memory images and labels.

    Args:
        images: Array of shape `(n, height, width, channels)`.
        labels: Array of `n` integer labels.
        batch_size: Batch size.
        shuffle: Reshuffle every epoch. Defaults to `False`.
        seed: Seed of the shuffling and augmentation. Defaults to `None`.
        augment: Random 4-pixel-padded crops and horizontal flips (the
            standard CIFAR augmentation). Defaults to `False`.

    Returns:
        A `tf.data.Dataset`, or an `ArrayBatches` without TensorFlow.
    """
    if not has_tensorflow():
        return ArrayBatches(images, labels, batch_size, shuffle, seed, augment)
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    if shuffle:
        dataset = dataset.shuffle(
            len(labels), seed=seed, reshuffle_each_iteration=True
        )
    if augment:
        dataset = dataset.map(
            lambda image, label: (_crop_and_flip(image, seed), label),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def file_pipeline(
    paths,
    labels,
    batch_size,
    image_size,
    shuffle=False,
    seed=None,
    augment=False,
    preprocessing=None,
):
    """Batches of images decoded from files, in parallel.

    Training images (`augment=True`) are resized so their shorter side is
    8/7 of `image_size`, randomly cropped and flipped; others are resized
    the same way and centre-cropped.

    Args:
        paths: Image file paths (JPEG, PNG, BMP or GIF).
        labels: Their integer labels.
        batch_size: Batch size.
        image_size: `(height, width)` of the output images.
        shuffle: Reshuffle the files every epoch. Defaults to `False`.
        seed: Seed of the shuffling and augmentation. Defaults to `None`.
        augment: Random crops and flips. Defaults to `False`.
        preprocessing: `None` (float pixels in [0, 255]) or `"caffe"` (as
            `keras.applications.resnet50.preprocess_input`). Defaults to
            `None`.

    Returns:
        A `tf.data.Dataset`.
    """
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(
        (np.asarray(paths, dtype=str), np.asarray(labels))
    )
    if shuffle:
        dataset = dataset.shuffle(
            len(labels), seed=seed, reshuffle_each_iteration=True
        )

    def load(path, label):
        image = tf.io.decode_image(
            tf.io.read_file(path), channels=3, expand_animations=False
        )
        return image, label

    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return encoded_to_batches(
        dataset, batch_size, image_size, seed, augment, preprocessing
    )


def encoded_to_batches(
    dataset,
    batch_size,
    image_size,
    seed=None,
    augment=False,
    preprocessing=None,
):
    """Resizes, crops and batches a dataset of `(uint8 image, label)`."""
    import tensorflow as tf

    def prepare(image, label):
        image = _resize_and_crop(image, image_size, augment, seed)
        if preprocessing == "caffe":
            image = image[..., ::-1] - tf.constant(CAFFE_BGR_MEAN)
        return image, label

    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


class ArrayBatches(keras.utils.PyDataset):
    """Batches of in-memory arrays without TensorFlow.

    Shuffles every epoch and augments every batch from `seed`, so an epoch
    is the same whatever the order its batches are read in.

    Args:
        images: Array of shape `(n, height, width, channels)`.
        labels: Array of `n` labels.
        batch_size: Batch size.
        shuffle: Reshuffle every epoch. Defaults to `False`.
        seed: Seed of the shuffling and augmentation. Defaults to `None`.
        augment: Random 4-pixel-padded crops and flips. Defaults to `False`.
        **kwargs: `PyDataset` arguments (`workers`...).
    """

    def __init__(
        self,
        images,
        labels,
        batch_size,
        shuffle=False,
        seed=None,
        augment=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.images, self.labels = images, labels
        self.batch_size = batch_size
        self.shuffle, self.augment = shuffle, augment
        self.seed = 0 if seed is None else seed
        self.epoch = 0
        self.order = self._epoch_order()

    def __len__(self):
        return math.ceil(len(self.labels) / self.batch_size)

    def __getitem__(self, index):
        rows = self.order[
            index * self.batch_size : (index + 1) * self.batch_size
        ]
        images = self.images[rows]
        if self.augment:
            rng = np.random.default_rng((self.seed, self.epoch, index))
            images = crop_and_flip_numpy(images, rng)
        return images, self.labels[rows]

    def on_epoch_end(self):
        self.epoch += 1
        self.order = self._epoch_order()

    def _epoch_order(self):
        if not self.shuffle:
            return np.arange(len(self.labels))
        return np.random.default_rng((self.seed, self.epoch)).permutation(
            len(self.labels)
        )


def crop_and_flip_numpy(images, rng):
    """Random 4-pixel-padded crops and horizontal flips of a batch."""
    count, height, width = images.shape[:3]
    pad = CIFAR_PADDING
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    top = rng.integers(0, 2 * pad + 1, count)[:, None, None]
    left = rng.integers(0, 2 * pad + 1, count)[:, None, None]
    rows = top + np.arange(height)[None, :, None]
    columns = left + np.arange(width)[None, None, :]
    flip = rng.random(count) < 0.5
    columns = np.where(flip[:, None, None], columns[..., ::-1], columns)
    return padded[np.arange(count)[:, None, None], rows, columns]


def _crop_and_flip(image, seed):
    import tensorflow as tf

    padded = tf.pad(
        image,
        [
            [CIFAR_PADDING, CIFAR_PADDING],
            [CIFAR_PADDING, CIFAR_PADDING],
            [0, 0],
        ],
    )
    image = tf.image.random_crop(padded, tf.shape(image), seed=seed)
    return tf.image.random_flip_left_right(image, seed=seed)


def _resize_and_crop(image, image_size, augment, seed):
    import tensorflow as tf

    height, width = image_size
    shorter = tf.cast(
        tf.minimum(tf.shape(image)[0], tf.shape(image)[1]), tf.float32
    )
    scale = (8.0 / 7.0) * max(height, width) / shorter
    new_size = tf.cast(
        tf.round(tf.cast(tf.shape(image)[:2], tf.float32) * scale), tf.int32
    )
    image = tf.image.resize(image, new_size)
    if augment:
        image = tf.image.random_crop(image, (height, width, 3), seed=seed)
        return tf.image.random_flip_left_right(image, seed=seed)
    top = (new_size[0] - height) // 2
    left = (new_size[1] - width) // 2
    return image[top : top + height, left : left + width]
