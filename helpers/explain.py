"""Keras 3 shape errors in plain language: what Keras expected, what it got, and the fix.

Call it yourself on a caught error::

    >>> try:
    ...     keras.layers.SimpleRNN(10)(keras.Input(shape=(2,)))   # doctest: +SKIP
    ... except ValueError as err:
    ...     explain(err).kind
    'rnn-needs-3d'

or let IPython do it for every cell: ``%load_ext helpers.explain``. The original traceback is
shown first, unchanged; a recognised error then gets its explanation (and a small diagram)
underneath. ``%unload_ext helpers.explain`` puts IPython's handler back. An error this module
does not recognise makes :func:`explain` return ``None`` and is shown exactly as without it.

Recognised kinds (``Explanation.kind``): see :data:`KINDS`.
"""
from __future__ import annotations

import ast
import difflib
import html
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .backend_wording import as_tensorflow_wording

RNN_NEEDS_3D = "rnn-needs-3d"
STACK_NEEDS_SEQUENCES = "stack-needs-sequences"
WRONG_NDIM = "wrong-ndim"
STATEFUL_NEEDS_BATCH_SIZE = "stateful-needs-batch-size"
STATEFUL_BATCH_MISMATCH = "stateful-batch-mismatch"
BATCH_INPUT_SHAPE_REMOVED = "batch-input-shape-removed"
UNKNOWN_LAYER_ARGUMENT = "unknown-layer-argument"
INITIAL_STATE_TYPO = "initial-state-typo"
CALL_ARGUMENT_MISPLACED = "call-argument-misplaced"
FEATURE_MISMATCH = "feature-mismatch"
TIMESTEPS_MISMATCH = "timesteps-mismatch"
DATA_NDIM_MISMATCH = "data-ndim-mismatch"
BATCH_AXIS_IN_SHAPE = "batch-axis-in-shape"
UNKNOWN_FEATURES = "unknown-features"

KINDS = (RNN_NEEDS_3D, STACK_NEEDS_SEQUENCES, WRONG_NDIM, STATEFUL_NEEDS_BATCH_SIZE, STATEFUL_BATCH_MISMATCH,
         BATCH_INPUT_SHAPE_REMOVED, UNKNOWN_LAYER_ARGUMENT, INITIAL_STATE_TYPO, CALL_ARGUMENT_MISPLACED,
         FEATURE_MISMATCH, TIMESTEPS_MISMATCH, DATA_NDIM_MISMATCH, BATCH_AXIS_IN_SHAPE, UNKNOWN_FEATURES)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LAYER_CLASSES = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU", "bidirectional": "Bidirectional",
                  "rnn": "RNN", "conv1d": "Conv1D", "time_distributed": "TimeDistributed", "dense": "Dense"}
_RECURRENT_CLASSES = {"SimpleRNN", "LSTM", "GRU", "Bidirectional", "RNN"}
_CONSTRUCTOR_ONLY = ("return_sequences", "return_state", "stateful", "go_backwards", "units", "unroll",
                     "dropout", "recurrent_dropout", "activation")
_CALL_ARGUMENTS = ("initial_state", "mask", "training")


@dataclass(frozen=True)
class Explanation:
    """One explained error. ``repr`` is stable plain text; JupyterLab shows the HTML version.

    >>> Explanation("feature-mismatch", "Wrong number of features", "(None, 5, 3)", "(8, 5, 2)",
    ...             "keras.Input(shape=(5, 2))").kind
    'feature-mismatch'
    """

    kind: str
    title: str
    expected: str
    received: str
    fix: str
    why: str = ""
    choices: tuple = ()  # ((shape text, code, what it claims about the data), ...)
    layer: str | None = None
    shape: tuple | None = field(default=None, compare=False)  # the received tensor, drawn by diagram()
    shape_names: tuple | None = field(default=None, compare=False)

    def text(self) -> str:
        lines = [f"Shape error explained: {self.title}",
                 f"  Keras expected: {self.expected}",
                 f"  It received:    {self.received}"]
        if self.why:
            lines.append(f"  Why: {self.why}")
        lines.append("  Fix:")
        lines += [f"      {line}" for line in self.fix.splitlines()]
        if self.choices:
            lines.append("  Choose the reshape that matches your data:")
            for shape, code, meaning in self.choices:
                lines.append(f"    {shape}: {code}")
                lines.append(f"        {meaning}")
        return "\n".join(lines)

    __str__ = text

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        esc = html.escape
        choices = ""
        if self.choices:
            items = "".join(f"<li><code>{esc(shape)}</code>: <code>{esc(code)}</code><br>{esc(meaning)}</li>"
                            for shape, code, meaning in self.choices)
            choices = f"<div>Choose the reshape that matches your data:<ul style='margin:2px 0'>{items}</ul></div>"
        why = f"<div><strong>Why:</strong> {esc(self.why)}</div>" if self.why else ""
        return (
            f"<div class='course-explain course-explain-{esc(self.kind)}' role='note' "
            "style='border-left:6px solid #E69F00;padding:6px 10px;margin:4px 0;background:#E69F0014'>"
            f"<strong style='color:#8a5a00'>Shape error explained:</strong> {esc(self.title)}"
            "<table style='margin:4px 0'>"
            f"<tr><td>Keras expected</td><td><code>{esc(self.expected)}</code></td></tr>"
            f"<tr><td>It received</td><td><code>{esc(self.received)}</code></td></tr></table>"
            f"{why}<div><strong>Fix:</strong><pre style='margin:2px 0'>{esc(self.fix)}</pre></div>{choices}</div>"
        )

    def diagram(self):
        """A small drawing of the received tensor (``helpers.diagrams``), or None when it cannot be drawn."""
        if self.shape is None:
            return None
        try:
            from helpers import diagrams as dg
        except Exception:  # noqa: BLE001 - the explanation works without pictures
            return None
        title = f"received {_shape_text(self.shape)}"
        for kwargs in ({"names": self.shape_names, "title": title}, {"title": title}, {}):
            try:
                return dg.tensor(self.shape, **kwargs)
            except Exception:  # noqa: BLE001
                continue
        return None

    def show(self) -> None:
        """Display the explanation and, when it can be drawn, its diagram."""
        from IPython.display import display

        display(self)
        figure = self.diagram()
        if figure is not None:
            display(figure)
            _forget_pyplot_figure(figure)


def explain(error: BaseException, model: Any = None, namespace: Mapping[str, Any] | None = None) -> Explanation | None:
    """Explain a Keras shape error, or return None for an error this module does not recognise.

    ``model`` (the model you were building or feeding) makes the fix concrete: it names the
    layer to change. ``namespace`` (e.g. ``globals()``) is searched, like the error's own
    traceback frames, for the Keras tensors and models involved.

    >>> explain(KeyError("x")) is None
    True
    """
    if not isinstance(error, BaseException):
        return None
    message = as_tensorflow_wording(_ANSI.sub("", str(error)))   # JAX's and PyTorch's words, as TensorFlow's
    for recognise in _RECOGNISERS:
        try:
            found = recognise(error, message, model, namespace)
        except Exception:  # noqa: BLE001 - a recogniser bug must never hide the user's error
            found = None
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------- helpers for the recognisers

