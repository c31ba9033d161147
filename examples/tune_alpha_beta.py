"""
Title: Choosing alpha and beta by cross-validation on noisy labels
Author: keras-nnaqc developers
Description: K-fold search of NNAQC's two weights with KerasTuner, using
    only the noisy labels a user actually has.

NNAQC's loss has two weights: `alpha` balances the noise-aware term against
the quasi-clustering term, and `beta` mixes the model's own prediction into
the quasi-clustering target. The paper picks them by cross-validation on the
noisy training set. Here we do the same with KerasTuner: every trial trains
one model per fold and scores it by how often its clean prediction agrees
with the *held-out noisy labels*. No clean label is used until the final
test.

Run it as it is for the shipped MNIST subset, or shrink it:

```
python examples/tune_alpha_beta.py --trials 8 --epochs 4
```
"""

"""
## Setup

The backend is chosen before Keras is imported.
"""

import argparse
import os

parser = argparse.ArgumentParser(description="Tune alpha and beta.")
parser.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "jax"))
parser.add_argument("--noise", type=float, default=0.5, help="noise rate p")
parser.add_argument("--train-size", type=int, default=10_000)
parser.add_argument("--trials", type=int, default=6)
parser.add_argument("--folds", type=int, default=3)
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--batch-size", type=int, default=100)
parser.add_argument("--directory", default="nnaqc-tuning")
args = parser.parse_args()
os.environ["KERAS_BACKEND"] = args.backend

import keras

import keras_nnaqc
from keras_nnaqc import tuning

keras.utils.set_random_seed(0)

"""
## Noisy training labels

We take the MNIST subset shipped with the package and make a share `p` of
its labels wrong with the paper's noise model (eq. 1). The noisy labels are
drawn once and kept.
"""

(x_train, y_train), (x_test, y_test) = keras_nnaqc.datasets.load_mnist_subset()
x_train, y_train = (
    x_train[: args.train_size, ..., None],
    y_train[: args.train_size],
)
x_test = x_test[..., None]
noisy_labels, _ = keras_nnaqc.datasets.add_noise(
    y_train, 10, args.noise, "uniform_simplex", seed=0
)
print(
    f"{len(x_train)} training images, "
    f"{keras_nnaqc.noise.actual_noise_rate(y_train, noisy_labels):.1%} "
    "of their labels wrong"
)

"""
## The search space

`NNAQCHyperModel` wraps a fresh base model in a `NoisyLabelModel` for every
trial, with `alpha` and `beta` drawn from [0, 1]. It can also search the
noise head's mode, its dropout, the learning rate, or the base model itself.
"""

hypermodel = tuning.NNAQCHyperModel(
    keras_nnaqc.architectures.mnist_cnn, num_classes=10
)

"""
## Cross-validated search

`CrossValidationTuner` works with any KerasTuner oracle; by default a random
search. It resumes from its directory if interrupted.
"""

tuner = tuning.CrossValidationTuner(
    hypermodel,
    max_trials=args.trials,
    folds=args.folds,
    directory=args.directory,
    project_name=f"mnist_subset_p{args.noise:g}",
)
tuner.search(
    x_train, noisy_labels, epochs=args.epochs, batch_size=args.batch_size
)
best = tuner.best_hyperparameters.values
print(f"Best alpha = {best['alpha']:.3f}, beta = {best['beta']:.3f}")

"""
## Retrain and test

`best_model()` retrains the best setting on all the noisy training data; we
compare it with the paper's alpha = beta = 0.9, trained the same way.
"""

model = tuner.best_model()
tuned = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
paper = keras_nnaqc.NoisyLabelModel(
    keras_nnaqc.architectures.mnist_cnn(), alpha=0.9, beta=0.9
)
paper.compile(optimizer="adam", metrics=["accuracy"])
paper.fit(
    x_train,
    noisy_labels,
    epochs=args.epochs,
    batch_size=args.batch_size,
    verbose=0,
)
default = paper.evaluate(x_test, y_test, verbose=0, return_dict=True)
print(f"Clean test error, tuned:            {1 - tuned['accuracy']:.2%}")
print(f"Clean test error, alpha=beta=0.9:   {1 - default['accuracy']:.2%}")
