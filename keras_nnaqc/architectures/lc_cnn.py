import keras


def lc_cnn(num_classes=100, input_shape=(32, 32, 3), name="lc_cnn"):
    """The low-capacity CNN of the paper's CIFAR-100 experiments (LC-CNN).

    The paper gives only its outline: two conv + ReLU + max-pool blocks, two
    fully connected layers and a softmax layer. Chosen here, after the
    classic TensorFlow CIFAR-10 tutorial network of that outline (without
    its local response normalisation): conv 5x5x64 -> max-pool 3/2 -> conv
    5x5x64 -> max-pool 3/2 -> dense 384 -> dense 192 -> dense to
    `num_classes` (logits).

    Args:
        num_classes: Number of classes. Defaults to `100`.
        input_shape: Shape of one image. Defaults to `(32, 32, 3)`.
        name: Name of the model. Defaults to `"lc_cnn"`.

    Returns:
        A `keras.Sequential` model outputting logits.
    """
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(input_shape),
            layers.Rescaling(1.0 / 255.0),
            layers.Conv2D(64, 5, padding="same", activation="relu"),
            layers.MaxPooling2D(3, strides=2, padding="same"),
            layers.Conv2D(64, 5, padding="same", activation="relu"),
            layers.MaxPooling2D(3, strides=2, padding="same"),
            layers.Flatten(),
            layers.Dense(384, activation="relu"),
            layers.Dense(192, activation="relu"),
            layers.Dense(num_classes),
        ],
        name=name,
    )
