"""Lesson 07's exercises: each solution passes, typical mistakes get their own message, and the
facts the checks assert (pad_sequences' output, Masking's mask, what a masked RNN repeats) are
what Keras really does."""
import numpy as np
import pytest

from helpers.exercises import lesson_07 as ex
from tests.exercise_kit import CORRECT, NOT_ATTEMPTED, NOT_YET, ROOT, assert_verdict, solution_value


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.key)
def test_solution_is_correct_and_blank_is_not_attempted(exercise):
    assert_verdict(exercise.check(solution_value(exercise)), CORRECT)
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)


@pytest.mark.parametrize("exercise, value, words", [
    (ex.q1, (None, None, 3), ["adds the batch axis"]),
    (ex.q1, (3, None), ["swapped"]),
    (ex.q1, (3,), ["no time axis"]),
    (ex.q1, (None, None), ["only the number of steps is open"]),
    (ex.q1, (None, 1), ["3 readings"]),
    (ex.q2, (5, 9), ["keeps its 2 features"]),
    (ex.q2, (9, 2), ["one padded sequence"]),
    (ex.q2, (5, 25, 2), ["end to end"]),
    (ex.q2, (5, 4, 2), ["longest"]),
    (ex.q2, (None, 9, 2), ["count the sequences"]),
    (ex.q5, 7, ["never computes"]),
    (ex.q5, 6, ["padded too"]),
    (ex.q5, 5, ["first padded step"]),
    (ex.q5, 1, ["here it has 5"]),
    (ex.q5, 0, ["last real step"]),
    (ex.q6, (None, None, 1000), ["vocabulary"]),
    (ex.q6, (None, 16), ["keeps the time axis"]),
    (ex.q6, (None, 1000, 16), ["stays open"]),
    (ex.q6, (None, None), ["that is the input"]),
    (ex.q6, (None, None, None, 16), ["adds one axis"]),
], ids=lambda v: str(v))
def test_typical_mistakes_get_specific_feedback(exercise, value, words):
    assert_verdict(exercise.check(value), NOT_YET, *words)


@pytest.mark.parametrize("value, words", [
    ([[5, 8, 2], [3, 9, 0]], ["truncating is still 'pre'"]),
    ([[8, 2, 7], [0, 3, 9]], ["after the values"]),
    ([[5, 8, 2], [0, 3, 9]], ["after the values"]),
    ([[5, 8, 2, 7], [3, 9, 0, 0]], ["must lose one"]),
    ([[8, 7, 2], [3, 9, 0]], ["never reorder"]),
    ([[0, 3, 9], [8, 2, 7]], ["order of the sequences"]),
    ([[3, 9, 0], [8, 2, 7]], ["order of the sequences"]),
    ([[2, 7, 0], [3, 9, 0]], ["second row is right", "cut, not padded"]),
    ([[1, 1, 1], [1, 1, 1]], ["first row is [5, 8, 2, 7] cut"]),
    ([[8, 2, 7], [9, 3, 0]], ["first row is right"]),
    ([[1, 2, 3], [4, 5, 6], [7, 8, 9]], ["(2, 3)"]),
    ([[8, 2, 7], [3, 9]], ["rectangular"]),
    ([8, 2, 7], ["2-d array"]),
])
def test_pre_post_mistakes(value, words):
    assert_verdict(ex.q3.check(value), NOT_YET, *words)


def test_pre_post_answer_is_what_pad_sequences_returns():
    """The published q3 and drawn variants: Keras' own pad_sequences is the key, the published answer is not."""
    import keras

    got = keras.utils.pad_sequences([ex.DEFAULTS["pad_long"], ex.DEFAULTS["pad_short"]], maxlen=3, padding="post")
    assert got.tolist() == [[8, 2, 7], [3, 9, 0]]
    assert_verdict(ex.q3.check(got), CORRECT)
    rng = np.random.default_rng(7)
    for _ in range(5):
        params = ex.draw(rng)
        q3 = ex.build(params)[2]
        got = keras.utils.pad_sequences([params["pad_long"], params["pad_short"]], maxlen=3, padding="post")
        assert_verdict(q3.check(got), CORRECT)
        assert_verdict(q3.check([[8, 2, 7], [3, 9, 0]]), NOT_YET)
        assert q3.check(np.concatenate([got[:1], [[0] + list(params["pad_short"])]]).tolist()).message.startswith(
            "The short row has its zero in front")


