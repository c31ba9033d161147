"""CIFAR-10 training throughput: the input pipeline against arrays in memory.

Trains the paper's CIFAR-10 CNN (`architectures.cifar10_cnn`, batch 100) one
epoch at a time, fed each way in turn: NumPy arrays straight to `fit`
("memory"), and the pipeline of `keras_nnaqc.datasets.load_arrays` (what
`examples/cifar10.py` trains on) with and without crops and flips. That
pipeline is tf.data where TensorFlow is installed, else a
`keras.utils.PyDataset`; both are measured, whatever the backend. Prints
images/s of each and its ratio to memory (target: >= 0.9), the variants
interleaved so that they share the machine's noise; the processor time the
process spends per image, all threads together (what a busy machine's
noise changes least); and what each pipeline delivers on its own, without
training.

    python benchmarks/input_pipeline.py --backend jax
    python benchmarks/input_pipeline.py --data ../.gpu/cifar10_jpeg.npz
"""

import argparse
import time

from timing import backend_from_arguments
from timing import header

backend_from_arguments()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_nnaqc import architectures  # noqa: E402
from keras_nnaqc.datasets import load_arrays  # noqa: E402
from keras_nnaqc.datasets import pipelines  # noqa: E402


def sources(images, labels, batch_size, with_tensorflow):
    """Each way of feeding `fit`: `(name, x, y, fit arguments)`."""
    feeds = [("memory", images, labels, {"batch_size": batch_size})]
    # The pipelines shuffle themselves, every epoch.
    own_order = {"shuffle": False}
    for augment in (False, True):
        suffix = "+augment" if augment else ""
        if with_tensorflow:
            dataset = load_arrays(
                images, labels, 10, batch_size=batch_size, augment=augment
            ).dataset
            feeds.append((f"tf.data{suffix}", dataset, None, own_order))
        batches = pipelines.ArrayBatches(
            images, labels, batch_size, shuffle=True, augment=augment
        )
        feeds.append((f"PyDataset{suffix}", batches, None, own_order))
    return feeds


def pipeline_only(x, steps):
    """Images/s of iterating a dataset without training."""
    start = time.perf_counter()
    count = 0
    if isinstance(x, keras.utils.PyDataset):
        for index in range(len(x)):
            count += len(x[index][1])
        x.on_epoch_end()
    else:
        for _, labels in x.take(steps):
            count += len(labels)
    return count / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend")
    parser.add_argument(
        "--data", help="a CIFAR-10 .npz (default: random pixels)"
    )
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    count = args.steps * args.batch_size
    header(
        f"input pipeline, cifar10_cnn (batch {args.batch_size}, "
        f"{args.steps} steps)"
    )
    if args.data:
        from keras_nnaqc.datasets.cifar10 import load_cifar10

        (images, labels), _ = load_cifar10(args.data)
        images, labels = images[:count], labels[:count]
    else:
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, (count, 32, 32, 3)).astype("uint8")
        labels = rng.integers(0, 10, count)
    labels = labels.astype("int64")
    feeds = sources(images, labels, args.batch_size, pipelines.has_tensorflow())
    model = architectures.cifar10_cnn()
    model.compile(
        optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    for _, x, y, kwargs in feeds:  # compile, and start each pipeline once
        model.fit(x, y, epochs=1, steps_per_epoch=2, verbose=0, **kwargs)
    times = {name: [] for name, *_ in feeds}
    processor_times = {name: [] for name, *_ in feeds}
    for _ in range(args.repeats):
        for name, x, y, kwargs in feeds:
            start, processor = time.perf_counter(), time.process_time()
            model.fit(x, y, epochs=1, verbose=0, **kwargs)
            times[name].append(time.perf_counter() - start)
            processor_times[name].append(time.process_time() - processor)
    memory = np.median(times["memory"])
    for name, x, _, _ in feeds:
        seconds = np.median(times[name])
        processor_ms = 1e3 * np.median(processor_times[name]) / count
        alone = "" if name == "memory" else pipeline_only(x, args.steps)
        print(
            f"{name:<18} {count / seconds:8.0f} images/s  "
            f"ratio {memory / seconds:.3f}  CPU {processor_ms:5.2f} "
            "ms/image"
            + (f"  (pipeline alone {alone:9.0f} images/s)" if alone else "")
        )


if __name__ == "__main__":
    main()
