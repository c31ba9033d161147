"""Label-noise transition matrices: row `i` is p(noisy label | clean `i`)."""

import numbers

import numpy as np

from keras_nnaqc._validation import check_num_classes
from keras_nnaqc._validation import check_probability


def uniform_simplex(num_classes, p, seed):
    """The paper's noise model (eq. 1): `phi = (1 - p) I + p Delta`.

    Each row of `Delta` is zero on the diagonal and, elsewhere, a point drawn
    uniformly from the simplex over the other `num_classes - 1` classes. Every
    class keeps its label with probability `1 - p`; its errors are spread over
    the other classes in random proportions.

    Args:
        num_classes: Number of classes `L`, at least 2.
        p: Probability that a label is wrong, in [0, 1].
        seed: Seed of the random proportions (int or `np.random.Generator`).

    Returns:
        A row-stochastic float64 array of shape `(L, L)`.

    Example:

    >>> phi = keras_nnaqc.noise.uniform_simplex(10, p=0.5, seed=0)
    >>> phi.diagonal()
    array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    """
    num_classes = check_num_classes(num_classes)
    p = check_probability("p", p)
    rng = np.random.default_rng(seed)
    off_diagonal = _uniform_simplex_rows(rng, num_classes, num_classes - 1)
    return _mix_off_diagonal(p, off_diagonal)


def sparse(num_classes, p, k=10, seed=None):
    """The ImageNet noise of the paper: errors go to `k` random other classes.

    For every class, `k` other classes are chosen at random and the class's
    errors (probability `p`) are spread over them in proportions drawn
    uniformly from the simplex, as in eq. 1. With `k = num_classes - 1` this
    is `uniform_simplex`.

    Args:
        num_classes: Number of classes `L`, at least 2.
        p: Probability that a label is wrong, in [0, 1].
        k: Number of classes each class's errors go to, in `[1, L - 1]`.
            Defaults to 10.
        seed: Seed of the random choices (int or `np.random.Generator`).
            Defaults to `None` (a fresh, unseeded draw).

    Returns:
        A row-stochastic float64 array of shape `(L, L)` with `k` non-zero
        off-diagonal entries per row (when `p > 0`).
    """
    num_classes = check_num_classes(num_classes)
    p = check_probability("p", p)
    if (
        isinstance(k, bool)
        or not isinstance(k, numbers.Integral)
        or not 1 <= k <= num_classes - 1
    ):
        raise ValueError(
            f"`k` must be an integer in [1, num_classes - 1] = "
            f"[1, {num_classes - 1}]. Received: k={k!r}"
        )
    rng = np.random.default_rng(seed)
    keys = rng.random((num_classes, num_classes))
    np.fill_diagonal(keys, np.inf)
    targets = np.argpartition(keys, k - 1, axis=1)[:, :k]
    matrix = np.zeros((num_classes, num_classes))
    rows = np.arange(num_classes)[:, None]
    matrix[rows, targets] = p * _uniform_simplex_rows(rng, num_classes, k)
    matrix[np.diag_indices(num_classes)] = 1.0 - p
    return matrix


def symmetric(num_classes, p):
    """Symmetric noise: a wrong label is equally likely to be any other class.

    `p` counts only labels that change (Co-teaching's convention): a label
    is kept with probability `1 - p`.

    Args:
        num_classes: Number of classes `L`, at least 2.
        p: Probability that a label is wrong, in [0, 1].

    Returns:
        A row-stochastic float64 array of shape `(L, L)`: `1 - p` on the
        diagonal and `p / (L - 1)` elsewhere.
    """
    num_classes = check_num_classes(num_classes)
    p = check_probability("p", p)
    uniform = np.full((num_classes, num_classes - 1), 1.0 / (num_classes - 1))
    return _mix_off_diagonal(p, uniform)


def pair(num_classes, p):
    """Pair (flip) noise: a wrong label is always the next class.

    As in Co-teaching (Han et al., 2018), `p` counts only labels that change:
    class `i` becomes class `i + 1` with probability `p`.

    Args:
        num_classes: Number of classes `L`, at least 2.
        p: Probability that a label is wrong, in [0, 1].

    Returns:
        A row-stochastic float64 array of shape `(L, L)` with `1 - p` on the
        diagonal and `p` at `(i, (i + 1) mod L)`.
    """
    num_classes = check_num_classes(num_classes)
    p = check_probability("p", p)
    identity = np.eye(num_classes)
    return (1.0 - p) * identity + p * np.roll(identity, 1, axis=1)


