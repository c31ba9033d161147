"""One experiment: a method trained on noisy labels, tested on clean ones."""

import functools
import time

import keras
import numpy as np
from keras import ops

from keras_nnaqc import methods
from keras_nnaqc import noise
from keras_nnaqc.datasets.cifar10 import load_cifar10n_labels
from keras_nnaqc.datasets.noisy_dataset import add_noise
from keras_nnaqc.datasets.noisy_dataset import choose_subset
from keras_nnaqc.datasets.noisy_dataset import seed_streams
from keras_nnaqc.datasets.noisy_dataset import select_part
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.models import find_label_issues
from keras_nnaqc.reproduction.device import describe_device
from keras_nnaqc.reproduction.settings import CLASS_CONDITIONAL_SUFFIX
from keras_nnaqc.reproduction.settings import get_setting
from keras_nnaqc.version import __version__

DEFAULT_NOISE_RATE = 0.5


def run_experiment(
    dataset="mnist",
    method="nnaqc_balance",
    noise_rate=None,
    train_size=None,
    epochs=None,
    seed=0,
    data_path=None,
    noise_model="uniform_simplex",
    verbose=0,
    labels_path=None,
    label_set=None,
    callbacks=(),
):
    """Trains `method` on a noisy training set and reports its clean error.

    The training subset, the noise matrix, the noisy labels and the split
    of a validation set off the noisy training set are drawn from
    independent streams of `seed`, once; the same seed gives the same noisy
    data to every method. Training keeps the weights of the best epoch on
    the setting's validation metric (on noisy labels, all a user has), and
    stops early when the setting has a patience.

    Args:
        dataset: A dataset of `keras_nnaqc.reproduction.SETTINGS`. Defaults
            to `"mnist"`.
        method: A name of `keras_nnaqc.methods.names()`, or a
            `keras_nnaqc.methods.Method` of your own. Defaults to
            `"nnaqc_balance"` (`NoisyLabelModel`'s defaults).
        noise_rate: Label-noise rate `p` in [0, 1]. Defaults to `None`:
            0.5, or none for a dataset of real noisy labels (CIFAR-10N).
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
        labels_path: For CIFAR-10N, the `.npz` of its human labels.
            Defaults to `None`.
        label_set: For CIFAR-10N, which human labels, e.g. `"worse"`, or
            their class-conditional twin (`"worse_class_conditional"`).
            Defaults to `None`.
        callbacks: More callbacks for `fit`, after the setting's (e.g. to
            watch the test error by epoch). Defaults to `()`.

    Returns:
        A dict of results: the configuration, `test_error` in percent,
        `class_test_error` (each class's share of its test images predicted
        wrong, in percent; `None` for a class without one), `actual_noise`,
        `best_epoch`, `validation` (the validation metrics of the kept
        epoch, on noisy labels), `predicted_classes` (how many
        classes the model predicts on the test set: 1 means collapse),
        `wall_s`, `backend`, `device`, `version`, the noise model the
        method used as `transition_matrix` (or `None`), the labels' noise
        as `noise_matrix` (the drawn matrix for eq. 1, pair and symmetric
        noise; the training labels' clean-to-noisy matrix for IDN and real
        labels), for a method that pruned `kept_noise_matrix` (the
        clean-to-noisy matrix of the labels it kept), `flagged`:
        `flag_scores` of the training part's labels that a pruning method
        dropped, or else that a `NoisyLabelModel`'s `label_issues` flags,
        against the truly wrong labels (`None` for other methods), and for
        a `NoisyLabelModel` `flagged_cleanlab`: the same for cleanlab's
        `find_label_issues` on the same clean probabilities (`None`
        without cleanlab), and `training_fit`: `training_fit` of the
        model's predictions on the training part (for a pruning method,
        the labels it dropped too). For real noisy labels
        `noise` is `None` and `label_set` names them.
    """
    setting = get_setting(dataset)
    method_object = (
        method if isinstance(method, methods.Method) else methods.get(method)
    )
    epochs = setting.epochs if epochs is None else epochs
    data = load_noisy_data(
        dataset,
        noise_rate,
        train_size,
        seed,
        noise_model,
        data_path,
        labels_path,
        label_set,
    )
    noise_rate = data["noise_rate"]
    x_train, noisy_labels = data["x_train"], data["noisy_labels"]
    x_test, y_test = data["x_test"], data["y_test"]
    fit, validation = (
        select_part(len(x_train), setting.validation_fraction, part, seed)
        for part in ("training", "validation")
    )
    x_fit, noisy_fit = x_train[fit], noisy_labels[fit]
    clean_fit = data["y_train"][fit]

    keras.utils.set_random_seed(seed)
    early_stopping = keras.callbacks.EarlyStopping(
        monitor=setting.monitor,
        patience=epochs if setting.patience is None else setting.patience,
        restore_best_weights=True,
    )
    schedule = rate_schedule(setting, epochs)
    start = time.time()
    trained = method_object.train(
        setting.build_base_model,
        x_fit,
        noisy_fit,
        setting.num_classes,
        optimizer=setting.optimizer,
        true_transition=data["transition_matrix"],
        epochs=epochs,
        batch_size=setting.batch_size,
        validation_data=(x_train[validation], noisy_labels[validation]),
        callbacks=[early_stopping, *schedule, *callbacks],
        verbose=verbose,
    )
    wall_s = time.time() - start
    predictions = trained.model.predict(x_test, batch_size=500, verbose=0)
    predicted = predictions.argmax(axis=1)
    test_error = 100.0 * float(np.mean(predicted != y_test))
    # The clean model's scores on the training part, for `training_fit` and
    # for what `label_issues` ranks: one prediction for both.
    fit_scores = trained.model.predict(x_fit, batch_size=500, verbose=0)
    transition = trained.transition_matrix
    best_epoch = early_stopping.best_epoch
    logs = trained.histories[-1].history
    return {
        "method": method_object.name,
        "dataset": dataset,
        "noise": noise_rate,
        "noise_model": None if label_set else noise_model,
        **({"label_set": label_set} if label_set else {}),
        "train_size": len(x_train),
        "seed": seed,
        "epochs": epochs,
        "batch_size": setting.batch_size,
        "validation_fraction": setting.validation_fraction,
        **recorded_setting(setting, epochs),
        "best_epoch": best_epoch + 1,
        "validation": {
            name: round(float(values[best_epoch]), 6)
            for name, values in logs.items()
            if name.startswith("val_")
        },
        "test_error": round(test_error, 4),
        "class_test_error": [
            round(100.0 * float(np.mean(predicted[y_test == c] != c)), 2)
            if np.any(y_test == c)
            else None
            for c in range(setting.num_classes)
        ],
        "predicted_classes": len(np.unique(predicted)),
        "actual_noise": round(data["actual_noise"], 6),
        "wall_s": round(wall_s, 2),
        "backend": keras.backend.backend(),
        "device": describe_device(),
        "version": __version__,
        "transition_matrix": None
        if transition is None
        else np.round(np.asarray(transition, np.float64), 5).tolist(),
        "noise_matrix": np.round(data["transition_matrix"], 5).tolist(),
        **_kept_noise_matrix(
            trained.kept, clean_fit, noisy_fit, setting.num_classes
        ),
        **_flag_scores_of(trained, fit_scores, noisy_fit, clean_fit),
        "training_fit": training_fit(
            fit_scores.argmax(axis=1), noisy_fit, clean_fit
        ),
    }


