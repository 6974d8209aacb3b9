"""Lesson 09, capstone: forecast next year's sunspot number from the 12 years before it.

The task, fixed so that every learner is graded on the same held-out years:

* data: :func:`helpers.data.load_sunspots` (yearly, 1700-2008);
* windows: :data:`TIMESTEPS` years in, the next year's number out; inputs and targets divided by
  :data:`SCALE` before they reach a model;
* held out: every window whose target year is :data:`FIRST_TEST_YEAR` or later (1949-2008);
* metric: mean absolute error (MAE) in sunspot numbers; to pass, below :data:`THRESHOLD`.

The grading check rebuilds the held-out windows itself and runs the learner's model on them.
"""
from __future__ import annotations

import numbers

import numpy as np

from .backend_values import plain
from .engine import Exercise, Reject, Result, describe, shape_with_tips
from .models import is_keras_model, layer_forms, layer_table, model_input_shape, shape_matches, with_notes

TIMESTEPS = 12
SCALE = 100.0
FIRST_TEST_YEAR = 1949
THRESHOLD = 20.0
RECURRENT = ("SimpleRNN", "GRU", "LSTM", "RNN", "Bidirectional")

__all__ = ["TIMESTEPS", "SCALE", "FIRST_TEST_YEAR", "THRESHOLD", "held_out", "held_out_mae", "naive_mae",
           "scoreboard", "EXERCISES"]


def held_out():
    """The graded windows: ``(x_test, y_test)`` in sunspot numbers (not scaled), 60 windows.

    >>> x_test, y_test = held_out()
    >>> x_test.shape, y_test.shape
    ((60, 12, 1), (60,))
    """
    from helpers.data import load_sunspots
    from helpers.data.windows import sliding_windows

    years, sunspots = load_sunspots()
    x, y = sliding_windows(sunspots, TIMESTEPS)
    test = years[TIMESTEPS:] >= FIRST_TEST_YEAR
    return x[test].astype("float32"), y[test].astype("float32")


def naive_mae() -> float:
    """The held-out MAE of the naive forecast "next year = this year" (about 25.1)."""
    x_test, y_test = held_out()
    return float(np.abs(x_test[:, -1, 0] - y_test).mean())


def _predict(model, x_scaled) -> np.ndarray:
    out = np.asarray(plain(model(x_scaled, training=False)), dtype="float64")
    if out.shape not in ((len(x_scaled), 1), (len(x_scaled),)):
        raise Reject(f"On {len(x_scaled)} windows your model returns shape {out.shape}; it should return one "
                     f"number per window: ({len(x_scaled)}, 1).")
    return out.reshape(-1)


def held_out_mae(model) -> float:
    """The model's MAE on the held-out years, in sunspot numbers (the model sees values / SCALE)."""
    x_test, y_test = held_out()
    return float(np.abs(_predict(model, x_test / SCALE) * SCALE - y_test).mean())


class Scoreboard:
    """A small table of held-out MAEs: plain text for nbval and the terminal, HTML in JupyterLab."""

    def __init__(self, rows):
        self.rows = rows

    def __repr__(self) -> str:
        lines = [f"{'model':<22} {'held-out MAE':>12}  below {THRESHOLD:g}?"]
        for name, score in self.rows:
            if isinstance(score, str):
                lines.append(f"{name:<22} {score}")
            else:
                lines.append(f"{name:<22} {score:>12.1f}  {'yes' if score < THRESHOLD else 'no'}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        body = "".join(
            f"<tr><td>{html.escape(name)}</td><td style='text-align:right'>"
            f"{html.escape(score) if isinstance(score, str) else f'{score:.1f}'}</td><td>"
            f"{'' if isinstance(score, str) else ('yes' if score < THRESHOLD else 'no')}</td></tr>"
            for name, score in self.rows)
        return (f"<table><thead><tr><th>model</th><th>held-out MAE</th><th>below {THRESHOLD:g}?</th></tr></thead>"
                f"<tbody>{body}</tbody></table>")


