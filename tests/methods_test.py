import keras
import numpy as np
import pytest

from keras_nnaqc import methods
from keras_nnaqc import noise
from keras_nnaqc.losses import BackwardCorrectedLoss
from keras_nnaqc.losses import BootstrapLoss
from keras_nnaqc.losses import bootstrap_loss
from keras_nnaqc.methods.pruning import CROSS_VALIDATION_FOLDS
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import numpy_softmax

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 6)).astype("float32")
Y = np.arange(32) % 3
PHI = noise.symmetric(3, 0.3)


def small_base():
    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])


def numpy_anchor_points(probabilities, percentile):
    """The anchor-point formula, one class at a time."""
    count, num_classes = probabilities.shape
    estimate = np.zeros((num_classes, num_classes))
    for i in range(num_classes):
        cut = np.percentile(probabilities[:, i], percentile, method="higher")
        below = [n for n in range(count) if probabilities[n, i] < cut]
        anchor = max(below, key=lambda n: probabilities[n, i])
        estimate[i] = probabilities[anchor]
    return estimate


class RegistryTest(TestCase):
    def test_names_are_stable(self):
        self.assertEqual(
            methods.names(),
            [
                "base",
                "genie",
                "genie_qc",
                "trace",
                "dropout",
                "bootstrap_soft",
                "bootstrap_hard",
                "forward",
                "backward",
                "nna",
                "qc",
                "nnaqc",
                "nnaqc_paper",
                "regu_nnaqc",
                "gce",
                "confident_learning",
                "nnaqc_prune",
                "nnaqc_balance",
                "nnaqc_balance_prune",
            ],
        )

    def test_rejects_unknown_names_listing_the_valid_ones(self):
        with pytest.raises(ValueError, match="'coteaching'.*base, genie.*gce"):
            methods.get("coteaching")

    @pytest.mark.parametrize("name", methods.names())
    def test_every_method_trains(self, name):
        trained = methods.get(name).train(
            small_base,
            X,
            Y,
            num_classes=3,
            true_transition=PHI,
            epochs=1,
            batch_size=16,
            verbose=0,
        )
        predictions = trained.model.predict(X, verbose=0)
        self.assertEqual(predictions.shape, (32, 3))
        self.assertTrue(np.all(np.isfinite(predictions)))
        method = methods.get(name)
        stages = 2 if method.transition == "estimated" else 1
        if method.prune == "confident_learning":
            stages = CROSS_VALIDATION_FOLDS + 1  # one model per fold first
        elif method.prune == "label_issues":
            stages = 2
        self.assertEqual(len(trained.histories), stages)
        for history in trained.histories:
            self.assertTrue(np.isfinite(history.history["loss"][0]))
        if trained.transition_matrix is not None:
            self.assertAllClose(
                trained.transition_matrix.sum(axis=1), np.ones(3), atol=1e-5
            )

    def test_method_settings(self):
        nnaqc = methods.get("nnaqc").build(small_base(), 3, None)[0]
        self.assertEqual((nnaqc.alpha, nnaqc.beta), (0.9, 0.9))
        self.assertEqual(nnaqc.noise_layer.mode, "nonlinear")
        self.assertEqual(
            methods.get("nna").build(small_base(), 3, None)[0].alpha, 1.0
        )
        self.assertEqual(
            methods.get("qc").build(small_base(), 3, None)[0].alpha, 0.0
        )

        # (beta, warm-up epochs, head speed, head constraint): this
        # package's default, which is NoisyLabelModel's, and the paper's.
        def settings(model):
            head = model.noise_layer
            return (
                model.beta,
                model.beta_warmup_epochs,
                head.kernel_speed,
                type(head.kernel_constraint).__name__,
            )

        default = NoisyLabelModel(small_base())
        self.assertEqual(
            settings(default), (0.9, 2, 10.0, "DiagonallyDominant")
        )
        linear = NoisyLabelModel(small_base(), noise_layer="linear")
        self.assertEqual(settings(linear), (0.9, 2, 1.0, "NoneType"))
        for name, expected in (
            ("nnaqc", settings(default)),
            ("nnaqc_paper", (0.9, 0, 1.0, "NoneType")),
        ):
            model = methods.get(name).build(small_base(), 3, None)[0]
            self.assertEqual(settings(model), expected)
            self.assertEqual(model.alpha, 0.9)
            self.assertEqual(model.noise_layer.mode, "nonlinear")
        regu = methods.get("regu_nnaqc").build(small_base(), 3, None)[0]
        self.assertEqual(regu.noise_layer.dropout, 0.5)
        trace = methods.get("trace").build(small_base(), 3, None)[0]
        self.assertEqual(trace.noise_layer.mode, "linear")
        self.assertEqual(trace.noise_layer.trace_penalty, 0.1)
        self.assertAllClose(
            trace.noise_layer.transition_matrix().diagonal(), [0.9] * 3
        )
        soft = methods.get("bootstrap_soft").build(small_base(), 3, None)[1]
        hard = methods.get("bootstrap_hard").build(small_base(), 3, None)[1]
        self.assertEqual((soft.beta, soft.mode), (0.95, "soft"))
        self.assertEqual((hard.beta, hard.mode), (0.8, "hard"))

    def test_genie_keeps_the_true_matrix(self):
        trained = methods.get("genie").train(
            small_base, X, Y, 3, true_transition=PHI, epochs=2, verbose=0
        )
        self.assertAllClose(trained.transition_matrix, PHI, atol=1e-6)
        self.assertEqual(trained.training_model.noise_layer.trainable, False)

    def test_genie_needs_the_true_matrix(self):
        with pytest.raises(ValueError, match="true_transition=None"):
            methods.get("genie").train(small_base, X, Y, 3, epochs=1, verbose=0)

    @pytest.mark.parametrize("name", ["forward", "backward"])
    def test_stage_one_estimate_reaches_stage_two(self, name, monkeypatch):
        seen = {}
        estimate = noise.pair(3, 0.2)

        def fake_estimate(probabilities):
            seen["probabilities"] = probabilities
            return estimate

        monkeypatch.setattr(
            "keras_nnaqc.methods.method.estimate_transition", fake_estimate
        )
        trained = methods.get(name).train(
            small_base, X, Y, 3, epochs=1, verbose=0
        )
        # Stage one's predictions, as probabilities of the noisy labels.
        self.assertEqual(seen["probabilities"].shape, (32, 3))
        self.assertAllClose(
            seen["probabilities"].sum(axis=1), np.ones(32), atol=1e-5
        )
        if name == "forward":
            self.assertTrue(isinstance(trained.training_model, NoisyLabelModel))
            self.assertAllClose(trained.transition_matrix, estimate, atol=1e-6)
        else:
            loss = trained.training_model.loss
            self.assertAllClose(loss.transition_matrix, estimate)
        self.assertTrue(trained.model is not None)

    def test_balanced_methods_train_as_the_defaults_and_0_1s_without(self):
        model, _ = methods.get("nnaqc_balance").build(small_base(), 3, None)
        unbalanced, _ = methods.get("nnaqc").build(small_base(), 3, None)
        # The pruning workflows' stages: the defaults, and 0.1's.
        pruning, _ = methods.get("nnaqc_balance_prune").build(
            small_base(), 3, None
        )
        old_pruning, _ = methods.get("nnaqc_prune").build(small_base(), 3, None)
        default = NoisyLabelModel(small_base(), from_logits=True)
        self.assertEqual((model.balance, model.class_prior), (1.0, None))
        self.assertEqual((unbalanced.balance, old_pruning.balance), (0.0, 0.0))
        for name in ("alpha", "beta", "beta_warmup_epochs", "balance"):
            self.assertEqual(getattr(model, name), getattr(default, name))
            self.assertEqual(getattr(pruning, name), getattr(default, name))
        for other in (unbalanced, default, pruning, old_pruning):
            self.assertEqual(
                model.noise_layer.get_config(), other.noise_layer.get_config()
            )


