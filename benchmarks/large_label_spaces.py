"""The noise head for 1000 and 10 000 classes: memory and step time.

A small base model (dense from 64 features to L classes) trained plain and
wrapped in NoisyLabelModel: the head's L x L kernel dominates both memory
(parameters and Adam's two moments) and time at large L.

    python benchmarks/large_label_spaces.py --backend jax
"""

import argparse
import time

from timing import backend_from_arguments
from timing import build_variant
from timing import header

backend_from_arguments()

import keras  # noqa: E402
import numpy as np  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend")
    parser.add_argument("--classes", nargs="+", type=int, default=[1000, 10000])
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    header("large label spaces")
    for classes in args.classes:
        rng = np.random.default_rng(0)
        count = args.batch_size * args.steps
        x = rng.normal(size=(count, 64)).astype("float32")
        y = rng.integers(0, classes, count)
        plain_seconds = None
        for variant in ("plain", "nonlinear", "linear"):
            base = keras.Sequential(
                [keras.Input((64,)), keras.layers.Dense(classes)]
            )
            model = build_variant(variant, base)
            model.fit(x[: args.batch_size], y[: args.batch_size], verbose=0)
            start = time.perf_counter()
            model.fit(x, y, batch_size=args.batch_size, verbose=0)
            seconds = (time.perf_counter() - start) / args.steps
            plain_seconds = plain_seconds or seconds
            state = model.weights + model.optimizer.variables
            megabytes = sum(np.prod(v.shape) * 4 for v in state) / 2**20
            print(
                f"L={classes:<6} {variant:<10} {1e3 * seconds:9.1f} ms/step "
                f"(x{seconds / plain_seconds:5.2f})  parameters and Adam "
                f"state {megabytes:9.2f} MiB"
            )


if __name__ == "__main__":
    main()
