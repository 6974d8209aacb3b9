"""Lesson 06, stateful RNNs in Keras 3: the state's shape, a fixed batch size, whole batches,
the partial-batch surprise, streams laid out so state carries over, and a twin for batch size 1."""
from __future__ import annotations

import numpy as np

from .engine import Exercise, Reject, Result, describe, int_check, shape_with_tips
from .models import describe_layers, layer_table, model_input_shape, with_notes


# -- q2: a stateful model with its batch size fixed on the Input -----------------------------------
def _check_stateful_model(model):
    rows = layer_table(model)
    got_in = model_input_shape(model)
    if got_in is not None and got_in[0] is None:
        return Result(False, f"The model's input is {got_in}: the batch size is open. A stateful model fixes it "
                             "with keras.Input(shape=(None, 1), batch_size=4).")
    if got_in is not None and tuple(got_in) != (4, None, 1):
        return Result(False, f"The model's input is {got_in}; this exercise needs (4, None, 1): batch of 4, "
                             "any number of timesteps (None), 1 feature.")
    types = [r["type"] for r in rows]
    if types != ["GRU", "Dense"]:
        return Result(False, f"Your layers are {describe_layers(rows)}; expected a GRU then a Dense.")
    if not rows[0]["stateful"]:
        return Result(False, "The GRU is not stateful: without stateful=True it starts every batch from zeros.")
    if rows[0]["output_shape"] == (4, 8):
        return Result(False, "The GRU returns only its last step; to predict at every step it needs "
                             "return_sequences=True.")
    expected = [(4, None, 8), (4, None, 1)]
    for row, want in zip(rows, expected):
        if row["output_shape"] != want:
            return Result(False, f"{row['form']} outputs {row['output_shape']}; expected {want}.")
    if rows[0]["params"] != 264:
        return Result(False, f"The GRU has {rows[0]['params']} parameters; GRU(8) on 1 feature has 264.")
    return Result(True, with_notes("A stateful GRU(8) with its batch size fixed at 4: it predicts at every step and "
                                   "remembers each of its 4 streams between batches.", rows))


q2 = Exercise(
    lesson="06", id="q2", points=2,
    prompt="Build a stateful model: batches of 4 sequences of any length with 1 feature, GRU(8, stateful=True, return_sequences=True), then Dense(1).",
    reads="stateful_model",
    check=_check_stateful_model,
    hints=["The batch size goes on the input: keras.Input(shape=(timesteps, features), batch_size=...). "
           "None as timesteps accepts any length.",
           "keras.Input(shape=(None, 1), batch_size=4), then the GRU with stateful=True and return_sequences=True.",
           "keras.Sequential([keras.Input(shape=(None, 1), batch_size=4), "
           "keras.layers.GRU(8, stateful=True, return_sequences=True), keras.layers.Dense(1)])"],
    answer=("stateful_model = keras.Sequential([\n"
            "    keras.Input(shape=(None, 1), batch_size=4),\n"
            "    keras.layers.GRU(8, stateful=True, return_sequences=True),\n"
            "    keras.layers.Dense(1),\n])"),
)


