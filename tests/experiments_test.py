import dataclasses
import json
import pathlib

import keras
import numpy as np
import pytest

from keras_nnaqc import cli
from keras_nnaqc import methods
from keras_nnaqc.datasets.mnist import load_mnist_subset
from keras_nnaqc.datasets.noisy_dataset import select_part
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.reproduction import grid
from keras_nnaqc.reproduction import load_noisy_data
from keras_nnaqc.reproduction import markdown_table
from keras_nnaqc.reproduction import read_results
from keras_nnaqc.reproduction import run_experiment
from keras_nnaqc.reproduction import run_grid
from keras_nnaqc.reproduction import runner
from keras_nnaqc.reproduction import write_report
from keras_nnaqc.reproduction.runner import flag_scores
from keras_nnaqc.reproduction.settings import SETTINGS
from keras_nnaqc.reproduction.tables import flag_table
from keras_nnaqc.reproduction.tables import head_table
from keras_nnaqc.reproduction.tables import training_fit_table
from keras_nnaqc.testing import TestCase

SMALL_RESULTS = pathlib.Path(__file__).parent / "data" / "small_results.jsonl"
TINY = {"dataset": "mnist_subset", "train_size": 200, "epochs": 1}


class RunExperimentTest(TestCase):
    def test_result_line(self):
        result = run_experiment(method="nnaqc", noise_rate=0.3, seed=1, **TINY)
        for key in (
            "method",
            "dataset",
            "noise",
            "train_size",
            "seed",
            "epochs",
            "test_error",
            "actual_noise",
            "wall_s",
            "backend",
            "device",
            "version",
        ):
            self.assertTrue(key in result)
        self.assertEqual(
            (result["method"], result["noise"], result["train_size"]),
            ("nnaqc", 0.3, 200),
        )
        self.assertEqual(result["base_model"], "mnist_cnn")
        self.assertTrue(0 <= result["test_error"] <= 100)
        # The classes' errors, weighted by their test images, are the
        # error (to the rounding of each to 0.01).
        _, (_, y_test) = load_mnist_subset()
        counts = np.bincount(y_test, minlength=10)
        by_class = np.array(result["class_test_error"])
        self.assertEqual(by_class.shape, (10,))
        self.assertAllClose(
            (by_class * counts).sum() / counts.sum(),
            result["test_error"],
            atol=0.01,
        )
        self.assertTrue(0.15 < result["actual_noise"] < 0.45)
        self.assertEqual(len(result["transition_matrix"]), 10)
        # What its label_issues flags, scored against the true flips.
        self.assertTrue(0 <= result["flagged"]["recall"] <= 1)
        self.assertEqual(
            set(result["validation"]),
            {"val_loss", "val_nna_loss", "val_qc_loss", "val_accuracy"},
        )
        json.dumps(result)

    def test_steps_the_rate_after_the_settings_epochs(self, monkeypatch):
        # Steps after epochs 2 and 6 of the setting's 8: after 1 and 3 of 4.
        setting = dataclasses.replace(
            SETTINGS["mnist_subset"], patience=None, rate_steps=(2, 6)
        )
        monkeypatch.setitem(SETTINGS, "mnist_subset", setting)
        rates = []

        class Rates(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                rates.append(float(self.model.optimizer.learning_rate))

        result = run_experiment(
            method="nnaqc_prune",
            noise_rate=0.5,
            **{**TINY, "epochs": 4},
            callbacks=[Rates()],
        )
        # Adam's 1e-3 divided by 10 after epochs 1 and 3, in each of the
        # method's two trainings, each trained for every epoch.
        self.assertAllClose(rates, [1e-3, 1e-4, 1e-4, 1e-5] * 2)
        self.assertEqual(
            [result[k] for k in ("monitor", "patience", "rate_steps")],
            ["val_loss", None, [1, 3]],
        )

    def test_rate_steps_start_from_the_optimizers_own_rate(self):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.2), loss="mse")
        rates = []
        record = keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs: rates.append(
                float(model.optimizer.learning_rate)
            )
        )
        x = np.ones((4, 2), "float32")
        model.fit(
            x,
            x[:, :1],
            epochs=3,
            verbose=0,
            callbacks=[runner.RateSteps([1]), record],
        )
        self.assertAllClose(rates, [0.2, 0.02, 0.02])

    def test_same_seed_same_noisy_data_for_every_method(self):
        first = run_experiment(method="base", noise_rate=0.5, seed=3, **TINY)
        second = run_experiment(method="gce", noise_rate=0.5, seed=3, **TINY)
        other = run_experiment(method="base", noise_rate=0.5, seed=4, **TINY)
        self.assertEqual(first["actual_noise"], second["actual_noise"])
        self.assertTrue(first["actual_noise"] != other["actual_noise"])

    def test_runs_a_method_of_your_own(self):
        def build(base_model, num_classes, transition):
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            return base_model, loss

        mine = methods.Method("mine", "plain, by hand", "a test", build)
        result = run_experiment(method=mine, noise_rate=0.2, **TINY)
        self.assertEqual(result["method"], "mine")
        self.assertEqual(result["transition_matrix"], None)

    def test_pruning_methods_score_what_they_flag(self):
        result = run_experiment(method="nnaqc_prune", noise_rate=0.5, **TINY)
        data = load_noisy_data("mnist_subset", 0.5, train_size=200)
        # The 180 images of the training part (a tenth is held out).
        part = select_part(200, 0.1, "training", 0)
        wrong = data["y_train"][part] != data["noisy_labels"][part]
        flagged = result["flagged"]
        self.assertEqual(flagged["wrong"], int(wrong.sum()))
        self.assertTrue(0 <= flagged["count"] <= 180)
        self.assertTrue(0 <= flagged["precision"] <= 1)
        rows = np.asarray(result["kept_noise_matrix"])
        self.assertEqual(rows.shape, (10, 10))
        self.assertTrue(
            np.all((rows == 0).all(axis=1) | np.isclose(rows.sum(axis=1), 1))
        )
        base = run_experiment(method="base", noise_rate=0.5, **TINY)
        self.assertEqual(base["flagged"], None)
        self.assertTrue("kept_noise_matrix" not in base)

    def test_records_training_fit_on_the_training_part(self):
        trained = []

        class KeepModel(keras.callbacks.Callback):
            def on_train_end(self, logs=None):
                trained.append(self.model)

        base = run_experiment(
            method="base", noise_rate=0.5, callbacks=[KeepModel()], **TINY
        )
        data = load_noisy_data("mnist_subset", 0.5, train_size=200)
        part = select_part(200, 0.1, "training", 0)
        # What the kept model predicts for the 180 images it trained on.
        predicted = trained[0].predict(data["x_train"][part], verbose=0)
        self.assertEqual(
            base["training_fit"],
            runner.training_fit(
                predicted.argmax(axis=1),
                data["noisy_labels"][part],
                data["y_train"][part],
            ),
        )

    def test_kept_noise_matrix_by_hand(self):
        clean = np.array([0, 0, 0, 1, 1, 1])
        noisy = np.array([0, 1, 1, 1, 0, 1])
        kept = np.array([True, True, False, True, False, False])
        # Kept: class 0 labelled 0 and 1, class 1 labelled 1.
        self.assertEqual(
            runner._kept_noise_matrix(kept, clean, noisy, 2),
            {"kept_noise_matrix": [[0.5, 0.5], [0.0, 1.0]]},
        )
        self.assertEqual(runner._kept_noise_matrix(None, clean, noisy, 2), {})

    def test_training_fit_splits_wrong_and_right_labels(self):
        clean = np.array([0, 0, 1, 1, 2, 2])
        noisy = np.array([1, 0, 1, 2, 0, 2])  # wrong at 0, 3 and 4
        predicted = np.array([1, 0, 0, 1, 1, 2])
        # Wrong labels: 0 followed, 3 corrected, 4 neither; right: 1 and 5
        # kept, 2 not.
        self.assertEqual(
            runner.training_fit(predicted, noisy, clean),
            {"wrong_followed": 0.3333, "wrong_corrected": 0.3333,
             "right_kept": 0.6667},
        )  # fmt: skip
        self.assertEqual(
            runner.training_fit(clean, clean, clean),
            {"wrong_followed": None, "wrong_corrected": None,
             "right_kept": 1.0},
        )  # fmt: skip

    def test_noisy_label_models_score_their_label_issues(self):
        # A flag is a clean prediction other than the given label.
        rng = np.random.default_rng(0)
        x = rng.normal(size=(60, 4)).astype("float32")
        clean = rng.integers(0, 3, size=60)
        noisy = np.where(rng.random(60) < 0.4, (clean + 1) % 3, clean)
        base_model = keras.Sequential(
            [keras.Input((4,)), keras.layers.Dense(3)]
        )
        model = NoisyLabelModel(base_model)
        model(x[:1])
        trained = methods.TrainedModel("nnaqc", base_model, model, [])
        # The clean model's scores, as `run_experiment` predicts them.
        predicted = trained.model.predict(x, verbose=0)
        scores = runner._flag_scores_of(trained, predicted, noisy, clean)
        flagged = base_model.predict(x, verbose=0).argmax(axis=1) != noisy
        self.assertEqual(
            scores["flagged"], flag_scores(flagged, clean != noisy)
        )
        plain = methods.TrainedModel("base", base_model, base_model, [])
        self.assertEqual(
            runner._flag_scores_of(plain, predicted, noisy, clean),
            {"flagged": None, "flagged_cleanlab": None},
        )
        # cleanlab's filter on the same clean probabilities.
        cleanlab_filter = pytest.importorskip("cleanlab.filter")
        probabilities = keras.ops.convert_to_numpy(
            keras.ops.softmax(base_model.predict(x, verbose=0))
        )
        by_cleanlab = cleanlab_filter.find_label_issues(noisy, probabilities)
        self.assertEqual(
            scores["flagged_cleanlab"], flag_scores(by_cleanlab, clean != noisy)
        )

    def test_flag_scores_by_hand(self):
        flagged = np.array([1, 1, 1, 0, 0, 0, 0, 1], bool)
        wrong = np.array([1, 1, 0, 1, 0, 0, 0, 0], bool)
        # 2 caught of 4 flagged and of 3 wrong: F1 = 2 * .5 * .667 / 1.167.
        self.assertEqual(
            flag_scores(flagged, wrong),
            {
                "count": 4,
                "wrong": 3,
                "precision": 0.5,
                "recall": 0.6667,
                "f1": 0.5714,
            },
        )
        # Nothing to divide by is None, not 0: no label flagged and none
        # wrong; and 2 flagged of clean labels (precision 0, recall n/a).
        none = flag_scores(np.zeros(3, bool), np.zeros(3, bool))
        self.assertEqual(
            (none["precision"], none["recall"], none["f1"]), (None,) * 3
        )
        clean = flag_scores(np.array([1, 1, 0], bool), np.zeros(3, bool))
        self.assertEqual(
            (clean["precision"], clean["recall"], clean["f1"]),
            (0.0, None, 0.0),
        )

    def test_rejects_bad_configurations(self):
        with pytest.raises(ValueError, match="train_size=20000"):
            run_experiment(dataset="mnist_subset", train_size=20000)
        with pytest.raises(ValueError, match="dataset='svhn'"):
            run_experiment(dataset="svhn")
        with pytest.raises(ValueError, match="noise_model='blocks'"):
            run_experiment(dataset="mnist_subset", noise_model="blocks")


