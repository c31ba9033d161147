from keras_nnaqc.layers.noise_adaptation_layer import NoiseAdaptationLayer

__all__ = [
    "NoiseAdaptationLayer",
]
