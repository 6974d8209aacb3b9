"""Exercises, declared as data: one module per lesson (``lesson_01``, ...), one engine.

Learners::

    from helpers.exercises import lesson_01 as ex
    ex.q1.check(answer)      # Correct / Not yet + why / Not attempted
    ex.q1.hint()             # ex.q1.hint(2) for the next one
    ex.q1.solution()

Instructors and the grader::

    >>> from helpers.exercises import catalog, exercises_for
    >>> [e.key for e in exercises_for("00")][:1]
    ['00.q1']
"""
from __future__ import annotations

import importlib
import pkgutil

from .engine import CORRECT, NOT_ATTEMPTED, NOT_YET, Exercise, Note, Reject, Result, Verdict

__all__ = ["CORRECT", "NOT_ATTEMPTED", "NOT_YET", "Exercise", "Note", "Reject", "Result", "Verdict",
           "lessons", "exercises_for", "catalog"]


def lessons() -> list[str]:
    """Lesson numbers that have an exercise module, e.g. ``["00", "01"]``."""
    return sorted(m.name[len("lesson_"):] for m in pkgutil.iter_modules(__path__) if m.name.startswith("lesson_"))


def exercises_for(lesson: str) -> list[Exercise]:
    """The exercises of one lesson, in the order the lesson module declares them."""
    lesson = str(lesson).zfill(2)
    if lesson not in lessons():
        raise KeyError(f"no exercises for lesson {lesson!r}; known lessons: {', '.join(lessons())}")
    module = importlib.import_module(f"{__name__}.lesson_{lesson}")
    return list(module.EXERCISES)


def catalog() -> list[dict]:
    """Every exercise of the course: lesson, id, points, the variable it reads, its prompt."""
    return [
        {"lesson": e.lesson, "id": e.id, "points": e.points, "reads": e.reads, "kind": e.kind, "prompt": e.prompt}
        for lesson in lessons()
        for e in exercises_for(lesson)
    ]