class CommandLineTest(TestCase):
    def test_run_prints_and_appends_one_json_line(self, tmp_path, capsys):
        out = tmp_path / "results.jsonl"
        arguments = ["run", "--dataset", "mnist_subset", "--method", "base"]
        arguments += ["--noise", "0.3", "--train-size", "200", "--epochs", "1"]
        cli.main(arguments + ["--seed", "2", "--out", str(out)])
        last_line = capsys.readouterr().out.strip().splitlines()[-1]
        result = json.loads(last_line)
        self.assertEqual((result["method"], result["seed"]), ("base", 2))
        self.assertEqual(read_results(out), [result])

    @pytest.mark.parametrize("noise_model", ["pair", "idn"])
    def test_run_with_harder_noise(self, noise_model, capsys):
        arguments = ["run", "--dataset", "mnist_subset", "--method", "genie"]
        arguments += ["--noise-model", noise_model, "--noise", "0.4"]
        cli.main(arguments + ["--train-size", "500", "--epochs", "1"])
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        self.assertEqual(result["noise_model"], noise_model)
        # Both count only changed labels: 200 expected of 500, binomial
        # deviation 11.
        self.assertTrue(0.33 < result["actual_noise"] < 0.47)
        # The genie's matrix: pair's own, or the draw's empirical one.
        matrix = result["transition_matrix"]
        self.assertTrue(abs(1 - matrix[0][0] - 0.4) < 0.15)
        if noise_model == "pair":
            self.assertEqual((matrix[0][1], matrix[0][2]), (0.4, 0.0))

    def test_methods_lists_every_method(self, capsys):
        cli.main(["methods"])
        printed = capsys.readouterr().out
        names = ("base", "forward", "nnaqc", "regu_nnaqc", "gce")
        added = (
            "confident_learning",
            "nnaqc_prune",
            "nnaqc_balance",
            "nnaqc_balance_prune",
        )
        for name in (*names, *added):
            self.assertTrue(f"\n{name} " in "\n" + printed)


