"""Label-noise injection, exactly as the paper defines it (pure NumPy)."""

from keras_nnaqc.noise.corruption import actual_noise_rate
from keras_nnaqc.noise.corruption import corrupt
from keras_nnaqc.noise.corruption import empirical_transition
from keras_nnaqc.noise.instance_dependent import instance_dependent
from keras_nnaqc.noise.transition_matrices import NOISE_MODELS
from keras_nnaqc.noise.transition_matrices import grouped
from keras_nnaqc.noise.transition_matrices import named_transition
from keras_nnaqc.noise.transition_matrices import pair
from keras_nnaqc.noise.transition_matrices import sparse
from keras_nnaqc.noise.transition_matrices import symmetric
from keras_nnaqc.noise.transition_matrices import uniform_simplex

__all__ = [
    "actual_noise_rate",
    "corrupt",
    "empirical_transition",
    "instance_dependent",
    "NOISE_MODELS",
    "grouped",
    "named_transition",
    "pair",
    "sparse",
    "symmetric",
    "uniform_simplex",
]
