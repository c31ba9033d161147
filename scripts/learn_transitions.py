"""Learns the noise heads shown on the docs' Concepts page.

    KERAS_BACKEND=tensorflow python scripts/learn_transitions.py

Trains the MNIST CNN with the paper's nonlinear and linear noise heads
(NNAQC's loss, alpha = beta = 0.9, heads from `W = I`, no warm-up) on the
shipped MNIST subset with 50% eq. 1 noise, and writes
`docs/data/learned_transitions.json`: the true and observed transition
matrices, each head's learned one (its response to one-hot inputs), and each
head's denoising operator d y_hat' / d y_hat (the paper's section 3.2) at a
confident clean prediction.
"""

import json
import pathlib

import keras
import numpy as np

import keras_nnaqc

OUTPUT = pathlib.Path(__file__).resolve().parents[1] / "docs/data"
CONFIDENT_CLASS, CONFIDENCE = 3, 0.9


def denoising_operator(layer, clean):
    """The Jacobian d(noisy probabilities) / d(clean probabilities)."""
    kernel = keras.ops.convert_to_numpy(layer.weight_matrix).astype(np.float64)
    if layer.mode == "linear":
        transition = np.exp(kernel - kernel.max(axis=1, keepdims=True))
        return (transition / transition.sum(axis=1, keepdims=True)).T
    logits = clean @ kernel
    noisy = np.exp(logits - logits.max())
    noisy /= noisy.sum()
    return (np.diag(noisy) - np.outer(noisy, noisy)) @ kernel.T


def main():
    (x_train, y_train), _ = keras_nnaqc.datasets.load_mnist_subset()
    phi = keras_nnaqc.noise.uniform_simplex(10, 0.5, seed=0)
    noisy = keras_nnaqc.noise.corrupt(y_train, phi, seed=1)
    clean = np.full(10, (1 - CONFIDENCE) / 9)
    clean[CONFIDENT_CLASS] = CONFIDENCE
    record = {
        "setup": "MNIST subset (10,000 images), 50% eq. 1 noise, seeds 0/1, "
        "mnist_cnn, Adam 1e-3, batch 100, 8 epochs, alpha = beta = 0.9",
        "backend": keras.backend.backend(),
        "true": phi.tolist(),
        "observed": keras_nnaqc.noise.empirical_transition(
            y_train, noisy, 10
        ).tolist(),
        "confident_input": clean.tolist(),
    }
    for mode in ("nonlinear", "linear"):
        keras.utils.set_random_seed(0)
        model = keras_nnaqc.NoisyLabelModel(
            keras_nnaqc.architectures.mnist_cnn(),
            noise_layer=keras_nnaqc.NoiseAdaptationLayer(mode=mode),
            beta_warmup_epochs=0,
            balance=0,
        )
        model.compile(optimizer=keras.optimizers.Adam(1e-3))
        model.fit(x_train[..., None], noisy, epochs=8, batch_size=100)
        record[mode] = model.noise_layer.transition_matrix().tolist()
        record[f"{mode}_operator"] = denoising_operator(
            model.noise_layer, clean
        ).tolist()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "learned_transitions.json"
    path.write_text(json.dumps(record, indent=1))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
