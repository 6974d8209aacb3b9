"""A live Keras model drawn layer by layer, data flowing bottom to top.

Between layers sits the tensor that flows, drawn with the same glyph as :func:`tensor` and
its shape printed beside it; each layer box names the layer and its parameter count, and an
RNN says whether it passes on every timestep or only the last. Extra outputs of
``return_state=True`` get their own arrows and state-coloured tensors. Every shape comes from
Keras itself (``layer.output`` of a built model), never from removed Keras 2 attributes.

>>> import keras                                                   # doctest: +SKIP
>>> model = keras.Sequential([keras.Input((5, 3)), keras.layers.SimpleRNN(4)])  # doctest: +SKIP
>>> print(model_flow_spec(model).describe())                      # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .spec import OBLIQUE, Arrow, Block, Label, Spec, shape_text
from .tensor import as_shape, axis_names, size_text, tensor_block

MIN_LAYER_W, LAYER_H = 5.0, 1.45
GAP = 0.8             # vertical room for an arrow
GLYPH_UNIT, GLYPH_CAP = 0.26, 8

NOT_BUILT = ("model_flow needs the shapes Keras knows, and this model has not been built yet. "
             "Start it with keras.Input, e.g. keras.Sequential([keras.Input(shape=(5, 3)), ...]), "
             "or call it once on data (model(x)) or build it (model.build((None, 5, 3))), then draw it again.")


@dataclass
class TensorNode:
    id: str
    shape: tuple
    role: str
    name: str = ""
    model_output: bool = False
    level: int = 0
    x: float = 0.0


@dataclass
class LayerNode:
    name: str
    type: str
    params: int
    headline: str
    detail: str
    role: str
    passes: str | None
    inputs: list[tuple[str, str]] = field(default_factory=list)   # (tensor id, how: "" or keyword)
    outputs: list[str] = field(default_factory=list)
    call: int = 0        # > 0 when a shared layer is called again (same weights)
    level: int = 1
    x: float = 0.0


def _shapes_of(value: Any) -> list[tuple]:
    if isinstance(value, (list, tuple)):
        return [as_shape(t) for t in value]
    return [as_shape(value)]


def _cell_name(cell: Any) -> str:
    cells = getattr(cell, "cells", None)
    if cells is not None:
        return ", ".join(_cell_name(c) for c in cells)
    units = getattr(cell, "units", None)
    return f"{type(cell).__name__}({units})" if units is not None else type(cell).__name__


def _state_roles(rnn: Any) -> list[str]:
    """Roles of the states an RNN layer returns: LSTM gives h and c, the others h only."""
    cell = getattr(rnn, "cell", None)
    cells = getattr(cell, "cells", None) or [cell]
    roles = []
    for c in cells:
        size = getattr(c, "state_size", None)
        roles += ["hidden", "cell"] if isinstance(size, (list, tuple)) and len(size) == 2 else ["hidden"]
    return roles


def describe_layer(layer: Any, in_shapes: list[tuple], out_shapes: list[tuple]) -> dict:
    """What a layer does, in words: headline, detail line, role, what it passes on, output roles."""
    import keras

    kind = type(layer).__name__
    params = int(layer.count_params())
    passes = None
    role = "layer"
    out_roles = ["output"] * len(out_shapes)
    out_names: list[str] | None = None
    headline = kind
    extra = ""
    rnn = None
    if isinstance(layer, keras.layers.Bidirectional):
        rnn = layer.forward_layer
        headline = f"Bidirectional({type(rnn).__name__}({getattr(rnn, 'units', '')}))"
        extra = "forward + backward" + (f", {layer.merge_mode}" if layer.merge_mode else "")
        states = _state_roles(rnn)
        out_roles = ["output"] + [states[i % len(states)] for i in range(len(out_shapes) - 1)]
        half = (len(out_shapes) - 1) // 2
        out_names = [""] + [("forward " if i < half else "backward ") + ("h" if r == "hidden" else "c")
                            for i, r in enumerate(out_roles[1:])]
    elif isinstance(layer, keras.layers.RNN):
        rnn = layer
        if kind == "RNN":
            headline = f"RNN({_cell_name(layer.cell)})"
        else:
            headline = f"{kind}({layer.cell.units})"
        states = _state_roles(rnn)
        out_roles = ["output"] + [states[i % len(states)] for i in range(len(out_shapes) - 1)]
    elif isinstance(layer, keras.layers.TimeDistributed):
        inner = layer.layer
        units = getattr(inner, "units", None)
        headline = f"TimeDistributed({type(inner).__name__}{f'({units})' if units else ''})"
        extra = "same layer at every timestep"
    elif isinstance(layer, keras.layers.Dense):
        headline = f"Dense({layer.units})"
        if in_shapes and len(in_shapes[0]) >= 3:
            extra = "acts on the last axis, at every timestep"
    elif isinstance(layer, keras.layers.RepeatVector):
        headline = f"RepeatVector({layer.n})"
        extra = f"copies its input {layer.n} times along time"
    if rnn is not None:
        role = "recurrent"
        passes = "every timestep" if rnn.return_sequences else "last timestep only"
        extra = ", ".join(p for p in (extra, f"passes on {passes}") if p)
        if getattr(rnn, "return_state", False):
            extra += " + states"
        if getattr(rnn, "stateful", False):
            extra += ", stateful"
    detail = f"{layer.name} · {params:,} params" + (f"\n{extra}" if extra else "")
    if out_names is None:
        out_names = [{"hidden": "state h", "cell": "state c"}.get(r, "") for r in out_roles]
    return {"headline": headline, "detail": detail, "role": role, "passes": passes,
            "out_roles": out_roles, "out_names": out_names, "params": params, "type": kind}


def _history_refs(value: Any) -> list[tuple[str, int, int, tuple | None]]:
    """Every (layer name, call number, tensor index, shape) a serialized call argument refers to."""
    refs: list[tuple[str, int, int, tuple | None]] = []
    if isinstance(value, dict):
        history = value.get("config", {}).get("keras_history") if value.get("class_name") == "__keras_tensor__" else None
        if history is not None:
            shape = value["config"].get("shape")
            refs.append((history[0], int(history[1]), int(history[2]), as_shape(shape) if shape is not None else None))
        else:
            for item in value.values():
                refs += _history_refs(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            refs += _history_refs(item)
    return refs


def _layer_outputs(layer: Any) -> list[tuple]:
    try:
        return _shapes_of(layer.output)
    except (AttributeError, ValueError) as err:
        raise ValueError(NOT_BUILT + f" (Keras said: {err})") from None


def graph(model: Any) -> tuple[dict[str, TensorNode], list[LayerNode]]:
    """Tensors and layers of a built model, in call order, with who feeds whom.

    Tensor ids are ``"layer:call:index"``; a layer called twice (shared weights) gives two nodes.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model_flow draws a Keras model (keras.Sequential or keras.Model), "
                        f"got {type(model).__name__}.")
    tensors: dict[str, TensorNode] = {}
    layers: list[LayerNode] = []

    def add_layer(layer, inputs, call=0, outs=None):
        outs = outs if outs is not None else _layer_outputs(layer)
        ins = [tensors[t].shape for t, how in inputs if t in tensors and not how]
        info = describe_layer(layer, ins, outs)
        name = layer.name if call == 0 else f"{layer.name} (call {call + 1})"
        if call:
            info["detail"] = info["detail"].replace(f"{layer.name} · {info['params']:,} params",
                                                    f"{name} · same weights as call 1")
        node = LayerNode(name, info["type"], info["params"], info["headline"], info["detail"],
                         info["role"], info["passes"], inputs=inputs, call=call)
        for i, (shape, role, label) in enumerate(zip(outs, info["out_roles"], info["out_names"])):
            tid = f"{layer.name}:{call}:{i}"
            tensors[tid] = TensorNode(tid, shape, role, name=label)
            node.outputs.append(tid)
        layers.append(node)

    if isinstance(model, keras.Sequential):
        try:
            inputs = model.inputs
        except (AttributeError, ValueError):
            raise ValueError(NOT_BUILT) from None
        if not inputs:
            raise ValueError(NOT_BUILT)
        tensors["input:0:0"] = TensorNode("input:0:0", as_shape(inputs[0].shape), "input", name="input")
        previous = "input:0:0"
        for layer in model.layers:
            if type(layer).__name__ == "InputLayer":
                continue
            add_layer(layer, [(previous, "")])
            previous = layers[-1].outputs[0]
        tensors[previous].model_output = True
        return tensors, layers

    try:
        config = model.get_config()
        layer_configs = config["layers"]
    except Exception:  # noqa: BLE001 - subclassed models have no graph to read
        raise ValueError("model_flow draws Sequential and functional models; this model's layers are "
                         "wired inside its own call() method, so Keras cannot say which feeds which.") from None
    seen_shapes = {}
    for layer_config in layer_configs:
        for ref in _history_refs(layer_config.get("inbound_nodes") or []):
            seen_shapes[ref[:3]] = ref[3]
    for layer_config in layer_configs:
        layer = model.get_layer(layer_config["name"])
        if layer_config.get("class_name") == "InputLayer":
            tid = f"{layer.name}:0:0"
            tensors[tid] = TensorNode(tid, _layer_outputs(layer)[0], "input", name=layer.name)
            continue
        first_outs = None
        for call, node in enumerate(layer_config.get("inbound_nodes") or [{}]):
            inputs = [(f"{n}:{c}:{i}", "") for n, c, i, _ in _history_refs(node.get("args", []))]
            for keyword, value in (node.get("kwargs") or {}).items():
                inputs += [(f"{n}:{c}:{i}", keyword) for n, c, i, _ in _history_refs(value)]
            if call == 0:
                first_outs = _layer_outputs(layer)
                add_layer(layer, inputs)
            else:
                outs = [seen_shapes.get((layer.name, call, i)) or shape for i, shape in enumerate(first_outs)]
                add_layer(layer, inputs, call=call, outs=outs)
    outputs = config.get("output_layers", [])
    if outputs and isinstance(outputs[0], str):     # a single output is stored unwrapped
        outputs = [outputs]
    for name, call, index in outputs:
        tid = f"{name}:{call}:{index}"
        if tid in tensors:
            tensors[tid].model_output = True
    return tensors, layers


