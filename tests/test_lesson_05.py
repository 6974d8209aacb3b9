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


# -- q4 for a student's own numbers (a graded release) --------------------------------------------
def _variant(seed):
    p = ex.draw(np.random.default_rng(seed))
    return p, dict(zip([e.id for e in ex.EXERCISES], ex.build(p)))["q4"]


def _seq2seq(p, *, units=None, decoder_units=None, dec_features=None, enc_steps=None, states="hc",
             return_state=True, return_sequences=True):
    """An encoder-decoder for the numbers ``p``, with one mistake chosen by the keywords."""
    import keras

    layers = keras.layers
    units = p["s2s_units"] if units is None else units
    enc_in = keras.Input(shape=(enc_steps or p["s2s_enc_steps"], p["s2s_enc_features"]))
    dec_in = keras.Input(shape=(p["s2s_dec_steps"], dec_features or p["s2s_dec_features"]))
    encoded = layers.LSTM(units, return_state=return_state)(enc_in)
    decoder = layers.LSTM(decoder_units or units, return_sequences=return_sequences)
    if not return_state:
        joined = layers.Concatenate()([decoder(dec_in), layers.RepeatVector(p["s2s_dec_steps"])(encoded)])
        return keras.Model([enc_in, dec_in], layers.Dense(1)(joined))
    _, h, c = encoded
    given = {"hc": [h, c], "ch": [c, h], "all": list(encoded), "none": None}[states]
    decoded = decoder(dec_in) if given is None else decoder(dec_in, initial_state=given)
    return keras.Model([enc_in, dec_in], layers.Dense(1)(decoded))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_q4_a_drawn_variants_key_passes_with_its_parameter_count_and_the_published_model_fails(seed):
    import keras

    p, q4 = _variant(seed)
    space = {"keras": keras}
    exec(q4.answer, space)  # noqa: S102 - the exercise's own answer
    u, ef, df = p["s2s_units"], p["s2s_enc_features"], p["s2s_dec_features"]
    total = 4 * u * (ef + u + 1) + 4 * u * (df + u + 1) + u + 1
    assert_verdict(q4.check(space["seq2seq_model"]), CORRECT, f"{total} parameters")
    assert_verdict(q4.check(solution_value(ex.q4)), NOT_YET)
    assert (q4.prompt, q4.answer) != (ex.q4.prompt, ex.q4.answer)
    assert f"LSTM({u}, return_state=True)" in q4.prompt and f"({p['s2s_dec_steps']}, {df})" in q4.prompt


def test_q4_each_tip_fires_for_a_variant_with_the_variants_numbers():
    p, q4 = _variant(3)
    u, dt, df = p["s2s_units"], p["s2s_dec_steps"], p["s2s_dec_features"]
    other = u + 3
    assert_verdict(q4.check(_seq2seq(p, return_state=False)), NOT_YET, "return_state=True")
    assert_verdict(q4.check(_seq2seq(p, return_sequences=False)), NOT_YET, f"each of its {dt} steps")
    verdict = q4.check(_seq2seq(p, states="none"))
    assert_verdict(verdict, NOT_YET, "initial_state=[h, c]", "leaves the encoder out", "2 layers: LSTM, Dense")
    assert_verdict(q4.check(_seq2seq(p, states="ch")), NOT_YET, "swapped")
    assert_verdict(q4.check(_seq2seq(p, states="all")), NOT_YET, "exactly [h, c]")
    assert_verdict(q4.check(_seq2seq(p, decoder_units=other)), NOT_YET,
                   f"{u} units and the decoder {other}", f"LSTM({u}) each")
    assert_verdict(q4.check(_seq2seq(p, units=8)), NOT_YET, f"expected [(None, {u}), (None, {u}), (None, {u})]")
    wrong_df = df + 1 if df + 1 != p["s2s_enc_features"] else df + 2
    assert_verdict(q4.check(_seq2seq(p, dec_features=wrong_df)), NOT_YET,
                   f"{4 * u * (wrong_df + u + 1)} parameters", f"expected {4 * u * (df + u + 1)}")
    wrong_steps = p["s2s_enc_steps"] + 1
    assert_verdict(q4.check(_seq2seq(p, enc_steps=wrong_steps)), NOT_YET,
                   f"(None, {p['s2s_enc_steps']}, {p['s2s_enc_features']})", f"(None, {dt}, {df})")


def test_q4_a_units_mismatch_between_encoder_and_decoder_is_named():
    assert_verdict(ex.q4.check(_seq2seq(ex.DEFAULTS, decoder_units=4)), NOT_YET, "8 units and the decoder 4")
