"""Promises every exercise of every lesson keeps: nonsense gets a verdict (never a traceback),
and the lesson's notebook asks it, checking the variable the grader reads."""
import pytest

from helpers.exercises import exercises_for, lessons
from tests.exercise_kit import NOT_ATTEMPTED, NOT_YET, check_lesson_wiring, nonsense_values

ALL = [e for lesson in lessons() for e in exercises_for(lesson)]


@pytest.fixture(scope="module")
def nonsense():
    return nonsense_values()


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.key)
def test_nonsense_gets_a_verdict(exercise, nonsense):
    for value in nonsense:
        verdict = exercise.check(value)
        assert verdict.status in (NOT_YET, NOT_ATTEMPTED), (value, verdict)
        assert verdict.message and "Traceback" not in verdict.message


@pytest.mark.parametrize("lesson", lessons())
def test_notebook_asks_every_exercise(lesson):
    check_lesson_wiring(lesson)


def test_every_lesson_with_exercises_has_its_own_tests():
    from pathlib import Path

    here = Path(__file__).parent
    assert all((here / f"test_lesson_{lesson}.py").exists() for lesson in lessons())
