"""QC alone (alpha = 0) on clean labels: beta 0.5 trains, beta 0.9 collapses.

    KERAS_BACKEND=tensorflow python scripts/qc_collapse.py

Trains the paper's MNIST CNN on the MNIST subset shipped with the package,
with its clean labels, on the quasi-clustering term alone, for 3 epochs per
beta and optimizer, and prints the clean test accuracy and the number of
classes predicted after each epoch (see docs/reproduction.md).
"""

import warnings

import keras
import numpy as np

from keras_nnaqc import NoisyLabelModel
from keras_nnaqc import architectures
from keras_nnaqc import datasets

OPTIMIZERS = {
    "Adam 1e-3": lambda: keras.optimizers.Adam(1e-3),
    "Adam 1e-4": lambda: keras.optimizers.Adam(1e-4),
    "SGD 0.01, momentum 0.9": lambda: keras.optimizers.SGD(0.01, 0.9),
}


def main():
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist_subset()
    x_train, x_test = x_train[..., None], x_test[..., None]
    warnings.simplefilter("ignore", UserWarning)  # the collapse warning
    for beta in (0.5, 0.9):
        for name, optimizer in OPTIMIZERS.items():
            keras.utils.set_random_seed(0)
            model = NoisyLabelModel(
                architectures.mnist_cnn(), alpha=0.0, beta=beta, balance=0
            )
            model.compile(optimizer=optimizer())
            for epoch in range(1, 4):
                model.fit(x_train, y_train, batch_size=100, verbose=0)
                predicted = model.predict(x_test, verbose=0).argmax(-1)
                print(
                    f"beta {beta}, {name}, epoch {epoch}: accuracy "
                    f"{np.mean(predicted == y_test):.4f}, "
                    f"{len(np.unique(predicted))} classes predicted",
                    flush=True,
                )


if __name__ == "__main__":
    main()
