import json
import pathlib

import keras
import numpy as np
import pytest

from keras_nnaqc import NoiseAdaptationLayer
from keras_nnaqc import NoisyLabelModel
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import load_script
from keras_nnaqc.testing import numpy_softmax
from keras_nnaqc.testing import to_numpy

SCRIPT = pathlib.Path(__file__).parents[1] / "scripts" / "nnaqc_variants.py"
_RNG = np.random.default_rng(0)
X = _RNG.normal(size=(8, 5)).astype("float32")
Y = _RNG.integers(0, 3, 8)


class PosteriorTargetTest(TestCase):
    def _model(self, model_class, beta):
        keras.utils.set_random_seed(0)
        base = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
        head = NoiseAdaptationLayer(
            kernel_initializer=keras.initializers.RandomNormal(
                stddev=3.0, seed=1
            )
        )
        model = model_class(
            base,
            noise_layer=head,
            alpha=0.7,
            beta=beta,
            beta_warmup_epochs=0,
            balance=0,
        )
        model(X)
        return model

    def _loss(self, model):
        return float(to_numpy(model.compute_loss(X, Y, model(X))))

    def test_loss_by_hand(self):
        model = self._model(load_script(SCRIPT).PosteriorTargetModel, beta=0.6)
        clean = numpy_softmax(to_numpy(model.base_model(X)))
        weights = to_numpy(model.noise_layer.weight_matrix)
        transition = numpy_softmax(weights)
        posterior = clean * transition[:, Y].T
        posterior /= posterior.sum(axis=1, keepdims=True)
        labels = np.eye(3)[Y]
        noisy = numpy_softmax(clean @ weights)
        nna = -(labels * np.log(noisy)).sum(axis=1)
        target = 0.6 * posterior + 0.4 * labels
        qc = -(target * np.log(clean)).sum(axis=1)
        expected = (0.7 * nna + 0.3 * qc).mean()
        self.assertAllClose(self._loss(model), expected, atol=1e-5)

    def test_beta_zero_is_the_papers_loss(self):
        posterior_class = load_script(SCRIPT).PosteriorTargetModel
        self.assertAllClose(
            self._loss(self._model(posterior_class, beta=0.0)),
            self._loss(self._model(NoisyLabelModel, beta=0.0)),
            atol=1e-6,
        )


class VariantTest(TestCase):
    def test_prior_is_the_models_balance_term(self):
        method = load_script(SCRIPT).variant("prior=2,warmup=2")
        self.assertEqual(method.name, "nnaqc_warmup2_prior2")
        base = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
        model, _ = method.build(base, 3, None)
        self.assertEqual(model.balance, 2.0)
        self.assertEqual(model.class_prior, None)
        self.assertEqual(model.beta_warmup_epochs, 2)


class PrecisionRecallCellTest(TestCase):
    def test_undefined_ratio_reads_n_a(self):
        # Clean labels: flagged ones are all right (precision 0), and
        # there is no wrong label to recall.
        cell = load_script(SCRIPT)._precision_recall
        self.assertEqual(cell({"precision": 0.0, "recall": None}), "0.00 / n/a")
        self.assertEqual(
            cell({"precision": 0.5, "recall": 0.25}), "0.50 / 0.25"
        )
        self.assertEqual(cell(None), "")


class HeadDistanceTest(TestCase):
    def test_a_twin_is_measured_against_its_label_sets_matrix(self, tmp_path):
        # Two classes; the `worse` labels send half of class 0 to class 1.
        clean = np.array([0, 0, 1, 1])
        worse = np.array([0, 1, 1, 1])
        path = tmp_path / "cifar10n.npz"
        np.savez(path, clean_label=clean, worse_label=worse)
        record = {
            "method": "nnaqc",
            "label_set": "worse_class_conditional",
            "transition_matrix": [[0.75, 0.25], [0.0, 1.0]],
        }
        rows = load_script(SCRIPT)._head_distances([record], str(path))
        # Learned diagonal 0.875, the labels' 0.75; rows 0.25 and 0 apart.
        self.assertEqual(
            rows[2],
            "| nnaqc | worse_class_conditional | 0.88 | 0.75 | 0.125 |  |  |",
        )


