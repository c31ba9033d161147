import keras


def mnist_cnn(
    num_classes=10,
    input_shape=(28, 28, 1),
    rescaling=1.0 / 255.0,
    name="mnist_cnn",
):
    """The MatConvNet default MNIST CNN, the paper's MNIST base model.

    conv 5x5x20 -> max-pool 2 -> conv 5x5x50 -> max-pool 2 -> conv 4x4x500
    + ReLU -> conv 1x1 to `num_classes`, ending in logits. The last two
    convolutions see a 4x4 and a 1x1 map, so they are written as the
    `Dense` layers they equal. Inputs are raw pixels in [0, 255]; by
    default the model rescales them itself, so the exported model takes
    images as they are (MatConvNet subtracts the mean image at pixel scale
    instead: `rescaling=None` and `reproduction.matconvnet`).

    Args:
        num_classes: Number of classes. Defaults to `10`.
        input_shape: Shape of one image. Defaults to `(28, 28, 1)`.
        rescaling: Factor the inputs are multiplied by first, or `None` for
            inputs normalised already. Defaults to `1 / 255`.
        name: Name of the model. Defaults to `"mnist_cnn"`.

    Returns:
        A `keras.Sequential` model outputting logits of shape
        `(batch, num_classes)`.

    Reference:
        - [MatConvNet](https://www.vlfeat.org/matconvnet/),
          `examples/mnist/cnn_mnist_init.m`
    """
    layers = keras.layers
    scaling = [] if rescaling is None else [layers.Rescaling(rescaling)]
    return keras.Sequential(
        [
            keras.Input(input_shape),
            *scaling,
            layers.Conv2D(20, 5, name="conv1"),
            layers.MaxPooling2D(2),
            layers.Conv2D(50, 5, name="conv2"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(500, activation="relu", name="conv3"),
            layers.Dense(num_classes, name="conv4"),
        ],
        name=name,
    )
