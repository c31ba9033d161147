"""CIFAR-10 and CIFAR-10N from local files, and one noisy-data path."""

import json

import numpy as np
import pytest

from keras_nnaqc import cli
from keras_nnaqc import datasets
from keras_nnaqc import noise
from keras_nnaqc.datasets import load_mnist_subset
from keras_nnaqc.reproduction import load_noisy_data
from keras_nnaqc.reproduction import read_results
from keras_nnaqc.reproduction import run_grid
from keras_nnaqc.reproduction.matconvnet import matconvnet_whitening
from keras_nnaqc.testing import TestCase

LABEL_KEYS = ("aggre_label", "random_label1", "random_label2")
LABEL_KEYS += ("random_label3", "worse_label")


def streams(seed):
    """The four seeds the package must draw from, written out here."""
    return np.random.SeedSequence(seed).spawn(4)


@pytest.fixture(scope="module")
def cifar_files(tmp_path_factory):
    """A 300/60-image CIFAR-10 file and a matching CIFAR-10N label file,
    whose `worse` labels are wrong at every third image."""
    folder = tmp_path_factory.mktemp("cifar")
    rng = np.random.default_rng(0)
    y_train = rng.integers(0, 10, size=(300, 1)).astype("uint8")
    images = folder / "cifar10.npz"
    np.savez(
        images,
        x_train=rng.integers(0, 256, (300, 32, 32, 3)).astype("uint8"),
        y_train=y_train,
        x_test=rng.integers(0, 256, (60, 32, 32, 3)).astype("uint8"),
        y_test=rng.integers(0, 10, size=(60, 1)).astype("uint8"),
    )
    clean = y_train[:, 0]
    worse = clean.copy()
    worse[::3] = (worse[::3] + 1) % 10
    labels = {key: clean for key in LABEL_KEYS}
    labels["worse_label"] = worse
    human = folder / "cifar10n.npz"
    np.savez(human, clean_label=clean, **labels)
    return str(images), str(human), clean, worse