def _parse_shape(text: str) -> tuple | None:
    text = text.strip().replace("?", "None")
    if text.startswith("[") and text.endswith("]"):
        text = "(" + text[1:-1] + ",)"
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    if isinstance(value, int):
        value = (value,)
    if not isinstance(value, tuple) or not all(v is None or isinstance(v, int) for v in value):
        return None
    return value


def _shape_text(shape: Iterable) -> str:
    parts = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _class_from_layer_name(name: str) -> str:
    base = re.sub(r"(_\d+)+$", "", name)
    return _LAYER_CLASSES.get(base, name)


def _keras():
    return sys.modules.get("keras")


def _model_layers(model: Any) -> list:
    layers = getattr(model, "layers", None)
    return [layer for layer in (layers or []) if type(layer).__name__ != "InputLayer"]


def _is_recurrent(layer: Any) -> bool:
    return type(layer).__name__ in _RECURRENT_CLASSES or hasattr(layer, "return_sequences")


def _layer_call_code(layer: Any, extra: str = "") -> str:
    """``keras.layers.SimpleRNN(10, return_sequences=True)`` for a live layer."""
    cls = type(layer).__name__
    if cls == "Bidirectional":
        inner = getattr(layer, "forward_layer", None) or getattr(layer, "layer", None)
        return f"keras.layers.Bidirectional({_layer_call_code(inner, extra)})"
    units = getattr(layer, "units", None)
    args = [str(units)] if units is not None else []
    if extra:
        args.append(extra)
    return f"keras.layers.{cls}({', '.join(args)})"


def _namespaces(error: BaseException, namespace: Mapping | None) -> list[Mapping]:
    spaces = [namespace] if namespace is not None else []
    tb = error.__traceback__
    while tb is not None:
        spaces.append(tb.tb_frame.f_locals)
        tb = tb.tb_next
    return spaces


def _values(spaces: list[Mapping], limit: int = 5000) -> Iterable[Any]:
    for space in spaces:
        for count, value in enumerate(list(space.values())):
            if count >= limit:
                break
            yield value


def _previous_in_model(model: Any, layer_name: str) -> Any:
    layers = _model_layers(model)
    for index, layer in enumerate(layers):
        if layer.name == layer_name and index > 0:
            return layers[index - 1]
    return None


def _producer_of_2d(layer_name: str, received: tuple, model: Any, spaces: list[Mapping]) -> Any:
    """The recurrent layer that produced the 2D tensor the failing layer got, when we can find it."""
    if model is not None:
        previous = _previous_in_model(model, layer_name)
        if previous is not None:
            return previous if _is_recurrent(previous) else None
    keras = _keras()
    if keras is None:
        return None
    for value in _values(spaces):
        if isinstance(value, keras.Model):
            previous = _previous_in_model(value, layer_name)
            if previous is not None and _is_recurrent(previous):
                return previous
        elif isinstance(value, keras.KerasTensor) and tuple(value.shape) == tuple(received):
            history = getattr(value, "_keras_history", None)
            operation = getattr(history, "operation", None)
            if operation is not None and _is_recurrent(operation) and not getattr(operation, "return_sequences", True):
                return operation
    return None


def _find_layer(model: Any, name: str) -> Any:
    for layer in _model_layers(model):
        if layer.name == name:
            return layer
    return None


def _model_input_shape(model: Any) -> tuple | None:
    try:
        inputs = model.inputs
        if inputs and len(inputs) == 1:
            return tuple(inputs[0].shape)
    except (AttributeError, ValueError):
        return None
    return None


# ---------------------------------------------------------------- the recognisers

_NDIM = re.compile(r"of layer '(?P<layer>[^']+)' is incompatible with the layer: expected ndim=(?P<expected>\d+), "
                   r"found ndim=(?P<found>\d+)\. Full shape received: (?P<shape>\([^)]*\))")


def _rnn_got_2d(message: str) -> tuple:
    """``(match, received shape)`` when a layer wanting 3 axes got 2, else ``(None, None)``."""
    match = _NDIM.search(message)
    if not match or (int(match["expected"]), int(match["found"])) != (3, 2):
        return None, None
    return match, _parse_shape(match["shape"])


def _ndim_error(error, message, model, namespace):
    match = _NDIM.search(message)
    if not match:
        return None
    layer_name = match["layer"]
    expected, found = int(match["expected"]), int(match["found"])
    received = _parse_shape(match["shape"])
    if received is None:
        return None
    layer = _find_layer(model, layer_name) if model is not None else None
    cls = type(layer).__name__ if layer is not None else _class_from_layer_name(layer_name)
    shape = _shape_text(received)
    if expected == 3 and found == 2:
        producer = _producer_of_2d(layer_name, received, model, _namespaces(error, namespace))
        if producer is not None:
            return _stack_explanation(layer_name, cls, received, producer)
        return _needs_3d_explanation(layer_name, cls, received)
    if found == expected + 1:
        embedding = _producer_of(layer_name, received, model, _namespaces(error, namespace))
        if type(embedding).__name__ == "Embedding":
            return _ids_with_features_axis_explanation(layer_name, cls, expected, received, embedding)
    if found == expected + 1 and received[:2] == (None, None):
        return _batch_in_shape_explanation(layer_name, cls, expected, received)
    return Explanation(
        kind=WRONG_NDIM,
        title=f"{cls} layer '{layer_name}' wants a {expected}D tensor but got a {found}D one",
        expected=f"a {expected}D tensor" + (" (batch, timesteps, features)" if expected == 3 else ""),
        received=f"{shape}: {found}D",
        fix=(f"Reshape the input to {expected} axes before '{layer_name}' (keras.layers.Reshape(...) inside the "
             f"model, or x.reshape(...) on the data) so that the last axis holds the features."),
        why="Every axis of a tensor has a meaning; the number of axes must match what the layer reads.",
        layer=layer_name, shape=received,
    )


def _producer_of(layer_name: str, received: tuple, model: Any, spaces: list[Mapping]) -> Any:
    """The layer just before ``layer_name`` (in ``model``, a model being built, or a tensor's history)."""
    if model is not None:
        previous = _previous_in_model(model, layer_name)
        if previous is not None:
            return previous
    keras = _keras()
    if keras is None:
        return None
    for value in _values(spaces):
        if isinstance(value, keras.Model):
            previous = _previous_in_model(value, layer_name)
            if previous is not None:
                return previous
        elif isinstance(value, keras.KerasTensor) and tuple(value.shape) == tuple(received):
            operation = getattr(getattr(value, "_keras_history", None), "operation", None)
            if operation is not None:
                return operation
    return None


