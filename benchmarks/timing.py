"""What the benchmarks share: a header naming the machine, timing, and the
model variants they compare."""

import datetime
import os
import statistics
import time


def header(title):
    """Prints the benchmark, backend, device and date, and returns them."""
    import keras

    from keras_nnaqc.reproduction.device import describe_device

    line = (
        f"{title} | backend {keras.backend.backend()} | {describe_device()} | "
        f"{datetime.date.today().isoformat()}"
    )
    print(line)
    return line


def median_seconds(function, repeats):
    """The median wall time of `repeats` calls of `function`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def backend_from_arguments():
    """Applies `--backend NAME` before Keras is imported."""
    import sys

    if "--backend" in sys.argv:
        os.environ["KERAS_BACKEND"] = sys.argv[sys.argv.index("--backend") + 1]


def build_variant(variant, base_model):
    """`base_model` compiled plainly (`"plain"`), or wrapped in a
    NoisyLabelModel with a `"nonlinear"` or `"linear"` head."""
    import keras

    from keras_nnaqc import NoisyLabelModel

    if variant == "plain":
        base_model.compile(
            optimizer="adam",
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        return base_model
    model = NoisyLabelModel(base_model, noise_layer=variant, from_logits=True)
    model.compile(optimizer="adam")
    return model
