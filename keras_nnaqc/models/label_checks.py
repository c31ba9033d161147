import keras
from keras import ops

# The log entry that counts labels that are not classes (`LabelCheck`).
INVALID_LABELS = "invalid_labels"


class InvalidLabelCount(keras.metrics.Sum):
    """Counts labels that are not classes, logged as `INVALID_LABELS`.

    Its result is a copy: Keras may hand the logs to `LabelCheck` on
    another thread after later steps, and a PyTorch variable's value is
    the variable itself, so without the copy a training step's count could
    be read after the validation that follows it has changed it.
    """

    def __init__(self):
        super().__init__(name=INVALID_LABELS)

    def result(self):
        return ops.copy(super().result())


class LabelCheck(keras.callbacks.Callback):
    """Stops `fit` and `evaluate` after the first batch holding labels that
    are not classes, which `compute_loss` counts in the logs as
    `invalid_labels`; removes that count from the logs that other callbacks
    (progress bar, `History`) see."""

    # It reads and edits the logs only, so Keras may run it off the
    # training thread.
    async_safe = True

    def __init__(self, noisy_label_model):
        super().__init__()
        # Not `self.model`, which syncs the whole state on JAX.
        self.noisy_label_model = noisy_label_model
        self.fitting = False

    def on_train_begin(self, logs=None):
        self.fitting = True

    def on_train_end(self, logs=None):
        self.fitting = False

    def on_train_batch_end(self, batch, logs=None):
        self._check(batch, logs, "y")

    def on_test_batch_end(self, batch, logs=None):
        self._check(batch, logs, "validation_data" if self.fitting else "y")

    def on_epoch_end(self, epoch, logs=None):
        logs.pop(INVALID_LABELS, None)
        logs.pop(f"val_{INVALID_LABELS}", None)

    def on_test_end(self, logs=None):
        logs.pop(INVALID_LABELS, None)

    def _check(self, batch, logs, name):
        count = logs.pop(INVALID_LABELS, 0)
        if count:
            num_classes = self.noisy_label_model.noise_layer.kernel.shape[0]
            raise ValueError(
                f"`{name}` holds labels that are not classes of this "
                f"{num_classes}-class model: integer labels must be whole "
                f"numbers in [0, {num_classes}), one-hot (or soft) labels "
                f"rows of {num_classes} non-negative numbers that sum to 1, "
                f"and NaN is neither. Received: {int(count)} such labels in "
                f"the first {batch + 1} batches of {name}"
            )
