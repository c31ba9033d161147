import numpy as np


def estimate_transition(probabilities, percentile=97.0):
    """Patrini et al.'s anchor-point estimate of the noise transition matrix.

    `probabilities` are a model's predictions of the *noisy* labels (e.g. a
    plain model trained on them). For each class `i` an anchor sample is
    chosen: the one with the highest `p(noisy = i | x)` below that class's
    `percentile`-th percentile (the top scores are treated as outliers), or
    the very highest with `percentile=None`. Row `i` of the estimate is the
    anchor's predicted distribution: if the anchor surely belongs to class
    `i`, that is p(noisy label | clean label `i`).

    Args:
        probabilities: Predicted noisy-label probabilities, shape `(n, L)`.
        percentile: Percentile in (0, 100] of the outlier cut, or `None` for
            none. Defaults to `97.0`, the value of Patrini et al.

    Returns:
        A row-stochastic float64 array of shape `(L, L)`.

    Example:

    >>> probabilities = keras.ops.softmax(model.predict(x_train)).numpy()
    >>> t_hat = keras_nnaqc.methods.estimate_transition(probabilities)

    Reference:
        - [Patrini et al., 2017](https://arxiv.org/abs/1609.03683)
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or probabilities.shape[0] < 1:
        raise ValueError(
            "`probabilities` must have shape (n, num_classes) with n >= 1. "
            f"Received: probabilities.shape={probabilities.shape}"
        )
    if not np.all(np.isfinite(probabilities)) or probabilities.min() < 0:
        raise ValueError(
            "`probabilities` must be finite and non-negative. Received: "
            f"minimum {float(np.nanmin(probabilities))}"
        )
    if percentile is None:
        anchors = np.argmax(probabilities, axis=0)
    else:
        if not 0.0 < percentile <= 100.0:
            raise ValueError(
                "`percentile` must be in (0, 100] or None. Received: "
                f"percentile={percentile!r}"
            )
        cuts = np.percentile(probabilities, percentile, axis=0, method="higher")
        below = np.where(probabilities < cuts, probabilities, -np.inf)
        anchors = np.argmax(below, axis=0)
    rows = probabilities[anchors]
    return rows / rows.sum(axis=1, keepdims=True)
