"""K-fold splits, shared by cross-validated tuning and confident learning."""

import numpy as np


def kfold_splits(num_samples, folds, seed=None):
    """Splits `num_samples` indices into `folds` disjoint held-out parts.

    Args:
        num_samples: Number of samples.
        folds: Number of folds, at least 2 and at most `num_samples`.
        seed: Seed of the random assignment. Defaults to `None`.

    Returns:
        A list of `(train_indices, held_out_indices)` pairs; the held-out
        parts are disjoint, of sizes differing by at most one, and together
        cover every sample.
    """
    if not isinstance(folds, int) or not 2 <= folds <= num_samples:
        raise ValueError(
            f"`folds` must be an integer in [2, {num_samples}] (the number "
            f"of samples). Received: folds={folds!r}"
        )
    order = np.random.default_rng(seed).permutation(num_samples)
    parts = np.array_split(order, folds)
    return [
        (
            np.sort(np.concatenate(parts[:k] + parts[k + 1 :])),
            np.sort(parts[k]),
        )
        for k in range(folds)
    ]
