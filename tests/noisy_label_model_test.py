import contextlib
import importlib.util
import json
import warnings
import zipfile

import keras
import numpy as np
import pytest

from keras_nnaqc import NoiseAdaptationLayer
from keras_nnaqc import NoisyLabelModel
from keras_nnaqc import noise
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import mixed_precision
from keras_nnaqc.testing import numpy_softmax
from keras_nnaqc.testing import to_numpy

HAS_TENSORFLOW = importlib.util.find_spec("tensorflow") is not None
RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 6)).astype("float32")
Y = (X[:, :4].argmax(axis=1) % 4).astype("int64")


def small_base(activation=None, num_classes=4):
    return keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(num_classes, activation=activation),
        ]
    )


@contextlib.contextmanager
def edited_config(path):
    """Rewrites the model config in the `.keras` file at `path` as the
    `with` block edits it."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(files["config.json"])
    yield config["config"]
    files["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)


class Batches(keras.utils.PyDataset):
    """Batches of 16 arrays, as a PyDataset."""

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x) // 16

    def __getitem__(self, index):
        rows = slice(16 * index, 16 * (index + 1))
        return self.x[rows], self.y[rows]


def balance_warnings(x, labels, topic, batch_size=None, **kwargs):
    """The messages of the warnings naming `topic` that one epoch of `fit`
    on `x` and `labels` gives."""
    model = NoisyLabelModel(small_base(), **kwargs)
    model.compile(optimizer="adam")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, labels, batch_size=batch_size, epochs=1, verbose=0)
    return [
        str(warning.message)
        for warning in caught
        if topic in str(warning.message)
    ]


class WeightedBatches(Batches):
    """`Batches` with sample weights."""

    def __init__(self, x, y, weights):
        super().__init__(x, y)
        self.weights = weights

    def __getitem__(self, index):
        rows = slice(16 * index, 16 * (index + 1))
        return self.x[rows], self.y[rows], self.weights[rows]


def dataset_warnings(
    dataset, epochs=2, steps_per_execution=1, where=None, **kwargs
):
    """The messages of the warnings about the balance term that `fit` on
    `dataset` gives (and their files, into the list `where`)."""
    model = NoisyLabelModel(small_base(), **kwargs)
    model.compile(optimizer="adam", steps_per_execution=steps_per_execution)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(dataset, epochs=epochs, verbose=0)
    ours = [w for w in caught if "`balance=" in str(w.message)]
    if where is not None:
        where += [w.filename for w in ours]
    return [str(warning.message) for warning in ours]


def trained_for_export():
    """A base model and its NoisyLabelModel, trained for one epoch."""
    base = small_base()
    model = NoisyLabelModel(base)
    model.compile(optimizer="adam")
    model.fit(X, Y, epochs=1, verbose=0)
    return base, model


def numpy_loss(clean_logits, kernel, labels, alpha, beta, mode, balance=0.0):
    """Mean NNAQC loss (eq. 6) of clean logits and a noise kernel, plus
    `balance` times KL(uniform || mean clean prediction), in NumPy."""
    clean = numpy_softmax(clean_logits)
    uniform = np.full(kernel.shape[0], 1 / kernel.shape[0])
    kl = np.sum(uniform * np.log(uniform / clean.mean(axis=0)))
    if mode == "nonlinear":
        noisy = numpy_softmax(clean @ kernel)
    else:
        noisy = clean @ numpy_softmax(kernel, axis=1)
    one_hot = np.eye(kernel.shape[0])[labels]
    nna = -np.sum(one_hot * np.log(noisy), axis=-1)
    qc = -np.sum((beta * clean + (1 - beta) * one_hot) * np.log(clean), -1)
    return np.mean(alpha * nna + (1 - alpha) * qc) + balance * kl


def numerical_gradient(function, point, step=1e-6):
    point = np.asarray(point, dtype=np.float64)
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        shift = np.zeros_like(point)
        shift[index] = step
        gradient[index] = (
            function(point + shift) - function(point - shift)
        ) / (2 * step)
    return gradient


def logits_model(clean_logits, kernel, mode, speed=1.0, **kwargs):
    """A model whose clean logits for input `e_n` are `clean_logits[n]`,
    with a head of `W = kernel` at `speed` and, unless told, no warm-up and
    no balance term."""
    count, num_classes = clean_logits.shape
    base = keras.Sequential(
        [keras.Input((count,)), keras.layers.Dense(num_classes, use_bias=False)]
    )
    head = NoiseAdaptationLayer(mode=mode, kernel_speed=speed)
    kwargs.setdefault("beta_warmup_epochs", 0)
    kwargs.setdefault("balance", 0.0)
    model = NoisyLabelModel(base, noise_layer=head, from_logits=True, **kwargs)
    model.build((None, count))
    base.layers[0].kernel.assign(clean_logits)
    model.noise_layer.kernel.assign(kernel / speed)
    return model, base.layers[0]


def head_weights(model):
    """The noise head's `W`, in float64."""
    return to_numpy(model.noise_layer.weight_matrix).astype("float64")


