"""The gradebook of a graded release, and the CSV files an LMS imports.

``gradebook.csv`` has one row per roster student: the roster's columns, ``lesson NN`` (the points
of the submission that counted, or ``missing`` when none came in: never a silent 0), ``total``
and ``flags`` (what to look at: a status other than ``ok``, such as ``other variant``, and which
file counted when a student handed in two for one lesson). Its first row after the header is
``Points Possible``: each lesson's maximum and the total's.

When a student hands in several files for one lesson (``01_x.ipynb`` and ``01_x(1).ipynb``), the
one with the most points counts (on a tie, the first by name); the others are named in ``flags``.

``--lms canvas`` writes ``canvas.csv`` and ``--lms moodle`` writes ``moodle.csv``, each in the
layout that LMS documents for importing grades (see :func:`canvas_csv`, :func:`moodle_csv`).

>>> from helpers.release import Roster
>>> roster = Roster(("alice", "bob"), {"alice": {"id": "alice"}, "bob": {"id": "bob"}}, ("id",))
>>> rows = [{"student": "alice", "lesson": "01", "score": "9", "max_score": "9", "status": "ok",
...          "file": "/s/alice/01_x.ipynb"}]
>>> print(gradebook_csv(build(roster, rows, ["01"])), end="")
id,lesson 01,total,flags
Points Possible,9,9,
alice,9,9,
bob,missing,0,
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

POINTS_POSSIBLE = "Points Possible"
MISSING = "missing"
LMS_CHOICES = ("canvas", "moodle")
LMS_FILES = {"canvas": "canvas.csv", "moodle": "moodle.csv"}


@dataclass
class Entry:
    """One student's lesson: the row that counted (None: missing) and the other files handed in."""

    counted: dict | None = None
    others: list = field(default_factory=list)

    @property
    def score(self) -> float | None:
        return None if self.counted is None else _float(self.counted.get("score"))


@dataclass
class Book:
    roster: object                      # helpers.release.Roster
    lessons: list
    possible: dict                      # lesson -> points possible
    entries: dict                       # (student, lesson) -> Entry

    def flags(self, student: str) -> list[str]:
        """What the instructor should look at for ``student``, one phrase per lesson and problem."""
        notes = []
        for lesson in self.lessons:
            entry = self.entries.get((student, lesson))
            if entry is None or entry.counted is None:
                continue
            status = entry.counted.get("status") or ""
            if status and status != "ok":
                notes.append(f"lesson {lesson}: {status}")
            if entry.others:
                also = ", ".join(f"{_name(r)} ({_number(_float(r.get('score')))})" for r in entry.others)
                notes.append(f"lesson {lesson}: {1 + len(entry.others)} files, counted {_name(entry.counted)} "
                             f"({_number(entry.score)}), not {also}")
        return notes

    def total(self, student: str) -> float:
        return sum(self.entries[(student, n)].score or 0.0 for n in self.lessons if (student, n) in self.entries)


def _float(value) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _name(row: dict) -> str:
    return Path(row.get("file") or row.get("submission") or "?").name


def points_possible(lesson: str, rows: list[dict]) -> float:
    """A lesson's maximum: the largest ``max_score`` graded for it, else its exercises' points."""
    graded = [_float(r.get("max_score")) for r in rows if r.get("lesson") == lesson]
    if any(graded):
        return max(graded)
    from ..exercises import exercises_for

    try:
        return float(sum(e.points for e in exercises_for(lesson)))
    except KeyError:
        return 0.0


def build(roster, rows: list[dict], lessons: list[str]) -> Book:
    """The gradebook of ``roster`` from grades.csv ``rows`` (other students' rows are ignored)."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        key = (row.get("student", ""), row.get("lesson", ""))
        if key[0] in roster.rows and key[1] in lessons:
            grouped.setdefault(key, []).append(row)
    entries = {}
    for key, candidates in grouped.items():
        ranked = sorted(candidates, key=lambda r: (-_float(r.get("score")), _name(r), r.get("file", "")))
        entries[key] = Entry(ranked[0], ranked[1:])
    possible = {lesson: points_possible(lesson, rows) for lesson in lessons}
    return Book(roster, list(lessons), possible, entries)


def _csv(columns: list[str], lines: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    return buffer.getvalue()


def gradebook_csv(book: Book) -> str:
    """``gradebook.csv``: the roster's columns, ``lesson NN`` (points or ``missing``), ``total``, ``flags``."""
    roster = book.roster
    lesson_columns = [f"lesson {n}" for n in book.lessons]
    columns = list(roster.columns) + lesson_columns + ["total", "flags"]
    lines = [{"id": POINTS_POSSIBLE, **{f"lesson {n}": _number(book.possible[n]) for n in book.lessons},
              "total": _number(sum(book.possible.values()))}]
    for student in roster.ids:
        line = dict(roster.rows[student])
        for n in book.lessons:
            entry = book.entries.get((student, n))
            line[f"lesson {n}"] = MISSING if entry is None else _number(entry.score)
        line["total"] = _number(book.total(student))
        line["flags"] = "; ".join(book.flags(student))
        lines.append(line)
    return _csv(columns, lines)


