"""The shape explorer: move a control, see the real Keras model's shapes change.

>>> from helpers.explore import Settings, shapes
>>> [row["output"] for row in shapes(Settings(timesteps=5, features=3, units=4))]   # doctest: +SKIP
['(None, 5, 3)', '(None, 4)']

In JupyterLab, ``explorer()`` shows ipywidgets controls for batch, timesteps, features, units,
layer type (SimpleRNN, GRU, LSTM), return_sequences, return_state and depth (1-3). Every change
builds the real functional model, ``keras.Input(shape=(T, F), batch_size=B)`` followed by
``depth`` recurrent layers, and shows a table of every layer's input and output shapes, the
model's diagram (``helpers.diagrams.model_flow``) and one line of code that builds the same model.
Lower layers of a stack always return sequences (stacking needs it); ``return_sequences`` and
``return_state`` set the top layer.

Without a widget frontend (plain Python, ipywidgets missing, ``explorer(static=True)``) the same
content is shown as static text/HTML; the text is deterministic, which is what nbval compares.

CSS classes, for browser tests and styling (each on exactly one element):

===================================  ===========================================
``course-explorer``                  the whole explorer (a VBox)
``course-explorer-batch``            Dropdown: batch size, ``None`` or a number
``course-explorer-timesteps``        IntSlider: timesteps T
``course-explorer-features``         IntSlider: features F
``course-explorer-units``            IntSlider: units
``course-explorer-layer``            ToggleButtons: SimpleRNN / GRU / LSTM
``course-explorer-return-sequences`` Checkbox: return_sequences of the top layer
``course-explorer-return-state``     Checkbox: return_state of the top layer
``course-explorer-depth``            IntSlider: number of stacked layers
``course-explorer-shapes``           HTML: the shape table, in a ``<pre>``
``course-explorer-output-shape``     a ``<span>`` inside the shapes area: the model's output shape(s)
``course-explorer-code``             HTML: the one-line code snippet
``course-explorer-diagram``          HTML: the diagram as an ``<img>`` with alt text (a note if it cannot be drawn)
===================================  ===========================================
"""
from __future__ import annotations

import html
import random
from dataclasses import asdict, dataclass, replace
from typing import Any

LAYER_TYPES = ("SimpleRNN", "GRU", "LSTM")
BATCH_CHOICES = (None, 1, 2, 4, 8, 16, 32)
_STATE_NAMES = {"SimpleRNN": ("h",), "GRU": ("h",), "LSTM": ("h", "c")}
KERNEL_CACHE_EVERY = 20  # rebuilds between clearing TensorFlow's kernel cache
_SLUGS = {"SimpleRNN": "simple_rnn", "GRU": "gru", "LSTM": "lstm"}


@dataclass(frozen=True)
class Settings:
    """Everything the explorer's controls set. ``batch=None`` means "any batch size".

    >>> Settings(layer="LSTM", depth=2).layer
    'LSTM'
    """

    batch: int | None = None
    timesteps: int = 5
    features: int = 3
    units: int = 4
    layer: str = "SimpleRNN"
    return_sequences: bool = False
    return_state: bool = False
    depth: int = 1

    def validated(self) -> "Settings":
        if self.layer not in LAYER_TYPES:
            raise ValueError(f"layer must be one of {', '.join(LAYER_TYPES)}, not {self.layer!r}")
        if not 1 <= int(self.depth) <= 3:
            raise ValueError(f"depth must be 1, 2 or 3, not {self.depth!r}")
        for name in ("timesteps", "features", "units"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)!r}")
        if self.batch is not None and int(self.batch) < 1:
            raise ValueError(f"batch must be None or at least 1, not {self.batch!r}")
        return self