def grouped(groups, p, seed):
    """Noise within groups, e.g. CIFAR-100's superclasses.

    A wrong label stays in its class's group (`groups[i]` is the group of
    class `i`): class `i` keeps its label with probability `1 - p` and its
    errors are spread over the other classes of its group in proportions
    drawn uniformly from the simplex, as in eq. 1.

    Args:
        groups: Group of each class, shape `(L,)`; every group needs at
            least two classes.
        p: Probability that a label is wrong, in [0, 1].
        seed: Seed of the random proportions (int or `np.random.Generator`).

    Returns:
        A row-stochastic float64 array of shape `(L, L)`, zero between
        classes of different groups.
    """
    groups = np.asarray(groups)
    if groups.ndim != 1:
        raise ValueError(
            "`groups` must give one group per class, shape (num_classes,). "
            f"Received: groups.shape={groups.shape}"
        )
    num_classes = check_num_classes(len(groups), name="len(groups)")
    p = check_probability("p", p)
    peers = (groups[:, None] == groups[None, :]) & ~np.eye(
        num_classes, dtype=bool
    )
    alone = np.flatnonzero(peers.sum(axis=1) == 0)
    if alone.size:
        raise ValueError(
            "Every group needs at least two classes, so that a wrong label "
            f"has somewhere to go. Received: classes {alone.tolist()} alone "
            "in their groups"
        )
    weights = np.random.default_rng(seed).exponential(size=peers.shape) * peers
    matrix = p * weights / weights.sum(axis=1, keepdims=True)
    matrix[np.diag_indices(num_classes)] = 1.0 - p
    return matrix


NOISE_MODELS = (
    "uniform_simplex", "sparse", "symmetric", "pair", "grouped", "idn",
)  # fmt: skip


def named_transition(noise_model, num_classes, p, seed=None, groups=None):
    """The transition matrix of a noise model given by name.

    Args:
        noise_model: One of `"uniform_simplex"` (eq. 1), `"sparse"` (errors
            over 10 random classes), `"symmetric"`, `"pair"` or `"grouped"`
            (errors within `groups`); `"idn"` has no matrix (see
            `instance_dependent`).
        num_classes: Number of classes `L`.
        p: Probability that a label is wrong, in [0, 1].
        seed: Seed of the random models. Defaults to `None`.
        groups: Group of each class, for `"grouped"`. Defaults to `None`.

    Returns:
        A row-stochastic float64 array of shape `(L, L)`.
    """
    if noise_model == "uniform_simplex":
        return uniform_simplex(num_classes, p, seed=seed)
    if noise_model == "sparse":
        return sparse(num_classes, p, k=min(10, num_classes - 1), seed=seed)
    if noise_model == "symmetric":
        return symmetric(num_classes, p)
    if noise_model == "pair":
        return pair(num_classes, p)
    if noise_model == "grouped":
        if groups is None or len(groups) != num_classes:
            raise ValueError(
                "The grouped noise model needs the group of each of the "
                f"{num_classes} classes. Received: groups={groups!r}"
            )
        return grouped(groups, p, seed=seed)
    if noise_model == "idn":
        raise ValueError(
            "Instance-dependent noise depends on each image, so it has no "
            "transition matrix: draw it with `noise.instance_dependent("
            "features, labels, noise_rate, seed)`. Received: "
            "noise_model='idn'"
        )
    raise ValueError(
        f"`noise_model` must be one of {NOISE_MODELS}. Received: "
        f"noise_model={noise_model!r}"
    )


def _uniform_simplex_rows(rng, rows, size):
    """`rows` points drawn uniformly from the simplex in `size` dimensions."""
    weights = rng.exponential(size=(rows, size))
    return weights / weights.sum(axis=1, keepdims=True)


def _mix_off_diagonal(p, off_diagonal):
    """`(1 - p) I + p Delta`, `Delta`'s off-diagonal rows given row by row."""
    num_classes = off_diagonal.shape[0]
    matrix = np.zeros((num_classes, num_classes))
    matrix[~np.eye(num_classes, dtype=bool)] = p * off_diagonal.ravel()
    matrix[np.diag_indices(num_classes)] = 1.0 - p
    return matrix
