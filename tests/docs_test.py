import os
import pathlib
import re
import subprocess
import sys

import pytest
from nnaqc_test_case import TestCase

ROOT = pathlib.Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "docs"))

import hooks  # noqa: E402


def python_blocks(path):
    return re.findall(r"```python\n(.*?)```", path.read_text(), re.S)


class DocsTest(TestCase):
    def test_every_public_symbol_has_a_keras_style_docstring(self):
        self.assertEqual(list(hooks.docstring_problems()), [])

    @pytest.mark.examples
    @pytest.mark.parametrize("page", ["docs/quickstart.md", "README.md"])
    def test_code_blocks_run(self, page, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        namespace = {}
        blocks = python_blocks(ROOT / page)
        self.assertTrue(len(blocks) >= 1)
        for block in blocks:
            exec(compile(block, page, "exec"), namespace)
        self.assertTrue(namespace["model"].clean_model() is namespace["base"])

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
