"""Training throughput: a base model plain vs wrapped in NoisyLabelModel.

Prints steps/s and images/s of each variant and its ratio to the plain model
(target: wrapped >= 0.95x), all measured in this one process, the variants
interleaved so that they share the machine's noise. Synthetic inputs.

    python benchmarks/training_overhead.py --backend jax
    python benchmarks/training_overhead.py --models resnet44 --mixed-precision
"""

import argparse
import time

from timing import backend_from_arguments
from timing import build_variant
from timing import header

backend_from_arguments()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_nnaqc import architectures  # noqa: E402

MODELS = {
    "mnist_cnn": (architectures.mnist_cnn, (28, 28, 1), 10),
    "resnet44": (
        lambda: architectures.resnet44(num_classes=10),
        (32, 32, 3),
        10,
    ),
}
VARIANTS = ("plain", "nonlinear", "linear")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend")
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--mixed-precision", action="store_true")
    args = parser.parse_args()
    if args.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")
    header(f"training overhead (batch {args.batch_size}, {args.steps} steps)")
    for name in args.models:
        build_base, shape, classes = MODELS[name]
        rng = np.random.default_rng(0)
        count = args.steps * args.batch_size
        x = rng.integers(0, 256, (count, *shape)).astype("float32")
        y = rng.integers(0, classes, count)
        models = {v: build_variant(v, build_base()) for v in VARIANTS}
        for model in models.values():  # compile before timing
            model.fit(
                x[: 2 * args.batch_size],
                y[: 2 * args.batch_size],
                batch_size=args.batch_size,
                verbose=0,
            )
        times = {variant: [] for variant in VARIANTS}
        for _ in range(args.repeats):
            for variant, model in models.items():
                start = time.perf_counter()
                model.fit(
                    x, y, batch_size=args.batch_size, shuffle=False, verbose=0
                )
                times[variant].append(time.perf_counter() - start)
        plain = np.median(times["plain"])
        for variant in VARIANTS:
            seconds = np.median(times[variant])
            print(
                f"{name:<10} {variant:<10} {args.steps / seconds:8.1f} steps/s "
                f"{count / seconds:9.0f} images/s  ratio {plain / seconds:.3f}"
            )


if __name__ == "__main__":
    main()
