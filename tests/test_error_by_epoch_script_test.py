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
            "--epochs=6",
            "--noise=0.5",
            "--patience=1",
            "--plateau-patience=0",
            f"--out={out}",
        ]
        monkeypatch.setattr("sys.argv", arguments)
        script.main()
        (result,) = [json.loads(line) for line in out.read_text().splitlines()]
        self.assertEqual(
            [result[k] for k in ("patience", "plateau_patience", "rate_steps")],
            [1, 0, []],
        )
        rows = result["by_epoch"]
        losses = [row["val_loss"] for row in rows]
        # EarlyStopping on the hold-out loss with a patience of 1: training
        # ends with the first epoch whose loss is not lower than the best.
        stop = next((e for e in range(1, 6) if losses[e] >= min(losses[:e])), 5)
        self.assertEqual(
            [row["epoch"] for row in rows], list(range(1, stop + 2))
        )
        best = min(range(len(losses)), key=losses.__getitem__)
        self.assertEqual(result["best_epoch"], best + 1)
        self.assertEqual(rows[best]["test_error"], result["test_error"])
        # Adam's 1e-3 for the first two epochs; with a plateau patience of
        # 0, divided by 10 after each later epoch without a hold-out loss
        # lower by ReduceLROnPlateau's min_delta of 1e-4 (at most twice).
        self.assertAllClose(rows[0]["learning_rate"], 1e-3)
        self.assertAllClose(rows[1]["learning_rate"], 1e-3)
        best_loss = losses[0]
        for before, after in zip(rows[1:-1], rows[2:], strict=True):
            improved = before["val_loss"] < best_loss - 1e-4
            best_loss = before["val_loss"] if improved else best_loss
            expected = before["learning_rate"] * (1.0 if improved else 0.1)
            self.assertAllClose(after["learning_rate"], max(expected, 1e-5))
