"""NNAQC variants (beta, warm-up, the noise head's start and speed) on MNIST.

    KERAS_BACKEND=tensorflow python scripts/nnaqc_variants.py \\
        --data ../shared/data/mnist.npz --noise 0.7 --seeds 0 1 \\
        --variants beta=0.5 beta=0.7

Trains NNAQC (alpha = 0.9) on full MNIST exactly as `nnaqc reproduce` does
(same noisy data per seed, same schedule and early stopping), changing only
what each variant names: `beta`, `warmup` (epochs of beta warm-up),
`gain` (the noise head starts at `W = gain * I`), `speed` (the head's
`kernel_speed`: Adam's steps move `W` `speed` times as far) and `ramp`
(epochs at speed 1 before the head switches to `speed`); what a variant
does not name is the paper's setting. Appends one result line per run to
`results/mnist/nnaqc_variants.jsonl`, skips runs already there, and writes
`results/mnist/nnaqc_variants.md`: every variant run so far beside the
reproduction's `nnaqc_paper`, `nnaqc_warmup` and `nnaqc_fast` (the
variants with no change, `warmup=2` and `warmup=2,speed=10`) and `nnaqc`
(`warmup=2,speed=10` with the head kept diagonally dominant, the default),
one column per noise rate and seed.
"""

import argparse
import json
import pathlib

import keras
from keras import ops

from keras_nnaqc import methods
from keras_nnaqc.layers import NoiseAdaptationLayer
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.reproduction import read_results
from keras_nnaqc.reproduction import run_experiment

OUTPUT = pathlib.Path(__file__).resolve().parents[1] / "results/mnist"
DEFAULTS = {
    "beta": 0.9,
    "warmup": 0,
    "gain": 1.0,
    "speed": 1.0,
    "ramp": 0,
}


class RampedNoiseHead(NoiseAdaptationLayer):
    """A nonlinear head whose `kernel_speed` can change during training.

    `W = offset + speed * kernel`; `speed_up` changes the speed without
    moving `W`.
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
        self.offset = self.add_weight(
            shape=self.kernel.shape,
            initializer="zeros",
            trainable=False,
            name="offset",
        )

    def speed_up(self, speed):
        self.offset.assign(self.offset + (self.speed - speed) * self.kernel)
        self.speed.assign(speed)

    @property
    def weight_matrix(self):
        return self.offset + self.speed * ops.cast(self.kernel, "float32")


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

    def build(base_model, num_classes, transition):
        speed, ramp = settings["speed"], settings["ramp"]
        initializer = keras.initializers.Identity(settings["gain"])
        loss_settings = {
            "alpha": 0.9,
            "beta": settings["beta"],
            "from_logits": True,
            "beta_warmup_epochs": settings["warmup"],
        }
        if ramp:
            head = RampedNoiseHead(kernel_initializer=initializer)
            model = RampedNoisyLabelModel(
                base_model,
                noise_layer=head,
                speed_up=SpeedUp(head, speed, ramp),
                **loss_settings,
            )
        else:
            head = NoiseAdaptationLayer(
                kernel_speed=speed, kernel_initializer=initializer
            )
            model = NoisyLabelModel(
                base_model, noise_layer=head, **loss_settings
            )
        return model, None

    changes = "".join(
        f"_{key}{value:g}"
        for key, value in settings.items()
        if value != DEFAULTS[key]
    )
    name = f"nnaqc{changes}" if changes else "nnaqc_paper"
    return methods.Method(name, f"NNAQC, {spec}", "NNAQC variants", build)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", help="the full mnist.npz (default: $KERAS_NNAQC_DATA)"
    )
    parser.add_argument("--noise", nargs="+", type=float, default=[0.7])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--variants", nargs="+", default=["beta=0.5"])
    parser.add_argument(
        "--table-only", action="store_true", help="only rewrite the table"
    )
    args = parser.parse_args()
    path = OUTPUT / "nnaqc_variants.jsonl"
    done = {(r["method"], r["noise"], r["seed"]) for r in read_results(path)}
    variants = [variant(spec) for spec in args.variants]
    if args.table_only:
        variants = []
    for rate in args.noise:
        for seed in args.seeds:
            for method in variants:
                if (method.name, rate, seed) in done:
                    continue
                result = run_experiment(
                    "mnist", method, rate, seed=seed, data_path=args.data
                )
                with open(path, "a") as file:
                    file.write(json.dumps(result) + "\n")
                print(method.name, rate, seed, result["test_error"], flush=True)
    write_table(path, OUTPUT / "nnaqc_variants.md")


def write_table(variants_path, table_path):
    """Writes clean test error (%) per variant, noise rate and seed."""
    reference = ("nnaqc_paper", "nnaqc_warmup", "nnaqc_fast", "nnaqc")
    results = [
        r
        for r in read_results(OUTPUT / "results.jsonl")
        if r["method"] in reference and r["train_size"] == 60000
    ] + read_results(variants_path)
    errors = {(r["method"], r["noise"], r["seed"]): r for r in results}
    cells = sorted({(r["noise"], r["seed"]) for r in results})
    rows = list(dict.fromkeys(r["method"] for r in results))
    lines = [
        "| variant | "
        + " | ".join(f"p = {rate:g}, seed {seed}" for rate, seed in cells)
        + " |",
        "| --- " * (len(cells) + 1) + "|",
    ]
    for name in rows:
        values = [errors.get((name, *cell)) for cell in cells]
        lines.append(
            f"| {name} | "
            + " | ".join(
                "" if r is None else f"{r['test_error']:.2f}" for r in values
            )
            + " |"
        )
    table_path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
