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
    (ex.q3, (4, 10, 1), ["100 windows, one for every value", "too close to its end"]),
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
    (lambda s, w, k: _pairs(s, w, k, count=len(s) - w - k), ["pairs", "one too few", "count both ends"]),
    (lambda s, w, k: _pairs(s, w, k, offset=1), ["window's own last value"]),
    (lambda s, w, k: _pairs(s, w, k, swap=True), ["swapped"]),
    (lambda s, w, k: _pairs(s, w, k, y_axis=True), ["dense(k)", "(pairs, k)"]),
    (lambda s, w, k: _pairs(s, w, k)[0], ["two arrays"]),
    (lambda s, w, k: ("x", "y"), ["numpy arrays"]),
    (lambda s, w, k: 1 / 0, ["ZeroDivisionError"]),
    (lambda s, w, k: (np.array([s[i:i + w] for i in range(len(s) - w)])[..., None],
                      np.array([s[i + w:i + w + k] for i in range(len(s) - w)])),
     ["raised ValueError", "fewer than k values", "stop the start index earlier"]),
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
    (lambda t, k, s, p: math.ceil(t / s) if p == "same" else (t - k) // s, ["one position short"]),
    (lambda t, k, s, p: math.ceil(t / s) if p == "same" else (t - k + 1) // s, ["inside the division", "apart"]),
    (lambda t, k, s, p: math.ceil(t / s) if p == "same" else t // s + 1, ["kernel of", "must fit"]),
    (lambda t, k, s, p: math.ceil(t / s), ["what 'same' gives"]),
    (lambda t, k, s, p: _valid(t, k, s), ["'valid' rule"]),
    (lambda t, k, s, p: t // s if p == "same" else _valid(t, k, s), ["round up"]),
    (lambda t, k, s, p: t if p == "same" else _valid(t, k, s), ["strides still shorten"]),
    (lambda t, k, s, p: math.ceil(t / s) if p == "same" else (t - k) / s + 1, ["whole number"]),
    (lambda t, k, s, p: math.ceil(t / s) if p == "same" else math.ceil((t - k) / s) + 1, ["round down"]),
    (lambda t, k, s, p: "5", ["whole number of timesteps"]),
])
def test_q4_function_mistakes(wrong, words):
    assert_verdict(ex.q4.check(wrong), NOT_YET, *words)


def test_q4_and_q2_feedback_never_spells_the_formula():
    formulas = ["// s + 1", "//s+1", "ceil(T / s)", "ceil(t / s)", "(T - k)", "len(series) - window - k + 1",
                "series[i + window:i + window + k]"]
    wrong_conv = [lambda t, k, s, p: t - k + 1, lambda t, k, s, p: (t - k) // s, lambda t, k, s, p: (t - k + 1) // s,
                  lambda t, k, s, p: math.ceil(t / s), lambda t, k, s, p: t // s, lambda t, k, s, p: t,
                  lambda t, k, s, p: (t - k) / s + 1, lambda t, k, s, p: 0]
    wrong_pairs = [lambda s, w, k: _pairs(s, w, k, count=len(s) - w - k), lambda s, w, k: _pairs(s, w, k, offset=1),
                   lambda s, w, k: _pairs(s, w, k, count=2)]
    for exercise, wrongs in ((ex.q4, wrong_conv), (ex.q2, wrong_pairs)):
        for wrong in wrongs:
            message = exercise.check(wrong).message
            assert not any(f in message for f in formulas), message


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
    assert_verdict(ex.q6.check(model(L.RepeatVector(6), L.LSTM(16), L.Dense(6))), NOT_YET,
                   "(None, 6): 6 numbers, but as one vector", "passed on only its last one")
    assert_verdict(ex.q6.check(model(L.Dense(1), L.RepeatVector(6), L.LSTM(16, return_sequences=True), L.Dense(1))),
                   NOT_YET, "copies what reaches it", "not the 4 of the input vector")
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
    ((None, 3), (32, 3, 1), True),        # Keras squeezes the targets' trailing 1 (measured: same loss)
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
    predictions = keras.ops.convert_to_numpy(model(x))
    mse = keras.losses.MeanSquaredError()
    real = float(np.mean((predictions - y) ** 2))
    for targets in (y, y[:, :, 0], y[:, -1:, 0], y[:, -1, 0]):
        accepted = True
        try:
            assert check_targets(model, targets) == targets.shape
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


# -- found by trying the lesson cold (review-08) ----------------------------------------------------
_MERGED_RIGHT = {"concat": (None, 20, 16), "sum": (None, 20, 8), "ave": (None, 20, 8), "mul": (None, 20, 8)}


@pytest.mark.parametrize("exercise, value, words", [
    (ex.q3, (91, 10, 1), ["every window", "last batch"]),
    (ex.q3, (3, 10, 1), ["number of batches"]),
    (ex.q5, {"Concat": (None, 20, 16), "sum": (None, 20, 8), "ave": (None, 20, 8), "mul": (None, 20, 8),
             None: [(None, 20, 8)] * 2}, ["spells", "'concat'", "not 'Concat'"]),
    (ex.q5, {"concat": (None, 20, 16), "sum": (None, 20, 8), "average": (None, 20, 8), "mul": (None, 20, 8),
             None: [(None, 20, 8)] * 2}, ["'ave'", "not 'average'"]),
    (ex.q5, {**_MERGED_RIGHT, "none": [(None, 20, 8)] * 2}, ["spells", "None", "not 'none'"]),
    (ex.q5, {"concat": (20, 16), "sum": (20, 8), "ave": (20, 8), "mul": (20, 8), None: [(20, 8)] * 2},
     ["no batch axis", "(None, 20, 16)"]),
    (ex.q5, {**_MERGED_RIGHT, "concat": (None, 20, 11), None: [(None, 20, 8)] * 2}, ["8 + 8", "3 features"]),
    (ex.q7, [(None, 32), (None, 32), (None, 1, 1)], ["wrong order", "[prediction, h, c]"]),
    (ex.q7, [(1, 1, 1), (1, 32), (1, 32)], ["batch size open", "None"]),
    (ex.q7, [(None, 1, 32), (None, 32), (None, 32)], ["decoder LSTM returns", "Dense(1)"]),
], ids=lambda v: str(v))
def test_cold_try_mistakes_get_specific_feedback(exercise, value, words):
    assert_verdict(exercise.check(value), NOT_YET, *words)


def test_q5_accepts_tuples_lists_and_an_extra_key():
    right = solution_value(ex.q5)
    assert_verdict(ex.q5.check({**right, None: ((None, 20, 8), (None, 20, 8))}), CORRECT)
    assert_verdict(ex.q5.check({**{m: list(s) for m, s in _MERGED_RIGHT.items()}, None: [[None, 20, 8]] * 2}), CORRECT)


def _ragged_lists(series, window, k):
    xs, ys = [], []
    for i in range(len(series) - window):          # one start too many for k > 1: the last targets are short
        xs.append([[v] for v in series[i:i + window]])
        ys.append(list(series[i + window:i + window + k]))
    return xs, ys


@pytest.mark.parametrize("wrong, words", [
    (_ragged_lists, ["rows of y have different lengths", "stop the start index earlier"]),
    (lambda s, w, k: (np.stack([s[i:i + w] for i in range(0, len(s) - w - k + 1, w)])[..., None],   # side by side
                      np.stack([s[i + w:i + w + k] for i in range(0, len(s) - w - k + 1, w)])), ["windows", "overlap"]),
    (lambda s, w, k: (_pairs(s, w, k)[0][:, None, :, 0], _pairs(s, w, k)[1]), ["timesteps", "axis 1", "comes last"]),
])
def test_q2_cold_try_mistakes(wrong, words):
    assert_verdict(ex.q2.check(wrong), NOT_YET, *words)


def _sliding(series, window, k):
    view = np.lib.stride_tricks.sliding_window_view(np.asarray(series), window + k)
    return view[:, :window, None], view[:, window:]


def _pure_python(series, window, k):
    n = len(series) - window - k + 1
    return ([[[float(v)] for v in series[i:i + window]] for i in range(n)],
            [[float(v) for v in series[i + window:i + window + k]] for i in range(n)])


def _keras_windows(series, window, k):
    import keras

    data = np.asarray(series, dtype="float32")
    batches = keras.utils.timeseries_dataset_from_array(data, None, sequence_length=window + k, batch_size=8)
    both = np.concatenate([np.asarray(batch) for batch in batches])
    return both[:, :window, None], both[:, window:]


def _keras_windows_as_tensors(series, window, k):
    import keras

    data = np.asarray(series, dtype="float32")
    both = next(iter(keras.utils.timeseries_dataset_from_array(data, None, sequence_length=window + k,
                                                               batch_size=len(data))))
    return both[:, :window, None], both[:, window:]


@pytest.mark.parametrize("valid", [
    _sliding, _pure_python, _keras_windows, _keras_windows_as_tensors,
    lambda s, w, k: tuple(a.astype("float32") for a in _sliding(s, w, k)),
    lambda s, w, k: list(_sliding(s, w, k)),
], ids=["sliding_window_view", "pure_python", "timeseries_dataset", "tensors", "float32", "list"])
def test_q2_valid_alternatives_are_correct(valid):
    assert_verdict(ex.q2.check(valid), CORRECT)


@pytest.mark.parametrize("valid", [
    lambda t, k, s, p: __import__("keras").layers.Conv1D(1, k, strides=s, padding=p).compute_output_shape(
        (None, t, 1))[1],
    lambda t, k, s, p: np.ceil(t / s) if p == "same" else np.floor((t - k) / s) + 1,
    lambda t, k, s, p: len(range(0, t, s)) if p == "same" else len(range(0, t - k + 1, s)),
    lambda t, k, s, p: np.array(-(-t // s) if p == "same" else (t - k) // s + 1),
    lambda t, k, s, p: (__import__("keras").ops.ceil(t / s) if p == "same"
                        else __import__("keras").ops.floor((t - k) / s) + 1),
], ids=["keras_compute_output_shape", "numpy_floats", "len_range", "zero_d_array", "keras_ops_tensor"])
def test_q4_valid_alternatives_are_correct(valid):
    assert_verdict(ex.q4.check(valid), CORRECT)


def test_q6_valid_alternatives_and_cold_try_mistakes():
    import keras

    L = keras.layers

    def model(*middle, shape=(4,)):
        return keras.Sequential([keras.Input(shape=shape), *middle])

    vector = keras.Input(shape=(4,))
    steps = L.LSTM(16, return_sequences=True)(L.RepeatVector(6)(vector))
    assert_verdict(ex.q6.check(keras.Model(vector, L.Dense(1)(steps))), CORRECT)
    assert_verdict(ex.q6.check(model(L.RepeatVector(6), L.RNN(L.LSTMCell(16), return_sequences=True), L.Dense(1))),
                   CORRECT)
    assert_verdict(ex.q6.check(model(L.RepeatVector(6), L.LSTM(16, return_sequences=True),
                                     L.TimeDistributed(L.Dense(1)))), CORRECT)
    built_later = keras.Sequential([L.RepeatVector(6), L.LSTM(16, return_sequences=True), L.Dense(1)])
    built_later.build((None, 4))
    assert_verdict(ex.q6.check(built_later), CORRECT)

    assert_verdict(ex.q6.check(model(L.Reshape((4, 1)), L.LSTM(16, return_sequences=True), L.Dense(1))),
                   NOT_YET, "Reshape", "RepeatVector(6)")
    assert_verdict(ex.q6.check(model(L.RepeatVector(6), L.LSTM(16, return_sequences=True), L.Dense(6))),
                   NOT_YET, "every step", "Dense(1)")
    assert_verdict(ex.q6.check(model(L.RepeatVector(6), L.LSTM(16, return_sequences=True), L.Dense(1), shape=(3,))),
                   NOT_YET, "(None, 3)", "keras.Input(shape=(4,))")


@pytest.mark.parametrize("exercise", [ex.q2, ex.q4], ids=lambda e: e.key)
def test_last_hint_runs_in_the_notebook_namespace(exercise):
    """The notebook imports numpy as np and keras, nothing else: the last hint must run there as it is."""
    import keras

    signature = {"q2": "def forecast_pairs(series, window, k):", "q4": "def conv1d_length(timesteps, kernel_size, "
                                                                    "strides, padding):"}[exercise.id]
    body = exercise.hints[-1] + ("\nreturn x, y" if exercise.id == "q2" else "")
    namespace = {"np": np, "keras": keras}
    exec(signature + "\n" + "\n".join("    " + line for line in body.splitlines()), namespace)
    assert_verdict(exercise.check(namespace[exercise.reads]), CORRECT)


@pytest.mark.parametrize("output_units, target_shape", [
    (3, (16, 5)), (3, (16, 3, 1)), (3, (16,)), (1, (16,)), (3, (16, 1)), (3, (16, 3, 2)),
])
def test_check_targets_says_whether_keras_itself_would_stop(output_units, target_shape):
    """Its message says 'Keras would not stop you' exactly when a real fit runs without an error."""
    import keras

    model = keras.Sequential([keras.Input(shape=(4, 1)), keras.layers.SimpleRNN(2), keras.layers.Dense(output_units)])
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    try:
        model.fit(np.zeros((16, 4, 1)), np.zeros(target_shape), epochs=1, verbose=0)
        keras_ran = True
    except Exception:   # noqa: BLE001 - graph mode raises ValueError, eager mode InvalidArgumentError
        keras_ran = False
    try:
        check_targets(model, np.zeros(target_shape))
        return                                       # accepted: nothing to claim
    except TargetShapeError as err:
        message = str(err)
    assert ("would not stop you" in message) == keras_ran, message
    assert ("would stop too" in message) == (not keras_ran), message


# -- graded releases: every variant's numbers are Keras' own, every variant keeps its messages -------
def _variants(count: int, seed: int = 8) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [ex.draw(rng) for _ in range(count)]


def test_drawn_variants_are_valid_and_differ_from_the_published_answers():
    published = {e.id: e.answer for e in ex.EXERCISES}
    for params in _variants(50):
        assert ex.valid(params), params
        for exercise in ex.build(params):
            if exercise.id in ("q2", "q4"):
                assert exercise is getattr(ex, exercise.id)     # function exercises keep their random inputs
            else:
                assert exercise.answer != published[exercise.id], (params, exercise.key)


def test_variant_answers_are_what_keras_reports():
    import keras

    L = keras.layers
    for params in _variants(4, seed=3):
        q1, _, q3, _, q5, q6, q7, q8, q9 = ex.build(params)
        series = np.arange(params["series_length"], dtype="float32")
        batches = keras.utils.timeseries_dataset_from_array(series, None, sequence_length=params["window"],
                                                            batch_size=params["batch_size"])
        assert [tuple(b.shape) for b in batches][-1] + (1,) == solution_value(q3), params
        sequence_in = keras.Input(shape=(params["bi_steps"], params["bi_features"]))
        shapes = {}
        for mode in ("concat", "sum", "ave", "mul", None):
            out = L.Bidirectional(L.GRU(params["bi_units"], return_sequences=True), merge_mode=mode)(sequence_in)
            shapes[mode] = [tuple(t.shape) for t in out] if isinstance(out, (list, tuple)) else tuple(out.shape)
        assert shapes == solution_value(q5), params
        model = solution_value(q6)
        assert model.output_shape == (None, params["out_steps"], params["step_values"]), params
        assert_verdict(q6.check(model), CORRECT)
        units = params["decoder_units"]
        decoder = L.LSTM(units, return_sequences=True, return_state=True)
        step_in, h_in, c_in = keras.Input(shape=(1, 1)), keras.Input(shape=(units,)), keras.Input(shape=(units,))
        out, h, c = decoder(step_in, initial_state=[h_in, c_in])
        step = keras.Model([step_in, h_in, c_in], [L.Dense(1)(out), h, c])
        assert [tuple(t.shape) for t in step.outputs] == solution_value(q7), params
        assert solution_value(q1) == (params["samples"], params["steps"], params["values"])
        tagger = keras.Sequential([keras.Input(shape=(params["tag_steps"], 2)), L.GRU(2, return_sequences=True),
                                   L.Dense(params["tag_classes"], activation="softmax")])
        labels = np.zeros(solution_value(q8), dtype="int64")
        tagger.compile(loss="sparse_categorical_crossentropy", run_eagerly=True)
        tagger.evaluate(np.zeros((params["tag_samples"], params["tag_steps"], 2)), labels, verbose=0)   # no error
        assert labels.shape[0] == params["tag_samples"]
        shape, loss = solution_value(q9)
        hot = keras.utils.to_categorical(np.zeros((params["hot_samples"], params["hot_steps"]), "int64"),
                                         params["hot_classes"])
        assert hot.shape == shape and loss == "categorical_crossentropy", params


def test_variant_tips_state_true_arithmetic_and_never_the_answer():
    from tests.test_feedback_arithmetic import numbers_in, stated_arithmetic

    for params in _variants(50):
        for exercise in ex.build(params):
            for wrong, message in (getattr(exercise.rule, "tips", None) or {}).items():
                assert repr(exercise.rule.expected).replace(" ", "") not in message.replace(" ", ""), message
                stated = numbers_in(message) | numbers_in(str(wrong))
                for expression, value in stated_arithmetic(message):
                    assert int(value) in stated, (params, exercise.key, expression, message)


def test_variant_merge_and_step_mistakes_get_their_own_message():
    for params in _variants(30):
        s, f, u = params["bi_steps"], params["bi_features"], params["bi_units"]
        _, _, _, _, q5, _, q7, _, _ = ex.build(params)
        right = {"concat": (None, s, 2 * u), "sum": (None, s, u), "ave": (None, s, u), "mul": (None, s, u),
                 None: [(None, s, u)] * 2}
        assert_verdict(q5.check(right), CORRECT)
        for wrong, words in [
            ({**right, "concat": (None, s, u)}, ["side by side", f"{u} + {u}"]),
            ({**right, "concat": (None, 2 * s, u)}, ["not along time", f"still {s} steps"]),
            ({**right, "concat": (None, s, u + f)}, [f"{u} + {u}", f"{f} features"]),
            ({**right, "sum": (None, s, 2 * u)}, ["'sum'", f"keeps {u}"]),
            ({**right, "ave": (None, s, u // 2)}, ["averages", "does not halve"]),
            ({**right, "mul": (None, u)}, ["return_sequences", f"keeps the {s} steps"]),
            ({**right, None: (None, s, 2 * u)}, ["does not merge", "list of two"]),
            ({**right, None: [(None, s, 2 * u)] * 2}, [f"GRU({u})"]),
        ]:
            assert_verdict(q5.check(wrong), NOT_YET, *words)
        d = params["decoder_units"]
        assert_verdict(q7.check([(None, 1, 1), (None, d), (None, d)]), CORRECT)
        for wrong, words in [
            ([(None, 1), (None, d), (None, d)], ["time axis", "(None, 1, 1)"]),
            ([(None, 4, 1), (None, d), (None, d)], ["one step per call"]),
            ([(None, 1, d), (None, d), (None, d)], ["decoder LSTM returns", f"{d} values"]),
            ([(None, 1, 1), (None, 1, d), (None, 1, d)], ["no time axis", f"one vector of {d}"]),
            ([(None, 1, 1), (None, 1), (None, 1)], ["one value per unit", f"({d})"]),
            ([(None, 1, 1), (None, d + 1), (None, d + 1)], [f"LSTM({d})'s states"]),
            ([(1, 1, 1), (1, d), (1, d)], ["batch size open"]),
        ]:
            assert_verdict(q7.check(wrong), NOT_YET, *words)


def test_variant_one_to_many_mistakes_get_their_own_message():
    import keras

    L = keras.layers
    for params in _variants(3, seed=5):
        v, t, u, o = params["vector"], params["out_steps"], params["lstm_units"], params["step_values"]
        q6 = ex.build(params)[5]

        def model(*middle, shape=(v,)):
            return keras.Sequential([keras.Input(shape=shape), *middle])

        assert_verdict(q6.check(model(L.RepeatVector(t), L.LSTM(u, return_sequences=True), L.Dense(o))), CORRECT)
        for wrong, words in [
            (model(L.Dense(t * o)), [f"Dense({t * o})", f"RepeatVector({t})"]),
            (model(L.RepeatVector(v), L.LSTM(u, return_sequences=True), L.Dense(o)), [f"RepeatVector({t})"]),
            (model(L.RepeatVector(t), L.LSTM(u), L.Dense(o)), ["return_sequences=True", f"instead of {t}"]),
            (model(L.RepeatVector(t), L.LSTM(u, return_sequences=True), L.Dense(o + 4)), ["every step",
                                                                                          f"Dense({o})"]),
            (model(L.Reshape((v, 1)), L.LSTM(u, return_sequences=True), L.Dense(o)), ["Reshape", f"RepeatVector({t})"]),
            (model(L.LSTM(u, return_sequences=True), L.Dense(o), shape=(t, v)), ["one vector", f"shape=({v},)"]),
            (model(L.RepeatVector(t), L.LSTM(u + 4, return_sequences=True), L.Dense(o)), [f"(None, {t}, {u})"]),
        ]:
            assert_verdict(q6.check(wrong), NOT_YET, *words)


def test_a_graded_release_hides_the_hints_that_give_the_answer_away():
    from helpers.exercises import graded_release

    params = _variants(1)[0]
    released = graded_release("08", params)
    shown = {e.id: " ".join(repr(e.hint(n)) for n in range(1, 4)) for e in released.EXERCISES}
    assert f"(None, {params['bi_steps']}, {params['bi_units']})" not in shown["q5"]
    assert "return_sequences=True" not in shown["q6"] and f"RepeatVector({params['out_steps']})" not in shown["q6"]


def test_format_feedback_knows_the_form_of_every_value_answer():
    from helpers.exercises import RECEIVED, graded_release

    released = graded_release("08", _variants(1)[0], feedback="format")
    assert released.q5.check({"concat": (None, 1, 2)}).status == RECEIVED
    assert released.q7.check([(None, 1, 1), (None, 5), (None, 5)]).status == RECEIVED
    assert released.q1.check((1, 2, 3)).status == RECEIVED
    for exercise, wrong in [(released.q5, [(None, 20, 16)]), (released.q7, "three shapes"), (released.q7, (None, 1, 1)),
                            (released.q1, (1, 2)), (released.q3, "27")]:
        assert exercise.check(wrong).status == NOT_YET, (exercise.key, wrong)


# -- q8, q9: classification targets -------------------------------------------------------------------
@pytest.mark.parametrize("value, words", [
    ((32, 20, 5), ["one-hot shape", "one integer label per step"]),
    ((32,), ["one label per sequence", "every one of the 20 steps"]),
    ((32, 5), ["one one-hot vector per sequence"]),
    ((None, 20), ["32 sequences"]),
    ((20,), ["one sequence's labels"]),
    ((None, 20, 5), ["output shape", "drop its classes axis"]),
    ((20, 32), ["wrong order"]),
])
def test_q8_label_mistakes(value, words):
    verdict = ex.q8.check(value)
    assert_verdict(verdict, NOT_YET, *words)
    assert "(32,20)" not in verdict.message.replace(" ", "")


def test_q8_accepts_what_keras_accepts():
    assert_verdict(ex.q8.check((32, 20, 1)), CORRECT, "drops a last axis of 1")
    assert_verdict(ex.q8.check([32, 20]), CORRECT)
    assert_verdict(ex.q8.check(np.array([32, 20])), CORRECT)


@pytest.mark.parametrize("value, words", [
    (((16, 12, 4), "sparse_categorical_crossentropy"), ["shape is right", "integer labels", "target.ndim - 1"]),
    (((16, 12, 4), "binary_crossentropy"), ["yes/no"]),
    (((16, 12, 4), "mse"), ["cross-entropy"]),
    (((16, 12), "categorical_crossentropy"), ["adds an axis"]),
    (((16, 4), "categorical_crossentropy"), ["12 steps stay"]),
    (((16, 48), "categorical_crossentropy"), ["does not join"]),
    (((16, 12, 3), "categorical_crossentropy"), ["num_classes=4"]),
    (((None, 12, 4), "categorical_crossentropy"), ["16 sequences"]),
    (((16, 4, 12), "categorical_crossentropy"), ["wrong order"]),
    (((16, 12, 4), 3), ["string name"]),
    ("categorical_crossentropy", ["(shape, loss)"]),
    ((16, 12, 4), ["(shape, loss)"]),
    (("categorical_crossentropy", (16, 12, 4)), ["Swapped", "shape first"]),
])
def test_q9_one_hot_mistakes(value, words):
    verdict = ex.q9.check(value)
    assert_verdict(verdict, NOT_YET, *words)
    if verdict.message.startswith("The shape is right"):
        assert "categorical_crossentropy" not in verdict.message.replace("sparse_categorical_crossentropy", "")


def test_q9_accepts_other_spellings_of_the_loss():
    import keras

    for loss in ("categorical_crossentropy", "CategoricalCrossentropy", keras.losses.CategoricalCrossentropy(),
                 keras.losses.categorical_crossentropy):
        assert_verdict(ex.q9.check(((16, 12, 4), loss)), CORRECT)
    assert_verdict(ex.q9.check([[16, 12, 4], "categorical_crossentropy"]), CORRECT)


@pytest.mark.parametrize("exercise", [ex.q8, ex.q9], ids=lambda e: e.key)
def test_q8_q9_nonsense_never_raises(exercise):
    from tests.exercise_kit import nonsense_values

    for value in nonsense_values():
        assert exercise.check(value).status in (NOT_YET, NOT_ATTEMPTED), value
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)
