"""The prepared GPU run: ResNet-44 on CIFAR-10 and CIFAR-10N, base vs NNAQC.

One process on one accelerator, sized to finish in 8 minutes on one H100
with JAX (`gpu.sh` installs Keras from wheels first; no TensorFlow, no
network):

1. Throughput: ResNet-44 trained plain and wrapped in `NoisyLabelModel`
   (its defaults), fed random pixels from memory, and plain fed through
   the augmenting input pipeline (`keras_nnaqc.datasets.pipelines.
   ArrayBatches`, the path without TensorFlow); images/s and ratios, the
   variants interleaved. The JPEG files are decoded meanwhile.
2. CIFAR-10 with eq. 1 noise at p = 0.5: base, nnaqc_balance
   (`NoisyLabelModel`'s defaults) and forward (T̂ estimated), each a
   fresh ResNet-44 trained with 4-pixel crops and flips,
   tested on the clean test set. The subset, noise and noisy 10% hold-out
   are drawn as `nnaqc run --dataset cifar10 --noise 0.5` draws them.
3. The same on CIFAR-10N's `worse` and `aggre` human labels.

Every run follows one fixed schedule: SGD with momentum 0.9, the learning
rate warmed up to 0.1 over the first epoch and decayed to 0 by a cosine;
the weights of the epoch with the lowest loss on the noisy hold-out are
kept (no early stop: the schedule is already short). The number of epochs
is chosen, unless given, from the throughput of part 1 so that the whole
run fits `--budget` seconds. Results: `results.jsonl` (one JSON line per
measurement, each naming the device) and `results.md` in `--output`, also
written to `$OUT` when that is set, after every run.

    benchmarks/gpu.sh --prepare   # here, with network: wheels, data to .gpu/
    benchmarks/gpu.sh             # on the GPU machine
    python benchmarks/gpu.py --smoke --data CIFAR10.npz --labels CIFAR10N.npz
"""

import argparse
import concurrent.futures
import datetime
import json
import math
import os
import pathlib
import time

from timing import backend_from_arguments
from timing import build_variant

backend_from_arguments()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_nnaqc import methods  # noqa: E402
from keras_nnaqc.architectures.resnet_cifar import resnet_cifar  # noqa: E402
from keras_nnaqc.datasets.cifar10 import load_cifar10  # noqa: E402
from keras_nnaqc.datasets.cifar10 import load_cifar10n_labels  # noqa: E402
from keras_nnaqc.datasets.noisy_dataset import add_noise  # noqa: E402
from keras_nnaqc.datasets.noisy_dataset import choose_subset  # noqa: E402
from keras_nnaqc.datasets.noisy_dataset import select_part  # noqa: E402
from keras_nnaqc.datasets.pipelines import ArrayBatches  # noqa: E402
from keras_nnaqc.reproduction.device import describe_device  # noqa: E402
from keras_nnaqc.version import __version__  # noqa: E402

NUM_CLASSES = 10
PARTS = ("throughput", "cifar10", "cifar10n")
NOISE_RATE = 0.5
LABEL_SETS = ("worse", "aggre")
METHODS = ("base", "nnaqc_balance", "forward")
VALIDATION_FRACTION = 0.1
PEAK_LEARNING_RATE = 0.1
SCHEDULE = (
    f"SGD, momentum 0.9, rate warmed up to {PEAK_LEARNING_RATE} in epoch 1, "
    "cosine decay to 0"
)
# Seconds kept free for the last predictions and writing the results.
MARGIN_S = 20.0
# Seconds each training stage spends outside its epochs: tracing, loading
# compiled steps, predicting.
STAGE_OVERHEAD_S = 5.0
MAX_EPOCHS = 40
SMOKE = {
    "batch_size": 16,
    "budget": 0.0,
    "steps": 2,
    "repeats": 1,
    "workers": 2,
    "precision": "float32",
}


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend")
    parser.add_argument("--data", required=True, help="CIFAR-10 .npz")
    parser.add_argument("--labels", required=True, help="CIFAR-10N .npz")
    parser.add_argument("--output", default="results/gpu")
    parser.add_argument("--parts", nargs="+", default=PARTS, choices=PARTS)
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs of every run (default: as many as fit --budget)",
    )
    parser.add_argument(
        "--budget", type=float, default=440.0, help="seconds for this script"
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--depth", type=int, default=44, help="ResNet depth")
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--precision", default="mixed_float16")
    parser.add_argument("--steps", type=int, default=200, help="throughput")
    parser.add_argument("--repeats", type=int, default=3, help="throughput")
    parser.add_argument("--workers", type=int, default=8, help="pipeline")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny: a two-layer CNN in float32, 1 epoch, 2 throughput steps "
        "(a test on CPU)",
    )
    args = parser.parse_args()
    if args.smoke:
        for name, value in SMOKE.items():
            setattr(args, name, value)
    if "throughput" not in args.parts and args.epochs is None:
        parser.error("--epochs is needed when the throughput part is skipped")
    return args


