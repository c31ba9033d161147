"""Serving: the model exported by NoisyLabelModel vs the base model itself.

Exports a trained NoisyLabelModel (which writes its base model only) and,
for reference, the same base model directly; checks identical outputs and
variable counts, and prints the latency ratio of the two SavedModels
(target 1.00 within noise). Needs TensorFlow.

    python benchmarks/serving.py --backend tensorflow
"""

import argparse
import tempfile

from timing import backend_from_arguments
from timing import header
from timing import median_seconds

backend_from_arguments()

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_nnaqc import NoisyLabelModel  # noqa: E402
from keras_nnaqc import architectures  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    header("serving: exported clean model vs base model")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (512, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, 512)
    base = architectures.mnist_cnn()
    model = NoisyLabelModel(base)
    model.compile(optimizer="adam")
    model.fit(x, y, epochs=1, verbose=0)
    folder = tempfile.mkdtemp()
    model.export(f"{folder}/wrapped", verbose=False)
    base.export(f"{folder}/base", verbose=False)
    wrapped = tf.saved_model.load(f"{folder}/wrapped")
    direct = tf.saved_model.load(f"{folder}/base")
    expected = base.predict(x, verbose=0)
    print(
        "variables: base model",
        len(base.weights),
        "| wrapped model",
        len(model.weights),
        "| exported from wrapper",
        len(wrapped.variables),
        "| exported from base",
        len(direct.variables),
    )
    difference = np.abs(wrapped.serve(tf.constant(x)).numpy() - expected).max()
    print(f"max |exported - base.predict| = {difference:.2e}")
    for batch in (1, 100):
        inputs = tf.constant(x[:batch])
        wrapped.serve(inputs), direct.serve(inputs)  # warm up
        times = {"wrapped": [], "direct": []}
        for _ in range(5):  # interleaved rounds share the machine's noise
            for name, artifact in (("wrapped", wrapped), ("direct", direct)):
                times[name].append(
                    median_seconds(
                        lambda a=artifact, i=inputs: a.serve(i), args.calls
                    )
                )
        exported, reference = (
            np.median(times["wrapped"]),
            np.median(times["direct"]),
        )
        ratio = exported / reference
        print(
            f"batch {batch:>3}: exported from wrapper {1e3 * exported:.3f} ms, "
            f"from base {1e3 * reference:.3f} ms, ratio {ratio:.3f}"
        )


if __name__ == "__main__":
    main()
