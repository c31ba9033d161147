import keras
import numpy as np
from keras import ops

from keras_nnaqc.constraints import DiagonallyDominant
from keras_nnaqc.layers import NoiseAdaptationLayer
from keras_nnaqc.layers.noise_adaptation_layer import MODES
from keras_nnaqc.losses import log_probabilities
from keras_nnaqc.losses import nna_loss
from keras_nnaqc.losses import qc_loss
from keras_nnaqc.models.label_issues import find_label_issues
from keras_nnaqc.validation import check_labels
from keras_nnaqc.validation import check_loss_weights

# This package's defaults (the paper has neither; docs/concepts.md). The
# beta warm-up keeps NNAQC from merging classes at 70% noise on MNIST; the
# fast head (kept diagonally dominant) learns clean labels as well as a
# plain model does.
BETA_WARMUP_EPOCHS = 2
HEAD_SPEED = 10.0


@keras.saving.register_keras_serializable(package="keras_nnaqc")
class NoisyLabelModel(keras.Model):
    """Wraps a classifier to train it on noisy labels with NNAQC.

    During `fit`, a noise head (`NoiseAdaptationLayer`) maps the base model's
    clean prediction to the noisy labels, and the loss is the NNAQC loss of
    eq. 6 (`alpha * L_NNA + (1 - alpha) * L_QC`), logged with its two terms
    as `nna_loss` and `qc_loss`. Everything else sees the base model alone:
    `__call__`, `predict` and `evaluate` return its clean predictions (so
    `evaluate` on clean labels gives clean accuracy), and `export` writes it
    without the noise head. `call_noisy` / `predict_noisy` give the noise
    head's predictions.

    Two defaults differ from the paper: `beta` warms up over two epochs,
    and the default nonlinear head trains ten times as fast
    (`kernel_speed=10`), its rows kept largest on the diagonal
    (`constraints.DiagonallyDominant`). `noise=NoiseAdaptationLayer()` with
    `beta_warmup_epochs=0` trains exactly as the paper.

    Args:
        base_model: Any Keras model (Sequential, functional or subclassed)
            that maps inputs to class scores of shape `(batch, L)`, ending in
            softmax probabilities or in logits.
        noise: The noise head: `"nonlinear"` (NNAQC, eq. 3, built with
            `kernel_speed=10` and the `DiagonallyDominant` constraint),
            `"linear"` (eqs. 4-5, as the paper's), or a
            `NoiseAdaptationLayer` to use as it is. Defaults to
            `"nonlinear"`.
        alpha: Weight of the noise-aware term, in [0, 1]. Defaults to `0.9`.
        beta: Weight of the clean prediction in the quasi-clustering target,
            in [0, 1]. Defaults to `0.9`.
        from_logits: Whether `base_model` outputs logits. Defaults to `None`,
            which reads it off the base model's last layer (softmax means
            probabilities, a linear activation means logits) and asks for it
            when the last layer does not tell.
        beta_warmup_epochs: Ramp the training `beta` linearly from 0 to
            `beta` over this many epochs. At high noise it keeps the
            quasi-clustering term from locking clusters in before the noise
            head has learned where wrong labels go. Evaluation always uses
            `beta`. Defaults to `2`; `0` is the paper's training.
        **kwargs: Base model arguments, such as `name`.

    Example:

    ```python
    base = keras.Sequential([
        keras.Input((28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10),
    ])
    model = keras_nnaqc.NoisyLabelModel(base, alpha=0.9, beta=0.9)
    model.compile(optimizer="adam", metrics=["accuracy"])
    model.fit(x_train, noisy_labels, epochs=5)
    model.evaluate(x_test, clean_labels)  # clean test accuracy
    model.export("clean_model")  # SavedModel of `base`, no noise head
    ```
    """

    def __init__(
        self,
        base_model,
        noise="nonlinear",
        alpha=0.9,
        beta=0.9,
        from_logits=None,
        beta_warmup_epochs=BETA_WARMUP_EPOCHS,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(base_model, keras.layers.Layer):
            raise TypeError(
                "`base_model` must be a Keras model. Received: "
                f"base_model of type {type(base_model).__name__}"
            )
        if from_logits not in (None, True, False):
            raise TypeError(
                "`from_logits` must be True, False or None. Received: "
                f"from_logits={from_logits!r}"
            )
        self.base_model = base_model
        self.noise = noise if isinstance(noise, str) else None
        self.noise_layer = _noise_layer(noise)
        self.alpha, self.beta = check_loss_weights(alpha, beta)
        self.from_logits = from_logits
        self.outputs_logits = (
            _ends_in_logits(base_model) if from_logits is None else from_logits
        )
        if (
            isinstance(beta_warmup_epochs, bool)
            or not isinstance(beta_warmup_epochs, int)
            or beta_warmup_epochs < 0
        ):
            raise ValueError(
                "`beta_warmup_epochs` must be an integer >= 0. Received: "
                f"beta_warmup_epochs={beta_warmup_epochs!r}"
            )
        self.beta_warmup_epochs = beta_warmup_epochs
        if beta_warmup_epochs:
            # The warm-up's clock, saved with the model so that training
            # resumes on schedule.
            self.trained_epochs = self.add_weight(
                shape=(),
                initializer="zeros",
                dtype="float32",
                trainable=False,
                name="trained_epochs",
            )
        self.per_sample_mean = _PerSampleMean(name="per_sample_mean")
        self.nna_loss_tracker = keras.metrics.Mean(name="nna_loss")
        self.qc_loss_tracker = keras.metrics.Mean(name="qc_loss")

    def build(self, input_shape):
        inputs = keras.tree.map_shape_structure(keras.KerasTensor, input_shape)
        outputs = self.base_model(inputs)
        if keras.tree.is_nested(outputs) or len(outputs.shape) != 2:
            shape = keras.tree.map_structure(lambda t: tuple(t.shape), outputs)
            raise ValueError(
                "`base_model` must output one tensor of class scores of shape "
                f"(batch, num_classes). Received: output shape {shape}"
            )
        num_classes = outputs.shape[-1]
        expected = self.noise_layer.num_classes
        if self.noise_layer.built:
            expected = self.noise_layer.kernel.shape[0]
        if expected is not None and expected != num_classes:
            raise ValueError(
                f"`base_model` outputs {num_classes} classes but the noise "
                f"layer has num_classes={expected}. Received: base_model "
                f"output shape {tuple(outputs.shape)}"
            )
        if not self.noise_layer.built:
            self.noise_layer.build((None, num_classes))

    def call(self, inputs, training=None):
        return self.base_model(inputs, training=training)

    def compile(self, optimizer="rmsprop", loss=None, **kwargs):
        """Configures training; the loss is always the model's NNAQC loss.

        Takes the arguments of `keras.Model.compile` except `loss`: metrics
        compare the clean prediction with the labels given.
        """
        if loss is not None:
            raise ValueError(
                "`NoisyLabelModel` trains with the NNAQC loss set by its "
                "`alpha` and `beta`, so `compile()` takes no `loss`. "
                f"Received: loss={loss!r}"
            )
        super().compile(optimizer=optimizer, **kwargs)

    def compile_from_config(self, config):
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            # Loading then restores the optimizer's state, so training resumes.
            self.optimizer.build(self.trainable_variables)

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        if y is None:
            raise ValueError(
                "`NoisyLabelModel` needs the (noisy) labels: pass `y` to "
                "`fit()` and `evaluate()`. Received: y=None"
            )
        clean_logits = self._clean_logits(y_pred)
        noisy_logits = self.noise_layer.noisy_logits(clean_logits, training)
        beta = self.beta
        if training and self.beta_warmup_epochs:
            progress = self.trained_epochs / self.beta_warmup_epochs
            beta = self.beta * ops.minimum(progress, 1.0)
        nna = nna_loss(y, noisy_logits, from_logits=True)
        qc = qc_loss(y, clean_logits, beta, from_logits=True)
        per_sample = self.alpha * nna + (1.0 - self.alpha) * qc
        loss = self.per_sample_mean(per_sample, per_sample, sample_weight)
        self.nna_loss_tracker.update_state(nna, sample_weight)
        self.qc_loss_tracker.update_state(qc, sample_weight)
        if self.losses:
            # Regularization and `add_loss` terms, summed (and scaled for
            # tf.distribute) by Keras; no loss is compiled, so that is all
            # the base class adds.
            loss = loss + super().compute_loss(
                x, y, y_pred, sample_weight, training
            )
        return loss

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        **kwargs,
    ):
        self._check_label_values(x, y, "y")
        validation_data = kwargs.get("validation_data")
        if isinstance(validation_data, (tuple, list)):
            self._check_label_values(*validation_data[:2], "validation_data")
        callbacks = list(callbacks or [])
        if self.beta_warmup_epochs:
            # First, so that a BackupAndRestore saves the counted epoch.
            callbacks.insert(0, _EpochCounter(self.trained_epochs))
        return super().fit(
            x,
            y,
            batch_size=batch_size,
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
            **kwargs,
        )

    def evaluate(self, x=None, y=None, *args, **kwargs):
        self._check_label_values(x, y, "y")
        return super().evaluate(x, y, *args, **kwargs)

    def call_noisy(self, inputs, training=False):
        """The noise head's prediction: probabilities of the noisy labels.

        Args:
            inputs: Model inputs.
            training: Whether dropout in the noise head is active. Defaults
                to `False`.

        Returns:
            Noisy-label probabilities, shape `(batch, L)`.
        """
        clean_logits = self._clean_logits(self(inputs, training=training))
        noisy_logits = self.noise_layer.noisy_logits(clean_logits, training)
        return ops.softmax(noisy_logits, axis=-1)

    def predict_noisy(self, x, **kwargs):
        """`predict` for the noise head: noisy-label probabilities as NumPy.

        Args:
            x: Input data, as for `predict`.
            **kwargs: Other `predict` arguments (`batch_size`, `verbose`...).

        Returns:
            A NumPy array of shape `(n, L)`.
        """
        return _NoiseHeadPredictor(self).predict(x, **kwargs)

    def label_issues(self, x, labels, batch_size=None, verbose=0):
        """Ranks examples by how strongly the clean prediction disagrees with
        their given labels: the likely mislabelled ones, most suspect first.

        Args:
            x: Inputs in the order of `labels` (an array, or an unshuffled
                dataset such as `NoisyDataset.ordered()`).
            labels: Their given (noisy) integer labels.
            batch_size: Batch size of `predict`. Defaults to `None`.
            verbose: Verbosity of `predict`. Defaults to `0`.

        Returns:
            A `LabelIssues` with the flagged `indices`, their
            `given_labels`, `suggested_labels` and `scores`.

        Example:

        ```python
        issues = model.label_issues(x_train, noisy_labels)
        for index, label, suggested in zip(
            issues.indices[:10],
            issues.given_labels[:10],
            issues.suggested_labels[:10],
        ):
            print(f"example {index}: labelled {label}, looks like {suggested}")
        ```
        """
        scores = self.predict(x, batch_size=batch_size, verbose=verbose)
        probabilities = ops.convert_to_numpy(
            ops.softmax(self._clean_logits(scores), axis=-1)
        )
        return find_label_issues(probabilities, labels)

    def clean_model(self):
        """The trained base model on its own, without any noise variables."""
        return self.base_model

    def export(
        self,
        filepath,
        format="tf_saved_model",
        verbose=None,
        input_signature=None,
        **kwargs,
    ):
        """Exports the clean base model for serving (no noise head).

        Takes the arguments of `keras.Model.export`, passed to the base model.
        """
        return self.base_model.export(
            filepath,
            format=format,
            verbose=verbose,
            input_signature=input_signature,
            **kwargs,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "base_model": keras.saving.serialize_keras_object(
                    self.base_model
                ),
                "noise": self.noise
                or keras.saving.serialize_keras_object(self.noise_layer),
                "alpha": self.alpha,
                "beta": self.beta,
                "from_logits": self.from_logits,
                "beta_warmup_epochs": self.beta_warmup_epochs,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("base_model", "noise"):
            if isinstance(config[key], dict):
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def _clean_logits(self, y_pred):
        if self.outputs_logits:
            return ops.cast(y_pred, "float32")
        return log_probabilities(ops.cast(y_pred, "float32"), from_logits=False)

    def _check_label_values(self, x, y, name):
        """Rejects NumPy labels that do not fit the classes before training."""
        if not isinstance(y, (np.ndarray, list)):
            return
        if not self.built and hasattr(x, "shape"):
            self.build((None,) + tuple(x.shape[1:]))
        num_classes = self.noise_layer.kernel.shape[0] if self.built else None
        labels = np.asarray(y)
        if labels.ndim == 2 and labels.shape[1] == num_classes:
            if not np.all(np.isfinite(labels)) or labels.min() < 0:
                raise ValueError(
                    f"One-hot `{name}` must be finite and non-negative. "
                    f"Received: {name} with minimum {labels.min()}"
                )
            return
        check_labels(labels, num_classes, name=name)


class _PerSampleMean(keras.losses.Loss):
    """Reduces per-sample losses as every Keras loss does (sample weights,
    masks, scaling for tf.distribute)."""

    def call(self, y_true, y_pred):
        return y_pred


class _EpochCounter(keras.callbacks.Callback):
    """Counts finished training epochs: the clock of the beta warm-up."""

    def __init__(self, counter):
        super().__init__()
        self.counter = counter

    def on_epoch_end(self, epoch, logs=None):
        self.counter.assign(self.counter + 1.0)


class _NoiseHeadPredictor(keras.Model):
    """Runs `NoisyLabelModel.call_noisy` through Keras's `predict` loop."""

    def __init__(self, noisy_label_model):
        super().__init__(name=f"{noisy_label_model.name}_noise_head")
        self.noisy_label_model = noisy_label_model

    def call(self, inputs):
        return self.noisy_label_model.call_noisy(inputs)


def default_noise_head(mode="nonlinear", **kwargs):
    """The head `NoisyLabelModel(noise=mode)` builds: the nonlinear one at
    `kernel_speed=10`, kept `DiagonallyDominant`; the linear one as the
    paper's. `kwargs` go to `NoiseAdaptationLayer`."""
    if mode == "nonlinear":
        kwargs = {
            "kernel_speed": HEAD_SPEED,
            "kernel_constraint": DiagonallyDominant(),
            **kwargs,
        }
    return NoiseAdaptationLayer(mode=mode, **kwargs)


def _noise_layer(noise):
    if isinstance(noise, NoiseAdaptationLayer):
        return noise
    if isinstance(noise, str):
        if noise not in MODES:
            raise ValueError(
                f"`noise` must be one of {MODES} or a NoiseAdaptationLayer. "
                f"Received: noise={noise!r}"
            )
        return default_noise_head(noise, name="noise_adaptation")
    raise TypeError(
        f"`noise` must be one of {MODES} or a NoiseAdaptationLayer. "
        f"Received: noise of type {type(noise).__name__}"
    )


def _ends_in_logits(model):
    """Reads off the last layers whether `model` outputs logits.

    Returns True for a linear last layer and False for a softmax one, looking
    through layers that pass values on unchanged (Flatten, Reshape, Dropout);
    raises when that does not tell (subclassed models, other activations,
    outputs computed after the last layer).
    """
    layer = _scoring_layer(model)
    if isinstance(layer, keras.layers.Softmax):
        return False
    activation = getattr(layer, "activation", None)
    if activation is keras.activations.softmax:
        return False
    if activation is keras.activations.linear:
        return True
    if layer is None:
        described = f"{type(model).__name__} does not show its output layer"
    else:
        described = f"its output comes from {type(layer).__name__}"
        if activation is not None:
            described += f" with activation {activation.__name__}"
    raise ValueError(
        "Cannot tell whether `base_model` outputs logits or softmax "
        f"probabilities: {described}. Pass `from_logits=True` (logits) or "
        "`from_logits=False` (probabilities). Received: from_logits=None"
    )


_PASS_THROUGH = (
    keras.layers.Flatten,
    keras.layers.Reshape,
    keras.layers.Dropout,
    keras.layers.Identity,
)


def _scoring_layer(model):
    """The last layer of a Sequential or functional model that sets values.

    Returns None when the model's layers do not form a visible chain.
    """
    layers = model.layers
    sequential = isinstance(model, keras.Sequential)
    outputs = None if sequential else getattr(model, "outputs", None)
    if not layers or not (sequential or (outputs and len(outputs) == 1)):
        return None
    try:
        # In a functional model the last layer may be followed by keras.ops
        # calls, or not be next to its input's layer: trust the chain only
        # where each layer's input is the previous layer's output.
        if not sequential and layers[-1].output is not outputs[0]:
            return None
        index = len(layers) - 1
        while isinstance(layers[index], _PASS_THROUGH) and index > 0:
            if not sequential and (
                layers[index - 1].output is not layers[index].input
            ):
                return None
            index -= 1
    except (AttributeError, ValueError):
        return None
    return layers[index]
