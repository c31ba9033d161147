"""Whether a base model outputs logits or softmax probabilities, and
whether its output can be class scores at all."""

import keras


def ends_in_logits(model):
    """Reads off the last layers whether `model` outputs logits.

    Returns True for a linear last layer and False for a softmax one, looking
    through layers that pass values on unchanged (Flatten, Reshape, Dropout)
    and into nested Sequential and functional models; raises when that does
    not tell (subclassed models, other activations, outputs computed after
    the last layer). Outputs that cannot be class scores (several tensors,
    one score per sample) are refused first, as `build` would refuse them.
    """
    try:
        outputs = model.outputs
    except AttributeError:
        outputs = None
    if outputs:
        check_class_scores(outputs[0] if len(outputs) == 1 else outputs)
    layer = _scoring_layer(model)
    if getattr(layer, "units", None) == 1:
        raise _binary_output_error(f"{type(layer).__name__} with units=1")
    if isinstance(layer, keras.layers.Softmax):
        return False
    activation = getattr(layer, "activation", None)
    if activation is keras.activations.softmax:
        return False
    if activation is keras.activations.linear:
        return True
    if layer is None:
        described = f"{type(model).__name__} does not show its output layer"
    else:
        described = f"its output comes from {type(layer).__name__}"
        if activation is not None:
            described += f" with activation {activation.__name__}"
    raise ValueError(
        "Cannot tell whether `base_model` outputs logits or softmax "
        f"probabilities: {described}. Pass `from_logits=True` (logits) or "
        "`from_logits=False` (probabilities). Received: from_logits=None"
    )


_PASS_THROUGH = (
    keras.layers.Flatten,
    keras.layers.Reshape,
    keras.layers.Dropout,
    keras.layers.Identity,
)


def _scoring_layer(model):
    """The last layer of a Sequential or functional model that sets values,
    found inside the nested Sequential or functional model that ends it.

    Returns None when the model's layers do not form a visible chain.
    """
    layers = model.layers
    sequential = isinstance(model, keras.Sequential)
    outputs = None if sequential else getattr(model, "outputs", None)
    if not layers or not (sequential or (outputs and len(outputs) == 1)):
        return None
    try:
        # In a functional model the last layer may be followed by keras.ops
        # calls, or not be next to its input's layer: trust the chain only
        # where each layer's input is the previous layer's output.
        if not sequential and layers[-1].output is not outputs[0]:
            return None
        index = len(layers) - 1
        while isinstance(layers[index], _PASS_THROUGH) and index > 0:
            if not sequential and (
                layers[index - 1].output is not layers[index].input
            ):
                return None
            index -= 1
    except (AttributeError, ValueError):
        return None
    if isinstance(layers[index], keras.Model):
        return _scoring_layer(layers[index])
    return layers[index]


def check_class_scores(outputs):
    """Raises unless `outputs` is one tensor of shape `(batch, L)`, `L > 1`."""
    if keras.tree.is_nested(outputs) or len(outputs.shape) != 2:
        shape = keras.tree.map_structure(lambda t: tuple(t.shape), outputs)
        raise ValueError(
            "`base_model` must output one tensor of class scores of shape "
            f"(batch, num_classes). Received: output shape {shape}"
        )
    if outputs.shape[-1] == 1:
        raise _binary_output_error(f"output shape {tuple(outputs.shape)}")


def _binary_output_error(received):
    return ValueError(
        "`base_model` outputs one score per sample, as a binary classifier "
        "does, but NNAQC needs one output per class, two for two classes: "
        'end the model in `Dense(2)` (logits) or `Dense(2, activation="'
        'softmax")` and train on labels 0 and 1. Received: ' + received
    )
