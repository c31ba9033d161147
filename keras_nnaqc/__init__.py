"""keras-nnaqc: train Keras classifiers on noisily labelled data with NNAQC.

The core: `NoiseAdaptationLayer` (the noise head), `NNAQCLoss` (eq. 6) and
`NoisyLabelModel` (wraps any Keras classifier); `constraints` keeps the
head's weights sensible; `noise` injects label noise as the paper does;
`methods` holds every method the paper compares, `architectures` its base
models and `datasets` its datasets.
`keras_nnaqc.tuning` (KerasTuner) is imported on its own;
`keras_nnaqc.reproduction`, the harness behind `nnaqc run` and
`nnaqc reproduce`, is not part of the library.
"""

from keras_nnaqc import architectures
from keras_nnaqc import constraints
from keras_nnaqc import datasets
from keras_nnaqc import layers
from keras_nnaqc import losses
from keras_nnaqc import methods
from keras_nnaqc import models
from keras_nnaqc import noise
from keras_nnaqc.layers import NoiseAdaptationLayer
from keras_nnaqc.losses import NNAQCLoss
from keras_nnaqc.losses import nna_loss
from keras_nnaqc.losses import nnaqc_loss
from keras_nnaqc.losses import qc_loss
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.version import __version__

__all__ = [
    "architectures",
    "constraints",
    "datasets",
    "layers",
    "losses",
    "methods",
    "models",
    "noise",
    "NoiseAdaptationLayer",
    "NNAQCLoss",
    "nna_loss",
    "nnaqc_loss",
    "qc_loss",
    "NoisyLabelModel",
    "__version__",
]
