"""The loss cannot compare the targets ``y`` with the model's output.

Keras 3 says it as ``Arguments `target` and `output` must have the same shape`` (or ``rank (ndim)``)
for the cross-entropies, and TensorFlow as ``Dimensions must be equal`` / ``Incompatible shapes``
for the others. The message gives one batch's shapes; the cause is read from the model being
fitted (its layers, ``return_sequences``, its last layer's units), ``y`` and the loss:

* a recurrent layer left with ``return_sequences=True``: one prediction per step, one label per sequence;
* ``categorical_crossentropy`` on class numbers (they need ``sparse_categorical_crossentropy``, or one-hot y);
* one-hot labels with a column too many (``to_categorical`` on labels that start at 1), or more classes than units.

When the objects prove none of these, the explanation says what the loss compares and what to check.
"""
from __future__ import annotations

import re
import sys
from typing import Any

from .core import (Explanation, as_numpy, axis_names, is_recurrent, layer_code, model_layers, models_in, namespaces,
                   output_shape, parse_shape, returns_sequences, shape_text, training_call)
from .tasks import LOSS_PATTERNS, SPARSE_RANK

OUTPUT_HAS_TIMESTEPS = "output-has-timesteps"
INTEGER_LABELS_FOR_CATEGORICAL = "integer-labels-for-categorical"
ONE_HOT_COLUMNS = "one-hot-columns"
TARGET_OUTPUT_MISMATCH = "target-output-mismatch"
KINDS = (OUTPUT_HAS_TIMESTEPS, INTEGER_LABELS_FOR_CATEGORICAL, ONE_HOT_COLUMNS, TARGET_OUTPUT_MISMATCH)
__all__ = ["OUTPUT_HAS_TIMESTEPS", "INTEGER_LABELS_FOR_CATEGORICAL", "ONE_HOT_COLUMNS", "TARGET_OUTPUT_MISMATCH"]

_SAME = re.compile(r"Arguments `target` and `output` must have the same (?P<what>shape|rank \(ndim\))\. "
                   r"Received: target\.shape=(?P<target>\([^)]*\)), output\.shape=(?P<output>\([^)]*\))")


def _loss_name(error: BaseException, message: str, model: Any) -> str:
    for pattern in LOSS_PATTERNS:
        match = pattern.search(message)
        if match:
            return match["loss"]
    tb, last = error.__traceback__, ""
    while tb is not None:
        last = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    if "crossentropy" in last:
        return last
    loss = getattr(model, "loss", None)
    return loss if isinstance(loss, str) else getattr(loss, "__name__", getattr(loss, "name", "")) or ""


def _shapes(message: str) -> tuple | None:
    for pattern in (_SAME, SPARSE_RANK, *LOSS_PATTERNS):
        match = pattern.search(message)
        if match:
            target, output = parse_shape(match["target"]), parse_shape(match["output"])
            if target is not None and output is not None:
                return target, output
    return None


def _picture(target: tuple, output: tuple, note: str = "", loss: str = ""):
    from helpers.diagrams import comparison_spec

    last = "classes" if "categorical" in loss else "values"
    out_names = axis_names(len(output), last)
    per_sequence = len(output) == 3 and len(target) < len(output) and (len(target) < 2 or target[1] != output[1])
    if "sparse" in loss:   # class numbers: compare with the output without its classes axis
        output, out_names = tuple(output[:-1]), out_names[:-1]
        note = (note + "; " if note else "") + "sparse labels: one class number per prediction"
    if per_sequence:
        tgt_names = ["batch", last][:len(target)]
    else:
        tgt_names = out_names[:len(target)] if len(target) <= len(out_names) else axis_names(len(target), last)
    return comparison_spec("model output vs targets y (one batch)",
                           [("model output", list(zip(out_names, output))), ("targets y", list(zip(tgt_names, target)))],
                           note)


def _fit_objects(error, model, namespace, output):
    """(model, y) behind a loss error: the fitted model and its targets, or a unique model with this output."""
    _, call = training_call(error)
    found = call.get("self") if call else None
    y = call.get("y") if call else None
    if found is None:
        found = model
    if found is None:
        candidates = [m for m in models_in(namespaces(error, namespace))
                      if (output_shape(m) or ())[1:] == tuple(output[1:]) and getattr(m, "compiled", True)]
        found = candidates[0] if len(candidates) == 1 else None
    return found, as_numpy(y) if y is not None else None


