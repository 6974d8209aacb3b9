"""No answer can make an exercise check raise: every check gets random garbage and must
return a Verdict (property-based, with hypothesis).

Garbage means what a learner or a broken submission can hand over: nested lists, tuples,
dicts and sets; numpy arrays of any dtype and shape (0-d and empty included); None, strings,
bytes, huge ints, NaN and inf; hostile objects (their ==, len, iter, bool, repr or shape raise);
finite generators; callables that raise or return garbage; tiny Keras models, layers and tensors.
Function exercises also get garbage outputs through ``judge_outputs``. Examples are derandomized
so CI sees the same ones every run.
"""
from __future__ import annotations

import contextlib
import functools
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers.exercises import CORRECT, NOT_ATTEMPTED, NOT_YET, Verdict, exercises_for, lessons

EXERCISES = {e.key: e for lesson in lessons() for e in exercises_for(lesson)}
GARBAGE_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                            suppress_health_check=list(HealthCheck))


# -- hostile objects -----------------------------------------------------------------------
class Boom(Exception):
    """An error raised by garbage."""


class UnprintableError(Exception):
    """An error that cannot even say what it is."""

    def __str__(self):
        raise Boom("str")

    __repr__ = __str__


def _raise(*_args, **_kwargs):
    raise Boom("garbage raised")


class Hostile:
    """Every protocol a check might touch raises."""

    __eq__ = __lt__ = __gt__ = __len__ = __iter__ = __bool__ = __float__ = __int__ = __index__ = _raise
    __array__ = __getitem__ = __repr__ = __str__ = _raise
    __hash__ = object.__hash__

    @property
    def shape(self):
        raise Boom("shape")


class FakeArray:
    """Looks like an array from afar: a ``shape`` that is nonsense."""

    shape = "three by four"
    dtype = "float"
    ndim = -1


class FakeModel:
    """Looks like a Keras model from afar."""

    layers = [None, "Dense", 3]
    inputs = "x"

    def summary(self):
        return "no"

    def count_params(self):
        return float("nan")


class FakeTensorShape:
    """Named like Keras' TensorShape, but ``as_list`` fails."""

    def as_list(self):
        raise ValueError("unknown rank")


FakeTensorShape.__name__ = "TensorShape"

HOSTILE = [Hostile(), FakeArray(), FakeModel(), FakeTensorShape(), object(), UnprintableError(),
           Boom("an exception as an answer"), int, list, np.ndarray, np, range(3), range(0), slice(1, 2),
           abs, len, complex(1, 2), np.float64("nan"), np.int64(2**62), np.ma.masked_array([1, 2], [0, 1]),
           np.array([None, "a", 3], dtype=object), np.zeros((2, 0, 3)), np.empty(()), memoryview(b"abc"),
           bytearray(b"\x00\xff"), float("inf"), -float("inf"), float("nan"), 10**400, -(10**400), 2**64]
CALLABLES = [_raise, lambda: 1, lambda x: x, lambda *a: a, lambda *a, **k: None,
             lambda *a: (_ for _ in ()).throw(UnprintableError()),
             lambda *a: np.full((3, 3), np.nan), lambda *a: iter([1, 2])]


def picked(items: list):
    """Like ``st.sampled_from``, without hypothesis calling ``repr`` on hostile items up front."""
    def item(index: int):
        return items[index]

    return st.integers(0, len(items) - 1).map(item)


@functools.lru_cache(maxsize=1)
def keras_things() -> list:
    """Tiny Keras models, a layer and tensors, built once (TensorFlow loads on first use)."""
    import keras

    keras.utils.set_random_seed(0)
    dense = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    rnn = keras.Sequential([keras.Input(shape=(4, 1)), keras.layers.SimpleRNN(3, return_sequences=True),
                            keras.layers.Dense(1)])
    unbuilt = keras.Sequential([keras.layers.SimpleRNN(2), keras.layers.Dense(1)])
    empty = keras.Sequential()
    inputs = keras.Input(shape=(5, 2))
    outputs = keras.layers.LSTM(4, return_state=True)(inputs)
    with_states = keras.Model(inputs, outputs)
    return [dense, rnn, unbuilt, empty, with_states, keras.layers.Dense(3), keras.Input(shape=(2,)),
            keras.ops.zeros((2, 3)), dense.layers[0].kernel, keras.ops.convert_to_tensor(np.ones((1, 2, 1)))]


