"""Sequences of different lengths handed to ``fit``/``predict`` as a list or an object array.

numpy's own error for ``np.array(ragged, dtype=float)`` is explained in ``padding``; here the
learner got past numpy with ``dtype=object`` (or kept a list) and Keras says ``Invalid dtype: object``
or ``Unrecognized data type``. The lengths are read from the array itself.
"""
from __future__ import annotations

import re

from .core import Explanation, model_layers, name_of, training_call
from .padding import RAGGED_BATCH

OBJECT_ARRAY = "object-array"
KINDS = (OBJECT_ARRAY,)
__all__ = ["OBJECT_ARRAY"]

_OBJECT = re.compile(r"Invalid dtype: object|Unsupported object type|Unrecognized data type: (?:x|y)=")


def _lengths(value) -> list[int] | None:
    try:
        items = list(value)
        return [len(item) for item in items]
    except TypeError:
        return None


def _scalar_steps(value) -> bool:
    import numpy as np

    try:
        first = next(item for item in value if len(item))
        return np.ndim(first[0]) == 0
    except (StopIteration, TypeError, IndexError):
        return False


def _ragged_input(error, message, model, namespace):
    if not _OBJECT.search(message):
        return None
    name, call = training_call(error)
    if not call:
        return None
    import numpy as np

    for which in ("x", "y"):
        value = call.get(which)
        if value is None or not (isinstance(value, list) or getattr(value, "dtype", None) == object):
            continue
        lengths = _lengths(value)
        if not lengths:
            continue
        kind_of = "an object array" if isinstance(value, np.ndarray) else "a list"
        name = name_of(value, error, namespace, which)
        first = model_layers(call.get("self"))[:1]
        feature_axis = which == "x" and _scalar_steps(value) and not (first and type(first[0]).__name__ == "Embedding")
        if len(set(lengths)) > 1:
            return Explanation(
                kind=RAGGED_BATCH,
                title=f"{name} holds sequences of different lengths ({min(lengths)} to {max(lengths)} steps) in {kind_of}",
                expected="a rectangular array: every sequence with the same number of steps",
                received=f"{kind_of} of {len(lengths)} sequences, lengths {min(lengths)} to {max(lengths)}",
                fix=(f"{name} = keras.utils.pad_sequences({name}, padding=\"post\", dtype=\"float32\")"
                     + ("[..., None]" if feature_axis else "")
                     + f"   # (samples, {max(lengths)}{', 1' if feature_axis else ', ...'})\n"
                     "# then skip the padding: keras.layers.Masking(mask_value=0.0) (ids: Embedding(..., mask_zero=True))"),
                why=("A batch is one tensor, a rectangle. dtype=object makes numpy keep each sequence as a separate "
                     "object instead of a rectangle, which no Keras layer can read; padding gives all of them one "
                     "length and the mask tells the RNN which steps are filler."),
            )
        return Explanation(
            kind=OBJECT_ARRAY,
            title=f"{name} is {kind_of} of equal-length pieces: stack them into one numeric array",
            expected="a numeric array (float32 or int) with one axis per level",
            received=f"{kind_of} of {len(lengths)} items of length {lengths[0]}",
            fix=f"{name} = np.stack({name}).astype(\"float32\")   # (samples, {lengths[0]}, ...)",
            why="Keras reads numeric arrays; an array of objects (or nested lists) must become one rectangle first.",
        )
    return None


RECOGNISERS = (_ragged_input,)
