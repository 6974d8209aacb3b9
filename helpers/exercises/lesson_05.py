"""Lesson 05, states and cells: return_state, the last hidden state, initial_state, encoder to
decoder, parameter counts with gates, stacked cells, Bidirectional states."""
from __future__ import annotations

import numbers

import numpy as np

from .engine import Exercise, Reject, Result, as_shape, describe, int_check, shape_with_tips
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

    return check


# -- q1: what return_state gives back ---------------------------------------------------------
q1 = Exercise(
    lesson="05", id="q1", points=1,
    prompt="keras.layers.LSTM(5, return_state=True) on keras.Input(shape=(7, 3)): list the shapes of the tensors it returns.",
    reads="lstm_return_shapes",
    check=shape_list_check([(None, 5)] * 3, "LSTM(5, return_state=True)", {
        ((None, 5), (None, 5)): "That is what SimpleRNN and GRU return: [output, h]. An LSTM also carries a "
                                "cell state c, so it returns [output, h, c].",
        ((None, 7, 5), (None, 5), (None, 5)): "Without return_sequences=True the output is only the last step: "
                                              "(None, 5), not one vector per timestep.",
        ((None, 5),): "return_state=True adds the states after the output: [output, h, c].",
        ((None, 7, 5), (None, 5)): "Two things are off: without return_sequences the output is only the last "
                                   "step, and an LSTM returns two states, h and c.",
        ((None, 3), (None, 5), (None, 5)): "Every state has one value per unit (5), whatever the number of "
                                           "features going in (3).",
    }),
    hints=["return_state=True returns a list: the usual output first, then the states.",
           "An LSTM keeps two states, h (hidden) and c (cell); each is one vector of 5 per sample.",
           "[(None, 5), (None, 5), (None, 5)]"],
    answer="lstm_return_shapes = [(None, 5), (None, 5), (None, 5)]",
)


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


# -- q3: the shape of an initial state ----------------------------------------------------------
q3 = Exercise(
    lesson="05", id="q3", points=1,
    prompt="A GRU(16) reads sequences of shape (20, 4). What shape= do you give the keras.Input that holds its initial state?",
    reads="h0_input_shape",
    check=shape_with_tips((16,), ("units",), {
        (None, 16): "keras.Input adds the batch axis itself: give it only the per-sample shape.",
        (20, 16): "A state has no time axis: it is the memory at one moment, one vector of units per sample.",
        (4,): "The state has one value per unit (16), not per feature (4).",
        (20, 4): "That is the shape of one input sequence. The state is one vector of 16 units per sample.",
        (1, 16): "A state is one vector per sample, so shape= holds only its length; the 1 would add an axis, "
                 "and the batch axis is added by keras.Input itself.",
    }, "keras.Input(shape=(16,)) gives tensors of shape (None, 16), one state vector per sample."),
    hints=["A state is what the layer remembers between steps: one vector per sample, with no time axis.",
           "How many values does a GRU(16) keep per sample? keras.Input adds the batch axis for you.",
           "(16,)"],
    answer="h0_input_shape = (16,)",
)


# -- q4: an encoder hands its states to a decoder ----------------------------------------------
def _encoder_decoder_tips(rows, input_shape):
    lstms = [r for r in rows if r["type"] == "LSTM"]
    if len(lstms) == 1 and shape_matches(lstms[0]["output_shape"], (None, 6, 8), any_length=True):
        return ("The decoder LSTM needs the encoder's states: call it with initial_state=[h, c]. Without it nothing "
                "connects the encoder to the output, so Keras leaves the encoder out of the model "
                f"(yours has {len(rows)} layers: {', '.join(layer_forms(rows))}).")
    if rows[0]["type"] == "LSTM" and not isinstance(rows[0]["output_shape"], list):
        return ("The encoder LSTM returns a single tensor: add return_state=True so it also gives back h and c "
                "for the decoder.")
    if len(rows) >= 2 and rows[1]["type"] == "LSTM" and rows[1]["output_shape"] == (None, 8):
        return "The decoder must return a prediction for each of its 6 steps: return_sequences=True."
    return None


def _states_swapped(model, rows) -> bool:
    """True when the decoder LSTM was called with initial_state=[c, h] (read from Keras' graph)."""
    try:
        lstms = [r["layer"] for r in rows if r["type"] == "LSTM"]
        encoder = next(layer for layer in lstms if layer.return_state)
        decoder = next(layer for layer in lstms if layer is not encoder)
        given = decoder._inbound_nodes[0].arguments.kwargs.get("initial_state")
        returned = encoder._inbound_nodes[0].output_tensors   # [output, h, c]
        return given is not None and len(given) == 2 and given[0] is returned[2] and given[1] is returned[1]
    except Exception:  # noqa: BLE001 - a graph this check cannot read is judged on its outputs alone
        return False


