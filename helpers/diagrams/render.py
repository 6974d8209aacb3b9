"""Draw a :class:`~helpers.diagrams.spec.Spec` with matplotlib (any backend, Agg included).

Figures are built with ``matplotlib.figure.Figure``, not pyplot, so the inline backend never
shows them a second time. In a notebook a :class:`DiagramFigure` displays once: a PNG inside an
``<img>`` whose alt text comes from the spec, with the spec's ``describe()`` text as text/plain.

>>> from helpers.diagrams.tensor import tensor_spec
>>> fig = render(tensor_spec((None, 5, 3)))
>>> fig.spec.kind
'tensor'
"""
from __future__ import annotations

import base64
import html
import io
import math
import textwrap

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Patch, Polygon, Rectangle

from .spec import OBLIQUE, ROLES, Block, Spec

UNIT_INCH = 0.42     # one diagram unit on paper
DPI = 90
MARGIN = 0.5         # units around the content
INK = "#222222"
MIN_WIDTH_INCH = 4.6


def role_colour(role: str) -> str:
    return ROLES.get(role, ROLES["layer"])[0]


def mix(colour: str, other: str, amount: float) -> tuple[float, float, float]:
    """``colour`` moved ``amount`` (0..1) of the way towards ``other``."""
    from matplotlib.colors import to_rgb

    a, b = to_rgb(colour), to_rgb(other)
    return tuple(x + (y - x) * amount for x, y in zip(a, b))


def line_colour(role: str):
    """A darker shade of the role colour, for arrows and edges that must stand out on white."""
    if role in ("layer", "empty"):
        return INK
    return mix(role_colour(role), "#000000", 0.25)


class DiagramFigure(Figure):
    """A matplotlib Figure that carries its :class:`Spec` and shows itself once, with alt text."""

    spec: Spec
    png_dpi: int = DPI

    def to_png(self) -> bytes:
        """The figure as PNG bytes: 128 colours, so a diagram weighs a few tens of KB at most."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=self.png_dpi, metadata={"Software": None})
        return small_png(buffer.getvalue())

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _img_tag(self, png: bytes) -> str:
        data = base64.b64encode(png).decode("ascii")
        alt = html.escape(self.spec.alt_text, quote=True)
        return f'<img src="data:image/png;base64,{data}" alt="{alt}" title="{alt}"/>'

    def _repr_html_(self) -> str:
        return self._img_tag(self.to_png())

    def _repr_mimebundle_(self, include=None, exclude=None):
        _keep_our_png()
        png = self.to_png()
        return {"text/plain": self.spec.describe(), "image/png": png, "text/html": self._img_tag(png)}

    def __repr__(self) -> str:
        return self.spec.describe()

    __str__ = __repr__


def small_png(png: bytes, colours: int = 128) -> bytes:
    """``png`` re-encoded with a palette (flat diagram colours survive within a few levels of 255).

    Pillow comes with matplotlib; without it the PNG is returned unchanged.
    """
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - matplotlib depends on Pillow
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB")
    reduced = image.quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _keep_our_png() -> None:
    """Stop matplotlib's inline backend from replacing our small PNG with its own, larger one.

    ``%matplotlib inline`` registers a PNG printer for every Figure, and IPython lets a registered
    printer override a mimebundle entry unless it returns None; this one does, for our class only.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters.get("image/png")
    if formatter is not None and DiagramFigure not in formatter.type_printers:
        formatter.for_type(DiagramFigure, lambda figure: None)


def _text_width(text: str, size: float) -> float:
    """Rough width of a text in diagram units (for the figure's extent only)."""
    longest = max((len(line) for line in text.split("\n")), default=0)
    return longest * size * 0.6 / 72 / UNIT_INCH


def _extent(spec: Spec) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = spec.bounds()
    for lab in spec.labels:
        width = _text_width(lab.text, lab.size)
        left = {"left": lab.x, "right": lab.x - width}.get(lab.ha, lab.x - width / 2)
        xmin, xmax = min(xmin, left), max(xmax, left + width)
    for b in spec.blocks:
        if b.edges:
            xmin = min(xmin, b.x - 0.7)
            ymin = min(ymin, b.y - 0.6)
            ymax = max(ymax, b.y + b.h + b.depth * OBLIQUE[1] + 0.5)
    for a in spec.arrows:
        if a.label:
            width = _text_width(a.label, 7.5)
            xmax = max(xmax, (a.start[0] + a.end[0]) / 2 + 0.2 + width)
    return xmin - MARGIN, ymin - MARGIN, xmax + MARGIN, ymax + MARGIN