def _text_units(text: str, size: float, bold: bool = False) -> float:
    """Rough width of one line of text in diagram units (for layout only)."""
    return len(text) * size * (0.66 if bold else 0.6) / 72 / 0.42


def _layer_width(lay: LayerNode) -> float:
    lines = [_text_units(lay.headline, 9, bold=True)] + [_text_units(t, 7.5) for t in lay.detail.split("\n")]
    return max(MIN_LAYER_W, max(lines) + 0.8)


def _captions(t: TensorNode) -> list[str]:
    words = " · ".join(f"batch {size_text(s)}" if n == "batch" else f"{size_text(s)} {n[:-1] if s == 1 else n}"
                       for n, s in zip(axis_names(len(t.shape)), t.shape))
    head = f"{t.name}  {shape_text(t.shape)}" if t.name else shape_text(t.shape)
    return [head, words] + (["→ model output"] if t.model_output else [])


def _footprint(t: TensorNode, glyph: Block) -> tuple[float, float]:
    """How far a tensor node reaches left and right of its x (glyph plus captions)."""
    caps = _captions(t)
    text = max([_text_units(caps[0], 9, bold=True)] + [_text_units(c, 7.5) for c in caps[1:]])
    return (glyph.w / 2 + 0.4, glyph.w / 2 + glyph.depth * OBLIQUE[0] + 0.35 + text)


