"""Encoder-decoder states that do not fit the decoder: the wrong number of them, or the wrong size.

An LSTM holds two states (h and c), a GRU and a SimpleRNN one (h); each is ``(batch, units)`` of the
layer that holds it. A decoder started with ``initial_state=h`` (one state for an LSTM) fails deep
inside Keras with ``list index out of range``; states of the wrong width fail in the cell's matrix
product, which reads like a features error. Both are told apart by what the message lists
(the states the layer received) and by the layers in sight (encoder units, a ``Bidirectional``
whose forward and backward states were concatenated).
"""
from __future__ import annotations

import re
from typing import Any

from .core import (Explanation, keras_module, layer_calls, layer_code, model_layers, models_in, namespaces,
                   values_in)

STATE_COUNT_MISMATCH = "state-count-mismatch"
STATE_SIZE_MISMATCH = "state-size-mismatch"
KINDS = (STATE_COUNT_MISMATCH, STATE_SIZE_MISMATCH)
__all__ = ["STATE_COUNT_MISMATCH", "STATE_SIZE_MISMATCH"]

_STATE_NAMES = {"LSTM": ("h", "c"), "GRU": ("h",), "SimpleRNN": ("h",)}
_GATES = {"LSTMCell": 4, "GRUCell": 3, "SimpleRNNCell": 1}
_CALLING = re.compile(r"Exception encountered when calling (?P<cls>\w+)\.call\(\)")
_INITIAL = re.compile(r"initial_state=(?P<value>[^\n]*)")
_STATES = re.compile(r"states=(?P<value>[^\n]*)")
_INPUTS = re.compile(r"inputs=tf\.Tensor\(shape=\((?P<shape>[^)]*)\)")
_WIDTH = re.compile(r"shape=\((?:None|\d+), (\d+)\)")
_MATMUL = re.compile(r"(?:input shapes: |In\[0\]: )\[(?P<data>[^\]]*)\],? (?:In\[1\]: )?\[(?P<kernel>[^\]]*)\]")


def _dims(text: str) -> tuple:
    return tuple(None if d.strip() in ("?", "None", "") else int(d) for d in text.split(","))


def _held(layer_cls: str, layer: Any) -> tuple[str, ...] | None:
    if layer is not None:
        cell = getattr(layer, "cell", None)
        size = getattr(cell, "state_size", None)
        if isinstance(size, (list, tuple)) and layer_cls in _STATE_NAMES:
            return _STATE_NAMES[layer_cls][:len(size)]
    return _STATE_NAMES.get(layer_cls)


def _state_picture(given: list, held: tuple, units, given_title: str, note: str = ""):
    from helpers.diagrams import comparison_spec

    given_cells = [(held[i] if i < len(held) else f"state {i + 1}", width) for i, width in enumerate(given)]
    return comparison_spec("states handed over vs states held",
                           [(given_title, given_cells), ("the decoder holds", [(name, units) for name in held])], note)


def _state_count(error, message, model, namespace):
    calling = _CALLING.search(message)
    initial = _INITIAL.search(message)
    if not calling or not initial or initial["value"].strip() in ("None", ""):
        return None
    cls = calling["cls"]
    layer = next((lay for lay, _ in layer_calls(error) if type(lay).__name__ == cls), None)
    held = _held(cls, layer)
    if held is None:
        return None
    value = initial["value"].strip()
    widths = [int(w) for w in _WIDTH.findall(value)]
    count = len(widths) if value.startswith(("[", "(")) else 1
    if count == len(held) or not widths:
        return None
    units = getattr(layer, "units", None) or widths[0]
    name = f" '{layer.name}'" if layer is not None else ""
    given = "initial_state=h (one tensor)" if not value.startswith(("[", "(")) else \
        f"initial_state=[{', '.join(held[:count]) if count <= len(held) else ', '.join(['s'] * count)}] ({count} tensor{'s' if count > 1 else ''})"
    wanted = ", ".join(held)
    fix = (f"outputs = decoder(decoder_inputs, initial_state=[{wanted}])   # {cls} holds {len(held)} state"
           f"{'s' if len(held) > 1 else ''}")
    if cls == "LSTM":
        fix += "\n# an LSTM encoder hands over both: _, h, c = keras.layers.LSTM(units, return_state=True)(encoder_inputs)"
    return Explanation(
        kind=STATE_COUNT_MISMATCH,
        title=f"{cls}{name} holds {len(held)} state{'s' if len(held) > 1 else ''} ({wanted}) but got {count}",
        expected=f"initial_state=[{wanted}]: a list of {len(held)} tensor{'s' if len(held) > 1 else ''}, each (batch, {units})",
        received=given,
        fix=fix,
        why=(f"An LSTM carries two states from step to step, the output h and the cell state c; a GRU and a SimpleRNN "
             f"carry only h. initial_state must give the layer every state it holds, in that order. Keras's own "
             f"message ('list index out of range') comes from looking for the state that is missing."),
        layer=getattr(layer, "name", None),
        picture=_state_picture(widths, held, units, "initial_state gives"),
    )


