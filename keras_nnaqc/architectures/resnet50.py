import keras


def resnet50(
    num_classes=14, input_shape=(224, 224, 3), weights="imagenet", name=None
):
    """ResNet-50 from `keras.applications`, the paper's Clothing1M model.

    The convolutional base of `keras.applications.ResNet50` with global
    average pooling and a new dense layer to `num_classes` (logits). Inputs
    are images preprocessed with `keras.applications.resnet50.
    preprocess_input` (the data pipeline's job).

    Args:
        num_classes: Number of classes. Defaults to `14` (Clothing1M).
        input_shape: Shape of one image. Defaults to `(224, 224, 3)`.
        weights: `"imagenet"` (downloaded by Keras on first use), `None`, or
            a weights file. Defaults to `"imagenet"`, as in the paper.
        name: Name of the model. Defaults to `None` (`"resnet50"`).

    Returns:
        A functional `keras.Model` outputting logits.

    Reference:
        - [He et al., 2016](https://arxiv.org/abs/1512.03385)
    """
    base = keras.applications.ResNet50(
        include_top=False,
        weights=weights,
        input_shape=input_shape,
        pooling="avg",
    )
    outputs = keras.layers.Dense(num_classes, name="classifier")(base.output)
    return keras.Model(base.input, outputs, name=name or "resnet50")
