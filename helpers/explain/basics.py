"""Lessons 01-06: tensors of the wrong rank, data against keras.Input, stateful batches, Keras 3 arguments."""
from __future__ import annotations

import ast
import difflib
import re
import sys
from typing import Any, Mapping

from .core import (Explanation, ANSI, CALL_ARGUMENTS, CONSTRUCTOR_ONLY, LAYER_CLASSES, NDIM, RECURRENT_CLASSES, class_from_layer_name, find_layer, is_recurrent, keras_module, layer_call_code, model_input_shape, model_layers, namespaces, parse_shape, previous_in_model, producer_of, producer_of_2d, rnn_got_2d, shape_text, values_in)

RNN_NEEDS_3D = "rnn-needs-3d"
STACK_NEEDS_SEQUENCES = "stack-needs-sequences"
WRONG_NDIM = "wrong-ndim"
STATEFUL_NEEDS_BATCH_SIZE = "stateful-needs-batch-size"
STATEFUL_BATCH_MISMATCH = "stateful-batch-mismatch"
BATCH_INPUT_SHAPE_REMOVED = "batch-input-shape-removed"
UNKNOWN_LAYER_ARGUMENT = "unknown-layer-argument"
INITIAL_STATE_TYPO = "initial-state-typo"
CALL_ARGUMENT_MISPLACED = "call-argument-misplaced"
FEATURE_MISMATCH = "feature-mismatch"
TIMESTEPS_MISMATCH = "timesteps-mismatch"
DATA_NDIM_MISMATCH = "data-ndim-mismatch"
BATCH_AXIS_IN_SHAPE = "batch-axis-in-shape"
UNKNOWN_FEATURES = "unknown-features"

__all__ = ['RNN_NEEDS_3D', 'STACK_NEEDS_SEQUENCES', 'WRONG_NDIM', 'STATEFUL_NEEDS_BATCH_SIZE', 'STATEFUL_BATCH_MISMATCH', 'BATCH_INPUT_SHAPE_REMOVED', 'UNKNOWN_LAYER_ARGUMENT', 'INITIAL_STATE_TYPO', 'CALL_ARGUMENT_MISPLACED', 'FEATURE_MISMATCH', 'TIMESTEPS_MISMATCH', 'DATA_NDIM_MISMATCH', 'BATCH_AXIS_IN_SHAPE', 'UNKNOWN_FEATURES']

KINDS = (RNN_NEEDS_3D, STACK_NEEDS_SEQUENCES, WRONG_NDIM, STATEFUL_NEEDS_BATCH_SIZE, STATEFUL_BATCH_MISMATCH,
         BATCH_INPUT_SHAPE_REMOVED, UNKNOWN_LAYER_ARGUMENT, INITIAL_STATE_TYPO, CALL_ARGUMENT_MISPLACED,
         FEATURE_MISMATCH, TIMESTEPS_MISMATCH, DATA_NDIM_MISMATCH, BATCH_AXIS_IN_SHAPE, UNKNOWN_FEATURES)


def _ndim_error(error, message, model, namespace):
    match = NDIM.search(message)
    if not match:
        return None
    layer_name = match["layer"]
    expected, found = int(match["expected"]), int(match["found"])
    received = parse_shape(match["shape"])
    if received is None:
        return None
    layer = find_layer(model, layer_name) if model is not None else None
    cls = type(layer).__name__ if layer is not None else class_from_layer_name(layer_name)
    shape = shape_text(received)
    if expected == 3 and found == 2:
        producer = producer_of_2d(layer_name, received, model, namespaces(error, namespace))
        if producer is not None:
            return _stack_explanation(layer_name, cls, received, producer)
        return _needs_3d_explanation(layer_name, cls, received)
    if found == expected + 1:
        embedding = producer_of(layer_name, received, model, namespaces(error, namespace))
        if type(embedding).__name__ == "Embedding":
            return _ids_with_features_axis_explanation(layer_name, cls, expected, received, embedding)
    if found == expected + 1 and received[:2] == (None, None):
        return _batch_in_shape_explanation(layer_name, cls, expected, received)
    return Explanation(
        kind=WRONG_NDIM,
        title=f"{cls} layer '{layer_name}' wants a {expected}D tensor but got a {found}D one",
        expected=f"a {expected}D tensor" + (" (batch, timesteps, features)" if expected == 3 else ""),
        received=f"{shape}: {found}D",
        fix=(f"Reshape the input to {expected} axes before '{layer_name}' (keras.layers.Reshape(...) inside the "
             f"model, or x.reshape(...) on the data) so that the last axis holds the features."),
        why="Every axis of a tensor has a meaning; the number of axes must match what the layer reads.",
        layer=layer_name, shape=received,
    )