class ShiftProbeTest(TestCase):
    def test_plain_shift_variant_trains_the_shifting_base_model(self):
        from keras_nnaqc.reproduction.settings import shifting_cifar10_cnn

        script = load_script(SCRIPT)
        # The setting's shift of 4 pixels is no variant.
        with pytest.raises(ValueError, match="changes nothing"):
            script.variant("plain=1,shift=4")
        method = script.variant("plain=1,shift=2")
        self.assertEqual(method.name, "base_shift2")
        rng = np.random.default_rng(0)
        x = rng.normal(size=(20, 32, 32, 3)).astype("float32")
        trained = method.train(
            shifting_cifar10_cnn,
            x,
            rng.integers(0, 10, 20),
            10,
            optimizer="sgd",
            epochs=1,
            batch_size=10,
            verbose=0,
        )
        shift = trained.model.get_layer("shift")
        self.assertEqual(shift.height_factor, 2.5 / 32)  # 2 pixels, rounded
        self.assertEqual(len(trained.model.losses), 5)  # decayed kernels

    def test_rejects_what_a_probe_cannot_do(self):
        script = load_script(SCRIPT)
        with pytest.raises(ValueError, match="plain.*beta=0.5"):
            script.variant("plain=1,beta=0.5")
        with pytest.raises(ValueError, match="the registry's `base`"):
            script.variant("plain=1")
        method = script.variant("warmup=2,shift=0")
        with pytest.raises(ValueError, match="CIFAR-10's base model"):
            method.train(lambda: None, X, Y, 3, epochs=1)

    def test_rejects_shift_on_mnist(self, monkeypatch, capsys):
        script = load_script(SCRIPT)
        # Even the setting's 4, which is no change on CIFAR-10.
        arguments = ["--dataset", "mnist", "--variants", "warmup=2,shift=4"]
        monkeypatch.setattr("sys.argv", ["nnaqc_variants.py", *arguments])
        with pytest.raises(SystemExit):
            script.main()
        self.assertTrue("mnist's does not shift" in capsys.readouterr().err)

    def test_refuses_runs_of_another_setting(self, tmp_path, monkeypatch):
        script = load_script(SCRIPT)
        monkeypatch.setattr(script, "RESULTS", tmp_path)
        (tmp_path / "mnist").mkdir()
        # A run of another base model, as the unshifted MNIST runs were.
        record = {"dataset": "mnist", "epochs": 20, "base_model": "other_cnn"}
        path = tmp_path / "mnist" / "nnaqc_variants.jsonl"
        path.write_text(json.dumps(record) + "\n")
        monkeypatch.setattr("sys.argv", ["nnaqc_variants.py"])
        with pytest.raises(ValueError, match="'other_cnn'.*'mnist_cnn'"):
            script.main()
        self.assertEqual(path.read_text(), json.dumps(record) + "\n")


