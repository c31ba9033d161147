from keras_nnaqc.losses.nnaqc_loss import NNAQCLoss
from keras_nnaqc.losses.nnaqc_loss import log_probabilities
from keras_nnaqc.losses.nnaqc_loss import nna_loss
from keras_nnaqc.losses.nnaqc_loss import nnaqc_loss
from keras_nnaqc.losses.nnaqc_loss import qc_loss
