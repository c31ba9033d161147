import keras


def alexnet(
    num_classes=1000,
    input_shape=(227, 227, 3),
    frozen_blocks=4,
    weights=None,
    name="alexnet",
):
    """The AlexNet-style ImageNet model of the paper (Krizhevsky et al.).

    Five conv + ReLU blocks (11x11x96 stride 4, 5x5x256, 3x3x384, 3x3x384,
    3x3x256; max-pooling 3/2 after the first, second and fifth), two dense
    layers of 4096 with dropout 0.5, and a dense layer to `num_classes`
    (logits). The paper transfers the first four convolutional blocks from
    a pre-trained AlexNet and keeps them frozen.

    Keras ships no pre-trained AlexNet: pass `weights`, a `.weights.h5` file
    of this architecture (e.g. converted from the Caffe or torchvision
    release), for the paper's setting. Chosen here: no local response
    normalisation (Keras has none); inputs are images preprocessed as the
    weights expect.

    Args:
        num_classes: Number of classes. Defaults to `1000`.
        input_shape: Shape of one image. Defaults to `(227, 227, 3)`.
        frozen_blocks: How many of the first conv blocks are not trained.
            Defaults to `4`, as in the paper.
        weights: Optional path of weights to load. Defaults to `None`.
        name: Name of the model. Defaults to `"alexnet"`.

    Returns:
        A `keras.Sequential` model outputting logits.

    Reference:
        - [Krizhevsky et al., 2012](https://papers.nips.cc/paper/4824)
    """
    if not 0 <= frozen_blocks <= 5:
        raise ValueError(
            "`frozen_blocks` must be in [0, 5]. Received: "
            f"frozen_blocks={frozen_blocks}"
        )
    layers = keras.layers
    blocks = [(96, 11, 4, True), (256, 5, 1, True), (384, 3, 1, False)]
    blocks += [(384, 3, 1, False), (256, 3, 1, True)]
    stack = [keras.Input(input_shape)]
    for index, (filters, size, strides, pooled) in enumerate(blocks):
        padding = "valid" if index == 0 else "same"
        stack.append(
            layers.Conv2D(
                filters,
                size,
                strides=strides,
                padding=padding,
                activation="relu",
                trainable=index >= frozen_blocks,
                name=f"conv{index + 1}",
            )
        )
        if pooled:
            stack.append(layers.MaxPooling2D(3, strides=2))
    stack += [
        layers.Flatten(),
        layers.Dense(4096, activation="relu", name="fc6"),
        layers.Dropout(0.5),
        layers.Dense(4096, activation="relu", name="fc7"),
        layers.Dropout(0.5),
        layers.Dense(num_classes, name="fc8"),
    ]
    model = keras.Sequential(stack, name=name)
    if weights is not None:
        model.load_weights(weights)
    return model
