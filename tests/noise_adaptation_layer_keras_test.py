"""`NoiseAdaptationLayer` through Keras's own layer checks.

Keras's `TestCase` is a `unittest.TestCase`, so these tests sit apart from
the pytest-style ones in `noise_adaptation_layer_test.py`.
"""

import keras
import numpy as np
from absl.testing import parameterized
from keras.src import testing

from keras_nnaqc import NoiseAdaptationLayer
from keras_nnaqc.constraints import DiagonallyDominant
from keras_nnaqc.testing import numpy_softmax

RNG = np.random.default_rng(0)
CLEAN = numpy_softmax(RNG.normal(size=(4, 5)) * 2).astype("float32")
MODES = (("nonlinear", "nonlinear"), ("linear", "linear"))


def identity_head_output(mode):
    """The heads of eqs. 3 and 5 at `W = I`, as a backend tensor."""
    if mode == "nonlinear":
        expected = numpy_softmax(CLEAN)
    else:
        expected = CLEAN @ numpy_softmax(np.eye(5), axis=1)
    return keras.ops.convert_to_tensor(expected.astype("float32"))


class NoiseAdaptationLayerKerasTest(testing.TestCase):
    @parameterized.named_parameters(*MODES)
    def test_head(self, mode):
        self.run_layer_test(
            NoiseAdaptationLayer,
            init_kwargs={"mode": mode},
            input_data=CLEAN,
            expected_output=identity_head_output(mode),
            expected_num_trainable_weights=1,
            expected_num_non_trainable_weights=0,
            expected_num_non_trainable_variables=0,
            expected_num_seed_generators=0,
            expected_num_losses=0,
        )

    @parameterized.named_parameters(*MODES)
    def test_head_with_dropout_and_penalties(self, mode):
        # The dropout (off at inference) brings a seed generator and its
        # state; the trace penalty and the regularizer add up to one loss.
        self.run_layer_test(
            NoiseAdaptationLayer,
            init_kwargs={
                "mode": mode,
                "dropout": 0.5,
                "seed": 1,
                "trace_penalty": 0.1,
                "kernel_regularizer": "l2",
            },
            input_data=CLEAN,
            expected_output=identity_head_output(mode),
            expected_num_trainable_weights=1,
            expected_num_non_trainable_weights=0,
            expected_num_non_trainable_variables=1,
            expected_num_seed_generators=1,
            expected_num_losses=1,
        )

    def test_default_head_of_noisy_label_model(self):
        # Fast and kept diagonally dominant; it starts at W = I all the same.
        self.run_layer_test(
            NoiseAdaptationLayer,
            init_kwargs={
                "kernel_speed": 10.0,
                "kernel_constraint": DiagonallyDominant(),
            },
            input_data=CLEAN,
            expected_output=identity_head_output("nonlinear"),
            expected_num_trainable_weights=1,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=0,
            expected_num_losses=0,
        )
