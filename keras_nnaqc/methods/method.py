import dataclasses
from collections.abc import Callable

import keras
import numpy as np
from keras import ops

from keras_nnaqc._optimizers import fresh_optimizer
from keras_nnaqc._validation import check_transition_matrix
from keras_nnaqc.methods.pruning import keep_masks
from keras_nnaqc.methods.transition_estimation import estimate_transition
from keras_nnaqc.models import NoisyLabelModel

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
        kept: For a method that prunes, a boolean mask of the training
            samples it kept (`False`: flagged as mislabelled); else `None`.
    """

    method: str
    model: keras.Model
    training_model: keras.Model
    histories: list
    transition_matrix: object = None
    kept: object = None


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
        prune: `None`, or a rule of `pruning.PRUNING_RULES`: train this
            method first, drop the training and hold-out labels the rule
            flags, and train it again on the rest (arrays only).
    """

    name: str
    summary: str
    reference: str
    build: Callable
    transition: str = None
    prune: str = None

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

        def fit(model, loss, x=x, noisy_labels=noisy_labels):
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

        kept = None
        if self.prune is not None:
            kept, fit_kwargs = self._pruned(
                fit, build_base_model, x, noisy_labels, num_classes, fit_kwargs
            )
            x, noisy_labels = x[kept], np.asarray(noisy_labels)[kept]
        model, loss = self.build(build_base_model(), num_classes, transition)
        fit(model, loss, x, noisy_labels)
        if isinstance(model, NoisyLabelModel):
            transition = model.noise_layer.transition_matrix()
            clean_model = model.clean_model()
        else:
            clean_model = model
        return TrainedModel(
            self.name, clean_model, model, histories, transition, kept
        )

    def _pruned(self, fit, build_base_model, x, labels, num_classes, kwargs):
        """The mask of the training samples this method's pruning rule
        keeps, and `kwargs` with the hold-out pruned alike."""
        if self.transition is not None:
            raise ValueError(
                f"Method {self.name!r}: a method with a transition matrix "
                f"cannot prune. Received: prune={self.prune!r}, "
                f"transition={self.transition!r}"
            )
        if not isinstance(x, np.ndarray) or labels is None:
            raise ValueError(
                f"Method {self.name!r} prunes labels, so it needs `x` and "
                "`noisy_labels` as NumPy arrays. Received: "
                f"x of type {type(x).__name__}"
            )
        validation = kwargs.get("validation_data")
        keep, keep_validation = keep_masks(
            self.prune,
            fit,
            lambda: self.build(build_base_model(), num_classes, None),
            x,
            labels,
            validation,
        )
        if validation is not None:
            inputs, given = validation[:2]
            kwargs = {
                **kwargs,
                "validation_data": (
                    inputs[keep_validation],
                    np.asarray(given)[keep_validation],
                ),
            }
        return keep, kwargs
