"""How a stateful RNN walks through consecutive batches, and what breaks the carry.

With ``stateful=True`` the state left by row i of one batch becomes the starting state of
row i of the next batch. That only helps when sample i of batch k+1 *continues* sample i of
batch k: the data must be cut so that sample ``j`` is part ``j // batch_size`` of sequence
``j % batch_size``. The diagram draws each batch as a column of rows (time left to right,
batch after batch), an arrow per carried state, ``reset_state()`` as a cut, and a warning in
the figure and in the spec when shuffling or a short last batch breaks the carry (a lone last
sample is drawn again in every row: Keras 3's fit and predict run it from each state row).

>>> spec = stateful_batches_spec(8, batch_size=2)
>>> spec.facts["batches"], len(spec.arrows_with_role("carry"))
([[0, 1], [2, 3], [4, 5], [6, 7]], 6)
"""
from __future__ import annotations

import math
import random
import string
from typing import Any, Iterable

from .spec import Arrow, Block, Label, Spec, shape_text, visible_indices

CELL_W, CELL_H = 2.2, 0.9
GAP_X, GAP_Y = 1.7, 0.3
SHUFFLE_SEED = 0


def _count(x: Any) -> tuple[int, tuple | None]:
    """(number of samples, shape or None) of ``x``: an array, a list, or a plain count."""
    if isinstance(x, int) and not isinstance(x, bool):
        if x < 1:
            raise ValueError(f"The number of samples must be at least 1, got {x}.")
        return x, None
    shape = getattr(x, "shape", None)
    if shape is not None and len(shape) >= 1:
        return int(shape[0]), tuple(None if d is None else int(d) for d in shape)
    try:
        return len(x), None
    except TypeError:
        raise TypeError(f"stateful_batches needs the data x (an array) or a number of samples, "
                        f"got {type(x).__name__}.") from None


def _sequence_name(stream: int) -> str:
    letters = string.ascii_uppercase
    return letters[stream] if stream < 26 else f"S{stream}"


