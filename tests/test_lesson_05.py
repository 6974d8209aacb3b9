"""Lesson 05's exercises: each solution passes, typical mistakes get their own message."""
import numpy as np
import pytest

from helpers.exercises import lesson_05 as ex
from tests.exercise_kit import CORRECT, NOT_ATTEMPTED, NOT_YET, assert_verdict, solution_value


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.key)
def test_solution_is_correct_and_blank_is_not_attempted(exercise):
    assert_verdict(exercise.check(solution_value(exercise)), CORRECT)
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)


@pytest.mark.parametrize("exercise, value, words", [
    (ex.q1, [(None, 5), (None, 5)], ["cell state c"]),
    (ex.q1, [(None, 7, 5), (None, 5), (None, 5)], ["only the last step"]),
    (ex.q1, (None, 5), ["that is one shape"]),
    (ex.q1, [(None, 5)] * 4, ["4 tensors"]),
    (ex.q3, (None, 16), ["adds the batch axis"]),
    (ex.q3, (20, 16), ["no time axis"]),
    (ex.q3, (4,), ["per unit"]),
    (ex.q5, 84, ["reset_after=False", "tf.keras in TensorFlow 2", "two bias vectors"]),
    (ex.q5, 112, ["lstm", "3 gates plus a candidate"]),
    (ex.q5, 72, ["biases", "update gate, reset gate, candidate"]),
    (ex.q5, 32, ["2 gates (update, reset) and the candidate"]),
    (ex.q6, [(None, 6), (None, 6)], ["one state per cell"]),
    (ex.q6, [(None, 4), (None, 6)], ["top cell"]),
    (ex.q7, [(None, 8), (None, 4), (None, 4)], ["each direction"]),
    (ex.q7, [(None, 4)] * 5, ["concatenated"]),
], ids=lambda v: str(v))
def test_typical_mistakes_get_specific_feedback(exercise, value, words):
    assert_verdict(exercise.check(value), NOT_YET, *words)


@pytest.mark.parametrize("wrong, words", [
    (lambda o: o[-1], ["batch"]),
    (lambda o: o[:, 0, :], ["first timestep"]),
    (lambda o: o[:, :, -1], ["last unit"]),
    (lambda o: o[:, -1:, :], ["drop the time axis"]),
    (lambda o: o.sum(axis=1), ["expected"]),
    (lambda o: "h", ["numpy array"]),
    (lambda o: 1 / 0, ["ZeroDivisionError"]),
])
def test_q2_function_mistakes(wrong, words):
    assert_verdict(ex.q2.check(wrong), NOT_YET, *words)


def test_q2_function_returning_ellipsis_is_not_attempted_and_lists_are_accepted():
    assert_verdict(ex.q2.check(lambda o: ...), NOT_ATTEMPTED)
    assert_verdict(ex.q2.check(lambda o: o[:, -1, :].tolist()), CORRECT)
    assert ex.q2.judge_function(lambda o: o[:, -1, :], seed=3).correct


def test_q4_encoder_decoder_mistakes():
    import keras

    layers = keras.layers
    enc_in, dec_in = keras.Input(shape=(10, 3)), keras.Input(shape=(6, 2))
    # Forgot return_state: the encoder gives one tensor, nothing to hand over.
    encoded = layers.LSTM(8)(enc_in)
    decoded = layers.LSTM(8, return_sequences=True)(dec_in)
    joined = layers.Concatenate()([decoded, layers.RepeatVector(6)(encoded)])
    no_states = keras.Model([enc_in, dec_in], layers.Dense(1)(joined))
    assert_verdict(ex.q4.check(no_states), NOT_YET, "return_state=True")
    # States handed over, but the decoder returns only its last step.
    _, h, c = layers.LSTM(8, return_state=True)(enc_in)
    last_only = layers.LSTM(8)(dec_in, initial_state=[h, c])
    assert_verdict(ex.q4.check(keras.Model([enc_in, dec_in], layers.Dense(1)(last_only))), NOT_YET,
                   "return_sequences=True")
    # Decoder inputs swapped in shape: wrong decoder feature count shows in the parameter count.
    dec_wrong = keras.Input(shape=(6, 3))
    _, h2, c2 = layers.LSTM(8, return_state=True)(enc_in)
    seq = layers.LSTM(8, return_sequences=True)(dec_wrong, initial_state=[h2, c2])
    assert_verdict(ex.q4.check(keras.Model([enc_in, dec_wrong], layers.Dense(1)(seq))), NOT_YET, "parameters")
    assert_verdict(ex.q4.check((None, 6, 1)), NOT_YET, "keras model")


