"""Stateful RNN helpers for Keras 3: reset every stateful layer, and rebuild a model for another batch size.

Keras 3 models have no ``reset_states()`` (only layers have ``reset_state()``), and a stateful
model's batch size is fixed when it is built. These helpers fill both gaps::

    from helpers.states import reset_states, with_batch_size
    reset_states(model)                 # -> ["lstm", "bidirectional"]: every stateful layer, nested too
    one_at_a_time = with_batch_size(model, 1)   # same layers and weights, batch size 1, states at zero

Keras is imported inside the functions, so importing this module stays cheap.
"""
from __future__ import annotations

from typing import Any, Iterator

__all__ = ["stateful_layers", "reset_states", "state_values", "copy_weights", "with_batch_size"]


def _children(layer: Any) -> list:
    """The layers directly inside ``layer``: a model's layers, a wrapper's layer(s)."""
    import keras

    if isinstance(layer, keras.layers.Bidirectional):
        return []  # its own reset_state() resets both directions
    if isinstance(layer, keras.Model):
        return list(layer.layers)
    if isinstance(layer, keras.layers.Wrapper):
        return [layer.layer]
    return []


def _walk(layer: Any, seen: set) -> Iterator[Any]:
    if id(layer) in seen:
        return
    seen.add(id(layer))
    yield layer
    for child in _children(layer):
        yield from _walk(child, seen)


def _is_stateful(layer: Any) -> bool:
    import keras

    return isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional)) and bool(getattr(layer, "stateful", False))


def stateful_layers(model: Any) -> list:
    """Every stateful recurrent layer inside ``model`` (nested models and wrappers included), in order.

    A stateful ``Bidirectional`` is listed once, as itself (it holds a forward and a backward layer).

    >>> [layer.name for layer in stateful_layers(model)]   # doctest: +SKIP
    ['encoder', 'bidirectional']
    """
    import keras

    if not isinstance(model, keras.layers.Layer):
        raise TypeError(f"expected a Keras model or layer, got {type(model).__name__}")
    return [layer for layer in _walk(model, set()) if _is_stateful(layer)]


def reset_states(model: Any) -> list[str]:
    """Set the states of every stateful layer of ``model`` back to zeros; return the names reset.

    Keras 3 has no ``model.reset_states()``; each stateful layer has ``reset_state()``. This walks
    the model the way Keras nests it: layers of nested models, layers inside wrappers such as
    ``TimeDistributed``, and ``Bidirectional`` (both directions reset). Layers that are not
    stateful are left alone. Works on a single layer too.

    >>> reset_states(model)   # doctest: +SKIP
    ['stateful_lstm', 'bidirectional']
    """
    names = []
    for layer in stateful_layers(model):
        layer.reset_state()
        names.append(layer.name)
    return names


def state_values(model: Any) -> dict:
    """The current state arrays of every stateful layer: ``{layer name: [numpy array, ...]}``.

    An LSTM has two arrays (h and c), a GRU or SimpleRNN one; a Bidirectional lists the forward
    layer's states then the backward layer's. A stateful layer that has not run yet maps to ``[]``.

    >>> {name: [s.shape for s in states] for name, states in state_values(model).items()}   # doctest: +SKIP
    {'rnn': [(2, 4)]}
    """
    import keras

    values = {}
    for layer in stateful_layers(model):
        states = layer.states or []
        values[layer.name] = [keras.ops.convert_to_numpy(s) for s in states]
    return values


def copy_weights(source: Any, target: Any) -> int:
    """Copy every weight of ``source`` into ``target`` (same layers, maybe another batch size).

    Checks that the two models have the same number of weights, each of the same shape, and
    says which one differs otherwise. Returns how many numbers were copied.

    >>> copy_weights(trained, twin)   # doctest: +SKIP
    45
    """
    source_weights = source.get_weights()
    target_vars = target.weights
    if len(source_weights) != len(target_vars):
        raise ValueError(f"the models differ: source has {len(source_weights)} weight arrays, "
                         f"target has {len(target_vars)}; build the twin with the same layers")
    for i, (value, var) in enumerate(zip(source_weights, target_vars)):
        if tuple(value.shape) != tuple(var.shape):
            raise ValueError(f"weight {i} ({var.path}) has shape {tuple(var.shape)} in the target but "
                             f"{tuple(value.shape)} in the source; build the twin with the same layers")
    target.set_weights(source_weights)
    return int(sum(w.size for w in source_weights))


def _rebatch_shape(shape: Any, batch_size: int | None) -> Any:
    """``[2, 5, 3]`` -> ``[batch_size, 5, 3]``; a list of shapes is changed shape by shape."""
    if isinstance(shape, (list, tuple)) and shape and all(isinstance(s, (list, tuple)) for s in shape):
        return [_rebatch_shape(s, batch_size) for s in shape]
    if isinstance(shape, (list, tuple)) and shape:
        return [batch_size, *list(shape)[1:]]
    return shape


def _rebatch_config(config: Any, batch_size: int | None) -> int:
    """Set the batch axis everywhere a (nested) model config records it; return how many inputs.

    Keras 3 records it in three places: each InputLayer's ``batch_shape``, each layer's
    ``build_config.input_shape``, and the ``shape`` of every symbolic tensor between layers.
    """
    found = 0
    if isinstance(config, dict):
        inner = config.get("config")
        if isinstance(inner, dict):
            if config.get("class_name") == "InputLayer" and inner.get("batch_shape") is not None:
                inner["batch_shape"] = _rebatch_shape(inner["batch_shape"], batch_size)
                found += 1
            if config.get("class_name") == "__keras_tensor__" and inner.get("shape") is not None:
                inner["shape"] = _rebatch_shape(inner["shape"], batch_size)
        build = config.get("build_config")
        if isinstance(build, dict) and build.get("input_shape") is not None:
            build["input_shape"] = _rebatch_shape(build["input_shape"], batch_size)
        for value in config.values():
            found += _rebatch_config(value, batch_size)
    elif isinstance(config, list):
        for value in config:
            found += _rebatch_config(value, batch_size)
    return found


def with_batch_size(model: Any, batch_size: int | None) -> Any:
    """A twin of ``model`` whose inputs take ``batch_size`` samples, with the same weights.

    Use it to predict with another batch size than a stateful model was trained with (for
    example 1, to forecast one series step by step). The twin's states start at zeros; the
    original model is not changed. Works for Sequential and functional models built from
    ``keras.Input``; ``batch_size=None`` gives a twin with an open batch axis (only valid
    when no layer is stateful).

    >>> twin = with_batch_size(model, 1)   # doctest: +SKIP
    >>> twin.inputs[0].shape                # doctest: +SKIP
    (1, 5, 3)
    """
    import copy

    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a Keras model, got {type(model).__name__}")
    if batch_size is not None and (isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1):
        raise ValueError(f"batch_size must be a positive whole number or None, not {batch_size!r}")
    config = copy.deepcopy(model.get_config())
    if _rebatch_config(config, None if batch_size is None else int(batch_size)) == 0:
        raise ValueError("this model has no keras.Input in its config; build it with keras.Input(shape=..., "
                         "batch_size=...) so its batch size can be changed")
    twin = type(model).from_config(config)
    copy_weights(model, twin)
    reset_states(twin)
    return twin