def _ids_with_features_axis_explanation(layer_name: str, cls: str, expected: int, received: tuple,
                                        embedding: Any) -> Explanation:
    """(None, None, 1, 8): ids given a features axis of 1 before an Embedding, which adds its own."""
    ids_shape = shape_text(received[1:-2] + (received[-2],) if received[-2] != 1 else received[1:-2])
    return Explanation(
        kind=WRONG_NDIM,
        title=f"{cls} layer '{layer_name}' got {len(received)} axes: the ids already had a features axis",
        expected=f"a {expected}D tensor" + (" (batch, timesteps, features)" if expected == 3 else ""),
        received=(f"{shape_text(received)}: {len(received)}D, the Embedding '{embedding.name}' turned every id "
                  f"into {received[-1]} numbers"),
        fix=(f"inputs = keras.Input(shape={ids_shape})   # ids as (batch, timesteps): no features axis\n"
             f"# the Embedding adds the features axis itself: (batch, timesteps, {received[-1]})"),
        why=("An Embedding replaces each id with a vector, so it adds the last axis. Ids that already sit on a "
             "features axis of 1 come out with one axis too many."),
        layer=layer_name, shape=received,
    )


def _batch_in_shape_explanation(layer_name: str, cls: str, expected: int, received: tuple) -> Explanation:
    """(None, None, 2, 1): the batch axis was written into keras.Input(shape=...), which adds its own."""
    sample = shape_text(received[2:])
    return Explanation(
        kind=BATCH_AXIS_IN_SHAPE,
        title=f"{cls} layer '{layer_name}' got {len(received)} axes: the batch axis is inside shape=",
        expected=f"a {expected}D tensor" + (" (batch, timesteps, features)" if expected == 3 else ""),
        received=f"{shape_text(received)}: {len(received)}D, two open axes in front",
        fix=(f"inputs = keras.Input(shape={sample})   # one sample; Keras adds the batch axis itself\n"
             f"# (shape={shape_text(received[1:])} describes each sample as {len(received) - 1}D)"),
        why=("keras.Input(shape=...) describes one sample and puts the batch axis (None) in front by itself. "
             "Writing None for the batch inside shape= adds a second open axis, so every sample gets one axis "
             "too many."),
        layer=layer_name, shape=received,
    )


def _needs_3d_explanation(layer_name: str, cls: str, received: tuple) -> Explanation:
    batch, width = received
    batch_text = "None" if batch is None else str(batch)
    as_steps = (batch, width, 1)
    as_features = (batch, 1, width)
    if batch is None:
        fix = (f"inputs = keras.Input(shape=({width}, 1))   # {width} timesteps of 1 feature\n"
               f"# and give the data the same axes: x = x.reshape(-1, {width}, 1)")
        code_steps = f"keras.Input(shape=({width}, 1)); x = x.reshape(-1, {width}, 1)"
        code_features = f"keras.Input(shape=(1, {width})); x = x.reshape(-1, 1, {width})"
    else:
        fix = f"x = x.reshape({batch}, {width}, 1)   # {width} timesteps of 1 feature"
        code_steps = f"x = x.reshape({batch}, {width}, 1)"
        code_features = f"x = x.reshape({batch}, 1, {width})"
    return Explanation(
        kind=RNN_NEEDS_3D,
        title=f"{cls} layer '{layer_name}' reads sequences: it needs 3 axes (batch, timesteps, features), got 2",
        expected="a 3D tensor (batch, timesteps, features), e.g. " + shape_text(as_steps),
        received=f"{shape_text(received)}: 2D, (batch={batch_text}, {width} numbers per sample)",
        fix=fix,
        why=(f"An RNN steps through the timesteps axis and reads a vector of features at each step. With 2 axes "
             f"Keras cannot tell whether your {width} numbers are {width} moments of one signal or {width} "
             f"measurements taken at one moment, so you must say which by adding an axis. (If this 2D tensor "
             f"is the output of another RNN layer, that layer returned only its last step: give it "
             f"return_sequences=True instead.)"),
        choices=(
            (shape_text(as_steps), code_steps,
             f"{width} timesteps of 1 feature: the numbers are one signal read at {width} moments, in order; "
             f"the RNN takes {width} steps."),
            (shape_text(as_features), code_features,
             f"1 timestep of {width} features: the numbers are measured together at one moment; the RNN takes a "
             f"single step, so it has no sequence to remember."),
        ),
        layer=layer_name, shape=received, shape_names=("batch", "features"),
    )


