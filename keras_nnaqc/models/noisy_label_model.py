import contextlib
import numbers
import os
import sys
import warnings

import keras
import numpy as np
from keras import ops

from keras_nnaqc._validation import check_class_prior
from keras_nnaqc._validation import check_labels
from keras_nnaqc._validation import check_loss_weights
from keras_nnaqc._validation import valid_labels
from keras_nnaqc.layers import NoiseAdaptationLayer
from keras_nnaqc.layers.noise_adaptation_layer import MODES
from keras_nnaqc.losses import class_balance_loss
from keras_nnaqc.losses import nnaqc_loss
from keras_nnaqc.losses.loss_inputs import dense_labels
from keras_nnaqc.losses.loss_inputs import log_probabilities
from keras_nnaqc.models.base_model_output import check_class_scores
from keras_nnaqc.models.base_model_output import ends_in_logits
from keras_nnaqc.models.beta_warmup import BETA_WARMUP_EPOCHS
from keras_nnaqc.models.beta_warmup import EpochCounter
from keras_nnaqc.models.default_noise_head import default_noise_head
from keras_nnaqc.models.label_checks import LABEL_CHECK_LOGS
from keras_nnaqc.models.label_checks import InvalidLabelCount
from keras_nnaqc.models.label_checks import LabelCheck
from keras_nnaqc.models.label_checks import LabelCounts
from keras_nnaqc.models.label_issues import find_label_issues

