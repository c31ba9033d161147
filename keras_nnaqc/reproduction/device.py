"""Names the device that ran an experiment, for its results line."""

import os
import platform

import keras


def describe_device():
    """A short name of the accelerator in use, or of the CPU.

    Returns:
        For example `"gpu: NVIDIA H100 80GB HBM3"` or
        `"cpu: Intel(R) Xeon(R) ... (2 cores)"`.
    """
    accelerator = _accelerator_name(keras.backend.backend())
    if accelerator:
        return f"gpu: {accelerator}"
    return f"cpu: {_cpu_name()} ({os.cpu_count()} cores)"


def _accelerator_name(backend):
    if backend == "jax":
        import jax

        devices = [d for d in jax.devices() if d.platform != "cpu"]
        return devices[0].device_kind if devices else None
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if not gpus:
            return None
        details = tf.config.experimental.get_device_details(gpus[0])
        return details.get("device_name", gpus[0].name)
    if backend == "torch":
        import torch

        if not torch.cuda.is_available():
            return None
        return torch.cuda.get_device_name(0)
    return None


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
