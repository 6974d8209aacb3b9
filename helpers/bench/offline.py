"""Run kernels offline: every connection that would leave the machine is refused.

Two layers. The guard is a ``sitecustomize`` module in ``offline_guard/``; putting that folder
first on a kernel's ``PYTHONPATH`` installs it in the kernel and in every Python process the
kernel starts, before any notebook code runs, and it logs every attempt. It needs no privileges,
so it works everywhere. Where the machine allows it, :func:`namespace_prefix` also starts the
kernel in its own network namespace (only loopback), which stops C code too; the kernel then
talks to its client over Unix sockets (``transport="ipc"``).

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


# Starts a command in a new network namespace that has only a loopback interface (brought up),
# so nothing, Python or C, can reach another machine. Needs root, or unprivileged user namespaces.
_NAMESPACE_COMMANDS = (
    ["unshare", "--net", "--"],
    ["unshare", "--net", "--map-root-user", "--"],
)
_LO_UP = ["sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
_namespace_cache: list = []


def namespace_prefix() -> list[str] | None:
    """The command prefix that runs a process with no network but loopback, or None where this
    machine does not allow it (checked once: the process must see exactly one interface, ``lo``)."""
    if _namespace_cache:
        return _namespace_cache[0]
    import subprocess
    import sys

    probe = "import socket; assert [n for _, n in socket.if_nameindex()] == ['lo']"
    found = None
    for command in _NAMESPACE_COMMANDS:
        prefix = command + _LO_UP
        try:
            done = subprocess.run(prefix + [sys.executable, "-c", probe], capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            found = prefix
            break
    _namespace_cache.append(found)
    return found
