"""Training throughput of the paper's CIFAR-10 CNN by convolution layout.

Trains `reproduction.matconvnet.matconvnet_cifar10_cnn` (batch 100, with its
flips, SGD) on random whitened-scale images, its convolutions run
channels-last and channels-first in turn (the same model: it takes
channels-last images either way). Prints images/s of each and the ratio to
channels-last, median of interleaved repeats. Under PyTorch, Keras
transposes channels-last images around each convolution, which is why the
model runs channels-first there by default.

    python benchmarks/conv_layout.py --backend torch
"""

import argparse
import statistics
import time

from timing import backend_from_arguments
from timing import header

backend_from_arguments()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_nnaqc.reproduction import matconvnet  # noqa: E402

LAYOUTS = ("channels_last", "channels_first")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    header(f"convolution layout, cifar10_cnn (batch 100, {args.steps} steps)")
    rng = np.random.default_rng(0)
    count = 100 * args.steps
    images = rng.normal(0, 20, (count, 32, 32, 3)).astype("float32")
    labels = rng.integers(0, 10, count)
    models = {}
    for layout in LAYOUTS:
        model = matconvnet.matconvnet_cifar10_cnn(seed=0, conv_format=layout)
        model.compile(
            optimizer=keras.optimizers.SGD(0.001, momentum=0.9),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        model.fit(images[:200], labels[:200], batch_size=100, verbose=0)
        models[layout] = model
    times = {layout: [] for layout in models}
    for _ in range(args.repeats):
        for layout, model in models.items():
            start = time.perf_counter()
            model.fit(images, labels, batch_size=100, verbose=0)
            times[layout].append(time.perf_counter() - start)
    seconds = {layout: statistics.median(t) for layout, t in times.items()}
    for layout, median in seconds.items():
        ratio = seconds["channels_last"] / median
        print(f"{layout:<15} {count / median:8.0f} images/s  ratio {ratio:.3f}")


if __name__ == "__main__":
    main()