def _column(row: dict, *names: str) -> str:
    return next((str(row[n]).strip() for n in names if str(row.get(n) or "").strip()), "")


# Canvas: "How do I import grades in the Gradebook?" (Canvas Instructor Guide) and its export, which the
# import takes back: the columns Student, ID, SIS User ID, SIS Login ID, Section, then one column per
# assignment, and a "Points Possible" row under the header; a blank score leaves the grade unchanged.
CANVAS_FRONT = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_csv(book: Book) -> str:
    """Canvas's gradebook import layout: ``Student, ID, SIS User ID, SIS Login ID, Section``, one
    ``Lesson NN`` column per lesson, a ``Points Possible`` row; a missing lesson is left blank.

    From the roster: Student = ``name`` (else id); ID = ``canvas_id``; SIS User ID = ``sis_user_id``
    (else id); SIS Login ID = ``sis_login_id``, ``login`` (else ``email``); Section = ``section``.
    """
    roster = book.roster
    titles = {n: f"Lesson {n}" for n in book.lessons}
    columns = CANVAS_FRONT + list(titles.values())
    lines = [{"Student": POINTS_POSSIBLE, **{titles[n]: _number(book.possible[n]) for n in book.lessons}}]
    for student in roster.ids:
        row = roster.rows[student]
        line = {"Student": _column(row, "name") or student, "ID": _column(row, "canvas_id"),
                "SIS User ID": _column(row, "sis_user_id") or student,
                "SIS Login ID": _column(row, "sis_login_id", "login", "email"), "Section": _column(row, "section")}
        for n in book.lessons:
            entry = book.entries.get((student, n))
            line[titles[n]] = "" if entry is None else _number(entry.score)
        lines.append(line)
    return _csv(columns, lines)


# Moodle: "Grade import" (docs.moodle.org/en/Grade_import): a CSV with a header row, one column that
# identifies the user (mapped on import, e.g. "Email address" to useremail, or "ID number" to
# useridnumber) and one column per grade item; the mapping is chosen on the import page.
MOODLE_FRONT = ["ID number", "Email address"]


def moodle_csv(book: Book) -> str:
    """Moodle's CSV grade import: ``ID number`` (roster ``idnumber``, else id), ``Email address``,
    one ``Lesson NN`` column per lesson; a missing lesson is left blank (nothing imported)."""
    roster = book.roster
    columns = MOODLE_FRONT + [f"Lesson {n}" for n in book.lessons]
    lines = []
    for student in roster.ids:
        row = roster.rows[student]
        line = {"ID number": _column(row, "idnumber") or student, "Email address": _column(row, "email")}
        for n in book.lessons:
            entry = book.entries.get((student, n))
            line[f"Lesson {n}"] = "" if entry is None else _number(entry.score)
        lines.append(line)
    return _csv(columns, lines)


WRITERS = {"canvas": canvas_csv, "moodle": moodle_csv}


def read_grades(path: Path) -> list[dict]:
    if not Path(path).exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader sees the old file or the whole new one, never a part."""
    temporary = path.with_name(f".{path.name}.part")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write(out_dir: Path, roster, lesson: str | None = None, lms=()) -> list[Path]:
    """Write ``gradebook.csv`` and each chosen LMS file from ``out_dir/grades.csv``; returns their paths."""
    out_dir = Path(out_dir)
    rows = [r for r in read_grades(out_dir / "grades.csv") if r.get("student") in roster.rows]
    lessons = sorted({r["lesson"] for r in rows if r.get("lesson")} | ({lesson} if lesson else set()))
    book = build(roster, rows, lessons)
    written = [out_dir / "gradebook.csv"]
    write_atomically(written[0], gradebook_csv(book))
    for name in dict.fromkeys(lms):
        written.append(out_dir / LMS_FILES[name])
        write_atomically(written[-1], WRITERS[name](book))
    return written


def two_files_report(out_dir: Path, roster, lesson: str | None = None) -> list[str]:
    """One line per student and lesson with several files: which counted (printed by the CLI)."""
    rows = [r for r in read_grades(Path(out_dir) / "grades.csv") if r.get("student") in roster.rows]
    lessons = sorted({r["lesson"] for r in rows if r.get("lesson")} | ({lesson} if lesson else set()))
    book = build(roster, rows, lessons)
    return [f"{student}: {note}" for student in roster.ids for note in book.flags(student) if " files, counted " in note]
