"""Where small alpha with large beta collapses NNAQC to one class.

    KERAS_BACKEND=jax python scripts/alpha_beta_collapse.py \
        --alpha 0 0.01 0.1 0.2 0.3 0.5 --beta 0.9 --warmup 0

Trains the paper's MNIST CNN with `NoisyLabelModel` on the MNIST subset
shipped with the package, with its clean labels (or noisy ones, `--noise`),
Adam 1e-3 and batches of 100, and prints the clean test accuracy and the
number of classes predicted after each epoch, for every alpha and beta
(see docs/tuning.md).
"""

import argparse
import warnings

import keras
import numpy as np

from keras_nnaqc import NoisyLabelModel
from keras_nnaqc import architectures
from keras_nnaqc import datasets


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alpha", nargs="+", type=float, required=True)
    parser.add_argument("--beta", nargs="+", type=float, required=True)
    parser.add_argument("--warmup", type=int, default=0, help="beta warm-up")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--noise", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist_subset()
    x_train, x_test = x_train[..., None], x_test[..., None]
    labels, _ = datasets.add_noise(
        y_train, 10, args.noise, "uniform_simplex", args.seed
    )
    warnings.simplefilter("ignore", UserWarning)  # the collapse warning
    for beta in args.beta:
        for alpha in args.alpha:
            keras.utils.set_random_seed(args.seed)
            model = NoisyLabelModel(
                architectures.mnist_cnn(),
                alpha=alpha,
                beta=beta,
                beta_warmup_epochs=args.warmup,
                balance=0,
            )
            model.compile(optimizer=keras.optimizers.Adam(1e-3))
            epochs = []
            for _ in range(args.epochs):
                model.fit(x_train, labels, batch_size=100, verbose=0)
                predicted = model.predict(x_test, verbose=0).argmax(-1)
                epochs.append(
                    f"{np.mean(predicted == y_test):.3f} "
                    f"({len(np.unique(predicted))} classes)"
                )
            print(
                f"alpha {alpha}, beta {beta}, warm-up {args.warmup}, seed "
                f"{args.seed}: " + ", ".join(epochs),
                flush=True,
            )


if __name__ == "__main__":
    main()
