import json
import pathlib

from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import load_script

SCRIPT = pathlib.Path(__file__).parents[1] / "scripts" / "holdout_selection.py"


def run(method, seed, accuracy, error, epochs=45):
    return {
        "method": method,
        "dataset": "cifar10",
        "noise": 0.5,
        "train_size": 10000,
        "seed": seed,
        "epochs": epochs,
        "batch_size": 100,
        "validation_fraction": 0.1,
        "test_error": error,
        "validation": None if accuracy is None else {"val_accuracy": accuracy},
    }


def write(path, results):
    path.write_text("".join(json.dumps(r) + "\n" for r in results))
    return path


class HoldoutSelectionTest(TestCase):
    def test_pairs_plain_and_nnaqc_runs_of_the_same_data(self, tmp_path):
        grid = write(
            tmp_path / "results.jsonl",
            [
                run("base", 0, 0.29, 51.8),
                run("base", 1, 0.31, 50.2),
                run("base", 2, 0.30, 50.0),
            ],
        )
        variants = write(
            tmp_path / "variants.jsonl",
            [
                # Higher on the hold-out, lower test error: right.
                run("nnaqc_balance", 0, 0.30, 44.8),
                # Lower on the hold-out but lower test error: wrong.
                run("nnaqc_alpha0.5", 1, 0.30, 45.0),
                # Equal hold-out accuracies: a tie.
                run("regu_nnaqc", 2, 0.30, 60.0),
                # Equal test errors: either pick is right.
                run("nnaqc", 2, 0.25, 50.0),
                # Not paired: no hold-out accuracy, another schedule, a
                # cleaned hold-out, not NNAQC, no plain run of the data.
                run("nnaqc", 0, None, 40.0),
                run("nnaqc", 1, 0.5, 40.0, epochs=5),
                run("nnaqc_prune", 0, 0.9, 40.0),
                run("forward", 0, 0.5, 40.0),
                run("nnaqc", 3, 0.5, 40.0),
            ],
        )
        text, counts, largest_miss = load_script(SCRIPT).table(
            [[grid, variants]]
        )
        self.assertEqual(counts, {"yes": 2, "no": 1, "tie": 1})
        self.assertAllClose(largest_miss, 1.0)  # 0.31 against 0.30
        rows = text.splitlines()[2:]
        self.assertEqual(len(rows), 4)
        self.assertEqual(
            rows[0],
            "| cifar10, 50% noise, 10,000 images, seed 0 | nnaqc_balance | "
            "0.2900 / 51.80 | 0.3000 / 44.80 | +10 | yes |",
        )
        # Files of another group are not paired with these.
        _, counts, _ = load_script(SCRIPT).table([[grid], [variants]])
        self.assertEqual(sum(counts.values()), 0)
