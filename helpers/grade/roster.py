"""Grading a graded release: each student's answers against their own numbers.

``python -m helpers.grade SUBMISSIONS --roster ROSTER.csv --secret-file KEY --out OUT`` takes each
student's notebooks from ``SUBMISSIONS/<id>/``. A student's numbers are recomputed from the secret
and the id (:func:`helpers.release.variant`); the numbers written in a notebook are never read.
An answer that is wrong for the student but right for another roster student's numbers, or for the
published ones, earns nothing: the submission's status is ``other variant`` and grades.csv names
whose numbers it fits (a student id, or ``published``). ``gradebook.csv`` has one row per roster
student, a column per lesson (best submission) and a total.

>>> RosterGrading.folder_student(Path("subs/alice/01_dense.ipynb"), [Path("subs")])
'alice'
"""
from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

from ..exercises import NOT_YET, Verdict, exercises_for
from ..release import Roster, variant
from . import judge
from .report import _number, _write_atomically

OTHER_VARIANT = "other variant"
PUBLISHED = "published"


class RosterGrading:
    """A roster and the instructor's secret: who a submission belongs to and which numbers it has."""

    def __init__(self, roster: Roster, secret: bytes):
        self.roster, self._secret = roster, secret
        self._cache: dict[tuple[str, str], list] = {}
        self._lock = threading.Lock()
        self._owners: dict[str, str] = {}

    # -- who handed in what ------------------------------------------------------------------
    @staticmethod
    def folder_student(path: Path, folders: list[Path]) -> str | None:
        """The name of the first folder under one of ``folders`` that holds ``path`` (None if none)."""
        resolved = Path(path).resolve()
        for folder in folders:
            try:
                parts = resolved.relative_to(Path(folder).resolve()).parts
            except ValueError:
                continue
            if len(parts) >= 2:
                return parts[0]
        return None

    def assign(self, folders: list[Path], notebooks: list[Path]) -> tuple[list[Path], list[str]]:
        """Split ``notebooks`` into those in a roster student's folder, and a line for each other one."""
        known, unknown = [], []
        for path in notebooks:
            student = self.folder_student(path, folders)
            if student in self.roster.rows:
                self._owners[str(Path(path).resolve())] = student
                known.append(path)
            elif student is None:
                unknown.append(f"{path}: not inside a student's folder (SUBMISSIONS/<id>/)")
            else:
                unknown.append(f"{path}: the folder {student!r} is not an id on the roster")
        return known, unknown

    def student_of(self, path: Path) -> str:
        return self._owners[str(Path(path).resolve())]

    def claim(self, path: Path, student: str) -> None:
        """Say that ``path`` is ``student``'s (the Gradescope entry knows the student another way)."""
        if student not in self.roster.rows:
            raise KeyError(student)
        self._owners[str(Path(path).resolve())] = student

    # -- numbers -------------------------------------------------------------------------------
    def exercises(self, student: str, lesson: str) -> list:
        """``lesson``'s exercises with ``student``'s numbers (``PUBLISHED``: the published ones)."""
        with self._lock:
            key = (student, lesson)
            if key not in self._cache:
                params = {} if student == PUBLISHED else variant(self._secret, student, lesson)
                self._cache[key] = exercises_for(lesson, params)
            return self._cache[key]

    def flag_other_variants(self, graded, student: str, exercises: list, answers: dict, seed: int) -> None:
        """Take the points of answers that fit someone else's numbers, and say whose (``graded.flags``)."""
        rivals = [PUBLISHED] + [other for other in self.roster.ids if other != student]
        for position, (exercise, verdict) in enumerate(zip(exercises, graded.verdicts)):
            readings = [a for a in answers.get(exercise.key, []) if a.state == "value"]
            if verdict.correct or exercise.kind != "value" or not readings:
                continue
            for rival in rivals:
                theirs = self.exercises(rival, graded.lesson)[position]
                if theirs.answer == exercise.answer:
                    continue
                if any(judge.judge(theirs, reading, seed).correct for reading in readings):
                    graded.flags[exercise.key] = rival
                    graded.verdicts[position] = Verdict(
                        exercise.key, NOT_YET, "this answer is right for other numbers than the ones your "
                        "exercise asks about (another variant of it), so it earns nothing.", 0, exercise.points)
                    break
        if graded.flags:
            graded.status = OTHER_VARIANT
            graded.message = (f"{len(graded.flags)} answer(s) fit other numbers than yours and earn nothing. "
                              f"{graded.message}").strip()

    # -- gradebook -------------------------------------------------------------------------------
    def gradebook(self, rows: list[dict], lessons: list[str]) -> str:
        """``gradebook.csv``: one row per roster student, their best score per lesson, and a total."""
        best: dict[tuple[str, str], float] = {}
        for row in rows:
            try:
                score = float(row.get("score") or 0)
            except ValueError:
                score = 0.0
            key = (row.get("student", ""), row.get("lesson", ""))
            best[key] = max(best.get(key, 0.0), score)
        columns = list(self.roster.columns) + [f"lesson {n}" for n in lessons] + ["total"]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for student in self.roster.ids:
            line = dict(self.roster.rows[student])
            scores = [best.get((student, n), 0.0) for n in lessons]
            line.update({f"lesson {n}": _number(s) for n, s in zip(lessons, scores)})
            line["total"] = _number(sum(scores))
            writer.writerow(line)
        return buffer.getvalue()

    def write_gradebook(self, out_dir: Path, lesson: str | None = None) -> Path:
        """Write ``out_dir/gradebook.csv`` from ``out_dir/grades.csv``; returns its path."""
        out_dir = Path(out_dir)
        rows = []
        grades = out_dir / "grades.csv"
        if grades.exists():
            with open(grades, newline="", encoding="utf-8") as handle:
                rows = [row for row in csv.DictReader(handle) if row.get("student") in self.roster.rows]
        lessons = sorted({row["lesson"] for row in rows if row.get("lesson")} | ({lesson} if lesson else set()))
        path = out_dir / "gradebook.csv"
        _write_atomically(path, self.gradebook(rows, lessons))
        return path