def _stack_explanation(layer_name: str, cls: str, received: tuple, producer: Any) -> Explanation:
    units = received[-1]
    producer_cls = type(producer).__name__
    return Explanation(
        kind=STACK_NEEDS_SEQUENCES,
        title=(f"{cls} layer '{layer_name}' is stacked on {producer_cls} layer '{producer.name}', which passes on "
               f"only its last output"),
        expected=f"a 3D tensor (batch, timesteps, features), e.g. {shape_text((received[0], None, units))}",
        received=(f"{shape_text(received)}: 2D, the last hidden state of '{producer.name}' "
                  f"(batch, units={units})"),
        fix=(f"{layer_call_code(producer, 'return_sequences=True')}   # layer '{producer.name}'\n"
             f"# then '{layer_name}' receives one {units}-vector per timestep"),
        why=("By default an RNN layer returns only the output of its final step, (batch, units). The next RNN "
             "needs a sequence to step through, so the layer below must return its output at every timestep: "
             "(batch, timesteps, units)."),
        layer=producer.name, shape=received, shape_names=("batch", "units"),
    )


_STATEFUL_DYNAMIC = re.compile(r"When using `?stateful=True`? in a RNN, the batch size must be static\. "
                               r"Found dynamic batch size: \w+\.shape=(?P<shape>\([^)]*\))")


def _stateful_dynamic_batch(error, message, model, namespace):
    match = _STATEFUL_DYNAMIC.search(message)
    if not match:
        return None
    received = parse_shape(match["shape"])
    if received is None:
        return None
    per_sample = shape_text(received[1:])
    return Explanation(
        kind=STATEFUL_NEEDS_BATCH_SIZE,
        title="a stateful RNN needs to know its batch size when the model is built",
        expected="a fixed batch size, e.g. " + shape_text((32,) + tuple(received[1:])),
        received=f"{shape_text(received)}: batch size None (any)",
        fix=(f"inputs = keras.Input(shape={per_sample}, batch_size=32)   # 32: the batch size you will use\n"
             f"# or keras.Input(batch_shape={shape_text((32,) + tuple(received[1:]))}); Keras 3 layers take no "
             "batch_input_shape="),
        why=("stateful=True keeps one state per sample slot of the batch and carries it to the next batch, so "
             "Keras must create exactly batch_size state vectors before the first batch arrives."),
        shape=received, shape_names=("batch", "timesteps", "features"),
    )


_STATEFUL_BATCH = re.compile(r"If an RNN is stateful, the batch size of the input sequences must be the same as the "
                             r"batch size of the initial state\.\s*- Expected batch size: (?P<expected>\d+)\s*"
                             r"- Received batch size: (?P<received>\d+)")


def _stateful_batch_mismatch(error, message, model, namespace):
    match = _STATEFUL_BATCH.search(message)
    if not match:
        return None
    expected, received = int(match["expected"]), int(match["received"])
    return Explanation(
        kind=STATEFUL_BATCH_MISMATCH,
        title="a stateful RNN got a batch of a different size than the one it was built for",
        expected=f"batches of exactly {expected} samples",
        received=f"a batch of {received} samples",
        fix=(f"model.predict(x, batch_size={expected})   # same for fit/evaluate, with shuffle=False\n"
             f"# and make len(x) a multiple of {expected}"),
        why=(f"The layer holds one state per batch slot ({expected} slots), so every batch must have "
             f"{expected} samples: sample i of each batch continues sample i of the previous one."),
    )


