"""Lesson 04's exercises: each solution passes, typical mistakes get their own message."""
import numpy as np
import pytest

from helpers.exercises import lesson_04 as ex
from tests.exercise_kit import CORRECT, NOT_ATTEMPTED, NOT_YET, assert_verdict, solution_value


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.key)
def test_solution_is_correct_and_blank_is_not_attempted(exercise):
    assert_verdict(exercise.check(solution_value(exercise)), CORRECT)
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)


@pytest.mark.parametrize("exercise, value, words", [
    (ex.q1, (None, 10), ["last state only"]),
    (ex.q1, (None, 10, 2), ["middle"]),
    (ex.q1, (None, 2, 1), ["input"]),
    (ex.q2, 120, ["first layer", "10 features"]),
    (ex.q2, 200, ["bias"]),
    (ex.q2, 330, ["whole model"]),
    (ex.q3, 224, ["previous layer's units"]),
    (ex.q3, 244, ["8 units of the layer below"]),
    (ex.q3, 264, ["biases"]),
    (ex.q3, 260, ["first layer's kernel"]),
    (ex.q3, 232, ["first two layers", "third"]),
    (ex.q2, 110, ["kernel is missing"]),
    (ex.q4, 165, ["one set of weights"]),
    (ex.q4, 30, ["biases"]),
    (ex.q5, (None, 4, 5), ["middle"]),
    (ex.q5, (None, 20), ["does not concatenate"]),
], ids=lambda v: str(v))
def test_typical_mistakes_get_specific_feedback(exercise, value, words):
    assert_verdict(exercise.check(value), NOT_YET, *words)


def test_counts_in_the_checks_are_what_keras_reports():
    import keras

    layers = keras.layers
    stack = keras.Sequential([keras.Input(shape=(20, 3)), layers.SimpleRNN(8, return_sequences=True),
                              layers.SimpleRNN(8, return_sequences=True), layers.SimpleRNN(4)])
    assert stack.count_params() == solution_value(ex.q3)
    pair = keras.Sequential([keras.Input(shape=(2, 1)), layers.SimpleRNN(10, return_sequences=True), layers.SimpleRNN(10)])
    assert pair.layers[1].count_params() == solution_value(ex.q2)
    td = keras.Sequential([keras.Input(shape=(5, 10)), layers.TimeDistributed(layers.Dense(3))])
    assert td.count_params() == solution_value(ex.q4)
    repeat = keras.Sequential([keras.Input(shape=(4,)), layers.RepeatVector(5)])
    assert tuple(repeat.compute_output_shape((None, 4))) == solution_value(ex.q5)


def test_q6_many_to_many_checks():
    import keras

    layers = keras.layers

    def model(*middle, shape=(6, 2)):
        return keras.Sequential([keras.Input(shape=shape), *middle])

    with_td = model(layers.SimpleRNN(16, return_sequences=True), layers.SimpleRNN(8, return_sequences=True),
                    layers.TimeDistributed(layers.Dense(1)))
    assert_verdict(ex.q6.check(with_td), CORRECT)
    last_only = model(layers.SimpleRNN(16, return_sequences=True), layers.SimpleRNN(8), layers.Dense(1))
    assert_verdict(ex.q6.check(last_only), NOT_YET, "one number per sequence")
    fewer = model(layers.SimpleRNN(16, return_sequences=True), layers.Dense(1))
    assert_verdict(ex.q6.check(fewer), NOT_YET, "two simplernn layers")
    swapped = model(layers.SimpleRNN(16, return_sequences=True), layers.SimpleRNN(8, return_sequences=True),
                    layers.Dense(1), shape=(2, 6))
    assert_verdict(ex.q6.check(swapped), NOT_YET, "2 steps of 6 features")
    wrong_units = model(layers.SimpleRNN(8, return_sequences=True), layers.SimpleRNN(8, return_sequences=True),
                        layers.Dense(1))
    assert_verdict(ex.q6.check(wrong_units), NOT_YET, "outputs (None, 6, 8); expected (None, 6, 16)")