def _shape_text(shape) -> str:
    parts = ["None" if d is None else str(int(d)) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def layer_names(settings: Settings) -> list[str]:
    """Fixed layer names (``lstm_1``, ``lstm_2``, ...): the tables stay the same however often you rebuild."""
    return [f"{_SLUGS[settings.layer]}_{index}" for index in range(1, settings.depth + 1)]


def build(settings: Settings):
    """The real functional Keras model for ``settings``.

    >>> build(Settings(units=2)).output.shape   # doctest: +SKIP
    (None, 2)
    """
    import keras

    settings = settings.validated()
    layer_class = getattr(keras.layers, settings.layer)
    # Keras draws unseeded initializer seeds from Python's `random`; exploring must not move the
    # notebook's own random stream, so the state is put back afterwards.
    random_state = random.getstate()
    try:
        return _build_layers(keras, layer_class, settings)
    finally:
        random.setstate(random_state)


def _build_layers(keras, layer_class, settings: Settings):
    inputs = keras.Input(shape=(settings.timesteps, settings.features), batch_size=settings.batch, name="sequence")
    tensor = inputs
    names = layer_names(settings)
    for name in names[:-1]:
        tensor = layer_class(settings.units, return_sequences=True, name=name)(tensor)
    top = layer_class(settings.units, return_sequences=settings.return_sequences,
                      return_state=settings.return_state, name=names[-1])
    outputs = top(tensor)
    return keras.Model(inputs, list(outputs) if settings.return_state else outputs, name="explorer")


def output_names(settings: Settings) -> list[str]:
    """What the top layer returns, in order: ``["output"]``, or ``["output", "state h", "state c"]`` for LSTM."""
    if not settings.return_state:
        return ["output"]
    return ["output"] + [f"state {name}" for name in _STATE_NAMES[settings.layer]]


def shapes(settings: Settings, model: Any = None) -> list[dict]:
    """One row per layer, read from the built Keras model: name, type, input, output, params.

    ``output`` is a shape text such as ``"(None, 4)"``; for ``return_state`` it lists every output,
    named: ``"output (None, 4); state h (None, 4)"``.
    """
    model = build(settings) if model is None else model
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            rows.append({"layer": layer.name, "type": kind, "input": "",
                         "output": _shape_text(layer.output.shape), "params": 0})
            continue
        outputs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
        if len(outputs) > 1:
            names = output_names(settings)
            output = "; ".join(f"{name} {_shape_text(t.shape)}" for name, t in zip(names, outputs))
        else:
            output = _shape_text(outputs[0].shape)
        rows.append({"layer": layer.name, "type": kind, "input": _shape_text(layer.input.shape),
                     "output": output, "params": int(layer.count_params())})
    return rows


def code_line(settings: Settings) -> str:
    """One line of Python that builds the same model (``keras`` imported).

    >>> code_line(Settings(units=2))
    'x = keras.Input(shape=(5, 3)); y = keras.layers.SimpleRNN(2)(x); model = keras.Model(x, y)'
    """
    settings = settings.validated()
    batch = f", batch_size={settings.batch}" if settings.batch is not None else ""
    parts = [f"x = keras.Input(shape=({settings.timesteps}, {settings.features}){batch})"]
    source = "x"
    for _ in range(settings.depth - 1):
        parts.append(f"h = keras.layers.{settings.layer}({settings.units}, return_sequences=True)({source})")
        source = "h"
    options = []
    if settings.return_sequences:
        options.append("return_sequences=True")
    if settings.return_state:
        options.append("return_state=True")
    arguments = ", ".join([str(settings.units)] + options)
    if settings.return_state:
        targets = ["y"] + [f"state_{name}" for name in _STATE_NAMES[settings.layer]]
        parts.append(f"{', '.join(targets)} = keras.layers.{settings.layer}({arguments})({source})")
        parts.append(f"model = keras.Model(x, [{', '.join(targets)}])")
    else:
        parts.append(f"y = keras.layers.{settings.layer}({arguments})({source})")
        parts.append("model = keras.Model(x, y)")
    return "; ".join(parts)


def table_text(rows: list[dict]) -> str:
    """The rows of :func:`shapes` as a fixed-width text table."""
    header = {"layer": "layer", "type": "type", "input": "input", "output": "output", "params": "params"}
    columns = ("layer", "type", "input", "output")
    widths = {c: max(len(str(r[c])) for r in [header] + rows) for c in columns}
    lines = []
    for row in [header] + rows:
        cells = [str(row[c]).ljust(widths[c]) for c in columns]
        lines.append("  ".join(cells) + "  " + str(row["params"]).rjust(6))
    return "\n".join(lines)


def render_text(settings: Settings, rows: list[dict]) -> str:
    """The explorer as deterministic plain text: settings, shape table, model output, code."""
    values = ", ".join(f"{key}={value!r}" for key, value in asdict(settings).items())
    return "\n".join([
        f"Shape explorer: {values}",
        table_text(rows),
        f"model output: {rows[-1]['output']}" if rows else "model output: -",
        f"code: {code_line(settings)}",
    ])


def _shapes_html(rows: list[dict]) -> str:
    output = html.escape(rows[-1]["output"]) if rows else ""
    return (f"<pre style='margin:2px 0'>{html.escape(table_text(rows))}</pre>"
            f"<div>model output: <span class='course-explorer-output-shape'>{output}</span></div>")


def _code_html(settings: Settings) -> str:
    return f"<code style='white-space:pre-wrap'>{html.escape(code_line(settings))}</code>"


def _draw(model: Any):
    """``helpers.diagrams.model_flow(model)``, or None when the diagrams cannot draw it."""
    try:
        from helpers import diagrams as dg

        return dg.model_flow(model)
    except Exception:  # noqa: BLE001 - the explorer stays useful as text
        return None


def _figure_html(figure: Any) -> str:
    """An ``<img>`` of the figure, with the diagram's own alt text when it has one."""
    try:
        if hasattr(figure, "_repr_html_"):
            return figure._repr_html_()
        import base64
        import io

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}" alt="model diagram"/>'
    except Exception:  # noqa: BLE001
        return "<em>(no diagram: the drawing failed)</em>"


