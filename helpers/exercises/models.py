"""Checks for exercises whose answer is a Keras model.

A model is judged on what it computes, layer by layer, as Keras reports it: what each layer
computes (a recurrent layer is known by its cell, ``TimeDistributed(Dense)`` is a Dense), its
output shape(s) and its parameter count, never the class or layer names the learner chose.
Removed Keras 2 attributes (``output_shape``) are never used.

>>> expected = [("Dense", (None, 8), 32), ("Dense", (None, 1), 9)]
>>> check = model_check(expected, input_shape=(None, 3))   # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any, Sequence

from .engine import Reject, Result, describe

# A row of the expected table: (what the layer computes or None for "any", output shape, params or None).
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


# A recurrent layer is known by its cell: SimpleRNN(16) and RNN(SimpleRNNCell(16)) compute the same.
CELL_KINDS = {"SimpleRNNCell": "SimpleRNN", "GRUCell": "GRU", "LSTMCell": "LSTM"}
RECURRENT_KINDS = ("SimpleRNN", "GRU", "LSTM")


def layer_table(model: Any) -> list[dict]:
    """What each layer of a built model computes, in order (input layers left out).

    Each row: ``{"name", "type", "form", "output_shape", "params", "activation", "use_bias", ...}``.
    ``type`` is what the layer computes, ``form`` how it was written: ``RNN(GRUCell(8))`` is a
    ``GRU`` row with form ``RNN(GRUCell)``; ``RNN([cell, cell])`` (or ``StackedRNNCells``) gives
    one row per cell, as stacked layers; ``TimeDistributed(Dense)`` is a ``Dense`` row; an
    ``Activation`` or ``ReLU`` layer right after a linear ``Dense`` becomes that Dense's activation;
    a model used as a layer is opened up. ``output_shape`` is a tuple, or a list of tuples for a
    layer with several outputs (``return_state=True``). Recurrent rows also say ``recurrent``
    (their kind, also for ``Bidirectional``), ``stateful``, ``return_sequences`` and ``return_state``;
    ``layer`` is the Keras layer itself. Raises :class:`Reject` with a learner-friendly reason when
    ``model`` is not a model or was never built.

    >>> gru_cell = keras.layers.RNN(keras.layers.GRUCell(3))                          # doctest: +SKIP
    >>> layer_table(keras.Sequential([keras.Input((5, 2)), gru_cell]))[0]["type"]     # doctest: +SKIP
    'GRU'
    """
    if not is_keras_model(model):
        raise Reject(f"Expected a Keras model (keras.Sequential or keras.Model), got {describe(model)}.")
    rows: list[dict] = []
    try:
        for layer in _flat_layers(model):
            rows.extend(_rows_of(layer, rows))
    except (AttributeError, ValueError):
        raise Reject("Keras cannot tell this model's shapes yet: start it with keras.Input(shape=...) "
                     "so every layer knows what it receives.") from None
    return rows


def _flat_layers(model: Any) -> list:
    """The model's layers, with any model used as a layer replaced by its own layers."""
    found = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        found.extend(_flat_layers(layer) if is_keras_model(layer) else [layer])
    return found


def _activation_name(owner: Any) -> str | None:
    activation = getattr(owner, "activation", None)
    return getattr(activation, "__name__", None) if activation is not None else None


def _row(layer: Any, kind: str, form: str, shape: Any, params: int, activation: Any, use_bias: Any) -> dict:
    return {"name": layer.name, "type": kind, "form": form, "output_shape": shape, "params": int(params),
            "activation": activation, "use_bias": use_bias, "layer": layer}


