"""An RNN layer unrolled over its timesteps: one cell per step, the same weights at every step.

Inputs x_t sit below, the cells in the middle, what leaves the layer above; time runs left to
right and the hidden state h (LSTM: also the cell state c) passes from each step to the next.
``return_sequences`` decides which outputs leave the layer (the others are drawn grey and
dotted: computed, not returned); ``return_state`` adds the final states on the right;
``initial_state`` enters at the first step from the left (otherwise the state starts at zeros).

>>> spec = unrolled_spec(timesteps=3, features=2, units=4)
>>> len(spec.blocks_with_role("recurrent")), spec.facts["params"]
(3, 28)
"""
from __future__ import annotations

from typing import Any

from .spec import Arrow, Block, Label, Spec, shape_text, visible_indices

KINDS = {"simplernn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}
CELL_KINDS = {"SimpleRNNCell": "SimpleRNN", "GRUCell": "GRU", "LSTMCell": "LSTM"}
# Blocks of weights side by side in each matrix: GRU 2 gates + candidate, LSTM 3 gates + candidate.
BLOCKS = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}
FORMULA = {"SimpleRNN": "tanh(xW + hU + b)", "GRU": "gates z, r", "LSTM": "gates i, f, o"}
COL = 3.6
X_W, X_H = 1.9, 0.95
CELL_W, CELL_H = 2.6, 1.8
ROW_X, ROW_CELL, ROW_OUT = 0.0, 1.85, 4.75
STATE_Y = {"h": 1.25, "c": 0.72}     # where each state arrow meets a cell, above the cell's bottom
SUBSCRIPTS = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")


def _sub(name: str, t: int | str) -> str:
    """``x`` with a subscript step number: x₁; a symbolic step stays as ``x_T``."""
    return f"{name}{str(t).translate(SUBSCRIPTS)}" if isinstance(t, int) else f"{name}_{t}"


def _kind(kind: str) -> str:
    try:
        return KINDS[str(kind).lower()]
    except KeyError:
        raise ValueError(f"kind must be 'SimpleRNN', 'GRU' or 'LSTM', got {kind!r}.") from None


def weight_shapes(kind: str, features: int | None, units: int) -> tuple[list[tuple[str, tuple]], int | None]:
    """The shared weights of one layer and its parameter count (None if features is unknown).

    >>> weight_shapes("SimpleRNN", 1, 10)
    ([('kernel W', (1, 10)), ('recurrent_kernel U', (10, 10)), ('bias b', (10,))], 120)
    """
    blocks = BLOCKS[kind]
    bias = (2, blocks * units) if kind == "GRU" else (blocks * units,)   # Keras 3 GRU: reset_after=True
    shapes = [("kernel W", (features, blocks * units)), ("recurrent_kernel U", (units, blocks * units)),
              ("bias b", bias)]
    if features is None:
        return shapes, None
    total = 0
    for _, shape in shapes:
        size = 1
        for d in shape:
            size *= d
        total += size
    return shapes, total


def _from_layer(layer: Any) -> dict:
    import keras

    if isinstance(layer, keras.layers.Bidirectional):
        raise ValueError("unrolled draws one direction at a time: pass layer.forward_layer or "
                         "layer.backward_layer of this Bidirectional layer.")
    if not isinstance(layer, keras.layers.RNN):
        raise TypeError(f"unrolled draws a recurrent layer (SimpleRNN, GRU, LSTM or RNN(cell)), "
                        f"got {type(layer).__name__}.")
    cell = layer.cell
    if getattr(cell, "cells", None) is not None:
        raise ValueError("This RNN stacks several cells; draw each as its own layer, e.g. "
                         "unrolled(kind='SimpleRNN', units=...) once per cell.")
    kind = CELL_KINDS.get(type(cell).__name__)
    if kind is None:
        raise ValueError(f"unrolled knows SimpleRNN, GRU and LSTM cells, not {type(cell).__name__}.")
    found = {"kind": kind, "units": int(cell.units), "return_sequences": bool(layer.return_sequences),
             "return_state": bool(layer.return_state), "name": layer.name, "params": None,
             "weights": None, "stateful": bool(getattr(layer, "stateful", False))}
    try:
        shape = tuple(layer.input.shape)
        found["timesteps"], found["features"] = shape[1], shape[2]
        found["batch"] = shape[0]
    except (AttributeError, ValueError, IndexError):
        # Never called on a tensor: a layer built with layer.build(shape) still knows that shape,
        # and its kernel knows the features in any case.
        built_on = getattr(layer, "_build_shapes_dict", None) or {}
        shape = next(iter(built_on.values()), None) if layer.built else None
        if isinstance(shape, (tuple, list)) and len(shape) == 3:
            found["batch"], found["timesteps"], found["features"] = tuple(shape)
        elif layer.built:
            found["timesteps"] = None
            try:
                found["features"] = int(cell.kernel.shape[0])
            except (AttributeError, TypeError, IndexError):
                pass
    if layer.built:
        found["params"] = int(layer.count_params())
        found["weights"] = [(w.name, tuple(int(d) for d in w.shape)) for w in layer.weights]
    return found


