import keras


def cifar10_cnn(
    num_classes=10,
    input_shape=(32, 32, 3),
    rescaling=1.0 / 255.0,
    name="cifar10_cnn",
):
    """The MatConvNet default CIFAR-10 CNN, the paper's CIFAR-10 base model.

    conv 5x5x32 -> max-pool 3/2 -> ReLU -> conv 5x5x32 + ReLU -> avg-pool
    3/2 -> conv 5x5x64 + ReLU -> avg-pool 3/2 -> conv 4x4x64 + ReLU ->
    conv 1x1 to `num_classes`, ending in logits (the last two convolutions
    see a 4x4 and a 1x1 map, so they are written as `Dense` layers).

    Chosen here: MatConvNet whitens the images (ZCA and contrast
    normalisation); by default this model rescales pixels to [0, 1] and
    leaves further normalisation to the data pipeline (the reproduction
    whitens as MatConvNet does, `rescaling=None`). Average pooling ignores
    padding.

    Args:
        num_classes: Number of classes. Defaults to `10`.
        input_shape: Shape of one image. Defaults to `(32, 32, 3)`.
        rescaling: Factor the inputs are multiplied by first, or `None` for
            inputs normalised already. Defaults to `1 / 255`.
        name: Name of the model. Defaults to `"cifar10_cnn"`.

    Returns:
        A `keras.Sequential` model outputting logits.

    Reference:
        - [MatConvNet](https://www.vlfeat.org/matconvnet/),
          `examples/cifar/cnn_cifar_init.m` (the "lenet" network)
    """
    layers = keras.layers
    scaling = [] if rescaling is None else [layers.Rescaling(rescaling)]
    return keras.Sequential(
        [
            keras.Input(input_shape),
            *scaling,
            layers.Conv2D(32, 5, padding="same", name="conv1"),
            layers.MaxPooling2D(3, strides=2, padding="same"),
            layers.ReLU(),
            layers.Conv2D(
                32, 5, padding="same", activation="relu", name="conv2"
            ),
            layers.AveragePooling2D(3, strides=2, padding="same"),
            layers.Conv2D(
                64, 5, padding="same", activation="relu", name="conv3"
            ),
            layers.AveragePooling2D(3, strides=2, padding="same"),
            layers.Flatten(),
            layers.Dense(64, activation="relu", name="conv4"),
            layers.Dense(num_classes, name="conv5"),
        ],
        name=name,
    )
