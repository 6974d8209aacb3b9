"""Answers computed on any Keras backend, as the values the checks read.

On ``KERAS_BACKEND=jax`` a learner's ``keras.ops`` result is a JAX array; on ``torch`` it is a
torch tensor (often one that requires grad, which ``np.asarray`` refuses). :func:`plain` turns
those, and Keras variables holding them, into numpy, so every check judges them like numpy
answers. Nothing else changes: TensorFlow tensors, numpy values, shapes and models pass through
as they are. Neither JAX nor torch is imported here: only a module the learner already imported
can have made the value.

>>> import numpy as np
>>> plain((3, np.float32(0.5)))
(3, np.float32(0.5))
"""
from __future__ import annotations

import sys
from typing import Any

MAX_ITEMS = 10_000   # a longer list or tuple is left as it is (its items are not searched)
MAX_DEPTH = 4


def _backend_array(value: Any):
    """``value`` as a numpy array when it is a JAX array or a torch tensor, else None."""
    jax = sys.modules.get("jax")
    if jax is not None and isinstance(value, getattr(jax, "Array", ())):
        import numpy as np

        return np.asarray(value)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, getattr(torch, "Tensor", ())):
        return value.detach().cpu().numpy()
    return None


def _is_keras_variable(value: Any) -> bool:
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(value, getattr(keras, "Variable", ()))


def plain(value: Any, _depth: int = 0) -> Any:
    """``value`` with JAX arrays and torch tensors (also inside tuples and lists) as numpy.

    A 0-d tensor becomes a numpy scalar, as numpy's own reductions give (``np.sum`` returns
    ``np.float32``, not a 0-d array). ``torch.Size`` (a tuple) becomes a plain tuple.
    Never raises: a value that cannot be converted is returned unchanged.
    """
    try:
        array = _backend_array(value)
        if array is not None:
            return array[()] if array.ndim == 0 else array
        if _is_keras_variable(value):
            inner = plain(value.value, _depth)
            return inner if inner is not value.value else value
        if _depth >= MAX_DEPTH or not isinstance(value, (tuple, list)) or len(value) > MAX_ITEMS:
            return value
        items = [plain(item, _depth + 1) for item in value]
        if all(new is old for new, old in zip(items, value)) and type(value) in (tuple, list):
            return value
        if isinstance(value, list):
            return items
        if type(value) is tuple or type(value).__module__.startswith("torch"):
            return tuple(items)
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    except Exception:  # noqa: BLE001 - an odd object is judged as it is, never a traceback
        return value
