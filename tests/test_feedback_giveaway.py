"""No check answers a typical wrong answer with the right one: for every value exercise of every lesson
(00-09), a set of typical wrong answers (each exercise's foreseen mistakes, and the same answer with
one size, entry or count moved) gets messages that never contain the answer. The last hint may state
it; feedback diagnoses.

Model exercises are value exercises too, but their answer is code, not a value a message could
quote: tests/test_no_answer_above.py and the lesson tests cover their spellings.
"""
from __future__ import annotations

import itertools
import numbers
import re

import numpy as np
import pytest

from helpers.exercises import exercises_for, lessons
from tests.exercise_kit import solution_value

VALUE_EXERCISES = [e for lesson in lessons() for e in exercises_for(lesson) if e.kind == "value"]


def _is_shape(value) -> bool:
    return isinstance(value, tuple) and all(d is None or (isinstance(d, numbers.Integral) and not isinstance(d, bool))
                                            for d in value)


def _shape_variants(shape: tuple) -> list:
    out = []
    for i, d in enumerate(shape):
        for other in ({d + 1, d - 1, 1, d * 2} if d is not None else {1, 32}):
            if other is not None and other > 0 and other != d:
                out.append(shape[:i] + (other,) + shape[i + 1:])
        if d is not None:
            out.append(shape[:i] + (None,) + shape[i + 1:])
        out.append(shape[:i] + shape[i + 1:])
    out += [shape + (1,), (None,) + shape, shape[::-1]]
    out += [tuple(p) for p in itertools.permutations(shape)][:6]
    return out


def _int_variants(n: int) -> list:
    return sorted({n + 1, n - 1, n + 2, n - 2, n + 10, n - 10, 2 * n, n // 2, 0, n * n, n + n // 2} - {n})


def right_answer(exercise):
    """The exercise's answer: its solution's value, or (for a solution that needs the notebook's
    variables) the value its check expects; None for code answers."""
    try:
        return solution_value(exercise)
    except NameError:
        return getattr(exercise.rule, "expected", None)


def wrong_answers(exercise) -> list:
    """Typical wrong answers for a value exercise: its foreseen mistakes and one-step moves of the answer."""
    right = right_answer(exercise)
    rule = exercise.rule
    if right is None:
        return []
    foreseen = list(getattr(rule, "tips", None) or getattr(rule, "near", None) or {})
    if isinstance(right, bool) or hasattr(right, "layers"):
        return []
    if isinstance(right, numbers.Integral):
        return foreseen + _int_variants(int(right))
    if _is_shape(right):
        return foreseen + _shape_variants(right)
    if isinstance(right, list) and right and all(_is_shape(s) for s in right):
        out = [right[:i] + [v] + right[i + 1:] for i, s in enumerate(right) for v in _shape_variants(s)]
        return out + [right[:-1], right[::-1], right[0]]
    if isinstance(right, tuple) and right and _is_shape(right[0]):      # (shape, something else)
        return [(v,) + right[1:] for v in _shape_variants(right[0])] + [(right[0], "mse"), right[::-1]]
    if isinstance(right, dict):
        out = []
        for key, value in right.items():
            variants = (_shape_variants(value) if _is_shape(value) else
                        [[v] + list(value[1:]) for v in _shape_variants(value[0])] if isinstance(value, list) else [])
            out += [{**right, key: v} for v in variants]
        return out
    array = np.asarray(right)
    if array.dtype.kind in "biuf" and array.ndim >= 1:
        out = []
        for index in np.ndindex(array.shape):
            moved = array.copy()
            moved[index] = (not moved[index]) if array.dtype.kind == "b" else moved[index] + 1
            out.append(moved if isinstance(right, np.ndarray) else moved.tolist())
        return out + [array.T.tolist(), array[::-1].tolist()]
    raise AssertionError(f"no wrong answers for {exercise.key}: {right!r}")


def _spellings(right) -> list[str]:
    """How the answer would be written in a message, without spaces."""
    if isinstance(right, np.ndarray):
        return [repr(right.tolist()).replace(" ", "")]
    spelled = [repr(right).replace(" ", "")]
    if _is_shape(right):
        spelled.append(repr(list(right)).replace(" ", ""))
    return spelled


def gives_away(exercise, message: str) -> bool:
    right = right_answer(exercise)
    if isinstance(right, numbers.Integral):
        if re.search(rf"(?<![\w.(,]){int(right)}(?![\w.)])", exercise.prompt):
            return False          # a number the question itself states is no give-away
        return bool(re.search(rf"(?<!\d\.)(?<![\w-]){int(right)}(?!\.\d|\w| x | \* )", message))
    squeezed = message.replace(" ", "")
    return any(s in squeezed for s in _spellings(right))


@pytest.mark.parametrize("lesson", lessons())
def test_typical_wrong_answers_never_get_the_answer(lesson):
    tried, leaks = 0, []
    for exercise in (e for e in VALUE_EXERCISES if e.lesson == lesson):
        right = right_answer(exercise)
        for wrong in wrong_answers(exercise):
            if repr(wrong) == repr(right):
                continue
            verdict = exercise.check(wrong)
            if verdict.correct:
                continue          # another right spelling (e.g. (27, 10, 1) written as an expression)
            tried += 1
            if gives_away(exercise, verdict.message):
                leaks.append(f"{exercise.key} {wrong!r}: {verdict.message}")
    print(f"lesson {lesson}: {tried} wrong answers tried")
    assert not leaks, "\n".join(leaks)
    if any(e.lesson == lesson and wrong_answers(e) for e in VALUE_EXERCISES):
        assert tried >= 10, tried


def test_the_search_finds_a_planted_give_away():
    from helpers.exercises.engine import Exercise, int_check, shape_with_tips

    leaky = Exercise(lesson="99", id="q1", prompt="How many?", reads="n", hints=["Count."], answer="n = 37",
                     check=int_check(37, "the count", {36: "One short: the answer is 37."}))
    assert any(gives_away(leaky, leaky.check(w).message) for w in wrong_answers(leaky))
    shape = Exercise(lesson="99", id="q2", prompt="Which shape?", reads="s", hints=["Look."], answer="s = (None, 5, 2)",
                     check=shape_with_tips((None, 5, 2), ("batch", "steps", "features"),
                                           {(5, 2): "Add the batch axis: (None, 5, 2)."}))
    assert any(gives_away(shape, shape.check(w).message) for w in wrong_answers(shape))