_ENCODER_DECODER = [("LSTM", [(None, 8)] * 3, 384), ("LSTM", (None, 6, 8), 352), ("Dense", (None, 6, 1), 9)]


def _check_encoder_decoder(model):
    base = model_with_tips(_ENCODER_DECODER, None, _encoder_decoder_tips, any_length=True)
    result = base(model)
    if not result.ok:
        return result
    rows = layer_table(model)
    shapes = [tuple(t.shape) for t in model.inputs]
    wanted = [(None, 10, 3), (None, 6, 2)]
    if len(shapes) != 2 or not any(shape_matches(shapes[a], wanted[0], True)
                                   and shape_matches(shapes[1 - a], wanted[1], True) for a in (0, 1)):
        return Result(False, f"The model's inputs are {shapes}; it needs two: the encoder's (None, 10, 3) "
                             "and the decoder's (None, 6, 2).")
    # The decoder must start from the encoder's states: changing only the encoder's input must change the output.
    rng = np.random.default_rng(0)
    enc = [rng.normal(size=(2, 10, 3)).astype("float32") for _ in range(2)]
    dec = rng.normal(size=(2, 6, 2)).astype("float32")
    order = [0, 1] if shapes[0][2] == 3 else [1, 0]

    def run(enc_x):
        feed = [None, None]
        feed[order[0]], feed[order[1]] = enc_x, dec
        return np.asarray(model(feed))

    try:
        first, second = run(enc[0]), run(enc[1])
    except Exception as err:  # noqa: BLE001 - a model that builds but cannot run
        return Result(False, f"Your model builds but fails when called ({type(err).__name__}). Check the decoder's "
                             "initial_state: an LSTM takes exactly [h, c], the 2nd and 3rd tensors that "
                             "return_state=True gives back (encoded[1:]), not all three and not h alone.")
    if np.allclose(first, second):
        return Result(False, "The decoder ignores the encoder: pass the encoder's states to it with "
                             "initial_state=[h, c].")
    if _states_swapped(model, rows):
        return Result(False, "The decoder's initial_state has h and c swapped. return_state=True gives "
                             "[output, h, c], and an LSTM takes initial_state=[h, c] in that order.")
    total = sum(r["params"] for r in rows)
    return Result(True, with_notes(f"The decoder starts from the encoder's h and c: {total} parameters, two inputs, "
                                   "one prediction per decoder step.", rows))


q4 = Exercise(
    lesson="05", id="q4", points=2,
    prompt="Build an encoder-decoder: LSTM(8, return_state=True) reads (10, 3); its [h, c] start an LSTM(8, return_sequences=True) on (6, 2); Dense(1) on top.",
    reads="seq2seq_model",
    check=_check_encoder_decoder,
    hints=["Two keras.Input tensors, one per sequence. The encoder call returns three tensors: "
           "_, h, c = keras.layers.LSTM(8, return_state=True)(encoder_input).",
           "The decoder takes them as initial_state=[h, c] when you call it on the decoder input; "
           "then keras.Model([encoder_input, decoder_input], output).",
           "enc_in = keras.Input(shape=(10, 3)); dec_in = keras.Input(shape=(6, 2))\n"
           "_, h, c = keras.layers.LSTM(8, return_state=True)(enc_in)\n"
           "seq = keras.layers.LSTM(8, return_sequences=True)(dec_in, initial_state=[h, c])\n"
           "seq2seq_model = keras.Model([enc_in, dec_in], keras.layers.Dense(1)(seq))"],
    answer=("encoder_input = keras.Input(shape=(10, 3))\n"
            "decoder_input = keras.Input(shape=(6, 2))\n"
            "_, h, c = keras.layers.LSTM(8, return_state=True)(encoder_input)\n"
            "decoded = keras.layers.LSTM(8, return_sequences=True)(decoder_input, initial_state=[h, c])\n"
            "seq2seq_model = keras.Model([encoder_input, decoder_input], keras.layers.Dense(1)(decoded))"),
)


