import numpy as np
import pytest

from keras_nnaqc import noise
from keras_nnaqc.noise.instance_dependent import _instance_transitions
from keras_nnaqc.testing import LARGEST_DRAW
from keras_nnaqc.testing import FixedDraws


class TransitionMatrixTest:
    @pytest.mark.parametrize("p", [0.0, 0.3, 0.7, 1.0])
    def test_uniform_simplex_is_eq_1(self, p):
        phi = noise.uniform_simplex(10, p, seed=0)
        np.testing.assert_allclose(phi.sum(axis=1), 1.0)
        np.testing.assert_allclose(phi.diagonal(), 1.0 - p)
        assert phi.min() >= 0.0
        off_diagonal = phi[~np.eye(10, dtype=bool)]
        if p:
            assert np.all(off_diagonal > 0)  # a simplex point is interior

    def test_uniform_simplex_rows_are_uniform_on_the_simplex(self):
        # Each entry of a uniform point on the simplex of dimension L - 1 is
        # Beta(1, L - 2): mean 1 / (L - 1), variance (L - 2) / ((L-1)^2 L).
        num_classes = 10
        deltas = np.stack(
            [
                noise.uniform_simplex(num_classes, 1.0, seed=s)
                for s in range(400)
            ]
        )
        entries = deltas[:, ~np.eye(num_classes, dtype=bool)].ravel()
        mean = 1 / (num_classes - 1)
        variance = (num_classes - 2) / ((num_classes - 1) ** 2 * num_classes)
        standard_error = np.sqrt(variance / entries.size)
        assert abs(entries.mean() - mean) < 5 * standard_error
        assert abs(entries.var() - variance) < 0.05 * variance

    def test_uniform_simplex_seed(self):
        first = noise.uniform_simplex(5, 0.4, seed=3)
        np.testing.assert_array_equal(
            first, noise.uniform_simplex(5, 0.4, seed=3)
        )
        assert not np.array_equal(first, noise.uniform_simplex(5, 0.4, seed=4))

    def test_sparse_spreads_errors_over_k_classes(self):
        phi = noise.sparse(50, 0.5, k=10, seed=0)
        np.testing.assert_allclose(phi.sum(axis=1), 1.0)
        np.testing.assert_allclose(phi.diagonal(), 0.5)
        off_diagonal = phi * (1 - np.eye(50))
        np.testing.assert_array_equal((off_diagonal > 0).sum(axis=1), 10)

    def test_symmetric_by_hand(self):
        expected = [[0.7, 0.15, 0.15], [0.15, 0.7, 0.15], [0.15, 0.15, 0.7]]
        np.testing.assert_allclose(noise.symmetric(3, 0.3), expected)

    def test_pair_by_hand(self):
        expected = [[0.8, 0.2, 0.0], [0.0, 0.8, 0.2], [0.2, 0.0, 0.8]]
        np.testing.assert_allclose(noise.pair(3, 0.2), expected)

    @pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
    def test_rejects_rate_outside_unit_interval(self, p):
        with pytest.raises(ValueError, match=r"`p` must be in \[0, 1\]"):
            noise.uniform_simplex(10, p, seed=0)

    def test_rejects_too_few_classes(self):
        with pytest.raises(ValueError, match="num_classes=1"):
            noise.symmetric(1, 0.2)
        with pytest.raises(TypeError, match="num_classes=2.5"):
            noise.pair(2.5, 0.2)

    @pytest.mark.parametrize("k", [0, 10, 2.5])
    def test_sparse_rejects_bad_k(self, k):
        with pytest.raises(ValueError, match=f"k={k}"):
            noise.sparse(10, 0.5, k=k, seed=0)


