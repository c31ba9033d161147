import warnings

import keras
import numpy as np
import pytest

from keras_nnaqc import NNAQCLoss
from keras_nnaqc import nna_loss
from keras_nnaqc import nnaqc_loss
from keras_nnaqc import qc_loss
from keras_nnaqc.losses import BackwardCorrectedLoss
from keras_nnaqc.losses import BootstrapLoss
from keras_nnaqc.losses import class_balance_loss
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import numpy_softmax
from keras_nnaqc.testing import to_numpy

RNG = np.random.default_rng(0)
LABELS = np.array([0, 2, 1, 2])
NOISY_LOGITS = RNG.normal(size=(4, 3)).astype("float32")
CLEAN_LOGITS = (RNG.normal(size=(4, 3)) * 2).astype("float32")


def numpy_nnaqc(labels, noisy_logits, clean_logits, alpha, beta):
    """Eq. 6 per sample, written out from the paper with NumPy."""
    one_hot = np.eye(noisy_logits.shape[-1])[labels]
    noisy = numpy_softmax(noisy_logits)
    clean = numpy_softmax(clean_logits)
    nna = -np.sum(one_hot * np.log(noisy), axis=-1)
    qc = -np.sum((beta * clean + (1 - beta) * one_hot) * np.log(clean), -1)
    return alpha * nna + (1 - alpha) * qc


class TermsTest(TestCase):
    def test_terms_by_hand(self):
        # y' = 0, noisy prediction (0.4, 0.6), clean prediction (0.25, 0.75).
        labels = np.array([0])
        self.assertAllClose(
            nna_loss(labels, np.array([[0.4, 0.6]])), [-np.log(0.4)]
        )
        # beta = 0.5: target (0.625, 0.375); -(0.625 log .25 + .375 log .75)
        self.assertAllClose(
            qc_loss(labels, np.array([[0.25, 0.75]]), beta=0.5),
            [0.974314752868],
        )
        # From logits (0, log 3) the clean prediction is the same.
        self.assertAllClose(
            qc_loss(labels, [[0.0, np.log(3.0)]], beta=0.5, from_logits=True),
            [0.974314752868],
        )

    @pytest.mark.parametrize(
        "alpha,beta", [(0.9, 0.9), (0.3, 0.6), (1, 0), (0, 1)]
    )
    def test_nnaqc_matches_numpy(self, alpha, beta):
        expected = numpy_nnaqc(LABELS, NOISY_LOGITS, CLEAN_LOGITS, alpha, beta)
        predictions = {"noisy": NOISY_LOGITS, "clean": CLEAN_LOGITS}
        self.assertAllClose(
            nnaqc_loss(LABELS, predictions, alpha, beta, from_logits=True),
            expected,
            atol=1e-5,
        )
        probabilities = {
            "noisy": numpy_softmax(NOISY_LOGITS).astype("float32"),
            "clean": numpy_softmax(CLEAN_LOGITS).astype("float32"),
        }
        self.assertAllClose(
            nnaqc_loss(LABELS, probabilities, alpha, beta), expected, atol=1e-5
        )

    @pytest.mark.parametrize(
        "labels",
        [LABELS, LABELS[:, None], np.eye(3, dtype="float32")[LABELS]],
        ids=["sparse", "sparse_column", "one_hot"],
    )
    def test_label_formats_agree(self, labels):
        predictions = {"noisy": NOISY_LOGITS, "clean": CLEAN_LOGITS}
        self.assertAllClose(
            nnaqc_loss(labels, predictions, from_logits=True),
            numpy_nnaqc(LABELS, NOISY_LOGITS, CLEAN_LOGITS, 0.9, 0.9),
            atol=1e-5,
        )

    @pytest.mark.parametrize("beta", [0.3, 0.5, 0.9])
    def test_qc_alone_is_unstable_at_uniform_for_beta_over_half(self, beta):
        # Labels 0..L-1 once each; every logit row (delta, 0, ..., 0): a lean
        # shared by all images. By hand, the mean QC loss is
        # lse - beta * delta * e^delta / (L - 1 + e^delta) - (1 - beta)
        # * delta / L, with lse = log(L - 1 + e^delta); it is
        # log L + (L - 1) / L^2 * (1/2 - beta) * delta^2 + O(delta^3).
        L, delta = 10, 0.05
        logits = np.zeros((L, L), "float32")
        logits[:, 0] = delta
        losses = to_numpy(
            qc_loss(np.arange(L), logits, beta=beta, from_logits=True)
        )
        lse = np.log(L - 1 + np.exp(delta))
        expected = (
            lse
            - beta * delta * np.exp(delta) / (L - 1 + np.exp(delta))
            - (1 - beta) * delta / L
        )
        self.assertAllClose(np.mean(losses), expected, atol=1e-6)
        rise = np.mean(losses) - np.log(L)
        self.assertAllClose(
            rise, (L - 1) / L**2 * (0.5 - beta) * delta**2, atol=2e-5
        )
        # For beta > 1/2 leaning lowers the loss: gradient descent leans on.
        self.assertEqual(bool(rise < -1e-6), beta > 0.5)

    def test_loss_warns_that_qc_alone_collapses_for_beta_over_half(self):
        with pytest.warns(UserWarning, match="alpha=0.0, beta=0.9"):
            NNAQCLoss(alpha=0.0, beta=0.9)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            NNAQCLoss(alpha=0.0, beta=0.5)
            NNAQCLoss(alpha=0.9, beta=0.9)

    def test_extreme_logits_give_finite_losses(self):
        logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], "float32")
        losses = nnaqc_loss(
            [1, 1], {"noisy": logits, "clean": logits}, from_logits=True
        )
        losses = to_numpy(losses)
        self.assertTrue(np.all(np.isfinite(losses)))
        # Sample 0 is certain of class 0 but labelled 1: NNA = 2e4.
        self.assertAllClose(
            losses, [0.9 * 2e4 + 0.1 * 0.1 * 2e4, 0.0], rtol=1e-6
        )


