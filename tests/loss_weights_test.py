"""Where `alpha` and `beta` were measured to collapse training, a warning."""

import warnings

import keras
import pytest

from keras_nnaqc import NNAQCLoss
from keras_nnaqc import NoisyLabelModel


def base():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])


class CollapseWarningTest:
    # Measured on MNIST without a beta warm-up (docs/tuning.md): one class
    # predicted at beta 0.9 for alpha 0 to 0.2 (and 8 classes after the
    # first epoch at 0.3), and at beta 1 for alpha 0.3 and 0.5.
    @pytest.mark.parametrize(
        "alpha,beta",
        [(0.0, 0.9), (0.01, 0.9), (0.2, 0.9), (0.3, 0.9), (0.5, 1.0)],
    )
    def test_warns_where_training_collapsed(self, alpha, beta):
        match = f"one class.*alpha={alpha}, beta={beta}"
        with pytest.warns(UserWarning, match=match):
            NoisyLabelModel(base(), alpha=alpha, beta=beta)
        with pytest.warns(UserWarning, match=match):
            NNAQCLoss(alpha=alpha, beta=beta)

    # Trained to ten classes: alpha 0 at beta 0.7 and 0.8, alpha 0.5 and
    # the paper's 0.9 at beta 0.9, and the tuned (0.287, 0.821).
    @pytest.mark.parametrize(
        "alpha,beta",
        [(0.0, 0.5), (0.0, 0.8), (0.5, 0.9), (0.9, 0.9), (0.287, 0.821)],
    )
    def test_quiet_where_training_did_not_collapse(self, alpha, beta):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            NoisyLabelModel(base(), alpha=alpha, beta=beta)
            NNAQCLoss(alpha=alpha, beta=beta)
