"""MatConvNet's recipes, the paper's: for CIFAR-10 whitening,
initialisation, weight decay and per-layer learning rates
(`examples/cifar/cnn_cifar.m`, `cnn_cifar_init.m`); for MNIST
initialisation and weight decay (`examples/mnist/cnn_mnist.m`,
`cnn_mnist_init.m`)."""

import keras
import numpy as np

from keras_nnaqc.architectures import cifar10_cnn
from keras_nnaqc.architectures import mnist_cnn

# conv1 is drawn with standard deviation 0.01, the other layers 0.05.
INITIAL_STDDEV = {"conv1": 0.01}
DEFAULT_STDDEV = 0.05
# MatConvNet adds `1e-4 * w` to each kernel's gradient: an L2 loss of
# `5e-5 * sum(w**2)`. Biases are not decayed.
WEIGHT_DECAY = 1e-4
# Each layer's rate is the global one times these, for kernel and bias; the
# last layer's are ten times smaller again.
RATE_MULTIPLIERS = {
    **{f"conv{i}": (0.1, 2.0) for i in range(1, 5)},
    "conv5": (0.01, 0.2),
}
# `cnn_mnist_init.m` draws every kernel with standard deviation 0.01;
# `cnn_mnist.m` decays kernels by `5e-4 * w`.
MNIST_STDDEV = 0.01
MNIST_WEIGHT_DECAY = 5e-4


def matconvnet_cifar10_cnn(
    num_classes=10, seed=None, flip=True, shift=0, conv_format=None
):
    """The paper's CIFAR-10 CNN initialised and decayed as MatConvNet does.

    For images whitened at pixel scale (`matconvnet_whitening(...,
    unit_scale=False)`): kernels drawn from zero-mean normals of standard
    deviation `INITIAL_STDDEV`, zero biases, an L2 penalty on kernels that
    adds `WEIGHT_DECAY * w` to their gradients. Train it with
    `LayerRateSGD`. MatConvNet flips each training batch left to right
    with probability 1/2; here a `RandomFlip` layer flips each image
    (during training only). MatConvNet does not shift images; `shift`
    adds random whole-pixel shifts of up to that many pixels along each
    axis, every offset equally likely, the uncovered border zero (as
    padding by `shift` and cropping at random). It takes channels-last
    images whatever layout its convolutions run in.

    Args:
        num_classes: Number of classes. Defaults to `10`.
        seed: Seed of the initial weights, the flips and the shifts.
            Defaults to `None`.
        flip: Whether to flip training images at random. Defaults to
            `True`.
        shift: Largest random shift of a training image, in pixels, along
            each axis. Defaults to `0`.
        conv_format: `"channels_last"` or `"channels_first"`, the layout
            the convolutions run in (the same model either way). Defaults
            to `None`: channels-first under PyTorch, whose convolutions
            take that layout (Keras would transpose around each one: 1.4
            to 1.8 times the training time on CPU,
            `benchmarks/conv_layout.py`), else channels-last.

    Returns:
        A `keras.Sequential` model outputting logits.
    """
    if conv_format is None:
        torch = keras.backend.backend() == "torch"
        conv_format = "channels_first" if torch else "channels_last"
    model = _initialised(
        cifar10_cnn(num_classes, rescaling=None, data_format=conv_format),
        lambda name: INITIAL_STDDEV.get(name, DEFAULT_STDDEV),
        WEIGHT_DECAY,
        seed,
    )
    layers = []
    if flip:
        layers.append(
            keras.layers.RandomFlip(
                "horizontal",
                seed=seed,
                data_format="channels_last",
                name="flip",
            )
        )
    if shift:
        layers.append(_random_shift(shift, 32, seed))
    if conv_format == "channels_first":
        layers.append(keras.layers.Permute((3, 1, 2), name="channels_first"))
    return _preceded_by(layers, model, (32, 32, 3))


