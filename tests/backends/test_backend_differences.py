"""What lesson 06 says each backend does, proved on the backend this process runs (KERAS_BACKEND).

The lesson can show only its own backend live (its stored run is TensorFlow's); ``make
test-backends`` runs this file under tensorflow, jax and torch, so every sentence of the form
"on JAX and PyTorch ..." is measured here.
"""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402

BACKEND = keras.backend.backend()


def _stateful(batch_size, **kwargs):
    return keras.Sequential([keras.Input(shape=(5, 3), batch_size=batch_size),
                             keras.layers.SimpleRNN(4, stateful=True, **kwargs)])


def test_the_backend_is_the_one_asked_for():
    assert BACKEND == os.environ["KERAS_BACKEND"]


def test_predict_on_a_lone_last_sample():
    model = _stateful(2)
    seven = np.random.default_rng(2).normal(size=(7, 5, 3)).astype("float32")
    if BACKEND == "tensorflow":
        assert model.predict(seven, batch_size=2, verbose=0).shape == (8, 4)   # broadcast over both state rows
    else:
        with pytest.raises(ValueError, match="If an RNN is stateful, the batch size of the input sequences"):
            model.predict(seven, batch_size=2, verbose=0)


def test_fit_on_a_lone_last_sample():
    model = _stateful(2)
    model.compile(optimizer="sgd", loss="mse")
    seven = np.zeros((7, 5, 3), "float32")
    if BACKEND == "tensorflow":
        model.fit(seven, np.zeros((7, 4), "float32"), batch_size=2, shuffle=False, verbose=0)
    else:
        with pytest.raises(ValueError, match="If an RNN is stateful"):
            model.fit(seven, np.zeros((7, 4), "float32"), batch_size=2, shuffle=False, verbose=0)


def test_predict_on_a_partial_batch_of_another_size():
    model = _stateful(4)
    with pytest.raises(Exception) as raised:
        model.predict(np.zeros((10, 5, 3), "float32"), batch_size=4, verbose=0)
    if BACKEND == "tensorflow":
        assert type(raised.value).__name__ == "InvalidArgumentError"
        assert "Incompatible shapes" in str(raised.value)
    else:
        assert type(raised.value) is ValueError and "If an RNN is stateful" in str(raised.value)


def test_weights_after_a_failed_predict():
    """Lesson 06 reads the weights before predict: on JAX a failed predict leaves them unreadable."""
    model = _stateful(2)
    try:
        model.predict(np.zeros((7, 5, 3), "float32"), batch_size=2, verbose=0)
    except ValueError:
        pass
    if BACKEND == "jax":
        with pytest.raises(TypeError):
            model.get_weights()
    else:
        assert [w.shape for w in model.get_weights()] == [(3, 4), (4, 4), (4,)]


@pytest.mark.parametrize("use_cudnn", ["auto", False])
def test_fit_a_stateful_gru(use_cudnn):
    model = keras.Sequential([keras.Input(shape=(None, 1), batch_size=4),
                              keras.layers.GRU(8, stateful=True, return_sequences=True, use_cudnn=use_cudnn),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = np.zeros((8, 5, 1), "float32")
    if BACKEND == "torch" and use_cudnn == "auto":
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            model.fit(x, x, batch_size=4, shuffle=False, verbose=0)
    else:
        history = model.fit(x, x, batch_size=4, shuffle=False, verbose=0)
        assert len(history.history["loss"]) == 1


def test_a_direct_call_with_the_wrong_batch_raises_everywhere():
    model = _stateful(2)
    with pytest.raises(ValueError, match="If an RNN is stateful"):
        model.layers[0](np.zeros((1, 5, 3), "float32"))


def test_numpy_of_a_layer_output():
    """Why the lessons use keras.ops.convert_to_numpy: .numpy() is TensorFlow's, np.asarray fails on torch."""
    out = keras.layers.Dense(2)(np.ones((1, 3), "float32"))
    assert keras.ops.convert_to_numpy(out).shape == (1, 2)
    assert hasattr(out, "numpy") == (BACKEND in ("tensorflow", "torch"))
    if BACKEND == "torch":
        with pytest.raises(RuntimeError, match="requires grad"):
            np.asarray(out)
    else:
        assert np.asarray(out).shape == (1, 2)


def test_an_embedding_id_past_the_table():
    """Lesson 07: id 6 in an Embedding(input_dim=6) fails on TensorFlow and PyTorch (CPU); JAX returns nan."""
    embed = keras.layers.Embedding(input_dim=6, output_dim=2, mask_zero=True)
    ids = np.array([[4, 6]])
    if BACKEND == "jax":
        looked_up = keras.ops.convert_to_numpy(embed(ids))
        assert looked_up.shape == (1, 2, 2)
        assert np.isnan(looked_up[0, 1]).all() and not np.isnan(looked_up[0, 0]).any()
    else:
        with pytest.raises(Exception) as raised:
            embed(ids)
        expected = {"tensorflow": ("InvalidArgumentError", "is not in [0, 6)"),
                    "torch": ("IndexError", "index out of range in self")}[BACKEND]
        assert type(raised.value).__name__ == expected[0] and expected[1] in str(raised.value)
