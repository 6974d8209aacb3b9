"""Catch targets whose shape does not match the model's output before ``fit`` hides the mistake.

A Keras loss first brings the targets and the predictions to the same rank: when their ranks differ
by one and the longer one ends in an axis of 1, it drops that axis (or, for 1-D targets against an
output ``(None, 1)``, adds one) -- Keras' ``squeeze_or_expand_to_same_rank``. Then it subtracts,
broadcasting what is left. So a many-to-many model with output ``(None, 6, 1)`` trains without a word
on targets ``(32, 1)`` (each step compared with its own sequence's one value) or ``(32,)`` (each
prediction compared with every target of the batch): the loss is not the one the learner meant.
:func:`check_targets` accepts exactly the targets whose every value meets the prediction in the same
place after that rank fix, and refuses the others with a sentence saying what Keras would do.

>>> expected_target_shape((None, 6, 1), n=32)
(32, 6, 1)
>>> target_problem((None, 6, 1), (32,)) is not None, target_problem((None, 3), (16, 3, 1)) is None
(True, True)
"""
from __future__ import annotations

from typing import Any

__all__ = ["TargetShapeError", "check_targets", "expected_target_shape", "keras_would_broadcast", "model_output_shape",
           "same_rank", "target_problem"]


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


def same_rank(target_shape: tuple, output_shape: tuple) -> tuple[tuple, tuple]:
    """The two shapes after Keras' ``squeeze_or_expand_to_same_rank(y_true, y_pred)``, which every
    built-in loss applies first.

    >>> same_rank((32, 1), (32, 6, 1)), same_rank((16,), (16, 1)), same_rank((16, 3, 1), (16, 3))
    (((32, 1), (32, 6)), ((16, 1), (16, 1)), ((16, 3), (16, 3)))
    """
    y, p = tuple(target_shape), tuple(output_shape)
    if len(y) == len(p) + 1 and y[-1:] == (1,):
        if len(p) == 1:
            p = p + (1,)
        else:
            y = y[:-1]
    elif len(p) == len(y) + 1 and p[-1:] == (1,):
        if len(y) == 1:
            y = y + (1,)
        else:
            p = p[:-1]
    return y, p


def _with_batch(output_shape: tuple, target_shape: tuple) -> tuple:
    """The output shape with the targets' batch size in place of its None."""
    if output_shape and output_shape[0] is None and target_shape:
        return (target_shape[0],) + tuple(output_shape[1:])
    return tuple(output_shape)


def _broadcast(a: tuple, b: tuple) -> bool:
    for x, y in zip(reversed(a), reversed(b)):
        if x is not None and y is not None and x != y and 1 not in (x, y):
            return False
    return True


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def keras_would_broadcast(output_shape: tuple, target_shape: tuple) -> bool:
    """Whether a Keras loss accepts these targets without an error: after the rank fix
    (:func:`same_rank`) the two shapes broadcast. An unknown size (None) is taken to fit.

    >>> keras_would_broadcast((None, 6, 1), (32,)), keras_would_broadcast((None, 3), (32, 5))
    (True, False)
    """
    y, p = same_rank(tuple(target_shape), _with_batch(tuple(output_shape), tuple(target_shape)))
    return _broadcast(y, p)


def _sparse_fits(output_shape: tuple, target_shape: tuple) -> bool:
    """Integer labels fit when, after the rank fix and dropping a last axis of 1 (as
    ``sparse_categorical_crossentropy`` does), they have the output's axes but the last."""
    y, p = same_rank(tuple(target_shape), _with_batch(tuple(output_shape), tuple(target_shape)))
    if len(y) == len(p) and y[-1:] == (1,):
        y = y[:-1]
    return _same(y, p[:-1])


def target_problem(output_shape: tuple, target_shape: tuple, sparse: bool = False) -> str | None:
    """Why targets of ``target_shape`` do not fit ``output_shape``, or None when they fit.

    Fits: after Keras' rank fix (:func:`same_rank`), every target meets the prediction in the same
    place (no broadcasting). With ``sparse=True``: one integer label per output row of class scores.

    >>> target_problem((None, 6, 1), (32, 6)) is None, target_problem((None, 6, 1), (32, 1)) is None
    (True, False)
    """
    output_shape, target_shape = tuple(output_shape), tuple(target_shape)
    n = target_shape[0] if target_shape else None
    want = expected_target_shape(output_shape, n, sparse)
    if not target_shape:
        return "The targets are a single number; give one target per sample, with the batch axis first."
    if sparse:
        if _sparse_fits(output_shape, target_shape):
            return None
        return (f"Integer labels of shape {target_shape} do not match the model's output {output_shape}: "
                f"sparse_categorical_crossentropy wants one label per row of class scores, so the output's axes "
                f"without its last (the {output_shape[-1]} classes). Keras would stop too, inside the loss. "
                f"Give y the shape {want}" + (" (one-hot targets go with categorical_crossentropy, not sparse)"
                                              if target_shape[-1:] == output_shape[-1:] and len(target_shape) ==
                                              len(output_shape) and output_shape[-1] != 1 else "") + ".")
    y, p = same_rank(target_shape, _with_batch(output_shape, target_shape))
    if _same(y, p):
        return None
    if _broadcast(y, p):
        mixed = len(y) < len(p) or any(a != b and a == 1 for a, b in zip(reversed(y), reversed(p)))
        if len(y) < len(p) and len(y) >= 1 and y[-1:] == (n,) and n not in (None, 1):
            how = ("the samples axis of y lines up with the output's last axis, so every prediction is compared "
                   "with the targets of other samples in the batch")
        elif mixed:
            how = ("a size-1 axis of y is repeated to fill the output, so one target is compared with several "
                   "predictions (for example each step with its own sequence's single value)")
        else:
            how = "the output is repeated to fill y, so one prediction is compared with several targets"
        consequence = (f"Keras would not stop you: after matching the ranks it compares {y} with {p} by "
                       f"broadcasting; {how}. The loss is not the one you meant.")
    else:
        consequence = "Keras would stop too, inside the loss (the shapes cannot even be broadcast)."
    message = (f"Targets of shape {target_shape} do not match the model's output {output_shape}. "
               f"{consequence} Give y the shape {want}")
    if len(target_shape) < len(want) and not (want[-1:] == (1,) and len(target_shape) == len(want) - 1):
        message += " (one target for every step and value the model predicts)"
    return message + "."


def check_targets(model: Any, y: Any, sparse: bool = False) -> tuple:
    """Raise :class:`TargetShapeError` unless ``y`` fits ``model``'s output; return ``y``'s own shape.

    Accepted shapes are those for which Keras' loss compares each target with the prediction in the
    same place: the output's shape (samples for None), or that shape without (or with) a last axis of 1,
    as Keras squeezes it. ``sparse=True`` for integer labels against class scores.

    >>> check_targets(model, np.zeros((32, 6)))   # doctest: +SKIP
    (32, 6)
    """
    shape = getattr(y, "shape", None)
    if shape is None:
        raise TypeError(f"check_targets needs the targets as an array (with .shape), got {type(y).__name__}.")
    target_shape = tuple(int(d) for d in shape)
    output_shape = model_output_shape(model)
    problem = target_problem(output_shape, target_shape, sparse)
    if problem:
        raise TargetShapeError(problem)
    return target_shape