class LocalCifar10Test(TestCase):
    def test_cifar10_noisy_data_from_the_file(self, cifar_files):
        images, _, clean, _ = cifar_files
        data = load_noisy_data(
            "cifar10", 0.5, train_size=200, seed=0, data_path=images
        )
        subset, matrix, draw, _ = streams(0)
        chosen = np.sort(np.random.default_rng(subset).permutation(300)[:200])
        phi = noise.uniform_simplex(10, 0.5, np.random.default_rng(matrix))
        expected = noise.corrupt(clean[chosen], phi, seed=draw)
        self.assertTrue(np.array_equal(data["noisy_labels"], expected))
        self.assertTrue(np.array_equal(data["y_train"], clean[chosen]))
        # Whitened as MatConvNet does (WhiteningTest), at its pixel scale,
        # with the statistics of all 300 training images.
        with np.load(images) as arrays:
            whitened, _ = matconvnet_whitening(
                arrays["x_train"], arrays["x_test"], unit_scale=False
            )
        self.assertEqual(data["x_train"].dtype, "float32")
        self.assertAllClose(data["x_train"], whitened[chosen], atol=1e-5)

    def test_instance_dependent_noise_on_the_stored_pixels(self, cifar_files):
        # IDN projects the raw pixel values, as Xia et al.'s code, not the
        # whitened images the model is fed.
        images = cifar_files[0]
        data = load_noisy_data(
            "cifar10", 0.4, train_size=200, seed=0, data_path=images,
            noise_model="idn",
        )  # fmt: skip
        subset, _, draw, _ = streams(0)
        chosen = np.sort(np.random.default_rng(subset).permutation(300)[:200])
        with np.load(images) as arrays:
            pixels = arrays["x_train"][chosen]
        expected = noise.instance_dependent(
            pixels, data["y_train"], 0.4, draw, num_classes=10
        )
        self.assertTrue(np.array_equal(data["noisy_labels"], expected))
        whitened = noise.instance_dependent(
            data["x_train"], data["y_train"], 0.4, draw, num_classes=10
        )
        self.assertTrue(not np.array_equal(whitened, expected))
        self.assertTrue(0.3 < data["actual_noise"] < 0.5)

    def test_cifar10n_trains_on_the_chosen_human_labels(
        self, cifar_files, capsys
    ):
        images, human, clean, worse = cifar_files
        cli.main(
            ["run", "--dataset", "cifar10n", "--data", images]
            + ["--labels", human, "--label-set", "worse", "--method", "base"]
            + ["--train-size", "200", "--epochs", "1", "--seed", "1"]
        )
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        chosen = np.sort(
            np.random.default_rng(streams(1)[0]).permutation(300)[:200]
        )
        expected = np.mean(worse[chosen] != clean[chosen])
        self.assertEqual(result["label_set"], "worse")
        self.assertEqual(result["noise"], None)
        self.assertAllClose(result["actual_noise"], expected, atol=1e-6)
        # The subset's clean-to-noisy matrix, recorded with the result.
        counts = np.zeros((10, 10))
        np.add.at(counts, (clean[chosen], worse[chosen]), 1)
        matrix = counts / np.maximum(counts.sum(1, keepdims=True), 1)
        self.assertAllClose(result["noise_matrix"], matrix, atol=1e-5)

    def test_tune_cross_validates_on_the_human_labels(
        self, cifar_files, capsys, tmp_path
    ):
        images, human, _, _ = cifar_files
        flags = ["tune", "--dataset", "cifar10n", "--data", images]
        flags += ["--labels", human, "--label-set", "worse"]
        cli.main(
            flags
            + ["--train-size", "100", "--trials", "1", "--folds", "2"]
            + ["--epochs", "1", "--directory", str(tmp_path)]
        )
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        self.assertEqual(result["label_set"], "worse")
        self.assertEqual(result["noise"], None)
        self.assertEqual(result["train_size"], 100)
        self.assertTrue((tmp_path / "cifar10n_worse_n100_seed0").is_dir())
        self.assertTrue(0 <= result["tuned_test_error"] <= 100)
        with pytest.raises(SystemExit):
            cli.main(flags + ["--noise", "0.3", "--directory", str(tmp_path)])
        error = capsys.readouterr().err
        self.assertTrue("noise_rate=0.3" in error)

    def test_pruning_scores_what_it_kept_of_human_labels(
        self, cifar_files, capsys
    ):
        # NNAQC then retraining on what `label_issues` did not flag, as
        # CIFAR-10N's benchmark runs it.
        images, human, _, _ = cifar_files
        cli.main(
            ["run", "--dataset", "cifar10n", "--data", images]
            + ["--labels", human, "--label-set", "worse"]
            + ["--method", "nnaqc_prune", "--train-size", "200"]
            + ["--epochs", "1", "--seed", "0"]
        )
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        self.assertEqual(result["method"], "nnaqc_prune")
        self.assertTrue(0 <= result["flagged"]["recall"] <= 1)
        # The kept labels are wrong only as the file's are, one class up.
        kept = np.array(result["kept_noise_matrix"])
        off_diagonal = kept - np.diag(np.diag(kept))
        one_up = np.roll(np.eye(10), 1, axis=1).astype(bool)
        self.assertTrue(np.all(off_diagonal[~one_up] == 0))
        self.assertTrue(np.any(off_diagonal[one_up] > 0))
        filled = kept.sum(axis=1) > 0
        self.assertTrue(np.any(filled))
        self.assertAllClose(kept.sum(axis=1)[filled], 1.0, atol=1e-4)

    def test_genie_gets_the_empirical_matrix_of_human_noise(self, cifar_files):
        images, human, clean, worse = cifar_files
        data = load_noisy_data(
            "cifar10n", data_path=images, labels_path=human, label_set="worse"
        )
        counts = np.zeros((10, 10))
        np.add.at(counts, (clean, worse), 1)
        expected = counts / np.maximum(counts.sum(1, keepdims=True), 1)
        self.assertAllClose(data["transition_matrix"], expected, atol=1e-6)
        self.assertTrue(np.array_equal(data["noisy_labels"], worse))

    def test_class_conditional_twin_redraws_from_the_labels_matrix(
        self, cifar_files
    ):
        # `worse` is wrong at every third image, one class up; its twin
        # draws each image's label from its class's row of that matrix.
        images, human, clean, worse = cifar_files
        data = load_noisy_data(
            "cifar10n", train_size=200, seed=2, data_path=images,
            labels_path=human, label_set="worse_class_conditional",
        )  # fmt: skip
        counts = np.zeros((10, 10))
        np.add.at(counts, (clean, worse), 1)
        matrix = counts / counts.sum(1, keepdims=True)
        subset, _, draw, _ = streams(2)
        twin = noise.corrupt(clean, matrix, np.random.default_rng(draw))
        chosen = np.sort(np.random.default_rng(subset).permutation(300)[:200])
        self.assertTrue(np.array_equal(data["noisy_labels"], twin[chosen]))
        self.assertTrue(np.array_equal(data["y_train"], clean[chosen]))
        wrong = twin != clean
        self.assertTrue(np.all(twin[wrong] == (clean[wrong] + 1) % 10))
        # Other images than the workers' third ones, about as many.
        self.assertTrue(not np.array_equal(wrong, worse != clean))
        self.assertTrue(70 <= wrong.sum() <= 130)
        # Another seed, the same (all) images: another draw.
        again = load_noisy_data(
            "cifar10n", seed=3, data_path=images, labels_path=human,
            label_set="worse_class_conditional",
        )  # fmt: skip
        other = noise.corrupt(
            clean, matrix, np.random.default_rng(streams(3)[2])
        )
        self.assertTrue(np.array_equal(again["noisy_labels"], other))
        self.assertTrue(not np.array_equal(other, twin))

    def test_rejects_what_does_not_fit(self, cifar_files, tmp_path):
        images, human, clean, _ = cifar_files
        with pytest.raises(ValueError, match="noise_rate=0.3"):
            load_noisy_data(
                "cifar10n", 0.3, data_path=images, labels_path=human,
                label_set="aggre",
            )  # fmt: skip
        with pytest.raises(ValueError, match="label_set='worst'"):
            load_noisy_data(
                "cifar10n", data_path=images, labels_path=human,
                label_set="worst",
            )  # fmt: skip
        with pytest.raises(ValueError, match="label_set='aggre'"):
            load_noisy_data("cifar10", 0.3, data_path=images, label_set="aggre")
        shuffled = tmp_path / "shuffled.npz"
        keys = {key: clean[::-1] for key in LABEL_KEYS + ("clean_label",)}
        np.savez(shuffled, **keys)
        with pytest.raises(ValueError, match="not those of the training"):
            load_noisy_data(
                "cifar10n", data_path=images, labels_path=str(shuffled),
                label_set="aggre",
            )  # fmt: skip