_UNRECOGNIZED_KWARGS = re.compile(r"Unrecognized keyword arguments passed to (?P<cls>\w+): (?P<kwargs>\{.*\})", re.S)


def _unrecognized_kwargs(error, message, model, namespace):
    match = _UNRECOGNIZED_KWARGS.search(message)
    if not match:
        return None
    cls = match["cls"]
    try:
        kwargs = ast.literal_eval(match["kwargs"])
    except (ValueError, SyntaxError):
        kwargs = {}
    if "batch_input_shape" in kwargs or "batch_input_shape" in match["kwargs"]:
        value = kwargs.get("batch_input_shape")
        if isinstance(value, tuple) and len(value) >= 2:
            batch, rest = value[0], shape_text(value[1:])
            fix = (f"inputs = keras.Input(shape={rest}, batch_size={batch})   # or keras.Input(batch_shape="
                   f"{shape_text(value)})\n"
                   f"# then build {cls} without batch_input_shape, e.g. keras.layers.{cls}(...)(inputs)")
            received = f"batch_input_shape={shape_text(value)}"
        else:
            fix = "inputs = keras.Input(shape=(timesteps, features), batch_size=batch)"
            received = "batch_input_shape=..."
        return Explanation(
            kind=BATCH_INPUT_SHAPE_REMOVED,
            title=f"{cls} has no batch_input_shape argument in Keras 3",
            expected="the batch size on keras.Input(shape=..., batch_size=...) or keras.Input(batch_shape=...)",
            received=received,
            fix=fix,
            why=("Keras 2 let a layer declare the whole input shape, batch included; Keras 3 layers no longer "
                 "take it. The shape of a sample and the batch size belong to keras.Input: "
                 "keras.Input(shape=..., batch_size=...), or keras.Input(batch_shape=...) with the batch in front."),
            shape=value if isinstance(value, tuple) else None, shape_names=("batch", "timesteps", "features"),
        )
    accepted = _constructor_arguments(cls)
    suggestions = []
    for name in kwargs:
        close = difflib.get_close_matches(str(name), accepted, n=1, cutoff=0.75)
        if close:
            suggestions.append((name, close[0]))
    if not suggestions:
        return None
    wrong, right = suggestions[0]
    return Explanation(
        kind=UNKNOWN_LAYER_ARGUMENT,
        title=f"{cls} has no argument '{wrong}': did you mean '{right}'?",
        expected=f"{right}=...",
        received=f"{wrong}={kwargs[wrong]!r}",
        fix=f"keras.layers.{cls}(..., {right}={kwargs[wrong]!r})",
        why="Keras 3 rejects keyword arguments a layer does not know instead of ignoring them.",
    )


def _constructor_arguments(cls: str) -> list[str]:
    import inspect

    keras = keras_module()
    layer_class = getattr(getattr(keras, "layers", None), cls, None) if keras is not None else None
    names = set(CONSTRUCTOR_ONLY)
    if layer_class is not None:
        try:
            names |= {p for p in inspect.signature(layer_class.__init__).parameters if p not in ("self", "kwargs")}
        except (TypeError, ValueError):
            pass
    return sorted(names)


_UNEXPECTED_KEYWORD = re.compile(r"got an unexpected keyword argument '(?P<name>\w+)'")


