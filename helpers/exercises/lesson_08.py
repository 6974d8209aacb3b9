"""Lesson 08, sequence tasks and their shapes: targets for many-to-many, multi-step forecast pairs,
windows with their features axis, Conv1D length arithmetic, Bidirectional merge modes, a
one-to-many model, and the shapes of an encoder-decoder's inference step."""
from __future__ import annotations

import math
import numbers
from dataclasses import replace

import numpy as np

from .engine import NOT_YET, Exercise, Reject, Result, as_shape, describe, shape_with_tips
from .models import model_with_tips

# -- q1: the targets of a many-to-many model -------------------------------------------------
q1 = Exercise(
    lesson="08", id="q1", points=1,
    prompt="A many-to-many model outputs (None, 10, 3): 3 values at each of 10 steps. You train it on 64 "
           "sequences. What shape must the targets y have?",
    reads="many_to_many_targets",
    check=shape_with_tips((64, 10, 3), ("samples", "timesteps", "values"), {
        (64, 3): "That is a many-to-one target: 3 values per sequence. This model predicts at every one of the "
                 "10 steps, so y needs the steps axis too.",
        (64, 10): "One number per step is not enough: the model predicts 3 values at every step. Keep that "
                  "last axis of 3.",
        (64,): "One number per sequence: Keras would broadcast it against all 10 x 3 predictions, without an "
               "error, and the loss would mean nothing. y needs every axis of the output.",
        (None, 10, 3): "That is the model's output shape. y is real data: its first axis counts your 64 sequences.",
        (10, 3): "That is one sequence's targets. y holds all 64: the samples axis comes first.",
        (64, 30): "Keep steps and values on separate axes, as the output has them: (samples, 10, 3).",
        (64, 3, 10): "Right sizes, wrong order: the output is (batch, timesteps, values), and y follows it.",
    }, "y has the output's axes, with your 64 samples where the output has None."),
    hints=["Targets are compared with predictions value by value: y needs one entry for every value the model "
           "predicts.",
           "Take the output shape (None, 10, 3) and put the number of sequences where the None is.",
           "(64, 10, 3)"],
    answer="many_to_many_targets = (64, 10, 3)",
)


# -- q2: multi-step forecast pairs from a series ----------------------------------------------
def _pairs_reference(series, window, k):
    n = len(series) - window - k + 1
    x = np.stack([series[i:i + window] for i in range(n)])[..., None]
    y = np.stack([series[i + window:i + window + k] for i in range(n)])
    return x, y


def _pairs_cases(rng):
    cases = [(np.arange(12.0), 4, 2), (np.arange(20.0) * 0.5, 6, 3), (np.arange(9.0), 3, 1)]
    length = int(rng.integers(25, 60))
    cases.append((np.round(rng.normal(size=length), 3), int(rng.integers(3, 9)), int(rng.integers(2, 6))))
    return cases