def base_model_builder(args):
    """Returns a function building the base model, and the model's name."""
    if not args.smoke:
        return lambda: resnet_cifar(args.depth, NUM_CLASSES), (
            f"ResNet-{args.depth}"
        )

    def tiny():
        layers = keras.layers
        return keras.Sequential(
            [
                keras.Input((32, 32, 3)),
                layers.Rescaling(1.0 / 255.0),
                layers.Conv2D(4, 3, strides=2, activation="relu"),
                layers.GlobalAveragePooling2D(),
                layers.Dense(NUM_CLASSES),
            ]
        )

    return tiny, "a two-layer CNN (smoke test)"


class Results:
    """Appends result lines and rewrites the table, in `--output` and
    `$OUT`, so a run cut short keeps what finished."""

    def __init__(self, output, common):
        self.folders = [pathlib.Path(output)]
        if os.environ.get("OUT"):
            self.folders.append(pathlib.Path(os.environ["OUT"]))
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "results.jsonl").write_text("")
        self.common = common
        self.lines = []

    def add(self, **record):
        record = {**record, **self.common}
        self.lines.append(record)
        print(json.dumps(record), flush=True)
        for folder in self.folders:
            with open(folder / "results.jsonl", "a") as file:
                file.write(json.dumps(record) + "\n")
            (folder / "results.md").write_text(markdown(self.lines))


def markdown(lines):
    """The throughput and test-error tables of the result lines."""
    first = lines[0]
    text = [
        f"# GPU run: {first['model']}, {first['device']}",
        "",
        f"Backend {first['backend']}, {first['precision']}, batch "
        f"{first['batch_size']}, keras-nnaqc {first['version']}, "
        f"{first['date']}. Written by `benchmarks/gpu.sh`.",
        "",
    ]
    speeds = [line for line in lines if line["part"] == "throughput"]
    if speeds:
        text += [
            "| variant | images/s | ratio to plain from memory |",
            "| --- | --- | --- |",
        ]
        text += [
            f"| {line['variant']} | {line['images_per_s']:.0f} | "
            f"{line['ratio']:.3f} |"
            for line in speeds
        ]
        text.append("")
    runs = [line for line in lines if line["part"] != "throughput"]
    if runs:
        text += [
            f"Test error (%) on the clean test set, {runs[0]['epochs']} "
            "epochs, crops and flips, the best epoch on the noisy hold-out:",
            "",
            "| labels | wrong labels | " + " | ".join(METHODS) + " |",
            "| --- | --- |" + " --- |" * len(METHODS),
        ]
        for labels in dict.fromkeys(line["labels"] for line in runs):
            cells = {
                line["method"]: f"{line['test_error']:.2f}"
                for line in runs
                if line["labels"] == labels
            }
            noise = next(
                line["actual_noise"]
                for line in runs
                if line["labels"] == labels
            )
            text.append(
                f"| {labels} | {100 * noise:.1f}% | "
                + " | ".join(cells.get(name, "not run") for name in METHODS)
                + " |"
            )
    return "\n".join(text) + "\n"


