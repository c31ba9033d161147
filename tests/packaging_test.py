import importlib.metadata
import os
import subprocess
import sys

import keras
import pytest

import keras_nnaqc
from keras_nnaqc.testing import TestCase

WITHOUT_OPTIONAL_PACKAGES = """
import sys
for name in ("tensorflow", "tensorflow_datasets", "keras_tuner", "matplotlib"):
    sys.modules[name] = None  # makes `import name` fail
import numpy as np, keras, keras_nnaqc
x = np.random.rand(32, 6).astype("float32")
base = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])
model = keras_nnaqc.NoisyLabelModel(base)
model.compile(optimizer="adam")
model.fit(x, np.arange(32) % 3, verbose=0)
print("trained on", keras.backend.backend())
"""


class PackagingTest(TestCase):
    def test_version_has_one_source(self):
        self.assertEqual(
            importlib.metadata.version("keras-nnaqc"), keras_nnaqc.__version__
        )

    @pytest.mark.skipif(
        keras.backend.backend() == "tensorflow",
        reason="TensorFlow cannot be blocked under its own backend",
    )
    def test_imports_and_trains_without_optional_packages(self):
        backend = keras.backend.backend()
        completed = subprocess.run(
            [sys.executable, "-c", WITHOUT_OPTIONAL_PACKAGES],
            capture_output=True,
            text=True,
            env={**os.environ, "KERAS_BACKEND": backend},
        )
        self.assertEqual(completed.returncode, 0)
        self.assertTrue(f"trained on {backend}" in completed.stdout)

    def test_public_api(self):
        for name in ("NoiseAdaptationLayer", "NNAQCLoss", "NoisyLabelModel"):
            self.assertTrue(hasattr(keras_nnaqc, name))
        for name in ("nna_loss", "qc_loss", "nnaqc_loss", "noise"):
            self.assertTrue(hasattr(keras_nnaqc, name))
