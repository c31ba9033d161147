from keras import ops

from keras_nnaqc.losses.loss_inputs import log_probabilities


def class_balance_loss(
    y_pred, prior=None, from_logits=False, sample_weight=None
):
    """How far a batch's mean prediction is from the classes' prior.

    `KL(prior || m) = sum_j prior_j log(prior_j / m_j)`, where `m` is the
    batch mean of the predicted probabilities, the term Tanaka et al. add
    beside an entropy term. It is zero when the model predicts each class
    as often as the prior says, whichever images it gives it to, so unlike
    cross-entropy it does not fit wrong labels; it stops a model from
    merging classes or collapsing onto one. It takes no labels.

    Args:
        y_pred: Predictions, shape `(batch, L)`.
        prior: Each class's share of the data, `L` numbers summing to 1.
            Defaults to `None`: uniform, `1 / L` each.
        from_logits: Whether `y_pred` holds logits. Defaults to `False`.
        sample_weight: Optional weight of each sample in the mean, shape
            `(batch,)`. Defaults to `None`.

    Returns:
        The loss of the batch, a scalar.

    Example:

    >>> float(keras_nnaqc.losses.class_balance_loss([[0.9, 0.1], [0.1, 0.9]]))
    0.0

    Reference:
        - [Tanaka et al., 2018](https://arxiv.org/abs/1803.11364)
    """
    log_probs = log_probabilities(y_pred, from_logits)
    num_classes = log_probs.shape[-1]
    if prior is None:
        prior = ops.full((num_classes,), 1.0 / num_classes, log_probs.dtype)
    prior = ops.cast(prior, log_probs.dtype)
    if sample_weight is None:
        weights = ops.ones_like(log_probs[:, :1])
    else:
        weights = ops.reshape(ops.cast(sample_weight, log_probs.dtype), (-1, 1))
    total = ops.maximum(ops.sum(weights), 1e-12)
    mean_prediction = ops.sum(ops.exp(log_probs) * weights, axis=0) / total
    log_ratio = ops.log(ops.maximum(prior, 1e-12)) - ops.log(
        ops.maximum(mean_prediction, 1e-12)
    )
    return ops.sum(prior * log_ratio)
