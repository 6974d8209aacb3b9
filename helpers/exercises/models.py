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
        activation = getattr(layer, "activation", None)
        rows.append({"name": layer.name, "type": type(layer).__name__,
                     "output_shape": shape, "params": int(layer.count_params()),
                     "activation": getattr(activation, "__name__", None) if activation is not None else None,
                     "use_bias": getattr(layer, "use_bias", None)})
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
    """A check that a model's layers match ``expected``: one ``(type, output_shape, params)`` row per
    layer, optionally with a fourth item, the activation's name (``"relu"``).

    ``type`` or ``params`` may be None to accept any. Feedback names the first layer that differs by
    its position and type, and how (its type, output shape, parameter count or activation); missing
    and extra layers are named first.
    """
    expected = [tuple(row) + (None,) * (4 - len(row)) for row in expected]

    def check(model: Any) -> Result:
        rows = layer_table(model)
        if input_shape is not None:
            got_in = model_input_shape(model)
            if got_in is not None and tuple(got_in) != tuple(input_shape):
                tip = ""
                if len(got_in) == len(input_shape) + 1:
                    tip = (" keras.Input(shape=...) describes one example; Keras adds the batch axis itself, "
                           "so leave it out of shape=.")
                return Result(False, f"The model's input is {got_in}; this exercise needs {tuple(input_shape)}.{tip}")
        if len(rows) < len(expected):
            wanted = ", ".join(_layer_words(t, sh) for t, sh, _, _ in expected)
            return Result(False, f"Your model has {len(rows)} layer{'s' if len(rows) != 1 else ''} after the input; "
                                 f"{len(expected)} are needed: {wanted}.")
        for i, (want_type, want_shape, want_params, want_activation) in enumerate(expected):
            got = rows[i]
            where = f"Layer {i + 1} ({got['type']})"
            if want_type and got["type"] != want_type:
                tip = ""
                if got["type"] == "Activation":
                    tip = " Give the activation to the layer itself, e.g. Dense(8, activation='relu')."
                return Result(False, f"Layer {i + 1} is {_a(got['type'])} {got['type']}; "
                                     f"expected {_a(want_type)} {want_type} there.{tip}")
            if _norm(got["output_shape"]) != _norm(want_shape):
                return Result(False, f"{where} outputs {got['output_shape']}; expected {want_shape}. {hint}".strip())
            if want_params is not None and got["params"] != want_params:
                tip = " It has no bias: leave use_bias at its default (True)." if got.get("use_bias") is False else ""
                return Result(False, f"{where} has {got['params']} parameters; expected {want_params}.{tip}")
            if want_activation and got.get("activation") != want_activation:
                following = rows[i + 1] if i + 1 < len(rows) else {}
                if following.get("type") == "Activation":
                    return Result(False, f"Layer {i + 2} is an Activation layer of its own. Here the activation "
                                         f"belongs to {where} itself, e.g. Dense(8, activation='{want_activation}').")
                have = got.get("activation")
                have = "no activation (linear, the default)" if have in (None, "linear") else f"activation='{have}'"
                want = "no activation" if want_activation == "linear" else f"activation='{want_activation}'"
                return Result(False, f"{where} has {have}; this exercise asks for {want} on it.")
        if len(rows) > len(expected):
            extra = ", ".join(r["type"] for r in rows[len(expected):])
            return Result(False, f"Your model has {len(rows)} layers; only {len(expected)} are needed. Extra: {extra}.")
        total = sum(r["params"] for r in rows)
        return Result(True, f"Every layer matches: {len(rows)} layers, {total} parameters in all.")

    check.form = layer_table   # the form of the answer: a built Keras model
    return check


def _a(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _layer_words(layer_type: Any, shape: Any) -> str:
    return f"{layer_type or 'a layer'} -> {shape}"


def _norm(shape: Any) -> Any:
    if isinstance(shape, list):
        return [tuple(s) for s in shape]
    return tuple(shape)


def model_with_tips(expected, input_shape, tips=None, hint: str = ""):
    """:func:`model_check`, preceded by ``tips(rows, input_shape)``: a function of Keras' own layer
    table that returns a targeted message for a typical mistake, or None to fall through.

    >>> check = model_with_tips([("Dense", (None, 1), 3)], (None, 2))   # doctest: +SKIP
    """
    base = model_check(expected, input_shape=input_shape, hint=hint)

    def check(model):
        rows = layer_table(model)
        if tips is not None:
            message = tips(rows, model_input_shape(model))
            if message:
                return Result(False, message)
        return base(model)

    check.form = layer_table
    return check
