"""Axes in the wrong order, or one axis too many: the numbers are all there, Keras reads them differently.

* channels-first data, ``(samples, features, timesteps)`` for a model built on ``(timesteps, features)``:
  the same sizes in another order, so the fix is a transpose (a reshape would scramble the values);
* a sequence reshaped to ``(samples, 1, 20)``: 1 timestep of 20 features, where a Conv1D has nowhere to slide;
* one-hot rows fed to an ``Embedding``, which reads one id per step and adds its own vector axis;
* the data's whole shape, number of samples included, written into ``input_shape=``/``shape=``.
"""
from __future__ import annotations

import re
from itertools import permutations
from typing import Any

from .core import (NDIM, Explanation, array_shape, as_numpy, class_from_layer_name, keras_module, layer_calls,
                   model_input_shape, model_layers, models_in, name_of, namespaces, parse_shape, producer_of,
                   shape_text, training_call)

AXES_IN_WRONG_ORDER = "axes-in-wrong-order"
ONE_TIMESTEP = "one-timestep"
ONE_HOT_INTO_EMBEDDING = "one-hot-into-embedding"
DATA_SHAPE_AS_INPUT_SHAPE = "data-shape-as-input-shape"
KINDS = (AXES_IN_WRONG_ORDER, ONE_TIMESTEP, ONE_HOT_INTO_EMBEDDING, DATA_SHAPE_AS_INPUT_SHAPE)
__all__ = ["AXES_IN_WRONG_ORDER", "ONE_TIMESTEP", "ONE_HOT_INTO_EMBEDDING", "DATA_SHAPE_AS_INPUT_SHAPE"]

_EXPECTED_FOUND = re.compile(r"is incompatible with the layer: expected shape=(?P<expected>\([^)]*\)), "
                             r"found shape=(?P<found>\([^)]*\))")
_AXIS_VALUE = re.compile(r"expected axis -1 of input shape to have value (?P<expected>\d+), but received input with "
                         r"shape (?P<found>\([^)]*\))")
_MATMUL = re.compile(r"(?:Dimensions must be equal|Matrix size-incompatible)")
_CONV_SHORT = re.compile(r"Computed output size would be zero or negative\. Received `inputs shape="
                         r"(?P<inputs>\([^)]*\))`, `kernel shape=(?P<kernel>\([^)]*\))`")


def _axes_picture(given: tuple, names_given: list, read: tuple, title: str, note: str = ""):
    from helpers.diagrams import comparison_spec

    return comparison_spec(title, [("as Keras reads it", list(zip(["batch", "timesteps", "features"], read))),
                                   ("your data", list(zip(names_given, given)))], note)


def _permutation(expected: tuple, found: tuple) -> tuple | None:
    """The axis order that turns ``found`` into ``expected`` (batch axis kept first), when it is the only one."""
    want, have = tuple(expected[1:]), tuple(found[1:])
    if len(want) != len(have) or len(want) < 2 or None in want or want == have or sorted(want) != sorted(have):
        return None
    orders = [order for order in permutations(range(len(have))) if tuple(have[i] for i in order) == want]
    return (0,) + tuple(i + 1 for i in orders[0]) if len(orders) == 1 else None


def _data_and_model(error, model, namespace, message):
    """(expected, found) shapes of a model's input and the data fed to it, from the message or the fitted objects."""
    match = _EXPECTED_FOUND.search(message)
    if match:
        return parse_shape(match["expected"]), parse_shape(match["found"])
    name, call = training_call(error)
    fitted = call.get("self") if call else model
    data = array_shape(call.get("x")) if call else None
    if data is None:
        for layer, arguments in layer_calls(error):
            if keras_module() is not None and isinstance(layer, keras_module().Model):
                data, fitted = array_shape(arguments.get("inputs")), layer
                break
    expected = model_input_shape(fitted) if fitted is not None else None
    if data is not None and expected is not None and (_AXIS_VALUE.search(message) or _MATMUL.search(message)):
        return expected, data
    return None, None