def scoreboard(models: dict) -> Scoreboard:
    """Score each model on the held-out years; the naive baseline comes first.

    A value that is not a Keras model yet (``...`` in a blank notebook) gets "not built yet"
    instead of a score, so the cell runs before every exercise is done.

    >>> scoreboard({"Dense": ...}).rows[1]
    ('Dense', 'not built yet')
    """
    rows = [("naive (last value)", naive_mae())]
    for name, model in models.items():
        if not is_keras_model(model):
            rows.append((name, "not built yet"))
            continue
        try:
            rows.append((name, held_out_mae(model)))
        except Reject as reason:
            rows.append((name, f"cannot score: {reason}"))
        except Exception as err:  # noqa: BLE001 - one broken model must not hide the others
            rows.append((name, f"cannot score: {type(err).__name__}: {str(err)[:80]}"))
    return Scoreboard(rows)


# -- q1: the held-out windows' shape ------------------------------------------------------------
q1 = Exercise(
    lesson="09", id="q1", points=1,
    prompt="Windows of 12 years, held out when the target year is 1949 or later (up to 2008): what is x_test's shape?",
    reads="x_test_shape",
    check=shape_with_tips((60, 12, 1), ("samples", "timesteps", "features"), {
        (48, 12, 1): "48 counts only the windows that start in 1949 or later. A held-out window may read years "
                     "before 1949 as its inputs; only its target's year decides: one window per target year.",
        (59, 12, 1): "59 is 2008 - 1949: count both ends, 1949 and 2008 are both target years.",
        (60, 12): "Keep the features axis: an RNN reads (samples, timesteps, features), here 1 feature.",
        (None, 12, 1): "x_test is a real array: its first axis is the number of held-out windows, not None.",
        (60, 1, 12): "Timesteps come before features: 12 steps of 1 value each.",
        (61, 12, 1): "Count the target years from 1949 to 2008, both included: one window per target year.",
        (72, 12, 1): "72 is the number of years the held-out windows read, 1937 to 2008 (the first target, 1949, "
                     "needs the 12 years before it). Count windows instead: one per target year.",
    }, "60 held-out windows of 12 years, 1 feature each."),
    hints=["One window per held-out target year. How many years from 1949 to 2008, both included?",
           "Each window holds 12 years of 1 value: (samples, 12, 1).",
           "(60, 12, 1)"],
    answer="x_test_shape = (60, 12, 1)",
)


# -- q2: the naive forecast ------------------------------------------------------------------
def _naive_cases(rng):
    cases = [(np.arange(24.0).reshape(2, 12, 1),)]
    for samples, steps in [(5, 12), (3, 4), (7, 6)]:
        cases.append((np.round(rng.uniform(0, 200, size=(samples, steps, 1)), 1),))
    return cases


def _judge_naive(cases, outputs):
    for (x,), got in zip(cases, outputs):
        want = x[:, -1, 0]
        call = f"naive_forecast(x of shape {x.shape})"
        try:
            got = np.asarray(got, dtype="float64")
        except (TypeError, ValueError):
            raise Reject(f"{call} returned {describe(got)}; return a numpy array, one forecast per window.") from None
        if got.shape in (want.shape, (len(x), 1)) and np.allclose(got.reshape(-1), want):
            continue
        if got.shape == (x.shape[1], 1) and np.allclose(got, x[-1]):
            return Result(False, f"{call} returned the whole last window. Axis 0 is the windows: keep all of them "
                                 "and take the last year (axis 1) of each.")
        if got.size == len(x) and np.allclose(got.reshape(-1), x[:, 0, 0]):
            return Result(False, f"{call} took the FIRST year of each window; the naive forecast repeats the last one.")
        if got.size == len(x) and np.allclose(got.reshape(-1), x[:, :, 0].mean(axis=1)):
            return Result(False, f"{call} gave the window's mean; the naive forecast repeats the last value.")
        return Result(False, f"{call} has shape {got.shape}; expected {want.shape}: the last value of every window.")
    return Result(True, "Next year = this year: the baseline every model must beat.")


q2 = Exercise(
    lesson="09", id="q2", points=1, kind="function",
    prompt="Write naive_forecast(x): for windows x of shape (samples, timesteps, 1), forecast each next value as the window's last value.",
    reads="naive_forecast",
    make_inputs=_naive_cases,
    check=_judge_naive,
    hints=["Which axis holds the years of one window? Pick its last entry for every window.",
           "All windows (:), the last timestep (-1), the only feature (0).",
           "return x[:, -1, 0]"],
    answer="def naive_forecast(x):\n    return x[:, -1, 0]",
)