def test_mask_answer_is_what_masking_computes():
    import keras

    mask = keras.ops.convert_to_numpy(keras.layers.Masking(mask_value=0.0).compute_mask(ex.mask_batch()))
    assert mask.tolist() == ex._Q4_WANT.tolist()
    assert_verdict(ex.q4.check(mask), CORRECT)
    assert_verdict(ex.q4.check(mask.astype(int)), CORRECT)


@pytest.mark.parametrize("value, words", [
    (~ex._Q4_WANT, ["inverted"]),
    (np.array([[True, True, True, True], [True, True, False, False]]), ["all 0.0", "cannot know"]),
    (ex.mask_batch() != 0, ["one value per step"]),
    (np.all(ex.mask_batch() != 0, axis=-1), ["all features"]),
    (np.array([True, False, True, True]), ["(batch, timesteps)"]),
    (np.array([[True, False, True, False], [True, True, False, False]]), ["all features"]),
    (np.array([["a", "b", "c", "d"], ["a", "b", "c", "d"]]), ["true/false"]),
    (np.full((2, 4), 0.5), ["true (keep the step)"]),
])
def test_mask_mistakes(value, words):
    assert_verdict(ex.q4.check(value), NOT_YET, *words)


def test_masked_rnn_repeats_the_last_real_output_at_padded_steps():
    """The fact behind q5, measured."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.Masking(),
                              keras.layers.SimpleRNN(3, return_sequences=True)])
    padded = keras.utils.pad_sequences([[0.9, 0.4, 0.7, 0.2, 0.6]], maxlen=8, dtype="float32", padding="post")
    out = keras.ops.convert_to_numpy(model(padded[..., None]))
    assert np.array_equal(out[0, 7], out[0, 4]) and not np.allclose(out[0, 4], out[0, 3])
    assert_verdict(ex.q5.check(4), CORRECT)


def _text_model(input_shape=(None,), input_dim=51, output_dim=8, mask_zero=True, extra=(), rnn=None):
    import keras

    layers = keras.layers
    body = [layers.Embedding(input_dim, output_dim, mask_zero=mask_zero), *extra, rnn or layers.LSTM(16),
            layers.Dense(1)]
    return keras.Sequential([keras.Input(shape=input_shape), *body])


def test_text_model_mistakes():
    import keras

    layers = keras.layers
    assert_verdict(ex.q7.check(_text_model(mask_zero=False)), NOT_YET, "padding id 0 is read as a word")
    assert_verdict(ex.q7.check(_text_model(input_dim=50)), NOT_YET, "ids 0 to 49", "largest word id, 50, has no row")
    assert "51" not in ex.q7.check(_text_model(input_dim=50)).message     # diagnosed, not answered
    assert_verdict(ex.q7.check(_text_model(output_dim=16)), NOT_YET, "asks for 8")
    assert_verdict(ex.q7.check(_text_model(input_shape=(20,))), NOT_YET, "any length")
    assert_verdict(ex.q7.check(_text_model(rnn=layers.LSTM(16, return_sequences=True))), NOT_YET,
                   "return_sequences")
    assert_verdict(ex.q7.check(_text_model(rnn=layers.GRU(16))), NOT_YET, "Embedding, LSTM, Dense")
    assert_verdict(ex.q7.check(_text_model(extra=[layers.Masking()])), NOT_YET, "no Masking layer",
                   "after the Embedding")
    masking_first = keras.Sequential([keras.Input(shape=(None,)), layers.Masking(), layers.Embedding(51, 8),
                                      layers.LSTM(16), layers.Dense(1)])
    assert_verdict(ex.q7.check(masking_first), NOT_YET, "no Masking layer", "in front of the Embedding", "raw ids")
    three_d = keras.Sequential([keras.Input(shape=(None, 1)), layers.Masking(), layers.LSTM(16), layers.Dense(1)])
    assert_verdict(ex.q7.check(three_d), NOT_YET, "(batch, timesteps)")
    no_embedding = keras.Sequential([keras.Input(shape=(None, 8)), layers.LSTM(16), layers.Dense(1)])
    assert_verdict(ex.q7.check(no_embedding), NOT_YET, "integer ids")


def test_text_model_accepts_an_integer_input():
    import keras

    model = keras.Sequential([keras.Input(shape=(None,), dtype="int32"), keras.layers.Embedding(51, 8, mask_zero=True),
                              keras.layers.LSTM(16), keras.layers.Dense(1)])
    assert_verdict(ex.q7.check(model), CORRECT)


def pad_pre(seqs):
    padded, mask = ex._reference_pad(seqs)
    flipped = np.stack([np.concatenate([padded[i, len(s):], padded[i, :len(s)]]) for i, s in enumerate(seqs)])
    return flipped, mask[:, ::-1]


def mask_from_values(seqs):
    padded, _ = ex._reference_pad(seqs)
    return padded, np.any(padded != 0, axis=-1)


@pytest.mark.parametrize("wrong, words", [
    (lambda seqs: (ex._reference_pad(seqs)[0].astype("int32"), ex._reference_pad(seqs)[1]), ["int32", "decimals", "float32"]),
    (pad_pre, ["in front"]),
    (lambda seqs: (ex._reference_pad(seqs)[0], ~ex._reference_pad(seqs)[1]), ["inverted"]),
    (mask_from_values, ["from the lengths"]),
    (lambda seqs: (ex._reference_pad(seqs)[0][..., 0], ex._reference_pad(seqs)[1]), ["keep the features axis"]),
    (lambda seqs: (ex._reference_pad(seqs)[0], ex._reference_pad(seqs)[0] != 0), ["one value per step"]),
    (lambda seqs: ex._reference_pad(seqs)[0], ["return two arrays"]),
    (lambda seqs: (ex._reference_pad(seqs)[0] + 1, ex._reference_pad(seqs)[1]), ["wrong values"]),
    (lambda seqs: (ex._reference_pad(seqs)[0], ex._reference_pad(seqs)[1][:, :-1]), ["one value per step"]),
])
def test_pad_and_mask_mistakes(wrong, words):
    assert_verdict(ex.q8.check(wrong), NOT_YET, *words)


def test_pad_and_mask_reference_matches_pad_sequences_and_fresh_inputs_are_judged():
    import keras

    for (seqs,) in ex.q8.inputs(3):
        padded, mask = ex._reference_pad(seqs)
        assert np.allclose(padded, keras.utils.pad_sequences(seqs, dtype="float32", padding="post"))
        assert mask.sum() == sum(len(s) for s in seqs)
    assert ex.q8.judge_function(solution_value(ex.q8), seed=7).correct


def test_function_exercise_returning_ellipsis_is_not_attempted():
    assert_verdict(ex.q8.check(lambda seqs: ...), NOT_ATTEMPTED)


def test_numpy_integers_and_lists_are_accepted_as_answers():
    assert ex.q1.check([None, np.int64(3)]).correct
    assert ex.q2.check(np.array([5, 9, 2])).correct
    assert ex.q3.check(np.array([[8, 2, 7], [3, 9, 0]], dtype="int32")).correct
    assert ex.q4.check(ex._Q4_WANT.tolist()).correct
    assert ex.q5.check(np.int32(4)).correct


# -- found when trying the lesson cold (review) ----------------------------------------------------
@pytest.mark.parametrize("exercise, value, words", [
    (ex.q1, (32, None, 3), ["32 in front is a batch size"]),
    (ex.q1, (1, None, 3), ["batch size", "leaves the batch axis out"]),
    (ex.q3, [[8, 2, 7], [3, 9]], ["different lengths", "maxlen"]),
    (ex.q4, [[2, 0, 1, 1], [1, 1, 0, 0]], ["true (keep the step)"]),
    (ex.q5, -1, ["step 7", "padded step itself"]),
    (ex.q5, -3, ["step 5", "padded step itself"]),
    (ex.q5, -6, ["step 2", "not the last one"]),
    (ex.q6, (None, 16), ["keeps the time axis", "batch axis in front"]),
], ids=lambda v: str(v))
def test_review_mistakes_get_specific_feedback(exercise, value, words):
    assert_verdict(exercise.check(value), NOT_YET, *words)


def test_negative_index_of_the_last_real_step_is_correct():
    """out[0, -4] is out[0, 4] for 8 steps: Python's own indexing, so it earns the point."""
    assert_verdict(ex.q5.check(-4), CORRECT, "step 4")
    assert_verdict(ex.q5.check(np.int64(-4)), CORRECT)


