"""The project's test case: checks layers the way Keras checks its own."""

import importlib.util
import os
import pathlib
import tempfile

import keras
import numpy as np


def to_numpy(value):
    return np.asarray(keras.ops.convert_to_numpy(value))


def numpy_softmax(logits, axis=-1):
    """Reference softmax, independent of the package."""
    logits = np.asarray(logits, dtype=np.float64)
    shifted = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def two_classes_with_flips():
    """300 points in 4 dimensions, the class the sign of the first
    coordinate; the first 30 labels flipped. Returns `(x, clean, noisy)`."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)).astype("float32")
    clean = (x[:, 0] > 0).astype(int)
    noisy = clean.copy()
    noisy[:30] = 1 - noisy[:30]
    return x, clean, noisy


class TestCase:
    """Base class of the package's tests (collected by pytest)."""

    def assertAllClose(self, actual, expected, atol=1e-6, rtol=1e-6):
        np.testing.assert_allclose(
            to_numpy(actual), to_numpy(expected), atol=atol, rtol=rtol
        )

    def temp_path(self, name):
        directory = tempfile.mkdtemp()
        return os.path.join(directory, name)

    def run_layer_test(
        self,
        layer_class,
        init_kwargs,
        input_data,
        expected_output,
        atol=1e-5,
    ):
        """Config round trip, symbolic and eager calls, a `fit` step, a
        `.keras` save and reload with identical outputs, and mixed precision.
        """
        input_data = np.asarray(input_data, dtype="float32")
        layer = layer_class(**init_kwargs)
        config = layer.get_config()
        self.assertEqual(layer_class.from_config(config).get_config(), config)

        symbolic = layer_class(**init_kwargs)(keras.Input(input_data.shape[1:]))
        self.assertEqual(tuple(symbolic.shape[1:]), expected_output.shape[1:])

        self.assertAllClose(layer(input_data), expected_output, atol=atol)

        model = keras.Sequential(
            [keras.Input(input_data.shape[1:]), layer_class(**init_kwargs)]
        )
        before = [to_numpy(w) for w in model.trainable_weights]
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
        model.fit(input_data, 1.0 - expected_output, epochs=1, verbose=0)
        after = [to_numpy(w) for w in model.trainable_weights]
        self.assertTrue(
            any(np.any(b != a) for b, a in zip(before, after, strict=True))
        )

        path = self.temp_path("layer.keras")
        model.save(path)
        reloaded = keras.saving.load_model(path)
        self.assertAllClose(
            reloaded.predict(input_data, verbose=0),
            model.predict(input_data, verbose=0),
            atol=0,
            rtol=0,
        )

        with mixed_precision("mixed_float16"):
            mixed = layer_class(**init_kwargs)
            output = to_numpy(mixed(input_data))
            self.assertTrue(np.all(np.isfinite(output)))
            self.assertAllClose(output, expected_output, atol=2e-3, rtol=1e-2)

    def assertEqual(self, first, second):
        assert first == second, f"{first!r} != {second!r}"

    def assertTrue(self, value):
        assert value


class mixed_precision:
    """Sets a global dtype policy for the duration of a `with` block."""

    def __init__(self, policy):
        self.policy = policy

    def __enter__(self):
        self.previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(self.policy)

    def __exit__(self, *exc_info):
        keras.config.set_dtype_policy(self.previous)


def load_script(path):
    """Imports the Python file at `path` (a script of `scripts/`) as a
    module, for tests of its functions."""
    path = pathlib.Path(path)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
