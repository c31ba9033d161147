import numbers

import keras
import numpy as np
from keras import ops

from keras_nnaqc._validation import check_num_classes
from keras_nnaqc._validation import check_transition_matrix

MODES = ("nonlinear", "linear")


@keras.saving.register_keras_serializable(package="keras_nnaqc")
class NoiseAdaptationLayer(keras.layers.Layer):
    """Maps clean-label probabilities to noisy-label probabilities.

    The noise head of NNAQC. It takes the base model's clean class
    probabilities `y_hat` (shape `(batch, L)`) and returns the probabilities
    of the noisy labels, through an `L x L` matrix `W` (`weight_matrix`):

    - `mode="nonlinear"` (the paper's eq. 3): `softmax(y_hat @ W)`.
    - `mode="linear"` (eqs. 4-5, Sukhbaatar et al.):
      `y_hat @ softmax_rows(W)`, a row-stochastic transition matrix.

    In both modes the response to a one-hot clean label `e_i` is
    `softmax(W[i])`: the two differ only on uncertain inputs, where the
    nonlinear head is more diffuse. The layer is used during training only;
    predictions come from the base model alone.

    Args:
        num_classes: Number of classes `L`. Defaults to `None`, which means
            the size of the input's last axis.
        mode: `"nonlinear"` or `"linear"`. Defaults to `"nonlinear"`.
        kernel_initializer: Initializer of `W`. Defaults to `"identity"`,
            whose transition matrix has `e / (e + L - 1)` on its diagonal.
        kernel_speed: How fast `W` trains, a number > 0: an optimizer whose
            step depends on the gradient alone (SGD with or without
            momentum, Adam, RMSprop) moves `W` `kernel_speed` times as far
            as a plain weight given the same gradient. The layer's `kernel`
            variable holds `W / kernel_speed` and receives the gradient of
            `W` itself. Decoupled weight decay, and optimizers that scale
            steps by the weight's size (Adafactor, Lamb), are not sped up.
            `W` starts at the initializer's value whatever the speed. A fast
            head can let the base model learn the classes under swapped
            names (the head swaps them back); `NoisyLabelModel`'s default
            head runs at 10 with `constraints.DiagonallyDominant`, which
            prevents it. Defaults to `1.0` (the paper).
        kernel_regularizer: Optional regularizer of `W`. Defaults to `None`.
        kernel_constraint: Optional constraint on the `kernel` variable.
            Defaults to `None`.
        dropout: Dropout rate applied to the layer's input while training
            (Jindal et al.; the paper's "Regu. NNAQC"), in [0, 1). With the
            linear mode the dropped-out input is renormalised, so the output
            stays a distribution. It runs in float32 whatever the dtype
            policy, as does the rest of the layer's math. Defaults to `0.0`.
        trace_penalty: Weight `lambda >= 0` of the trace regularizer of
            Sukhbaatar et al., `lambda * trace(softmax_rows(W))`, which pushes
            the noise onto the head and off the base model. Defaults to `0.0`.
        seed: Seed of the dropout. Defaults to `None`.
        **kwargs: Base layer arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Clean class probabilities, shape `(batch, L)`.
        training: Whether dropout is active. Defaults to `None` (inference).

    Returns:
        Noisy-label probabilities, shape `(batch, L)`.

    Example:

    >>> layer = keras_nnaqc.NoiseAdaptationLayer(mode="linear")
    >>> noisy = layer(keras.ops.softmax(keras.random.normal((4, 10))))
    >>> layer.transition_matrix().shape
    (10, 10)

    Reference:
        - [Sukhbaatar et al., 2015](https://arxiv.org/abs/1406.2080)
        - [Jindal et al., 2016](https://arxiv.org/abs/1705.03419)
    """

    def __init__(
        self,
        num_classes=None,
        mode="nonlinear",
        kernel_initializer="identity",
        kernel_speed=1.0,
        kernel_regularizer=None,
        kernel_constraint=None,
        dropout=0.0,
        trace_penalty=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if num_classes is not None:
            num_classes = check_num_classes(num_classes)
        if mode not in MODES:
            raise ValueError(
                f"`mode` must be one of {MODES}. Received: mode={mode!r}"
            )
        if not isinstance(dropout, numbers.Real) or not 0.0 <= dropout < 1.0:
            raise ValueError(
                f"`dropout` must be in [0, 1). Received: dropout={dropout!r}"
            )
        if (
            isinstance(kernel_speed, bool)
            or not isinstance(kernel_speed, numbers.Real)
            or not 0 < kernel_speed < float("inf")
        ):
            raise ValueError(
                "`kernel_speed` must be a finite number > 0. Received: "
                f"kernel_speed={kernel_speed!r}"
            )
        if not isinstance(trace_penalty, numbers.Real) or trace_penalty < 0:
            raise ValueError(
                "`trace_penalty` must be a number >= 0. Received: "
                f"trace_penalty={trace_penalty!r}"
            )
        self.num_classes = num_classes
        self.mode = mode
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_speed = float(kernel_speed)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.dropout = dropout
        self.trace_penalty = trace_penalty
        self.seed = seed
        # float32 under mixed precision too: in float16 the head's gradient
        # overflows where the dropout removes the dominant class.
        self.input_dropout = (
            keras.layers.Dropout(dropout, seed=seed, dtype="float32")
            if dropout
            else None
        )

    @classmethod
    def from_transition_matrix(cls, transition_matrix, mode="linear", **kwargs):
        """Creates a built layer whose `transition_matrix()` is the given one.

        Used for the genie-aided baseline (the true noise matrix) and forward
        correction (an estimated one); pass `trainable=False` to keep it fixed.

        Args:
            transition_matrix: Row-stochastic `(L, L)` matrix, row `i` being
                p(noisy label | clean label `i`).
            mode: `"linear"` or `"nonlinear"`. Defaults to `"linear"`.
            **kwargs: Other constructor arguments, e.g. `trainable=False`.

        Returns:
            A built `NoiseAdaptationLayer`.
        """
        matrix = check_transition_matrix(transition_matrix)
        layer = cls(num_classes=len(matrix), mode=mode, **kwargs)
        layer.build((None, len(matrix)))
        tiny = np.finfo(np.float32).tiny
        weights = np.log(np.maximum(matrix, tiny)) / layer.kernel_speed
        layer.kernel.assign(weights)
        return layer

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "`NoiseAdaptationLayer` expects clean class probabilities of "
                "shape (batch, num_classes). Received: "
                f"input_shape={tuple(input_shape)}"
            )
        num_classes = input_shape[-1]
        if self.num_classes is not None and num_classes != self.num_classes:
            raise ValueError(
                f"`NoiseAdaptationLayer` was created with num_classes="
                f"{self.num_classes} but its input has {num_classes} classes. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        if num_classes < 2:
            raise ValueError(
                "`NoiseAdaptationLayer` needs at least 2 classes. Received: "
                f"input_shape={tuple(input_shape)}"
            )
        penalised = self.trace_penalty or self.kernel_regularizer is not None
        self.kernel = self.add_weight(
            name="kernel",
            shape=(num_classes, num_classes),
            initializer=self._initial_kernel,
            regularizer=self._kernel_penalty if penalised else None,
            constraint=self.kernel_constraint,
        )
        if self.input_dropout is not None:
            self.input_dropout.build(input_shape)

    def call(self, inputs, training=None):
        logits = self._noisy_logits_from_weights(inputs, training)
        return ops.cast(ops.softmax(logits, axis=-1), self.compute_dtype)

    def noisy_logits(self, clean_logits, training=None):
        """Noisy-label logits from the base model's clean logits.

        The numerically stable path used by `NoisyLabelModel`: the clean
        distribution is never formed from a saturated softmax, so logits of
        any size give finite values and gradients. Log-probabilities are
        valid logits too. The result is computed in float32.

        Args:
            clean_logits: Clean-label logits, shape `(batch, L)`.
            training: Whether dropout is active. Defaults to `None`.

        Returns:
            Float32 logits `z` with `softmax(z)` equal to `call`'s output.
        """
        clean_logits = ops.cast(clean_logits, "float32")
        # exp(logits - max) is proportional to the clean probabilities, with
        # its largest entry exactly 1: it cannot overflow or vanish entirely.
        weights = ops.exp(
            clean_logits - ops.max(clean_logits, axis=-1, keepdims=True)
        )
        return self._noisy_logits_from_weights(weights, training)

    def transition_matrix(self):
        """The effective transition matrix p(noisy label | clean label).

        Row `i` is the layer's response to the one-hot clean label `e_i`,
        with dropout off: `softmax(W[i])` in both modes.

        Returns:
            A NumPy array of shape `(L, L)` whose rows sum to 1.
        """
        if not self.built:
            raise ValueError(
                "`transition_matrix()` needs a built layer: call the layer on "
                "data (or `build((None, num_classes))`) first."
            )
        one_hot = ops.eye(self.kernel.shape[0], dtype="float32")
        matrix = self._noisy_logits_from_weights(one_hot, training=False)
        return ops.convert_to_numpy(ops.softmax(matrix, axis=-1))

    @property
    def weight_matrix(self):
        """The matrix `W` of the paper's eqs. 3-5: `kernel_speed * kernel`.

        A float32 tensor of shape `(L, L)`, laid out as Keras lays out a
        `Dense` kernel: it multiplies row vectors of clean probabilities
        `y_hat`, so it is the transpose of the paper's `W`, which multiplies
        column vectors.

        - `mode="nonlinear"`: the noisy-label logits are `y_hat @ W` (eq. 3).
        - `mode="linear"`: `softmax(W, axis=-1)` (each row's softmax, the
          paper's column softmax) is the transition matrix, row `i` being
          p(noisy label | clean label `i`), and the noisy-label
          probabilities are `y_hat @ softmax(W, axis=-1)` (eq. 5).

        In both modes `transition_matrix()` equals `softmax(W, axis=-1)`.
        The layer computes its outputs and its penalty from this property,
        so a subclass can override it to parameterise `W` otherwise; to
        keep `kernel_speed`'s meaning under SGD, the kernel must receive
        `W`'s gradient unscaled (as here), not `kernel_speed` times it. A
        subclass that only changes the speed overrides `_speed` instead.
        """
        if not self.built:
            raise ValueError(
                "`weight_matrix` needs a built layer: call the layer on data "
                "(or `build((None, num_classes))`) first."
            )
        kernel = ops.cast(self.kernel, "float32")
        # Forward, `speed * kernel`; backward, the kernel gets W's gradient
        # unscaled, so SGD's step on W is `speed` times the plain one, as
        # Adam's is (a plain product would make SGD's `speed ** 2` times).
        fixed = ops.stop_gradient(kernel)
        return self._speed() * fixed + (kernel - fixed)

    def _speed(self):
        """The speed `weight_matrix` applies: `kernel_speed`, or what a
        subclass that changes it during training holds."""
        return self.kernel_speed

    def _initial_kernel(self, shape, dtype=None):
        return self.kernel_initializer(shape, dtype) / self.kernel_speed

    def _noisy_logits_from_weights(self, weights, training):
        """Logits of the noisy labels from non-negative clean weights.

        `weights` are clean probabilities up to a per-row factor (exactly the
        probabilities when called from `call`).
        """
        weights = ops.cast(weights, "float32")
        kernel = self.weight_matrix
        if self.mode == "nonlinear":
            probabilities = weights / ops.sum(weights, axis=-1, keepdims=True)
            probabilities = self._dropout(probabilities, training)
            return ops.matmul(probabilities, kernel)
        weights = self._dropout(weights, training)
        mixture = ops.matmul(weights, ops.softmax(kernel, axis=-1))
        # The per-row scale of `weights` cancels in the softmax; the floor
        # keeps a class with (numerically) zero probability finite, as Keras's
        # cross-entropy clips probabilities at epsilon.
        return ops.log(ops.maximum(mixture, keras.config.epsilon()))

    def _dropout(self, inputs, training):
        if self.input_dropout is None:
            return inputs
        return ops.cast(
            self.input_dropout(inputs, training=training), "float32"
        )

    def _kernel_penalty(self, kernel):
        # Keras passes the value of `self.kernel` (in a JAX stateless scope
        # too), which `weight_matrix` reads.
        matrix = self.weight_matrix
        penalty = self.trace_penalty * ops.trace(ops.softmax(matrix, axis=-1))
        if self.kernel_regularizer is not None:
            penalty = penalty + self.kernel_regularizer(matrix)
        return penalty

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_classes": self.num_classes,
                "mode": self.mode,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "kernel_speed": self.kernel_speed,
                "kernel_regularizer": keras.regularizers.serialize(
                    self.kernel_regularizer
                ),
                "kernel_constraint": keras.constraints.serialize(
                    self.kernel_constraint
                ),
                "dropout": self.dropout,
                "trace_penalty": self.trace_penalty,
                "seed": self.seed,
            }
        )
        return config
