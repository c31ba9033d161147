"""Instance-dependent label noise (Xia et al., 2020), in NumPy."""

import numpy as np

from keras_nnaqc._validation import check_labels
from keras_nnaqc._validation import check_num_classes
from keras_nnaqc._validation import check_probability


def instance_dependent(
    features, labels, noise_rate, seed, num_classes=None, flip_rate_std=0.1
):
    """Instance-dependent noise (IDN): which labels flip, and to what,
    depends on the image.

    Algorithm 2 of Xia et al. (2020): each sample gets a flip rate `q`
    drawn from a normal distribution of mean `noise_rate` and standard
    deviation `flip_rate_std`, truncated to [0, 1]; each clean class `k`
    gets a random projection `W_k` (standard normal, `(d, L)`) of the
    flattened features onto the classes. A sample `x` of class `y` keeps
    its label with probability `1 - q` and otherwise takes class `j != y`
    with probability proportional to `softmax(x W_y)_j`. `noise_rate` thus
    counts only labels that change; `actual_noise_rate` reports the rate
    drawn. Xia et al.'s code projects the raw pixel values (0-255) as
    `x`; what `x` is shapes the noise (docs/realistic_noise.md).

    Draws, in this order from `np.random.default_rng(seed)`: the flip rates
    (redrawing those outside [0, 1]), the `L` projections, one uniform per
    sample. Call it once and keep the result.

    Args:
        features: Array of shape `(n, ...)`; each sample is flattened.
        labels: Integer clean labels, shape `(n,)` or `(n, 1)`.
        noise_rate: Mean flip rate `tau`, in [0, 1].
        seed: Seed of the draw (int or `np.random.Generator`).
        num_classes: Number of classes `L`. Defaults to `None`: one more
            than the largest label.
        flip_rate_std: Standard deviation of the flip rates before
            truncation. Defaults to `0.1`, as Xia et al.

    Returns:
        Noisy labels with the shape of `labels`, as int64.

    Example:

    >>> noisy = keras_nnaqc.noise.instance_dependent(
    ...     x_train, y_train, noise_rate=0.4, seed=0)
    >>> keras_nnaqc.noise.actual_noise_rate(y_train, noisy)  # about 0.4

    Reference:
        - [Xia et al., 2020](https://arxiv.org/abs/2006.07836), "Part-
          dependent label noise: towards instance-dependent label noise"
    """
    rng = np.random.default_rng(seed)
    clean = check_labels(labels)
    rows = _instance_transitions(
        features, clean.reshape(-1), noise_rate, rng, num_classes,
        flip_rate_std,
    )  # fmt: skip
    cumulative = np.cumsum(rows, axis=1)
    cumulative /= cumulative[:, -1:]
    uniforms = rng.random(len(rows))
    noisy = np.argmax(cumulative > uniforms[:, None], axis=1)
    return noisy.astype(np.int64).reshape(clean.shape)


def _instance_transitions(
    features, labels, noise_rate, rng, num_classes=None, flip_rate_std=0.1
):
    """Each sample's row of p(noisy label | its features and clean label),
    `(n, L)` float64, drawn from `rng` (flip rates, then projections)."""
    noise_rate = check_probability("noise_rate", noise_rate)
    if not flip_rate_std > 0:
        raise ValueError(
            "`flip_rate_std` must be positive. Received: "
            f"flip_rate_std={flip_rate_std!r}"
        )
    features = np.asarray(features)
    if features.ndim < 2 or len(features) != len(labels):
        raise ValueError(
            "`features` must have one row per label, shape `(n, ...)` with "
            f"n = {len(labels)}. Received: features.shape={features.shape}"
        )
    flat = features.reshape(len(features), -1).astype(np.float32)
    if not np.all(np.isfinite(flat)):
        raise ValueError("`features` must be finite. Received: NaN or inf.")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 2
    num_classes = check_num_classes(num_classes)
    labels = check_labels(labels, num_classes)
    flip_rates = _truncated_normal(noise_rate, flip_rate_std, len(labels), rng)
    projections = rng.standard_normal(
        (num_classes, flat.shape[1], num_classes)
    ).astype(np.float32)
    logits = np.empty((len(labels), num_classes))
    for label in np.unique(labels):
        samples = labels == label
        logits[samples] = flat[samples] @ projections[label]
    samples = np.arange(len(labels))
    logits[samples, labels] = -np.inf
    logits -= logits.max(axis=1, keepdims=True)
    others = np.exp(logits)
    rows = flip_rates[:, None] * others / others.sum(axis=1, keepdims=True)
    rows[samples, labels] = 1.0 - flip_rates
    return rows


def _truncated_normal(mean, std, size, rng):
    """Normal draws redrawn until they lie in [0, 1]."""
    draws = rng.normal(mean, std, size)
    outside = np.flatnonzero((draws < 0.0) | (draws > 1.0))
    while outside.size:
        draws[outside] = rng.normal(mean, std, outside.size)
        outside = outside[(draws[outside] < 0.0) | (draws[outside] > 1.0)]
    return draws
