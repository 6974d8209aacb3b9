"""Valid answers other than the solution: every model exercise accepts models that compute the same.

A model is judged on what it computes, never on how it was written: ``RNN(SimpleRNNCell(16))`` is a
SimpleRNN, ``RNN([GRUCell, GRUCell])`` two stacked GRUs, ``TimeDistributed(Dense)`` a Dense, the
functional API a Sequential, ``Input(batch_shape=...)`` an ``Input(shape=..., batch_size=...)``, and
None timesteps are fine where the exercise is not about the length. Each row of ALTERNATIVES is one
such answer; each must be Correct, live and after the grader's ``.keras`` save and safe load.
The wrong answers of each exercise are tested in ``tests/test_lesson_NN.py``.
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pytest

from helpers.exercises import exercises_for, lessons
from tests.exercise_kit import CORRECT, assert_verdict


def _keras():
    import keras

    return keras


def _seq(input_tensor, *layers):
    return _keras().Sequential([input_tensor, *layers])


def _functional(input_shape, *layers, **input_kwargs):
    keras = _keras()
    inputs = keras.Input(shape=input_shape, **input_kwargs)
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


# -- 01 q7: Dense(8, relu) then Dense(1) on 3 features --------------------------------------------
def dense_relu_functional():
    L = _keras().layers
    return _functional((3,), L.Dense(8, activation="relu", name="hidden"), L.Dense(1, name="prediction"))


def dense_then_activation_layer():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(3,)), L.Dense(8), L.Activation("relu"), L.Dense(1))


def dense_then_relu_layer_batch_shape():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(batch_shape=(None, 3)), L.Dense(8), L.ReLU(), L.Dense(1))


def dense_relu_nested_sequential():
    keras = _keras()
    L = keras.layers
    inner = keras.Sequential([L.Dense(8, activation=keras.activations.relu), L.Dense(1)], name="body")
    inputs = keras.Input(shape=(3,))
    return keras.Model(inputs, inner(inputs))


# -- 02 q7: input kept (None, 2), a reshape inside, SimpleRNN(10), Dense(1) --------------------------
# (the exercise keeps the input on purpose: changing it to (2, 1) is tested as a wrong answer in
# tests/test_lesson_02.py)
def fixed_with_rnn_cell():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(2,)), L.Reshape((2, 1)), L.RNN(L.SimpleRNNCell(10)), L.Dense(1))


def fixed_any_length_functional():
    L = _keras().layers
    return _functional((2,), L.Reshape((-1, 1)), L.SimpleRNN(10, name="reader"), L.Dense(1))


def fixed_reshape_inside_functional():
    L = _keras().layers
    return _functional((2,), L.Reshape((2, 1)), L.SimpleRNN(10), L.Dense(1))


# -- 03 q6: SimpleRNN(8), Dense(1) on 12 steps of 3 features ---------------------------------------
def spec_with_rnn_cell_functional():
    L = _keras().layers
    return _functional((12, 3), L.RNN(L.SimpleRNNCell(8)), L.Dense(1))


def spec_any_length():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(None, 3)), L.SimpleRNN(8), L.Dense(1))


def spec_batch_shape():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(batch_shape=(None, 12, 3)), L.SimpleRNN(8), L.Dense(1))


# -- 04 q6: SimpleRNN(16), SimpleRNN(8), one Dense(1) per step, 6 steps of 2 features --------------
def many_time_distributed():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(6, 2)), L.SimpleRNN(16, return_sequences=True),
                L.SimpleRNN(8, return_sequences=True), L.TimeDistributed(L.Dense(1)))


def many_rnn_cells():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(6, 2)), L.RNN(L.SimpleRNNCell(16), return_sequences=True),
                L.RNN(L.SimpleRNNCell(8), return_sequences=True), L.Dense(1))


def many_stacked_cells():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(6, 2)), L.RNN([L.SimpleRNNCell(16), L.SimpleRNNCell(8)], return_sequences=True),
                L.Dense(1))


def many_stacked_rnn_cells_any_length():
    L = _keras().layers
    cells = L.StackedRNNCells([L.SimpleRNNCell(16), L.SimpleRNNCell(8)])
    return _functional((None, 2), L.RNN(cells, return_sequences=True), L.TimeDistributed(L.Dense(1)))


# -- 04 q7: the fixed stack, SimpleRNN(32) -> SimpleRNN(16) -> Dense(1) on (10, 1) -----------------
def stack_rnn_cells():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(10, 1)), L.RNN(L.SimpleRNNCell(32), return_sequences=True),
                L.RNN(L.SimpleRNNCell(16)), L.Dense(1))


def stack_in_one_rnn():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(10, 1)), L.RNN([L.SimpleRNNCell(32), L.SimpleRNNCell(16)]), L.Dense(1))


def stack_any_length_functional():
    L = _keras().layers
    return _functional((None, 1), L.SimpleRNN(32, return_sequences=True, name="lower"), L.SimpleRNN(16, name="upper"),
                       L.Dense(1, name="out"))


# -- 05 q4: encoder LSTM(8, return_state=True) hands [h, c] to a decoder LSTM(8) ---------------------
def _seq2seq(encoder, decoder, head, enc_shape=(10, 3), dec_shape=(6, 2), reverse_inputs=False):
    keras = _keras()
    enc_in, dec_in = keras.Input(shape=enc_shape), keras.Input(shape=dec_shape)
    _, h, c = encoder(enc_in)
    out = head(decoder(dec_in, initial_state=[h, c]))
    inputs = [dec_in, enc_in] if reverse_inputs else [enc_in, dec_in]
    return keras.Model(inputs, out)


def seq2seq_time_distributed():
    L = _keras().layers
    return _seq2seq(L.LSTM(8, return_state=True), L.LSTM(8, return_sequences=True), L.TimeDistributed(L.Dense(1)))


def seq2seq_cell_decoder():
    L = _keras().layers
    return _seq2seq(L.LSTM(8, return_state=True), L.RNN(L.LSTMCell(8), return_sequences=True), L.Dense(1))


def seq2seq_cells_any_length_reversed():
    L = _keras().layers
    return _seq2seq(L.RNN(L.LSTMCell(8), return_state=True), L.RNN(L.LSTMCell(8), return_sequences=True),
                    L.Dense(1), enc_shape=(None, 3), dec_shape=(None, 2), reverse_inputs=True)


# -- 06 q2: stateful GRU(8) on batches of 4, any length, Dense(1) per step ---------------------------
def stateful_time_distributed():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(None, 1), batch_size=4), L.GRU(8, stateful=True, return_sequences=True),
                L.TimeDistributed(L.Dense(1)))


def stateful_rnn_cell_batch_shape():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(batch_shape=(4, None, 1)), L.RNN(L.GRUCell(8), stateful=True, return_sequences=True),
                L.Dense(1))


def stateful_functional():
    L = _keras().layers
    return _functional((None, 1), L.GRU(8, stateful=True, return_sequences=True, name="memory"), L.Dense(1),
                       batch_size=4)


# -- 06 q6: a batch-size-1 twin of the trained stateful model, with its weights -----------------------
def _trained():
    from tests.test_lesson_06 import trained_like_model

    return trained_like_model()


def _twin(*layers, batch_shape=None):
    keras = _keras()
    trained = _trained()
    first = keras.Input(batch_shape=batch_shape) if batch_shape else keras.Input(shape=(None, 1), batch_size=1)
    twin = _seq(first, *layers)
    twin.set_weights(trained.get_weights())
    return twin


def twin_rebuilt_by_hand():
    L = _keras().layers
    return _twin(L.GRU(8, stateful=True, return_sequences=True), L.Dense(1))


def twin_cell_and_time_distributed():
    L = _keras().layers
    return _twin(L.RNN(L.GRUCell(8), stateful=True, return_sequences=True), L.TimeDistributed(L.Dense(1)),
                 batch_shape=(1, None, 1))


def twin_functional():
    L = _keras().layers
    twin = _functional((None, 1), L.GRU(8, stateful=True, return_sequences=True), L.Dense(1), batch_size=1)
    twin.set_weights(_trained().get_weights())
    return twin


# -- 07 q7: Embedding(51, 8, mask_zero=True), LSTM(16), Dense(1) on ids of any length -------------
def text_model_functional_int_ids():
    keras = _keras()
    L = keras.layers
    ids = keras.Input(shape=(None,), dtype="int32", name="word_ids")
    x = L.Embedding(51, 8, mask_zero=True, name="words")(ids)
    return keras.Model(ids, L.Dense(1, name="score")(L.LSTM(16)(x)))


def text_model_lstm_cell():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(None,)), L.Embedding(input_dim=51, output_dim=8, mask_zero=True),
                L.RNN(L.LSTMCell(16)), L.Dense(1))


# -- 09 q4-q6: the capstone's three models (untrained: their checks judge the architecture) -----------
def dense_reshape_instead_of_flatten():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(12, 1)), L.Reshape((12,)), L.Dense(16, activation="relu"), L.Dense(1))


def dense_functional_activation_layer():
    L = _keras().layers
    return _functional((12, 1), L.Flatten(), L.Dense(16), L.Activation("relu"), L.Dense(1))


def dense_batch_shape():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(batch_shape=(None, 12, 1)), L.Flatten(), L.Dense(16, activation="relu"), L.Dense(1))


def rnn_with_cell():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(12, 1)), L.RNN(L.SimpleRNNCell(16)), L.Dense(1))


def rnn_any_length():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(None, 1)), L.SimpleRNN(16), L.Dense(1))


def rnn_functional_named():
    L = _keras().layers
    return _functional((12, 1), L.SimpleRNN(16, name="my_rnn"), L.Dense(1, name="forecast"))


def stacked_gru_cells():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(12, 1)), L.RNN([L.GRUCell(16), L.GRUCell(16)]), L.Dense(1))


def stacked_rnn_cells_object():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(12, 1)), L.RNN(L.StackedRNNCells([L.GRUCell(16), L.GRUCell(16)])), L.Dense(1))


def stacked_gru_any_length():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(None, 1)), L.GRU(16, return_sequences=True), L.GRU(16), L.Dense(1))


def stacked_lstm_then_lstm_cell_functional():
    L = _keras().layers
    return _functional((12, 1), L.LSTM(8, return_sequences=True), L.RNN(L.LSTMCell(8)), L.Dense(1))


# -- 09 q7: any model that reads the (batch, 12, 1) windows and beats the threshold ------------------
def _least_squares():
    from tests.test_lesson_09 import train_split

    x, y = train_split()
    design = np.c_[x[:, :, 0], np.ones(len(x))]
    coef = np.linalg.lstsq(design, y, rcond=None)[0].astype("float32")
    return coef[:12].reshape(12, 1), coef[12:]


def final_functional_reshape():
    """A linear forecast over the 12 years (least squares, no training), written functionally."""
    L = _keras().layers
    model = _functional((12, 1), L.Reshape((12,)), L.Dense(1))
    model.set_weights(list(_least_squares()))
    return model


def final_conv_on_any_length():
    """The same linear forecast as a Conv1D over 12 steps, on keras.Input(shape=(None, 1))."""
    L = _keras().layers
    model = _functional((None, 1), L.Conv1D(1, 12), L.GlobalAveragePooling1D())
    kernel, bias = _least_squares()
    model.set_weights([kernel.reshape(12, 1, 1), bias])
    return model


@functools.cache
def final_trained_stacked_gru_any_length():
    """The issue's case: a stacked GRU on keras.Input(shape=(None, 1)), trained briefly (once per session)."""
    from tests.test_lesson_09 import train_split

    keras = _keras()
    L = keras.layers
    keras.utils.set_random_seed(0)
    x, y = train_split()
    model = _seq(keras.Input(shape=(None, 1)), L.GRU(16, return_sequences=True), L.GRU(16), L.Dense(1))
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="mae")
    model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    return model


