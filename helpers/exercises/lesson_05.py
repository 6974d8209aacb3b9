"""Lesson 05, states and cells: return_state, the last hidden state, initial_state, encoder to
decoder, parameter counts with gates, stacked cells, Bidirectional states."""
from __future__ import annotations

import numbers

import numpy as np

from .backend_values import plain
from .engine import Exercise, Reject, Result, as_shape, describe, int_check, shape_with_tips
from .formulas import fitted
from .models import layer_forms, layer_table, model_with_tips, shape_matches, with_notes


def _shape_list(value, what: str) -> list[tuple]:
    """Read a list of shapes (what ``return_state=True`` gives back); Reject with a reason otherwise."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise Reject(f"Expected a list of shapes, one per tensor {what} returns, got {describe(value)}.")
    if value and all(item is None or isinstance(item, numbers.Integral) for item in value):
        raise Reject(f"That is one shape. With return_state=True, {what} returns a list of tensors: "
                     "write a list with one shape per tensor, e.g. [(None, 4), (None, 4)].")
    return [as_shape(item) for item in value]


def shape_list_check(expected: list, what: str, tips: dict):
    """A check for a list of shapes; ``tips`` maps a typical wrong list (as a tuple of shapes) to a message."""
    expected = [tuple(s) for s in expected]
    tips = {tuple(tuple(s) for s in k): v for k, v in tips.items()}

    def check(value):
        shapes = _shape_list(value, what)
        if shapes == expected:
            return Result(True, f"{len(expected)} tensors: {', '.join(map(str, expected))}.")
        if tuple(shapes) in tips:
            return Result(False, tips[tuple(shapes)])
        if len(shapes) != len(expected):
            return Result(False, f"You listed {len(shapes)} tensors; {what} returns {len(expected)}.")
        for i, (got, want) in enumerate(zip(shapes, expected)):
            if got != want:
                name = "the output" if i == 0 else f"state {i}"
                return Result(False, f"Tensor {i} ({name}) is {want}, not {got}.")
        return Result(False, "Not the expected shapes.")  # pragma: no cover - every branch above returns

    def form(value):
        if len(_shape_list(value, what)) != len(expected):
            raise Reject(f"Expected a list of {len(expected)} shapes, one per tensor {what} returns.")

    check.form, check.tips, check.expected = form, tips, expected
    return check


# -- q2: the last hidden state, from the whole sequence ----------------------------------------
def _last_step_cases(rng):
    sizes = [(2, 4, 3), (3, 5, 6), (1, 2, 2), (5, 3, 4)]
    return [(rng.normal(size=size).astype("float32"),) for size in sizes]


def _judge_last_step(cases, outputs):
    for (seq,), got in zip(cases, outputs):
        want = seq[:, -1, :]
        call = f"last_step(array of shape {seq.shape})"
        try:
            got = np.asarray(got, dtype="float64")
        except (TypeError, ValueError):
            raise Reject(f"{call} returned {describe(got)}; return a numpy array.") from None
        if got.shape == want.shape and np.allclose(got, want, atol=1e-6):
            continue
        batch, steps, units = seq.shape
        if got.shape == (steps, units) and np.allclose(got, seq[-1]):
            return Result(False, f"{call} gave the whole last sample, shape {got.shape}. Axis 0 is the batch: "
                                 "keep every sample and pick the last timestep (axis 1).")
        if got.shape == want.shape and np.allclose(got, seq[:, 0, :]):
            return Result(False, f"{call} gave the FIRST timestep. The final state is the one after the last step.")
        if got.shape == (batch, steps) and np.allclose(got, seq[:, :, -1]):
            return Result(False, f"{call} gave the last unit at every step (axis 2). Pick the last timestep (axis 1).")
        if got.shape == (batch, 1, units):
            return Result(False, f"{call} has shape {got.shape}: drop the time axis, (batch, units) is {want.shape}.")
        return Result(False, f"{call} has shape {got.shape}; expected {want.shape}, the last timestep of every sample.")
    return Result(True, f"Your function picks the last hidden state on {len(cases)} arrays of different shapes.")


q2 = Exercise(
    lesson="05", id="q2", points=2, kind="function",
    prompt="Write last_step(outputs): given return_sequences outputs (batch, timesteps, units), return the final hidden state (batch, units).",
    reads="last_step",
    make_inputs=_last_step_cases,
    check=_judge_last_step,
    hints=["The axes are (batch, timesteps, units). Which axis do you index to pick one timestep?",
           "Keep every sample (:), take the last timestep (-1), keep every unit (:).",
           "return outputs[:, -1, :]"],
    answer="def last_step(outputs):\n    return outputs[:, -1, :]",
)


# -- q4: an encoder hands its states to a decoder ----------------------------------------------
def _encoder_decoder_tips_for(units: int, dec_steps: int):
    """The tips of q4 for LSTMs of ``units`` and a decoder of ``dec_steps`` steps."""
    def tips(rows, input_shape):
        lstms = [r for r in rows if r["type"] == "LSTM"]
        if len(lstms) == 1 and shape_matches(lstms[0]["output_shape"], (None, dec_steps, units), any_length=True):
            return ("The decoder LSTM needs the encoder's states: call it with initial_state=[h, c]. Without it "
                    "nothing connects the encoder to the output, so Keras leaves the encoder out of the model "
                    f"(yours has {len(rows)} layers: {', '.join(layer_forms(rows))}).")
        if rows[0]["type"] == "LSTM" and not isinstance(rows[0]["output_shape"], list):
            return ("The encoder LSTM returns a single tensor: add return_state=True so it also gives back h and c "
                    "for the decoder.")
        sizes = [r["output_shape"][0] if isinstance(r["output_shape"], list) else r["output_shape"] for r in lstms]
        if len(sizes) == 2 and all(isinstance(s, tuple) and s for s in sizes) and sizes[0][-1] != sizes[1][-1]:
            return (f"The encoder LSTM has {sizes[0][-1]} units and the decoder {sizes[1][-1]}. The decoder starts "
                    f"from the encoder's h and c, so the two need the same size: LSTM({units}) each.")
        if len(rows) >= 2 and rows[1]["type"] == "LSTM" and rows[1]["output_shape"] == (None, units):
            return f"The decoder must return a prediction for each of its {dec_steps} steps: return_sequences=True."
        return None

    return tips


def _states_given(model, rows):
    """(the decoder's initial_state, the encoder's [output, h, c]) read from Keras' graph, or None."""
    try:
        lstms = [r["layer"] for r in rows if r["type"] == "LSTM"]
        encoder = next(layer for layer in lstms if layer.return_state)
        decoder = next(layer for layer in lstms if layer is not encoder)
        given = decoder._inbound_nodes[0].arguments.kwargs.get("initial_state")
        return (None if given is None else list(given)), list(encoder._inbound_nodes[0].output_tensors)
    except Exception:  # noqa: BLE001 - a graph this check cannot read is judged on its outputs alone
        return None


