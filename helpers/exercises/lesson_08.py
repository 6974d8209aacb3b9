"""Lesson 08, sequence tasks and their shapes: targets for many-to-many, multi-step forecast pairs,
windows with their features axis, Conv1D length arithmetic, Bidirectional merge modes, a
one-to-many model, the shapes of an encoder-decoder's inference step, and classification targets
(sparse labels against one-hot vectors, and the loss for each).

Every number of the fixed-answer exercises (q1, q3, q5, q6, q7, q8, q9) is a parameter (``DEFAULTS`` is the
published course); ``build(params)`` makes the exercises for other numbers, ``draw(rng)`` picks valid
ones, and ``TEXTS`` are the lesson's sentences and code lines that use them (a graded release
rewrites them). The function exercises q2 and q4 keep their random inputs.

>>> build({**DEFAULTS, "samples": 32})[0].judge((32, 10, 3)).status
'correct'
"""
from __future__ import annotations

import math
import numbers
from dataclasses import replace

import numpy as np

from .engine import NOT_YET, Exercise, Reject, Result, as_shape, describe, shape_with_tips
from .models import model_with_tips

DEFAULTS = {"samples": 64, "steps": 10, "values": 3,                      # q1: targets of (None, 10, 3)
            "series_length": 100, "window": 10, "batch_size": 32,        # q3: the last batch of windows
            "bi_steps": 20, "bi_features": 3, "bi_units": 8,             # q5: Bidirectional(GRU(8)) on (20, 3)
            "vector": 4, "out_steps": 6, "lstm_units": 16, "step_values": 1,   # q6: one-to-many
            "decoder_units": 32,                                          # q7: the decoder's LSTM(32)
            "tag_samples": 32, "tag_steps": 20, "tag_classes": 5,        # q8: sparse labels of a tagger
            "hot_samples": 16, "hot_steps": 12, "hot_classes": 4}        # q9: one-hot labels and their loss


def _last_batch(count: int, batch_size: int) -> int:
    """How many of ``count`` items the last batch holds: ``_last_batch(91, 32)`` is 27."""
    return count - (count - 1) // batch_size * batch_size


def _values(n: int) -> str:
    return f"{n} value{'' if n == 1 else 's'}"


def text_values(p: dict) -> dict:
    """The parameters plus the numbers the lesson text derives from them."""
    windows = p["series_length"] - p["window"] + 1
    return {**p, "windows": windows, "full_batches": (windows - 1) // p["batch_size"],
            "concat_units": 2 * p["bi_units"], "step_values_text": _values(p["step_values"])}


# The lesson's text and code that use the numbers, as templates (filled with DEFAULTS they are the
# published notebook's own words; whitespace may differ).
TEXTS = [
    "A many-to-many model outputs `(None, {steps}, {values})`: {values} values at each of {steps} steps. "
    "You train it on {samples} sequences.",
    "many_to_many_targets = ({samples}, {steps}, {values})",
    "`keras.utils.timeseries_dataset_from_array(series, None, sequence_length={window}, batch_size={batch_size})` "
    "on a series of **{series_length}** values",
    "last_batch_shape = ({windows} - {full_batches} * {batch_size}, {window}, 1)",
    "`Bidirectional(GRU({bi_units}, return_sequences=True), merge_mode=...)` reads "
    "`keras.Input(shape=({bi_steps}, {bi_features}))`.",
    'merge_shapes = {{\n    "concat": (None, {bi_steps}, {concat_units}),\n    "sum": (None, {bi_steps}, {bi_units}),\n'
    '    "ave": (None, {bi_steps}, {bi_units}),\n    "mul": (None, {bi_steps}, {bi_units}),\n'
    "    None: [(None, {bi_steps}, {bi_units}), (None, {bi_steps}, {bi_units})],\n}}",
    "sequence_in = keras.Input(shape=({bi_steps}, {bi_features}))",
    "layers.Bidirectional(layers.GRU({bi_units}, return_sequences=True), merge_mode=mode)",
    "from one vector of {vector} numbers (`keras.Input(shape=({vector},))`), a sequence of {out_steps} steps with "
    "{step_values_text} each, using `RepeatVector`, `LSTM({lstm_units})` and `Dense({step_values})`.",
    "keras.Input(shape=({vector},)),\n    layers.RepeatVector({out_steps}),\n"
    "    layers.LSTM({lstm_units}, return_sequences=True),\n    layers.Dense({step_values}),",
    'layers.LSTM({decoder_units}, return_state=True, name="encoder")',
    'layers.LSTM({decoder_units}, return_sequences=True, return_state=True, name="decoder")',
    "`LSTM({decoder_units}, return_sequences=True, return_state=True)` and the `Dense(1)`",
    "step_shapes = [(None, 1, 1), (None, {decoder_units}), (None, {decoder_units})]",
    "keras.Input(shape=(1, 1)), keras.Input(shape=({decoder_units},)), keras.Input(shape=({decoder_units},))",
    "**Your turn.** A tagger outputs `(None, {tag_steps}, {tag_classes})`: softmax scores for {tag_classes} classes at "
    "each of {tag_steps} steps. You train it on {tag_samples} sequences with `sparse_categorical_crossentropy`. "
    "What shape must `y` have?",
    "label_shape = ({tag_samples}, {tag_steps})",
    "**Your turn.** `keras.utils.to_categorical(labels, num_classes={hot_classes})` on integer labels of shape "
    "`({hot_samples}, {hot_steps})`: what shape comes out, and which loss (its string name) trains a model with "
    "output `(None, {hot_steps}, {hot_classes})` on those targets? Write `(shape, loss)`.",
    'one_hot_answer = (({hot_samples}, {hot_steps}, {hot_classes}), "categorical_crossentropy")',
]