def _ids_with_features_axis_explanation(layer_name: str, cls: str, expected: int, received: tuple,
                                        embedding: Any) -> Explanation:
    """(None, None, 1, 8): ids given a features axis of 1 before an Embedding, which adds its own."""
    ids_shape = _shape_text(received[1:-2] + (received[-2],) if received[-2] != 1 else received[1:-2])
    return Explanation(
        kind=WRONG_NDIM,
        title=f"{cls} layer '{layer_name}' got {len(received)} axes: the ids already had a features axis",
        expected=f"a {expected}D tensor" + (" (batch, timesteps, features)" if expected == 3 else ""),
        received=(f"{_shape_text(received)}: {len(received)}D, the Embedding '{embedding.name}' turned every id "
                  f"into {received[-1]} numbers"),
        fix=(f"inputs = keras.Input(shape={ids_shape})   # ids as (batch, timesteps): no features axis\n"
             f"# the Embedding adds the features axis itself: (batch, timesteps, {received[-1]})"),
        why=("An Embedding replaces each id with a vector, so it adds the last axis. Ids that already sit on a "
             "features axis of 1 come out with one axis too many."),
        layer=layer_name, shape=received,
    )


def _batch_in_shape_explanation(layer_name: str, cls: str, expected: int, received: tuple) -> Explanation:
    """(None, None, 2, 1): the batch axis was written into keras.Input(shape=...), which adds its own."""
    sample = _shape_text(received[2:])
    return Explanation(
        kind=BATCH_AXIS_IN_SHAPE,
        title=f"{cls} layer '{layer_name}' got {len(received)} axes: the batch axis is inside shape=",
        expected=f"a {expected}D tensor" + (" (batch, timesteps, features)" if expected == 3 else ""),
        received=f"{_shape_text(received)}: {len(received)}D, two open axes in front",
        fix=(f"inputs = keras.Input(shape={sample})   # one sample; Keras adds the batch axis itself\n"
             f"# (shape={_shape_text(received[1:])} describes each sample as {len(received) - 1}D)"),
        why=("keras.Input(shape=...) describes one sample and puts the batch axis (None) in front by itself. "
             "Writing None for the batch inside shape= adds a second open axis, so every sample gets one axis "
             "too many."),
        layer=layer_name, shape=received,
    )


def _needs_3d_explanation(layer_name: str, cls: str, received: tuple) -> Explanation:
    batch, width = received
    batch_text = "None" if batch is None else str(batch)
    as_steps = (batch, width, 1)
    as_features = (batch, 1, width)
    if batch is None:
        fix = (f"inputs = keras.Input(shape=({width}, 1))   # {width} timesteps of 1 feature\n"
               f"# and give the data the same axes: x = x.reshape(-1, {width}, 1)")
        code_steps = f"keras.Input(shape=({width}, 1)); x = x.reshape(-1, {width}, 1)"
        code_features = f"keras.Input(shape=(1, {width})); x = x.reshape(-1, 1, {width})"
    else:
        fix = f"x = x.reshape({batch}, {width}, 1)   # {width} timesteps of 1 feature"
        code_steps = f"x = x.reshape({batch}, {width}, 1)"
        code_features = f"x = x.reshape({batch}, 1, {width})"
    return Explanation(
        kind=RNN_NEEDS_3D,
        title=f"{cls} layer '{layer_name}' reads sequences: it needs 3 axes (batch, timesteps, features), got 2",
        expected="a 3D tensor (batch, timesteps, features), e.g. " + _shape_text(as_steps),
        received=f"{_shape_text(received)}: 2D, (batch={batch_text}, {width} numbers per sample)",
        fix=fix,
        why=(f"An RNN steps through the timesteps axis and reads a vector of features at each step. With 2 axes "
             f"Keras cannot tell whether your {width} numbers are {width} moments of one signal or {width} "
             f"measurements taken at one moment, so you must say which by adding an axis. (If this 2D tensor "
             f"is the output of another RNN layer, that layer returned only its last step: give it "
             f"return_sequences=True instead.)"),
        choices=(
            (_shape_text(as_steps), code_steps,
             f"{width} timesteps of 1 feature: the numbers are one signal read at {width} moments, in order; "
             f"the RNN takes {width} steps."),
            (_shape_text(as_features), code_features,
             f"1 timestep of {width} features: the numbers are measured together at one moment; the RNN takes a "
             f"single step, so it has no sequence to remember."),
        ),
        layer=layer_name, shape=received, shape_names=("batch", "features"),
    )


def _stack_explanation(layer_name: str, cls: str, received: tuple, producer: Any) -> Explanation:
    units = received[-1]
    producer_cls = type(producer).__name__
    return Explanation(
        kind=STACK_NEEDS_SEQUENCES,
        title=(f"{cls} layer '{layer_name}' is stacked on {producer_cls} layer '{producer.name}', which passes on "
               f"only its last output"),
        expected=f"a 3D tensor (batch, timesteps, features), e.g. {_shape_text((received[0], None, units))}",
        received=(f"{_shape_text(received)}: 2D, the last hidden state of '{producer.name}' "
                  f"(batch, units={units})"),
        fix=(f"{_layer_call_code(producer, 'return_sequences=True')}   # layer '{producer.name}'\n"
             f"# then '{layer_name}' receives one {units}-vector per timestep"),
        why=("By default an RNN layer returns only the output of its final step, (batch, units). The next RNN "
             "needs a sequence to step through, so the layer below must return its output at every timestep: "
             "(batch, timesteps, units)."),
        layer=producer.name, shape=received, shape_names=("batch", "units"),
    )


_STATEFUL_DYNAMIC = re.compile(r"When using `?stateful=True`? in a RNN, the batch size must be static\. "
                               r"Found dynamic batch size: \w+\.shape=(?P<shape>\([^)]*\))")


def _stateful_dynamic_batch(error, message, model, namespace):
    match = _STATEFUL_DYNAMIC.search(message)
    if not match:
        return None
    received = _parse_shape(match["shape"])
    if received is None:
        return None
    per_sample = _shape_text(received[1:])
    return Explanation(
        kind=STATEFUL_NEEDS_BATCH_SIZE,
        title="a stateful RNN needs to know its batch size when the model is built",
        expected="a fixed batch size, e.g. " + _shape_text((32,) + tuple(received[1:])),
        received=f"{_shape_text(received)}: batch size None (any)",
        fix=(f"inputs = keras.Input(shape={per_sample}, batch_size=32)   # 32: the batch size you will use\n"
             f"# or keras.Input(batch_shape={_shape_text((32,) + tuple(received[1:]))}); Keras 3 layers take no "
             "batch_input_shape="),
        why=("stateful=True keeps one state per sample slot of the batch and carries it to the next batch, so "
             "Keras must create exactly batch_size state vectors before the first batch arrives."),
        shape=received, shape_names=("batch", "timesteps", "features"),
    )


