"""Every method the paper compares against, trainable on one base model."""

from keras_nnaqc.methods.method import Method
from keras_nnaqc.methods.method import TrainedModel
from keras_nnaqc.methods.registry import get
from keras_nnaqc.methods.registry import names
from keras_nnaqc.methods.transition_estimation import estimate_transition

__all__ = [
    "Method",
    "TrainedModel",
    "get",
    "names",
    "estimate_transition",
]