# -- q3: laying out a long series so that state carries over -----------------------------------
def _stream_reference(series, batch_size, chunk):
    stream_len = len(series) // batch_size
    steps = stream_len // chunk * chunk
    streams = series[: stream_len * batch_size].reshape(batch_size, stream_len)[:, :steps]
    return streams.reshape(batch_size, steps // chunk, chunk).transpose(1, 0, 2)


def _stream_cases(rng):
    cases = [(np.arange(24.0), 2, 4), (np.arange(30.0), 3, 5), (np.arange(17.0), 2, 3)]
    cases.append((np.round(rng.normal(size=int(rng.integers(40, 80))), 3), int(rng.integers(2, 5)), int(rng.integers(2, 6))))
    return cases


def _judge_streams(cases, outputs):
    for (series, batch, chunk), got in zip(cases, outputs):
        want = _stream_reference(series, batch, chunk)
        call = f"stream_batches(series of {len(series)}, batch_size={batch}, chunk_len={chunk})"
        try:
            got = np.asarray(got, dtype="float64")
        except (TypeError, ValueError):
            raise Reject(f"{call} returned {describe(got)}; return one numpy array.") from None
        if got.shape == want.shape and np.allclose(got, want):
            continue
        if got.shape != want.shape:
            return Result(False, f"{call} has shape {got.shape}; expected {want.shape} = (batches, batch_size, "
                                 "chunk_len).")
        consecutive = series[: want.size].reshape(want.shape)
        if np.allclose(got, consecutive):
            return Result(False, f"{call}: the rows of one batch are consecutive chunks. But the state of row i "
                                 "is carried to row i of the NEXT batch, so row i of batch k+1 must continue row i "
                                 "of batch k: give each row its own stretch of the series.")
        if np.allclose(got, want.transpose(1, 0, 2).reshape(want.shape)):
            return Result(False, f"{call}: right values, wrong axis order. Axis 0 counts batches, axis 1 the rows "
                                 "(streams) in a batch.")
        return Result(False, f"{call} has the right shape but not the right values. Batch k, row i should hold "
                             f"chunk k of stream i.")
    return Result(True, "Row i of every batch continues row i of the batch before: the state carries over.")


q3 = Exercise(
    lesson="06", id="q3", points=2, kind="function",
    prompt="Write stream_batches(series, batch_size, chunk_len): cut a 1-D series into batch_size equal streams "
           "(leftover values at the end dropped), trim each stream to whole chunks, and return batches of shape "
           "(batch_size, chunk_len) so that row i of batch k+1 continues row i of batch k.",
    reads="stream_batches",
    make_inputs=_stream_cases,
    check=_judge_streams,
    hints=["Split the series into batch_size equal streams (drop the leftover values at the end): stream i is "
           "series[i * stream_len:(i + 1) * stream_len], with stream_len = len(series) // batch_size.",
           "Trim each stream to a multiple of chunk_len. Batch k holds chunk k of every stream: "
           "streams[:, k * chunk_len:(k + 1) * chunk_len].",
           "streams = series[:n].reshape(batch_size, stream_len)[:, :steps]; "
           "return streams.reshape(batch_size, steps // chunk_len, chunk_len).transpose(1, 0, 2)"],
    answer=("def stream_batches(series, batch_size, chunk_len):\n"
            "    stream_len = len(series) // batch_size\n"
            "    steps = stream_len // chunk_len * chunk_len\n"
            "    streams = series[: stream_len * batch_size].reshape(batch_size, stream_len)[:, :steps]\n"
            "    batches = streams.reshape(batch_size, steps // chunk_len, chunk_len)\n"
            "    return batches.transpose(1, 0, 2)"),
)


# -- q5: keep whole batches only ----------------------------------------------------------------
def _whole_batch_cases(rng):
    cases = []
    for n, batch in [(9, 4), (8, 4), (7, 2), (3, 5), (25, 6)]:
        x = rng.normal(size=(n, 3, 2)).astype("float32")
        cases.append((x, batch))
    cases.append((rng.normal(size=(int(rng.integers(10, 40)), 4, 1)).astype("float32"), int(rng.integers(2, 7))))
    return cases


def _judge_whole_batches(cases, outputs):
    for (x, batch), got in zip(cases, outputs):
        keep = len(x) // batch * batch
        want = x[:keep]
        call = f"whole_batches(x with {len(x)} samples, {batch})"
        try:
            got = np.asarray(got)
        except (TypeError, ValueError):
            raise Reject(f"{call} returned {describe(got)}; return a numpy array.") from None
        if got.shape == want.shape and np.array_equal(got, want):
            continue
        if got.ndim == 0:
            return Result(False, f"{call} returned a single value; return the samples you keep (an array).")
        if got.shape[1:] != x.shape[1:]:
            return Result(False, f"{call} changed the shape of a sample to {got.shape[1:]}; cut along axis 0 only.")
        if len(got) == len(x):
            return Result(False, f"{call} kept all {len(x)} samples; drop the {len(x) - keep} left over after "
                                 f"the last full batch of {batch}.")
        if len(got) == batch and keep != batch:
            return Result(False, f"{call} kept only one batch ({batch} samples); keep every full batch: {keep} samples.")
        if len(got) == keep and np.array_equal(got, x[len(x) - keep:]):
            return Result(False, f"{call} dropped samples from the front. Keep the order and the start of the "
                                 "series; drop the tail.")
        if len(got) > len(x):
            return Result(False, f"{call} returned {len(got)} samples: padding adds fake samples the state would "
                                 "carry on from. Drop the tail instead.")
        return Result(False, f"{call} returned {len(got)} samples; expected the first {keep}.")
    return Result(True, f"Your function keeps whole batches only, on {len(cases)} cases "
                        "(including one where no full batch fits).")


q5 = Exercise(
    lesson="06", id="q5", points=1, kind="function",
    prompt="Write whole_batches(x, batch_size): the first samples of x, as many as fill whole batches (drop the partial tail).",
    reads="whole_batches",
    make_inputs=_whole_batch_cases,
    check=_judge_whole_batches,
    hints=["How many full batches fit in len(x) samples? Integer division: len(x) // batch_size.",
           "Keep that many batches times batch_size samples, from the start.",
           "return x[: len(x) // batch_size * batch_size]"],
    answer="def whole_batches(x, batch_size):\n    return x[: len(x) // batch_size * batch_size]",
)


# -- q6: a twin that takes one sequence at a time --------------------------------------------
def _check_twin(model):
    rows = layer_table(model)
    got_in = model_input_shape(model)
    if got_in is not None and tuple(got_in) != (1, None, 1):
        tip = " Keep the batch size fixed (1), not open (None): the GRU is stateful." if got_in[0] is None else ""
        return Result(False, f"The twin's input is {got_in}; it needs (1, None, 1): one sequence at a time.{tip}")
    types = [r["type"] for r in rows]
    if types != ["GRU", "Dense"]:
        return Result(False, f"The twin's layers are {describe_layers(rows)}; a twin repeats the trained model's "
                             "layers: GRU then Dense.")
    gru, dense = rows
    if not gru["stateful"]:
        return Result(False, "The twin's GRU is not stateful, so it would forget between calls; keep stateful=True.")
    if [r["params"] for r in rows] != [264, 9]:
        return Result(False, f"The twin has {[r['params'] for r in rows]} parameters per layer; the trained model "
                             "has [264, 9]: same layers, same sizes.")
    if not any(np.abs(w).sum() > 0 for w in dense["layer"].get_weights()[1:]) and \
            not np.any(gru["layer"].get_weights()[-1]):
        return Result(False, "The twin still has its fresh initial weights (all biases are zero): copy the trained "
                             "weights in with twin.set_weights(model.get_weights()).")
    return Result(True, with_notes("A batch-size-1 twin with the trained weights: ready to forecast step by step.",
                                   rows))


q6 = Exercise(
    lesson="06", id="q6", points=2,
    prompt="Make forecaster: a twin of the trained stateful model that takes 1 sequence at a time (batch size 1), with the trained weights.",
    reads="forecaster",
    check=_check_twin,
    hints=["Either build the same layers on keras.Input(shape=(None, 1), batch_size=1) and copy the weights with "
           "set_weights, or let helpers.states do it.",
           "helpers.states.with_batch_size(model, 1) rebuilds the model for batch size 1 and copies the weights.",
           "forecaster = with_batch_size(model, 1)"],
    answer="forecaster = with_batch_size(model, 1)",
)

q6.answer_hints = 2   # its second hint names the helper call that is the answer

DEFAULTS = {"state_batch": 2, "state_steps": 5, "state_features": 3, "state_units": 4,
            "predict_batch": 4, "full_batches": 2}
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def text_values(p: dict) -> dict:
    """The parameters plus the sample count the lesson text states."""
    return {**p, "samples": p["predict_batch"] * p["full_batches"] + 1,
            "rows_sum": " + ".join([str(p["predict_batch"])] * (p["full_batches"] + 1))}


TEXTS = [
    "With `keras.Input(shape=({state_steps}, {state_features}), batch_size={state_batch})` and "
    "`SimpleRNN({state_units}, stateful=True)`, what is the shape of the layer's state",
    "state_shape = ({state_batch}, {state_units})",
    "`batch_size={predict_batch}` runs `model.predict(x, batch_size={predict_batch})` on {samples} samples.",
    "rows_out = {rows_sum}",
]


def draw(rng) -> dict:
    """Other valid numbers, each exercise's answer different from the published one.

    >>> import numpy as np
    >>> draw(np.random.default_rng(0))["full_batches"] >= 2
    True
    """
    while True:
        p = {"state_batch": int(rng.integers(2, 33)), "state_steps": int(rng.integers(3, 41)),
             "state_features": int(rng.integers(2, 9)), "state_units": int(rng.integers(3, 33)),
             "predict_batch": int(rng.choice([3, 5, 6, 8])), "full_batches": int(rng.integers(2, 6))}
        b, t, f, u = p["state_batch"], p["state_steps"], p["state_features"], p["state_units"]
        k, n = p["full_batches"], p["predict_batch"]
        if len({b, t, f, u, 1}) == 5 and (b, u) != (2, 4) and n != k + 1 and (k + 1) * n != 12:
            return p


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# -- q1, q4: the fixed-value exercises, for any numbers ---------------------------------------
# build(DEFAULTS) is the published lesson. q2 and q6 (models) keep their numbers: the lesson
# trains and forecasts with them; q3 and q5 are functions.
def build(p: dict = DEFAULTS) -> list:
    """The lesson's exercises for the numbers ``p`` (``DEFAULTS``: the published lesson)."""
    p = {**DEFAULTS, **p}
    b, t, f, u = p["state_batch"], p["state_steps"], p["state_features"], p["state_units"]
    n, k = p["predict_batch"], p["full_batches"]
    samples, rows = n * k + 1, n * (k + 1)
    q1 = Exercise(
        lesson="06", id="q1", points=1, params=p,
        prompt=f"SimpleRNN({u}, stateful=True) reads keras.Input(shape=({t}, {f}), batch_size={b}). What is the shape "
               "of its state (layer.states[0])?",
        reads="state_shape",
        check=shape_with_tips((b, u), ("batch", "units"), {
            (None, u): "A stateful layer stores its state in a variable, and a variable needs a real size: the batch "
                       f"size is fixed ({b}), which is why keras.Input needs batch_size=.",
            (u,): "There is one state row per sample in the batch: row i continues sample i in the next batch.",
            (b, t, u): "A state has no time axis: it is the memory after the last step, one vector per sample.",
            (1, u): f"There is one state row per sample of the batch, and the batch holds {b} samples.",
            (b, f): f"The state has one value per unit ({u}), not per feature ({f}).",
            (t, u): f"The state has one row per sample of the batch ({b}), not per timestep.",
        }, f"One row of {u} units per sample of the fixed batch of {b}."),
        hints=["The state is kept between batches, so Keras must know how many samples it remembers.",
               f"One state vector of {u} units per sample, and the batch size is fixed at {b}.",
               f"({b}, {u})"],
        answer=f"state_shape = ({b}, {u})",
    )
    q4 = Exercise(
        lesson="06", id="q4", points=1, params=p,
        prompt=f"A stateful model built for batch_size={n} predicts on {samples} samples with "
               f"model.predict(x, batch_size={n}). How many rows come out?",
        reads="rows_out",
        check=int_check(rows, "the number of rows predict returns", {
            samples: f"That is what you would hope, but Keras 3 runs the lone {_ordinal(samples)} sample from "
                     f"each of the {n} stored state rows (numpy broadcasting), so the last batch returns {n} rows.",
            n * k: f"Keras 3 does not drop the partial batch: the lone {_ordinal(samples)} sample is run from "
                   f"each of the {n} state rows.",
            n: f"Every batch returns rows: {_WORDS.get(k, k)} full batches of {n}, plus the partial one.",
            k + 1: f"Count rows, not batches: {k} full batches of {n} rows, then the partial batch.",
        }),
        hints=["Look at the measurement above: 7 samples with batch_size=2 gave 8 rows.",
               f"{samples} samples = {k} full batches of {n} + 1 sample; that sample is run once per "
                            "stored state row.",
               " + ".join([str(n)] * (k + 1))],
        answer="rows_out = " + " + ".join([str(n)] * (k + 1)),
    )
    return [q1, q2, q3, q4, q5, q6]


EXERCISES = build(DEFAULTS)
q1, q2, q3, q4, q5, q6 = EXERCISES
