"""Step 1, load: read a submitted file and decide whether it can be graded at all.

Nothing here runs learner code. A file that cannot be graded gets a ``problem`` (which becomes
its status in ``grades.csv``): ``unreadable``, ``empty file``, ``file too large``,
``invalid JSON``, ``not a notebook``, ``unknown lesson`` or ``wrong lesson``.

>>> load("missing.ipynb").problem
'unreadable'
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

MAX_NOTEBOOK_BYTES = 50 * 2**20

UNREADABLE, EMPTY, TOO_LARGE, INVALID_JSON = "unreadable", "empty file", "file too large", "invalid JSON"
NOT_A_NOTEBOOK, UNKNOWN_LESSON, WRONG_LESSON = "not a notebook", "unknown lesson", "wrong lesson"


@dataclass
class Submission:
    """A submitted file: its code cells and lesson when usable, else a ``problem`` and ``detail``."""

    path: Path
    lesson: str | None = None
    code_cells: list[str] = field(default_factory=list)
    expected_errors: set[int] = field(default_factory=set)   # code cells tagged raises-exception
    problem: str = ""
    detail: str = ""


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise ValueError("a cell's source is neither text nor a list of lines")


def _tags(cell: dict) -> list:
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return tags if isinstance(tags, list) else []


def load(path: str | Path, lesson: str | None = None) -> Submission:
    """Read ``path``; ``lesson`` (e.g. ``"01"``) is the lesson the batch grades, if fixed."""
    from ..exercises import lessons

    path = Path(path)
    wanted = str(lesson).zfill(2) if lesson is not None else None
    sub = Submission(path, lesson=wanted)
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return _problem(sub, TOO_LARGE, f"{size / 2**20:.0f} MB; the limit is {MAX_NOTEBOOK_BYTES // 2**20} MB")
        raw = path.read_bytes()
    except OSError as err:
        return _problem(sub, UNREADABLE, err.strerror or str(err))
    if not raw.strip():
        return _problem(sub, EMPTY, "the file has no content")
    try:
        notebook = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return _problem(sub, INVALID_JSON, "the file is not UTF-8 text")
    except ValueError as err:
        return _problem(sub, INVALID_JSON, f"JSON error: {err}"[:200])
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        return _problem(sub, NOT_A_NOTEBOOK, "it has no list of cells (is it an .ipynb saved by Jupyter?)")
    try:
        code = [c for c in cells if c.get("cell_type") == "code"]
        sub.code_cells = [_source(c) for c in code]
    except ValueError as err:
        return _problem(sub, NOT_A_NOTEBOOK, str(err))
    sub.expected_errors = {i for i, c in enumerate(code) if "raises-exception" in _tags(c)}
    metadata = notebook.get("metadata")
    course = metadata.get("course") if isinstance(metadata, dict) else None
    stated = course.get("lesson") if isinstance(course, dict) else None
    stated = str(stated).zfill(2) if isinstance(stated, (str, int)) and not isinstance(stated, bool) else None
    if wanted and stated and stated != wanted:
        return _problem(sub, WRONG_LESSON, f"this notebook is lesson {stated}, the batch grades lesson {wanted}")
    sub.lesson = wanted or stated
    if sub.lesson is None:
        return _problem(sub, UNKNOWN_LESSON, "the notebook does not say which lesson it is (use --lesson NN)")
    if sub.lesson not in lessons():
        return _problem(sub, UNKNOWN_LESSON, f"lesson {sub.lesson} has no graded exercises")
    return sub


def _problem(sub: Submission, problem: str, detail: str) -> Submission:
    sub.problem, sub.detail = problem, detail
    return sub