def _unexpected_call_keyword(error, message, model, namespace):
    if not isinstance(error, TypeError):
        return None
    match = _UNEXPECTED_KEYWORD.search(message)
    if not match:
        return None
    name = match["name"]
    close = difflib.get_close_matches(name, CALL_ARGUMENTS, n=1, cutoff=0.8)
    if name != "initial_state" and close == ["initial_state"]:
        return Explanation(
            kind=INITIAL_STATE_TYPO,
            title=f"the keyword is initial_state (singular), not {name}",
            expected="layer(x, initial_state=[h0])  (LSTM: initial_state=[h0, c0])",
            received=f"layer(x, {name}=...)",
            fix=f"outputs = layer(x, initial_state=[h0])   # was {name}=",
            why=("An RNN layer's call takes one argument, initial_state, holding a list of state tensors: one for "
                 "SimpleRNN and GRU, two (h and c) for LSTM."),
        )
    if name in CONSTRUCTOR_ONLY:
        return Explanation(
            kind=CALL_ARGUMENT_MISPLACED,
            title=f"{name} belongs to the layer's constructor, not to the call",
            expected=f"keras.layers.SimpleRNN(units, {name}=...)(x)",
            received=f"layer(x, {name}=...)",
            fix=f"layer = keras.layers.SimpleRNN(units, {name}=...)\noutputs = layer(x)",
            why="A layer is configured once when it is created; calling it only passes data (and initial_state).",
        )
    return None


_EXPECTED_FOUND_SHAPE = re.compile(r"of layer '(?P<layer>[^']+)' is incompatible with the layer: "
                                   r"expected shape=(?P<expected>\([^)]*\)), found shape=(?P<found>\([^)]*\))")
_INVALID_INPUT_SHAPE = re.compile(r"Expected shape (?P<expected>\([^)]*\)), but input has incompatible shape "
                                  r"(?P<found>\([^)]*\))")
_AXIS_VALUE = re.compile(r"of layer '(?P<layer>[^']+)' is incompatible with the layer: expected axis -1 of input "
                         r"shape to have value (?P<expected>\d+), but received input with shape (?P<found>\([^)]*\))")
_CELL_MATMUL = re.compile(r"(?:input shapes: |In\[0\]: )\[(?P<data>[^\]]*)\],? (?:In\[1\]: )?\[(?P<kernel>[^\]]*)\]")
_CELL_CALL = re.compile(r"calling (?P<cell>\w*Cell)\.call\(\)")


def _data_mismatch(error, message, model, namespace):
    match = _EXPECTED_FOUND_SHAPE.search(message) or _INVALID_INPUT_SHAPE.search(message)
    if match:
        expected, found = parse_shape(match["expected"]), parse_shape(match["found"])
        if expected is None or found is None:
            return None
        return _compare_shapes(expected, found, model)
    match = _AXIS_VALUE.search(message)
    if match:
        found = parse_shape(match["found"])
        if found is None:
            return None
        expected = model_input_shape(model) if model is not None else None
        if expected is None or len(expected) != len(found):
            expected = tuple(found[:-1]) + (int(match["expected"]),)
            expected = (None,) + expected[1:]
        return _compare_shapes(expected, found, model)
    cell = _CELL_CALL.search(message)
    matmul = _CELL_MATMUL.search(message)
    if cell and matmul:
        data, kernel = parse_shape(matmul["data"]), parse_shape(matmul["kernel"])
        if not data or not kernel or len(data) != 2 or len(kernel) != 2 or data[-1] == kernel[0]:
            return None
        if model is None:
            model = _model_with_kernel(kernel, namespaces(error, namespace))
        return _cell_feature_mismatch(cell["cell"], data, kernel, model)
    return None


def _model_with_kernel(kernel: tuple, spaces: list[Mapping]) -> Any:
    """A model in the namespaces that owns a weight of exactly this shape (the kernel that failed)."""
    keras = keras_module()
    if keras is None:
        return None
    for value in values_in(spaces):
        if isinstance(value, keras.Model):
            if any(tuple(weight.shape) == kernel for weight in value.weights):
                return value
    return None