class Cifar10nGridTest(TestCase):
    def test_one_column_per_label_set(self, cifar_files, tmp_path):
        images, human, clean, worse = cifar_files
        arguments = {
            "methods": ["base"],
            "noise_rates": None,
            "train_sizes": [100],
            "seeds": [0],
            "out_dir": tmp_path,
            "epochs": 1,
            "data_path": images,
            "labels_path": human,
        }
        results = run_grid(
            "cifar10n", label_sets=["worse", "aggre"], **arguments
        )
        self.assertEqual([r["label_set"] for r in results], ["worse", "aggre"])
        self.assertEqual(results[1]["actual_noise"], 0.0)
        table = (tmp_path / "table.md").read_text().splitlines()
        self.assertEqual(table[2], "| **Noise** | **worse** | **aggre** |")
        # Resumed: nothing runs again, and a third set only adds its runs.
        twin = "worse_class_conditional"
        again = run_grid(
            "cifar10n", label_sets=["aggre", "worse", twin], **arguments
        )
        self.assertEqual(len(read_results(tmp_path / "results.jsonl")), 3)
        self.assertEqual(len(again), 3)
        self.assertEqual(again[2]["label_set"], twin)
        table = (tmp_path / "table.md").read_text().splitlines()
        self.assertTrue(f"| **{twin}** |" in table[2])
        with pytest.raises(ValueError, match="label_sets=\\['worst'\\]"):
            run_grid("cifar10n", label_sets=["worst"], **arguments)


