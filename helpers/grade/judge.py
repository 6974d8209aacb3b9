"""Step 4, judge: turn each extracted answer into a verdict, in the grader's own process.

The checks are the same pure ones the learner calls (``Exercise.judge``); nothing the kernel
printed or returned as text is taken as a verdict.

>>> from helpers.exercises import exercises_for
>>> from helpers.grade.extract import Answer
>>> q1 = exercises_for("01")[0]
>>> judge(q1, Answer("missing"), seed=1).status
'not attempted'
"""
from __future__ import annotations

from typing import Any

from ..exercises import NOT_ATTEMPTED, NOT_YET, Verdict
from .extract import Answer, keras_lock


def judge(exercise, answer: Answer, seed: int) -> Verdict:
    """The verdict for one exercise; never raises."""
    try:
        if answer.state == "missing":
            return Verdict(exercise.key, NOT_ATTEMPTED, f"your notebook never defines {exercise.reads}.",
                           0, exercise.points, "Keep the cell that sets it, run it, and submit again.")
        if answer.state == "unreadable":
            return unreadable(exercise, answer.why)
        with keras_lock():
            if answer.state == "outputs":
                return exercise.judge_function(_replay(answer.outputs, answer.raised), seed)
            return exercise.judge(answer.value)
    except Exception as err:  # noqa: BLE001 - a grader bug must not cost the batch
        return unreadable(exercise, f"the grader failed on it: {type(err).__name__}: {err}")


def unreadable(exercise, why: str) -> Verdict:
    """The "not yet" verdict for an answer that could not be taken out of the notebook."""
    return Verdict(exercise.key, NOT_YET, f"could not read your answer ({why}).", 0, exercise.points)


def _replay(outputs: list, raised: dict | None):
    """A stand-in for the learner's function that gives back, in order, what it gave in the kernel."""
    remaining = iter(outputs)

    def learners_function(*args: Any) -> Any:
        try:
            return next(remaining)
        except StopIteration:
            if raised is None:
                raise RuntimeError("it gave fewer results than it was asked for") from None
            raise type(raised.get("type") or "Exception", (Exception,), {})(raised.get("message", "")) from None

    return learners_function