# -- q1: the targets of a many-to-many model -------------------------------------------------
def _q1_tips(samples: int, steps: int, values: int) -> dict:
    s, t, v = samples, steps, values
    return {
        (s, v): f"That is a many-to-one target: {v} values per sequence. This model predicts at every one of the "
                f"{t} steps, so y needs the steps axis too.",
        (s, t): f"One number per step is not enough: the model predicts {v} values at every step. Keep that "
                f"last axis of {v}.",
        (s,): f"One number per sequence is not enough: y needs every axis of the output. Here Keras stops, since "
              f"y's only axis cannot line up with the output's last axis of {v} values; with 1 value per step it "
              f"would broadcast it without an error, and the loss would mean nothing.",
        (None, t, v): f"That is the model's output shape. y is real data: its first axis counts your {s} sequences.",
        (t, v): f"That is one sequence's targets. y holds all {s}: the samples axis comes first.",
        (s, t * v): f"Keep steps and values on separate axes, as the output has them: (samples, {t}, {v}).",
        (s, v, t): "Right sizes, wrong order: the output is (batch, timesteps, values), and y follows it.",
    }


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


def _row_lengths(value) -> set:
    """The lengths of the rows of a list or array, or an empty set when its rows have no length."""
    try:
        return {len(row) for row in value}
    except TypeError:
        return set()