class GridTest(TestCase):
    def test_resumes_without_rerunning(self, tmp_path, monkeypatch):
        arguments = {
            "dataset": "mnist_subset",
            "methods": ["base", "nnaqc"],
            "noise_rates": [0.5],
            "train_sizes": [200],
            "out_dir": tmp_path,
            "epochs": 1,
        }
        first = run_grid(seeds=[0], **arguments)
        self.assertEqual(len(first), 2)

        calls = []
        real_run = grid.run_experiment

        def counting_run(**configuration):
            calls.append(configuration)
            return real_run(**configuration)

        monkeypatch.setattr(grid, "run_experiment", counting_run)
        again = run_grid(seeds=[0], **arguments)
        self.assertEqual(calls, [])
        self.assertEqual(again, first)

        grown = run_grid(seeds=[0, 1], **arguments)
        self.assertEqual([c["seed"] for c in calls], [1, 1])
        self.assertEqual(len(grown), 4)
        self.assertEqual(len(read_results(tmp_path / "results.jsonl")), 4)
        names = ("table.md", "table.csv", "wall_time.md")
        for name in (*names, "error_vs_noise_200.png"):
            self.assertTrue((tmp_path / name).exists())
        self.assertTrue((tmp_path / "transitions_p50.png").exists())

        # Runs of another setting's length stay out of this folder's table.
        calls.clear()
        with pytest.raises(ValueError, match=r"'epochs': 1.*'epochs': 2"):
            run_grid(seeds=[0], **{**arguments, "epochs": 2})
        # And so do those of another patience.
        setting = dataclasses.replace(SETTINGS["mnist_subset"], patience=5)
        monkeypatch.setitem(SETTINGS, "mnist_subset", setting)
        with pytest.raises(ValueError, match=r"'patience': 3.*'patience': 5"):
            run_grid(seeds=[0], **arguments)
        setting = dataclasses.replace(setting, patience=3, rate_steps=(4,))
        monkeypatch.setitem(SETTINGS, "mnist_subset", setting)
        with pytest.raises(ValueError, match=r"'rate_steps': \[\].*\[0\]"):
            run_grid(seeds=[0], **arguments)
        # And those of another base model.
        mnist_cnn = setting.build_base_model

        def shifting_cnn(num_classes=10, seed=None):
            return mnist_cnn(num_classes, seed)

        setting = dataclasses.replace(
            setting, rate_steps=(), build_base_model=shifting_cnn
        )
        monkeypatch.setitem(SETTINGS, "mnist_subset", setting)
        with pytest.raises(
            ValueError, match=r"'base_model': 'mnist_cnn'.*'shifting_cnn'"
        ):
            run_grid(seeds=[0], **arguments)
        self.assertEqual(calls, [])
        self.assertEqual(len(read_results(tmp_path / "results.jsonl")), 4)


