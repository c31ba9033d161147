"""Labels on every input path: checked, paired with their own predictions,
and read by metrics in whichever form they come."""

import importlib.util
import os
import tempfile

import keras
import numpy as np
import pytest

from keras_nnaqc import NoisyLabelModel
from keras_nnaqc._validation import check_label_rows
from keras_nnaqc._validation import check_labels
from keras_nnaqc._validation import valid_labels
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import to_numpy

HAS_TENSORFLOW = importlib.util.find_spec("tensorflow") is not None
INVALID = "not classes of this 4-class model"


def brightness_model():
    """A 2-class model that needs no training: class 1 when the mean of an
    8 x 8 image in [0, 255] is above 127.5 (logits +-10 * (mean / 255 -
    0.5))."""
    dense = keras.layers.Dense(2)
    base = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.GlobalAveragePooling2D(),
            dense,
        ]
    )
    dense.set_weights([np.array([[-10.0, 10.0]]), np.array([5.0, -5.0])])
    return NoisyLabelModel(base)


def images(brightness):
    """8 x 8 grayscale images, one per brightness."""
    return np.repeat(np.asarray(brightness, "float32"), 64).reshape(-1, 8, 8, 1)


# Twelve dark and twelve bright images, filed under their class except three
# dark ones filed as "bright": the three label issues.
DARK = list(range(10, 130, 10))
BRIGHT = list(range(140, 260, 10))
MISFILED = [10, 50, 90]


def write_image_folder():
    from PIL import Image

    root = tempfile.mkdtemp()
    for value in DARK + BRIGHT:
        dark = value in DARK and value not in MISFILED
        folder = os.path.join(root, "0_dark" if dark else "1_bright")
        os.makedirs(folder, exist_ok=True)
        pixels = np.full((8, 8), value, dtype="uint8")
        Image.fromarray(pixels).save(os.path.join(folder, f"{value:03d}.png"))
    return root


class Batches(keras.utils.PyDataset):
    """Batches of 8, in a new random order on every pass."""

    def __init__(self, x, y, seed=0):
        super().__init__()
        self.x, self.y = x, y
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(x))

    def __len__(self):
        return len(self.x) // 8

    def __getitem__(self, index):
        rows = self.order[8 * index : 8 * (index + 1)]
        if index == len(self) - 1:
            self.order = self.rng.permutation(len(self.x))
        return self.x[rows], self.y[rows]


class LabelIssuesFromDatasetsTest(TestCase):
    @pytest.mark.skipif(not HAS_TENSORFLOW, reason="needs tensorflow")
    def test_shuffled_image_folder_pairs_predictions_with_their_labels(self):
        root = write_image_folder()
        shuffled = keras.utils.image_dataset_from_directory(
            root,
            image_size=(8, 8),
            color_mode="grayscale",
            batch_size=5,
            shuffle=True,
            seed=1,
            verbose=False,
        )
        model = brightness_model()
        issues = model.label_issues(shuffled)
        # Exactly the three dark images filed as bright: given 1, looks 0.
        self.assertEqual(len(issues), 3)
        np.testing.assert_array_equal(issues.given_labels, [1, 1, 1])
        np.testing.assert_array_equal(issues.suggested_labels, [0, 0, 0])

        # The separate labels of a shuffled dataset come in another order.
        labels = np.concatenate([y for _, y in shuffled])
        with pytest.raises(ValueError, match="x of type .*Dataset"):
            model.label_issues(shuffled, labels)

        # One-hot labels, and an unshuffled folder: indices follow its
        # files, and the darkest misfiled image is the most suspect.
        ordered = keras.utils.image_dataset_from_directory(
            root,
            image_size=(8, 8),
            color_mode="grayscale",
            label_mode="categorical",
            shuffle=False,
            verbose=False,
        )
        issues = model.label_issues(ordered)
        flagged = [
            os.path.basename(ordered.file_paths[i]) for i in issues.indices
        ]
        self.assertEqual(flagged, ["010.png", "050.png", "090.png"])

    def test_py_dataset_in_a_new_order_on_every_pass(self):
        brightness = np.array(DARK + BRIGHT)
        labels = (brightness > 127).astype("int64")
        labels[np.isin(brightness, MISFILED)] = 1
        dataset = Batches(images(brightness), np.eye(2)[labels])
        issues = brightness_model().label_issues(dataset)
        self.assertEqual(len(issues), 3)
        np.testing.assert_array_equal(issues.suggested_labels, [0, 0, 0])
        # Scores by hand: p(1) - p(0) = tanh(5 - 10 * value / 255) for the
        # misfiled values 10, 50 and 90, most suspect first.
        self.assertAllClose(
            issues.scores,
            np.tanh(5 - 10 * np.array(MISFILED) / 255),
            atol=1e-5,
        )

    def test_arrays_and_their_labels(self):
        brightness = np.array(DARK + BRIGHT)
        labels = (brightness > 127).astype("int64")
        labels[np.isin(brightness, MISFILED)] = 1
        issues = brightness_model().label_issues(images(brightness), labels)
        np.testing.assert_array_equal(issues.indices, [0, 4, 8])
        with pytest.raises(ValueError, match="labels=None"):
            brightness_model().label_issues(images(brightness))

    def test_refuses_a_dataset_without_labels(self):
        def inputs_only():
            yield images([10, 200])

        with pytest.raises(ValueError, match="yields inputs only"):
            brightness_model().label_issues(inputs_only())


