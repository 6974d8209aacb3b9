"""Run kernels offline: every connection that would leave the machine is refused.

The guard is a ``sitecustomize`` module in ``offline_guard/``; putting that folder first on a
kernel's ``PYTHONPATH`` installs it in the kernel and in every Python process the kernel starts,
before any notebook code runs. It works without privileges, so it runs the same in CI.

>>> env = offline_env(log="/tmp/attempts.log")
>>> env["PYTHONPATH"].split(os.pathsep)[0] == str(GUARD_DIR)
True
"""
from __future__ import annotations

import os
from pathlib import Path

from .kernel import kernel_env

GUARD_DIR = Path(__file__).resolve().parent / "offline_guard"
MARK = "offline guard"


def offline_env(log: str | os.PathLike | None = None, **overrides: str) -> dict[str, str]:
    """A kernel environment with the offline guard installed; refused attempts go to ``log``."""
    env = kernel_env(**overrides)
    paths = [str(GUARD_DIR)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    if log is not None:
        env["COURSE_OFFLINE_LOG"] = str(log)
    return env
