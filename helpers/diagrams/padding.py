"""A padded batch: sequences of different lengths made one length, with the padded steps masked.

Each sequence is one row (samples top to bottom), its steps run left to right (time). Real
steps and padded steps are different roles, so colour, hatch, border style and the legend all
say which is which, and each row ends with its mask, as a Keras mask reads (1 = real step,
0 = skipped). Padding and truncating follow ``keras.utils.pad_sequences``: ``"pre"`` (its
default) or ``"post"``.

>>> spec = padded_batch_spec([[0.3, 0.7, 0.2], [0.9, 0.4]], padding="post")
>>> spec.facts["mask"]
[[1, 1, 1], [1, 1, 0]]
"""
from __future__ import annotations

import numbers
from typing import Any, Sequence

from .spec import ROLES, Block, Label, Spec, visible_indices

CELL_W, CELL_H = 1.0, 0.75
GAP_Y = 0.25

# Registered here rather than in spec.py, so this diagram stays a module of its own.
ROLES.setdefault("step", ("#56B4E9", "", "-", "real step (mask 1)"))
ROLES.setdefault("padding", ("#E8E8E8", "\\\\", "--", "padded step (mask 0: skipped)"))


def _lengths_and_values(sequences: Any) -> tuple[list[int], list[list | None]]:
    """Lengths of ``sequences`` (a list of sequences, or of lengths) and their values when short scalars."""
    try:
        items = list(sequences)
    except TypeError:
        raise TypeError("padded_batch needs a list of sequences (or of their lengths), "
                        f"got {type(sequences).__name__}.") from None
    if not items:
        raise ValueError("padded_batch needs at least one sequence.")
    lengths, values = [], []
    for item in items:
        if isinstance(item, numbers.Integral) and not isinstance(item, bool):
            if item < 0:
                raise ValueError(f"A length cannot be negative, got {item}.")
            lengths.append(int(item))
            values.append(None)
            continue
        try:
            steps = list(item)
        except TypeError:
            raise TypeError(f"Each sequence must have a length (a list or array), got {type(item).__name__}.") from None
        lengths.append(len(steps))
        scalars = all(isinstance(v, numbers.Real) and not hasattr(v, "__len__") for v in steps)
        values.append([float(v) for v in steps] if scalars else None)
    return lengths, values


def _value_text(value: float) -> str:
    return f"{value:g}" if len(f"{value:g}") <= 4 else f"{value:.2f}"