def recorded_setting(setting, epochs):
    """What is recorded with each run of `epochs` in a setting: its base
    model's builder, and how it stops and steps its learning rate. Runs
    that differ in it do not share a table."""
    return {
        "base_model": builder_name(setting.build_base_model),
        "monitor": setting.monitor,
        "patience": setting.patience,
        "rate_steps": rate_steps_of(setting, epochs),
    }


def builder_name(build):
    """The name of a base-model builder, with the arguments of a
    `functools.partial` (`"mnist_cnn(num_classes=100)"`)."""
    if isinstance(build, functools.partial):
        arguments = [repr(value) for value in build.args]
        arguments += [f"{k}={v!r}" for k, v in build.keywords.items()]
        return f"{builder_name(build.func)}({', '.join(arguments)})"
    return getattr(build, "__name__", type(build).__name__)


def rate_steps_of(setting, epochs):
    """The epochs after which a run of `epochs` divides its rate by 10:
    the setting's steps, at the same shares of a run of another length."""
    return [
        round(step * epochs / setting.epochs) for step in setting.rate_steps
    ]


def rate_schedule(setting, epochs):
    """The callbacks that step the learning rate of a setting's run of
    `epochs`: a `RateSteps`, or none when the setting has no steps."""
    steps = rate_steps_of(setting, epochs)
    return [RateSteps(steps)] if steps else []


class RateSteps(keras.callbacks.Callback):
    """Divides the learning rate by 10 after each epoch of `steps`, from
    the rate the optimizer starts each `fit` with.

    Args:
        steps: Epochs (1-based) after which the rate is divided.
    """

    def __init__(self, steps):
        super().__init__()
        self.steps = steps

    def on_train_begin(self, logs=None):
        self.initial_rate = float(
            ops.convert_to_numpy(self.model.optimizer.learning_rate)
        )

    def on_epoch_begin(self, epoch, logs=None):
        divisions = sum(epoch >= step for step in self.steps)
        self.model.optimizer.learning_rate = self.initial_rate * 0.1**divisions


