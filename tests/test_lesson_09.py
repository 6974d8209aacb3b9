"""Lesson 09 (capstone): exercises, and the held-out grading that the naive forecast must fail."""
import numpy as np
import pytest

from helpers.data import load_sunspots
from helpers.data.windows import sliding_windows
from helpers.exercises import lesson_09 as ex
from tests.exercise_kit import CORRECT, NOT_ATTEMPTED, NOT_YET, assert_verdict, solution_value


def train_split():
    years, sunspots = load_sunspots()
    x, y = sliding_windows(sunspots, ex.TIMESTEPS)
    train = years[ex.TIMESTEPS:] < ex.FIRST_TEST_YEAR
    return x[train] / ex.SCALE, y[train] / ex.SCALE


def linear_model(weights, bias=0.0):
    """Flatten -> Dense(1) with the given weights: an autoregressive forecast, no training needed."""
    import keras

    model = keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.set_weights([np.asarray(weights, "float32").reshape(12, 1), np.array([bias], "float32")])
    return model


def least_squares_model():
    x, y = train_split()
    design = np.c_[x[:, :, 0], np.ones(len(x))]
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    return linear_model(coef[:12], coef[12])


def naive_model():
    weights = np.zeros(12)
    weights[-1] = 1.0
    return linear_model(weights)


def test_held_out_split_is_1949_to_2008():
    x_test, y_test = ex.held_out()
    years, sunspots = load_sunspots()
    assert x_test.shape == (60, 12, 1) and y_test.shape == (60,)
    np.testing.assert_array_equal(y_test, sunspots[years >= 1949])
    np.testing.assert_array_equal(x_test[0, :, 0], sunspots[(years >= 1937) & (years < 1949)])


def test_threshold_fails_naive_and_passes_a_fitted_model_with_a_margin():
    naive = ex.naive_mae()
    assert naive > ex.THRESHOLD + 3, naive
    assert ex.held_out_mae(naive_model()) == pytest.approx(naive, abs=1e-3)
    assert_verdict(ex.q7.check(naive_model()), NOT_YET, "must be below 20")
    fitted = least_squares_model()
    assert ex.held_out_mae(fitted) < ex.THRESHOLD - 3
    assert_verdict(ex.q7.check(fitted), CORRECT, "beats the threshold")


