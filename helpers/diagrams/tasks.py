"""The four sequence tasks drawn side by side in one language: what goes in, what comes out,
and the shape the targets ``y`` must have.

* many-to-one: a sequence in, one prediction (or one vector of ``horizon`` values) out;
* many-to-many: a sequence in, one prediction per step out;
* one-to-many: one vector in, copied to every step (``RepeatVector``), a sequence out;
* encoder-decoder: an encoder reads the sequence and hands its states over; at inference the
  decoder makes one step at a time, each step reading the prediction before it.

Time runs left to right, data bottom to top: inputs below, recurrent steps in the middle, the
predictions that leave the model on top, with the targets' shape written above them.

>>> spec = sequence_task_spec("many-to-many", timesteps=4)
>>> spec.facts["output_shape"], spec.facts["target_shape"], len(spec.blocks_with_role("output"))
((None, 4, 1), ('batch', 4, 1), 4)
"""
from __future__ import annotations

from .spec import Arrow, Block, Label, Spec, shape_text, visible_indices

TASKS = ("many-to-one", "many-to-many", "one-to-many", "encoder-decoder")
COL = 2.6
BOX_W, BOX_H = 1.7, 0.8
CELL_W, CELL_H = 1.9, 1.0
ROW_X, ROW_CELL, ROW_OUT = 0.0, 1.5, 3.3
GAP = 1.4          # between the encoder and the decoder
VECTOR_Y = -1.6    # one-to-many: the single input vector, below its copies
SUBSCRIPTS = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")


def _sub(name: str, t) -> str:
    return f"{name}{str(t).translate(SUBSCRIPTS)}" if isinstance(t, int) else f"{name}_{t}"


def _task(task: str) -> str:
    name = str(task).lower().replace("_", "-").replace(" ", "-")
    if name not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}; got {task!r}.")
    return name


def _positive(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}.")
    return value


def target_text(shape: tuple) -> str:
    """A target shape with a named batch axis: ``(batch, 6, 1)``.

    >>> target_text(("batch", 6, 1))
    '(batch, 6, 1)'
    """
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _row(spec: Spec, prefix: str, count: int, x0: float, role: str, y: float, name: str, text: str,
         limit: int = 6) -> list[tuple[int, Block]]:
    """One row of boxes for steps 1..count (an ellipsis when there are many); returns (step, block)."""
    placed = []
    for col, t in enumerate(visible_indices(count, limit)):
        x = x0 + col * COL
        if t is None:
            spec.add_label(Label("\u2026", x + BOX_W / 2, y + BOX_H / 2, size=15, bold=True))
            continue
        block = spec.add_block(Block(id=f"{prefix}{t}", role=role, shape="rect", x=x, y=y, w=BOX_W, h=BOX_H,
                                     label=_sub(name, t + 1), text=text, plain=role == "output"))
        placed.append((t, block))
    return placed


def _cells(spec: Spec, prefix: str, steps: list[tuple[int, Block]], name: str) -> list[Block]:
    cells = []
    for t, below in steps:
        cells.append(spec.add_block(Block(id=f"{prefix}{t}", role="recurrent", shape="round",
                                          x=below.x - (CELL_W - BOX_W) / 2, y=ROW_CELL, w=CELL_W, h=CELL_H,
                                          label=name)))
    for a, b in zip(cells, cells[1:]):
        y = ROW_CELL + CELL_H / 2
        spec.add_arrow(Arrow(a.id, b.id, "hidden", (a.x + CELL_W, y), (b.x, y)))
    return cells


def _up(spec: Spec, low: Block, high: Block, role: str) -> None:
    spec.add_arrow(Arrow(low.id, high.id, role, (low.center[0], low.y + low.h), (high.center[0], high.y)))


