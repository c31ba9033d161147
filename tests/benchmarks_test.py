import io
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np
import pytest

from keras_nnaqc.testing import TestCase

BENCHMARKS = pathlib.Path(__file__).parents[1] / "benchmarks"
# Makes TensorFlow look uninstalled, as on the GPU machine.
HIDE_TENSORFLOW = """
import sys


class HideTensorFlow:
    def __init__(self, finder):
        self.finder = finder

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "tensorflow":
            return None
        return self.finder.find_spec(name, path, target)

    def __getattr__(self, name):
        return getattr(self.finder, name)


sys.meta_path[:] = [HideTensorFlow(finder) for finder in sys.meta_path]
"""


# XLA's CPU compiler at its quickest: the smoke runs compile more than they
# compute.
QUICK_COMPILATION = {
    "XLA_FLAGS": "--xla_backend_optimization_level=0 "
    "--xla_llvm_disable_expensive_passes=true"
}


def run_benchmark(name, *arguments, environment=None):
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *arguments],
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **(environment or {})),
        cwd=BENCHMARKS,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def fake_cifar10_files(folder, train=60, test=20):
    """A CIFAR-10 file of random JPEG images (the layout of
    `../shared/data/cifar10_jpeg.npz`) and a CIFAR-10N file whose `aggre`
    labels are right and whose `worse` labels are wrong on every third
    image. Returns their paths."""
    from PIL import Image

    rng = np.random.default_rng(0)
    arrays = {}
    for split, count in (("train", train), ("test", test)):
        blobs = []
        for image in rng.integers(0, 256, (count, 32, 32, 3), dtype="uint8"):
            buffer = io.BytesIO()
            Image.fromarray(image).save(buffer, format="JPEG")
            blobs.append(buffer.getvalue())
        arrays[f"{split}_jpeg"] = np.frombuffer(b"".join(blobs), "uint8")
        arrays[f"{split}_offsets"] = np.cumsum([0] + [len(b) for b in blobs])
        arrays[f"y_{split}"] = (np.arange(count) % 10).astype("uint8")
    images, labels = folder / "cifar10.npz", folder / "cifar10n.npz"
    np.savez(images, **arrays)
    clean = arrays["y_train"]
    worse = np.where(np.arange(train) % 3 == 0, (clean + 1) % 10, clean)
    np.savez(labels, clean_label=clean, aggre_label=clean, worse_label=worse)
    return images, labels


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

    def test_input_pipeline(self):
        output = run_benchmark(
            "input_pipeline.py",
            "--steps",
            "2",
            "--repeats",
            "1",
            environment=QUICK_COMPILATION,
        )
        ratios = re.findall(r"(\S+) +\d+ images/s  ratio (\d+\.\d+)", output)
        self.assertEqual(
            [name for name, _ in ratios],
            [
                "memory",
                "tf.data",
                "PyDataset",
                "tf.data+augment",
                "PyDataset+augment",
            ],
        )
        self.assertEqual(float(ratios[0][1]), 1.0)

    @pytest.mark.skipif(
        os.environ.get("KERAS_BACKEND") != "jax",
        reason="the GPU run is a JAX run",
    )
    def test_gpu_script_smoke_run_without_tensorflow(self):
        folder = pathlib.Path(tempfile.mkdtemp())
        images, labels = fake_cifar10_files(folder)
        (folder / "sitecustomize.py").write_text(HIDE_TENSORFLOW)
        environment = dict(
            os.environ,
            PYTHON=sys.executable,
            PYTHONPATH=str(folder),
            SITE=str(folder / "site"),
            JAX_COMPILATION_CACHE_DIR=str(folder / "jax"),
            **QUICK_COMPILATION,
        )
        environment.pop("OUT", None)
        completed = subprocess.run(
            [
                "bash",
                str(BENCHMARKS / "gpu.sh"),
                "--smoke",
                "--data",
                str(images),
                "--labels",
                str(labels),
                "--output",
                str(folder / "results"),
            ],
            capture_output=True,
            text=True,
            env=environment,
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        self.assertTrue("1 epochs fit the budget" in completed.stdout)
        lines = [
            json.loads(line)
            for line in (folder / "results/results.jsonl")
            .read_text()
            .splitlines()
            if line
        ]
        speeds = [line for line in lines if line["part"] == "throughput"]
        self.assertEqual(
            [line["variant"] for line in speeds],
            ["plain", "nnaqc", "plain, augmenting pipeline"],
        )
        self.assertEqual(speeds[0]["ratio"], 1.0)
        runs = [line for line in lines if line["part"] == "comparison"]
        self.assertEqual(
            [(line["labels"], line["method"]) for line in runs],
            [
                (labels, method)
                for labels in (
                    "cifar10, eq. 1 p = 0.5",
                    "cifar10n worse",
                    "cifar10n aggre",
                )
                for method in ("base", "nnaqc_balance", "forward")
            ],
        )
        # 20 of the 60 `worse` labels are wrong, none of `aggre`.
        noise = {line["labels"]: line["actual_noise"] for line in runs}
        self.assertAllClose(noise["cifar10n worse"], 20 / 60, atol=1e-4)
        self.assertEqual(noise["cifar10n aggre"], 0.0)
        # A 10% hold-out of the 60 images; 20 test images, so errors are
        # multiples of 5%.
        self.assertEqual({line["fit_size"] for line in runs}, {54})
        for line in runs:
            self.assertEqual(line["test_error"] % 5, 0)
        self.assertEqual(
            {line["device"].split(":")[0] for line in lines}, {"cpu"}
        )
        table = (folder / "results/results.md").read_text()
        self.assertTrue("| cifar10n worse | 33.3% |" in table)
