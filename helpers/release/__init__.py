"""Graded releases: each student gets the lessons with their own numbers and no solutions.

A student's variant of a lesson is drawn from a seed that only the instructor can compute:
HMAC-SHA256 of the instructor's secret over the lesson and the student id. The released
notebooks carry the variant's numbers, never the secret; the grader recomputes the variant from
the secret and the student id (see ``python -m helpers.grade --roster``).

    python -m helpers.release --roster roster.csv --secret-file secret.txt --out release --keys

>>> variant(b"s3cret", "alice", "01") == variant(b"s3cret", "alice", "01")
True
>>> variant(b"s3cret", "alice", "01") != variant(b"s3cret", "bob", "01")
True
"""
from __future__ import annotations

import copy
import csv
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..exercises import draw_parameters, lesson_texts, lessons

ROOT = Path(__file__).resolve().parent.parent.parent
KEYS_FOLDER = "keys"
_SAFE_ID = re.compile(r"^[A-Za-z0-9@+_.-]+$")
_IMPORT = re.compile(r"^from helpers\.exercises import lesson_(\d\d) as ex[ \t]*$", re.M)


class ReleaseError(ValueError):
    """Bad input for a release or a roster grading: the message says what to fix."""


@dataclass(frozen=True)
class Roster:
    """The students, in roster order: ``ids`` and each one's row (all columns of the CSV)."""

    ids: tuple
    rows: dict
    columns: tuple


def read_roster(path: str | Path) -> Roster:
    """Read ``ROSTER.csv``: a header with an ``id`` column, one student per row; other columns are kept.

    Raises :class:`ReleaseError` for a missing file, no ``id`` column, an empty, unsafe or duplicate id.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ReleaseError(f"cannot read the roster {path}: {getattr(err, 'strerror', None) or err}") from None
    reader = csv.DictReader(text.splitlines())
    columns = tuple(name.strip() for name in (reader.fieldnames or []))
    if "id" not in columns:
        raise ReleaseError(f"the roster {path} needs a header row with an 'id' column (found: "
                           f"{', '.join(columns) or 'no header'})")
    ids, rows = [], {}
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()}
        student = row.get("id", "")
        if not student:
            if any(row.values()):
                raise ReleaseError(f"roster {path}, line {line}: the id is empty")
            continue
        if not _SAFE_ID.match(student) or student in (".", "..", KEYS_FOLDER):
            raise ReleaseError(f"roster {path}, line {line}: the id {student!r} cannot be a folder name "
                               "(use letters, digits and @ + _ . - only; 'keys' is reserved)")
        if student in rows:
            raise ReleaseError(f"roster {path}, line {line}: the id {student!r} appears twice")
        ids.append(student)
        rows[student] = row
    if not ids:
        raise ReleaseError(f"the roster {path} lists no students")
    return Roster(tuple(ids), rows, columns)


def read_secret(path: str | Path | None) -> bytes:
    """The instructor's secret: the file's content, stripped; it must not be empty."""
    if path is None:
        raise ReleaseError("a graded release needs --secret-file (a file holding the instructor's secret)")
    path = Path(path)
    try:
        secret = path.read_bytes().strip()
    except OSError as err:
        raise ReleaseError(f"cannot read the secret file {path}: {err.strerror or err}") from None
    if not secret:
        raise ReleaseError(f"the secret file {path} is empty")
    return secret


def variant_seed(secret: bytes, student: str, lesson: str) -> int:
    """The seed of one student's variant of one lesson: HMAC-SHA256(secret, lesson and id)."""
    message = f"helpers.release|lesson {str(lesson).zfill(2)}|student {student}".encode()
    return int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest()[:8], "big")


def variant(secret: bytes, student: str, lesson: str) -> dict:
    """The numbers of ``student``'s variant of ``lesson`` (``{}`` for a lesson without parameters)."""
    import numpy as np

    return draw_parameters(lesson, np.random.default_rng(variant_seed(secret, student, lesson)))


def check_lessons(wanted: list[str] | None) -> list[str]:
    """The lessons to release or grade (NN strings); all lessons with exercises when ``wanted`` is empty."""
    known = lessons()
    if not wanted:
        return known
    chosen = []
    for lesson in wanted:
        lesson = str(lesson).strip().zfill(2)
        if lesson not in known:
            raise ReleaseError(f"unknown lesson {lesson!r}: lessons with exercises are {', '.join(known)}")
        if lesson not in chosen:
            chosen.append(lesson)
    return chosen


# -- notebooks ----------------------------------------------------------------------------------

def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


VARIANT_TAG = "variant"   # a cell an exercise needs with the student's numbers (it must print no answer)
RELEASE_NOTE = ("*Graded release: this exercise uses **your** numbers. The demonstration cells around it keep "
                "the lesson's published numbers, so they show the idea, not your answer: check it there, then "
                "carry it over to yours.*")


def exercise_cells(nb: dict) -> set[int]:
    """Indexes of the cells that ask an exercise: each solution cell, the markdown right above it
    (the prompt), and cells tagged ``variant`` (set-up the exercise needs with the student's numbers).

    Every other cell is a demonstration: a released notebook keeps the published numbers there, so
    running it never prints the student's answer.
    """
    from ..build import BEGIN

    cells = nb.get("cells", [])
    chosen = set()
    for index, cell in enumerate(cells):
        if VARIANT_TAG in cell.get("metadata", {}).get("tags", []):
            chosen.add(index)
        if cell.get("cell_type") == "code" and BEGIN in _source(cell):
            chosen.add(index)
            above = index - 1
            while above >= 0 and cells[above].get("cell_type") == "markdown":
                chosen.add(above)
                above -= 1
    return chosen