class CorruptTest:
    def test_empirical_transition_matches_phi_within_sampling_error(self):
        phi = noise.uniform_simplex(10, 0.5, seed=0)
        clean = np.random.default_rng(1).integers(0, 10, 1_000_000)
        noisy = noise.corrupt(clean, phi, seed=2)
        observed = noise.empirical_transition(clean, noisy, num_classes=10)
        counts = np.bincount(clean, minlength=10)[:, None]
        standard_error = np.sqrt(phi * (1 - phi) / counts)
        assert np.all(np.abs(observed - phi) <= 5 * standard_error + 1e-12)
        assert abs(noise.actual_noise_rate(clean, noisy) - 0.5) < 0.003

    def test_zero_probability_transitions_never_happen(self):
        phi = noise.pair(4, 0.5)
        clean = np.repeat(np.arange(4), 1000)
        noisy = noise.corrupt(clean, phi, seed=0)
        np.testing.assert_array_equal(
            np.unique(noisy[clean == 3]),
            [0, 3],  # 3 flips only to 0
        )

    def test_same_seed_same_labels(self):
        phi = noise.uniform_simplex(10, 0.5, seed=0)
        clean = np.arange(1000) % 10
        first = noise.corrupt(clean, phi, seed=7)
        np.testing.assert_array_equal(first, noise.corrupt(clean, phi, seed=7))
        assert not np.array_equal(first, noise.corrupt(clean, phi, seed=8))

    def test_keeps_label_shape(self):
        phi = noise.symmetric(3, 0.2)
        labels = np.array([[0], [1], [2]], dtype=np.uint8)
        assert noise.corrupt(labels, phi, seed=0).shape == (3, 1)

    def test_identity_keeps_labels(self):
        clean = np.arange(20) % 5
        np.testing.assert_array_equal(
            noise.corrupt(clean, np.eye(5), seed=0), clean
        )

    def test_row_summing_past_one_before_its_end_stays_in_range(self):
        # Accepted (within 1e-6 of 1), but its running sum passes 1 at the
        # middle column, which unsorted the draw's table: labels came out
        # outside [0, 3) (-2 for 4 of 5,000,000 clean 2s at seed 0).
        phi = [[1, 0, 0], [0.5, 0.5 + 9e-7, 0], [0, 0, 1]]
        draws = [0.0, 1e-7, 5e-7, 0.4, 0.6, LARGEST_DRAW]
        clean = np.repeat([1, 2], len(draws))
        noisy = noise.corrupt(clean, phi, seed=FixedDraws(draws))
        # Row 1 normalised: p(0) = 0.5 / (1 + 9e-7) = 0.49999955.
        np.testing.assert_array_equal(noisy, [0] * 4 + [1] * 2 + [2] * 6)

    def test_float32_matrix_stays_in_range_at_extreme_draws(self):
        phi = noise.sparse(10, 0.4, k=3, seed=0).astype("float32")
        clean = np.arange(10)
        first = noise.corrupt(clean, phi, seed=FixedDraws([0.0, 2.0**-53]))
        last = noise.corrupt(clean, phi, seed=FixedDraws([LARGEST_DRAW]))
        # The smallest draws pick each row's first non-zero column, the
        # largest its last one.
        np.testing.assert_array_equal(first, np.argmax(phi > 0, axis=1))
        np.testing.assert_array_equal(last, 9 - np.argmax(phi[:, ::-1] > 0, 1))

    def test_largest_draw_stays_in_its_row(self):
        # `label + u` rounds up to `label + 1` for u = 1 - 2**-53 (clean 1
        # became 3, one past the last class, and clean 4998 of 5000 became
        # 9999); the draw must pick the row's last non-zero column.
        phi = noise.pair(3, 0.5)
        noisy = noise.corrupt([0, 1, 2], phi, seed=FixedDraws([LARGEST_DRAW]))
        np.testing.assert_array_equal(noisy, [1, 2, 2])

    def test_same_labels_as_the_cumulative_sum_draw(self):
        # Committed results depend on these draws: inverse-CDF sampling of
        # each label's row with the seed's uniforms, written out directly.
        phi = noise.uniform_simplex(10, 0.5, seed=0)
        clean = np.random.default_rng(0).integers(0, 10, 60_000)
        uniforms = np.random.default_rng(1).random(60_000)
        expected = (uniforms[:, None] >= np.cumsum(phi, 1)[clean]).sum(1)
        np.testing.assert_array_equal(noise.corrupt(clean, phi, 1), expected)

    def test_rejects_labels_out_of_range(self):
        with pytest.raises(ValueError, match=r"\[0, 3\).*from 0 to 3"):
            noise.corrupt([0, 1, 3], noise.symmetric(3, 0.1), seed=0)
        with pytest.raises(ValueError, match="from -1 to 1"):
            noise.corrupt([-1, 1], noise.symmetric(3, 0.1), seed=0)

    def test_rejects_labels_of_wrong_shape(self):
        one_hot = np.eye(3)[[0, 1, 2]]
        with pytest.raises(ValueError, match=r"shape=\(3, 3\).*argmax|argmax"):
            noise.corrupt(one_hot, noise.symmetric(3, 0.1), seed=0)

    def test_rejects_fractional_labels(self):
        with pytest.raises(TypeError, match="dtype=float64"):
            noise.corrupt([0.5, 1.0], noise.symmetric(3, 0.1), seed=0)

    def test_rejects_non_stochastic_matrix(self):
        with pytest.raises(ValueError, match="row 1 sums to 0.9"):
            noise.corrupt([0], [[1.0, 0.0], [0.5, 0.4]], seed=0)
        with pytest.raises(ValueError, match="non-negative"):
            noise.corrupt([0], [[1.5, -0.5], [0.5, 0.5]], seed=0)
        with pytest.raises(ValueError, match=r"shape=\(2, 3\)"):
            noise.corrupt([0], np.full((2, 3), 1 / 3), seed=0)