# `fit` warns that the uniform class prior does not fit the labels when
# one class has this many times another's labels, counted only with at
# least `MIN_LABELS_PER_CLASS` labels per class on average. Label noise
# alone skews balanced classes less: at p = 0.7 the noisy label shares of
# 2,000 eq. 1 matrices (10 classes) differ by at most 4.3 times, of 50
# sparse ones (1,000 classes, k = 10) by at most 8.9 times.
IMBALANCE_RATIO = 10
MIN_LABELS_PER_CLASS = 100
# ... and that batches hold this many samples per class at least: in
# smaller ones a correct model's mean prediction is far from the prior by
# chance, and the term pulls every prediction toward it (100 classes,
# p = 0.5: 1.1 points lost in batches of 100, none in batches of 500;
# results/many_classes/).
MIN_BATCH_PER_CLASS = 5


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

    Three defaults differ from the paper: `beta` warms up over two epochs,
    the default nonlinear head trains ten times as fast
    (`kernel_speed=10`), its rows kept largest on the diagonal
    (`constraints.DiagonallyDominant`), and a class-balance term
    (`balance=1`) keeps a weak base model from merging classes.
    `noise_layer=NoiseAdaptationLayer()` with `beta_warmup_epochs=0` and
    `balance=0` trains exactly as the paper.

    Args:
        base_model: Any Keras model (Sequential, functional or subclassed)
            that maps inputs to class scores of shape `(batch, L)`, ending in
            softmax probabilities or in logits.
        noise_layer: The noise head: `"nonlinear"` (NNAQC, eq. 3, built
            with `kernel_speed=10` and the `DiagonallyDominant` constraint),
            `"linear"` (eqs. 4-5, as the paper's), or a
            `NoiseAdaptationLayer` to use as it is. `noise`, its name in
            0.1.0, still works, with a `DeprecationWarning`. Defaults to
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
        balance: Weight of a class-balance term added to the loss,
            `losses.class_balance_loss` of the clean prediction: how far
            the batch's mean clean prediction is from `class_prior`
            (logged as `balance_loss`). It keeps the base model from
            merging classes that the noise head then splits again.
            Under `tf.distribute` each replica computes it on its share
            of the batch, as `BatchNormalization` its statistics.
            Defaults to `1.0`; `0.0` is the paper's loss.
        class_prior: Each class's share of the (clean) data for the
            balance term, `L` numbers summing to 1. Defaults to `None`:
            uniform, which assumes balanced classes; pass the classes'
            shares for imbalanced data (`fit` warns when the labels are
            far from balanced: before training for arrays, after the
            first epoch for datasets).
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
    model.fit(x_train, noisy_labels, epochs=5, batch_size=100)
    model.evaluate(x_test, clean_labels)  # clean test accuracy
    model.export("clean_model")  # SavedModel of `base`, no noise head
    ```
    """

    def __init__(
        self,
        base_model,
        noise_layer="nonlinear",
        alpha=0.9,
        beta=0.9,
        from_logits=None,
        beta_warmup_epochs=BETA_WARMUP_EPOCHS,
        balance=1.0,
        class_prior=None,
        **kwargs,
    ):
        if "noise" in kwargs:
            noise_layer = _renamed_noise_argument(
                kwargs.pop("noise"), noise_layer
            )
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
        self.noise_layer = _noise_layer(noise_layer)
        self.alpha, self.beta = check_loss_weights(alpha, beta)
        self.from_logits = from_logits
        self.outputs_logits = (
            ends_in_logits(base_model) if from_logits is None else from_logits
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
        if (
            isinstance(balance, bool)
            or not isinstance(balance, numbers.Real)
            or not 0 <= balance < float("inf")
        ):
            raise ValueError(
                "`balance` must be a finite number >= 0. Received: "
                f"balance={balance!r}"
            )
        self.balance = float(balance)
        self.class_prior = check_class_prior(class_prior)
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
        if self.balance:
            self.balance_loss_tracker = keras.metrics.Mean(name="balance_loss")
        self.invalid_labels_tracker = InvalidLabelCount()

    def build(self, input_shape):
        inputs = keras.tree.map_shape_structure(keras.KerasTensor, input_shape)
        outputs = self.base_model(inputs)
        check_class_scores(outputs)
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
        if self.balance:
            self.label_counts_tracker = LabelCounts(num_classes)
        if (
            self.class_prior is not None
            and len(self.class_prior) != num_classes
        ):
            raise ValueError(
                f"`class_prior` has {len(self.class_prior)} entries but "
                f"`base_model` outputs {num_classes} classes. Received: "
                f"class_prior={self.class_prior}"
            )

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
        # The label form the new metrics are built for (`_labels_for_metrics`).
        self._metrics_one_hot = None
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
        beta = self._training_beta(training)
        # Labels that are not classes are counted (a `LabelCheck` callback
        # then stops with an error), read as class 0 and kept out of the
        # loss, so that the step itself stays finite on every backend.
        y = ops.convert_to_tensor(y)
        valid = valid_labels(y, clean_logits.shape[-1])
        self.invalid_labels_tracker.update_state(
            ops.cast(ops.logical_not(valid), "float32")
        )
        y = ops.where(
            ops.reshape(valid, (-1,) + (1,) * (len(y.shape) - 1)),
            y,
            ops.zeros_like(y),
        )
        # One-hot once: both terms take these rows as they are.
        label_rows = dense_labels(y, clean_logits)
        per_sample, nna, qc = (
            ops.where(valid, value, 0.0)
            for value in nnaqc_loss(
                label_rows,
                {"noisy": noisy_logits, "clean": clean_logits},
                self.alpha,
                beta,
                from_logits=True,
                return_terms=True,
            )
        )
        loss = self.per_sample_mean(per_sample, per_sample, sample_weight)
        self.nna_loss_tracker.update_state(nna, sample_weight)
        self.qc_loss_tracker.update_state(qc, sample_weight)
        if self.balance:
            weights = ops.cast(valid, "float32")
            if sample_weight is not None:
                weights = weights * ops.reshape(
                    ops.cast(sample_weight, "float32"), (-1,)
                )
            if training:
                self.label_counts_tracker.update_state(label_rows, weights)
            balance = class_balance_loss(
                clean_logits,
                self.class_prior,
                from_logits=True,
                sample_weight=weights,
            )
            self.balance_loss_tracker.update_state(balance)
            # Through the per-sample mean, which scales it for tf.distribute.
            per_batch = balance * ops.ones_like(per_sample)
            loss = loss + self.balance * self.per_sample_mean(
                per_batch, per_batch
            )
        if self.losses:
            # Regularization and `add_loss` terms, summed (and scaled for
            # tf.distribute) by Keras; no loss is compiled, so that is all
            # the base class adds.
            loss = loss + super().compute_loss(
                x, y, y_pred, sample_weight, training
            )
        return loss

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        if y is not None:
            y = self._labels_for_metrics(y, y_pred)
        return super().compute_metrics(x, y, y_pred, sample_weight)

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
    ):
        """Trains on noisy labels; takes the arguments of `keras.Model.fit`.

        Labels given as arrays or tensors are checked before the first step;
        labels from a dataset are checked in every step, and `fit` stops
        with an error after the first batch that holds one that is not a
        class.
        """
        self._build_for_fit(x)
        labels = self._check_label_values(y, "y")
        if labels is not None:
            self._warn_about_batch_size(batch_size or 32)  # Keras's default
            self._warn_about_array_labels(labels, sample_weight, class_weight)
        if isinstance(validation_data, (tuple, list)):
            if len(validation_data) > 1:
                self._check_label_values(validation_data[1], "validation_data")
        # Labels from a dataset: `LabelCheck` checks them after the first
        # epoch, from what it counted.
        check_balance = labels is None and bool(self.balance)
        added = [LabelCheck(self, check_balance=check_balance)]
        if self.beta_warmup_epochs:
            # First, so that a BackupAndRestore saves the counted epoch.
            added.insert(0, EpochCounter(self.trained_epochs))
        return super().fit(
            x=x,
            y=y,
            batch_size=batch_size,
            epochs=epochs,
            verbose=verbose,
            callbacks=self._with_callbacks(callbacks, added),
            validation_split=validation_split,
            validation_data=validation_data,
            shuffle=shuffle,
            class_weight=class_weight,
            sample_weight=sample_weight,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch,
            validation_steps=validation_steps,
            validation_batch_size=validation_batch_size,
            validation_freq=validation_freq,
        )

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict=False,
        **kwargs,
    ):
        """Evaluates the clean prediction; takes the arguments of
        `keras.Model.evaluate`, and checks labels as `fit` does."""
        self._check_label_values(y, "y")
        logs = super().evaluate(
            x=x,
            y=y,
            batch_size=batch_size,
            verbose=verbose,
            sample_weight=sample_weight,
            steps=steps,
            callbacks=self._with_callbacks(callbacks, [LabelCheck(self)]),
            return_dict=True,
            **kwargs,
        )
        return self._without_label_checks(logs, return_dict)

    def train_on_batch(
        self,
        x,
        y=None,
        sample_weight=None,
        class_weight=None,
        return_dict=False,
    ):
        """`keras.Model.train_on_batch`, its labels checked as `fit`'s."""
        self._check_label_values(y, "y")
        logs = super().train_on_batch(
            x,
            y,
            sample_weight=sample_weight,
            class_weight=class_weight,
            return_dict=True,
        )
        return self._without_label_checks(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """`keras.Model.test_on_batch`, its labels checked as `fit`'s."""
        self._check_label_values(y, "y")
        logs = super().test_on_batch(
            x, y, sample_weight=sample_weight, return_dict=True
        )
        return self._without_label_checks(logs, return_dict)

    def _without_label_checks(self, logs, return_dict):
        """`logs` without the label checks' entries, as a dict or, in
        Keras's order (the metrics' results as `get_metrics_result` lists
        them), as a list."""
        for name in LABEL_CHECK_LOGS:
            logs.pop(name, None)
        if return_dict:
            return logs
        names = []
        for metric in self.metrics:
            result = metric.result()
            names += list(result) if isinstance(result, dict) else [metric.name]
        values = [logs[name] for name in names if name in logs]
        return values[0] if len(values) == 1 else values

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

    def label_issues(
        self, x, labels=None, batch_size=None, verbose=0, rule="disagreement"
    ):
        """Ranks examples by how strongly the clean prediction disagrees with
        their given labels: the likely mislabelled ones, most suspect first.

        A dataset is read once, each batch's labels with its predictions, so
        that every prediction meets its own label however the dataset
        shuffles (`keras.utils.image_dataset_from_directory` shuffles by
        default). A dataset with separate `labels` is refused: nothing
        guarantees that the two come in the same order.

        Args:
            x: The examples: an array (or tensor, or a structure of them)
                whose labels are `labels`, or a dataset of
                `(inputs, labels)` batches (`tf.data.Dataset`,
                `keras.utils.PyDataset`, a generator, anything iterable).
            labels: The given (noisy) labels of the array `x`, integers or
                one-hot; `None` when `x` is a dataset. Defaults to `None`.
            batch_size: Batch size of `predict` for an array `x`. Defaults
                to `None`.
            verbose: Verbosity of the prediction. Defaults to `0`.
            rule: `"disagreement"` flags every example for which another
                class is more probable than its label; `"cleanlab"` flags
                what cleanlab's `find_label_issues` does from the same
                probabilities (fewer, more precise; needs
                `keras-nnaqc[cleanlab]`). Defaults to `"disagreement"`.

        Returns:
            A `LabelIssues` with the flagged `indices` (positions in the
            order read), their `given_labels`, `suggested_labels` and
            `scores`.

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
        if not _is_array_data(x):
            if labels is not None:
                raise ValueError(
                    "`label_issues` reads the labels from the dataset `x` "
                    "as it predicts, so that each prediction meets its own "
                    "label whatever order the dataset yields them in: pass "
                    "a dataset of (inputs, labels) batches and no "
                    "`labels`. Received: x of type "
                    f"{type(x).__name__} and labels of type "
                    f"{type(labels).__name__}"
                )
            probabilities, labels = self._predict_with_labels(x, verbose)
        elif labels is None:
            raise ValueError(
                "`label_issues` needs the labels of the array `x`: pass "
                "`labels`, or a dataset of (inputs, labels) batches as `x`. "
                "Received: labels=None"
            )
        else:
            scores = self.predict(x, batch_size=batch_size, verbose=verbose)
            probabilities = self._clean_probabilities(scores)
        return find_label_issues(probabilities, labels, rule)

    def _predict_with_labels(self, dataset, verbose):
        """Clean probabilities and labels of a dataset, read in one pass."""
        probabilities, labels = [], []
        progress = keras.utils.Progbar(None, verbose=verbose)
        for batch in dataset:
            inputs, batch_labels, _ = keras.utils.unpack_x_y_sample_weight(
                batch
            )
            if batch_labels is None:
                raise ValueError(
                    "`label_issues` needs a dataset of (inputs, labels) "
                    "batches. Received: a dataset that yields inputs only"
                )
            # As NumPy, which every backend's `predict_on_batch` takes (a
            # tf.data batch holds TensorFlow tensors).
            inputs = keras.tree.map_structure(ops.convert_to_numpy, inputs)
            scores = self.predict_on_batch(inputs)
            probabilities.append(self._clean_probabilities(scores))
            labels.append(ops.convert_to_numpy(batch_labels))
            if verbose:
                progress.add(1)
        if not labels:
            raise ValueError(
                "`label_issues` needs a dataset of (inputs, labels) batches. "
                "Received: an empty dataset"
            )
        return np.concatenate(probabilities), np.concatenate(labels)

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
        Under the PyTorch backend Keras cannot write a SavedModel (it goes
        through `torch.export` and `torch_xla`): use `format="onnx"` there, or
        export under the TensorFlow or JAX backend.
        """
        try:
            return self.base_model.export(
                filepath,
                format=format,
                verbose=verbose,
                input_signature=input_signature,
                **kwargs,
            )
        except (RuntimeError, ImportError) as error:
            if keras.backend.backend() != "torch" or format != "tf_saved_model":
                raise
            raise ValueError(
                "Keras cannot write a SavedModel under the PyTorch backend "
                f"({type(error).__name__} from its torch.export route, "
                "above). Use `format='onnx'` (`pip install "
                "keras-nnaqc[onnx]`), or save the model with "
                "`model.clean_model().save('clean.keras')` and export it "
                "under KERAS_BACKEND=tensorflow or jax. Received: "
                "format='tf_saved_model' with the torch backend"
            ) from error

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "base_model": keras.saving.serialize_keras_object(
                    self.base_model
                ),
                # The head itself, never a mode's name: a name would reload
                # with the defaults of the package version that loads it.
                "noise_layer": keras.saving.serialize_keras_object(
                    self.noise_layer
                ),
                "alpha": self.alpha,
                "beta": self.beta,
                "from_logits": self.from_logits,
                "beta_warmup_epochs": self.beta_warmup_epochs,
                "balance": self.balance,
                "class_prior": self.class_prior,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        # Older files name a default head by its mode ("nonlinear"); those
        # reload with the default head of the version that loads them.
        # Files written before the rename store the head under `noise`.
        config = dict(config)
        if "noise" in config:
            config["noise_layer"] = config.pop("noise")
        # Files written before `balance` existed trained without it.
        config.setdefault("balance", 0.0)
        for key in ("base_model", "noise_layer"):
            if isinstance(config[key], dict):
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def _training_beta(self, training):
        """`beta`, ramped up over `beta_warmup_epochs` when training."""
        if not (training and self.beta_warmup_epochs):
            return self.beta
        progress = self.trained_epochs / self.beta_warmup_epochs
        return self.beta * ops.minimum(progress, 1.0)

    def _clean_logits(self, y_pred):
        if self.outputs_logits:
            return ops.cast(y_pred, "float32")
        return log_probabilities(ops.cast(y_pred, "float32"), from_logits=False)

    def _clean_probabilities(self, scores):
        clean_logits = self._clean_logits(scores)
        return ops.convert_to_numpy(ops.softmax(clean_logits, axis=-1))

    def _check_label_values(self, y, name):
        """Rejects labels given as arrays or tensors that are not classes,
        before the first step (`LabelCheck` checks those of datasets);
        returns them as integers, or `None` for labels from a dataset."""
        if ops.is_tensor(y):
            labels = ops.convert_to_numpy(y)
        elif isinstance(y, (np.ndarray, list)) or hasattr(y, "__array__"):
            labels = np.asarray(y)
        else:
            return None
        return check_labels(
            labels, self._known_num_classes(), name, one_hot=True
        )

    def _warn_about_array_labels(self, labels, sample_weight, class_weight):
        """`_warn_about_prior` for integer `labels` given as an array,
        counted with the weights the loss gives them."""
        num_classes = self._known_num_classes()
        if num_classes is None:
            return
        labels = np.ravel(labels)
        weights = np.ones(len(labels))
        if sample_weight is not None:
            weights = np.ravel(ops.convert_to_numpy(sample_weight))
        if class_weight:
            per_class = [class_weight.get(c, 1.0) for c in range(num_classes)]
            weights = weights * np.asarray(per_class)[labels]
        self._warn_about_prior(
            np.bincount(labels, weights, minlength=num_classes)
        )

    def _warn_about_prior(self, counts):
        """Warns where the balance term's uniform prior does not fit labels
        with these per-class `counts`: a class `IMBALANCE_RATIO` times as
        frequent as another, with enough labels per class for that not to
        be chance."""
        num_classes = len(counts)
        if (
            not self.balance
            or self.class_prior is not None
            or np.sum(counts) < MIN_LABELS_PER_CLASS * num_classes
            or counts.max() < IMBALANCE_RATIO * counts.min()
        ):
            return
        warnings.warn(
            f"`balance={self.balance:g}` pulls the mean clean prediction "
            "towards a uniform class prior, but the labels are imbalanced: "
            f"class {counts.argmax()} has {counts.max():g} labels, class "
            f"{counts.argmin()} has {counts.min():g}. Pass the classes' "
            "shares as `class_prior` (for integer labels `y`, "
            f"`np.bincount(np.ravel(y), minlength={num_classes}) / len(y)`) "
            "or `balance=0`.",
            stacklevel=_caller_outside_keras(),
        )

    def _warn_about_batch_size(self, batch_size):
        """Warns where batches hold fewer than `MIN_BATCH_PER_CLASS`
        samples per class for the balance term."""
        num_classes = self._known_num_classes()
        if (
            not self.balance
            or num_classes is None
            or batch_size >= MIN_BATCH_PER_CLASS * num_classes
        ):
            return
        warnings.warn(
            f"`balance={self.balance:g}` compares each batch's mean clean "
            f"prediction with the class prior, but batches of {batch_size} "
            f"hold fewer than {MIN_BATCH_PER_CLASS} samples per class for "
            f"{num_classes} classes: their mean is far from the prior by "
            "chance, and the term pulls every prediction toward the prior "
            "(100 classes, p = 0.5, one seed, batches of 100: 1.1 points "
            "more test error than without it; of 500: level). Use "
            f"`batch_size >= {MIN_BATCH_PER_CLASS * num_classes}` or "
            "`balance=0`.",
            stacklevel=_caller_outside_keras(),
        )

    def _build_for_fit(self, x):
        """Builds the model from array inputs before `fit`, as callbacks such
        as `BackupAndRestore` need (TensorFlow's `fit` builds only when its
        first step runs), inside the `tf.distribute` strategy's scope if the
        model was created in one, so that its variables are mirrored."""
        if self.built or not hasattr(x, "shape"):
            return
        # Only the TensorFlow backend's models have a `distribute_strategy`.
        strategy = getattr(self, "distribute_strategy", None)
        with strategy.scope() if strategy else contextlib.nullcontext():
            self.build((None,) + tuple(x.shape[1:]))

    def _known_num_classes(self):
        """The number of classes, where it is known before the model is
        built (`fit` on a dataset leaves the building to Keras)."""
        if self.built:
            return self.noise_layer.kernel.shape[0]
        outputs = getattr(self.base_model, "outputs", None) or []
        if len(outputs) == 1 and len(outputs[0].shape) == 2:
            return outputs[0].shape[-1]
        return self.noise_layer.num_classes

    def _labels_for_metrics(self, y, y_pred):
        """`y` in the form, integer or one-hot, that the compiled metrics
        were built for.

        Keras resolves `"accuracy"` to the sparse or the one-hot metric from
        the first labels that the metrics see; labels of the other form,
        later, are converted to it, so that each call may bring either.
        """
        one_hot = len(y.shape) == 2 and y.shape[-1] != 1
        if self._metrics_one_hot is None:
            self._metrics_one_hot = one_hot
        if one_hot == self._metrics_one_hot:
            return y
        if one_hot:
            return ops.argmax(y, axis=-1)
        num_classes = y_pred.shape[-1]
        # Clipped because torch's one_hot fails on labels that are not
        # classes before `LabelCheck` can name them.
        labels = ops.cast(ops.reshape(y, (-1,)), "int32")
        return ops.one_hot(ops.clip(labels, 0, num_classes - 1), num_classes)

    def _with_callbacks(self, callbacks, added):
        """`callbacks` with the model's own callbacks `added` in front.

        A `CallbackList` (`fit` passes its own to `evaluate` for validation)
        gets those it lacks.
        """
        if not isinstance(callbacks, keras.callbacks.CallbackList):
            return [*added, *(callbacks or [])]
        present = {type(callback) for callback in callbacks.callbacks}
        missing = [c for c in added if type(c) not in present]
        for callback in missing:
            callback.set_model(self)
        callbacks.callbacks[:0] = missing
        return callbacks


