import os

import numpy as np
import pytest

from keras_nnaqc import datasets
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import write_clothing1m
from keras_nnaqc.testing import write_image

tfds = pytest.importorskip("tensorflow_datasets")
tf = pytest.importorskip("tensorflow")


def image_label_pairs(dataset):
    """Every (image bytes -> label) of one pass over a dataset."""
    pairs = {}
    for images, labels in dataset:
        for image, label in zip(
            np.asarray(images), np.asarray(labels), strict=True
        ):
            pairs[image.tobytes()] = int(label)
    return pairs


class TfdsLoaderTest(TestCase):
    @pytest.mark.parametrize(
        "name,shape,classes",
        [
            ("mnist", (28, 28, 1), 10),
            ("cifar10", (32, 32, 3), 10),
            ("cifar100", (32, 32, 3), 100),
        ],
    )
    def test_in_memory_datasets(self, name, shape, classes):
        with tfds.testing.mock_data(num_examples=300):
            train = datasets.load(name, noise_rate=0.5, batch_size=32, seed=1)
            test = datasets.load(name, split="test", batch_size=32)
        images, labels = next(iter(train.dataset))
        self.assertEqual(tuple(images.shape), (32, *shape))
        self.assertEqual((len(train), train.num_classes), (300, classes))
        self.assertEqual(train.transition_matrix.shape, (classes, classes))
        self.assertTrue(0.35 < train.actual_noise < 0.65)
        self.assertTrue(test.transition_matrix is None)
        np.testing.assert_array_equal(test.noisy_labels, test.clean_labels)
        if name == "cifar100":
            self.assertEqual(train.coarse_labels.shape, (300,))

    def test_noisy_labels_fixed_across_epochs_and_runs(self):
        with tfds.testing.mock_data(num_examples=200):
            common = {"noise_rate": 0.5, "batch_size": 16}
            first = datasets.load("cifar10", seed=3, **common)
            again = datasets.load("cifar10", seed=3, **common)
            other = datasets.load("cifar10", seed=4, **common)
        epoch_one = image_label_pairs(first.dataset)
        self.assertEqual(len(epoch_one), 200)
        self.assertEqual(image_label_pairs(first.dataset), epoch_one)
        np.testing.assert_array_equal(first.noisy_labels, again.noisy_labels)
        assert not np.array_equal(first.noisy_labels, other.noisy_labels)

    def test_subsets_and_held_out_part_share_the_noise(self):
        common = {
            "noise_rate": 0.4,
            "seed": 2,
            "train_size": 150,
            "validation_split": 0.2,
        }
        with tfds.testing.mock_data(num_examples=300):
            train = datasets.load("mnist", subset="training", **common)
            held_out = datasets.load("mnist", subset="validation", **common)
        self.assertEqual((len(train), len(held_out)), (120, 30))
        np.testing.assert_array_equal(
            train.transition_matrix, held_out.transition_matrix
        )
        seen = {image.tobytes() for image in train.images}
        self.assertTrue(
            not seen & {image.tobytes() for image in held_out.images}
        )

    @pytest.mark.parametrize(
        "name,choice,field",
        [
            ("cifar10_n", "worse", "worse_label"),
            ("cifar10_n", "random2", "random_label2"),
            ("cifar100_n", "noisy", "noise_label"),
        ],
    )
    def test_cifar_n_human_labels(self, name, choice, field):
        with tfds.testing.mock_data(num_examples=50):
            loaded = datasets.load(name, noisy_label=choice, shuffle=False)
            raw = next(
                iter(tfds.as_numpy(tfds.load(name, split="train").batch(50)))
            )
            test = datasets.load(name, split="test")
        np.testing.assert_array_equal(loaded.noisy_labels, raw[field])
        np.testing.assert_array_equal(loaded.clean_labels, raw["label"])
        self.assertTrue(loaded.transition_matrix is None)
        self.assertEqual(len(test), 50)

    def test_cifar_n_rejects_synthetic_noise_and_unknown_labels(self):
        with tfds.testing.mock_data(num_examples=10):
            with pytest.raises(ValueError, match="noise_rate=0.3"):
                datasets.load("cifar10_n", noise_rate=0.3)
            with pytest.raises(ValueError, match="noisy_label='best'"):
                datasets.load("cifar10_n", noisy_label="best")

    def test_imagenet_stream_with_sparse_noise(self):
        with tfds.testing.mock_data(num_examples=40):
            train = datasets.load(
                "imagenet2012",
                noise_rate=0.5,
                image_size=(32, 32),
                batch_size=8,
            )
        images, labels = next(iter(train.dataset))
        self.assertEqual(tuple(images.shape), (8, 32, 32, 3))
        off_diagonal = train.transition_matrix * (1 - np.eye(1000))
        np.testing.assert_array_equal((off_diagonal > 0).sum(axis=1), 10)
        ordered = np.concatenate([y for _, y in train.ordered()])
        np.testing.assert_array_equal(ordered, train.noisy_labels)
        self.assertEqual(
            image_label_pairs(train.dataset), image_label_pairs(train.dataset)
        )

    def test_imagenet_missing_download_says_what_to_do(self, tmp_path):
        pytest.importorskip("importlib_resources")
        with pytest.raises(FileNotFoundError, match="ILSVRC2012_img_train.tar"):
            datasets.load("imagenet2012", data_dir=str(tmp_path))

    def test_rejects_unknown_datasets(self):
        with pytest.raises(
            ValueError, match="'svhn'. Valid datasets: .*cifar10_n.*name='svhn'"
        ):
            datasets.load("svhn")