def test_q4_a_decoder_without_initial_state_is_told_to_take_the_states():
    import keras

    layers = keras.layers
    enc_in, dec_in = keras.Input(shape=(10, 3)), keras.Input(shape=(6, 2))
    _, h, c = layers.LSTM(8, return_state=True)(enc_in)   # states computed, never handed over
    decoded = layers.LSTM(8, return_sequences=True)(dec_in)
    model = keras.Model([enc_in, dec_in], layers.Dense(1)(decoded))
    verdict = ex.q4.check(model)
    assert_verdict(verdict, NOT_YET, "initial_state=[h, c]", "leaves the encoder out", "2 layers: LSTM, Dense")
    assert "add return_state" not in verdict.message
    swapped_cells = keras.Model([enc_in, dec_in], layers.Dense(1)(
        layers.RNN(layers.LSTMCell(8), return_sequences=True)(dec_in, initial_state=[c, h])))
    assert_verdict(ex.q4.check(swapped_cells), NOT_YET, "swapped")


def test_q4_inputs_in_either_order_are_accepted():
    model = solution_value(ex.q4)
    import keras

    swapped = keras.Model(list(reversed(model.inputs)), model.outputs)
    assert_verdict(ex.q4.check(swapped), CORRECT)



def test_numpy_integers_and_lists_are_accepted_as_answers():
    assert ex.q1.check(([None, np.int64(5)], (None, 5), [None, 5.0])).correct
    assert ex.q3.check([16]).correct
    assert ex.q5.check(np.int32(96)).correct



def test_q4_passing_all_three_lstm_outputs_as_initial_state_is_explained():
    import keras

    enc_in, dec_in = keras.Input(shape=(10, 3)), keras.Input(shape=(6, 2))
    encoded = keras.layers.LSTM(8, return_state=True)(enc_in)
    decoded = keras.layers.LSTM(8, return_sequences=True)(dec_in, initial_state=encoded)
    model = keras.Model([enc_in, dec_in], keras.layers.Dense(1)(decoded))
    assert_verdict(ex.q4.check(model), NOT_YET, "exactly [h, c]")


def test_q4_swapped_states_are_caught_even_after_a_save_and_load(tmp_path):
    import keras

    enc_in, dec_in = keras.Input(shape=(10, 3)), keras.Input(shape=(6, 2))
    _, h, c = keras.layers.LSTM(8, return_state=True)(enc_in)
    decoded = keras.layers.LSTM(8, return_sequences=True)(dec_in, initial_state=[c, h])
    model = keras.Model([enc_in, dec_in], keras.layers.Dense(1)(decoded))
    assert_verdict(ex.q4.check(model), NOT_YET, "swapped")
    model.save(tmp_path / "swapped.keras")       # the grader judges a reloaded model
    reloaded = keras.saving.load_model(tmp_path / "swapped.keras", safe_mode=True)
    assert_verdict(ex.q4.check(reloaded), NOT_YET, "swapped")


def test_gates_are_counted_as_keras_3_builds_them():
    # A GRU has 2 gates and a candidate (3 blocks of weights), an LSTM 3 gates and a candidate (4).
    texts = [t for e in ex.EXERCISES for t in (e.prompt, *e.hints)]
    texts += list(ex.q5.rule.near.values()) + [ex.q5.check(96).message, ex.q5.check(50).message]
    for text in texts:
        assert "3 gates" not in text.replace("3 gates plus", "") and "4 gates" not in text, text