def test_masked_rnn_outputs_zeros_before_the_first_real_step_even_with_biases():
    """The fact behind section 4's pre-padding rows: zeros come from the mask, not from zero biases."""
    import keras

    keras.utils.set_random_seed(0)
    rnn = keras.layers.SimpleRNN(3, return_sequences=True)
    model = keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.Masking(), rnn])
    kernel, recurrent, bias = rnn.get_weights()
    rnn.set_weights([kernel, recurrent, np.full_like(bias, 0.3)])
    pre = keras.utils.pad_sequences([[0.9, 0.4]], maxlen=5, dtype="float32")[..., None]
    out = keras.ops.convert_to_numpy(model(pre))[0]
    assert np.all(out[:3] == 0) and np.all(np.abs(out[3:]) > 0)
    unmasked = keras.ops.convert_to_numpy(keras.Sequential([keras.Input(shape=(None, 1)), rnn])(pre))[0]
    assert not np.allclose(unmasked[:3], 0)


def test_text_model_valid_alternatives_are_correct():
    import keras

    layers = keras.layers
    assert_verdict(ex.q7.check(_text_model(input_dim=60)), CORRECT, "51 (largest id + 1) is enough")
    ids = keras.Input(shape=(None,), dtype="int32")
    vectors = layers.Embedding(input_dim=51, output_dim=8, mask_zero=True)(ids)
    functional = keras.Model(ids, layers.Dense(1, activation="sigmoid")(layers.LSTM(16)(vectors)))
    assert_verdict(ex.q7.check(functional), CORRECT)
    batch_shape = keras.Sequential([keras.Input(batch_shape=(None, None)), layers.Embedding(51, 8, mask_zero=True),
                                    layers.LSTM(16), layers.Dense(1)])
    assert_verdict(ex.q7.check(batch_shape), CORRECT)


