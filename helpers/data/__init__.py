"""Offline data for the course: small real series shipped in this folder, with provenance.

Nothing here downloads. Each loader reads a file that ships with the package and returns
plain numpy arrays; ``SOURCES.md`` says where every file came from and under which licence.

>>> from helpers.data import load_sunspots
>>> years, sunspots = load_sunspots()
>>> int(years[0]), int(years[-1]), sunspots.shape
(1700, 2008, (309,))
"""
from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent

__all__ = ["DATA_DIR", "load_sunspots"]


def load_sunspots():
    """Yearly mean sunspot numbers, 1700 to 2008 (public domain, NOAA NGDC via statsmodels).

    Returns ``(years, sunspots)``: ``years`` an int64 array of shape ``(309,)``, ``sunspots``
    a float32 array of shape ``(309,)`` (one value per year, no gaps).

    >>> years, sunspots = load_sunspots()
    >>> int(years[1]), float(sunspots[1])
    (1701, 11.0)
    """
    import numpy as np

    table = np.loadtxt(DATA_DIR / "sunspots.csv", delimiter=",", skiprows=1)
    years = table[:, 0].astype(np.int64)
    sunspots = table[:, 1].astype(np.float32)
    return years, sunspots
