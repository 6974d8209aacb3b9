"""Catch targets whose shape does not match the model's output before ``fit`` hides the mistake.

Keras compares ``y`` with the model's predictions by broadcasting. A many-to-many model with
output ``(None, 6, 1)`` trains without a word on targets of shape ``(32,)`` or ``(32, 1)``: every
prediction is compared with every sample's target and the loss means nothing.
:func:`check_targets` refuses such targets with a sentence saying which shape they need.

>>> expected_target_shape((None, 6, 1), n=32)
(32, 6, 1)
>>> target_problem((None, 6, 1), (32,)) is not None
True
"""
from __future__ import annotations

from typing import Any

__all__ = ["TargetShapeError", "check_targets", "expected_target_shape", "model_output_shape", "target_problem"]


class TargetShapeError(ValueError):
    """The targets cannot be meant for this model's output."""


def model_output_shape(model: Any) -> tuple:
    """The output shape Keras computes for ``model`` (a single-output model built on ``keras.Input``)."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise TypeError("check_targets needs a model built on keras.Input, so that its output shape is known.")
    shapes = [tuple(t.shape) for t in inputs]
    shape = model.compute_output_shape(shapes[0] if len(shapes) == 1 else shapes)
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        if len(shape) != 1:
            raise TypeError("check_targets checks models with one output; check each output's targets on its own.")
        shape = shape[0]
    return tuple(None if d is None else int(d) for d in shape)


def expected_target_shape(output_shape: tuple, n: int | None = None, sparse: bool = False) -> tuple:
    """The shape targets need for a model whose output is ``output_shape``, for ``n`` samples.

    ``sparse=True`` is for integer class labels (``sparse_categorical_crossentropy``): the output's
    last axis holds one score per class, the targets hold one label instead.

    >>> expected_target_shape((None, 10, 4), n=8, sparse=True)
    (8, 10)
    """
    rest = tuple(output_shape[1:-1]) if sparse else tuple(output_shape[1:])
    return (n,) + rest


def target_problem(output_shape: tuple, target_shape: tuple, sparse: bool = False) -> str | None:
    """Why targets of ``target_shape`` do not fit ``output_shape``, or None when they fit.

    Fits: the same axes after the batch axis; or, when the output ends with a single value (or
    ``sparse``), those axes without that last 1, which Keras lines up correctly.

    >>> target_problem((None, 6, 1), (32, 6)) is None
    True
    """
    output_shape, target_shape = tuple(output_shape), tuple(target_shape)
    want = expected_target_shape(output_shape, target_shape[0] if target_shape else None, sparse)
    body, rest = tuple(target_shape[1:]), want[1:]

    def same(a, b):
        return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))

    if same(body, rest) or (not sparse and rest[-1:] == (1,) and same(body, rest[:-1])) or \
            (sparse and same(body, rest + (1,))):
        return None
    if not target_shape:
        return "The targets are a single number; give one target per sample, with the batch axis first."
    what = "integer labels" if sparse else "targets"
    message = (f"{what.capitalize()} of shape {target_shape} do not match the model's output {output_shape}. "
               f"Keras would not stop you: it broadcasts the two against each other, and the loss compares "
               f"predictions with the wrong targets. Give y the shape {want}")
    if len(body) < len(rest):
        message += " (one target for every step and value the model predicts)"
    return message + "."


def check_targets(model: Any, y: Any, sparse: bool = False) -> tuple:
    """Raise :class:`TargetShapeError` unless ``y`` fits ``model``'s output; return the shape it needs.

    >>> check_targets(model, np.zeros((32, 6, 1)))   # doctest: +SKIP
    (32, 6, 1)
    """
    shape = getattr(y, "shape", None)
    if shape is None:
        raise TypeError(f"check_targets needs the targets as an array (with .shape), got {type(y).__name__}.")
    target_shape = tuple(int(d) for d in shape)
    output_shape = model_output_shape(model)
    problem = target_problem(output_shape, target_shape, sparse)
    if problem:
        raise TargetShapeError(problem)
    return expected_target_shape(output_shape, target_shape[0] if target_shape else None, sparse)
