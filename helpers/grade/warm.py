"""Warm sandboxed kernels (the grader's default where bubblewrap runs; ``COURSE_WARM_SANDBOX=0``
switches them off): forks of a warm process that itself runs inside the grader's sandbox
(:mod:`helpers.grade.warmbox`).

:class:`WarmSandbox` starts the warm process once per :class:`~helpers.grade.sandbox.Sandbox` (the
same allowlist as a kernel, no network, plus the capabilities it needs to confine its forks) and
restarts it when it has died. :class:`WarmSandboxProvisioner` asks it for a kernel instead of
starting bubblewrap; the fork gets its own namespaces, scratch folder, limits and user id. Where the
warm process cannot start or fork, :func:`provisioner_for` returns None and the kernel starts cold,
still sandboxed, with one warning.

>>> box = Sandbox(warm=True)                     # doctest: +SKIP
>>> scratch = box.scratch_folder()              # the folder every submission's scratch goes into  # doctest: +SKIP
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from helpers.kernels.provisioner import ForkedProcess, _stdio_fds

from .kernel_settings import KERNEL_ENV, SYSTEM_LINKS, Limits

STARTUP_TIMEOUT = 180.0
_LOCK = threading.Lock()
_WARM: dict = {}
_warned: set[str] = set()
_FORKS = [0]   # kernels forked by every warm process of this grader so far


def forks_made() -> int:
    """How many kernels the warm processes of this grader have forked so far."""
    return _FORKS[0]


def warn_once(why: str) -> None:
    if why not in _warned:
        _warned.add(why)
        print(f"WARNING: warm sandboxed kernels unavailable ({why}); kernels start cold, still sandboxed.",
              file=sys.stderr, flush=True)


class WarmSandbox:
    """The warm process of one sandbox, and the folder its kernels' scratch folders must live in."""

    def __init__(self, box):
        self.box = box
        self.root = Path(tempfile.mkdtemp(prefix="course-warm-"))
        self.jobs = self.root / "jobs"
        self.jobs.mkdir()
        os.chmod(self.root, 0o755)
        os.chmod(self.jobs, 0o755)
        self.process: subprocess.Popen | None = None
        self.problem = ""
        self.forks = 0   # kernels forked so far

    @property
    def socket_path(self) -> Path:
        return self.root / "tmp" / "warm.sock"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and self.socket_path.exists()

    def start(self) -> None:
        """Start (or restart) the warm process; wait until it listens. Raises RuntimeError."""
        self.stop()
        confined = self.box.confine(self.root)
        env = {**os.environ, **KERNEL_ENV}
        project = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (project, env.get("PYTHONPATH", "")) if p)
        argv = [sys.executable, "-Xfrozen_modules=off", "-m", "helpers.grade.warmbox", str(self.jobs)]
        self._log = open(self.root / "warm-stderr.txt", "wb")
        self.process = subprocess.Popen(confined.command(argv, Limits(), env, warm=True), stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=self._log, cwd=self.root)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self.socket_path.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = (self.root / "warm-stderr.txt").read_text(errors="replace").strip().splitlines()[-1:]
                self.stop()
                raise RuntimeError(f"the warm process did not start ({tail[0][:200] if tail else 'no message'})")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None
        try:
            self.socket_path.unlink()
        except OSError:
            pass

    def fork(self, request: dict, stdio: list[int]) -> tuple[int, int, socket.socket]:
        """Ask for a kernel: (keeper pid as the warm process sees it, its pidfd, the lifeline)."""
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        conn.settimeout(60)   # a warm process that does not answer is treated as dead
        try:
            conn.connect(str(self.socket_path))
            socket.send_fds(conn, [json.dumps(request).encode()], stdio)
            message, fds, _, _ = socket.recv_fds(conn, 1 << 16, 1)
            answer = json.loads(message or b"{}")
            if "pid" not in answer or len(fds) != 1:
                for fd in fds:
                    os.close(fd)
                raise RuntimeError(answer.get("error", "no answer"))
        except BaseException:
            conn.close()
            raise
        conn.setblocking(False)
        self.forks += 1
        _FORKS[0] += 1
        return answer["pid"], fds[0], conn


