"""Layers whose input has the wrong axes for what they do: Conv1D and TimeDistributed without a
timesteps axis, a Reshape to another number of values, a Concatenate of sequences of different lengths.
"""
from __future__ import annotations

import math
import re
from typing import Any

from .core import (Explanation, class_from_layer_name, find_layer, is_recurrent, layer_calls, layer_code,
                   models_in, namespaces, parse_shape, previous_in_model, producer_of, returns_sequences, shape_text)

CONV_NEEDS_3D = "conv-needs-3d"
TIME_DISTRIBUTED_NEEDS_SEQUENCES = "time-distributed-needs-sequences"
RESHAPE_SIZE = "reshape-size"
CONCATENATE_SHAPES = "concatenate-shapes"
KINDS = (CONV_NEEDS_3D, TIME_DISTRIBUTED_NEEDS_SEQUENCES, RESHAPE_SIZE, CONCATENATE_SHAPES)
__all__ = ["CONV_NEEDS_3D", "TIME_DISTRIBUTED_NEEDS_SEQUENCES", "RESHAPE_SIZE", "CONCATENATE_SHAPES"]

_MIN_NDIM = re.compile(r"of layer '(?P<layer>[^']+)' is incompatible with the layer: expected min_ndim=(?P<expected>\d+), "
                       r"found ndim=(?P<found>\d+)\. Full shape received: (?P<shape>\([^)]*\))")
_TIME_DISTRIBUTED = re.compile(r"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                               r"received: (?P<shape>\([^)]*\))")
_RESHAPE = re.compile(r"total size of the (?:tensor|new array) must be unchanged\. Received: input_shape=(?P<input>\([^)]*\)), "
                      r"target_shape=(?P<target>\([^)]*\))")
_CONCATENATE = re.compile(r"A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
                          r"axis\. Received: input_shape=\[(?P<shapes>.*?)\]\s*$", re.S | re.M)


def _layer_named(name: str, error, namespace, model) -> Any:
    for layer, _ in layer_calls(error):
        if getattr(layer, "name", None) == name:
            return layer
    for candidate in ([model] if model is not None else []) + models_in(namespaces(error, namespace)):
        found = find_layer(candidate, name)
        if found is not None:
            return found
    return None


def _last_step_producer(layer_name: str, received: tuple, model, error, namespace):
    producer = producer_of(layer_name, received, model, namespaces(error, namespace))
    if producer is not None and is_recurrent(producer) and not returns_sequences(producer):
        return producer
    return None


def _sequence_picture(received: tuple, title: str):
    from helpers.diagrams import comparison_spec

    return comparison_spec(title, [("the layer reads", [("batch", None), ("timesteps", None), ("features", received[-1])]),
                                   ("it got", [("batch", received[0]), ("features", received[-1])])])


def _stacked_on_last_step(kind, layer_name, cls, received, producer) -> Explanation:
    return Explanation(
        kind=kind,
        title=(f"{cls} '{layer_name}' needs a sequence, but {type(producer).__name__} '{producer.name}' passes on only "
               f"its last step"),
        expected=f"(batch, timesteps, features), e.g. {shape_text((received[0], None, received[-1]))}",
        received=f"{shape_text(received)}: the last output of '{producer.name}', no timesteps axis",
        fix=(f"{layer_code(producer, return_sequences=True)}   # layer '{producer.name}': its output at every step\n"
             f"# then '{layer_name}' receives (batch, timesteps, {received[-1]})"),
        why=(f"A recurrent layer returns only its final output unless return_sequences=True. {cls} works along the "
             f"timesteps axis, so the layer before it must keep that axis."),
        layer=producer.name, shape=received,
        picture=_sequence_picture(received, "what the layer reads vs what it got"),
    )


