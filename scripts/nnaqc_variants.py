"""NNAQC variants (alpha, beta, warm-up, the noise head's start, speed and
constraint, the quasi-clustering target) on MNIST, CIFAR-10 or CIFAR-10N.

    KERAS_BACKEND=tensorflow python scripts/nnaqc_variants.py \\
        --data ../shared/data/mnist.npz --noise 0.7 --seeds 0 1 \\
        --variants beta=0.5 beta=0.7
    KERAS_BACKEND=torch python scripts/nnaqc_variants.py --dataset cifar10n \\
        --data CIFAR10.npz --labels ../shared/data/cifar10n.npz \\
        --label-sets worse --train-size 10000 --seeds 0 --variants speed=0.1

Trains NNAQC on the dataset exactly as `nnaqc reproduce` does (same noisy
data per seed, same schedule and early stopping), changing only what each
variant names: `alpha`, `beta`, `warmup` (epochs of beta warm-up), `gain`
(the noise head starts at `W = gain * I`), `speed` (the head's
`kernel_speed`: SGD's and Adam's steps move `W` `speed` times as far),
`dominant` (1: the head kept `DiagonallyDominant`), `rate` (the
setting's learning rate times this), `ramp` (epochs at speed 1 before
the head switches to `speed`), `linear` (1: the linear head,
`softmax(W, axis=-1)` applied to `y_hat`; `gain=4.4` starts its diagonal
at 0.9 for ten classes) and `posterior` (1: the quasi-clustering target's
`y_hat` replaced by the clean-label posterior given the noisy label under
the learned head, `q_c ~ y_hat_c * T[c, y']`, held constant in the
gradient, as in an EM step) and `prior` (`NoisyLabelModel`'s `balance`:
the weight of `KL(uniform || mean of y_hat over the batch)`, which Tanaka
et al.'s joint optimisation adds beside its entropy term to keep every
class predicted), `shift` (CIFAR-10's base model shifts each training
image at random by up to that many pixels each way; the setting's 4,
`shift=0` none), `plain` (1: the plain model, cross-entropy on the given
labels, for a `shift` probe),
`warm` (1: NNAQC starts from the plain model, trained first with the
same schedule and stopping, instead of from fresh weights; the result's
`wall_s` counts both trainings, its `best_epoch` the second's) and
`last_rate` (1, with `warm`: NNAQC starts at the learning rate of the
plain model's last epoch, where it otherwise starts at the setting's;
the weights are those of its best epoch, which early stopping restores,
often one or two tenfold cuts before) and `estimated` (1: the head
starts at F-correction's anchor-point estimate of the noise matrix, from
a plain model trained first, `W = log T` / `speed`, so that a one-hot
`y_hat` gets that row of the matrix; the result's `wall_s` counts both
trainings); `--noise-model pair` (or `idn`, `symmetric`) trains under
that noise instead of eq. 1's;
what a variant does not name is the paper's setting. Appends one result
line per run to `results/<dataset>/nnaqc_variants.jsonl`, skips runs
already there, and
writes `results/<dataset>/nnaqc_variants.md`: every variant run so far
beside `base`, `forward` and the NNAQC runs of `--reference` (one or
more results files; for MNIST the reproduction's `nnaqc_paper`,
`nnaqc_warmup` and `nnaqc_fast`, the variants with no change, `warmup=2`
and `warmup=2,speed=10`, `nnaqc`, `warmup=2,speed=10,dominant=1`, 0.1's
defaults, and `nnaqc_balance`, today's, which adds `prior=1`), one column
per noise and seed.
"""

import argparse
import dataclasses
import functools
import json
import pathlib

import keras
import numpy as np
from keras import ops

from keras_nnaqc import methods
from keras_nnaqc.constraints import DiagonallyDominant
from keras_nnaqc.datasets.cifar10 import load_cifar10n_labels
from keras_nnaqc.layers import NoiseAdaptationLayer
from keras_nnaqc.losses import nna_loss
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.noise import empirical_transition
from keras_nnaqc.reproduction import read_results
from keras_nnaqc.reproduction import run_experiment
from keras_nnaqc.reproduction.grid import check_same_setting
from keras_nnaqc.reproduction.matconvnet import matconvnet_cifar10_cnn
from keras_nnaqc.reproduction.settings import CLASS_CONDITIONAL_SUFFIX
from keras_nnaqc.reproduction.settings import get_setting
from keras_nnaqc.reproduction.settings import shifting_cifar10_cnn
from keras_nnaqc.reproduction.tables import matrix_gap
from keras_nnaqc.reproduction.tables import noise_column