def test_q7_fixed_stack_checks():
    import keras

    layers = keras.layers

    def model(*middle):
        return keras.Sequential([keras.Input(shape=(10, 1)), *middle])

    both_sequences = model(layers.SimpleRNN(32, return_sequences=True), layers.SimpleRNN(16, return_sequences=True),
                           layers.Dense(1))
    assert_verdict(ex.q7.check(both_sequences), NOT_YET, "only the lower layer")
    one_rnn = model(layers.SimpleRNN(32), layers.Dense(1))
    assert_verdict(ex.q7.check(one_rnn), NOT_YET, "keep both")
    no_dense = model(layers.SimpleRNN(32, return_sequences=True), layers.SimpleRNN(16))
    assert_verdict(ex.q7.check(no_dense), NOT_YET, "3 are needed")
    extra = model(layers.SimpleRNN(32, return_sequences=True), layers.SimpleRNN(16), layers.Dense(1), layers.Dense(1))
    assert_verdict(ex.q7.check(extra), NOT_YET, "extra: dense")
    flattened = model(layers.SimpleRNN(32, return_sequences=True), layers.SimpleRNN(16, return_sequences=True),
                      layers.Flatten(), layers.Dense(1))
    assert_verdict(ex.q7.check(flattened), NOT_YET, "adds Flatten", "last state")


def test_q7_a_layer_between_the_two_rnns_points_at_the_first_one():
    import keras

    layers = keras.layers
    reshaped = keras.Sequential([keras.Input(shape=(10, 1)), layers.SimpleRNN(32), layers.Reshape((32, 1)),
                                 layers.SimpleRNN(16), layers.Dense(1)])
    assert_verdict(ex.q7.check(reshaped), NOT_YET, "Reshape after the first SimpleRNN", "(None, 32) into (None, 32, 1)",
                   "each of 10 steps", "fix the first SimpleRNN", "return_sequences=True")
    repeated = keras.Sequential([keras.Input(shape=(10, 1)), layers.SimpleRNN(32), layers.RepeatVector(10),
                                 layers.SimpleRNN(16), layers.Dense(1)])
    assert_verdict(ex.q7.check(repeated), NOT_YET, "RepeatVector after the first SimpleRNN", "(None, 10, 32)")
    needless = keras.Sequential([keras.Input(shape=(10, 1)), layers.SimpleRNN(32, return_sequences=True),
                                 layers.Reshape((10, 32)), layers.SimpleRNN(16), layers.Dense(1)])
    assert_verdict(ex.q7.check(needless), NOT_YET, "between the two SimpleRNN layers", "already hands over")


def test_cell_forms_get_the_same_feedback_as_layers():
    import keras

    layers = keras.layers
    both_sequences = keras.Sequential([keras.Input(shape=(10, 1)),
                                       layers.RNN([layers.SimpleRNNCell(32), layers.SimpleRNNCell(16)],
                                                  return_sequences=True), layers.Dense(1)])
    assert_verdict(ex.q7.check(both_sequences), NOT_YET, "returns sequences too", "(None, 10, 1)")
    last_only = keras.Sequential([keras.Input(shape=(6, 2)),
                                  layers.RNN([layers.SimpleRNNCell(16), layers.SimpleRNNCell(8)]), layers.Dense(1)])
    assert_verdict(ex.q6.check(last_only), NOT_YET, "one number per sequence")
    gru_cells = keras.Sequential([keras.Input(shape=(6, 2)), layers.RNN(layers.GRUCell(16), return_sequences=True),
                                  layers.RNN(layers.GRUCell(8), return_sequences=True), layers.Dense(1)])
    assert_verdict(ex.q6.check(gru_cells), NOT_YET, "yours has 0")
    fixed_batch = keras.Sequential([keras.Input(shape=(6, 2), batch_size=8),
                                    layers.SimpleRNN(16, return_sequences=True),
                                    layers.SimpleRNN(8, return_sequences=True), layers.Dense(1)])
    assert_verdict(ex.q6.check(fixed_batch), NOT_YET, "batch_size=8 fixes the batch size")



def test_numpy_integers_and_lists_are_accepted_as_answers():
    assert ex.q1.check([None, np.int64(2), 10]).correct
    assert ex.q3.check(np.int64(284)).correct

