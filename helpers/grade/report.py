"""Step 5, report: ``grades.csv`` for the batch, ``results.json`` and ``feedback.md`` per submission.

``grades.csv`` has one row per submission file (``submission, file, lesson, score, max_score``,
the points of each exercise, ``status, message, seconds``). It is rewritten whole, atomically,
after every graded submission, so an interrupted batch keeps every row already written; a
re-run knows which files are graded from their ``file`` column.

``results.json`` follows the Gradescope autograder format (score, execution_time, output,
tests with name, score, max_score, status, output, visibility).

>>> from helpers.exercises import Verdict
>>> g = Graded("/s/a.ipynb", "a", "01", "ok", "", [Verdict("01.q1", "correct", "Yes.", 1, 1)], 1.0)
>>> g.score, g.max_score
(1, 1.0)
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .gradebook import write_atomically

FIXED_FRONT = ["submission", "file", "lesson", "score", "max_score"]
FIXED_BACK = ["status", "message", "seconds"]
STUDENT = "student"   # a column only when grading with a roster


@dataclass
class Graded:
    """Everything known about one graded submission."""

    file: str
    name: str
    lesson: str | None
    status: str
    message: str
    verdicts: list = field(default_factory=list)
    max_score: float = 0.0
    seconds: float = 0.0
    seed: int | None = None
    cell_notes: list = field(default_factory=list)
    student: str = ""
    flags: dict = field(default_factory=dict)   # exercise key -> whose numbers the answer fits (instructor only)
    copy_note: str = ""                         # the lesson-level judgement of those fits (instructor only)

    def instructor_message(self) -> str:
        """The message for grades.csv: the learner's message plus whose numbers flagged answers fit."""
        if self.copy_note:
            return f"{self.copy_note} {self.message}".strip()
        if not self.flags:
            return self.message
        fits = ", ".join(f"{key} fits {who}" for key, who in self.flags.items())
        return f"other variant: {fits}. {self.message}".strip()

    @property
    def score(self) -> float:
        return sum(v.points for v in self.verdicts)


def _number(value: float) -> str:
    return f"{value:g}"


def exercise_columns(keys: list[str]) -> list[str]:
    """Exercise keys in lesson order, then by number: ``01.q2`` before ``01.q10``."""
    def order(key: str):
        lesson, _, ident = key.partition(".")
        digits = "".join(ch for ch in ident if ch.isdigit())
        return (lesson, int(digits) if digits else 0, ident)

    return sorted(set(keys), key=order)


class GradesTable:
    """``grades.csv``: rows keyed by the submission's absolute path, rewritten atomically on every add."""

    def __init__(self, path: Path, exercise_keys: list[str], student_column: bool = False):
        self.path = Path(path)
        self.rows: dict[str, dict] = {}
        keys = list(exercise_keys)
        if self.path.exists():
            with open(self.path, newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                keys += [c for c in (reader.fieldnames or []) if c not in FIXED_FRONT + FIXED_BACK + [STUDENT]]
                for row in reader:
                    if row.get("file"):
                        self.rows[row["file"]] = row
        self.front = FIXED_FRONT[:1] + [STUDENT] + FIXED_FRONT[1:] if student_column else list(FIXED_FRONT)
        self.columns = self.front + exercise_columns(keys) + FIXED_BACK

    def graded_files(self) -> set[str]:
        return set(self.rows)

    def names(self) -> set[str]:
        return {row.get("submission", "") for row in self.rows.values()}

    def add(self, graded: Graded) -> None:
        row = {"submission": graded.name, "file": graded.file, "lesson": graded.lesson or "",
               "score": _number(graded.score), "max_score": _number(graded.max_score),
               "status": graded.status, "message": graded.instructor_message(), "seconds": f"{graded.seconds:.1f}",
               STUDENT: graded.student}
        for verdict in graded.verdicts:
            row[verdict.exercise] = _number(verdict.points)
            if verdict.exercise not in self.columns:
                self.columns = self.front + exercise_columns(
                    [c for c in self.columns if c not in self.front + FIXED_BACK] + [verdict.exercise]) + FIXED_BACK
        self.rows[graded.file] = row
        self.write()

    def write(self) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in self.rows.values():
            writer.writerow(row)
        write_atomically(self.path, buffer.getvalue())


def gradescope_results(graded: Graded) -> dict:
    """The Gradescope ``results.json`` content for one submission."""
    tests = [{
        "name": verdict.exercise,
        "score": verdict.points,
        "max_score": verdict.max_points,
        "status": "passed" if verdict.correct else "failed",
        "output": verdict.text(),
        "visibility": "visible",
    } for verdict in graded.verdicts]
    summary = f"{_number(graded.score)} / {_number(graded.max_score)} points. Status: {graded.status}."
    if graded.message:
        summary += f" {graded.message}"
    extra = {"lesson": graded.lesson, "status": graded.status, "seed": graded.seed, "file": Path(graded.file).name}
    if graded.student:
        extra.update(student=graded.student, other_variant=dict(graded.flags))
    return {"score": graded.score, "execution_time": round(graded.seconds, 2), "output": summary,
            "visibility": "visible", "tests": tests, "extra_data": extra}


def feedback_markdown(graded: Graded) -> str:
    """The learner-facing feedback: score, status, then each exercise's verdict as they would see it."""
    lines = [f"# Feedback: {Path(graded.file).name}", "",
             f"Lesson {graded.lesson or '?'}: **{_number(graded.score)} / {_number(graded.max_score)} points**.", "",
             f"Status: {graded.status}." + (f" {graded.message}" if graded.message else ""), ""]
    if graded.verdicts:
        lines += ["| exercise | result | points |", "| --- | --- | --- |"]
        for verdict in graded.verdicts:
            result = {"correct": "Correct", "not yet": "Not yet", "not attempted": "Not attempted"}[verdict.status]
            lines.append(f"| {verdict.exercise} | {result} | {_number(verdict.points)} / {_number(verdict.max_points)} |")
        lines.append("")
        for verdict in graded.verdicts:
            lines += [f"## {verdict.exercise}", "", "```text", verdict.text(), "```", ""]
    if graded.cell_notes:
        lines += ["## While running your notebook", ""] + [f"- {note}" for note in graded.cell_notes] + [""]
    return "\n".join(lines)


def write_submission(out_dir: Path, graded: Graded) -> Path:
    """Write ``out_dir/<name>/results.json`` and ``feedback.md``; returns that folder."""
    folder = Path(out_dir) / graded.name
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / "results.json", json.dumps(gradescope_results(graded), indent=1) + "\n")
    write_atomically(folder / "feedback.md", feedback_markdown(graded))
    return folder