def mnist_subset_file(tmp_path):
    """The packaged MNIST subset as a local file, its training images and
    labels, and the 2,000 of them seed 3 draws."""
    (x_train, y_train), (x_test, y_test) = load_mnist_subset()
    path = tmp_path / "mnist.npz"
    np.savez(
        path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test
    )
    chosen = np.sort(
        np.random.default_rng(streams(3)[0]).permutation(10000)[:2000]
    )
    return str(path), x_train, y_train, chosen


class OneNoisyDataPathTest(TestCase):
    def test_runner_and_datasets_draw_the_same_noisy_labels(self, tmp_path):
        path, _, y_train, chosen = mnist_subset_file(tmp_path)
        _, matrix, draw, _ = streams(3)
        phi = noise.uniform_simplex(10, 0.5, np.random.default_rng(matrix))
        expected = noise.corrupt(y_train[chosen], phi, seed=draw)

        runner = load_noisy_data(
            "mnist", 0.5, train_size=2000, seed=3, data_path=path
        )
        loader = datasets.load(
            "mnist", noise_rate=0.5, train_size=2000, seed=3, data_dir=path
        )
        self.assertTrue(np.array_equal(runner["noisy_labels"], expected))
        self.assertTrue(np.array_equal(loader.noisy_labels, expected))
        self.assertTrue(np.array_equal(loader.clean_labels, y_train[chosen]))

    def test_idn_projects_the_stored_pixels_in_every_mnist_setting(
        self, tmp_path
    ):
        # MatConvNet's setting feeds centred images, but IDN projects the
        # pixels as stored, as the Adam setting and `datasets.load` do.
        path, x_train, y_train, chosen = mnist_subset_file(tmp_path)
        draw = streams(3)[2]
        expected = noise.instance_dependent(
            x_train[chosen], y_train[chosen], 0.4, draw, num_classes=10
        )
        for dataset in ("mnist", "mnist_matconvnet"):
            runner = load_noisy_data(
                dataset, 0.4, train_size=2000, seed=3, noise_model="idn",
                data_path=path,
            )  # fmt: skip
            self.assertTrue(np.array_equal(runner["noisy_labels"], expected))
        loader = datasets.load(
            "mnist", noise_rate=0.4, train_size=2000, seed=3,
            noise_model="idn", data_dir=path,
        )  # fmt: skip
        self.assertTrue(np.array_equal(loader.noisy_labels, expected))


class WhiteningTest(TestCase):
    def reference(self, x_train, x_test):
        """MatConvNet's cnn_cifar.m, step by step, in float64."""
        train = x_train.reshape(len(x_train), -1).astype(np.float64)
        test = x_test.reshape(len(x_test), -1).astype(np.float64)
        mean = train.mean(axis=0)
        train, test = train - mean, test - mean

        def contrast(z, deviation=None):
            z = z - z.mean(axis=1, keepdims=True)
            n = z.std(axis=1, ddof=1)
            deviation = n.mean() if deviation is None else deviation
            return z * (deviation / np.maximum(n, 40))[:, None], deviation

        train, deviation = contrast(train)
        test, _ = contrast(test, deviation)
        values, vectors = np.linalg.eigh(train.T @ train / len(train))
        values = np.maximum(values, 0)
        gains = np.sqrt(values.mean()) / np.maximum(np.sqrt(values), 10)
        whitening = vectors @ np.diag(gains) @ vectors.T
        train, test = train @ whitening, test @ whitening
        return train / train.std(), test / train.std()

    @pytest.mark.parametrize("count", [20, 200])
    def test_matches_matconvnet(self, count):
        # 20 images of 48 values use the small Gram matrix, 200 the
        # covariance.
        rng = np.random.default_rng(count)
        x_train = rng.integers(0, 256, (count, 4, 4, 3)).astype("uint8")
        x_test = rng.integers(0, 256, (5, 4, 4, 3)).astype("uint8")
        train, test = matconvnet_whitening(x_train, x_test)
        expected_train, expected_test = self.reference(x_train, x_test)
        self.assertEqual((train.shape, train.dtype), (x_train.shape, "float32"))
        self.assertAllClose(
            train.reshape(count, -1), expected_train, atol=1e-4, rtol=1e-4
        )
        self.assertAllClose(
            test.reshape(5, -1), expected_test, atol=1e-4, rtol=1e-4
        )
