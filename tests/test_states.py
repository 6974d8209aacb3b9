"""helpers.states: resetting every stateful layer of a Keras 3 model, and batch-size twins."""
import keras
import numpy as np
import pytest

from helpers.states import copy_weights, reset_states, state_values, stateful_layers, with_batch_size


def nested_model(batch_size=2):
    """Input -> [inner model: stateful LSTM -> stateful Bidirectional(GRU)] -> Dense, plus a plain GRU."""
    keras.utils.set_random_seed(0)
    inp = keras.Input(shape=(5, 3), batch_size=batch_size)
    seq = keras.layers.LSTM(4, stateful=True, return_sequences=True, name="stateful_lstm")(inp)
    seq = keras.layers.Bidirectional(keras.layers.GRU(3, stateful=True, return_sequences=True), name="bidi")(seq)
    inner = keras.Model(inp, seq, name="inner")
    outer_in = keras.Input(shape=(5, 3), batch_size=batch_size)
    out = keras.layers.GRU(2, name="plain_gru")(inner(outer_in))
    return keras.Model(outer_in, keras.layers.Dense(1, name="head")(out))


def total_state(model):
    return sum(float(np.abs(s).sum()) for states in state_values(model).values() for s in states)


def test_reset_states_reaches_nested_models_and_both_directions_of_bidirectional():
    model = nested_model()
    model(np.ones((2, 5, 3), "float32"))
    values = state_values(model)
    assert sorted(values) == ["bidi", "stateful_lstm"]
    assert [s.shape for s in values["stateful_lstm"]] == [(2, 4), (2, 4)]  # h and c
    assert [s.shape for s in values["bidi"]] == [(2, 3), (2, 3)]  # forward h, backward h
    assert all(np.abs(s).sum() > 0 for states in values.values() for s in states)
    names = reset_states(model)
    assert names == ["stateful_lstm", "bidi"]
    assert total_state(model) == 0.0


def test_reset_states_makes_the_next_call_start_from_zeros():
    model = nested_model()
    x = np.random.default_rng(0).random((2, 5, 3)).astype("float32")
    first = np.array(model(x))
    second = np.array(model(x))
    assert not np.allclose(first, second), "state carried over: the second call differs"
    reset_states(model)
    np.testing.assert_allclose(np.array(model(x)), first, atol=1e-6)


def test_reset_states_leaves_non_stateful_models_alone_and_takes_a_layer():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5, 3)), keras.layers.SimpleRNN(4), keras.layers.Dense(1)])
    assert reset_states(model) == []
    layer = keras.layers.SimpleRNN(4, stateful=True, name="lonely")
    layer(np.ones((3, 5, 3), "float32"))
    assert reset_states(layer) == ["lonely"]
    assert float(np.abs(keras.ops.convert_to_numpy(layer.states[0])).sum()) == 0.0


def test_reset_states_inside_time_distributed_wrapper_and_sequential():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5, 3), batch_size=2),
                              keras.layers.SimpleRNN(4, stateful=True, return_sequences=True, name="first"),
                              keras.layers.TimeDistributed(keras.layers.Dense(2)),
                              keras.layers.GRU(3, stateful=True, name="second")])
    model(np.ones((2, 5, 3), "float32"))
    assert reset_states(model) == ["first", "second"]
    assert total_state(model) == 0.0


def test_reset_states_rejects_what_is_not_keras():
    with pytest.raises(TypeError, match="Keras model or layer"):
        reset_states("model")


def test_with_batch_size_twin_has_same_weights_and_answers_like_the_original():
    model = nested_model(batch_size=2)
    twin = with_batch_size(model, 1)
    assert tuple(twin.inputs[0].shape) == (1, 5, 3)
    assert [layer.name for layer in stateful_layers(twin)] == ["stateful_lstm", "bidi"]
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(1).random((1, 5, 3)).astype("float32")
    # Both start from zero states, so sample 0 of the original equals the twin's only sample.
    np.testing.assert_allclose(np.array(twin(x)), np.array(model(np.repeat(x, 2, axis=0)))[:1], atol=1e-6)
    assert tuple(model.inputs[0].shape) == (2, 5, 3), "the original is unchanged"


def test_with_batch_size_on_sequential_and_bad_sizes():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5, 3), batch_size=4), keras.layers.SimpleRNN(2, stateful=True)])
    twin = with_batch_size(model, 3)
    assert isinstance(twin, keras.Sequential)
    assert np.array(twin(np.zeros((3, 5, 3), "float32"))).shape == (3, 2)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="positive whole number"):
            with_batch_size(model, bad)
    with pytest.raises(TypeError):
        with_batch_size(keras.layers.Dense(2), 1)


def test_copy_weights_counts_numbers_and_names_the_mismatch():
    keras.utils.set_random_seed(0)
    a = keras.Sequential([keras.Input((5, 3)), keras.layers.SimpleRNN(5)])
    b = keras.Sequential([keras.Input((5, 3), batch_size=1), keras.layers.SimpleRNN(5, stateful=True)])
    assert copy_weights(a, b) == 45  # 3*5 + 5*5 + 5
    np.testing.assert_array_equal(a.get_weights()[1], b.get_weights()[1])
    c = keras.Sequential([keras.Input((5, 3)), keras.layers.SimpleRNN(6)])
    with pytest.raises(ValueError, match="shape"):
        copy_weights(a, c)
    d = keras.Sequential([keras.Input((5, 3)), keras.layers.SimpleRNN(5), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="weight arrays"):
        copy_weights(a, d)


def test_importing_helpers_states_does_not_import_tensorflow():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import sys, helpers.states; print('tensorflow' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
