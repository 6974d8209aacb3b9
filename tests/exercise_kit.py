"""Shared test tools for exercise modules: run each exercise's own solution, feed it nonsense.

>>> from tests.exercise_kit import solution_value
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from helpers.exercises import exercises_for
from helpers.exercises.engine import CORRECT, NOT_ATTEMPTED, NOT_YET, Verdict

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION\n(.*)", re.S)


def solution_value(exercise, namespace: dict | None = None):
    """Execute the exercise's ``answer`` code and return the variable it defines."""
    scope = {"np": np}
    if "keras" in exercise.answer:
        import keras

        scope["keras"] = keras
    scope.update(namespace or {})
    exec(exercise.answer, scope)  # noqa: S102 - our own solution text
    return scope[exercise.reads]


def nonsense_values():
    """Values a learner might type by mistake; every check must answer them with a verdict."""
    import keras

    tiny = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])

    def raises(*args, **kwargs):
        raise RuntimeError("boom")

    return [None, "abc", "", [], [1, 2, 3, 4, 5], (), np.int64(3), np.float32("nan"), np.zeros((2, 2)),
            float("inf"), -1, 10**40, True, {"a": 1}, {1, 2}, tiny, raises, lambda *a: None, object(), b"x",
            (None,) * 9, [[1, 2], [3]], np.array("text"), np.zeros((0,))]


def solution_cells(lesson: str) -> list[tuple[str, str]]:
    """(solution block, code after it) for every solution cell of the lesson's notebook."""
    [path] = sorted((ROOT / "solutions").glob(f"{lesson}_*.ipynb"))
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        match = BLOCK.search(src + "\n")
        if cell["cell_type"] == "code" and match:
            found.append((match.group(1), match.group(2)))
    return found


def assert_verdict(verdict, status: str, *words: str) -> None:
    assert isinstance(verdict, Verdict), verdict
    assert verdict.status == status, verdict.text()
    for word in words:
        assert word.lower() in verdict.message.lower(), (word, verdict.text())


def check_lesson_wiring(lesson: str) -> None:
    """Every exercise is checked in the notebook, right after the block that assigns its variable."""
    exercises = {e.reads: e for e in exercises_for(lesson)}
    cells = solution_cells(lesson)
    seen = set()
    for block, after in cells:
        assigned = [name for name in exercises if re.search(rf"^(def )?{name}\b", block, re.M)]
        assert len(assigned) == 1, f"solution block assigns {assigned}: {block!r}"
        exercise = exercises[assigned[0]]
        assert f"ex.{exercise.id}.check({exercise.reads})" in after, (exercise.key, after)
        seen.add(exercise.reads)
    assert seen == set(exercises), f"exercises never asked in the notebook: {set(exercises) - seen}"


__all__ = ["CORRECT", "NOT_ATTEMPTED", "NOT_YET", "assert_verdict", "check_lesson_wiring", "nonsense_values",
           "solution_cells", "solution_value"]