class NNAQCLossTest(TestCase):
    def test_reduction_and_sample_weight(self):
        loss = NNAQCLoss(alpha=0.7, beta=0.8, from_logits=True)
        weights = np.array([1.0, 0.0, 2.0, 0.5])
        per_sample = numpy_nnaqc(LABELS, NOISY_LOGITS, CLEAN_LOGITS, 0.7, 0.8)
        predictions = {"noisy": NOISY_LOGITS, "clean": CLEAN_LOGITS}
        self.assertAllClose(
            loss(LABELS, predictions), per_sample.mean(), atol=1e-5
        )
        self.assertAllClose(
            loss(LABELS, predictions, sample_weight=weights),
            np.sum(per_sample * weights) / 4,  # "sum_over_batch_size"
            atol=1e-5,
        )

    def test_config_round_trip(self):
        loss = NNAQCLoss(alpha=0.4, beta=0.2, from_logits=True, name="mine")
        config = loss.get_config()
        revived = NNAQCLoss.from_config(config)
        self.assertEqual(revived.get_config(), config)
        self.assertEqual((revived.alpha, revived.beta), (0.4, 0.2))
        serialized = keras.losses.serialize(loss)
        self.assertEqual(keras.losses.deserialize(serialized).alpha, 0.4)

    @pytest.mark.parametrize(
        "loss_class, kwargs",
        [
            (NNAQCLoss, {}),
            (BootstrapLoss, {}),
            (
                BackwardCorrectedLoss,
                {"transition_matrix": [[0.8, 0.2], [0.3, 0.7]]},
            ),
        ],
    )
    @pytest.mark.parametrize(
        "dtype, compute_dtype",
        [
            ("mixed_float16", "float16"),
            ("float64", "float64"),
            (None, "float32"),
        ],
    )
    def test_config_keeps_the_dtype_as_given(
        self, loss_class, kwargs, dtype, compute_dtype
    ):
        loss = loss_class(dtype=dtype, **kwargs)
        config = loss.get_config()
        self.assertEqual(config["dtype"], dtype)
        revived = keras.losses.deserialize(keras.losses.serialize(loss))
        self.assertEqual(revived.get_config(), config)
        self.assertEqual(revived.dtype, compute_dtype)

    def test_config_keeps_a_dtype_policy(self):
        loss = NNAQCLoss(dtype=keras.DTypePolicy("mixed_bfloat16"))
        revived = NNAQCLoss.from_config(loss.get_config())
        self.assertEqual(revived.get_config(), loss.get_config())
        self.assertEqual(revived.dtype, "bfloat16")

    @pytest.mark.parametrize("name,value", [("alpha", 1.3), ("beta", -0.2)])
    def test_rejects_weights_outside_unit_interval(self, name, value):
        with pytest.raises(ValueError, match=f"{name}={value}"):
            NNAQCLoss(**{name: value})

    def test_rejects_a_single_prediction(self):
        with pytest.raises(ValueError, match=r"dict.*shape \(4, 3\)"):
            NNAQCLoss()(LABELS, NOISY_LOGITS)

    def test_rejects_labels_of_wrong_shape(self):
        predictions = {"noisy": NOISY_LOGITS, "clean": CLEAN_LOGITS}
        with pytest.raises(ValueError, match=r"y_true.shape=\(4, 5\)"):
            NNAQCLoss()(np.zeros((4, 5)), predictions)