class WarmStartTest(TestCase):
    def test_nnaqc_starts_from_the_plain_model_trained_first(self):
        built = []

        def build_base_model():
            built.append(
                keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
            )
            return built[-1]

        method = load_script(SCRIPT).variant("warm=1,warmup=2")
        self.assertEqual(method.name, "nnaqc_warmup2_warm1")
        trained = method.train(
            build_base_model, X, Y, 3, epochs=2, batch_size=4, verbose=0
        )
        # One base model, fit plain first (its own history), then wrapped.
        self.assertEqual(len(built), 1)
        self.assertTrue(isinstance(trained.training_model, NoisyLabelModel))
        self.assertTrue(trained.training_model.base_model is built[0])
        self.assertEqual(len(trained.histories), 1)
        self.assertTrue("nna_loss" in trained.histories[0].history)

    def test_last_rate_starts_nnaqc_at_the_plain_models_last_rate(self):
        class StartingRates(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.rates = []

            def on_train_begin(self, logs=None):
                rate = self.model.optimizer.learning_rate
                self.rates.append(float(to_numpy(rate)))

        def starting_rates(spec):
            recorder = StartingRates()
            # The plain stage's second epoch does not improve its loss by
            # 1e9, so its rate is cut tenfold once.
            cut = keras.callbacks.ReduceLROnPlateau(
                "loss", factor=0.1, patience=0, min_delta=1e9
            )
            method = load_script(SCRIPT).variant(spec)
            method.train(
                lambda: keras.Sequential(
                    [keras.Input((5,)), keras.layers.Dense(3)]
                ),
                X, Y, 3,
                optimizer={"class_name": "SGD",
                           "config": {"learning_rate": 0.5}},
                epochs=2, batch_size=4, verbose=0, callbacks=[cut, recorder],
            )  # fmt: skip
            return method.name, recorder.rates

        name, rates = starting_rates("warm=1,last_rate=1")
        self.assertEqual(name, "nnaqc_warm1_last_rate1")
        self.assertAllClose(rates, [0.5, 0.05])
        self.assertAllClose(starting_rates("warm=1")[1], [0.5, 0.5])
        with pytest.raises(ValueError, match="`warm` trains first"):
            load_script(SCRIPT).variant("last_rate=1")


class EstimatedStartTest(TestCase):
    def test_head_starts_at_the_estimated_matrix(self):
        script = load_script(SCRIPT)
        method = script.variant("estimated=1,speed=10")
        self.assertEqual(method.name, "nnaqc_speed10_estimated1")
        self.assertEqual(method.transition, "estimated")
        matrix = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]])
        base = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
        model, loss = method.build(base, 3, matrix)
        self.assertEqual(loss, None)
        # A one-hot clean prediction gets its row of the matrix.
        head = model.noise_layer
        self.assertEqual(head.kernel_speed, 10.0)
        noisy = numpy_softmax(np.eye(3) @ to_numpy(head.weight_matrix))
        self.assertAllClose(noisy, matrix, atol=1e-6)

    def test_trains_the_plain_model_then_nnaqc(self):
        method = load_script(SCRIPT).variant("estimated=1")
        trained = method.train(
            lambda: keras.Sequential(
                [keras.Input((5,)), keras.layers.Dense(3)]
            ),
            X, Y, 3, epochs=1, batch_size=4, verbose=0,
        )  # fmt: skip
        self.assertEqual(len(trained.histories), 2)
        self.assertTrue("nna_loss" in trained.histories[1].history)

    def test_rejects_another_start(self):
        for spec in ("gain=2", "warm=1", "ramp=1"):
            with pytest.raises(ValueError, match="sets the head's start"):
                load_script(SCRIPT).variant(f"estimated=1,{spec}")

    def test_cells_name_the_noise_model(self):
        cell = load_script(SCRIPT)._cell
        run = {"noise": 0.45, "noise_model": "pair", "train_size": 9, "seed": 0}
        self.assertEqual(cell(run), ("pair 45%", 9, 0))
        self.assertEqual(cell({**run, "noise_model": None}), (0.45, 9, 0))
        human = {**run, "noise": None, "label_set": "worse"}
        self.assertEqual(cell(human), ("worse", 9, 0))

    def test_planned_runs_match_their_records(self):
        # What `main` skips: the cell of a run it would record.
        planned = load_script(SCRIPT)._planned_cell
        pair = {"noise_rate": 0.45, "noise_model": "pair"}
        self.assertEqual(planned(pair, 9, 1), ("pair 45%", 9, 1))
        eq1 = {"noise_rate": 0.5, "noise_model": "uniform_simplex"}
        self.assertEqual(planned(eq1, None, 0), (0.5, None, 0))
        human = {"labels_path": "n.npz", "label_set": "worse"}
        self.assertEqual(planned(human, 9, 0), ("worse", 9, 0))
