"""Clean test error of the demo's NNAQC after each epoch, per head.

    KERAS_BACKEND=tensorflow python scripts/demo_by_epoch.py

The demo's data (the shipped 10,000-image MNIST subset, eq. 1 noise at
p = 0.5, 2,000 clean test images), seeds 0 and 1, trained for 12 epochs
under Adam 1e-3, batch 100, without early stopping: `NoisyLabelModel`'s
default head, and the head at the paper's speed (both with the default beta
warm-up). Prints one line per seed and head, the clean test error (%) after
each epoch.
"""

import keras

from keras_nnaqc import NoiseAdaptationLayer
from keras_nnaqc import NoisyLabelModel
from keras_nnaqc import noise
from keras_nnaqc.architectures import mnist_cnn
from keras_nnaqc.datasets import load_mnist_subset

EPOCHS = 12
HEADS = {
    "default head": lambda: "nonlinear",
    "paper's head speed": lambda: NoiseAdaptationLayer(),
}


def main():
    (x_train, y_train), (x_test, y_test) = load_mnist_subset()
    x_train, x_test = x_train[..., None], x_test[..., None]
    print(f"backend {keras.backend.backend()}; clean test error per epoch")
    for seed in (0, 1):
        phi = noise.uniform_simplex(10, 0.5, seed=seed)
        noisy_labels = noise.corrupt(y_train, phi, seed=seed + 1)
        for name, head in HEADS.items():
            keras.utils.set_random_seed(seed)
            model = NoisyLabelModel(mnist_cnn(), noise_layer=head(), balance=0)
            model.compile(optimizer=keras.optimizers.Adam(1e-3))
            errors = []
            for epoch in range(EPOCHS):
                model.fit(
                    x_train,
                    noisy_labels,
                    initial_epoch=epoch,
                    epochs=epoch + 1,
                    batch_size=100,
                    verbose=0,
                )
                predicted = model.predict(x_test, verbose=0).argmax(axis=1)
                errors.append(f"{100 * (predicted != y_test).mean():.2f}")
            print(f"seed {seed}, {name}: " + " ".join(errors), flush=True)


if __name__ == "__main__":
    main()
