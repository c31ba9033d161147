import copy

import keras
import keras_tuner
import numpy as np

from keras_nnaqc._folds import kfold_splits

DEFAULT_OBJECTIVE = keras_tuner.Objective("val_accuracy", direction="max")


class CrossValidationTuner(keras_tuner.Tuner):
    """A KerasTuner tuner that scores each trial by k-fold cross-validation.

    Every trial trains `folds` models, each on all folds but one, and
    evaluates it on the held-out fold *with its noisy labels*: a user only
    has noisy labels. The trial's metrics are the averages over folds, with
    `val_` prefixed (`val_loss`, `val_accuracy`, `val_nna_loss`...). The
    default objective is `val_accuracy`, the agreement of the clean
    prediction with held-out noisy labels: unlike the loss, it means the
    same for every `alpha` and `beta`, and under class-conditional noise it
    is highest for the classifier of the clean labels.

    Any oracle works (random search, Bayesian optimisation, Hyperband; with
    Hyperband each trial trains from scratch for its budget of epochs). The
    search resumes from `directory` unless `overwrite=True`. A fold that
    fails (an error, or non-finite metrics) fails its trial, with the fold
    named in the trial's message; it is not averaged away.

    Args:
        hypermodel: An `NNAQCHyperModel` (or any hypermodel of
            `NoisyLabelModel`s).
        oracle: A `keras_tuner.Oracle`. Defaults to `None`: random search
            with `max_trials`, `objective` and `seed`.
        folds: Number of folds. Defaults to `3`.
        seed: Seed of the folds and of the default oracle. Defaults to `0`.
        max_trials: Trials of the default oracle. Defaults to `10`.
        objective: Objective of the default oracle. Defaults to
            `keras_tuner.Objective("val_accuracy", "max")`.
        **kwargs: Tuner arguments: `directory`, `project_name`,
            `overwrite`...

    Attributes:
        fold_metrics: For the trials this object ran, the metrics of each
            fold, by trial id.
    """

    def __init__(
        self,
        hypermodel,
        oracle=None,
        folds=3,
        seed=0,
        max_trials=10,
        objective=DEFAULT_OBJECTIVE,
        **kwargs,
    ):
        if oracle is None:
            oracle = keras_tuner.oracles.RandomSearchOracle(
                objective=objective, max_trials=max_trials, seed=seed
            )
        super().__init__(oracle=oracle, hypermodel=hypermodel, **kwargs)
        if not isinstance(folds, int) or folds < 2:
            raise ValueError(
                f"`folds` must be an integer >= 2. Received: folds={folds!r}"
            )
        self.folds = folds
        self.seed = seed
        self.fold_metrics = {}
        self._search_data = None

    def search(self, x, y=None, **fit_kwargs):
        """Searches the space; each trial is `folds` fits on NumPy arrays.

        Args:
            x: Training inputs (an array indexable by sample), or a finite
                dataset of `(inputs, labels)` batches (a `tf.data.Dataset`,
                a `keras.utils.PyDataset` or any iterable), read once into
                memory: its inputs and labels come from the same pass, so a
                dataset that shuffles stays paired.
            y: Their noisy labels. Defaults to `None`, for a dataset.
            **fit_kwargs: Passed to every `fit` (`epochs`, `batch_size`...).
                For a dataset, `batch_size` defaults to its first batch's.
        """
        if _is_dataset(x):
            if y is not None:
                raise ValueError(
                    "A dataset `x` brings its own labels, in `(inputs, "
                    "labels)` batches; `y` must be None. Received: y of type "
                    f"{type(y).__name__}"
                )
            x, y, batch_size = _read_dataset(x)
            fit_kwargs.setdefault("batch_size", batch_size)
        elif y is None:
            raise ValueError(
                "`search` needs the noisy labels: pass `y`, or `x` as a "
                "dataset of `(inputs, labels)` batches. Received: y=None"
            )
        x, y = np.asarray(x), np.asarray(y)
        if len(x) != len(y):
            raise ValueError(
                "`x` and `y` must have as many samples. Received: "
                f"len(x)={len(x)}, len(y)={len(y)}"
            )
        self._search_data = (x, y, fit_kwargs)
        super().search(x, y, **fit_kwargs)

    def run_trial(self, trial, x, y, **fit_kwargs):
        hp = trial.hyperparameters
        fit_kwargs = copy.copy(fit_kwargs)
        if "tuner/epochs" in hp.values:  # Hyperband's budget
            fit_kwargs["epochs"] = hp.values["tuner/epochs"]
        results = []
        splits = kfold_splits(len(x), self.folds, self.seed)
        for fold, (train, held_out) in enumerate(splits, start=1):
            try:
                model = self.hypermodel.build(hp)
                self.hypermodel.fit(hp, model, x[train], y[train], **fit_kwargs)
                metrics = model.evaluate(
                    x[held_out], y[held_out], verbose=0, return_dict=True
                )
            except Exception as error:
                raise keras_tuner.errors.FailedTrialError(
                    f"Fold {fold} of {self.folds} failed: {error!r}"
                ) from error
            if not all(np.isfinite(value) for value in metrics.values()):
                raise keras_tuner.errors.FailedTrialError(
                    f"Fold {fold} of {self.folds} gave non-finite metrics: "
                    f"{metrics}"
                )
            results.append({f"val_{k}": float(v) for k, v in metrics.items()})
        self.fold_metrics[trial.trial_id] = results
        return results

    @property
    def best_hyperparameters(self):
        """The `HyperParameters` of the best trial."""
        return self.get_best_hyperparameters(1)[0]

    def best_model(self, x=None, y=None, **fit_kwargs):
        """The best hyperparameters' `NoisyLabelModel`, trained on all data.

        Args:
            x: Training inputs. Defaults to `None`: those of the last
                `search`.
            y: Their noisy labels. Defaults to `None`: those of the last
                `search`.
            **fit_kwargs: `fit` arguments. Defaults to those of the last
                `search`.

        Returns:
            A trained `NoisyLabelModel`, ready to evaluate or export.
        """
        if x is None or y is None:
            if self._search_data is None:
                raise ValueError(
                    "`best_model()` needs training data: pass `x` and `y`, "
                    "or call `search()` first. Received: x=None or y=None"
                )
            x, y, searched_kwargs = self._search_data
            fit_kwargs = {**searched_kwargs, **fit_kwargs}
        hp = self.best_hyperparameters
        model = self.hypermodel.build(hp)
        self.hypermodel.fit(hp, model, x, y, **fit_kwargs)
        return model

    def get_best_models(self, num_models=1):
        """Not available: cross-validation keeps no model; use
        `best_model()`, which retrains on all the data."""
        raise ValueError(
            "CrossValidationTuner keeps no trained model per trial; call "
            "`best_model()` to retrain the best one on all the data. "
            f"Received: num_models={num_models}"
        )