def render(spec: Spec, *, dpi: int = DPI) -> DiagramFigure:
    """Draw ``spec`` on a new :class:`DiagramFigure` (``fig.spec`` is ``spec``)."""
    xmin, ymin, xmax, ymax = _extent(spec)
    content_w, content_h = (xmax - xmin) * UNIT_INCH, (ymax - ymin) * UNIT_INCH
    width = max(content_w, MIN_WIDTH_INCH)
    if width > content_w:
        pad = (width - content_w) / UNIT_INCH / 2
        xmin, xmax = xmin - pad, xmax + pad
    chars = int(width * 72 / (8.5 * 0.66))
    warning_lines = [line for w in spec.warnings for line in textwrap.wrap("\u26a0 " + w, chars)]
    roles = spec.legend_roles()
    columns = max(1, min(len(roles), int(width // 1.9)))
    legend_rows = math.ceil(len(roles) / columns) if roles else 0
    title_h = 0.38 if spec.title else 0.08
    warn_h = 0.19 * len(warning_lines) + (0.08 if warning_lines else 0)
    legend_h = 0.2 * legend_rows + (0.14 if roles else 0)
    height = content_h + title_h + warn_h + legend_h

    fig = DiagramFigure(figsize=(width, height), dpi=dpi)
    fig.spec = spec
    fig.png_dpi = dpi
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((0, legend_h / height, 1, content_h / height))
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_axis_off()
    if spec.title:
        fig.text(0.5, 1 - 0.21 / height, spec.title, ha="center", va="center", fontsize=11,
                 fontweight="bold", color=INK)
    for i, line in enumerate(warning_lines):
        fig.text(0.5, 1 - (title_h + 0.1 + 0.19 * i) / height, line, ha="center", va="center",
                 fontsize=8.5, color=line_colour("warning"), fontweight="bold")
    for block in spec.blocks:
        _draw_block(ax, block)
    for arrow in spec.arrows:
        _draw_arrow(ax, arrow)
    for lab in spec.labels:
        colour = line_colour(lab.role) if lab.role else INK
        box = {"facecolor": "white", "edgecolor": "none", "pad": 1.5} if lab.boxed else None
        ax.text(lab.x, lab.y, lab.text, ha=lab.ha, va=lab.va, fontsize=lab.size, color=colour,
                fontweight="bold" if lab.bold else "normal", bbox=box, zorder=4 if lab.boxed else 3)
    if roles:
        fig.legend(handles=[_legend_handle(r) for r in roles], loc="lower center", ncol=columns,
                   fontsize=7.5, frameon=False, handlelength=2.2, columnspacing=1.2,
                   bbox_to_anchor=(0.5, 0.02 / height))
    return fig


def _legend_handle(role: str):
    colour, hatch, style, text = ROLES[role]
    if role in ("carry", "broken", "unknown", "warning"):
        return Line2D([], [], color=line_colour(role), linestyle=style, linewidth=1.8, label=text)
    return _soft_hatch(Patch(facecolor=colour, edgecolor=INK, hatch=hatch, linestyle=style, label=text), colour)


def _soft_hatch(patch, colour):
    """Hatch lines in a darker shade of the fill, thin, so the pattern is a cue and not noise."""
    if hasattr(patch, "set_hatchcolor"):
        patch.set_hatchcolor(mix(colour, "#000000", 0.3))
    if hasattr(patch, "set_hatch_linewidth"):
        patch.set_hatch_linewidth(0.6)
    return patch


def _add(ax, patch, colour):
    return ax.add_patch(_soft_hatch(patch, colour))


def _face_style(block: Block) -> dict:
    colour, hatch, style, _ = ROLES.get(block.role, ROLES["layer"])
    return {"facecolor": colour, "hatch": "" if block.plain else hatch, "edgecolor": INK,
            "linestyle": "--" if block.dashed else "-", "linewidth": 1.0}


def _draw_block(ax, block: Block) -> None:
    if block.shape == "cut":
        ax.plot([block.x, block.x], [block.y, block.y + block.h], color=line_colour(block.role), linewidth=2.2,
                linestyle=(0, (4, 2)))
        ax.text(block.x, block.y + block.h + 0.12, "\u2702 " + block.label, ha="center", va="bottom",
                fontsize=8, fontweight="bold", color=line_colour(block.role))
        return
    if block.shape in ("box3d", "sheet"):
        _draw_tensor(ax, block)
    elif block.shape == "strip":
        _draw_strip(ax, block)
    elif block.shape == "circle":
        radius = min(block.w, block.h) / 2
        _add(ax, Circle(block.center, radius, **_face_style(block)), role_colour(block.role))
    elif block.shape == "round":
        _add(ax, FancyBboxPatch((block.x, block.y), block.w, block.h,
                                boxstyle="round,pad=0,rounding_size=0.18", **_face_style(block)), role_colour(block.role))
    else:
        _add(ax, Rectangle((block.x, block.y), block.w, block.h, **_face_style(block)), role_colour(block.role))
    if block.shape in ("box3d", "sheet", "strip"):
        return
    cx, cy = block.center
    ink = _text_on(role_colour(block.role))
    if block.label and block.text:
        if block.h >= 1.3 and "\n" in block.text:
            label_y, text_y = block.y + block.h - 0.32, block.y + (block.h - 0.5) / 2
        else:
            label_y, text_y = block.y + block.h * 0.68, block.y + block.h * 0.27
        ax.text(cx, label_y, block.label, ha="center", va="center", fontsize=9, fontweight="bold", color=ink)
        ax.text(cx, text_y, block.text, ha="center", va="center", fontsize=7.5, color=ink, linespacing=1.3)
    elif block.label and block.h >= 1.3:
        ax.text(cx, block.y + block.h - 0.32, block.label, ha="center", va="center", fontsize=9,
                fontweight="bold", color=ink)
    elif block.label:
        ax.text(cx, cy, block.label, ha="center", va="center", fontsize=9, fontweight="bold", color=ink)


def _text_on(fill: str) -> str:
    """White text on dark fills, dark text on light ones."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(fill)
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.35 else INK


def _edge(block: Block, side: str):
    for edge in block.edges:
        if edge.side == side:
            return edge
    return None


def _draw_tensor(ax, block: Block) -> None:
    x, y, w, h = block.x, block.y, block.w, block.h
    dx, dy = block.depth * OBLIQUE[0], block.depth * OBLIQUE[1]
    colour, hatch, _, _ = ROLES.get(block.role, ROLES["input"])
    faces = [
        ([(x, y + h), (x + w, y + h), (x + w + dx, y + h + dy), (x + dx, y + h + dy)], mix(colour, "#ffffff", 0.45)),
        ([(x + w, y), (x + w + dx, y + dy), (x + w + dx, y + h + dy), (x + w, y + h)], mix(colour, "#000000", 0.2)),
        ([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], colour),
    ]
    for points, face in faces:
        _add(ax, Polygon(points, closed=True, facecolor=face, edgecolor=INK, linewidth=0.8,
                         hatch=hatch if face == colour else ""), colour)
    grid = {"color": INK, "linewidth": 0.35, "alpha": 0.6}
    bottom, left, depth = _edge(block, "bottom"), _edge(block, "left"), _edge(block, "depth")
    if bottom and bottom.size and bottom.size <= 16:
        for i in range(1, bottom.size):
            xi = x + w * i / bottom.size
            ax.plot([xi, xi, xi + dx], [y, y + h, y + h + dy], **grid)
    if left and left.size and left.size <= 16:
        for j in range(1, left.size):
            yj = y + h * j / left.size
            ax.plot([x, x + w, x + w + dx], [yj, yj, yj + dy], **grid)
    if depth and depth.size and depth.size <= 12:
        for k in range(1, depth.size):
            ox, oy = dx * k / depth.size, dy * k / depth.size
            ax.plot([x + ox, x + w + ox, x + w + ox], [y + h + oy, y + h + oy, y + oy], **grid)
    if block.compact:
        _compact_edges(ax, block, dx, dy)
        return
    if bottom:
        _edge_line(ax, bottom, (x, y - 0.08), (x + w, y - 0.08))
        ax.text(x + w / 2, y - 0.22, bottom.label, ha="center", va="top", fontsize=8, color=INK)
    if left:
        _edge_line(ax, left, (x - 0.08, y), (x - 0.08, y + h))
        ax.text(x - 0.22, y + h / 2, left.label, ha="right", va="center", fontsize=8, color=INK,
                rotation=90 if h > 1.6 else 0)
    if depth:
        start, end = (x - 0.1, y + h + 0.1), (x - 0.1 + dx, y + h + 0.1 + dy)
        _edge_line(ax, depth, start, end)
        angle = math.degrees(math.atan2(dy, dx)) if dx else 0
        ax.text((start[0] + end[0]) / 2 - 0.12, (start[1] + end[1]) / 2 + 0.12, depth.label, ha="right",
                va="bottom", fontsize=8, color=INK, rotation=angle if block.depth > 1.2 else 0,
                rotation_mode="anchor")
    if block.label:
        ax.text(x + (w + dx) / 2, y + h + dy + 0.35, block.label, ha="center", va="bottom", fontsize=9,
                fontweight="bold", color=INK)


def _compact_edges(ax, block: Block, dx: float, dy: float) -> None:
    """Small glyph: sizes are printed beside it, so only unknown edges get a dashed line and "?"."""
    x, y, w, h = block.x, block.y, block.w, block.h
    ends = {"bottom": ((x, y), (x + w, y)), "left": ((x, y), (x, y + h)),
            "depth": ((x, y + h), (x + dx, y + h + dy))}
    for edge in block.edges:
        if edge.dashed and edge.side in ends:
            (x0, y0), (x1, y1) = ends[edge.side]
            _edge_line(ax, edge, (x0, y0), (x1, y1))
            ax.text((x0 + x1) / 2 - 0.12, (y0 + y1) / 2 + 0.05, "?", ha="right", va="bottom", fontsize=8,
                    fontweight="bold", color=line_colour("unknown"))


def _edge_line(ax, edge, start, end) -> None:
    if edge.dashed:
        ax.plot([start[0], end[0]], [start[1], end[1]], color=line_colour("unknown"), linewidth=1.6,
                linestyle=(0, (3, 2)))
    else:
        ax.plot([start[0], end[0]], [start[1], end[1]], color=INK, linewidth=0.9)


def _draw_strip(ax, block: Block) -> None:
    _add(ax, Rectangle((block.x, block.y), block.w, block.h, **_face_style(block)), role_colour(block.role))
    left = _edge(block, "left")
    if left and left.size and left.size <= 16:
        for j in range(1, left.size):
            yj = block.y + block.h * j / left.size
            ax.plot([block.x, block.x + block.w], [yj, yj], color=INK, linewidth=0.35, alpha=0.6)
    if left:
        _edge_line(ax, left, (block.x - 0.08, block.y), (block.x - 0.08, block.y + block.h))
        ax.text(block.x - 0.22, block.y + block.h / 2, left.label, ha="right", va="center", fontsize=8,
                color=INK)
    if block.label:
        ax.text(block.x + block.w / 2, block.y + block.h + 0.2, block.label, ha="center", va="bottom",
                fontsize=9, fontweight="bold", color=INK)


def _draw_arrow(ax, arrow) -> None:
    _, _, style, _ = ROLES.get(arrow.role, ROLES["layer"])
    dashed = arrow.dashed or style != "-"
    ax.add_patch(FancyArrowPatch(arrow.start, arrow.end, arrowstyle="-|>", mutation_scale=11,
                                 color=line_colour(arrow.role), linewidth=1.5,
                                 linestyle=(0, (4, 2)) if dashed else "-", shrinkA=0, shrinkB=0))
    if arrow.label:
        mx, my = (arrow.start[0] + arrow.end[0]) / 2, (arrow.start[1] + arrow.end[1]) / 2
        vertical = abs(arrow.end[0] - arrow.start[0]) < abs(arrow.end[1] - arrow.start[1])
        ax.text(mx + (0.15 if vertical else 0), my + (0 if vertical else 0.12), arrow.label,
                ha="left" if vertical else "center", va="center" if vertical else "bottom", fontsize=7.5,
                color=line_colour(arrow.role),
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85})
