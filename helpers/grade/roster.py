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

import threading
from pathlib import Path

from ..exercises import NOT_YET, Verdict, exercises_for
from ..release import Roster, variant
from . import judge

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

    def secret_digest(self) -> str:
        """Tells two secrets apart without revealing either (shards graded with another secret are refused)."""
        from .shards import secret_digest

        return secret_digest(self._secret)

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

    # -- gradebook (see helpers.grade.gradebook) ---------------------------------------------------
    def gradebook(self, rows: list[dict], lessons: list[str]) -> str:
        """``gradebook.csv``: one row per roster student, their best score per lesson, and a total."""
        from . import gradebook

        return gradebook.gradebook_csv(gradebook.build(self.roster, rows, lessons))

    def write_gradebook(self, out_dir: Path, lesson: str | None = None, lms=()) -> list[Path]:
        """Write ``out_dir/gradebook.csv`` (and each ``lms`` file) from ``out_dir/grades.csv``; returns the paths."""
        from . import gradebook

        return gradebook.write(out_dir, self.roster, lesson, lms)


# -- who submitted on Gradescope: the roster's id or email column ------------------------------------------
MATCH_CHOICES = ("auto", "sid", "email")
# (Gradescope user field, roster column) pairs each choice tries, in order.
MATCH_RULES = {"sid": (("sid", "id"),), "email": (("email", "email"),),
               "auto": (("sid", "id"), ("email", "email"), ("email", "id"))}


def check_match(roster: Roster, how: str) -> str:
    """``""`` when ``how`` can work with ``roster``, else why not (``--match email`` needs an email column)."""
    if how not in MATCH_RULES:
        return f"--match {how!r}: choose one of {', '.join(MATCH_CHOICES)}"
    if how == "email" and "email" not in roster.columns:
        return ("--match email needs an 'email' column in the roster (found: "
                f"{', '.join(roster.columns)}); use --match sid or add the column")
    return ""


def match_submitter(metadata, roster: Roster, how: str = "auto") -> tuple[str | None, str]:
    """The roster id of the Gradescope submitter and how it was found, or ``(None, why not)``.

    ``how``: ``sid`` (Gradescope's Student ID = the roster's ``id``), ``email`` (Gradescope's email
    = the roster's ``email`` column) or ``auto`` (sid = id, then email = email column, then
    email = id). Letter case is ignored. Two rules naming two different students is refused.

    >>> from helpers.release import Roster
    >>> r = Roster(("alice",), {"alice": {"id": "alice", "email": "Alice@uni.edu"}}, ("id", "email"))
    >>> match_submitter({"users": [{"email": "alice@uni.edu", "sid": "12345"}]}, r)
    ('alice', "Gradescope email 'alice@uni.edu' = the roster's email column")
    """
    users = metadata.get("users") if isinstance(metadata, dict) else None
    users = [u for u in users if isinstance(u, dict)] if isinstance(users, list) else []
    if not users:
        return None, ("Gradescope did not say who submitted (no users in submission_metadata.json), so this "
                      "graded release cannot pick your version of the exercises. Tell your instructor.")
    columns = {}
    for column in ("id", "email"):
        index: dict[str, list[str]] = {}
        for student in roster.ids:
            value = str(roster.rows[student].get(column, "") or "").strip().casefold()
            if value:
                index.setdefault(value, []).append(student)
        columns[column] = index
    for user in users:
        found: dict[str, str] = {}
        for field, column in MATCH_RULES.get(how, ()):
            value = str(user.get(field) if user.get(field) is not None else "").strip()
            students = columns[column].get(value.casefold(), []) if value else []
            if len(students) > 1:
                return None, (f"Your Gradescope {field} {value!r} is on the roster's {column} column "
                              f"{len(students)} times, so the autograder cannot tell which student you are. "
                              "Tell your instructor.")
            if students and students[0] not in found.values():
                found[f"Gradescope {field} {value!r} = the roster's {column} column"] = students[0]
        if len(set(found.values())) > 1:
            return None, ("Your Gradescope account matches several students on the roster ("
                          + "; ".join(f"{rule}: {who}" for rule, who in found.items())
                          + "), so the autograder cannot tell which one you are. Tell your instructor.")
        if found:
            rule, student = next(iter(found.items()))
            return student, rule
    tried = " or ".join(f"your {f} = the roster's {c}" for f, c in MATCH_RULES.get(how, ()))
    seen = "; ".join(", ".join(f"{f} {u[f]}" for f in ("sid", "email") if u.get(f) not in (None, "")) or "no sid or email"
                     for u in users)
    return None, (f"Your Gradescope account ({seen}) is not on this assignment's roster, so the autograder does "
                  f"not know which version of the exercises is yours (it looked for {tried}). Ask your "
                  "instructor to add you.")