_STATEFUL_BATCH = re.compile(r"If an RNN is stateful, the batch size of the input sequences must be the same as the "
                             r"batch size of the initial state\.\s*- Expected batch size: (?P<expected>\d+)\s*"
                             r"- Received batch size: (?P<received>\d+)")


def _stateful_batch_mismatch(error, message, model, namespace):
    match = _STATEFUL_BATCH.search(message)
    if not match:
        return None
    expected, received = int(match["expected"]), int(match["received"])
    return Explanation(
        kind=STATEFUL_BATCH_MISMATCH,
        title="a stateful RNN got a batch of a different size than the one it was built for",
        expected=f"batches of exactly {expected} samples",
        received=f"a batch of {received} samples",
        fix=(f"model.predict(x, batch_size={expected})   # same for fit/evaluate, with shuffle=False\n"
             f"# and make len(x) a multiple of {expected}"),
        why=(f"The layer holds one state per batch slot ({expected} slots), so every batch must have "
             f"{expected} samples: sample i of each batch continues sample i of the previous one."),
    )


_UNRECOGNIZED_KWARGS = re.compile(r"Unrecognized keyword arguments passed to (?P<cls>\w+): (?P<kwargs>\{.*\})", re.S)


def _unrecognized_kwargs(error, message, model, namespace):
    match = _UNRECOGNIZED_KWARGS.search(message)
    if not match:
        return None
    cls = match["cls"]
    try:
        kwargs = ast.literal_eval(match["kwargs"])
    except (ValueError, SyntaxError):
        kwargs = {}
    if "batch_input_shape" in kwargs or "batch_input_shape" in match["kwargs"]:
        value = kwargs.get("batch_input_shape")
        if isinstance(value, tuple) and len(value) >= 2:
            batch, rest = value[0], _shape_text(value[1:])
            fix = (f"inputs = keras.Input(shape={rest}, batch_size={batch})   # or keras.Input(batch_shape="
                   f"{_shape_text(value)})\n"
                   f"# then build {cls} without batch_input_shape, e.g. keras.layers.{cls}(...)(inputs)")
            received = f"batch_input_shape={_shape_text(value)}"
        else:
            fix = "inputs = keras.Input(shape=(timesteps, features), batch_size=batch)"
            received = "batch_input_shape=..."
        return Explanation(
            kind=BATCH_INPUT_SHAPE_REMOVED,
            title=f"{cls} has no batch_input_shape argument in Keras 3",
            expected="the batch size on keras.Input(shape=..., batch_size=...) or keras.Input(batch_shape=...)",
            received=received,
            fix=fix,
            why=("Keras 2 let a layer declare the whole input shape, batch included; Keras 3 layers no longer "
                 "take it. The shape of a sample and the batch size belong to keras.Input: "
                 "keras.Input(shape=..., batch_size=...), or keras.Input(batch_shape=...) with the batch in front."),
            shape=value if isinstance(value, tuple) else None, shape_names=("batch", "timesteps", "features"),
        )
    accepted = _constructor_arguments(cls)
    suggestions = []
    for name in kwargs:
        close = difflib.get_close_matches(str(name), accepted, n=1, cutoff=0.75)
        if close:
            suggestions.append((name, close[0]))
    if not suggestions:
        return None
    wrong, right = suggestions[0]
    return Explanation(
        kind=UNKNOWN_LAYER_ARGUMENT,
        title=f"{cls} has no argument '{wrong}': did you mean '{right}'?",
        expected=f"{right}=...",
        received=f"{wrong}={kwargs[wrong]!r}",
        fix=f"keras.layers.{cls}(..., {right}={kwargs[wrong]!r})",
        why="Keras 3 rejects keyword arguments a layer does not know instead of ignoring them.",
    )


def _constructor_arguments(cls: str) -> list[str]:
    import inspect

    keras = _keras()
    layer_class = getattr(getattr(keras, "layers", None), cls, None) if keras is not None else None
    names = set(_CONSTRUCTOR_ONLY)
    if layer_class is not None:
        try:
            names |= {p for p in inspect.signature(layer_class.__init__).parameters if p not in ("self", "kwargs")}
        except (TypeError, ValueError):
            pass
    return sorted(names)


_UNEXPECTED_KEYWORD = re.compile(r"got an unexpected keyword argument '(?P<name>\w+)'")


def _unexpected_call_keyword(error, message, model, namespace):
    if not isinstance(error, TypeError):
        return None
    match = _UNEXPECTED_KEYWORD.search(message)
    if not match:
        return None
    name = match["name"]
    close = difflib.get_close_matches(name, _CALL_ARGUMENTS, n=1, cutoff=0.8)
    if name != "initial_state" and close == ["initial_state"]:
        return Explanation(
            kind=INITIAL_STATE_TYPO,
            title=f"the keyword is initial_state (singular), not {name}",
            expected="layer(x, initial_state=[h0])  (LSTM: initial_state=[h0, c0])",
            received=f"layer(x, {name}=...)",
            fix=f"outputs = layer(x, initial_state=[h0])   # was {name}=",
            why=("An RNN layer's call takes one argument, initial_state, holding a list of state tensors: one for "
                 "SimpleRNN and GRU, two (h and c) for LSTM."),
        )
    if name in _CONSTRUCTOR_ONLY:
        return Explanation(
            kind=CALL_ARGUMENT_MISPLACED,
            title=f"{name} belongs to the layer's constructor, not to the call",
            expected=f"keras.layers.SimpleRNN(units, {name}=...)(x)",
            received=f"layer(x, {name}=...)",
            fix=f"layer = keras.layers.SimpleRNN(units, {name}=...)\noutputs = layer(x)",
            why="A layer is configured once when it is created; calling it only passes data (and initial_state).",
        )
    return None


_EXPECTED_FOUND_SHAPE = re.compile(r"of layer '(?P<layer>[^']+)' is incompatible with the layer: "
                                   r"expected shape=(?P<expected>\([^)]*\)), found shape=(?P<found>\([^)]*\))")
_INVALID_INPUT_SHAPE = re.compile(r"Expected shape (?P<expected>\([^)]*\)), but input has incompatible shape "
                                  r"(?P<found>\([^)]*\))")
_AXIS_VALUE = re.compile(r"of layer '(?P<layer>[^']+)' is incompatible with the layer: expected axis -1 of input "
                         r"shape to have value (?P<expected>\d+), but received input with shape (?P<found>\([^)]*\))")
_CELL_MATMUL = re.compile(r"(?:input shapes: |In\[0\]: )\[(?P<data>[^\]]*)\],? (?:In\[1\]: )?\[(?P<kernel>[^\]]*)\]")
_CELL_CALL = re.compile(r"calling (?P<cell>\w*Cell)\.call\(\)")


