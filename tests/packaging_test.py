import ast
import importlib
import importlib.metadata
import os
import pathlib
import subprocess
import sys
from types import ModuleType

import keras
import pytest

import keras_nnaqc
from keras_nnaqc.testing import TestCase

WITHOUT_OPTIONAL_PACKAGES = """
import sys
for name in ("tensorflow", "tensorflow_datasets", "keras_tuner", "matplotlib",
             "cleanlab"):
    sys.modules[name] = None  # makes `import name` fail
import numpy as np, keras, keras_nnaqc
x = np.random.rand(32, 6).astype("float32")
base = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])
model = keras_nnaqc.NoisyLabelModel(base)
model.compile(optimizer="adam")
model.fit(x, np.arange(32) % 3, verbose=0)
print("trained on", keras.backend.backend())
"""


SHARED = {"_validation", "_optimizers", "_folds", "version"}
MAY_IMPORT = {
    "layers": {"constraints"},
    "losses": {"layers"},
    "models": {"layers", "losses", "constraints"},
    "methods": {"models", "losses", "layers", "noise"},
    "datasets": {"noise"},
    "tuning": {"models", "layers", "losses"},
    "__main__": {"cli"},
    "cli": {"reproduction", "methods", "noise"},
}
LIBRARY = (
    "layers", "constraints", "losses", "models", "noise", "methods",
    "architectures", "datasets", "tuning",
)  # fmt: skip
BOXES = {*LIBRARY, "reproduction", "cli", "testing", *SHARED}
MAY_IMPORT["__init__"] = set(LIBRARY)
MAY_IMPORT["reproduction"] = set(LIBRARY)
MAY_IMPORT["testing"] = set(LIBRARY)


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

    def test_api_page_lists_exactly_the_public_api(self):
        page = pathlib.Path(__file__).parents[1] / "docs" / "api.md"
        documented = set()
        for line in page.read_text().splitlines():
            if line.startswith("::: "):
                module, _, name = line[4:].strip().rpartition(".")
                documented.add(
                    id(getattr(importlib.import_module(module), name))
                )
        public = set()
        for module in ("keras_nnaqc", *(f"keras_nnaqc.{n}" for n in LIBRARY)):
            module = importlib.import_module(module)
            for name in module.__all__:
                value = getattr(module, name)
                if name != "__version__" and not isinstance(value, ModuleType):
                    public.add(id(value))
        self.assertEqual(len(documented), 47)
        self.assertEqual(documented, public)

    def test_boxes_import_only_the_boxes_below_them(self):
        # docs/architecture.md draws the same boxes.
        package = pathlib.Path(keras_nnaqc.__file__).parent
        found = {}
        for path in sorted(package.rglob("*.py")):
            box = path.relative_to(package).parts[0].removesuffix(".py")
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                    names += [f"{node.module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "keras_nnaqc" and len(parts) > 1:
                        if parts[1] in BOXES and parts[1] != box:
                            found.setdefault(box, set()).add(parts[1])
        for box, imported in found.items():
            allowed = MAY_IMPORT.get(box, set()) | SHARED
            self.assertEqual((box, imported - allowed), (box, set()))
        self.assertTrue("reproduction" in found["cli"])