def measure_throughput(args, results, finish_loading):
    """Part 1, on random pixels (what the model computes does not depend on
    them). Calls `finish_loading` after compiling and before timing.
    Returns the slowest training images/s and the longest first call
    (compilation) seen, for the epoch budget."""
    count = args.steps * args.batch_size
    rng = np.random.default_rng(args.seed)
    x = rng.integers(0, 256, (count, 32, 32, 3), dtype="uint8")
    y = rng.integers(0, NUM_CLASSES, count)
    build_base, _ = base_model_builder(args)
    models = {
        "plain": build_variant("plain", build_base()),
        "nnaqc": build_variant("nonlinear", build_base()),
    }
    in_memory = {"batch_size": args.batch_size, "shuffle": False}
    pipeline = ArrayBatches(
        x,
        y,
        args.batch_size,
        shuffle=True,
        seed=args.seed,
        augment=True,
        workers=args.workers,
    )
    feeds = {
        "plain": (models["plain"], x, y, in_memory),
        "nnaqc": (models["nnaqc"], x, y, in_memory),
        "plain, augmenting pipeline": (models["plain"], pipeline, None, {}),
    }
    first_call = 0.0
    for model, x_feed, y_feed, kwargs in feeds.values():
        start = time.perf_counter()
        model.fit(x_feed, y_feed, steps_per_epoch=2, verbose=0, **kwargs)
        first_call = max(first_call, time.perf_counter() - start)
    finish_loading()
    times = {name: [] for name in feeds}
    for _ in range(args.repeats):
        for name, (model, x_feed, y_feed, kwargs) in feeds.items():
            start = time.perf_counter()
            model.fit(x_feed, y_feed, verbose=0, **kwargs)
            times[name].append(time.perf_counter() - start)
    plain = float(np.median(times["plain"]))
    for name in feeds:
        seconds = float(np.median(times[name]))
        results.add(
            part="throughput",
            variant=name,
            images_per_s=round(count / seconds, 1),
            ratio=round(plain / seconds, 4),
            steps=args.steps,
            repeats=args.repeats,
        )
    slowest = max(float(np.median(t)) for t in times.values())
    return count / slowest, first_call


def fit_epochs(args, rate, first_call, train_count, started):
    """The most epochs of every run that fit what is left of the budget."""
    stages = sum(
        2 if methods.get(name).transition == "estimated" else 1
        for name in METHODS
    )
    stages *= ("cifar10" in args.parts) + len(LABEL_SETS) * (
        "cifar10n" in args.parts
    )
    # Each method compiles its training and test steps once (a test step
    # about half as long): later runs of the same model load them from
    # JAX's compilation cache (forward's first stage is base). An epoch
    # also tests the hold-out (a forward pass, a third of a training step).
    compiling = len(METHODS) * 1.5 * first_call + stages * STAGE_OVERHEAD_S
    per_epoch = train_count * (1 + VALIDATION_FRACTION / 3) / rate
    left = args.budget - (time.time() - started) - MARGIN_S
    epochs = (left - compiling) / (stages * per_epoch)
    return int(min(max(math.floor(epochs), 1), MAX_EPOCHS))


def noisy_label_sets(args, y_train):
    """`(name, noisy labels, rate)` of each comparison, on the subset."""
    chosen = choose_subset(len(y_train), args.train_size, args.seed)
    clean = y_train[chosen]
    sets = []
    if "cifar10" in args.parts:
        noisy, _ = add_noise(
            clean, NUM_CLASSES, NOISE_RATE, "uniform_simplex", args.seed
        )
        sets.append((f"cifar10, eq. 1 p = {NOISE_RATE}", noisy, NOISE_RATE))
    if "cifar10n" in args.parts:
        for label_set in LABEL_SETS:
            noisy, file_clean = load_cifar10n_labels(args.labels, label_set)
            if not np.array_equal(file_clean, y_train):
                raise ValueError(
                    f"The labels in {args.labels!r} are not those of the "
                    f"images in {args.data!r} (another order or file). "
                    f"Received: {np.sum(file_clean != y_train)} of "
                    f"{len(y_train)} clean labels differ"
                )
            sets.append((f"cifar10n {label_set}", noisy[chosen], None))
    return chosen, clean, sets