def test_text_model_review_mistakes():
    import keras

    layers = keras.layers
    assert_verdict(ex.q7.check(_text_model(input_dim=8, output_dim=51)), NOT_YET, "swapped")
    assert_verdict(ex.q7.check(_text_model(rnn=layers.LSTM(8))), NOT_YET, "LSTM(16): 16 units")
    two_scores = keras.Sequential([keras.Input(shape=(None,)), layers.Embedding(51, 8, mask_zero=True),
                                   layers.LSTM(16), layers.Dense(2)])
    assert_verdict(ex.q7.check(two_scores), NOT_YET, "Dense(1)")


def _pad_with_keras(seqs):
    import keras

    padded = keras.utils.pad_sequences(seqs, dtype="float32", padding="post")
    lengths = np.array([len(s) for s in seqs])
    return padded, np.arange(padded.shape[1]) < lengths[:, None]


@pytest.mark.parametrize("valid", [
    _pad_with_keras,
    lambda seqs: list(_pad_with_keras(seqs)),
    lambda seqs: (_pad_with_keras(seqs)[0], _pad_with_keras(seqs)[1].astype("int32")),
    lambda seqs: (_pad_with_keras(seqs)[0].astype("float64"), _pad_with_keras(seqs)[1]),
], ids=["pad_sequences+lengths", "list", "int mask", "float64"])
def test_pad_and_mask_valid_alternatives(valid):
    assert_verdict(ex.q8.check(valid), CORRECT)


def test_pad_and_mask_returned_in_the_wrong_order():
    assert_verdict(ex.q8.check(lambda seqs: _pad_with_keras(seqs)[::-1]), NOT_YET, "padded first")


# -- q7 with a student's numbers (graded releases) ---------------------------------------------------
def _drawn_text_variants(count=3):
    rng = np.random.default_rng(707)
    return [ex.draw(rng) for _ in range(count)]


def _variant_text_model(p, input_dim=None, output_dim=None, units=None, return_sequences=False):
    return _text_model(input_dim=p["largest_id"] + 1 if input_dim is None else input_dim,
                       output_dim=p["word_vector"] if output_dim is None else output_dim,
                       rnn=_lstm(p["review_units"] if units is None else units, return_sequences))


def _lstm(units, return_sequences=False):
    import keras

    return keras.layers.LSTM(units, return_sequences=return_sequences)


@pytest.mark.parametrize("p", _drawn_text_variants(), ids=lambda p: f"{p['largest_id']}-{p['word_vector']}-{p['review_units']}")
def test_text_model_variant_key_passes_and_the_published_model_fails(p):
    q7 = ex.build(p)[6]
    assert (p["largest_id"], p["word_vector"], p["review_units"]) != (50, 8, 16)
    assert_verdict(q7.check(solution_value(q7)), CORRECT)
    assert f"word ids 1..{p['largest_id']}" in q7.prompt and f"LSTM({p['review_units']})" in q7.prompt
    assert f"input_dim={p['largest_id'] + 1}, output_dim={p['word_vector']}" in q7.answer
    assert q7.judge(solution_value(ex.q7)).status == NOT_YET


