import dataclasses

import numpy as np

from keras_nnaqc._cleanlab import import_cleanlab_filter
from keras_nnaqc._validation import check_labels

LABEL_ISSUE_RULES = ("disagreement", "cleanlab")


@dataclasses.dataclass(frozen=True)
class LabelIssues:
    """Examples whose given label the clean prediction disagrees with.

    Attributes:
        indices: Positions of the flagged examples, most suspect first.
        given_labels: Their labels as given.
        suggested_labels: For each, the most probable class other than
            its given label.
        scores: How strongly the prediction disagrees: its probability of
            the suggested label minus that of the given one; positive for
            every example flagged by `"disagreement"`.
    """

    indices: np.ndarray
    given_labels: np.ndarray
    suggested_labels: np.ndarray
    scores: np.ndarray

    def __len__(self):
        return len(self.indices)


def find_label_issues(probabilities, labels, rule="disagreement"):
    """Ranks examples by how strongly a prediction disagrees with labels.

    Flagged examples are ranked by the margin between the probability of
    the most probable other class and that of the given label.

    Args:
        probabilities: Clean class probabilities, shape `(n, L)`.
        labels: The given (possibly noisy) labels, `n` of them: integers,
            or one-hot rows (read as their most probable class).
        rule: Which examples to flag. `"disagreement"`: every example
            for which another class is more probable than its label.
            `"cleanlab"`: those cleanlab's `filter.find_label_issues`
            flags from the same probabilities (confident learning: on
            CIFAR-10N it flags fewer, more of them truly wrong;
            `docs/real_noise.md`); needs `keras-nnaqc[cleanlab]`.
            Defaults to `"disagreement"`.

    Returns:
        A `LabelIssues`.
    """
    if rule not in LABEL_ISSUE_RULES:
        raise ValueError(
            f"`rule` must be one of {LABEL_ISSUE_RULES}. Received: "
            f"rule={rule!r}"
        )
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2:
        raise ValueError(
            "`probabilities` must have shape (n, num_classes). Received: "
            f"probabilities.shape={probabilities.shape}"
        )
    labels = check_labels(labels, probabilities.shape[1], one_hot=True)
    labels = labels.reshape(-1)
    if len(labels) != len(probabilities):
        raise ValueError(
            "There must be one label per prediction. Received: "
            f"{len(labels)} labels and {len(probabilities)} predictions"
        )
    rows = np.arange(len(labels))
    others = probabilities.copy()
    others[rows, labels] = -np.inf
    suggested = others.argmax(axis=1)
    margins = probabilities[rows, suggested] - probabilities[rows, labels]
    if rule == "cleanlab":
        cleanlab_filter = import_cleanlab_filter('`rule="cleanlab"`')
        flagged = np.flatnonzero(
            cleanlab_filter.find_label_issues(labels, probabilities)
        )
    else:
        flagged = np.flatnonzero(margins > 0)
    order = flagged[np.argsort(-margins[flagged], kind="stable")]
    return LabelIssues(order, labels[order], suggested[order], margins[order])
