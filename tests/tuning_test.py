import dataclasses
import json
import os
import subprocess
import sys

import keras
import keras_tuner
import numpy as np
import pytest

from keras_nnaqc import NoisyLabelModel
from keras_nnaqc import tuning
from keras_nnaqc.constraints import DiagonallyDominant
from keras_nnaqc.reproduction import SETTINGS
from keras_nnaqc.reproduction import runner
from keras_nnaqc.reproduction import tuning_study
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import to_numpy

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 6)).astype("float32")
Y = X[:, :3].argmax(axis=1)


def tiny_base():
    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])


def tuner(directory, max_trials=2, **kwargs):
    return tuning.CrossValidationTuner(
        tuning.NNAQCHyperModel(tiny_base, num_classes=3),
        max_trials=max_trials,
        folds=2,
        directory=directory,
        **kwargs,
    )


class KFoldTest(TestCase):
    @pytest.mark.parametrize("count,folds", [(10, 2), (11, 3), (60, 5)])
    def test_folds_are_disjoint_and_cover_the_data(self, count, folds):
        splits = tuning.kfold_splits(count, folds, seed=1)
        held_out = [set(part.tolist()) for _, part in splits]
        self.assertEqual(len(splits), folds)
        self.assertEqual(set().union(*held_out), set(range(count)))
        self.assertEqual(sum(len(part) for part in held_out), count)
        for train, part in splits:
            self.assertEqual(set(train.tolist()), set(range(count)) - set(part))
        sizes = [len(part) for part in held_out]
        self.assertTrue(max(sizes) - min(sizes) <= 1)

    def test_rejects_bad_fold_counts(self):
        with pytest.raises(ValueError, match="folds=1"):
            tuning.kfold_splits(10, 1)
        with pytest.raises(ValueError, match="folds=11"):
            tuning.kfold_splits(10, 11)


class SearchTest(TestCase):
    def test_tiny_search_averages_folds_and_retrains_the_best(self, tmp_path):
        search = tuner(tmp_path)
        search.search(X, Y, epochs=1, batch_size=16, verbose=0)
        trials = search.oracle.trials
        self.assertEqual(len(trials), 2)
        for trial_id, folds in search.fold_metrics.items():
            self.assertEqual(len(folds), 2)
            expected = np.mean([fold["val_accuracy"] for fold in folds])
            self.assertAllClose(trials[trial_id].score, expected, atol=1e-6)
        best = search.best_hyperparameters.values
        self.assertEqual(set(best), {"alpha", "beta"})
        model = search.best_model()
        self.assertTrue(isinstance(model, NoisyLabelModel))
        self.assertAllClose(
            [model.alpha, model.beta], [best["alpha"], best["beta"]]
        )
        self.assertEqual(int(to_numpy(model.optimizer.iterations)), 4)  # 60/16
        # The head NoisyLabelModel builds by default.
        head = model.noise_layer
        self.assertEqual(
            (head.mode, head.kernel_speed, type(head.kernel_constraint)),
            ("nonlinear", 10.0, DiagonallyDominant),
        )

    def test_resumes_without_redoing_finished_trials(self, tmp_path):
        tuner(tmp_path).search(X, Y, epochs=1, verbose=0)
        resumed = tuner(tmp_path, max_trials=3)
        resumed.search(X, Y, epochs=1, verbose=0)
        self.assertEqual(len(resumed.fold_metrics), 1)
        self.assertEqual(len(resumed.oracle.trials), 3)

    def test_a_failed_fold_fails_its_trial(self, tmp_path):
        def broken_base():
            return keras.Sequential(
                [
                    keras.Input((6,)),
                    keras.layers.Dense(
                        3,
                        kernel_initializer=keras.initializers.Constant(np.nan),
                    ),
                ]
            )

        search = tuning.CrossValidationTuner(
            tuning.NNAQCHyperModel(broken_base, 3, from_logits=True),
            max_trials=1,
            folds=2,
            directory=tmp_path,
        )
        search.search(X, Y, epochs=1, verbose=0)
        (trial,) = search.oracle.trials.values()
        self.assertEqual(trial.status, "FAILED")
        self.assertTrue("Fold 1 of 2 gave non-finite metrics" in trial.message)

    @pytest.mark.parametrize("kind", ["bayesian", "hyperband"])
    def test_any_oracle(self, kind, tmp_path):
        objective = tuning.cross_validation.DEFAULT_OBJECTIVE
        if kind == "bayesian":
            oracle = keras_tuner.oracles.BayesianOptimizationOracle(
                objective, max_trials=2
            )
        else:
            oracle = keras_tuner.oracles.HyperbandOracle(
                objective, max_epochs=2, factor=2
            )
        search = tuning.CrossValidationTuner(
            tuning.NNAQCHyperModel(tiny_base, 3),
            oracle=oracle,
            folds=2,
            directory=tmp_path,
        )
        search.search(X, Y, epochs=5, verbose=0)
        statuses = {t.status for t in search.oracle.trials.values()}
        self.assertEqual(statuses, {"COMPLETED"})

    def test_searches_the_base_model_and_more(self, tmp_path):
        def base(hp):
            units = hp.Int("units", 2, 4)
            return keras.Sequential(
                [
                    keras.Input((6,)),
                    keras.layers.Dense(units, activation="relu"),
                    keras.layers.Dense(3),
                ]
            )

        hypermodel = tuning.NNAQCHyperModel(
            base,
            3,
            alpha=(0.5, 1.0),
            beta=0.9,
            noise_modes=("nonlinear", "linear"),
            dropout=(0.0, 0.5),
            learning_rate=(1e-4, 1e-2),
        )
        search = tuning.CrossValidationTuner(
            hypermodel, max_trials=1, folds=2, directory=tmp_path
        )
        search.search(X, Y, epochs=1, verbose=0)
        values = search.best_hyperparameters.values
        self.assertEqual(
            set(values),
            {
                "alpha",
                "beta",
                "noise_mode",
                "dropout",
                "learning_rate",
                "units",
            },
        )
        self.assertEqual(values["beta"], 0.9)
        self.assertTrue(0.5 <= values["alpha"] <= 1.0)