def test_q7_typical_mistakes():
    import keras

    kernel, bias = least_squares_model().get_weights()
    raw_scale = linear_model(kernel.reshape(-1), 100 * float(bias[0]))  # reads and predicts raw sunspot numbers
    assert_verdict(ex.q7.check(raw_scale), NOT_YET, "divided by 100")
    keras.utils.set_random_seed(0)
    untrained = keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.GRU(4), keras.layers.Dense(1)])
    untrained.set_weights([w + 3 for w in untrained.get_weights()])
    assert_verdict(ex.q7.check(untrained), NOT_YET, "trained")
    fresh = keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.SimpleRNN(4), keras.layers.Dense(1)])
    fresh.compile(optimizer="adam", loss="mae")
    assert_verdict(ex.q7.check(fresh), NOT_YET, "never trained", "fit it")
    wrong_input = keras.Sequential([keras.Input(shape=(6, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    assert_verdict(ex.q7.check(wrong_input), NOT_YET, "(None, 12, 1)")
    per_year = keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.Dense(1)])
    assert_verdict(ex.q7.check(per_year), NOT_YET, "one number per window")


def solution_namespace():
    import keras

    keras.utils.set_random_seed(0)
    x, y = train_split()
    return {"x_train": x[:16], "y_train": y[:16], "stacked_model": least_squares_model()}


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.key)
def test_solution_is_correct_and_blank_is_not_attempted(exercise):
    assert_verdict(exercise.check(solution_value(exercise, solution_namespace())), CORRECT)
    assert_verdict(exercise.check(...), NOT_ATTEMPTED)


@pytest.mark.parametrize("value, words", [
    ((48, 12, 1), ["target's year"]),
    ((60, 12), ["features axis"]),
    ((None, 12, 1), ["real array"]),
    ((59, 12, 1), ["both ends"]),
    ((72, 12, 1), ["years the held-out windows read", "count windows"]),
], ids=str)
def test_q1_mistakes(value, words):
    assert_verdict(ex.q1.check(value), NOT_YET, *words)


@pytest.mark.parametrize("wrong, words", [
    (lambda x: x[-1], ["whole last window"]),
    (lambda x: x[:, 0, 0], ["first year"]),
    (lambda x: x[:, :, 0].mean(axis=1), ["mean"]),
    (lambda x: x[:, -1], None),
    (lambda x: x[:, -2, 0], ["expected"]),
    (lambda x: "x", ["numpy array"]),
])
def test_q2_mistakes(wrong, words):
    verdict = ex.q2.check(wrong)
    if words is None:  # (samples, 1) is accepted as well
        assert_verdict(verdict, CORRECT)
    else:
        assert_verdict(verdict, NOT_YET, *words)


@pytest.mark.parametrize("wrong, words", [
    (lambda t, p: np.mean(np.abs(t - p)), ["broadcasts", "reshape(-1)"]),
    (lambda t, p: np.mean(t - p.reshape(-1)), ["absolute value"]),
    (lambda t, p: np.mean((t - p.reshape(-1)) ** 2), ["squared"]),
    (lambda t, p: np.sum(np.abs(t - p.reshape(-1))), ["sum"]),
    (lambda t, p: np.abs(t - p.reshape(-1)), ["average it"]),
    (lambda t, p: None, ["return one number"]),
    (lambda t, p: 3.0, ["expected"]),
])
def test_q3_mistakes(wrong, words):
    assert_verdict(ex.q3.check(wrong), NOT_YET, *words)


def test_function_exercises_returning_ellipsis_are_not_attempted():
    assert_verdict(ex.q2.check(lambda x: ...), NOT_ATTEMPTED)
    assert_verdict(ex.q3.check(lambda t, p: ...), NOT_ATTEMPTED)


def test_model_exercise_mistakes():
    import keras

    layers = keras.layers
    no_flatten = keras.Sequential([keras.Input(shape=(12, 1)), layers.Dense(16), layers.Dense(1)])
    assert_verdict(ex.q4.check(no_flatten), NOT_YET, "put a flatten before it")
    rnn_in_dense = keras.Sequential([keras.Input(shape=(12, 1)), layers.SimpleRNN(4), layers.Dense(1)])
    assert_verdict(ex.q4.check(rnn_in_dense), NOT_YET, "no recurrent layer")
    one_dense = keras.Sequential([keras.Input(shape=(12, 1)), layers.Flatten(), layers.Dense(1)])
    assert_verdict(ex.q4.check(one_dense), NOT_YET, "hidden dense")
    flat_input = keras.Sequential([keras.Input(shape=(12,)), layers.Dense(16), layers.Dense(1)])
    assert_verdict(ex.q4.check(flat_input), NOT_YET, "(None, 12, 1)")
    gru_only = keras.Sequential([keras.Input(shape=(12, 1)), layers.GRU(4), layers.Dense(1)])
    assert_verdict(ex.q5.check(gru_only), NOT_YET, "needs a simplernn")
    every_step = keras.Sequential([keras.Input(shape=(12, 1)), layers.SimpleRNN(4, return_sequences=True),
                                   layers.Dense(1)])
    assert_verdict(ex.q5.check(every_step), NOT_YET, "leave return_sequences=False")
    one_gru = keras.Sequential([keras.Input(shape=(12, 1)), layers.GRU(4), layers.Dense(1)])
    assert_verdict(ex.q6.check(one_gru), NOT_YET, "at least two")
    no_head = keras.Sequential([keras.Input(shape=(12, 1)), layers.GRU(4, return_sequences=True), layers.GRU(3)])
    assert_verdict(ex.q6.check(no_head), NOT_YET, "dense(1)")
    both_sequences = keras.Sequential([keras.Input(shape=(12, 1)), layers.GRU(4, return_sequences=True),
                                       layers.GRU(3, return_sequences=True), layers.Dense(1)])
    assert_verdict(ex.q6.check(both_sequences), NOT_YET, "only the lower layer")
    any_length_every_step = keras.Sequential([keras.Input(shape=(None, 1)), layers.GRU(4, return_sequences=True),
                                              layers.GRU(3, return_sequences=True), layers.Dense(1)])
    assert_verdict(ex.q6.check(any_length_every_step), NOT_YET, "(None, None, 1)", "only the lower layer")
    simple_cells = keras.Sequential([keras.Input(shape=(12, 1)),
                                     layers.RNN([layers.SimpleRNNCell(4), layers.SimpleRNNCell(4)]), layers.Dense(1)])
    assert_verdict(ex.q6.check(simple_cells), NOT_YET, "RNN([SimpleRNNCell, SimpleRNNCell])", "GRU or LSTM")
    gru_cell = keras.Sequential([keras.Input(shape=(12, 1)), layers.RNN(layers.GRUCell(4)), layers.Dense(1)])
    assert_verdict(ex.q5.check(gru_cell), NOT_YET, "RNN(GRUCell)", "needs a simplernn")
    assert_verdict(ex.q4.check(gru_cell), NOT_YET, "no recurrent layer")
    two_features = keras.Sequential([keras.Input(shape=(None, 2)), layers.GRU(4), layers.Dense(1)])
    assert_verdict(ex.q7.check(two_features), NOT_YET, "(None, 12, 1)")


def test_scoreboard_scores_models_and_tolerates_blanks():
    import keras

    every_year = keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.Dense(1)])
    board = ex.scoreboard({"linear": least_squares_model(), "Dense": ..., "broken": naive_model(),
                           "every year": every_year})
    names = [name for name, _ in board.rows]
    assert names == ["naive (last value)", "linear", "Dense", "broken", "every year"]
    assert board.rows[4][1].startswith("cannot score: On 60 windows your model returns shape (60, 12, 1)")
    text = repr(board)
    assert "not built yet" in text and "below 20?" in text
    assert board.rows[1][1] < ex.THRESHOLD < board.rows[0][1]
    assert "<table>" in board._repr_html_()


