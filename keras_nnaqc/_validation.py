"""Argument checks shared by the package: each raises naming what it got."""

import numbers
import warnings

import numpy as np
from keras import ops

# Where NNAQC training was measured to collapse to one class:
# `alpha < COLLAPSE_SLOPE * (beta - COLLAPSE_BETA)` (docs/tuning.md).
COLLAPSE_BETA = 0.8
COLLAPSE_SLOPE = 4.0


def check_probability(name, value):
    """Returns `value` as a float if it lies in [0, 1], else raises."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a number in [0, 1]. Received: {name}={value!r}"
        )
    if not 0.0 <= value <= 1.0:
        raise ValueError(
            f"`{name}` must be in [0, 1]. Received: {name}={value!r}"
        )
    return float(value)


def check_loss_weights(alpha, beta):
    """Returns the NNAQC loss's `alpha` and `beta` as floats in [0, 1], and
    warns where training was measured to collapse to one class.

    That is `alpha < 4 * (beta - 0.8)`: small `alpha` with large `beta`
    (docs/tuning.md has the measurements).
    """
    alpha = check_probability("alpha", alpha)
    beta = check_probability("beta", beta)
    if alpha < COLLAPSE_SLOPE * (beta - COLLAPSE_BETA):
        warnings.warn(
            "With `alpha` this small for `beta` this large, the entropy "
            "part of the quasi-clustering term outweighs the labels early "
            "in training, which can collapse to predicting one class (on "
            "MNIST without a beta warm-up it did at beta=0.9 up to "
            "alpha=0.2, and at beta=1 with alpha=0.5). Keep "
            f"`alpha >= {COLLAPSE_SLOPE:g} * (beta - {COLLAPSE_BETA:g})`, "
            "e.g. alpha=0.9 with beta=0.9, or `beta <= 0.8`. Received: "
            f"alpha={alpha}, beta={beta}",
            stacklevel=3,
        )
    return alpha, beta


def check_num_classes(value, name="num_classes"):
    """Returns `value` if it is an integer of at least 2, else raises."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be an integer >= 2. Received: {name}={value!r}"
        )
    if value < 2:
        raise ValueError(
            f"`{name}` must be an integer >= 2. Received: {name}={value!r}"
        )
    return int(value)


def check_labels(labels, num_classes=None, name="labels", one_hot=False):
    """Returns integer class labels as a NumPy array of shape (n,) or (n, 1).

    Labels may be given as any integer array or as floats holding whole
    numbers; they must lie in `[0, num_classes)`.

    Args:
        labels: The labels to check.
        num_classes: Number of classes, or `None` when unknown (then only
            the lower bound is checked). Defaults to `None`.
        name: The argument's name in error messages. Defaults to
            `"labels"`.
        one_hot: Whether rows of class probabilities, shape
            `(n, num_classes)` (one-hot or soft labels), are accepted too;
            they are checked with `check_label_rows` and returned as their
            most probable class. Defaults to `False`.

    Returns:
        The integer labels.
    """
    array = np.asarray(labels)
    if one_hot and array.ndim == 2 and array.shape[1] != 1:
        return check_label_rows(array, num_classes, name).argmax(axis=1)
    if array.ndim not in (1, 2) or (array.ndim == 2 and array.shape[1] != 1):
        hint = ""
        if array.ndim == 2:
            hint = " One-hot labels can be turned into integers with argmax."
        raise ValueError(
            f"`{name}` must be integer class labels of shape (n,) or (n, 1)."
            f"{hint} Received: {name}.shape={array.shape}"
        )
    if not np.issubdtype(array.dtype, np.integer):
        if np.issubdtype(array.dtype, np.floating) and not np.all(
            np.isfinite(array)
        ):
            raise ValueError(
                f"`{name}` must be integer class labels, not NaN or "
                f"infinity. Received: {name} with "
                f"{int(np.sum(np.isnan(array)))} NaN and "
                f"{int(np.sum(np.isinf(array)))} infinite values"
            )
        if not np.issubdtype(array.dtype, np.floating) or not np.all(
            np.equal(np.mod(array, 1), 0)
        ):
            raise TypeError(
                f"`{name}` must hold integer class labels. Received: "
                f"{name} with dtype={array.dtype}"
            )
        array = array.astype(np.int64)
    if array.size:
        low, high = array.min(), array.max()
        upper = num_classes if num_classes is not None else np.inf
        if low < 0 or high >= upper:
            limit = f"[0, {num_classes})" if num_classes is not None else ">= 0"
            raise ValueError(
                f"`{name}` must lie in {limit}. Received: {name} with "
                f"values from {low} to {high}"
            )
    return array


# How far from 1 a row of one-hot or soft labels may sum: float16 rows and
# label smoothing stay well inside it, an all-zero or doubled row does not.
ROW_SUM_TOLERANCE = 1e-2


