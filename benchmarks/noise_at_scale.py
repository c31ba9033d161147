"""Label noise at ImageNet scale: seconds and peak memory.

Times the noise matrices for 1000 classes, drawing 1.3M noisy labels, the
empirical transition, and the anchor-point estimate of T for 1000 classes,
with the peak of NumPy memory traced by tracemalloc.

    python benchmarks/noise_at_scale.py
    python benchmarks/noise_at_scale.py --estimate-samples 1281167
"""

import argparse
import time
import tracemalloc

import numpy as np
from timing import header

from keras_nnaqc import methods
from keras_nnaqc import noise


def measure(name, function):
    tracemalloc.start()
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{name:<48} {seconds:8.3f} s   peak {peak / 2**20:8.1f} MiB")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=1_300_000)
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--estimate-samples", type=int, default=200_000)
    args = parser.parse_args()
    header("label noise at scale")
    classes = args.classes
    phi = measure(
        f"uniform_simplex({classes}, 0.5)",
        lambda: noise.uniform_simplex(classes, 0.5, seed=0),
    )
    measure(
        f"sparse({classes}, 0.5, k=10)",
        lambda: noise.sparse(classes, 0.5, seed=0),
    )
    clean = np.random.default_rng(0).integers(0, classes, args.labels)
    noisy = measure(
        f"corrupt({args.labels:,} labels)",
        lambda: noise.corrupt(clean, phi, seed=1),
    )
    measure(
        "empirical_transition",
        lambda: noise.empirical_transition(clean, noisy, classes),
    )
    logits = (
        np.random.default_rng(2)
        .normal(size=(args.estimate_samples, classes))
        .astype("float32")
    )
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    del logits
    size = probabilities.nbytes / 2**20
    measure(
        f"estimate_transition({args.estimate_samples:,} x {classes}, "
        f"input {size:.0f} MiB)",
        lambda: methods.estimate_transition(probabilities),
    )


if __name__ == "__main__":
    main()