def _rows_of(layer: Any, before: list[dict]) -> list[dict]:
    cls = type(layer).__name__
    shape = output_shapes(layer)
    if cls in ("Activation", "ReLU") and before and _folds_into(layer, before[-1]):
        before[-1]["activation"] = _standalone_activation(layer)
        before[-1]["form"] += f" + {cls}"
        return []
    if cls == "TimeDistributed" and type(layer.layer).__name__ == "Dense":
        inner = layer.layer
        return [_row(layer, "Dense", "TimeDistributed(Dense)", shape, layer.count_params(),
                     _activation_name(inner), getattr(inner, "use_bias", None))]
    cell = getattr(layer, "cell", None)
    if cls == "RNN" and cell is not None:
        return _cell_rows(layer, cell, shape)
    row = _row(layer, cls, cls, shape, layer.count_params(), _activation_name(layer), getattr(layer, "use_bias", None))
    if cls in RECURRENT_KINDS:
        row.update(_recurrent_flags(layer, cls))
    elif cls == "Bidirectional":
        inner = getattr(layer, "forward_layer", None)
        inner_kind = type(inner).__name__
        if inner_kind == "RNN":
            inner_kind = CELL_KINDS.get(type(getattr(inner, "cell", None)).__name__, "RNN")
        row.update(_recurrent_flags(layer, inner_kind, inner))
    return [row]


def _recurrent_flags(layer: Any, kind: str, settings: Any = None) -> dict:
    settings = settings if settings is not None else layer
    return {"recurrent": kind, "stateful": bool(getattr(settings, "stateful", False)),
            "return_sequences": bool(getattr(settings, "return_sequences", False)),
            "return_state": bool(getattr(settings, "return_state", False))}


def _cell_rows(layer: Any, cell: Any, shape: Any) -> list[dict]:
    """``RNN(cell)``: one row; ``RNN([cells])`` / ``RNN(StackedRNNCells(...))``: one row per cell.

    A lower cell hands its output to the next cell at every step, exactly as a lower layer with
    ``return_sequences=True`` does, so its row outputs ``(batch, timesteps, its units)``."""
    cells = list(getattr(cell, "cells", None) or [cell])
    names = [type(c).__name__ for c in cells]
    written = f"RNN({names[0]})" if len(cells) == 1 and type(cell).__name__ != "StackedRNNCells" else \
        f"RNN([{', '.join(names)}])"
    sequences = layer.input[0] if isinstance(layer.input, (list, tuple)) else layer.input   # [x, *initial_state]
    batch_and_steps = _shape_of(sequences)[:2]
    rows = []
    for position, one in enumerate(cells):
        kind = CELL_KINDS.get(type(one).__name__, "RNN")
        top = position == len(cells) - 1
        form = written if len(cells) == 1 else f"{type(one).__name__} {position + 1} of {len(cells)} in {written}"
        out = shape if top else batch_and_steps + (int(getattr(one, "units", 0) or 0),)
        row = _row(layer, kind, form, out, one.count_params(), _activation_name(one), getattr(one, "use_bias", None))
        row.update(_recurrent_flags(layer, kind))
        if not top:
            row.update(return_sequences=True, return_state=False)
        row["cell"] = one
        rows.append(row)
    return rows


def _standalone_activation(layer: Any) -> str | None:
    if type(layer).__name__ == "ReLU":
        plain = (getattr(layer, "max_value", None) is None and not getattr(layer, "negative_slope", 0)
                 and not getattr(layer, "threshold", 0))
        return "relu" if plain else "relu (with options)"
    return _activation_name(layer)


def _folds_into(layer: Any, previous: dict) -> bool:
    """True when ``layer`` applies an activation to the output of a linear Dense row: Dense(8) then
    Activation('relu') computes the same as Dense(8, activation='relu')."""
    if previous["type"] != "Dense" or previous.get("activation") not in (None, "linear"):
        return False
    try:   # a reloaded model's layers may have several call nodes: any link between the two counts
        produced = {id(t) for node in previous["layer"]._inbound_nodes for t in node.output_tensors}
        return any(id(t) in produced for node in layer._inbound_nodes for t in node.input_tensors)
    except (AttributeError, TypeError):
        return False


def format_table(rows: Sequence[dict]) -> str:
    """Plain-text table of :func:`layer_table` rows."""
    return "\n".join(f"{r['form']:<16} {str(r['output_shape']):<22} {r['params']:>7}" for r in rows)


