import keras
import numpy as np
from keras import ops

from keras_nnaqc._validation import check_transition_matrix
from keras_nnaqc.losses.loss_inputs import dense_labels
from keras_nnaqc.losses.loss_inputs import log_probabilities


@keras.saving.register_keras_serializable(package="keras_nnaqc")
class BackwardCorrectedLoss(keras.losses.Loss):
    """Patrini et al.'s backward-corrected cross-entropy.

    With `l_j = -log y_hat_j` the loss the prediction would have under clean
    label `j`, the loss under noisy label `y'` is `(T^-1 l)_{y'}`: an
    unbiased estimate of the clean loss when `T` is the true transition
    matrix. It can be negative.

    Args:
        transition_matrix: Row-stochastic, invertible `(L, L)` matrix, row
            `i` being p(noisy label | clean label `i`) (the true one, or one
            estimated with `keras_nnaqc.methods.estimate_transition`).
        from_logits: Whether predictions are logits. Defaults to `False`.
        reduction: Type of reduction. Defaults to `"sum_over_batch_size"`.
        name: Name of the loss. Defaults to `"backward_corrected_loss"`.
        dtype: Dtype of the computation. Defaults to `None` (floatx).

    Reference:
        - [Patrini et al., 2017](https://arxiv.org/abs/1609.03683)
    """

    def __init__(
        self,
        transition_matrix,
        from_logits=False,
        reduction="sum_over_batch_size",
        name="backward_corrected_loss",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        matrix = check_transition_matrix(transition_matrix)
        condition = np.linalg.cond(matrix)
        if not np.isfinite(condition) or condition > 1e8:
            raise ValueError(
                "`transition_matrix` must be invertible for the backward "
                "correction. Received: a matrix with condition number "
                f"{float(condition):.3g}"
            )
        self.transition_matrix = matrix.tolist()
        self.inverse = np.linalg.inv(matrix).astype("float32")
        self.from_logits = from_logits
        # As given: `self.dtype` is the compute dtype, "float16" for
        # "mixed_float16".
        self._dtype_config = keras.dtype_policies.serialize(dtype)

    def call(self, y_true, y_pred):
        log_probs = log_probabilities(y_pred, self.from_logits)
        labels = dense_labels(y_true, log_probs)
        inverse = ops.cast(self.inverse, log_probs.dtype)
        return -ops.sum(ops.matmul(labels, inverse) * log_probs, axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "transition_matrix": self.transition_matrix,
                "from_logits": self.from_logits,
                "dtype": self._dtype_config,
            }
        )
        return config
