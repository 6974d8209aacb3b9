"""The warm process of sandboxed grading: runs INSIDE the grader's sandbox, forks confined kernels.

Started by :class:`helpers.grade.warm.WarmSandbox` as ``python -m helpers.grade.warmbox JOBS``
inside bubblewrap (the allowlist of :mod:`helpers.grade.sandbox`, no network, its own PID
namespace, and ``CAP_SYS_ADMIN``/``CAP_SETUID``/``CAP_SETGID`` to confine its forks). It imports
numpy, TensorFlow, Keras, matplotlib and ipykernel, holds no submission and no secret, and
listens on ``/tmp/warm.sock`` (its private ``/tmp``). ``JOBS`` is the folder in which the grader
makes one scratch folder per submission.

Each request (JSON ``{"args", "env", "cwd", "scratch", "keep", "uid", "limits"}`` plus 3 descriptors:
stdin, stdout, stderr) gets a fork ("keeper") that, before any learner code runs:

1. enters new mount, IPC, network and PID namespaces;
2. mounts its ``scratch/tmp`` as ``/tmp``, an empty read-only folder over the warm process's own
   folder (its ``/tmp`` and socket, every other scratch folder), its scratch folder back at the same
   path inside it, ``scratch/shm`` as ``/dev/shm``;
3. forks an init (PID 1 of the new namespace, killed with the keeper) that mounts a ``/proc`` of
   its own and forks the kernel, which sets its limits, takes the user id ``uid`` (a grader run as
   root) or drops every capability, and becomes an ipykernel.

The answer is ``{"pid": keeper}`` with a pidfd of the keeper attached; ``{"exit": code}`` follows
on the same connection when it ends.
"""
from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys

from helpers.kernels.zygote import ForkServer

SOCKET = "/tmp/warm.sock"
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID = 0x00020000, 0x08000000, 0x40000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
PR_SET_PDEATHSIG = 1
LIMITS = {"data": resource.RLIMIT_DATA, "fsize": resource.RLIMIT_FSIZE, "cpu": resource.RLIMIT_CPU,
          "nproc": resource.RLIMIT_NPROC}
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), ctypes.c_ulong(flags),
                       data and data.encode()), f"mount {target}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def drop_capabilities() -> None:
    """Empty effective, permitted and inheritable capability sets (capset, version 3)."""
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(_libc.capset(header, data), "capset")


STAGE = "/.stage"   # an empty folder the warm process's sandbox has (WarmSandbox adds it)
MNT_DETACH = 2


def confine(scratch: str, jobs: str, keep: list[str] = ()) -> None:
    """In the keeper: new namespaces; a new ``/tmp`` (``scratch/tmp``) covering the old one; an empty,
    read-only folder covering the warm process's own folder (the parent of ``jobs``: its ``/tmp`` and
    socket, its log, every submission's scratch folder), wherever it lives; ``scratch`` mounted back
    at its own path inside it, and the shown folders ``keep`` that lived in the old ``/tmp`` (a course
    cloned there, its ``.venv``) at theirs; ``scratch/shm`` as ``/dev/shm``."""
    if os.path.dirname(os.path.normpath(scratch)) != os.path.normpath(jobs) or not os.path.isdir(scratch):
        raise ValueError(f"scratch folder {scratch!r} is not a folder of {jobs!r}")
    own = os.path.dirname(os.path.normpath(jobs))
    unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700")
    moved = [scratch, *keep]
    for number, path in enumerate(moved):   # parked while /tmp is replaced
        os.mkdir(f"{STAGE}/{number}")
        mount(path, f"{STAGE}/{number}", None, MS_BIND | (MS_REC if number else 0))
    mount(os.path.join(STAGE, "0", "tmp"), "/tmp", None, MS_BIND)
    os.makedirs(own, 0o755, exist_ok=True)   # inside the new /tmp when it lived in the old one
    mount("tmpfs", own, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
    for number, path in enumerate(moved):
        os.makedirs(path, 0o755, exist_ok=True)   # as bubblewrap does for a cold kernel
        mount(f"{STAGE}/{number}", path, None, MS_MOVE)
    for path in [own, *keep]:   # read-only (a bind mount starts writable)
        mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _check(_libc.umount2(STAGE.encode(), MNT_DETACH), "umount stage")
    mount(os.path.join(scratch, "shm"), "/dev/shm", None, MS_BIND)


def become_init() -> None:
    """PID 1 of the new namespace: its own /proc; forks the kernel, reaps, exits with the kernel's code."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")   # dies with the keeper
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    kernel = os.fork()
    if kernel == 0:
        return
    code = 1
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid == kernel:
            code = os.waitstatus_to_exitcode(status)
            break
    os._exit(code if code >= 0 else 128 - code)


def become_learner(request: dict) -> None:
    """The kernel's own limits and user; no capability left."""
    for name, value in request.get("limits", {}).items():
        resource.setrlimit(LIMITS[name], (int(value), int(value)))
    uid = request.get("uid")
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)   # from root to an unused id: every capability goes with it
    else:
        drop_capabilities()


def keeper(request: dict, fds: list[int], keep_open: list, jobs: str) -> None:
    """The fork: confine, then init and kernel; waits for the init and exits with its code."""
    from helpers.kernels import zygote

    code = 1
    try:
        os.setsid()
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
        for thing in keep_open:
            thing.close()
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        confine(request["scratch"], jobs, request.get("keep", []))
        init = os.fork()
        if init == 0:
            become_init()
            become_learner(request)
            zygote.become_kernel(request, [0, 1, 2], [], os.open(os.devnull, os.O_WRONLY), None)
        code = os.waitstatus_to_exitcode(os.waitpid(init, 0)[1])
    except BaseException as err:  # noqa: BLE001 - on the kernel's stderr, as a cold kernel's crash
        print(f"warm sandbox: {type(err).__name__}: {err}", file=sys.stderr, flush=True)
    finally:
        os._exit(code if code >= 0 else 128 - code)


class Server(ForkServer):
    """The warm process's fork server (:class:`helpers.kernels.zygote.ForkServer`): each child is a
    keeper, answered with a pidfd of it (the grader cannot see its pid)."""

    def __init__(self, jobs: str):
        super().__init__(SOCKET, mode=0o600)
        self.jobs = jobs

    def launch(self, request: dict, fds: list[int], conn) -> tuple[int, list[int]]:
        pid = os.fork()
        if pid == 0:
            keeper(request, fds, self.inherited(conn), self.jobs)
        return pid, [os.pidfd_open(pid)]


def can_confine() -> bool:
    """Whether a fork can take namespaces of its own and mount its own ``/proc`` here (tried in a
    throwaway fork before anything is imported); says why not on stderr. Some user namespaces refuse
    the ``/proc`` (the kernel wants a fully visible one, and bubblewrap may cover parts of its own)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID)
            mount(None, "/", None, MS_REC | MS_PRIVATE)
            init = os.fork()
            if init == 0:
                try:
                    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
                    os._exit(0)
                except OSError as err:
                    print(f"warm sandbox: a fork cannot be confined here ({err})", file=sys.stderr, flush=True)
                    os._exit(1)
            code = os.waitstatus_to_exitcode(os.waitpid(init, 0)[1])
        except OSError as err:
            print(f"warm sandbox: a fork cannot be confined here ({err})", file=sys.stderr, flush=True)
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def main(argv: list[str]) -> int:
    from helpers.kernels import zygote

    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    if not can_confine():
        return 3   # the grader starts kernels cold, still sandboxed, and says why once
    zygote.warm_up()
    import gc

    gc.collect()
    gc.freeze()
    Server(argv[0]).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
