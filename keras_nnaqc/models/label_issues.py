import dataclasses

import numpy as np

from keras_nnaqc._validation import check_labels


@dataclasses.dataclass(frozen=True)
class LabelIssues:
    """Examples whose given label the clean prediction disagrees with.

    Attributes:
        indices: Positions of the flagged examples, most suspect first.
        given_labels: Their labels as given.
        suggested_labels: The clean prediction's label for each.
        scores: How strongly the prediction disagrees: its probability of
            the suggested label minus that of the given one, in (0, 1].
    """

    indices: np.ndarray
    given_labels: np.ndarray
    suggested_labels: np.ndarray
    scores: np.ndarray

    def __len__(self):
        return len(self.indices)


def find_label_issues(probabilities, labels):
    """Ranks examples by how strongly a prediction disagrees with labels.

    An example is flagged when its most probable class is not its label;
    flagged examples are ranked by the margin between the two
    probabilities.

    Args:
        probabilities: Clean class probabilities, shape `(n, L)`.
        labels: The given (possibly noisy) labels, `n` of them: integers,
            or one-hot rows (read as their most probable class).

    Returns:
        A `LabelIssues`.
    """
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
    suggested = probabilities.argmax(axis=1)
    margins = probabilities[rows, suggested] - probabilities[rows, labels]
    flagged = np.flatnonzero(suggested != labels)
    order = flagged[np.argsort(-margins[flagged], kind="stable")]
    return LabelIssues(order, labels[order], suggested[order], margins[order])