def unrolled_spec(layer: Any = None, *, timesteps: int | None = 4, features: int | None = None,
                  units: int | None = None, kind: str = "SimpleRNN", return_sequences: bool = False,
                  return_state: bool = False, initial_state: bool = False, title: str | None = None) -> Spec:
    """The spec of :func:`unrolled`. With ``layer``, its own settings win over the keywords."""
    batch = None
    name = ""
    weights = None
    params = None
    stateful = False
    if layer is not None:
        found = _from_layer(layer)
        kind, units = found["kind"], found["units"]
        return_sequences, return_state = found["return_sequences"], found["return_state"]
        timesteps = found.get("timesteps", timesteps)
        features = found.get("features", features)
        batch, name, stateful = found.get("batch"), found["name"], found["stateful"]
        weights, params = found["weights"], found["params"]
    else:
        kind = _kind(kind)
        if units is None:
            units = 4
    for label, value in (("timesteps", timesteps), ("features", features), ("units", units)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ValueError(f"{label} must be a positive whole number or None, got {value!r}.")
    shapes, computed = weight_shapes(kind, features, units)
    if weights is None:
        weights, params = shapes, computed
    states = ["h", "c"] if kind == "LSTM" else ["h"]
    shown = visible_indices(timesteps, 6) if timesteps is not None else [0, 1, 2, None, "T"]

    spec = Spec(kind="unrolled", title=title if title is not None else
                f"{kind}({units}) unrolled over {timesteps if timesteps is not None else '?'} timesteps")
    f_text = "?" if features is None else str(features)
    cells: list[Block] = []
    for col, t in enumerate(shown):
        x = col * COL
        if t is None:
            for y in (ROW_X + X_H / 2, ROW_CELL + CELL_H / 2, ROW_OUT + X_H / 2):
                spec.add_label(Label("\u2026", x + CELL_W / 2, y, size=16, bold=True))
            continue
        step = t + 1 if isinstance(t, int) else t
        xb = spec.add_block(Block(id=f"x{col}", role="input", shape="rect", x=x + (CELL_W - X_W) / 2, y=ROW_X,
                                  w=X_W, h=X_H, label=_sub("x", step), text=f"{f_text} feature{'' if features == 1 else 's'}"))
        cell = spec.add_block(Block(id=f"cell{col}", role="recurrent", shape="round", x=x, y=ROW_CELL,
                                    w=CELL_W, h=CELL_H, label=kind))
        spec.add_label(Label(FORMULA[kind], x + CELL_W / 2, ROW_CELL + CELL_H - 0.72, size=7.5))
        spec.add_block(Block(id=f"weights{col}", role="weights", shape="round", x=x + 0.35, y=ROW_CELL + 0.14,
                             w=CELL_W - 0.7, h=0.42, label="W  U  b"))
        cells.append(cell)
        spec.add_arrow(Arrow(xb.id, cell.id, "input", (xb.center[0], ROW_X + X_H), (cell.center[0], ROW_CELL)))
        spec.add_label(Label(f"t = {step}", x + CELL_W / 2, ROW_X - 0.35, size=8))
        last = t == shown[-1]
        returned = return_sequences or last
        out = spec.add_block(Block(id=f"out{col}", role="output" if returned else "dropped", shape="rect",
                                   x=x + (CELL_W - X_W) / 2, y=ROW_OUT, w=X_W, h=X_H, label=_sub("h", step),
                                   text=f"{units} units" if returned else "not returned", dashed=not returned))
        spec.add_arrow(Arrow(cell.id, out.id, out.role, (cell.center[0], ROW_CELL + CELL_H),
                             (out.center[0], ROW_OUT)))
    for a, b in zip(cells, cells[1:]):
        gap_label = b.x - a.x > COL * 1.5
        for k, state in enumerate(states):
            y = ROW_CELL + (STATE_Y[state] if len(states) > 1 else 1.0)
            spec.add_arrow(Arrow(a.id, b.id, "hidden" if state == "h" else "cell", (a.x + CELL_W, y), (b.x, y),
                                 label="" if gap_label else state))
    first, final = cells[0], cells[-1]
    for k, state in enumerate(states):
        y = ROW_CELL + (STATE_Y[state] if len(states) > 1 else 1.0)
        role = "hidden" if state == "h" else "cell"
        start = spec.add_block(Block(id=f"{state}0", role=role if initial_state else "zeros", shape="rect",
                                     x=first.x - 2.3, y=y - 0.23, w=1.4, h=0.46, label=_sub(state, 0),
                                     dashed=not initial_state))
        spec.add_arrow(Arrow(start.id, first.id, role, (start.x + start.w, y), (first.x, y)))
        if return_state:
            end = spec.add_block(Block(id=f"{state}_final", role=role, shape="rect", x=final.x + CELL_W + 0.9,
                                       y=y - 0.23, w=1.4, h=0.46, label=_sub(state, shown[-1] + 1 if isinstance(
                                           shown[-1], int) else "T")))
            spec.add_arrow(Arrow(final.id, end.id, role, (final.x + CELL_W, y), (end.x, y)))
    left = first.x - 2.3
    spec.add_label(Label("initial_state" if initial_state else "starts at zeros", left + 0.7,
                         ROW_CELL + 0.2, size=7.5, role="hidden" if initial_state else ""))
    if return_state:
        spec.add_label(Label("return_state", final.x + CELL_W + 1.6, ROW_CELL + 0.2, size=7.5, role="hidden"))
    right = final.x + CELL_W
    seq_shape = (batch, timesteps, units)
    out_shape = seq_shape if return_sequences else (batch, units)
    in_shape = (batch, timesteps, features)
    which = "every step's h leaves the layer" if return_sequences else "only the last h leaves the layer"
    spec.add_label(Label(f"output {shape_text(out_shape)}: return_sequences={return_sequences}, {which}",
                         (first.x + right) / 2, ROW_OUT + X_H + 0.45, size=8.5, bold=True, role="output"))
    weight_text = " · ".join(f"{n} {shape_text(s)}" for n, s in weights)
    param_text = f" = {params:,} params" if params is not None else ""
    spec.add_label(Label(f"one set of weights, the same at every step: {weight_text}{param_text}",
                         (first.x + right) / 2, ROW_CELL + CELL_H + 0.5, size=7.5, role="weights", boxed=True))
    spec.add_label(Label(f"input {shape_text(in_shape)}: (batch, timesteps, features)   time \u2192",
                         (first.x + right) / 2, ROW_X - 0.85, size=8.5, bold=True, role="input"))

    spec.legend = [r for r in ("input", "recurrent", "weights", "hidden", "cell", "output", "dropped", "zeros")
                   if r in {b.role for b in spec.blocks} | {a.role for a in spec.arrows}]
    prefix = f"{name}: " if name else ""
    spec.lines = [
        f"{prefix}{kind}({units}) over {timesteps if timesteps is not None else '?'} timesteps, "
        f"{f_text} feature{'' if features == 1 else 's'} per step",
        f"input {shape_text(in_shape)} -> output {shape_text(out_shape)} (return_sequences={return_sequences})",
        f"states passed step to step: {', '.join(states)}"
        + (" (stateful: kept across batches)" if stateful else ""),
        f"initial state: {'given (initial_state)' if initial_state else 'zeros'}",
        f"return_state: {'final ' + ', '.join(states) + ' returned too' if return_state else 'no'}",
        f"shared weights: {weight_text}{param_text}",
    ]
    if timesteps is not None and timesteps > len([t for t in shown if t is not None]):
        spec.lines.append(f"drawn steps: {', '.join('...' if t is None else str(t + 1) for t in shown)}")
    spec.summary = (f"{'An' if kind == 'LSTM' else 'A'} {kind} layer with {units} units unrolled over "
                    f"{timesteps if timesteps is not None else 'an unknown number of'} timesteps, time left to right: "
                    f"each step takes x_t ({f_text} feature{'' if features == 1 else 's'}) and the previous state, with the same weights "
                    f"at every step; {which}, so the output is {shape_text(out_shape)}."
                    + (f" The final {' and '.join(states)} are returned too (return_state)." if return_state else "")
                    + (" The first step starts from a given initial_state." if initial_state else
                       " The state starts at zeros."))
    spec.facts.update(kind=kind, units=units, timesteps=timesteps, features=features, params=params,
                      states=states, output_shape=out_shape, input_shape=in_shape,
                      returned_steps=[b.label for b in spec.blocks_with_role("output")],
                      weights=weights)
    return spec


def unrolled(layer: Any = None, *, timesteps: int | None = 4, features: int | None = None,
             units: int | None = None, kind: str = "SimpleRNN", return_sequences: bool = False,
             return_state: bool = False, initial_state: bool = False, title: str | None = None):
    """Draw an RNN unrolled over time, from a layer or from sizes; returns the Figure.

    >>> fig = unrolled(kind="LSTM", timesteps=3, features=2, units=4, return_state=True)  # doctest: +SKIP
    """
    from .render import render

    return render(unrolled_spec(layer, timesteps=timesteps, features=features, units=units, kind=kind,
                                return_sequences=return_sequences, return_state=return_state,
                                initial_state=initial_state, title=title))
