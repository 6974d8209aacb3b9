"""Shape diagrams for Keras tensors, models and RNNs, drawn with matplotlib only.

Each kind has a ``*_spec`` function that returns plain data (:class:`Spec`: blocks, arrows,
labels, roles, ``alt_text``, ``describe()``) and a drawing function that returns a Figure
carrying that spec as ``fig.spec``. One visual language throughout: time left to right, data
bottom to top, Okabe-Ito colours with a hatch or line style as a second cue, and a legend.

>>> from helpers import diagrams as dg
>>> print(dg.tensor_spec((None, 5, 3)).describe())
tensor diagram: tensor (None, 5, 3)
  shape (None, 5, 3), rank 3, drawn as a box
  batch = ? (unknown: None, fixed only when data arrives)
  timesteps = 5
  features = 3

Importing this package does not import TensorFlow or matplotlib; drawing imports matplotlib.
"""
from .model_flow import model_flow, model_flow_spec
from .padding import padded_batch, padded_batch_spec
from .spec import ROLES, Arrow, Block, Edge, Label, Spec
from .stateful import stateful_batches, stateful_batches_spec
from .tensor import tensor, tensor_spec
from .unrolled import unrolled, unrolled_spec


def render(spec: Spec, **options):
    """Draw any spec; returns a Figure with ``fig.spec``."""
    from .render import render as _render

    return _render(spec, **options)


__all__ = [
    "ROLES", "Arrow", "Block", "Edge", "Label", "Spec", "model_flow", "model_flow_spec", "render",
    "padded_batch", "padded_batch_spec",
    "stateful_batches", "stateful_batches_spec", "tensor", "tensor_spec", "unrolled", "unrolled_spec",
]
from .tasks import sequence_task, sequence_task_spec  # noqa: E402 - lesson 08
__all__ += ["sequence_task", "sequence_task_spec"]
from .compare import comparison, comparison_spec  # noqa: E402 - the explainer's pictures
__all__ += ["comparison", "comparison_spec"]
