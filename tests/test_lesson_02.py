"""Lesson 02's exercises: each solution passes, typical mistakes get their own message."""
import numpy as np
import pytest

from helpers.exercises import lesson_02 as ex
from tests.exercise_kit import CORRECT, NOT_ATTEMPTED, NOT_YET, assert_verdict, solution_value

NAMESPACE = {"triples": ex.triples_data()}


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.key)
def test_solution_is_correct_and_blank_is_not_attempted(exercise):
    assert_verdict(exercise.check(solution_value(exercise, dict(NAMESPACE))), CORRECT)
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)


@pytest.mark.parametrize("exercise, value, words", [
    (ex.q1, (5,), ["2 axes", "needs 3"]),
    (ex.q1, (None, 5, 1), ["adds the batch axis itself"]),
    (ex.q1, (1, 5), ["same moment"]),
    (ex.q1, (2, 1), ["5 of them"]),
    (ex.q1, (3, 1), ["axis 0 (timesteps) is 3, expected 5"]),
    (ex.q2, (32, 3, 7), ["timesteps come before features"]),
    (ex.q2, (7, 3), ["all 32"]),
    (ex.q2, (None, 7, 3), ["count the sequences"]),
    (ex.q2, (32, 21), ["own axis"]),
    (ex.q3, (2, 24), ["swapped"]),
    (ex.q3, (48, 1), ["alternate"]),
    (ex.q3, (1, 48), ["no order"]),
    (ex.q3, (None, 24, 2), ["batch axis itself"]),
    (ex.q5, (91, 10, 1), ["no next value"]),
    (ex.q5, (100, 10, 1), ["plus 1 more"]),
    (ex.q5, (10, 10, 1), ["overlap"]),
    (ex.q5, (90, 10), ["features axis"]),
], ids=lambda v: str(v))
def test_typical_mistakes_get_specific_feedback(exercise, value, words):
    assert_verdict(exercise.check(value), NOT_YET, *words)


def test_q4_reshape_mistakes():
    triples = ex.triples_data()
    assert_verdict(ex.q4.check(triples.reshape(6, 1, 3)), NOT_YET, "one step of three features")
    assert_verdict(ex.q4.check(triples), NOT_YET, "still 2-d")
    assert_verdict(ex.q4.check(triples.T.reshape(6, 3, 1)), NOT_YET, "values moved")
    assert_verdict(ex.q4.check(triples.reshape(3, 6, 1)), NOT_YET, "6 samples")
    assert_verdict(ex.q4.check(triples.reshape(6, 3, 1, 1)), NOT_YET, "one axis too many")
    assert_verdict(ex.q4.check(np.zeros((6, 3, 1))), NOT_YET, "start from triples")
    assert_verdict(ex.q4.check((6, 3, 1)), NOT_YET, "looks like a shape")
    assert ex.q4.check(triples[..., None]).correct
    assert ex.q4.check(triples.reshape(-1, 3, 1)).correct
    assert ex.q4.check(triples.reshape(6, 3, 1).tolist()).correct


def _windows_with(x_fn, y_fn):
    def make_windows(series, timesteps):
        series = np.asarray(series, dtype=float)
        return x_fn(series, timesteps), y_fn(series, timesteps)
    return make_windows


def _stack(series, timesteps, extra=0):
    return np.array([series[i:i + timesteps] for i in range(len(series) - timesteps + extra)])


@pytest.mark.parametrize("wrong, words", [
    (_windows_with(lambda s, t: _stack(s, t), lambda s, t: s[t:]), ["still 2-d"]),
    (_windows_with(lambda s, t: _stack(s, t, 1)[..., None], lambda s, t: s[t - 1:]), ["one too many"]),
    (_windows_with(lambda s, t: _stack(s, t)[:, None, :], lambda s, t: s[t:]), ["swapped"]),
    (_windows_with(lambda s, t: _stack(s, t)[..., None], lambda s, t: s[t - 1:-1]), ["last value inside"]),
    (_windows_with(lambda s, t: _stack(s, t)[..., None], lambda s, t: s[:-t]), ["wrong values"]),
    (_windows_with(lambda s, t: _stack(s, t)[..., None] + 1, lambda s, t: s[t:]), ["window i is"]),
    (lambda s, t: _stack(np.asarray(s), t)[..., None], ["two arrays"]),
    (lambda s, t: 1 / 0, ["ZeroDivisionError"]),
    (lambda s: s, ["TypeError"]),
])
def test_q6_function_mistakes(wrong, words):
    assert_verdict(ex.q6.check(wrong), NOT_YET, *words)


