"""Lesson 02, sequences are 3D: (batch, timesteps, features), what a shape claims, windows."""
from __future__ import annotations

import numbers

from .backend_values import plain
from .engine import Exercise, Reject, Result, describe, shape_with_tips
from .models import layer_table, model_check, model_input_shape

AXES = ("batch", "timesteps", "features")


# -- q4: reshape an array so each value is a step -------------------------------------------
# Three values per sample, not two: the lesson's worked fix (and the explainer's) is for 2 values.
def triples_data():
    """The array the lesson calls ``triples``: 6 samples of 3 values each."""
    import numpy as np

    return np.arange(18).reshape(6, 3)


def _check_triples(value):
    import numpy as np

    if isinstance(value, (tuple, list)) and value and all(isinstance(v, numbers.Integral) or v is None for v in value):
        raise Reject("That looks like a shape. This exercise wants the array itself, e.g. triples.reshape(...).")
    if hasattr(value, "layers"):
        raise Reject(f"Expected a numpy array, got {describe(value)}.")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Reject(f"Expected a numpy array, got {describe(value)}.") from None
    want = triples_data()[..., None]
    shape = array.shape
    if shape == (6, 1, 3):
        return Result(False, "(6, 1, 3) is one step of three features. The three values arrive one after the other: "
                             "make them steps of 1 feature each.")
    if shape == (6, 3):
        return Result(False, "Still 2-D. Add a features axis of size 1 at the end.")
    if shape in ((3, 6, 1), (18, 1, 1), (1, 18, 1), (2, 9, 1), (9, 2, 1)):
        return Result(False, f"{shape} changes the number of samples. There are 6 samples: the batch axis stays 6.")
    if shape == (6, 3, 1, 1):
        return Result(False, "One axis too many: a sequence needs only (samples, timesteps, features).")
    if shape != want.shape:
        return Result(False, f"The array has shape {shape}; the 6 samples stay on the batch axis, and each of a "
                             "sample's values becomes one timestep of 1 feature.")
    if not np.array_equal(array, want):
        if np.array_equal(np.sort(array, axis=None), np.sort(want, axis=None)):
            return Result(False, "The shape is right but values moved between samples or steps. reshape (or "
                                 "[..., None]) keeps every value in its place; transposing does not.")
        return Result(False, "The shape is right but the values are not those of triples: start from triples itself.")
    return Result(True, "(6, 3, 1): each sample's three values are now three steps of one feature, in their "
                        "original order.")


q4 = Exercise(
    lesson="02", id="q4", points=1,
    prompt="Reshape triples (6 samples of 3 values read in order) into the 3-D array an RNN reads one value at a time.",
    reads="triples_as_sequences",
    check=_check_triples,
    hints=["The batch axis stays 6 and the 3 values become 3 timesteps. How many features does each step carry?",
           "Add a last axis of size 1: with reshape(samples, timesteps, 1), or with [..., None].",
           "triples.reshape(6, 3, 1) (or triples[..., None])."],
    answer="triples_as_sequences = triples.reshape(6, 3, 1)",
)


# -- q6: write the windowing function -------------------------------------------------------
def _window_cases(rng):
    cases = [(list(range(8)), 3)]
    for _ in range(5):
        length = int(rng.integers(5, 40))
        timesteps = int(rng.integers(1, min(length - 1, 7) + 1))
        cases.append((rng.normal(size=length).round(3), timesteps))
    return cases


def _reference_windows(series, timesteps):
    import numpy as np

    values = np.asarray(series, dtype=float)
    samples = len(values) - timesteps
    x = np.stack([values[i:i + timesteps] for i in range(samples)])[:, :, None]
    y = values[timesteps:]
    return x, y


