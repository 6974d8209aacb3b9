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


def best(exercise, answers: list[Answer], seed: int) -> Verdict:
    """The verdict from several readings of one answer (after its check cell, then at the end).

    Correct if any reading is correct, else the first reading's verdict: a learner who moved the
    answer below a check cell, or reused the name later, keeps the point, and no reading can be
    right unless the notebook really held the right answer at that moment.
    """
    verdicts = [judge(exercise, answer, seed) for answer in answers]
    if not verdicts:
        return unreadable(exercise, "the grader took no reading; please report it")
    return next((v for v in verdicts if v.correct), verdicts[0])


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