# -- q3: mean absolute error, and the broadcasting trap -------------------------------------
def _mae_cases(rng):
    cases = []
    for n in (4, 6, 9):
        y_true = np.round(rng.uniform(0, 150, size=n), 1)
        y_pred = np.round(rng.uniform(0, 150, size=(n, 1)), 1)  # what model.predict returns
        cases.append((y_true, y_pred))
    cases.append((np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])))
    return cases


def _judge_mae(cases, outputs):
    for (y_true, y_pred), got in zip(cases, outputs):
        call = f"mae(y_true {y_true.shape}, y_pred {y_pred.shape})"
        if isinstance(got, bool) or not isinstance(got, (numbers.Real, np.ndarray)):
            raise Reject(f"{call} returned {describe(got)}; return one number.")
        got_arr = np.asarray(got, dtype="float64")
        if got_arr.size != 1:
            return Result(False, f"{call} returned an array of shape {got_arr.shape}; average it into one number.")
        got = float(got_arr.reshape(-1)[0])
        diff = y_true.reshape(-1) - y_pred.reshape(-1)
        want = float(np.abs(diff).mean())
        if np.isclose(got, want):
            continue
        if y_pred.ndim == 2 and np.isclose(got, float(np.abs(y_true - y_pred).mean())):
            return Result(False, f"{call}: y_true {y_true.shape} minus y_pred {y_pred.shape} broadcasts to a "
                                 f"{(len(y_true), len(y_true))} table of every pair. Flatten the predictions first: "
                                 "y_pred.reshape(-1).")
        if np.isclose(got, float(diff.mean())) or np.isclose(got, float(-diff.mean())):
            return Result(False, f"{call}: without the absolute value, errors above and below cancel out.")
        if np.isclose(got, float((diff ** 2).mean())):
            return Result(False, f"{call} gave the mean SQUARED error; the task's metric is the mean ABSOLUTE error.")
        if np.isclose(got, float(np.abs(diff).sum())):
            return Result(False, f"{call} gave the sum; divide by the number of windows (the mean).")
        return Result(False, f"{call} gave {got:.3f}; expected {want:.3f}.")
    return Result(True, "Your MAE agrees on every case, including predictions shaped (n, 1) as model.predict returns them.")


q3 = Exercise(
    lesson="09", id="q3", points=2, kind="function",
    prompt="Write mae(y_true, y_pred): the mean absolute error, where y_true has shape (n,) and y_pred may be (n,) or (n, 1).",
    reads="mae",
    make_inputs=_mae_cases,
    check=_judge_mae,
    hints=["A model's predictions come as (n, 1). What does numpy do with (n,) minus (n, 1)?",
           "Flatten both to (n,) first, then take the mean of the absolute differences.",
           "return float(np.mean(np.abs(np.ravel(y_true) - np.ravel(y_pred))))"],
    answer="def mae(y_true, y_pred):\n    return float(np.mean(np.abs(np.ravel(y_true) - np.ravel(y_pred))))",
)


# -- q4-q6: three models, built and trained in their own cells -------------------------------
def _model_rows(model, every_year_tip: str = "End with one forecast per window.", any_length: bool = False):
    rows = layer_table(model)
    got_in = model_input_shape(model)
    if got_in is not None and not shape_matches(got_in, (None, TIMESTEPS, 1), any_length):
        raise Reject(f"The model's input is {got_in}; every model here reads windows of shape (None, 12, 1): "
                     "keras.Input(shape=(12, 1)).")
    if not rows:
        raise Reject("The model has no layers after its input.")
    last = rows[-1]["output_shape"]
    if isinstance(last, list):
        raise Reject("The last layer returns several tensors; end with Dense(1), one forecast per window.")
    if len(last) == 3 and last[0] is None and last[1] in (TIMESTEPS, None) and last[2] == 1:
        raise Reject(f"The model returns {last}: a forecast for every year of the window. " + every_year_tip)
    if last != (None, 1):
        raise Reject(f"The model returns {last}; it should return one forecast per window: (None, 1). End with Dense(1).")
    return rows


