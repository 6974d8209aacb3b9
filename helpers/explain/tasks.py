"""Lesson 08: targets whose shape cannot meet the output, Conv1D shortening a sequence below its kernel,
and windows from keras.utils.timeseries_dataset_from_array that lack the features axis."""
from __future__ import annotations

import ast
import difflib
import re
import sys
from typing import Any, Mapping

from .core import (Explanation, ANSI, CALL_ARGUMENTS, CONSTRUCTOR_ONLY, LAYER_CLASSES, NDIM, RECURRENT_CLASSES, class_from_layer_name, find_layer, is_recurrent, keras_module, layer_call_code, model_input_shape, model_layers, namespaces, parse_shape, previous_in_model, producer_of, producer_of_2d, rnn_got_2d, shape_text, values_in)

TARGET_SHAPE_MISMATCH = "target-shape-mismatch"
CONV_TOO_SHORT = "conv-too-short"
WINDOWS_NEED_FEATURES = "windows-need-features-axis"
__all__ = ['TARGET_SHAPE_MISMATCH', 'CONV_TOO_SHORT', 'WINDOWS_NEED_FEATURES']

KINDS = (TARGET_SHAPE_MISMATCH, CONV_TOO_SHORT, WINDOWS_NEED_FEATURES)

_LOSS_DIMS = re.compile(r"Dimensions must be equal, but are \d+ and \d+ for '\{\{node (?:gradient_tape/)?"
                        r"compile_loss/(?P<loss>\w+)/.*?with input shapes: \[(?P<target>[^\]]*)\], "
                        r"\[(?P<output>[^\]]*)\]", re.S)
_LOSS_BROADCAST = re.compile(r"Incompatible shapes: \[(?P<target>[^\]]*)\] vs\. \[(?P<output>[^\]]*)\]\s*"
                             r"\[\[\{\{node (?:gradient_tape/)?compile_loss/(?P<loss>\w+)/")
_SPARSE_RANK = re.compile(r"Argument `output` must have rank \(ndim\) `target\.ndim - 1`\. Received: "
                          r"target\.shape=(?P<target>\([^)]*\)), output\.shape=(?P<output>\([^)]*\))")
_CONV_SHORT = re.compile(r"Computed output size would be zero or negative\. Received `inputs shape="
                         r"(?P<inputs>\([^)]*\))`, `kernel shape=(?P<kernel>\([^)]*\))`.*?`strides="
                         r"(?P<strides>\([^)]*\))`", re.S)
_CONV_NEGATIVE = re.compile(r"Negative dimension size caused by subtracting (?P<kernel>\d+) from (?P<steps>\d+) "
                            r"for '\{\{node [^}]*conv1d")


def _samples(shape: tuple) -> str:
    """A shape whose unknown batch axis is named: ``(samples, 3)``."""
    if shape and shape[0] is None:
        return "(" + ", ".join(["samples", *(str(d) for d in shape[1:])]) + ("," if len(shape) == 1 else "") + ")"
    return shape_text(shape)


def _target_mismatch(error, message, model, namespace):
    sparse = _SPARSE_RANK.search(message)
    if sparse:
        target, output = parse_shape(sparse["target"]), parse_shape(sparse["output"])
        if target is None or output is None:
            return None
        labels = _samples(output[:-1])
        return Explanation(
            kind=TARGET_SHAPE_MISMATCH,
            title="integer class labels need one axis fewer than the model's output",
            expected=f"labels {labels}: one class number per prediction (the output {shape_text(output)} holds "
                     f"{output[-1]} scores each)",
            received=f"labels {_samples(target)}",
            fix=(f"give y the shape {labels}: one integer label per sample"
                 + (" and per step" if len(output) == 3 else "")
                 + "\n# one-hot labels instead? use loss='categorical_crossentropy' with y shaped like the output"),
            why=("sparse_categorical_crossentropy reads one class number where the model outputs one score per "
                 "class, so the labels have every axis of the output except the last."),
            shape=target,
        )
    match = _LOSS_DIMS.search(message) or _LOSS_BROADCAST.search(message)
    if not match:
        return None
    target, output = parse_shape(match["target"]), parse_shape(match["output"])
    if target is None or output is None:
        return None
    fix = f"give y the shape {_samples(output)}: one target for every value the model predicts"
    if len(target) == len(output) and target[-1] is not None and target[-1] != output[-1]:
        fix += (f"\n# or, if y is right, make the model predict {target[-1]} values: "
                f"keras.layers.Dense({target[-1]}) as the last layer")
    return Explanation(
        kind=TARGET_SHAPE_MISMATCH,
        title=f"the targets y do not match the model's output (loss '{match['loss']}')",
        expected=f"targets with the output's axes: {_samples(output)} for the output {shape_text(output)}",
        received=f"targets {_samples(target)}",
        fix=fix,
        why=("The loss compares each target with the prediction in the same place, so y needs the output's axes "
             "after the batch axis. Here the shapes cannot even be broadcast, so Keras stops; when they can, it "
             "trains without a word on a meaningless loss. helpers.targets.check_targets(model, y) catches both."),
        shape=target,
    )


