"""Lesson 06's exercises: each solution passes, typical mistakes get their own message."""
import numpy as np
import pytest

from helpers.exercises import lesson_06 as ex
from tests.exercise_kit import CORRECT, NOT_ATTEMPTED, NOT_YET, assert_verdict, solution_value


def trained_like_model(batch_size=4, stateful=True, seed=0):
    """The lesson's model, with non-zero biases as training leaves them."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(None, 1), batch_size=batch_size),
                              keras.layers.GRU(8, stateful=stateful, return_sequences=True),
                              keras.layers.Dense(1)])
    rng = np.random.default_rng(seed)
    model.set_weights([w + rng.normal(scale=0.1, size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def solution_namespace():
    from helpers.states import with_batch_size

    return {"model": trained_like_model(), "with_batch_size": with_batch_size}


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.key)
def test_solution_is_correct_and_blank_is_not_attempted(exercise):
    assert_verdict(exercise.check(solution_value(exercise, solution_namespace())), CORRECT)
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)


@pytest.mark.parametrize("exercise, value, words", [
    (ex.q1, (None, 4), ["batch size is fixed"]),
    (ex.q1, (4,), ["one state row per sample"]),
    (ex.q1, (2, 5, 4), ["no time axis"]),
    (ex.q1, (2, 3), ["per unit"]),
    (ex.q4, 9, ["broadcasting"]),
    (ex.q4, 8, ["does not drop"]),
    (ex.q4, 3, ["count rows"]),
], ids=lambda v: str(v))
def test_typical_mistakes_get_specific_feedback(exercise, value, words):
    assert_verdict(exercise.check(value), NOT_YET, *words)


def test_q2_stateful_model_mistakes():
    import keras

    layers = keras.layers
    open_batch = keras.Sequential([keras.Input(shape=(None, 1)), layers.GRU(8, return_sequences=True), layers.Dense(1)])
    assert_verdict(ex.q2.check(open_batch), NOT_YET, "batch size is open", "batch_size=4")
    not_stateful = keras.Sequential([keras.Input(shape=(None, 1), batch_size=4), layers.GRU(8, return_sequences=True),
                                     layers.Dense(1)])
    assert_verdict(ex.q2.check(not_stateful), NOT_YET, "not stateful")
    last_only = keras.Sequential([keras.Input(shape=(None, 1), batch_size=4), layers.GRU(8, stateful=True),
                                  layers.Dense(1)])
    assert_verdict(ex.q2.check(last_only), NOT_YET, "return_sequences=True")
    lstm = keras.Sequential([keras.Input(shape=(None, 1), batch_size=4), layers.LSTM(8, stateful=True), layers.Dense(1)])
    assert_verdict(ex.q2.check(lstm), NOT_YET, "expected a GRU")
    forgetful_cell = keras.Sequential([keras.Input(shape=(None, 1), batch_size=4),
                                       layers.RNN(layers.GRUCell(8), return_sequences=True), layers.Dense(1)])
    assert_verdict(ex.q2.check(forgetful_cell), NOT_YET, "not stateful")
    two_cells = keras.Sequential([keras.Input(shape=(None, 1), batch_size=4),
                                  layers.RNN([layers.GRUCell(8), layers.GRUCell(8)], stateful=True,
                                             return_sequences=True), layers.Dense(1)])
    assert_verdict(ex.q2.check(two_cells), NOT_YET, "RNN([GRUCell, GRUCell])", "computing GRU, GRU, Dense")
    wrong_batch = keras.Sequential([keras.Input(shape=(None, 1), batch_size=2),
                                    layers.GRU(8, stateful=True, return_sequences=True), layers.Dense(1)])
    assert_verdict(ex.q2.check(wrong_batch), NOT_YET, "(4, None, 1)")


@pytest.mark.parametrize("wrong, words", [
    (lambda x, b: x, ["kept all"]),
    (lambda x, b: x[:b], ["only one batch"]),
    (lambda x, b: x[len(x) % b:], ["from the front"]),
    (lambda x, b: np.concatenate([x, np.zeros((-len(x) % b,) + x.shape[1:], x.dtype)]), ["padding"]),
    (lambda x, b: len(x) // b, ["single value"]),
    (lambda x, b: x[: len(x) // b * b, 0], ["shape of a sample"]),
    (lambda x, b: "x", ["single value"]),
])
def test_whole_batches_mistakes(wrong, words):
    assert_verdict(ex.q5.check(wrong), NOT_YET, *words)


def consecutive_chunks(series, batch_size, chunk_len):
    n_batches = len(series) // batch_size // chunk_len
    return series[: n_batches * batch_size * chunk_len].reshape(n_batches, batch_size, chunk_len)


@pytest.mark.parametrize("wrong, words", [
    (consecutive_chunks, ["next batch"]),
    (lambda s, b, c: ex._stream_reference(s, b, c).transpose(1, 0, 2), ["(batches, batch_size, chunk_len)"]),
    (lambda s, b, c: ex._stream_reference(s, b, c) + 1, ["not the right values"]),
    (lambda s, b, c: None, ["shape ()"]),
])
def test_stream_batches_mistakes(wrong, words):
    assert_verdict(ex.q3.check(wrong), NOT_YET, *words)


def test_stream_reference_layout_on_a_small_example():
    batches = ex._stream_reference(np.arange(24.0), 2, 4)
    assert batches.shape == (3, 2, 4)
    assert batches[0].tolist() == [[0, 1, 2, 3], [12, 13, 14, 15]]
    assert batches[1].tolist() == [[4, 5, 6, 7], [16, 17, 18, 19]]
    assert ex.q3.judge_function(lambda s, b, c: ex._stream_reference(s, b, c), seed=5).correct


def test_function_exercises_returning_ellipsis_are_not_attempted():
    assert_verdict(ex.q5.check(lambda x, b: ...), NOT_ATTEMPTED)
    assert_verdict(ex.q3.check(lambda s, b, c: ...), NOT_ATTEMPTED)


def test_q6_twin_mistakes():
    import keras

    from helpers.states import with_batch_size

    trained = trained_like_model()
    assert_verdict(ex.q6.check(trained), NOT_YET, "(1, None, 1)")
    fresh = keras.Sequential([keras.Input(shape=(None, 1), batch_size=1),
                              keras.layers.GRU(8, stateful=True, return_sequences=True), keras.layers.Dense(1)])
    assert_verdict(ex.q6.check(fresh), NOT_YET, "set_weights")
    forgetful = keras.Sequential([keras.Input(shape=(None, 1), batch_size=1),
                                  keras.layers.GRU(8, return_sequences=True), keras.layers.Dense(1)])
    assert_verdict(ex.q6.check(forgetful), NOT_YET, "not stateful")
    plain = with_batch_size(trained_like_model(stateful=False), None)
    assert_verdict(ex.q6.check(plain), NOT_YET, "fixed (1)")



def test_numpy_integers_and_lists_are_accepted_as_answers():
    assert ex.q1.check([np.int64(2), 4]).correct
    assert ex.q4.check(np.int32(12)).correct

