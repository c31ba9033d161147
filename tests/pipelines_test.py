import importlib.util
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_nnaqc import NoisyLabelModel
from keras_nnaqc.datasets import pipelines
from keras_nnaqc.models import find_label_issues
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import two_classes_with_flips

IMAGES = np.arange(10 * 6 * 6 * 1, dtype=np.float32).reshape(10, 6, 6, 1)
LABELS = np.arange(10) % 3

WITHOUT_TENSORFLOW = """
import sys
sys.modules["tensorflow"] = None
import numpy as np, keras, keras_nnaqc
data = keras_nnaqc.datasets.load_arrays(
    np.random.rand(64, 8, 8, 1).astype("float32"), np.arange(64) % 4,
    noise_rate=0.3, batch_size=16, augment=True,
)
base = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                         keras.layers.Dense(4)])
model = keras_nnaqc.NoisyLabelModel(base)
model.compile(optimizer="adam")
model.fit(data.dataset, epochs=2, verbose=0)
print(type(data.dataset).__name__, "trained on", keras.backend.backend())
"""


def numpy_crop_and_flip(images, tops, lefts, flips, pad=4):
    """One image at a time: pad, crop at (top, left), maybe mirror."""
    out = []
    for image, top, left, flip in zip(images, tops, lefts, flips, strict=True):
        padded = np.pad(image, ((pad, pad), (pad, pad), (0, 0)))
        crop = padded[top : top + image.shape[0], left : left + image.shape[1]]
        out.append(crop[:, ::-1] if flip else crop)
    return np.stack(out)


class ArrayBatchesTest(TestCase):
    def test_batches_cover_the_data_once_per_epoch(self):
        batches = pipelines.ArrayBatches(
            IMAGES, LABELS, 4, shuffle=True, seed=1
        )
        self.assertEqual(len(batches), 3)
        epochs = []
        for _ in range(2):
            seen = np.concatenate([batches[i][1] for i in range(len(batches))])
            images = np.concatenate(
                [batches[i][0] for i in range(len(batches))]
            )
            epochs.append(images[:, 0, 0, 0])
            np.testing.assert_array_equal(np.sort(seen), np.sort(LABELS))
            batches.on_epoch_end()
        assert not np.array_equal(epochs[0], epochs[1])  # reshuffled
        replay = pipelines.ArrayBatches(IMAGES, LABELS, 4, shuffle=True, seed=1)
        np.testing.assert_array_equal(
            replay[0][0],
            pipelines.ArrayBatches(IMAGES, LABELS, 4, shuffle=True, seed=1)[0][
                0
            ],
        )

    def test_crop_and_flip_matches_one_image_at_a_time(self):
        rng = np.random.default_rng(5)
        augmented = pipelines.crop_and_flip_numpy(IMAGES, rng)
        rng = np.random.default_rng(5)
        tops, lefts = rng.integers(0, 9, 10), rng.integers(0, 9, 10)
        flips = rng.random(10) < 0.5
        np.testing.assert_array_equal(
            augmented, numpy_crop_and_flip(IMAGES, tops, lefts, flips)
        )

    @pytest.mark.skipif(
        keras.backend.backend() == "tensorflow",
        reason="TensorFlow cannot be blocked under its own backend",
    )
    def test_trains_without_tensorflow(self):
        completed = subprocess.run(
            [sys.executable, "-c", WITHOUT_TENSORFLOW],
            capture_output=True,
            text=True,
            env={**os.environ, "KERAS_BACKEND": keras.backend.backend()},
        )
        self.assertEqual(completed.returncode, 0)
        self.assertTrue("ArrayBatches trained on" in completed.stdout)