def _judge_windows(cases, outputs):
    import numpy as np

    for (series, timesteps), out in zip(cases, outputs):
        call = f"make_windows(<{len(series)} values>, {timesteps})"
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Reject(f"{call} returned {describe(out)}; return two arrays: x, y.")
        want_x, want_y = _reference_windows(series, timesteps)
        try:
            x = np.asarray(out[0], dtype=float)
            y = np.asarray(out[1], dtype=float)
        except (TypeError, ValueError):
            raise Reject(f"{call} returned something that is not two arrays of numbers.") from None
        n = len(series) - timesteps
        if x.shape == want_x.shape:
            pass
        elif x.shape == (n, timesteps):
            return Result(False, f"{call}: x has shape {x.shape}, still 2-D. Add a features axis of size 1: "
                                 f"({n}, {timesteps}, 1).")
        elif x.shape[:1] == (n + 1,):
            return Result(False, f"{call}: {n + 1} windows is one too many: the last window has no next value "
                                 f"to be its target.")
        elif x.shape == (n, 1, timesteps):
            return Result(False, f"{call}: x has shape {x.shape}: timesteps and features are swapped.")
        else:
            return Result(False, f"{call}: x has shape {x.shape}; expected {want_x.shape} (samples, timesteps, 1).")
        if not np.allclose(x, want_x):
            return Result(False, f"{call}: the windows hold the wrong values; window i is series[i : i + timesteps].")
        if y.shape != want_y.shape:
            if y.size == want_y.size:
                return Result(False, f"{call}: y has shape {y.shape}; expected {want_y.shape}, one number per window.")
            return Result(False, f"{call}: y has shape {y.shape}; expected {want_y.shape}, one target per window.")
        if np.allclose(y, want_x[:, -1, 0]) and not np.allclose(y, want_y):
            return Result(False, f"{call}: y is the last value inside each window; the target is the value right after it.")
        if not np.allclose(y, want_y):
            return Result(False, f"{call}: y holds the wrong values; the target of window i is series[i + timesteps].")
    return Result(True, f"Your windows match on {len(cases)} series, from {min(len(c[0]) for c in cases)} "
                        f"to {max(len(c[0]) for c in cases)} values long.")


q6 = Exercise(
    lesson="02", id="q6", points=2, kind="function",
    prompt="Write make_windows(series, timesteps) returning (x, y): x of shape (samples, timesteps, 1) holding "
           "every run of timesteps values, y the value right after each run.",
    reads="make_windows",
    make_inputs=_window_cases,
    check=_judge_windows,
    hints=["Window i is series[i : i + timesteps] and its target is series[i + timesteps]; "
           "i goes from 0 to len(series) - timesteps - 1.",
           "Collect the windows in a list, np.array(...) them, then add a last axis with [..., None].",
           "x = np.array([series[i:i + timesteps] for i in range(len(series) - timesteps)])[..., None]\n"
           "y = np.array(series[timesteps:])"],
    answer=("def make_windows(series, timesteps):\n"
            "    \"\"\"Every run of `timesteps` values of `series` as x (samples, timesteps, 1), and the next value as y.\"\"\"\n"
            "    series = np.asarray(series, dtype=float)\n"
            "    starts = range(len(series) - timesteps)\n"
            "    x = np.array([series[i:i + timesteps] for i in starts])[..., None]\n"
            "    y = series[timesteps:]\n"
            "    return x, y"),
)


# -- q7: fix the broken model, keeping its input (None, 2) ----------------------------------
# The lesson's first fix changes the Input (and the data); this exercise asks for the other fix on
# purpose: a reshaping layer inside the model, so the (500, 2) data goes in as it is.
_FIXED_TABLE = [("SimpleRNN", (None, 10), 120), ("Dense", (None, 1), 11)]
_fixed_inside = model_check([(None, (None, 2, 1), 0)] + _FIXED_TABLE, input_shape=(None, 2),
                            hint="Keep SimpleRNN(10) then Dense(1) after the reshaping layer.")
_fixed_input = model_check(_FIXED_TABLE, input_shape=(None, 2, 1), any_length=True)
_KEEP_INPUT = ("This exercise keeps keras.Input(shape=(2,)), so the (500, 2) data goes in as it is: do the "
               "reshape inside the model, with a layer between the Input and the SimpleRNN.")