class ShuffledBatches(keras.utils.PyDataset):
    """`(X, Y)` in batches of 16, in a new order at every pass."""

    def __init__(self):
        super().__init__()
        self.order = np.arange(len(X))

    def __len__(self):
        return -(-len(X) // 16)

    def __getitem__(self, index):
        if index == 0:
            self.order = np.random.default_rng().permutation(len(X))
        batch = self.order[16 * index : 16 * (index + 1)]
        return X[batch], Y[batch]


class EndlessBatches(keras.utils.PyDataset):
    """A `PyDataset` that says it is infinite (`num_batches` is `None`)."""

    @property
    def num_batches(self):
        return None

    def __getitem__(self, index):
        return X[:16], Y[:16]


class UnsizedBatches(keras.utils.PyDataset):
    """A `PyDataset` with neither `__len__` nor `num_batches`."""

    def __getitem__(self, index):
        return X[:16], Y[:16]


class RecordingTuner(tuning.CrossValidationTuner):
    """Records what its trials get, instead of training."""

    def run_trial(self, trial, x, y, **fit_kwargs):
        self.trial_data = (x, y, fit_kwargs)
        return {"val_accuracy": 0.5}


class DatasetSearchTest(TestCase):
    def assert_searched_the_pairs_of_x_and_y(self, search):
        x, y, fit_kwargs = search.trial_data
        # Every input with its own label (Y is X's argmax over 3 columns).
        self.assertEqual(sorted(map(tuple, x)), sorted(map(tuple, X)))
        np.testing.assert_array_equal(y, x[:, :3].argmax(axis=1))
        self.assertEqual(fit_kwargs, {"epochs": 1, "batch_size": 16})

    def recording_tuner(self, directory):
        return RecordingTuner(
            tuning.NNAQCHyperModel(tiny_base, num_classes=3),
            max_trials=1,
            directory=directory,
        )

    def test_reads_a_shuffling_py_dataset_in_one_pass(self, tmp_path):
        search = self.recording_tuner(tmp_path)
        search.search(ShuffledBatches(), epochs=1)
        self.assert_searched_the_pairs_of_x_and_y(search)

    def test_reads_a_shuffling_tf_data_dataset_in_one_pass(self, tmp_path):
        tf = pytest.importorskip("tensorflow")
        dataset = tf.data.Dataset.from_tensor_slices((X, Y)).shuffle(60)
        search = self.recording_tuner(tmp_path)
        search.search(dataset.batch(16), epochs=1)
        self.assert_searched_the_pairs_of_x_and_y(search)

    def test_refuses_a_py_dataset_of_unknown_or_infinite_size(self, tmp_path):
        search = self.recording_tuner(tmp_path)
        for dataset in (EndlessBatches(), UnsizedBatches()):
            with pytest.raises(ValueError, match="finite dataset"):
                search.search(dataset, epochs=1)

    def test_refuses_what_it_cannot_read(self, tmp_path):
        tf = pytest.importorskip("tensorflow")
        dataset = tf.data.Dataset.from_tensor_slices((X, Y))
        search = self.recording_tuner(tmp_path)
        with pytest.raises(ValueError, match="finite dataset"):
            search.search(dataset.batch(16).repeat(), epochs=1)
        with pytest.raises(ValueError, match="dataset of batches"):
            search.search(dataset, epochs=1)
        with pytest.raises(ValueError, match="`y` must be None"):
            search.search(dataset.batch(16), Y, epochs=1)
        triples = tf.data.Dataset.from_tensor_slices((X, Y, Y)).batch(16)
        with pytest.raises(ValueError, match=r"3 part\(s\)"):
            search.search(triples, epochs=1)
        with pytest.raises(ValueError, match="needs the noisy labels"):
            search.search(X, epochs=1)


class NumClassesTest(TestCase):
    def test_base_with_other_class_count_is_refused(self, tmp_path):
        def ten_classes():
            return keras.Sequential([keras.Input((6,)), keras.layers.Dense(10)])

        hypermodel = tuning.NNAQCHyperModel(ten_classes, num_classes=5)
        with pytest.raises(ValueError, match="outputs 10 classes.*=5"):
            hypermodel.build(keras_tuner.HyperParameters())
        # The tuner builds the hypermodel once to learn the search space.
        with pytest.raises(ValueError, match="outputs 10 classes.*=5"):
            tuning.CrossValidationTuner(hypermodel, directory=tmp_path)

    def test_base_without_visible_outputs_is_refused_when_built(self):
        def ten_classes():
            return keras.Sequential([keras.layers.Dense(10)])

        hypermodel = tuning.NNAQCHyperModel(
            ten_classes, num_classes=5, from_logits=True
        )
        model = hypermodel.build(keras_tuner.HyperParameters())
        with pytest.raises(ValueError, match="10 classes.*num_classes=5"):
            model.fit(X, Y, epochs=1, verbose=0)

    def test_rejects_fewer_than_two_classes(self):
        with pytest.raises(ValueError, match="num_classes=1"):
            tuning.NNAQCHyperModel(tiny_base, num_classes=1)

    def test_passes_the_balance_term_on(self):
        hp = keras_tuner.HyperParameters()
        default = tuning.NNAQCHyperModel(tiny_base, 3).build(hp)
        self.assertEqual((default.balance, default.class_prior), (1.0, None))
        prior = [0.5, 0.3, 0.2]
        model = tuning.NNAQCHyperModel(
            tiny_base, 3, balance=0.5, class_prior=prior
        ).build(hp)
        self.assertEqual(model.balance, 0.5)
        self.assertAllClose(model.class_prior, prior)
        with pytest.raises(ValueError, match="balance="):
            tuning.NNAQCHyperModel(tiny_base, 3, balance=-1.0).build(hp)


class SpaceValidationTest(TestCase):
    @pytest.mark.parametrize(
        "name,value",
        [
            ("alpha", (-0.1, 1.0)),
            ("beta", (0.5, 1.5)),
            ("alpha", (0.8, 0.2)),
            ("dropout", (0.0, 1.0)),
            ("learning_rate", (0.0, 0.1)),
        ],
    )
    def test_rejects_out_of_range(self, name, value):
        with pytest.raises(
            ValueError, match=rf"{name}=\({value[0]}, {value[1]}\)"
        ):
            tuning.NNAQCHyperModel(tiny_base, 3, **{name: value})

    def test_rejects_log_sampling_from_zero(self):
        with pytest.raises(ValueError, match="'log' sampling.*alpha"):
            tuning.NNAQCHyperModel(tiny_base, 3, sampling="log")

    def test_rejects_unknown_modes(self):
        with pytest.raises(ValueError, match="noise_modes=\\('cubic',\\)"):
            tuning.NNAQCHyperModel(tiny_base, 3, noise_modes=("cubic",))

    def test_best_model_needs_data(self, tmp_path):
        with pytest.raises(ValueError, match="search"):
            tuner(tmp_path).best_model()


class WithoutKerasTunerTest(TestCase):
    def test_import_error_names_the_extra(self):
        code = (
            "import sys; sys.modules['keras_tuner'] = None\n"
            "import keras_nnaqc\n"
            "try:\n"
            "    import keras_nnaqc.tuning\n"
            "except ImportError as error:\n"
            "    print(error)\n"
        )
        completed = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, "KERAS_BACKEND": keras.backend.backend()},
        )
        self.assertTrue("pip install keras-nnaqc[tuner]" in completed.stdout)


