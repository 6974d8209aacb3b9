"""helpers.data.windows: window shapes, which values land where, and plain errors for bad input."""
import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data import windows
from helpers.data.windows import count_windows, sliding_windows, table_windows


def test_docstring_examples_run():
    result = doctest.testmod(windows)
    assert result.attempted >= 5 and result.failed == 0


def test_one_long_series_becomes_windows_and_next_values():
    series = np.arange(100.0)
    x, y = sliding_windows(series, timesteps=10)
    assert x.shape == (90, 10, 1) and y.shape == (90,)
    assert x[0, :, 0].tolist() == list(range(10)) and y[0] == 10
    assert x[-1, :, 0].tolist() == list(range(89, 99)) and y[-1] == 99


def test_two_feature_series_keeps_its_features_on_the_last_axis():
    series = np.stack([np.arange(8.0), -np.arange(8.0)], axis=1)   # (8, 2)
    x, y = sliding_windows(series, timesteps=3)
    assert x.shape == (5, 3, 2) and y.shape == (5, 2)
    assert x[1].tolist() == [[1, -1], [2, -2], [3, -3]]
    assert y[1].tolist() == [4, -4]


def test_horizon_and_stride_move_targets_and_starts():
    x, y = sliding_windows(np.arange(20), timesteps=4, horizon=3, stride=5)
    assert x.shape == (3, 4, 1)
    assert [w[0, 0] for w in x] == [0, 5, 10]
    assert y.tolist() == [6, 11, 16]


@settings(max_examples=60, deadline=None)
@given(length=st.integers(0, 60), timesteps=st.integers(1, 12), horizon=st.integers(1, 5), stride=st.integers(1, 6))
def test_count_windows_matches_what_sliding_windows_cuts(length, timesteps, horizon, stride):
    expected = count_windows(length, timesteps, horizon, stride)
    series = np.arange(length, dtype=float)
    if expected == 0:
        with pytest.raises(ValueError, match="too short"):
            sliding_windows(series, timesteps, horizon, stride)
        return
    x, y = sliding_windows(series, timesteps, horizon, stride)
    assert x.shape == (expected, timesteps, 1) and y.shape == (expected,)
    # Every target is the value `horizon` steps after its window's last value.
    assert np.array_equal(y, x[:, -1, 0] + horizon)
    # One more window would not fit.
    assert expected * stride + timesteps + horizon > length


def test_windows_are_copies():
    series = np.arange(10.0)
    x, y = sliding_windows(series, timesteps=2)
    x[:] = -1
    y[:] = -1
    assert series.min() == 0


def test_table_of_records_reads_chosen_columns_and_predicts_the_target():
    day = np.arange(6.0)
    temperature = 20 + day
    humidity = 0.5 - day / 100
    records = np.stack([day, temperature, humidity], axis=1)   # (6 records, 3 columns)
    x, y = table_windows(records, timesteps=3, target=1, features=[1, 2])
    assert x.shape == (3, 3, 2) and y.shape == (3,)
    assert x[0, :, 0].tolist() == [20, 21, 22] and y.tolist() == [23, 24, 25]
    x_all, _ = table_windows(records, timesteps=3, target=1)
    assert x_all.shape == (3, 3, 3)


@pytest.mark.parametrize("call, words", [
    (lambda: sliding_windows(np.zeros((2, 3, 4)), 2), "1-D"),
    (lambda: sliding_windows(np.arange(5), 0), "timesteps"),
    (lambda: sliding_windows(np.arange(5), 2.5), "timesteps"),
    (lambda: sliding_windows(np.arange(5), 5), "too short"),
    (lambda: sliding_windows(np.arange(5), 2, horizon=0), "horizon"),
    (lambda: table_windows(np.arange(5), 2, target=0), "2-D"),
    (lambda: table_windows(np.zeros((5, 2)), 2, target=2), "target"),
    (lambda: table_windows(np.zeros((5, 2)), 2, target=0, features=[]), "at least one"),
    (lambda: table_windows(np.zeros((5, 2)), 2, target=0, features=[0, 7]), "features"),
])
def test_bad_input_gets_a_plain_value_error(call, words):
    with pytest.raises(ValueError, match=words):
        call()
