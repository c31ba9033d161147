import keras

# This package's default, not the paper's (docs/concepts.md): the warm-up
# keeps NNAQC from merging classes at 70% noise on MNIST.
BETA_WARMUP_EPOCHS = 2


class EpochCounter(keras.callbacks.Callback):
    """Counts finished training epochs: the clock of the beta warm-up."""

    def __init__(self, counter):
        super().__init__()
        self.counter = counter

    def on_epoch_end(self, epoch, logs=None):
        self.counter.assign(self.counter + 1.0)
