import os
import pathlib
import re
import subprocess
import sys

import pytest
from nnaqc_test_case import TestCase

BENCHMARKS = pathlib.Path(__file__).parents[1] / "benchmarks"


def run_benchmark(name, *arguments):
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *arguments],
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
        cwd=BENCHMARKS,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


@pytest.mark.examples
class BenchmarksTest(TestCase):
    """Each benchmark runs at a tiny size and prints what RESULTS.md cites."""

    def test_training_overhead(self):
        output = run_benchmark(
            "training_overhead.py",
            "--models",
            "mnist_cnn",
            "--steps",
            "2",
            "--repeats",
            "1",
        )
        ratios = re.findall(r"mnist_cnn\s+(\w+) .* ratio (\d+\.\d+)", output)
        self.assertEqual(
            [variant for variant, _ in ratios], ["plain", "nonlinear", "linear"]
        )
        self.assertEqual(float(ratios[0][1]), 1.0)

    def test_serving_exports_the_base_model_exactly(self):
        output = run_benchmark("serving.py", "--calls", "2")
        counts = re.search(
            r"base model (\d+) \| wrapped model (\d+) \| exported from "
            r"wrapper (\d+) \| exported from base (\d+)",
            output,
        )
        base, wrapped, exported, exported_base = map(int, counts.groups())
        self.assertEqual(exported, base)
        self.assertEqual(exported_base, base)
        # The noise head's W and the beta warm-up's epoch counter.
        self.assertEqual(wrapped, base + 2)
        difference = re.search(r"= (\S+)\n", output).group(1)
        self.assertTrue(float(difference) < 1e-5)

    def test_noise_at_scale(self):
        output = run_benchmark(
            "noise_at_scale.py",
            "--labels",
            "5000",
            "--classes",
            "50",
            "--estimate-samples",
            "500",
        )
        for name in ("uniform_simplex", "sparse", "corrupt", "estimate"):
            self.assertTrue(re.search(rf"{name}.* s +peak", output))

    def test_large_label_spaces(self):
        output = run_benchmark(
            "large_label_spaces.py", "--classes", "200", "--steps", "2"
        )
        lines = re.findall(r"L=200 +(\w+) .* state +(\S+) MiB", output)
        self.assertEqual(
            [variant for variant, _ in lines], ["plain", "nonlinear", "linear"]
        )
        # Dense(64 -> 200) + an L x L head, each with Adam's two moments.
        plain_bytes = 3 * (64 * 200 + 200) * 4
        head_bytes = 3 * 200 * 200 * 4
        self.assertAllClose(float(lines[0][1]), plain_bytes / 2**20, atol=0.01)
        self.assertAllClose(
            float(lines[1][1]), (plain_bytes + head_bytes) / 2**20, atol=0.01
        )
