"""Grading a graded release: each student's answers against their own numbers.

``python -m helpers.grade SUBMISSIONS --roster ROSTER.csv --secret-file KEY --out OUT`` takes each
student's notebooks from ``SUBMISSIONS/<id>/``. A student's numbers are recomputed from the secret
and the id (:func:`helpers.release.variant`); the numbers written in a notebook are never read.
An answer that is wrong for the student but right for another roster student's numbers, or for the
published ones, earns nothing. The notebook is judged at lesson level: grades.csv names the numbers
most of those answers fit and how likely that is by chance ("fits s017 on 6 of 7 varied exercises;
by chance: about 1 in 10^9"). Status ``other variant`` when a classmate's numbers fit and chance is
below 1%; ``published numbers`` when the published lesson's fit (what working in the published
notebook gives: not called a copy). ``gradebook.csv`` has one row per roster
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
PUBLISHED_NUMBERS = "published numbers"
PUBLISHED = "published"
CHANCE_LIMIT = 0.01     # a classmate's numbers fitting less often than this by chance: status "other variant"
DRAWS = 400             # variants drawn to learn how often each answer comes up


def at_least(k: int, probabilities: list[float]) -> float:
    """The chance that ``k`` or more of independent events with these ``probabilities`` happen.

    >>> round(at_least(2, [0.5, 0.5]), 2), at_least(0, [0.1])
    (0.25, 1.0)
    """
    below = [1.0] + [0.0] * len(probabilities)      # below[j]: chance of exactly j so far
    for p in probabilities:
        below = [below[j] * (1 - p) + (below[j - 1] * p if j else 0.0) for j in range(len(below))]
    return max(0.0, min(1.0, 1.0 - sum(below[:k])))


def chance_words(p: float) -> str:
    """``0.0004`` -> ``'about 1 in 2,500'``; tiny ones as a power of ten.

    >>> chance_words(0.0004), chance_words(3e-12), chance_words(0.5)
    ('about 1 in 2,500', 'about 1 in 10^11', 'about 1 in 2')
    """
    if p <= 0:
        return "less than 1 in 10^15"
    one_in = 1 / p
    if one_in >= 1e6:
        import math

        return f"about 1 in 10^{int(math.floor(math.log10(one_in)))}"
    return f"about 1 in {round(one_in):,}"


class RosterGrading:
    """A roster and the instructor's secret: who a submission belongs to and which numbers it has."""

    def __init__(self, roster: Roster, secret: bytes):
        self.roster, self._secret = roster, secret
        self._cache: dict[tuple[str, str], list] = {}
        self._lock = threading.Lock()
        self._owners: dict[str, str] = {}
        self._rates: dict[str, dict] = {}

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
        """Judge the notebook at lesson level: whose numbers do its answers fit, and how likely is that by chance?

        An answer wrong for ``student`` but right for other numbers earns nothing (it answers another
        exercise). The rival (a classmate, or ``published``) that the most such answers fit is named, in
        the instructor's note only (``graded.copy_note``), e.g. ``fits s017 on 6 of 7 varied exercises
        (by chance: about 1 in 10^9)``. Status ``other variant`` when that chance is below
        :data:`CHANCE_LIMIT`; status ``published numbers`` (not a copy: it is what working in the
        published notebook gives) when the published numbers fit best.
        """
        rivals = [PUBLISHED] + [other for other in self.roster.ids if other != student]
        fits: dict[str, list[str]] = {rival: [] for rival in rivals}
        varied: dict[str, int] = {rival: 0 for rival in rivals}
        for position, (exercise, verdict) in enumerate(zip(exercises, graded.verdicts)):
            if exercise.kind != "value":
                continue
            readings = [a for a in answers.get(exercise.key, []) if a.state == "value"]
            groups: dict[str, list[str]] = {}
            for rival in rivals:
                theirs = self.exercises(rival, graded.lesson)[position]
                if theirs.answer != exercise.answer:
                    varied[rival] += 1
                    groups.setdefault(theirs.answer, []).append(rival)
            if verdict.correct or not readings:
                continue
            for rivals_with_it in groups.values():
                theirs = self.exercises(rivals_with_it[0], graded.lesson)[position]
                if any(judge.judge(theirs, reading, seed).correct for reading in readings):
                    for rival in rivals_with_it:
                        fits[rival].append(exercise.key)
        best = max(rivals, key=lambda r: (len(fits[r]), r == PUBLISHED))   # a tie: the published numbers
        if not fits[best]:
            return
        for key in fits[best]:
            graded.flags[key] = best
            position = [e.key for e in exercises].index(key)
            graded.verdicts[position] = Verdict(
                key, NOT_YET, "this answer is right for other numbers than the ones your exercise asks about "
                "(another variant of it), so it earns nothing.", 0, exercises[position].points)
        n, k = varied[best], len(fits[best])
        if best == PUBLISHED:
            graded.status = PUBLISHED_NUMBERS
            graded.copy_note = (f"published numbers: fits the published lesson on {k} of {n} varied exercises "
                                f"({', '.join(fits[best])}); worked in the published notebook, not a copy of a "
                                "classmate. Those answers earn nothing.")
            graded.message = (f"{k} answer(s) fit the published lesson's numbers, not the ones your exercises "
                              f"ask about, and earn nothing. {graded.message}").strip()
            return
        chance = self.chance(graded.lesson, best, exercises, fits[best], len(rivals) - 1)
        graded.copy_note = (f"fits {best} on {k} of {n} varied exercises ({', '.join(fits[best])}); "
                            f"by chance: {chance_words(chance)}.")
        if chance < CHANCE_LIMIT:
            graded.status = OTHER_VARIANT
        else:
            graded.copy_note += " That could well be chance: not flagged."
        graded.message = (f"{k} answer(s) fit other numbers than yours and earn nothing. {graded.message}").strip()

    def chance(self, lesson: str, rival: str, exercises: list, fitted: list[str], classmates: int) -> float:
        """How often a notebook worked on numbers drawn at random fits ``rival``'s answers to ``fitted``
        or more of the same count of varied exercises, for any of ``classmates`` classmates (an upper bound).

        Each exercise's rate is how often a drawn variant's answer equals ``rival``'s
        (:meth:`answer_rates`); the count of fits is their Poisson-binomial tail.
        """
        rates = self.answer_rates(lesson)
        theirs = {e.key: e for e in self.exercises(rival, lesson)}
        varied = [e.key for e in exercises if e.kind == "value" and theirs[e.key].answer != e.answer]
        probabilities = [rates.get(key, {}).get(theirs[key].answer, 1 / DRAWS) for key in varied]
        return min(1.0, max(classmates, 1) * at_least(len(fitted), probabilities))

    def answer_rates(self, lesson: str) -> dict[str, dict[str, float]]:
        """Per exercise key, how often each answer comes up among :data:`DRAWS` variants drawn at random."""
        import numpy as np

        from ..exercises import draw_parameters

        with self._lock:
            if lesson in self._rates:
                return self._rates[lesson]
        rng = np.random.default_rng(1909)
        counts: dict[str, dict[str, int]] = {}
        for _ in range(DRAWS):
            for exercise in exercises_for(lesson, draw_parameters(lesson, rng)):
                answers = counts.setdefault(exercise.key, {})
                answers[exercise.answer] = answers.get(exercise.answer, 0) + 1
        rates = {key: {a: (c + 1) / (DRAWS + 1) for a, c in answers.items()} for key, answers in counts.items()}
        with self._lock:
            self._rates[lesson] = rates
        return rates

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