def model_input_shape(model: Any) -> tuple | None:
    try:
        inputs = model.inputs
        if inputs and len(inputs) == 1:
            return _shape_of(inputs[0])
    except (AttributeError, ValueError):
        return None
    return None


def shape_matches(got: Any, want: Any, any_length: bool = False) -> bool:
    """True when ``got`` is ``want``; with ``any_length``, a None timesteps axis (axis 1 of a 3D
    shape) also matches a fixed one: ``keras.Input(shape=(None, F))`` reads sequences of any length.

    >>> shape_matches((None, None, 16), (None, 6, 16), any_length=True)
    True
    """
    if isinstance(want, list) or isinstance(got, list):
        return (isinstance(want, list) and isinstance(got, list) and len(got) == len(want)
                and all(shape_matches(g, w, any_length) for g, w in zip(got, want)))
    got, want = tuple(got), tuple(want)
    if any_length and len(got) == len(want) == 3 and got[1] is None:
        return (got[0], got[2]) == (want[0], want[2])
    return got == want


_FORM_NOTES = {
    "cell": "{form} computes the same as {kind}: a recurrent layer is its cell run over the timesteps.",
    "stack": ("{written} runs its cells as stacked layers: at every step each cell hands its output to the "
              "next, as return_sequences=True does between two layers."),
    "TimeDistributed(Dense)": ("TimeDistributed(Dense) computes the same as Dense here: Dense already acts at "
                               "every step."),
    "activation": "A Dense followed by {what} computes the same as giving Dense the activation itself.",
}


def form_notes(rows: Sequence[dict]) -> str:
    """One sentence per way of writing a layer that differs from the plain layer but computes the same.

    >>> form_notes([{"type": "Dense", "form": "TimeDistributed(Dense)"}])
    'TimeDistributed(Dense) computes the same as Dense here: Dense already acts at every step.'
    """
    notes: list[str] = []
    for row in rows:
        form, kind = row.get("form") or row["type"], row["type"]
        if form == kind:
            continue
        if " in RNN([" in form:
            note = _FORM_NOTES["stack"].format(written=form.split(" in ", 1)[1])
        elif form.startswith("RNN("):
            note = _FORM_NOTES["cell"].format(form=form, kind=kind)
        elif form.startswith(("Dense + ", "TimeDistributed(Dense) + ")):
            note = _FORM_NOTES["activation"].format(what=f"an {form.rsplit(' + ', 1)[1]} layer")
        else:
            note = _FORM_NOTES.get(form, "")
        if note and note not in notes:
            notes.append(note)
    return " ".join(notes)


def model_check(expected: Sequence[Row], input_shape: tuple | None = None, hint: str = "",
                any_length: bool = False, why_form: str = ""):
    """A check that a model's layers match ``expected``: one ``(type, output_shape, params)`` row per
    layer, optionally with a fourth item, the activation's name (``"relu"``).

    ``type`` is what a layer computes (see :func:`layer_table`); ``type`` or ``params`` may be None
    to accept any. ``any_length`` accepts None timesteps where the exercise is not about the length.
    A correct model written in another form (``RNN(cell)``, ``TimeDistributed(Dense)``, ...) is
    correct, and told that its form computes the same; ``why_form`` then says why the prompt asked
    for the plain form. Feedback names the first layer that differs by its position and form, and
    how (its type, output shape, parameter count or activation); missing and extra layers are named first.
    """
    expected = [tuple(row) + (None,) * (4 - len(row)) for row in expected]

    def check(model: Any) -> Result:
        rows = layer_table(model)
        if input_shape is not None:
            got_in = model_input_shape(model)
            if got_in is not None and not shape_matches(got_in, input_shape, any_length):
                return Result(False, f"The model's input is {got_in}; this exercise needs {tuple(input_shape)}."
                                     f"{_input_tip(got_in, tuple(input_shape))}")
        if len(rows) < len(expected):
            wanted = ", ".join(_layer_words(t, sh) for t, sh, _, _ in expected)
            return Result(False, f"Your model has {len(rows)} layer{'s' if len(rows) != 1 else ''} after the input; "
                                 f"{len(expected)} are needed: {wanted}.")
        for i, (want_type, want_shape, want_params, want_activation) in enumerate(expected):
            got = rows[i]
            where = f"Layer {i + 1} ({got['form']})"
            if want_type and got["type"] != want_type:
                tip = ""
                if got["type"] == "Activation":
                    tip = " Give the activation to the layer itself, e.g. Dense(8, activation='relu')."
                return Result(False, f"Layer {i + 1} is {_a(got['form'])} {got['form']}; "
                                     f"expected {_a(want_type)} {want_type} there.{tip}")
            if not shape_matches(got["output_shape"], want_shape, any_length):
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
            extra = ", ".join(r["form"] for r in rows[len(expected):])
            return Result(False, f"Your model has {len(rows)} layers; only {len(expected)} are needed. Extra: {extra}.")
        total = sum(r["params"] for r in rows)
        return Result(True, with_notes(f"Every layer matches: {len(rows)} layers, {total} parameters in all.",
                                       rows, why_form))

    return check


