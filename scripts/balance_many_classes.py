"""The class-balance term with 100 classes: MNIST digit pairs.

    KERAS_BACKEND=torch python scripts/balance_many_classes.py \\
        --data ../shared/data/mnist.npz --noise 0.5 --batch-sizes 100 500 \\
        --methods base nnaqc nnaqc_balance

Every measurement of `NoisyLabelModel`'s `balance` term so far has ten
classes. This makes a 100-class problem from MNIST: an image is two digits
side by side (28 x 56), its class `10 * left + right`; 30,000 training
pairs and 10,000 test pairs are drawn once (fixed seed) from MNIST's
training and test images. Each run is `nnaqc reproduce`'s (eq. 1 noise,
the paper's MNIST CNN, Adam 1e-3, a 10% noisy hold-out that stops
training), with the batch size of the run. With 100 classes a batch of
100 holds one image per class on average, where `fit` warns that the term
pulls every prediction toward the prior; a batch of 500 holds five.
Appends one result line per run to `results/many_classes/results.jsonl`
(`--out-dir`),
skips runs already there, and prints the table of test errors.
"""

import argparse
import dataclasses
import functools
import json
import pathlib

import numpy as np

from keras_nnaqc.architectures import mnist_cnn
from keras_nnaqc.datasets import load_mnist
from keras_nnaqc.reproduction import read_results
from keras_nnaqc.reproduction import run_experiment
from keras_nnaqc.reproduction import settings

OUT = pathlib.Path(__file__).resolve().parents[1] / "results" / "many_classes"
TRAIN_PAIRS, TEST_PAIRS, PAIRS_SEED = 30_000, 10_000, 1234


def digit_pairs(images, labels, count, rng):
    """`count` images of two digits side by side, labelled `10 * left +
    right`, the digits drawn at random from `images`."""
    left, right = rng.integers(len(images), size=(2, count))
    pairs = np.concatenate([images[left], images[right]], axis=2)
    return pairs[..., None], 10 * labels[left] + labels[right]


@functools.lru_cache(maxsize=1)
def load_pairs(data_path):
    (x_train, y_train), (x_test, y_test) = load_mnist(data_path)
    rng = np.random.default_rng(PAIRS_SEED)
    train = digit_pairs(x_train, y_train.astype("int64"), TRAIN_PAIRS, rng)
    test = digit_pairs(x_test, y_test.astype("int64"), TEST_PAIRS, rng)
    return train, test


def register(batch_size):
    """Adds the setting `mnist_pairs_b{batch_size}` to the runner's."""
    name = f"mnist_pairs_b{batch_size}"
    settings.SETTINGS[name] = dataclasses.replace(
        settings.SETTINGS["mnist"],
        dataset=name,
        num_classes=100,
        load=load_pairs,
        build_base_model=functools.partial(
            mnist_cnn, num_classes=100, input_shape=(28, 56, 1)
        ),
        batch_size=batch_size,
    )
    return name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="an mnist.npz")
    parser.add_argument("--noise", type=float, nargs="+", default=[0.5])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[100])
    parser.add_argument("--methods", nargs="+", default=["nnaqc_balance"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--out-dir", type=pathlib.Path, default=OUT)
    args = parser.parse_args()

    args.out_dir.mkdir(parents=True, exist_ok=True)
    results_file = args.out_dir / "results.jsonl"
    done = {
        (r["dataset"], r["method"], r["noise"], r["seed"])
        for r in read_results(results_file)
    }
    for batch_size in args.batch_sizes:
        dataset = register(batch_size)
        for noise in args.noise:
            for seed in args.seeds:
                for method in args.methods:
                    if (dataset, method, noise, seed) in done:
                        continue
                    result = run_experiment(
                        dataset,
                        method,
                        noise_rate=noise,
                        epochs=args.epochs,
                        seed=seed,
                        data_path=args.data,
                    )
                    with open(results_file, "a") as file:
                        file.write(json.dumps(result) + "\n")
                    print(
                        dataset,
                        method,
                        f"p={noise:g}",
                        f"seed={seed}",
                        f"{result['test_error']:.2f}%",
                        f"classes={result['predicted_classes']}",
                        f"epoch={result['best_epoch']}",
                        flush=True,
                    )
    print_table(read_results(results_file))


def print_table(results):
    """Markdown table: one row per batch size and method, one column per
    noise rate and seed."""
    columns = sorted({(r["noise"], r["seed"]) for r in results})
    print(
        "| batch | method | "
        + " | ".join(f"p = {p:g}, seed {s}" for p, s in columns)
        + " |"
    )
    print("| --- | --- |" + " --- |" * len(columns))
    rows = {}
    for r in results:
        key = (r["batch_size"], r["method"])
        rows.setdefault(key, {})[(r["noise"], r["seed"])] = r
    for (batch_size, method), cells in sorted(rows.items()):
        texts = []
        for column in columns:
            r = cells.get(column)
            if r is None:
                texts.append("not run")
            else:
                text = f"{r['test_error']:.2f}% (epoch {r['best_epoch']}"
                if r["predicted_classes"] < 100:
                    text += f", {r['predicted_classes']} classes"
                texts.append(text + ")")
        print(f"| {batch_size} | {method} | " + " | ".join(texts) + " |")


if __name__ == "__main__":
    main()