RESULTS = pathlib.Path(__file__).resolve().parents[1] / "results"
DEFAULTS = {
    "alpha": 0.9,
    "beta": 0.9,
    "warmup": 0,
    "gain": 1.0,
    "speed": 1.0,
    "ramp": 0,
    "dominant": 0,
    "rate": 1.0,
    "linear": 0,
    "posterior": 0,
    "prior": 0.0,
    "shift": 4,  # CIFAR-10's setting; other datasets' base models do not
    "plain": 0,
    "warm": 0,
    "last_rate": 0,
    "estimated": 0,
}
# What a plain-model variant may change.
PLAIN_SETTINGS = ("plain", "shift", "rate")


class RampedNoiseHead(NoiseAdaptationLayer):
    """A nonlinear head whose `kernel_speed` can change during training.

    `W = speed * kernel`; `speed_up` rescales the kernel so that `W` does
    not move (the kernel's gradient is `W`'s at any speed, so the
    optimizer's state stays valid, and a constraint that holds for the
    kernel holds for `W`).
    """

    def __init__(self, **kwargs):
        super().__init__(mode="nonlinear", **kwargs)

    def build(self, input_shape):
        super().build(input_shape)
        self.speed = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(self.kernel_speed),
            trainable=False,
            name="speed",
        )

    def speed_up(self, speed):
        self.kernel.assign(self.kernel * self.speed / speed)
        self.speed.assign(speed)

    def _speed(self):
        return ops.cast(self.speed, "float32")


class SpeedUp(keras.callbacks.Callback):
    """Switches the head to `speed` after `epochs` epochs."""

    def __init__(self, head, speed, epochs):
        super().__init__()
        self.head, self.speed, self.epochs = head, speed, epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            self.head.speed_up(self.speed)


class RampedNoisyLabelModel(NoisyLabelModel):
    """A `NoisyLabelModel` whose `fit` speeds its head up on schedule."""

    def __init__(self, *args, speed_up, **kwargs):
        super().__init__(*args, **kwargs)
        self.speed_up = speed_up

    def fit(self, *args, callbacks=None, **kwargs):
        callbacks = [*(callbacks or []), self.speed_up]
        return super().fit(*args, callbacks=callbacks, **kwargs)


class PosteriorTargetModel(NoisyLabelModel):
    """NNAQC whose quasi-clustering target is `beta * q + (1 - beta) * y'`,
    `q` the posterior of the clean label given the noisy one under the
    head's transition matrix `T` (`q_c ~ y_hat_c * T[c, y']`, no gradient).
    For the probes' valid labels only."""

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        clean_logits = self._clean_logits(y_pred)
        noisy_logits = self.noise_layer.noisy_logits(clean_logits, training)
        beta = self._training_beta(training)
        num_classes = clean_logits.shape[-1]
        labels = ops.one_hot(
            ops.cast(ops.reshape(y, (-1,)), "int32"), num_classes
        )
        log_probs = ops.log_softmax(clean_logits, axis=-1)
        transition = ops.softmax(self.noise_layer.weight_matrix, axis=-1)
        joint = ops.exp(log_probs) * ops.matmul(
            labels, ops.transpose(transition)
        )
        posterior = ops.stop_gradient(
            joint / ops.sum(joint, axis=-1, keepdims=True)
        )
        target = beta * posterior + (1.0 - beta) * labels
        qc = -ops.sum(target * log_probs, axis=-1)
        nna = nna_loss(labels, noisy_logits, from_logits=True)
        per_sample = self.alpha * nna + (1.0 - self.alpha) * qc
        loss = self.per_sample_mean(per_sample, per_sample, sample_weight)
        self.nna_loss_tracker.update_state(nna, sample_weight)
        self.qc_loss_tracker.update_state(qc, sample_weight)
        if self.losses:
            loss = loss + keras.Model.compute_loss(
                self, x, y, y_pred, sample_weight, training
            )
        return loss