def check_label_rows(labels, num_classes=None, name="labels"):
    """Returns one-hot (or soft) labels whose rows are class probabilities.

    Each row must be finite and non-negative and sum to 1 (within
    `ROW_SUM_TOLERANCE`): an all-zero row would give a zero loss, a row
    summing to 3 three times the loss.

    Args:
        labels: Labels of shape `(n, num_classes)`.
        num_classes: Number of classes, or `None` when unknown. Defaults to
            `None`.
        name: The argument's name in error messages. Defaults to
            `"labels"`.

    Returns:
        The labels as a NumPy array.
    """
    array = np.asarray(labels)
    if array.ndim != 2 or (
        num_classes is not None and array.shape[1] != num_classes
    ):
        width = "num_classes" if num_classes is None else num_classes
        raise ValueError(
            f"One-hot `{name}` must have shape (n, {width}). Received: "
            f"{name}.shape={array.shape}"
        )
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(
            f"One-hot `{name}` must be numbers. Received: {name} with "
            f"dtype={array.dtype}"
        )
    if not len(array):
        return array
    # Row sums in float64, without a float64 copy of a large label array: a
    # NaN or an infinity anywhere makes its row's sum non-finite.
    sums = array.sum(axis=1, dtype=np.float64)
    if not np.all(np.isfinite(sums)):
        raise ValueError(
            f"One-hot `{name}` must be finite, not NaN or infinity. "
            f"Received: {name} with {int(np.sum(np.isnan(array)))} NaN and "
            f"{int(np.sum(np.isinf(array)))} infinite values"
        )
    if array.min() < 0:
        raise ValueError(
            f"One-hot `{name}` must be non-negative. Received: {name} with "
            f"minimum {array.min()}"
        )
    worst = int(np.argmax(np.abs(sums - 1.0)))
    if abs(sums[worst] - 1.0) > ROW_SUM_TOLERANCE:
        raise ValueError(
            f"Each row of one-hot `{name}` must sum to 1. Received: row "
            f"{worst} of {name} sums to {float(sums[worst])!r}"
        )
    return array


def valid_labels(labels, num_classes):
    """Which labels of a batch are classes: the in-graph `check_labels`.

    Written with `keras.ops`, so it runs inside a compiled training step on
    every backend. Integer labels, of shape `(batch,)` or `(batch, 1)`, must
    be whole numbers in `[0, num_classes)`; labels of shape
    `(batch, num_classes)` must be rows of class probabilities, as
    `check_label_rows` asks. NaN is never valid.

    Args:
        labels: A batch of labels, integer or one-hot.
        num_classes: Number of classes.

    Returns:
        A boolean tensor of shape `(batch,)`.
    """
    labels = ops.cast(ops.convert_to_tensor(labels), "float32")
    if len(labels.shape) == 2 and labels.shape[-1] != 1:
        return ops.logical_and(
            ops.all(labels >= 0.0, axis=-1),
            ops.abs(ops.sum(labels, axis=-1) - 1.0) <= ROW_SUM_TOLERANCE,
        )
    labels = ops.reshape(labels, (-1,))
    # NaN fails every comparison, infinity the upper or the lower bound.
    return ops.logical_and(
        ops.logical_and(labels >= 0.0, labels < num_classes),
        ops.equal(labels, ops.floor(labels)),
    )


def check_transition_matrix(matrix, name="transition_matrix", atol=1e-6):
    """Returns a row-stochastic float64 matrix, else raises.

    Row `i` holds p(noisy label = j | clean label = i).
    """
    array = np.asarray(matrix, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] != array.shape[1] or len(array) < 2:
        raise ValueError(
            f"`{name}` must be a square matrix of at least 2 x 2. Received: "
            f"{name}.shape={array.shape}"
        )
    if not np.all(np.isfinite(array)) or array.min() < 0:
        raise ValueError(
            f"`{name}` must have finite, non-negative entries. Received: "
            f"{name} with minimum {np.nanmin(array)}"
        )
    row_sums = array.sum(axis=1)
    worst = int(np.argmax(np.abs(row_sums - 1.0)))
    if abs(row_sums[worst] - 1.0) > atol:
        raise ValueError(
            f"`{name}` must be row-stochastic (each row sums to 1). "
            f"Received: row {worst} sums to {float(row_sums[worst])!r}"
        )
    return array


def check_class_prior(class_prior):
    """Returns `class_prior` as a list of floats summing to 1 (or `None`),
    else raises."""
    if class_prior is None:
        return None
    prior = np.asarray(class_prior, dtype="float64")
    if (
        prior.ndim != 1
        or len(prior) < 2
        or not np.all(np.isfinite(prior))
        or np.any(prior < 0)
        or abs(prior.sum() - 1.0) > 1e-3
    ):
        raise ValueError(
            "`class_prior` must be one share per class: at least 2 numbers "
            f">= 0 summing to 1. Received: class_prior={class_prior!r}"
        )
    return (prior / prior.sum()).tolist()
