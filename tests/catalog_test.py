"""The dataset specs agree with the data their readers give."""

import os

import numpy as np
import pytest

from keras_nnaqc import datasets
from keras_nnaqc.datasets.catalog import SPECS
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import write_clothing1m

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("tensorflow")

TFDS_DATASETS = [name for name in datasets.DATASETS if name != "clothing1m"]
# The human labels of CIFAR-N, by the names of its paper, and their fields
# in TFDS.
HUMAN_LABEL_FIELDS = {
    "cifar10_n": {
        "aggre": "aggre_label",
        "random1": "random_label1",
        "random2": "random_label2",
        "random3": "random_label3",
        "worse": "worse_label",
    },
    "cifar100_n": {"noisy": "noise_label"},
}


class CatalogTest(TestCase):
    def test_every_dataset_has_one_spec(self):
        self.assertEqual(
            datasets.DATASETS,
            (
                "mnist",
                "cifar10",
                "cifar100",
                "cifar10_n",
                "cifar100_n",
                "imagenet2012",
                "clothing1m",
            ),
        )
        for name, spec in SPECS.items():
            self.assertEqual(spec.name, name)
            self.assertTrue(set(spec.training_splits) <= set(spec.splits))
            # A dataset gets synthetic noise, real noisy labels, or both.
            self.assertTrue(spec.noise_model or spec.noisy_label_sets)

    @pytest.mark.parametrize("name", TFDS_DATASETS)
    def test_class_count_is_that_of_tfds(self, name):
        features = tfds.builder(name).info.features
        self.assertEqual(SPECS[name].num_classes, features["label"].num_classes)

    @pytest.mark.parametrize("name", TFDS_DATASETS)
    def test_every_split_loads_with_the_spec_class_count(self, name):
        spec = SPECS[name]
        with tfds.testing.mock_data(num_examples=30):
            for split in spec.splits:
                loaded = datasets.load(
                    name, split, image_size=(8, 8), batch_size=10
                )
                self.assertEqual(loaded.num_classes, spec.num_classes)
                self.assertEqual(len(loaded), 30)
                self.assertTrue(loaded.clean_labels.max() < spec.num_classes)
                self.assertEqual(
                    loaded.dataset.element_spec[0].shape[-1],
                    1 if name == "mnist" else 3,
                )

    @pytest.mark.parametrize("name", sorted(HUMAN_LABEL_FIELDS))
    def test_label_sets_are_the_human_labels_of_tfds(self, name):
        fields = HUMAN_LABEL_FIELDS[name]
        spec = SPECS[name]
        self.assertEqual(spec.noisy_label_sets, tuple(fields))
        self.assertTrue(spec.noise_model is None)
        features = tfds.builder(name).info.features
        self.assertTrue(set(fields.values()) <= set(features))
        with tfds.testing.mock_data(num_examples=20):
            raw = next(
                iter(tfds.as_numpy(tfds.load(name, split="train").batch(20)))
            )
            for label_set, field in fields.items():
                loaded = datasets.load(name, noisy_label=label_set)
                np.testing.assert_array_equal(loaded.noisy_labels, raw[field])

    def test_clothing1m_spec_matches_its_release(self, tmp_path):
        write_clothing1m(str(tmp_path))
        spec = SPECS["clothing1m"]
        key_lists = sorted(
            file.removesuffix("_key_list.txt")
            for file in os.listdir(tmp_path)
            if file.endswith("_key_list.txt")
        )
        self.assertEqual(sorted(spec.splits), key_lists)
        self.assertEqual(spec.num_classes, 14)  # The paper's 14 classes.
        for split in spec.splits:
            loaded = datasets.load(
                "clothing1m", split, data_dir=tmp_path, image_size=(8, 8)
            )
            self.assertEqual(loaded.num_classes, 14)
        # The release's noisy labels: image i of the noisy set is i % 14.
        noisy = datasets.load(
            "clothing1m",
            "noisy_train",
            data_dir=tmp_path,
            noisy_label=spec.noisy_label_sets[0],
            shuffle=False,
        )
        np.testing.assert_array_equal(noisy.noisy_labels, np.arange(6) % 14)
        with pytest.raises(ValueError, match="noisy_label='worse'"):
            datasets.load(
                "clothing1m", "noisy_train", data_dir=tmp_path,
                noisy_label="worse",
            )  # fmt: skip

    def test_default_image_sizes(self, tmp_path):
        with tfds.testing.mock_data(num_examples=4):
            imagenet = datasets.load("imagenet2012", batch_size=4)
        write_clothing1m(str(tmp_path))
        clothing = datasets.load("clothing1m", "clean_test", data_dir=tmp_path)
        # AlexNet's input for ImageNet, ResNet-50's for Clothing1M.
        self.assertEqual(
            tuple(next(iter(imagenet.dataset))[0].shape), (4, 227, 227, 3)
        )
        self.assertEqual(
            tuple(next(iter(clothing.dataset))[0].shape), (1, 224, 224, 3)
        )

    @pytest.mark.parametrize(
        "name,base", [("cifar10_n", "cifar10"), ("cifar100_n", "cifar100")]
    )
    def test_cifar_n_test_split_is_that_of_cifar(self, name, base):
        with tfds.testing.mock_data(num_examples=20):
            test = datasets.load(name, "test")
            raw = next(
                iter(tfds.as_numpy(tfds.load(base, split="test").batch(20)))
            )
        np.testing.assert_array_equal(test.images, raw["image"])
        np.testing.assert_array_equal(test.clean_labels, raw["label"])