def _wrong_order(error, message, model, namespace):
    expected, found = _data_and_model(error, model, namespace, message)
    if expected is None or found is None or len(expected) != len(found):
        return None
    order = _permutation(expected, found)
    if order is None:
        return None
    names = ["batch", "timesteps", "features"] if len(expected) == 3 else ["batch"] + [f"axis {i}" for i in range(1, len(expected))]
    given_names = [names[order.index(i)] for i in range(len(found))]
    transpose = ", ".join(str(i) for i in order)
    _, call = training_call(error)
    data = call.get("x") if call else None
    name = name_of(data, error, namespace, "x") if data is not None else "x"
    return Explanation(
        kind=AXES_IN_WRONG_ORDER,
        title=f"the data has the model's sizes in another order: {shape_text(found)} for {shape_text(expected)}",
        expected=f"{shape_text(expected)}: " + ", ".join(f"{n}={s}" for n, s in zip(names[1:], expected[1:])),
        received=f"{shape_text(found)}: the same sizes, axes in the order " + ", ".join(given_names[1:]),
        fix=(f"{name} = {name}.transpose({transpose})   # {shape_text(found)} -> {shape_text((found[0],) + tuple(expected[1:]))}\n"
             "# transpose moves whole axes; x.reshape(...) to the same shape would cut the values into wrong rows"),
        why=("Keras reads the last axis as the features and the one before it as the timesteps (channels last). "
             "Data stored channels first, (samples, features, timesteps), has every number but in the other order, "
             "so each axis must move, not be re-cut."),
        shape=found,
        picture=_axes_picture(found, given_names, tuple(expected), "your data vs what the model reads",
                              "the same sizes in another order: transpose, not reshape"),
    )


def _input_proven(inputs: tuple, kernel: tuple, error, namespace, model) -> bool:
    """True when a (batch, 1, F) tensor that a Conv1D cannot slide over is the model's input, not a shortened sequence."""
    keras = keras_module()
    spaces = namespaces(error, namespace)
    _, call = training_call(error)
    data = array_shape(call.get("x")) if call else None
    if data is not None and len(data) == 3 and tuple(data[1:]) == tuple(inputs[1:]):
        first = model_layers(call.get("self"))[:1]
        if first and type(first[0]).__name__ == "Conv1D":
            return True
    for candidate in ([model] if model is not None else []) + models_in(spaces):
        layers = model_layers(candidate)
        if layers and type(layers[0]).__name__ == "Conv1D" and tuple(layers[0].kernel_size) == (kernel[0],) \
                and getattr(layers[0], "filters", None) == kernel[-1]:
            shape = model_input_shape(candidate)
            if shape is not None and tuple(shape[1:]) == tuple(inputs[1:]):
                return True
    if keras is not None:
        for space in spaces:
            for value in list(space.values())[:5000]:
                if isinstance(value, keras.KerasTensor) and tuple(value.shape) == tuple(inputs):
                    op = getattr(getattr(value, "_keras_history", None), "operation", None)
                    if type(op).__name__ == "InputLayer":
                        return True
    return False


def _one_timestep(error, message, model, namespace):
    match = _CONV_SHORT.search(message)
    if not match:
        return None
    inputs, kernel = parse_shape(match["inputs"]), parse_shape(match["kernel"])
    if not inputs or not kernel or len(inputs) != 3 or inputs[1] != 1 or inputs[2] in (None, 1):
        return None
    if not _input_proven(inputs, kernel, error, namespace, model):
        return None
    width, size = inputs[2], kernel[0]
    return Explanation(
        kind=ONE_TIMESTEP,
        title=f"the data is 1 timestep of {width} features: a Conv1D kernel of {size} steps has nowhere to slide",
        expected=f"(batch, timesteps, features) with at least {size} timesteps, e.g. {shape_text((None, width, 1))}",
        received=f"{shape_text(inputs)}: 1 timestep of {width} features",
        fix=(f"x = x.reshape(-1, {width}, 1)   # if the {width} numbers are one signal: {width} timesteps of 1 feature\n"
             f"inputs = keras.Input(shape=({width}, 1))"),
        why=(f"Conv1D slides its kernel along the timesteps axis (axis 1) and mixes the features (the last axis) at "
             f"each position. With the {width} numbers on the features axis there is one position, shorter than the "
             f"kernel of {size}; padding='same' would hide the error but convolve nothing along time."),
        shape=inputs, shape_names=("batch", "timesteps", "features"),
        picture=_axes_picture(inputs, ["batch", "timesteps", "features"], (None, width, 1),
                              f"{width} values: as given vs as a series",
                              f"reshape(-1, {width}, 1) puts the {width} values on the timesteps axis"),
    )


def _named_arrays(error, namespace):
    for space in namespaces(error, namespace):
        for name, value in list(space.items())[:5000]:
            shape = array_shape(value)
            if shape is not None and not str(name).startswith("_"):
                yield str(name), value, shape


