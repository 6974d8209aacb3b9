"""Exercises, declared as data: one module per lesson (``lesson_01``, ...), one engine.

Learners::

    from helpers.exercises import lesson_01 as ex
    ex.q1.check(answer)      # Correct / Not yet + why / Not attempted
    ex.q1.hint()             # ex.q1.hint(2) for the next one
    ex.q1.solution()

A graded release (``python -m helpers.release``) starts the notebook with its student's numbers
instead, and no solutions::

    from helpers.exercises import graded_release
    ex = graded_release("01", {"features": 3, "units": 12, ...}, feedback="full")

Instructors and the grader::

    >>> from helpers.exercises import catalog, exercises_for
    >>> [e.key for e in exercises_for("00")][:1]
    ['00.q1']
"""
from __future__ import annotations

import importlib
import pkgutil

from types import SimpleNamespace

from . import engine
from .engine import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED, Exercise, Note, Reject, Result, Verdict

__all__ = ["CORRECT", "NOT_ATTEMPTED", "NOT_YET", "RECEIVED", "Exercise", "Note", "Reject", "Result", "Verdict",
           "lessons", "exercises_for", "catalog", "parameters", "draw_parameters", "lesson_texts",
           "graded_release"]


def lessons() -> list[str]:
    """Lesson numbers that have an exercise module, e.g. ``["00", "01"]``."""
    return sorted(m.name[len("lesson_"):] for m in pkgutil.iter_modules(__path__) if m.name.startswith("lesson_"))


def _module(lesson: str):
    lesson = str(lesson).zfill(2)
    if lesson not in lessons():
        raise KeyError(f"no exercises for lesson {lesson!r}; known lessons: {', '.join(lessons())}")
    return importlib.import_module(f"{__name__}.lesson_{lesson}")


def exercises_for(lesson: str, params: dict | None = None) -> list[Exercise]:
    """The exercises of one lesson, in the order the lesson module declares them.

    ``params`` gives a variant's numbers (see :func:`parameters`); None or ``{}`` is the published lesson.
    """
    module = _module(lesson)
    if params and hasattr(module, "build"):
        return list(module.build({**module.DEFAULTS, **params}))
    return list(module.EXERCISES)


def parameters(lesson: str) -> dict:
    """The numbers a lesson's exercises are built with by default (``{}``: the lesson has none).

    >>> parameters("01")["units"]
    10
    """
    return dict(getattr(_module(lesson), "DEFAULTS", {}))


def draw_parameters(lesson: str, rng) -> dict:
    """Other valid numbers for a lesson, drawn with the numpy Generator ``rng`` (``{}`` when it has none)."""
    module = _module(lesson)
    return dict(module.draw(rng)) if hasattr(module, "draw") else {}


def lesson_texts(lesson: str, params: dict | None = None) -> list[tuple[str, str]]:
    """Pairs (published text, the variant's text) for every sentence or code line of the lesson
    notebook that uses the lesson's numbers (none in a process that opened a graded release).

    >>> lesson_texts("01", {**parameters("01"), "units": 12})[5]
    ('dense_shape = (None, 10)', 'dense_shape = (None, 12)')
    """
    module = _module(lesson)
    templates = getattr(module, "TEXTS", [])
    if not templates or engine.sealed():      # a kernel that opened a graded release spells no answer line
        return []
    fill = getattr(module, "text_values", lambda p: p)
    published = fill(dict(module.DEFAULTS))
    variant = fill({**module.DEFAULTS, **(params or {})})
    return [(t.format(**published), t.format(**variant)) for t in templates]


# Functions a lesson's notebook calls as ``ex.NAME`` in a graded release (plain constants such as
# ``ex.TIMESTEPS`` are offered without being listed). Nothing else of the lesson module is: its
# ``build``, ``draw`` and ``TEXTS`` make and spell answers.
_NOTEBOOK_FUNCTIONS = {"07": ("mask_batch",), "09": ("scoreboard",)}


def graded_release(lesson: str, params: dict | None = None, feedback: str = "full") -> SimpleNamespace:
    """A lesson's exercises for a graded release: the student's numbers, no solutions, no hint that
    states the answer; ``feedback="format"`` only says whether an answer has the right form.

    It also seals this process (:func:`engine.seal`): from now on no exercise in it, published or
    built, holds an answer or a withheld hint, so no ``solution()`` shows one. The namespace holds
    the exercises, ``EXERCISES`` and the plain constants and functions the notebook uses; its
    exercises' checks keep their expected values out of sight (full feedback still names what was
    expected after a wrong answer, as the published course does).

    Not run as a doctest, since it seals the process::

        ex = graded_release("01", {"units": 12})
        ex.q1.solution()   # Solution for 01.q1: Solutions are not available in this graded release.
    """
    module = _module(lesson)
    built = exercises_for(lesson, params)
    engine.seal()
    for other in lessons():         # the answer lines' templates go too (lesson_01.TEXTS holds "dense_shape = ...")
        _module(other).TEXTS = ()
    exercises = [e.released(feedback) for e in built]
    simple = (int, float, str, bool)
    constants = {name: value for name, value in vars(module).items()   # what the notebook may use: ex.TIMESTEPS
                 if name.isupper() and not name.startswith("_") and type(value) in simple}
    constants.update({name: getattr(module, name) for name in _NOTEBOOK_FUNCTIONS.get(module.__name__[-2:], ())})
    return SimpleNamespace(**{**constants, **{e.id: e for e in exercises}, "EXERCISES": exercises})


def catalog() -> list[dict]:
    """Every exercise of the course: lesson, id, points, the variable it reads, its prompt."""
    return [
        {"lesson": e.lesson, "id": e.id, "points": e.points, "reads": e.reads, "kind": e.kind, "prompt": e.prompt}
        for lesson in lessons()
        for e in exercises_for(lesson)
    ]