def _states_swapped(model, rows) -> bool:
    """True when the decoder LSTM was called with initial_state=[c, h] (read from Keras' graph)."""
    read = _states_given(model, rows)
    if read is None or read[0] is None or len(read[0]) != 2 or len(read[1]) != 3:
        return False
    given, returned = read
    return given[0] is returned[2] and given[1] is returned[1]


def _wrong_number_of_states(model, rows) -> bool:
    """True when the decoder's initial_state is not 2 tensors. TensorFlow and JAX refuse [output, h, c]
    when the model runs; PyTorch runs it (as h=output, c=h), so the graph is read on every backend."""
    read = _states_given(model, rows)
    return read is not None and read[0] is not None and len(read[0]) != 2


def encoder_decoder_params(units: int, enc_features: int, dec_features: int) -> list[int]:
    """The parameters of q4's encoder LSTM, decoder LSTM and Dense(1) head.

    >>> encoder_decoder_params(8, 3, 2)
    [384, 352, 9]
    """
    return [4 * units * (enc_features + units + 1), 4 * units * (dec_features + units + 1), units + 1]


def _encoder_decoder_check(units: int, enc_steps: int, enc_features: int, dec_steps: int, dec_features: int):
    """q4's check: LSTM(units, return_state=True) on (enc_steps, enc_features) hands [h, c] to an
    LSTM(units, return_sequences=True) on (dec_steps, dec_features), then Dense(1)."""
    u, enc_shape, dec_shape = units, (None, enc_steps, enc_features), (None, dec_steps, dec_features)
    enc_params, dec_params, head_params = encoder_decoder_params(u, enc_features, dec_features)
    base = model_with_tips([("LSTM", [(None, u)] * 3, enc_params), ("LSTM", (None, dec_steps, u), dec_params),
                            ("Dense", (None, dec_steps, 1), head_params)], None,
                           _encoder_decoder_tips_for(u, dec_steps), any_length=True)

    def check(model):
        result = base(model)
        if not result.ok:
            return result
        rows = layer_table(model)
        shapes = [tuple(t.shape) for t in model.inputs]
        if len(shapes) != 2 or not any(shape_matches(shapes[a], enc_shape, True)
                                       and shape_matches(shapes[1 - a], dec_shape, True) for a in (0, 1)):
            return Result(False, f"The model's inputs are {shapes}; it needs two: the encoder's {enc_shape} "
                                 f"and the decoder's {dec_shape}.")
        # The decoder must start from the encoder's states: changing only the encoder's input must change the output.
        rng = np.random.default_rng(0)
        enc = [rng.normal(size=(2, enc_steps, enc_features)).astype("float32") for _ in range(2)]
        dec = rng.normal(size=(2, dec_steps, dec_features)).astype("float32")
        order = [0, 1] if shapes[0][2] == enc_features else [1, 0]

        def run(enc_x):
            feed = [None, None]
            feed[order[0]], feed[order[1]] = enc_x, dec
            return plain(model(feed))

        exactly_h_c = ("Check the decoder's initial_state: an LSTM takes exactly [h, c], the 2nd and 3rd tensors "
                       "that return_state=True gives back (encoded[1:]), not all three and not h alone.")
        if _wrong_number_of_states(model, rows):
            return Result(False, f"The decoder's initial_state holds {len(_states_given(model, rows)[0])} "
                                 f"tensors. {exactly_h_c}")
        try:
            first, second = run(enc[0]), run(enc[1])
        except Exception as err:  # noqa: BLE001 - a model that builds but cannot run
            return Result(False, f"Your model builds but fails when called ({type(err).__name__}). {exactly_h_c}")
        if np.allclose(first, second):
            return Result(False, "The decoder ignores the encoder: pass the encoder's states to it with "
                                 "initial_state=[h, c].")
        if _states_swapped(model, rows):
            return Result(False, "The decoder's initial_state has h and c swapped. return_state=True gives "
                                 "[output, h, c], and an LSTM takes initial_state=[h, c] in that order.")
        total = sum(r["params"] for r in rows)
        return Result(True, with_notes(f"The decoder starts from the encoder's h and c: {total} parameters, two "
                                       "inputs, one prediction per decoder step.", rows))

    check.form = base.form
    return check