class TwoHeadModel(keras.Model):
    """The pattern of NNAQCLoss's docstring: the loss in compute_loss."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nnaqc = NNAQCLoss(alpha=0.7, beta=0.4)

    def compute_loss(self, x, y, y_pred, sample_weight, training=True):
        return self.nnaqc(y, y_pred, sample_weight)


class OwnModelTest(TestCase):
    def test_two_output_model_trains_with_the_loss(self):
        from keras_nnaqc import NoiseAdaptationLayer

        x = RNG.normal(size=(48, 5)).astype("float32")
        y = RNG.integers(0, 3, 48)
        inputs = keras.Input((5,))
        clean = keras.layers.Dense(3, activation="softmax")(inputs)
        noisy = NoiseAdaptationLayer()(clean)
        model = TwoHeadModel(inputs, {"noisy": noisy, "clean": clean})
        model.compile(optimizer="adam")
        history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        self.assertTrue(history.history["loss"][1] < history.history["loss"][0])
        outputs = model.predict(x, verbose=0)
        expected = numpy_nnaqc(
            y, np.log(outputs["noisy"]), np.log(outputs["clean"]), 0.7, 0.4
        ).mean()
        loss = model.evaluate(x, y, verbose=0)
        self.assertAllClose(loss, expected, atol=1e-5)


class ClassBalanceLossTest(TestCase):
    def test_numpy_kl_of_prior_and_mean_prediction(self):
        logits = np.random.default_rng(0).normal(size=(6, 3))
        weights = np.array([1.0, 0.0, 2.0, 1.0, 1.0, 0.5])
        prior = np.array([0.5, 0.2, 0.3])
        probabilities = numpy_softmax(logits)
        mean = weights @ probabilities / weights.sum()
        self.assertAllClose(
            class_balance_loss(
                logits, prior, from_logits=True, sample_weight=weights
            ),
            np.sum(prior * np.log(prior / mean)),
            atol=1e-5,
        )
        uniform = np.full(3, 1 / 3)
        self.assertAllClose(
            class_balance_loss(probabilities),
            np.sum(uniform * np.log(uniform / probabilities.mean(axis=0))),
            atol=1e-5,
        )

    def test_zero_when_classes_are_predicted_as_often_as_the_prior(self):
        # Whichever images get which class: no labels are involved.
        predictions = np.eye(3)[[2, 0, 1, 1]]
        prior = [0.25, 0.5, 0.25]
        self.assertAllClose(class_balance_loss(predictions, prior), 0.0)
        collapsed = class_balance_loss(np.eye(3)[[0, 0, 0, 0]], prior)
        self.assertTrue(float(to_numpy(collapsed)) > 1.0)
