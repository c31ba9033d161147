"""Invariants over random valid inputs, and errors over random invalid ones."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from keras_nnaqc import nnaqc_loss
from keras_nnaqc import noise
from keras_nnaqc.testing import LARGEST_DRAW
from keras_nnaqc.testing import FixedDraws
from keras_nnaqc.testing import numpy_softmax
from keras_nnaqc.testing import to_numpy

SETTINGS = settings(max_examples=40, deadline=None)
classes = st.integers(2, 25)
rates = st.floats(0.0, 1.0)
seeds = st.integers(0, 2**32 - 1)


def matrices(draw_classes, rate, seed, kind):
    if kind == "uniform_simplex":
        return noise.uniform_simplex(draw_classes, rate, seed=seed)
    if kind == "sparse":
        k = 1 + seed % (draw_classes - 1)
        return noise.sparse(draw_classes, rate, k=k, seed=seed)
    if kind == "symmetric":
        return noise.symmetric(draw_classes, rate)
    return noise.pair(draw_classes, rate)


KINDS = st.sampled_from(["uniform_simplex", "sparse", "symmetric", "pair"])


class NoisePropertiesTest:
    @SETTINGS
    @given(classes, rates, seeds, KINDS)
    def test_transition_matrices_are_stochastic_with_rate_off_diagonal(
        self, num_classes, rate, seed, kind
    ):
        matrix = matrices(num_classes, rate, seed, kind)
        assert matrix.shape == (num_classes, num_classes)
        assert matrix.min() >= 0.0
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=1e-12)
        np.testing.assert_allclose(matrix.diagonal(), 1.0 - rate, atol=1e-12)

    @SETTINGS
    @given(classes, rates, seeds, st.integers(1, 300))
    def test_corrupt_stays_in_range_and_follows_the_matrix(
        self, num_classes, rate, seed, count
    ):
        labels = np.random.default_rng(seed).integers(0, num_classes, count)
        matrix = noise.uniform_simplex(num_classes, rate, seed=seed)
        noisy = noise.corrupt(labels, matrix, seed=seed)
        assert noisy.shape == labels.shape
        assert noisy.min() >= 0 and noisy.max() < num_classes
        # Only transitions with positive probability occur.
        assert np.all(matrix[labels, noisy] > 0)
        np.testing.assert_array_equal(
            noise.corrupt(labels, matrix, seed=seed), noisy
        )
        assert 0.0 <= noise.actual_noise_rate(labels, noisy) <= 1.0
        if rate == 0.0:
            np.testing.assert_array_equal(noisy, labels)

    @SETTINGS
    @given(
        st.integers(2, 40),
        rates,
        seeds,
        KINDS,
        st.sampled_from(["float64", "float32", "scaled"]),
        st.data(),
    )
    def test_corrupt_stays_in_range_at_adversarial_draws(
        self, num_classes, rate, seed, kind, precision, data
    ):
        matrix = matrices(num_classes, rate, seed, kind)
        if precision == "float32":
            matrix = matrix.astype("float32")
        elif precision == "scaled":
            # Rows that sum to 1 only within the accepted 1e-6.
            scales = np.random.default_rng(seed).uniform(
                -9e-7, 9e-7, size=(num_classes, 1)
            )
            matrix = matrix * (1 + scales)
        boundaries = np.cumsum(matrix.astype(np.float64), axis=1).ravel()
        near = st.sampled_from(boundaries.tolist()).flatmap(
            lambda b: st.sampled_from(
                [np.nextafter(b, 0.0), b, np.nextafter(b, 1.0)]
            )
        )
        draws = data.draw(
            st.lists(
                st.one_of(
                    st.integers(0, 2**53 - 1).map(lambda k: k * 2.0**-53),
                    st.integers(0, 1000).map(lambda k: k * 2.0**-53),
                    st.integers(0, 1000).map(
                        lambda k: LARGEST_DRAW - k * 2.0**-53
                    ),
                    near.filter(lambda b: 0.0 <= b <= LARGEST_DRAW),
                ),
                min_size=1,
                max_size=20,
            )
        )
        draws = np.sort(draws)
        clean = np.repeat(np.arange(num_classes), len(draws))
        noisy = noise.corrupt(clean, matrix, seed=FixedDraws(draws))
        assert noisy.min() >= 0 and noisy.max() < num_classes
        assert np.all(matrix[clean, noisy] > 0)
        # Inverse-CDF sampling: a larger draw never picks an earlier column.
        assert np.all(np.diff(noisy.reshape(num_classes, -1), axis=1) >= 0)

    @SETTINGS
    @given(classes, st.one_of(st.floats(-10, -1e-9), st.floats(1 + 1e-9, 10)))
    def test_rates_outside_the_unit_interval_are_rejected(
        self, num_classes, rate
    ):
        with pytest.raises(ValueError, match=f"p={rate!r}"):
            noise.uniform_simplex(num_classes, rate, seed=0)

    @SETTINGS
    @given(classes, st.integers(1, 50), seeds)
    def test_labels_out_of_range_are_rejected(self, num_classes, excess, seed):
        labels = np.random.default_rng(seed).integers(0, num_classes, 10)
        labels[seed % 10] = num_classes - 1 + excess
        with pytest.raises(ValueError, match="must lie in"):
            noise.corrupt(labels, noise.symmetric(num_classes, 0.1), seed=0)

    @SETTINGS
    @given(
        hnp.arrays(
            np.float64,
            st.tuples(st.integers(2, 6)).map(lambda s: (s[0], s[0])),
            elements=st.floats(0, 1),
        )
    )
    def test_non_stochastic_matrices_are_rejected(self, matrix):
        if np.allclose(matrix.sum(axis=1), 1.0, atol=1e-6):
            return
        with pytest.raises(ValueError, match="row-stochastic"):
            noise.corrupt([0, 1], matrix, seed=0)


class LossPropertiesTest:
    @SETTINGS
    @given(
        st.integers(2, 12),
        st.integers(1, 8),
        st.floats(0, 1),
        st.floats(0, 1),
        seeds,
        st.floats(0.1, 30),
    )
    def test_loss_is_non_negative_and_equals_the_formula(
        self, num_classes, batch, alpha, beta, seed, scale
    ):
        rng = np.random.default_rng(seed)
        noisy_logits = (rng.normal(size=(batch, num_classes)) * scale).astype(
            "f4"
        )
        clean_logits = (rng.normal(size=(batch, num_classes)) * scale).astype(
            "f4"
        )
        labels = rng.integers(0, num_classes, batch)
        losses = to_numpy(
            nnaqc_loss(
                labels,
                {"noisy": noisy_logits, "clean": clean_logits},
                alpha,
                beta,
                from_logits=True,
            )
        )
        one_hot = np.eye(num_classes)[labels]
        clean = numpy_softmax(clean_logits)
        log_clean = np.log(np.maximum(clean, 1e-300))
        log_noisy = np.log(np.maximum(numpy_softmax(noisy_logits), 1e-300))
        expected = alpha * -np.sum(one_hot * log_noisy, -1) + (
            1 - alpha
        ) * -np.sum((beta * clean + (1 - beta) * one_hot) * log_clean, -1)
        assert np.all(losses >= -1e-5)
        np.testing.assert_allclose(losses, expected, rtol=1e-4, atol=1e-4)

    @SETTINGS
    @given(st.one_of(st.floats(-5, -1e-6), st.floats(1 + 1e-6, 5)))
    def test_weights_outside_the_unit_interval_are_rejected(self, value):
        with pytest.raises(ValueError, match=f"alpha={value!r}"):
            nnaqc_loss(
                [0], {"noisy": [[0.0, 0.0]], "clean": [[0.0, 0.0]]}, alpha=value
            )