class MeasurementTest:
    def test_empirical_transition_by_hand(self):
        clean = [0, 0, 0, 0, 1, 1]
        noisy = [0, 0, 0, 1, 1, 0]
        np.testing.assert_allclose(
            noise.empirical_transition(clean, noisy),
            [[0.75, 0.25], [0.5, 0.5]],
        )

    def test_empirical_transition_absent_class_row_is_zero(self):
        observed = noise.empirical_transition([0, 0], [0, 1], num_classes=3)
        np.testing.assert_allclose(observed[2], [0, 0, 0])

    def test_actual_noise_rate_by_hand(self):
        assert noise.actual_noise_rate([0, 1, 2, 3], [0, 1, 3, 2]) == 0.5

    def test_rejects_mismatched_shapes(self):
        with pytest.raises(ValueError, match=r"clean_labels.shape=\(3,\)"):
            noise.actual_noise_rate([0, 1, 2], [0, 1])


def algorithm_2_rows(features, labels, flip_rates, projections):
    """Xia et al. (2020), Algorithm 2, one sample at a time."""
    rows = []
    for x, y, q in zip(features, labels, flip_rates, strict=True):
        scores = x.reshape(-1).astype(np.float64) @ projections[y]
        scores[y] = -np.inf
        exponentials = np.exp(scores - scores.max())
        row = q * exponentials / exponentials.sum()
        row[y] += 1.0 - q
        rows.append(row)
    return np.array(rows)


