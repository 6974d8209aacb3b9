"""Cut long series and tables of records into ``(samples, timesteps, features)`` windows.

An RNN reads a batch of sequences: a 3-D array ``(samples, timesteps, features)``. Real data
rarely arrives like that. It is one long series (a value per day) or a table whose rows are
records in time order (one row per day, one column per measurement). These functions slide a
window of ``timesteps`` rows along the data and pair each window with the value that follows it.

>>> import numpy as np
>>> x, y = sliding_windows(np.arange(10.0), timesteps=3)
>>> x.shape, y.shape
((7, 3, 1), (7,))
>>> x[0, :, 0].tolist(), float(y[0])
([0.0, 1.0, 2.0], 3.0)

Only numpy is used; nothing here imports TensorFlow.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["count_windows", "sliding_windows", "table_windows"]


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(value)


def count_windows(length: int, timesteps: int, horizon: int = 1, stride: int = 1) -> int:
    """How many windows :func:`sliding_windows` cuts from ``length`` rows.

    A window needs ``timesteps`` rows, and its target sits ``horizon`` rows after the window's
    last row, so the first window uses rows ``0 .. timesteps + horizon - 1``. Each further window
    starts ``stride`` rows later.

    >>> count_windows(100, timesteps=10)
    90
    """
    length = int(length)
    timesteps = _positive_int(timesteps, "timesteps")
    horizon = _positive_int(horizon, "horizon")
    stride = _positive_int(stride, "stride")
    span = timesteps + horizon
    if length < span:
        return 0
    return (length - span) // stride + 1


def sliding_windows(series, timesteps: int, horizon: int = 1, stride: int = 1):
    """Windows of ``timesteps`` consecutive rows of ``series``, each with the row ``horizon`` steps later.

    ``series`` is 1-D ``(length,)`` (one value per step) or 2-D ``(length, features)``.
    Returns ``(x, y)``:

    * ``x`` of shape ``(samples, timesteps, features)``; a 1-D series gets ``features = 1``;
    * ``y`` of shape ``(samples,)`` for a 1-D series, ``(samples, features)`` for a 2-D one.

    ``samples`` is :func:`count_windows` ``(length, timesteps, horizon, stride)``. The arrays are
    copies, so changing them never changes ``series``.

    >>> x, y = sliding_windows(np.arange(12.0).reshape(6, 2), timesteps=2)
    >>> x.shape, y.shape
    ((4, 2, 2), (4, 2))
    """
    values = np.asarray(series)
    if values.ndim not in (1, 2):
        raise ValueError(f"series must be 1-D (length,) or 2-D (length, features), got shape {values.shape}")
    timesteps = _positive_int(timesteps, "timesteps")
    samples = count_windows(len(values), timesteps, horizon, stride)
    if samples == 0:
        raise ValueError(f"a series of {len(values)} rows is too short for windows of {timesteps} steps "
                         f"with a target {horizon} step(s) later: it needs at least {timesteps + horizon} rows")
    table = values[:, None] if values.ndim == 1 else values
    starts = np.arange(samples) * stride
    x = table[starts[:, None] + np.arange(timesteps)[None, :]]
    y = values[starts + timesteps + horizon - 1]
    return x.copy(), y.copy()


def table_windows(table, timesteps: int, target: int, features: Sequence[int] | None = None,
                  horizon: int = 1, stride: int = 1):
    """Windows over a table of records in time order (one row per step, one column per field).

    ``target`` is the column to predict; ``features`` are the columns the RNN reads at every
    step (default: every column, the target included, since its past values are usually worth
    reading). Returns ``(x, y)`` with ``x`` of shape ``(samples, timesteps, len(features))`` and
    ``y`` of shape ``(samples,)``: the target column ``horizon`` rows after each window.

    >>> records = np.array([[1, 10, 0.5], [2, 11, 0.4], [3, 12, 0.6], [4, 13, 0.7]])
    >>> x, y = table_windows(records, timesteps=2, target=1, features=[0, 2])
    >>> x.shape, y.tolist()
    ((2, 2, 2), [12.0, 13.0])
    """
    values = np.asarray(table)
    if values.ndim != 2:
        raise ValueError(f"table must be 2-D (records, columns), got shape {values.shape}")
    columns = values.shape[1]
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or not -columns <= target < columns:
        raise ValueError(f"target must be a column number below {columns}, got {target!r}")
    chosen = list(range(columns)) if features is None else [int(c) for c in features]
    if not chosen:
        raise ValueError("features must name at least one column")
    if any(not -columns <= c < columns for c in chosen):
        raise ValueError(f"features must be column numbers below {columns}, got {list(features)}")
    x, _ = sliding_windows(values[:, chosen], timesteps, horizon, stride)
    _, y = sliding_windows(values[:, target], timesteps, horizon, stride)
    return x, y