def compare(args, data, epochs, results):
    """Parts 2 and 3: every method on every set of noisy labels."""
    (x_train, y_train), (x_test, y_test) = data
    chosen, clean, sets = noisy_label_sets(args, y_train)
    images = x_train[chosen]
    fit, held_out = (
        select_part(len(chosen), VALIDATION_FRACTION, part, args.seed)
        for part in ("training", "validation")
    )
    steps = math.ceil(len(fit) / args.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0,
        decay_steps=max(epochs - 1, 1) * steps,
        warmup_target=PEAK_LEARNING_RATE,
        warmup_steps=steps,
    )
    optimizer = keras.optimizers.SGD(schedule, momentum=0.9)
    for labels, noisy, rate in sets:
        for name in METHODS:
            keras.utils.set_random_seed(args.seed)
            selection = keras.callbacks.EarlyStopping(
                patience=epochs, restore_best_weights=True
            )
            batches = ArrayBatches(
                images[fit],
                noisy[fit],
                args.batch_size,
                shuffle=True,
                seed=args.seed,
                augment=True,
                workers=args.workers,
            )
            start = time.time()
            trained = methods.get(name).train(
                base_model_builder(args)[0],
                batches,
                None,
                NUM_CLASSES,
                optimizer=optimizer,
                epochs=epochs,
                validation_data=(images[held_out], noisy[held_out]),
                validation_batch_size=1000,
                callbacks=[selection],
                verbose=0,
            )
            wall_s = time.time() - start
            predicted = trained.model.predict(
                x_test, batch_size=1000, verbose=0
            ).argmax(axis=1)
            transition = trained.transition_matrix
            results.add(
                part="comparison",
                labels=labels,
                noise=rate,
                method=name,
                test_error=round(
                    100.0 * float(np.mean(predicted != y_test)), 2
                ),
                actual_noise=round(float(np.mean(noisy != clean)), 4),
                train_size=len(chosen),
                fit_size=len(fit),
                epochs=epochs,
                best_epoch=selection.best_epoch + 1,
                augment=True,
                schedule=SCHEDULE,
                wall_s=round(wall_s, 1),
                transition_matrix=None
                if transition is None
                else np.round(np.asarray(transition, "float64"), 4).tolist(),
            )


def main():
    started = time.time()
    args = parse_arguments()
    keras.mixed_precision.set_global_policy(args.precision)
    results = Results(
        args.output,
        {
            "model": base_model_builder(args)[1],
            "batch_size": args.batch_size,
            "seed": args.seed,
            "precision": args.precision,
            "backend": keras.backend.backend(),
            "device": describe_device(),
            "version": __version__,
            "keras": keras.__version__,
            "date": datetime.date.today().isoformat(),
        },
    )
    print(f"{results.common['device']} | backend {keras.backend.backend()}")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        # Decoding the JPEG images overlaps the first compilations.
        loading = pool.submit(load_cifar10, args.data)
        if "throughput" in args.parts:
            rate, first_call = measure_throughput(args, results, loading.result)
        data = loading.result()
    print(f"data read at {time.time() - started:.0f} s", flush=True)
    epochs = args.epochs
    if epochs is None:
        count = args.train_size or len(data[0][1])
        train_count = count * (1 - VALIDATION_FRACTION)
        epochs = fit_epochs(args, rate, first_call, train_count, started)
        print(
            f"{epochs} epochs fit the budget ({rate:.0f} images/s, "
            f"first call {first_call:.0f} s)",
            flush=True,
        )
    if "cifar10" in args.parts or "cifar10n" in args.parts:
        compare(args, data, epochs, results)
    print(f"done in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
