"""A kernel provisioner whose kernels are forked from a warm process that imported TensorFlow.

:class:`WarmProvisioner` is a :class:`~jupyter_client.provisioning.LocalProvisioner` that, when it
can, asks a zygote (:mod:`helpers.kernels.zygote`) to fork the kernel instead of starting
``python -m ipykernel_launcher`` from scratch. The fork is an ordinary ipykernel with its own
connection file, working folder, environment, process and process group, so interrupt, restart,
shutdown and kill work as for a cold kernel. One zygote per Python executable and *start-up
environment* (:func:`startup_key`: what Python, TensorFlow, Keras and matplotlib read while they
import, e.g. ``PYTHONHASHSEED``, ``PYTHONPATH``, ``TF_*``, ``MPLBACKEND``), started on first use
by the process that manages kernels, replaced when it dies.

Every kernel it starts, warm or cold, talks over Unix sockets (ZeroMQ's IPC transport) in a
private folder (:func:`use_ipc`) instead of TCP ports on 127.0.0.1, which any local user could
reach, and which make every ipykernel warn "Kernel is running over TCP without encryption".
``COURSE_KERNEL_TRANSPORT=tcp`` keeps TCP.

It falls back to the normal local launch, and says so once per reason in the log, when:
not Linux; ``COURSE_WARM_KERNELS=0`` in the kernel's or the manager's environment; the kernel
command is not the plain ``python -m ipykernel_launcher -f ...`` (a sandbox or namespace prefix
must wrap a process of its own); a stdio stream is a pipe; the zygote fails.

>>> from jupyter_client import KernelManager                       # doctest: +SKIP
>>> km = KernelManager(kernel_name="python3"); km.start_kernel()     # doctest: +SKIP
>>> type(km.provisioner).__name__, km.provisioner.warm               # doctest: +SKIP
('WarmProvisioner', True)
"""
from __future__ import annotations

import asyncio
import atexit
import json
import os
import secrets
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

SWITCH = "COURSE_WARM_KERNELS"
# Environment variables read while Python, numpy, TensorFlow, Keras or matplotlib import:
# a zygote serves only kernels whose values for these are its own.
STARTUP_PREFIXES = ("PYTHON", "TF_", "KERAS", "MPL", "OMP_", "MKL_", "OPENBLAS", "CUDA", "XLA",
                    "LD_", "HOME", "IPYTHON", "TMPDIR")
STARTUP_TIMEOUT = 180.0
_HANDLED_KWARGS = {"env", "cwd", "stdin", "stdout", "stderr", "kernel_id", "independent"}
_told: set[str] = set()


def startup_key(python: list[str], env: dict[str, str]) -> tuple:
    """What a zygote must share with a kernel it forks: the interpreter and the start-up variables.

    >>> startup_key(["python"], {"PYTHONHASHSEED": "0", "JPY_SESSION_NAME": "a.ipynb"})
    (('python',), (('PYTHONHASHSEED', '0'),))
    """
    return tuple(python), tuple(sorted((k, v) for k, v in env.items() if k.startswith(STARTUP_PREFIXES)))


def split_command(cmd: list[str]) -> tuple[list[str], list[str]] | None:
    """``[python, *-X options]`` and ipykernel_launcher's arguments, or None for any other command.

    >>> split_command(["/venv/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "k.json"])
    (['/venv/bin/python', '-Xfrozen_modules=off'], ['-f', 'k.json'])
    """
    if not cmd or "python" not in Path(cmd[0]).name:
        return None
    for index in range(1, len(cmd) - 1):
        if cmd[index:index + 2] == ["-m", "ipykernel_launcher"]:
            options = cmd[1:index]
            if all(option.startswith("-X") and len(option) > 2 for option in options):
                return cmd[:index], cmd[index + 2:]
            return None
    return None


def cold_reason(cmd: list[str], kwargs: dict[str, Any]) -> str | None:
    """Why this launch cannot be a fork (a sentence), or None when it can.

    >>> cold_reason(["/usr/bin/bwrap", "--", "python", "-m", "ipykernel_launcher", "-f", "k.json"], {})
    'the kernel command is wrapped (bwrap), so it gets a process of its own'
    """
    env = kwargs.get("env") or {}
    if not sys.platform.startswith("linux") or not hasattr(socket, "send_fds") or not hasattr(os, "pidfd_open"):
        return "forking kernels needs Linux (and Python 3.9+)"
    if "0" in (env.get(SWITCH), os.environ.get(SWITCH)):
        return f"{SWITCH}=0"
    if split_command(cmd) is None:
        return f"the kernel command is wrapped ({Path(cmd[0]).name}), so it gets a process of its own"
    if any(kwargs.get(name) == subprocess.PIPE for name in ("stdout", "stderr")):
        return "the caller reads the kernel's output through a pipe"
    unknown = set(kwargs) - _HANDLED_KWARGS
    if unknown:
        return f"launch options a fork cannot honour: {', '.join(sorted(unknown))}"
    return None