def _compare_shapes(expected: tuple, found: tuple, model: Any) -> Explanation:
    exp_text, found_text = shape_text(expected), shape_text(found)
    if len(expected) == 3 and expected[2] == 1 and len(found) == 2 and expected[1] not in (None, found[1]):
        # Keras prints (5, 20) for data of shape (5, 20, 1) too: it leaves out a last axis of size 1.
        return Explanation(
            kind=TIMESTEPS_MISMATCH,
            title=f"the data has {found[1]} timesteps but the model's Input fixes {expected[1]}",
            expected=f"{exp_text}: (batch, timesteps={expected[1]}, features=1)",
            received=(f"{found_text}, or {shape_text(found + (1,))}: Keras leaves a last axis of size 1 out of "
                      f"this message ({found[1]} timesteps either way)"),
            fix=(f"inputs = keras.Input(shape=(None, 1))   # any number of timesteps\n"
                 f"# or cut/pad the data to {expected[1]} timesteps; 2-D data also needs x[..., None]"),
            why=("An RNN can step through any length, but a functional model checks its data against "
                 "keras.Input(shape=(T, F)): exactly T timesteps."),
            shape=found,
        )
    if len(expected) != len(found):
        if len(expected) == 3 and len(found) == 2 and found[1] == expected[1]:
            fix = f"x = x.reshape({found[0]}, {found[1]}, 1)   # or x[..., None]: {found[1]} timesteps of 1 feature"
            if expected[2] != 1:
                fix += (f"\n# the model reads {expected[2]} features per timestep: build it with "
                        f"keras.Input(shape=({expected[1]}, 1)) for this data")
        elif len(expected) == 3 and len(found) == 2:
            fix = (f"x = x.reshape(-1, {expected[1]}, {expected[2]})   # only if each sample really holds "
                   f"{expected[1]} timesteps of {expected[2]} features")
        else:
            fix = f"x = x.reshape((-1,) + {shape_text(expected[1:])})   # if that is what each sample holds"
        return Explanation(
            kind=DATA_NDIM_MISMATCH,
            title=f"the data has {len(found)} axes but the model's Input has {len(expected)}",
            expected=f"{exp_text}: {len(expected)}D" + (" (batch, timesteps, features)" if len(expected) == 3 else ""),
            received=f"{found_text}: {len(found)}D",
            fix=fix,
            why="keras.Input(shape=...) fixes the shape of one sample; every array you feed must have those axes "
                "after the batch axis.",
            shape=found,
        )
    differing = [axis for axis in range(1, len(expected)) if expected[axis] is not None and expected[axis] != found[axis]]
    if len(expected) >= 3 and differing == [len(expected) - 1]:
        return _feature_explanation(expected, found, model)
    if len(expected) == 3 and differing == [1]:
        return Explanation(
            kind=TIMESTEPS_MISMATCH,
            title=f"the data has {found[1]} timesteps but the model's Input fixes {expected[1]}",
            expected=f"{exp_text}: (batch, timesteps={expected[1]}, features={expected[2]})",
            received=f"{found_text}: (batch={found[0]}, timesteps={found[1]}, features={found[2]})",
            fix=(f"inputs = keras.Input(shape=(None, {expected[2]}))   # any number of timesteps\n"
                 f"# or cut/pad the data to {expected[1]} timesteps"),
            why=("An RNN can step through any length, but a functional model checks its data against "
                 "keras.Input(shape=(T, F)): exactly T timesteps. (A Sequential model does not check the timesteps; "
                 "None in shape= lets any length through in both.)"),
            shape=found, shape_names=("batch", "timesteps", "features"),
        )
    return Explanation(
        kind=FEATURE_MISMATCH if differing and differing[-1] == len(expected) - 1 else DATA_NDIM_MISMATCH,
        title="the data's shape does not match the model's Input",
        expected=exp_text, received=found_text,
        fix=f"make each sample {shape_text(expected[1:])}, or rebuild with keras.Input(shape={shape_text(found[1:])})",
        why="keras.Input(shape=...) fixes the shape of one sample; the data must agree axis by axis.",
        shape=found,
    )


def _feature_explanation(expected: tuple, found: tuple, model: Any) -> Explanation:
    want, have = expected[-1], found[-1]
    layer = model_layers(model)[0].name if model is not None and model_layers(model) else None
    where = f" (first layer: '{layer}')" if layer else ""
    return Explanation(
        kind=FEATURE_MISMATCH,
        title=f"the data has {have} features per timestep but the model was built for {want}",
        expected=f"{shape_text(expected)}: {want} features per timestep",
        received=f"{shape_text(found)}: {have} features per timestep",
        fix=(f"inputs = keras.Input(shape={shape_text(tuple(expected[1:-1]) + (have,))})   # rebuild for {have} "
             f"features{where}\n# or give the data the {want} features the model was built for"),
        why=(f"The last axis is the feature axis. A layer's kernel has one row per input feature ({want} rows "
             f"here), so the data's last axis must have exactly {want} entries."),
        layer=layer, shape=found, shape_names=("batch", "timesteps", "features"),
    )