def _as_array(value, call: str, what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        lengths = _row_lengths(value) if isinstance(value, (list, tuple, np.ndarray)) else set()
        if len(lengths) > 1:
            raise Reject(f"{call}: the rows of {what} have different lengths ({min(lengths)} to {max(lengths)}), "
                         f"so they make no array: the last windows have fewer values after them than they need. "
                         f"Make only the windows that still have k values after them: stop the start index "
                         f"earlier.") from None
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
        if x.shape == (n, 1, window) and window > 1:
            return Result(False, f"{call}: x is {x.shape}. The {window} values of a window are its timesteps, read "
                                 f"one after the other: they go on axis 1, and the features axis (1 value per step) "
                                 f"comes last: {want_x.shape}.")
        if x.shape == want_x.shape[:2]:
            return Result(False, f"{call}: x is {x.shape}, with no features axis. An RNN reads "
                                 f"(samples, timesteps, features): add one, x[..., None] gives {want_x.shape}.")
        if x.ndim == 3 and y.ndim >= 1 and len(x) in (n - 1, n + 1):
            fewer = len(x) < n
            return Result(False, f"{call} made {len(x)} pairs: one too {'few' if fewer else 'many'}. "
                                 + ("The last start index that still leaves room for the window and its k values "
                                    "after it is left out: count both ends of the range." if fewer else
                                    "The last window must still have k values after it."))
        if x.ndim == 3 and x.shape[1:] == want_x.shape[1:] and len(x) < n:
            return Result(False, f"{call} made {len(x)} windows, far fewer than fit. A new window starts at every "
                                 f"value, so neighbouring windows overlap.")
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
                                 f"after the window, with the first value the window does not hold.")
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
                "targets come out shorter. Make only the windows that still have k values after them: stop the "
                "start index earlier.")
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
def _q3_tips(series_length: int, window: int, batch_size: int) -> dict:
    n, w, b = series_length, window, batch_size
    windows = n - w + 1
    last = _last_batch(windows, b)
    batches = (windows - 1) // b + 1
    return {
        (b, w, 1): f"Every batch but the last holds {b} windows; the last holds the leftover ones. Count the "
                   f"windows first: how many start positions leave room for {w} values in a series of {n}?",
        (last, w): "Right number of windows, but the features axis is still missing: add it, [..., None].",
        (b, w): "The windows need a features axis, and the last batch holds only the leftover windows.",
        (last + 1, w, 1): f"One window too many: a window needs {w} values, so the last one starts {w} values before "
                          f"the end of the series, at index {n - w}. Count the start positions again.",
        (last - 1, w, 1): f"One window too few: windows start at index 0, 1, ..., {n - w}; count both ends.",
        (_last_batch(n // w, b), w, 1): f"The windows overlap: a new one starts at every value, not every {w} values.",
        (_last_batch(n, b), w, 1): f"That counts {n} windows, one for every value of the series. But a window needs "
                                   f"{w} values: the last values of the series are too close to its end to start one.",
        (None, w, 1): "A batch of real data has a real size: count the windows left for the last batch.",
        (windows, w, 1): f"{windows} is every window of the series. They come in batches of {b}: what is left for "
                         f"the last batch after the full ones?",
        (batches, w, 1): f"{batches} is the number of batches. The first axis of a batch counts the windows in it: "
                         f"how many are left for the last one?",
        (last, 1, w): f"The {w} values of a window are its timesteps, read one after the other: they go on axis 1, "
                      f"and the features axis (1 value per step) comes last.",
    }


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


def _scalar(value):
    """A 0-d numpy array or tensor (np.array(5), keras.ops.ceil(...)) as the Python number it holds."""
    if isinstance(value, (numbers.Real, str, bytes)) or not hasattr(value, "shape"):
        return value
    try:
        if tuple(value.shape) == ():
            return np.asarray(value).item()
    except (TypeError, ValueError):
        pass
    return value


# Formulas learners write instead, per padding: (name, rule); the first one that fits every case of
# that padding names the mistake (so (T - k + 1) // s is not taken for a missing + 1).
_VALID_MISTAKES = [
    ("no strides", lambda t, k, s: t - k + 1),
    ("no + 1", lambda t, k, s: (t - k) // s),
    ("+ 1 inside", lambda t, k, s: (t - k + 1) // s),
    ("same rule", lambda t, k, s: math.ceil(t / s)),
    ("length kept", lambda t, k, s: t),
    ("rounded up", lambda t, k, s: math.ceil((t - k) / s) + 1),
    ("no - k", lambda t, k, s: t // s + 1),
]
_SAME_MISTAKES = [
    ("valid rule", lambda t, k, s: (t - k) // s + 1),
    ("length kept", lambda t, k, s: t),
    ("rounded down", lambda t, k, s: t // s),
    ("kernel counted", lambda t, k, s: math.ceil((t - k + 1) / s)),
]
_CONV_TIPS = {
    ("valid", "no strides"): "that ignores the strides: the kernel moves {s} steps at a time, so fewer positions fit.",
    ("valid", "no + 1"): "one position short: the kernel's first position, before any stride, counts too.",
    ("valid", "+ 1 inside"): "the first position, which needs no stride, is counted inside the division: it is "
                             "divided by the strides with the rest. Count it apart.",
    ("valid", "same rule"): "that is what 'same' gives. With 'valid' the kernel must fit inside the sequence, so "
                            "its size shortens the output too.",
    ("valid", "length kept"): "that keeps the length; with 'valid' the kernel must fit inside the sequence, so "
                              "its size and the strides both shorten it.",
    ("valid", "rounded up"): "round down: a last position where the kernel does not fit completely is dropped.",
    ("valid", "no - k"): "that counts positions as if the kernel were 1 step long: a kernel of {k} steps must fit "
                         "inside the sequence.",
    ("same", "valid rule"): "that is the 'valid' rule. 'same' pads the ends, so the kernel size does not shorten "
                            "anything: only the strides do.",
    ("same", "length kept"): "'same' keeps the length only with strides 1; with strides {s} the strides still "
                             "shorten it.",
    ("same", "rounded down"): "round up with 'same': a partial last stride still gives a step.",
    ("same", "kernel counted"): "'same' pads the ends, so the kernel size does not shorten anything: only the "
                                "strides do.",
}


def _conv_mistake(cases, outputs, padding):
    """The name of the wrong formula that gives every one of the learner's numbers for ``padding``."""
    pairs = [((t, k, s), got) for (t, k, s, p), got in zip(cases, outputs) if p == padding]
    for name, rule in (_VALID_MISTAKES if padding == "valid" else _SAME_MISTAKES):
        try:
            if pairs and all(isinstance(g, numbers.Real) and not isinstance(g, bool) and rule(*c) == g
                             for c, g in pairs):
                return name
        except (TypeError, ValueError, ZeroDivisionError):
            continue
    return None


def _judge_conv(cases, outputs):
    plain = [_scalar(o) for o in outputs]
    for (t, k, s, padding), got in zip(cases, outputs):
        call = f"conv1d_length({t}, {k}, {s}, {padding!r})"
        want = _conv_reference(t, k, s, padding)
        got = _scalar(got)
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise Reject(f"{call} returned {describe(got)}; return a whole number of timesteps.")
        if isinstance(got, float) and not float(got).is_integer():
            return Result(False, f"{call} gave {got}: a length is a whole number of steps. A position where the "
                                 f"kernel does not fit is dropped ('valid'); a partial stride still gives a step "
                                 f"('same').")
        got = int(got)
        if got == want:
            continue
        mistake = _conv_mistake(cases, plain, padding)
        if mistake and (padding, mistake) in _CONV_TIPS and not (mistake in ("no strides", "length kept") and s == 1):
            return Result(False, f"{call} gave {got}: " + _CONV_TIPS[(padding, mistake)].format(s=s, k=k))
        if padding == "valid":
            if got == t - k + 1 and s > 1:
                return Result(False, f"{call} gave {got}: " + _CONV_TIPS[("valid", "no strides")].format(s=s, k=k))
            if got == (t - k) // s:
                return Result(False, f"{call} gave {got}: " + _CONV_TIPS[("valid", "no + 1")])
            if got == math.ceil(t / s) or got == t:
                return Result(False, f"{call} gave {got}: " + _CONV_TIPS[("valid", "same rule")])
            if got == math.ceil((t - k) / s) + 1:
                return Result(False, f"{call} gave {got}: round down. A last position where the kernel does not "
                                     f"fit completely is dropped.")
        else:
            if got == (t - k) // s + 1:
                return Result(False, f"{call} gave {got}: " + _CONV_TIPS[("same", "valid rule")])
            if got == t and s > 1:
                return Result(False, f"{call} gave {got}: " + _CONV_TIPS[("same", "length kept")].format(s=s, k=k))
            if got == t // s:
                return Result(False, f"{call} gave {got}: " + _CONV_TIPS[("same", "rounded down")])
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
           "'valid': (timesteps - kernel_size) // strides + 1. 'same': ceil(timesteps / strides), which in Python "
           "is -(-timesteps // strides) or int(np.ceil(timesteps / strides)).",
           "if padding == 'same':\n    return -(-timesteps // strides)   # ceil(timesteps / strides)\n"
           "return (timesteps - kernel_size) // strides + 1"],
    answer=("def conv1d_length(timesteps, kernel_size, strides, padding):\n"
            "    if padding == \"same\":\n"
            "        return -(-timesteps // strides)   # ceil(timesteps / strides)\n"
            "    return (timesteps - kernel_size) // strides + 1"),
)


# -- q5: Bidirectional, one shape per merge_mode ------------------------------------------------
_MODES = ("concat", "sum", "ave", "mul", None)


def _mode_name(mode) -> str:
    return "None" if mode is None else repr(mode)


def _merge_check(steps: int, features: int, units: int):
    """The check of q5 for Bidirectional(GRU(units, return_sequences=True)) on keras.Input(shape=(steps, features))."""
    s, f, u = steps, features, units
    one_way = (None, s, u)
    merged = {"concat": (None, s, 2 * u), "sum": one_way, "ave": one_way, "mul": one_way}

    def check(value):
        if not isinstance(value, dict):
            raise Reject(f"Expected a dict with one entry per merge_mode, {{'concat': ..., 'sum': ..., 'ave': ..., "
                         f"'mul': ..., None: ...}}, got {describe(value)}.")
        keys = set()
        for key in value:
            if key is not None and not isinstance(key, str):
                raise Reject(f"The keys are the merge_mode values: 'concat', 'sum', 'ave', 'mul' and None; "
                             f"{describe(key)} is not one of them.")
            keys.add(key)
        spellings = {"none": None, "null": None, "average": "ave", "avg": "ave", "mean": "ave", "add": "sum",
                     "multiply": "mul", "product": "mul", "concatenate": "concat", "cat": "concat"}
        for key in keys:
            if not isinstance(key, str) or key in _MODES or key == "None":
                continue
            mode = spellings.get(key.strip().lower(), key.strip().lower())
            if mode in _MODES and mode not in keys:
                return Result(False, f"Keras spells that merge_mode {_mode_name(mode)}, not {key!r}: use the exact "
                                     f"value you would pass to Bidirectional(..., merge_mode=...).")
        if "None" in keys and None not in keys:
            return Result(False, "Write the last key as None (the Python value), not the string 'None': "
                                 "merge_mode=None is what you pass to Bidirectional.")
        missing = [m for m in _MODES if m not in keys]
        if missing:
            return Result(False, f"Give a shape for every merge_mode; missing: {', '.join(map(_mode_name, missing))}.")
        for mode in ("concat", "sum", "ave", "mul"):
            got = as_shape(value[mode])
            want = merged[mode]
            if got == want:
                continue
            if mode == "concat" and got == one_way:
                return Result(False, f"'concat' puts the forward and backward outputs side by side on the last "
                                     f"axis: {u} + {u} values per step.")
            if got == want[1:]:
                return Result(False, f"{got} has no batch axis: the shapes Keras reports start with None, the batch "
                                     f"size it leaves open. merge_mode={mode!r} gives {want}.")
            if mode == "concat" and got == (None, s, u + f):
                return Result(False, f"'concat' joins the outputs of the two directions, {u} + {u} values; the "
                                     f"input's {f} features do not pass through the GRU.")
            if mode == "concat" and got == (None, 2 * s, u):
                return Result(False, f"'concat' joins the two directions along the last axis (features), not along "
                                     f"time: still {s} steps, {2 * u} values each.")
            if got == (None, s, 2 * u):
                return Result(False, f"{mode!r} combines the two directions value by value (like + or *): each step "
                                     f"keeps {u} values.")
            if mode == "ave" and got == (None, s, u // 2):
                return Result(False, f"'ave' averages the two directions value by value: (forward + backward) / 2 "
                                     f"at each of the {u} positions. The size stays {u}; it does not halve.")
            if got in ((None, u), (None, 2 * u)):
                return Result(False, f"The GRU has return_sequences=True, so {mode!r} keeps the {s} steps.")
            return Result(False, f"merge_mode={mode!r} gives {want}, not {got}.")
        none = value[None]
        if not isinstance(none, (list, tuple)) or (none and all(d is None or isinstance(d, numbers.Integral)
                                                                for d in none)):
            shape = as_shape(none)
            if shape == (None, s, 2 * u):
                return Result(False, f"merge_mode=None does not merge at all: it returns a list of two tensors, the "
                                     f"forward and the backward outputs, [{one_way}, {one_way}].")
            return Result(False, "merge_mode=None returns a list of two tensors (forward, backward): write a list of "
                                 "two shapes.")
        shapes = [as_shape(shape) for shape in none]
        if shapes != [one_way, one_way]:
            if len(shapes) != 2:
                return Result(False, f"merge_mode=None returns two tensors, one per direction; your list has "
                                     f"{len(shapes)}.")
            return Result(False, f"With merge_mode=None each direction is a GRU({u}) returning sequences: {one_way} "
                                 f"each, not {shapes}.")
        return Result(True, "concat doubles the last axis; sum, ave and mul keep it; None hands you both directions.")

    def form(value):
        if not isinstance(value, dict):
            raise Reject(f"Expected a dict with one entry per merge_mode, got {describe(value)}.")

    check.expected, check.form = {**merged, None: [one_way, one_way]}, form
    return check


# -- q6: a one-to-many model ------------------------------------------------------------------
def _one_to_many_tips_for(vector: int, steps: int, step_values: int):
    """The tips of q6 for a model from keras.Input(shape=(vector,)) to ``steps`` steps of ``step_values``."""
    v, t, o = vector, steps, step_values

    def tips(rows, input_shape):
        types = [r["type"] for r in rows]
        if input_shape is not None and len(input_shape) == 3:
            return (f"The input is {input_shape}: a sequence. One-to-many starts from ONE vector per sample: "
                    f"keras.Input(shape=({v},)).")
        if input_shape is not None and len(input_shape) == 2 and input_shape != (None, v):
            return f"The input is {input_shape}; the vector here has {v} numbers: keras.Input(shape=({v},))."
        if "Reshape" in types and "RepeatVector" not in types:
            return (f"Reshape turns the {v} numbers into a sequence of their own ({v} steps of 1, or 1 step of {v}); "
                    f"the output needs {t} steps, each reading the whole vector. RepeatVector({t}) copies it to {t} "
                    f"steps: (None, {t}, {v}).")
        if "RepeatVector" not in types:
            last = rows[-1]["output_shape"] if rows else None
            if last in ((None, t), (None, t * o)):
                return (f"Dense({last[1]}) gives {last[1]} numbers as one vector, {last}: a multi-step forecast, but "
                        f"not a sequence. Copy the input to {t} steps with RepeatVector({t}) and let an LSTM walk "
                        f"through them.")
            return (f"An LSTM needs a sequence to step through: start with RepeatVector({t}), which copies the vector "
                    f"to {t} steps.")
        repeat = rows[types.index("RepeatVector")]
        shape = repeat["output_shape"]
        if isinstance(shape, tuple) and len(shape) == 3 and shape[1] == t and shape[2] != v:
            return (f"RepeatVector outputs {shape}: it copies what reaches it, {shape[2]} number"
                    f"{'' if shape[2] == 1 else 's'} per step, not the {v} of the input vector. A layer before "
                    f"RepeatVector changed the vector: repeat the input itself.")
        if repeat["output_shape"] != (None, t, v):
            return (f"RepeatVector outputs {repeat['output_shape']}; the sequence needs {t} steps, so "
                    f"RepeatVector({t}) gives (None, {t}, {v}).")
        lstms = [r for r in rows if r["type"] == "LSTM"]
        last = rows[-1]["output_shape"]
        if lstms and len(lstms[0]["output_shape"]) == 2 and last in ((None, t), (None, t * o)):
            return (f"The model outputs {last}: {last[1]} numbers, but as one vector, not {t} steps. The {t} steps "
                    f"were gone after the LSTM, which passed on only its last one; the Dense after it cannot bring "
                    f"them back.")
        if lstms and len(lstms[0]["output_shape"]) == 2:
            return (f"The LSTM returns only its last step, so one {'value' if o == 1 else 'step'} comes out instead "
                    f"of {t}. A prediction at every step needs return_sequences=True.")
        last = rows[-1]["output_shape"]
        if rows[-1]["type"] == "Dense" and isinstance(last, tuple) and last[:2] == (None, t) and last[2:] != (o,):
            return (f"The last Dense outputs {last}: a Dense acts at every step, so Dense({last[-1]}) gives "
                    f"{last[-1]} values at each of the {t} steps. {'One value' if o == 1 else f'{o} values'} per "
                    f"step is Dense({o}).")
        return None

    return tips


# -- q7: one decoder step at inference ---------------------------------------------------------
def _shape_list(value) -> list[tuple]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise Reject(f"Expected a list of three shapes [prediction, h, c], got {describe(value)}.")
    if value and all(item is None or isinstance(item, numbers.Integral) for item in value):
        raise Reject("That is one shape. The step model returns three tensors: write [prediction, h, c].")
    return [as_shape(item) for item in value]


# Step counts a learner may mistake for the prediction's: the lesson's horizon (4), past (12) and q6's 6 steps.
_OTHER_STEPS = (6, 4, 12)


def _step_check(units: int):
    """The check of q7 for a decoder LSTM(units, return_sequences=True, return_state=True) and a Dense(1)."""
    u = units
    want = [(None, 1, 1), (None, u), (None, u)]

    def check(value):
        shapes = _shape_list(value)
        if shapes == want:
            return Result(True, f"One step in, one step out: a (None, 1, 1) prediction and the new h and c, each "
                                f"(None, {u}), for the next call.")
        if len(shapes) == 2:
            return Result(False, "An LSTM carries two states, h and c, and the step model hands both back: three "
                                 "tensors in all.")
        if len(shapes) != 3:
            return Result(False, f"You listed {len(shapes)} shapes; the step model returns three: prediction, h, c.")
        prediction, h, c = shapes
        if sorted(map(str, shapes)) == sorted(map(str, want)):
            return Result(False, "Right shapes, wrong order: the step model returns [prediction, h, c], the "
                                 "prediction first.")
        if [(None, *s[1:]) if s and s[0] == 1 else s for s in shapes] == want:
            return Result(False, "The step model is built on keras.Input, which leaves the batch size open: its "
                                 "shapes start with None, whatever batch you later call it on.")
        if prediction == (None, 1, u):
            return Result(False, f"(None, 1, {u}) is what the decoder LSTM returns; the Dense(1) after it turns the "
                                 f"{u} values of the step into 1 prediction.")
        if prediction == (None, 1):
            return Result(False, "The decoder LSTM returns sequences, so even one step keeps its time axis: the "
                                 "prediction is (None, 1, 1).")
        if prediction in [(None, n, 1) for n in _OTHER_STEPS]:
            return Result(False, "At inference the decoder runs ONE step per call, so the prediction has 1 step: "
                                 "(None, 1, 1).")
        if prediction != (None, 1, 1):
            return Result(False, f"The prediction is Dense(1) on one decoder step: (None, 1, 1), not {prediction}.")
        if h == (None, 1, u) or c == (None, 1, u):
            return Result(False, f"States have no time axis: h and c are one vector of {u} per sample, (None, {u}).")
        if (None, 1) in (h, c):
            return Result(False, f"A state has one value per unit of the LSTM ({u}), whatever the 1 value predicted.")
        return Result(False, f"h and c are the LSTM({u})'s states: (None, {u}) each, not {h} and {c}.")

    check.expected, check.form = want, _shape_list
    return check


# -- q8: sparse labels for a per-step classifier -----------------------------------------------------
def _q8_tips(samples: int, steps: int, classes: int) -> dict:
    s, t, c = samples, steps, classes
    return {
        (s, t, c): f"That is the one-hot shape: {c} numbers per step. sparse_categorical_crossentropy reads one "
                   f"integer label per step instead, the index of the class.",
        (s,): f"One label per sequence is what a many-to-one classifier needs; this model predicts a class at every "
              f"one of the {t} steps.",
        (s, c): f"That is one one-hot vector per sequence. This model predicts at every step, and sparse labels hold "
                f"integers, not {c} numbers.",
        (None, t): f"y is real data: its first axis counts your {s} sequences.",
        (t,): f"That is one sequence's labels. y holds all {s} sequences: the samples axis comes first.",
        (s, c, t): "The labels follow the output's axes, (samples, timesteps, ...), without the classes axis.",
        (None, t, c): "That is the model's output shape. Sparse labels drop its classes axis, and y counts real "
                      "sequences.",
    }


def _label_check(samples: int, steps: int, classes: int):
    """q8's check: integer labels for an output (None, steps, classes); (s, t, 1) is accepted as Keras squeezes it."""
    base = shape_with_tips((samples, steps), ("samples", "timesteps"), _q8_tips(samples, steps, classes),
                           f"One integer label (0 to {classes - 1}) per step of each of your {samples} sequences.")

    def check(value):
        shape = as_shape(value)
        if shape == (samples, steps, 1):
            return Result(True, f"{shape} works too: Keras drops a last axis of 1 from sparse labels. "
                                f"({samples}, {steps}) is the usual way to write them.")
        return base(shape)

    check.form, check.tips, check.expected = base.form, base.tips, base.expected
    return check


# -- q9: one-hot labels and the loss that reads them -------------------------------------------------
_LOSS_NAMES = {"categorical_crossentropy": "categorical_crossentropy", "categoricalcrossentropy": "categorical_crossentropy",
               "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
               "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
               "binary_crossentropy": "binary_crossentropy", "binarycrossentropy": "binary_crossentropy"}


def _loss_name(loss) -> str:
    if isinstance(loss, str):
        return _LOSS_NAMES.get(loss.strip().lower(), loss.strip().lower())
    name = getattr(loss, "__name__", None) or type(loss).__name__
    return _LOSS_NAMES.get(str(name).lower(), str(name).lower())


def _one_hot_form(value):
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or len(value) != 2:
        raise Reject(f"Expected two things, (shape, loss), such as ((8, 3), 'mse'); got {describe(value)}.")
    shape, loss = value
    if isinstance(shape, str) and isinstance(loss, (tuple, list)):
        raise Reject("Swapped: write the shape first, then the loss: (shape, loss).")
    shape = as_shape(shape)
    if loss is None or isinstance(loss, (numbers.Number, tuple, list, dict)):
        raise Reject(f"The second item is the loss: its string name, as you would pass it to compile(loss=...); "
                     f"got {describe(loss)}.")
    return shape, _loss_name(loss)


def _one_hot_check(samples: int, steps: int, classes: int):
    s, t, c = samples, steps, classes
    want = (s, t, c)

    def check(value):
        shape, loss = _one_hot_form(value)
        if shape != want:
            if shape == (s, t):
                return Result(False, "to_categorical adds an axis: every integer label becomes a vector of 0s and "
                                     "one 1, one number per class.")
            if shape == (s, c):
                return Result(False, f"Every label gets its own one-hot vector, so the {t} steps stay: "
                                     "to_categorical keeps the labels' axes and adds one at the end.")
            if shape == (s, t * c):
                return Result(False, "to_categorical keeps the labels' axes and adds a new last axis; it does not "
                                     "join the vectors of a sequence end to end.")
            if shape[:2] == (s, t) and len(shape) == 3:
                return Result(False, f"num_classes={c} sets the length of each one-hot vector: one number per class.")
            if shape in ((None, t, c), (t, c)):
                return Result(False, f"to_categorical works on real data: the {s} sequences of labels stay the first "
                                     "axis.")
            if len(shape) == 3 and sorted(map(str, shape)) == sorted(map(str, want)):
                return Result(False, "Right sizes, wrong order: the labels' axes come first, the new classes axis "
                                     "last.")
            return Result(False, f"Not the shape to_categorical returns for labels ({s}, {t}): it keeps their axes "
                                 f"and adds one, of num_classes numbers.")
        if loss == "categorical_crossentropy":
            return Result(True, "One-hot targets have the output's shape, and categorical_crossentropy reads them; "
                                "integer labels would go with sparse_categorical_crossentropy.")
        if loss == "sparse_categorical_crossentropy":
            return Result(False, "The shape is right. sparse_categorical_crossentropy reads integer labels, one per "
                                 "step; on one-hot targets Keras stops with 'Argument `output` must have rank (ndim) "
                                 "`target.ndim - 1`'. Which loss reads one-hot targets?")
        if loss == "binary_crossentropy":
            return Result(False, f"The shape is right. binary_crossentropy treats each of the {c} numbers as its own "
                                 f"yes/no question; here each step has exactly one class out of {c}, from a softmax.")
        return Result(False, f"The shape is right. {loss!r} is not a loss for class scores: a softmax classifier "
                             f"is trained with a cross-entropy.")

    def form(value):
        _one_hot_form(value)

    check.expected, check.form = (want, "categorical_crossentropy"), form
    return check


# -- the numbers: which are fair, and drawing other ones ----------------------------------------
def _distinct(*items) -> bool:
    return len(set(items)) == len(items)


def valid(p: dict) -> bool:
    """Whether the numbers make a fair variant: every typical wrong answer differs from the right one.

    >>> valid(DEFAULTS)
    True
    """
    s, t, v = p["samples"], p["steps"], p["values"]
    n, w, b = p["series_length"], p["window"], p["batch_size"]
    windows = n - w + 1
    q1_keys = list(_q1_tips(s, t, v)) + [(s, t, v)]
    q3_keys = list(_q3_tips(n, w, b)) + [(_last_batch(windows, b), w, 1)]
    bs, bf, bu = p["bi_steps"], p["bi_features"], p["bi_units"]
    return (min(p.values()) >= 1
            and v >= 2 and t >= 2 and _distinct(*q1_keys)
            and windows > b and 2 <= windows % b <= b - 2 and w >= 2 and _distinct(*q3_keys)
            and bu % 2 == 0 and _distinct(bs, bf, bu, 2 * bu)
            and p["vector"] >= 2 and p["out_steps"] >= 2 and p["vector"] != p["out_steps"] and p["lstm_units"] >= 2
            and p["decoder_units"] not in (1, *_OTHER_STEPS)
            and _distinct(*(list(_q8_tips(p["tag_samples"], p["tag_steps"], p["tag_classes"]))
                            + [(p["tag_samples"], p["tag_steps"])]))
            and _distinct(p["tag_samples"], p["tag_steps"], p["tag_classes"]) and p["tag_classes"] >= 2
            and _distinct(p["hot_samples"], p["hot_steps"], p["hot_classes"]) and p["hot_classes"] >= 2)


def draw(rng) -> dict:
    """Other valid numbers, each exercise's answer different from the published one.

    >>> valid(draw(np.random.default_rng(1)))
    True
    """
    d = DEFAULTS
    while True:
        p = {"samples": int(rng.choice([16, 20, 24, 32, 40, 48, 50, 80, 96, 100, 128])),
             "steps": int(rng.integers(4, 17)), "values": int(rng.integers(2, 7)),
             "series_length": int(rng.integers(60, 201)), "window": int(rng.integers(5, 21)),
             "batch_size": int(rng.choice([16, 20, 24, 32, 48, 64])),
             "bi_steps": int(rng.integers(5, 31)), "bi_features": int(rng.integers(2, 7)),
             "bi_units": int(rng.choice([4, 6, 10, 12, 16])),
             "vector": int(rng.integers(2, 9)), "out_steps": int(rng.integers(3, 13)),
             "lstm_units": int(rng.choice([8, 12, 16, 20, 24, 32])), "step_values": int(rng.choice([1, 1, 2, 3])),
             "decoder_units": int(rng.choice([16, 20, 24, 40, 48, 64])),
             "tag_samples": int(rng.choice([16, 24, 40, 48, 64, 100])), "tag_steps": int(rng.integers(5, 31)),
             "tag_classes": int(rng.integers(2, 10)),
             "hot_samples": int(rng.choice([8, 20, 24, 50, 64, 128])), "hot_steps": int(rng.integers(5, 31)),
             "hot_classes": int(rng.integers(2, 10))}

        def key(names):
            return tuple(p[name] for name in names), tuple(d[name] for name in names)

        differs = [key(["samples", "steps", "values"]), key(["bi_steps", "bi_units"]),
                   key(["vector", "out_steps", "lstm_units", "step_values"]), key(["decoder_units"]),
                   key(["tag_samples", "tag_steps"]), key(["hot_samples", "hot_steps", "hot_classes"])]
        last, published_last = (_last_batch(q["series_length"] - q["window"] + 1, q["batch_size"]) for q in (p, d))
        if (all(mine != theirs for mine, theirs in differs)
                and (last, p["window"]) != (published_last, d["window"]) and valid(p)):
            return p


# -- the exercises ------------------------------------------------------------------------------
def build(p: dict = DEFAULTS) -> list:
    """The lesson's exercises for the numbers ``p`` (``DEFAULTS``: the published lesson)."""
    p = {**DEFAULTS, **p}
    s, t, v = p["samples"], p["steps"], p["values"]
    n, w, b = p["series_length"], p["window"], p["batch_size"]
    bs, bf, bu = p["bi_steps"], p["bi_features"], p["bi_units"]
    vec, out_steps, lstm_units, o = p["vector"], p["out_steps"], p["lstm_units"], p["step_values"]
    du = p["decoder_units"]
    windows = n - w + 1
    full = (windows - 1) // b
    last = windows - full * b

    q1 = Exercise(
        lesson="08", id="q1", points=1, params=p,
        prompt=f"A many-to-many model outputs (None, {t}, {v}): {v} values at each of {t} steps. You train it on {s} "
               f"sequences. What shape must the targets y have?",
        reads="many_to_many_targets",
        check=shape_with_tips((s, t, v), ("samples", "timesteps", "values"), _q1_tips(s, t, v),
                              f"y has the output's axes, with your {s} samples where the output has None."),
        hints=["Targets are compared with predictions value by value: y needs one entry for every value the model "
               "predicts.",
               f"Take the output shape (None, {t}, {v}) and put the number of sequences where the None is.",
               f"({s}, {t}, {v})"],
        answer=f"many_to_many_targets = ({s}, {t}, {v})",
    )

    q3 = Exercise(
        lesson="08", id="q3", points=1, params=p,
        prompt=f"keras.utils.timeseries_dataset_from_array(series, None, sequence_length={w}, batch_size={b}) on a "
               f"series of {n} values: what is the shape of the LAST batch once you add the features axis?",
        reads="last_batch_shape",
        check=shape_with_tips((last, w, 1), ("windows", "timesteps", "features"), _q3_tips(n, w, b),
                              f"{windows} windows = {' + '.join([str(b)] * full + [str(last)])}, each {w} steps of "
                              f"1 feature."),
        hints=[f"A window can start at any value that still has {w - 1} values after it.",
               f"{n} - {w} + 1 = {windows} windows, cut into batches of {b}: the last batch holds what is left.",
               f"({windows} - {full} * {b}, {w}, 1)"],
        answer=f"last_batch_shape = ({windows} - {full} * {b}, {w}, 1)",
    )

    merged = {"concat": (None, bs, 2 * bu), "sum": (None, bs, bu), "ave": (None, bs, bu), "mul": (None, bs, bu)}
    both = f"[(None, {bs}, {bu}), (None, {bs}, {bu})]"
    q5 = Exercise(
        lesson="08", id="q5", points=1, params=p,
        prompt=f"Bidirectional(GRU({bu}, return_sequences=True), merge_mode=...) on keras.Input(shape=({bs}, {bf})): "
               f"give the output shape for each merge_mode as a dict {{'concat': ..., 'sum': ..., 'ave': ..., "
               f"'mul': ..., None: ...}}.",
        reads="merge_shapes",
        check=_merge_check(bs, bf, bu),
        hints=[f"Each direction alone outputs (None, {bs}, {bu}). The merge_mode says how the two are combined at "
               f"each step.",
               "'concat' joins them side by side (the last axis doubles); 'sum', 'ave', 'mul' combine value by value; "
               "None does not combine: it returns both.",
               "{" + ", ".join(f"{m!r}: {shape}" for m, shape in merged.items()) + f", None: {both}}}"],
        release_hints=["Each direction alone is the GRU returning sequences: work out its output shape first. The "
                       "merge_mode says how the two are combined at each step.",
                       "'concat' joins them side by side (the last axis doubles); 'sum', 'ave', 'mul' combine value "
                       "by value; None does not combine: it returns both."],
        answer="merge_shapes = {\n" + "".join(f"    \"{m}\": {shape},\n" for m, shape in merged.items())
               + f"    None: {both},\n}}",
    )

    values_each = _values(o)
    dense = f"Dense({o})"
    q6 = Exercise(
        lesson="08", id="q6", points=2, params=p,
        prompt=f"Build one_to_many: from one vector of {vec} numbers, a sequence of {out_steps} steps with "
               f"{values_each} each: RepeatVector, LSTM({lstm_units}), {dense}.",
        reads="one_to_many",
        check=model_with_tips([("RepeatVector", (None, out_steps, vec), 0),
                               ("LSTM", (None, out_steps, lstm_units), 4 * lstm_units * (vec + lstm_units + 1)),
                               ("Dense", (None, out_steps, o), lstm_units * o + o)], (None, vec),
                              _one_to_many_tips_for(vec, out_steps, o),
                              hint=f"Every layer after RepeatVector keeps the {out_steps} steps."),
        hints=[f"The input is keras.Input(shape=({vec},)). An LSTM needs steps: RepeatVector(n) makes n copies of the "
               f"vector.",
               f"RepeatVector({out_steps}), then LSTM({lstm_units}, return_sequences=True) so every step comes out, "
               f"then {dense} at every step.",
               f"keras.Sequential([keras.Input(shape=({vec},)), keras.layers.RepeatVector({out_steps}), "
               f"keras.layers.LSTM({lstm_units}, return_sequences=True), keras.layers.{dense}])"],
        answer_hints=2,   # the second hint assembles the model: a graded release shows only the first
        answer=(f"one_to_many = keras.Sequential([\n    keras.Input(shape=({vec},)),\n"
                f"    keras.layers.RepeatVector({out_steps}),\n"
                f"    keras.layers.LSTM({lstm_units}, return_sequences=True),\n    keras.layers.{dense},\n])"),
    )

    q7 = Exercise(
        lesson="08", id="q7", points=1, params=p,
        prompt=f"The decoder step model takes [previous prediction (None, 1, 1), h, c] and runs the decoder "
               f"LSTM({du}, return_sequences=True, return_state=True) and Dense(1). List the shapes it returns: "
               f"[prediction, h, c].",
        reads="step_shapes",
        check=_step_check(du),
        hints=["One call is one step: the input is a sequence of length 1, and the decoder returns sequences.",
               f"The states of an LSTM({du}) are one vector of {du} per sample; they have no time axis.",
               f"[(None, 1, 1), (None, {du}), (None, {du})]"],
        answer=f"step_shapes = [(None, 1, 1), (None, {du}), (None, {du})]",
    )
    ts, tt, tc = p["tag_samples"], p["tag_steps"], p["tag_classes"]
    q8 = Exercise(
        lesson="08", id="q8", points=1, params=p,
        prompt=f"A tagger outputs (None, {tt}, {tc}): softmax scores for {tc} classes at each of {tt} steps. You train "
               f"it on {ts} sequences with sparse_categorical_crossentropy. What shape must y have?",
        reads="label_shape",
        check=_label_check(ts, tt, tc),
        hints=["Sparse labels are integers: one class index where the output has a whole vector of class scores.",
               f"Take the output shape (None, {tt}, {tc}), put the number of sequences where the None is, and drop "
               f"the classes axis.",
               f"({ts}, {tt})"],
        answer=f"label_shape = ({ts}, {tt})",
    )
    hs, ht, hc = p["hot_samples"], p["hot_steps"], p["hot_classes"]
    q9 = Exercise(
        lesson="08", id="q9", points=1, params=p,
        prompt=f"keras.utils.to_categorical(labels, num_classes={hc}) on integer labels of shape ({hs}, {ht}): what "
               f"shape comes out, and which loss (its string name) trains a model with output (None, {ht}, {hc}) on "
               f"those targets? Write (shape, loss).",
        reads="one_hot_answer",
        check=_one_hot_check(hs, ht, hc),
        hints=["to_categorical replaces every integer label by a vector of num_classes numbers, all 0 but one 1.",
               "Keras has two cross-entropies for softmax outputs: one reads integer labels, the other reads "
               "one-hot vectors of the output's shape.",
               f"(({hs}, {ht}, {hc}), \"categorical_crossentropy\")"],
        answer=f"one_hot_answer = (({hs}, {ht}, {hc}), \"categorical_crossentropy\")",
    )
    return [q1, q2, q3, q4, q5, q6, q7, q8, q9]


EXERCISES = build(DEFAULTS)
q1, q2, q3, q4, q5, q6, q7, q8, q9 = EXERCISES