def _as_array(value, call: str, what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        raise Reject(f"{call}: {what} is {describe(value)}; return numpy arrays.") from None
    return array


def _judge_pairs(cases, outputs):
    for (series, window, k), got in zip(cases, outputs):
        call = f"forecast_pairs(series of {len(series)}, window={window}, k={k})"
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Reject(f"{call} returned {describe(got)}; return two arrays: x, y.")
        x, y = (_as_array(got[0], call, "x"), _as_array(got[1], call, "y"))
        want_x, want_y = _pairs_reference(series, window, k)
        n = len(want_x)
        if x.shape == want_x.shape and y.shape == want_y.shape and np.allclose(x, want_x) and np.allclose(y, want_y):
            continue
        if x.shape == want_y.shape and y.shape == want_x.shape:
            return Result(False, f"{call}: x and y are swapped. Return the windows first, then the values to forecast.")
        if x.shape == want_x.shape[:2]:
            return Result(False, f"{call}: x is {x.shape}, with no features axis. An RNN reads "
                                 f"(samples, timesteps, features): add one, x[..., None] gives {want_x.shape}.")
        if x.ndim == 3 and y.ndim >= 1 and len(x) in (n - 1, n + 1):
            return Result(False, f"{call} made {len(x)} pairs; {n} fit. The last window must still have k values "
                                 f"after it: len(series) - window - k + 1 windows.")
        if x.shape != want_x.shape:
            return Result(False, f"{call}: x has shape {x.shape}; expected {want_x.shape} = (pairs, window, 1).")
        if y.shape == want_y.shape + (1,):
            return Result(False, f"{call}: y is {y.shape}. This model ends in Dense(k), a vector of k values per "
                                 f"window: y is (pairs, k) = {want_y.shape}.")
        if y.shape != want_y.shape:
            return Result(False, f"{call}: y has shape {y.shape}; expected {want_y.shape} = (pairs, k).")
        if not np.allclose(x, want_x):
            return Result(False, f"{call}: x has the right shape but not the right values; window i is "
                                 f"series[i:i + window].")
        shifted = np.stack([series[i + window - 1:i + window - 1 + k] for i in range(n)])
        if np.allclose(y, shifted):
            return Result(False, f"{call}: y starts with the window's own last value. The forecast starts right "
                                 f"after the window: series[i + window:i + window + k].")
        return Result(False, f"{call}: y has the right shape but not the right values; the targets of window i "
                             f"are the k values right after it.")
    return Result(True, f"x (pairs, window, 1) and y (pairs, k) are right on {len(cases)} series.")


class _FunctionWithCrashTip(Exercise):
    """A function exercise that adds ``crash_tip(message)`` to the verdict when the learner's function raises."""

    def __init__(self, *, crash_tip, **kwargs):
        super().__init__(**kwargs)
        self.crash_tip = crash_tip

    def judge_function(self, fn, seed: int = 0):
        verdict = super().judge_function(fn, seed)
        if verdict.status == NOT_YET and verdict.message.startswith("Your function raised"):
            tip = self.crash_tip(verdict.message)
            if tip:
                return replace(verdict, message=f"{verdict.message} {tip}")
        return verdict


def _pairs_crash_tip(message: str) -> str:
    if any(words in message for words in ("inhomogeneous", "same shape", "broadcast")):
        return ("Your arrays could not be stacked: the last windows have fewer than k values after them, so their "
                "targets come out shorter. Make only the windows that still have k values after them: "
                "range(len(series) - window - k + 1).")
    return ""


q2 = _FunctionWithCrashTip(
    crash_tip=_pairs_crash_tip,
    lesson="08", id="q2", points=2, kind="function",
    prompt="Write forecast_pairs(series, window, k): every window of `window` consecutive values as x "
           "(pairs, window, 1), and the k values right after it as y (pairs, k).",
    reads="forecast_pairs",
    make_inputs=_pairs_cases,
    check=_judge_pairs,
    hints=["Window i is series[i:i + window]; its targets are series[i + window:i + window + k]. How many i "
           "leave room for both?",
           "There are len(series) - window - k + 1 pairs. Stack the windows, add a features axis with [..., None]; "
           "stack the targets as they are.",
           "n = len(series) - window - k + 1\n"
           "x = np.stack([series[i:i + window] for i in range(n)])[..., None]\n"
           "y = np.stack([series[i + window:i + window + k] for i in range(n)])"],
    answer=("def forecast_pairs(series, window, k):\n"
            "    n = len(series) - window - k + 1\n"
            "    x = np.stack([series[i:i + window] for i in range(n)])[..., None]\n"
            "    y = np.stack([series[i + window:i + window + k] for i in range(n)])\n"
            "    return x, y"),
)


# -- q3: the last batch of windows, features axis added ----------------------------------------
q3 = Exercise(
    lesson="08", id="q3", points=1,
    prompt="keras.utils.timeseries_dataset_from_array(series, None, sequence_length=10, batch_size=32) on a "
           "series of 100 values: what is the shape of the LAST batch once you add the features axis?",
    reads="last_batch_shape",
    check=shape_with_tips((27, 10, 1), ("windows", "timesteps", "features"), {
        (32, 10, 1): "Every batch but the last holds 32 windows; the last holds the leftover ones. Count the "
                     "windows first: how many start positions leave room for 10 values in a series of 100?",
        (27, 10): "Right number of windows, but the features axis is still missing: add it, [..., None].",
        (32, 10): "The windows need a features axis, and the last batch holds only the leftover windows.",
        (28, 10, 1): "One window too many: a window needs 10 values, so the last one starts 10 values before the "
                     "end of the series, at index 90. Count the start positions again.",
        (26, 10, 1): "One window too few: windows start at index 0, 1, ..., 90; count both ends.",
        (10, 10, 1): "The windows overlap: a new one starts at every value, not every 10 values.",
        (4, 10, 1): "The windows overlap: a new one starts at every value. 100 - 10 + 1 = 91 windows in batches of 32.",
        (None, 10, 1): "A batch of real data has a real size: count the windows left for the last batch.",
        (27, 1, 10): "The 10 values of a window are its timesteps, read one after the other: they go on axis 1, "
                     "and the features axis (1 value per step) comes last.",
    }, "91 windows = 32 + 32 + 27, each 10 steps of 1 feature."),
    hints=["A window can start at any value that still has 9 values after it.",
           "100 - 10 + 1 = 91 windows, cut into batches of 32: the last batch holds what is left.",
           "(91 - 2 * 32, 10, 1)"],
    answer="last_batch_shape = (91 - 2 * 32, 10, 1)",
)


# -- q4: Conv1D's output length -------------------------------------------------------------------
def _conv_reference(timesteps, kernel_size, strides, padding):
    if padding == "same":
        return math.ceil(timesteps / strides)
    return (timesteps - kernel_size) // strides + 1


def _conv_cases(rng):
    cases = [(12, 4, 2, "valid"), (12, 4, 2, "same"), (10, 3, 1, "valid"), (7, 7, 1, "valid"), (11, 4, 2, "valid"),
             (13, 5, 2, "same"), (20, 5, 3, "valid")]
    for padding in ("valid", "same"):
        k = int(rng.integers(2, 8))
        cases.append((int(rng.integers(k, 60)), k, int(rng.integers(1, 5)), padding))
    return cases


def _judge_conv(cases, outputs):
    for (t, k, s, padding), got in zip(cases, outputs):
        call = f"conv1d_length({t}, {k}, {s}, {padding!r})"
        want = _conv_reference(t, k, s, padding)
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise Reject(f"{call} returned {describe(got)}; return a whole number of timesteps.")
        if isinstance(got, float) and not float(got).is_integer():
            return Result(False, f"{call} gave {got}: a length is a whole number of steps. Round down for "
                                 f"'valid' ((T - k) // s + 1), up for 'same'.")
        got = int(got)
        if got == want:
            continue
        if padding == "valid":
            if got == t - k + 1 and s > 1:
                return Result(False, f"{call} gave {got}: that ignores the strides. The kernel moves {s} steps "
                                     f"at a time: (T - k) // s + 1.")
            if got == (t - k) // s:
                return Result(False, f"{call} gave {got}: add 1 for the first position of the kernel: "
                                     f"(T - k) // s + 1.")
            if got == math.ceil(t / s) or got == t:
                return Result(False, f"{call} gave {got}: that is the 'same' rule. With 'valid' the kernel must "
                                     f"fit inside the sequence: (T - k) // s + 1.")
            if got == math.ceil((t - k) / s) + 1:
                return Result(False, f"{call} gave {got}: round down. A last position where the kernel does not "
                                     f"fit completely is dropped.")
        else:
            if got == (t - k) // s + 1:
                return Result(False, f"{call} gave {got}: that is the 'valid' rule. 'same' pads the ends so the "
                                     f"kernel size does not shorten anything: ceil(T / s).")
            if got == t and s > 1:
                return Result(False, f"{call} gave {got}: 'same' keeps the length only with strides 1; the "
                                     f"strides still divide it: ceil(T / s).")
            if got == t // s:
                return Result(False, f"{call} gave {got}: round up with 'same': a partial last stride still "
                                     f"gives a step, ceil(T / s).")
        return Result(False, f"{call} gave {got}; Keras gives {want}.")
    return Result(True, f"Your formula agrees with Keras on {len(cases)} Conv1D settings, both paddings.")


q4 = Exercise(
    lesson="08", id="q4", points=2, kind="function",
    prompt="Write conv1d_length(timesteps, kernel_size, strides, padding): how many timesteps Conv1D outputs, "
           "for padding 'valid' or 'same' (timesteps >= kernel_size).",
    reads="conv1d_length",
    make_inputs=_conv_cases,
    check=_judge_conv,
    hints=["'valid': the kernel must fit inside the sequence; it starts at step 0 and moves `strides` steps at "
           "a time. 'same': the ends are padded, so only the strides shorten the sequence.",
           "'valid': (timesteps - kernel_size) // strides + 1. 'same': math.ceil(timesteps / strides).",
           "if padding == 'same':\n    return math.ceil(timesteps / strides)\n"
           "return (timesteps - kernel_size) // strides + 1"],
    answer=("def conv1d_length(timesteps, kernel_size, strides, padding):\n"
            "    if padding == \"same\":\n"
            "        return -(-timesteps // strides)   # ceil(timesteps / strides)\n"
            "    return (timesteps - kernel_size) // strides + 1"),
)


# -- q5: Bidirectional, one shape per merge_mode ------------------------------------------------
_MODES = ("concat", "sum", "ave", "mul", None)
_MERGED = {"concat": (None, 20, 16), "sum": (None, 20, 8), "ave": (None, 20, 8), "mul": (None, 20, 8)}


def _mode_name(mode) -> str:
    return "None" if mode is None else repr(mode)


def _check_merge_shapes(value):
    if not isinstance(value, dict):
        raise Reject(f"Expected a dict with one entry per merge_mode, {{'concat': ..., 'sum': ..., 'ave': ..., "
                     f"'mul': ..., None: ...}}, got {describe(value)}.")
    keys = set()
    for key in value:
        if key is not None and not isinstance(key, str):
            raise Reject(f"The keys are the merge_mode values: 'concat', 'sum', 'ave', 'mul' and None; "
                         f"{describe(key)} is not one of them.")
        keys.add(key)
    if "None" in keys and None not in keys:
        return Result(False, "Write the last key as None (the Python value), not the string 'None': "
                             "merge_mode=None is what you pass to Bidirectional.")
    missing = [m for m in _MODES if m not in keys]
    if missing:
        return Result(False, f"Give a shape for every merge_mode; missing: {', '.join(map(_mode_name, missing))}.")
    for mode in ("concat", "sum", "ave", "mul"):
        got = as_shape(value[mode])
        want = _MERGED[mode]
        if got == want:
            continue
        if mode == "concat" and got == (None, 20, 8):
            return Result(False, "'concat' puts the forward and backward outputs side by side on the last axis: "
                                 "8 + 8 values per step.")
        if mode == "concat" and got == (None, 40, 8):
            return Result(False, "'concat' joins the two directions along the last axis (features), not along "
                                 "time: still 20 steps, 16 values each.")
        if got == (None, 20, 16):
            return Result(False, f"{mode!r} combines the two directions value by value (like + or *): each step "
                                 f"keeps 8 values.")
        if mode == "ave" and got == (None, 20, 4):
            return Result(False, "'ave' averages the two directions value by value: (forward + backward) / 2 at "
                                 "each of the 8 positions. The size stays 8; it does not halve.")
        if got in ((None, 8), (None, 16)):
            return Result(False, f"The GRU has return_sequences=True, so {mode!r} keeps the 20 steps.")
        return Result(False, f"merge_mode={mode!r} gives {want}, not {got}.")
    none = value[None]
    if not isinstance(none, (list, tuple)) or (none and all(d is None or isinstance(d, numbers.Integral) for d in none)):
        shape = as_shape(none)
        if shape == (None, 20, 16):
            return Result(False, "merge_mode=None does not merge at all: it returns a list of two tensors, the "
                                 "forward and the backward outputs, [(None, 20, 8), (None, 20, 8)].")
        return Result(False, "merge_mode=None returns a list of two tensors (forward, backward): write a list of "
                             "two shapes.")
    shapes = [as_shape(s) for s in none]
    if shapes != [(None, 20, 8), (None, 20, 8)]:
        if len(shapes) != 2:
            return Result(False, f"merge_mode=None returns two tensors, one per direction; your list has {len(shapes)}.")
        return Result(False, f"With merge_mode=None each direction is a GRU(8) returning sequences: (None, 20, 8) "
                             f"each, not {shapes}.")
    return Result(True, "concat doubles the last axis; sum, ave and mul keep it; None hands you both directions.")


q5 = Exercise(
    lesson="08", id="q5", points=1,
    prompt="Bidirectional(GRU(8, return_sequences=True), merge_mode=...) on keras.Input(shape=(20, 3)): give the "
           "output shape for each merge_mode as a dict {'concat': ..., 'sum': ..., 'ave': ..., 'mul': ..., None: ...}.",
    reads="merge_shapes",
    check=_check_merge_shapes,
    hints=["Each direction alone outputs (None, 20, 8). The merge_mode says how the two are combined at each step.",
           "'concat' joins them side by side (the last axis doubles); 'sum', 'ave', 'mul' combine value by value; "
           "None does not combine: it returns both.",
           "{'concat': (None, 20, 16), 'sum': (None, 20, 8), 'ave': (None, 20, 8), 'mul': (None, 20, 8), "
           "None: [(None, 20, 8), (None, 20, 8)]}"],
    answer=("merge_shapes = {\n    \"concat\": (None, 20, 16),\n    \"sum\": (None, 20, 8),\n"
            "    \"ave\": (None, 20, 8),\n    \"mul\": (None, 20, 8),\n"
            "    None: [(None, 20, 8), (None, 20, 8)],\n}"),
)


# -- q6: a one-to-many model ------------------------------------------------------------------
def _one_to_many_tips(rows, input_shape):
    types = [r["type"] for r in rows]
    if input_shape is not None and len(input_shape) == 3:
        return (f"The input is {input_shape}: a sequence. One-to-many starts from ONE vector per sample: "
                "keras.Input(shape=(4,)).")
    if "RepeatVector" not in types:
        if rows and rows[-1]["output_shape"] == (None, 6):
            return ("Dense(6) gives 6 numbers as one vector, (None, 6): a multi-step forecast, but not a sequence. "
                    "Copy the input to 6 steps with RepeatVector(6) and let an LSTM walk through them.")
        return "An LSTM needs a sequence to step through: start with RepeatVector(6), which copies the vector to 6 steps."
    repeat = rows[types.index("RepeatVector")]
    if repeat["output_shape"] != (None, 6, 4):
        return (f"RepeatVector outputs {repeat['output_shape']}; the sequence needs 6 steps, so RepeatVector(6) "
                "gives (None, 6, 4).")
    lstms = [r for r in rows if r["type"] == "LSTM"]
    if lstms and len(lstms[0]["output_shape"]) == 2:
        return ("The LSTM returns only its last step, so one value comes out instead of 6. A prediction at every "
                "step needs return_sequences=True.")
    return None


q6 = Exercise(
    lesson="08", id="q6", points=2,
    prompt="Build one_to_many: from one vector of 4 numbers, a sequence of 6 steps with 1 value each: "
           "RepeatVector, LSTM(16), Dense(1).",
    reads="one_to_many",
    check=model_with_tips([("RepeatVector", (None, 6, 4), 0), ("LSTM", (None, 6, 16), 1344),
                           ("Dense", (None, 6, 1), 17)], (None, 4), _one_to_many_tips,
                          hint="Every layer after RepeatVector keeps the 6 steps."),
    hints=["The input is keras.Input(shape=(4,)). An LSTM needs steps: RepeatVector(n) makes n copies of the vector.",
           "RepeatVector(6), then LSTM(16, return_sequences=True) so every step comes out, then Dense(1) at every step.",
           "keras.Sequential([keras.Input(shape=(4,)), keras.layers.RepeatVector(6), "
           "keras.layers.LSTM(16, return_sequences=True), keras.layers.Dense(1)])"],
    answer=("one_to_many = keras.Sequential([\n    keras.Input(shape=(4,)),\n    keras.layers.RepeatVector(6),\n"
            "    keras.layers.LSTM(16, return_sequences=True),\n    keras.layers.Dense(1),\n])"),
)


# -- q7: one decoder step at inference ---------------------------------------------------------
def _shape_list(value) -> list[tuple]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise Reject(f"Expected a list of three shapes [prediction, h, c], got {describe(value)}.")
    if value and all(item is None or isinstance(item, numbers.Integral) for item in value):
        raise Reject("That is one shape. The step model returns three tensors: write [prediction, h, c].")
    return [as_shape(item) for item in value]


def _check_step_shapes(value):
    shapes = _shape_list(value)
    want = [(None, 1, 1), (None, 32), (None, 32)]
    if shapes == want:
        return Result(True, "One step in, one step out: a (None, 1, 1) prediction and the new h and c, each "
                            "(None, 32), for the next call.")
    if len(shapes) == 2:
        return Result(False, "An LSTM carries two states, h and c, and the step model hands both back: three "
                             "tensors in all.")
    if len(shapes) != 3:
        return Result(False, f"You listed {len(shapes)} shapes; the step model returns three: prediction, h, c.")
    prediction, h, c = shapes
    if prediction == (None, 1):
        return Result(False, "The decoder LSTM returns sequences, so even one step keeps its time axis: the "
                             "prediction is (None, 1, 1).")
    if prediction in ((None, 6, 1), (None, 4, 1), (None, 12, 1)):
        return Result(False, "At inference the decoder runs ONE step per call, so the prediction has 1 step: "
                             "(None, 1, 1).")
    if prediction != (None, 1, 1):
        return Result(False, f"The prediction is Dense(1) on one decoder step: (None, 1, 1), not {prediction}.")
    if h == (None, 1, 32) or c == (None, 1, 32):
        return Result(False, "States have no time axis: h and c are one vector of 32 per sample, (None, 32).")
    if (None, 1) in (h, c):
        return Result(False, "A state has one value per unit of the LSTM (32), whatever the 1 value predicted.")
    return Result(False, f"h and c are the LSTM(32)'s states: (None, 32) each, not {h} and {c}.")


q7 = Exercise(
    lesson="08", id="q7", points=1,
    prompt="The decoder step model takes [previous prediction (None, 1, 1), h, c] and runs the decoder "
           "LSTM(32, return_sequences=True, return_state=True) and Dense(1). List the shapes it returns: "
           "[prediction, h, c].",
    reads="step_shapes",
    check=_check_step_shapes,
    hints=["One call is one step: the input is a sequence of length 1, and the decoder returns sequences.",
           "The states of an LSTM(32) are one vector of 32 per sample; they have no time axis.",
           "[(None, 1, 1), (None, 32), (None, 32)]"],
    answer="step_shapes = [(None, 1, 1), (None, 32), (None, 32)]",
)

EXERCISES = [q1, q2, q3, q4, q5, q6, q7]
