import keras
import numpy as np
import pytest

from keras_nnaqc import NoiseAdaptationLayer
from keras_nnaqc import NoisyLabelModel
from keras_nnaqc import noise
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import to_numpy

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 6)).astype("float32")
Y = noise.corrupt(X[:, :4].argmax(axis=1), noise.symmetric(4, 0.3), seed=1)


def build_model(**kwargs):
    keras.utils.set_random_seed(0)
    base = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(4),
        ]
    )
    model = NoisyLabelModel(base, **kwargs)
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9))
    return model


def weights(model):
    return [to_numpy(w) for w in model.weights]


class Crash(keras.callbacks.Callback):
    """Kills training in the middle of a given epoch."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.crash_epoch, self.crash_batch, self.epoch = epoch, batch, None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == self.crash_epoch and batch == self.crash_batch:
            raise RuntimeError("killed")


class ResumeTest(TestCase):
    @pytest.mark.parametrize("warmup", [0, 3])
    def test_interrupted_run_resumes_to_the_same_weights(
        self, warmup, tmp_path
    ):
        fit = {"epochs": 4, "batch_size": 16, "shuffle": False, "verbose": 0}
        reference = build_model(beta_warmup_epochs=warmup)
        reference.fit(X, Y, **fit)

        backup = keras.callbacks.BackupAndRestore(str(tmp_path))
        interrupted = build_model(beta_warmup_epochs=warmup)
        with pytest.raises(RuntimeError, match="killed"):
            interrupted.fit(X, Y, callbacks=[backup, Crash(2, 1)], **fit)

        resumed = build_model(beta_warmup_epochs=warmup)
        backup = keras.callbacks.BackupAndRestore(str(tmp_path))
        history = resumed.fit(X, Y, callbacks=[backup], **fit)
        self.assertEqual(len(history.history["loss"]), 2)  # epochs 3 and 4
        for actual, expected in zip(
            weights(resumed), weights(reference), strict=True
        ):
            self.assertAllClose(actual, expected, atol=1e-6)


class DeterminismTest(TestCase):
    def test_same_seed_same_labels_and_weights(self):
        runs = []
        for _ in range(2):
            labels = noise.corrupt(
                np.arange(64) % 4, noise.uniform_simplex(4, 0.5, seed=3), seed=4
            )
            model = build_model(
                noise_layer=NoiseAdaptationLayer(dropout=0.3, seed=5)
            )
            model.fit(X, labels, epochs=2, batch_size=16, verbose=0)
            runs.append((labels, weights(model)))
        np.testing.assert_array_equal(runs[0][0], runs[1][0])
        for first, second in zip(runs[0][1], runs[1][1], strict=True):
            np.testing.assert_array_equal(first, second)


class StabilityTest(TestCase):
    @pytest.mark.parametrize("num_classes", [2, 1000])
    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_class_counts_and_one_label_batches(self, num_classes, mode):
        base = keras.Sequential(
            [keras.Input((6,)), keras.layers.Dense(num_classes)]
        )
        model = NoisyLabelModel(base, noise_layer=mode)
        model.compile(optimizer="adam")
        same_label = np.full(len(X), num_classes - 1)
        history = model.fit(X, same_label, epochs=2, batch_size=16, verbose=0)
        self.assertTrue(np.all(np.isfinite(history.history["loss"])))
        for variable in weights(model):
            self.assertTrue(np.all(np.isfinite(variable)))


class SafeModeTest(TestCase):
    def test_everything_saved_loads_in_safe_mode(self, tmp_path):
        model = build_model(
            noise_layer=NoiseAdaptationLayer(
                mode="linear", dropout=0.2, trace_penalty=0.1, seed=1
            ),
            beta_warmup_epochs=2,
        )
        model.fit(X, Y, epochs=1, verbose=0)
        path = str(tmp_path / "model.keras")
        model.save(path)
        reloaded = keras.saving.load_model(path, safe_mode=True)
        self.assertAllClose(
            reloaded.predict(X, verbose=0), model.predict(X, verbose=0), atol=0
        )
