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
from keras_nnaqc.reproduction.matconvnet import matconvnet_whitening

# MatConvNet's cnn_cifar.m: weight decay 1e-4 on the gradient (an L2 loss
# of 5e-5 * sum(w**2)), rate 0.05 for 30 epochs, 0.005 for 10, 0.0005 for 5;
# conv1 drawn with std 0.01, the others 0.05, on images at pixel scale; each
# layer's rate times 0.1 for kernels and 2 for biases (the last layer's
# times 0.1 again).
RECIPES = {
    "current": dict(unit_scale=True, init=None, rate=0.01, decay=0.0),
    "matconvnet": dict(
        unit_scale=False,
        init=(0.01, 0.05),
        rate=0.05,
        decay=1e-4,
        multipliers=True,
    ),
    "matconvnet_uniform": dict(
        unit_scale=False, init=(0.01, 0.05), rate=0.005, decay=1e-4
    ),
    "unit_decay": dict(unit_scale=True, init=None, rate=0.01, decay=1e-4),
    "unit_fast": dict(unit_scale=True, init=None, rate=0.05, decay=1e-4),
}


class LayerwiseSGD(keras.optimizers.SGD):
    """SGD with MatConvNet's per-layer rate multipliers on the gradient."""

    def apply(self, grads, trainable_variables=None):
        variables = trainable_variables or self._trainable_variables
        grads = [
            grad * multiplier(variable)
            for grad, variable in zip(grads, variables, strict=True)
        ]
        return super().apply(grads, trainable_variables)


def multiplier(variable):
    layer, name = variable.path.split("/")[-2:]
    factor = 2.0 if name == "bias" else 0.1
    return factor * (0.1 if layer == "conv5" else 1.0)


def build(recipe, seed):
    model = cifar10_cnn(rescaling=None)
    if recipe["init"] is None and not recipe["decay"]:
        return model
    first, rest = recipe["init"] or (None, None)

    def clone(layer):
        config = layer.get_config()
        if "kernel_initializer" in config:
            if first is not None:
                std = first if layer.name == "conv1" else rest
                config["kernel_initializer"] = keras.initializers.RandomNormal(
                    stddev=std, seed=seed
                )
            if recipe["decay"]:
                config["kernel_regularizer"] = keras.regularizers.L2(
                    recipe["decay"] / 2
                )
        return layer.__class__.from_config(config)

    return keras.models.clone_model(model, clone_function=clone)


def schedule(epochs, rate):
    steps = [int(epochs * 30 / 45), int(epochs * 40 / 45)]

    def rate_at(epoch):
        return rate * 0.1 ** sum(epoch >= step for step in steps)

    return keras.callbacks.LearningRateScheduler(rate_at)


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
    model = build(recipe, args.seed)
    print([(v.path, multiplier(v)) for v in model.trainable_variables])
    model.compile(
        optimizer=(
            LayerwiseSGD if recipe.get("multipliers") else keras.optimizers.SGD
        )(recipe["rate"], momentum=0.9),
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
            schedule(args.epochs, recipe["rate"]),
            TestError(x_test, y_test, args.recipe),
        ],
        verbose=0,
    )


if __name__ == "__main__":
    main()