def _conv_needs_3d(error, message, model, namespace):
    match = _MIN_NDIM.search(message)
    if not match or (int(match["expected"]), int(match["found"])) != (3, 2):
        return None
    received = parse_shape(match["shape"])
    if received is None or len(received) != 2:
        return None
    layer_name = match["layer"]
    layer = _layer_named(layer_name, error, namespace, model)
    cls = type(layer).__name__ if layer is not None else class_from_layer_name(layer_name)
    producer = _last_step_producer(layer_name, received, model, error, namespace)
    if producer is not None:
        return _stacked_on_last_step(CONV_NEEDS_3D, layer_name, cls, received, producer)
    before = producer_of(layer_name, received, model, namespaces(error, namespace))
    if type(before).__name__ == "InputLayer":
        before = None
    width = received[-1]
    kernel = tuple(getattr(layer, "kernel_size", ()) or ()) or (getattr(layer, "pool_size", None),)
    size = kernel[0] if kernel and isinstance(kernel[0], int) else None
    picture = _sequence_picture(received, "what the layer reads vs what it got")
    if before is None and width is not None and size is not None and size > 1:
        return Explanation(
            kind=CONV_NEEDS_3D,
            title=f"{cls} '{layer_name}' slides along timesteps: its input needs 3 axes, (batch, timesteps, features)",
            expected=f"(batch, timesteps, features), here {shape_text((received[0], width, 1))}",
            received=f"{shape_text(received)}: {width} numbers per sample, no features axis",
            fix=(f"inputs = keras.Input(shape=({width}, 1))   # {width} timesteps of 1 feature\n"
                 f"x = x[..., None]   # the data too: (samples, {width}) -> (samples, {width}, 1)"),
            why=(f"A {cls} moves a window of {size} steps along the timesteps axis and mixes the features at each "
                 f"position. Given (batch, {width}) it has no features axis; read as 1 timestep of {width} features "
                 f"the window of {size} would not fit, so the {width} numbers are {width} timesteps of 1 feature."),
            layer=layer_name, shape=received, shape_names=("batch", "features"), picture=picture,
        )
    source = f"the layer before it, '{before.name}' ({type(before).__name__}), outputs" if before is not None else "it got"
    return Explanation(
        kind=CONV_NEEDS_3D,
        title=f"{cls} '{layer_name}' needs (batch, timesteps, features); {source.split(',')[0]} gives 2 axes",
        expected="(batch, timesteps, features)",
        received=f"{shape_text(received)}: {source} no timesteps axis",
        fix="",
        why=(f"{cls} works along the timesteps axis; a 2-D tensor (batch, features) has none. Dense, Flatten, "
             "global pooling and recurrent layers without return_sequences all remove or lack that axis."),
        check=("model.summary(): find the layer whose output loses the timesteps axis;\n"
               "for data of one series per row, (samples, T): x[..., None] and keras.Input(shape=(T, 1))"),
        layer=layer_name, shape=received, picture=picture,
    )


def _time_distributed(error, message, model, namespace):
    match = _TIME_DISTRIBUTED.search(message)
    if not match:
        return None
    received = parse_shape(match["shape"])
    if received is None:
        return None
    wrapper = next((layer for layer, _ in layer_calls(error) if type(layer).__name__ == "TimeDistributed"), None)
    producer = None
    if wrapper is not None:
        for candidate in ([model] if model is not None else []) + models_in(namespaces(error, namespace)):
            producer = previous_in_model(candidate, wrapper.name)
            if producer is not None:
                break
        if producer is None:
            producer = producer_of(wrapper.name, received, model, namespaces(error, namespace))
    name = wrapper.name if wrapper is not None else "time_distributed"
    if producer is not None and is_recurrent(producer) and not returns_sequences(producer):
        return _stacked_on_last_step(TIME_DISTRIBUTED_NEEDS_SEQUENCES, name, "TimeDistributed", received, producer)
    return Explanation(
        kind=TIME_DISTRIBUTED_NEEDS_SEQUENCES,
        title="TimeDistributed applies a layer at every timestep, and its input has no timesteps axis",
        expected="(batch, timesteps, ...): at least 3 axes",
        received=f"{shape_text(received)}: {len(received)} axes",
        fix="",
        why="TimeDistributed(layer) runs the layer once per step of axis 1; a (batch, features) tensor has no steps.",
        check=("the layer before TimeDistributed: a recurrent layer needs return_sequences=True to keep its steps;\n"
               "Dense, Flatten and global pooling remove them"),
        layer=name, shape=received, picture=_sequence_picture(received, "what the layer reads vs what it got"),
    )


