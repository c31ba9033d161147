import keras
from keras import ops

from keras_nnaqc._validation import check_probability
from keras_nnaqc.losses.loss_inputs import dense_labels
from keras_nnaqc.losses.loss_inputs import log_probabilities

BOOTSTRAP_MODES = ("soft", "hard")


def bootstrap_loss(y_true, y_pred, beta=0.95, mode="soft", from_logits=False):
    """Reed et al.'s bootstrapping loss on the model's own prediction.

    `-sum_j (beta * y'_j + (1 - beta) * z_j) log y_hat_j`, where `z` is the
    prediction `y_hat` itself (`"soft"`) or its one-hot argmax (`"hard"`).
    No gradient flows through the hard target; the soft one is the paper's
    quasi-clustering term with its `beta` replaced by `1 - beta`.

    Args:
        y_true: Noisy labels, integers of shape `(batch,)` / `(batch, 1)` or
            one-hot of shape `(batch, L)`.
        y_pred: The model's prediction, shape `(batch, L)`.
        beta: Weight of the given labels in the target, in [0, 1]. Defaults
            to `0.95` (Reed et al.'s soft setting; they use 0.8 for hard).
        mode: `"soft"` or `"hard"`. Defaults to `"soft"`.
        from_logits: Whether `y_pred` holds logits. Defaults to `False`.

    Returns:
        The loss of each sample, shape `(batch,)`.
    """
    beta = check_probability("beta", beta)
    if mode not in BOOTSTRAP_MODES:
        raise ValueError(
            f"`mode` must be one of {BOOTSTRAP_MODES}. Received: mode={mode!r}"
        )
    log_probs = log_probabilities(y_pred, from_logits)
    labels = dense_labels(y_true, log_probs)
    if mode == "soft":
        prediction = ops.exp(log_probs)
    else:
        prediction = ops.one_hot(
            ops.argmax(log_probs, axis=-1),
            log_probs.shape[-1],
            dtype=log_probs.dtype,
        )
    target = beta * labels + (1.0 - beta) * prediction
    return -ops.sum(target * log_probs, axis=-1)


@keras.saving.register_keras_serializable(package="keras_nnaqc")
class BootstrapLoss(keras.losses.Loss):
    """Soft or hard bootstrapping (Reed et al., 2015).

    Args:
        beta: Weight of the given labels in the target, in [0, 1]. Defaults
            to `0.95`.
        mode: `"soft"` (target mixes in the prediction) or `"hard"` (its
            argmax). Defaults to `"soft"`.
        from_logits: Whether predictions are logits. Defaults to `False`.
        reduction: Type of reduction. Defaults to `"sum_over_batch_size"`.
        name: Name of the loss. Defaults to `"bootstrap_loss"`.
        dtype: Dtype of the computation. Defaults to `None` (floatx).

    Example:

    ```python
    model.compile(
        optimizer="adam",
        loss=keras_nnaqc.losses.BootstrapLoss(beta=0.8, mode="hard"),
    )
    ```

    Reference:
        - [Reed et al., 2015](https://arxiv.org/abs/1412.6596)
    """

    def __init__(
        self,
        beta=0.95,
        mode="soft",
        from_logits=False,
        reduction="sum_over_batch_size",
        name="bootstrap_loss",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.beta = check_probability("beta", beta)
        if mode not in BOOTSTRAP_MODES:
            raise ValueError(
                f"`mode` must be one of {BOOTSTRAP_MODES}. Received: "
                f"mode={mode!r}"
            )
        self.mode = mode
        self.from_logits = from_logits
        # As given: `self.dtype` is the compute dtype, "float16" for
        # "mixed_float16".
        self._dtype_config = keras.dtype_policies.serialize(dtype)

    def call(self, y_true, y_pred):
        return bootstrap_loss(
            y_true, y_pred, self.beta, self.mode, self.from_logits
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "beta": self.beta,
                "mode": self.mode,
                "from_logits": self.from_logits,
                "dtype": self._dtype_config,
            }
        )
        return config
