"""How close the paper's CIFAR-10 CNN comes to its clean error, by recipe.

Trains `architectures.cifar10_cnn` on a seeded subset of clean CIFAR-10
with one recipe (input scale, initialisation, learning rate, weight decay,
schedule) for a fixed number of epochs, and prints one JSON line per epoch:
the loss on a 10% hold-out and the test error, so that what early stopping
would pick and what the schedule reaches can both be read off.

    KERAS_BACKEND=torch python scripts/cifar10_base_schedule.py \
        --data ~/.cache/keras-nnaqc/cifar10.npz --train-size 10000 \
        --recipe matconvnet
"""

import argparse
import json
import time

import keras
import numpy as np

from keras_nnaqc.architectures import cifar10_cnn
from keras_nnaqc.datasets.cifar10 import load_cifar10
from keras_nnaqc.reproduction.matconvnet import LayerRateSGD
from keras_nnaqc.reproduction.matconvnet import matconvnet_cifar10_cnn
from keras_nnaqc.reproduction.matconvnet import matconvnet_whitening
from keras_nnaqc.reproduction.runner import RateSteps

RECIPES = {
    # The CIFAR-10 setting of the first runs: unit-scale whitened images,
    # Glorot initialisation, SGD at 0.01 for every layer.
    "current": dict(unit_scale=True, rate=0.01),
    # MatConvNet's cnn_cifar.m (reproduction/matconvnet.py), with and
    # without its random left-right flips.
    "matconvnet": dict(unit_scale=False, rate=0.05, flip=True),
    "matconvnet_no_flip": dict(unit_scale=False, rate=0.05, flip=False),
    # MatConvNet's with random shifts of up to 4 pixels as well.
    "matconvnet_shift4": dict(unit_scale=False, rate=0.05, flip=True, shift=4),
}


def build(recipe_name, seed):
    recipe = RECIPES[recipe_name]
    if recipe_name == "current":
        return cifar10_cnn(rescaling=None), keras.optimizers.SGD(
            recipe["rate"], momentum=0.9
        )
    model = matconvnet_cifar10_cnn(
        seed=seed, flip=recipe["flip"], shift=recipe.get("shift", 0)
    )
    return model, LayerRateSGD(learning_rate=recipe["rate"], momentum=0.9)


def schedule(epochs):
    """MatConvNet's steps (after epochs 30 and 40 of 45), stretched to
    `epochs`."""
    return RateSteps([int(epochs * 30 / 45), int(epochs * 40 / 45)])


class TestError(keras.callbacks.Callback):
    def __init__(self, x_test, y_test, recipe_name):
        super().__init__()
        self.x_test, self.y_test, self.name = x_test, y_test, recipe_name
        self.start = time.time()

    def on_epoch_end(self, epoch, logs=None):
        predicted = self.model.predict(self.x_test, batch_size=500, verbose=0)
        error = 100.0 * np.mean(predicted.argmax(1) != self.y_test)
        print(
            json.dumps(
                {
                    "recipe": self.name,
                    "epoch": epoch + 1,
                    "loss": round(logs["loss"], 4),
                    "val_loss": round(logs["val_loss"], 4),
                    "val_error": round(100 * (1 - logs["val_accuracy"]), 2),
                    "test_error": round(float(error), 2),
                    "wall_s": round(time.time() - self.start),
                }
            ),
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--train-size", type=int, default=10000)
    parser.add_argument("--recipe", choices=RECIPES, default="matconvnet")
    parser.add_argument("--epochs", type=int, default=45)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--backup-dir", help="resume from here after an interruption"
    )
    args = parser.parse_args()
    recipe = RECIPES[args.recipe]

    (x_train, y_train), (x_test, y_test) = load_cifar10(args.data)
    rng = np.random.default_rng(args.seed)
    subset = rng.permutation(len(x_train))[: args.train_size]
    x_train, x_test = matconvnet_whitening(
        x_train[subset], x_test, unit_scale=recipe["unit_scale"]
    )
    y_train = y_train[subset].ravel()
    y_test = np.asarray(y_test).ravel()
    held = len(x_train) // 10

    keras.utils.set_random_seed(args.seed)
    model, optimizer = build(args.recipe, args.seed)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(
        x_train[held:],
        y_train[held:],
        batch_size=100,
        epochs=args.epochs,
        validation_data=(x_train[:held], y_train[:held]),
        callbacks=[
            *(
                [keras.callbacks.BackupAndRestore(args.backup_dir)]
                if args.backup_dir
                else []
            ),
            schedule(args.epochs),
            TestError(x_test, y_test, args.recipe),
        ],
        verbose=0,
    )


if __name__ == "__main__":
    main()
