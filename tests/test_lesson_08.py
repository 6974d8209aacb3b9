"""Lesson 08's exercises: each solution passes, typical mistakes get their own message; the
numbers in the checks are what Keras reports; helpers.targets refuses targets Keras broadcasts."""
import math

import numpy as np
import pytest

from helpers.exercises import lesson_08 as ex
from helpers.targets import TargetShapeError, check_targets, target_problem
from tests.exercise_kit import CORRECT, NOT_ATTEMPTED, NOT_YET, assert_verdict, solution_value


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.key)
def test_solution_is_correct_and_blank_is_not_attempted(exercise):
    assert_verdict(exercise.check(solution_value(exercise)), CORRECT)
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)


@pytest.mark.parametrize("exercise, value, words", [
    (ex.q1, (64, 3), ["many-to-one", "steps axis"]),
    (ex.q1, (64, 10), ["3 values at every step"]),
    (ex.q1, (64,), ["broadcast", "without an error"]),
    (ex.q1, (None, 10, 3), ["output shape", "64 sequences"]),
    (ex.q1, (10, 3), ["samples axis"]),
    (ex.q1, (64, 3, 10), ["wrong order"]),
    (ex.q3, (32, 10, 1), ["leftover", "count the windows"]),
    (ex.q3, (27, 10), ["features axis"]),
    (ex.q3, (28, 10, 1), ["one window too many", "index 90"]),
    (ex.q3, (26, 10, 1), ["one window too few", "both ends"]),
    (ex.q3, (10, 10, 1), ["overlap"]),
    (ex.q3, (27, 1, 10), ["timesteps", "axis 1"]),
    (ex.q5, {"concat": (None, 20, 8), "sum": (None, 20, 8), "ave": (None, 20, 8), "mul": (None, 20, 8),
             None: [(None, 20, 8)] * 2}, ["side by side", "8 + 8"]),
    (ex.q5, {"concat": (None, 40, 8), "sum": (None, 20, 8), "ave": (None, 20, 8), "mul": (None, 20, 8),
             None: [(None, 20, 8)] * 2}, ["not along time"]),
    (ex.q5, {"concat": (None, 20, 16), "sum": (None, 20, 16), "ave": (None, 20, 8), "mul": (None, 20, 8),
             None: [(None, 20, 8)] * 2}, ["'sum'", "keeps 8"]),
    (ex.q5, {"concat": (None, 16), "sum": (None, 20, 8), "ave": (None, 20, 8), "mul": (None, 20, 8),
             None: [(None, 20, 8)] * 2}, ["return_sequences"]),
    (ex.q5, {"concat": (None, 20, 16), "sum": (None, 20, 8), "ave": (None, 20, 8), "mul": (None, 20, 8),
             None: (None, 20, 16)}, ["does not merge", "list of two"]),
    (ex.q5, {"concat": (None, 20, 16), "sum": (None, 20, 8), "ave": (None, 20, 8), "mul": (None, 20, 8),
             None: (None, 20, 8)}, ["list of two"]),
    (ex.q5, {"concat": (None, 20, 16), "sum": (None, 20, 8), "ave": (None, 20, 8), "mul": (None, 20, 8),
             "None": [(None, 20, 8)] * 2}, ["not the string"]),
    (ex.q5, {"concat": (None, 20, 16), "sum": (None, 20, 8)}, ["missing", "'ave'", "None"]),
    (ex.q5, {"concat": (None, 20, 16), "sum": (None, 20, 8), "ave": (None, 20, 4), "mul": (None, 20, 8),
             None: [(None, 20, 8)] * 2}, ["averages", "does not halve"]),
    (ex.q5, [(None, 20, 16)], ["dict"]),
    (ex.q7, [(None, 1), (None, 32), (None, 32)], ["time axis", "(None, 1, 1)"]),
    (ex.q7, [(None, 4, 1), (None, 32), (None, 32)], ["one step per call"]),
    (ex.q7, [(None, 1, 1), (None, 1, 32), (None, 1, 32)], ["no time axis"]),
    (ex.q7, [(None, 1, 1), (None, 32)], ["h and c"]),
    (ex.q7, [(None, 1, 1), (None, 1), (None, 1)], ["one value per unit"]),
    (ex.q7, (None, 1, 1), ["one shape"]),
], ids=lambda v: str(v))
def test_typical_mistakes_get_specific_feedback(exercise, value, words):
    assert_verdict(exercise.check(value), NOT_YET, *words)


