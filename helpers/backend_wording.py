"""JAX's and PyTorch's wording of the errors :mod:`helpers.explain` explains, said as TensorFlow says it.

Keras raises most shape errors itself, in the same words on every backend. Where the backend
raises instead (a matrix product, a broadcast in the loss, a convolution), the words differ; this
module's table rewrites them into TensorFlow's wording, which the explainer's recognisers read.
The explainer calls :func:`as_tensorflow_wording` on the message (its one hook), so no recogniser
needs to know about backends. Measured with Keras 3.15.1, jax 0.10.2 and torch 2.13.0:

| error | JAX | PyTorch |
| --- | --- | --- |
| features != the kernel's rows (RNN cell) | ``dot_general requires contracting dimensions ...`` | ``mat1 and mat2 shapes cannot be multiplied (8x2 and 3x4)`` |
| shapes in a message | ``(8, 5)`` | ``torch.Size([8, 5])`` |
| targets that do not broadcast (loss) | ``sub got incompatible shapes for broadcasting: (8, 5), (8, 3)`` | ``The size of tensor a (5) must match ...`` (no shapes: not rewritten) |
| sparse labels of the wrong rank | ``Arguments `target` and `output` must have the same shape up until the last dimension`` | the same |
| sequence shorter than a Conv1D kernel, at run time | ``The convolution operation resulted in an empty output`` (no kernel size: not rewritten) | ``Kernel size: (5). Kernel size can't be greater than actual input size`` |
| Embedding id >= input_dim | no error (JAX returns a vector of nan) | ``index out of range in self`` (no id: not rewritten) |
| a functional model fed another number of timesteps | no error | Keras' own wording |

>>> as_tensorflow_wording("mat1 and mat2 shapes cannot be multiplied (8x2 and 3x4)")
'mat1 and mat2 shapes cannot be multiplied (8x2 and 3x4)\\nMatrix size-incompatible: In[0]: [8,2], In[1]: [3,4]'
"""
from __future__ import annotations

import re
from typing import Callable

_TORCH_SIZE = re.compile(r"torch\.Size\(\[(?P<dims>[\d, ]*)\]\)")
_TORCH_MATMUL = re.compile(r"mat1 and mat2 shapes cannot be multiplied \((?P<a>\d+)x(?P<b>\d+) and (?P<c>\d+)x(?P<d>\d+)\)")
_LAYER_CALL = re.compile(r"calling (?P<layer>SimpleRNN|GRU|LSTM)\.call\(\)")
_JAX_DOT = re.compile(r"dot_general requires contracting dimensions to have the same shape, got \((?P<data>\d+),\) "
                      r"and \((?P<kernel>\d+),\)")
_CELL_CALL = re.compile(r"calling (?P<cell>SimpleRNNCell|GRUCell|LSTMCell)\.call\(\)")
_CELL_ARGUMENTS = re.compile(r"(?:sequence|inputs)=\w+\.ndarray\(shape=\((?P<batch>\d+), (?P<features>\d+)\)")
_CELL_STATE = re.compile(r"states=\['\w+\.ndarray\(shape=\(\d+, (?P<units>\d+)\)")
_GATES = {"SimpleRNNCell": 1, "GRUCell": 3, "LSTMCell": 4}
_JAX_BROADCAST = re.compile(r"(?:sub got incompatible shapes for broadcasting: |Incompatible shapes for broadcasting: "
                            r"shapes=\[)(?P<target>\([\d, ]*\)), (?P<output>\([\d, ]*\))")
_SPARSE_RANK = re.compile(r"Arguments `target` and `output` must have the same shape up until the last dimension: "
                          r"(?=target\.shape=)")
_TORCH_CONV = re.compile(r"Calculated padded input size per channel: \((?P<steps>\d+)\)\. Kernel size: \((?P<kernel>\d+)\)\. "
                         r"Kernel size can't be greater than actual input size")


def _tuple(dims: str) -> str:
    items = [d.strip() for d in dims.split(",") if d.strip()]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _brackets(shape: str) -> str:
    return "[" + ",".join(d.strip() for d in shape.strip("()").split(",") if d.strip()) + "]"


def _torch_matmul(message: str) -> str | None:
    match = _TORCH_MATMUL.search(message)
    if not match:
        return None
    extra = f"Matrix size-incompatible: In[0]: [{match['a']},{match['b']}], In[1]: [{match['c']},{match['d']}]"
    layer = _LAYER_CALL.search(message)   # PyTorch's fused LSTM/GRU path: the layer, not its cell, is named
    if layer and not _CELL_CALL.search(message):
        extra += f"\ncalling {layer['layer']}Cell.call()"
    return extra


def _jax_dot(message: str) -> str | None:
    match, cell = _JAX_DOT.search(message), _CELL_CALL.search(message)
    arguments, state = _CELL_ARGUMENTS.search(message), _CELL_STATE.search(message)
    if not (match and cell and arguments and state):
        return None
    columns = _GATES[cell["cell"]] * int(state["units"])
    return (f"Matrix size-incompatible: In[0]: [{arguments['batch']},{match['data']}], "
            f"In[1]: [{match['kernel']},{columns}]")


def _jax_broadcast(message: str) -> str | None:
    match = _JAX_BROADCAST.search(message)
    if not match:
        return None
    # TensorFlow names the loss in its node; JAX does not, so the loss is called "loss".
    return (f"Incompatible shapes: {_brackets(match['target'])} vs. {_brackets(match['output'])}\n"
            "\t [[{{node compile_loss/loss/sub}}]]")


def _torch_conv(message: str) -> str | None:
    match = _TORCH_CONV.search(message)
    if not match:
        return None
    return f"Negative dimension size caused by subtracting {match['kernel']} from {match['steps']} for '{{{{node conv1d}}}}'"


# Each rule adds TensorFlow's sentence to the message (the original stays, so nothing is lost).
_ADDITIONS: tuple[Callable[[str], str | None], ...] = (_torch_matmul, _jax_dot, _jax_broadcast, _torch_conv)


def as_tensorflow_wording(message: str) -> str:
    """``message`` with the other backends' wordings rewritten or followed by TensorFlow's.

    >>> as_tensorflow_wording("incompatible shape torch.Size([8, 5])")
    'incompatible shape (8, 5)'
    """
    try:
        message = _TORCH_SIZE.sub(lambda m: _tuple(m["dims"]), message)
        message = _SPARSE_RANK.sub("Argument `output` must have rank (ndim) `target.ndim - 1`. Received: ", message)
        for rule in _ADDITIONS:
            extra = rule(message)
            if extra:
                message = f"{message}\n{extra}"
        return message
    except Exception:  # noqa: BLE001 - a wording rule must never hide the error it reads
        return message
