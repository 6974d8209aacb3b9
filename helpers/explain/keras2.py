"""Keras 1 and 2 code run on Keras 3: ``model.reset_states()`` and layer arguments that are gone.

Tutorials written for Keras 1/2 are everywhere. Keras 3 models have no ``reset_states()`` (stateful
layers keep ``reset_state()``), and layers reject arguments they no longer know, such as
``input_length`` on an LSTM, ``batch_size`` on a layer, or Keras 1 names like ``init`` and
``dropout_W``. ``batch_input_shape`` and misspellings are explained in ``basics``.
"""
from __future__ import annotations

import ast
import re

from .core import Explanation, keras_module, model_layers, models_in, namespaces

MODEL_RESET_STATES = "model-reset-states"
KERAS2_ARGUMENT = "keras2-argument"
KINDS = (MODEL_RESET_STATES, KERAS2_ARGUMENT)
__all__ = ["MODEL_RESET_STATES", "KERAS2_ARGUMENT"]

_NO_RESET = re.compile(r"'(?P<cls>\w+)' object has no attribute 'reset_states?'")
_UNRECOGNIZED = re.compile(r"Unrecognized keyword arguments passed to (?P<cls>\w+): (?P<kwargs>\{.*\})", re.S)

# old argument -> (what Keras 3 has instead, code to write)
_RENAMED = {
    "init": ("kernel_initializer", "kernel_initializer={value!r}"),
    "inner_init": ("recurrent_initializer", "recurrent_initializer={value!r}"),
    "inner_activation": ("recurrent_activation", "recurrent_activation={value!r}"),
    "W_regularizer": ("kernel_regularizer", "kernel_regularizer={value!r}"),
    "U_regularizer": ("recurrent_regularizer", "recurrent_regularizer={value!r}"),
    "b_regularizer": ("bias_regularizer", "bias_regularizer={value!r}"),
    "W_constraint": ("kernel_constraint", "kernel_constraint={value!r}"),
    "U_constraint": ("recurrent_constraint", "recurrent_constraint={value!r}"),
    "dropout_W": ("dropout", "dropout={value!r}"),
    "dropout_U": ("recurrent_dropout", "recurrent_dropout={value!r}"),
    "output_dim": ("units", "units={value!r}"),
    "forget_bias_init": ("unit_forget_bias", "unit_forget_bias=True"),
}
_MOVED = {
    "input_length": ("keras.Input(shape=({value}, features))   # the timesteps belong to the input\n"
                     "{cls_code}   # without input_length",
                     "Keras 1/2 let a layer declare the input's length; in Keras 3 the shape of a sample belongs to "
                     "keras.Input(shape=(timesteps, features)), placed before the first layer (None: any length)."),
    "batch_size": ("keras.Input(shape=(timesteps, features), batch_size={value})   # a fixed batch size, e.g. for "
                   "stateful=True\n{cls_code}   # without batch_size",
                   "A layer does not take the batch size in Keras 3; keras.Input(shape=..., batch_size=...) (or "
                   "batch_shape=...) fixes it for the whole model."),
    "time_major": ("{cls_code}   # without time_major; data is (batch, timesteps, features)\n"
                   "# time-major data (timesteps, batch, features)? x = x.transpose(1, 0, 2)",
                   "Keras 3 recurrent layers read batch-major data only: time_major was removed."),
    "consume_less": ("{cls_code}   # without consume_less",
                     "consume_less chose an implementation in Keras 1; Keras 3 picks one itself."),
}


def _model_reset_states(error, message, model, namespace):
    if not isinstance(error, AttributeError):
        return None
    match = _NO_RESET.search(message)
    keras = keras_module()
    if not match or keras is None:
        return None
    cls = match["cls"]
    attribute = message.split("'")[-2] if message.count("'") >= 4 else "reset_states"
    models = [m for m in models_in(namespaces(error, namespace)) if type(m).__name__ == cls]
    if not models and cls not in ("Sequential", "Functional", "Model"):
        return None
    stateful = []
    if len(models) == 1:
        stateful = [layer.name for layer in model_layers(models[0]) if getattr(layer, "stateful", False)]
    which = (f" (here: {', '.join(repr(n) for n in stateful)})" if stateful else
             " (this model has none: without stateful=True there is no state to reset)" if len(models) == 1 else "")
    return Explanation(
        kind=MODEL_RESET_STATES,
        title=f"a Keras 3 {cls} has no {attribute}(): reset its stateful layers",
        expected="layer.reset_state() on every stateful layer" + which,
        received=f"model.{attribute}()",
        fix=("for layer in model.layers:\n"
             "    if getattr(layer, \"stateful\", False):\n"
             "        layer.reset_state()   # Bidirectional resets both directions\n"
             "# or helpers.states.reset_states(model): also inside nested models and wrappers"),
        why=("Keras 2 models had reset_states(), which reset every stateful layer. Keras 3 keeps the method on the "
             "recurrent layers only (reset_state(), with reset_states() as an alias), so the loop does what the "
             "model method did."),
    )


def _old_arguments(error, message, model, namespace):
    match = _UNRECOGNIZED.search(message)
    if not match:
        return None
    try:
        kwargs = ast.literal_eval(match["kwargs"])
    except (ValueError, SyntaxError):
        return None
    if not isinstance(kwargs, dict):
        return None
    cls = match["cls"]
    known = [name for name in kwargs if name in _RENAMED or name in _MOVED]
    if not known:
        return None
    name = known[0]
    value = kwargs[name]
    cls_code = f"keras.layers.{cls}(...)"
    if name in _RENAMED:
        new, code = _RENAMED[name]
        fix = f"keras.layers.{cls}(..., {code.format(value=value)})   # was {name}={value!r}"
        why = f"Keras 1 called this argument {name}; Keras 2 and 3 call it {new}."
        expected = f"{new}=..."
    else:
        template, why = _MOVED[name]
        fix = template.format(value=value, cls_code=cls_code)
        expected = {"input_length": "keras.Input(shape=(timesteps, features)) before the layer",
                    "batch_size": "keras.Input(shape=..., batch_size=...)"}.get(name, f"{cls} without {name}")
    others = [n for n in kwargs if n != name]
    return Explanation(
        kind=KERAS2_ARGUMENT,
        title=f"{name}= is Keras 1/2: Keras 3's {cls} does not take it",
        expected=expected,
        received=f"{cls}(..., {name}={value!r})" + (f" (and {', '.join(others)})" if others else ""),
        fix=fix,
        why=why + " Keras 3 rejects arguments a layer does not know instead of ignoring them.",
    )


RECOGNISERS = (_model_reset_states, _old_arguments)