def _cell_feature_mismatch(cell: str, data: tuple, kernel: tuple, model: Any) -> Explanation:
    have, want = data[-1], kernel[0]
    layer_cls = cell[:-len("Cell")] or "RNN"
    expected = model_input_shape(model) if model is not None else None
    if expected is not None and len(expected) == 3 and expected[-1] == want:
        found = (data[0], expected[1], have)
        return _feature_explanation(expected, found, model)
    return Explanation(
        kind=FEATURE_MISMATCH,
        title=f"the data has {have} features per timestep but the {layer_cls} layer was built for {want}",
        expected=f"(batch, timesteps, {want}): {want} features per timestep",
        received=f"(batch, timesteps, {have}): {have} features per timestep (one timestep is {shape_text(data)})",
        fix=(f"inputs = keras.Input(shape=(timesteps, {have}))   # rebuild the model for {have} features\n"
             f"# or give the data the {want} features the model was built for"),
        why=(f"Keras read your data one timestep at a time, a {shape_text(data)} slice, and multiplied it by "
             f"the {layer_cls} kernel of shape {shape_text(kernel)}: one row per input feature. {have} columns "
             f"cannot meet {want} rows."),
        layer=None, shape=None,
    )


_UNKNOWN_FEATURES = re.compile(r"Shapes used to initialize variables must be fully-defined.*?"
                               r"Received: shape=(?P<shape>\([^)]*\)) for variable path='(?P<path>[^']*)'", re.S)


def _unknown_features(error, message, model, namespace):
    """A kernel with a None row count: the input's last axis (the features) was None, or an RNN(cell)
    (which, unlike SimpleRNN, GRU and LSTM, does not check for 3D) got a 2D tensor with no features axis."""
    match = _UNKNOWN_FEATURES.search(message)
    kernel = parse_shape(match["shape"]) if match else None
    parts = match["path"].split("/") if match else []
    if not kernel or kernel[0] is not None or not parts or parts[-1] != "kernel":
        return None
    classes = [class_from_layer_name(part) for part in parts[:-1]]
    layer = next((cls for cls in classes if cls in LAYER_CLASSES.values() and cls != "TimeDistributed"), "the layer")
    recurrent = layer in RECURRENT_CLASSES or any(part.endswith("_cell") for part in parts)
    example = "keras.Input(shape=(None, 1))   # any number of timesteps, 1 feature each" if recurrent else \
        "keras.Input(shape=(4,))   # 4 features"
    why = (f"Keras creates {layer}'s weights when the layer is built, and its kernel has one row per input "
           "feature. The batch size and the number of timesteps do not change the weights, so they may be None; "
           "the number of features must be known.")
    if layer == "RNN":
        why += (" An RNN(cell) layer also ends up here when it receives a 2D tensor (batch, features): it reads "
                "(batch, timesteps, features), so give the layer before it return_sequences=True, or the input "
                "a timesteps axis.")
    return Explanation(
        kind=UNKNOWN_FEATURES,
        title=f"{layer} cannot create its weights: the number of features is unknown",
        expected="a number for the last axis of the input (the features)",
        received=f"an input whose features Keras cannot count, so a kernel of shape {shape_text(kernel)}",
        fix=(f"inputs = {example}\n# the last number in shape= counts the features: it must be a number"
             + ("\n# for any length, None goes first: shape=(None, features), not (timesteps, None)"
                if recurrent else "")),
        why=why,
    )



RECOGNISERS = (_ndim_error, _stateful_dynamic_batch, _stateful_batch_mismatch, _unrecognized_kwargs,
               _unexpected_call_keyword, _data_mismatch, _unknown_features)
