"""Dropping the labels a first model flags, before training again.

A hold-out that stops training early is cleaned like the training set: a
model fit to cleaned labels but judged by noisy ones stops as soon as it
disagrees with them (measured on MNIST: after one epoch).
"""

import numpy as np
from keras import ops

from keras_nnaqc._cleanlab import import_cleanlab_filter
from keras_nnaqc._folds import kfold_splits

PRUNING_RULES = ("confident_learning", "label_issues")
CROSS_VALIDATION_FOLDS = 5


def keep_masks(rule, fit_stage, build, x, labels, validation, seed=0):
    """Which training and hold-out samples to keep under a pruning rule.

    Args:
        rule: `"confident_learning"` (cleanlab's `find_label_issues` on
            cross-validated probabilities) or `"label_issues"` (one
            `NoisyLabelModel` on all of `x`, then its `label_issues`).
        fit_stage: `fit_stage(model, loss, x, labels)` compiles and fits a
            model, and returns it.
        build: `build()` returns a fresh `(model, loss)` for the first
            stage: a base model ending in logits for `"confident_learning"`,
            a `NoisyLabelModel` for `"label_issues"`.
        x: Training inputs, an array.
        labels: Their integer noisy labels.
        validation: `(inputs, labels)` of the hold-out, or `None`.
        seed: Seed of the folds. Defaults to `0`.

    Returns:
        `(keep, keep_validation)`: boolean masks; the second is `None`
        without a hold-out.
    """
    labels = np.asarray(labels).reshape(-1)
    if rule == "confident_learning":
        return _confident_learning(
            fit_stage, build, x, labels, validation, seed
        )
    if rule == "label_issues":
        model = fit_stage(*build(), x, labels)

        def keep(inputs, given):
            flagged = model.label_issues(inputs, given, batch_size=500)
            mask = np.ones(len(given), dtype=bool)
            mask[flagged.indices] = False
            return mask

        keep_validation = None
        if validation is not None:
            given = np.asarray(validation[1]).reshape(-1)
            keep_validation = keep(validation[0], given)
        return keep(x, labels), keep_validation
    raise ValueError(
        f"`rule` must be one of {PRUNING_RULES}. Received: rule={rule!r}"
    )


def _confident_learning(fit_stage, build, x, labels, validation, seed):
    """Out-of-fold probabilities of `CROSS_VALIDATION_FOLDS` models (the
    hold-out scored by their average), filtered by cleanlab."""
    cleanlab_filter = import_cleanlab_filter("The `confident_learning` method")
    out_of_fold = None
    held_out = []
    for rest, fold in kfold_splits(len(labels), CROSS_VALIDATION_FOLDS, seed):
        model = fit_stage(*build(), x[rest], labels[rest])
        probabilities = _probabilities(model, x[fold])
        if out_of_fold is None:
            out_of_fold = np.empty((len(labels), probabilities.shape[1]))
        out_of_fold[fold] = probabilities
        if validation is not None:
            held_out.append(_probabilities(model, validation[0]))
    scores = {"train": out_of_fold}
    if held_out:
        scores["validation"] = np.mean(held_out, axis=0)

    def keep(part, given):
        return ~cleanlab_filter.find_label_issues(given, scores[part])

    keep_validation = None
    if validation is not None:
        given = np.asarray(validation[1]).reshape(-1)
        keep_validation = keep("validation", given)
    return keep("train", labels), keep_validation


def _probabilities(model, x):
    """Class probabilities of a fit model ending in logits."""
    logits = model.predict(x, batch_size=500, verbose=0)
    return np.asarray(ops.convert_to_numpy(ops.softmax(logits)), np.float64)