def _caller_outside_keras():
    """The `stacklevel` that makes a warning name the first caller outside
    Keras and this package, such as the user's `fit` (Python 3.12's
    `skip_file_prefixes`)."""
    this_package = os.path.dirname(os.path.dirname(__file__))
    packages = (os.path.dirname(keras.__file__), this_package)
    frame, level = sys._getframe(2), 2  # the warning's caller
    while frame is not None and frame.f_code.co_filename.startswith(packages):
        frame, level = frame.f_back, level + 1
    return level


class _PerSampleMean(keras.losses.Loss):
    """Reduces per-sample losses as every Keras loss does (sample weights,
    masks, scaling for tf.distribute)."""

    def call(self, y_true, y_pred):
        return y_pred


class _NoiseHeadPredictor(keras.Model):
    """Runs `NoisyLabelModel.call_noisy` through Keras's `predict` loop."""

    def __init__(self, noisy_label_model):
        super().__init__(name=f"{noisy_label_model.name}_noise_head")
        self.noisy_label_model = noisy_label_model

    def call(self, inputs):
        return self.noisy_label_model.call_noisy(inputs)


def _renamed_noise_argument(noise, noise_layer):
    """`noise_layer` from the deprecated `noise` argument."""
    if not (isinstance(noise_layer, str) and noise_layer == "nonlinear"):
        raise ValueError(
            "`noise` is the deprecated name of `noise_layer`: pass only "
            f"`noise_layer`. Received: noise={noise!r}, "
            f"noise_layer={noise_layer!r}"
        )
    warnings.warn(
        "The `noise` argument of `NoisyLabelModel` is deprecated and will "
        "be removed in a future release: pass the noise adaptation layer "
        "(or its mode) as `noise_layer` instead. Received: "
        f"noise={noise!r}",
        DeprecationWarning,
        stacklevel=3,
    )
    return noise


def _noise_layer(noise_layer):
    if isinstance(noise_layer, NoiseAdaptationLayer):
        return noise_layer
    if isinstance(noise_layer, str):
        if noise_layer not in MODES:
            raise ValueError(
                f"`noise_layer` must be one of {MODES} or a "
                f"NoiseAdaptationLayer. Received: noise_layer={noise_layer!r}"
            )
        return default_noise_head(noise_layer, name="noise_adaptation")
    raise TypeError(
        f"`noise_layer` must be one of {MODES} or a NoiseAdaptationLayer. "
        f"Received: noise_layer of type {type(noise_layer).__name__}"
    )


def _is_array_data(x):
    """Whether `x` is arrays or tensors (or a structure of them), which
    `predict` keeps in order, rather than a dataset."""
    return all(hasattr(leaf, "shape") for leaf in keras.tree.flatten(x))
