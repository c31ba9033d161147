from keras_nnaqc.losses.backward_corrected_loss import BackwardCorrectedLoss
from keras_nnaqc.losses.bootstrap_loss import BootstrapLoss
from keras_nnaqc.losses.bootstrap_loss import bootstrap_loss
from keras_nnaqc.losses.class_balance_loss import class_balance_loss
from keras_nnaqc.losses.nnaqc_loss import NNAQCLoss
from keras_nnaqc.losses.nnaqc_loss import nna_loss
from keras_nnaqc.losses.nnaqc_loss import nnaqc_loss
from keras_nnaqc.losses.nnaqc_loss import qc_loss

__all__ = [
    "BackwardCorrectedLoss",
    "BootstrapLoss",
    "bootstrap_loss",
    "class_balance_loss",
    "NNAQCLoss",
    "nna_loss",
    "nnaqc_loss",
    "qc_loss",
]