class GradientTest(TestCase):
    @pytest.mark.parametrize(
        "mode, speed, balance",
        [
            ("nonlinear", 1.0, 0.0),
            ("linear", 1.0, 0.0),
            ("nonlinear", 3.0, 0.0),
            ("nonlinear", 1.0, 1.0),
        ],
    )
    def test_one_sgd_step_follows_the_numpy_gradient(
        self, mode, speed, balance
    ):
        # With SGD at learning rate 1, one step subtracts the gradient of the
        # mean loss with respect to the base logits, and the gradient with
        # respect to W from the head's variable W / speed: W itself moves
        # `speed` times the gradient.
        clean_logits = RNG.normal(size=(3, 4)) * 2
        kernel = RNG.normal(size=(4, 4))
        labels = np.array([0, 2, 3])
        alpha, beta = 0.7, 0.6
        model, dense = logits_model(
            clean_logits,
            kernel,
            mode,
            speed,
            alpha=alpha,
            beta=beta,
            balance=balance,
        )
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0))
        model.fit(np.eye(3, dtype="float32"), labels, batch_size=3, verbose=0)

        def loss_of_logits(point):
            return numpy_loss(point, kernel, labels, alpha, beta, mode, balance)

        def loss_of_kernel(point):
            return numpy_loss(
                clean_logits, point, labels, alpha, beta, mode, balance
            )

        self.assertAllClose(
            clean_logits - to_numpy(dense.kernel),
            numerical_gradient(loss_of_logits, clean_logits),
            atol=2e-5,
        )
        self.assertAllClose(
            kernel - head_weights(model),
            speed * numerical_gradient(loss_of_kernel, kernel),
            atol=2e-5 * speed,
        )

    def test_beta_warmup_ramps_the_training_beta(self):
        # Warm-up over 2 epochs: the first epoch trains with beta = 0, the
        # second with 0.45, then 0.9. One SGD step per epoch at learning
        # rate 1 exposes each epoch's gradient.
        clean_logits = RNG.normal(size=(3, 4)) * 2
        kernel = RNG.normal(size=(4, 4))
        labels = np.array([1, 0, 3])
        model, dense = logits_model(
            clean_logits,
            kernel,
            "nonlinear",
            alpha=0.6,
            beta=0.9,
            beta_warmup_epochs=2,
        )
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0))
        inputs = np.eye(3, dtype="float32")
        for epoch, beta in enumerate([0.0, 0.45, 0.9, 0.9]):
            logits = to_numpy(dense.kernel)
            head = to_numpy(model.noise_layer.kernel)
            model.fit(inputs, labels, batch_size=3, verbose=0)

            def loss_of_logits(point, head=head, beta=beta):
                return numpy_loss(point, head, labels, 0.6, beta, "nonlinear")

            self.assertAllClose(
                logits - to_numpy(dense.kernel),
                numerical_gradient(loss_of_logits, logits),
                atol=2e-5,
            )
            self.assertEqual(float(to_numpy(model.trained_epochs)), epoch + 1)
        # Evaluation always uses beta itself.
        loss = model.evaluate(inputs, labels, verbose=0, return_dict=True)[
            "loss"
        ]
        expected = numpy_loss(
            to_numpy(dense.kernel),
            to_numpy(model.noise_layer.kernel),
            labels,
            0.6,
            0.9,
            "nonlinear",
        )
        self.assertAllClose(loss, expected, atol=1e-5)

    def test_beta_warmup_clock_is_saved(self):
        model = NoisyLabelModel(small_base(), beta_warmup_epochs=3)
        model.compile(optimizer="adam")
        model.fit(X, Y, epochs=2, verbose=0)
        path = self.temp_path("warm.keras")
        model.save(path)
        reloaded = keras.saving.load_model(path)
        self.assertEqual(float(to_numpy(reloaded.trained_epochs)), 2.0)
        reloaded.fit(X, Y, epochs=1, verbose=0)
        self.assertEqual(float(to_numpy(reloaded.trained_epochs)), 3.0)

    def test_rejects_bad_warmup(self):
        with pytest.raises(ValueError, match="beta_warmup_epochs=-1"):
            NoisyLabelModel(small_base(), beta_warmup_epochs=-1)

    @pytest.mark.parametrize("balance", [-1.0, float("nan"), True, "1"])
    def test_rejects_bad_balance(self, balance):
        with pytest.raises(ValueError, match="balance="):
            NoisyLabelModel(small_base(), balance=balance)

    @pytest.mark.parametrize(
        "prior", [[0.5, 0.6], [1.2, -0.2], [[0.5, 0.5]], [1.0], [np.nan, 1.0]]
    )
    def test_rejects_bad_class_prior(self, prior):
        with pytest.raises(ValueError, match="class_prior="):
            NoisyLabelModel(small_base(), class_prior=prior)

    def test_rejects_a_class_prior_of_the_wrong_length(self):
        model = NoisyLabelModel(small_base(), class_prior=[0.5, 0.5])
        with pytest.raises(ValueError, match="outputs 4 classes"):
            model(X)

    def test_warns_when_array_labels_do_not_fit_the_uniform_prior(self):
        x = RNG.normal(size=(400, 6)).astype("float32")

        def prior_warnings(labels, **kwargs):
            return balance_warnings(
                x[: len(labels)], labels, "class_prior", **kwargs
            )

        imbalanced = np.repeat([0, 1, 2, 3], [340, 20, 20, 20])
        for labels in (imbalanced, imbalanced[:, None], np.eye(4)[imbalanced]):
            (message,) = prior_warnings(labels)
            self.assertTrue("class 0 has 340 labels, class 1 has 20" in message)
            self.assertTrue("minlength=4" in message)
        self.assertEqual(prior_warnings(imbalanced, balance=0), [])
        shares = [0.85, 0.05, 0.05, 0.05]
        self.assertEqual(prior_warnings(imbalanced, class_prior=shares), [])
        # Label noise alone skews balanced classes up to about 9 times.
        skewed = np.repeat([0, 1, 2, 3], [270, 30, 50, 50])
        self.assertEqual(prior_warnings(skewed), [])
        # Too few labels per class for the counts to say anything.
        self.assertEqual(prior_warnings(imbalanced[::2]), [])

    def test_warns_when_batches_are_small_for_the_balance_term(self):
        def batch_warnings(batch_size, **kwargs):
            return balance_warnings(
                X, Y, "batch_size", batch_size=batch_size, **kwargs
            )

        # Four classes: batches of 20 hold 5 samples per class.
        (message,) = batch_warnings(8)
        self.assertTrue("batches of 8" in message)
        self.assertTrue("batch_size >= 20" in message)
        self.assertEqual(batch_warnings(20), [])
        self.assertEqual(batch_warnings(None), [])  # Keras's 32
        self.assertEqual(batch_warnings(8, balance=0), [])

    def test_checks_the_balance_term_on_labels_from_datasets(self):
        # Labels `fit` sees only while training: it warns from the first
        # batch (its size) and epoch (the class counts), as for arrays.
        x = RNG.normal(size=(400, 6)).astype("float32")
        imbalanced = np.repeat([0, 1, 2, 3], [340, 20, 20, 20])
        shuffled = RNG.permutation(400)
        feeds = {"PyDataset": lambda x, y: Batches(x, y)}
        if HAS_TENSORFLOW:
            import tensorflow as tf

            feeds["tf.data"] = lambda x, y: tf.data.Dataset.from_tensor_slices(
                (x, y)
            ).batch(16)
        for name, feed in feeds.items():
            for labels in (imbalanced, np.eye(4)[imbalanced]):
                messages = dataset_warnings(feed(x[shuffled], labels[shuffled]))
                prior = [m for m in messages if "class_prior" in m]
                batches = [m for m in messages if "batch_size" in m]
                self.assertEqual((name, len(prior), len(batches)), (name, 1, 1))
                self.assertTrue(
                    "class 0 has 340 labels, class 1 has 20" in prior[0]
                )
                self.assertTrue("batches of 16" in batches[0])
            balanced = RNG.integers(0, 4, 400)
            self.assertEqual(dataset_warnings(feed(x, balanced), balance=0), [])
            messages = dataset_warnings(feed(x, balanced))
            self.assertEqual([m for m in messages if "class_prior" in m], [])

    def test_balance_checks_on_datasets_see_steps_weights_and_callers(self):
        x = RNG.normal(size=(400, 6)).astype("float32")
        labels = np.repeat([0, 1, 2, 3], [340, 20, 20, 20])
        # Several steps per call (not on PyTorch): the first call's steps
        # still count.
        if keras.backend.backend() != "torch":
            messages = dataset_warnings(
                Batches(x, labels), steps_per_execution=2
            )
            small = [m for m in messages if "batches of 16" in m]
            self.assertEqual(len(small), 1)
        # Sample weights that balance the classes balance the counts.
        weights = (1.0 / np.bincount(labels))[labels].astype("float32")
        weighted = WeightedBatches(x, labels, weights)
        messages = dataset_warnings(weighted)
        self.assertEqual([m for m in messages if "class_prior" in m], [])
        # The warnings name the caller's file, not Keras's.
        where = []
        dataset_warnings(Batches(x, labels), where=where)
        self.assertEqual(len(where), 2)
        self.assertTrue(all(path == __file__ for path in where))
        self.assertEqual(len(balance_warnings(x, labels, "class_prior")), 1)
        # Class weights that balance the classes, for arrays.
        class_weight = {c: 1.0 / n for c, n in enumerate(np.bincount(labels))}
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(
                x, labels, batch_size=20, class_weight=class_weight, verbose=0
            )
        self.assertEqual(
            [w for w in caught if "class_prior" in str(w.message)], []
        )

    def test_on_batch_checks_labels_and_keeps_counts_out(self):
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam")
        logs = model.train_on_batch(X, Y, return_dict=True)
        self.assertEqual(
            sorted(logs), ["balance_loss", "loss", "nna_loss", "qc_loss"]
        )
        values = model.test_on_batch(X, Y)
        self.assertEqual(len(values), 4)
        self.assertTrue(all(np.ndim(value) == 0 for value in values))
        bad = Y.copy()
        bad[3] = 7
        with pytest.raises(ValueError, match="Received"):
            model.train_on_batch(X, bad)
        with pytest.raises(ValueError, match="Received"):
            model.test_on_batch(X, bad)

    def test_label_counts_stay_out_of_the_logs(self):
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam")
        history = model.fit(
            Batches(X, Y), validation_data=Batches(X, Y), epochs=1, verbose=0
        )
        for name in history.history:
            self.assertTrue("label_counts" not in name)
        logs = model.evaluate(Batches(X, Y), verbose=0, return_dict=True)
        self.assertTrue("label_counts" not in logs)

    def test_warns_that_qc_alone_collapses_for_beta_over_half(self):
        with pytest.warns(UserWarning, match="alpha=0.0, beta=0.9"):
            NoisyLabelModel(small_base(), alpha=0.0, beta=0.9)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            NoisyLabelModel(small_base(), alpha=0.0, beta=0.5)
            NoisyLabelModel(small_base(), alpha=0.9, beta=0.9)

    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_extreme_logits_train_to_finite_weights(self, mode):
        clean_logits = np.array([[1e4, -1e4, 0, 0], [0, 0, -1e4, 1e4]])
        model, dense = logits_model(clean_logits, np.eye(4), mode)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1))
        history = model.fit(
            np.eye(2, dtype="float32"),
            np.array([1, 3]),
            batch_size=2,
            verbose=0,
        )
        self.assertTrue(np.isfinite(history.history["loss"][0]))
        self.assertTrue(np.all(np.isfinite(to_numpy(dense.kernel))))
        self.assertTrue(np.all(np.isfinite(to_numpy(model.noise_layer.kernel))))