def _fixed_model_tips(rows, input_shape):
    if input_shape is not None and len(input_shape) >= 3 and input_shape[:2] == (None, None):
        return (f"The model's input is {input_shape}: the batch axis is inside shape=. keras.Input(shape=...) "
                "describes one sample and adds the batch axis itself. " + _KEEP_INPUT)
    if input_shape == (None, 1, 2):
        return ("(None, 1, 2) builds, but it reads both values in one step, so nothing recurs (and SimpleRNN(10) "
                "gets 130 parameters instead of 120). The values arrive one after the other: 2 steps of 1 feature. "
                + _KEEP_INPUT)
    if input_shape == (None, 2) and rows and rows[0]["output_shape"] != (None, 2, 1):
        got = rows[0]["output_shape"]
        if got == (None, 1, 2):
            return ("The first layer gives (None, 1, 2): both values in one step, so nothing recurs (and "
                    "SimpleRNN(10) gets 130 parameters instead of 120). Make them 2 steps of 1 feature: (None, 2, 1).")
        if rows[0]["type"] == "SimpleRNN" or not any(r["type"] == "SimpleRNN" for r in rows):
            return ("The input (None, 2) is right, but SimpleRNN needs (batch, timesteps, features): put a layer "
                    "in front of it that turns each sample into 2 steps of 1 feature, (None, 2, 1).")
        return (f"The first layer gives {got}; SimpleRNN needs each sample as 2 steps of 1 feature: a layer "
                "that turns (None, 2) into (None, 2, 1).")
    if rows and not any(r["type"] == "SimpleRNN" for r in rows):
        return "The fix keeps SimpleRNN(10): reshape what it receives, not the layer."
    return None


def _first_layer_reshapes(model) -> bool:
    """True when the model's first layer hands on each sample's values unchanged, one per step."""
    import numpy as np

    first = model
    while getattr(first, "layers", None):   # into nested models, down to the first real layer
        first = next(layer for layer in first.layers if type(layer).__name__ != "InputLayer")
    x = np.arange(6, dtype="float32").reshape(3, 2)
    return bool(np.allclose(plain(first(x)), x[..., None]))


def _check_fixed_model(model):
    rows = layer_table(model)
    input_shape = model_input_shape(model)
    if input_shape in ((None, 2, 1), (None, None, 1)) and _fixed_input(model).ok:
        return Result(False, "This model computes the same thing (2 steps of 1 feature into SimpleRNN(10), then "
                             "Dense(1)), but its input is now (None, 2, 1): every array must be reshaped before it "
                             "goes in. " + _KEEP_INPUT)
    tip = _fixed_model_tips(rows, input_shape)
    if tip:
        return Result(False, tip)
    result = _fixed_inside(model)
    if result.ok and not _first_layer_reshapes(model):
        return Result(False, "The first layer outputs (None, 2, 1) but changes the values on the way. It should "
                             "only regroup them: value i of a sample becomes step i.")
    return result


q7 = Exercise(
    lesson="02", id="q7", points=2,
    prompt="Fix the broken model without touching the data: keep keras.Input(shape=(2,)), and make SimpleRNN(10) "
           "read each sample's 2 values as 2 steps of 1 feature; Dense(1) on top.",
    reads="fixed_model",
    check=_check_fixed_model,
    hints=["The input stays (None, 2). SimpleRNN needs (batch, timesteps, features): something between them must "
           "regroup each sample's values.",
           "keras.layers.Reshape(target_shape) reshapes each sample inside the model; target_shape leaves out the "
           "batch axis.",
           "keras.Sequential([keras.Input(shape=(2,)), keras.layers.Reshape((2, 1)), keras.layers.SimpleRNN(10), "
           "keras.layers.Dense(1)])"],
    answer=("fixed_model = keras.Sequential([\n    keras.Input(shape=(2,)),\n"
            "    keras.layers.Reshape((2, 1)),\n    keras.layers.SimpleRNN(10),\n    keras.layers.Dense(1),\n])"),
)


# -- q1, q2, q3, q5: the fixed-value exercises, for any numbers ------------------------------
# build(DEFAULTS) is the published lesson. q4 (the lesson's triples array), q6 (function) and
# q7 (the broken model of the lesson) are the same for every variant.
DEFAULTS = {"days": 5, "sequences": 32, "seq_days": 7, "measurements": 3, "hours": 24, "series_length": 100,
            "window": 10}
_WORDS = {3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten",
          11: "eleven", 12: "twelve"}
_SPANS = {12: "half a day", 24: "one day", 36: "a day and a half", 48: "two days", 72: "three days"}