def matconvnet_mnist_cnn(num_classes=10, seed=None, shift=0):
    """The paper's MNIST CNN initialised and decayed as MatConvNet does.

    For images at pixel scale minus the training images' mean image, as
    `cnn_mnist.m` feeds them: kernels drawn from N(0, `MNIST_STDDEV`²),
    zero biases, an L2 penalty on kernels that adds `MNIST_WEIGHT_DECAY *
    w` to their gradients. MatConvNet trains it with SGD at rate 0.001,
    momentum 0.9, batch 100. MatConvNet does not shift images; `shift`
    shifts each training image as `matconvnet_cifar10_cnn` does, after
    the mean image was subtracted (so the mean moves with the digit).

    Args:
        num_classes: Number of classes. Defaults to `10`.
        seed: Seed of the initial weights and the shifts. Defaults to
            `None`.
        shift: Largest random shift of a training image, in pixels, along
            each axis. Defaults to `0`.

    Returns:
        A `keras.Sequential` model outputting logits.
    """
    model = _initialised(
        mnist_cnn(num_classes, rescaling=None),
        lambda name: MNIST_STDDEV,
        MNIST_WEIGHT_DECAY,
        seed,
    )
    layers = [_random_shift(shift, 28, seed)] if shift else []
    return _preceded_by(layers, model, (28, 28, 1))


def _preceded_by(layers, model, input_shape):
    """`model` with `layers` (preprocessing) before its own, taking
    inputs of `input_shape`; `model` itself when there are none."""
    if not layers:
        return model
    return keras.Sequential(
        [keras.Input(input_shape), *layers, *model.layers], name=model.name
    )


def _random_shift(shift, size, seed):
    """A layer shifting each training image of `size` pixels square by a
    whole number of pixels up to `shift` along each axis, every offset
    equally likely, the uncovered border zero."""
    # A uniform shift in [-shift - 1/2, shift + 1/2] pixels, rounded. Its
    # own seed: layers seeded alike draw alike.
    return keras.layers.RandomTranslation(
        (shift + 0.5) / size,
        (shift + 0.5) / size,
        fill_mode="constant",
        interpolation="nearest",
        seed=None if seed is None else seed + 1,
        data_format="channels_last",
        name="shift",
    )


def _initialised(model, stddev_of, weight_decay, seed):
    """A copy of `model` whose kernels are drawn from N(0, stddev_of(layer
    name)²) and decayed by `weight_decay * w`."""

    def recipe(layer):
        config = layer.get_config()
        if "kernel_initializer" in config:
            config["kernel_initializer"] = keras.initializers.RandomNormal(
                stddev=stddev_of(layer.name), seed=seed
            )
            config["kernel_regularizer"] = keras.regularizers.L2(
                weight_decay / 2
            )
        return layer.__class__.from_config(config)

    return keras.models.clone_model(model, clone_function=recipe)


@keras.saving.register_keras_serializable(package="keras_nnaqc")
class LayerRateSGD(keras.optimizers.SGD):
    """SGD whose rate is scaled per layer, as MatConvNet's `learningRate`.

    The gradient of a variable named `kernel` or `bias` of a layer named in
    `multipliers` is scaled by that layer's `(kernel, bias)` factors before
    the update, momentum included; other variables (a noise head) keep the
    global rate.

    Args:
        multipliers: Layer name to `(kernel factor, bias factor)`. Defaults
            to `None`: `RATE_MULTIPLIERS`.
        **kwargs: Arguments of `keras.optimizers.SGD`.
    """

    def __init__(self, multipliers=None, **kwargs):
        super().__init__(**kwargs)
        self.multipliers = {
            name: tuple(factors)
            for name, factors in (multipliers or RATE_MULTIPLIERS).items()
        }

    def apply(self, grads, trainable_variables=None):
        variables = trainable_variables or self._trainable_variables
        grads = [
            None if grad is None else grad * self._factor(variable)
            for grad, variable in zip(grads, variables, strict=True)
        ]
        return super().apply(grads, trainable_variables)

    def _factor(self, variable):
        layer, name = variable.path.split("/")[-2:]
        kernel, bias = self.multipliers.get(layer, (1.0, 1.0))
        return {"kernel": kernel, "bias": bias}.get(name, 1.0)

    def get_config(self):
        return {**super().get_config(), "multipliers": self.multipliers}


