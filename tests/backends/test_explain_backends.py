"""The explainer on the backend this process runs (KERAS_BACKEND): each error it explains, really raised.

``make test-backends`` runs this file under jax and torch (and ``tests/test_explain.py`` covers
TensorFlow in detail). Where a backend raises no error at all, or words it without the numbers
an explanation needs, :data:`DIFFERENT` says so, and the test proves that too.
"""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402

from helpers import explain as ex  # noqa: E402

BACKEND = keras.backend.backend()
NO_ERROR, NOT_EXPLAINED = "no error", None


def _seq53():
    return keras.Sequential([keras.Input(shape=(5, 3)), keras.layers.SimpleRNN(4, name="rnn"), keras.layers.Dense(1)])


def _fit(loss, units, y, sequences=False, x_shape=(8, 12, 1)):
    model = keras.Sequential([keras.Input(shape=x_shape[1:]), keras.layers.LSTM(4, return_sequences=sequences),
                              keras.layers.Dense(units, activation="softmax" if "sparse" in loss else None)])
    model.compile(optimizer="adam", loss=loss)
    return model.fit(np.zeros(x_shape), y, epochs=1, verbose=0)


def _functional(layer, shape):
    inputs = keras.Input(shape=shape)
    return keras.Model(inputs, layer(inputs))


def _fit_lstm_on_2_features():
    model = keras.Sequential([keras.Input(shape=(5, 3)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((8, 5, 2)), np.zeros((8, 1)), verbose=0)


CASES = {
    "rnn-needs-3d": (ex.RNN_NEEDS_3D, lambda: keras.layers.SimpleRNN(10)(keras.Input(shape=(2,)))),
    "stack-needs-sequences": (ex.STACK_NEEDS_SEQUENCES,
                              lambda: keras.layers.SimpleRNN(3)(keras.layers.SimpleRNN(3)(keras.Input(shape=(2, 1))))),
    "stateful-needs-batch-size": (ex.STATEFUL_NEEDS_BATCH_SIZE,
                                  lambda: keras.layers.SimpleRNN(4, stateful=True)(keras.Input(shape=(5, 3)))),
    "stateful-batch-mismatch": (ex.STATEFUL_BATCH_MISMATCH, lambda: keras.Sequential(
        [keras.Input(shape=(5, 3), batch_size=2), keras.layers.SimpleRNN(4, stateful=True)]).layers[0](
        np.zeros((1, 5, 3), "float32"))),
    # a short last batch in predict: TensorFlow's graph error and the others' batch-size error, one explanation
    "stateful-partial-predict": (ex.STATEFUL_SHORT_BATCH, lambda: keras.Sequential(
        [keras.Input(shape=(5, 3), batch_size=4), keras.layers.SimpleRNN(4, stateful=True)]).predict(
        np.zeros((10, 5, 3), "float32"), batch_size=4, verbose=0)),
    "batch-input-shape-removed": (ex.BATCH_INPUT_SHAPE_REMOVED,
                                  lambda: keras.layers.SimpleRNN(4, batch_input_shape=(2, 5, 3))),
    "initial-state-typo": (ex.INITIAL_STATE_TYPO, lambda: keras.layers.SimpleRNN(4)(
        np.zeros((2, 5, 3), "float32"), initial_states=[np.zeros((2, 4), "float32")])),
    "feature-mismatch-functional": (ex.FEATURE_MISMATCH, lambda: _functional(keras.layers.SimpleRNN(4), (5, 3)).predict(
        np.zeros((8, 5, 2)), verbose=0)),
    "feature-mismatch-sequential-predict": (ex.FEATURE_MISMATCH, lambda: _seq53().predict(np.zeros((8, 5, 2)), verbose=0)),
    "feature-mismatch-sequential-call": (ex.FEATURE_MISMATCH, lambda: _seq53()(np.zeros((8, 5, 2), "float32"))),
    "feature-mismatch-sequential-fit": (ex.FEATURE_MISMATCH, _fit_lstm_on_2_features),
    "timesteps-mismatch": (ex.TIMESTEPS_MISMATCH, lambda: _functional(keras.layers.GRU(2), (5, 3)).predict(
        np.zeros((4, 7, 3)), verbose=0)),
    "data-ndim-mismatch": (ex.DATA_NDIM_MISMATCH, lambda: _seq53().predict(np.zeros((8, 5)), verbose=0)),
    "unknown-features": (ex.UNKNOWN_FEATURES, lambda: keras.layers.SimpleRNN(4)(keras.Input(shape=(5, None)))),
    "targets-broadcast": (ex.TARGET_SHAPE_MISMATCH, lambda: _fit("mse", 3, np.zeros((8, 5)))),
    "targets-lower-rank": (ex.TARGET_SHAPE_MISMATCH, lambda: _fit("mse", 3, np.zeros((8,)))),
    "sparse-labels-rank": (ex.OUTPUT_HAS_TIMESTEPS, lambda: _fit("sparse_categorical_crossentropy", 5,
                                                                   np.zeros((8,), int), True, (8, 6, 2))),
    "conv-too-short-build": (ex.CONV_TOO_SHORT, lambda: keras.layers.Conv1D(4, 5)(keras.Input(shape=(3, 1)))),
    "conv-too-short-run": (ex.CONV_TOO_SHORT, lambda: keras.Sequential(
        [keras.Input(shape=(None, 1)), keras.layers.Conv1D(4, 5), keras.layers.GRU(2)]).predict(
        np.zeros((2, 3, 1)), verbose=0)),
    "embedding-id": (ex.EMBEDDING_ID_OUT_OF_RANGE,
                     lambda: keras.layers.Embedding(input_dim=6, output_dim=2)(np.array([[4, 6]]))),
    "pad-sequences": (ex.PAD_SEQUENCES_ARGUMENTS, lambda: keras.utils.pad_sequences([[1, 2], [3]], padding="middle")),
}
# What differs from TensorFlow, measured (Keras 3.15.1, jax 0.10.2, torch 2.13.0).
DIFFERENT = {
    "jax": {"timesteps-mismatch": NO_ERROR,          # a functional model runs on 7 timesteps built for 5
            "embedding-id": NO_ERROR,                # JAX returns nan for an out-of-range id: no error
            "conv-too-short-run": NOT_EXPLAINED},    # "empty output": the kernel size is not in the message
    "torch": {"targets-broadcast": NOT_EXPLAINED,    # "size of tensor a (5) must match ...": no shapes
              "targets-lower-rank": NOT_EXPLAINED,
              "embedding-id": NOT_EXPLAINED},        # "index out of range in self": no id, no input_dim
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_error_on_this_backend(case):
    kind, action = CASES[case]
    want = DIFFERENT.get(BACKEND, {}).get(case, kind)
    try:
        action()
    except Exception as error:  # noqa: BLE001
        assert want != NO_ERROR, f"{case} now raises on {BACKEND}: {error}"
        found = ex.explain(error)
        assert (found.kind if found else None) == want, f"{case} on {BACKEND}: {str(error)[:600]}"
        if found is not None:
            assert found.fix and found.expected and found.received
        return
    assert want == NO_ERROR, f"{case} raised nothing on {BACKEND}"
