"""How often a fast noise head swaps the classes of a two-class problem.

    KERAS_BACKEND=tensorflow python scripts/head_speed_label_swap.py

A linear model on 300 points in 4 dimensions, the class the sign of the
first coordinate, 10% of the labels flipped, trained with NNAQC for 30
epochs under Adam 0.05 at each head speed (`kernel_speed`) and beta warm-up,
with and without the `DiagonallyDominant` constraint, from six seeds.
Prints the clean accuracy of each run: near 1 when the model learned the
classes, near 0 when it learned them swapped and the head swapped them back
(the noisy labels are fit equally well either way).
"""

import keras
import numpy as np

from keras_nnaqc import NoiseAdaptationLayer
from keras_nnaqc import NoisyLabelModel
from keras_nnaqc.constraints import DiagonallyDominant

SEEDS = range(6)


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)).astype("float32")
    clean = (x[:, 0] > 0).astype(int)
    noisy = clean.copy()
    noisy[:30] = 1 - noisy[:30]
    print(f"backend {keras.backend.backend()}; clean accuracy per seed")
    for constraint in (None, DiagonallyDominant):
        for speed in (1.0, 3.0, 10.0):
            for warmup in (0, 2):
                accuracies = []
                for seed in SEEDS:
                    keras.utils.set_random_seed(seed)
                    base = keras.Sequential(
                        [keras.Input((4,)), keras.layers.Dense(2)]
                    )
                    head = NoiseAdaptationLayer(
                        kernel_speed=speed,
                        kernel_constraint=constraint and constraint(),
                    )
                    model = NoisyLabelModel(
                        base,
                        noise_layer=head,
                        beta_warmup_epochs=warmup,
                        balance=0,
                    )
                    model.compile(optimizer=keras.optimizers.Adam(0.05))
                    model.fit(x, noisy, epochs=30, verbose=0)
                    predicted = model.predict(x, verbose=0).argmax(axis=1)
                    accuracies.append(f"{np.mean(predicted == clean):.2f}")
                print(
                    f"kernel_speed={speed:g} beta_warmup_epochs={warmup} "
                    f"kernel_constraint={constraint and constraint.__name__}: "
                    + " ".join(accuracies)
                )


if __name__ == "__main__":
    main()
