import inspect
import numbers

import keras_tuner

from keras_nnaqc._optimizers import fresh_optimizer
from keras_nnaqc._validation import check_num_classes
from keras_nnaqc.layers.noise_adaptation_layer import MODES
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.models.default_noise_head import default_noise_head

SAMPLINGS = ("linear", "log", "reverse_log")


class NNAQCHyperModel(keras_tuner.HyperModel):
    """The search space of NNAQC: `alpha` and `beta`, and optionally more.

    Each trial builds a `NoisyLabelModel` around a fresh base model. The
    hyperparameters have stable names: `"alpha"` and `"beta"` always,
    `"noise_mode"`, `"dropout"` and `"learning_rate"` when their ranges are
    given. A range is a `(min, max)` pair, or one number to fix the value.

    Args:
        build_base_model: Returns a new base model. A function with one
            required argument gets the trial's `hp`, to search the base
            model too.
        num_classes: Number of classes; the base model must output one
            score per class.
        alpha: Range of `alpha`, within [0, 1]. Defaults to `(0.0, 1.0)`.
        beta: Range of `beta`, within [0, 1]. Defaults to `(0.0, 1.0)`.
        sampling: Sampling of `alpha` and `beta`: `"linear"`, `"log"` or
            `"reverse_log"`. Defaults to `"linear"`.
        noise_modes: Modes of the noise head to choose from, e.g.
            `("nonlinear", "linear")`. Defaults to `None` (`"nonlinear"`).
        dropout: Range of the noise head's input dropout, within [0, 1).
            Defaults to `None` (no dropout).
        learning_rate: Range of the learning rate (log sampling). Defaults
            to `None` (the optimizer's own).
        optimizer: Optimizer name, config or instance; each trial gets a
            fresh copy. Defaults to `"adam"`.
        from_logits: As for `NoisyLabelModel`. Defaults to `None` (read off
            the base model).
        balance: Weight of the class-balance term, as for
            `NoisyLabelModel`. Defaults to `1.0`.
        class_prior: The balance term's class prior, as for
            `NoisyLabelModel`. Defaults to `None` (uniform).
        metrics: Metrics to compile with. Defaults to `("accuracy",)`.
        name: Optional name of the hypermodel.

    Example:

    ```python
    hypermodel = keras_nnaqc.tuning.NNAQCHyperModel(
        keras_nnaqc.architectures.mnist_cnn, num_classes=10
    )
    tuner = keras_nnaqc.tuning.CrossValidationTuner(
        hypermodel, max_trials=10, folds=3, directory="tuning"
    )
    tuner.search(x_train, noisy_labels, epochs=5, batch_size=100)
    print(tuner.best_hyperparameters.values)  # {"alpha": ..., "beta": ...}
    model = tuner.best_model()  # retrained on all of x_train
    ```
    """

    def __init__(
        self,
        build_base_model,
        num_classes,
        alpha=(0.0, 1.0),
        beta=(0.0, 1.0),
        sampling="linear",
        noise_modes=None,
        dropout=None,
        learning_rate=None,
        optimizer="adam",
        from_logits=None,
        balance=1.0,
        class_prior=None,
        metrics=("accuracy",),
        name=None,
    ):
        super().__init__(name=name)
        if sampling not in SAMPLINGS:
            raise ValueError(
                f"`sampling` must be one of {SAMPLINGS}. Received: "
                f"sampling={sampling!r}"
            )
        self.build_base_model = build_base_model
        self.num_classes = check_num_classes(num_classes)
        self.alpha = _check_range("alpha", alpha, 0.0, 1.0, sampling)
        self.beta = _check_range("beta", beta, 0.0, 1.0, sampling)
        self.sampling = sampling
        if noise_modes is not None:
            unknown = [mode for mode in noise_modes if mode not in MODES]
            if unknown or not noise_modes:
                raise ValueError(
                    f"`noise_modes` must be a non-empty subset of {MODES}. "
                    f"Received: noise_modes={noise_modes!r}"
                )
        self.noise_modes = noise_modes
        self.dropout = None
        if dropout is not None:
            self.dropout = _check_range("dropout", dropout, 0.0, 0.99)
        self.learning_rate = None
        if learning_rate is not None:
            self.learning_rate = _check_range(
                "learning_rate", learning_rate, 1e-12, 10.0, "log"
            )
        self.optimizer = optimizer
        self.from_logits = from_logits
        self.balance = balance
        self.class_prior = class_prior
        self.metrics = tuple(metrics)
        self._base_takes_hp = any(
            parameter.default is inspect.Parameter.empty
            and parameter.kind
            in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
            for parameter in inspect.signature(
                build_base_model
            ).parameters.values()
        )

    def build(self, hp):
        alpha = _declare(hp, "alpha", self.alpha, self.sampling)
        beta = _declare(hp, "beta", self.beta, self.sampling)
        mode = "nonlinear"
        if self.noise_modes is not None:
            mode = hp.Choice("noise_mode", list(self.noise_modes))
        dropout = 0.0
        if self.dropout is not None:
            dropout = _declare(hp, "dropout", self.dropout, "linear")
        optimizer = fresh_optimizer(self.optimizer)
        if self.learning_rate is not None:
            optimizer.learning_rate = _declare(
                hp, "learning_rate", self.learning_rate, "log"
            )
        base_model = (
            self.build_base_model(hp)
            if self._base_takes_hp
            else self.build_base_model()
        )
        # Sequential and functional models show their outputs now; the
        # head's `num_classes` catches the others when the model is built.
        outputs = getattr(base_model, "outputs", None) or []
        if len(outputs) == 1 and outputs[0].shape[-1] != self.num_classes:
            raise ValueError(
                f"The base model outputs {outputs[0].shape[-1]} classes, "
                f"but the hypermodel has num_classes={self.num_classes}. "
                f"Received: num_classes={self.num_classes}, base model "
                f"output shape {tuple(outputs[0].shape)}"
            )
        model = NoisyLabelModel(
            base_model,
            noise_layer=default_noise_head(
                mode, dropout=dropout, num_classes=self.num_classes
            ),
            alpha=alpha,
            beta=beta,
            from_logits=self.from_logits,
            balance=self.balance,
            class_prior=self.class_prior,
        )
        model.compile(optimizer=optimizer, metrics=list(self.metrics))
        return model


def _check_range(name, value, low, high, sampling="linear"):
    """A `(min, max)` pair within `[low, high]`; one number means fixed."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        bounds = (float(value), float(value))
    elif (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, numbers.Real) for v in value)
    ):
        bounds = (float(value[0]), float(value[1]))
    else:
        raise TypeError(
            f"`{name}` must be a (min, max) pair or a number. Received: "
            f"{name}={value!r}"
        )
    if not low <= bounds[0] <= bounds[1] <= high:
        raise ValueError(
            f"`{name}` must lie within [{low:g}, {high:g}] with min <= max. "
            f"Received: {name}={value!r}"
        )
    if sampling != "linear" and bounds[0] < bounds[1] and bounds[0] <= 0:
        raise ValueError(
            f"{sampling!r} sampling needs `{name}` above 0. Received: "
            f"{name}={value!r}"
        )
    return bounds


def _declare(hp, name, bounds, sampling):
    low, high = bounds
    if low == high:
        return hp.Fixed(name, low)
    return hp.Float(name, low, high, sampling=sampling)