def padded_batch_spec(sequences: Any, *, padding: str = "pre", truncating: str = "pre", maxlen: int | None = None,
                      value: float = 0.0, title: str | None = None) -> Spec:
    """The spec of :func:`padded_batch`: one row per sequence, one cell per step, masks at the right.

    >>> padded_batch_spec([3, 1], padding="pre").facts["mask"]
    [[1, 1, 1], [0, 0, 1]]
    """
    if padding not in ("pre", "post"):
        raise ValueError(f"padding must be 'pre' or 'post' (as in pad_sequences), got {padding!r}.")
    if truncating not in ("pre", "post"):
        raise ValueError(f"truncating must be 'pre' or 'post' (as in pad_sequences), got {truncating!r}.")
    lengths, values = _lengths_and_values(sequences)
    longest = max(lengths)
    if maxlen is None:
        maxlen = longest
    if not isinstance(maxlen, numbers.Integral) or isinstance(maxlen, bool) or maxlen < 1:
        raise ValueError(f"maxlen must be a positive whole number or None, got {maxlen!r}.")
    maxlen = int(maxlen)

    rows = []   # per sequence: list of (kind, step index in the sequence or None, value or None)
    warnings = []
    for i, (n, vals) in enumerate(zip(lengths, values)):
        kept = list(range(n))
        if n > maxlen:
            kept = kept[n - maxlen:] if truncating == "pre" else kept[:maxlen]
            side = "first" if truncating == "pre" else "last"
            warnings.append(f"sequence {i} has {n} steps: truncating='{truncating}' cuts its {side} {n - maxlen} "
                            f"to fit maxlen={maxlen}.")
        pad = [("pad", None, value)] * (maxlen - len(kept))
        real = [("real", t, None if vals is None else vals[t]) for t in kept]
        rows.append(pad + real if padding == "pre" else real + pad)
    mask = [[1 if kind == "real" else 0 for kind, _, _ in row] for row in rows]

    spec = Spec(kind="padded_batch", title=title if title is not None else
                f"{len(lengths)} sequences padded ('{padding}') to {maxlen} steps")
    shown_rows = visible_indices(len(rows), 6)
    shown_steps = visible_indices(maxlen, 10)
    for c, t in enumerate(shown_steps):
        spec.add_label(Label("\u2026" if t is None else f"t{t}", c * CELL_W + CELL_W / 2, CELL_H + 0.3, size=8))
    for r, i in enumerate(shown_rows):
        y0 = -r * (CELL_H + GAP_Y)
        if i is None:
            spec.add_label(Label("\u22ee", len(shown_steps) * CELL_W / 2, y0 + CELL_H / 2, size=13, bold=True))
            continue
        spec.add_label(Label(f"seq {i} ({lengths[i]})", -0.25, y0 + CELL_H / 2, size=8, ha="right"))
        for c, t in enumerate(shown_steps):
            x0 = c * CELL_W
            if t is None:
                spec.add_label(Label("\u2026", x0 + CELL_W / 2, y0 + CELL_H / 2, size=10))
                continue
            kind, _, shown = rows[i][t]
            text = "" if shown is None else _value_text(shown)
            spec.add_block(Block(id=f"r{i}t{t}", role="step" if kind == "real" else "padding", shape="rect",
                                 x=x0, y=y0, w=CELL_W, h=CELL_H, label=text, dashed=kind != "real"))
        mask_text = " ".join("\u2026" if t is None else str(mask[i][t]) for t in shown_steps)
        spec.add_label(Label(f"mask {mask_text}", len(shown_steps) * CELL_W + 0.3, y0 + CELL_H / 2, size=8,
                             ha="left"))
    bottom = -(len(shown_rows) - 1) * (CELL_H + GAP_Y) - 0.45
    spec.add_label(Label("time \u2192", len(shown_steps) * CELL_W / 2, bottom, size=8))

    n_padded = sum(row.count(0) for row in mask)
    spec.warnings = warnings
    spec.legend = ["step", "padding"]
    where = "at the start" if padding == "pre" else "at the end"
    spec.lines = [f"{len(lengths)} sequences of lengths {', '.join(map(str, lengths))} -> {maxlen} steps each, "
                  f"padded {where} (padding='{padding}') with {value:g}"]
    for i in (i for i in shown_rows if i is not None):
        spec.lines.append(f"seq {i}: {mask[i].count(1)} real, {mask[i].count(0)} padded; mask {mask[i]}")
    if len(rows) > len([i for i in shown_rows if i is not None]):
        spec.lines.append(f"... {len(rows)} rows in all")
    spec.lines.append(f"{n_padded} padded step{'s' if n_padded != 1 else ''} in all, masked (mask 0): "
                      "a masked RNN skips them")
    spec.summary = (f"A batch of {len(lengths)} sequences of lengths {', '.join(map(str, lengths))}, one row each, "
                    f"time left to right, made {maxlen} steps long by {n_padded} padded step"
                    f"{'s' if n_padded != 1 else ''} {where}. Each row ends with its mask: 1 for a real step, "
                    "0 for a padded one, which a masked layer skips.")
    spec.facts.update(lengths=lengths, maxlen=maxlen, padding=padding, truncating=truncating, mask=mask,
                      n_padded=n_padded, value=value)
    return spec


def padded_batch(sequences: Sequence, *, padding: str = "pre", truncating: str = "pre", maxlen: int | None = None,
                 value: float = 0.0, title: str | None = None):
    """Draw sequences of different lengths as the padded batch ``pad_sequences`` makes; returns the Figure.

    >>> fig = padded_batch([[0.3, 0.7, 0.2], [0.9, 0.4]], padding="post")   # doctest: +SKIP
    """
    from .render import render

    return render(padded_batch_spec(sequences, padding=padding, truncating=truncating, maxlen=maxlen,
                                    value=value, title=title))