# -- 08 q6: one vector of 4 -> RepeatVector(6) -> LSTM(16) every step -> Dense(1) ------------------------
def one_to_many_functional():
    keras = _keras()
    L = keras.layers
    return _functional((4,), L.RepeatVector(6), L.LSTM(16, return_sequences=True), L.Dense(1))


def one_to_many_cell_and_time_distributed():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(shape=(4,)), L.RepeatVector(6), L.RNN(L.LSTMCell(16), return_sequences=True),
                L.TimeDistributed(L.Dense(1)))


def one_to_many_batch_shape():
    keras = _keras()
    L = keras.layers
    return _seq(keras.Input(batch_shape=(None, 4)), L.RepeatVector(6), L.LSTM(16, return_sequences=True),
                L.Dense(1))


_TRAINS = pytest.mark.slow   # fits a model: seconds, not milliseconds

# (lesson, exercise id, builder, words the verdict must contain)
ALTERNATIVES = [
    ("01", "q7", dense_relu_functional, ()),
    ("01", "q7", dense_then_activation_layer, ("computes the same", "Dense(8, activation='relu')")),
    ("01", "q7", dense_then_relu_layer_batch_shape, ("computes the same",)),
    ("01", "q7", dense_relu_nested_sequential, ()),
    ("02", "q7", fixed_with_rnn_cell, ("RNN(SimpleRNNCell) computes the same as SimpleRNN",)),
    ("02", "q7", fixed_any_length_functional, ()),
    ("02", "q7", fixed_reshape_inside_functional, ()),
    ("03", "q6", spec_with_rnn_cell_functional, ("computes the same",)),
    ("03", "q6", spec_any_length, ()),
    ("03", "q6", spec_batch_shape, ()),
    ("04", "q6", many_time_distributed, ("TimeDistributed(Dense) computes the same",)),
    ("04", "q6", many_rnn_cells, ()),
    ("04", "q6", many_stacked_cells, ("stacked layers",)),
    ("04", "q6", many_stacked_rnn_cells_any_length, ("stacked layers",)),
    ("04", "q7", stack_rnn_cells, ()),
    ("04", "q7", stack_in_one_rnn, ("stacked layers", "practise how the lower one hands over")),
    ("04", "q7", stack_any_length_functional, ()),
    ("05", "q4", seq2seq_time_distributed, ("745 parameters",)),
    ("05", "q4", seq2seq_cell_decoder, ("RNN(LSTMCell) computes the same as LSTM",)),
    ("05", "q4", seq2seq_cells_any_length_reversed, ()),
    ("06", "q2", stateful_time_distributed, ()),
    ("06", "q2", stateful_rnn_cell_batch_shape, ("RNN(GRUCell) computes the same as GRU",)),
    ("06", "q2", stateful_functional, ()),
    ("06", "q6", twin_rebuilt_by_hand, ()),
    ("06", "q6", twin_cell_and_time_distributed, ()),
    ("06", "q6", twin_functional, ()),
    ("07", "q7", text_model_functional_int_ids, ()),
    ("07", "q7", text_model_lstm_cell, ()),
    ("08", "q6", one_to_many_functional, ()),
    ("08", "q6", one_to_many_cell_and_time_distributed, ("RNN(LSTMCell) computes the same as LSTM",)),
    ("08", "q6", one_to_many_batch_shape, ()),
    ("09", "q4", dense_reshape_instead_of_flatten, ()),
    ("09", "q4", dense_functional_activation_layer, ("computes the same",)),
    ("09", "q4", dense_batch_shape, ()),
    ("09", "q5", rnn_with_cell, ("RNN(SimpleRNNCell)",)),
    ("09", "q5", rnn_any_length, ()),
    ("09", "q5", rnn_functional_named, ()),
    ("09", "q6", stacked_gru_cells, ("RNN([GRUCell, GRUCell])", "stacked layers")),
    ("09", "q6", stacked_rnn_cells_object, ("stacked layers",)),
    ("09", "q6", stacked_gru_any_length, ()),
    ("09", "q6", stacked_lstm_then_lstm_cell_functional, ()),
    ("09", "q7", final_functional_reshape, ()),
    ("09", "q7", final_conv_on_any_length, ()),
    pytest.param("09", "q7", final_trained_stacked_gru_any_length, (), marks=_TRAINS),
]


