"""Standard forms of a loss's inputs: log-probabilities and one-hot labels."""

import keras
from keras import ops


def log_probabilities(y_pred, from_logits=False):
    """Log class probabilities from logits or from probabilities.

    From logits this is an exact `log_softmax`; probabilities are normalised
    and clipped to `[epsilon, 1 - epsilon]` first, as Keras's cross-entropy
    does.

    Args:
        y_pred: Scores of shape `(batch, L)`.
        from_logits: Whether `y_pred` holds logits. Defaults to `False`.

    Returns:
        Log-probabilities of shape `(batch, L)`.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    if from_logits:
        return ops.log_softmax(y_pred, axis=-1)
    y_pred = y_pred / ops.sum(y_pred, axis=-1, keepdims=True)
    epsilon = keras.config.epsilon()
    return ops.log(ops.clip(y_pred, epsilon, 1.0 - epsilon))


def dense_labels(y_true, log_probs):
    """One-hot labels from integer ones, shape-checked against predictions.

    Args:
        y_true: Integer labels of shape `(batch,)` / `(batch, 1)`, or one-hot
            (or soft) labels of shape `(batch, L)`.
        log_probs: The predictions they are compared with, `(batch, L)`.

    Returns:
        Labels of shape `(batch, L)` in the dtype of `log_probs`.
    """
    num_classes = log_probs.shape[-1]
    y_true = ops.convert_to_tensor(y_true)
    shape = tuple(y_true.shape)
    batch_rank = len(log_probs.shape) - 1
    if len(shape) == batch_rank or (
        len(shape) == batch_rank + 1 and shape[-1] == 1
    ):
        if len(shape) == batch_rank + 1:
            y_true = ops.squeeze(y_true, axis=-1)
        return ops.one_hot(
            ops.cast(y_true, "int32"), num_classes, dtype=log_probs.dtype
        )
    if len(shape) == batch_rank + 1 and shape[-1] in (num_classes, None):
        return ops.cast(y_true, log_probs.dtype)
    raise ValueError(
        "Labels must be integers of shape (batch,) or (batch, 1), or one-hot "
        f"of shape (batch, {num_classes}) to match predictions of shape "
        f"{tuple(log_probs.shape)}. Received: y_true.shape={shape}"
    )
