"""Step 2, execute: run a submission's cells in a fresh, bounded kernel of its own.

One :class:`Kernel` per submission: a new ``python3`` kernel (jupyter_client, IPC transport)
whose working folder is a temporary copy folder. Limits (:class:`Limits`):

* per cell: after ``cell_timeout`` seconds the kernel is interrupted and the next cell runs;
  a cell that ignores the interrupt for ``interrupt_grace`` seconds ends the run (kernel killed);
* per submission: the run stops at ``total_timeout`` seconds;
* memory: on Linux the kernel's address space for data (``RLIMIT_DATA``: heap and private
  mappings, which is what numpy and TensorFlow allocate) and the size of files it may write
  (``RLIMIT_FSIZE``) are capped from outside with ``prlimit`` right after it starts, soft and
  hard, so the learner's code cannot raise them back; elsewhere memory is not bounded;
* output: nothing the kernel prints is kept, only counted; a single message over
  ``message_bytes`` is refused by the socket (ZeroMQ ``MAXMSGSIZE``), so an enormous print
  cannot fill the grader's memory;
* disk: the scratch folder is measured every second while a cell runs; over ``disk_mb`` the
  kernel is stopped.

With ``sandbox`` (a :class:`~helpers.grade.sandbox.Sandbox`) the kernel runs confined, its limits
set inside the sandbox before it starts, and it is interrupted by a message instead of a signal.

>>> with Kernel("/tmp/work", Limits(cell_timeout=5)) as kernel:     # doctest: +SKIP
...     kernel.run("x = 1").status
'ok'
"""
from __future__ import annotations

import os
import queue
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .kernel_settings import KERNEL_ENV, Limits  # noqa: F401 - also imported from here

OK, ERROR, TIMEOUT, STUCK, DIED, SKIPPED = "ok", "error", "timeout", "stuck", "kernel died", "skipped"
ALREADY_STOPPED = "the kernel had already stopped"

# Quiet, reproducible TensorFlow in every kernel (see KERAS3_FACTS.md).
@dataclass
class CellRun:
    """How one cell went: ``status`` is ok, error, timeout, stuck, kernel died or skipped."""

    index: int
    status: str
    error: str = ""
    output_bytes: int = 0
    seconds: float = 0.0
    output_lost: bool = False   # an output message was too large and the connection dropped it