class Zygote:
    """A warm process: started with ``python -m helpers.kernels.zygote``, serving one start-up key."""

    def __init__(self, python: list[str], env: dict[str, str]):
        self.folder = tempfile.mkdtemp(prefix="course-zygote-")
        self.path = os.path.join(self.folder, "fork.sock")
        self.log_path = os.path.join(self.folder, "zygote.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [*python, "-m", "helpers.kernels.zygote", self.path, str(os.getpid())],
                env=env, cwd=self.folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def ready(self) -> bool:
        return self.alive() and os.path.exists(self.path)

    async def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Wait until the zygote listens; raise RuntimeError with its log's tail if it does not."""
        while not self.ready():
            if not self.alive() or time.monotonic() - self.started > timeout:
                self.stop()
                tail = Path(self.log_path).read_text(errors="replace")[-600:] if os.path.exists(self.log_path) else ""
                raise RuntimeError(f"the warm process did not start: {tail.strip() or 'no output'}")
            await asyncio.sleep(0.05)

    def fork(self, args: list[str], env: dict[str, str], cwd: str | None, stdio: list[int],
             watch_pid: int | None) -> tuple[int, socket.socket]:
        """Ask for a kernel; returns its pid and the lifeline on which its exit code will arrive."""
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            conn.settimeout(30)
            conn.connect(self.path)
            request = {"args": args, "env": env, "cwd": cwd, "watch_pid": watch_pid}
            socket.send_fds(conn, [json.dumps(request).encode()], stdio)
            reply = json.loads(conn.recv(1 << 16) or b"{}")
        except BaseException:
            conn.close()
            raise
        if "pid" not in reply:
            conn.close()
            raise RuntimeError(reply.get("error", "the warm process closed the connection"))
        conn.setblocking(False)
        return int(reply["pid"]), conn

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


class ZygotePool:
    """This process's zygotes, one per start-up key; a dead one is replaced on next use."""

    def __init__(self) -> None:
        self._zygotes: dict[tuple, Zygote] = {}
        self._lock = threading.Lock()
        atexit.register(self.stop_all)

    async def get(self, python: list[str], env: dict[str, str]) -> Zygote:
        key = startup_key(python, env)
        with self._lock:
            zygote = self._zygotes.get(key)
            if zygote is None or not zygote.alive():
                if zygote is not None:
                    zygote.stop()
                zygote = self._zygotes[key] = Zygote(python, env)
        try:
            await zygote.wait_ready()
        except RuntimeError:
            with self._lock:
                if self._zygotes.get(key) is zygote:
                    del self._zygotes[key]
            raise
        return zygote

    def discard(self, zygote: Zygote) -> None:
        """Forget and stop ``zygote``; the next kernel of its key starts a new one."""
        with self._lock:
            for key, known in list(self._zygotes.items()):
                if known is zygote:
                    del self._zygotes[key]
        zygote.stop()

    def zygotes(self) -> list[Zygote]:
        with self._lock:
            return list(self._zygotes.values())

    def stop_all(self) -> None:
        for zygote in self.zygotes():
            zygote.stop()
        with self._lock:
            self._zygotes.clear()


POOL = ZygotePool()


class ForkedProcess:
    """The parts of :class:`subprocess.Popen` a provisioner uses, for a kernel that is not our child.

    Its exit code arrives on the lifeline from the zygote; if the zygote died first, the
    kernel's pidfd says when it ends (the code is then unknown: -1).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, lifeline: socket.socket):
        self.pid, self.lifeline, self.returncode = pid, lifeline, None
        try:
            self.pidfd: int | None = os.pidfd_open(pid)
        except OSError:   # already gone: the lifeline has its exit code
            self.pidfd = None

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if self.lifeline is not None:
            try:
                message = self.lifeline.recv(1 << 16)
            except BlockingIOError:
                return None
            except OSError:
                message = b""
            if message:
                self._finish(json.loads(message).get("exit", -1))
                return self.returncode
            self.lifeline.close()
            self.lifeline = None
        if self.pidfd is None or _pidfd_ended(self.pidfd):
            self._finish(-1)
        return self.returncode

    def _finish(self, code: int) -> None:
        self.returncode = code
        if self.lifeline is not None:
            self.lifeline.close()
            self.lifeline = None
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _pidfd_ended(pidfd: int) -> bool:
    import select

    readable, _, _ = select.select([pidfd], [], [], 0)
    return bool(readable)


def _stdio_fds(kwargs: dict[str, Any], opened: list) -> list[int]:
    """The descriptors the kernel gets as stdin, stdout, stderr, as ``Popen`` would give them."""
    fds = []
    for index, name in enumerate(("stdin", "stdout", "stderr")):
        value = kwargs.get(name)
        if value is None and name == "stdin":
            value = subprocess.DEVNULL   # a cold kernel gets a pipe nobody writes to: the same silence
        if value is None:
            fds.append(index)   # inherit ours, like Popen
        elif value == subprocess.DEVNULL:
            handle = open(os.devnull, "r+b")
            opened.append(handle)
            fds.append(handle.fileno())
        elif isinstance(value, int):
            fds.append(value)
        else:
            fds.append(value.fileno())
    return fds


TRANSPORT_SWITCH = "COURSE_KERNEL_TRANSPORT"
_LOCAL_IPS = ("127.0.0.1", "localhost", "::1", "")


def use_ipc(km) -> bool:
    """Switch a kernel manager that would use TCP on the loopback to Unix sockets in a folder only
    this user may enter (``$TMPDIR/course-kernels-UID``, 0700); True when it did. Left alone: a
    manager already set up (ports, a written connection file), another address, not POSIX,
    ``COURSE_KERNEL_TRANSPORT=tcp``, or a socket path too long for Unix sockets.

    >>> from jupyter_client import KernelManager                     # doctest: +SKIP
    >>> km = KernelManager(); use_ipc(km), km.transport              # doctest: +SKIP
    (True, 'ipc')
    """
    if km is None or os.name != "posix" or os.environ.get(TRANSPORT_SWITCH, "").lower() == "tcp":
        return False
    ports = [getattr(km, f"{name}_port", 0) for name in ("shell", "iopub", "stdin", "hb", "control")]
    if km.transport != "tcp" or km.ip not in _LOCAL_IPS or any(ports) or getattr(km, "_connection_file_written", False):
        return False
    folder = Path(tempfile.gettempdir()) / f"course-kernels-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return False
    if not folder.is_dir() or folder.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return False   # someone else's folder, or open to others: keep TCP rather than trust it
    path = str(folder / f"k-{secrets.token_hex(6)}")
    if len(path) > 96:   # sun_path holds 108 bytes; ZeroMQ adds "-N"
        return False
    km.transport, km.ip = "ipc", path
    km.cache_ports = False   # the port cache finds free TCP ports; IPC numbers its socket files itself
    return True


class WarmProvisioner(LocalProvisioner):
    """Launch kernels as forks of a warm process; see the module docstring."""

    warm = False

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        use_ipc(self.parent)
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        reason = cold_reason(cmd, kwargs)
        if reason is None:
            try:
                return await self._launch_warm(cmd, kwargs)
            except Exception as err:  # noqa: BLE001 - any failure: the cold kernel is the answer
                reason = f"the warm process failed ({err})"
        self._say_once(reason)
        self.warm = False
        return await super().launch_kernel(cmd, **kwargs)

    async def _launch_warm(self, cmd: list[str], kwargs: dict[str, Any]):
        env = dict(kwargs["env"])
        # ipykernel would watch its parent, which for a fork is the zygote; the fork watches this
        # process by pidfd instead (zygote.py). "1" means "a manager exists, no poller" to ipykernel.
        env["JPY_PARENT_PID"] = "1"
        python, args = split_command(cmd)
        watch = None if kwargs.get("independent") else os.getpid()
        # Relative to this process's folder, as for Popen; the zygote's own folder is elsewhere.
        cwd = os.path.abspath(kwargs["cwd"]) if kwargs.get("cwd") else os.getcwd()
        opened: list = []
        try:
            stdio = _stdio_fds(kwargs, opened)
            for attempt in (1, 2):
                zygote = await POOL.get(python, env)
                try:
                    pid, lifeline = zygote.fork(args, env, cwd, stdio, watch)
                    break
                except OSError:   # it died since we last looked: replace it, once
                    POOL.discard(zygote)
                    if attempt == 2:
                        raise
        finally:
            for handle in opened:
                handle.close()
        self.process = ForkedProcess(pid, lifeline)
        self.pid = self.pgid = pid
        self.cwd = cwd
        self.warm = True
        self.zygote_pid = zygote.pid
        return self.connection_info

    def _say_once(self, reason: str) -> None:
        if reason not in _told:
            _told.add(reason)
            self.log.warning("Starting a cold kernel (no warm start): %s.", reason)