q2.answer_hints = 2   # its second hint spells out the indexing

DEFAULTS = {"lstm_units": 5, "lstm_steps": 7, "lstm_features": 3, "gru_units": 16, "gru_steps": 20, "gru_features": 4,
            "count_units": 4, "count_features": 2, "cell_a": 4, "cell_b": 6, "cell_steps": 5, "cell_features": 3,
            "bidi_units": 4, "bidi_steps": 5, "bidi_features": 3,
            "s2s_units": 8, "s2s_enc_steps": 10, "s2s_enc_features": 3, "s2s_dec_steps": 6, "s2s_dec_features": 2}

TEXTS = [
    "An `LSTM({lstm_units}, return_state=True)` reads `keras.Input(shape=({lstm_steps}, {lstm_features}))`.",
    "lstm_return_shapes = [(None, {lstm_units}), (None, {lstm_units}), (None, {lstm_units})]",
    "A `GRU({gru_units})` reads sequences of shape `({gru_steps}, {gru_features})`.",
    "h0_input_shape = ({gru_units},)",
    "How many parameters does `keras.layers.GRU({count_units})` have on sequences with **{count_features}** features,",
    "gru_params = 3 * ({count_features} * {count_units} + {count_units} * {count_units} + 2 * {count_units})",
    "`keras.layers.RNN([SimpleRNNCell({cell_a}), SimpleRNNCell({cell_b})], return_state=True)` on "
    "`keras.Input(shape=({cell_steps}, {cell_features}))`.",
    "stacked_cell_shapes = [(None, {cell_b}), (None, {cell_a}), (None, {cell_b})]",
    "returned = keras.layers.RNN([keras.layers.SimpleRNNCell({cell_a}), keras.layers.SimpleRNNCell({cell_b})], "
    "return_state=True)(keras.Input(shape=({cell_steps}, {cell_features})))",
    "`keras.layers.Bidirectional(keras.layers.LSTM({bidi_units}, return_state=True))` on "
    "`keras.Input(shape=({bidi_steps}, {bidi_features}))`.",
    "bidi_shapes = [(None, {bidi_both}), (None, {bidi_units}), (None, {bidi_units}), (None, {bidi_units}), "
    "(None, {bidi_units})]",
    "**Your turn.** Build `seq2seq_model` with **LSTMs**: an encoder `LSTM({s2s_units}, return_state=True)` reads "
    "`({s2s_enc_steps}, {s2s_enc_features})`; its `[h, c]` start a decoder `LSTM({s2s_units}, return_sequences=True)` "
    "reading `({s2s_dec_steps}, {s2s_dec_features})`;",
    "encoder_input = keras.Input(shape=({s2s_enc_steps}, {s2s_enc_features}))",
    "decoder_input = keras.Input(shape=({s2s_dec_steps}, {s2s_dec_features}))",
    "encoded = keras.layers.LSTM({s2s_units}, return_state=True)(encoder_input)",
    "decoded = keras.layers.LSTM({s2s_units}, return_sequences=True)(decoder_input,",
]


