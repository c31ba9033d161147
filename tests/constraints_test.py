import keras
import numpy as np
import pytest

from keras_nnaqc import NoiseAdaptationLayer
from keras_nnaqc import NoisyLabelModel
from keras_nnaqc.constraints import DiagonallyDominant
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import to_numpy
from keras_nnaqc.testing import two_classes_with_flips

RNG = np.random.default_rng(0)


def numpy_diagonally_dominant(matrix):
    """Each diagonal entry raised to its row's maximum, by loops."""
    result = np.array(matrix, dtype=np.float64)
    for i, row in enumerate(matrix):
        result[i, i] = max(row)
    return result


class DiagonallyDominantTest(TestCase):
    def test_raises_each_diagonal_entry_to_its_row_maximum(self):
        matrix = RNG.normal(size=(6, 6)).astype("float32")
        constrained = to_numpy(DiagonallyDominant()(keras.ops.array(matrix)))
        self.assertAllClose(constrained, numpy_diagonally_dominant(matrix))
        # Off the diagonal nothing moves, and a second pass changes nothing.
        off_diagonal = ~np.eye(6, dtype=bool)
        self.assertAllClose(constrained[off_diagonal], matrix[off_diagonal])
        again = DiagonallyDominant()(keras.ops.array(constrained))
        self.assertAllClose(again, constrained)

    def test_keeps_a_dominant_matrix(self):
        matrix = np.array([[2.0, 1.0, -1.0], [0.0, 0.5, 0.5], [3.0, 1.0, 4.0]])
        self.assertAllClose(
            DiagonallyDominant()(keras.ops.array(matrix)), matrix
        )

    def test_serializes(self):
        constraint = keras.constraints.deserialize(
            keras.constraints.serialize(DiagonallyDominant())
        )
        self.assertEqual(type(constraint), DiagonallyDominant)

    def test_rejects_a_matrix_that_is_not_square(self):
        with pytest.raises(ValueError, match=r"w.shape=\(2, 3\)"):
            DiagonallyDominant()(keras.ops.zeros((2, 3)))

    def test_holds_for_w_after_a_step_of_a_fast_head(self):
        # The constraint acts on the variable W / kernel_speed; W itself
        # comes out dominant where the same step unconstrained would not.
        inputs = np.eye(4, dtype="float32")
        targets = inputs[[1, 0, 2, 3]]  # rewards swapping classes 0 and 1

        def trained_w(constraint):
            head = NoiseAdaptationLayer(
                kernel_speed=10.0, kernel_constraint=constraint
            )
            model = keras.Sequential([keras.Input((4,)), head])
            # W moves 10 * 10 times the gradient: far enough to swap.
            model.compile(optimizer=keras.optimizers.SGD(10.0), loss="mse")
            model.fit(inputs, targets, batch_size=4, verbose=0)
            return to_numpy(head.weight_matrix)

        free = trained_w(None)
        assert free[0, 1] > free[0, 0]
        self.assertAllClose(
            trained_w(DiagonallyDominant()), numpy_diagonally_dominant(free)
        )


class DefaultHeadTest(TestCase):
    def test_learns_the_classes_under_their_own_names(self):
        # Two classes, 10% of labels flipped: the noisy labels are fit as
        # well by the classes swapped and a head that swaps them back. The
        # default head (fast, diagonally dominant) must learn them unswapped
        # (results/label_swap/: unconstrained, heads at speed 3 or 10
        # swapped in 37 of 72 runs).
        x, clean, noisy = two_classes_with_flips()
        for seed in range(6):
            keras.utils.set_random_seed(seed)
            base = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
            model = NoisyLabelModel(base)
            model.compile(optimizer=keras.optimizers.Adam(0.05))
            model.fit(x, noisy, epochs=30, verbose=0)
            predicted = model.predict(x, verbose=0).argmax(axis=1)
            assert np.mean(predicted == clean) > 0.9, f"seed {seed}"