def warm_for(box) -> WarmSandbox | None:
    """The running warm process of ``box`` (started or restarted now), or None (and one warning)."""
    with _LOCK:
        warm = _WARM.get(box)
        if warm is None:
            warm = _WARM[box] = WarmSandbox(box)
        if warm.problem:
            return None
        if not warm.alive():
            try:
                warm.start()
            except (OSError, RuntimeError) as err:
                warm.problem = str(err)
                warn_once(warm.problem)
                return None
        return warm


def stop(box) -> None:
    """Stop the warm process of ``box`` (its batch is over; every kernel it forked ends with it) and
    remove its folder."""
    with _LOCK:
        warm = _WARM.pop(box, None)
        if warm is not None:
            warm.stop()
            shutil.rmtree(warm.root, ignore_errors=True)


def stop_all() -> None:
    for box in list(_WARM):
        stop(box)


atexit.register(stop_all)


class PidfdProcess(ForkedProcess):
    """The keeper of a warm sandboxed kernel: signalled through its pidfd (it lives in another PID namespace)."""

    def __init__(self, pid: int, pidfd: int, lifeline: socket.socket):
        self.pid, self.lifeline, self.returncode, self.pidfd = pid, lifeline, None, pidfd

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self.pidfd, signum)


class WarmSandboxProvisioner(LocalProvisioner):
    """Starts the kernel as a confined fork of the sandbox's warm process; see the module docstring."""

    confinement: Any = None
    warm_box: Any = None
    warm = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        confined, limits = self.confinement
        args = cmd[cmd.index("ipykernel_launcher") + 1:]
        request = {"args": args, "env": confined.kernel_env(kwargs.get("env")), "cwd": str(kwargs.get("cwd") or ""),
                   "scratch": str(confined.scratch), "keep": shown_in_tmp(confined.box), "uid": confined.uid,
                   "limits": confined.rlimits(limits)}
        opened: list = []
        try:
            stdio = _stdio_fds(kwargs, opened)
            for attempt in (1, 2):
                try:
                    pid, pidfd, lifeline = self.warm_box.fork(request, stdio)
                    break
                except OSError:
                    if attempt == 2:
                        raise
                    with _LOCK:
                        self.warm_box.start()   # it died since we last looked: restart it, once
        finally:
            for handle in opened:
                handle.close()
        self.process = PidfdProcess(pid, pidfd, lifeline)
        self.pid, self.pgid, self.warm = pid, None, True
        self.cwd = kwargs.get("cwd")
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        if self.process:
            self.process.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        if self.process:
            try:
                self.process.kill()
            except OSError:
                pass

    async def terminate(self, restart: bool = False) -> None:
        await self.kill(restart)


def shown_in_tmp(box) -> list[str]:
    """The shown folders that live in /tmp (a course cloned there, its .venv): a fork's new /tmp
    would cover them, so it mounts them back (outermost only)."""
    tmp = Path("/tmp")
    found = [p for p in box.shown() if tmp in p.parents and not (str(p) in SYSTEM_LINKS and p.is_symlink())]
    return [str(p) for p in found if not any(q in p.parents for q in found)]


def provisioner_for(km, confined, limits) -> WarmSandboxProvisioner | None:
    """A provisioner forking ``km``'s kernel from the warm process, or None (start it cold)."""
    box = confined.box
    warm = warm_for(box)
    if warm is None:
        return None
    if confined.scratch.parent != warm.jobs:
        warn_once("the scratch folder is not in the warm process's folder")
        return None
    km.kernel_id = km.kernel_id or os.urandom(8).hex()
    provisioner = WarmSandboxProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    provisioner.confinement = (confined, limits)
    provisioner.warm_box = warm
    return provisioner
