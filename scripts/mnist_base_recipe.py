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
- `matconvnet_accuracy`: MatConvNet's `cnn_mnist.m`: pixel-scale images
  minus the training images' mean image, weights drawn from N(0, 0.01²),
  zero biases, weight decay 5e-4 on kernels, SGD at 0.001 with momentum
  0.9, batch 100, at most 20 epochs, stopped on the hold-out's accuracy
  (patience 5); the `mnist_matconvnet` setting until 2026-12-05.
- `matconvnet`: the same, stopped on the hold-out's loss (patience 3) as
  the Adam setting is.
- `matconvnet_shift`: `matconvnet_accuracy` with each training image
  shifted at random by up to 2 pixels along each axis (as the CIFAR-10
  setting shifts by up to 4): the `mnist_matconvnet` setting since
  2026-12-05.
"""

import argparse
import dataclasses
import json
import pathlib

import keras

from keras_nnaqc.reproduction import run_experiment
from keras_nnaqc.reproduction import settings
from keras_nnaqc.reproduction.matconvnet import matconvnet_mnist_cnn

RECIPES = (
    "accuracy_plateau",
    "matconvnet",
    "matconvnet_accuracy",
    "matconvnet_shift",
)
OUT = pathlib.Path(__file__).resolve().parents[1] / "results/mnist"


def recipe_setting(recipe):
    """The MNIST setting with `recipe`'s changes, and the callbacks it adds
    (a learning-rate schedule)."""
    if recipe == "accuracy_plateau":
        setting = dataclasses.replace(
            settings.SETTINGS["mnist"],
            monitor="val_accuracy",
            patience=5,
            epochs=30,
        )
        plateau = keras.callbacks.ReduceLROnPlateau(
            monitor="val_accuracy", factor=0.1, patience=2, min_lr=1e-6
        )
        return setting, [plateau]
    shifting = settings.SETTINGS["mnist_matconvnet"]
    if recipe == "matconvnet_shift":
        return shifting, []
    matconvnet = dataclasses.replace(
        shifting, build_base_model=matconvnet_mnist_cnn
    )
    if recipe == "matconvnet":
        matconvnet = dataclasses.replace(
            matconvnet, monitor="val_loss", patience=3
        )
    return matconvnet, []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="the full mnist.npz")
    parser.add_argument("--recipe", choices=RECIPES, required=True)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--noise", type=float, default=0.0)
    args = parser.parse_args()
    settings.SETTINGS["mnist"], callbacks = recipe_setting(args.recipe)
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
            callbacks=callbacks,
        )
        result.pop("transition_matrix")
        result.pop("noise_matrix")
        with open(path, "a") as file:
            file.write(json.dumps({"variant": args.recipe, **result}) + "\n")
        print(args.recipe, seed, result["test_error"], flush=True)


if __name__ == "__main__":
    main()