class LocalFilesTest(TestCase):
    def test_mnist_from_a_local_file(self, tmp_path):
        path = str(tmp_path / "mnist.npz")
        (x_train, y_train), (x_test, y_test) = datasets.load_mnist_subset()
        np.savez(
            path,
            x_train=x_train[:50],
            y_train=y_train[:50],
            x_test=x_test[:20],
            y_test=y_test[:20],
        )
        train = datasets.load("mnist", data_dir=path, noise_rate=0.3)
        self.assertEqual(train.images.shape, (50, 28, 28, 1))
        np.testing.assert_array_equal(train.clean_labels, y_train[:50])

    def test_cifar10_from_a_local_file(self, tmp_path):
        path = str(tmp_path / "cifar10.npz")
        rng = np.random.default_rng(0)
        x_test = rng.integers(0, 256, (20, 32, 32, 3)).astype("uint8")
        y_test = rng.integers(0, 10, (20, 1)).astype("uint8")
        np.savez(
            path, x_train=x_test[:5], y_train=y_test[:5], x_test=x_test,
            y_test=y_test,
        )  # fmt: skip
        test = datasets.load("cifar10", "test", data_dir=path, shuffle=False)
        np.testing.assert_array_equal(test.images, x_test)
        np.testing.assert_array_equal(test.clean_labels, y_test[:, 0])
        self.assertEqual((len(test), test.num_classes), (20, 10))
        with pytest.raises(ValueError, match="split='validation'"):
            datasets.load("cifar10", "validation", data_dir=path)

    def test_clothing1m_splits(self, tmp_path):
        noisy, clean = write_clothing1m(str(tmp_path))
        train = datasets.load(
            "clothing1m",
            "noisy_train",
            data_dir=tmp_path,
            image_size=(8, 8),
            batch_size=4,
            shuffle=False,
        )
        np.testing.assert_array_equal(
            train.noisy_labels, [i % 14 for i in range(6)]
        )
        # Only the first three noisy images also have a clean label.
        np.testing.assert_array_equal(train.clean_labels, [1, 2, 3, -1, -1, -1])
        self.assertAllClose(train.actual_noise, 1.0)
        images, labels = next(iter(train.dataset))
        self.assertEqual(tuple(images.shape), (4, 8, 8, 3))
        self.assertEqual(images.dtype, tf.float32)
        for split, count in [
            ("clean_train", 2),
            ("clean_val", 1),
            ("clean_test", 1),
        ]:
            loaded = datasets.load("clothing1m", split, data_dir=tmp_path)
            self.assertEqual(len(loaded), count)
            np.testing.assert_array_equal(
                loaded.noisy_labels, loaded.clean_labels
            )

    def test_clothing1m_missing_files_are_named(self, tmp_path):
        (tmp_path / "noisy_label_kv.txt").write_text("")
        with pytest.raises(
            FileNotFoundError, match="clean_label_kv.txt.*Missing"
        ):
            datasets.load("clothing1m", "noisy_train", data_dir=tmp_path)

    def test_caffe_preprocessing(self, tmp_path):
        write_clothing1m(str(tmp_path))
        loaded = datasets.load(
            "clothing1m",
            "clean_test",
            data_dir=tmp_path,
            image_size=(8, 8),
            preprocessing="caffe",
        )
        images, _ = next(iter(loaded.dataset))
        # A uniform grey of 30 minus the BGR ImageNet mean, channel by channel.
        expected = 30.0 - np.array([103.939, 116.779, 123.68])
        self.assertAllClose(np.asarray(images)[0, 4, 4], expected, atol=2.5)

    def test_image_directory(self, tmp_path):
        for name, count in [("cats", 6), ("dogs", 4)]:
            for i in range(count):
                write_image(str(tmp_path / name / f"{i}.jpg"), 20 * i)
        common = {
            "image_size": (16, 16),
            "validation_split": 0.3,
            "noise_rate": 0.5,
        }
        train = datasets.load_image_directory(
            tmp_path, subset="training", **common
        )
        held_out = datasets.load_image_directory(
            tmp_path, subset="validation", **common
        )
        self.assertEqual(train.class_names, ["cats", "dogs"])
        self.assertEqual((len(train), len(held_out)), (7, 3))
        self.assertEqual(set(train.paths) & set(held_out.paths), set())
        self.assertEqual(
            [p.split(os.sep)[-2] for p in train.paths],
            [["cats", "dogs"][label] for label in train.clean_labels],
        )
        images, _ = next(iter(train.dataset))
        self.assertEqual(tuple(images.shape)[1:], (16, 16, 3))

    def test_image_directory_errors(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="nowhere"):
            datasets.load_image_directory(tmp_path / "nowhere")
        (tmp_path / "only").mkdir()
        with pytest.raises(ValueError, match="1 class folders"):
            datasets.load_image_directory(tmp_path)


