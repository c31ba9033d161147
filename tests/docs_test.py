import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import keras_nnaqc
from keras_nnaqc.testing import TestCase

ROOT = pathlib.Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "docs"))

import hooks  # noqa: E402

# Pages whose code needs what a CPU test run without network has not.
NOT_RUN = {"docs/datasets.md": "downloads CIFAR-10 with tensorflow-datasets"}
# The same code at a size a test can afford (a small model stands in for
# the paper's CNN, as the pages allow): each replacement must apply.
SMALL_MODEL = {"keras_nnaqc.architectures.mnist_cnn": "build_small_model"}
SHRUNK = {
    "docs/methods.md": {**SMALL_MODEL, "epochs=10": "epochs=1"},
    "docs/tuning.md": {
        **SMALL_MODEL,
        "max_trials=8": "max_trials=1",
        "folds=3": "folds=2",
        "epochs=4": "epochs=1",
    },
}
# Cheap pages whose code depends on the backend: run under each one.
EVERY_BACKEND = ("docs/serving.md",)


def python_blocks(path):
    blocks = re.findall(r"```python\n(.*?)```", path.read_text(), re.S)
    return [textwrap.dedent(block) for block in blocks]


def pages_with_code():
    pages = sorted(ROOT.glob("docs/*.md")) + [ROOT / "README.md"]
    return sorted(
        str(page.relative_to(ROOT)) for page in pages if python_blocks(page)
    )


def readers_own():
    """The names a page's code takes as the reader's own: a few hundred
    MNIST images with noisy labels, and a small model."""
    (x_train, y_train), (x_test, y_test) = (
        keras_nnaqc.datasets.load_mnist_subset()
    )
    # With a channel axis, as `architectures.mnist_cnn` reads them.
    x_train, x_test = x_train[:300, ..., None], x_test[:100, ..., None]
    phi = keras_nnaqc.noise.uniform_simplex(10, p=0.3, seed=0)
    noisy_labels = keras_nnaqc.noise.corrupt(y_train[:300], phi, seed=1)

    def build_small_model():
        return keras.Sequential(
            [
                keras.Input((28, 28, 1)),
                keras.layers.Rescaling(1 / 255),
                keras.layers.Flatten(),
                keras.layers.Dense(10),
            ]
        )

    return {
        "keras": keras,
        "keras_nnaqc": keras_nnaqc,
        "x_train": x_train,
        "noisy_labels": noisy_labels,
        "x_test": x_test,
        "y_test": y_test[:100],
        "images": x_test.astype("float32"),
        "your_model": build_small_model(),
        "build_small_model": build_small_model,
    }


def trained_model(namespace):
    """A `NoisyLabelModel` trained for one epoch on the reader's data."""
    model = keras_nnaqc.NoisyLabelModel(namespace["build_small_model"]())
    model.compile(optimizer="adam")
    model.fit(namespace["x_train"], namespace["noisy_labels"], verbose=0)
    return model


def missing_requirement(block):
    """Why `block` cannot run with this backend and these packages, if so."""
    backend = keras.backend.backend()
    if 'format="onnx"' in block:
        if backend == "jax" and not importlib.util.find_spec("jax2onnx"):
            return "ONNX export under JAX needs jax2onnx"
        return None
    if "export(" in block or "tf.saved_model" in block:
        if backend == "torch":
            return "Keras cannot write a SavedModel under torch"
        if not importlib.util.find_spec("tensorflow"):
            return "writing a SavedModel needs tensorflow"
    return None


def run_page(page, namespace):
    """Runs a page's code blocks in order, in `namespace`.

    Returns:
        Why each block that could not run here did not.
    """
    not_run = []
    for block in python_blocks(ROOT / page):
        for old, new in SHRUNK.get(page, {}).items():
            block = block.replace(old, new)
        reason = missing_requirement(block)
        if reason is None:
            exec(compile(block, page, "exec"), namespace)
        else:
            first_line = block.splitlines()[0]
            not_run.append(f"{page}, block {first_line!r}: {reason}")
    return not_run


class DocsTest(TestCase):
    def test_every_public_symbol_has_a_keras_style_docstring(self):
        self.assertEqual(list(hooks.docstring_problems()), [])

    def test_page_lists_are_up_to_date(self):
        pages = set(pages_with_code())
        self.assertTrue(set(NOT_RUN) <= pages)
        self.assertTrue(
            set(SHRUNK) | set(EVERY_BACKEND) <= pages - set(NOT_RUN)
        )
        for page, replacements in SHRUNK.items():
            code = "".join(python_blocks(ROOT / page))
            self.assertEqual(
                [old for old in replacements if old in code], list(replacements)
            )

    @pytest.mark.examples
    @pytest.mark.parametrize(
        "page",
        [
            page
            for page in pages_with_code()
            if page not in NOT_RUN and page not in EVERY_BACKEND
        ],
    )
    def test_code_blocks_run(self, page, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        namespace = readers_own()
        not_run = run_page(page, namespace)
        if "base" in namespace:
            self.assertTrue(
                namespace["model"].clean_model() is namespace["base"]
            )
        if not_run:
            pytest.skip("; ".join(not_run))

    @pytest.mark.parametrize("page", EVERY_BACKEND)
    def test_code_blocks_run_under_each_backend(
        self, page, tmp_path, monkeypatch
    ):
        monkeypatch.chdir(tmp_path)
        namespace = readers_own()
        namespace["model"] = trained_model(namespace)
        not_run = run_page(page, namespace)
        self.assertTrue("predictions" in namespace or not_run)
        if "predictions" in namespace:
            self.assertAllClose(
                np.asarray(namespace["predictions"]),
                namespace["model"].predict(namespace["images"], verbose=0),
                atol=1e-5,
            )
        if not_run:
            pytest.skip("; ".join(not_run))

    def test_figures_are_drawn_from_repository_data(self, tmp_path):
        completed = subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts/make_doc_figures.py"),
                "--out",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            env=dict(os.environ),
        )
        self.assertEqual(completed.returncode, 0)
        for name in (
            "architecture.png",
            "transitions_nonlinear_vs_linear.png",
            "denoising_operators.png",
        ):
            self.assertTrue((tmp_path / name).stat().st_size > 10_000)
        for name in os.listdir(ROOT / "docs/figures"):
            self.assertTrue((tmp_path / name).exists())
