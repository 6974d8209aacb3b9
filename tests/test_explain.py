"""helpers.explain: every case is produced by really running the failing Keras 3 code."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers import explain as ex

ROOT = Path(__file__).resolve().parents[1]


def raised(action):
    """Run ``action`` and return the exception it raised (failing the test when it raises nothing)."""
    try:
        action()
    except Exception as error:  # noqa: BLE001
        return error
    pytest.fail("the Keras code was expected to raise")


@pytest.fixture(scope="module")
def keras():
    import keras as keras_module

    return keras_module


def test_2d_input_into_rnn_offers_both_reshapes(keras):
    error = raised(lambda: keras.layers.SimpleRNN(10)(keras.Input(shape=(2,))))
    assert "expected ndim=3, found ndim=2" in str(error)
    result = ex.explain(error)
    assert result.kind == ex.RNN_NEEDS_3D
    assert "(None, 2)" in result.received
    assert "(None, 2, 1)" in result.expected
    assert "keras.Input(shape=(2, 1))" in result.fix
    shapes = [shape for shape, _, _ in result.choices]
    assert shapes == ["(None, 2, 1)", "(None, 1, 2)"]
    claims = " ".join(meaning for _, _, meaning in result.choices)
    assert "2 timesteps of 1 feature" in claims and "1 timestep of 2 features" in claims


def test_2d_numpy_data_into_unbuilt_rnn_uses_its_batch_size(keras):
    model = keras.Sequential([keras.layers.LSTM(4)])
    error = raised(lambda: model.predict(np.zeros((8, 3)), verbose=0))
    result = ex.explain(error)
    assert result.kind == ex.RNN_NEEDS_3D
    assert "(8, 3)" in result.received
    assert "x.reshape(8, 3, 1)" in result.fix
    assert [shape for shape, _, _ in result.choices] == ["(8, 3, 1)", "(8, 1, 3)"]
    assert "LSTM" in result.title


def test_stacking_without_return_sequences_functional(keras):
    inputs = keras.Input(shape=(2, 1))
    lower = keras.layers.SimpleRNN(10, name="lower")
    hidden = lower(inputs)
    error = raised(lambda: keras.layers.SimpleRNN(6, name="upper")(hidden))
    result = ex.explain(error, namespace=locals())
    assert result.kind == ex.STACK_NEEDS_SEQUENCES
    assert "(None, 10)" in result.received
    assert "(batch, timesteps, features)" in result.expected
    assert "keras.layers.SimpleRNN(10, return_sequences=True)" in result.fix
    assert result.layer == "lower"


def test_stacking_in_sequential_add_names_the_layer_to_change(keras):
    model = keras.Sequential([keras.Input(shape=(4, 1)), keras.layers.GRU(7, name="first_gru")])
    error = raised(lambda: model.add(keras.layers.LSTM(3)))
    result = ex.explain(error, model=model)
    assert result.kind == ex.STACK_NEEDS_SEQUENCES
    assert "(None, 7)" in result.received
    assert "keras.layers.GRU(7, return_sequences=True)" in result.fix
    assert "first_gru" in result.fix


def test_stacking_in_sequential_constructor_is_found_without_a_model(keras):
    error = raised(lambda: keras.Sequential([keras.Input(shape=(2, 1)), keras.layers.SimpleRNN(5),
                                             keras.layers.SimpleRNN(5)]))
    result = ex.explain(error)
    assert result.kind == ex.STACK_NEEDS_SEQUENCES
    assert "(None, 5)" in result.received
    assert "return_sequences=True" in result.fix


def test_stacking_on_a_dense_layer_is_not_blamed_on_return_sequences(keras):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4)])
    error = raised(lambda: model.add(keras.layers.SimpleRNN(2)))
    result = ex.explain(error, model=model)
    assert result.kind == ex.RNN_NEEDS_3D
    assert "(None, 4)" in result.received


def test_stateful_without_static_batch_size(keras):
    error = raised(lambda: keras.layers.SimpleRNN(4, stateful=True)(keras.Input(shape=(5, 3))))
    assert "batch size must be static" in str(error)
    result = ex.explain(error)
    assert result.kind == ex.STATEFUL_NEEDS_BATCH_SIZE
    assert "(None, 5, 3)" in result.received
    assert "keras.Input(shape=(5, 3), batch_size=" in result.fix


def test_stateful_batch_of_the_wrong_size(keras):
    inputs = keras.Input(shape=(5, 3), batch_size=2)
    model = keras.Model(inputs, keras.layers.SimpleRNN(4, stateful=True)(inputs))
    error = raised(lambda: model.predict(np.zeros((3, 5, 3)), batch_size=3, verbose=0))
    result = ex.explain(error)
    assert result.kind == ex.STATEFUL_BATCH_MISMATCH
    assert "2" in result.expected and "3" in result.received
    assert "batch_size=2" in result.fix


@pytest.mark.parametrize("build, layer", [
    (lambda k: k.layers.GRU(8, stateful=True, return_sequences=True)(k.Input(shape=(1, None), batch_size=4)), "GRU"),
    (lambda k: k.Sequential([k.Input(shape=(4, None)), k.layers.RNN(k.layers.LSTMCell(3))]), "RNN"),
    (lambda k: k.layers.Dense(3)(k.Input(shape=(None,))), "Dense"),
], ids=["gru-features-none", "rnn-cell-features-none", "dense-features-none"])
def test_none_features_are_explained(keras, build, layer):
    error = raised(lambda: build(keras))
    assert "must be fully-defined" in str(error)
    result = ex.explain(error)
    assert result.kind == ex.UNKNOWN_FEATURES
    assert result.title.startswith(layer) and "features" in result.title
    assert "(None, " in result.received and "one row per input feature" in result.why
    assert ("shape=(None, features)" in result.fix) == (layer != "Dense")
    assert ("2D tensor" in result.why) == (layer == "RNN")


def test_a_2d_tensor_into_an_rnn_cell_layer_is_named_among_the_causes(keras):
    layers = keras.layers
    error = raised(lambda: keras.Sequential([keras.Input(shape=(12, 1)), layers.SimpleRNN(16),
                                             layers.RNN(layers.GRUCell(16)), layers.Dense(1)]))
    result = ex.explain(error)
    assert result.kind == ex.UNKNOWN_FEATURES
    assert "2D tensor" in result.why and "return_sequences=True" in result.why


def test_batch_input_shape_is_gone(keras):
    error = raised(lambda: keras.layers.SimpleRNN(4, batch_input_shape=(2, 5, 3)))
    assert "Unrecognized keyword arguments" in str(error)
    result = ex.explain(error)
    assert result.kind == ex.BATCH_INPUT_SHAPE_REMOVED
    assert "(2, 5, 3)" in result.received
    assert "keras.Input(shape=(5, 3), batch_size=2)" in result.fix
    # what the explanation offers instead really works in Keras 3, and the old keyword lives on in InputLayer
    assert "keras.Input(batch_shape=(2, 5, 3))" in result.fix and "batch_shape" in result.expected
    assert tuple(keras.Input(batch_shape=(2, 5, 3)).shape) == (2, 5, 3)
    assert tuple(keras.layers.InputLayer(batch_input_shape=(2, 5, 3)).output.shape) == (2, 5, 3)


def test_the_batch_axis_written_inside_shape_is_named(keras):
    error = raised(lambda: keras.Sequential([keras.Input(shape=(None, 2, 1)), keras.layers.SimpleRNN(10)]))
    result = ex.explain(error)
    assert result.kind == ex.BATCH_AXIS_IN_SHAPE
    assert "the batch axis is inside shape=" in result.title
    assert "keras.Input(shape=(2, 1))" in result.fix and "(None, None, 2, 1)" in result.received


def test_timesteps_are_fixed_only_by_a_functional_model(keras):
    sequential = keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.SimpleRNN(3), keras.layers.Dense(1)])
    assert sequential.predict(np.zeros((5, 20, 1)), verbose=0).shape == (5, 1)   # no complaint
    inputs = keras.Input(shape=(12, 1))
    functional = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.SimpleRNN(3)(inputs)))
    result = ex.explain(raised(lambda: functional.predict(np.zeros((5, 20, 1)), verbose=0)))
    # Keras prints (5, 20) for this (5, 20, 1) data: the explanation must not call it 2-D
    assert result.kind == ex.TIMESTEPS_MISMATCH
    assert "20 timesteps" in result.title and "(5, 20, 1)" in result.received
    assert "functional model" in result.why and "Sequential" not in result.fix


def test_misspelled_layer_argument_gets_a_suggestion(keras):
    error = raised(lambda: keras.layers.LSTM(4, return_sequence=True))
    result = ex.explain(error)
    assert result.kind == ex.UNKNOWN_LAYER_ARGUMENT
    assert "return_sequences=True" in result.fix


def test_initial_states_misspelled(keras):
    inputs, h0 = keras.Input(shape=(5, 3)), keras.Input(shape=(4,))
    error = raised(lambda: keras.layers.SimpleRNN(4)(inputs, initial_states=[h0]))
    assert isinstance(error, TypeError)
    result = ex.explain(error)
    assert result.kind == ex.INITIAL_STATE_TYPO
    assert "initial_states" in result.received
    assert "initial_state=[h0]" in result.fix


def test_constructor_argument_passed_to_the_call(keras):
    error = raised(lambda: keras.layers.GRU(4)(keras.Input(shape=(5, 3)), return_sequences=True))
    result = ex.explain(error)
    assert result.kind == ex.CALL_ARGUMENT_MISPLACED
    assert "return_sequences" in result.fix


def _sequential_5x3(keras):
    return keras.Sequential([keras.Input(shape=(5, 3)), keras.layers.SimpleRNN(4, name="rnn")])


def test_feature_mismatch_in_sequential_predict_names_both_feature_counts(keras):
    model = _sequential_5x3(keras)
    error = raised(lambda: model.predict(np.zeros((8, 5, 2)), verbose=0))
    assert "Dimensions must be equal, but are 2 and 3" in str(error)
    bare = ex.explain(ValueError(str(error)))  # no traceback, no model: only the message to go on
    assert bare.kind == ex.FEATURE_MISMATCH
    assert "3 features" in bare.expected and "2 features" in bare.received
    assert "keras.Input(shape=(timesteps, 2))" in bare.fix
    concrete = ex.explain(error, model=model)
    assert "(None, 5, 3)" in concrete.expected and "(8, 5, 2)" in concrete.received
    assert "keras.Input(shape=(5, 2))" in concrete.fix and "'rnn'" in concrete.fix
    assert ex.explain(ValueError(str(error)), namespace={"model": model}).expected == concrete.expected
    assert ex.explain(error).expected == concrete.expected  # found through the traceback's frames


def test_feature_mismatch_in_sequential_direct_call(keras):
    model = _sequential_5x3(keras)
    error = raised(lambda: model(np.zeros((8, 5, 2), dtype="float32")))
    assert "Matrix size-incompatible" in str(error)
    result = ex.explain(error, model=model)
    assert result.kind == ex.FEATURE_MISMATCH
    assert "(None, 5, 3)" in result.expected and "(8, 5, 2)" in result.received


def test_feature_mismatch_in_sequential_fit(keras):
    model = keras.Sequential([keras.Input(shape=(5, 3)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    error = raised(lambda: model.fit(np.zeros((8, 5, 2)), np.zeros((8, 1)), verbose=0))
    result = ex.explain(error)
    assert result.kind == ex.FEATURE_MISMATCH
    assert "3 features" in result.expected and "2 features" in result.received
    assert "(None, 5, 3)" in result.expected and "keras.Input(shape=(5, 2))" in result.fix


@pytest.mark.parametrize("call", ["predict", "call"])
def test_feature_mismatch_in_functional_model(keras, call):
    inputs = keras.Input(shape=(5, 3))
    model = keras.Model(inputs, keras.layers.SimpleRNN(4)(inputs))
    data = np.zeros((8, 5, 2), dtype="float32")
    error = raised((lambda: model.predict(data, verbose=0)) if call == "predict" else (lambda: model(data)))
    assert "expected shape=(None, 5, 3), found shape=(8, 5, 2)" in str(error)
    result = ex.explain(error)
    assert result.kind == ex.FEATURE_MISMATCH
    assert "(None, 5, 3)" in result.expected and "(8, 5, 2)" in result.received
    assert "keras.Input(shape=(5, 2))" in result.fix


def test_feature_mismatch_on_a_dense_first_layer(keras):
    model = keras.Sequential([keras.Input(shape=(5, 3)), keras.layers.Dense(4)])
    error = raised(lambda: model.predict(np.zeros((8, 5, 2)), verbose=0))
    result = ex.explain(error)
    assert result.kind == ex.FEATURE_MISMATCH
    assert "(8, 5, 2)" in result.received and "3 features" in result.expected


def test_timesteps_mismatch_suggests_a_variable_length_input(keras):
    inputs = keras.Input(shape=(5, 3))
    model = keras.Model(inputs, keras.layers.GRU(2)(inputs))
    result = ex.explain(raised(lambda: model.predict(np.zeros((4, 7, 3)), verbose=0)))
    assert result.kind == ex.TIMESTEPS_MISMATCH
    assert "(4, 7, 3)" in result.received
    assert "keras.Input(shape=(None, 3))" in result.fix


def test_2d_data_into_a_3d_model(keras):
    model = _sequential_5x3(keras)
    result = ex.explain(raised(lambda: model.predict(np.zeros((8, 5)), verbose=0)))
    assert result.kind == ex.DATA_NDIM_MISMATCH
    assert "(8, 5)" in result.received and "(None, 5, 3)" in result.expected
    assert "x.reshape(8, 5, 1)" in result.fix


@pytest.mark.parametrize("error", [KeyError("x"), ZeroDivisionError("division by zero"),
                                   ValueError("could not convert string to float: 'a'"),
                                   TypeError("f() got an unexpected keyword argument 'colour'")])
def test_unrelated_errors_are_not_recognised(error):
    assert ex.explain(error) is None


def test_a_real_unrelated_keras_error_is_not_recognised(keras):
    model = _sequential_5x3(keras)
    error = raised(lambda: model.fit(np.zeros((8, 5, 3)), np.zeros((8, 4)), verbose=0))
    assert "compile" in str(error)
    assert ex.explain(error) is None


def test_text_is_stable_and_html_carries_the_same_facts(keras):
    error = raised(lambda: keras.layers.SimpleRNN(10)(keras.Input(shape=(2,))))
    first, second = ex.explain(error), ex.explain(error)
    assert repr(first) == repr(second) == str(first)
    assert repr(first).startswith("Shape error explained:")
    html = first._repr_html_()
    assert "course-explain-rnn-needs-3d" in html and "(None, 2, 1)" in html and "(None, 2)" in html


def test_diagram_draws_the_received_tensor_and_degrades_to_text(keras, monkeypatch):
    import helpers
    import types

    result = ex.explain(raised(lambda: keras.layers.SimpleRNN(10)(keras.Input(shape=(2,)))))
    calls = []
    drawing = types.SimpleNamespace(tensor=lambda shape, **kw: calls.append((shape, kw)) or "figure")
    monkeypatch.setattr(helpers, "diagrams", drawing, raising=False)
    monkeypatch.setitem(sys.modules, "helpers.diagrams", drawing)
    assert result.diagram() == "figure"
    assert calls[0][0] == (None, 2) and calls[0][1]["names"] == ("batch", "features")

    def broken(shape, **kw):
        raise RuntimeError("diagrams changed")

    drawing.tensor = broken
    assert result.diagram() is None
    assert "(None, 2, 1)" in repr(result)


# ------------------------------------------------------------------ the IPython extension, in a real kernel

def _notebook():
    def code(source, tags=()):
        cell = nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = list(tags)
        return cell

    return nbformat.v4.new_notebook(cells=[
        code("%load_ext helpers.explain\nimport keras"),
        code("keras.layers.SimpleRNN(10)(keras.Input(shape=(2,)))", tags=["raises-exception"]),
        code("{}['missing']", tags=["raises-exception"]),
        code("%unload_ext helpers.explain"),
        code("keras.layers.SimpleRNN(10)(keras.Input(shape=(2,)))", tags=["raises-exception"]),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def _run(notebook, **options):
    from nbclient import NotebookClient

    env_ok = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "MPLBACKEND": "Agg"}
    for name, value in env_ok.items():
        os.environ.setdefault(name, value)
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}, **options)
    client.execute()
    return notebook


def test_extension_in_a_kernel_keeps_errors_and_adds_explanations():
    notebook = _run(_notebook())
    explained, unrelated, _, unloaded = (cell.outputs for cell in notebook.cells[1:])

    assert explained[0].output_type == "error" and explained[0].ename == "ValueError"
    assert "expected ndim=3, found ndim=2" in explained[0].evalue
    assert any("SimpleRNN" in line or "simple_rnn" in line for line in explained[0].traceback)
    texts = [out.data["text/plain"] for out in explained[1:] if out.output_type == "display_data"
             and out.data.get("text/plain", "").startswith("Shape error explained")]
    assert len(texts) == 1
    assert "(None, 2, 1)" in texts[0] and "(None, 1, 2)" in texts[0] and "(None, 2)" in texts[0]

    assert [out.output_type for out in unrelated] == ["error"]
    assert unrelated[0].ename == "KeyError"
    assert [out.output_type for out in unloaded] == ["error"]
    assert unloaded[0].ename == "ValueError"


def test_extension_error_still_stops_an_untagged_run():
    from nbclient.exceptions import CellExecutionError

    notebook = _notebook()
    notebook.cells[1].metadata["tags"] = []
    with pytest.raises(CellExecutionError) as info:
        _run(notebook)
    assert "expected ndim=3, found ndim=2" in str(info.value)


def test_nbval_accepts_stored_outputs_of_the_extension_and_the_explorer(tmp_path):
    """Execute once, store the outputs, then let nbval re-run and compare them strictly."""
    import subprocess

    notebook = _notebook()
    notebook.cells[2:] = []  # keep: load the extension, one explained error
    notebook.cells.append(nbformat.v4.new_code_cell("from helpers.explore import explorer\nexplorer()"))
    notebook.cells.append(nbformat.v4.new_code_cell("explorer(static=True, layer='LSTM', return_state=True)"))
    _run(notebook)
    path = tmp_path / "stored.ipynb"
    nbformat.write(notebook, path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider", "-q",
         "--rootdir", str(tmp_path), str(path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "4 passed" in result.stdout


def test_importing_and_explaining_unrelated_errors_never_imports_tensorflow():
    import subprocess

    code = ("import sys, helpers.explain, helpers.explore\n"
            "assert helpers.explain.explain(KeyError('x')) is None\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_too_many_axes_is_explained_as_a_wrong_rank(keras):
    error = raised(lambda: keras.layers.GRU(3)(keras.Input(shape=(5, 3, 2))))
    result = ex.explain(error)
    assert result.kind == ex.WRONG_NDIM
    assert "(None, 5, 3, 2)" in result.received and "3D" in result.expected


def test_load_and_unload_restore_the_shells_previous_handler():
    class FakeShell:
        def __init__(self):
            self.custom_exceptions, self.CustomTB = (), "previous handler"
            self.shown = []

        def set_custom_exc(self, exceptions, handler):
            self.custom_exceptions, self.CustomTB = exceptions, handler

        def showtraceback(self, exc_tuple=None, tb_offset=None):
            self.shown.append((exc_tuple[0], tb_offset))

    shell = FakeShell()
    ex.load_ipython_extension(shell)
    ex.load_ipython_extension(shell)  # loading twice must not lose the original
    assert shell.custom_exceptions == (Exception,)
    error = KeyError("x")
    assert shell.CustomTB(shell, KeyError, error, None, tb_offset=2) == []
    assert shell.shown == [(KeyError, 2)]  # the traceback is shown by IPython's own machinery
    ex.unload_ipython_extension(shell)
    assert shell.custom_exceptions == () and shell.CustomTB == "previous handler"


# ------------------------------------------------------------------ lesson 08: sequence tasks

def test_targets_that_cannot_broadcast_are_explained(keras):
    model = keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.LSTM(4), keras.layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    error = raised(lambda: model.fit(np.zeros((8, 12, 1)), np.zeros((8, 5)), epochs=1, verbose=0))
    assert "Dimensions must be equal" in str(error)
    result = ex.explain(error)
    assert result.kind == ex.TARGET_SHAPE_MISMATCH
    assert "(samples, 3) for the output (None, 3)" in result.expected and result.received == "targets (samples, 5)"
    assert "give y the shape (samples, 3)" in result.fix and "keras.layers.Dense(5)" in result.fix
    assert "check_targets" in result.why


def test_targets_of_a_lower_rank_that_fail_at_run_time_are_explained(keras):
    model = keras.Sequential([keras.Input(shape=(12, 1)), keras.layers.LSTM(4), keras.layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    error = raised(lambda: model.fit(np.zeros((8, 12, 1)), np.zeros((8,)), epochs=1, verbose=0))
    result = ex.explain(error)
    assert result.kind == ex.TARGET_SHAPE_MISMATCH
    assert "(8,)" in result.received and "(8, 3)" in result.expected


def test_sparse_labels_per_sequence_blame_the_model_that_returns_sequences(keras):
    # issue 23: y holds one label per sequence, so "give y the shape (samples, 6)" would be misleading
    model = keras.Sequential([keras.Input(shape=(6, 2)), keras.layers.LSTM(4, return_sequences=True, name="tagger"),
                              keras.layers.Dense(5, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    error = raised(lambda: model.fit(np.zeros((8, 6, 2)), np.zeros((8,), int), epochs=1, verbose=0))
    result = ex.explain(error)
    assert result.kind == ex.OUTPUT_HAS_TIMESTEPS and not result.modest
    assert "keras.layers.LSTM(4)" in result.fix and "'tagger'" in result.fix
    assert "give y" not in result.fix


def test_sparse_labels_with_an_extra_axis_keep_the_lesson_08_explanation(keras):
    model = keras.Sequential([keras.Input(shape=(6, 2)), keras.layers.LSTM(4), keras.layers.Dense(5, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    error = raised(lambda: model.fit(np.zeros((8, 6, 2)), np.zeros((8, 3), int), epochs=1, verbose=0))
    result = ex.explain(error)
    assert result.kind == ex.TARGET_SHAPE_MISMATCH
    assert "labels (samples,)" in result.expected


def test_conv1d_stack_shorter_than_its_kernel_is_explained(keras):
    layers = keras.layers
    error = raised(lambda: keras.Sequential([keras.Input(shape=(12, 1)), layers.Conv1D(8, 4, strides=2),
                                             layers.Conv1D(8, 4, strides=2), layers.Conv1D(8, 4, strides=2)]))
    assert "Computed output size would be zero or negative" in str(error)
    result = ex.explain(error)
    assert result.kind == ex.CONV_TOO_SHORT
    assert result.received == "1 timestep: (None, 1, 8)" and "at least 4 timesteps" in result.expected
    assert "padding='same'" in result.fix and "strides=2" in result.why


def test_conv1d_on_short_data_at_run_time_is_explained(keras):
    model = keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.Conv1D(4, 5), keras.layers.GRU(2)])
    result = ex.explain(raised(lambda: model.predict(np.zeros((2, 3, 1)), verbose=0)))
    assert result.kind == ex.CONV_TOO_SHORT
    assert "3 timesteps" in result.received and "kernel_size=5" in result.title


def test_windows_without_a_features_axis_are_explained_with_the_dataset_name(keras):
    series = np.arange(60, dtype="float32")
    windows = keras.utils.timeseries_dataset_from_array(series[:-10], series[10:], sequence_length=10,
                                                        batch_size=16)
    error = raised(lambda: keras.Sequential([keras.Input(shape=(10,)), keras.layers.LSTM(4)]))
    result = ex.explain(error, namespace={"windows": windows})
    assert result.kind == ex.WINDOWS_NEED_FEATURES
    assert "windows = windows.map(lambda x, y: (x[..., None], y))" in result.fix
    assert "keras.Input(shape=(10, 1))" in result.fix and "(None, 10)" in result.received
    unbuilt = keras.Sequential([keras.layers.LSTM(4)])
    plain = keras.utils.timeseries_dataset_from_array(series, None, sequence_length=10, batch_size=16)
    result = ex.explain(raised(lambda: unbuilt.predict(plain, verbose=0)), namespace={"plain": plain})
    assert result.kind == ex.WINDOWS_NEED_FEATURES and "plain.map(lambda x: x[..., None])" in result.fix


def test_without_a_window_dataset_the_ndim_errors_keep_their_explanations(keras):
    series = np.arange(60, dtype="float32")
    windows = keras.utils.timeseries_dataset_from_array(series, None, sequence_length=10, batch_size=16)
    error = raised(lambda: keras.layers.SimpleRNN(10)(keras.Input(shape=(2,))))
    assert ex.explain(error).kind == ex.RNN_NEEDS_3D
    stacked = raised(lambda: keras.Sequential([keras.Input(shape=(2, 1)), keras.layers.SimpleRNN(5),
                                               keras.layers.SimpleRNN(5)]))
    assert ex.explain(stacked, namespace={"windows": windows}).kind == ex.STACK_NEEDS_SEQUENCES


def test_windows_of_another_length_are_not_blamed_for_a_2d_input(keras):
    # lesson 08: a one-to-many LSTM on a (None, 3) vector, with 10-step windows still in the namespace
    series = np.arange(60, dtype="float32")
    pairs = keras.utils.timeseries_dataset_from_array(series[:-10], series[10:], sequence_length=10, batch_size=16)
    error = raised(lambda: keras.Sequential([keras.Input(shape=(3,)), keras.layers.LSTM(8)]))
    result = ex.explain(error, namespace={"pairs": pairs})
    assert result.kind != ex.WINDOWS_NEED_FEATURES and "pairs" not in result.fix


# ---------------------------------------------------------------- lesson 07: padding, masking, Embedding

def test_integer_ids_into_an_rnn_suggest_an_embedding(keras):
    ids = keras.Input(shape=(None,), dtype="int32")
    result = ex.explain(raised(lambda: keras.layers.SimpleRNN(4)(ids)), namespace={"ids": ids})
    assert result.kind == ex.IDS_NEED_EMBEDDING
    assert "integer ids" in result.title and "(None, None)" in result.received
    assert "keras.layers.Embedding(input_dim=largest_id + 1" in result.fix and "mask_zero=True" in result.fix
    assert "x[..., None]" not in result.fix   # ids: no "add a features axis" alternative


def test_sequences_of_unknown_width_offer_embedding_or_a_features_axis(keras):
    values = keras.Input(shape=(None,))
    result = ex.explain(raised(lambda: keras.layers.GRU(4)(values)))
    assert result.kind == ex.IDS_NEED_EMBEDDING
    assert "Embedding" in result.fix and "keras.Input(shape=(None, 1))" in result.fix


def test_a_fixed_width_2d_input_keeps_the_lesson_02_explanation(keras):
    result = ex.explain(raised(lambda: keras.layers.SimpleRNN(10)(keras.Input(shape=(2,)))))
    assert result.kind == ex.RNN_NEEDS_3D


def test_ragged_list_into_numpy_is_explained_with_pad_sequences():
    error = raised(lambda: np.array([[0.3, 0.7, 0.2], [0.9, 0.4], [0.5]], dtype="float32"))
    result = ex.explain(error)
    assert result.kind == ex.RAGGED_BATCH
    assert "3 sequences of different lengths" in result.received
    assert "pad_sequences" in result.fix and "Masking" in result.fix


def test_embedding_id_out_of_range_names_the_id_and_the_input_dim(keras):
    embedding = keras.layers.Embedding(input_dim=6, output_dim=2)
    result = ex.explain(raised(lambda: embedding(np.array([[4, 6]]))))
    assert result.kind == ex.EMBEDDING_ID_OUT_OF_RANGE
    assert "id 6" in result.title and "input_dim=6" in result.title
    assert "input_dim=7" in result.fix and "(0, 1)" in result.received


def test_embedding_id_out_of_range_inside_predict(keras):
    model = keras.Sequential([keras.Input(shape=(None,)), keras.layers.Embedding(10, 4)])
    result = ex.explain(raised(lambda: model.predict(np.array([[1, 10]]), verbose=0)))
    assert result.kind == ex.EMBEDDING_ID_OUT_OF_RANGE and "input_dim=11" in result.fix


@pytest.mark.parametrize("kwargs, words", [
    ({"padding": "middle"}, ["padding=", "'middle'"]),
    ({"truncating": "end", "maxlen": 1}, ["truncating=", "'end'"]),
])
def test_pad_sequences_options_are_explained(keras, kwargs, words):
    result = ex.explain(raised(lambda: keras.utils.pad_sequences([[1, 2], [3]], **kwargs)))
    assert result.kind == ex.PAD_SEQUENCES_ARGUMENTS
    assert all(word in result.title + result.received for word in words)


def test_pad_sequences_on_a_single_flat_sequence(keras):
    result = ex.explain(raised(lambda: keras.utils.pad_sequences([1, 2, 3], maxlen=5)))
    assert result.kind == ex.PAD_SEQUENCES_ARGUMENTS
    assert "[sequence]" in result.fix


def test_lesson_07_kinds_are_listed():
    assert {ex.IDS_NEED_EMBEDDING, ex.RAGGED_BATCH, ex.EMBEDDING_ID_OUT_OF_RANGE,
            ex.PAD_SEQUENCES_ARGUMENTS} <= set(ex.KINDS)


def test_ids_given_a_features_axis_before_an_embedding_are_explained(keras):
    L = keras.layers
    error = raised(lambda: keras.Sequential([keras.Input(shape=(None, 1)), L.Embedding(51, 8, mask_zero=True),
                                             L.LSTM(16), L.Dense(1)]))
    result = ex.explain(error)
    assert result.kind == ex.WRONG_NDIM
    assert "ids already had a features axis" in result.title
    assert "keras.Input(shape=(None,))" in result.fix
    assert "batch axis is inside" not in result.title


def test_a_batch_axis_inside_shape_is_still_named_without_an_embedding(keras):
    inputs = keras.Input(shape=(None, 2, 1))
    error = raised(lambda: keras.layers.LSTM(16)(inputs))
    assert ex.explain(error, namespace={"inputs": inputs}).kind == ex.BATCH_AXIS_IN_SHAPE
