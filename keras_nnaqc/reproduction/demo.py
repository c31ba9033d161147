"""The demo: a plain CNN and NNAQC on MNIST with 50% label noise.

Runs on the MNIST subset shipped with the package (10,000 training and
2,000 test images), so it needs no download:

    nnaqc demo            # or: python -m keras_nnaqc demo
"""

import pathlib
import time

import keras
import numpy as np

from keras_nnaqc import noise
from keras_nnaqc.architectures import mnist_cnn
from keras_nnaqc.datasets import add_noise
from keras_nnaqc.datasets import load_mnist_subset
from keras_nnaqc.models import NoisyLabelModel


def run_demo(
    epochs=8,
    noise_rate=0.5,
    seed=0,
    batch_size=100,
    output_dir="nnaqc-output",
    verbose="auto",
):
    """Trains the plain CNN and NNAQC on noisy labels; prints clean errors.

    Args:
        epochs: Training epochs of each model. Defaults to `8`.
        noise_rate: Label-noise rate `p` of the paper's eq. 1. Defaults to
            `0.5`.
        seed: Seed of the noise and of the weights. Defaults to `0`.
        batch_size: Batch size. Defaults to `100`.
        output_dir: Where the transition-matrix figure goes. Defaults to
            `"nnaqc-output"`.
        verbose: Keras verbosity of `fit`. Defaults to `"auto"`.

    Returns:
        A dict with the noise rate actually injected and each model's clean
        test error in percent.
    """
    (x_train, y_train), (x_test, y_test) = load_mnist_subset()
    x_train, x_test = x_train[..., None], x_test[..., None]
    noisy_labels, phi = add_noise(
        y_train, 10, noise_rate, "uniform_simplex", seed
    )
    if phi is None:  # clean labels
        phi = np.eye(10)
    actual = noise.actual_noise_rate(y_train, noisy_labels)
    print(
        f"MNIST subset: {len(x_train):,} training images, {actual:.1%} of "
        f"their labels made wrong (eq. 1, p={noise_rate}); "
        f"{len(x_test):,} clean test images. Backend: "
        f"{keras.backend.backend()}."
    )

    def train(model, **compile_args):
        keras.utils.set_random_seed(seed)
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            metrics=["accuracy"],
            **compile_args,
        )
        start = time.time()
        model.fit(
            x_train,
            noisy_labels,
            epochs=epochs,
            batch_size=batch_size,
            verbose=verbose,
        )
        accuracy = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
        return 100.0 * (1.0 - accuracy["accuracy"]), time.time() - start

    print("\nPlain CNN, cross-entropy on the noisy labels:")
    keras.utils.set_random_seed(seed)
    plain_error, plain_seconds = train(
        mnist_cnn(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    print("\nThe same CNN wrapped in NoisyLabelModel (NNAQC, alpha=beta=0.9):")
    keras.utils.set_random_seed(seed)
    nnaqc = NoisyLabelModel(mnist_cnn(), alpha=0.9, beta=0.9)
    nnaqc_error, nnaqc_seconds = train(nnaqc)

    trained = f"{epochs} epoch{'s' if epochs != 1 else ''}"
    print(f"\nClean test error after {trained} ({actual:.0%} noise):")
    print(f"  {'model':<28}{'test error':>12}{'train time':>12}")
    print(f"  {'plain CNN':<28}{plain_error:>11.2f}%{plain_seconds:>11.0f}s")
    print(f"  {'NNAQC':<28}{nnaqc_error:>11.2f}%{nnaqc_seconds:>11.0f}s")

    learned = nnaqc.noise_layer.transition_matrix()
    figure = _save_figure(
        phi,
        learned,
        noise.empirical_transition(y_train, noisy_labels, 10),
        output_dir,
    )
    return {
        "noise": noise_rate,
        "actual_noise": actual,
        "plain_test_error": plain_error,
        "nnaqc_test_error": nnaqc_error,
        "learned_transition": learned,
        "figure": figure,
    }


def _save_figure(phi, learned, observed, output_dir):
    try:
        from keras_nnaqc.reproduction.figures import plot_transition_matrices

        output_dir = pathlib.Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        path = plot_transition_matrices(
            {
                "true noise (phi)": phi,
                "observed in the labels": observed,
                "learned by NNAQC (one-hot response)": learned,
            },
            output_dir / "transition_matrix.png",
        )
    except ImportError as error:
        print(f"\nNo figure: {error}")
        return None
    print(f"\nTransition matrices (true, observed, learned): {path}")
    diagonal = np.array2string(learned.diagonal(), precision=2)
    print(f"Learned p(noisy = clean | clean), per class: {diagonal}")
    return path