def substitute(nb: dict, pairs: list[tuple[str, str]], only: set[int] | None = None) -> dict:
    """A copy of ``nb`` with each published text of ``pairs`` replaced by the variant's text, in the
    cells ``only`` names (all cells when None).

    Whitespace in the notebook may differ from the template (lines may be wrapped elsewhere).
    Raises :class:`ReleaseError` naming every text the notebook no longer contains (anywhere), so a
    lesson edited since its templates were written is never released with the published numbers.
    """
    result = copy.deepcopy(nb)
    order = sorted(range(len(pairs)), key=lambda i: -len(pairs[i][0]))
    patterns = {i: re.compile(r"\s+".join(map(re.escape, pairs[i][0].split()))) for i in order}
    found = set()
    for index, cell in enumerate(result.get("cells", [])):
        text = _source(cell)
        for i in order:
            text, count = patterns[i].subn(f"\x00{i}\x00", text)
            if count:
                found.add(i)
        if only is None or index in only:
            cell["source"] = re.sub("\x00(\\d+)\x00", lambda m: pairs[int(m.group(1))][1], text)
    missing = [pairs[i][0] for i in range(len(pairs)) if i not in found]
    if missing:
        raise ReleaseError("the lesson notebook no longer contains these texts of its exercise module's TEXTS "
                           "(update TEXTS in the lesson module): " + "; ".join(repr(m) for m in missing))
    return result


def release_variant(solution: dict, lesson: str, params: dict) -> dict:
    """The solution notebook with the variant's numbers in its exercise cells (:func:`exercise_cells`)
    and the published numbers in every demonstration cell; each exercise that changed says so."""
    from ..build import BEGIN

    nb = substitute(solution, lesson_texts(lesson, params), only=exercise_cells(solution))
    before, after = solution.get("cells", []), nb.get("cells", [])
    for index, cell in enumerate(after):
        if cell.get("cell_type") != "code" or BEGIN not in _source(cell) or index == 0:
            continue
        top = index
        while top > 0 and after[top - 1].get("cell_type") == "markdown":
            top -= 1
        changed = any(_source(after[i]).split() != _source(before[i]).split() for i in range(top, index + 1))
        prompt = after[index - 1]
        if changed and prompt.get("cell_type") == "markdown" and RELEASE_NOTE not in _source(prompt):
            prompt["source"] = _source(prompt).rstrip("\n") + "\n\n" + RELEASE_NOTE
    return nb


def _release_cell(nb: dict, lesson: str, params: dict, feedback: str) -> None:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        text = _source(cell)
        if _IMPORT.search(text):
            line = (f"from helpers.exercises import graded_release\n"
                    f"ex = graded_release({lesson!r}, {json.dumps(params)}, feedback={feedback!r})")
            cell["source"] = _IMPORT.sub(lambda m: line, text, count=1)
            return
    raise ReleaseError(f"lesson {lesson}: no code cell imports its exercises as "
                       f"`from helpers.exercises import lesson_{lesson} as ex`")


def key_notebook(solution: dict, lesson: str, params: dict, feedback: str = "full", student: str = "") -> dict:
    """A student's answer key: the solution notebook with the variant's numbers, outputs cleared."""
    nb = release_variant(solution, lesson, params)
    _release_cell(nb, lesson, params, feedback)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cell.get("metadata", {}).pop("execution", None)
    course = nb.setdefault("metadata", {}).setdefault("course", {})
    course["lesson"] = lesson
    course["release"] = {"student": student, "feedback": feedback}
    return nb


def learner_notebook(solution: dict, lesson: str, params: dict, feedback: str = "full", student: str = "") -> dict:
    """A student's released notebook: their numbers, answers blanked, no solutions."""
    from ..build import learner_version

    return learner_version(key_notebook(solution, lesson, params, feedback, student))


def solution_path(lesson: str, root: Path = ROOT) -> Path:
    found = sorted((Path(root) / "solutions").glob(f"{lesson}_*.ipynb"))
    if not found:
        raise ReleaseError(f"lesson {lesson} has no notebook in {Path(root) / 'solutions'}")
    return found[0]


def release(roster: Roster, secret: bytes, out: str | Path, lesson_ids: list[str] | None = None,
            keys: bool = False, feedback: str = "full", root: Path = ROOT) -> list[Path]:
    """Write ``out/<id>/NN_*.ipynb`` for every student (and ``out/keys/<id>/`` with ``keys``)."""
    from ..build import render

    if feedback not in ("full", "format"):
        raise ReleaseError(f"--feedback must be 'full' or 'format', not {feedback!r}")
    out = Path(out)
    chosen = check_lessons(lesson_ids)
    solutions = {lesson: solution_path(lesson, root) for lesson in chosen}
    loaded = {lesson: json.loads(path.read_text(encoding="utf-8")) for lesson, path in solutions.items()}
    written = []
    for student in roster.ids:
        for lesson in chosen:
            params = variant(secret, student, lesson)
            name = solutions[lesson].name
            targets = [(out / student / name, learner_notebook)]
            if keys:
                targets.append((out / KEYS_FOLDER / student / name, key_notebook))
            for target, make in targets:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(render(make(loaded[lesson], lesson, params, feedback, student)), encoding="utf-8")
                written.append(target)
    return written