def layer_forms(rows: Sequence[dict]) -> list[str]:
    """How each Keras layer behind ``rows`` was written, once per layer (stacked cells share one).

    >>> layer_forms([{"form": "GRUCell 1 of 2 in RNN([GRUCell, GRUCell])", "layer": 1},
    ...              {"form": "GRUCell 2 of 2 in RNN([GRUCell, GRUCell])", "layer": 1}])
    ['RNN([GRUCell, GRUCell])']
    """
    forms: list[str] = []
    previous = object()
    for row in rows:
        if row.get("layer", object()) is previous:
            continue
        previous = row.get("layer", object())
        form = row.get("form") or row["type"]
        forms.append(form.split(" in ", 1)[1] if " in RNN([" in form else form)
    return forms


def describe_layers(rows: Sequence[dict]) -> str:
    """The layers as written, and what they compute when that differs in number (stacked cells).

    >>> describe_layers([{"type": "Dense", "form": "Dense"}])
    'Dense'
    """
    forms = layer_forms(rows)
    text = ", ".join(forms) or "none"
    if len(forms) != len(rows):
        text += f" (computing {', '.join(r['type'] for r in rows)})"
    return text


def with_notes(message: str, rows: Sequence[dict], why_form: str = "") -> str:
    """``message``, then :func:`form_notes` and, when a note was needed, ``why_form``."""
    notes = form_notes(rows)
    return " ".join(part for part in (message, notes, why_form if notes else "") if part)


def _input_tip(got_in: tuple, want: tuple) -> str:
    if len(got_in) == len(want) + 1:
        return (" keras.Input(shape=...) describes one example; Keras adds the batch axis itself, "
                "so leave it out of shape=.")
    if len(got_in) == len(want) and got_in[0] is not None and want[0] is None and got_in[1:] == want[1:]:
        return (f" batch_size={got_in[0]} fixes the batch size, which only a stateful model needs: "
                "leave it out.")
    return ""


def _a(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" or noun.startswith(("LSTM", "RNN")) else "a"


def _layer_words(layer_type: Any, shape: Any) -> str:
    return f"{layer_type or 'a layer'} -> {shape}"


def model_with_tips(expected, input_shape, tips=None, hint: str = "", any_length: bool = False, why_form: str = ""):
    """:func:`model_check`, preceded by ``tips(rows, input_shape)``: a function of the model's
    :func:`layer_table` that returns a targeted message for a typical mistake, or None to fall through.

    >>> check = model_with_tips([("Dense", (None, 1), 3)], (None, 2))   # doctest: +SKIP
    """
    base = model_check(expected, input_shape=input_shape, hint=hint, any_length=any_length, why_form=why_form)

    def check(model):
        rows = layer_table(model)
        if tips is not None:
            message = tips(rows, model_input_shape(model))
            if message:
                return Result(False, message)
        return base(model)

    return check
