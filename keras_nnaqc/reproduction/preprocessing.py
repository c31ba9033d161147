"""The input normalisation of MatConvNet's CIFAR-10 example, in NumPy."""

import numpy as np


def matconvnet_whitening(
    x_train, x_test, min_contrast=40.0, min_scale=10.0, unit_scale=True
):
    """Contrast-normalises and ZCA-whitens images as MatConvNet's CIFAR-10
    example does (`cnn_cifar.m`), the paper's CIFAR-10 preprocessing.

    Each image has the training set's mean image subtracted; then its own
    mean is subtracted and it is divided by its standard deviation (at
    least `min_contrast`), times the average standard deviation; then the
    training images' covariance is whitened, its eigenvalues' square roots
    floored at `min_scale`. Unlike MatConvNet, every statistic comes from
    `x_train` alone, and by default the result is scaled to unit standard
    deviation (MatConvNet keeps pixel scale and starts from small weights
    instead).

    Args:
        x_train: Training images, `(n, height, width, channels)`, pixels in
            [0, 255].
        x_test: Images to transform with the training set's statistics.
        min_contrast: Floor of an image's standard deviation. Defaults to
            `40`.
        min_scale: Floor of the square roots of the eigenvalues. Defaults
            to `10`.
        unit_scale: Whether to divide by the training images' standard
            deviation; `False` keeps MatConvNet's scale. Defaults to `True`.

    Returns:
        `(x_train, x_test)` whitened, float32, of the same shapes.
    """
    train = np.asarray(x_train, np.float32).reshape(len(x_train), -1)
    test = np.asarray(x_test, np.float32).reshape(len(x_test), -1)
    mean_image = train.mean(axis=0)
    train, deviation = _normalise_contrast(train - mean_image, min_contrast)
    test, _ = _normalise_contrast(test - mean_image, min_contrast, deviation)
    eigenvalues, eigenvectors = _covariance_eigenvectors(train)
    # The covariance has `dimension - len(eigenvalues)` more eigenvalues,
    # all zero: their directions get the floored gain.
    dimension = train.shape[1]
    floor_gain = np.sqrt(eigenvalues.sum() / dimension) / min_scale
    gains = floor_gain * min_scale / np.maximum(np.sqrt(eigenvalues), min_scale)
    train, test = (
        (images @ eigenvectors) * (gains - floor_gain) @ eigenvectors.T
        + floor_gain * images
        for images in (train, test)
    )
    scale = train.std() if unit_scale else 1.0
    return (
        (train / scale).astype(np.float32).reshape(np.shape(x_train)),
        (test / scale).astype(np.float32).reshape(np.shape(x_test)),
    )


def _covariance_eigenvectors(images):
    """The non-zero eigenvalues and eigenvectors of `images.T @ images / n`,
    from the smaller of the two Gram matrices."""
    images64 = images.astype(np.float64)
    if len(images) >= images.shape[1]:
        eigenvalues, eigenvectors = np.linalg.eigh(
            images64.T @ images64 / len(images)
        )
    else:
        eigenvalues, vectors = np.linalg.eigh(
            images64 @ images64.T / len(images)
        )
        keep = eigenvalues > eigenvalues.max() * 1e-12
        eigenvalues = eigenvalues[keep]
        eigenvectors = images64.T @ vectors[:, keep]
        eigenvectors /= np.linalg.norm(eigenvectors, axis=0)
    eigenvalues = np.maximum(eigenvalues, 0.0)
    return eigenvalues, eigenvectors.astype(np.float32)


def _normalise_contrast(images, floor, mean_deviation=None):
    """Each flattened image centred and scaled to the mean deviation."""
    images = images - images.mean(axis=1, keepdims=True)
    deviations = images.std(axis=1, ddof=1)
    if mean_deviation is None:
        mean_deviation = deviations.mean()
    return images * (mean_deviation / np.maximum(deviations, floor))[
        :, None
    ], mean_deviation
