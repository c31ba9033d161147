"""Makes the MNIST subset shipped with the package for the demo and tests.

    python scripts/make_mnist_subset.py ../shared/data/mnist.npz

writes `keras_nnaqc/datasets/data/mnist_subset.npz`: 10,000 training and
2,000 test images drawn at random (seed 0) from the full MNIST, uint8, in the
`keras.datasets.mnist` layout.
"""

import argparse
import pathlib

import numpy as np

OUTPUT = (
    pathlib.Path(__file__).resolve().parents[1]
    / "keras_nnaqc/datasets/data/mnist_subset.npz"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mnist", help="path to the full mnist.npz")
    parser.add_argument("--train-size", type=int, default=10_000)
    parser.add_argument("--test-size", type=int, default=2_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with np.load(args.mnist) as data:
        train = np.sort(
            rng.permutation(len(data["y_train"]))[: args.train_size]
        )
        test = np.sort(rng.permutation(len(data["y_test"]))[: args.test_size])
        np.savez_compressed(
            OUTPUT,
            x_train=data["x_train"][train],
            y_train=data["y_train"][train],
            x_test=data["x_test"][test],
            y_test=data["y_test"][test],
        )
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