def variant(spec):
    """The method named by `spec`, e.g. `"gain=2,warmup=2"`."""
    settings = dict(DEFAULTS)
    for item in spec.split(","):
        key, _, value = item.partition("=")
        if key not in DEFAULTS:
            raise ValueError(
                f"Unknown setting {key!r} in variant {spec!r}. Valid "
                f"settings: {', '.join(DEFAULTS)}. Received: {spec!r}"
            )
        settings[key] = type(DEFAULTS[key])(value)
    if settings["prior"] and settings["posterior"]:
        raise ValueError(
            f"`prior` and `posterior` do not combine. Received: {spec!r}"
        )
    if settings["ramp"] and (settings["linear"] or settings["posterior"]):
        raise ValueError(
            "`ramp` speeds up the nonlinear head of the paper's loss only. "
            f"Received: {spec!r}"
        )
    starts = ("gain", "warm", "ramp")
    if settings["estimated"] and any(
        settings[key] != DEFAULTS[key] for key in starts
    ):
        raise ValueError(
            "`estimated` sets the head's start and trains its own plain "
            "model first; it combines with neither `gain`, `warm` nor "
            f"`ramp`. Received: {spec!r}"
        )
    if settings["last_rate"] and not settings["warm"]:
        raise ValueError(
            "`last_rate` keeps the rate of the plain model that `warm` "
            f"trains first. Received: {spec!r}"
        )
    if settings["plain"]:
        changed = [k for k in settings if settings[k] != DEFAULTS[k]]
        if not set(changed) <= set(PLAIN_SETTINGS):
            raise ValueError(
                f"A `plain` variant changes only {', '.join(PLAIN_SETTINGS)}."
                f" Received: {spec!r}"
            )
        if changed == ["plain"]:
            raise ValueError(
                "A `plain` variant that changes nothing is the registry's "
                f"`base`. Received: {spec!r}"
            )

    def build(base_model, num_classes, transition):
        if settings["plain"]:
            return methods.get("base").build(base_model, num_classes, None)
        speed, ramp = settings["speed"], settings["ramp"]
        initializer = keras.initializers.Identity(settings["gain"])
        constraint = DiagonallyDominant() if settings["dominant"] else None
        loss_settings = {
            "alpha": settings["alpha"],
            "beta": settings["beta"],
            "from_logits": True,
            "beta_warmup_epochs": settings["warmup"],
            "balance": settings["prior"],
        }
        if ramp:
            head = RampedNoiseHead(
                kernel_initializer=initializer, kernel_constraint=constraint
            )
            model = RampedNoisyLabelModel(
                base_model,
                noise_layer=head,
                speed_up=SpeedUp(head, speed, ramp),
                **loss_settings,
            )
        else:
            mode = "linear" if settings["linear"] else "nonlinear"
            if settings["estimated"]:
                head = NoiseAdaptationLayer.from_transition_matrix(
                    transition,
                    mode=mode,
                    kernel_speed=speed,
                    kernel_constraint=constraint,
                )
            else:
                head = NoiseAdaptationLayer(
                    mode=mode,
                    kernel_speed=speed,
                    kernel_initializer=initializer,
                    kernel_constraint=constraint,
                )
            model_class = (
                PosteriorTargetModel
                if settings["posterior"]
                else NoisyLabelModel
            )
            model = model_class(base_model, noise_layer=head, **loss_settings)
        return model, None

    changes = "".join(
        f"_{key}{value:g}"
        for key, value in settings.items()
        if value != DEFAULTS[key] and key != "plain"
    )
    if settings["plain"]:
        name = f"base{changes}"
    else:
        name = f"nnaqc{changes}" if changes else "nnaqc_paper"
    return ProbeMethod(
        name,
        f"{name}, {spec}",
        "NNAQC variants",
        build,
        transition="estimated" if settings["estimated"] else None,
        rate=settings["rate"],
        shift=None
        if settings["shift"] == DEFAULTS["shift"]
        else settings["shift"],
        warm=bool(settings["warm"]),
        last_rate=bool(settings["last_rate"]),
    )


