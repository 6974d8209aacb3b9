"""Lesson 03's exercises: each solution passes, typical mistakes get their own message."""
import numpy as np
import pytest

from helpers.exercises import lesson_03 as ex
from tests.exercise_kit import CORRECT, NOT_ATTEMPTED, NOT_YET, assert_verdict, solution_value


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.key)
def test_solution_is_correct_and_blank_is_not_attempted(exercise):
    assert_verdict(exercise.check(solution_value(exercise)), CORRECT)
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)


@pytest.mark.parametrize("exercise, value, words", [
    (ex.q2, [(5, 3), (5, 5), (5,)], ["(features, units)"]),
    (ex.q2, [(3, 5), (3, 5), (5,)], ["previous state"]),
    (ex.q2, [(3, 5), (5, 5), (1, 5)], ["plain vector"]),
    (ex.q2, [(5, 5), (3, 5), (5,)], ["wrong order"]),
    (ex.q2, [(7, 5), (5, 5), (5,)], ["every one of the 7 timesteps"]),
    (ex.q2, (3, 5), ["one shape"]),
    (ex.q2, [(3, 5), (5, 5)], ["has 2"]),
    (ex.q1, 48, ["bias"]),
    (ex.q1, 18, ["recurrent kernel"]),
    (ex.q1, 66, ["4 timesteps of 2 features"]),
    (ex.q1, 216, ["reused"]),
    (ex.q1, 120, ["6 units, 2 features"]),
    (ex.q1, 30, ["recurrent kernel", "6 x 6"]),
    (ex.q1, 90, ["one row per timestep and feature"]),
    (ex.q1, 42, ["without the kernel"]),
    (ex.q5, (None, 30), ["units is not the number of timesteps"]),
    (ex.q5, (None, 30, 16), ["return_sequences"]),
    (ex.q5, (16,), ["batch axis"]),
], ids=lambda v: str(v))
def test_typical_mistakes_get_specific_feedback(exercise, value, words):
    assert_verdict(exercise.check(value), NOT_YET, *words)


@pytest.mark.parametrize("wrong, words", [
    (lambda t, f, u: t * u * (f + u + 1), ["timesteps do not change"]),
    (lambda t, f, u: u * (t + u + 1), ["timesteps where the features go"]),
    (lambda t, f, u: t * f * u + u * u + u, ["a row per timestep and feature"]),
    (lambda t, f, u: u * (f + u), ["bias is missing"]),
    (lambda t, f, u: u * (f + 1), ["dense's count"]),
    (lambda t, f, u: 120, ["expected"]),
    (lambda t, f, u: "120", ["should return a number"]),
    (lambda f, u: f * u, ["TypeError"]),
])
def test_q3_function_mistakes(wrong, words):
    assert_verdict(ex.q3.check(wrong), NOT_YET, *words)


def test_q3_agrees_with_keras_and_resists_hard_coding():
    import keras

    for timesteps, features, units in ex.q3.inputs(3)[:3]:
        layer = keras.layers.SimpleRNN(units)
        layer.build((None, timesteps, features))
        assert layer.count_params() == solution_value(ex.q3)(timesteps, features, units)
    cheat = lambda t, f, u: {(2, 1, 10): 120, (50, 1, 10): 120}.get((t, f, u), 0)  # noqa: E731
    assert ex.q3.judge_function(cheat, seed=9).status == NOT_YET


def _forward(**mistake):
    def rnn_forward(x, W, U, b):
        h = np.zeros((x.shape[0], W.shape[1]))
        states = []
        for t in range(x.shape[1]):
            z = x[:, t, :] @ W + (0 if mistake.get("no_recur") else h @ (U.T if mistake.get("transpose") else U))
            z = z + (0 if mistake.get("no_bias") else b)
            h = z if mistake.get("no_tanh") else np.tanh(z)
            states.append(h)
            if mistake.get("first_only"):
                return h
        return np.stack(states, axis=1) if mistake.get("every") else h
    return rnn_forward