def _encoders(width: int, spaces, decoder: Any) -> tuple[str, Any] | None:
    """('bidirectional', layer) when concatenated Bidirectional states are this wide, ('encoder', layer) for an RNN."""
    keras = keras_module()
    if keras is None:
        return None
    layers, seen = [], set()
    for value in values_in(spaces):
        candidates = model_layers(value) if isinstance(value, keras.Model) else [value]
        for layer in candidates:
            if isinstance(layer, keras.layers.Layer) and id(layer) not in seen:
                seen.add(id(layer))
                layers.append(layer)
    for layer in layers:
        if type(layer).__name__ == "Bidirectional" and layer is not decoder:
            inner = getattr(layer, "forward_layer", None)
            if getattr(inner, "return_state", False) and getattr(inner, "units", None) and 2 * inner.units == width:
                return "bidirectional", layer
    for layer in layers:
        if (layer is not decoder and getattr(layer, "return_state", False) and getattr(layer, "units", None) == width
                and type(layer).__name__ in _STATE_NAMES):
            return "encoder", layer
    return None


def _state_size(error, message, model, namespace):
    calling = _CALLING.search(message)
    states = _STATES.search(message)
    matmul = _MATMUL.search(message)
    if not calling or not states or not matmul or calling["cls"] not in _GATES:
        return None
    try:
        data, kernel = _dims(matmul["data"]), _dims(matmul["kernel"])
    except ValueError:
        return None
    widths = [int(w) for w in _WIDTH.findall(states["value"])]
    inputs = _INPUTS.search(message)
    input_width = int(inputs["shape"].split(",")[-1]) if inputs else None
    if len(kernel) != 2 or not widths or kernel[1] != _GATES[calling["cls"]] * kernel[0]:
        return None
    given, units = data[-1], kernel[0]
    if given == units or given not in widths or (given == input_width and "MatMul_1" not in message):
        return None
    cls = calling["cls"][:-len("Cell")]
    spaces = namespaces(error, namespace)
    decoder = next((lay for lay, _ in layer_calls(error) if type(lay).__name__ == cls
                    and getattr(lay, "units", None) == units), None)
    if decoder is None:
        decoder = next((lay for m in models_in(spaces) for lay in model_layers(m)
                        if type(lay).__name__ == cls and getattr(lay, "units", None) == units), None)
    source = _encoders(given, spaces, decoder)
    name = f" '{decoder.name}'" if decoder is not None else ""
    held = _STATE_NAMES[cls]
    decoder_code = layer_code(decoder) if decoder is not None else f"keras.layers.{cls}({units})"
    resized = decoder_code.replace(f"({units}", f"({given}", 1)
    note = ""
    if source and source[0] == "bidirectional":
        bidi = source[1]
        half = given // 2
        received = (f"states of width {given}: the forward and backward states of Bidirectional '{bidi.name}' "
                    f"({half} units each), concatenated")
        fix = (f"{resized}   # decoder{name}: {given} units = 2 x {half}, the width of the joined states\n"
               f"# (or pass one direction's states, which are {half} wide, to a decoder of {half} units)")
        why = (f"A Bidirectional layer runs two {type(bidi.forward_layer).__name__}s of {half} units and returns each "
               f"one's states; joining forward and backward gives {given} numbers per state. A decoder's states have "
               f"one number per unit, so it needs {given} units to take them.")
        note = f"h = [forward h | backward h] = {half} + {half}"
    elif source:
        encoder = source[1]
        received = f"states of width {given} from the encoder '{encoder.name}' ({layer_code(encoder)})"
        fix = (f"{resized}   # decoder{name}: the encoder's {given} units, so its states fit\n"
               f"# or give the encoder {units} units: {layer_code(encoder).replace(f'({given}', f'({units}', 1)}")
        why = (f"Every state is one number per unit of the layer that holds it: the encoder's are {given} wide, the "
               f"decoder's {units}. Handing states over works only between layers of the same number of units.")
    else:
        received = f"states of width {given}"
        fix = (f"{resized}   # decoder{name}: as many units as the states are wide\n"
               f"# or make the layer that produced the states {units} units wide")
        why = (f"Every state is one number per unit of the layer that holds it. The decoder has {units} units, so "
               f"it multiplies its states by a {units}-row matrix; states {given} wide cannot be multiplied by it.")
    return Explanation(
        kind=STATE_SIZE_MISMATCH,
        title=f"the decoder {cls}{name} has {units} units, but the states handed to it are {given} wide",
        expected=f"initial_state=[{', '.join(held)}], each (batch, {units})",
        received=received,
        fix=fix,
        why=why + " (Keras's message shows the matrix product inside the cell, which looks like a features error; "
                  "the data itself is fine.)",
        layer=getattr(decoder, "name", None),
        picture=_state_picture(widths[:len(held)], held, units, "the states handed over", note),
    )


RECOGNISERS = (_state_count, _state_size)
