import keras


def cifar10_cnn(
    num_classes=10,
    input_shape=None,
    rescaling=1.0 / 255.0,
    name="cifar10_cnn",
    data_format=None,
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
        input_shape: Shape of one image. Defaults to `None`: `(32, 32, 3)`,
            or `(3, 32, 32)` for `data_format="channels_first"`.
        rescaling: Factor the inputs are multiplied by first, or `None` for
            inputs normalised already. Defaults to `1 / 255`.
        name: Name of the model. Defaults to `"cifar10_cnn"`.
        data_format: `"channels_last"` or `"channels_first"`, the layout of
            the images. Defaults to `None`:
            `keras.config.image_data_format()`.

    Returns:
        A `keras.Sequential` model outputting logits.

    Reference:
        - [MatConvNet](https://www.vlfeat.org/matconvnet/),
          `examples/cifar/cnn_cifar_init.m` (the "lenet" network)
    """
    data_format = data_format or keras.config.image_data_format()
    if input_shape is None:
        channels_first = data_format == "channels_first"
        input_shape = (3, 32, 32) if channels_first else (32, 32, 3)
    layers = keras.layers
    laid_out = {"padding": "same", "data_format": data_format}
    scaling = [] if rescaling is None else [layers.Rescaling(rescaling)]
    return keras.Sequential(
        [
            keras.Input(input_shape),
            *scaling,
            layers.Conv2D(32, 5, name="conv1", **laid_out),
            layers.MaxPooling2D(3, strides=2, **laid_out),
            layers.ReLU(),
            layers.Conv2D(32, 5, activation="relu", name="conv2", **laid_out),
            layers.AveragePooling2D(3, strides=2, **laid_out),
            layers.Conv2D(64, 5, activation="relu", name="conv3", **laid_out),
            layers.AveragePooling2D(3, strides=2, **laid_out),
            # Channels-last order either way, so weights fit both layouts.
            layers.Flatten(data_format=data_format),
            layers.Dense(64, activation="relu", name="conv4"),
            layers.Dense(num_classes, name="conv5"),
        ],
        name=name,
    )