@pytest.mark.parametrize("mistake, words", [
    ("every", ["every step", "return_sequences"]),
    ("no_tanh", ["tanh"]),
    ("no_recur", ["previous state"]),
    ("no_bias", ["bias"]),
    ("transpose", ["transposed"]),
    ("first_only", ["first timestep"]),
])
def test_q4_forward_mistakes(mistake, words):
    assert_verdict(ex.q4.check(_forward(**{mistake: True})), NOT_YET, *words)


def _loop(x, W, U, b, step):
    h = np.zeros((x.shape[0], W.shape[1]))
    for t in range(x.shape[1]):
        h = step(x[:, t, :], h, W, U, b)
    return h


@pytest.mark.parametrize("step, words", [
    (lambda x_t, h, W, U, b: np.tanh(x_t @ W + h @ W + b), ["h @ W", "multiplies U"]),
    (lambda x_t, h, W, U, b: np.tanh(x_t @ U + h @ U + b), ["x[:, t, :] times a matrix", "U, or W transposed"]),
    (lambda x_t, h, W, U, b: np.tanh(x_t @ W.T + h @ U + b), ["x[:, t, :] times a matrix", "U, or W transposed",
                                                             "kernel W as Keras stores it"]),
])
def test_q4_a_failing_product_is_named_with_the_input_shapes(step, words):
    verdict = ex.q4.check(lambda x, W, U, b: _loop(x, W, U, b, step))
    assert_verdict(verdict, NOT_YET, "x (2, 3, 1)", "W (1, 4)", "U (4, 4)", *words)
    assert "gufunc" not in verdict.message


def test_q4_any_other_error_names_the_input_shapes():
    verdict = ex.q4.check(lambda x, W, U, b: x[:, :, :, 0])
    assert_verdict(verdict, NOT_YET, "IndexError", "x (2, 3, 1)")


def test_q4_other_failures_get_a_verdict():
    assert_verdict(ex.q4.check(lambda x, W, U, b: np.zeros((x.shape[0], W.shape[1]))), NOT_YET, "values differ")
    assert_verdict(ex.q4.check(lambda x, W, U, b: np.zeros((W.shape[1], x.shape[0]))), NOT_YET, "(batch, units)")
    assert_verdict(ex.q4.check(lambda x, W, U, b: "h"), NOT_YET)
    assert_verdict(ex.q4.check(lambda x, W, U, b: ...), NOT_ATTEMPTED)


def test_q4_reference_agrees_with_keras_on_copied_weights():
    import keras

    x, W, U, b = ex.q4.inputs(0)[2]
    layer = keras.layers.SimpleRNN(W.shape[1])
    layer.build((None,) + x.shape[1:])
    layer.set_weights([W, U, b])
    keras_h = keras.ops.convert_to_numpy(layer(x.astype("float32")))
    assert np.max(np.abs(keras_h - solution_value(ex.q4)(x, W, U, b))) < 1e-5


def test_q6_model_checks():
    import keras

    layers = keras.layers
    units_as_steps = keras.Sequential([keras.Input(shape=(12, 3)), layers.SimpleRNN(12), layers.Dense(1)])
    assert_verdict(ex.q6.check(units_as_steps), NOT_YET, "units is not the number of timesteps")
    swapped = keras.Sequential([keras.Input(shape=(3, 12)), layers.SimpleRNN(8), layers.Dense(1)])
    assert_verdict(ex.q6.check(swapped), NOT_YET, "3 steps of 12 features")
    every_step = keras.Sequential([keras.Input(shape=(12, 3)), layers.SimpleRNN(8, return_sequences=True), layers.Dense(1)])
    assert_verdict(ex.q6.check(every_step), NOT_YET, "return_sequences")
    no_dense = keras.Sequential([keras.Input(shape=(12, 3)), layers.SimpleRNN(8)])
    assert_verdict(ex.q6.check(no_dense), NOT_YET, "2 are needed")



def test_numpy_integers_and_lists_are_accepted_as_answers():
    assert ex.q2.check([[3, 5], [np.int64(5), 5], [5]]).correct
    assert ex.q1.check(np.int64(54)).correct