def _is_dataset(x):
    """Whether `x` is a dataset to iterate rather than an array to index."""
    return (
        not isinstance(x, (np.ndarray, list, tuple))
        and not hasattr(x, "__array__")
        and hasattr(x, "__iter__")
    )


def _read_dataset(dataset):
    """The inputs and labels of a finite dataset of `(inputs, labels)`
    batches, as two arrays, and the size of its first batch."""
    if not _is_finite(dataset):
        raise ValueError(
            "`x` must be a finite dataset: the search reads it once into "
            "memory. Received: an infinite dataset (e.g. `.repeat()`)"
        )
    inputs, labels = [], []
    for batch in dataset:
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            parts = len(batch) if isinstance(batch, (tuple, list)) else 1
            raise ValueError(
                "`x` must be a dataset of `(inputs, labels)` batches. "
                f"Received: a batch of {parts} part(s)"
            )
        inputs.append(np.asarray(batch[0]))
        labels.append(np.asarray(batch[1]))
        if labels[-1].ndim == 0:
            raise ValueError(
                "`x` must be a dataset of batches, e.g. `dataset.batch(32)`. "
                f"Received: a single sample with label {labels[-1]!r}"
            )
    if not inputs:
        raise ValueError("`x` must hold data. Received: an empty dataset")
    return np.concatenate(inputs), np.concatenate(labels), len(labels[0])


def _is_finite(dataset):
    cardinality = getattr(dataset, "cardinality", None)
    if callable(cardinality):  # tf.data: -1 means infinite
        return int(cardinality()) != -1
    if isinstance(dataset, keras.utils.PyDataset):
        # Keras's `PyDataset.num_batches` raises NotImplementedError when
        # the dataset has no `__len__`: its size is unknown, maybe infinite.
        try:
            return dataset.num_batches is not None
        except NotImplementedError:
            return False
    return True
