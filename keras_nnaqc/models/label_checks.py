import keras
from keras import ops

# The log entry that counts labels that are not classes (`LabelCheck`).
INVALID_LABELS = "invalid_labels"
# The log entries of `LabelCounts`: each class's training labels, weighted
# as the loss weighs them, and how many labels there were.
LABEL_COUNTS = "label_counts"
LABELS_SEEN = "labels_seen"
# The log entries `LabelCheck` keeps from other callbacks.
LABEL_CHECK_LOGS = (INVALID_LABELS, LABEL_COUNTS, LABELS_SEEN)


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


class LabelCounts(keras.metrics.Metric):
    """Sums the training labels of each class over an epoch (one-hot rows,
    soft labels by their weights, each row times its sample weight), logged
    as `LABEL_COUNTS`, and counts the labels, as `LABELS_SEEN`: `fit` does
    not see labels from a dataset before training, so `LabelCheck` checks
    the class-balance term's fit to them from these."""

    def __init__(self, num_classes):
        super().__init__(name=LABEL_COUNTS)
        self.counts = self.add_variable(
            shape=(num_classes,), initializer="zeros", name="counts"
        )
        self.seen = self.add_variable(
            shape=(), initializer="zeros", name="seen"
        )

    def update_state(self, label_rows, weights):
        """Adds `label_rows` `(batch, L)` weighted by `weights` `(batch,)`,
        zero for labels that are not classes."""
        self.counts.assign_add(ops.sum(label_rows * weights[:, None], axis=0))
        self.seen.assign_add(ops.cast(ops.shape(label_rows)[0], "float32"))

    def result(self):
        return {
            LABEL_COUNTS: ops.copy(self.counts),
            LABELS_SEEN: ops.copy(self.seen),
        }


class LabelCheck(keras.callbacks.Callback):
    """Stops `fit` and `evaluate` after the first batch holding labels that
    are not classes, which `compute_loss` counts in the logs as
    `invalid_labels`; with `check_balance`, warns after the first epoch
    where the class-balance term does not fit the labels, from the size of
    their first batch and their counts (`LabelCounts`); removes these
    counts from the logs that other callbacks (progress bar, `History`)
    see."""

    # It reads and edits the logs only, so Keras may run it off the
    # training thread.
    async_safe = True

    def __init__(self, noisy_label_model, check_balance=False):
        super().__init__()
        # Not `self.model`, which syncs the whole state on JAX.
        self.noisy_label_model = noisy_label_model
        self.check_balance = check_balance
        self.fitting = False
        self.first_epoch = False
        self.batch_size = None

    def on_train_begin(self, logs=None):
        self.fitting = True
        self.first_epoch = True
        self.batch_size = None

    def on_train_end(self, logs=None):
        self.fitting = False

    def on_train_batch_end(self, batch, logs=None):
        logs.pop(LABEL_COUNTS, None)
        seen = logs.pop(LABELS_SEEN, None)
        self._check(batch, logs, "y")
        if self.check_balance and self.batch_size is None and seen is not None:
            # `batch` is the last of the steps run so far (several with
            # `steps_per_execution`). Warned about at the epoch's end, on
            # the training thread (Keras may run this one on another).
            seen = float(ops.convert_to_numpy(seen))
            self.batch_size = round(seen / (batch + 1))

    def on_test_batch_end(self, batch, logs=None):
        logs.pop(LABEL_COUNTS, None)
        logs.pop(LABELS_SEEN, None)
        self._check(batch, logs, "validation_data" if self.fitting else "y")

    def on_epoch_end(self, epoch, logs=None):
        counts = logs.pop(LABEL_COUNTS, None)
        for name in LABEL_CHECK_LOGS:
            logs.pop(name, None)
            logs.pop(f"val_{name}", None)
        # Nothing counted: a `compute_loss` that does not count.
        if self.first_epoch and self.batch_size:
            self.noisy_label_model._warn_about_batch_size(self.batch_size)
            self.noisy_label_model._warn_about_prior(
                ops.convert_to_numpy(counts)
            )
        self.first_epoch = False

    def on_test_end(self, logs=None):
        for name in LABEL_CHECK_LOGS:
            logs.pop(name, None)

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
