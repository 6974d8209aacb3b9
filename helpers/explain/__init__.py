"""Keras 3 errors in plain language: what Keras expected, what it got, and the cause the live objects prove.

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

The explanation reads the objects involved (the model being fitted and its layers, the arrays
passed to ``fit``/``predict``, the loss, the states handed to a decoder), found in the error's
traceback and in the namespace you pass (the extension passes the notebook's). When they prove
a cause it is named with its fix; when they do not, the explanation says what Keras's message
means and what to check, and offers no fix (``Explanation.modest``).

One module per family of errors: ``basics`` (rank, data against ``keras.Input``, stateful batch
sizes, arguments), ``padding`` (lesson 07), ``tasks`` (lesson 08), ``targets`` (loss and targets),
``states`` (encoder-decoder states), ``axes`` (axes in the wrong order), ``layers`` (Conv1D,
TimeDistributed, Reshape, Concatenate), ``keras2`` (Keras 1/2 code in Keras 3), ``stateful``
(a short last batch), ``ragged`` (sequences of different lengths in one array).

Recognised kinds (``Explanation.kind``): see :data:`KINDS`.
"""
from __future__ import annotations

import sys
from typing import Any, Mapping

from . import axes, basics, keras2, layers, padding, ragged, stateful, states, targets, tasks
from .axes import *  # noqa: F401,F403 - the kind names
from .basics import *  # noqa: F401,F403
from ..backend_wording import as_tensorflow_wording
from .core import ANSI, Explanation, forget_pyplot_figure
from .keras2 import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .ragged import *  # noqa: F401,F403
from .stateful import *  # noqa: F401,F403
from .states import *  # noqa: F401,F403
from .targets import *  # noqa: F401,F403
from .tasks import *  # noqa: F401,F403

KINDS = (basics.KINDS + padding.KINDS + tasks.KINDS + targets.KINDS + states.KINDS + axes.KINDS + layers.KINDS
         + keras2.KINDS + stateful.KINDS + ragged.KINDS)

# Order matters: recognisers that read the live objects (and prove a cause) come before the
# ones that read only the message.
_RECOGNISERS = (stateful.RECOGNISERS + states.RECOGNISERS + targets.RECOGNISERS + axes.RECOGNISERS
                + keras2.RECOGNISERS + layers.RECOGNISERS + ragged.RECOGNISERS
                + tasks.RECOGNISERS_FIRST + padding.RECOGNISERS_FIRST + basics.RECOGNISERS
                + padding.RECOGNISERS + tasks.RECOGNISERS)


def explain(error: BaseException, model: Any = None, namespace: Mapping[str, Any] | None = None) -> Explanation | None:
    """Explain a Keras error, or return None for an error this module does not recognise.

    ``model`` (the model you were building or feeding) makes the fix concrete: it names the
    layer to change. ``namespace`` (e.g. ``globals()``) is searched, like the error's own
    traceback frames, for the Keras tensors, models and arrays involved.

    >>> explain(KeyError("x")) is None
    True
    """
    if not isinstance(error, BaseException):
        return None
    message = as_tensorflow_wording(ANSI.sub("", str(error)))   # JAX's and PyTorch's words, as TensorFlow's
    for recognise in _RECOGNISERS:
        try:
            found = recognise(error, message, model, namespace)
        except Exception:  # noqa: BLE001 - a recogniser bug must never hide the user's error
            found = None
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------- IPython extension

_saved_handlers: dict[int, tuple] = {}


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


_forget_pyplot_figure = forget_pyplot_figure
__all__ = ["Explanation", "KINDS", "explain", "load_ipython_extension", "unload_ipython_extension",
           *(name for module in (basics, padding, tasks, targets, states, axes, layers, keras2, stateful, ragged)
             for name in dir(module) if name.isupper() and isinstance(getattr(module, name), str))]
del sys
