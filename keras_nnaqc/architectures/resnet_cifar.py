import keras


def resnet44(num_classes=100, input_shape=(32, 32, 3), weight_decay=1e-4):
    """ResNet-44 for 32x32 images (He et al., 2016), the paper's CIFAR-100
    high-capacity base model, trained as in Patrini et al.

    See `resnet_cifar` for the architecture.

    Args:
        num_classes: Number of classes. Defaults to `100`.
        input_shape: Shape of one image. Defaults to `(32, 32, 3)`.
        weight_decay: L2 factor on every kernel. Defaults to `1e-4`.

    Returns:
        A functional `keras.Model` outputting logits.
    """
    return resnet_cifar(44, num_classes, input_shape, weight_decay)


def resnet_cifar(
    depth, num_classes=10, input_shape=(32, 32, 3), weight_decay=1e-4
):
    """A CIFAR ResNet of `depth = 6n + 2` layers (He et al., 2016, sec. 4.2).

    conv 3x3x16 -> three stages of `n` basic blocks with 16, 32 and 64
    filters (the last two starting with stride 2) -> global average pooling
    -> dense to `num_classes` (logits). Every convolution is followed by
    batch normalisation. Chosen here: a 1x1 projection shortcut where the
    shape changes (the paper's option B, as in the Keras examples Patrini et
    al. used); pixels are rescaled to [0, 1].

    Args:
        depth: Number of layers, `6n + 2` (20, 32, 44, 56, 110...).
        num_classes: Number of classes. Defaults to `10`.
        input_shape: Shape of one image. Defaults to `(32, 32, 3)`.
        weight_decay: L2 factor on every kernel. Defaults to `1e-4`.

    Returns:
        A functional `keras.Model` outputting logits.

    Reference:
        - [He et al., 2016](https://arxiv.org/abs/1512.03385)
    """
    if (depth - 2) % 6 != 0 or depth < 8:
        raise ValueError(
            f"`depth` must be 6n + 2 with n >= 1. Received: depth={depth}"
        )
    blocks = (depth - 2) // 6
    layers = keras.layers
    regularizer = keras.regularizers.L2(weight_decay) if weight_decay else None

    def convolution(x, filters, size=3, strides=1):
        x = layers.Conv2D(
            filters,
            size,
            strides=strides,
            padding="same",
            use_bias=False,
            kernel_initializer="he_normal",
            kernel_regularizer=regularizer,
        )(x)
        return layers.BatchNormalization()(x)

    inputs = keras.Input(input_shape)
    x = layers.Rescaling(1.0 / 255.0)(inputs)
    x = layers.ReLU()(convolution(x, 16))
    for stage, filters in enumerate((16, 32, 64)):
        for block in range(blocks):
            strides = 2 if stage > 0 and block == 0 else 1
            shortcut = x
            y = layers.ReLU()(convolution(x, filters, strides=strides))
            y = convolution(y, filters)
            if strides != 1:
                shortcut = convolution(x, filters, size=1, strides=strides)
            x = layers.ReLU()(layers.Add()([shortcut, y]))
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(num_classes, kernel_regularizer=regularizer)(x)
    return keras.Model(inputs, outputs, name=f"resnet{depth}")
