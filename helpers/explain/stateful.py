"""A stateful model fed batches of another size, most often a short last batch.

A stateful layer keeps one state row per batch slot, so every batch must have the batch size it
was built for. ``fit`` cuts ``len(x)`` samples into batches of ``batch_size``; when that does not
divide, the last batch is short. TensorFlow then fails in whichever operation meets the short
batch first (the state update, the loss, a gradient), so the message changes from run to run.
The explanation is computed from the objects, not the message: the model's fixed batch size and
the batches ``fit`` makes of ``x``, so it is the same every time.
"""
from __future__ import annotations

import math
import re

from .core import Explanation, array_shape, model_layers, training_call

STATEFUL_SHORT_BATCH = "stateful-short-batch"
KINDS = (STATEFUL_SHORT_BATCH,)
__all__ = ["STATEFUL_SHORT_BATCH"]

_SYMPTOMS = re.compile(r"Incompatible shapes: \[(?P<a>\d+)[,\]].*?vs\. \[(?P<b>\d+)[,\]]|"
                       r"the batch size of the input sequences must be the same|"
                       r"Dimensions must be equal, but are (?P<c>\d+) and (?P<d>\d+)", re.S)


def _stateful_layers(model) -> list:
    found = []
    for layer in model_layers(model):
        if getattr(layer, "stateful", False):
            found.append(layer)
    return found


def _fixed_batch(model) -> int | None:
    try:
        batch = model.inputs[0].shape[0]
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    return batch if isinstance(batch, int) else None


def batches(samples: int, batch_size: int, validation_split: float = 0.0) -> list[int]:
    """The batch sizes fit makes of ``samples`` (training part first, then validation).

    >>> batches(10, 4)
    [4, 4, 2]
    >>> batches(10, 4, validation_split=0.2)
    [4, 4, 2]
    """
    parts = [samples]
    if validation_split:
        train = int(math.ceil(samples * (1.0 - validation_split)))
        parts = [train, samples - train]
    sizes = []
    for part in parts:
        sizes += [batch_size] * (part // batch_size) + ([part % batch_size] if part % batch_size else [])
    return sizes


def _short_batch(error, message, model, namespace):
    name, call = training_call(error)
    if not call:
        return None
    fitted = call["self"]
    layers = _stateful_layers(fitted)
    fixed = _fixed_batch(fitted)
    shape = array_shape(call.get("x"))
    if not layers or fixed is None or shape is None:
        return None
    symptom = _SYMPTOMS.search(message)
    if not symptom:
        return None
    samples = shape[0]
    batch_size = call.get("batch_size") or (None if name.endswith("_on_batch") else 32)
    if batch_size is None:
        sizes = [samples]
    else:
        split = call.get("validation_split") or 0.0 if name == "fit" else 0.0
        sizes = batches(samples, int(batch_size), float(split or 0.0))
    wrong = sorted({size for size in sizes if size != fixed})
    if not wrong:
        return None
    if batch_size not in (None, fixed) and "batch size of the input sequences must be the same" in message:
        return None   # every batch has the wrong size and Keras says so: basics' stateful-batch-mismatch explains it
    names = ", ".join(f"'{layer.name}'" for layer in layers)
    sizes_text = " + ".join(str(s) for s in sizes[:6]) + (" + ..." if len(sizes) > 6 else "")
    keep = samples // fixed * fixed
    fix = f"x, y = x[:{keep}], y[:{keep}]   # a multiple of {fixed}: {samples} samples -> {keep}\n"
    fix += f"model.{name}(x, y, batch_size={fixed}, shuffle=False)" if name == "fit" else f"model.{name}(x, batch_size={fixed})"
    if batch_size not in (None, fixed):
        fix += f"   # batch_size={fixed}, the model's, not {batch_size}"
    from helpers.diagrams import comparison_spec

    picture = comparison_spec(f"batches of {name} vs the built size",
                              [("built for", [(f"batch {i + 1}", fixed) for i in range(len(sizes[:6]))]),
                               (f"{name} makes", [(f"batch {i + 1}", s) for i, s in enumerate(sizes[:6])])])
    return Explanation(
        kind=STATEFUL_SHORT_BATCH,
        title=f"the stateful model was built for batches of {fixed}; {name} cuts {samples} samples into {sizes_text}",
        expected=f"every batch exactly {fixed} samples (stateful layer{'s' if len(layers) > 1 else ''} {names})",
        received=f"batch_size={batch_size}: batches of {sizes_text}" + (f" (validation_split={call.get('validation_split')})"
                                                                        if name == "fit" and call.get("validation_split") else ""),
        fix=fix,
        why=(f"A stateful layer keeps one state row per batch slot ({fixed} here) and hands row i to sample i of the "
             f"next batch, so a batch of another size has no state to meet. TensorFlow notices it in whichever "
             f"operation meets the odd batch first, which is why Keras's message can differ between runs."),
        shape=(fixed,) + tuple(shape[1:]), shape_names=("batch", "timesteps", "features")[:len(shape)],
        picture=picture,
    )


RECOGNISERS = (_short_batch,)
