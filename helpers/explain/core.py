"""What every recogniser shares: the Explanation, shape parsing, and where to look for live objects."""
from __future__ import annotations

import ast
import difflib
import html
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping



ANSI = re.compile(r"\x1b\[[0-9;]*m")
LAYER_CLASSES = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU", "bidirectional": "Bidirectional",
                  "rnn": "RNN", "conv1d": "Conv1D", "time_distributed": "TimeDistributed", "dense": "Dense"}
RECURRENT_CLASSES = {"SimpleRNN", "LSTM", "GRU", "Bidirectional", "RNN"}
CONSTRUCTOR_ONLY = ("return_sequences", "return_state", "stateful", "go_backwards", "units", "unroll",
                     "dropout", "recurrent_dropout", "activation")
CALL_ARGUMENTS = ("initial_state", "mask", "training")


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
    check: str = ""      # a modest explanation (no fix: the objects do not prove a cause) says what to check
    picture: Any = field(default=None, compare=False)  # a helpers.diagrams Spec drawn by diagram()

    @property
    def modest(self) -> bool:
        """True when the explanation offers no fix, only what Keras's message means and what to check."""
        return not self.fix.strip()

    def text(self) -> str:
        lines = [f"Shape error explained: {self.title}",
                 f"  Keras expected: {self.expected}",
                 f"  It received:    {self.received}"]
        if self.why:
            lines.append(f"  Why: {self.why}")
        if self.fix.strip():
            lines.append("  Fix:")
            lines += [f"      {line}" for line in self.fix.splitlines()]
        if self.check.strip():
            lines.append("  What to check:")
            lines += [f"      {line}" for line in self.check.splitlines()]
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
        fix = f"<div><strong>Fix:</strong><pre style='margin:2px 0'>{esc(self.fix)}</pre></div>" if self.fix.strip() else ""
        check = (f"<div><strong>What to check:</strong><pre style='margin:2px 0'>{esc(self.check)}</pre></div>"
                 if self.check.strip() else "")
        return (
            f"<div class='course-explain course-explain-{esc(self.kind)}' role='note' "
            "style='border-left:6px solid #E69F00;padding:6px 10px;margin:4px 0;background:#E69F0014'>"
            f"<strong style='color:#8a5a00'>Shape error explained:</strong> {esc(self.title)}"
            "<table style='margin:4px 0'>"
            f"<tr><td>Keras expected</td><td><code>{esc(self.expected)}</code></td></tr>"
            f"<tr><td>It received</td><td><code>{esc(self.received)}</code></td></tr></table>"
            f"{why}{fix}{check}{choices}</div>"
        )

    def diagram(self):
        """A small drawing (``helpers.diagrams``): the explanation's picture, else the received tensor; None when
        neither can be drawn."""
        if self.shape is None and self.picture is None:
            return None
        try:
            from helpers import diagrams as dg
        except Exception:  # noqa: BLE001 - the explanation works without pictures
            return None
        if self.picture is not None:
            try:   # the submodule's function: once helpers.diagrams.render is imported, dg.render names the module
                from helpers.diagrams.render import render

                return render(self.picture)
            except Exception:  # noqa: BLE001
                return None
        title = f"received {shape_text(self.shape)}"
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
            forget_pyplot_figure(figure)

# ---------------------------------------------------------------- helpers for the recognisers

def parse_shape(text: str) -> tuple | None:
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


def shape_text(shape: Iterable) -> str:
    parts = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def class_from_layer_name(name: str) -> str:
    base = re.sub(r"(_\d+)+$", "", name)
    return LAYER_CLASSES.get(base, name)


def keras_module():
    return sys.modules.get("keras")


def model_layers(model: Any) -> list:
    layers = getattr(model, "layers", None)
    return [layer for layer in (layers or []) if type(layer).__name__ != "InputLayer"]


def is_recurrent(layer: Any) -> bool:
    return type(layer).__name__ in RECURRENT_CLASSES or hasattr(layer, "return_sequences")


def layer_call_code(layer: Any, extra: str = "") -> str:
    """``keras.layers.SimpleRNN(10, return_sequences=True)`` for a live layer."""
    cls = type(layer).__name__
    if cls == "Bidirectional":
        inner = getattr(layer, "forward_layer", None) or getattr(layer, "layer", None)
        return f"keras.layers.Bidirectional({layer_call_code(inner, extra)})"
    units = getattr(layer, "units", None)
    args = [str(units)] if units is not None else []
    if extra:
        args.append(extra)
    return f"keras.layers.{cls}({', '.join(args)})"


