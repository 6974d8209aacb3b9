"""Two (or more) rows of named axes side by side: what one side has against what the other expects.

The explainer draws its pictures with it: a model's output against the targets ``y``, the states an
encoder hands over against the states a decoder holds, the axes of the data as given against the
axes as Keras reads them. Every row is a list of ``(name, size)`` cells; a cell that has no
partner of the same name and size in the row it is compared with is marked ``warning``.

>>> spec = comparison_spec("targets vs output", [("model output", [("batch", 32), ("timesteps", 10), ("classes", 5)]),
...                                              ("y", [("batch", 32), ("classes", 5)])])
>>> spec.facts["mismatched"]
[('model output', 'timesteps')]
>>> print(spec.describe())
comparison diagram: targets vs output
  model output: batch=32, timesteps=10, classes=5
  y: batch=32, classes=5
  WARNING: model output has timesteps=10; y has no timesteps
"""
from __future__ import annotations

from .spec import Block, Label, Spec, size_text

CELL_W, CELL_H, GAP, ROW_GAP, TITLE_W = 2.0, 0.9, 0.25, 0.7, 3.6
ROW_ROLES = ("input", "layer", "recurrent", "sample")


def _cells(row) -> list[tuple[str, int | None]]:
    title, cells = row[0], row[1]
    out = []
    for cell in cells:
        if not isinstance(cell, (tuple, list)) or len(cell) != 2:
            raise ValueError(f"each cell of row {title!r} must be (name, size); got {cell!r}")
        name, size = cell
        if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
            raise ValueError(f"the size of {name!r} in row {title!r} must be a whole number or None; got {size!r}")
        out.append((str(name), size))
    return out


def _mismatches(rows: list[tuple[str, list]]) -> list[tuple[str, str, str]]:
    """(row title, cell name, why) for cells the first two rows disagree on."""
    if len(rows) < 2:
        return []
    (a_title, a_cells), (b_title, b_cells) = rows[0], rows[1]
    a, b = dict(a_cells), dict(b_cells)
    found = []
    for title, cells, other_title, other in ((a_title, a_cells, b_title, b), (b_title, b_cells, a_title, a)):
        for name, size in cells:
            if name not in other:
                found.append((title, name, f"{title} has {name}={size_text(size)}; {other_title} has no {name}"))
            elif other[name] is not None and size is not None and other[name] != size and title == a_title:
                found.append((title, name, f"{name}: {title} {size_text(size)}, {other_title} {size_text(other[name])}"))
                found.append((other_title, name, ""))
    return found


def comparison_spec(title: str, rows, note: str = "") -> Spec:
    """A :class:`Spec` with one row of cells per ``(row title, [(name, size), ...])``; the first two rows are compared.

    >>> comparison_spec("states", [("encoder", [("h", 64)]), ("decoder", [("h", 128)])]).warnings
    ['h: encoder 64, decoder 128']
    """
    rows = [(str(row[0]), _cells(row)) for row in rows]
    if not rows:
        raise ValueError("a comparison needs at least one row")
    spec = Spec(kind="comparison", title=str(title), legend=[])
    mismatched = _mismatches(rows)
    marked = {(row, name) for row, name, _ in mismatched}
    for r, (row_title, cells) in enumerate(rows):
        y = -r * (CELL_H + ROW_GAP)
        spec.add_label(Label(row_title, TITLE_W - 0.2, y + CELL_H / 2, ha="right", bold=True))
        for c, (name, size) in enumerate(cells):
            bad = (row_title, name) in marked
            spec.add_block(Block(id=f"r{r}c{c}", role="warning" if bad else ROW_ROLES[r % len(ROW_ROLES)],
                                 shape="rect", x=TITLE_W + c * (CELL_W + GAP), y=y, w=CELL_W, h=CELL_H,
                                 label=name, text=size_text(size), dashed=bad))
        spec.lines.append(f"{row_title}: " + ", ".join(f"{name}={size_text(size)}" for name, size in cells))
    spec.warnings = [why for _, _, why in mismatched if why]
    if note:
        spec.add_label(Label(note, TITLE_W, -len(rows) * (CELL_H + ROW_GAP) + ROW_GAP / 2, ha="left", size=8.5))
        spec.lines.append(note)
    spec.legend = []   # the warnings above the picture say what differs
    spec.summary = f"{title}: " + "; ".join(spec.lines[:len(rows)]) + "."
    spec.facts = {"rows": [(t, list(c)) for t, c in rows], "mismatched": [(row, name) for row, name, why in mismatched if why]}
    return spec


def comparison(title: str, rows, note: str = ""):
    """Draw :func:`comparison_spec`; returns a Figure carrying ``fig.spec``."""
    from .render import render

    return render(comparison_spec(title, rows, note))