@dataclass
class Kernel:
    """A fresh kernel in ``workdir``, used as a context manager; see the module docstring."""

    workdir: str | Path
    limits: Limits = field(default_factory=Limits)
    sandbox: object = None          # a helpers.grade.sandbox.Sandbox, or None to run unconfined
    scratch: str | Path | None = None   # the folder the kernel may write (default: workdir)
    memory_capped: bool = field(default=False, init=False)

    def __enter__(self) -> "Kernel":
        if getattr(self, "km", None) is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """Start the kernel and cap its resources; raises when it cannot start (nothing is left running)."""
        import zmq
        from jupyter_client import KernelManager

        self.workdir = Path(self.workdir)
        self.scratch = Path(self.scratch or self.workdir)
        self._context = zmq.Context()
        self._context.setsockopt(zmq.MAXMSGSIZE, int(self.limits.message_bytes))
        self._stderr = open(self.workdir / ".kernel-stderr.txt", "wb")
        self._next_disk_check = 0.0
        env = {**os.environ, **KERNEL_ENV}
        project = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (project, env.get("PYTHONPATH", "")) if p)
        confined = None
        if self.sandbox is not None:
            confined = self.sandbox.confine(self.scratch)
            self.km = self._confined_manager(confined.command(self._kernel_argv(), self.limits, env))
            if getattr(self.sandbox, "warm", False):   # a fork of the warm process inside the sandbox
                from . import warm

                self.km.provisioner = warm.provisioner_for(self.km, confined, self.limits)
        elif os.name == "posix":   # Unix sockets: no port open to other users of the machine
            self.km = KernelManager(kernel_name="python3", transport="ipc", ip=str(self.workdir / ".kernel"),
                                    context=self._context)
        else:
            self.km = KernelManager(kernel_name="python3", context=self._context)
        try:
            if confined is not None:
                self.km.write_connection_file()
                confined.hand_over()
            self.km.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"], cwd=str(self.workdir),
                                 env=env, stdout=subprocess.DEVNULL, stderr=self._stderr,
                                 stdin=subprocess.DEVNULL)
            self.memory_capped = bool(self.limits.memory_mb) if self.sandbox is not None else self._cap_resources()
            self._connect()
            self.kc.wait_for_ready(timeout=self.limits.startup_timeout)
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def _kernel_argv() -> list[str]:
        return [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"]

    def _confined_manager(self, argv: list[str]):
        """A kernel manager that starts the kernel with ``argv`` (the sandbox's command), talking
        through Unix sockets and a connection file in the scratch folder (the sandbox has no network)."""
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

        spec = KernelSpec(argv=argv, display_name="sandboxed",
                          language="python", interrupt_mode="message", env=dict(KERNEL_ENV))

        class OneSpec(KernelSpecManager):
            def get_kernel_spec(self, kernel_name, *args, **kwargs):
                return spec

        return KernelManager(kernel_name="sandboxed", kernel_spec_manager=OneSpec(), transport="ipc",
                             ip=str(self.scratch / "kernel"), connection_file=str(self.scratch / "kernel.json"),
                             context=self._context)

    def disk_used(self) -> int:
        """Bytes the files in the scratch folder take on disk."""
        used = 0
        for folder, _, files in os.walk(self.scratch):
            for name in files:
                try:
                    used += os.lstat(os.path.join(folder, name)).st_blocks * 512
                except OSError:
                    pass
        return used

    def _over_disk_limit(self) -> bool:
        now = time.monotonic()
        if now < self._next_disk_check:
            return False
        self._next_disk_check = now + 1.0
        return self.disk_used() > self.limits.disk_mb * 2**20

    def _cap_resources(self) -> bool:
        pid = getattr(self.km.provisioner, "pid", None)
        try:
            import resource
        except ImportError:
            return False
        if pid is None or not hasattr(resource, "prlimit"):
            return False
        capped = False
        if self.limits.memory_mb:
            limit = int(self.limits.memory_mb) * 2**20
            resource.prlimit(pid, resource.RLIMIT_DATA, (limit, limit))
            capped = True
        limit = int(self.limits.file_mb) * 2**20
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, limit))
        return capped

    def stop(self) -> None:
        """Shut the kernel down (at once) and free its sockets."""
        km = getattr(self, "km", None)
        kc = getattr(self, "kc", None)
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
        if km is not None:
            try:
                if km.has_kernel:
                    km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - the kernel may already be gone
                pass
            try:
                km.cleanup_resources()
            except Exception:  # noqa: BLE001
                pass
        self._stderr.close()
        self._context.destroy(linger=0)

    @property
    def alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:  # noqa: BLE001
            return False

    def stderr_tail(self, size: int = 600) -> str:
        """The end of what the kernel process wrote to its stderr (a crash message, if any)."""
        try:
            with open(self.workdir / ".kernel-stderr.txt", "rb") as handle:
                handle.seek(0, os.SEEK_END)
                handle.seek(max(0, handle.tell() - size))
                return handle.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def kill(self) -> None:
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            pass

    def run(self, code: str, timeout: float | None = None, index: int = -1, silent: bool = False) -> CellRun:
        """Execute ``code``; wait at most ``timeout`` seconds (default: the cell timeout)."""
        timeout = self.limits.cell_timeout if timeout is None else timeout
        started = time.monotonic()
        if not self.alive:
            return CellRun(index, DIED, ALREADY_STOPPED)
        msg_id = self.kc.execute(code, silent=silent, store_history=not silent, allow_stdin=False,
                                 stop_on_error=False)
        deadline = started + max(timeout, 0.01)
        interrupted = False
        counted = [0]
        while True:
            self._drain_output(msg_id, counted)
            try:
                reply = self.kc.get_shell_msg(timeout=0.1)
            except queue.Empty:
                now = time.monotonic()
                if not self.alive:
                    return CellRun(index, DIED, self.stderr_tail(), counted[0], now - started)
                if self._over_disk_limit():
                    self.kill()
                    return CellRun(index, DIED, f"it wrote more than {self.limits.disk_mb:g} MB of files",
                                   counted[0], now - started)
                if now >= deadline and not interrupted:
                    self.km.interrupt_kernel()
                    interrupted = True
                    deadline = now + self.limits.interrupt_grace
                elif now >= deadline:
                    self.kill()
                    return CellRun(index, STUCK, "it ignored the interrupt", counted[0], now - started)
                continue
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            idle = self._drain_output(msg_id, counted, until_idle=True)
            lost = self._output_dropped() and not self._stopping()
            if (lost or not idle) and self.alive:
                self._reconnect()
            content = reply.get("content", {})
            seconds = time.monotonic() - started
            if interrupted:
                run = CellRun(index, TIMEOUT, f"interrupted after {timeout:.3g} s", counted[0], seconds)
            elif content.get("status") == "ok":
                run = CellRun(index, OK, "", counted[0], seconds)
            else:
                error = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"
                run = CellRun(index, ERROR, error[:500], counted[0], seconds)
            run.output_lost = lost
            return run

    def _connect(self) -> None:
        import zmq

        self.kc = self.km.client(context=self._context)
        self.kc.start_channels()
        self._monitor = self.kc.iopub_channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)

    def _output_dropped(self) -> bool:
        """True when ZeroMQ dropped the output connection (a message was over ``message_bytes``)."""
        dropped = False
        while self._monitor.poll(0):
            self._monitor.recv_multipart()
            dropped = True
        return dropped

    def _stopping(self, wait: float = 2.0) -> bool:
        """True when the kernel stops within ``wait`` seconds: a dropped connection was its exit
        (``quit()`` ends the kernel just after its cell), not an oversized output."""
        until = time.monotonic() + wait
        while self.alive:
            if time.monotonic() >= until:
                return False
            time.sleep(0.05)
        return True

    def _reconnect(self) -> None:
        """Open fresh channels: ZeroMQ disconnects a peer that sent a message over ``message_bytes``."""
        self._monitor.close(linger=0)
        self.kc.stop_channels()
        self._connect()
        try:
            self.kc.wait_for_ready(timeout=10)
        except RuntimeError:
            pass

    def _drain_output(self, msg_id: str, counted: list, until_idle: bool = False) -> bool:
        """Read and drop the kernel's output messages, counting their size; True once the cell's
        "idle" status arrived (with ``until_idle``, waiting up to 10 s for it, less if the
        connection dropped)."""
        wait_until = time.monotonic() + (10.0 if until_idle else 0.2)
        while time.monotonic() < wait_until:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.05 if until_idle else 0)
            except queue.Empty:
                if not until_idle or self._monitor.poll(0):
                    return False
                continue
            content = msg.get("content", {})
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg.get("msg_type") == "status" and content.get("execution_state") == "idle":
                return True
            counted[0] += _size(content)
        return False


def _size(content: dict) -> int:
    text = content.get("text")
    if isinstance(text, str):
        return len(text)
    data = content.get("data")
    if isinstance(data, dict):
        return sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())
    return sum(len(line) for line in content.get("traceback", []) if isinstance(line, str))


def python_can_cap_memory() -> bool:
    """True where :class:`Kernel` can bound the kernel's memory (Linux, via ``prlimit``)."""
    try:
        import resource
    except ImportError:
        return False
    return hasattr(resource, "prlimit") and sys.platform.startswith("linux")
