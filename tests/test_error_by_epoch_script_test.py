import json
import pathlib

from keras_nnaqc.reproduction.settings import SETTINGS
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import load_script

SCRIPT = (
    pathlib.Path(__file__).parents[1] / "scripts" / "test_error_by_epoch.py"
)


class TestErrorByEpochTest(TestCase):
    def test_records_each_epoch_under_the_given_patience(
        self, tmp_path, monkeypatch
    ):
        out = tmp_path / "runs.jsonl"
        monkeypatch.setitem(SETTINGS, "mnist_subset", SETTINGS["mnist_subset"])
        script = load_script(SCRIPT)
        arguments = [
            "test_error_by_epoch.py",
            "--dataset=mnist_subset",
            "--train-size=200",
            "--epochs=4",
            "--noise=0.5",
            "--patience=3",
            "--plateau-patience=0",
            f"--out={out}",
        ]
        monkeypatch.setattr("sys.argv", arguments)
        script.main()
        (result,) = [json.loads(line) for line in out.read_text().splitlines()]
        self.assertEqual(
            (result["patience"], result["plateau_patience"]), (3, 0)
        )
        self.assertEqual(result["rate_steps"], [])
        rows = result["by_epoch"]
        self.assertEqual([row["epoch"] for row in rows], [1, 2, 3, 4])
        # Adam's 1e-3 for the first two epochs; with a plateau patience of
        # 0, divided by 10 after each later epoch without a hold-out loss
        # lower by ReduceLROnPlateau's min_delta of 1e-4.
        self.assertAllClose(rows[0]["learning_rate"], 1e-3)
        self.assertAllClose(rows[1]["learning_rate"], 1e-3)
        best = rows[0]["val_loss"]
        for before, after in zip(rows[1:-1], rows[2:], strict=True):
            step = 0.1 if before["val_loss"] > best - 1e-4 else 1.0
            best = min(best, before["val_loss"])
            self.assertAllClose(
                after["learning_rate"], before["learning_rate"] * step
            )
        last = rows[-1]
        self.assertTrue(0 <= last["test_error"] <= 100)
        self.assertTrue(0 <= last["val_accuracy"] <= 1)
