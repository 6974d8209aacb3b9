"""Lesson 00's warm-up exercises: solution, typical mistakes, blank, nonsense."""
import pytest

from helpers.exercises import lesson_00 as ex
from tests.exercise_kit import CORRECT, NOT_ATTEMPTED, NOT_YET, assert_verdict, solution_value


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.key)
def test_solution_is_correct_and_blank_is_not_attempted(exercise):
    assert_verdict(exercise.check(solution_value(exercise)), CORRECT)
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)


@pytest.mark.parametrize("value, words", [((3, 4), ["wrong order"]), ((4,), ["1 axis"]), ((4, 3, 1), ["3 axes"])])
def test_q1_typical_mistakes(value, words):
    assert_verdict(ex.q1.check(value), NOT_YET, *words)


@pytest.mark.parametrize("value, words", [(7, ["multiply"]), ((4, 3), ["single number"]), (13, ["too high"])])
def test_q2_typical_mistakes(value, words):
    assert_verdict(ex.q2.check(value), NOT_YET, *words)


