"""Lesson 07: padding, masking, Embedding."""
from __future__ import annotations

import ast
import difflib
import re
import sys
from typing import Any, Mapping

from .core import (Explanation, ANSI, CALL_ARGUMENTS, CONSTRUCTOR_ONLY, LAYER_CLASSES, NDIM, RECURRENT_CLASSES, class_from_layer_name, find_layer, is_recurrent, keras_module, layer_call_code, model_input_shape, model_layers, namespaces, parse_shape, previous_in_model, producer_of, producer_of_2d, rnn_got_2d, shape_text, values_in)

IDS_NEED_EMBEDDING = "ids-need-embedding"
RAGGED_BATCH = "ragged-batch"
EMBEDDING_ID_OUT_OF_RANGE = "embedding-id-out-of-range"
PAD_SEQUENCES_ARGUMENTS = "pad-sequences-arguments"
__all__ = ['IDS_NEED_EMBEDDING', 'RAGGED_BATCH', 'EMBEDDING_ID_OUT_OF_RANGE', 'PAD_SEQUENCES_ARGUMENTS']

KINDS = (IDS_NEED_EMBEDDING, RAGGED_BATCH, EMBEDDING_ID_OUT_OF_RANGE, PAD_SEQUENCES_ARGUMENTS)


def _integer_tensor_of_shape(received: tuple, spaces: list[Mapping]) -> bool:
    """True when a symbolic Keras tensor of exactly this shape and an integer dtype is in sight."""
    keras = keras_module()
    if keras is None:
        return False
    for value in values_in(spaces):
        if isinstance(value, keras.KerasTensor) and tuple(value.shape) == tuple(received):
            if "int" in str(getattr(value, "dtype", "")):
                return True
    return False


def _ids_need_embedding(error, message, model, namespace):
    """An RNN fed (batch, timesteps) with no features axis: integer ids (Embedding) or values ([..., None])."""
    match, received = rnn_got_2d(message)
    if received is None or len(received) != 2:
        return None
    integers = _integer_tensor_of_shape(received, namespaces(error, namespace))
    if not integers and received[1] is not None:
        return None   # a fixed width: lesson 02's explanation (timesteps or features?) fits better
    layer_name = match["layer"]
    cls = class_from_layer_name(layer_name)
    fix = ("keras.layers.Embedding(input_dim=largest_id + 1, output_dim=8, mask_zero=True)   # before the RNN\n"
           "# ids (batch, timesteps) -> vectors (batch, timesteps, 8); mask_zero=True skips the padding id 0")
    if not integers:
        fix += ("\n# not ids but one real value per step? add a features axis instead:\n"
                "inputs = keras.Input(shape=(None, 1))   # and x = x[..., None]")
    return Explanation(
        kind=IDS_NEED_EMBEDDING,
        title=(f"{cls} layer '{layer_name}' got {'integer ids' if integers else 'sequences'} with no features axis: "
               f"(batch, timesteps)"),
        expected=f"a 3D tensor (batch, timesteps, features), e.g. {shape_text(received + (8,))}",
        received=f"{shape_text(received)}: 2D, (batch, timesteps), one {'id' if integers else 'number'} per step",
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
    count = parse_shape(match["shape"])
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
        received=f"id {bad} at position {shape_text(where)} of the batch",
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



RECOGNISERS_FIRST = (_ids_need_embedding,)
RECOGNISERS = (_ragged_batch, _embedding_id_out_of_range, _pad_sequences_arguments)