class TableTest(TestCase):
    def test_paper_layout(self):
        results = read_results(SMALL_RESULTS)
        expected = (
            "| Training samples | 60K |  | 20K |  |\n"
            "| --- | --- | --- | --- | --- |\n"
            "| **Noise %** | **0** | **70** | **0** | **70** |\n"
            "| nnaqc | 1.10 ± 0.14 (1.14) | 6.00 ± 1.41 (16.42) "
            "| 3.50 (3.00) | 9.00 |\n"
            "| base | 0.90 ± 0.00 (0.89) | 45.00 ± 7.07 (48.80) "
            "| not run (2.42) | not run |\n"
        )
        self.assertEqual(
            markdown_table(results, "mnist", ["nnaqc", "base"]), expected
        )

    def test_other_noise_gets_its_own_columns(self):
        def result(error, **noise):
            return {
                "method": "base",
                "dataset": "mnist",
                "train_size": 60000,
                "test_error": error,
                "noise": None,
                "noise_model": None,
                **noise,
            }

        results = [
            result(4.0, noise=0.5, noise_model="uniform_simplex"),
            result(30.0, noise=0.45, noise_model="pair"),
            result(9.0, noise=0.5, noise_model="symmetric"),
            result(20.0, noise=0.4, noise_model="idn"),
            result(2.0, noise=0.0, noise_model="uniform_simplex"),
            result(40.0, label_set="worse"),
            result(10.0, label_set="aggre"),
        ]
        lines = markdown_table(results, "mnist").splitlines()
        self.assertEqual(
            lines[2],
            "| **Noise** | **0** | **50** | **idn 40%** | **pair 45%** "
            "| **symmetric 50%** | **worse** | **aggre** |",
        )
        # The paper's number only where its noise is: eq. 1 at 0 and 50%.
        self.assertEqual(
            lines[3],
            "| base | 2.00 (0.89) | 4.00 (34.50) | 20.00 | 30.00 | 9.00 "
            "| 40.00 | 10.00 |",
        )

    def test_a_cell_says_when_classes_were_not_all_predicted(self):
        def result(seed, error, predicted_classes):
            return {
                "method": "nnaqc",
                "dataset": "mnist",
                "train_size": 60000,
                "seed": seed,
                "noise": 0.5,
                "noise_model": "uniform_simplex",
                "test_error": error,
                "wall_s": 10.0,
                "predicted_classes": predicted_classes,
                "noise_matrix": np.eye(10).tolist(),
            }

        table = markdown_table(
            [result(0, 60.0, 7), result(1, 50.0, 9), result(2, 40.0, 10)],
            "mnist",
        )
        self.assertEqual(
            table.splitlines()[3],
            "| nnaqc | 50.00 ± 10.00 (2.20) [7 classes] |",
        )
        one = [result(0, 90.0, 1)]
        self.assertEqual(
            markdown_table(one, "mnist").splitlines()[3],
            "| nnaqc | 90.00 (2.20) [1 class] |",
        )
        every = markdown_table([result(0, 4.0, 10)], "mnist")
        self.assertEqual(every.splitlines()[3], "| nnaqc | 4.00 (2.20) |")
        wall = markdown_table(one, "mnist", value="wall_s")
        self.assertTrue("class" not in wall)

    def test_wall_time_and_flagging_tables(self, tmp_path):
        def result(method, seed, wall_s, flagged=None):
            return {
                "method": method,
                "dataset": "mnist",
                "train_size": 60000,
                "seed": seed,
                "noise": 0.45,
                "noise_model": "pair",
                "test_error": 10.0,
                "wall_s": wall_s,
                "flagged": flagged,
                "transition_matrix": None,
            }

        def flags(precision, recall, f1):
            return {"precision": precision, "recall": recall, "f1": f1}

        results = [
            result("base", 0, 100.0),
            result("base", 1, 140.0),
            result("confident_learning", 0, 600.0, flags(0.9, 0.5, 0.6)),
            result("confident_learning", 1, 700.0, flags(0.7, 0.7, 0.8)),
        ]
        wall = markdown_table(results, "mnist", value="wall_s")
        self.assertTrue("| base | 120 ± 28 |" in wall)
        self.assertTrue("| confident_learning | 650 ± 71 |" in wall)
        flagged = flag_table(results).splitlines()
        self.assertEqual(len(flagged), 4)  # base flags nothing: no row
        self.assertEqual(
            flagged[3], "| confident_learning | 0.800 / 0.600 / 0.700 |"
        )
        paths = write_report(results, "mnist", tmp_path)
        names = {path.name for path in paths}
        self.assertTrue({"wall_time.md", "flagged.md"} <= names)
        # An NNAQC run scored by its label_issues and by cleanlab's filter
        # on the same probabilities: one row each, in the order asked.
        nnaqc = result("nnaqc", 0, 300.0, flags(0.5, 0.25, 0.25))
        nnaqc["flagged_cleanlab"] = flags(1.0, 0.5, 0.75)
        flagged = flag_table([nnaqc] + results, ["base", "nnaqc"])
        self.assertEqual(
            flagged.splitlines()[3:],
            [
                "| nnaqc | 0.500 / 0.250 / 0.250 |",
                "| nnaqc + cleanlab's filter | 1.000 / 0.500 / 0.750 |",
            ],
        )
        # A run recorded without flags is not a run missing.
        old = result("nnaqc", 0, 300.0)
        old["noise_model"] = "symmetric"
        old["noise"] = 0.5
        self.assertEqual(
            flag_table([nnaqc, old]).splitlines()[3:],
            [
                "| nnaqc | 0.500 / 0.250 / 0.250 | not recorded |",
                "| nnaqc + cleanlab's filter | 1.000 / 0.500 / 0.750 "
                "| not recorded |",
            ],
        )
        self.assertEqual(
            flag_table([nnaqc, old, results[2]]).splitlines()[5],
            "| confident_learning | 0.900 / 0.500 / 0.600 | not run |",
        )
        # A seed with no wrong label has no recall: the mean is n/a.
        clean = result("nnaqc", 1, 300.0, flags(0.0, None, 0.0))
        self.assertEqual(
            flag_table([nnaqc, clean]).splitlines()[3],
            "| nnaqc | 0.250 / n/a / 0.125 |",
        )

    def test_training_fit_table(self, tmp_path):
        def result(method, seed, fit=None, label_set="worse"):
            return {
                "method": method,
                "dataset": "cifar10n",
                "label_set": label_set,
                "noise": None,
                "train_size": 50000,
                "seed": seed,
                "test_error": 30.0,
                "training_fit": fit,
                "transition_matrix": None,
            }

        def fit(followed, corrected, kept):
            return {
                "wrong_followed": followed,
                "wrong_corrected": corrected,
                "right_kept": kept,
            }

        results = [
            result("base", 0, fit(0.5, 0.25, 0.75)),
            result("base", 1, fit(0.25, 0.5, 1.0)),
            result("nnaqc", 0, fit(0.125, 0.75, 0.875)),
            result("nnaqc", 0, label_set="aggre"),
            result("base", 0, fit(None, None, 0.5), label_set="clean"),
        ]
        table = training_fit_table(results, ["nnaqc", "base"]).splitlines()
        self.assertEqual(
            table[2:],
            [
                "| **Noise** | **worse** | **aggre** | **clean** |",
                "| nnaqc | 0.125 / 0.750 / 0.875 | not recorded | not run |",
                "| base | 0.375 / 0.375 / 0.875 | not run "
                "| n/a / n/a / 0.500 |",
            ],
        )
        self.assertEqual(training_fit_table(results[3:4]), "")
        paths = write_report(results, "cifar10n", tmp_path)
        self.assertTrue("training_fit.md" in {path.name for path in paths})

    def test_head_table_by_hand(self, tmp_path):
        labels = [[0.8, 0.2], [0.3, 0.7]]  # mean diagonal 0.75

        def result(method, seed, learned):
            return {
                "method": method,
                "train_size": 1000,
                "seed": seed,
                "noise": 0.3,
                "test_error": 10.0,
                "transition_matrix": learned,
                "noise_matrix": labels,
            }

        # Seed 0: diagonal 0.65, rows 0.2 and 0 apart (total variation);
        # seed 1: the labels' matrix. Means: 0.70 and 0.05.
        results = [
            result("base", 0, None),
            result("nnaqc", 0, [[0.6, 0.4], [0.3, 0.7]]),
            result("nnaqc", 1, labels),
        ]
        self.assertEqual(
            head_table(results).splitlines()[3:],
            ["| labels | 0.750 |", "| nnaqc | 0.700 / 0.050 |"],
        )
        self.assertEqual(head_table(results[:1]), "")
        # A grid not fully run: the cells of no run say so; a run without
        # the labels' matrix (an older record) is n/a.
        other = {**results[1], "train_size": 500, "noise": 0.5}
        unrecorded = {**results[1], "noise": 0.5, "noise_matrix": None}
        self.assertEqual(
            head_table([results[1], other, unrecorded]).splitlines()[3:],
            [
                "| labels | 0.750 | n/a | not run | 0.750 |",
                "| nnaqc | 0.650 / 0.100 | n/a | not run | 0.650 / 0.100 |",
            ],
        )
        # A pruning method's head is compared with the matrix of the labels
        # it kept, over the classes it kept labels of (here class 0 only);
        # a registry pruning method's record from before that was kept
        # reads n/a. Diagonal (0.6 + 0.7) / 2; row 0 0.4 apart.
        pruned = {
            **result("nnaqc_prune", 0, [[0.6, 0.4], [0.3, 0.7]]),
            "kept_noise_matrix": [[1.0, 0.0], [0.0, 0.0]],
        }
        older = {**pruned, "noise": 0.5}
        del older["kept_noise_matrix"]
        mine = {**pruned, "method": "mine"}
        self.assertEqual(
            head_table([pruned, older, mine]).splitlines()[3:],
            [
                "| labels | 0.750 | 0.750 |",
                "| nnaqc_prune | 0.650 / 0.400 | n/a |",
                "| mine | 0.650 / 0.400 | not run |",
            ],
        )
        # Its columns are those of the error table, in the same order
        # (label sets by first appearance), though a column's first run
        # has no head; the labels' diagonal comes from any run that recorded
        # their matrix, a plain one's too (here (0.9 + 0.8) / 2).
        plain = {
            **result("base", 0, None),
            "label_set": "aggre",
            "noise_matrix": [[0.9, 0.1], [0.2, 0.8]],
        }
        headed = {**results[1], "label_set": "worse"}
        self.assertEqual(
            head_table([plain, headed]).splitlines()[2:4],
            [
                markdown_table([plain, headed], "mnist").splitlines()[2],
                "| labels | 0.850 | 0.750 |",
            ],
        )
        paths = write_report(results, "mnist", tmp_path)
        self.assertTrue("heads.md" in {path.name for path in paths})

    def test_report_files(self, tmp_path):
        paths = write_report(read_results(SMALL_RESULTS), "mnist", tmp_path)
        names = sorted(path.name for path in paths)
        self.assertEqual(
            names,
            [
                "error_vs_noise_20000.png",
                "error_vs_noise_60000.png",
                "table.csv",
                "table.md",
            ],
        )
        rows = (tmp_path / "table.csv").read_text().splitlines()
        self.assertEqual(
            rows[0],
            "method,train_size,noise,mean_test_error,std_test_error,seeds,"
            "paper_test_error",
        )
        self.assertTrue("nnaqc,60000,0.7,6.0000,1.4142,2,16.42" in rows)