def _row_id(row) -> str:
    values = row.values if hasattr(row, "values") else row
    return f"{values[0]}.{values[1]}-{values[2].__name__}"


def _exercise(lesson: str, exercise_id: str):
    return next(e for e in exercises_for(lesson) if e.id == exercise_id)


@pytest.mark.parametrize("lesson, exercise_id, build, words", ALTERNATIVES, ids=[_row_id(r) for r in ALTERNATIVES])
def test_alternative_answer_is_correct(lesson, exercise_id, build, words):
    assert_verdict(_exercise(lesson, exercise_id).check(build()), CORRECT, *words)


@pytest.mark.parametrize("lesson, exercise_id, build, words", ALTERNATIVES, ids=[_row_id(r) for r in ALTERNATIVES])
def test_alternative_answer_is_correct_after_the_graders_save_and_load(lesson, exercise_id, build, words, tmp_path):
    keras = _keras()
    path = tmp_path / "answer.keras"
    build().save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True, compile=False)   # as helpers.grade.extract loads it
    assert_verdict(_exercise(lesson, exercise_id).check(reloaded), CORRECT, *words)


_BUILDS_A_MODEL = re.compile(r"keras\.(Sequential|Model)\(|with_batch_size\(")


def _model_exercises():
    return [e for lesson in lessons() for e in exercises_for(lesson)
            if _BUILDS_A_MODEL.search(e.answer) or "model" in e.reads]


