import json
import os
import pathlib
import runpy
import sys
from unittest import mock

import keras
import numpy as np
import pytest

from keras_nnaqc.datasets import load_mnist_subset
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import write_clothing1m
from keras_nnaqc.testing import write_image

tfds = pytest.importorskip("tensorflow_datasets")

EXAMPLES = pathlib.Path(__file__).parents[1] / "examples"
TINY = ["--epochs", "1", "--batch-size", "8", "--verbose", "0"]
# A pretrained-architecture example, untrained and at a small image size.
SMALL_IMAGES = ["--weights", "none", "--image-size", "32"]


def run_example(name, *arguments):
    """Runs an example as `python examples/NAME` would: its folder first on
    the path, so that it finds `example_utils`."""
    argv = [str(EXAMPLES / name), *arguments]
    path = [str(EXAMPLES), *sys.path]
    with (
        mock.patch.object(sys, "argv", argv),
        mock.patch.object(sys, "path", path),
    ):
        runpy.run_path(argv[0], run_name="__main__")


@pytest.mark.examples
class ExamplesTest(TestCase):
    def check_report(self, output, count=1):
        with open(output / "results.jsonl") as lines:
            results = [json.loads(line) for line in lines]
        self.assertEqual(len(results), count)
        for result in results:
            self.assertTrue(0.0 <= result["test_error"] <= 100.0)
        saved = sorted(output.glob("*.keras"))
        self.assertEqual(len(saved), count)
        model = keras.saving.load_model(saved[0])
        self.assertEqual(len(model.outputs[0].shape), 2)
        return results

    def test_mnist(self, tmp_path, capsys):
        (x_train, y_train), (x_test, y_test) = load_mnist_subset()
        data = tmp_path / "mnist.npz"
        np.savez(
            data,
            x_train=x_train[:300],
            y_train=y_train[:300],
            x_test=x_test[:50],
            y_test=y_test[:50],
        )
        run_example(
            "mnist.py",
            *TINY,
            "--data-dir",
            str(data),
            "--output-dir",
            str(tmp_path / "out"),
            "--patience",
            "1",
        )
        self.check_report(tmp_path / "out")
        self.assertTrue("against the injected flips" in capsys.readouterr().out)

    @pytest.mark.parametrize(
        "script,arguments",
        [
            ("cifar10.py", ["--augment"]),
            (
                "cifar100.py",
                ["--model", "lc_cnn", "--noise-model", "uniform_simplex"],
            ),
            ("cifar100.py", ["--model", "resnet44"]),
            ("cifar10n.py", ["--labels", "random1"]),
            ("imagenet.py", ["--image-size", "67", "--method", "regu_nnaqc"]),
        ],
    )
    def test_tfds_examples(self, script, arguments, tmp_path):
        with tfds.testing.mock_data(num_examples=24):
            run_example(
                script, *TINY, *arguments, "--output-dir", str(tmp_path)
            )
        result = self.check_report(tmp_path)[0]
        if script == "imagenet.py":
            self.assertTrue("top5_error" in result)

    def test_clothing1m_noisy_then_clean(self, tmp_path):
        write_clothing1m(str(tmp_path / "release"))
        run_example(
            "clothing1m.py",
            *TINY,
            "--data-dir",
            str(tmp_path / "release"),
            "--setting",
            "noisy_then_clean",
            *SMALL_IMAGES,
            "--output-dir",
            str(tmp_path / "out"),
        )
        first, second = self.check_report(tmp_path / "out", count=2)
        self.assertEqual(
            (first["method"], second["method"]), ("nnaqc_balance", "base")
        )

    def test_your_own_data(self, tmp_path, capsys):
        for name in ("apples", "pears"):
            for i in range(5):
                write_image(
                    os.path.join(tmp_path, "images", name, f"{i}.jpg"), 40 * i
                )
        run_example(
            "your_own_data.py",
            str(tmp_path / "images"),
            *TINY,
            *SMALL_IMAGES,
            "--output-dir",
            str(tmp_path / "out"),
        )
        self.check_report(tmp_path / "out")
        printed = capsys.readouterr().out
        self.assertTrue("Classes: apples, pears" in printed)
        self.assertTrue("training labels look wrong" in printed)

    def test_tune_alpha_beta(self, tmp_path, capsys):
        run_example(
            "tune_alpha_beta.py",
            "--train-size",
            "200",
            "--trials",
            "1",
            "--folds",
            "2",
            "--epochs",
            "1",
            "--directory",
            str(tmp_path),
        )
        printed = capsys.readouterr().out
        self.assertTrue("Best alpha" in printed and "alpha=beta=0.9" in printed)
