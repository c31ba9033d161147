import numbers

import keras
from keras import ops

from keras_nnaqc._validation import check_loss_weights
from keras_nnaqc._validation import check_probability
from keras_nnaqc.losses.loss_inputs import dense_labels
from keras_nnaqc.losses.loss_inputs import log_probabilities


def nna_loss(y_true, y_pred, from_logits=False):
    """The noise-aware term `L_NNA`: cross-entropy of the noisy labels.

    `-sum_j y'_j log y_hat'_j`, where `y_hat'` is the noise head's output.

    Args:
        y_true: Noisy labels, integers of shape `(batch,)` / `(batch, 1)` or
            one-hot (or soft) of shape `(batch, L)`.
        y_pred: Noise-head output `y_hat'`, shape `(batch, L)`.
        from_logits: Whether `y_pred` holds logits. Defaults to `False`.

    Returns:
        The loss of each sample, shape `(batch,)`.
    """
    log_probs = log_probabilities(y_pred, from_logits)
    y_true = dense_labels(y_true, log_probs)
    return -ops.sum(y_true * log_probs, axis=-1)


def qc_loss(y_true, y_pred, beta=0.9, from_logits=False):
    """The quasi-clustering term `L_QC`.

    `-sum_j (beta * y_hat_j + (1 - beta) * y'_j) log y_hat_j`, where `y_hat`
    is the base model's clean prediction: `beta` times its entropy plus
    `1 - beta` times its cross-entropy with the noisy labels.

    Args:
        y_true: Noisy labels, integers of shape `(batch,)` / `(batch, 1)` or
            one-hot (or soft) of shape `(batch, L)`.
        y_pred: Clean prediction `y_hat`, shape `(batch, L)`.
        beta: Weight of the model's own prediction in the target, in [0, 1]
            (a number, or a scalar tensor for a schedule). Defaults to `0.9`.
        from_logits: Whether `y_pred` holds logits. Defaults to `False`.

    Returns:
        The loss of each sample, shape `(batch,)`.
    """
    if isinstance(beta, numbers.Real):
        beta = check_probability("beta", beta)
    log_probs = log_probabilities(y_pred, from_logits)
    y_true = dense_labels(y_true, log_probs)
    target = beta * ops.exp(log_probs) + (1.0 - beta) * y_true
    return -ops.sum(target * log_probs, axis=-1)


def nnaqc_loss(
    y_true,
    y_pred,
    alpha=0.9,
    beta=0.9,
    from_logits=False,
    return_terms=False,
):
    """The NNAQC loss of eq. 6: `alpha * L_NNA + (1 - alpha) * L_QC`.

    Args:
        y_true: Noisy labels, integers of shape `(batch,)` / `(batch, 1)` or
            one-hot (or soft) of shape `(batch, L)`.
        y_pred: A dict with the noise head's output under `"noisy"` and the
            base model's clean prediction under `"clean"`, each `(batch, L)`.
        alpha: Weight of the noise-aware term, in [0, 1]. Defaults to `0.9`.
        beta: Weight of the prediction in the quasi-clustering target, in
            [0, 1] (a number, or a scalar tensor for a schedule such as
            `NoisyLabelModel`'s warm-up). Defaults to `0.9`.
        from_logits: Whether both predictions are logits. Defaults to `False`.
        return_terms: Whether to return the two terms with the loss.
            Defaults to `False`.

    Returns:
        The loss of each sample, shape `(batch,)`; with `return_terms=True`,
        the tuple `(loss, nna, qc)` of the loss and its terms `L_NNA` and
        `L_QC`, each of shape `(batch,)`.
    """
    alpha = check_probability("alpha", alpha)
    noisy, clean = _unpack_predictions(y_pred)
    nna = nna_loss(y_true, noisy, from_logits)
    qc = qc_loss(y_true, clean, beta, from_logits)
    loss = alpha * nna + (1.0 - alpha) * qc
    if return_terms:
        return loss, nna, qc
    return loss


