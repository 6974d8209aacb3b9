"""A tensor as a labelled block: 3D box, 2D sheet, 1D strip.

The same drawing rule holds everywhere in the course: time runs left to right (width),
features run bottom to top (height), and the batch recedes into the page (depth). A size
Keras does not know yet (``None``) is drawn at a nominal length with a dashed edge marked "?".

>>> spec = tensor_spec((None, 5, 3))
>>> [e.label for e in spec.blocks[0].edges]
['timesteps = 5', 'features = 3', 'batch = ?']
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from .spec import OBLIQUE, Block, Edge, Label, Spec, shape_text, size_text

DEFAULT_NAMES = {
    0: (),
    1: ("features",),
    2: ("batch", "features"),
    3: ("batch", "timesteps", "features"),
}
NOMINAL_UNKNOWN = 3   # cells drawn for a size of None


def as_shape(shape_or_array: Any) -> tuple:
    """A plain tuple of ints and Nones from a shape, an array, a tensor or a KerasTensor.

    >>> as_shape([None, 5, 3])
    (None, 5, 3)
    """
    shape = getattr(shape_or_array, "shape", shape_or_array)
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = list(shape)
    except TypeError:
        raise TypeError(f"Expected a shape such as (None, 5, 3) or an array with a .shape, "
                        f"got {type(shape_or_array).__name__}.") from None
    result = []
    for d in dims:
        if d is None:
            result.append(None)
            continue
        try:
            value = int(d)
        except (TypeError, ValueError):
            raise TypeError(f"Every size in a shape must be a whole number or None, got {d!r}.") from None
        if value < 0 or isinstance(d, bool):
            raise ValueError(f"Sizes cannot be negative or True/False, got {d!r} in {tuple(dims)}.")
        result.append(value)
    return tuple(result)


def axis_names(rank: int, names: Sequence[str] | None = None) -> tuple[str, ...]:
    """The axis names for a tensor of this rank: ``names`` if given, else the course's defaults.

    >>> axis_names(2)
    ('batch', 'features')
    """
    if names is not None:
        names = tuple(str(n) for n in names)
        if len(names) != rank:
            raise ValueError(f"names has {len(names)} entries but the tensor has {rank} axes; "
                             f"give one name per axis.")
        return names
    if rank in DEFAULT_NAMES:
        return DEFAULT_NAMES[rank]
    return ("batch", *(f"axis {i}" for i in range(1, rank)))


def drawn_length(size: int | None, unit: float, cap: int = 10) -> float:
    """Length on the page for a size: linear up to ``cap`` cells, then slowly (log) growing.

    >>> drawn_length(4, 0.5), drawn_length(None, 0.5)
    (2.0, 1.5)
    """
    n = NOMINAL_UNKNOWN if size is None else max(size, 1)
    if n <= cap:
        return n * unit
    return (cap + math.log2(n / cap)) * unit


def tensor_block(shape: tuple, *, block_id: str = "tensor", role: str = "input", x: float = 0.0,
                 y: float = 0.0, unit: float = 0.5, cap: int = 10,
                 names: Sequence[str] | None = None, label: str = "") -> Block:
    """A tensor glyph whose front face has its lower-left corner at ``(x, y)``.

    Rank 3: box (width timesteps, height features, depth batch); rank 2: sheet one cell wide;
    rank 1: strip; rank 0: one cell; rank above 3: box of the last two axes, batch as depth.
    """
    rank = len(shape)
    names = axis_names(rank, names)
    if rank == 0:
        return Block(id=block_id, role=role, shape="strip", x=x, y=y, w=unit, h=unit, label=label)
    if rank == 1:
        edges = [Edge(names[0], shape[0], "left")]
        return Block(id=block_id, role=role, shape="strip", x=x, y=y, w=unit,
                     h=drawn_length(shape[0], unit, cap), label=label, edges=edges)
    depth_edge = Edge(names[0], shape[0], "depth")
    depth = drawn_length(shape[0], unit * 0.6, min(cap, 5))
    if rank == 2:
        edges = [Edge(names[1], shape[1], "left"), depth_edge]
        return Block(id=block_id, role=role, shape="sheet", x=x, y=y, w=unit * 0.5,
                     h=drawn_length(shape[1], unit, cap), depth=depth, label=label, edges=edges)
    edges = [Edge(names[-2], shape[-2], "bottom"), Edge(names[-1], shape[-1], "left"), depth_edge]
    edges += [Edge(n, s, "extra") for n, s in zip(names[1:-2], shape[1:-2])]
    return Block(id=block_id, role=role, shape="box3d", x=x, y=y, w=drawn_length(shape[-2], unit, cap),
                 h=drawn_length(shape[-1], unit, cap), depth=depth, label=label, edges=edges)


def shape_words(shape: tuple, names: Sequence[str] | None = None) -> str:
    """The shape spelled out axis by axis.

    >>> shape_words((None, 5, 3))
    'batch ? x timesteps 5 x features 3'
    """
    names = axis_names(len(shape), names)
    return " x ".join(f"{n} {size_text(s)}" for n, s in zip(names, shape)) or "a single number"


def tensor_spec(shape_or_array: Any, names: Sequence[str] | None = None, title: str | None = None,
                *, role: str = "input") -> Spec:
    """The spec of :func:`tensor`: one tensor block, its sizes on its edges.

    >>> tensor_spec((None, 2)).facts["rank"]
    2
    """
    shape = as_shape(shape_or_array)
    names = axis_names(len(shape), names)
    rank = len(shape)
    spec = Spec(kind="tensor", title=title if title is not None else f"tensor {shape_text(shape)}")
    block = spec.add_block(tensor_block(shape, role=role, names=names, label=""))
    form = {0: "a single cell", 1: "a strip", 2: "a sheet", 3: "a box"}.get(rank, "a box")
    spec.add_label(Label(f"shape {shape_text(shape)}", block.x + (block.w + block.depth * OBLIQUE[0]) / 2,
                         block.y - 0.95, size=10, bold=True))
    extra = [e.label for e in block.edges if e.side == "extra"]
    if extra:
        spec.add_label(Label("more axes, not drawn: " + ", ".join(extra), block.x + block.w / 2, block.y - 1.45,
                             size=8))
    spec.lines.append(f"shape {shape_text(shape)}, rank {rank}, drawn as {form}")
    for n, s in zip(names, shape):
        note = " (unknown: None, fixed only when data arrives)" if s is None else ""
        spec.lines.append(f"{n} = {size_text(s)}{note}")
    unknown = [n for n, s in zip(names, shape) if s is None]
    spec.legend = [role] + (["unknown"] if unknown else [])
    spec.summary = (f"A rank-{rank} tensor of shape {shape_text(shape)} drawn as {form}: "
                    f"{shape_words(shape, names)}."
                    + (f" Unknown sizes ({', '.join(unknown)}) are dashed edges marked '?'." if unknown else ""))
    spec.facts.update(shape=shape, names=names, rank=rank, unknown=unknown)
    return spec


def tensor(shape_or_array: Any, names: Sequence[str] | None = None, title: str | None = None, *,
           role: str = "input"):
    """Draw a tensor (a shape, array or KerasTensor) as a labelled block; returns the Figure.

    >>> fig = tensor((None, 5, 3))           # doctest: +SKIP
    >>> print(fig.spec.describe())           # doctest: +SKIP
    """
    from .render import render

    return render(tensor_spec(shape_or_array, names=names, title=title, role=role))