@dataclasses.dataclass(frozen=True)
class ProbeMethod(methods.Method):
    """A method trained at `rate` times the setting's learning rate, its
    base model shifting training images by up to `shift` pixels (`None`:
    as the setting's does), and with `warm`, starting from the plain model
    trained first (with `last_rate`, at the learning rate of that
    training's last epoch)."""

    rate: float = 1.0
    shift: int | None = None
    warm: bool = False
    last_rate: bool = False

    def train(self, build_base_model, *args, optimizer="adam", **kwargs):
        config = keras.optimizers.serialize(keras.optimizers.get(optimizer))
        config["config"]["learning_rate"] *= self.rate
        if self.shift is not None:
            if build_base_model is not shifting_cifar10_cnn:
                raise ValueError(
                    "`shift` is for CIFAR-10's base model "
                    f"(shifting_cifar10_cnn). Received: {build_base_model}"
                )
            build_base_model = functools.partial(
                matconvnet_cifar10_cnn, shift=self.shift
            )
        if self.warm:
            plain = methods.get("base").train(
                build_base_model, *args, optimizer=config, **kwargs
            )
            build_base_model = lambda: plain.model  # noqa: E731
            if self.last_rate:
                rate = plain.training_model.optimizer.learning_rate
                rate = float(ops.convert_to_numpy(rate))
                config["config"]["learning_rate"] = rate
        return super().train(
            build_base_model, *args, optimizer=config, **kwargs
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument(
        "--data",
        help="the full mnist.npz, or CIFAR-10 in the keras.datasets layout "
        "(default: $KERAS_NNAQC_DATA)",
    )
    parser.add_argument("--labels", help="cifar10n.npz, for cifar10n")
    parser.add_argument(
        "--noise", nargs="+", type=float, default=[0.7], help="MNIST's p"
    )
    parser.add_argument(
        "--noise-model",
        default="uniform_simplex",
        help="MNIST's and CIFAR-10's noise model (default: eq. 1's)",
    )
    parser.add_argument(
        "--label-sets", nargs="+", default=["worse"], help="CIFAR-10N's"
    )
    parser.add_argument("--train-size", type=int)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--variants", nargs="+", default=["beta=0.5"])
    parser.add_argument(
        "--reference",
        nargs="+",
        help="results whose NNAQC runs the table shows beside the variants "
        "(default: results/<dataset>/results.jsonl)",
    )
    parser.add_argument(
        "--table-only", action="store_true", help="only rewrite the table"
    )
    args = parser.parse_args()
    output = RESULTS / args.dataset
    output.mkdir(parents=True, exist_ok=True)
    path = output / "nnaqc_variants.jsonl"
    recorded = read_results(path)
    setting = get_setting(args.dataset)
    check_same_setting(recorded, args.dataset, setting.epochs, path)
    done = {_cell(r) + (r["method"],) for r in recorded}
    variants = [variant(spec) for spec in args.variants]
    if args.table_only:
        variants = []
    if setting.build_base_model is not shifting_cifar10_cnn and any(
        "shift=" in spec for spec in args.variants
    ):
        parser.error(
            f"`shift` is for CIFAR-10's base model; {args.dataset}'s does "
            f"not shift. Received: --variants {' '.join(args.variants)}"
        )
    human = bool(setting.label_sets)
    if human and args.noise_model != "uniform_simplex":
        parser.error(
            f"{args.dataset} has real noisy labels; --noise-model is for "
            f"synthetic noise. Received: --noise-model {args.noise_model}"
        )
    for noise in args.label_sets if human else args.noise:
        options = (
            {"labels_path": args.labels, "label_set": noise}
            if human
            else {"noise_rate": noise, "noise_model": args.noise_model}
        )
        for seed in args.seeds:
            for method in variants:
                key = _planned_cell(options, args.train_size, seed) + (
                    method.name,
                )
                if any(_matches(cell, key) for cell in done):
                    continue
                result = run_experiment(
                    args.dataset,
                    method,
                    seed=seed,
                    data_path=args.data,
                    train_size=args.train_size,
                    **options,
                )
                with open(path, "a") as file:
                    file.write(json.dumps(result) + "\n")
                error = result["test_error"]
                print(method.name, noise, seed, error, flush=True)
    reference = args.reference or [output / "results.jsonl"]
    write_table(path, reference, output / "nnaqc_variants.md", args.labels)


def _cell(result):
    """(noise column, training-set size, seed) of a result."""
    return noise_column(result), result["train_size"], result["seed"]


def _planned_cell(options, train_size, seed):
    """The `_cell` of the run `run_experiment(**options, ...)` records."""
    noise = {
        "label_set": options.get("label_set"),
        "noise": options.get("noise_rate"),
        "noise_model": options.get("noise_model"),
    }
    return _cell({**noise, "train_size": train_size, "seed": seed})


def _matches(done, key):
    # A size of `None` (all) matches any recorded size.
    same_size = key[1] in (None, done[1])
    return same_size and done[0] == key[0] and done[2:] == key[2:]


def write_table(variants_path, reference_paths, table_path, labels=None):
    """Writes clean test error (%) per variant, noise and seed; with
    CIFAR-10N's `labels`, also how far each learned head is from the label
    set's clean-to-noisy matrix."""
    reference = (
        "nnaqc_paper",
        "nnaqc_warmup",
        "nnaqc_fast",
        "nnaqc",
        "nnaqc_balance",
        "forward",
        "base",
    )
    variants = read_results(variants_path)
    cells = sorted(
        {_cell(r) for r in variants}, key=lambda cell: tuple(map(str, cell))
    )
    results = [
        r
        for path in reference_paths
        for r in read_results(path)
        if r["method"] in reference and _cell(r) in cells
    ] + variants
    errors = {_cell(r) + (r["method"],): r for r in results}
    rows = list(dict.fromkeys(r["method"] for r in results))
    lines = [
        "| variant | "
        + " | ".join(
            f"{_noise_name(noise)}, {size:,} images, seed {seed}"
            for noise, size, seed in cells
        )
        + " |",
        "| --- " * (len(cells) + 1) + "|",
    ]
    for name in rows:
        values = [errors.get((*cell, name)) for cell in cells]
        lines.append(
            f"| {name} | "
            + " | ".join(
                "" if r is None else f"{r['test_error']:.2f}" for r in values
            )
            + " |"
        )
    if labels:
        lines += ["", *_head_distances(results, labels)]
    table_path.write_text("\n".join(lines) + "\n")


def _head_distances(results, labels_path):
    """Table rows: each learned head's mean diagonal and mean total-variation
    distance of its rows from the label set's clean-to-noisy matrix (all
    50,000 images), and how well the run's `label_issues`, and cleanlab's
    filter on the same clean probabilities, found the wrong training
    labels (precision / recall, where recorded)."""
    lines = [
        "| run | label set | learned diagonal (mean) | labels' diagonal "
        "(mean) | distance per row (mean total variation) | `label_issues` "
        "precision / recall | cleanlab's filter precision / recall |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    truths = {}
    for result in results:
        if result.get("transition_matrix") is None:
            continue
        label_set = result["label_set"]
        if label_set not in truths:
            # A class-conditional twin is drawn from its label set's matrix.
            noisy, clean = load_cifar10n_labels(
                labels_path, label_set.removesuffix(CLASS_CONDITIONAL_SUFFIX)
            )
            truths[label_set] = empirical_transition(clean, noisy)
        truth = truths[label_set]
        diagonal, distance = matrix_gap(result["transition_matrix"], truth)
        lines.append(
            f"| {result['method']} | {result['label_set']} | "
            f"{diagonal:.2f} | {np.diag(truth).mean():.2f} | "
            f"{distance:.3f} | {_precision_recall(result.get('flagged'))} | "
            f"{_precision_recall(result.get('flagged_cleanlab'))} |"
        )
    return lines


def _precision_recall(scores):
    if not scores:
        return ""
    return " / ".join(
        "n/a" if scores[key] is None else f"{scores[key]:.2f}"
        for key in ("precision", "recall")
    )


def _noise_name(noise):
    return f"p = {noise:g}" if isinstance(noise, float) else noise


if __name__ == "__main__":
    main()