def _data_mismatch(error, message, model, namespace):
    match = _EXPECTED_FOUND_SHAPE.search(message) or _INVALID_INPUT_SHAPE.search(message)
    if match:
        expected, found = _parse_shape(match["expected"]), _parse_shape(match["found"])
        if expected is None or found is None:
            return None
        return _compare_shapes(expected, found, model)
    match = _AXIS_VALUE.search(message)
    if match:
        found = _parse_shape(match["found"])
        if found is None:
            return None
        expected = _model_input_shape(model) if model is not None else None
        if expected is None or len(expected) != len(found):
            expected = tuple(found[:-1]) + (int(match["expected"]),)
            expected = (None,) + expected[1:]
        return _compare_shapes(expected, found, model)
    cell = _CELL_CALL.search(message)
    matmul = _CELL_MATMUL.search(message)
    if cell and matmul:
        data, kernel = _parse_shape(matmul["data"]), _parse_shape(matmul["kernel"])
        if not data or not kernel or len(data) != 2 or len(kernel) != 2 or data[-1] == kernel[0]:
            return None
        if model is None:
            model = _model_with_kernel(kernel, _namespaces(error, namespace))
        return _cell_feature_mismatch(cell["cell"], data, kernel, model)
    return None


def _model_with_kernel(kernel: tuple, spaces: list[Mapping]) -> Any:
    """A model in the namespaces that owns a weight of exactly this shape (the kernel that failed)."""
    keras = _keras()
    if keras is None:
        return None
    for value in _values(spaces):
        if isinstance(value, keras.Model):
            if any(tuple(weight.shape) == kernel for weight in value.weights):
                return value
    return None


def _compare_shapes(expected: tuple, found: tuple, model: Any) -> Explanation:
    exp_text, found_text = _shape_text(expected), _shape_text(found)
    if len(expected) == 3 and expected[2] == 1 and len(found) == 2 and expected[1] not in (None, found[1]):
        # Keras prints (5, 20) for data of shape (5, 20, 1) too: it leaves out a last axis of size 1.
        return Explanation(
            kind=TIMESTEPS_MISMATCH,
            title=f"the data has {found[1]} timesteps but the model's Input fixes {expected[1]}",
            expected=f"{exp_text}: (batch, timesteps={expected[1]}, features=1)",
            received=(f"{found_text}, or {_shape_text(found + (1,))}: Keras leaves a last axis of size 1 out of "
                      f"this message ({found[1]} timesteps either way)"),
            fix=(f"inputs = keras.Input(shape=(None, 1))   # any number of timesteps\n"
                 f"# or cut/pad the data to {expected[1]} timesteps; 2-D data also needs x[..., None]"),
            why=("An RNN can step through any length, but a functional model checks its data against "
                 "keras.Input(shape=(T, F)): exactly T timesteps."),
            shape=found,
        )
    if len(expected) != len(found):
        if len(expected) == 3 and len(found) == 2 and found[1] == expected[1]:
            fix = f"x = x.reshape({found[0]}, {found[1]}, 1)   # or x[..., None]: {found[1]} timesteps of 1 feature"
            if expected[2] != 1:
                fix += (f"\n# the model reads {expected[2]} features per timestep: build it with "
                        f"keras.Input(shape=({expected[1]}, 1)) for this data")
        elif len(expected) == 3 and len(found) == 2:
            fix = (f"x = x.reshape(-1, {expected[1]}, {expected[2]})   # only if each sample really holds "
                   f"{expected[1]} timesteps of {expected[2]} features")
        else:
            fix = f"x = x.reshape((-1,) + {_shape_text(expected[1:])})   # if that is what each sample holds"
        return Explanation(
            kind=DATA_NDIM_MISMATCH,
            title=f"the data has {len(found)} axes but the model's Input has {len(expected)}",
            expected=f"{exp_text}: {len(expected)}D" + (" (batch, timesteps, features)" if len(expected) == 3 else ""),
            received=f"{found_text}: {len(found)}D",
            fix=fix,
            why="keras.Input(shape=...) fixes the shape of one sample; every array you feed must have those axes "
                "after the batch axis.",
            shape=found,
        )
    differing = [axis for axis in range(1, len(expected)) if expected[axis] is not None and expected[axis] != found[axis]]
    if len(expected) >= 3 and differing == [len(expected) - 1]:
        return _feature_explanation(expected, found, model)
    if len(expected) == 3 and differing == [1]:
        return Explanation(
            kind=TIMESTEPS_MISMATCH,
            title=f"the data has {found[1]} timesteps but the model's Input fixes {expected[1]}",
            expected=f"{exp_text}: (batch, timesteps={expected[1]}, features={expected[2]})",
            received=f"{found_text}: (batch={found[0]}, timesteps={found[1]}, features={found[2]})",
            fix=(f"inputs = keras.Input(shape=(None, {expected[2]}))   # any number of timesteps\n"
                 f"# or cut/pad the data to {expected[1]} timesteps"),
            why=("An RNN can step through any length, but a functional model checks its data against "
                 "keras.Input(shape=(T, F)): exactly T timesteps. (A Sequential model does not check the timesteps; "
                 "None in shape= lets any length through in both.)"),
            shape=found, shape_names=("batch", "timesteps", "features"),
        )
    return Explanation(
        kind=FEATURE_MISMATCH if differing and differing[-1] == len(expected) - 1 else DATA_NDIM_MISMATCH,
        title="the data's shape does not match the model's Input",
        expected=exp_text, received=found_text,
        fix=f"make each sample {_shape_text(expected[1:])}, or rebuild with keras.Input(shape={_shape_text(found[1:])})",
        why="keras.Input(shape=...) fixes the shape of one sample; the data must agree axis by axis.",
        shape=found,
    )


def _feature_explanation(expected: tuple, found: tuple, model: Any) -> Explanation:
    want, have = expected[-1], found[-1]
    layer = _model_layers(model)[0].name if model is not None and _model_layers(model) else None
    where = f" (first layer: '{layer}')" if layer else ""
    return Explanation(
        kind=FEATURE_MISMATCH,
        title=f"the data has {have} features per timestep but the model was built for {want}",
        expected=f"{_shape_text(expected)}: {want} features per timestep",
        received=f"{_shape_text(found)}: {have} features per timestep",
        fix=(f"inputs = keras.Input(shape={_shape_text(tuple(expected[1:-1]) + (have,))})   # rebuild for {have} "
             f"features{where}\n# or give the data the {want} features the model was built for"),
        why=(f"The last axis is the feature axis. A layer's kernel has one row per input feature ({want} rows "
             f"here), so the data's last axis must have exactly {want} entries."),
        layer=layer, shape=found, shape_names=("batch", "timesteps", "features"),
    )