def _check_dense(model):
    rows = _model_rows(model, "Dense works on the last axis only: put a Flatten before it, so that it sees "
                              "the 12 years as 12 inputs.")
    types = [r["type"] for r in rows]
    if any(r.get("recurrent") or r["type"] in RECURRENT for r in rows):
        return Result(False, "This baseline has no recurrent layer: Flatten the window, then Dense layers.")
    if "Dense" not in types:
        return Result(False, "Use Dense layers (after a Flatten) for this baseline.")
    if types.count("Dense") < 2:
        return Result(False, "Add a hidden Dense layer (e.g. 16 units, relu) before the Dense(1) output.")
    return Result(True, with_notes(f"A Dense baseline ({_forms(rows)}), reading the 12 years as 12 unrelated "
                                   "inputs.", rows))


def _check_simple_rnn(model):
    rows = _model_rows(model, "Leave return_sequences=False (the default) on the SimpleRNN: its last state "
                              "is all Dense(1) needs.", any_length=True)
    types = [r["type"] for r in rows]
    if "SimpleRNN" not in types:
        return Result(False, f"Your layers are {_forms(rows)}; this model needs a SimpleRNN.")
    if any(r.get("recurrent") in ("GRU", "LSTM") for r in rows):
        return Result(False, "Keep this one plain: a SimpleRNN then Dense(1), no GRU or LSTM yet.")
    return Result(True, with_notes(f"A SimpleRNN model ({_forms(rows)}): one state carried through the 12 years.",
                                   rows))


def _check_stacked(model):
    rows = _model_rows(model, "Only the lower layer returns sequences: the upper one keeps "
                              "return_sequences=False, so Dense(1) gets its last state.", any_length=True)
    gated = [r for r in rows if r.get("recurrent") in ("GRU", "LSTM")]
    if len(gated) < 2:
        return Result(False, f"Your layers are {_forms(rows)}; stack at least two GRU or LSTM layers "
                             "(the lower one with return_sequences=True).")
    return Result(True, with_notes(f"A stacked model ({_forms(rows)}): the lower layer hands every step to the "
                                   "upper one.", rows))


def _forms(rows) -> str:
    """The layers as the learner wrote them, e.g. ``RNN([GRUCell, GRUCell]), Dense``."""
    return ", ".join(layer_forms(rows))


_TRAIN_HINT = ("model.compile(optimizer=keras.optimizers.Adam(0.005), loss='mae'), then "
               "model.fit(x_train, y_train, epochs=..., batch_size=16, verbose=0).")

q4 = Exercise(
    lesson="09", id="q4", points=1,
    prompt="Build and train dense_model: keras.Input(shape=(12, 1)), Flatten, Dense(16, relu), Dense(1).",
    reads="dense_model",
    check=_check_dense,
    hints=["Dense acts on the last axis only; Flatten turns (12, 1) into 12 inputs first.",
           "Then compile and fit it on the scaled training windows: " + _TRAIN_HINT,
           "keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.Flatten(), "
           "keras.layers.Dense(16, activation='relu'), keras.layers.Dense(1)])"],
    answer=("dense_model = keras.Sequential([\n    keras.Input(shape=(12, 1)),\n    keras.layers.Flatten(),\n"
            "    keras.layers.Dense(16, activation='relu'),\n    keras.layers.Dense(1),\n])\n"
            "dense_model.compile(optimizer=keras.optimizers.Adam(0.005), loss='mae')\n"
            "dense_model.fit(x_train, y_train, epochs=40, batch_size=16, verbose=0)"),
)

q5 = Exercise(
    lesson="09", id="q5", points=1,
    prompt="Build and train rnn_model: keras.Input(shape=(12, 1)), SimpleRNN(16), Dense(1).",
    reads="rnn_model",
    check=_check_simple_rnn,
    hints=["A SimpleRNN reads (batch, 12, 1) directly: no Flatten.",
           "Keep return_sequences at its default (False): one vector per window, then Dense(1). " + _TRAIN_HINT,
           "keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.SimpleRNN(16), keras.layers.Dense(1)])"],
    answer=("rnn_model = keras.Sequential([\n    keras.Input(shape=(12, 1)),\n    keras.layers.SimpleRNN(16),\n"
            "    keras.layers.Dense(1),\n])\n"
            "rnn_model.compile(optimizer=keras.optimizers.Adam(0.005), loss='mae')\n"
            "rnn_model.fit(x_train, y_train, epochs=40, batch_size=16, verbose=0)"),
)

