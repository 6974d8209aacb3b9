"""How a submission's kernel is confined: a bubblewrap (``bwrap``) sandbox on Linux.

The pipeline asks for a confined kernel (:func:`choose`, then ``Kernel(..., sandbox=box)``) and
does not care how it is made. Inside the sandbox the kernel

* sees the filesystem read-only, except its own scratch folder (bound at the same path, so the
  grader's file names mean the same inside) and a private ``/tmp`` and ``/dev/shm`` kept in it;
* sees empty, read-only folders instead of the homes (``/home``, ``/root``, ``$HOME``), ``/run``,
  the temporary folder holding the other submissions' scratch folders, the folders the
  submissions came from and the output folder (the Python environment and the course's package
  are bound back read-only when they live in one of them);
* has no network (its own network namespace: the host's loopback servers are out of reach) and
  its own PID namespace (the grader is not a process it can see or signal; every process it
  starts dies with it, ``--die-with-parent``), in a new session;
* runs with hard limits set before it starts (``prlimit``): memory (``RLIMIT_DATA``), file size,
  CPU seconds and processes (``RLIMIT_NPROC``, counted per sandbox because each has its own user
  namespace); a grader running as root gives every kernel a user id of its own, as root ignores
  ``RLIMIT_NPROC`` and owns every root file. The disk the scratch folder uses is watched by
  :class:`~helpers.grade.execute.Kernel` (``Limits.disk_mb``).

>>> box, note = choose("auto", hidden=["submissions", "grades"])   # doctest: +SKIP
>>> box.confine(Path("/tmp/s")).command(["python", "-m", "ipykernel_launcher"], Limits())  # doctest: +SKIP
['bwrap', '--ro-bind', '/', '/', ...]
"""
from __future__ import annotations

import functools
import itertools
import math
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

MODES = ("auto", "on", "off")
MAX_PROCESSES = 512     # threads count too: TensorFlow and the kernel start a few dozen
# The only variables the kernel inherits (the instructor's environment may hold tokens).
PASSED_ENV = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "LD_LIBRARY_PATH", "PYTHONPATH",
              "PYTHONHASHSEED", "MPLBACKEND", "OMP_NUM_THREADS", "TF_NUM_INTEROP_THREADS",
              "TF_NUM_INTRAOP_THREADS", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND",
              "CUDA_VISIBLE_DEVICES")
_ALWAYS_HIDDEN = ("/home", "/root", "/run", "/var/tmp", "/mnt", "/media", "/srv")


class SandboxUnavailable(RuntimeError):
    """``--sandbox on`` was asked for where bubblewrap cannot run."""


def _resolved(path) -> Path:
    return Path(os.path.abspath(os.path.expanduser(str(path))))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def needed_paths() -> list[Path]:
    """Folders the kernel must read: the course's package, the Python environment and its imports."""
    project = Path(__file__).resolve().parents[2]
    found = [project, Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
             Path(os.path.realpath(sys.executable)).parent.parent]
    found += [Path(p) for p in sys.path if p and os.path.isdir(p)]
    unique: list[Path] = []
    for path in map(_resolved, found):
        if path not in unique:
            unique.append(path)
    return unique


@dataclass(frozen=True)
class Sandbox:
    """A bubblewrap sandbox; ``hidden`` are extra folders or files the kernel must not see (the
    submissions and their folders, the output folder). :meth:`confine` gives one kernel's confinement."""

    hidden: tuple[Path, ...] = ()
    bwrap: str = "bwrap"
    project: Path = Path(__file__).resolve().parents[2]

    def hidden_paths(self) -> list[Path]:
        """The folders replaced by empty ones (the course's own solutions and history among them)."""
        folders = [*_ALWAYS_HIDDEN, Path.home(), os.environ.get("HOME", "/root"), tempfile.gettempdir(),
                   self.project / "solutions", self.project / ".git", *self.hidden]
        unique: list[Path] = []
        for path in map(_resolved, folders):
            if path != Path("/") and path.is_dir() and path not in unique:
                unique.append(path)
        return unique

    def confine(self, scratch: Path) -> "Confinement":
        """One kernel's confinement, writing only in ``scratch``; run as root, the kernel gets a user
        id of its own (root ignores ``RLIMIT_NPROC`` and owns every root file)."""
        scratch = _resolved(scratch)
        for sub in ("home", "tmp", "shm"):
            (scratch / sub).mkdir(exist_ok=True)
        _copy_font_cache(scratch / "home")
        return Confinement(self, scratch, next(_UIDS) if os.geteuid() == 0 else None)


def _copy_font_cache(home: Path) -> None:
    """Give the kernel matplotlib's font list (else it spends seconds rebuilding it in the empty home)."""
    cache = Path(os.environ.get("MPLCONFIGDIR") or Path(os.environ.get("XDG_CACHE_HOME") or
                                                        Path.home() / ".cache") / "matplotlib")
    for found in sorted(cache.glob("fontlist-*.json"))[-1:]:
        target = home / ".cache" / "matplotlib"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(found, target / found.name)


_UIDS = itertools.cycle(range(2_000_000, 2_100_000))   # ids no account uses, one per kernel


