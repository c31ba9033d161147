from keras_nnaqc.constraints import DiagonallyDominant
from keras_nnaqc.layers import NoiseAdaptationLayer

# This package's default, not the paper's (docs/concepts.md): the fast head,
# kept diagonally dominant, learns clean labels as well as a plain model does.
HEAD_SPEED = 10.0


def default_noise_head(mode="nonlinear", **kwargs):
    """The head `NoisyLabelModel(noise_layer=mode)` builds: the nonlinear one at
    `kernel_speed=10`, kept `DiagonallyDominant`; the linear one as the
    paper's. `kwargs` go to `NoiseAdaptationLayer`."""
    if mode == "nonlinear":
        kwargs = {
            "kernel_speed": HEAD_SPEED,
            "kernel_constraint": DiagonallyDominant(),
            **kwargs,
        }
    return NoiseAdaptationLayer(mode=mode, **kwargs)