# -- q2: forecast pairs ---------------------------------------------------------------------------
def _pairs(series, window, k, count=None, features_axis=True, offset=0, swap=False, y_axis=False):
    n = len(series) - window - k + 1 if count is None else count
    x = np.stack([series[i:i + window] for i in range(n)])
    y = np.stack([series[i + window - offset:i + window - offset + k] for i in range(n)])
    x = x[..., None] if features_axis else x
    y = y[..., None] if y_axis else y
    return (y, x) if swap else (x, y)


@pytest.mark.parametrize("wrong, words", [
    (lambda s, w, k: _pairs(s, w, k, features_axis=False), ["no features axis", "[..., None]"]),
    (lambda s, w, k: _pairs(s, w, k, count=len(s) - w - k), ["pairs", "fit", "len(series) - window - k + 1"]),
    (lambda s, w, k: _pairs(s, w, k, offset=1), ["window's own last value"]),
    (lambda s, w, k: _pairs(s, w, k, swap=True), ["swapped"]),
    (lambda s, w, k: _pairs(s, w, k, y_axis=True), ["dense(k)", "(pairs, k)"]),
    (lambda s, w, k: _pairs(s, w, k)[0], ["two arrays"]),
    (lambda s, w, k: ("x", "y"), ["numpy arrays"]),
    (lambda s, w, k: 1 / 0, ["ZeroDivisionError"]),
    (lambda s, w, k: (np.array([s[i:i + w] for i in range(len(s) - w)])[..., None],
                      np.array([s[i + w:i + w + k] for i in range(len(s) - w)])),
     ["raised ValueError", "fewer than k values", "range(len(series) - window - k + 1)"]),
    (lambda s, w, k: (np.stack([s[i:i + w] for i in range(len(s) - w)])[..., None],
                      np.stack([s[i + w:i + w + k] for i in range(len(s) - w)])), ["fewer than k values"]),
])
def test_q2_function_mistakes(wrong, words):
    assert_verdict(ex.q2.check(wrong), NOT_YET, *words)


def test_q2_accepts_lists_and_other_seeds():
    def as_lists(series, window, k):
        x, y = _pairs(series, window, k)
        return x.tolist(), y.tolist()

    assert_verdict(ex.q2.check(as_lists), CORRECT)
    assert ex.q2.judge_function(solution_value(ex.q2), seed=7).correct
    assert_verdict(ex.q2.check(lambda s, w, k: ...), NOT_ATTEMPTED)


# -- q4: Conv1D lengths ---------------------------------------------------------------------------
def _valid(t, k, s):
    return (t - k) // s + 1