class InstanceDependentTest:
    def features_and_labels(self, n=60, num_classes=4, seed=3):
        rng = np.random.default_rng(seed)
        features = rng.normal(size=(n, 2, 3)).astype(np.float32)
        return features, rng.integers(0, num_classes, n)

    def test_rows_are_algorithm_2(self):
        features, labels = self.features_and_labels()
        rng = np.random.default_rng(7)
        flip_rates = rng.normal(0.5, 0.1, len(labels))
        # At mean 0.5 and deviation 0.1 this seed draws no rate to redraw.
        assert np.all((flip_rates > 0) & (flip_rates < 1))
        projections = rng.standard_normal((4, 6, 4)).astype(np.float32)
        expected = algorithm_2_rows(features, labels, flip_rates, projections)
        rows = _instance_transitions(
            features, labels, 0.5, np.random.default_rng(7), num_classes=4
        )
        np.testing.assert_allclose(rows, expected, rtol=1e-5, atol=1e-12)
        np.testing.assert_allclose(rows.sum(axis=1), 1.0)

    def test_labels_are_drawn_from_the_rows(self):
        features, labels = self.features_and_labels(n=5000, seed=4)
        rng = np.random.default_rng(11)
        rows = _instance_transitions(features, labels, 0.4, rng, num_classes=4)
        uniforms = rng.random(len(labels))
        expected = [
            int(np.searchsorted(np.cumsum(row), u, side="right"))
            for row, u in zip(rows, uniforms, strict=True)
        ]
        noisy = noise.instance_dependent(features, labels, 0.4, seed=11)
        np.testing.assert_array_equal(noisy, expected)

    def test_rate_counts_changed_labels_only(self):
        features, labels = self.features_and_labels(n=20000, seed=5)
        noisy = noise.instance_dependent(
            features, labels, 0.4, seed=0, num_classes=4
        )
        # Mean of N(0.4, 0.1) truncated to [0, 1] is 0.4 to 1e-4; the
        # binomial deviation over 20000 labels is 0.0035.
        assert abs(noise.actual_noise_rate(labels, noisy) - 0.4) < 0.015
        assert noisy.dtype == np.int64 and noisy.min() >= 0
        assert noisy.max() < 4

    def test_flip_target_depends_on_the_image(self):
        # Eight images of class 0, 500 copies each: the class their wrong
        # labels go to differs between images, and within one image the
        # wrong labels keep to its own softmax (here nearly one class).
        rng = np.random.default_rng(0)
        images = rng.normal(size=(8, 50)) * 3.0
        features = np.repeat(images, 500, axis=0)
        labels = np.zeros(len(features), dtype=int)
        noisy = noise.instance_dependent(
            features, labels, 0.5, seed=1, num_classes=5
        ).reshape(8, 500)
        targets = [np.bincount(row, minlength=5)[1:] for row in noisy]
        assert len({int(np.argmax(count)) for count in targets}) > 1
        assert all(count.max() > 0.9 * count.sum() for count in targets)

    def test_same_seed_same_labels(self):
        features, labels = self.features_and_labels()
        first = noise.instance_dependent(features, labels, 0.4, seed=2)
        again = noise.instance_dependent(features, labels, 0.4, seed=2)
        other = noise.instance_dependent(features, labels, 0.4, seed=3)
        np.testing.assert_array_equal(first, again)
        assert np.any(first != other)

    def test_rejects_bad_input(self):
        features, labels = self.features_and_labels()
        with pytest.raises(ValueError, match="noise_rate"):
            noise.instance_dependent(features, labels, 1.5, seed=0)
        with pytest.raises(ValueError, match=r"features.shape=\(59, 2, 3\)"):
            noise.instance_dependent(features[1:], labels, 0.4, seed=0)
        features[0, 0, 0] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            noise.instance_dependent(features, labels, 0.4, seed=0)


class AddNoiseTest:
    def test_idn_draws_from_the_seed_streams_with_its_empirical_matrix(self):
        from keras_nnaqc.datasets import add_noise
        from keras_nnaqc.datasets.noisy_dataset import seed_streams

        rng = np.random.default_rng(0)
        features = rng.normal(size=(300, 5))
        labels = rng.integers(0, 3, 300)
        noisy, matrix = add_noise(labels, 3, 0.3, "idn", 4, features=features)
        expected = noise.instance_dependent(
            features, labels, 0.3, seed=seed_streams(4)[2], num_classes=3
        )
        np.testing.assert_array_equal(noisy, expected)
        counts = np.zeros((3, 3))
        np.add.at(counts, (labels, noisy), 1)
        np.testing.assert_allclose(matrix, counts / counts.sum(1, keepdims=1))

    def test_idn_needs_features_and_has_no_matrix(self):
        from keras_nnaqc.datasets import add_noise

        with pytest.raises(ValueError, match="features=None"):
            add_noise(np.arange(4) % 2, 2, 0.3, "idn", 0)
        with pytest.raises(ValueError, match="instance_dependent"):
            noise.named_transition("idn", 3, 0.3)

    def test_load_arrays_draws_idn_from_its_images(self):
        from keras_nnaqc.datasets import add_noise
        from keras_nnaqc.datasets import load_arrays

        rng = np.random.default_rng(1)
        images = rng.normal(size=(300, 2, 2, 1)).astype("float32")
        labels = rng.integers(0, 3, 300)
        loaded = load_arrays(
            images, labels, 3, noise_rate=0.3, noise_model="idn", seed=4
        )
        noisy, matrix = add_noise(labels, 3, 0.3, "idn", 4, features=images)
        np.testing.assert_array_equal(loaded.noisy_labels, noisy)
        np.testing.assert_allclose(loaded.transition_matrix, matrix)
        assert 0.2 < noise.actual_noise_rate(labels, noisy) < 0.4