q6 = Exercise(
    lesson="09", id="q6", points=2,
    prompt="Build and train stacked_model: keras.Input(shape=(12, 1)), two GRU (or LSTM) layers stacked, Dense(1).",
    reads="stacked_model",
    check=_check_stacked,
    hints=["Stacking needs the lower layer to hand over every step: return_sequences=True on it.",
           "GRU(16, return_sequences=True), then GRU(16), then Dense(1). " + _TRAIN_HINT,
           "keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.GRU(16, return_sequences=True), "
           "keras.layers.GRU(16), keras.layers.Dense(1)])"],
    answer=("stacked_model = keras.Sequential([\n    keras.Input(shape=(12, 1)),\n"
            "    keras.layers.GRU(16, return_sequences=True),\n    keras.layers.GRU(16),\n    keras.layers.Dense(1),\n])\n"
            "stacked_model.compile(optimizer=keras.optimizers.Adam(0.005), loss='mae')\n"
            "stacked_model.fit(x_train, y_train, epochs=40, batch_size=16, verbose=0)"),
)


# -- q7: graded on the held-out years --------------------------------------------------------
def _never_fitted(model) -> bool:
    """True when the model was compiled but its optimizer never took a step (a model whose weights
    were set by hand has no optimizer, and is judged on its score alone)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return False
    try:
        return int(np.asarray(optimizer.iterations)) == 0
    except Exception:  # noqa: BLE001 - an optimizer we cannot read: judge the score alone
        return False


def _check_final(model):
    if not is_keras_model(model):
        raise Reject(f"Expected your best trained Keras model, got {describe(model)}.")
    got_in = model_input_shape(model)
    if got_in is not None and not (len(got_in) == 3 and got_in[1] in (TIMESTEPS, None) and got_in[2] == 1):
        raise Reject(f"The model's input is {got_in}; the held-out windows are (None, 12, 1).")
    x_test, y_test = held_out()
    predictions = _predict(model, x_test / SCALE)
    score = float(np.abs(predictions * SCALE - y_test).mean())
    naive = naive_mae()
    if score < THRESHOLD:
        return Result(True, f"Held-out MAE below {THRESHOLD:g} sunspots: your model beats the threshold, which "
                            f"the naive forecast ({naive:.1f}) does not.")
    unscaled = float(np.abs(_predict(model, x_test) - y_test).mean())
    if unscaled < THRESHOLD:
        return Result(False, "Your model seems to read and predict raw sunspot numbers. The task's models see "
                             "values divided by 100 (x / 100) and predict next year / 100.")
    if _never_fitted(model):
        return Result(False, f"Held-out MAE is {score:.1f}, and this model was compiled but never trained: "
                             "fit it on the scaled training windows first.")
    if score > 2 * naive:
        return Result(False, f"Held-out MAE is {score:.0f}, far above the naive forecast's {naive:.1f}: was the "
                             "model trained (fit) on the scaled windows?")
    return Result(False, f"Held-out MAE is {score:.1f}; it must be below {THRESHOLD:g} (naive: {naive:.1f}). "
                         "Train longer, or try the stacked model.")


q7 = Exercise(
    lesson="09", id="q7", points=3,
    prompt=f"Set final_model to your best trained model; it is graded on the held-out years 1949-2008: MAE below {THRESHOLD:g}.",
    reads="final_model",
    check=_check_final,
    hints=["Look at the scoreboard: which model has the lowest held-out MAE?",
           "Any of your trained models that reads (None, 12, 1) windows scaled by 1/100 will do, if it scores below 20.",
           "final_model = stacked_model"],
    answer="final_model = stacked_model",
)

EXERCISES = [q1, q2, q3, q4, q5, q6, q7]
q2.answer_hints = 2   # in a graded release, its second hint (the indexing spelled out) is withheld too