class LabelIssuesTest(TestCase):
    def test_ranked_by_margin_by_hand(self):
        probabilities = np.array(
            [
                [0.7, 0.2, 0.1],  # labelled 0, agrees
                [0.1, 0.8, 0.1],  # labelled 0: margin 0.7, suggests 1
                [0.3, 0.3, 0.4],  # labelled 1: margin 0.1, suggests 2
                [0.05, 0.05, 0.9],  # labelled 1: margin 0.85, suggests 2
                [0.45, 0.45, 0.1],  # labelled 1: a tie, not a disagreement
            ]
        )
        issues = find_label_issues(probabilities, [0, 0, 1, 1, 1])
        np.testing.assert_array_equal(issues.indices, [3, 1, 2])
        np.testing.assert_array_equal(issues.given_labels, [1, 0, 1])
        np.testing.assert_array_equal(issues.suggested_labels, [2, 1, 2])
        self.assertAllClose(issues.scores, [0.85, 0.7, 0.1])

    def test_cleanlab_rule_flags_what_cleanlab_flags(self):
        cleanlab_filter = pytest.importorskip("cleanlab.filter")
        rng = np.random.default_rng(0)
        clean = np.arange(300) % 3
        noisy = clean.copy()
        noisy[::5] = (noisy[::5] + 1) % 3
        probabilities = rng.dirichlet(np.ones(3), size=300) * 0.5
        probabilities[np.arange(300), clean] += 0.5
        issues = find_label_issues(probabilities, noisy, rule="cleanlab")
        expected = np.flatnonzero(
            cleanlab_filter.find_label_issues(noisy, probabilities)
        )
        np.testing.assert_array_equal(np.sort(issues.indices), expected)
        # Ranked by the margin of the most probable other class.
        for index, given, suggested, score in zip(
            issues.indices,
            issues.given_labels,
            issues.suggested_labels,
            issues.scores,
            strict=True,
        ):
            row = probabilities[index]
            others = [c for c in range(3) if c != given]
            best_other = others[int(np.argmax(row[others]))]
            self.assertEqual(given, noisy[index])
            self.assertEqual(suggested, best_other)
            self.assertAllClose(score, row[best_other] - row[given])
        self.assertTrue(np.all(np.diff(issues.scores) <= 0))

    def test_rejects_an_unknown_rule(self):
        with pytest.raises(ValueError, match="rule='confident'"):
            find_label_issues(np.full((3, 2), 0.5), [0, 1, 0], "confident")

    def test_cleanlab_rule_without_cleanlab_says_what_to_install(
        self, monkeypatch
    ):
        monkeypatch.setitem(sys.modules, "cleanlab", None)
        monkeypatch.setitem(sys.modules, "cleanlab.filter", None)
        with pytest.raises(ImportError, match=r"keras-nnaqc\[cleanlab\]"):
            find_label_issues(np.full((3, 2), 0.5), [0, 1, 0], "cleanlab")

    def test_rejects_mismatched_labels(self):
        with pytest.raises(ValueError, match="2 labels and 3 predictions"):
            find_label_issues(np.full((3, 2), 0.5), [0, 1])

    def test_model_flags_the_flipped_labels(self):
        x, _, noisy = two_classes_with_flips()
        keras.utils.set_random_seed(0)
        base = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        model = NoisyLabelModel(base)
        model.compile(optimizer=keras.optimizers.Adam(0.05))
        model.fit(x, noisy, epochs=30, verbose=0)
        issues = model.label_issues(x, noisy)
        probabilities = keras.ops.convert_to_numpy(
            keras.ops.softmax(model.predict(x, verbose=0))
        )
        np.testing.assert_array_equal(
            issues.indices, find_label_issues(probabilities, noisy).indices
        )
        flagged = set(issues.indices.tolist())
        self.assertTrue(len(flagged & set(range(30))) >= 25)
        if importlib.util.find_spec("cleanlab") is not None:
            np.testing.assert_array_equal(
                model.label_issues(x, noisy, rule="cleanlab").indices,
                find_label_issues(probabilities, noisy, "cleanlab").indices,
            )
        self.assertTrue(len(flagged - set(range(30))) <= 10)