@dataclass(frozen=True)
class Confinement:
    """One kernel's sandbox: its scratch folder and, when the grader runs as root, its user id."""

    box: Sandbox
    scratch: Path
    uid: int | None

    def hand_over(self) -> None:
        """Give the scratch folder, as it is now, to the kernel's user (nothing to do unless root)."""
        if self.uid is None:
            return
        for folder, dirs, files in os.walk(self.scratch):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.lchown(name, self.uid, self.uid)

    def command(self, argv: list[str], limits, env: dict | None = None) -> list[str]:
        """``argv`` run inside the sandbox, with the scratch folder its only writable folder and only
        the :data:`PASSED_ENV` variables of ``env`` (default: this process's environment)."""
        scratch, tmp = self.scratch, Path("/tmp")
        every_hidden = self.box.hidden_paths()
        # /tmp is replaced as a whole by the kernel's private one; other folders by empty ones
        hidden = [path for path in every_hidden if not _inside(path, tmp)]
        masked = [*hidden, tmp]
        # the course and its Python may live in a masked folder (a clone in /tmp, a venv in a home)
        needed = [p for p in needed_paths() if any(_inside(p, h) for h in masked) and not _inside(p, scratch)]
        needed = [p for p in needed if not any(_inside(p, other) and p != other for other in needed)]
        box = [self.box.bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        for path in hidden:
            box += ["--tmpfs", str(path)]
        box += ["--bind", str(scratch / "tmp"), "/tmp", "--bind", str(scratch / "shm"), "/dev/shm"]
        for path in needed:   # bwrap would make the missing parents 0700: make them readable
            parents = [a for a in reversed(path.parents) if any(_inside(a, h) and a != h for h in masked)]
            for parent in parents:
                box += ["--perms", "0755", "--dir", str(parent)]
            box += ["--ro-bind", str(path), str(path)]
        rehidden = [path for path in every_hidden   # what a bound-back folder holds (e.g. project/solutions)
                    if any(_inside(path, n) and path != n for n in needed)]
        for path in rehidden:
            box += ["--tmpfs", str(path)]
        for path in self.box.hidden:   # files, e.g. a submission lying in a folder the kernel needs
            if path.is_file() and (not _inside(path, tmp) or any(_inside(path, n) for n in needed)):
                box += ["--ro-bind", "/dev/null", str(path)]
        box += ["--bind", str(scratch), str(scratch)]
        for path in [*dict.fromkeys([*hidden, *rehidden]), Path("/dev")]:
            box += ["--remount-ro", str(path)]
        box += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session", "--hostname", "sandbox",
                "--clearenv", "--setenv", "HOME", str(scratch / "home"), "--setenv", "TMPDIR", "/tmp",
                "--setenv", "USER", "learner"]
        env = os.environ if env is None else env
        for name in PASSED_ENV:
            if name in env:
                box += ["--setenv", name, str(env[name])]
        user: list[str] = []
        if self.uid is None:
            box.append("--unshare-user")   # also makes RLIMIT_NPROC count this sandbox's processes only
        else:
            box += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
            user = ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--"]
        caps = ["prlimit", f"--fsize={int(limits.file_mb) * 2**20}", f"--nproc={MAX_PROCESSES}",
                f"--cpu={math.ceil(limits.total_timeout * (os.cpu_count() or 1)) + 60}"]
        if limits.memory_mb:
            caps.append(f"--data={int(limits.memory_mb) * 2**20}")
        return [*box, "--", *user, *caps, "--", *argv]


def _tools() -> tuple[str | None, str]:
    """The bwrap executable, or None and why not."""
    if not sys.platform.startswith("linux"):
        return None, f"bubblewrap runs on Linux only (this is {sys.platform})"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None, "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    missing = [tool for tool in ("prlimit", "setpriv") if not shutil.which(tool)]
    if missing:
        return None, f"{' and '.join(missing)} (util-linux) not found"
    return bwrap, ""


@functools.lru_cache(maxsize=None)
def problem() -> str:
    """Why the sandbox cannot run here, or '' when it can (tried once per process, in about 0.1 s)."""
    bwrap, why = _tools()
    if bwrap is None:
        return why
    from .execute import Limits

    with tempfile.TemporaryDirectory(prefix="course-sandbox-check-") as scratch:
        confined = Sandbox(bwrap=bwrap).confine(Path(scratch))
        confined.hand_over()
        test = [sys.executable, "-c", "import os; open('written', 'w').write(str(os.getppid()))"]
        try:
            done = subprocess.run(confined.command(test, Limits()), cwd=scratch, capture_output=True,
                                  text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"bubblewrap did not start ({type(err).__name__}: {err})"
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            return f"bubblewrap cannot run here ({last[:200]})"
        if not (Path(scratch) / "written").exists():
            return "bubblewrap ran, but the scratch folder was not writable inside it"
    return ""


def choose(mode: str, hidden: Iterable[str | Path] = ()) -> tuple[Sandbox | None, str]:
    """The sandbox for ``mode`` (auto, on, off), and a note to show when grading without one.

    ``on`` raises :class:`SandboxUnavailable` where bubblewrap cannot run; ``auto`` then returns
    ``(None, why)``; ``off`` returns ``(None, "")``.
    """
    if mode not in MODES:
        raise ValueError(f"sandbox mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off":
        return None, ""
    why = problem()
    if why:
        if mode == "on":
            raise SandboxUnavailable(f"--sandbox on: {why}")
        return None, f"graded WITHOUT a sandbox: {why}"
    bwrap, _ = _tools()
    return Sandbox(tuple(_resolved(p) for p in hidden), bwrap=bwrap), ""