@pytest.fixture(autouse=True, scope="module")
def build_keras_things_first():
    """Load Keras before hypothesis draws (drawing must not seed random generators)."""
    keras_things()


keras_garbage = st.integers(0, 9).map(lambda i: keras_things()[i])
arrays = hnp.arrays(dtype=st.one_of(hnp.scalar_dtypes(), hnp.byte_string_dtypes(), hnp.unicode_string_dtypes()),
                    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
scalars = st.one_of(
    st.none(), st.just(...), st.booleans(), st.integers(), picked([2**63, -(2**63) - 1, 10**100, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(), st.text(max_size=20),
    st.binary(max_size=20), st.fractions(), st.decimals(allow_nan=True, allow_infinity=True),
    hnp.from_dtype(np.dtype("float32")), hnp.from_dtype(np.dtype("int8")), hnp.from_dtype(np.dtype("uint64")),
)


leaves = st.one_of(scalars, arrays, picked(HOSTILE), picked(CALLABLES), keras_garbage)


def extend(children):
    hashable = st.one_of(st.integers(), st.text(max_size=5), st.none(), st.tuples(st.integers(), st.integers()))
    return st.one_of(
        st.lists(children, max_size=5), st.tuples(children, children), st.tuples(children),
        st.lists(st.one_of(st.none(), st.integers(-3, 40)), min_size=0, max_size=5).map(tuple),
        st.dictionaries(hashable, children, max_size=4), st.sets(hashable, max_size=4),
        st.frozensets(hashable, max_size=4),
        st.lists(children, max_size=4).map(lambda items: (x for x in items)),
        children.map(lambda value: (lambda *args, **kwargs: value)),  # a function returning garbage
    )


nested = st.recursive(leaves, extend, max_leaves=8)
# The hand-made hostile values also come often on their own, not only deep inside containers.
garbage = st.one_of(nested, picked(HOSTILE), picked(CALLABLES), keras_garbage)


def assert_is_verdict(verdict, key: str, printed: str) -> None:
    assert isinstance(verdict, Verdict), f"{key} returned {type(verdict).__name__}, not a Verdict"
    assert verdict.exercise == key
    assert verdict.status in (CORRECT, NOT_YET, NOT_ATTEMPTED)
    assert isinstance(verdict.text(), str) and verdict.text()
    assert isinstance(verdict._repr_html_(), str)
    assert printed == "", f"{key} printed while judging: {printed[:200]!r}"


def judged(call, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        verdict = call(*args)
    return verdict, out.getvalue()


@pytest.mark.parametrize("key", sorted(EXERCISES))
@GARBAGE_SETTINGS
@given(value=garbage)
def test_check_survives_garbage(key, value):
    verdict, printed = judged(EXERCISES[key].check, value)
    assert_is_verdict(verdict, key, printed)


FUNCTION_KEYS = sorted(k for k, e in EXERCISES.items() if e.kind == "function")


@pytest.mark.parametrize("key", FUNCTION_KEYS)
@GARBAGE_SETTINGS
@given(data=st.data())
def test_function_check_survives_garbage_outputs(key, data):
    exercise = EXERCISES[key]
    cases = exercise.inputs(0)
    size = data.draw(st.sampled_from([len(cases), len(cases), 0, 1, len(cases) + 1]), label="outputs")
    outputs = data.draw(st.lists(garbage, min_size=size, max_size=size), label="outputs")
    verdict, printed = judged(exercise.judge_outputs, cases, outputs)
    assert_is_verdict(verdict, key, printed)


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_check_survives_every_hostile_value(key):
    """Each hand-made hostile value, Keras model and callable, as the whole answer."""
    exercise = EXERCISES[key]
    for index, value in enumerate(HOSTILE + CALLABLES + keras_things()):
        try:
            verdict, printed = judged(exercise.check, value)
        except BaseException as err:  # noqa: BLE001 - name the culprit, then fail
            pytest.fail(f"{key}.check(item {index} of the hostile values) raised {type(err).__name__}")
        assert_is_verdict(verdict, key, printed)


def test_the_garbage_reaches_every_kind_of_check():
    """Guards the test itself: there are exercises of both kinds to feed."""
    kinds = {e.kind for e in EXERCISES.values()}
    assert {"value", "function"} <= kinds, kinds
    assert all(key in EXERCISES for key in FUNCTION_KEYS)
