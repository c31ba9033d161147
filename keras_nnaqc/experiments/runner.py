"""One experiment: a method trained on noisy labels, tested on clean ones."""

import time

import keras
import numpy as np

from keras_nnaqc import methods
from keras_nnaqc import noise
from keras_nnaqc.experiments.device import describe_device
from keras_nnaqc.experiments.settings import get_setting
from keras_nnaqc.version import __version__

NOISE_MODELS = {
    "uniform_simplex": noise.uniform_simplex,
    "sparse": noise.sparse,
}


def run_experiment(
    dataset="mnist",
    method="nnaqc",
    noise_rate=0.5,
    train_size=None,
    epochs=None,
    seed=0,
    data_path=None,
    noise_model="uniform_simplex",
    verbose=0,
):
    """Trains `method` on a noisy training set and reports its clean error.

    The training subset, the noise matrix, the noisy labels and the split
    of a validation set off the noisy training set are drawn from
    independent streams of `seed`, once; the same seed gives the same noisy
    data to every method. Training stops early on the validation loss (on
    noisy labels, all a user has) and keeps the best epoch's weights.

    Args:
        dataset: A dataset of `keras_nnaqc.experiments.SETTINGS`. Defaults
            to `"mnist"`.
        method: A name of `keras_nnaqc.methods.names()`, or a
            `keras_nnaqc.methods.Method` of your own. Defaults to `"nnaqc"`.
        noise_rate: Label-noise rate `p` in [0, 1]. Defaults to `0.5`.
        train_size: Number of training images, drawn at random. Defaults to
            `None` (all).
        epochs: Maximum training epochs. Defaults to `None` (the
            setting's).
        seed: Seed of the data, the noise and the weights. Defaults to `0`.
        data_path: Local data file, e.g. an `mnist.npz`. Defaults to `None`
            (`$KERAS_NNAQC_DATA`).
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults
            to `"uniform_simplex"` (eq. 1).
        verbose: Keras verbosity of `fit`. Defaults to `0`.

    Returns:
        A dict of results: the configuration, `test_error` in percent,
        `actual_noise`, `best_epoch`, `validation` (the validation metrics
        of the kept epoch, on noisy labels), `predicted_classes` (how many
        classes the model predicts on the test set: 1 means collapse),
        `wall_s`, `backend`, `device`, `version`, and the noise model the
        method used as `transition_matrix` (or `None`).
    """
    setting = get_setting(dataset)
    method_object = (
        method if isinstance(method, methods.Method) else methods.get(method)
    )
    epochs = setting.epochs if epochs is None else epochs
    data = load_noisy_data(
        dataset, noise_rate, train_size, seed, noise_model, data_path
    )
    x_train, noisy_labels = data["x_train"], data["noisy_labels"]
    x_test, y_test = data["x_test"], data["y_test"]
    order = np.random.default_rng(_seed_streams(seed)[3]).permutation(
        len(x_train)
    )
    held_out = int(round(setting.validation_fraction * len(x_train)))
    fit, validation = np.sort(order[held_out:]), np.sort(order[:held_out])

    keras.utils.set_random_seed(seed)
    early_stopping = keras.callbacks.EarlyStopping(
        patience=setting.patience, restore_best_weights=True
    )
    start = time.time()
    trained = method_object.train(
        setting.build_base_model,
        x_train[fit],
        noisy_labels[fit],
        setting.num_classes,
        optimizer=setting.optimizer,
        true_transition=data["transition_matrix"],
        epochs=epochs,
        batch_size=setting.batch_size,
        validation_data=(x_train[validation], noisy_labels[validation]),
        callbacks=[early_stopping],
        verbose=verbose,
    )
    wall_s = time.time() - start
    predictions = trained.model.predict(x_test, batch_size=500, verbose=0)
    predicted = predictions.argmax(axis=1)
    test_error = 100.0 * float(np.mean(predicted != y_test))
    transition = trained.transition_matrix
    best_epoch = early_stopping.best_epoch
    logs = trained.histories[-1].history
    return {
        "method": method_object.name,
        "dataset": dataset,
        "noise": noise_rate,
        "noise_model": noise_model,
        "train_size": len(x_train),
        "seed": seed,
        "epochs": epochs,
        "batch_size": setting.batch_size,
        "validation_fraction": setting.validation_fraction,
        "best_epoch": best_epoch + 1,
        "validation": {
            name: round(float(values[best_epoch]), 6)
            for name, values in logs.items()
            if name.startswith("val_")
        },
        "test_error": round(test_error, 4),
        "predicted_classes": len(np.unique(predicted)),
        "actual_noise": round(data["actual_noise"], 6),
        "wall_s": round(wall_s, 2),
        "backend": keras.backend.backend(),
        "device": describe_device(),
        "version": __version__,
        "transition_matrix": None
        if transition is None
        else np.round(np.asarray(transition, np.float64), 5).tolist(),
    }


def load_noisy_data(
    dataset,
    noise_rate,
    train_size=None,
    seed=0,
    noise_model="uniform_simplex",
    data_path=None,
):
    """A dataset with noisy training labels, as `run_experiment` makes it.

    Args:
        dataset: A dataset of `keras_nnaqc.experiments.SETTINGS`.
        noise_rate: Label-noise rate `p` in [0, 1].
        train_size: Number of training images, drawn at random. Defaults to
            `None` (all).
        seed: Seed of the subset, the noise matrix and the labels. Defaults
            to `0`.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults
            to `"uniform_simplex"` (eq. 1).
        data_path: Local data file. Defaults to `None`.

    Returns:
        A dict with `x_train`, `y_train` (clean), `noisy_labels`, `x_test`,
        `y_test`, `transition_matrix` (the true noise) and `actual_noise`.
    """
    setting = get_setting(dataset)
    phi = true_transition(dataset, noise_rate, seed, noise_model)
    (x_train, y_train), (x_test, y_test) = setting.load(data_path)
    subset_seed, _, corruption_seed, _ = _seed_streams(seed)
    if train_size is not None:
        if not 0 < train_size <= len(x_train):
            raise ValueError(
                f"`train_size` must be in [1, {len(x_train)}]. Received: "
                f"train_size={train_size}"
            )
        order = np.random.default_rng(subset_seed).permutation(len(x_train))
        chosen = np.sort(order[:train_size])
        x_train, y_train = x_train[chosen], y_train[chosen]
    noisy_labels = noise.corrupt(y_train, phi, seed=corruption_seed)
    return {
        "x_train": x_train,
        "y_train": y_train,
        "noisy_labels": noisy_labels,
        "x_test": x_test,
        "y_test": y_test,
        "transition_matrix": phi,
        "actual_noise": noise.actual_noise_rate(y_train, noisy_labels),
    }


def true_transition(dataset, noise_rate, seed, noise_model="uniform_simplex"):
    """The noise matrix `run_experiment` draws for a configuration.

    Args:
        dataset: A dataset of `keras_nnaqc.experiments.SETTINGS`.
        noise_rate: Label-noise rate `p` in [0, 1].
        seed: The experiment's seed.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults
            to `"uniform_simplex"`.

    Returns:
        A row-stochastic `(L, L)` array.
    """
    num_classes = get_setting(dataset).num_classes
    stream = np.random.default_rng(_seed_streams(seed)[1])
    return noise.named_transition(noise_model, num_classes, noise_rate, stream)


def _seed_streams(seed):
    """Independent seeds of the training subset, the noise matrix, the noisy
    labels and the validation split."""
    return np.random.SeedSequence(seed).spawn(4)