class EstimateTransitionTest(TestCase):
    def test_matches_the_anchor_point_formula(self):
        probabilities = numpy_softmax(RNG.normal(size=(500, 4)) * 2)
        self.assertAllClose(
            methods.estimate_transition(probabilities),
            numpy_anchor_points(probabilities, 97),
            atol=1e-12,
        )
        self.assertAllClose(
            methods.estimate_transition(probabilities, percentile=80),
            numpy_anchor_points(probabilities, 80),
            atol=1e-12,
        )

    def test_many_classes_and_float32(self):
        # 70 classes span several of the estimator's class blocks.
        probabilities = numpy_softmax(RNG.normal(size=(300, 70)) * 3)
        expected = numpy_anchor_points(probabilities, 97)
        self.assertAllClose(
            methods.estimate_transition(probabilities), expected, atol=1e-12
        )
        self.assertAllClose(
            methods.estimate_transition(probabilities.astype("float32")),
            expected,
            atol=1e-6,
        )

    def test_without_outlier_cut_takes_the_arg_max(self):
        probabilities = numpy_softmax(RNG.normal(size=(50, 3)))
        anchors = probabilities.argmax(axis=0)
        self.assertAllClose(
            methods.estimate_transition(probabilities, percentile=None),
            probabilities[anchors],
        )

    def test_recovers_a_transition_from_its_noisy_posteriors(self):
        # Perfectly confident clean posteriors pushed through phi are rows
        # of phi; arg-max anchors then recover phi exactly. (The 97th
        # percentile cut would discard every copy of the top row here.)
        phi = noise.uniform_simplex(4, 0.4, seed=0)
        clean = np.repeat(np.arange(4), 100)
        self.assertAllClose(
            methods.estimate_transition(phi[clean], percentile=None), phi
        )

    def test_rejects_bad_input(self):
        with pytest.raises(ValueError, match=r"probabilities.shape=\(5,\)"):
            methods.estimate_transition(np.ones(5))
        with pytest.raises(ValueError, match="percentile=0"):
            methods.estimate_transition(np.ones((5, 2)) / 2, percentile=0)
        with pytest.raises(ValueError, match="non-negative"):
            methods.estimate_transition(-np.ones((5, 2)))


