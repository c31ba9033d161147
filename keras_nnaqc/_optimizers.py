"""Optimizer helpers shared by the method registry and tuning."""

import keras


def fresh_optimizer(optimizer):
    """A new optimizer like `optimizer`: every model needs its own state.

    Args:
        optimizer: An optimizer name, config dict or instance.

    Returns:
        A new `keras.optimizers.Optimizer`.
    """
    if isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer.__class__.from_config(optimizer.get_config())
    return keras.optimizers.get(optimizer)