def _last_sequence_layer(model: Any):
    """The last recurrent layer of the model when it returns sequences and nothing after it removes the steps."""
    layers = model_layers(model)
    recurrent = [layer for layer in layers if is_recurrent(layer)]
    if not recurrent:
        return None
    last = recurrent[-1]
    if not returns_sequences(last):
        return None
    after = layers[layers.index(last) + 1:]
    if any(type(layer).__name__ in ("Flatten", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "Lambda", "Reshape")
           for layer in after):
        return None
    return last


def _fits_without_steps(target: tuple, output: tuple, loss: str) -> bool:
    """True when the output without its timesteps axis would match the targets (so that axis is the only problem)."""
    per_sequence = (output[0],) + tuple(output[2:])
    if "sparse" in loss:
        per_sequence = per_sequence[:-1]
    squeeze = lambda shape: tuple(shape[:-1]) if len(shape) > 1 and shape[-1] == 1 else tuple(shape)  # noqa: E731
    a, b = squeeze(per_sequence), squeeze(tuple(target))
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _per_step(error, target, output, model, y, loss):
    per_step_labels = f"({target[0]}, {output[1]}" + (f", {target[1]})" if len(target) == 2 else ")")
    layer = _last_sequence_layer(model) if model is not None else None
    out_text, tgt_text = shape_text(output), shape_text(target)
    picture = _picture(target, output, "one prediction per timestep, one target per sequence", loss)
    if layer is None or (y is not None and y.ndim != len(target)) or not _fits_without_steps(target, output, loss):
        return Explanation(
            kind=OUTPUT_HAS_TIMESTEPS,
            title="the model's output has a timesteps axis that the targets y do not have",
            expected=f"targets shaped like the output {out_text} (loss '{loss}')",
            received=f"targets {tgt_text}: no timesteps axis",
            fix="",
            why=(f"The loss compares each target with the prediction in the same place. The output {out_text} holds "
                 f"one prediction for each of {output[1]} timesteps; the targets hold one per sequence."),
            check=("which layer keeps the timesteps axis: model.summary() shows each layer's output shape;\n"
                   "a recurrent layer with return_sequences=True returns every step, the default returns the last;\n"
                   f"one label per sequence wants an output without timesteps; one label per step wants y {per_step_labels}"),
            shape=target, picture=picture,
        )
    changed = layer_code(layer, return_sequences=None)
    return Explanation(
        kind=OUTPUT_HAS_TIMESTEPS,
        title=f"'{layer.name}' returns every timestep, so the model predicts per step; y has one label per sequence",
        expected=f"an output with one prediction per sequence, {shape_text((output[0],) + tuple(output[2:]))}, for y "
                 f"{tgt_text}",
        received=(f"the output {out_text}: {type(layer).__name__} '{layer.name}' has return_sequences=True, and the "
                  f"layers after it act on every step"),
        fix=(f"{changed}   # layer '{layer.name}': return_sequences=False (the default) returns only the last step\n"
             f"# then the model's output is {shape_text((output[0],) + tuple(output[2:]))}, one prediction per sequence"),
        why=("return_sequences=True makes a recurrent layer return its output at every step, (batch, timesteps, units); "
             "a Dense after it acts on each step, so the model makes one prediction per step. Your targets have one "
             f"label per sequence ({tgt_text}), so the last recurrent layer should pass on only its last step. "
             "(Layers below it that feed another recurrent layer keep return_sequences=True.)"),
        layer=layer.name, shape=target, picture=picture,
    )


def _integer_labels(y, classes: int) -> bool:
    import numpy as np

    if y is None or y.size == 0 or y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        return False
    if not np.issubdtype(y.dtype, np.number):
        return False
    return bool(np.all(y == np.round(y)) and y.min() >= 0 and y.max() < classes)


def _one_hot(y) -> bool:
    import numpy as np

    return (y is not None and y.ndim == 2 and y.size > 0 and np.issubdtype(y.dtype, np.number)
            and bool(np.all((y == 0) | (y == 1))) and bool(np.all(y.sum(axis=1) == 1)))