# Four classes; inputs whose first feature is the class's score, so that a
# fixed identity model predicts class `argmax(x[:, :4])`: the predictions
# below are known by hand.
X = np.array(
    [
        [3, 0, 0, 0],
        [0, 3, 0, 0],
        [0, 0, 3, 0],
        [0, 0, 0, 3],
        [3, 0, 0, 0],
        [0, 3, 0, 0],
        [0, 0, 3, 0],
        [0, 0, 0, 3],
    ],
    dtype="float32",
)
# Six of the eight labels match the prediction: accuracy 0.75.
Y = np.array([0, 1, 2, 3, 0, 1, 0, 0])
ONE_HOT = np.eye(4, dtype="float32")[Y]


def identity_model(metrics=("accuracy",), learning_rate=0.0):
    dense = keras.layers.Dense(4, use_bias=False)
    base = keras.Sequential([keras.Input((4,)), dense])
    dense.set_weights([np.eye(4)])
    model = NoisyLabelModel(base)
    # Learning rate 0 (the default here): the predictions stay the ones
    # worked out by hand.
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate), metrics=list(metrics)
    )
    return model


class MixedLabelFormsTest(TestCase):
    @pytest.mark.parametrize(
        "fit_labels, evaluate_labels",
        [(ONE_HOT, Y), (Y, ONE_HOT), (Y[:, None], ONE_HOT)],
        ids=["one_hot_then_integer", "integer_then_one_hot", "column"],
    )
    def test_accuracy_whatever_form_each_call_brings(
        self, fit_labels, evaluate_labels
    ):
        model = identity_model()
        history = model.fit(
            X,
            fit_labels,
            epochs=1,
            validation_data=(X, evaluate_labels),
            verbose=0,
        )
        self.assertAllClose(history.history["accuracy"], [0.75])
        self.assertAllClose(history.history["val_accuracy"], [0.75])
        for labels in (evaluate_labels, fit_labels):
            results = model.evaluate(X, labels, verbose=0, return_dict=True)
            self.assertAllClose(results["accuracy"], 0.75)

    def test_explicit_sparse_metric_with_one_hot_labels_later(self):
        metric = keras.metrics.SparseTopKCategoricalAccuracy(k=1, name="top1")
        model = identity_model(metrics=[metric])
        model.fit(X, Y, epochs=1, verbose=0)
        results = model.evaluate(X, ONE_HOT, verbose=0, return_dict=True)
        self.assertAllClose(results["top1"], 0.75)


def fit_steps(model):
    return int(to_numpy(model.optimizer.iterations))


