"""The MNIST base model on clean labels under other training recipes.

    KERAS_BACKEND=torch python scripts/mnist_base_recipe.py \\
        --data mnist.npz --recipe matconvnet_accuracy --seeds 0

Runs `nnaqc run`'s MNIST experiment (`base`, 54,000 images, a 10% hold-out
that stops training, seed as given) with the setting's data, model,
optimizer or stopping replaced by a recipe's, and appends one result line
per run to `results/mnist/base_schedule/runs.jsonl`:

- `accuracy_plateau`: the setting's Adam, stopped on the hold-out's
  accuracy (patience 5, at most 30 epochs), the rate divided by 10 when it
  has not improved for 2 epochs.
- `matconvnet`: MatConvNet's `cnn_mnist.m`: pixel-scale images minus the
  training images' mean image, weights drawn from N(0, 0.01²), zero
  biases, weight decay 5e-4 on kernels, SGD at 0.001 with momentum 0.9,
  batch 100, at most 20 epochs; stopped on the hold-out's loss as the
  setting is.
- `matconvnet_accuracy`: the same, stopped on the hold-out's accuracy
  (patience 5).
"""

import argparse
import dataclasses
import json
import pathlib

import keras
import numpy as np

from keras_nnaqc.datasets import load_mnist
from keras_nnaqc.reproduction import run_experiment
from keras_nnaqc.reproduction import settings

RECIPES = ("accuracy_plateau", "matconvnet", "matconvnet_accuracy")
OUT = pathlib.Path(__file__).resolve().parents[1] / "results/mnist"


def recipe_setting(recipe, data_path):
    """The MNIST setting with `recipe`'s changes."""
    setting = settings.SETTINGS["mnist"]
    if recipe == "accuracy_plateau":

        def plateau():
            return [
                keras.callbacks.ReduceLROnPlateau(
                    monitor="val_accuracy", factor=0.1, patience=2, min_lr=1e-6
                )
            ]

        return dataclasses.replace(
            setting,
            monitor="val_accuracy",
            patience=5,
            epochs=30,
            callbacks=plateau,
        )
    (x_train, _), _ = load_mnist(data_path)
    mean = x_train.astype("float32").mean(axis=0)[..., None]

    def build():
        layers = keras.layers
        options = {
            "kernel_initializer": keras.initializers.RandomNormal(stddev=0.01),
            # MatConvNet adds 5e-4 * w to a kernel's gradient.
            "kernel_regularizer": keras.regularizers.L2(0.00025),
        }
        return keras.Sequential(
            [
                keras.Input((28, 28, 1)),
                layers.Normalization(
                    axis=(1, 2, 3), mean=mean, variance=np.ones_like(mean)
                ),
                layers.Conv2D(20, 5, **options),
                layers.MaxPooling2D(2),
                layers.Conv2D(50, 5, **options),
                layers.MaxPooling2D(2),
                layers.Flatten(),
                layers.Dense(500, activation="relu", **options),
                layers.Dense(10, **options),
            ]
        )

    sgd = {
        "class_name": "SGD",
        "config": {"learning_rate": 0.001, "momentum": 0.9},
    }
    stopping = {}
    if recipe == "matconvnet_accuracy":
        stopping = {"monitor": "val_accuracy", "patience": 5}
    return dataclasses.replace(
        setting, build_base_model=build, optimizer=sgd, epochs=20, **stopping
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="the full mnist.npz")
    parser.add_argument("--recipe", choices=RECIPES, required=True)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--noise", type=float, default=0.0)
    args = parser.parse_args()
    settings.SETTINGS["mnist"] = recipe_setting(args.recipe, args.data)
    path = OUT / "base_schedule" / "runs.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    for seed in args.seeds:
        result = run_experiment(
            dataset="mnist",
            method="base",
            noise_rate=args.noise,
            train_size=60000,
            seed=seed,
            data_path=args.data,
        )
        result.pop("transition_matrix")
        result.pop("noise_matrix")
        with open(path, "a") as file:
            file.write(json.dumps({"variant": args.recipe, **result}) + "\n")
        print(args.recipe, seed, result["test_error"], flush=True)


if __name__ == "__main__":
    main()
