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

RNG = np.random.default_rng(0)
CLEAN = numpy_softmax(RNG.normal(size=(4, 5)) * 2).astype("float32")
KERNEL = RNG.normal(size=(5, 5)).astype("float32")


def numpy_noise_head(clean, kernel, mode):
    """The paper's eqs. 3 and 5 for row vectors."""
    if mode == "nonlinear":
        return numpy_softmax(clean @ kernel)
    return clean @ numpy_softmax(kernel, axis=1)


def built_layer(mode, **kwargs):
    layer = NoiseAdaptationLayer(mode=mode, **kwargs)
    layer.build((None, 5))
    layer.kernel.assign(KERNEL)
    return layer


class NoiseAdaptationLayerTest(TestCase):
    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_layer_basics(self, mode):
        # Identity initial kernel: the heads of eqs. 3 and 5 with W = I.
        self.run_layer_test(
            NoiseAdaptationLayer,
            {"mode": mode},
            CLEAN,
            numpy_noise_head(CLEAN, np.eye(5), mode),
        )

    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_matches_the_paper_formula(self, mode):
        layer = built_layer(mode)
        expected = numpy_noise_head(CLEAN, KERNEL, mode)
        self.assertAllClose(layer(CLEAN), expected, atol=1e-6)
        self.assertAllClose(to_numpy(layer(CLEAN)).sum(axis=1), np.ones(4))

    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_transition_matrix_is_the_one_hot_response(self, mode):
        # For e_i both heads give softmax(W[i]).
        layer = built_layer(mode)
        self.assertAllClose(
            layer.transition_matrix(), numpy_softmax(KERNEL, axis=1), atol=1e-6
        )

    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_noisy_logits_agree_with_call(self, mode):
        layer = built_layer(mode)
        logits = np.log(CLEAN) + 3.0  # any per-row shift gives the same y_hat
        self.assertAllClose(
            keras.ops.softmax(layer.noisy_logits(logits)),
            numpy_noise_head(CLEAN, KERNEL, mode),
            atol=1e-6,
        )

    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_noisy_logits_finite_for_extreme_logits(self, mode):
        layer = built_layer(mode)
        logits = np.array([[1e4, -1e4, 0, 0, 0], [-1e4] * 4 + [1e4]], "float32")
        noisy = to_numpy(layer.noisy_logits(logits))
        self.assertTrue(np.all(np.isfinite(noisy)))
        # A saturated clean prediction e_i yields row i of the transition.
        self.assertAllClose(
            keras.ops.softmax(noisy),
            numpy_softmax(KERNEL, axis=1)[[0, 4]],
            atol=1e-6,
        )

    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_kernel_speed_scales_the_kernel_variable(self, mode):
        # W = kernel_speed * kernel, in the output and the trace penalty.
        layer = built_layer(mode, kernel_speed=4.0, trace_penalty=0.3)
        expected = numpy_noise_head(CLEAN, 4.0 * KERNEL, mode)
        self.assertAllClose(layer(CLEAN), expected, atol=1e-6)
        penalty = 0.3 * np.trace(numpy_softmax(4.0 * KERNEL, axis=1))
        self.assertAllClose(layer.losses[0], penalty, atol=1e-6)

    def test_kernel_speed_keeps_the_initial_w(self):
        fast = NoiseAdaptationLayer(kernel_speed=10.0)
        fast.build((None, 5))
        self.assertAllClose(fast.kernel, np.eye(5) / 10.0, atol=1e-7)
        slow = NoiseAdaptationLayer()
        slow.build((None, 5))
        self.assertAllClose(
            fast.transition_matrix(), slow.transition_matrix(), atol=1e-6
        )
        phi = noise.uniform_simplex(5, 0.4, seed=0)
        from_phi = NoiseAdaptationLayer.from_transition_matrix(
            phi, kernel_speed=10.0
        )
        self.assertAllClose(from_phi.transition_matrix(), phi, atol=1e-6)

    @pytest.mark.parametrize("optimizer", ["sgd", "adam"])
    def test_kernel_speed_multiplies_every_optimizers_step(self, optimizer):
        # One step on cross-entropy: the gradient of W is
        # y_hat.T @ (softmax(y_hat @ W) - y') / batch (NumPy); SGD moves W by
        # -speed * lr * grad, Adam's first step by -speed * lr * grad /
        # (|grad| + epsilon / sqrt(1 - beta_2)). (Before the fix SGD moved W
        # speed**2 times; Adam differed only through epsilon, on the small
        # entries of grad.)
        targets = np.eye(5, dtype="float32")[[1, 0, 4, 3]]
        grad = CLEAN.T @ (numpy_softmax(CLEAN @ KERNEL, axis=1) - targets)
        grad /= len(CLEAN)
        if optimizer == "sgd":
            step = grad
        else:
            step = grad / (np.abs(grad) + 1e-7 / np.sqrt(1 - 0.999))
        speed = 4.0
        head = built_layer("nonlinear", kernel_speed=speed)
        head.kernel.assign(KERNEL / speed)
        model = keras.Sequential([keras.Input((5,)), head])
        model.compile(
            optimizer=keras.optimizers.get(
                {"class_name": optimizer, "config": {"learning_rate": 0.1}}
            ),
            loss="categorical_crossentropy",
        )
        model.fit(CLEAN, targets, batch_size=len(CLEAN), verbose=0)
        self.assertAllClose(
            head.weight_matrix, KERNEL - speed * 0.1 * step, atol=1e-5
        )

    def test_kernel_speed_multiplies_the_penalty_step(self):
        # The trace penalty alone: d(lambda * s_i(W[i]))/dW[i, j] =
        # lambda * s_i * (delta_ij - s_j) with s = softmax(W[i]); one SGD
        # step moves W by -speed * lr times it.
        rows = numpy_softmax(KERNEL, axis=1)
        diagonal = np.diag(rows)[:, None]
        grad = 0.3 * diagonal * (np.eye(5) - rows)
        speed = 4.0
        head = built_layer("linear", kernel_speed=speed, trace_penalty=0.3)
        head.kernel.assign(KERNEL / speed)
        model = keras.Sequential([keras.Input((5,)), head])
        model.compile(
            optimizer=keras.optimizers.SGD(0.1),
            loss=lambda y_true, y_pred: 0.0 * keras.ops.sum(y_pred),
        )
        model.fit(CLEAN, CLEAN, batch_size=len(CLEAN), verbose=0)
        self.assertAllClose(
            head.weight_matrix, KERNEL - speed * 0.1 * grad, atol=1e-6
        )

    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_weight_matrix_is_w(self, mode):
        # W = kernel_speed * kernel; for the linear head its row softmax
        # (the paper's column softmax) is the transition matrix.
        layer = built_layer(mode, kernel_speed=4.0)
        weights = layer.weight_matrix
        self.assertEqual(
            keras.backend.standardize_dtype(weights.dtype), "float32"
        )
        self.assertAllClose(weights, 4.0 * KERNEL, atol=0, rtol=0)
        self.assertAllClose(
            layer.transition_matrix(),
            numpy_softmax(4.0 * KERNEL, axis=1),
            atol=1e-6,
        )
        if mode == "nonlinear":
            # The noisy-label logits are y_hat @ W.
            self.assertAllClose(
                layer.noisy_logits(np.log(CLEAN)),
                CLEAN @ (4.0 * KERNEL),
                atol=1e-5,
            )
        else:
            self.assertAllClose(
                layer(CLEAN),
                CLEAN @ numpy_softmax(4.0 * KERNEL, axis=1),
                atol=1e-6,
            )

    def test_weight_matrix_under_mixed_precision_is_float32(self):
        with mixed_precision("mixed_float16"):
            layer = built_layer("nonlinear")
        weights = layer.weight_matrix
        self.assertEqual(
            keras.backend.standardize_dtype(weights.dtype), "float32"
        )
        self.assertAllClose(weights, KERNEL, atol=0, rtol=0)

    def test_weight_matrix_drives_the_output_and_the_penalty(self):
        # A subclass that parameterises W otherwise overrides the property.
        class ShiftedHead(NoiseAdaptationLayer):
            @property
            def weight_matrix(self):
                return super().weight_matrix + 1.0

        layer = ShiftedHead(mode="linear", trace_penalty=0.3)
        layer.build((None, 5))
        layer.kernel.assign(KERNEL)
        shifted = KERNEL + 1.0
        self.assertAllClose(
            layer(CLEAN), numpy_noise_head(CLEAN, shifted, "linear"), atol=1e-6
        )
        self.assertAllClose(
            layer.losses[0],
            0.3 * np.trace(numpy_softmax(shifted, axis=1)),
            atol=1e-6,
        )

    @pytest.mark.parametrize("speed", [1.0, 10.0])
    def test_adam_moves_w_kernel_speed_times_as_far(self, speed):
        # Adam's first step moves every variable by about its learning
        # rate, so W moves by kernel_speed times that.
        layer = NoiseAdaptationLayer(kernel_speed=speed)
        model = keras.Sequential([keras.Input((5,)), layer])
        model.compile(
            optimizer=keras.optimizers.Adam(0.01),
            loss="categorical_crossentropy",
        )
        start = to_numpy(layer.weight_matrix)
        target = numpy_softmax(RNG.normal(size=(4, 5)) * 3)
        model.fit(CLEAN, target, batch_size=4, epochs=1, verbose=0)
        moved = np.abs(to_numpy(layer.weight_matrix) - start)
        self.assertAllClose(moved.max(), 0.01 * speed, rtol=1e-3)

    def test_from_transition_matrix(self):
        phi = noise.uniform_simplex(6, 0.4, seed=0)
        layer = NoiseAdaptationLayer.from_transition_matrix(
            phi, trainable=False
        )
        self.assertAllClose(layer.transition_matrix(), phi, atol=1e-6)
        self.assertEqual(layer.trainable_weights, [])
        clean = numpy_softmax(RNG.normal(size=(3, 6)))
        self.assertAllClose(layer(clean), clean @ phi, atol=1e-6)

    def test_from_transition_matrix_keeps_zero_entries_at_zero(self):
        layer = NoiseAdaptationLayer.from_transition_matrix(noise.pair(4, 0.3))
        self.assertAllClose(layer.transition_matrix(), noise.pair(4, 0.3))

    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_dropout_only_while_training(self, mode):
        layer = built_layer(mode, dropout=0.5, seed=1)
        expected = numpy_noise_head(CLEAN, KERNEL, mode)
        self.assertAllClose(layer(CLEAN, training=False), expected, atol=1e-6)
        trained = to_numpy(layer(CLEAN, training=True))
        self.assertTrue(not np.allclose(trained, expected, atol=1e-3))
        self.assertAllClose(trained.sum(axis=1), np.ones(4), atol=1e-5)

    def test_linear_dropout_renormalises_the_kept_classes(self):
        layer = built_layer("linear", dropout=0.5, seed=3)
        dropped = to_numpy(layer.input_dropout(CLEAN, training=True))
        keras.utils.set_random_seed(0)
        layer = built_layer("linear", dropout=0.5, seed=3)
        kept = dropped / dropped.sum(axis=1, keepdims=True)
        expected = kept @ numpy_softmax(KERNEL, axis=1)
        self.assertAllClose(layer(CLEAN, training=True), expected, atol=1e-6)

    def test_dropout_gradients_stay_finite_under_mixed_float16(self):
        # A confident base (logits with a spread of about 7) whose dominant
        # class the dropout removes: the linear head's gradient then reaches
        # 1e4 and more, past float16's 65504 once scaled by the loss scale.
        rng = np.random.default_rng(1)
        x = rng.normal(size=(96, 6)).astype("float32")
        y = rng.integers(0, 4, 96)
        with mixed_precision("mixed_float16"):
            base = keras.Sequential(
                [
                    keras.Input((6,)),
                    keras.layers.Dense(
                        4,
                        kernel_initializer=keras.initializers.RandomNormal(
                            0.0, 3.0, seed=1
                        ),
                    ),
                ]
            )
            head = NoiseAdaptationLayer(mode="linear", dropout=0.5, seed=2)
            model = NoisyLabelModel(
                base, noise_layer=head, beta_warmup_epochs=0
            )
            model.compile(optimizer=keras.optimizers.SGD(1e-4))
            self.assertEqual(head.input_dropout.compute_dtype, "float32")
            model.fit(x, y, batch_size=16, epochs=4, verbose=0)
        # A step with a non-finite gradient is skipped and halves the loss
        # scale from its initial 2**15: all 24 steps ran, none was skipped.
        self.assertEqual(int(to_numpy(model.optimizer.iterations)), 24)
        self.assertEqual(float(to_numpy(model.optimizer.dynamic_scale)), 2**15)

    @pytest.mark.parametrize("mode", ["nonlinear", "linear"])
    def test_trace_penalty(self, mode):
        layer = built_layer(mode, trace_penalty=0.3)
        expected = 0.3 * np.trace(numpy_softmax(KERNEL, axis=1))
        self.assertEqual(len(layer.losses), 1)
        self.assertAllClose(layer.losses[0], expected, atol=1e-6)

    def test_trace_penalty_adds_to_kernel_regularizer(self):
        layer = built_layer(
            "linear", trace_penalty=0.3, kernel_regularizer="l2"
        )
        expected = 0.3 * np.trace(
            numpy_softmax(KERNEL, axis=1)
        ) + 0.01 * np.sum(KERNEL.astype(np.float64) ** 2)
        self.assertAllClose(layer.losses[0], expected, atol=1e-5)

    def test_config_keeps_every_argument(self):
        layer = NoiseAdaptationLayer(
            num_classes=7,
            mode="linear",
            kernel_initializer=keras.initializers.RandomNormal(
                0.5, 0.2, seed=1
            ),
            kernel_speed=3.0,
            kernel_regularizer="l2",
            dropout=0.25,
            trace_penalty=0.1,
            seed=5,
            name="head",
        )
        revived = NoiseAdaptationLayer.from_config(layer.get_config())
        for name in (
            "num_classes",
            "mode",
            "kernel_speed",
            "dropout",
            "trace_penalty",
            "seed",
        ):
            self.assertEqual(getattr(revived, name), getattr(layer, name))
        layer.build((None, 7))
        revived.build((None, 7))
        self.assertAllClose(revived.kernel, layer.kernel, atol=0, rtol=0)

    def test_rejects_unknown_mode(self):
        with pytest.raises(ValueError, match="mode='affine'"):
            NoiseAdaptationLayer(mode="affine")

    def test_rejects_class_count_mismatch(self):
        layer = NoiseAdaptationLayer(num_classes=3)
        with pytest.raises(ValueError, match=r"num_classes=3.*\(None, 5\)"):
            layer.build((None, 5))

    def test_rejects_input_that_is_not_rank_2(self):
        with pytest.raises(ValueError, match=r"input_shape=\(None, 4, 5\)"):
            NoiseAdaptationLayer()(keras.Input((4, 5)))

    @pytest.mark.parametrize("dropout", [-0.1, 1.0])
    def test_rejects_bad_dropout(self, dropout):
        with pytest.raises(ValueError, match=f"dropout={dropout}"):
            NoiseAdaptationLayer(dropout=dropout)

    def test_rejects_negative_trace_penalty(self):
        with pytest.raises(ValueError, match="trace_penalty=-1"):
            NoiseAdaptationLayer(trace_penalty=-1)

    @pytest.mark.parametrize("speed", [0, -1.0, float("inf"), True, "fast"])
    def test_rejects_bad_kernel_speed(self, speed):
        with pytest.raises(ValueError, match=f"kernel_speed={speed!r}"):
            NoiseAdaptationLayer(kernel_speed=speed)

    def test_transition_matrix_needs_a_built_layer(self):
        with pytest.raises(ValueError, match="built"):
            NoiseAdaptationLayer().transition_matrix()
        with pytest.raises(ValueError, match="built"):
            _ = NoiseAdaptationLayer().weight_matrix
