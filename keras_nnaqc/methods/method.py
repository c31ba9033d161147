import dataclasses
from collections.abc import Callable

import keras
from keras import ops

from keras_nnaqc.methods.transition_estimation import estimate_transition
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.optimizers import fresh_optimizer
from keras_nnaqc.validation import check_transition_matrix

TRANSITION_SOURCES = (None, "true", "estimated")


@dataclasses.dataclass(frozen=True)
class TrainedModel:
    """What `Method.train` returns.

    Attributes:
        method: Name of the method.
        model: The trained model that predicts clean labels (the base model,
            with a softmax appended for losses that need probabilities).
        training_model: The model that was fit (last stage).
        histories: The `History` of each training stage.
        transition_matrix: The `(L, L)` noise model the method used: learned,
            true, or estimated; `None` for methods without one.
    """

    method: str
    model: keras.Model
    training_model: keras.Model
    histories: list
    transition_matrix: object = None


@dataclasses.dataclass(frozen=True)
class Method:
    """A way of training a base model on noisy labels.

    Attributes:
        name: Stable name in the registry and on the command line.
        summary: One line on what it does.
        reference: Where it comes from.
        build: `build(base_model, num_classes, transition)` returns the model
            to fit around `base_model` and the loss to compile it with
            (`None` when the model brings its own).
        transition: Which transition matrix `build` receives: `None` (none),
            `"true"` (the true noise matrix, for genie-aided methods) or
            `"estimated"` (estimated from a plain model trained first).
    """

    name: str
    summary: str
    reference: str
    build: Callable
    transition: str = None

    def train(
        self,
        build_base_model,
        x,
        noisy_labels,
        num_classes,
        optimizer="adam",
        true_transition=None,
        metrics=("accuracy",),
        jit_compile="auto",
        **fit_kwargs,
    ):
        """Trains a fresh base model on noisy labels with this method.

        Args:
            build_base_model: Function returning a new base model (logits).
            x: Training inputs, as for `Model.fit` (arrays, or a dataset of
                `(inputs, noisy labels)` batches).
            noisy_labels: Integer noisy labels, or `None` when `x` is a
                dataset that holds them.
            num_classes: Number of classes.
            optimizer: Optimizer name, config or instance; every stage gets a
                fresh copy. Defaults to `"adam"`.
            true_transition: The true noise matrix, for methods with
                `transition="true"`. Defaults to `None`.
            metrics: Metrics to compile with. Defaults to `("accuracy",)`.
            jit_compile: Passed to `compile`. Defaults to `"auto"`.
            **fit_kwargs: Passed to `fit` (`epochs`, `batch_size`...).

        Returns:
            A `TrainedModel`.
        """
        histories = []

        def fit(model, loss):
            model.compile(
                optimizer=fresh_optimizer(optimizer),
                loss=loss,
                metrics=list(metrics),
                jit_compile=jit_compile,
            )
            histories.append(model.fit(x, noisy_labels, **fit_kwargs))
            return model

        transition = None
        if self.transition == "true":
            if true_transition is None:
                raise ValueError(
                    f"Method {self.name!r} needs the true transition matrix. "
                    "Received: true_transition=None"
                )
            transition = check_transition_matrix(true_transition)
        elif self.transition == "estimated":
            # Stage one: a plain model of the noisy labels, whose predictions
            # give the anchor-point estimate used by stage two.
            first = fit(
                build_base_model(),
                keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            )
            batch_size = fit_kwargs.get("batch_size")
            logits = first.predict(x, batch_size=batch_size, verbose=0)
            probabilities = ops.convert_to_numpy(ops.softmax(logits))
            transition = estimate_transition(probabilities)

        model, loss = self.build(build_base_model(), num_classes, transition)
        fit(model, loss)
        if isinstance(model, NoisyLabelModel):
            transition = model.noise_layer.transition_matrix()
            clean_model = model.clean_model()
        else:
            clean_model = model
        return TrainedModel(
            self.name, clean_model, model, histories, transition
        )