def _cell_feature_mismatch(cell: str, data: tuple, kernel: tuple, model: Any) -> Explanation:
    have, want = data[-1], kernel[0]
    layer_cls = cell[:-len("Cell")] or "RNN"
    expected = _model_input_shape(model) if model is not None else None
    if expected is not None and len(expected) == 3 and expected[-1] == want:
        found = (data[0], expected[1], have)
        return _feature_explanation(expected, found, model)
    return Explanation(
        kind=FEATURE_MISMATCH,
        title=f"the data has {have} features per timestep but the {layer_cls} layer was built for {want}",
        expected=f"(batch, timesteps, {want}): {want} features per timestep",
        received=f"(batch, timesteps, {have}): {have} features per timestep (one timestep is {_shape_text(data)})",
        fix=(f"inputs = keras.Input(shape=(timesteps, {have}))   # rebuild the model for {have} features\n"
             f"# or give the data the {want} features the model was built for"),
        why=(f"Keras read your data one timestep at a time, a {_shape_text(data)} slice, and multiplied it by "
             f"the {layer_cls} kernel of shape {_shape_text(kernel)}: one row per input feature. {have} columns "
             f"cannot meet {want} rows."),
        layer=None, shape=None,
    )


_UNKNOWN_FEATURES = re.compile(r"Shapes used to initialize variables must be fully-defined.*?"
                               r"Received: shape=(?P<shape>\([^)]*\)) for variable path='(?P<path>[^']*)'", re.S)


def _unknown_features(error, message, model, namespace):
    """A kernel with a None row count: the input's last axis (the features) was None, or an RNN(cell)
    (which, unlike SimpleRNN, GRU and LSTM, does not check for 3D) got a 2D tensor with no features axis."""
    match = _UNKNOWN_FEATURES.search(message)
    kernel = _parse_shape(match["shape"]) if match else None
    parts = match["path"].split("/") if match else []
    if not kernel or kernel[0] is not None or not parts or parts[-1] != "kernel":
        return None
    classes = [_class_from_layer_name(part) for part in parts[:-1]]
    layer = next((cls for cls in classes if cls in _LAYER_CLASSES.values() and cls != "TimeDistributed"), "the layer")
    recurrent = layer in _RECURRENT_CLASSES or any(part.endswith("_cell") for part in parts)
    example = "keras.Input(shape=(None, 1))   # any number of timesteps, 1 feature each" if recurrent else \
        "keras.Input(shape=(4,))   # 4 features"
    why = (f"Keras creates {layer}'s weights when the layer is built, and its kernel has one row per input "
           "feature. The batch size and the number of timesteps do not change the weights, so they may be None; "
           "the number of features must be known.")
    if layer == "RNN":
        why += (" An RNN(cell) layer also ends up here when it receives a 2D tensor (batch, features): it reads "
                "(batch, timesteps, features), so give the layer before it return_sequences=True, or the input "
                "a timesteps axis.")
    return Explanation(
        kind=UNKNOWN_FEATURES,
        title=f"{layer} cannot create its weights: the number of features is unknown",
        expected="a number for the last axis of the input (the features)",
        received=f"an input whose features Keras cannot count, so a kernel of shape {_shape_text(kernel)}",
        fix=(f"inputs = {example}\n# the last number in shape= counts the features: it must be a number"
             + ("\n# for any length, None goes first: shape=(None, features), not (timesteps, None)"
                if recurrent else "")),
        why=why,
    )


_RECOGNISERS = (_ndim_error, _stateful_dynamic_batch, _stateful_batch_mismatch, _unrecognized_kwargs,
                _unexpected_call_keyword, _data_mismatch, _unknown_features)


# ---------------------------------------------------------------- lesson 07: padding, masking, Embedding
# (kept as one block: its kinds, recognisers and their place in _RECOGNISERS)

IDS_NEED_EMBEDDING = "ids-need-embedding"
RAGGED_BATCH = "ragged-batch"
EMBEDDING_ID_OUT_OF_RANGE = "embedding-id-out-of-range"
PAD_SEQUENCES_ARGUMENTS = "pad-sequences-arguments"
KINDS = KINDS + (IDS_NEED_EMBEDDING, RAGGED_BATCH, EMBEDDING_ID_OUT_OF_RANGE, PAD_SEQUENCES_ARGUMENTS)


def _integer_tensor_of_shape(received: tuple, spaces: list[Mapping]) -> bool:
    """True when a symbolic Keras tensor of exactly this shape and an integer dtype is in sight."""
    keras = _keras()
    if keras is None:
        return False
    for value in _values(spaces):
        if isinstance(value, keras.KerasTensor) and tuple(value.shape) == tuple(received):
            if "int" in str(getattr(value, "dtype", "")):
                return True
    return False


def _ids_need_embedding(error, message, model, namespace):
    """An RNN fed (batch, timesteps) with no features axis: integer ids (Embedding) or values ([..., None])."""
    match, received = _rnn_got_2d(message)
    if received is None or len(received) != 2:
        return None
    integers = _integer_tensor_of_shape(received, _namespaces(error, namespace))
    if not integers and received[1] is not None:
        return None   # a fixed width: lesson 02's explanation (timesteps or features?) fits better
    layer_name = match["layer"]
    cls = _class_from_layer_name(layer_name)
    fix = ("keras.layers.Embedding(input_dim=largest_id + 1, output_dim=8, mask_zero=True)   # before the RNN\n"
           "# ids (batch, timesteps) -> vectors (batch, timesteps, 8); mask_zero=True skips the padding id 0")
    if not integers:
        fix += ("\n# not ids but one real value per step? add a features axis instead:\n"
                "inputs = keras.Input(shape=(None, 1))   # and x = x[..., None]")
    return Explanation(
        kind=IDS_NEED_EMBEDDING,
        title=(f"{cls} layer '{layer_name}' got {'integer ids' if integers else 'sequences'} with no features axis: "
               f"(batch, timesteps)"),
        expected=f"a 3D tensor (batch, timesteps, features), e.g. {_shape_text(received + (8,))}",
        received=f"{_shape_text(received)}: 2D, (batch, timesteps), one {'id' if integers else 'number'} per step",
        fix=fix,
        why=("An RNN reads a vector of features at every step. A sequence of word ids has one integer per step and "
             "no features axis; an Embedding layer turns each id into a learned vector, which adds that axis. "
             "(Adding the axis with x[..., None] instead would treat id 40 as twice id 20.)"),
        layer=layer_name, shape=received, shape_names=("batch", "timesteps"),
    )


_INHOMOGENEOUS = re.compile(r"inhomogeneous shape after (?P<depth>\d+) dimensions?\. The detected shape was "
                            r"(?P<shape>\([^)]*\)) \+ inhomogeneous part")


def _ragged_batch(error, message, model, namespace):
    match = _INHOMOGENEOUS.search(message)
    if not match:
        return None
    depth = int(match["depth"])
    count = _parse_shape(match["shape"])
    what = f"{count[0]} sequences" if count else "the sequences"
    if depth == 1:
        received = f"{what} of different lengths (the detected shape stops at {match['shape']})"
        fix = ("x = keras.utils.pad_sequences(sequences, dtype=\"float32\", padding=\"post\")   # one length for all\n"
               "# then skip the padding in the model: keras.layers.Masking(mask_value=0.0) after keras.Input\n"
               "# (word ids: keras.layers.Embedding(..., mask_zero=True) instead)")
    else:
        received = f"rows that differ after {depth} axes (the detected shape stops at {match['shape']})"
        fix = ("# every step must carry the same number of features; then pad the lengths:\n"
               "x = keras.utils.pad_sequences(sequences, dtype=\"float32\", padding=\"post\")")
    return Explanation(
        kind=RAGGED_BATCH,
        title="sequences of different lengths do not make one array",
        expected="a rectangular array: every sequence of a batch has the same number of steps",
        received=received,
        fix=fix,
        why=("An array (and a tensor) is a rectangle: every row has the same length. An RNN can read any length, "
             "but one batch needs one length, so the short sequences are padded, and the padding masked."),
    )


