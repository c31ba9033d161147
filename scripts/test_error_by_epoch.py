"""One run of the runner's setting, with the test error of every epoch.

Runs `run_experiment` for one method and noise rate and appends its result
line to `--out`, with each epoch's test error, hold-out loss and accuracy
and learning rate (`by_epoch`), so that what another stopping rule would
have kept can be read off the same run. `--patience` and
`--plateau-patience` try other schedules: the latter divides the rate by
10 after that many epochs without a better hold-out metric (at most
twice) instead of on the setting's fixed steps.

    KERAS_BACKEND=torch python scripts/test_error_by_epoch.py \\
        --data ~/.cache/keras-nnaqc/cifar10.npz \\
        --out results/cifar10/base_schedule/runner_by_epoch.jsonl
"""

import argparse
import dataclasses
import json

import keras
import numpy as np

from keras_nnaqc.reproduction import run_experiment
from keras_nnaqc.reproduction.settings import SETTINGS


class ByEpoch(keras.callbacks.Callback):
    """Records each epoch's test error, hold-out loss and accuracy and the
    learning rate it trained with."""

    def __init__(self, x_test, y_test):
        super().__init__()
        self.x_test, self.y_test = x_test, np.asarray(y_test).ravel()
        self.rows = []

    def on_epoch_begin(self, epoch, logs=None):
        self.rate = float(self.model.optimizer.learning_rate)

    def on_epoch_end(self, epoch, logs=None):
        predicted = self.model.predict(
            self.x_test, batch_size=500, verbose=0
        ).argmax(axis=1)
        self.rows.append(
            {
                "epoch": epoch + 1,
                "val_loss": round(float(logs["val_loss"]), 6),
                "val_accuracy": round(float(logs["val_accuracy"]), 4),
                "learning_rate": round(self.rate, 8),
                "test_error": round(
                    100.0 * float(np.mean(predicted != self.y_test)), 2
                ),
            }
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="cifar10", choices=SETTINGS)
    parser.add_argument("--data", default=None)
    parser.add_argument("--method", default="base")
    parser.add_argument("--noise", type=float, default=0.0)
    parser.add_argument("--train-size", type=int, default=50000)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--patience", type=int, default=None)
    parser.add_argument("--plateau-patience", type=int, default=None)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    setting = SETTINGS[args.dataset]
    changes, steps = {}, []
    if args.patience is not None:
        changes["patience"] = args.patience
    if args.plateau_patience is not None:
        changes["rate_steps"] = ()
        rate = setting.optimizer["config"]["learning_rate"]
        steps.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor=setting.monitor,
                factor=0.1,
                patience=args.plateau_patience,
                min_lr=rate / 100,
            )
        )
    setting = SETTINGS[args.dataset] = dataclasses.replace(setting, **changes)
    _, (x_test, y_test) = setting.load(args.data)
    by_epoch = ByEpoch(x_test, y_test)
    result = run_experiment(
        args.dataset,
        args.method,
        noise_rate=args.noise,
        train_size=args.train_size,
        epochs=args.epochs,
        seed=args.seed,
        data_path=args.data,
        callbacks=[*steps, by_epoch],
    )
    if args.plateau_patience is not None:
        result["plateau_patience"] = args.plateau_patience
    result["by_epoch"] = by_epoch.rows
    with open(args.out, "a") as file:
        file.write(json.dumps(result) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "by_epoch"}))


if __name__ == "__main__":
    main()
