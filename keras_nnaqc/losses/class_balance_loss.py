from keras import ops

from keras_nnaqc.losses.loss_inputs import dense_labels
from keras_nnaqc.losses.loss_inputs import log_probabilities


def class_balance_loss(y_true, y_pred, from_logits=False, sample_weight=None):
    """How far a batch's mean prediction is from its labels' frequencies.

    `KL(m' || m) = sum_j m'_j log(m'_j / m_j)`, where `m'` is the class
    frequency of the labels in the batch and `m` the batch mean of the
    predicted probabilities (Tanaka et al. match `m` to a prior in the
    same way). It is zero when the model predicts each class as often as
    the labels give it, whichever images it gives it to, so unlike
    cross-entropy it does not fit wrong labels; it stops a model from
    merging classes or collapsing onto one.

    Args:
        y_true: Labels, integers of shape `(batch,)` / `(batch, 1)` or
            one-hot (or soft) of shape `(batch, L)`.
        y_pred: Predictions, shape `(batch, L)`.
        from_logits: Whether `y_pred` holds logits. Defaults to `False`.
        sample_weight: Optional weight of each sample, shape `(batch,)`,
            in both frequencies. Defaults to `None`.

    Returns:
        The loss of the batch, a scalar.

    Reference:
        - [Tanaka et al., 2018](https://arxiv.org/abs/1803.11364)
    """
    log_probs = log_probabilities(y_pred, from_logits)
    y_true = dense_labels(y_true, log_probs)
    if sample_weight is None:
        weights = ops.ones_like(log_probs[:, :1])
    else:
        weights = ops.reshape(ops.cast(sample_weight, log_probs.dtype), (-1, 1))
    total = ops.maximum(ops.sum(weights), 1e-12)
    label_frequency = ops.sum(y_true * weights, axis=0) / total
    mean_prediction = ops.sum(ops.exp(log_probs) * weights, axis=0) / total
    log_ratio = ops.log(ops.maximum(label_frequency, 1e-12)) - ops.log(
        ops.maximum(mean_prediction, 1e-12)
    )
    return ops.sum(label_frequency * log_ratio)