_ID_OUT_OF_RANGE = re.compile(r"indices\[(?P<where>[\d,]+)\] = (?P<id>-?\d+) is not in \[0, (?P<dim>\d+)\)")


def _embedding_id_out_of_range(error, message, model, namespace):
    match = _ID_OUT_OF_RANGE.search(message)
    if not match or ("Embedding" not in message and "embedding" not in message):
        return None
    bad, dim = int(match["id"]), int(match["dim"])
    where = tuple(int(i) for i in match["where"].split(","))
    if bad < 0:
        fix = ("# ids must be 0 or more; pad with 0 (pad_sequences' default value), not a negative number,\n"
               "# and mask it with keras.layers.Embedding(..., mask_zero=True)")
    else:
        fix = (f"keras.layers.Embedding(input_dim={bad + 1}, ...)   # at least largest id + 1; was {dim}\n"
               "# or map rare ids to one 'unknown' id below input_dim")
    return Explanation(
        kind=EMBEDDING_ID_OUT_OF_RANGE,
        title=f"id {bad} is too large for an Embedding with input_dim={dim}",
        expected=f"ids from 0 to {dim - 1} (input_dim={dim})",
        received=f"id {bad} at position {_shape_text(where)} of the batch",
        fix=fix,
        why=(f"An Embedding holds one row of weights per id: input_dim={dim} rows for ids 0..{dim - 1}. So "
             "input_dim is the largest id + 1 (with mask_zero=True, id 0 is the padding and words start at 1)."),
    )


_PAD_OPTION = re.compile(r"(?P<which>Padding|Truncating) type \"(?P<value>[^\"]*)\" not understood")
_PAD_NOT_NESTED = re.compile(r"`sequences` must be a list of iterables\. Found non-iterable: (?P<item>.*)")


def _pad_sequences_arguments(error, message, model, namespace):
    option = _PAD_OPTION.search(message)
    if option:
        keyword = option["which"].lower()
        return Explanation(
            kind=PAD_SEQUENCES_ARGUMENTS,
            title=f"pad_sequences knows two values for {keyword}=: 'pre' and 'post'",
            expected=f"{keyword}='pre' (the default: at the start) or {keyword}='post' (at the end)",
            received=f"{keyword}={option['value']!r}",
            fix=f"keras.utils.pad_sequences(sequences, {keyword}=\"post\", dtype=\"float32\")",
            why=("padding= says where the filler goes in a short sequence, truncating= which end of a long one is "
                 "cut when maxlen is given; each is 'pre' unless you say otherwise."),
        )
    flat = _PAD_NOT_NESTED.search(message)
    if flat:
        return Explanation(
            kind=PAD_SEQUENCES_ARGUMENTS,
            title="pad_sequences wants a list of sequences, and got a single one",
            expected="a list of sequences, e.g. [[0.3, 0.7], [0.9]]",
            received=f"a flat list whose items are numbers (the first: {flat['item'].strip()})",
            fix="keras.utils.pad_sequences([sequence], maxlen=..., dtype=\"float32\")   # one sequence, in a list",
            why="pad_sequences makes a batch: one row per sequence, so each item of its list must itself be a sequence.",
        )
    return None


_RECOGNISERS = (_ids_need_embedding,) + _RECOGNISERS + (_ragged_batch, _embedding_id_out_of_range,
                                                         _pad_sequences_arguments)


# ---------------------------------------------------------------- IPython extension

_saved_handlers: dict[int, tuple] = {}


def _forget_pyplot_figure(figure: Any) -> None:
    """Keep the inline backend from showing a figure a second time at the end of the cell."""
    if "matplotlib.pyplot" not in sys.modules:
        return
    try:
        sys.modules["matplotlib.pyplot"].close(figure)
    except Exception:  # noqa: BLE001
        pass


def _custom_exception_handler(shell, etype, value, tb, tb_offset=None):
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    try:
        explanation = explain(value, namespace=shell.user_ns)
        if explanation is not None:
            explanation.show()
    except Exception:  # noqa: BLE001 - explaining is a bonus; the traceback above is already shown
        pass
    return []


def load_ipython_extension(ipython) -> None:
    """``%load_ext helpers.explain``: explain recognised errors under their unchanged traceback."""
    key = id(ipython)
    if key not in _saved_handlers:
        _saved_handlers[key] = (ipython.custom_exceptions, getattr(ipython, "CustomTB", None))
    ipython.set_custom_exc((Exception,), _custom_exception_handler)


def unload_ipython_extension(ipython) -> None:
    """``%unload_ext helpers.explain``: give IPython back the handler it had before."""
    saved = _saved_handlers.pop(id(ipython), None)
    if saved is None:
        ipython.set_custom_exc((), None)
        return
    exceptions, handler = saved
    ipython.custom_exceptions = exceptions
    if handler is not None:
        ipython.CustomTB = handler


# ---------------------------------------------------------------- lesson 08: sequence tasks
# Targets whose shape cannot meet the output, Conv1D shortening a sequence below its kernel,
# and windows from keras.utils.timeseries_dataset_from_array that lack the features axis.

TARGET_SHAPE_MISMATCH = "target-shape-mismatch"
CONV_TOO_SHORT = "conv-too-short"
WINDOWS_NEED_FEATURES = "windows-need-features-axis"
KINDS += (TARGET_SHAPE_MISMATCH, CONV_TOO_SHORT, WINDOWS_NEED_FEATURES)

_LOSS_DIMS = re.compile(r"Dimensions must be equal, but are \d+ and \d+ for '\{\{node (?:gradient_tape/)?"
                        r"compile_loss/(?P<loss>\w+)/.*?with input shapes: \[(?P<target>[^\]]*)\], "
                        r"\[(?P<output>[^\]]*)\]", re.S)
_LOSS_BROADCAST = re.compile(r"Incompatible shapes: \[(?P<target>[^\]]*)\] vs\. \[(?P<output>[^\]]*)\]\s*"
                             r"\[\[\{\{node (?:gradient_tape/)?compile_loss/(?P<loss>\w+)/")
_SPARSE_RANK = re.compile(r"Argument `output` must have rank \(ndim\) `target\.ndim - 1`\. Received: "
                          r"target\.shape=(?P<target>\([^)]*\)), output\.shape=(?P<output>\([^)]*\))")
