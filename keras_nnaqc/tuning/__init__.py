"""Choose alpha and beta by cross-validation on noisy data, with KerasTuner."""

try:
    import keras_tuner  # noqa: F401
except ImportError as error:
    raise ImportError(
        "keras_nnaqc.tuning needs KerasTuner: `pip install keras-nnaqc[tuner]`."
    ) from error

from keras_nnaqc._folds import kfold_splits
from keras_nnaqc.tuning.cross_validation import CrossValidationTuner
from keras_nnaqc.tuning.hypermodel import NNAQCHyperModel

__all__ = [
    "CrossValidationTuner",
    "kfold_splits",
    "NNAQCHyperModel",
]
