from keras_nnaqc.losses.backward_corrected_loss import BackwardCorrectedLoss
from keras_nnaqc.losses.bootstrap_loss import BootstrapLoss
from keras_nnaqc.losses.bootstrap_loss import bootstrap_loss
from keras_nnaqc.losses.loss_inputs import log_probabilities
from keras_nnaqc.losses.nnaqc_loss import NNAQCLoss
from keras_nnaqc.losses.nnaqc_loss import nna_loss
from keras_nnaqc.losses.nnaqc_loss import nnaqc_loss
from keras_nnaqc.losses.nnaqc_loss import qc_loss