class BaselineLossTest(TestCase):
    def test_soft_bootstrap_by_hand(self):
        # beta = 0.8, y' = 0, prediction (0.25, 0.75):
        # target 0.8 (1, 0) + 0.2 (0.25, 0.75) = (0.85, 0.15).
        expected = -(0.85 * np.log(0.25) + 0.15 * np.log(0.75))
        self.assertAllClose(
            bootstrap_loss([0], np.array([[0.25, 0.75]]), beta=0.8),
            [expected],
        )

    def test_hard_bootstrap_by_hand(self):
        # The argmax of (0.25, 0.75) is class 1: target (0.8, 0.2).
        expected = -(0.8 * np.log(0.25) + 0.2 * np.log(0.75))
        self.assertAllClose(
            bootstrap_loss([0], np.array([[0.25, 0.75]]), 0.8, "hard"),
            [expected],
        )

    def test_backward_correction_by_hand(self):
        # T = [[.8, .2], [.3, .7]], T^-1 = [[1.4, -.4], [-.6, 1.6]];
        # l = (-log .25, -log .75); the loss for y' is (T^-1 l)_{y'}.
        loss = BackwardCorrectedLoss([[0.8, 0.2], [0.3, 0.7]], reduction=None)
        l0, l1 = -np.log(0.25), -np.log(0.75)
        self.assertAllClose(
            loss([0, 1], np.array([[0.25, 0.75], [0.25, 0.75]])),
            [1.4 * l0 - 0.4 * l1, -0.6 * l0 + 1.6 * l1],
            atol=1e-6,
        )

    def test_backward_rejects_a_singular_matrix(self):
        with pytest.raises(ValueError, match="invertible"):
            BackwardCorrectedLoss([[0.5, 0.5], [0.5, 0.5]])

    def test_config_round_trips(self):
        for loss in (
            BootstrapLoss(0.8, "hard", from_logits=True),
            BackwardCorrectedLoss(PHI, from_logits=True),
        ):
            revived = loss.__class__.from_config(loss.get_config())
            self.assertEqual(revived.get_config(), loss.get_config())

    def test_bootstrap_rejects_unknown_mode(self):
        with pytest.raises(ValueError, match="mode='medium'"):
            BootstrapLoss(mode="medium")
