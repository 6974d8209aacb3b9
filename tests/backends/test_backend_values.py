"""Answers computed on JAX or PyTorch are judged like numpy ones: in the learner's kernel (``check``)
and in the grader (the probe that reads answers out of the kernel). Needs the jax and torch extras."""
import jax.numpy as jnp
import numpy as np
import pytest
import torch

from helpers.exercises import lesson_06
from helpers.exercises.backend_values import plain
from helpers.exercises.engine import Exercise, Result, shape_check
from helpers.grade import probe


def test_plain_turns_backend_arrays_into_numpy():
    grad = torch.ones(2, 3, requires_grad=True) * 2   # np.asarray refuses this one
    assert isinstance(plain(grad), np.ndarray) and plain(grad).tolist() == [[2.0] * 3] * 2
    assert isinstance(plain(jnp.ones((2, 3))), np.ndarray)
    assert plain(torch.tensor(5)) == 5 and isinstance(plain(torch.tensor(5)), np.integer)
    assert isinstance(plain(jnp.float32(2.5)), np.floating)
    assert plain(torch.Size([4, 3])) == (4, 3) and type(plain(torch.Size([4, 3]))) is tuple
    mixed = plain([jnp.zeros(2), (torch.zeros(1, requires_grad=True), 3)])
    assert isinstance(mixed[0], np.ndarray) and isinstance(mixed[1][0], np.ndarray) and mixed[1][1] == 3


def test_plain_leaves_everything_else_alone():
    array, shape = np.zeros(3), (None, 2)
    assert plain(array) is array and plain(shape) is shape and plain(...) is Ellipsis
    assert plain("text") == "text" and plain(None) is None


@pytest.mark.parametrize("make", [np.array, jnp.array, torch.tensor,
                                  lambda v: torch.tensor(v, dtype=torch.float32, requires_grad=True)])
def test_a_check_judges_every_backend_like_numpy(make):
    exercise = Exercise(lesson="99", id="q1", prompt="Twice the input.", reads="twice", hints=["Double it."],
                        answer="twice = 2 * x", check=lambda v: Result(bool(np.allclose(v, [2.0, 4.0])), "ok"))
    assert exercise.judge(make([2.0, 4.0])).correct
    assert not exercise.judge(make([2.0, 5.0])).correct


def test_a_function_returning_torch_tensors_is_judged():
    q5 = lesson_06.q5   # whole_batches(x, batch_size)
    def whole_batches(x, batch_size):
        tensor = torch.tensor(np.asarray(x), requires_grad=np.asarray(x).dtype.kind == "f")
        return tensor[: len(x) // batch_size * batch_size]
    assert q5.check(whole_batches).correct, q5.check(whole_batches)


def test_shapes_from_torch_and_jax():
    assert shape_check((4, 3))(torch.zeros(4, 3).shape).ok
    assert shape_check((4, 3))(jnp.zeros((4, 3)).shape).ok


@pytest.mark.parametrize("value", [jnp.arange(6.0).reshape(2, 3),
                                   torch.arange(6.0).reshape(2, 3).requires_grad_(True)])
def test_the_grader_probe_reads_backend_arrays(value):
    decoded = probe.decode(probe.encode(value))
    assert isinstance(decoded, np.ndarray) and decoded.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_the_grader_probe_reads_backend_scalars_as_numpy_scalars():
    for value in (torch.tensor(7), jnp.int32(7)):
        decoded = probe.decode(probe.encode(value))
        assert decoded == 7 and isinstance(decoded, np.generic)


def test_the_grader_probe_reads_a_keras_variable_on_this_backend():
    import keras

    variable = keras.Variable(np.ones((2, 2), "float32"))
    assert probe.decode(probe.encode(variable)).tolist() == [[1.0, 1.0], [1.0, 1.0]]