def text_values(p: dict) -> dict:
    """The parameters plus the sizes the lesson text derives from them."""
    return {**p, "bidi_both": 2 * p["bidi_units"]}


def _gru_near(f: int, u: int) -> dict:
    return {
        3 * (f * u + u * u + u): f"{3 * (f * u + u * u + u)} is the count with reset_after=False: one bias vector per "
                                 "block. That was the default of standalone Keras up to 2.2 (and of tf.compat.v1); "
                                 "tf.keras in TensorFlow 2 and Keras 3 default to reset_after=True, which keeps two "
                                 "bias vectors per block.",
        3 * (f * u + u * u): f"{3 * (f * u + u * u)} leaves out the biases. A GRU has 3 blocks of weights (update "
                             "gate, reset gate, candidate), and with Keras 3's defaults each block has two bias vectors.",
        u * (f + u + 1): f"{u * (f + u + 1)} is a SimpleRNN of that size. A GRU has 3 such blocks: the update gate, "
                         "the reset gate and the candidate.",
        4 * (f * u + u * u + u): f"{4 * (f * u + u * u + u)} is an LSTM of that size: 3 gates plus a candidate, 4 "
                                 "blocks. A GRU has 2 gates plus a candidate: 3 blocks.",
        f * u + u * u + 2 * u: f"{f * u + u * u + 2 * u} is one block with two biases. A GRU has 3 blocks: 2 gates "
                               "(update, reset) and the candidate.",
    }