@pytest.mark.parametrize("wrong, words", [
    (lambda t, k, s, p: math.ceil(t / s) if p == "same" else t - k + 1, ["ignores the strides"]),
    (lambda t, k, s, p: math.ceil(t / s) if p == "same" else (t - k) // s, ["add 1"]),
    (lambda t, k, s, p: math.ceil(t / s), ["'same' rule"]),
    (lambda t, k, s, p: _valid(t, k, s), ["'valid' rule"]),
    (lambda t, k, s, p: t // s if p == "same" else _valid(t, k, s), ["round up"]),
    (lambda t, k, s, p: t if p == "same" else _valid(t, k, s), ["strides still divide"]),
    (lambda t, k, s, p: math.ceil(t / s) if p == "same" else (t - k) / s + 1, ["whole number"]),
    (lambda t, k, s, p: math.ceil(t / s) if p == "same" else math.ceil((t - k) / s) + 1, ["round down"]),
    (lambda t, k, s, p: "5", ["whole number of timesteps"]),
])
def test_q4_function_mistakes(wrong, words):
    assert_verdict(ex.q4.check(wrong), NOT_YET, *words)


def test_q4_reference_agrees_with_keras_on_every_case():
    import keras

    for seed in (0, 1, 2):
        for t, k, s, padding in ex.q4.inputs(seed):
            conv = keras.layers.Conv1D(2, k, strides=s, padding=padding)
            assert conv.compute_output_shape((None, t, 1))[1] == solution_value(ex.q4)(t, k, s, padding)


# -- q6: the one-to-many model -------------------------------------------------------------------
def test_q6_one_to_many_mistakes():
    import keras

    L = keras.layers

    def model(*middle, shape=(4,)):
        return keras.Sequential([keras.Input(shape=shape), *middle])

    assert_verdict(ex.q6.check(model(L.RepeatVector(6), L.GRU(16, return_sequences=True), L.Dense(1))),
                   NOT_YET, "lstm")
    assert_verdict(ex.q6.check(model(L.Dense(6))), NOT_YET, "Dense(6)", "RepeatVector(6)")
    assert_verdict(ex.q6.check(model(L.Dense(16), L.Dense(1))), NOT_YET, "RepeatVector(6)")
    assert_verdict(ex.q6.check(model(L.RepeatVector(4), L.LSTM(16, return_sequences=True), L.Dense(1))),
                   NOT_YET, "RepeatVector(6)")
    assert_verdict(ex.q6.check(model(L.RepeatVector(6), L.LSTM(16), L.Dense(1))), NOT_YET, "return_sequences=True")
    assert_verdict(ex.q6.check(model(L.LSTM(16, return_sequences=True), L.Dense(1), shape=(6, 4))),
                   NOT_YET, "one vector")
    assert_verdict(ex.q6.check(model(L.RepeatVector(6), L.LSTM(8, return_sequences=True), L.Dense(1))),
                   NOT_YET, "(None, 6, 8)", "(None, 6, 16)")


# -- the numbers in the checks are Keras' own -----------------------------------------------------
def test_check_numbers_are_what_keras_reports():
    import keras

    L = keras.layers
    sequence_in = keras.Input(shape=(20, 3))
    shapes = {}
    for mode in ("concat", "sum", "ave", "mul", None):
        out = L.Bidirectional(L.GRU(8, return_sequences=True), merge_mode=mode)(sequence_in)
        shapes[mode] = [tuple(t.shape) for t in out] if isinstance(out, (list, tuple)) else tuple(out.shape)
    assert shapes == solution_value(ex.q5)

    series = np.arange(100, dtype="float32")
    batches = keras.utils.timeseries_dataset_from_array(series, None, sequence_length=10, batch_size=32)
    last = [tuple(b.shape) for b in batches][-1]
    assert last + (1,) == solution_value(ex.q3)

    decoder = L.LSTM(32, return_sequences=True, return_state=True)
    step_in, h_in, c_in = keras.Input(shape=(1, 1)), keras.Input(shape=(32,)), keras.Input(shape=(32,))
    out, h, c = decoder(step_in, initial_state=[h_in, c_in])
    step = keras.Model([step_in, h_in, c_in], [L.Dense(1)(out), h, c])
    assert [tuple(t.shape) for t in step.outputs] == solution_value(ex.q7)


# -- helpers.targets --------------------------------------------------------------------------------
@pytest.mark.parametrize("output, target, fits", [
    ((None, 6, 1), (32, 6, 1), True),
    ((None, 6, 1), (32, 6), True),        # Keras drops the output's trailing 1 (measured: same loss)
    ((None, 6, 1), (32, 1), False),
    ((None, 6, 1), (32,), False),
    ((None, 1), (32,), True),
    ((None, 3), (32, 5), False),
    ((None, 3), (32, 3, 1), False),
    ((None, 10, 3), (64, 10), False),
    ((None, None, 1), (8, 4, 1), True),
])
def test_target_problem(output, target, fits):
    assert (target_problem(output, target) is None) == fits


def test_target_problem_for_sparse_labels():
    assert target_problem((None, 6, 4), (16, 6), sparse=True) is None
    assert target_problem((None, 6, 4), (16, 6, 1), sparse=True) is None
    assert "integer labels" in target_problem((None, 6, 4), (16,), sparse=True).lower()


def test_check_targets_refuses_what_keras_would_broadcast_and_agrees_with_the_loss():
    import keras

    model = keras.Sequential([keras.Input(shape=(6, 1)), keras.layers.SimpleRNN(4, return_sequences=True),
                              keras.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(32, 6, 1)).astype("float32")
    y = np.cumsum(x, axis=1)
    predictions = np.asarray(model(x))
    mse = keras.losses.MeanSquaredError()
    real = float(np.mean((predictions - y) ** 2))
    for targets in (y, y[:, :, 0], y[:, -1:, 0], y[:, -1, 0]):
        accepted = True
        try:
            assert check_targets(model, targets) == (32, 6, 1)
        except TargetShapeError as err:
            accepted = False
            assert "(32, 6, 1)" in str(err) and "broadcast" in str(err)
        # accepted exactly when Keras' loss on these targets is the real loss
        assert accepted == bool(np.isclose(float(mse(targets, predictions)), real, rtol=1e-5))
    with pytest.raises(TypeError, match="array"):
        check_targets(model, [1, 2, 3])
    with pytest.raises(TypeError, match="keras.Input"):
        check_targets(keras.Sequential([keras.layers.Dense(1)]), y)


def test_q2_crash_tip_reaches_the_grader_too():
    """The grader replays a learner's exception through judge_function: the tip must survive that."""
    from helpers.grade.judge import _replay

    replayed = _replay([], {"type": "ValueError", "message": "setting an array element with a sequence. "
                                    "The requested array has an inhomogeneous shape after 1 dimensions."})
    assert_verdict(ex.q2.judge_function(replayed), NOT_YET, "fewer than k values")
    assert "fewer than k" not in ex.q2.check(lambda s, w, k: 1 / 0).message