# -- q5: GRU parameters, with Keras 3's two biases -----------------------------------------
# A GRU has 2 gates (update, reset) and a candidate: 3 blocks of weights side by side.
q5 = Exercise(
    lesson="05", id="q5", points=1,
    prompt="How many parameters does keras.layers.GRU(4) have on sequences with 2 features (Keras 3 defaults)?",
    reads="gru_params",
    check=int_check(96, "GRU(4) on 2 features", {
        84: "84 is the count with reset_after=False: one bias vector per block. That was the default of "
            "standalone Keras up to 2.2 (and of tf.compat.v1); tf.keras in TensorFlow 2 and Keras 3 default to "
            "reset_after=True, which keeps two bias vectors per block.",
        72: "72 leaves out the biases. A GRU has 3 blocks of weights (update gate, reset gate, candidate), and "
            "with Keras 3's defaults each block has two bias vectors.",
        28: "28 is a SimpleRNN of that size. A GRU has 3 such blocks: the update gate, the reset gate and the "
            "candidate.",
        112: "112 is an LSTM of that size: 3 gates plus a candidate, 4 blocks. A GRU has 2 gates plus a "
             "candidate: 3 blocks.",
        32: "32 is one block with two biases. A GRU has 3 blocks: 2 gates (update, reset) and the candidate.",
    }, why="3 blocks (update gate, reset gate, candidate) x (2*4 kernel + 4*4 recurrent + 2*4 biases).",
        nudge="Count one block, then times 3."),
    hints=["A GRU has 2 gates (update, reset) and a candidate: 3 blocks, each with a kernel (features x units), "
           "a recurrent kernel (units x units) and biases.",
           "Keras 3's GRU uses reset_after=True: each block has two bias vectors of length units.",
           "3 * (2*4 + 4*4 + 2*4)"],
    answer="gru_params = 3 * (2 * 4 + 4 * 4 + 2 * 4)",
)


# -- q6: stacked cells in one RNN ------------------------------------------------------------
q6 = Exercise(
    lesson="05", id="q6", points=1,
    prompt="keras.layers.RNN([SimpleRNNCell(4), SimpleRNNCell(6)], return_state=True) on keras.Input(shape=(5, 3)): list the shapes it returns.",
    reads="stacked_cell_shapes",
    check=shape_list_check([(None, 6), (None, 4), (None, 6)], "the stacked RNN", {
        ((None, 6), (None, 6)): "Each cell keeps its own state, so there is one state per cell: the 4-unit "
                                "cell's and the 6-unit cell's.",
        ((None, 4), (None, 6)): "The output comes first, and it is the top cell's output (6 units); "
                                "then one state per cell.",
        ((None, 4), (None, 4), (None, 6)): "The output is the top cell's: the last cell in the list has 6 units.",
        ((None, 6), (None, 6), (None, 4)): "States come in the order of the cells: the first cell (4 units) first.",
        ((None, 5, 6), (None, 4), (None, 6)): "Without return_sequences=True only the last step comes out: (None, 6).",
    }),
    hints=["The output is what the top (last) cell emits at the last step.",
           "After the output come the states, one per cell, in the order of the list.",
           "[(None, 6), (None, 4), (None, 6)]"],
    answer="stacked_cell_shapes = [(None, 6), (None, 4), (None, 6)]",
)


# -- q7: Bidirectional states ----------------------------------------------------------------
q7 = Exercise(
    lesson="05", id="q7", points=1,
    prompt="keras.layers.Bidirectional(keras.layers.LSTM(4, return_state=True)) on keras.Input(shape=(5, 3)): list the shapes it returns.",
    reads="bidi_shapes",
    check=shape_list_check([(None, 8), (None, 4), (None, 4), (None, 4), (None, 4)], "the Bidirectional LSTM", {
        ((None, 8), (None, 4), (None, 4)): "Each direction is its own LSTM with its own h and c: "
                                           "forward h, forward c, backward h, backward c.",
        ((None, 4), (None, 4), (None, 4), (None, 4), (None, 4)): "The two directions' outputs are concatenated: "
                                                                 "4 + 4 = 8 values per sample.",
        ((None, 8), (None, 8), (None, 8)): "The states are not concatenated: each direction hands back its own "
                                           "h and c of 4 units.",
        ((None, 8), (None, 8), (None, 8), (None, 8), (None, 8)): "Only the output is concatenated (8); every "
                                                                 "state belongs to one direction (4 units).",
    }),
    hints=["Bidirectional runs two LSTMs, one forwards and one backwards, and concatenates their outputs.",
           "Each LSTM returns h and c, so four states follow the output.",
           "[(None, 8), (None, 4), (None, 4), (None, 4), (None, 4)]"],
    answer="bidi_shapes = [(None, 8), (None, 4), (None, 4), (None, 4), (None, 4)]",
)

EXERCISES = [q1, q2, q3, q4, q5, q6, q7]
