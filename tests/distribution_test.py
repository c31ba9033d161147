"""Training on two devices matches training on one (existing engines only)."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_nnaqc.testing import TestCase

TRAIN = """
import json, numpy as np, keras, keras_nnaqc

def build(**kwargs):
    keras.utils.set_random_seed(0)
    base = keras.Sequential([keras.Input((6,)),
                             keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(4)])
    head = keras_nnaqc.NoiseAdaptationLayer(mode="linear", trace_penalty=0.1)
    model = keras_nnaqc.NoisyLabelModel(base, noise_layer=head, **kwargs)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    return model

def train(model):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = rng.integers(0, 4, 64)
    history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    return history.history["loss"], [float(np.sum(w)) for w in
                                      model.get_weights()]
"""

# Both of Keras's patterns: `fit` inside the scope, and (the documented one)
# model created and compiled inside it, `fit` called outside. Without the
# balance term, which each replica computes on its own share of the batch.
MIRRORED = (
    """
import os
os.environ["KERAS_BACKEND"] = "tensorflow"
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
"""
    + TRAIN
    + """
with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
    single = train(build(balance=0))
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    mirrored = train(build(balance=0))
with strategy.scope():
    model = build(balance=0)
print(json.dumps({"single": single, "parallel": mirrored,
                  "fit_outside_scope": train(model),
                  "devices": strategy.num_replicas_in_sync}))
"""
)

# Globally, and with the model created and compiled in the distribution's
# scope, trained inside it and outside it; the balance term sees the whole
# batch, as on one device.
DATA_PARALLEL = (
    """
import os
os.environ["KERAS_BACKEND"] = "jax"
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
"""
    + TRAIN
    + """
single = train(build())
devices = keras.distribution.list_devices("cpu")
distribution = keras.distribution.DataParallel(devices=devices)
keras.distribution.set_distribution(distribution)
parallel = train(build())
keras.distribution.set_distribution(None)
with distribution.scope():
    inside = train(build())
with distribution.scope():
    model = build()
print(json.dumps({"single": single, "parallel": parallel,
                  "fit_inside_scope": inside,
                  "fit_outside_scope": train(model),
                  "devices": len(devices)}))
"""
)


def run(script):
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "XLA_FLAGS"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


class DistributionTest(TestCase):
    def check_same_trajectory(self, results, runs):
        self.assertEqual(results["devices"], 2)
        single_loss, single_weights = results["single"]
        for run_name in runs:
            parallel_loss, parallel_weights = results[run_name]
            np.testing.assert_allclose(parallel_loss, single_loss, rtol=1e-5)
            np.testing.assert_allclose(
                parallel_weights, single_weights, rtol=1e-4, atol=1e-5
            )

    @pytest.mark.skipif(
        keras.backend.backend() != "tensorflow", reason="tf.distribute test"
    )
    def test_mirrored_strategy_on_two_cpu_devices(self):
        self.check_same_trajectory(
            run(MIRRORED), ["parallel", "fit_outside_scope"]
        )

    @pytest.mark.skipif(
        keras.backend.backend() != "jax", reason="keras.distribution on JAX"
    )
    def test_data_parallel_on_two_host_devices(self):
        self.check_same_trajectory(
            run(DATA_PARALLEL),
            ["parallel", "fit_inside_scope", "fit_outside_scope"],
        )