def _extra_axis(error, message, model, namespace):
    match = NDIM.search(message)
    if not match or int(match["found"]) != int(match["expected"]) + 1:
        return None
    received = parse_shape(match["shape"])
    if received is None or len(received) < 3 or received[1] is None:
        return None
    layer_name = match["layer"]
    cls = class_from_layer_name(layer_name)
    producer = producer_of(layer_name, received, model, namespaces(error, namespace))
    if type(producer).__name__ == "Embedding":
        return _one_hot_embedding(error, namespace, layer_name, cls, received, producer)
    for name, _, shape in _named_arrays(error, namespace):
        if tuple(shape) == tuple(received[1:]):
            return Explanation(
                kind=DATA_SHAPE_AS_INPUT_SHAPE,
                title=f"the input shape is {name}.shape, the number of samples ({shape[0]}) included",
                expected=f"one sample's shape: {shape_text(shape[1:])}, so the model sees {shape_text((None,) + tuple(shape[1:]))}",
                received=f"{shape_text(received)}: the batch axis, then all of {name}.shape {shape_text(shape)}",
                fix=(f"keras.Input(shape={name}.shape[1:])   # {shape_text(shape[1:])}: one sample, without the "
                     f"{shape[0]} samples\n# (same for input_shape={name}.shape[1:] on a first layer)"),
                why=("shape= (and input_shape=) describe one sample; Keras puts the batch axis in front itself. "
                     f"{name}.shape starts with the number of samples, so the model got one axis too many."),
                layer=layer_name, shape=received,
            )
    return Explanation(
        kind=WRONG_NDIM_MODEST,
        title=f"{cls} layer '{layer_name}' got {len(received)} axes; it reads {len(received) - 1}",
        expected=f"a {len(received) - 1}D tensor" + (" (batch, timesteps, features)" if len(received) == 4 else ""),
        received=f"{shape_text(received)}: {len(received)}D",
        fix="",
        why=("Every axis has a meaning and the layer reads a fixed number of them. The first is the batch axis, "
             "which Keras adds in front of the shape you give."),
        check=(f"the shape you gave keras.Input(shape=...) or input_shape=: it describes one sample, so it should "
               f"have {len(received) - 2} numbers here, not the batch size or number of samples in front;\n"
               f"the layers before '{layer_name}': model.summary() shows where the extra axis appears"),
        layer=layer_name, shape=received,
    )


WRONG_NDIM_MODEST = "wrong-ndim"   # the same kind as basics.WRONG_NDIM, said modestly


def _one_hot_rows(error, namespace, width: int) -> str | None:
    import numpy as np

    for name, value, shape in _named_arrays(error, namespace):
        if len(shape) >= 2 and shape[-1] == width:
            array = as_numpy(value)
            if array is not None and array.size and np.all((array == 0) | (array == 1)) and np.all(array.sum(-1) == 1):
                return name
    return None


def _one_hot_embedding(error, namespace, layer_name, cls, received, embedding) -> Explanation | None:
    per_step, size = received[-2], received[-1]
    if per_step == 1:
        return None   # ids with a features axis of 1: basics explains it
    input_dim = getattr(embedding, "input_dim", None)
    ids_shape = shape_text(received[1:-2])
    name = _one_hot_rows(error, namespace, per_step)
    title = f"the Embedding '{embedding.name}' got {per_step} numbers per step; it reads one id per step"
    received_text = (f"{shape_text(received)}: every one of the {per_step} numbers of a step became a vector of {size}")
    why = ("An Embedding reads ids, one integer per step, (batch, timesteps), and replaces each with a vector: it adds "
           "the last axis itself. Given several numbers per step it embeds each of them, so the next layer gets one "
           "axis too many.")
    picture = _axes_picture(received[:-1], ["batch", "timesteps", "features"], received[:-2] + (1,),
                            "what the Embedding reads vs got", "an Embedding reads 1 id per step")
    if name is not None or per_step == input_dim:
        source = f"{name} holds one-hot rows" if name else f"{per_step} = the Embedding's input_dim: one-hot rows"
        return Explanation(
            kind=ONE_HOT_INTO_EMBEDDING,
            title=title + " (one-hot rows)",
            expected=f"ids {shape_text((None,) + tuple(received[1:-2]))}: one integer per step, below input_dim={input_dim}",
            received=received_text + f"; {source}",
            fix=(f"{name or 'x'} = {name or 'x'}.argmax(axis=-1)   # one-hot rows -> ids, (samples, timesteps)\n"
                 f"inputs = keras.Input(shape={ids_shape})\n"
                 f"# or drop the Embedding and feed the one-hot rows to the recurrent layer directly"),
            why=why, layer=embedding.name, shape=received, picture=picture,
        )
    return Explanation(
        kind=ONE_HOT_INTO_EMBEDDING,
        title=title,
        expected=f"ids {shape_text((None,) + tuple(received[1:-2]))}: one integer per step",
        received=received_text,
        fix="",
        why=why,
        check=(f"what the {per_step} numbers of a step are: one-hot rows become ids with x.argmax(axis=-1); real-valued "
               f"features need no Embedding (feed them to the recurrent layer as they are);\n"
               f"keras.Input(shape=...) before an Embedding has no features axis: shape=(timesteps,)"),
        layer=embedding.name, shape=received, picture=picture,
    )


RECOGNISERS = (_wrong_order, _one_timestep, _extra_axis)
