"""Choosing alpha and beta for one of the package's datasets, end to end."""

import time

import keras
import keras_tuner
import numpy as np

from keras_nnaqc._optimizers import fresh_optimizer
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.reproduction import get_setting
from keras_nnaqc.reproduction import load_noisy_data
from keras_nnaqc.reproduction.runner import rate_schedule
from keras_nnaqc.tuning.cross_validation import DEFAULT_OBJECTIVE
from keras_nnaqc.tuning.cross_validation import CrossValidationTuner
from keras_nnaqc.tuning.hypermodel import NNAQCHyperModel

ORACLES = ("random", "bayesian", "hyperband")


def tune_alpha_beta(
    dataset="mnist",
    noise_rate=None,
    train_size=None,
    trials=8,
    folds=3,
    epochs=4,
    oracle="random",
    directory="nnaqc-tuning",
    seed=0,
    data_path=None,
    compare=True,
    verbose=0,
    labels_path=None,
    label_set=None,
):
    """Cross-validates alpha and beta on noisy data; reports clean errors.

    The noisy training set is made as `keras_nnaqc.reproduction.
    run_experiment` makes it. Each trial is scored by k-fold agreement with
    held-out noisy labels; the best alpha and beta are then retrained on
    the whole noisy training set and tested on clean labels, beside the
    paper's alpha = beta = 0.9 trained the same way when `compare`. Every
    fit divides its learning rate by 10 at the setting's shares of
    `epochs`, as `run_experiment` does.

    Args:
        dataset: A dataset of `keras_nnaqc.reproduction.SETTINGS`. Defaults
            to `"mnist"`.
        noise_rate: Label-noise rate `p`. Defaults to `None`: 0.5 for
            synthetic noise; real noisy labels (`label_set`) take none.
        train_size: Training images. Defaults to `None` (all).
        trials: Number of trials (random and Bayesian search). Defaults to
            `8`.
        folds: Number of folds. Defaults to `3`.
        epochs: Epochs of every fit (Hyperband's maximum). Defaults to `4`.
        oracle: `"random"`, `"bayesian"` or `"hyperband"`. Defaults to
            `"random"`.
        directory: Where the search is kept (and resumed from). Defaults to
            `"nnaqc-tuning"`.
        seed: Seed of the data, folds, search and weights. Defaults to `0`.
        data_path: Local data file. Defaults to `None`.
        compare: Also train alpha = beta = 0.9. Defaults to `True`.
        verbose: Keras verbosity of `fit`. Defaults to `0`.
        labels_path: For CIFAR-10N, the `.npz` of its human labels.
            Defaults to `None`.
        label_set: For CIFAR-10N, which human labels (e.g. `"worse"`), or
            their class-conditional twin (`"worse_class_conditional"`).
            Defaults to `None`.

    Returns:
        A dict with the chosen hyperparameters, their cross-validated
        objective, and clean test errors (%).
    """
    if oracle not in ORACLES:
        raise ValueError(
            f"`oracle` must be one of {ORACLES}. Received: oracle={oracle!r}"
        )
    setting = get_setting(dataset)
    data = load_noisy_data(
        dataset,
        noise_rate,
        train_size,
        seed,
        data_path=data_path,
        labels_path=labels_path,
        label_set=label_set,
    )
    noise_rate = data["noise_rate"]
    noise_name = label_set if label_set else f"p{noise_rate:g}"
    x, noisy_labels = data["x_train"], data["noisy_labels"]
    hypermodel = NNAQCHyperModel(
        setting.build_base_model,
        setting.num_classes,
        optimizer=setting.optimizer,
        from_logits=True,
    )
    tuner = CrossValidationTuner(
        hypermodel,
        oracle=_oracle(oracle, trials, epochs, seed),
        folds=folds,
        seed=seed,
        directory=directory,
        project_name=f"{dataset}_{noise_name}_n{len(x)}_seed{seed}",
    )
    fit_kwargs = {
        "epochs": epochs,
        "batch_size": setting.batch_size,
        "callbacks": rate_schedule(setting, epochs),
        "verbose": verbose,
    }
    keras.utils.set_random_seed(seed)
    start = time.time()
    tuner.search(x, noisy_labels, **fit_kwargs)
    search_s = time.time() - start
    best_trial = tuner.oracle.get_best_trials(1)[0]
    keras.utils.set_random_seed(seed)
    best = tuner.best_model()
    result = {
        "dataset": dataset,
        "noise": noise_rate,
        **({"label_set": label_set} if label_set else {}),
        "train_size": len(x),
        "seed": seed,
        "oracle": oracle,
        "trials": len(tuner.oracle.trials),
        "folds": folds,
        "epochs": epochs,
        "best_hyperparameters": best_trial.hyperparameters.values,
        "cv_objective": f"{DEFAULT_OBJECTIVE.name}={best_trial.score:.4f}",
        "search_s": round(search_s, 1),
        "tuned_test_error": _test_error(best, data),
        "backend": keras.backend.backend(),
    }
    if compare:
        keras.utils.set_random_seed(seed)
        paper = NoisyLabelModel(
            setting.build_base_model(), alpha=0.9, beta=0.9, from_logits=True
        )
        paper.compile(optimizer=fresh_optimizer(setting.optimizer))
        paper.fit(x, noisy_labels, **fit_kwargs)
        result["paper_alpha_beta_test_error"] = _test_error(paper, data)
    return result


def _oracle(kind, trials, epochs, seed):
    oracles = keras_tuner.oracles
    if kind == "random":
        return oracles.RandomSearchOracle(
            DEFAULT_OBJECTIVE, max_trials=trials, seed=seed
        )
    if kind == "bayesian":
        return oracles.BayesianOptimizationOracle(
            DEFAULT_OBJECTIVE, max_trials=trials, seed=seed
        )
    return oracles.HyperbandOracle(
        DEFAULT_OBJECTIVE, max_epochs=epochs, seed=seed
    )


def _test_error(model, data):
    predictions = model.predict(data["x_test"], batch_size=500, verbose=0)
    wrong = np.mean(predictions.argmax(axis=1) != data["y_test"])
    return round(100.0 * float(wrong), 4)
