"""helpers.targets agrees with what Keras computes: for every rank case on tiny models, check_targets
accepts the targets exactly when ``evaluate`` gives the loss of each prediction against its own target,
and says "Keras would not stop you" exactly when ``evaluate`` runs."""
import itertools

import numpy as np
import pytest

from helpers.targets import TargetShapeError, check_targets, same_rank, target_problem

N = 4


def _model(output_shape, activation=None):
    import keras

    L = keras.layers
    if len(output_shape) == 2:
        layers = [L.Flatten(), L.Dense(output_shape[1], activation=activation)]
    else:
        layers = [L.SimpleRNN(2, return_sequences=True), L.Dense(output_shape[2], activation=activation)]
    return keras.Sequential([keras.Input(shape=(output_shape[1] if len(output_shape) == 3 else 5, 1)), *layers])


def _evaluate(model, loss, y):
    """The loss Keras' evaluate reports, or None when it raises."""
    model.compile(loss=loss, run_eagerly=True)
    x = np.linspace(-1, 1, N * model.inputs[0].shape[1]).reshape(N, -1, 1).astype("float32")
    try:
        return float(model.evaluate(x, y, verbose=0)), x
    except Exception:   # noqa: BLE001 - graph or eager errors: Keras stopped
        return None, x


OUTPUTS = [(None, 1), (None, 3), (None, 6, 1), (None, 6, 3)]
TARGETS = [(N,), (N, 1), (N, 3), (N, 6), (N, 3, 1), (N, 6, 1), (N, 1, 1), (N, 1, 3), (N, 6, 3), (N, 3, 6),
           (N, 6, 1, 1), (N, 5)]


@pytest.mark.parametrize("output", OUTPUTS, ids=str)
def test_check_targets_accepts_exactly_what_evaluate_compares_place_by_place(output):
    model = _model(output)
    rng = np.random.default_rng(0)
    for target in TARGETS:
        y = rng.normal(size=target).astype("float32")
        keras_loss, x = _evaluate(model, "mse", y)
        predictions = np.asarray(model.predict(x, verbose=0))
        meant = (float(np.mean((y.reshape(predictions.shape) - predictions) ** 2))
                 if y.size == predictions.size else None)
        place_by_place = keras_loss is not None and meant is not None and np.isclose(keras_loss, meant, rtol=1e-4)
        try:
            assert check_targets(model, y) == target      # it returns the targets' own shape
            accepted = True
        except TargetShapeError as err:
            accepted = False
            message = str(err)
            assert ("would not stop you" in message) == (keras_loss is not None), (output, target, message)
            assert ("would stop too" in message) == (keras_loss is None), (output, target, message)
        assert accepted == place_by_place, (output, target, keras_loss, meant)


@pytest.mark.parametrize("output", [(None, 3), (None, 6, 3)], ids=str)
def test_sparse_labels_accepted_exactly_when_sparse_crossentropy_runs(output):
    model = _model(output, activation="softmax")
    rng = np.random.default_rng(1)
    for target in TARGETS:
        labels = rng.integers(0, 3, size=target)
        keras_loss, _ = _evaluate(model, "sparse_categorical_crossentropy", labels)
        accepted = target_problem(output, target, sparse=True) is None
        assert accepted == (keras_loss is not None), (output, target, keras_loss)
        if not accepted:
            assert "would stop too" in target_problem(output, target, sparse=True)


def test_one_hot_targets_with_sparse_loss_are_named():
    assert "one-hot" in target_problem((None, 6, 3), (N, 6, 3), sparse=True)


def test_same_rank_is_keras_own_rule():
    from keras import ops
    from keras.src.losses.loss import squeeze_or_expand_to_same_rank

    for y, p in itertools.product(TARGETS, [(N, 1), (N, 3), (N, 6, 1), (N, 6, 3), (N,)]):
        a, b = squeeze_or_expand_to_same_rank(ops.zeros(y), ops.zeros(p))
        assert same_rank(y, p) == (tuple(a.shape), tuple(b.shape)), (y, p)