def _kept_noise_matrix(kept, clean_labels, noisy_labels, num_classes):
    """`kept_noise_matrix`, for a method that pruned: the clean-to-noisy
    matrix of the training labels it kept, which its last stage trained
    on (`{}` for other methods)."""
    if kept is None:
        return {}
    matrix = noise.empirical_transition(
        clean_labels[kept], noisy_labels[kept], num_classes
    )
    return {"kept_noise_matrix": np.round(matrix, 5).tolist()}


def _flag_scores_of(trained, scores, noisy_labels, clean_labels):
    """`flagged`: `flag_scores` of the labels a method dropped, or else of
    those its `NoisyLabelModel`'s `label_issues` flags (`None` for other
    methods); `flagged_cleanlab`: of cleanlab's `find_label_issues` on the
    same clean probabilities (`None` but for a `NoisyLabelModel` with
    cleanlab installed). `scores` are the clean model's (`trained.model`,
    which is what a `NoisyLabelModel` predicts) on the labels' images."""
    wrong = clean_labels != noisy_labels
    flags = {"flagged": None, "flagged_cleanlab": None}
    model = trained.training_model
    if trained.kept is not None:
        flags["flagged"] = flag_scores(~trained.kept, wrong)
    elif isinstance(model, NoisyLabelModel):
        # One prediction for both rankings: what `label_issues` ranks.
        probabilities = model._clean_probabilities(scores)
        flags["flagged"] = _flagged_scores(
            probabilities, noisy_labels, wrong, "disagreement"
        )
        try:
            flags["flagged_cleanlab"] = _flagged_scores(
                probabilities, noisy_labels, wrong, "cleanlab"
            )
        except ImportError:
            pass
    return flags


def _flagged_scores(probabilities, noisy_labels, wrong, rule):
    issues = find_label_issues(probabilities, noisy_labels, rule)
    flagged = np.zeros(len(noisy_labels), dtype=bool)
    flagged[issues.indices] = True
    return flag_scores(flagged, wrong)


def training_fit(predicted, noisy_labels, clean_labels):
    """What a model predicts for the images of its training part.

    Args:
        predicted: Its predicted classes.
        noisy_labels: The labels of the training part (for a pruning
            method, the ones it dropped too).
        clean_labels: The true classes.

    Returns:
        A dict of `wrong_followed` (share of the wrongly labelled images
        where it predicts the given, wrong label), `wrong_corrected` (where
        it predicts the true class) and `right_kept` (share of the rightly
        labelled images where it predicts their label); a share of no
        images is `None`.
    """
    wrong = noisy_labels != clean_labels

    def share(hits, labels):
        total = int(np.sum(labels))
        return round(int(np.sum(hits & labels)) / total, 4) if total else None

    return {
        "wrong_followed": share(predicted == noisy_labels, wrong),
        "wrong_corrected": share(predicted == clean_labels, wrong),
        "right_kept": share(predicted == clean_labels, ~wrong),
    }


def flag_scores(flagged, wrong):
    """How well flagged labels match the truly wrong ones.

    Args:
        flagged: Boolean mask of the labels flagged as wrong.
        wrong: Boolean mask of the labels that are wrong.

    Returns:
        A dict of `count` (flagged), `wrong` (truly wrong), `precision`
        (share of the flagged that are wrong), `recall` (share of the wrong
        that are flagged) and `f1`; a ratio with nothing to divide by (no
        label flagged, or none wrong) is `None`.
    """
    caught = int(np.sum(flagged & wrong))
    count, total = int(np.sum(flagged)), int(np.sum(wrong))

    def ratio(numerator, denominator):
        return round(numerator / denominator, 4) if denominator else None

    return {
        "count": count,
        "wrong": total,
        "precision": ratio(caught, count),
        "recall": ratio(caught, total),
        "f1": ratio(2 * caught, count + total),
    }