def _categorical(error, target, output, model, y, loss):
    classes = output[-1]
    last = model_layers(model)[-1] if model is not None and model_layers(model) else None
    where = f" (last layer '{last.name}')" if last is not None else ""
    picture = _picture(target, output, loss=loss)
    if (len(target) == 1 or target[-1] == 1) and _integer_labels(y, classes):
        return Explanation(
            kind=INTEGER_LABELS_FOR_CATEGORICAL,
            title="categorical_crossentropy got class numbers; it reads one-hot rows",
            expected=f"one-hot targets {shape_text(output)}: {classes} columns, a 1 in the column of the class",
            received=f"targets {shape_text(target)}: one class number per sample (0 to {int(y.max())} in y)",
            fix=("model.compile(loss=\"sparse_categorical_crossentropy\", ...)   # reads class numbers as they are\n"
                 f"# or keep the loss and one-hot the labels: y = keras.utils.to_categorical(y, {classes})"),
            why=(f"The model outputs {classes} scores per sample{where}. categorical_crossentropy compares them with a "
                 f"row of {classes} numbers (one-hot); sparse_categorical_crossentropy takes the class number itself."),
            shape=target, picture=picture,
        )
    if len(target) == len(output) == 2 and target[-1] != classes and _one_hot(y):
        import numpy as np

        used = [int(c) for c in np.flatnonzero(y.sum(axis=0))]
        unused = [c for c in range(y.shape[1]) if c not in used]
        if target[-1] == classes + 1 and unused[:1] == [0]:
            return Explanation(
                kind=ONE_HOT_COLUMNS,
                title=f"the one-hot labels have {target[-1]} columns for {classes} classes: column 0 is never used",
                expected=f"one-hot rows of {classes} columns, classes 0 to {classes - 1}",
                received=f"rows of {target[-1]} columns; column 0 is never hot, so the labels ran from 1 to {classes}",
                fix=(f"y = keras.utils.to_categorical(labels - 1, {classes})   # labels 1..{classes} -> columns "
                     f"0..{classes - 1}"),
                why=("to_categorical makes one column per number from 0 to the largest label. Labels that start at 1 "
                     "leave column 0 empty and add one column at the end, one more than the model's classes."),
                shape=target, picture=picture,
            )
        if target[-1] > classes and not unused:
            return Explanation(
                kind=ONE_HOT_COLUMNS,
                title=f"y has {target[-1]} classes, all of them used, but the model outputs {classes}",
                expected=f"an output of {target[-1]} scores per sample, one per class",
                received=f"the output {shape_text(output)}{where}: {classes} scores per sample",
                fix=f"keras.layers.Dense({target[-1]}, activation=\"softmax\")   # as the last layer: one unit per class",
                why=("The last layer needs one unit per class. Every one of y's columns holds a class that occurs, so "
                     "the labels are right and the model is too narrow."),
                shape=target, picture=picture,
            )
    return None


def _modest(target, output, loss):
    return Explanation(
        kind=TARGET_OUTPUT_MISMATCH,
        title=f"the loss '{loss}' cannot compare the targets y with the model's output",
        expected=f"targets shaped like the output {shape_text(output)}"
                 + (" (sparse_categorical_crossentropy: without its last axis)" if "sparse" in loss else ""),
        received=f"targets {shape_text(target)}",
        fix="",
        why=("The loss compares each target with the prediction in the same place, so y needs the output's shape "
             "(one batch of each is shown here)."),
        check=("the output's shape: model.summary(), last line; the last layer's units are its last axis;\n"
               "y.shape: one row per sample, then the same axes as the output;\n"
               "the loss: categorical_crossentropy wants one-hot rows, sparse_categorical_crossentropy class numbers,\n"
               "binary_crossentropy one 0/1 per output unit"),
        shape=target, picture=_picture(target, output, loss=loss),
    )


def _loss_and_targets(error, message, model, namespace):
    shapes = _shapes(message)
    if shapes is None:
        return None
    target, output = shapes
    same = _SAME.search(message)
    if not same and not SPARSE_RANK.search(message) and not any(p.search(message) for p in LOSS_PATTERNS):
        return None
    fitted, y = _fit_objects(error, model, namespace, output)
    real = output_shape(fitted) if fitted is not None else None
    if real and len(real) == len(output) + 1 and real[-1] == 1 and tuple(real[1:-1]) == tuple(output[1:]):
        output = (output[0],) + tuple(real[1:])   # the loss squeezed a last axis of 1 out of its message
    loss = _loss_name(error, message, fitted)
    sparse = bool(SPARSE_RANK.search(message))
    missing_steps = len(output) >= 3 and (len(target) < len(output) - (1 if sparse else 0)) and \
        (len(target) < 2 or target[1] != output[1])
    if missing_steps:
        return _per_step(error, target, output, fitted, y, loss)
    if same and "categorical" in loss and "sparse" not in loss:
        found = _categorical(error, target, output, fitted, y, loss)
        if found is not None:
            return found
    if same:
        return _modest(target, output, loss)
    return None   # lesson 08's explanation of the TensorFlow messages stays as it was


RECOGNISERS = (_loss_and_targets,)
del sys