def matconvnet_whitening(
    x_train, x_test, min_contrast=40.0, min_scale=10.0, unit_scale=True
):
    """Contrast-normalises and ZCA-whitens images as MatConvNet's CIFAR-10
    example does (`cnn_cifar.m`), the paper's CIFAR-10 preprocessing.

    Each image has the training set's mean image subtracted; then its own
    mean is subtracted and it is divided by its standard deviation (at
    least `min_contrast`), times the average standard deviation; then the
    training images' covariance is whitened, its eigenvalues' square roots
    floored at `min_scale`. Unlike MatConvNet, every statistic comes from
    `x_train` alone, and by default the result is scaled to unit standard
    deviation (MatConvNet keeps pixel scale and starts from small weights
    instead).

    Args:
        x_train: Training images, `(n, height, width, channels)`, pixels in
            [0, 255].
        x_test: Images to transform with the training set's statistics.
        min_contrast: Floor of an image's standard deviation. Defaults to
            `40`.
        min_scale: Floor of the square roots of the eigenvalues. Defaults
            to `10`.
        unit_scale: Whether to divide by the training images' standard
            deviation; `False` keeps MatConvNet's scale. Defaults to `True`.

    Returns:
        `(x_train, x_test)` whitened, float32, of the same shapes.
    """
    train = np.asarray(x_train, np.float32).reshape(len(x_train), -1)
    test = np.asarray(x_test, np.float32).reshape(len(x_test), -1)
    mean_image = train.mean(axis=0)
    train, deviation = _normalise_contrast(train - mean_image, min_contrast)
    test, _ = _normalise_contrast(test - mean_image, min_contrast, deviation)
    eigenvalues, eigenvectors = _covariance_eigenvectors(train)
    # The covariance has `dimension - len(eigenvalues)` more eigenvalues,
    # all zero: their directions get the floored gain.
    dimension = train.shape[1]
    floor_gain = np.sqrt(eigenvalues.sum() / dimension) / min_scale
    gains = floor_gain * min_scale / np.maximum(np.sqrt(eigenvalues), min_scale)
    train, test = (
        (images @ eigenvectors) * (gains - floor_gain) @ eigenvectors.T
        + floor_gain * images
        for images in (train, test)
    )
    scale = train.std() if unit_scale else 1.0
    return (
        (train / scale).astype(np.float32).reshape(np.shape(x_train)),
        (test / scale).astype(np.float32).reshape(np.shape(x_test)),
    )


def _covariance_eigenvectors(images):
    """The non-zero eigenvalues and eigenvectors of `images.T @ images / n`,
    from the smaller of the two Gram matrices."""
    images64 = images.astype(np.float64)
    if len(images) >= images.shape[1]:
        eigenvalues, eigenvectors = np.linalg.eigh(
            images64.T @ images64 / len(images)
        )
    else:
        eigenvalues, vectors = np.linalg.eigh(
            images64 @ images64.T / len(images)
        )
        keep = eigenvalues > eigenvalues.max() * 1e-12
        eigenvalues = eigenvalues[keep]
        eigenvectors = images64.T @ vectors[:, keep]
        eigenvectors /= np.linalg.norm(eigenvectors, axis=0)
    eigenvalues = np.maximum(eigenvalues, 0.0)
    return eigenvalues, eigenvectors.astype(np.float32)


def _normalise_contrast(images, floor, mean_deviation=None):
    """Each flattened image centred and scaled to the mean deviation."""
    images = images - images.mean(axis=1, keepdims=True)
    deviations = images.std(axis=1, ddof=1)
    if mean_deviation is None:
        mean_deviation = deviations.mean()
    return images * (mean_deviation / np.maximum(deviations, floor))[
        :, None
    ], mean_deviation
