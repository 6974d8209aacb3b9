"""helpers.exercises.formulas: an unforeseen wrong count is explained by the slip it fits, never with
the right answer; the cases found in a cold try of lessons 01-04 get their formula."""
import re

import pytest

from helpers.exercises import lesson_01, lesson_03, lesson_04, lesson_05
from helpers.exercises.formulas import fitted, slips
from tests.exercise_kit import NOT_YET, assert_verdict

RNN = [("kernel", "features * units"), ("recurrent kernel", "units * units"), ("bias", "units")]


@pytest.mark.parametrize("exercise, number, words", [
    (lesson_01.q2, 20, ["20 fits", "(4 + 1) x (3 + 1)", "4 x 4 + 4"]),
    (lesson_03.q1, 60, ["60 fits", "2 x 6 + 6 x 6 + 2 x 6", "bias counted twice"]),
    (lesson_03.q1, 2 * 6 + 4 * 6 * 6 + 6, ["recurrent kernel counted once per timestep"]),
    (lesson_04.q2, 130, ["130 fits timesteps x units + units x units + units", "2 x 10 + 10 x 10 + 10",
                         "timesteps where features belong"]),
    (lesson_05.q5, 3 * 2 * 4 + 6 * 4, ["48 fits", "3 recurrent kernels left out"]),
])
def test_unforeseen_counts_name_the_formula_they_fit(exercise, number, words):
    assert number not in (exercise.rule.near or {})
    assert_verdict(exercise.check(number), NOT_YET, *words)


def test_no_slip_fits_says_less():
    assert_verdict(lesson_01.q2.check(1000), NOT_YET, "too high")
    assert fitted(RNN, {"features": 3, "units": 5})(7919) is None


def test_every_explanation_is_true_arithmetic_without_the_answer():
    quantities = {"timesteps": 7, "features": 3, "units": 5}
    right = 5 * (3 + 5 + 1)
    explain = fitted(RNN, quantities)
    explained = 0
    for number in range(0, 1000):
        message = explain(number)
        if number == right:
            assert message is None
            continue
        if message is None:
            continue
        explained += 1
        assert not re.search(rf"(?<![\d.]){right}(?![\d.])", message), message
        for reading in message[len(f"{number} fits "):].split(" or "):
            numbers = reading.split(" = ", 1)[1].split(":")[0]
            assert eval(numbers.replace("x", "*")) == number, message   # noqa: S307 - our own arithmetic
    assert explained > 10


def test_slips_never_include_the_right_formula_as_a_slip():
    quantities = {"timesteps": 4, "features": 2, "units": 6}
    assert all(whats for whats, _ in slips(RNN, quantities))
    assert fitted(RNN, quantities)(2 * 6 + 6 * 6 + 6) is None


def test_a_formula_with_anything_but_names_and_arithmetic_is_refused():
    with pytest.raises(ValueError):
        fitted([("bad", "__import__('os')")], {"units": 1})