def sequence_task_spec(task: str, *, timesteps: int = 6, features: int = 1, horizon: int | None = None,
                       outputs: int = 1, title: str | None = None) -> Spec:
    """The spec of :func:`sequence_task`.

    ``timesteps`` and ``features`` describe the input sequence (``features`` is the vector's size
    for one-to-many); ``horizon`` is how many values are predicted ahead (many-to-one: the size of
    the output vector; one-to-many and encoder-decoder: the number of output steps, default 3);
    ``outputs`` is the number of values predicted per step.
    """
    task = _task(task)
    timesteps, features, outputs = (_positive(timesteps, "timesteps"), _positive(features, "features"),
                                    _positive(outputs, "outputs"))
    if horizon is not None:
        horizon = _positive(horizon, "horizon")
    spec = Spec(kind="sequence_task", title=title if title is not None else task)
    f_text = f"{features} feature{'s' if features != 1 else ''}"

    if task == "one-to-many":
        steps = horizon or 3
        copies = _row(spec, "copy", steps, 0.0, "input", ROW_X, "x", "copy")
        middle = (copies[0][1].x + copies[-1][1].x + BOX_W) / 2
        vector = spec.add_block(Block(id="x", role="input", shape="rect", x=middle - BOX_W / 2, y=VECTOR_Y,
                                      w=BOX_W, h=BOX_H, label="x", text=f"{features} value{'s' if features != 1 else ''}"))
        for _, copy in copies:
            spec.add_arrow(Arrow(vector.id, copy.id, "input", (vector.center[0], vector.y + BOX_H),
                                 (copy.center[0], copy.y)))
        spec.add_label(Label(f"RepeatVector({steps}): the same x at every step", vector.x + BOX_W + 0.3,
                             vector.center[1], size=7.5, ha="left"))
        cells = _cells(spec, "cell", copies, "RNN")
        for (_, copy), cell in zip(copies, cells):
            _up(spec, copy, cell, "input")
        produced = _row(spec, "y", steps, 0.0, "output", ROW_OUT, "\u0177", f"{outputs} value{'s' if outputs != 1 else ''}")
        for (_, out), cell in zip(produced, cells):
            _up(spec, cell, out, "output")
        in_shape, out_shape = (None, features), (None, steps, outputs)
        target = ("batch", steps, outputs)
        how = f"one vector in, copied to {steps} steps, one prediction per step"
    elif task == "encoder-decoder":
        steps = horizon or 3
        enc_in = _row(spec, "x", timesteps, 0.0, "input", ROW_X, "x", f_text, limit=4)
        encoder = _cells(spec, "enc", enc_in, "encoder")
        for (_, x), cell in zip(enc_in, encoder):
            _up(spec, x, cell, "input")
        start = encoder[-1].x + CELL_W + GAP
        dec_in = _row(spec, "prev", steps, start, "input", ROW_X, "\u0177", "previous", limit=4)
        dec_in[0][1].label, dec_in[0][1].text = "start", "last known"
        decoder = _cells(spec, "dec", dec_in, "decoder")
        for (_, x), cell in zip(dec_in, decoder):
            _up(spec, x, cell, "input")
        y = ROW_CELL + CELL_H / 2
        spec.add_arrow(Arrow(encoder[-1].id, decoder[0].id, "hidden", (encoder[-1].x + CELL_W, y),
                             (decoder[0].x, y), label="states"))
        produced = _row(spec, "y", steps, start, "output", ROW_OUT, "\u0177", "prediction", limit=4)
        for (_, out), cell in zip(produced, decoder):
            _up(spec, cell, out, "output")
        by_step = dict(produced)
        for t, nxt in dec_in[1:]:
            previous = by_step.get(t - 1)
            if previous is not None:
                spec.add_arrow(Arrow(previous.id, nxt.id, "output", (previous.x + BOX_W, previous.y),
                                     (nxt.x, nxt.y + BOX_H), dashed=True))
        spec.add_label(Label("encoder reads the whole input", (encoder[0].x + encoder[-1].x + CELL_W) / 2,
                             ROW_CELL + CELL_H + 0.3, size=7.5))
        spec.add_label(Label("at inference: one decoder step per call", (decoder[0].x + decoder[-1].x + CELL_W) / 2,
                             ROW_X - 0.35, size=7.5))
        in_shape, out_shape = (None, timesteps, features), (None, steps, outputs)
        decoder_shape = (None, steps, outputs)
        spec.facts["inputs"] = [in_shape, decoder_shape]
        spec.add_label(Label(f"input 1, the past {shape_text(in_shape)}", (enc_in[0][1].x + enc_in[-1][1].x + BOX_W) / 2,
                             ROW_X - 0.9, size=8.5, bold=True, role="input"))
        spec.add_label(Label(f"input 2, the previous values {shape_text(decoder_shape)}",
                             (dec_in[0][1].x + dec_in[-1][1].x + BOX_W) / 2, ROW_X - 0.9, size=8.5, bold=True,
                             role="input"))
        target = ("batch", steps, outputs)
        how = (f"the encoder reads {timesteps} steps and hands its states to the decoder, which predicts "
               f"{steps} steps one at a time, each from the prediction before")
    else:
        enc_in = _row(spec, "x", timesteps, 0.0, "input", ROW_X, "x", f_text)
        cells = _cells(spec, "cell", enc_in, "RNN")
        for (_, x), cell in zip(enc_in, cells):
            _up(spec, x, cell, "input")
        in_shape = (None, timesteps, features)
        if task == "many-to-many":
            produced = _row(spec, "y", timesteps, 0.0, "output", ROW_OUT, "\u0177",
                            f"{outputs} value{'s' if outputs != 1 else ''}")
            for (_, out), cell in zip(produced, cells):
                _up(spec, cell, out, "output")
            out_shape, target = (None, timesteps, outputs), ("batch", timesteps, outputs)
            how = "a sequence in, one prediction at every step"
        else:
            size = horizon or outputs
            last = cells[-1]
            out = spec.add_block(Block(id="y", role="output", shape="rect", x=last.x + (CELL_W - BOX_W) / 2,
                                       y=ROW_OUT, w=BOX_W, h=BOX_H, label="\u0177",
                                       text=f"{size} value{'s' if size != 1 else ''}", plain=True))
            _up(spec, last, out, "output")
            if horizon and horizon > 1:
                spec.add_label(Label(f"Dense({horizon}): {horizon} future values as one vector",
                                     out.x - 0.3, out.center[1], size=7.5, ha="right"))
            out_shape, target = (None, size), ("batch", size)
            if size == 1:
                how = "a sequence in, one prediction out, read from the last step"
            else:
                what = f"{size} future values" if horizon and horizon > 1 else f"{size} values"
                how = f"a sequence in, one vector of {what} out, read from the last step"

    outs = spec.blocks_with_role("output")
    left = min(b.x for b in spec.blocks)
    right = max(b.x + b.w for b in spec.blocks)
    spec.add_label(Label(f"targets y {target_text(target)}: the same axes as the output {shape_text(out_shape)}",
                         (left + right) / 2, ROW_OUT + BOX_H + 0.45, size=8.5, bold=True, role="output"))
    bottom = min(b.y for b in spec.blocks)
    if task == "encoder-decoder":
        spec.add_label(Label("training feeds the true previous values (teacher forcing); inference, its own "
                             "predictions   time \u2192", (left + right) / 2, bottom - 1.35, size=8, role="input"))
    else:
        spec.add_label(Label(f"input {shape_text(in_shape)}   time \u2192", (left + right) / 2, bottom - 0.9,
                             size=8.5, bold=True, role="input"))
    spec.legend = [r for r in ("input", "recurrent", "hidden", "output")
                   if r in {b.role for b in spec.blocks} | {a.role for a in spec.arrows}]
    spec.lines = [f"input {shape_text(in_shape)} -> output {shape_text(out_shape)}",
                  f"targets y: {target_text(target)}",
                  how]
    if task == "encoder-decoder":
        spec.lines[0] = (f"inputs {shape_text(in_shape)} (the past) and {shape_text(spec.facts['inputs'][1])} (the "
                         f"previous values) -> output {shape_text(out_shape)}")
        spec.lines.append("training: the decoder reads the true previous values (teacher forcing)")
        spec.lines.append("inference: the states and the last prediction are handed to the next decoder call")
    spec.summary = (f"{task}: {how}. Input {shape_text(in_shape)}, output {shape_text(out_shape)}, so the "
                    f"targets must be shaped {target_text(target)}.")
    spec.facts.update(task=task, input_shape=in_shape, output_shape=out_shape, target_shape=target,
                      predictions=len(outs), timesteps=timesteps, horizon=horizon)
    return spec


def sequence_task(task: str, *, timesteps: int = 6, features: int = 1, horizon: int | None = None,
                  outputs: int = 1, title: str | None = None):
    """Draw one sequence task with its input, output and target shapes; returns the Figure.

    >>> fig = sequence_task("encoder-decoder", timesteps=12, horizon=3)   # doctest: +SKIP
    """
    from .render import render

    return render(sequence_task_spec(task, timesteps=timesteps, features=features, horizon=horizon,
                                     outputs=outputs, title=title))