def stateful_batches_spec(x: Any, batch_size: int, *, shuffle: bool = False, resets: Iterable[int] = (),
                          title: str | None = None) -> Spec:
    """The spec of :func:`stateful_batches`.

    ``resets`` lists batch numbers (0-based) before which ``reset_state()`` is called, so
    ``resets=(2,)`` cuts the carry between batch 1 and batch 2.
    """
    n, shape = _count(x)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive whole number, got {batch_size!r}.")
    n_batches = math.ceil(n / batch_size)
    resets = sorted({int(r) for r in resets})
    bad = [r for r in resets if not 1 <= r < n_batches]
    if bad:
        raise ValueError(f"resets holds batch numbers between 1 and {n_batches - 1} (a reset before that "
                         f"batch); got {bad}.")
    order = list(range(n))
    if shuffle:
        random.Random(SHUFFLE_SEED).shuffle(order)
    batches = [[order[k * batch_size + i] if k * batch_size + i < n else None for i in range(batch_size)]
               for k in range(n_batches)]
    lone = batches[-1][0] if n % batch_size == 1 and batch_size > 1 else None

    spec = Spec(kind="stateful_batches", title=title if title is not None else
                f"stateful RNN: {n} samples in batches of {batch_size}")
    shown_batches = visible_indices(n_batches, 6)
    shown_rows = visible_indices(batch_size, 6)
    columns: dict[int, float] = {}
    for col, k in enumerate(shown_batches):
        x0 = col * (CELL_W + GAP_X)
        if k is None:
            spec.add_label(Label("\u2026", x0 + CELL_W / 2, -(len(shown_rows) * (CELL_H + GAP_Y)) / 2 + CELL_H,
                                 size=16, bold=True))
            continue
        columns[k] = x0
        spec.add_label(Label(f"batch {k + 1}", x0 + CELL_W / 2, CELL_H + 0.35, size=9, bold=True))
        for r, i in enumerate(shown_rows):
            y0 = -r * (CELL_H + GAP_Y)
            if i is None:
                spec.add_label(Label("\u22ee", x0 + CELL_W / 2, y0 + CELL_H / 2, size=13, bold=True))
                continue
            j = batches[k][i]
            if j is None and lone is not None:
                # fit/predict broadcast a lone last sample over every state row
                spec.add_block(Block(id=f"b{k}r{i}", role="empty", shape="rect", x=x0, y=y0, w=CELL_W, h=CELL_H,
                                     label=f"#{lone} again", text="from this row's state", dashed=True))
            elif j is None:
                spec.add_block(Block(id=f"b{k}r{i}", role="empty", shape="rect", x=x0, y=y0, w=CELL_W, h=CELL_H,
                                     label="(empty)", text="no sample", dashed=True))
            else:
                seq, part = _sequence_name(j % batch_size), j // batch_size + 1
                spec.add_block(Block(id=f"b{k}r{i}", role="sample", shape="rect", x=x0, y=y0, w=CELL_W,
                                     h=CELL_H, label=f"#{j}", text=f"seq {seq}, part {part}"))
    row_y = {i: -r * (CELL_H + GAP_Y) + CELL_H / 2 for r, i in enumerate(shown_rows) if i is not None}
    for col in range(1, len(shown_batches)):
        k = shown_batches[col]
        before = shown_batches[col - 1]
        if k is None or before is None or k != before + 1:
            continue
        if k in resets:
            x_cut = columns[k] - GAP_X / 2
            low = -(len(shown_rows) - 1) * (CELL_H + GAP_Y) - 0.2
            spec.add_block(Block(id=f"reset{k}", role="warning", shape="cut", x=x_cut, y=low, w=0.0,
                                 h=CELL_H + 0.6 - low, label="reset_state()"))
            continue
        for i, y in row_y.items():
            a, b = batches[before][i], batches[k][i]
            if a is None or b is None:
                continue
            follows = a % batch_size == b % batch_size and b // batch_size == a // batch_size + 1
            spec.add_arrow(Arrow(f"b{before}r{i}", f"b{k}r{i}", "carry" if follows else "broken",
                                 (columns[before] + CELL_W, y), (columns[k], y),
                                 label="" if follows else "\u2717"))
    left = -0.3
    spec.add_label(Label(f"row i = sample slot i\n(batch_size = {batch_size})", left, CELL_H / 2, size=7.5,
                         ha="right"))
    bottom = -(len(shown_rows) - 1) * (CELL_H + GAP_Y) - 0.55
    right = max(columns.values()) + CELL_W
    spec.add_label(Label("time \u2192  each batch continues the one before; row i hands its state to row i",
                         right / 2, bottom, size=8))

    remainder = n % batch_size
    if shuffle:
        spec.warnings.append("shuffle=True reorders the samples, so the state carried out of row i lands on an "
                             "unrelated sequence. Call fit(..., shuffle=False) with a stateful layer.")
    if remainder == 1 and batch_size > 1:
        spec.warnings.append(f"{n} samples do not fill batches of {batch_size}: the last batch holds only 1. "
                             f"Keras 3's fit and predict run that lone sample from each of the {batch_size} state "
                             f"rows ({batch_size} rows out for 1 sample in); a direct layer call raises. Feed whole "
                             f"batches: trim x to {n - remainder} samples.")
    elif remainder:
        spec.warnings.append(f"{n} samples do not fill batches of {batch_size}: the last batch holds only "
                             f"{remainder}, which does not match the {batch_size} state rows: fit and predict crash "
                             f"(Incompatible shapes), and a direct layer call raises. Feed whole batches: trim x "
                             f"to {n - remainder} samples.")
    carry = spec.arrows_with_role("carry")
    broken = spec.arrows_with_role("broken")
    data = f"x {shape_text(shape)}: " if shape else ""
    spec.lines = [f"{data}{n} samples, batch_size {batch_size}, {n_batches} batches "
                  f"(shuffle={shuffle})"]
    if shuffle:
        spec.lines.append(f"one example shuffle (seed {SHUFFLE_SEED}); every epoch would draw another")
    for k in shown_batches:
        if k is None:
            spec.lines.append("...")
            continue
        rows = ", ".join("..." if i is None else str(batches[k][i]) if batches[k][i] is not None
                         else f"{lone} again" if lone is not None else "-" for i in shown_rows)
        spec.lines.append(f"batch {k + 1}: samples {rows}"
                          + ("  [reset_state() before this batch]" if k in resets else ""))
    spec.lines.append(f"state arrows drawn: {len(carry)} carry the right sequence, {len(broken)} join "
                      f"unrelated samples; {len(resets)} reset(s)")
    spec.summary = (f"{n} samples fed to a stateful RNN in {n_batches} batches of {batch_size}, drawn left to "
                    f"right; each row's final state starts the same row of the next batch. "
                    f"{len(carry)} arrows carry state along the right sequence"
                    + (f", {len(broken)} join unrelated samples" if broken else "")
                    + (f"; reset_state() cuts the carry before batch {', '.join(str(r + 1) for r in resets)}"
                       if resets else "") + ".")
    spec.legend = [r for r in ("sample", "empty", "carry", "broken", "warning")
                   if r in {b.role for b in spec.blocks} | {a.role for a in spec.arrows}]
    spec.facts.update(n_samples=n, batch_size=batch_size, n_batches=n_batches, batches=batches,
                      resets=resets, shuffle=shuffle, remainder=remainder)
    return spec


def stateful_batches(x: Any, batch_size: int, *, shuffle: bool = False, resets: Iterable[int] = (),
                     title: str | None = None):
    """Draw consecutive batches of ``x`` as a stateful RNN sees them; returns the Figure.

    >>> fig = stateful_batches(np.zeros((8, 5, 1)), batch_size=2, resets=(2,))   # doctest: +SKIP
    """
    from .render import render

    return render(stateful_batches_spec(x, batch_size, shuffle=shuffle, resets=resets, title=title))