def test_every_model_exercise_has_at_least_two_alternatives():
    counted = {}
    for row in ALTERNATIVES:
        values = row.values if hasattr(row, "values") else row
        counted[f"{values[0]}.{values[1]}"] = counted.get(f"{values[0]}.{values[1]}", 0) + 1
    model_exercises = {e.key for e in _model_exercises()}
    assert len(model_exercises) >= 12
    short = {key: counted.get(key, 0) for key in model_exercises if counted.get(key, 0) < 2}
    assert not short, f"model exercises with fewer than two alternative answers: {short}"



def test_docstring_examples_of_the_model_checks_hold():
    import doctest

    from helpers.exercises import models

    result = doctest.testmod(models)
    assert result.attempted >= 4 and result.failed == 0


@pytest.mark.slow   # starts two kernels
def test_the_grader_gives_alternative_answers_their_points(tmp_path):
    """End to end: notebooks whose answers are alternatives, run and judged by ``helpers.grade``."""
    import csv
    import json

    from helpers.grade import pipeline
    from helpers.grade.execute import Limits

    imports = "import keras\nL = keras.layers\n"
    answers = {
        "04": ("many_to_many = keras.Sequential([keras.Input(shape=(None, 2)),\n"
               "    L.RNN([L.SimpleRNNCell(16), L.SimpleRNNCell(8)], return_sequences=True),\n"
               "    L.TimeDistributed(L.Dense(1))])\n"
               "fixed_stack = keras.Sequential([keras.Input(shape=(10, 1)),\n"
               "    L.RNN(L.SimpleRNNCell(32), return_sequences=True), L.RNN(L.SimpleRNNCell(16)), L.Dense(1)])\n"),
        "05": ("enc_in, dec_in = keras.Input(shape=(10, 3)), keras.Input(shape=(6, 2))\n"
               "_, h, c = L.RNN(L.LSTMCell(8), return_state=True)(enc_in)\n"
               "decoded = L.RNN(L.LSTMCell(8), return_sequences=True)(dec_in, initial_state=[h, c])\n"
               "seq2seq_model = keras.Model([enc_in, dec_in], L.TimeDistributed(L.Dense(1))(decoded))\n"),
    }
    for lesson, text in answers.items():
        cell = {"cell_type": "code", "metadata": {}, "source": imports + text, "outputs": [], "execution_count": None}
        notebook = {"cells": [cell], "nbformat": 4, "nbformat_minor": 5,
                    "metadata": {"course": {"lesson": lesson}, "kernelspec": {"name": "python3", "language": "python"}}}
        (tmp_path / f"alternatives_{lesson}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    out = tmp_path / "out"
    pipeline.grade_batch([tmp_path], out, jobs=2, limits=Limits(cell_timeout=120, total_timeout=300))
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        graded = {row["submission"]: row for row in csv.DictReader(handle)}
    assert graded["alternatives_04"]["04.q6"] == "2" and graded["alternatives_04"]["04.q7"] == "2", graded
    assert graded["alternatives_05"]["05.q4"] == "2", graded
