"""keras-nnaqc: train Keras classifiers on noisily labelled data with NNAQC.

The core: `NoiseAdaptationLayer` (the noise head), `NNAQCLoss` (eq. 6) and
`NoisyLabelModel` (wraps any Keras classifier), plus `keras_nnaqc.noise` to
inject label noise as the paper does.
"""

from keras_nnaqc import noise
from keras_nnaqc.layers import NoiseAdaptationLayer
from keras_nnaqc.losses import NNAQCLoss
from keras_nnaqc.losses import nna_loss
from keras_nnaqc.losses import nnaqc_loss
from keras_nnaqc.losses import qc_loss
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.version import __version__