class TuneCommandTest(TestCase):
    def test_tune_prints_the_choice_and_both_errors(self, tmp_path, capsys):
        from keras_nnaqc import cli

        cli.main(
            [
                "tune",
                "--dataset",
                "mnist_subset",
                "--train-size",
                "200",
                "--trials",
                "2",
                "--folds",
                "2",
                "--epochs",
                "1",
                "--directory",
                str(tmp_path),
            ]
        )
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        self.assertEqual(set(result["best_hyperparameters"]), {"alpha", "beta"})
        self.assertEqual(result["trials"], 2)
        for key in ("tuned_test_error", "paper_alpha_beta_test_error"):
            self.assertTrue(0 <= result[key] <= 100)


class TuningStudyTest(TestCase):
    def test_steps_the_rate_as_the_setting_does(self, tmp_path, monkeypatch):
        # Divided after epoch 4 of 8: after epoch 1 of a study of 2.
        setting = dataclasses.replace(SETTINGS["mnist_subset"], rate_steps=(4,))
        monkeypatch.setitem(SETTINGS, "mnist_subset", setting)
        rates = []

        class RecordingSteps(runner.RateSteps):
            def on_epoch_end(self, epoch, logs=None):
                rate = self.model.optimizer.learning_rate
                rates.append(float(keras.ops.convert_to_numpy(rate)))

        monkeypatch.setattr(runner, "RateSteps", RecordingSteps)
        tuning_study.tune_alpha_beta(
            "mnist_subset",
            train_size=100,
            trials=1,
            folds=2,
            epochs=2,
            directory=str(tmp_path),
        )
        # Two folds, the best retrained and alpha = beta = 0.9: four fits.
        self.assertAllClose(rates, [1e-3, 1e-4] * 4)