def _layout(tensors: dict[str, TensorNode], layers: list[LayerNode], glyphs: dict[str, Block]) -> None:
    """Give every node a level (row, bottom to top) and an x (column)."""
    for t in tensors.values():
        if t.role == "input" and not any(t.id in lay.outputs for lay in layers):
            t.level, t.x = 0, 0.0
    for lay in layers:
        feeding = [tensors[t] for t, _ in lay.inputs if t in tensors]
        lay.level = max((t.level for t in feeding), default=0) + 1
        main = [tensors[t] for t, how in lay.inputs if t in tensors and not how] or feeding
        lay.x = sum(t.x for t in main) / len(main) if main else 0.0
        for j, tid in enumerate(lay.outputs):
            tensors[tid].level = lay.level + 1
            tensors[tid].x = lay.x + j * 0.001
    reach = {id(lay): (_layer_width(lay) / 2, _layer_width(lay) / 2) for lay in layers}
    reach.update({id(t): _footprint(t, glyphs[t.id]) for t in tensors.values()})
    rows: dict[int, list] = {}
    for node in [*tensors.values(), *layers]:
        rows.setdefault(node.level, []).append(node)
    for level in sorted(rows):
        for lay in (n for n in rows[level] if isinstance(n, LayerNode)):
            main = [tensors[t] for t, how in lay.inputs if t in tensors and not how]
            if main:
                lay.x = sum(t.x for t in main) / len(main)
            for j, tid in enumerate(lay.outputs):
                tensors[tid].x = lay.x + j * 0.001
        nodes = sorted(rows[level], key=lambda n: n.x)
        for before, after in zip(nodes, nodes[1:]):
            after.x = max(after.x, before.x + reach[id(before)][1] + reach[id(after)][0] + 0.5)


