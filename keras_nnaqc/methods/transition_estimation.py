import numpy as np

# Classes handled at once: bounds the memory to a few copies of this many
# columns (1.28M ImageNet samples x 32 classes x 8 bytes = 330 MB).
CLASS_BLOCK = 32


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
        probabilities: Predicted noisy-label probabilities, shape `(n, L)`,
            float32 or float64 (kept as given, to save memory).
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
    probabilities = np.asarray(probabilities)
    if not np.issubdtype(probabilities.dtype, np.floating):
        probabilities = probabilities.astype(np.float64)
    if probabilities.ndim != 2 or probabilities.shape[0] < 1:
        raise ValueError(
            "`probabilities` must have shape (n, num_classes) with n >= 1. "
            f"Received: probabilities.shape={probabilities.shape}"
        )
    if percentile is not None and not 0.0 < percentile <= 100.0:
        raise ValueError(
            "`percentile` must be in (0, 100] or None. Received: "
            f"percentile={percentile!r}"
        )
    num_classes = probabilities.shape[1]
    anchors = np.empty(num_classes, dtype=np.int64)
    for start in range(0, num_classes, CLASS_BLOCK):
        block = probabilities[:, start : start + CLASS_BLOCK]
        if not np.all(np.isfinite(block)) or block.min() < 0:
            raise ValueError(
                "`probabilities` must be finite and non-negative. Received: "
                f"minimum {float(np.nanmin(block))} among classes "
                f"{start}-{start + block.shape[1] - 1}"
            )
        if percentile is not None:
            cuts = np.percentile(block, percentile, axis=0, method="higher")
            block = np.where(block < cuts, block, -np.inf)
        anchors[start : start + block.shape[1]] = np.argmax(block, axis=0)
    rows = probabilities[anchors].astype(np.float64)
    return rows / rows.sum(axis=1, keepdims=True)