def draw(rng) -> dict:
    """Other valid numbers, each exercise's answer different from the published one.

    >>> import numpy as np
    >>> draw(np.random.default_rng(0))["gru_units"] != 16
    True
    """
    while True:
        p = {"lstm_units": int(rng.integers(2, 17)), "lstm_steps": int(rng.integers(3, 21)),
             "lstm_features": int(rng.integers(2, 9)), "gru_units": int(rng.choice([6, 8, 10, 12, 20, 24, 32, 64])),
             "gru_steps": int(rng.integers(5, 51)), "gru_features": int(rng.integers(2, 9)),
             "count_units": int(rng.integers(2, 9)), "count_features": int(rng.integers(1, 7)),
             "cell_a": int(rng.integers(2, 13)), "cell_b": int(rng.integers(2, 13)), "cell_steps": int(rng.integers(3, 15)),
             "cell_features": int(rng.integers(2, 7)), "bidi_units": int(rng.integers(2, 17)),
             "bidi_steps": int(rng.integers(3, 15)), "bidi_features": int(rng.integers(2, 7)),
             "s2s_units": int(rng.integers(2, 17)), "s2s_enc_steps": int(rng.integers(3, 21)),
             "s2s_enc_features": int(rng.integers(2, 9)), "s2s_dec_steps": int(rng.integers(2, 13)),
             "s2s_dec_features": int(rng.integers(1, 7))}
        gru = _gru_near(p["count_features"], p["count_units"])
        gru_answer = 3 * (p["count_features"] * p["count_units"] + p["count_units"] ** 2 + 2 * p["count_units"])
        fair = (len({p["lstm_units"], p["lstm_steps"], p["lstm_features"]}) == 3 and p["lstm_units"] != 5
                and len({p["gru_units"], p["gru_steps"], p["gru_features"]}) == 3 and p["gru_steps"] != 1
                and len(gru) == 5 and gru_answer not in gru and gru_answer != 96
                and p["cell_a"] != p["cell_b"] and p["cell_steps"] not in (p["cell_a"], p["cell_b"])
                and (p["cell_a"], p["cell_b"]) != (4, 6)
                and p["bidi_units"] != 4 and p["bidi_steps"] != p["bidi_units"]
                # q4: the published model's units never fit; the features tell the two inputs apart
                and p["s2s_units"] != 8 and p["s2s_enc_features"] != p["s2s_dec_features"]
                and p["s2s_enc_steps"] != p["s2s_dec_steps"])
        if fair:
            return p