def text_values(p: dict) -> dict:
    """The parameters plus the words the lesson text derives from them."""
    return {**p, "days_word": _WORDS[p["days"]], "Days_word": _WORDS[p["days"]].capitalize(),
            "span": _SPANS[p["hours"]], "windows": p["series_length"] - p["window"]}


TEXTS = [
    "each sample is {days} values that arrive one after the other ({days_word} days of one temperature reading).",
    "rnn_input_shape = ({days}, 1)",
    "A numpy array holds {sequences} sequences, each {seq_days} days of {measurements} measurements.",
    "batch_shape = ({sequences}, {seq_days}, {measurements})",
    "Each sample is {span} of hourly readings: temperature and humidity for each of {hours} hours.",
    "weather_input_shape = ({hours}, 2)",
    "`sliding_windows(series, timesteps={window})` on a series of {series_length} values: what is the shape of `x`? "
    "Predict it from the rule (a window of {window} values,",
    "window_x_shape = ({windows}, {window}, 1)",
]


def draw(rng) -> dict:
    """Other valid numbers, each exercise's answer different from the published one.

    >>> import numpy as np
    >>> draw(np.random.default_rng(0))["hours"] != 24
    True
    """
    while True:
        p = {"days": int(rng.choice([3, 4, 6, 7, 8, 9, 10, 11, 12])),
             "sequences": int(rng.choice([10, 12, 16, 20, 24, 30, 40, 48, 50, 60, 64, 80, 96, 100, 128])),
             "seq_days": int(rng.integers(4, 15)), "measurements": int(rng.integers(2, 7)),
             "hours": int(rng.choice([12, 36, 48, 72])),
             "series_length": int(rng.choice([60, 80, 120, 150, 200, 250])), "window": int(rng.integers(4, 31))}
        s, d, m = p["sequences"], p["seq_days"], p["measurements"]
        length, w = p["series_length"], p["window"]
        q5_wrong = [(length - w + 1, w, 1), (length, w, 1), (length // w, w, 1), (length // w - 1, w, 1),
                    (length - w, 1, w)]
        if (len({s, d, m}) == 3 and s != d * m and length - w not in (length // w, length // w - 1, 1, w)
                and len(set(q5_wrong)) == len(q5_wrong)):
            return p


def build(p: dict = DEFAULTS) -> list:
    """The lesson's exercises for the numbers ``p`` (``DEFAULTS``: the published lesson)."""
    p = {**DEFAULTS, **p}
    n, word = p["days"], _WORDS[p["days"]]
    s, d, m = p["sequences"], p["seq_days"], p["measurements"]
    h, span = p["hours"], _SPANS[p["hours"]]
    length, w = p["series_length"], p["window"]
    q1 = Exercise(
        lesson="02", id="q1", points=1, params=p,
        prompt=f"Each sample is {n} values that arrive one after the other ({word} days of one temperature). "
               "What shape goes into keras.Input(shape=...) for SimpleRNN?",
        reads="rnn_input_shape",
        check=shape_with_tips((n, 1), ("timesteps", "features"), {
            (n,): f"({n},) fails just like (2,): with the batch axis added it has 2 axes, and SimpleRNN needs 3 "
                  "(batch, timesteps, features).",
            (None, n, 1): "keras.Input adds the batch axis itself: give it only (timesteps, features).",
            (None, n): f"keras.Input adds the batch axis itself, and ({n},) fails like (2,) did: SimpleRNN needs "
                       "(timesteps, features) per sample.",
            (1, n): f"(1, {n}) builds, but it says all {word} values arrive at the same moment (one step of {word} "
                    "features): there is nothing to recur over. Here they come one day after the other.",
            (2, 1): f"(2, 1) was the fix for 2 values. This time each sample has {n} of them.",
            (n, n): "Each day carries one value (the temperature), so the features axis is 1.",
        }, f"{word.capitalize()} steps of one feature each: keras.Input(shape=({n}, 1))."),
        hints=["keras.Input never includes the batch axis; SimpleRNN wants (timesteps, features) for each sample.",
               "The values arrive one after the other, so they are timesteps. How many values does each step carry?",
               f"{word.capitalize()} timesteps, one feature: ({n}, 1)."],
        answer=f"rnn_input_shape = ({n}, 1)",
    )
    q2 = Exercise(
        lesson="02", id="q2", points=1, params=p,
        prompt=f"A numpy array holds {s} sequences, each {d} days of {m} measurements. What is its shape?",
        reads="batch_shape",
        check=shape_with_tips((s, d, m), AXES, {
            (s, m, d): f"Timesteps come before features: the {d} days are the steps, the {m} measurements are what "
                       "each step carries.",
            (d, m): f"That is one sequence. The array holds all {s} of them, stacked on a first (batch) axis.",
            (None, d, m): "None stands for a batch size Keras does not know yet. A numpy array has a real one: "
                          "count the sequences.",
            (s, d * m): f"Flattening the {d} days of {m} measurements into {d * m} numbers hides which values belong "
                        "to the same day; an RNN needs the days on their own axis.",
            (m, d, s): "The batch axis comes first: (sequences, days, measurements).",
        }),
        hints=["Keras orders the axes (batch, timesteps, features).",
               "Batch = number of sequences, timesteps = days, features = measurements per day."],
        answer=f"batch_shape = ({s}, {d}, {m})",
    )
    q3 = Exercise(
        lesson="02", id="q3", points=1, params=p,
        prompt=f"Each sample is {span} of hourly readings: temperature and humidity for each of {h} hours. "
               "What shape goes into keras.Input(shape=...)?",
        reads="weather_input_shape",
        check=shape_with_tips((h, 2), ("timesteps", "features"), {
            (2, h): f"Swapped: that is 2 steps of {h} values. The hours are the steps; each hour carries 2 readings.",
            (2 * h, 1): f"({2 * h}, 1) claims {2 * h} steps of one quantity, so temperature and humidity would "
                        "alternate as if they were the same measurement. Keep the two readings of an hour together "
                        "on the features axis.",
            (1, 2 * h): f"(1, {2 * h}) is one step of {2 * h} features: the RNN would see "
                        f"{'the whole day' if h == 24 else f'all {h} hours'} at once, with no order left to read.",
            (None, h, 2): "keras.Input adds the batch axis itself: give it only (timesteps, features).",
            (h,): "That leaves out the features axis: each hour carries 2 readings.",
            (h, 1): "Each hour carries 2 readings, temperature and humidity, so the features axis is 2.",
        }),
        hints=["Ask which values arrive together (features) and which arrive one after the other (timesteps).",
               f"{h} hours one after the other, 2 readings per hour."],
        answer=f"weather_input_shape = ({h}, 2)",
    )
    starts, fits = length - w, length // w
    q5 = Exercise(
        lesson="02", id="q5", points=1, params=p,
        prompt=f"sliding_windows(series, timesteps={w}) on a series of {length} values: what is the shape of x?",
        reads="window_x_shape",
        check=shape_with_tips((starts, w, 1), ("samples", "timesteps", "features"), {
            (starts + 1, w, 1): f"Almost: the window that starts at value {starts} ends at the very last value, so "
                                "there is no next value left to be its target. One window fewer.",
            (length, w, 1): f"Not every start fits: a window needs {w} values plus 1 more for its target.",
            (fits, w, 1): f"Windows overlap: a new one starts at every step, not every {w} steps.",
            (fits - 1, w, 1): f"Windows overlap: a new one starts at every step, not every {w} steps.",
            (starts, w): "sliding_windows adds the features axis (size 1) so x is ready for an RNN.",
            (None, w, 1): "x is an array, not a model shape: count the windows instead of writing None.",
            (starts, 1, w): f"Swapped: {w} timesteps of 1 feature, so (samples, {w}, 1).",
        }),
        hints=[f"A window starts at every value whose window ({w} values) and target (1 more) fit in the series.",
               f"The last window must end at value {length - 2} so that value {length - 1} is its target: "
               f"starts 0 to {starts - 1}."],
        answer=f"window_x_shape = ({starts}, {w}, 1)",
    )
    return [q1, q2, q3, q4, q5, q6, q7]


EXERCISES = build(DEFAULTS)
q1, q2, q3, q4, q5, q6, q7 = EXERCISES