def load_noisy_data(
    dataset,
    noise_rate=None,
    train_size=None,
    seed=0,
    noise_model="uniform_simplex",
    data_path=None,
    labels_path=None,
    label_set=None,
):
    """A dataset with noisy training labels, as `run_experiment` makes it.

    The subset, the noise matrix and the noisy labels are drawn as
    `keras_nnaqc.datasets.load` draws them (`add_noise` and the streams of
    `seed_streams`), so both give the same noisy data for one
    configuration (a class-conditional twin of CIFAR-10N's labels is the
    runner's alone). Instance-dependent noise projects the setting's
    `idn_features` where it has them (the stored pixels, where the model
    is fed preprocessed images), else the training images.

    Args:
        dataset: A dataset of `keras_nnaqc.reproduction.SETTINGS`.
        noise_rate: Label-noise rate `p` in [0, 1]. Defaults to `None`:
            0.5 for synthetic noise; a dataset of real noisy labels
            (CIFAR-10N) takes none.
        train_size: Number of training images, drawn at random. Defaults to
            `None` (all).
        seed: Seed of the subset, the noise matrix and the labels. Defaults
            to `0`.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults
            to `"uniform_simplex"` (eq. 1).
        data_path: Local data file. Defaults to `None`.
        labels_path: For CIFAR-10N, the `.npz` of its human labels.
            Defaults to `None`.
        label_set: For CIFAR-10N, which human labels (e.g. `"worse"`), or
            their class-conditional twin (`"worse_class_conditional"`).
            Defaults to `None`.

    Returns:
        A dict with `x_train`, `y_train` (clean), `noisy_labels`, `x_test`,
        `y_test`, `transition_matrix` (the true noise: for real noise the
        empirical clean-to-noisy matrix of the training subset),
        `actual_noise` and `noise_rate` (the rate used, `None` for real
        noise).
    """
    setting = get_setting(dataset)
    (x_train, y_train), (x_test, y_test) = setting.load(data_path)
    human_labels = _human_labels(
        setting, noise_rate, labels_path, label_set, y_train, seed
    )
    chosen = choose_subset(len(x_train), train_size, seed)
    x_train, y_train = x_train[chosen], y_train[chosen]
    features = x_train
    if noise_model == "idn" and setting.idn_features is not None:
        features = setting.idn_features(data_path)[chosen]
    if human_labels is None:
        noise_rate = DEFAULT_NOISE_RATE if noise_rate is None else noise_rate
        noisy_labels, phi = add_noise(
            y_train,
            setting.num_classes,
            noise_rate,
            noise_model,
            seed,
            features=features,
        )
        if phi is None:  # clean labels
            phi = np.eye(setting.num_classes)
    else:
        noisy_labels = human_labels[chosen]
        phi = noise.empirical_transition(
            y_train, noisy_labels, setting.num_classes
        )
    return {
        "x_train": x_train,
        "y_train": y_train,
        "noisy_labels": noisy_labels,
        "x_test": x_test,
        "y_test": y_test,
        "transition_matrix": phi,
        "actual_noise": noise.actual_noise_rate(y_train, noisy_labels),
        "noise_rate": noise_rate,
    }


def true_transition(dataset, noise_rate, seed, noise_model="uniform_simplex"):
    """The noise matrix `run_experiment` draws for a configuration.

    Args:
        dataset: A dataset of `keras_nnaqc.reproduction.SETTINGS`.
        noise_rate: Label-noise rate `p` in [0, 1].
        seed: The experiment's seed.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults
            to `"uniform_simplex"`.

    Returns:
        A row-stochastic `(L, L)` array.
    """
    num_classes = get_setting(dataset).num_classes
    stream = np.random.default_rng(seed_streams(seed)[1])
    return noise.named_transition(noise_model, num_classes, noise_rate, stream)


def _human_labels(
    setting, noise_rate, labels_path, label_set, clean_labels, seed
):
    """The real noisy labels of a run (or their class-conditional twin,
    drawn from `seed`), or `None` for synthetic noise."""
    if not setting.label_sets:
        if labels_path is not None or label_set is not None:
            raise ValueError(
                f"{setting.dataset} takes synthetic noise (`noise_rate`), not "
                f"a set of noisy labels. Received: labels_path={labels_path!r}"
                f", label_set={label_set!r}"
            )
        return None
    if noise_rate is not None:
        raise ValueError(
            f"{setting.dataset} carries real human label noise, chosen with "
            f"`label_set`; it takes no noise rate. Received: "
            f"noise_rate={noise_rate!r}"
        )
    if labels_path is None or label_set not in setting.label_sets:
        raise ValueError(
            f"{setting.dataset} needs `labels_path` (the file of its noisy "
            f"labels) and `label_set`, one of {', '.join(setting.label_sets)}."
            f" Received: labels_path={labels_path!r}, label_set={label_set!r}"
        )
    human_set = label_set.removesuffix(CLASS_CONDITIONAL_SUFFIX)
    noisy, clean = load_cifar10n_labels(labels_path, human_set)
    if not np.array_equal(clean, clean_labels):
        raise ValueError(
            f"The labels in {labels_path!r} are not those of the training "
            "images: their clean labels differ from the images' labels "
            f"at {int(np.sum(clean != clean_labels))} of {len(clean)} "
            "positions (a different order or a different file)."
        )
    if human_set != label_set:
        matrix = noise.empirical_transition(clean, noisy, setting.num_classes)
        draw = np.random.default_rng(seed_streams(seed)[2])
        noisy = noise.corrupt(clean, matrix, draw)
    return noisy