@pytest.mark.parametrize("p", _drawn_text_variants(), ids=lambda p: f"{p['largest_id']}-{p['word_vector']}-{p['review_units']}")
def test_text_model_variant_tips_carry_the_variants_numbers(p):
    q7 = ex.build(p)[6]
    top, vector, units = p["largest_id"], p["word_vector"], p["review_units"]
    assert_verdict(q7.check(_variant_text_model(p, input_dim=top)), NOT_YET,
                   f"ids 0 to {top - 1}: the largest word id, {top}, has no row")
    assert_verdict(q7.check(_variant_text_model(p, input_dim=vector, output_dim=top + 1)), NOT_YET,
                   "swapped: input_dim counts the different ids")
    assert_verdict(q7.check(_variant_text_model(p, input_dim=top // 2)), NOT_YET,
                   f"input_dim={top // 2}: rows for ids 0 to {top // 2 - 1} only")
    for wrong in (top, top // 2, vector):
        message = q7.check(_variant_text_model(p, input_dim=wrong, output_dim=top + 1 if wrong == vector else None)
                           ).message
        assert f"input_dim={top + 1}" not in message and f"= {top + 1}" not in message, message
    assert_verdict(q7.check(_variant_text_model(p, output_dim=units)), NOT_YET,
                   f"gives {units} numbers per id; the exercise asks for {vector}")
    assert_verdict(q7.check(_variant_text_model(p, units=vector)), NOT_YET,
                   f"outputs (None, {vector}); the exercise asks for LSTM({units}): {units} units")
    assert_verdict(q7.check(_variant_text_model(p, return_sequences=True)), NOT_YET,
                   f"step only, (None, {units}): leave return_sequences off")
    assert_verdict(q7.check(_variant_text_model(p, input_dim=top + 11)), CORRECT,
                   f"{top + 1} (largest id + 1) is enough: the rows for ids above {top} are never used "
                   f"({10 * vector} extra weights)")
    masked_not = _text_model(input_dim=top + 1, output_dim=vector, mask_zero=False, rnn=_lstm(units))
    assert_verdict(q7.check(masked_not), NOT_YET, "padding id 0 is read as a word")
    params = (top + 1) * vector + 4 * units * (vector + units + 1) + units + 1
    assert_verdict(q7.check(_variant_text_model(p)), CORRECT, f"{params} parameters")


def test_the_cudnn_mask_condition_taught_is_keras_own():
    """GPU-only behaviour cannot run here (no GPU): the lesson states cuDNN's condition with its source,
    keras/src/backend/tensorflow/rnn.py; this checks the source says it and that the notebook's numpy
    rule, right_padded(mask), agrees with Keras' own check on pre- and post-padded masks."""
    import importlib
    import inspect
    import json

    import keras
    import tensorflow as tf

    tf_rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")

    import re

    source = re.sub(r'"\s*\n\s*"', "", inspect.getsource(tf_rnn._assert_valid_mask))   # join the message's pieces
    assert "With cuDNN, RNN masks can only be used for right-padding" in source
    assert "_is_sequence_right_padded" in source and "_has_fully_masked_sequence" in source
    assert "_assert_valid_mask(mask)" in inspect.getsource(tf_rnn._cudnn_lstm)
    assert "_assert_valid_mask(mask)" in inspect.getsource(tf_rnn._cudnn_gru)
    [path] = sorted((ROOT / "solutions").glob("07_*.ipynb"))
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    [code] = ["".join(c["source"]) for c in cells if "def right_padded(mask)" in "".join(c["source"])]
    scope = {"np": np}
    exec(code.split("\n\nfor padding")[0], scope)  # noqa: S102 - the lesson's own function
    right_padded = scope["right_padded"]
    pad = keras.utils.pad_sequences
    for padding in ("pre", "post"):
        for rows in ([[4, 2, 5], [3, 1]], [[1], [2, 3, 4, 5]], [[7, 7], [8, 8]]):
            mask = pad(rows, padding=padding, maxlen=5) != 0
            for row in mask:
                keras_says = bool(tf_rnn._is_sequence_right_padded(tf.constant(row[None])))
                assert bool(right_padded(row[None])[0]) == keras_says, (padding, row)
    assert not right_padded(np.zeros((1, 3), bool))[0] and bool(tf_rnn._has_fully_masked_sequence(tf.constant([[False] * 3])))