def namespaces(error: BaseException, namespace: Mapping | None) -> list[Mapping]:
    spaces = [namespace] if namespace is not None else []
    tb = error.__traceback__
    while tb is not None:
        spaces.append(tb.tb_frame.f_locals)
        tb = tb.tb_next
    return spaces


def values_in(spaces: list[Mapping], limit: int = 5000) -> Iterable[Any]:
    for space in spaces:
        for count, value in enumerate(list(space.values())):
            if count >= limit:
                break
            yield value


def previous_in_model(model: Any, layer_name: str) -> Any:
    layers = model_layers(model)
    for index, layer in enumerate(layers):
        if layer.name == layer_name and index > 0:
            return layers[index - 1]
    return None


def producer_of_2d(layer_name: str, received: tuple, model: Any, spaces: list[Mapping]) -> Any:
    """The recurrent layer that produced the 2D tensor the failing layer got, when we can find it."""
    if model is not None:
        previous = previous_in_model(model, layer_name)
        if previous is not None:
            return previous if is_recurrent(previous) else None
    keras = keras_module()
    if keras is None:
        return None
    for value in values_in(spaces):
        if isinstance(value, keras.Model):
            previous = previous_in_model(value, layer_name)
            if previous is not None and is_recurrent(previous):
                return previous
        elif isinstance(value, keras.KerasTensor) and tuple(value.shape) == tuple(received):
            history = getattr(value, "_keras_history", None)
            operation = getattr(history, "operation", None)
            if operation is not None and is_recurrent(operation) and not getattr(operation, "return_sequences", True):
                return operation
    return None


def find_layer(model: Any, name: str) -> Any:
    for layer in model_layers(model):
        if layer.name == name:
            return layer
    return None


def _single_shape(model: Any, side: str) -> tuple | None:
    try:
        tensors = getattr(model, side)
        if tensors and len(tensors) == 1:
            return tuple(tensors[0].shape)
    except (AttributeError, ValueError):
        pass
    return None


def model_input_shape(model: Any) -> tuple | None:
    """The shape of a single-input model's input, or None."""
    return _single_shape(model, "inputs")


def forget_pyplot_figure(figure: Any) -> None:
    """Keep the inline backend from showing a figure a second time at the end of the cell."""
    if "matplotlib.pyplot" not in sys.modules:
        return
    try:
        sys.modules["matplotlib.pyplot"].close(figure)
    except Exception:  # noqa: BLE001
        pass


NDIM = re.compile(r"of layer '(?P<layer>[^']+)' is incompatible with the layer: expected ndim=(?P<expected>\d+), "
                  r"found ndim=(?P<found>\d+)\. Full shape received: (?P<shape>\([^)]*\))")


def rnn_got_2d(message: str) -> tuple:
    """``(match, received shape)`` when a layer wanting 3 axes got 2, else ``(None, None)``."""
    match = NDIM.search(message)
    if not match or (int(match["expected"]), int(match["found"])) != (3, 2):
        return None, None
    return match, parse_shape(match["shape"])


def producer_of(layer_name: str, received: tuple, model: Any, spaces: list[Mapping]) -> Any:
    """The layer just before ``layer_name`` (in ``model``, a model being built, or a tensor's history)."""
    if model is not None:
        previous = previous_in_model(model, layer_name)
        if previous is not None:
            return previous
    keras = keras_module()
    if keras is None:
        return None
    for value in values_in(spaces):
        if isinstance(value, keras.Model):
            previous = previous_in_model(value, layer_name)
            if previous is not None:
                return previous
        elif isinstance(value, keras.KerasTensor) and tuple(value.shape) == tuple(received):
            operation = getattr(getattr(value, "_keras_history", None), "operation", None)
            if operation is not None:
                return operation
    return None


# ---------------------------------------------------------------- the live objects behind an error

TRAINING_CALLS = ("fit", "evaluate", "predict", "train_on_batch", "test_on_batch", "predict_on_batch")


def keras_calls(error: BaseException) -> list[tuple[str, dict]]:
    """``(name, arguments)`` of the Keras API calls the error passed through, outermost first.

    Keras filters its tracebacks, but keeps the frame of the wrapper around every public call
    (``fit``, a layer's ``__call__``): its locals hold the function and the arguments it got.

    >>> keras_calls(KeyError("x"))
    []
    """
    import inspect

    found = []
    tb = getattr(error, "__traceback__", None)
    while tb is not None:
        local = tb.tb_frame.f_locals
        if tb.tb_frame.f_code.co_name == "error_handler" and callable(local.get("fn")):
            fn, args, kwargs = local["fn"], local.get("args") or (), local.get("kwargs") or {}
            try:
                bound = dict(inspect.signature(fn).bind_partial(*args, **kwargs).arguments)
            except (TypeError, ValueError):
                bound = {}
            found.append((getattr(fn, "__name__", ""), bound))
        tb = tb.tb_next
    return found


