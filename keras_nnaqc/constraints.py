"""Constraints on the noise head's weights."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_nnaqc")
class DiagonallyDominant(keras.constraints.Constraint):
    """Keeps the largest entry of each row of a square matrix on its diagonal.

    After each update, `W[i, i]` is raised to `max_j W[i, j]` where an
    off-diagonal entry is larger. On a noise head's `W` it means every clean
    class is the most likely noisy label of its own examples, the usual
    assumption under which label noise can be learned at all: without it, a
    model can learn the classes under swapped names and a head that swaps
    them back fits the noisy labels just as well. The condition is
    unchanged by a positive scale, so it holds for `W` whatever the head's
    `kernel_speed`.

    Example:

    ```python
    head = keras_nnaqc.NoiseAdaptationLayer(
        kernel_speed=10,
        kernel_constraint=keras_nnaqc.constraints.DiagonallyDominant(),
    )
    ```
    """

    def __call__(self, w):
        if len(w.shape) != 2 or w.shape[0] != w.shape[1]:
            raise ValueError(
                "`DiagonallyDominant` applies to square matrices. Received: "
                f"w.shape={tuple(w.shape)}"
            )
        raise_by = ops.max(w, axis=1) - ops.diagonal(w)
        return w + ops.eye(w.shape[0], dtype=w.dtype) * raise_by[:, None]


__all__ = ["DiagonallyDominant"]
