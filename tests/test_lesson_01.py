"""Lesson 01's exercises: each solution passes, typical mistakes get their own message."""
import numpy as np
import pytest

from helpers.exercises import lesson_01 as ex
from tests.exercise_kit import CORRECT, NOT_ATTEMPTED, NOT_YET, assert_verdict, solution_value


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.key)
def test_solution_is_correct_and_blank_is_not_attempted(exercise):
    assert_verdict(exercise.check(solution_value(exercise)), CORRECT)
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)


@pytest.mark.parametrize("exercise, value, words", [
    (ex.q1, (10,), ["batch axis"]),
    (ex.q1, (None, 2), ["what goes in"]),
    (ex.q1, (2, 10), ["kernel"]),
    (ex.q1, (None, 12), ["axis 1 (units) is 12, expected 10"]),
    (ex.q2, 12, ["bias"]),
    (ex.q2, 7, ["one weight per"]),
    (ex.q4, (None, 10), ["64 rows arrive"]),
    (ex.q4, (64, 2), ["input"]),
    (ex.q5, (None, 4), ["only changes the last"]),
    (ex.q5, (None, 4, 5), ["last axis"]),
    (ex.q6, 144, ["shared"]),
    (ex.q6, 168, ["layer of its own"]),
    (ex.q6, 28, ["last axis"]),
    (ex.q5, (None, 28), ["does not flatten"]),
    (ex.q4, np.zeros((64, 10)), ["numpy array of shape (64, 10)", ".shape"]),
    (ex.q6, 20, ["bias"]),
], ids=lambda v: str(v))
def test_typical_mistakes_get_specific_feedback(exercise, value, words):
    assert_verdict(exercise.check(value), NOT_YET, *words)


@pytest.mark.parametrize("wrong, words", [
    (lambda f, u: f * u, ["kernel only"]),
    (lambda f, u: (f + 1) * (u + 1), ["one bias per unit"]),
    (lambda f, u: f + u, ["multiply"]),
    (lambda f, u: 30, ["expected"]),
    (lambda f, u: 1 / 0, ["ZeroDivisionError"]),
    (lambda f: f, ["TypeError"]),
    (lambda f, u: "30", ["should return a number"]),
    (lambda f, u: f * u + f, ["one value per unit"]),
    (lambda f, u: print(f * u + u), ["print"]),
])
def test_q3_function_mistakes(wrong, words):
    assert_verdict(ex.q3.check(wrong), NOT_YET, *words)


def test_q3_grader_inputs_change_with_the_seed_and_defeat_hard_coding():
    assert ex.q3.inputs(1) != ex.q3.inputs(2)
    hard_coded = {(2, 10): 30, (1, 1): 2}
    cheat = lambda f, u: hard_coded.get((f, u), 0)  # noqa: E731
    assert ex.q3.judge_function(cheat, seed=7).status == NOT_YET
    assert ex.q3.judge_function(lambda f, u: f * u + u, seed=7).status == CORRECT


def test_q3_function_returning_ellipsis_is_not_attempted():
    assert_verdict(ex.q3.check(lambda f, u: ...), NOT_ATTEMPTED)


def test_q7_model_checks():
    import keras

    layers = keras.layers
    one_layer = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    assert_verdict(ex.q7.check(one_layer), NOT_YET, "1 layer after the input; 2 are needed")
    wrong_input = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    assert_verdict(ex.q7.check(wrong_input), NOT_YET, "input is (None, 2)")
    batch_in_shape = keras.Sequential([keras.Input(shape=(None, 3)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    assert_verdict(ex.q7.check(batch_in_shape), NOT_YET, "leave it out of shape=")
    no_relu = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(8), layers.Dense(1)])
    assert_verdict(ex.q7.check(no_relu), NOT_YET, "Layer 1 (Dense) has no activation", "activation='relu'")
    relu_last = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(8, activation="relu"),
                                  layers.Dense(1, activation="relu")])
    assert_verdict(ex.q7.check(relu_last), NOT_YET, "Layer 2 (Dense) has activation='relu'", "no activation")
    separate = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(8), layers.Activation("relu"), layers.Dense(1)])
    assert_verdict(ex.q7.check(separate), CORRECT, "computes the same", "Dense(8, activation='relu')")
    sigmoid_then_relu = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(8, activation="sigmoid"),
                                          layers.Activation("relu"), layers.Dense(1)])
    assert_verdict(ex.q7.check(sigmoid_then_relu), NOT_YET, "an Activation layer of its own", "activation='relu'")
    no_bias = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(8, activation="relu", use_bias=False),
                                layers.Dense(1)])
    assert_verdict(ex.q7.check(no_bias), NOT_YET, "24 parameters; expected 32", "use_bias")
    extra = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(8, activation="relu"), layers.Dense(1), layers.Dense(1)])
    assert_verdict(ex.q7.check(extra), NOT_YET, "extra: dense")
    unbuilt = keras.Sequential([layers.Dense(8), layers.Dense(1)])
    assert_verdict(ex.q7.check(unbuilt), NOT_YET, "keras.Input")
    assert_verdict(ex.q7.check((None, 1)), NOT_YET, "expected a keras model")



def test_numpy_integers_and_lists_are_accepted_as_answers():
    assert ex.q1.check([None, np.int64(10)]).correct
    assert ex.q2.check(np.int32(15)).correct
    assert ex.q6.check(24.0).correct

