"""The shipped data: present, unchanged, loaded as documented, provenance written down."""
import hashlib

import numpy as np

from helpers import data

SUNSPOTS_SHA256 = "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b"


def test_sunspots_file_is_the_documented_one():
    digest = hashlib.sha256((data.DATA_DIR / "sunspots.csv").read_bytes()).hexdigest()
    assert digest == SUNSPOTS_SHA256
    assert SUNSPOTS_SHA256 in (data.DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")


def test_load_sunspots_returns_aligned_numpy_arrays():
    years, sunspots = data.load_sunspots()
    assert isinstance(years, np.ndarray) and isinstance(sunspots, np.ndarray)
    assert years.shape == sunspots.shape == (309,)
    assert years.dtype == np.int64 and sunspots.dtype == np.float32
    assert years[0] == 1700 and years[-1] == 2008
    assert np.all(np.diff(years) == 1), "one row per year, no gaps"
    assert np.all(np.isfinite(sunspots)) and sunspots.min() >= 0
    # Spot values read straight from the csv text, so a broken parser is noticed.
    rows = (data.DATA_DIR / "sunspots.csv").read_text().splitlines()
    year, value = rows[1 + 150].split(",")
    assert years[150] == int(year) and sunspots[150] == np.float32(value)


def test_load_sunspots_returns_fresh_arrays():
    _, first = data.load_sunspots()
    first[:] = -1
    _, second = data.load_sunspots()
    assert second.min() >= 0


def test_sources_name_origin_licence_and_extraction():
    text = (data.DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for needed in ("sunspots.csv", "public domain", "pip download --no-deps statsmodels", "load_sunspots"):
        assert needed in text


def test_importing_helpers_data_does_not_import_tensorflow():
    import subprocess
    import sys

    code = "import sys, helpers.data; helpers.data.load_sunspots(); print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