def _forget_pyplot_figure(figure: Any) -> None:
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and figure is not None:
        try:
            pyplot.close(figure)
        except Exception:  # noqa: BLE001
            pass


def _clear_tensorflow_kernel_cache() -> None:
    """TensorFlow caches one compiled kernel per new tensor shape; every shape the explorer tries adds
    to it (about 0.2 MB per change). Clearing it bounds memory and touches no Keras state (unlike
    ``keras.backend.clear_session()``, which would also reset the learner's seed and names)."""
    try:
        import keras

        if keras.backend.backend() != "tensorflow":
            return
        from tensorflow.python.eager import context

        context.context().clear_kernel_cache()
    except Exception:  # noqa: BLE001 - only an optimisation
        pass


def _widgets_available() -> bool:
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Explorer:
    """The explorer: controls (when widgets work), the current model, its rows and text.

    ``update(**changes)`` changes settings exactly as moving a control does.
    """

    def __init__(self, settings: Settings | None = None, static: bool | None = None, draw: bool = True):
        self.settings = (settings or Settings()).validated()
        self.static = (not _widgets_available()) if static is None else bool(static)
        self.draw = draw
        self.model = None
        self.rows: list[dict] = []
        self.error: str = ""
        self.widget = None
        self._controls: dict[str, Any] = {}
        self._builds = 0
        self._refresh_model()
        if not self.static:
            self._make_widgets()

    # -- model
    def _refresh_model(self) -> None:
        self.model = None
        self._builds += 1
        if self._builds % KERNEL_CACHE_EVERY == 0:
            _clear_tensorflow_kernel_cache()
        try:
            self.model = build(self.settings)
            self.rows = shapes(self.settings, self.model)
            self.error = ""
        except Exception as error:  # noqa: BLE001 - show the problem in the explorer, never crash it
            self.rows = []
            self.error = f"{type(error).__name__}: {error}"

    def update(self, **changes) -> "Explorer":
        """Change settings and rebuild, e.g. ``update(return_sequences=True)``."""
        self.settings = replace(self.settings, **changes).validated()
        self._refresh_model()
        if self.widget is not None:
            self._show()
        return self

    # -- text
    def text(self) -> str:
        body = render_text(self.settings, self.rows)
        return f"{body}\nerror: {self.error}" if self.error else body

    __str__ = text

    def __repr__(self) -> str:
        return self.text()

    def html(self) -> str:
        error = f"<div style='color:#D55E00'>{html.escape(self.error)}</div>" if self.error else ""
        return (f"<div class='course-explorer course-explorer-static'><div class='course-explorer-shapes'>"
                f"{_shapes_html(self.rows)}</div>{error}<div class='course-explorer-code'>"
                f"{_code_html(self.settings)}</div></div>")

    def diagram(self):
        """The model's diagram, or None."""
        return _draw(self.model) if self.model is not None and self.draw else None

    # -- display
    def _ipython_display_(self) -> None:
        from IPython.display import display

        if self.widget is not None:
            bundle = self.widget._repr_mimebundle_()
            bundle = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
            bundle["text/plain"] = self.text()
            display(bundle, raw=True)
            return
        display({"text/plain": self.text(), "text/html": self.html()}, raw=True)
        figure = self.diagram()
        if figure is not None:
            display(figure)
            _forget_pyplot_figure(figure)

    # -- widgets
    def _make_widgets(self) -> None:
        import ipywidgets as w

        s = self.settings
        slider = dict(continuous_update=False, style={"description_width": "80px"})
        controls = {
            # ipywidgets reads a value of None as "nothing selected", so "any batch" is stored as 0.
            "batch": w.Dropdown(options=[("None", 0)] + [(str(b), b) for b in BATCH_CHOICES[1:]],
                                value=s.batch or 0, description="batch"),
            "timesteps": w.IntSlider(value=s.timesteps, min=1, max=20, description="timesteps", **slider),
            "features": w.IntSlider(value=s.features, min=1, max=10, description="features", **slider),
            "units": w.IntSlider(value=s.units, min=1, max=16, description="units", **slider),
            "layer": w.ToggleButtons(options=list(LAYER_TYPES), value=s.layer, description="layer"),
            "return_sequences": w.Checkbox(value=s.return_sequences, description="return_sequences", indent=False),
            "return_state": w.Checkbox(value=s.return_state, description="return_state", indent=False),
            "depth": w.IntSlider(value=s.depth, min=1, max=3, description="depth", **slider),
        }
        for name, control in controls.items():
            control.add_class(f"course-explorer-{name.replace('_', '-')}")
            control.observe(self._on_change, names="value")
        self._controls = controls
        self._shapes = w.HTML().add_class("course-explorer-shapes")
        self._code = w.HTML().add_class("course-explorer-code")
        # An HTML widget, not an Output widget: a drawing lives in the widget's state and never becomes a
        # cell output, so nbval (which does not route Output-widget messages) sees the same outputs as JupyterLab.
        self._diagram = w.HTML().add_class("course-explorer-diagram")
        self.widget = w.VBox([
            w.HBox([controls["batch"], controls["layer"]]),
            w.HBox([controls["timesteps"], controls["features"]]),
            w.HBox([controls["units"], controls["depth"]]),
            w.HBox([controls["return_sequences"], controls["return_state"]]),
            self._shapes, self._code, self._diagram,
        ]).add_class("course-explorer")
        self._show()

    def _on_change(self, change) -> None:
        values = {name: control.value for name, control in self._controls.items()}
        values["batch"] = values["batch"] or None
        self.update(**values)

    def _show(self) -> None:
        error = f"<div style='color:#D55E00'>{html.escape(self.error)}</div>" if self.error else ""
        self._shapes.value = _shapes_html(self.rows) + error
        self._code.value = _code_html(self.settings)
        figure = self.diagram()
        if figure is not None:
            self._diagram.value = _figure_html(figure)
        elif self.draw:
            self._diagram.value = "<em>(no diagram: helpers.diagrams could not draw this model)</em>"
        else:
            self._diagram.value = ""
        _forget_pyplot_figure(figure)


def explorer(static: bool | None = None, draw: bool = True, **settings) -> Explorer:
    """The shape explorer; ``static=True`` (or no widget frontend) gives a static rendering.

    >>> print(explorer(static=True, draw=False, units=2).rows[-1]["output"])   # doctest: +SKIP
    (None, 2)
    """
    return Explorer(Settings(**settings), static=static, draw=draw)