# -- q1, q3-q7: the fixed-value exercises and the model, for any numbers -------------------------------
# build(DEFAULTS) is the published lesson; q2 (a function on random inputs) is the same in every variant.
def build(p: dict = DEFAULTS) -> list:
    """The lesson's exercises for the numbers ``p`` (``DEFAULTS``: the published lesson)."""
    p = {**DEFAULTS, **p}
    lu, lt, lf = p["lstm_units"], p["lstm_steps"], p["lstm_features"]
    gu, gt, gf = p["gru_units"], p["gru_steps"], p["gru_features"]
    cu, cf = p["count_units"], p["count_features"]
    a, b, ct = p["cell_a"], p["cell_b"], p["cell_steps"]
    bu, bt, bf = p["bidi_units"], p["bidi_steps"], p["bidi_features"]
    su, et, ef, dt, df = (p["s2s_units"], p["s2s_enc_steps"], p["s2s_enc_features"], p["s2s_dec_steps"],
                          p["s2s_dec_features"])
    q1 = Exercise(
        lesson="05", id="q1", points=1, params=p,
        prompt=f"keras.layers.LSTM({lu}, return_state=True) on keras.Input(shape=({lt}, {lf})): list the shapes of "
               "the tensors it returns.",
        reads="lstm_return_shapes",
        check=shape_list_check([(None, lu)] * 3, f"LSTM({lu}, return_state=True)", {
            ((None, lu), (None, lu)): "That is what SimpleRNN and GRU return: [output, h]. An LSTM also carries a "
                                      "cell state c, so it returns [output, h, c].",
            ((None, lt, lu), (None, lu), (None, lu)): "Without return_sequences=True the output is only the last "
                                                      f"step: (None, {lu}), not one vector per timestep.",
            ((None, lu),): "return_state=True adds the states after the output: [output, h, c].",
            ((None, lt, lu), (None, lu)): "Two things are off: without return_sequences the output is only the last "
                                          "step, and an LSTM returns two states, h and c.",
            ((None, lf), (None, lu), (None, lu)): f"Every state has one value per unit ({lu}), whatever the number "
                                                  f"of features going in ({lf}).",
        }),
        hints=["return_state=True returns a list: the usual output first, then the states.",
               f"An LSTM keeps two states, h (hidden) and c (cell); each is one vector of {lu} per sample.",
               f"[(None, {lu}), (None, {lu}), (None, {lu})]"],
        answer=f"lstm_return_shapes = [(None, {lu}), (None, {lu}), (None, {lu})]",
    )
    q3 = Exercise(
        lesson="05", id="q3", points=1, params=p,
        prompt=f"A GRU({gu}) reads sequences of shape ({gt}, {gf}). What shape= do you give the keras.Input that "
               "holds its initial state?",
        reads="h0_input_shape",
        check=shape_with_tips((gu,), ("units",), {
            (None, gu): "keras.Input adds the batch axis itself: give it only the per-sample shape.",
            (gt, gu): "A state has no time axis: it is the memory at one moment, one vector of units per sample.",
            (gf,): f"The state has one value per unit ({gu}), not per feature ({gf}).",
            (gt, gf): f"That is the shape of one input sequence. The state is one vector of {gu} units per sample.",
            (1, gu): "A state is one vector per sample, so shape= holds only its length; the 1 would add an axis, "
                     "and the batch axis is added by keras.Input itself.",
        }, f"keras.Input(shape=({gu},)) gives tensors of shape (None, {gu}), one state vector per sample."),
        hints=["A state is what the layer remembers between steps: one vector per sample, with no time axis.",
               f"How many values does a GRU({gu}) keep per sample? keras.Input adds the batch axis for you.",
               f"({gu},)"],
        answer=f"h0_input_shape = ({gu},)",
    )
    q4 = Exercise(
        lesson="05", id="q4", points=2, params=p,
        prompt=f"Build an encoder-decoder: LSTM({su}, return_state=True) reads ({et}, {ef}); its [h, c] start an "
               f"LSTM({su}, return_sequences=True) on ({dt}, {df}); Dense(1) on top.",
        reads="seq2seq_model",
        check=_encoder_decoder_check(su, et, ef, dt, df),
        hints=["Two keras.Input tensors, one per sequence. The encoder call returns three tensors: "
               f"_, h, c = keras.layers.LSTM({su}, return_state=True)(encoder_input).",
               "The decoder takes them as initial_state=[h, c] when you call it on the decoder input; "
               "then keras.Model([encoder_input, decoder_input], output).",
               f"enc_in = keras.Input(shape=({et}, {ef})); dec_in = keras.Input(shape=({dt}, {df}))\n"
               f"_, h, c = keras.layers.LSTM({su}, return_state=True)(enc_in)\n"
               f"seq = keras.layers.LSTM({su}, return_sequences=True)(dec_in, initial_state=[h, c])\n"
               "seq2seq_model = keras.Model([enc_in, dec_in], keras.layers.Dense(1)(seq))"],
        answer=(f"encoder_input = keras.Input(shape=({et}, {ef}))\n"
                f"decoder_input = keras.Input(shape=({dt}, {df}))\n"
                f"_, h, c = keras.layers.LSTM({su}, return_state=True)(encoder_input)\n"
                f"decoded = keras.layers.LSTM({su}, return_sequences=True)(decoder_input, initial_state=[h, c])\n"
                "seq2seq_model = keras.Model([encoder_input, decoder_input], keras.layers.Dense(1)(decoded))"),
    )
    # A GRU has 2 gates (update, reset) and a candidate: 3 blocks of weights side by side.
    q5 = Exercise(
        lesson="05", id="q5", points=1, params=p,
        prompt=f"How many parameters does keras.layers.GRU({cu}) have on sequences with {cf} features (Keras 3 defaults)?",
        reads="gru_params",
        check=int_check(3 * (cf * cu + cu * cu + 2 * cu), f"GRU({cu}) on {cf} features", _gru_near(cf, cu),
                        why=f"3 blocks (update gate, reset gate, candidate) x ({cf}*{cu} kernel + {cu}*{cu} "
                            f"recurrent + 2*{cu} biases).",
                        nudge="Count one block, then times 3.",
                        explain=fitted([("3 kernels", "3 * features * units"), ("3 recurrent kernels", "3 * units * units"),
                                        ("6 bias vectors", "6 * units")], {"features": cf, "units": cu})),
        hints=["A GRU has 2 gates (update, reset) and a candidate: 3 blocks, each with a kernel (features x units), "
               "a recurrent kernel (units x units) and biases.",
               "Keras 3's GRU uses reset_after=True: each block has two bias vectors of length units.",
               f"3 * ({cf}*{cu} + {cu}*{cu} + 2*{cu})"],
        answer=f"gru_params = 3 * ({cf} * {cu} + {cu} * {cu} + 2 * {cu})",
    )
    q6 = Exercise(
        lesson="05", id="q6", points=1, params=p,
        prompt=f"keras.layers.RNN([SimpleRNNCell({a}), SimpleRNNCell({b})], return_state=True) on "
               f"keras.Input(shape=({ct}, {p['cell_features']})): list the shapes it returns.",
        reads="stacked_cell_shapes",
        check=shape_list_check([(None, b), (None, a), (None, b)], "the stacked RNN", {
            ((None, b), (None, b)): f"Each cell keeps its own state, so there is one state per cell: the {a}-unit "
                                    f"cell's and the {b}-unit cell's.",
            ((None, a), (None, b)): f"The output comes first, and it is the top cell's output ({b} units); "
                                    "then one state per cell.",
            ((None, a), (None, a), (None, b)): f"The output is the top cell's: the last cell in the list has {b} units.",
            ((None, b), (None, b), (None, a)): f"States come in the order of the cells: the first cell ({a} units) first.",
            ((None, ct, b), (None, a), (None, b)): f"Without return_sequences=True only the last step comes out: "
                                                   f"(None, {b}).",
        }),
        hints=["The output is what the top (last) cell emits at the last step.",
               "After the output come the states, one per cell, in the order of the list.",
               f"[(None, {b}), (None, {a}), (None, {b})]"],
        answer=f"stacked_cell_shapes = [(None, {b}), (None, {a}), (None, {b})]",
    )
    both = 2 * bu
    q7 = Exercise(
        lesson="05", id="q7", points=1, params=p,
        prompt=f"keras.layers.Bidirectional(keras.layers.LSTM({bu}, return_state=True)) on keras.Input(shape=({bt}, "
               f"{bf})): list the shapes it returns.",
        reads="bidi_shapes",
        check=shape_list_check([(None, both)] + [(None, bu)] * 4, "the Bidirectional LSTM", {
            ((None, both), (None, bu), (None, bu)): "Each direction is its own LSTM with its own h and c: "
                                                    "forward h, forward c, backward h, backward c.",
            ((None, bu),) * 5: f"The two directions' outputs are concatenated: {bu} + {bu} = {both} values per sample.",
            ((None, both),) * 3: "The states are not concatenated: each direction hands back its own "
                                 f"h and c of {bu} units.",
            ((None, both),) * 5: f"Only the output is concatenated ({both}); every state belongs to one direction "
                                 f"({bu} units).",
        }),
        hints=["Bidirectional runs two LSTMs, one forwards and one backwards, and concatenates their outputs.",
               "Each LSTM returns h and c, so four states follow the output.",
               f"[(None, {both}), (None, {bu}), (None, {bu}), (None, {bu}), (None, {bu})]"],
        answer=f"bidi_shapes = [(None, {both}), (None, {bu}), (None, {bu}), (None, {bu}), (None, {bu})]",
    )
    return [q1, q2, q3, q4, q5, q6, q7]


EXERCISES = build(DEFAULTS)
q1, q2, q3, q4, q5, q6, q7 = EXERCISES
