"""The warm process ("zygote"): imports the course's heavy modules once, then forks kernels.

Started by :class:`helpers.kernels.provisioner.WarmProvisioner` as
``python -m helpers.kernels.zygote SOCKET PARENT_PID``. It imports numpy, TensorFlow, Keras,
matplotlib and ipykernel, runs nothing else, then listens on the Unix socket ``SOCKET``
(``SOCK_SEQPACKET``, created under a temporary name and renamed when ready, so its existence
means "ready"). Each request is one JSON message ``{"args", "env", "cwd", "watch_pid"}`` with
three file descriptors attached (the kernel's stdin, stdout, stderr). The zygote forks; the
child becomes an ipykernel (``args`` are ipykernel_launcher's, e.g. ``["-f", "kernel.json"]``)
and the zygote answers ``{"pid": N}`` on the same connection, then keeps it as a lifeline:
when the child ends, its exit code is sent there (``{"exit": code}``). The zygote exits when
``PARENT_PID`` (the process that started it) is gone; kernels it forked live on.

>>> import subprocess, sys                                         # doctest: +SKIP
>>> subprocess.Popen([sys.executable, "-m", "helpers.kernels.zygote", "/tmp/z.sock", "1"])  # doctest: +SKIP
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# The signals a fresh Python process starts with at their default disposition.
_RESET_SIGNALS = ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGCHLD", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGTSTP",
                  "SIGTTIN", "SIGTTOU", "SIGCONT", "SIGWINCH")
MAX_MESSAGE = 1 << 20


def warm_up() -> None:
    """Import what every kernel of the course imports; run nothing."""
    # ipykernel sets this default before the kernel imports matplotlib; matplotlib reads it once,
    # at import, so it must be in place before the zygote imports it (see kernelapp.init_gui_pylab).
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    import numpy  # noqa: F401
    import tensorflow  # noqa: F401
    import keras  # noqa: F401
    import matplotlib  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401


def become_kernel(request: dict, fds: list[int], keep_open: list, ready_fd: int, watch_fd: int | None) -> None:
    """In the forked child: detach, take the given stdio, reset the process, run ipykernel. Never returns.

    ``watch_fd`` is a pidfd of the kernel's manager, opened by the zygote while the manager waited.
    """
    code = 1
    try:
        os.setsid()  # own session and process group: an interrupt reaches this kernel only
        os.write(ready_fd, b"1")
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
        for thing in keep_open:
            thing.close()
        first_free = 3
        if watch_fd is not None:
            os.dup2(watch_fd, 3, inheritable=False)
            watch_fd, first_free = 3, 4
        # Everything else inherited from the zygote (sockets, pipes, descriptors TF opened) goes.
        os.closerange(first_free, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 65536)
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for name in _RESET_SIGNALS:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(request["env"])
        if request.get("cwd"):
            os.chdir(request["cwd"])
        _reseed()
        if watch_fd is not None:
            _exit_with(watch_fd)
        code = _run_ipykernel(list(request["args"]))
    finally:
        os._exit(code)


def _reseed() -> None:
    """Fresh random state per kernel (Python's ``random`` also reseeds itself after a fork)."""
    import random

    import numpy

    random.seed()
    numpy.random.seed(int.from_bytes(os.urandom(4), "little"))


def _exit_with(handle: int) -> None:
    """Exit this kernel when the process behind pidfd ``handle`` (its manager) ends, as ipykernel's
    parent poller does."""
    import select
    import threading

    def watch() -> None:
        select.select([handle], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _run_ipykernel(args: list[str]) -> int:
    import atexit
    import importlib.util
    import traceback

    from ipykernel import kernelapp

    atexit._clear()  # the zygote's handlers are not this kernel's
    launcher = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [launcher.origin if launcher else kernelapp.__file__, *args]   # as `python -m ipykernel_launcher`
    code = 0
    try:
        kernelapp.IPKernelApp.launch_instance(argv=args)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on the kernel's stderr, like a cold kernel
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    return code


class ForkServer:
    """A fork server: one listening Unix socket (``SOCK_SEQPACKET`` at ``path``, made under a temporary
    name and renamed when ready), one lifeline connection per living child. Each request is a JSON
    message with three descriptors (stdin, stdout, stderr); :meth:`launch` forks its child. The answer
    is ``{"pid": N}`` (with the descriptors :meth:`launch` returns attached), later ``{"exit": code}``
    when the child ends. Used by the zygote and by the grader's warm process inside the sandbox."""

    def __init__(self, path: str, mode: int | None = None):
        self.selector = selectors.DefaultSelector()
        self.lifelines: dict[int, socket.socket] = {}
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        temporary = f"{path}.{os.getpid()}.tmp"
        self.listener.bind(temporary)
        if mode is not None:
            os.chmod(temporary, mode)
        self.listener.listen(16)
        os.rename(temporary, path)
        self.selector.register(self.listener, selectors.EVENT_READ)

    def launch(self, request: dict, fds: list[int], conn: socket.socket) -> tuple[int, list[int]]:
        """Fork the child of ``request``; its pid and descriptors to send with the answer (then closed)."""
        raise NotImplementedError

    def inherited(self, conn: socket.socket) -> list:
        """What a child must close: the server's sockets and selector."""
        return [self.selector, self.listener, conn, *self.lifelines.values()]

    def serve(self, running=lambda: True) -> None:
        while running():
            for key, _ in self.selector.select(timeout=0.2):
                if key.fileobj is self.listener:
                    self._accept()
                else:   # the manager closed a lifeline: nothing to tell it any more
                    self._forget(key.fileobj)
            self._reap()

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        fds: list[int] = []
        try:
            message, fds, _, _ = socket.recv_fds(conn, MAX_MESSAGE, 3)
            request = json.loads(message)
            if len(fds) != 3:
                raise ValueError(f"expected 3 file descriptors, got {len(fds)}")
            pid, passed = self.launch(request, fds, conn)
            answer = json.dumps({"pid": pid}).encode()
            try:
                if passed:
                    socket.send_fds(conn, [answer], passed)
                else:
                    conn.send(answer)
            finally:
                for fd in passed:
                    os.close(fd)
        except Exception as err:  # noqa: BLE001 - the manager falls back to a cold kernel
            try:
                conn.send(json.dumps({"error": f"{type(err).__name__}: {err}"}).encode())
            except OSError:
                pass
            conn.close()
            return
        finally:
            for fd in fds:
                os.close(fd)
        self.lifelines[pid] = conn
        self.selector.register(conn, selectors.EVENT_READ)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.lifelines.get(pid)
            if conn is not None:
                try:
                    conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
                except OSError:
                    pass
                self._forget(conn)

    def _forget(self, conn: socket.socket) -> None:
        for pid, known in list(self.lifelines.items()):
            if known is conn:
                del self.lifelines[pid]
        self.selector.unregister(conn)
        conn.close()


class Zygote(ForkServer):
    """The course's fork server: children become ipykernels; it ends when the process that started it has."""

    def __init__(self, path: str, parent_pid: int):
        super().__init__(path)
        self.path, self.parent_pid = path, parent_pid

    def serve(self) -> None:
        super().serve(lambda: os.getppid() == self.parent_pid)

    def launch(self, request: dict, fds: list[int], conn: socket.socket) -> tuple[int, list[int]]:
        watch_fd = None
        if request.get("watch_pid"):
            try:
                watch_fd = os.pidfd_open(int(request["watch_pid"]))
            except OSError:   # the manager is already gone: the kernel ends at once
                raise RuntimeError("the kernel's manager has exited") from None
        ready_read, ready_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_read)
            become_kernel(request, fds, self.inherited(conn), ready_write, watch_fd)
        os.close(ready_write)
        if watch_fd is not None:
            os.close(watch_fd)
        try:
            os.read(ready_read, 1)  # the child has its own process group once this returns
        finally:
            os.close(ready_read)
        return pid, []


def main(argv: list[str]) -> int:
    path, parent_pid = argv[0], int(argv[1])
    # `python -m` put the start folder first on sys.path; a kernel must not see it.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    warm_up()
    import gc

    gc.collect()
    gc.freeze()  # children's garbage collections then leave the shared pages alone
    zygote = Zygote(path, parent_pid)
    try:
        zygote.serve()
    finally:
        if os.getppid() != parent_pid:   # orphaned: nobody will tidy our folder
            import shutil

            shutil.rmtree(os.path.dirname(path), ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