def is_model(value: Any) -> bool:
    keras = keras_module()
    return keras is not None and isinstance(value, keras.Model)


def training_call(error: BaseException) -> tuple[str | None, dict]:
    """The ``fit``/``evaluate``/``predict``... call the error came from: its name and arguments (``self`` is the model)."""
    for name, arguments in keras_calls(error):
        if name in TRAINING_CALLS and is_model(arguments.get("self")):
            return name, arguments
    return None, {}


def layer_calls(error: BaseException) -> list[tuple[Any, dict]]:
    """``(layer, arguments)`` for every layer call the error passed through, outermost first."""
    keras = keras_module()
    if keras is None:
        return []
    return [(arguments["self"], arguments) for name, arguments in keras_calls(error)
            if name == "__call__" and isinstance(arguments.get("self"), keras.layers.Layer)]


def models_in(spaces: list[Mapping]) -> list:
    """Every distinct Keras model among the values of the namespaces (and the ``self`` of traceback frames)."""
    seen, found = set(), []
    for value in values_in(spaces):
        if is_model(value) and id(value) not in seen:
            seen.add(id(value))
            found.append(value)
    return found


def output_shape(model: Any) -> tuple | None:
    """The shape of a single-output model's output, or None."""
    return _single_shape(model, "outputs")


def array_shape(value: Any) -> tuple | None:
    """The shape of a numpy (or backend) array, None for anything else, KerasTensors included (never raises)."""
    try:
        keras = keras_module()
        if keras is not None and isinstance(value, keras.KerasTensor):
            return None
        shape = getattr(value, "shape", None)
        return tuple(int(d) for d in shape) if shape is not None else None
    except Exception:  # noqa: BLE001 - any object may sit in a notebook's namespace
        return None


def as_numpy(value: Any):
    """A numpy array of ``value`` (numpy, lists, backend tensors), or None."""
    import numpy as np

    try:
        if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
            value = value.numpy()
        array = np.asarray(value)
    except Exception:  # noqa: BLE001
        return None
    return array if array.dtype != object else None


def recurrent_layers(model: Any) -> list:
    return [layer for layer in model_layers(model) if is_recurrent(layer)]


def returns_sequences(layer: Any) -> bool:
    inner = getattr(layer, "forward_layer", None) or getattr(layer, "layer", None)
    return bool(getattr(layer, "return_sequences", getattr(inner, "return_sequences", False)))


def units_of(layer: Any) -> int | None:
    """Units of an RNN layer (a Bidirectional: both directions' together)."""
    if type(layer).__name__ == "Bidirectional":
        inner = getattr(layer, "forward_layer", None) or getattr(layer, "layer", None)
        units = getattr(inner, "units", None)
        mode = getattr(layer, "merge_mode", "concat")
        return units * 2 if units is not None and mode == "concat" else units
    return getattr(layer, "units", None)


def layer_code(layer: Any, **changes: Any) -> str:
    """``keras.layers.LSTM(8, return_sequences=True)``: a live layer's class, units and switched-on flags, with
    ``changes`` applied (a change to None leaves the argument out, i.e. its default)."""
    cls = type(layer).__name__
    if cls == "Bidirectional":
        inner = getattr(layer, "forward_layer", None) or getattr(layer, "layer", None)
        return f"keras.layers.Bidirectional({layer_code(inner, **changes)})"
    units = getattr(layer, "units", None)
    args = [str(units)] if units is not None else []
    flags = {name: True for name in ("return_sequences", "return_state", "stateful", "go_backwards")
             if getattr(layer, name, False) is True}
    flags.update(changes)
    args += [f"{name}={value!r}" for name, value in flags.items() if value is not None]
    return f"keras.layers.{cls}({', '.join(args)})"


def axis_names(rank: int, last: str = "features") -> list[str]:
    """Names of a tensor's axes as the course reads them: ``['batch', 'timesteps', 'features']``."""
    return {1: ["batch"], 2: ["batch", last], 3: ["batch", "timesteps", last]}.get(
        rank, ["batch"] + [f"axis {i}" for i in range(1, rank - 1)] + [last])


def named_cells(shape: tuple, names: list[str] | None = None) -> list[tuple[str, int | None]]:
    names = names or axis_names(len(shape))
    return [(name, size) for name, size in zip(names, shape)]


def name_of(value, error, namespace, default: str) -> str:
    """The notebook's name for this object (the namespace comes before the traceback's frames)."""
    for space in namespaces(error, namespace):
        for name, candidate in list(space.items())[:5000]:
            if candidate is value and str(name).isidentifier() and not str(name).startswith("_"):
                return str(name)
    return default
