"""What `NoisyLabelModel` reads off, and refuses in, the base model."""

import keras
import numpy as np
import pytest

from keras_nnaqc import NoisyLabelModel

ONE_PER_CLASS = r"one output per class.*`Dense\(2\)`"


def sigmoid_base(with_input=True):
    layers = [keras.layers.Dense(1, activation="sigmoid")]
    if with_input:
        layers.insert(0, keras.Input((4,)))
    return keras.Sequential(layers)


class BinaryBaseTest:
    @pytest.mark.parametrize("with_input", [True, False])
    def test_sigmoid_output_says_one_output_per_class(self, with_input):
        with pytest.raises(ValueError, match=ONE_PER_CLASS):
            NoisyLabelModel(sigmoid_base(with_input))

    @pytest.mark.parametrize("from_logits", [True, False])
    def test_same_message_when_from_logits_is_given(self, from_logits):
        model = NoisyLabelModel(sigmoid_base(), from_logits=from_logits)
        model.compile(optimizer="sgd")
        with pytest.raises(ValueError, match=ONE_PER_CLASS):
            model.fit(np.zeros((4, 4)), np.array([0, 1, 0, 1]), verbose=0)

    @pytest.mark.parametrize("from_logits", [True, False])
    def test_same_message_when_the_output_shows_only_in_build(
        self, from_logits
    ):
        class BinaryClassifier(keras.Model):
            def __init__(self):
                super().__init__()
                self.score = keras.layers.Dense(1, activation="sigmoid")

            def call(self, inputs):
                return self.score(inputs)

        model = NoisyLabelModel(BinaryClassifier(), from_logits=from_logits)
        model.compile(optimizer="sgd")
        with pytest.raises(ValueError, match=ONE_PER_CLASS):
            model.fit(np.zeros((4, 4)), np.array([0, 1, 0, 1]), verbose=0)


class SeveralOutputsTest:
    @pytest.mark.parametrize("as_dict", [False, True])
    def test_says_one_output_tensor_before_asking_for_logits(self, as_dict):
        inputs = keras.Input((4,))
        first = keras.layers.Dense(3)(inputs)
        second = keras.layers.Dense(3, activation="softmax")(inputs)
        outputs = {"a": first, "b": second} if as_dict else [first, second]
        with pytest.raises(ValueError, match="one tensor of class scores"):
            NoisyLabelModel(keras.Model(inputs, outputs))


class NestedModelTest:
    @pytest.mark.parametrize("activation", [None, "softmax"])
    def test_sequential_inside_sequential(self, activation):
        inner = keras.Sequential(
            [keras.layers.Dense(10, activation=activation)]
        )
        base = keras.Sequential(
            [keras.Input((4,)), keras.layers.Dropout(0.1), inner]
        )
        assert NoisyLabelModel(base).outputs_logits is (activation is None)

    @pytest.mark.parametrize("activation", [None, "softmax"])
    def test_sequential_inside_functional(self, activation):
        inner = keras.Sequential(
            [keras.Input((4,)), keras.layers.Dense(10, activation=activation)]
        )
        inputs = keras.Input((4,))
        outputs = keras.layers.Flatten()(
            inner(keras.layers.Dropout(0.1)(inputs))
        )
        base = keras.Model(inputs, outputs)
        assert NoisyLabelModel(base).outputs_logits is (activation is None)

    @pytest.mark.parametrize("activation", [None, "softmax"])
    def test_application_top_behind_augmentation(self, activation):
        # Ends as keras.applications' classifiers do: 1x1 convolution to
        # the classes, Flatten, then Activation(classifier_activation).
        inputs = keras.Input((8, 8, 3))
        x = keras.layers.GlobalAveragePooling2D(keepdims=True)(inputs)
        x = keras.layers.Dropout(0.2)(x)
        x = keras.layers.Flatten()(keras.layers.Conv2D(10, 1)(x))
        outputs = keras.layers.Activation(activation, name="Predictions")(x)
        base = keras.Sequential(
            [
                keras.Input((8, 8, 3)),
                keras.layers.RandomFlip(),
                keras.Model(inputs, outputs),
            ]
        )
        assert NoisyLabelModel(base).outputs_logits is (activation is None)

    @pytest.mark.slow
    @pytest.mark.parametrize("activation", [None, "softmax"])
    def test_mobilenet_behind_augmentation(self, activation):
        # Slow: building it takes over a minute on JAX (one compilation per
        # weight shape).
        application = keras.applications.MobileNetV3Small(
            input_shape=(32, 32, 3),
            weights=None,
            classes=10,
            classifier_activation=activation,
        )
        base = keras.Sequential(
            [keras.Input((32, 32, 3)), keras.layers.RandomFlip(), application]
        )
        assert NoisyLabelModel(base).outputs_logits is (activation is None)

    def test_nested_model_ending_in_sigmoid_is_named(self):
        inner = keras.Sequential([keras.layers.Dense(10, activation="sigmoid")])
        base = keras.Sequential([keras.Input((4,)), inner])
        with pytest.raises(ValueError, match="Dense with activation sigmoid"):
            NoisyLabelModel(base)