def model_flow_spec(model: Any, title: str | None = None) -> Spec:
    """The spec of :func:`model_flow` for a built Keras model."""
    tensors, layers = graph(model)
    glyphs = {tid: tensor_block(t.shape, block_id=f"tensor:{tid}", role=t.role, unit=GLYPH_UNIT, cap=GLYPH_CAP)
              for tid, t in tensors.items()}
    _layout(tensors, layers, glyphs)
    spec = Spec(kind="model_flow", title=title if title is not None else f"{model.name}: shapes layer by layer")
    top = max([t.level for t in tensors.values()] + [lay.level for lay in layers])
    row_base: dict[int, float] = {}
    y = 0.0
    for level in range(top + 1):
        row_base[level] = y
        if level % 2 == 0:
            heights = [g.h + g.depth * OBLIQUE[1] for tid, g in glyphs.items() if tensors[tid].level == level]
            y += max(heights + [0.9]) + GAP + 0.2
        else:
            y += LAYER_H + GAP
    tops: dict[str, tuple[float, float]] = {}
    for tid, t in tensors.items():
        g = glyphs[tid]
        g.x, g.y = t.x - g.w / 2, row_base[t.level] + 0.1
        g.compact = True
        spec.add_block(g)
        tops[tid] = (t.x, g.y + g.h + g.depth * OBLIQUE[1] + 0.05)
        text_x = g.x + g.w + g.depth * OBLIQUE[0] + 0.35
        mid = g.y + (g.h + g.depth * OBLIQUE[1]) / 2
        captions = _captions(t)
        offset = 0.22 if len(captions) == 2 else 0.4
        spec.add_label(Label(captions[0], text_x, mid + offset, size=9, ha="left", bold=True))
        for k, caption in enumerate(captions[1:]):
            spec.add_label(Label(caption, text_x, mid + offset - 0.42 * (k + 1), size=7.5, ha="left",
                                 role="output" if caption.startswith("→") else ""))
    for lay in layers:
        base, width = row_base[lay.level], _layer_width(lay)
        spec.add_block(Block(id=f"layer:{lay.name}", role=lay.role, shape="round", x=lay.x - width / 2,
                             y=base, w=width, h=LAYER_H, label=lay.headline, text=lay.detail))
        labelled = set()
        for tid, how in lay.inputs:
            if tid not in tensors:
                continue
            sx, sy = tops[tid]
            end_x = min(max(sx, lay.x + 0.8), lay.x + width / 2 - 0.4) if how else lay.x
            spec.add_arrow(Arrow(f"tensor:{tid}", f"layer:{lay.name}", tensors[tid].role, (sx, sy), (end_x, base),
                                 label=how if how not in labelled else ""))
            labelled.add(how)
        for j, tid in enumerate(lay.outputs):
            t, g = tensors[tid], glyphs[tid]
            start_x = lay.x if j == 0 else min(lay.x + width / 2 - 0.4 * j, t.x)
            label = ""
            if j == 0 and lay.passes:
                label = "every step" if lay.passes == "every timestep" else "last step"
            elif j == 1:
                label = "return_state"
            spec.add_arrow(Arrow(f"layer:{lay.name}", f"tensor:{tid}", t.role, (start_x, base + LAYER_H),
                                 (t.x, g.y - 0.05), label=label))
    inputs = [t for t in tensors.values() if t.level == 0]
    for t in inputs:
        name = "" if t.name in ("", "input", None) else f" {t.name}"
        spec.lines.append(f"input{name}: {shape_text(t.shape)}")
    for lay in layers:
        outs = ", ".join(shape_text(tensors[t].shape) for t in lay.outputs)
        outs = f"[{outs}]" if len(lay.outputs) > 1 else outs
        fed = [f"{how}={tensors[t].name or t}" for t, how in lay.inputs if how and t in tensors]
        what = lay.detail.split("\n")[1] if "\n" in lay.detail else ""
        weights = f"{lay.params:,} params" if lay.call == 0 else "same weights as call 1"
        spec.lines.append(f"{lay.name}: {lay.headline} -> {outs}; {weights}"
                          + (f"; {what}" if what else "") + (f"; {', '.join(fed)}" if fed else ""))
    total = sum(lay.params for lay in layers if lay.call == 0)
    distinct = sum(1 for lay in layers if lay.call == 0)
    spec.lines.append(f"total: {total:,} parameters in {distinct} layer{'' if distinct == 1 else 's'}")
    chain = " -> ".join([*(shape_text(t.shape) for t in inputs[:1]),
                         *(f"{lay.type} {shape_text(tensors[lay.outputs[0]].shape)}" for lay in layers)])
    spec.summary = (f"Model {model.name} drawn bottom to top, {distinct} layer{'' if distinct == 1 else 's'}, {total:,} parameters: "
                    f"{chain}.")
    states = sum(1 for t in tensors.values() if t.role in ("hidden", "cell"))
    if states:
        spec.summary += f" {states} state output(s) leave by their own arrows."
    spec.facts.update(
        total_params=total,
        layers=[{"name": lay.name, "type": lay.type, "params": lay.params, "passes": lay.passes,
                 "output_shapes": [tensors[t].shape for t in lay.outputs]} for lay in layers],
        inputs=[t.shape for t in inputs],
        outputs=[t.shape for t in tensors.values() if t.model_output],
    )
    return spec


def model_flow(model: Any, title: str | None = None):
    """Draw a built Keras model layer by layer with the tensor shape after each layer.

    >>> fig = model_flow(model)      # doctest: +SKIP
    """
    from .render import render

    return render(model_flow_spec(model, title=title))