_CONV_SHORT = re.compile(r"Computed output size would be zero or negative\. Received `inputs shape="
                         r"(?P<inputs>\([^)]*\))`, `kernel shape=(?P<kernel>\([^)]*\))`.*?`strides="
                         r"(?P<strides>\([^)]*\))`", re.S)
_CONV_NEGATIVE = re.compile(r"Negative dimension size caused by subtracting (?P<kernel>\d+) from (?P<steps>\d+) "
                            r"for '\{\{node [^}]*conv1d")


def _samples(shape: tuple) -> str:
    """A shape whose unknown batch axis is named: ``(samples, 3)``."""
    if shape and shape[0] is None:
        return "(" + ", ".join(["samples", *(str(d) for d in shape[1:])]) + ("," if len(shape) == 1 else "") + ")"
    return _shape_text(shape)


def _target_mismatch(error, message, model, namespace):
    sparse = _SPARSE_RANK.search(message)
    if sparse:
        target, output = _parse_shape(sparse["target"]), _parse_shape(sparse["output"])
        if target is None or output is None:
            return None
        labels = _samples(output[:-1])
        return Explanation(
            kind=TARGET_SHAPE_MISMATCH,
            title="integer class labels need one axis fewer than the model's output",
            expected=f"labels {labels}: one class number per prediction (the output {_shape_text(output)} holds "
                     f"{output[-1]} scores each)",
            received=f"labels {_samples(target)}",
            fix=(f"give y the shape {labels}: one integer label per sample"
                 + (" and per step" if len(output) == 3 else "")
                 + "\n# one-hot labels instead? use loss='categorical_crossentropy' with y shaped like the output"),
            why=("sparse_categorical_crossentropy reads one class number where the model outputs one score per "
                 "class, so the labels have every axis of the output except the last."),
            shape=target,
        )
    match = _LOSS_DIMS.search(message) or _LOSS_BROADCAST.search(message)
    if not match:
        return None
    target, output = _parse_shape(match["target"]), _parse_shape(match["output"])
    if target is None or output is None:
        return None
    fix = f"give y the shape {_samples(output)}: one target for every value the model predicts"
    if len(target) == len(output) and target[-1] is not None and target[-1] != output[-1]:
        fix += (f"\n# or, if y is right, make the model predict {target[-1]} values: "
                f"keras.layers.Dense({target[-1]}) as the last layer")
    return Explanation(
        kind=TARGET_SHAPE_MISMATCH,
        title=f"the targets y do not match the model's output (loss '{match['loss']}')",
        expected=f"targets with the output's axes: {_samples(output)} for the output {_shape_text(output)}",
        received=f"targets {_samples(target)}",
        fix=fix,
        why=("The loss compares each target with the prediction in the same place, so y needs the output's axes "
             "after the batch axis. Here the shapes cannot even be broadcast, so Keras stops; when they can, it "
             "trains without a word on a meaningless loss. helpers.targets.check_targets(model, y) catches both."),
        shape=target,
    )


def _steps(count) -> str:
    return "an unknown number of timesteps" if count is None else f"{count} timestep{'' if count == 1 else 's'}"


def _conv_too_short(error, message, model, namespace):
    match = _CONV_SHORT.search(message)
    if match:
        inputs, kernel, strides = (_parse_shape(match[name]) for name in ("inputs", "kernel", "strides"))
        if not inputs or not kernel or len(inputs) != 3:
            return None
        steps, size = inputs[1], kernel[0]
        stride = strides[0] if strides else 1
    else:
        match = _CONV_NEGATIVE.search(message)
        if not match:
            return None
        steps, size, stride, inputs = int(match["steps"]), int(match["kernel"]), None, None
    return Explanation(
        kind=CONV_TOO_SHORT,
        title=f"the sequence is shorter than the Conv1D kernel ({_steps(steps)}, kernel_size={size})",
        expected=f"at least {_steps(size)} (kernel_size={size}, padding='valid')",
        received=_steps(steps) + (f": {_shape_text(inputs)}" if inputs else ""),
        fix=(f"keras.layers.Conv1D(filters, {size}, padding='same')   # keeps ceil(T / strides) steps\n"
             f"# or a smaller kernel_size or strides here or in the Conv1D layers before it, or longer windows"),
        why=(f"With padding='valid' a Conv1D makes one output step wherever the whole kernel fits: "
             f"floor((T - {size}) / strides) + 1 steps, which is 0 or less here"
             + (f" (strides={stride})" if stride else "")
             + ". Every Conv1D (and its strides) shortens the sequence before the next layer sees it."),
        shape=inputs, shape_names=("batch", "timesteps", "features") if inputs else None,
    )


def _window_datasets(error, namespace):
    """(name, has_targets) of tf.data datasets in the namespaces whose windows have 2 axes."""
    tf = sys.modules.get("tensorflow")
    dataset_class = getattr(getattr(tf, "data", None), "Dataset", None)
    if dataset_class is None:
        return []
    found = []
    for space in _namespaces(error, namespace):
        for name, value in list(space.items())[:5000]:
            if isinstance(value, dataset_class) and not str(name).startswith("_"):
                spec = value.element_spec
                first = spec[0] if isinstance(spec, tuple) else spec
                shape = getattr(first, "shape", None)
                if shape is not None and shape.rank == 2:
                    found.append((str(name), isinstance(spec, tuple)))
    return found


def _windows_without_features(error, message, model, namespace):
    match, received = _rnn_got_2d(message)
    if received is None:
        return None
    spaces = _namespaces(error, namespace)
    if _producer_of_2d(match["layer"], received, model, spaces) is not None:
        return None
    datasets = _window_datasets(error, namespace)
    if not datasets:
        return None
    name, with_targets = datasets[0]
    steps = received[-1]
    steps_text = "timesteps" if steps is None else str(steps)
    mapping = "lambda x, y: (x[..., None], y)" if with_targets else "lambda x: x[..., None]"
    return Explanation(
        kind=WINDOWS_NEED_FEATURES,
        title="windows from timeseries_dataset_from_array have no features axis",
        expected=f"a 3D tensor (batch, timesteps, features), e.g. {_shape_text((received[0], steps, 1))}",
        received=f"{_shape_text(received)}: 2D, one value per timestep but no features axis",
        fix=(f"{name} = {name}.map({mapping})   # (batch, {steps_text}) -> (batch, {steps_text}, 1)\n"
             f"inputs = keras.Input(shape=({steps_text if steps is not None else 'None'}, 1))"),
        why=("keras.utils.timeseries_dataset_from_array cuts a 1-D series into windows of shape (batch, "
             "sequence_length): it adds no features axis. An RNN reads (batch, timesteps, features), so give "
             "each step its 1 feature explicitly, in the data and in keras.Input."),
        layer=match["layer"], shape=received, shape_names=("batch", "timesteps"),
    )


_RECOGNISERS = (_windows_without_features,) + _RECOGNISERS + (_target_mismatch, _conv_too_short)