class GroupedNoiseTest(TestCase):
    def test_errors_stay_within_superclasses(self):
        groups = np.repeat(np.arange(4), 3)
        labels = np.arange(1200) % 12
        loaded = datasets.load_arrays(
            np.zeros((1200, 2, 2, 1), np.uint8),
            labels,
            num_classes=12,
            noise_rate=0.6,
            noise_model="grouped",
            groups=groups,
        )
        np.testing.assert_array_equal(
            groups[loaded.clean_labels], groups[loaded.noisy_labels]
        )
        self.assertTrue(0.5 < loaded.actual_noise < 0.7)
        across = groups[:, None] != groups[None, :]
        self.assertTrue(np.all(loaded.transition_matrix[across] == 0))
        self.assertAllClose(loaded.transition_matrix.diagonal(), [0.4] * 12)


class NoiseRateRenameTest(TestCase):
    """`noise` still works for a release, with a warning, as `noise_rate`."""

    def test_old_keyword_warns_and_draws_the_same_labels(self, tmp_path):
        (x_train, y_train), (x_test, y_test) = datasets.load_mnist_subset()
        path = str(tmp_path / "mnist.npz")
        np.savez(
            path, x_train=x_train[:200], y_train=y_train[:200],
            x_test=x_test[:10], y_test=y_test[:10],
        )  # fmt: skip
        for name in ("cats", "dogs"):
            for i in range(4):
                write_image(str(tmp_path / "folder" / name / f"{i}.jpg"), i)
        calls = {
            datasets.load: ("mnist", "train", {"data_dir": path}),
            datasets.load_arrays: (x_train[:200], y_train[:200], {}),
            datasets.load_image_directory: (tmp_path / "folder", {}),
        }
        for function, (*args, kwargs) in calls.items():
            renamed = function(*args, noise_rate=0.5, seed=1, **kwargs)
            with pytest.warns(DeprecationWarning, match="noise_rate=0.5"):
                old = function(*args, noise=0.5, seed=1, **kwargs)
            np.testing.assert_array_equal(
                old.noisy_labels, renamed.noisy_labels
            )
            self.assertTrue(old.actual_noise > 0)
            np.testing.assert_array_equal(
                old.transition_matrix, renamed.transition_matrix
            )

    def test_old_and_new_keyword_together_are_refused(self):
        with pytest.raises(ValueError, match="noise=0.5, noise_rate=0.3"):
            datasets.load_arrays(
                np.zeros((4, 2, 2, 1)), [0, 1, 0, 1], noise_rate=0.3, noise=0.5
            )

    def test_rate_out_of_range_names_the_argument(self):
        with pytest.raises(ValueError, match="Received: noise_rate=1.5"):
            datasets.load_arrays(np.zeros((4, 2, 2, 1)), [0, 1, 0, 1], 2, 1.5)
