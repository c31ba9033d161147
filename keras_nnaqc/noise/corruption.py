"""Drawing noisy labels from a transition matrix, and measuring the result."""

import numpy as np

from keras_nnaqc._validation import check_labels
from keras_nnaqc._validation import check_num_classes
from keras_nnaqc._validation import check_transition_matrix


def corrupt(labels, transition_matrix, seed):
    """Draws a noisy label per clean one: `noisy ~ transition_matrix[clean]`.

    The draw is vectorised (one `searchsorted` per class, over all of its
    samples) and depends only on `seed`: call it once and keep the result, so
    that every epoch sees the same noisy labels. Every noisy label lies in
    `[0, L)` and has positive probability in its row, whatever the matrix's
    float type.

    Args:
        labels: Integer clean labels, shape `(n,)` or `(n, 1)`.
        transition_matrix: Row-stochastic `(L, L)` matrix; row `i` is
            p(noisy label | clean label `i`). Rows that sum to 1 within
            1e-6 (e.g. float32 matrices) are normalised.
        seed: Seed of the draw (int or `np.random.Generator`).

    Returns:
        Noisy labels with the shape of `labels`, as int64.

    Example:

    >>> phi = keras_nnaqc.noise.uniform_simplex(10, p=0.3, seed=0)
    >>> noisy = keras_nnaqc.noise.corrupt(y_train, phi, seed=1)
    """
    matrix = check_transition_matrix(transition_matrix)
    num_classes = len(matrix)
    clean = check_labels(labels, num_classes)
    flat = clean.reshape(-1)
    # Cumulative sums of non-negative numbers never decrease, and dividing by
    # the last one ends every row at exactly 1 > u, so each draw stays in its
    # own row's [0, L) even when the row sums to 1 only within the tolerance.
    cumulative = np.cumsum(matrix, axis=1)
    cumulative /= cumulative[:, -1:]
    uniforms = np.random.default_rng(seed).random(flat.shape[0])
    noisy = np.empty(flat.shape, dtype=np.int64)
    order = np.argsort(flat, kind="stable")
    counts = np.bincount(flat, minlength=num_classes)
    ends = np.cumsum(counts)
    for label in np.flatnonzero(counts):
        samples = order[ends[label] - counts[label] : ends[label]]
        noisy[samples] = np.searchsorted(
            cumulative[label], uniforms[samples], side="right"
        )
    return noisy.reshape(clean.shape)


def empirical_transition(clean_labels, noisy_labels, num_classes=None):
    """The observed transition matrix: row `i` holds p(noisy | clean = i).

    Args:
        clean_labels: Integer clean labels, shape `(n,)` or `(n, 1)`.
        noisy_labels: Integer noisy labels of the same shape.
        num_classes: Number of classes. Defaults to `None`, which means one
            more than the largest label seen.

    Returns:
        A float64 array of shape `(L, L)`. Rows of classes that never occur
        in `clean_labels` are all zero.
    """
    clean, noisy = _check_label_pair(clean_labels, noisy_labels, num_classes)
    if num_classes is None:
        num_classes = max(int(clean.max(initial=0)), int(noisy.max(initial=0)))
        num_classes = max(num_classes + 1, 2)
    counts = np.bincount(
        clean * num_classes + noisy, minlength=num_classes * num_classes
    ).reshape(num_classes, num_classes)
    totals = counts.sum(axis=1, keepdims=True)
    return counts / np.maximum(totals, 1)


def actual_noise_rate(clean_labels, noisy_labels):
    """The fraction of labels that differ between the clean and noisy sets.

    Args:
        clean_labels: Integer clean labels, shape `(n,)` or `(n, 1)`.
        noisy_labels: Integer noisy labels of the same shape.

    Returns:
        A float in [0, 1].
    """
    clean, noisy = _check_label_pair(clean_labels, noisy_labels)
    if clean.size == 0:
        raise ValueError(
            "`clean_labels` is empty: there is no rate to measure."
        )
    return float(np.mean(clean != noisy))


def _check_label_pair(clean_labels, noisy_labels, num_classes=None):
    if num_classes is not None:
        num_classes = check_num_classes(num_classes)
    clean = check_labels(clean_labels, num_classes, name="clean_labels")
    noisy = check_labels(noisy_labels, num_classes, name="noisy_labels")
    if clean.shape != noisy.shape:
        raise ValueError(
            "`clean_labels` and `noisy_labels` must have the same shape. "
            f"Received: clean_labels.shape={clean.shape}, "
            f"noisy_labels.shape={noisy.shape}"
        )
    return clean.reshape(-1), noisy.reshape(-1)