def _reshape_size(error, message, model, namespace):
    match = _RESHAPE.search(message)
    if not match:
        return None
    given, target = parse_shape(match["input"]), parse_shape(match["target"])
    if given is None or target is None or None in given:
        return None
    have, want = math.prod(given), math.prod(d for d in target if d not in (-1, None))
    from helpers.diagrams import comparison_spec

    picture = comparison_spec("values per sample",
                              [(f"input {shape_text(given)}", [("values", have)]),
                               (f"target_shape {shape_text(target)}", [("values", want)])])
    keep_last = f"keras.layers.Reshape((-1, {target[-1]})) gives {shape_text((have // target[-1], target[-1]))}" \
        if len(target) >= 2 and target[-1] and have % target[-1] == 0 else ""
    return Explanation(
        kind=RESHAPE_SIZE,
        title=f"Reshape keeps every value: {have} per sample cannot become {shape_text(target)} = {want}",
        expected=f"a target_shape whose sizes multiply to {have} ({' x '.join(map(str, given))})",
        received=f"target_shape={shape_text(target)}: {' x '.join(map(str, target))} = {want}",
        fix="",
        why=("Reshape re-cuts the values of one sample (the batch axis is left alone) into a new shape; it cannot add "
             "or drop values, so the sizes must multiply to the same number."),
        check=(f"which side is meant: a layer before the Reshape with {want} values (e.g. Dense({want})), or a "
               f"target_shape that keeps {have};\n-1 lets Keras compute one axis" + (f": {keep_last}" if keep_last else "")),
        shape=given, picture=picture,
    )


def _concatenate(error, message, model, namespace):
    match = _CONCATENATE.search(message)
    if not match:
        return None
    shapes = [parse_shape(text) for text in re.findall(r"\([^)]*\)", match["shapes"])]
    if len(shapes) < 2 or any(s is None for s in shapes) or len({len(s) for s in shapes}) != 1:
        return None
    layer = next((lay for lay, _ in layer_calls(error) if type(lay).__name__ == "Concatenate"), None)
    axis = getattr(layer, "axis", -1)
    rank = len(shapes[0])
    axis = axis % rank
    differing = [a for a in range(1, rank) if a != axis and len({s[a] for s in shapes if s[a] is not None}) > 1]
    if not differing:
        return None
    names = ["batch", "timesteps", "features"] if rank == 3 else ["batch"] + [f"axis {i}" for i in range(1, rank)]
    from helpers.diagrams import comparison_spec

    picture = comparison_spec(f"the inputs of Concatenate(axis={axis if axis != rank - 1 else -1})",
                              [(f"input {i + 1}", list(zip(names, s))) for i, s in enumerate(shapes[:2])],
                              f"joined along {names[axis]}; every other axis must match")
    listed = " and ".join(shape_text(s) for s in shapes)
    if rank == 3 and differing == [1] and axis == 2:
        steps = " and ".join(str(s[1]) for s in shapes)
        return Explanation(
            kind=CONCATENATE_SHAPES,
            title=f"Concatenate joins features step by step, and the sequences have {steps} timesteps",
            expected="inputs with the same number of timesteps (and batch); the features may differ",
            received=listed,
            fix="",
            why=("Concatenate(axis=-1) puts the features of step t of one input next to those of step t of the other, "
                 "so both need the same steps. The lengths differ before the join."),
            check=("where each branch's length comes from: model.summary() or tensor.shape on each input;\n"
                   "Conv1D with padding='valid' or strides, pooling, or a recurrent layer without return_sequences "
                   "change or drop the steps;\nto put sequences end to end instead, Concatenate(axis=1) needs equal "
                   "features"),
            shape=shapes[0], picture=picture,
        )
    return Explanation(
        kind=CONCATENATE_SHAPES,
        title=f"Concatenate along {names[axis]} needs every other axis to match: {', '.join(names[a] for a in differing)} differ",
        expected=f"inputs equal on every axis but {names[axis]}",
        received=listed,
        fix="",
        why=f"Concatenate(axis={axis}) stacks the inputs along {names[axis]}; on every other axis they must line up.",
        check="the axis you join along (axis=-1 joins features, axis=1 timesteps) and each input's shape",
        shape=shapes[0], picture=picture,
    )


RECOGNISERS = (_conv_needs_3d, _time_distributed, _reshape_size, _concatenate)
