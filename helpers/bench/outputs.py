"""Which outputs strict nbval compares, and how two executions of a notebook differ in them.

nbval (pinned at 0.11.0) compares, per code cell, every output field except images,
metadata, tracebacks, execution counts and widget ids, after merging each stream into one
text. It skips cells tagged ``nbval-ignore-output`` or ``nbval-skip`` and cells that were
never run. :func:`compared_outputs` reproduces that rule with nbval's own stream merging, and
applies the same sanitizing patterns (regex -> replacement) as the project's nbval run.

>>> import nbformat
>>> cell = nbformat.v4.new_code_cell("print(1)", execution_count=1,
...     outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\\n")])
>>> compared_outputs(cell)
{'stdout': ['1\\n']}
"""
from __future__ import annotations

import copy
import difflib
import re
from collections import defaultdict
from typing import Any

# Output fields nbval leaves out of the comparison (its skip_compare list, without --nbdime).
NOT_COMPARED = frozenset({
    "metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
    "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg",
})


def cell_options(cell: Any) -> dict:
    """nbval's options for a cell from its tags and comment markers, e.g. ``{"check": False}``."""
    from nbval.plugin import find_comment_markers, find_metadata_tags

    options = dict(find_metadata_tags(cell.get("metadata", {})))
    options.update(dict(find_comment_markers(cell.get("source", ""))))
    return options


def is_compared(cell: Any) -> bool:
    """True when strict nbval would compare this cell's outputs with the stored ones."""
    if cell.get("cell_type") != "code" or cell.get("execution_count") is None:
        return False
    options = cell_options(cell)
    return not options.get("skip", False) and options.get("check", True)


def _sanitized(value: Any, sanitize: dict | None) -> Any:
    if isinstance(value, str):
        for pattern, replacement in (sanitize or {}).items():
            value = re.sub(pattern, replacement, value)
    return value


def compared_outputs(cell: Any, sanitize: dict | None = None) -> dict[str, list]:
    """The cell's outputs as nbval compares them: field name -> values in order, each string
    passed through the ``sanitize`` patterns as nbval does with ``--nbval-sanitize-with``."""
    from nbformat import from_dict
    from nbval.plugin import coalesce_streams, transform_streams_for_comparison

    outputs = [from_dict(copy.deepcopy(dict(o))) for o in cell.get("outputs", [])]
    flat: dict[str, list] = defaultdict(list)
    for output in transform_streams_for_comparison(coalesce_streams(outputs)):
        for key, value in output.items():
            if key in NOT_COMPARED:
                continue
            if key == "data":
                for mime, content in value.items():
                    if mime not in NOT_COMPARED:
                        flat[mime].append(_sanitized(content, sanitize))
            else:
                flat[key].append(_sanitized(value, sanitize))
    return dict(flat)


def _show(value: Any) -> list[str]:
    text = value if isinstance(value, str) else repr(value)
    return text.splitlines() or [""]


def describe_difference(want: dict, got: dict, limit: int = 12) -> str:
    """A short diff between two :func:`compared_outputs` results."""
    if set(want) != set(got):
        return f"output fields differ: stored {sorted(want)}, new {sorted(got)}"
    for key in want:
        if want[key] != got[key]:
            if len(want[key]) != len(got[key]):
                return f"{key}: {len(want[key])} stored output(s), {len(got[key])} new"
            for old, new in zip(want[key], got[key]):
                if old != new:
                    diff = list(difflib.unified_diff(_show(old), _show(new), "stored", "new", lineterm="", n=1))
                    shown = "\n".join(diff[:limit]) + ("\n..." if len(diff) > limit else "")
                    return f"{key} differs:\n{shown}"
    return "no difference"


def output_differences(reference: Any, executed: Any, sanitize: dict | None = None) -> list[str]:
    """One message per compared code cell whose outputs differ between two notebooks.

    ``reference`` decides which cells are compared (its tags, its execution counts), as the
    stored notebook does under nbval. Both notebooks must have the same cells. ``sanitize``:
    see :func:`compared_outputs`.
    """
    ref_cells, new_cells = reference.cells, executed.cells
    if len(ref_cells) != len(new_cells):
        return [f"the notebooks have {len(ref_cells)} and {len(new_cells)} cells"]
    problems = []
    code_index = -1
    for ref, new in zip(ref_cells, new_cells):
        if ref.get("cell_type") != "code":
            continue
        code_index += 1
        if not is_compared(ref):
            continue
        want, got = compared_outputs(ref, sanitize), compared_outputs(new, sanitize)
        if want != got:
            first_line = (ref.get("source", "").splitlines() or [""])[0][:60]
            problems.append(f"code cell {code_index} ({first_line!r}): {describe_difference(want, got)}")
    return problems
