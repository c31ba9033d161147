import json
import pathlib

from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import load_script

SCRIPT = pathlib.Path(__file__).parents[1] / "scripts" / "holdout_selection.py"


def run(method, seed, accuracy, error):
    return {
        "method": method,
        "dataset": "cifar10",
        "noise": 0.5,
        "train_size": 10000,
        "seed": seed,
        "test_error": error,
        "validation": None if accuracy is None else {"val_accuracy": accuracy},
    }


class HoldoutSelectionTest(TestCase):
    def test_counts_the_pairs_the_hold_out_ranks_right(self, tmp_path):
        results = [
            # Seed 0: NNAQC scores higher on the hold-out and errs less.
            run("base", 0, 0.29, 51.8),
            run("nnaqc_balance", 0, 0.30, 44.8),
            # Seed 1: plain scores higher but errs more: a wrong pick.
            run("base", 1, 0.31, 50.2),
            run("nnaqc", 1, 0.30, 45.0),
            # No hold-out accuracy, or no plain run of the same data.
            run("nnaqc", 0, None, 40.0),
            run("nnaqc", 2, 0.5, 40.0),
        ]
        folder = tmp_path / "cifar10"
        folder.mkdir()
        (folder / "results.jsonl").write_text(
            "".join(json.dumps(result) + "\n" for result in results)
        )
        text, right, total = load_script(SCRIPT).table(tmp_path)
        self.assertEqual((right, total), (1, 2))
        rows = text.splitlines()[2:]
        self.assertEqual(
            rows[0],
            "| cifar10 | cifar10, 50% noise, 10,000 images, seed 0 | "
            "nnaqc_balance | 0.2900 / 51.80 | 0.3000 / 44.80 | yes |",
        )
        self.assertTrue(
            rows[1].endswith("| nnaqc | 0.3100 / 50.20 | 0.3000 / 45.00 | no |")
        )
