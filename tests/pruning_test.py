import sys

import keras
import numpy as np
import pytest

from keras_nnaqc import methods
from keras_nnaqc.methods.pruning import CROSS_VALIDATION_FOLDS
from keras_nnaqc.methods.pruning import keep_masks
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import numpy_softmax
from keras_nnaqc.testing import two_classes_with_flips

cleanlab_filter = pytest.importorskip("cleanlab.filter")


class LogitsAreInputs:
    """A "fit" model whose logits are its inputs: out-of-fold probabilities
    are then known whatever the folds."""

    def predict(self, x, **kwargs):
        return np.asarray(x, np.float32)


def blobs(n=400, num_classes=3, flipped=60, seed=0):
    """Inputs that are confident logits of the clean class; the first
    `flipped` labels moved to the next class."""
    rng = np.random.default_rng(seed)
    clean = rng.integers(0, num_classes, n)
    logits = rng.normal(size=(n, num_classes))
    logits[np.arange(n), clean] += 4.0
    noisy = clean.copy()
    noisy[:flipped] = (noisy[:flipped] + 1) % num_classes
    return logits.astype(np.float32), clean, noisy


class KeepMasksTest(TestCase):
    def test_confident_learning_filters_out_of_fold_probabilities(self):
        logits, _, noisy = blobs()
        fits = []

        def fit_stage(model, loss, x, labels):
            fits.append(len(x))
            return model

        val_logits, _, val_noisy = blobs(n=100, seed=1)
        keep, keep_validation = keep_masks(
            "confident_learning",
            fit_stage,
            lambda: (LogitsAreInputs(), None),
            logits,
            noisy,
            (val_logits, val_noisy),
        )
        # Each of the folds trains on the others: 4/5 of 400.
        self.assertEqual(fits, [320] * CROSS_VALIDATION_FOLDS)
        expected = ~cleanlab_filter.find_label_issues(
            noisy, numpy_softmax(logits)
        )
        np.testing.assert_array_equal(keep, expected)
        expected = ~cleanlab_filter.find_label_issues(
            val_noisy, numpy_softmax(val_logits)
        )
        np.testing.assert_array_equal(keep_validation, expected)
        # The flips are confidently wrong: cleanlab finds nearly all.
        self.assertTrue(np.mean(~keep[:60]) > 0.9)
        self.assertTrue(np.mean(keep[60:]) > 0.9)

    def test_label_issues_drops_what_the_model_flags(self):
        class Issues:
            def __init__(self, indices):
                self.indices = indices

        class Model:
            def label_issues(self, x, labels, batch_size=None):
                return Issues(np.flatnonzero(np.asarray(x)[:, 0] < 0))

        x = np.array([[1.0], [-1.0], [2.0], [-3.0]])
        keep, keep_validation = keep_masks(
            "label_issues",
            lambda model, loss, x, labels: model,
            lambda: (Model(), None),
            x,
            [0, 1, 0, 1],
            (np.array([[-1.0], [1.0]]), [0, 0]),
        )
        np.testing.assert_array_equal(keep, [True, False, True, False])
        np.testing.assert_array_equal(keep_validation, [False, True])

    def test_rejects_unknown_rule(self):
        with pytest.raises(ValueError, match="rule='vote'"):
            keep_masks("vote", None, None, np.zeros((2, 1)), [0, 1], None)

    def test_missing_cleanlab_says_what_to_install(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "cleanlab", None)
        monkeypatch.setitem(sys.modules, "cleanlab.filter", None)
        with pytest.raises(ImportError, match=r"keras-nnaqc\[cleanlab\]"):
            keep_masks(
                "confident_learning",
                None,
                None,
                np.zeros((10, 2)),
                np.zeros(10, int),
                None,
            )


def small_base_model():
    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, "relu"),
            keras.layers.Dense(2),
        ]
    )


class PruningMethodsTest(TestCase):
    @pytest.mark.parametrize(
        "name", ["confident_learning", "nnaqc_prune", "nnaqc_balance_prune"]
    )
    def test_trains_again_on_the_kept_labels(self, name):
        x, clean, noisy = two_classes_with_flips()
        # The 30 flipped labels spread over training set and hold-out.
        order = np.random.default_rng(0).permutation(len(x))
        x, clean, noisy = x[order], clean[order], noisy[order]
        keras.utils.set_random_seed(0)
        trained = methods.get(name).train(
            small_base_model,
            x[:240],
            noisy[:240],
            num_classes=2,
            optimizer=keras.optimizers.Adam(0.05),
            epochs=15,
            batch_size=32,
            validation_data=(x[240:], noisy[240:]),
            verbose=0,
        )
        stages = (
            CROSS_VALIDATION_FOLDS + 1 if name == "confident_learning" else 2
        )
        self.assertEqual(len(trained.histories), stages)
        # The hold-out holds about 6 wrong labels in 60: the first stage,
        # judged by all of them, agrees less with it than the last stage
        # does with what is left once the flagged labels are dropped.
        self.assertTrue(np.mean(noisy[240:] != clean[240:]) > 0.05)
        first = max(trained.histories[0].history["val_accuracy"])
        last = trained.histories[-1].history["val_accuracy"][-1]
        self.assertTrue(last > first)
        logits = trained.model.predict(x, verbose=0)
        self.assertTrue(np.mean(logits.argmax(axis=1) == clean) > 0.9)

    def test_refuses_datasets(self):
        tf = pytest.importorskip("tensorflow")
        x, _, noisy = two_classes_with_flips()
        dataset = tf.data.Dataset.from_tensor_slices((x, noisy)).batch(32)
        with pytest.raises(ValueError, match="NumPy arrays"):
            methods.get("confident_learning").train(
                small_base_model, dataset, None, num_classes=2, verbose=0
            )