def test_q6_grader_inputs_change_with_the_seed_and_defeat_hard_coding():
    assert [len(c[0]) for c in ex.q6.inputs(1)] != [len(c[0]) for c in ex.q6.inputs(2)]
    from helpers.data.windows import sliding_windows
    assert ex.q6.judge_function(lambda s, t: sliding_windows(np.asarray(s, float), t), seed=5).status == CORRECT
    first = ex.q6.inputs(0)[0]
    cheat_x, cheat_y = solution_value(ex.q6)(*first)
    assert ex.q6.judge_function(lambda s, t: (cheat_x, cheat_y), seed=5).status == NOT_YET


def test_q6_function_returning_ellipsis_is_not_attempted():
    assert_verdict(ex.q6.check(lambda s, t: ...), NOT_ATTEMPTED)


def test_q7_fixed_model_checks():
    import keras

    layers = keras.layers
    for inside in (layers.Reshape((2, 1)), layers.Reshape((-1, 1)),
                   layers.Lambda(lambda t: keras.ops.expand_dims(t, -1))):
        model = keras.Sequential([keras.Input(shape=(2,)), inside, layers.SimpleRNN(10), layers.Dense(1)])
        assert_verdict(ex.q7.check(model), CORRECT)
    inputs = keras.Input(shape=(2,))
    functional = keras.Model(inputs, layers.Dense(1)(layers.SimpleRNN(10)(layers.Reshape((2, 1))(inputs))))
    assert_verdict(ex.q7.check(functional), CORRECT)
    # the lesson's first fix computes the same, but this exercise keeps the input (None, 2) on purpose
    input_changed = keras.Sequential([keras.Input(shape=(2, 1)), layers.SimpleRNN(10), layers.Dense(1)])
    assert_verdict(ex.q7.check(input_changed), NOT_YET, "computes the same", "keeps keras.Input(shape=(2,))")
    zeroed = keras.Sequential([keras.Input(shape=(2,)), layers.Lambda(lambda t: keras.ops.expand_dims(t, -1) * 0),
                               layers.SimpleRNN(10), layers.Dense(1)])
    assert_verdict(ex.q7.check(zeroed), NOT_YET, "changes the values")
    one_step = keras.Sequential([keras.Input(shape=(1, 2)), layers.SimpleRNN(10), layers.Dense(1)])
    assert_verdict(ex.q7.check(one_step), NOT_YET, "one step", "130")
    one_step_inside = keras.Sequential([keras.Input(shape=(2,)), layers.Reshape((1, 2)), layers.SimpleRNN(10),
                                        layers.Dense(1)])
    assert_verdict(ex.q7.check(one_step_inside), NOT_YET, "(None, 1, 2)", "130")
    batch_inside = keras.Sequential([keras.Input(shape=(None, 2)), layers.SimpleRNN(10), layers.Dense(1)])
    assert_verdict(ex.q7.check(batch_inside), NOT_YET, "the batch axis is inside shape=")
    still_2d = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(10), layers.Dense(1)])
    assert_verdict(ex.q7.check(still_2d), NOT_YET, "SimpleRNN needs (batch, timesteps, features)")
    no_dense = keras.Sequential([keras.Input(shape=(2,)), layers.Reshape((2, 1)), layers.SimpleRNN(10)])
    assert_verdict(ex.q7.check(no_dense), NOT_YET, "3 are needed")
    wrong_units = keras.Sequential([keras.Input(shape=(2,)), layers.Reshape((2, 1)), layers.SimpleRNN(2),
                                    layers.Dense(1)])
    assert_verdict(ex.q7.check(wrong_units), NOT_YET, "outputs (None, 2); expected (None, 10)")
    assert_verdict(ex.q7.check((2, 1)), NOT_YET, "expected a keras model")


def test_numpy_integers_and_lists_are_accepted_as_answers():
    assert ex.q1.check([np.int64(5), 1]).correct
    assert ex.q2.check([32, 7, np.int32(3)]).correct