def _steps(count) -> str:
    return "an unknown number of timesteps" if count is None else f"{count} timestep{'' if count == 1 else 's'}"


def _conv_too_short(error, message, model, namespace):
    match = _CONV_SHORT.search(message)
    if match:
        inputs, kernel, strides = (parse_shape(match[name]) for name in ("inputs", "kernel", "strides"))
        if not inputs or not kernel or len(inputs) != 3:
            return None
        steps, size = inputs[1], kernel[0]
        stride = strides[0] if strides else 1
    else:
        match = _CONV_NEGATIVE.search(message)
        if not match:
            return None
        steps, size, stride, inputs = int(match["steps"]), int(match["kernel"]), None, None
    return Explanation(
        kind=CONV_TOO_SHORT,
        title=f"the sequence is shorter than the Conv1D kernel ({_steps(steps)}, kernel_size={size})",
        expected=f"at least {_steps(size)} (kernel_size={size}, padding='valid')",
        received=_steps(steps) + (f": {shape_text(inputs)}" if inputs else ""),
        fix=(f"keras.layers.Conv1D(filters, {size}, padding='same')   # keeps ceil(T / strides) steps\n"
             f"# or a smaller kernel_size or strides here or in the Conv1D layers before it, or longer windows"),
        why=(f"With padding='valid' a Conv1D makes one output step wherever the whole kernel fits: "
             f"floor((T - {size}) / strides) + 1 steps, which is 0 or less here"
             + (f" (strides={stride})" if stride else "")
             + ". Every Conv1D (and its strides) shortens the sequence before the next layer sees it."),
        shape=inputs, shape_names=("batch", "timesteps", "features") if inputs else None,
    )


def _window_datasets(error, namespace):
    """(name, has_targets, steps) of tf.data datasets in the namespaces whose windows have 2 axes."""
    tf = sys.modules.get("tensorflow")
    dataset_class = getattr(getattr(tf, "data", None), "Dataset", None)
    if dataset_class is None:
        return []
    found = []
    for space in namespaces(error, namespace):
        for name, value in list(space.items())[:5000]:
            if isinstance(value, dataset_class) and not str(name).startswith("_"):
                spec = value.element_spec
                first = spec[0] if isinstance(spec, tuple) else spec
                shape = getattr(first, "shape", None)
                if shape is not None and shape.rank == 2:
                    found.append((str(name), isinstance(spec, tuple), _window_length(value, shape)))
    return found


def _window_length(dataset, shape):
    """The steps of a window dataset's batches: static if known, else read from its first batch (None if unreadable)."""
    if shape[-1] is not None:
        return shape[-1]
    try:
        first = next(iter(dataset.take(1)))
        first = first[0] if isinstance(first, tuple) else first
        return int(first.shape[-1])
    except Exception:   # an empty or failing dataset: its length stays unknown
        return None


def _windows_without_features(error, message, model, namespace):
    match, received = rnn_got_2d(message)
    if received is None:
        return None
    spaces = namespaces(error, namespace)
    if producer_of_2d(match["layer"], received, model, spaces) is not None:
        return None
    steps = received[-1]
    datasets = [found for found in _window_datasets(error, namespace) if steps is None or found[2] in (None, steps)]
    if not datasets:
        return None
    name, with_targets, _ = datasets[0]
    steps_text = "timesteps" if steps is None else str(steps)
    mapping = "lambda x, y: (x[..., None], y)" if with_targets else "lambda x: x[..., None]"
    return Explanation(
        kind=WINDOWS_NEED_FEATURES,
        title="windows from timeseries_dataset_from_array have no features axis",
        expected=f"a 3D tensor (batch, timesteps, features), e.g. {shape_text((received[0], steps, 1))}",
        received=f"{shape_text(received)}: 2D, one value per timestep but no features axis",
        fix=(f"{name} = {name}.map({mapping})   # (batch, {steps_text}) -> (batch, {steps_text}, 1)\n"
             f"inputs = keras.Input(shape=({steps_text if steps is not None else 'None'}, 1))"),
        why=("keras.utils.timeseries_dataset_from_array cuts a 1-D series into windows of shape (batch, "
             "sequence_length): it adds no features axis. An RNN reads (batch, timesteps, features), so give "
             "each step its 1 feature explicitly, in the data and in keras.Input."),
        layer=match["layer"], shape=received, shape_names=("batch", "timesteps"),
    )



RECOGNISERS_FIRST = (_windows_without_features,)
RECOGNISERS = (_target_mismatch, _conv_too_short)

# shared with the targets module, which reads the same loss messages with the model and y at hand
LOSS_PATTERNS = (_LOSS_DIMS, _LOSS_BROADCAST)
SPARSE_RANK = _SPARSE_RANK
