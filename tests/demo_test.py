import os
import subprocess
import sys

import keras
import numpy as np

from keras_nnaqc import cli
from keras_nnaqc.reproduction import load_noisy_data
from keras_nnaqc.reproduction.demo import run_demo
from keras_nnaqc.testing import TestCase


class DemoTest(TestCase):
    def test_runs_end_to_end(self, tmp_path, capsys):
        results = run_demo(epochs=1, output_dir=tmp_path, verbose=0)
        printed = capsys.readouterr().out
        self.assertTrue("plain CNN" in printed and "NNAQC" in printed)
        # The same noisy labels as `nnaqc run --dataset mnist_subset`.
        same_run = load_noisy_data("mnist_subset", 0.5, seed=0)
        self.assertEqual(results["actual_noise"], same_run["actual_noise"])
        for key in ("plain_test_error", "nnaqc_test_error"):
            self.assertTrue(0.0 <= results[key] < 90.0)
        self.assertAllClose(
            results["learned_transition"].sum(axis=1), np.ones(10), atol=1e-5
        )
        self.assertTrue(os.path.getsize(results["figure"]) > 10_000)


class CommandLineTest(TestCase):
    def test_demo_arguments_reach_the_demo(self, monkeypatch):
        received = {}
        monkeypatch.setattr(
            "keras_nnaqc.reproduction.demo.run_demo",
            lambda **kwargs: received.update(kwargs),
        )
        cli.main(["demo", "--epochs", "3", "--noise", "0.3", "--seed", "2"])
        self.assertEqual(
            received,
            {
                "epochs": 3,
                "noise_rate": 0.3,
                "seed": 2,
                "output_dir": "nnaqc-output",
            },
        )

    def test_module_entry_point_prints_help(self):
        completed = subprocess.run(
            [sys.executable, "-m", "keras_nnaqc", "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, "KERAS_BACKEND": keras.backend.backend()},
        )
        self.assertEqual(completed.returncode, 0)
        self.assertTrue("demo" in completed.stdout)
