from keras_nnaqc.models.label_issues import LabelIssues
from keras_nnaqc.models.label_issues import find_label_issues
from keras_nnaqc.models.noisy_label_model import NoisyLabelModel

__all__ = [
    "LabelIssues",
    "find_label_issues",
    "NoisyLabelModel",
]
