"""Argument checks shared by the package: each raises naming what it got."""

import numbers
import warnings

import numpy as np


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
    warns about the one setting whose training collapses."""
    alpha = check_probability("alpha", alpha)
    beta = check_probability("beta", beta)
    if alpha == 0 and beta > 0.5:
        warnings.warn(
            "With `alpha=0` the loss is the quasi-clustering term alone, "
            "and for `beta > 0.5` its entropy part makes the uniform "
            "prediction unstable: training collapses to predicting one "
            "class. Use `alpha > 0` or `beta <= 0.5`. Received: "
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


def check_labels(labels, num_classes=None, name="labels"):
    """Returns integer class labels as a NumPy array of shape (n,) or (n, 1).

    Labels may be given as any integer array or as floats holding whole
    numbers; they must lie in `[0, num_classes)`.
    """
    array = np.asarray(labels)
    if array.ndim not in (1, 2) or (array.ndim == 2 and array.shape[1] != 1):
        hint = ""
        if array.ndim == 2:
            hint = " One-hot labels can be turned into integers with argmax."
        raise ValueError(
            f"`{name}` must be integer class labels of shape (n,) or (n, 1)."
            f"{hint} Received: {name}.shape={array.shape}"
        )
    if not np.issubdtype(array.dtype, np.integer):
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
