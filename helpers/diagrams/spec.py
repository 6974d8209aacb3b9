"""The plain-data description of a diagram: what is drawn where, in which role.

Every diagram is a :class:`Spec` first and a picture second. A spec holds blocks (boxes,
tensors, cells), arrows between them, free labels and warnings, each with a *role* from
:data:`ROLES`. Coordinates are in diagram units (about half an inch each); x grows to the
right (time), y grows upward (data flows bottom to top). Tests, alt text and the
``describe()`` text all come from the spec, never from pixels.

>>> s = Spec(kind="demo", title="one block")
>>> s.add_block(Block(id="x", role="input", shape="rect", x=0, y=0, w=2, h=1, label="x")).center
(1.0, 0.5)
>>> s.roles_used()
['input']
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OBLIQUE = (0.6, 0.45)   # how far one unit of depth (the batch axis) recedes: right, up

# One entry per role: (colour from the Okabe-Ito palette, hatch, line style, legend text).
# Colour is never the only cue: every role also has a hatch or line style and a text label.
ROLES: dict[str, tuple[str, str, str, str]] = {
    "input": ("#56B4E9", "", "-", "input data"),
    "output": ("#009E73", ".", "-", "output passed on"),
    "hidden": ("#E69F00", "/", "-", "hidden state h"),
    "cell": ("#CC79A7", "x", "--", "cell state c (LSTM)"),
    "weights": ("#0072B2", "", "-", "shared weights"),
    "layer": ("#F2F2F2", "", "-", "layer"),
    "recurrent": ("#F0E442", "", "-", "recurrent layer"),
    "dropped": ("#BBBBBB", "", ":", "computed, not returned"),
    "zeros": ("#E8E8E8", "", "--", "start state: zeros (default)"),
    "warning": ("#D55E00", "", "--", "warning / reset"),
    "sample": ("#56B4E9", "", "-", "sample (one sequence chunk)"),
    "empty": ("#FFFFFF", "", "--", "missing sample"),
    "carry": ("#E69F00", "", "-", "state carried to the next batch"),
    "broken": ("#D55E00", "", "--", "carry joins unrelated sequences"),
    "unknown": ("#000000", "", "--", "unknown size (None)"),
}


@dataclass
class Edge:
    """One named edge of a tensor block: ``axis`` name, its ``size`` (None if unknown)."""

    axis: str
    size: int | None
    side: str = "bottom"   # bottom (width), left (height) or depth (oblique)

    @property
    def label(self) -> str:
        return f"{self.axis} = {'?' if self.size is None else self.size}"

    @property
    def dashed(self) -> bool:
        return self.size is None


@dataclass
class Block:
    """A drawn box. ``shape`` is rect, round, box3d, sheet, strip or circle."""

    id: str
    role: str
    shape: str
    x: float
    y: float
    w: float
    h: float
    label: str = ""
    depth: float = 0.0
    edges: list[Edge] = field(default_factory=list)
    text: str = ""          # smaller second line (sizes, parameter counts)
    dashed: bool = False
    compact: bool = False   # tensor glyph without edge labels (sizes are printed beside it)
    plain: bool = False     # no hatch pattern behind the text, so small labels stay readable

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)


@dataclass
class Arrow:
    """An arrow from point ``start`` to point ``end``; ``src``/``dst`` name the blocks it joins."""

    src: str
    dst: str
    role: str
    start: tuple[float, float]
    end: tuple[float, float]
    label: str = ""
    dashed: bool = False


@dataclass
class Label:
    """Free text placed at ``(x, y)``."""

    text: str
    x: float
    y: float
    role: str = ""
    size: float = 9.0
    ha: str = "center"
    va: str = "center"
    bold: bool = False
    boxed: bool = False     # white background, so arrows passing behind do not cross the text


@dataclass(repr=False)
class Spec:
    """Everything a diagram shows, as plain data. Render it with :func:`helpers.diagrams.render`."""

    kind: str
    title: str = ""
    blocks: list[Block] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)      # the describe() body, one fact per line
    summary: str = ""                                    # one sentence for the alt text
    legend: list[str] | None = None                      # roles in the legend (None: roles used)
    facts: dict[str, Any] = field(default_factory=dict)  # numbers tests and callers may read

    def add_block(self, block: Block) -> Block:
        self.blocks.append(block)
        return block

    def add_arrow(self, arrow: Arrow) -> Arrow:
        self.arrows.append(arrow)
        return arrow

    def add_label(self, label: Label) -> Label:
        self.labels.append(label)
        return label

    def block(self, block_id: str) -> Block:
        """The block with this id (KeyError if there is none)."""
        for b in self.blocks:
            if b.id == block_id:
                return b
        raise KeyError(block_id)

    def blocks_with_role(self, role: str) -> list[Block]:
        return [b for b in self.blocks if b.role == role]

    def arrows_with_role(self, role: str) -> list[Arrow]:
        return [a for a in self.arrows if a.role == role]

    def roles_used(self) -> list[str]:
        """Roles of blocks and arrows, in the order of :data:`ROLES`."""
        used = {b.role for b in self.blocks} | {a.role for a in self.arrows}
        used |= {lab.role for lab in self.labels if lab.role}
        if any(e.dashed for b in self.blocks for e in b.edges):
            used.add("unknown")
        return [r for r in ROLES if r in used]

    def legend_roles(self) -> list[str]:
        return list(self.legend) if self.legend is not None else self.roles_used()

    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) over blocks, arrows and labels."""
        xs: list[float] = []
        ys: list[float] = []
        for b in self.blocks:
            xs += [b.x, b.x + b.w + b.depth * OBLIQUE[0]]
            ys += [b.y, b.y + b.h + b.depth * OBLIQUE[1]]
        for a in self.arrows:
            xs += [a.start[0], a.end[0]]
            ys += [a.start[1], a.end[1]]
        for lab in self.labels:
            xs.append(lab.x)
            ys.append(lab.y)
        if not xs:
            return (0.0, 0.0, 1.0, 1.0)
        return (min(xs), min(ys), max(xs), max(ys))

    @property
    def alt_text(self) -> str:
        """A short description for screen readers: the summary plus any warnings."""
        parts = [self.summary or self.title or f"{self.kind} diagram"]
        parts += [f"Warning: {w}" for w in self.warnings]
        return " ".join(p.strip() for p in parts)

    def describe(self) -> str:
        """Stable plain text of what the diagram shows (also the figure's text/plain)."""
        head = f"{self.kind} diagram" + (f": {self.title}" if self.title else "")
        body = [f"  {line}" for line in self.lines]
        body += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join([head, *body])

    def to_dict(self) -> dict:
        """The spec as nested dicts and lists (JSON-friendly)."""
        return asdict(self)

    def __str__(self) -> str:
        return self.describe()

    __repr__ = __str__


def size_text(size: int | None) -> str:
    """``'?'`` for an unknown size, else the number as text.

    >>> size_text(None), size_text(5)
    ('?', '5')
    """
    return "?" if size is None else str(size)


def shape_text(shape: tuple | list) -> str:
    """A shape as Keras prints it, ``None`` kept.

    >>> shape_text((None, 5, 3))
    '(None, 5, 3)'
    """
    shape = tuple(shape)
    if len(shape) == 1:
        return f"({'None' if shape[0] is None else shape[0]},)"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def visible_indices(n: int, limit: int = 6) -> list[int | None]:
    """Indices to draw out of ``n``; ``None`` marks an ellipsis when ``n`` exceeds ``limit``.

    >>> visible_indices(3), visible_indices(10, 5)
    ([0, 1, 2], [0, 1, 2, None, 9])
    """
    if n <= limit:
        return list(range(n))
    head = max(1, limit - 2)
    return [*range(head), None, n - 1]
