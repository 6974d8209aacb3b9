"""Is this machine ready for the course? One call answers it, without surprises.

>>> report = check_environment()      # doctest: +SKIP
>>> report.ok                         # doctest: +SKIP
True
"""
from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass

# What the course was written and tested with; other versions may show other messages.
TESTED = {"keras": "3.15", "tensorflow": "2.21"}


@dataclass(frozen=True)
class Line:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Report:
    lines: tuple

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    def __repr__(self) -> str:
        rows = [f"{'ok ' if line.ok else 'FIX'} {line.name:<12} {line.detail}" for line in self.lines]
        rows.append("Ready for the course." if self.ok else "Something needs attention: see the FIX lines.")
        return "\n".join(rows)


# How to get a missing package; by default, the course's own set-up.
INSTALL = {"tensorflow": "install the course with its CPU TensorFlow: `make install`, or "
                         "`pip install -e '.[cpu]'` in the project folder"}


def _version_line(module: str, show_version: bool = True) -> Line:
    try:
        version = importlib.import_module(module).__version__
    except Exception as err:  # noqa: BLE001 - a missing package is a finding, not a crash
        how = INSTALL.get(module, "run `make lab` from the project folder")
        return Line(module, False, f"not importable ({type(err).__name__}); {how}")
    tested = TESTED.get(module)
    if tested and not version.startswith(tested):
        return Line(module, True, f"{version} (the course was tested with {tested}.x; messages may differ)")
    return Line(module, True, version.split("+")[0] if show_version else "importable")


def check_environment() -> Report:
    """Python, Keras, its backend, TensorFlow and the quiet-logging settings, one line each."""
    lines = [Line("python", sys.version_info >= (3, 11), f"{sys.version_info.major}.{sys.version_info.minor}")]
    lines.append(_version_line("keras"))
    try:
        import keras

        backend = keras.config.backend()
        lines.append(Line("backend", backend == "tensorflow", backend))
    except Exception:  # noqa: BLE001
        pass
    lines.append(_version_line("tensorflow"))
    # Unpinned packages: only whether they import, so the notebook's output does not change with releases.
    lines.append(_version_line("numpy", show_version=False))
    lines.append(_version_line("matplotlib", show_version=False))
    lines.append(_version_line("ipywidgets", show_version=False))
    quiet = os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "3" and os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0"
    lines.append(Line("quiet TF", True, "on" if quiet else "off (harmless: TensorFlow may print a few log lines)"))
    return Report(tuple(lines))
