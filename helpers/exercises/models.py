"""Checks for exercises whose answer is a Keras model.

A model is judged on what Keras itself reports, layer by layer: the layer's class, its output
shape(s) and its parameter count. Removed Keras 2 attributes (``output_shape``) are never used.

>>> expected = [("Dense", (None, 8), 32), ("Dense", (None, 1), 9)]
>>> check = model_check(expected, input_shape=(None, 3))   # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any, Sequence

from .engine import Reject, Result, describe

# A row of the expected table: (layer class name or None for "any", output shape, params or None).
Row = tuple


def _shape_of(tensor: Any) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def output_shapes(layer: Any) -> tuple | list:
    """The output shape of a called layer, or a list of shapes for a layer with several outputs."""
    out = layer.output
    if isinstance(out, (list, tuple)):
        return [_shape_of(t) for t in out]
    return _shape_of(out)


def is_keras_model(value: Any) -> bool:
    try:
        import keras
    except Exception:  # noqa: BLE001
        return False
    return isinstance(value, keras.Model)


def layer_table(model: Any) -> list[dict]:
    """What Keras reports for each layer of a built model (input layers left out).

    Each row: ``{"name", "type", "output_shape", "params"}``; ``output_shape`` is a tuple, or a list
    of tuples for a layer with several outputs (``return_state=True``). Raises :class:`Reject`
    with a learner-friendly reason when ``model`` is not a model or was never built.
    """
    if not is_keras_model(model):
        raise Reject(f"Expected a Keras model (keras.Sequential or keras.Model), got {describe(model)}.")
    rows = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        try:
            shape = output_shapes(layer)
        except (AttributeError, ValueError):
            raise Reject("Keras cannot tell this model's shapes yet: start it with keras.Input(shape=...) "
                         "so every layer knows what it receives.") from None
        rows.append({"name": layer.name, "type": type(layer).__name__,
                     "output_shape": shape, "params": int(layer.count_params())})
    return rows


def format_table(rows: Sequence[dict]) -> str:
    """Plain-text table of :func:`layer_table` rows."""
    return "\n".join(f"{r['type']:<16} {str(r['output_shape']):<22} {r['params']:>7}" for r in rows)


def model_input_shape(model: Any) -> tuple | None:
    try:
        inputs = model.inputs
        if inputs and len(inputs) == 1:
            return _shape_of(inputs[0])
    except (AttributeError, ValueError):
        return None
    return None


def model_check(expected: Sequence[Row], input_shape: tuple | None = None, hint: str = ""):
    """A check that a model's layers match ``expected``, one ``(type, output_shape, params)`` per layer.

    ``type`` or ``params`` may be None to accept any. Feedback names the first layer that differs
    and how (its type, its output shape, or its parameter count), and catches missing or extra layers.
    """
    expected = [tuple(row) for row in expected]

    def check(model: Any) -> Result:
        rows = layer_table(model)
        if input_shape is not None:
            got_in = model_input_shape(model)
            if got_in is not None and tuple(got_in) != tuple(input_shape):
                return Result(False, f"The model's input is {got_in}; this exercise needs {tuple(input_shape)}.")
        for i, want in enumerate(expected):
            want_type, want_shape, want_params = want
            if i >= len(rows):
                missing = ", ".join(t or "layer" for t, _, _ in expected[i:])
                return Result(False, f"Your model has {len(rows)} layer{'s' if len(rows) != 1 else ''}; "
                                     f"{len(expected)} are needed. Missing at the end: {missing}.")
            got = rows[i]
            where = f"Layer {i + 1} ({got['name']})"
            if want_type and got["type"] != want_type:
                return Result(False, f"{where} is a {got['type']}; expected a {want_type} there.")
            if _norm(got["output_shape"]) != _norm(want_shape):
                return Result(False, f"{where} outputs {got['output_shape']}; expected {want_shape}. {hint}".strip())
            if want_params is not None and got["params"] != want_params:
                return Result(False, f"{where} has {got['params']} parameters; expected {want_params}.")
        if len(rows) > len(expected):
            extra = ", ".join(r["type"] for r in rows[len(expected):])
            return Result(False, f"Your model has {len(rows)} layers; only {len(expected)} are needed. Extra: {extra}.")
        total = sum(r["params"] for r in rows)
        return Result(True, f"Every layer matches: {len(rows)} layers, {total} parameters in all.")

    return check


def _norm(shape: Any) -> Any:
    if isinstance(shape, list):
        return [tuple(s) for s in shape]
    return tuple(shape)