BAD_INTEGER_LABELS = {
    "as many as the classes": (4.0, r"4-class model"),
    "negative": (-1.0, INVALID),
    "a fraction": (0.5, INVALID),
    "NaN": (np.nan, "NaN"),
}


def with_label(row, value):
    labels = Y.astype("float32")
    labels[row] = value
    return labels


def one_hot_with_row(row, values):
    labels = ONE_HOT.copy()
    labels[row] = values
    return labels


BAD_ONE_HOT_ROWS = {
    "all zero": [0, 0, 0, 0],
    "summing to 3": [3, 0, 0, 0],
    "negative entry": [1.5, -0.5, 0, 0],
    "NaN": [np.nan, 1, 0, 0],
}


class LabelValuesTest(TestCase):
    def test_rejects_arrays_and_tensors_before_training(self):
        model = identity_model()
        errors = [
            (4.0, ValueError, r"lie in \[0, 4\).*from 0 to 4"),
            (-1.0, ValueError, r"lie in \[0, 4\).*from -1 to 3"),
            (0.5, TypeError, "integer class labels"),
            (np.nan, ValueError, "not NaN"),
        ]
        for value, error, message in errors:
            labels = with_label(5, value)
            for given in (labels, keras.ops.convert_to_tensor(labels)):
                with pytest.raises(error, match=message):
                    model.fit(X, given, epochs=1, verbose=0)
        for values in BAD_ONE_HOT_ROWS.values():
            with pytest.raises(ValueError, match="(?i)one-hot `y`"):
                model.fit(X, one_hot_with_row(5, values), verbose=0)
        with pytest.raises(ValueError, match="validation_data"):
            model.fit(
                X,
                Y,
                validation_data=(X, one_hot_with_row(5, [0, 0, 0, 0])),
                verbose=0,
            )
        self.assertEqual(fit_steps(model), 0)

    def test_nan_labels_are_called_nan(self):
        with pytest.raises(ValueError, match="not NaN.*1 NaN"):
            check_labels([0.0, np.nan, 1.0], 4, name="y")
        with pytest.raises(ValueError, match="1 NaN"):
            check_label_rows([[np.nan, 1.0]], 2, name="y")

    def test_rows_must_be_distributions(self):
        smoothed = np.full((2, 4), 0.025) + 0.9 * np.eye(4)[[1, 3]]
        np.testing.assert_array_equal(
            check_labels(smoothed, 4, one_hot=True), [1, 3]
        )
        with pytest.raises(ValueError, match="row 1 of y sums to 0.0"):
            check_label_rows([[0, 1], [0, 0]], 2, name="y")
        with pytest.raises(ValueError, match="minimum -0.5"):
            check_label_rows([[1.5, -0.5]], 2, name="y")
        with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
            check_label_rows([[1, 0, 0]], 2, name="y")

    def test_in_graph_check_by_hand(self):
        integer = [0, 3, 4, -1, 0.5, np.nan, np.inf, 2]
        self.assertEqual(
            to_numpy(valid_labels(np.array(integer), 4)).tolist(),
            [True, True, False, False, False, False, False, True],
        )
        self.assertEqual(
            to_numpy(valid_labels(np.array([[3], [4]]), 4)).tolist(),
            [True, False],
        )
        rows = [
            [0.0, 1.0, 0.0, 0.0],
            [0.1, 0.7, 0.1, 0.1],
            [0.0, 0.0, 0.0, 0.0],
            [3.0, 0.0, 0.0, 0.0],
            [1.5, -0.5, 0.0, 0.0],
            [np.nan, 1.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 1.005],
        ]
        self.assertEqual(
            to_numpy(valid_labels(np.array(rows), 4)).tolist(),
            [True, True, False, False, False, False, True],
        )

    @pytest.mark.parametrize(
        "value, message",
        BAD_INTEGER_LABELS.values(),
        ids=BAD_INTEGER_LABELS.keys(),
    )
    def test_stops_fit_on_a_bad_label_in_a_py_dataset(self, value, message):
        model = identity_model(learning_rate=0.1)
        with pytest.raises(ValueError, match=message):
            model.fit(Batches(X, with_label(5, value)), epochs=2, verbose=0)
        # Stopped in the first epoch, the step finite.
        self.assertTrue(fit_steps(model) <= 1)
        for weight in model.get_weights():
            self.assertTrue(np.isfinite(weight).all())

    def test_stops_fit_on_bad_one_hot_rows_in_a_py_dataset(self):
        model = identity_model()
        for values in BAD_ONE_HOT_ROWS.values():
            with pytest.raises(ValueError, match=INVALID):
                model.fit(Batches(X, one_hot_with_row(2, values)), verbose=0)

    def test_stops_evaluate_and_validation_on_bad_labels(self):
        model = identity_model()
        bad = Batches(X, with_label(1, 4.0))
        with pytest.raises(ValueError, match="`y` holds labels that are not"):
            model.evaluate(bad, verbose=0)
        with pytest.raises(ValueError, match="`validation_data` holds"):
            model.fit(Batches(X, Y), validation_data=bad, verbose=0)

    def test_stops_fit_given_a_callback_list(self):
        model = identity_model()
        callbacks = keras.callbacks.CallbackList([], model=model)
        with pytest.raises(ValueError, match=INVALID):
            model.fit(Batches(X, with_label(3, 7)), callbacks=callbacks)

    def test_train_on_batch_rejects_labels_that_are_not_classes(self):
        model = identity_model()
        labels = with_label(3, 7)
        labels[4] = np.nan
        before = model.get_weights()
        with pytest.raises(ValueError, match="NaN"):
            model.train_on_batch(X, labels)
        for kept, weight in zip(before, model.get_weights(), strict=True):
            self.assertAllClose(weight, kept)

    @pytest.mark.skipif(not HAS_TENSORFLOW, reason="needs tensorflow")
    def test_stops_fit_on_a_bad_label_in_a_tf_dataset(self):
        import tensorflow as tf

        for labels in (with_label(6, -1.0), one_hot_with_row(6, [0] * 4)):
            # A model each: TensorFlow retraces the step for float labels of
            # another rank with labels of unknown rank.
            model = identity_model()
            dataset = tf.data.Dataset.from_tensor_slices((X, labels))
            with pytest.raises(ValueError, match=INVALID):
                model.fit(dataset.batch(4), shuffle=False, verbose=0)

    def test_valid_labels_train_and_logs_stay_as_they_were(self):
        model = identity_model()
        smoothed = 0.9 * ONE_HOT + 0.025
        history = model.fit(
            Batches(X, smoothed),
            validation_data=Batches(X, Y),
            epochs=1,
            verbose=0,
        )
        self.assertEqual(
            set(history.history),
            {
                "loss",
                "nna_loss",
                "qc_loss",
                "balance_loss",
                "accuracy",
                "val_loss",
                "val_nna_loss",
                "val_qc_loss",
                "val_balance_loss",
                "val_accuracy",
            },
        )
        results = model.evaluate(X, Y, verbose=0, return_dict=True)
        listed = model.evaluate(X, Y, verbose=0)
        names = ("loss", "accuracy", "nna_loss", "qc_loss", "balance_loss")
        self.assertEqual(set(results), set(names))
        self.assertAllClose(listed, [results[name] for name in names])


class FitSignatureTest(TestCase):
    def test_positional_arguments_as_keras_model_fit(self):
        model = identity_model()
        # x, y, batch_size, epochs, verbose, callbacks, validation_split,
        # validation_data, shuffle
        history = model.fit(X, Y, 2, 3, 0, None, 0.0, (X, Y), False)
        self.assertEqual(len(history.history["val_loss"]), 3)
        self.assertEqual(fit_steps(model), 3 * 8 // 2)
        # x, y, batch_size, verbose, sample_weight, steps, callbacks,
        # return_dict
        results = model.evaluate(X, Y, 4, 0, None, None, None, True)
        self.assertAllClose(results["accuracy"], 0.75)