class TrainingTest(TestCase):
    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_evaluate_reports_the_numpy_loss_and_clean_accuracy(self, mode):
        model = NoisyLabelModel(
            small_base(), noise_layer=mode, alpha=0.8, beta=0.7, balance=0
        )
        model.compile(optimizer="adam", metrics=["accuracy"])
        history = model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
        self.assertEqual(
            set(history.history), {"loss", "nna_loss", "qc_loss", "accuracy"}
        )
        results = model.evaluate(
            X, Y, batch_size=16, verbose=0, return_dict=True
        )
        clean_logits = model.predict(X, verbose=0)
        kernel = head_weights(model)
        self.assertAllClose(
            results["loss"],
            numpy_loss(clean_logits, kernel, Y, 0.8, 0.7, mode),
            atol=1e-5,
        )
        self.assertAllClose(
            results["loss"],
            0.8 * results["nna_loss"] + 0.2 * results["qc_loss"],
            atol=1e-5,
        )
        self.assertAllClose(
            results["accuracy"], np.mean(clean_logits.argmax(axis=1) == Y)
        )

    @pytest.mark.parametrize("prior", [None, [0.4, 0.3, 0.2, 0.1]])
    def test_balance_adds_the_numpy_class_balance_term(self, prior):
        model = NoisyLabelModel(
            small_base(), alpha=0.8, beta=0.7, balance=2.0, class_prior=prior
        )
        model.compile(optimizer="adam")
        history = model.fit(X, Y, epochs=1, batch_size=16, verbose=0)
        self.assertTrue("balance_loss" in history.history)
        clean = numpy_softmax(model.predict(X, verbose=0))
        target = np.full(4, 0.25) if prior is None else np.array(prior)

        def numpy_balance(weights):
            mean_prediction = weights @ clean / weights.sum()
            return np.sum(target * np.log(target / mean_prediction))

        def evaluate(**kwargs):
            return model.evaluate(
                X, Y, batch_size=len(X), verbose=0, return_dict=True, **kwargs
            )

        results = evaluate()
        self.assertAllClose(
            results["balance_loss"], numpy_balance(np.ones(len(X))), atol=1e-5
        )
        self.assertAllClose(
            results["loss"],
            0.8 * results["nna_loss"]
            + 0.2 * results["qc_loss"]
            + 2.0 * results["balance_loss"],
            atol=1e-5,
        )
        weights = np.where(np.arange(len(X)) % 3 == 0, 0.0, 1.5)
        self.assertAllClose(
            evaluate(sample_weight=weights)["balance_loss"],
            numpy_balance(weights),
            atol=1e-5,
        )

    def test_predictions_come_from_the_base_model_alone(self):
        base = small_base()
        model = NoisyLabelModel(base)
        model.compile(optimizer="adam")
        model.fit(X, Y, epochs=1, verbose=0)
        self.assertAllClose(
            model.predict(X, verbose=0), base.predict(X, verbose=0), atol=0
        )
        self.assertAllClose(model(X), base(X), atol=1e-6)
        self.assertTrue(model.clean_model() is base)
        self.assertEqual(
            {id(v) for v in base.weights}
            & {id(v) for v in model.noise_layer.weights},
            set(),
        )

    def test_predict_noisy_is_the_noise_head_on_the_clean_prediction(self):
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam")
        model.fit(X, Y, epochs=1, verbose=0)
        clean = numpy_softmax(model.predict(X, verbose=0))
        expected = numpy_softmax(clean @ head_weights(model))
        self.assertAllClose(
            model.predict_noisy(X, verbose=0), expected, atol=1e-5
        )
        self.assertAllClose(model.call_noisy(X[:5]), expected[:5], atol=1e-5)

    def test_base_model_ending_in_softmax(self):
        base = small_base(activation="softmax")
        model = NoisyLabelModel(base, alpha=0.5, beta=0.5, balance=0)
        self.assertEqual(model.outputs_logits, False)
        model.compile(optimizer="adam")
        model.fit(X, Y, epochs=1, verbose=0)
        loss = model.evaluate(X, Y, verbose=0)[0]
        clean_logits = np.log(base.predict(X, verbose=0))
        kernel = head_weights(model)
        self.assertAllClose(
            loss,
            numpy_loss(clean_logits, kernel, Y, 0.5, 0.5, "nonlinear"),
            atol=1e-5,
        )

    def test_subclassed_base_model(self):
        class Classifier(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = keras.layers.Dense(8, activation="relu")
                self.scores = keras.layers.Dense(4)

            def call(self, inputs):
                return self.scores(self.hidden(inputs))

        model = NoisyLabelModel(Classifier(), from_logits=True)
        model.compile(optimizer="adam", metrics=["accuracy"])
        history = model.fit(X, Y, epochs=2, verbose=0)
        self.assertTrue(history.history["loss"][1] < history.history["loss"][0])

    def test_one_hot_labels_and_sample_weights(self):
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam")
        one_hot = np.eye(4, dtype="float32")[Y]
        weights = np.linspace(0.5, 1.5, len(X))
        model.fit(X, one_hot, sample_weight=weights, epochs=1, verbose=0)
        sparse = model.evaluate(X, Y, verbose=0, return_dict=True)
        dense = model.evaluate(X, one_hot, verbose=0, return_dict=True)
        self.assertAllClose(sparse["loss"], dense["loss"], atol=1e-6)

    def test_trains_from_a_py_dataset(self):
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam", metrics=["accuracy"])
        history = model.fit(Batches(X, Y), epochs=1, verbose=0)
        self.assertTrue(np.isfinite(history.history["nna_loss"][0]))
        model.evaluate(Batches(X, Y), verbose=0)

    @pytest.mark.skipif(not HAS_TENSORFLOW, reason="needs tensorflow")
    def test_trains_from_a_tf_dataset(self):
        import tensorflow as tf

        dataset = tf.data.Dataset.from_tensor_slices((X, Y)).batch(16)
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam")
        history = model.fit(dataset, epochs=1, shuffle=False, verbose=0)
        self.assertTrue(np.isfinite(history.history["loss"][0]))

    def test_trace_penalty_joins_the_loss(self):
        head = NoiseAdaptationLayer(mode="linear", trace_penalty=0.5)
        model = NoisyLabelModel(
            small_base(), noise_layer=head, alpha=1.0, balance=0
        )
        model.compile(optimizer="adam")
        model.build((None, 6))
        results = model.evaluate(X, Y, verbose=0, return_dict=True)
        trace = np.trace(numpy_softmax(to_numpy(head.weight_matrix), axis=1))
        self.assertAllClose(
            results["loss"], results["nna_loss"] + 0.5 * trace, atol=1e-5
        )

    @pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
    def test_mixed_precision(self, policy):
        with mixed_precision(policy):
            model = NoisyLabelModel(small_base())
            model.compile(optimizer="adam")
            history = model.fit(X, Y, epochs=1, verbose=0)
            self.assertTrue(np.isfinite(history.history["loss"][0]))
            self.assertTrue(
                np.all(np.isfinite(model.predict_noisy(X, verbose=0)))
            )

    def test_beats_the_plain_model_on_noisy_blobs(self):
        # Four Gaussian blobs in 8-D, 45% eq. 1 noise, 1,000 training points.
        # Measured after 20 epochs at seed 0 (clean accuracy, plain -> NNAQC):
        # tensorflow 0.657 -> 0.892, jax 0.664 -> 0.871, torch 0.740 -> 0.883.
        rng = np.random.default_rng(0)
        centers = rng.normal(size=(4, 8)) * 1.5

        def draw(count):
            labels = rng.integers(0, 4, count)
            points = centers[labels] + rng.normal(size=(count, 8))
            return points.astype("float32"), labels

        (x, y), (x_test, y_test) = draw(1000), draw(2000)
        noisy = noise.corrupt(y, noise.uniform_simplex(4, 0.45, seed=0), seed=0)

        def mlp():
            return keras.Sequential(
                [
                    keras.Input((8,)),
                    keras.layers.Dense(256, activation="relu"),
                    keras.layers.Dense(256, activation="relu"),
                    keras.layers.Dense(4),
                ]
            )

        def clean_accuracy(model, **compile_args):
            model.compile(
                optimizer=keras.optimizers.Adam(1e-3),
                metrics=["accuracy"],
                **compile_args,
            )
            model.fit(x, noisy, epochs=20, batch_size=50, verbose=0)
            results = model.evaluate(
                x_test, y_test, verbose=0, return_dict=True
            )
            return results["accuracy"]

        keras.utils.set_random_seed(0)
        plain = clean_accuracy(
            mlp(), loss=keras.losses.SparseCategoricalCrossentropy(True)
        )
        keras.utils.set_random_seed(0)
        nnaqc = clean_accuracy(NoisyLabelModel(mlp()))
        assert nnaqc >= 0.85, nnaqc
        assert nnaqc - plain >= 0.10, (plain, nnaqc)


class FromLogitsDetectionTest(TestCase):
    def test_reads_the_last_layer(self):
        self.assertEqual(NoisyLabelModel(small_base()).outputs_logits, True)
        softmax = small_base(activation="softmax")
        self.assertEqual(NoisyLabelModel(softmax).outputs_logits, False)
        inputs = keras.Input((6,))
        scores = keras.layers.Dense(4)(inputs)
        functional = keras.Model(inputs, keras.layers.Softmax()(scores))
        self.assertEqual(NoisyLabelModel(functional).outputs_logits, False)

    def test_looks_through_flatten_and_dropout(self):
        base = keras.Sequential(
            [
                keras.Input((6, 6, 1)),
                keras.layers.Conv2D(4, 6),
                keras.layers.Flatten(),
                keras.layers.Dropout(0.1),
            ]
        )
        self.assertEqual(NoisyLabelModel(base).outputs_logits, True)

    def test_asks_when_the_output_is_computed_after_the_last_layer(self):
        inputs = keras.Input((6,))
        outputs = keras.ops.softmax(keras.layers.Dense(4)(inputs))
        with pytest.raises(ValueError, match="from_logits=True"):
            NoisyLabelModel(keras.Model(inputs, outputs))

    def test_asks_for_subclassed_models(self):
        class Classifier(keras.Model):
            def call(self, inputs):
                return inputs

        with pytest.raises(ValueError, match="Classifier.*from_logits"):
            NoisyLabelModel(Classifier())

    def test_rejects_other_activations(self):
        with pytest.raises(ValueError, match="activation sigmoid"):
            NoisyLabelModel(small_base(activation="sigmoid"))


class SavingTest(TestCase):
    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_keras_file_round_trip_resumes_training(self, mode):
        model = NoisyLabelModel(
            small_base(), noise_layer=mode, alpha=0.6, beta=0.3
        )
        model.compile(optimizer="adam", metrics=["accuracy"])
        model.fit(X, Y, epochs=1, batch_size=16, verbose=0)
        path = self.temp_path("model.keras")
        model.save(path)
        reloaded = keras.saving.load_model(path)
        self.assertEqual((reloaded.alpha, reloaded.beta), (0.6, 0.3))
        self.assertEqual(reloaded.noise_layer.mode, mode)
        self.assertAllClose(
            reloaded.predict(X, verbose=0), model.predict(X, verbose=0), atol=0
        )
        self.assertAllClose(
            reloaded.predict_noisy(X, verbose=0),
            model.predict_noisy(X, verbose=0),
            atol=0,
        )
        self.assertEqual(int(to_numpy(reloaded.optimizer.iterations)), 4)
        # The two continue identically: same optimizer state, same weights.
        model.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
        reloaded.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
        self.assertAllClose(
            reloaded.predict(X, verbose=0),
            model.predict(X, verbose=0),
            atol=1e-6,
        )

    def test_round_trip_with_a_fixed_noise_layer(self):
        phi = noise.uniform_simplex(4, 0.3, seed=0)
        head = NoiseAdaptationLayer.from_transition_matrix(phi, trainable=False)
        model = NoisyLabelModel(small_base(), noise_layer=head)
        model.compile(optimizer="adam")
        model.fit(X, Y, epochs=1, verbose=0)
        self.assertAllClose(head.transition_matrix(), phi, atol=1e-6)
        path = self.temp_path("genie.keras")
        model.save(path)
        reloaded = keras.saving.load_model(path, safe_mode=True)
        self.assertEqual(reloaded.noise_layer.trainable, False)
        self.assertAllClose(
            reloaded.noise_layer.transition_matrix(), phi, atol=1e-6
        )

    def test_config_keeps_constructor_arguments(self):
        model = NoisyLabelModel(
            small_base(), noise_layer="linear", alpha=0.2, balance=0.5
        )
        config = model.get_config()
        self.assertEqual(config["balance"], 0.5)
        self.assertEqual(config["class_prior"], None)
        self.assertEqual(NoisyLabelModel.from_config(config).balance, 0.5)
        del config["balance"], config["class_prior"]  # files before them
        self.assertEqual(NoisyLabelModel.from_config(config).balance, 0.0)
        prior = [0.1, 0.2, 0.3, 0.4]
        model = NoisyLabelModel(small_base(), class_prior=prior)
        revived = NoisyLabelModel.from_config(model.get_config())
        self.assertAllClose(revived.class_prior, prior)
        head = config["noise_layer"]
        self.assertEqual(head["class_name"], "NoiseAdaptationLayer")
        self.assertEqual(head["config"]["mode"], "linear")
        self.assertEqual(config["from_logits"], None)
        revived = NoisyLabelModel.from_config(config)
        self.assertEqual(revived.get_config()["alpha"], 0.2)
        self.assertEqual(revived.get_config()["noise_layer"], head)

    def test_default_head_reloads_as_saved_whatever_the_defaults(
        self, monkeypatch
    ):
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam")
        model.fit(X, Y, epochs=1, verbose=0)
        path = self.temp_path("default_head.keras")
        model.save(path)
        # A later version whose default head is the paper's loads the file.
        monkeypatch.setattr(
            "keras_nnaqc.models.noisy_label_model.default_noise_head",
            lambda mode, **kwargs: NoiseAdaptationLayer(mode=mode, **kwargs),
        )
        self.assertEqual(
            NoisyLabelModel(small_base()).noise_layer.kernel_speed, 1.0
        )
        reloaded = keras.saving.load_model(path)
        self.assertEqual(reloaded.noise_layer.kernel_speed, 10.0)
        self.assertEqual(
            reloaded.noise_layer.get_config(), model.noise_layer.get_config()
        )
        self.assertAllClose(
            reloaded.noise_layer.transition_matrix(),
            model.noise_layer.transition_matrix(),
            atol=0,
            rtol=0,
        )

    def test_file_naming_the_head_by_its_mode_still_loads(self):
        model = NoisyLabelModel(small_base(), alpha=0.2)
        model.compile(optimizer="adam")
        model.fit(X, Y, epochs=1, verbose=0)
        path = self.temp_path("model.keras")
        model.save(path)
        # Older files stored the default head as `noise="nonlinear"`.
        with edited_config(path) as config:
            del config["noise_layer"]
            config["noise"] = "nonlinear"
        reloaded = keras.saving.load_model(path)
        self.assertEqual(reloaded.alpha, 0.2)
        self.assertAllClose(
            reloaded.noise_layer.transition_matrix(),
            model.noise_layer.transition_matrix(),
            atol=0,
            rtol=0,
        )

    def test_file_storing_the_head_under_noise_still_loads(self):
        head = NoiseAdaptationLayer(mode="linear", kernel_speed=3.0)
        model = NoisyLabelModel(small_base(), noise_layer=head, alpha=0.5)
        model.compile(optimizer="adam")
        model.fit(X, Y, epochs=1, verbose=0)
        path = self.temp_path("model.keras")
        model.save(path)
        # Earlier versions named the argument, and the config key, `noise`.
        with edited_config(path) as config:
            config["noise"] = config.pop("noise_layer")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            reloaded = keras.saving.load_model(path)
        self.assertTrue(not any("`noise`" in str(w.message) for w in caught))
        self.assertEqual(reloaded.alpha, 0.5)
        self.assertEqual(reloaded.noise_layer.get_config(), head.get_config())
        self.assertAllClose(
            reloaded.noise_layer.transition_matrix(),
            head.transition_matrix(),
            atol=0,
            rtol=0,
        )
        config = reloaded.get_config()
        self.assertTrue("noise" not in config and "noise_layer" in config)

    def test_noise_argument_is_deprecated_for_noise_layer(self):
        with pytest.warns(DeprecationWarning, match="`noise_layer`") as caught:
            model = NoisyLabelModel(small_base(), noise="linear", alpha=0.5)
        # It points at the caller's line.
        self.assertEqual(caught[0].filename, __file__)
        self.assertEqual(model.noise_layer.mode, "linear")
        self.assertEqual(model.alpha, 0.5)
        head = NoiseAdaptationLayer()
        with pytest.warns(DeprecationWarning):
            model = NoisyLabelModel(small_base(), noise=head)
        self.assertTrue(model.noise_layer is head)
        with pytest.raises(ValueError, match="pass only `noise_layer`"):
            NoisyLabelModel(small_base(), noise=head, noise_layer="linear")

    @pytest.mark.skipif(
        not HAS_TENSORFLOW or keras.backend.backend() == "torch",
        reason="writing a SavedModel needs tensorflow, and the TensorFlow or "
        "JAX backend",
    )
    def test_export_writes_the_base_model_only(self):
        import tensorflow as tf

        base, model = trained_for_export()
        path = self.temp_path("served")
        model.export(path, verbose=False)
        served = tf.saved_model.load(path)
        names = [v.name for v in served.variables]
        self.assertEqual(len(names), len(base.weights))
        self.assertTrue(not any("noise" in name for name in names))
        self.assertAllClose(
            served.serve(tf.constant(X)).numpy(),
            base.predict(X, verbose=0),
            atol=1e-5,
        )

    @pytest.mark.skipif(
        keras.backend.backend() != "torch", reason="the torch backend's error"
    )
    def test_torch_saved_model_export_says_what_works_instead(self):
        _, model = trained_for_export()
        path = self.temp_path("served")
        with pytest.raises(ValueError, match="format='onnx'") as raised:
            model.export(path, verbose=False)
        self.assertTrue("KERAS_BACKEND=tensorflow or jax" in str(raised.value))
        self.assertTrue(raised.value.__cause__ is not None)


class OnnxExportTest(TestCase):
    @pytest.mark.skipif(
        keras.backend.backend() == "jax"
        or importlib.util.find_spec("onnxruntime") is None
        or (
            keras.backend.backend() == "tensorflow"
            and importlib.util.find_spec("tf2onnx") is None
        ),
        reason="Keras exports ONNX with tf2onnx (TensorFlow) or torch.onnx; "
        "JAX needs jax2onnx",
    )
    def test_export_passes_the_format_through(self):
        import onnxruntime

        base, model = trained_for_export()
        path = self.temp_path("clean.onnx")
        model.export(path, format="onnx", verbose=False)
        session = onnxruntime.InferenceSession(path)
        (served,) = session.run(None, {session.get_inputs()[0].name: X})
        self.assertAllClose(served, base.predict(X, verbose=0), atol=1e-5)


class BadInputTest(TestCase):
    @pytest.mark.parametrize("name,value", [("alpha", 1.3), ("beta", -0.1)])
    def test_rejects_weights_outside_unit_interval(self, name, value):
        with pytest.raises(ValueError, match=f"{name}={value}"):
            NoisyLabelModel(small_base(), **{name: value})

    def test_rejects_unknown_noise_layer(self):
        with pytest.raises(ValueError, match="noise_layer='quadratic'"):
            NoisyLabelModel(small_base(), noise_layer="quadratic")
        with pytest.raises(TypeError, match="noise_layer of type Dense"):
            NoisyLabelModel(small_base(), noise_layer=keras.layers.Dense(4))

    def test_rejects_a_loss_in_compile(self):
        model = NoisyLabelModel(small_base())
        with pytest.raises(ValueError, match="loss='mse'"):
            model.compile(optimizer="adam", loss="mse")

    def test_rejects_class_count_mismatch(self):
        head = NoiseAdaptationLayer(num_classes=5)
        model = NoisyLabelModel(small_base(), noise_layer=head)
        model.compile(optimizer="adam")
        with pytest.raises(
            ValueError, match=r"outputs 4 classes.*num_classes=5"
        ):
            model.fit(X, Y, epochs=1, verbose=0)

    def test_rejects_base_output_that_is_not_rank_2(self):
        base = keras.Sequential(
            [
                keras.Input((6,)),
                keras.layers.Reshape((2, 3)),
                keras.layers.Dense(4),
            ]
        )
        with pytest.raises(ValueError, match=r"output shape \(None, 2, 4\)"):
            NoisyLabelModel(base)
        model = NoisyLabelModel(base, from_logits=True)
        model.compile(optimizer="adam")
        with pytest.raises(ValueError, match=r"output shape \(\w+, 2, 4\)"):
            model.fit(X, Y, epochs=1, verbose=0)

    def test_rejects_labels_out_of_range_before_training(self):
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam")
        with pytest.raises(ValueError, match=r"\[0, 4\).*from 1 to 7"):
            model.fit(X, Y * 2 + 1, epochs=1, verbose=0)
        with pytest.raises(ValueError, match="validation_data"):
            model.fit(X, Y, validation_data=(X, Y - 1), epochs=1, verbose=0)
        self.assertEqual(int(to_numpy(model.optimizer.iterations)), 0)

    def test_rejects_labels_of_wrong_shape_in_arrays_and_datasets(self):
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam")
        with pytest.raises(ValueError, match=r"shape=\(64, 3\)"):
            model.fit(X, np.zeros((64, 3)), epochs=1, verbose=0)

        wrong = np.zeros((64, 3), "float32")
        with pytest.raises(ValueError, match=r"y_true.shape=\(.*3\)"):
            model.fit(Batches(X, wrong), epochs=1, verbose=0)

    def test_rejects_missing_labels(self):
        model = NoisyLabelModel(small_base())
        model.compile(optimizer="adam")
        with pytest.raises(ValueError, match="y=None"):
            model.fit(X, epochs=1, verbose=0)