@keras.saving.register_keras_serializable(package="keras_nnaqc")
class NNAQCLoss(keras.losses.Loss):
    """The NNAQC loss (eq. 6): `alpha * L_NNA + (1 - alpha) * L_QC`.

    `L_NNA` is the cross-entropy of the noisy labels under the noise head's
    output; `L_QC` is the quasi-clustering term on the base model's clean
    prediction (see `keras_nnaqc.losses.qc_loss`). `NoisyLabelModel` uses it
    for you; a model of your own can use it on a dict of two outputs, the
    noise head's under `"noisy"` and the clean prediction under `"clean"`.

    Args:
        alpha: Weight of the noise-aware term, in [0, 1]. `alpha=1` is pure
            NNA, `alpha=0` pure QC. Defaults to `0.9`.
        beta: Weight of the clean prediction in the quasi-clustering target,
            in [0, 1]. Defaults to `0.9`.
        from_logits: Whether both predictions are logits (recommended: logits
            of any size then give finite losses and gradients). Defaults to
            `False`.
        reduction: Type of reduction, as for any Keras loss. Defaults to
            `"sum_over_batch_size"`.
        name: Name of the loss. Defaults to `"nnaqc_loss"`.
        dtype: Dtype of the loss computation. Defaults to `None`, which means
            `keras.backend.floatx()`.

    Call arguments:
        y_true: Noisy labels, integers of shape `(batch,)` / `(batch, 1)` or
            one-hot of shape `(batch, L)`.
        y_pred: A dict `{"noisy": y_hat_prime, "clean": y_hat}` of
            `(batch, L)` tensors.
        sample_weight: Optional per-sample weights.

    Returns:
        The reduced loss.

    Example:

    A model of your own with both heads: give it the loss in `compute_loss`
    (Keras would apply a `compile()` loss to each output separately).

    ```python
    class TwoHeadModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.nnaqc = keras_nnaqc.NNAQCLoss(alpha=0.9, beta=0.9)

        def compute_loss(self, x, y, y_pred, sample_weight, training=True):
            return self.nnaqc(y, y_pred, sample_weight)

    inputs = keras.Input((784,))
    clean = keras.layers.Dense(10, activation="softmax")(inputs)
    noisy = keras_nnaqc.NoiseAdaptationLayer()(clean)
    model = TwoHeadModel(inputs, {"noisy": noisy, "clean": clean})
    model.compile(optimizer="adam")
    model.fit(x_train, noisy_labels)
    ```

    Reference:
        - NNAQC: Nonlinear, Noise-Aware, Quasi-Clustering, section 3.1, eq. 6.
        - [Reed et al., 2015](https://arxiv.org/abs/1412.6596) for the
          bootstrapping form of the quasi-clustering term.
    """

    def __init__(
        self,
        alpha=0.9,
        beta=0.9,
        from_logits=False,
        reduction="sum_over_batch_size",
        name="nnaqc_loss",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.alpha, self.beta = check_loss_weights(alpha, beta)
        self.from_logits = from_logits
        # As given: `self.dtype` is the compute dtype, "float16" for
        # "mixed_float16".
        self._dtype_config = keras.dtype_policies.serialize(dtype)

    def call(self, y_true, y_pred):
        return nnaqc_loss(
            y_true, y_pred, self.alpha, self.beta, self.from_logits
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "alpha": self.alpha,
                "beta": self.beta,
                "from_logits": self.from_logits,
                "dtype": self._dtype_config,
            }
        )
        return config


def _unpack_predictions(y_pred):
    if not isinstance(y_pred, dict) or set(y_pred) != {"noisy", "clean"}:
        if isinstance(y_pred, dict):
            received = f"a dict with keys {sorted(y_pred)}"
        else:
            shape = tuple(getattr(y_pred, "shape", ()))
            received = f"{type(y_pred).__name__} of shape {shape}"
        raise ValueError(
            "The NNAQC loss needs both predictions: pass y_pred as a dict "
            "{'noisy': noise_head_output, 'clean': base_model_output}. "
            f"Received: {received}"
        )
    return y_pred["noisy"], y_pred["clean"]
