"""How a submission's kernel is confined: a bubblewrap (``bwrap``) sandbox on Linux.

The pipeline asks for a confined kernel (:func:`choose`, then ``Kernel(..., sandbox=box)``) and
does not care how it is made. The sandbox is an allowlist: its root is an empty, read-only folder
into which only these are put (:meth:`Sandbox.shown`, each read-only):

* the system's programs and libraries: ``/usr`` (with ``/bin``, ``/sbin``, ``/lib*`` as the links or
  folders they are), the dynamic linker's cache and configuration (``/etc/ld.so.*``) and
  fontconfig's configuration (``/etc/fonts``, else every kernel prints a fontconfig error);
* the Python the grader runs: its prefixes (the venv, the base installation), the folders of
  ``sys.path`` inside them or named ``site-packages``, and the folders of ``LD_LIBRARY_PATH``;
* the course's package, ``helpers/`` only (not the course folder: no ``solutions/``, ``.git``,
  release or key folder, roster, secret, tests);
* a minimal ``/dev`` (null, zero, random, tty...), a ``/proc`` of its own PID namespace, and its
  scratch folder, the only writable place (bound at the same path, so the grader's file names mean
  the same inside), holding its private ``/tmp``, ``/dev/shm`` and home.

Nothing else of the machine is there: no home, ``/etc/passwd``, ``/run``, ``/var``, ``/opt``,
``/sys``, other course, release or submission, wherever it lives (also when the course or its
``.venv`` lives in ``/tmp``). The course folder, the submissions' folders and the output folder are
hidden again (empty folders) if they lie inside a shown folder, e.g. a course kept under ``/usr``.
The kernel also

* has no network (its own network namespace: the host's loopback servers are out of reach) and
  its own PID namespace (the grader is not a process it can see or signal; every process it
  starts dies with it, ``--die-with-parent``), in a new session;
* runs with hard limits set before it starts (``prlimit``): memory (``RLIMIT_DATA``), file size,
  CPU seconds and processes (``RLIMIT_NPROC``, counted per sandbox because each has its own user
  namespace); a grader running as root gives every kernel a user id of its own, as root ignores
  ``RLIMIT_NPROC`` and owns every root file. The disk the scratch folder uses is watched by
  :class:`~helpers.grade.execute.Kernel` (``Limits.disk_mb``).

By default (``COURSE_WARM_SANDBOX`` unset or not ``0``) the kernel is a fork of a warm process that
runs inside this same sandbox (:mod:`helpers.grade.warm`, :mod:`helpers.grade.warmbox`), confined
before it runs a line; ``COURSE_WARM_SANDBOX=0``, or a machine where a fork cannot be confined,
starts every kernel cold with the bwrap command below.

>>> box, note = choose("auto", hidden=["submissions", "grades"])   # doctest: +SKIP
>>> box.confine(Path("/tmp/s")).command(["python", "-m", "ipykernel_launcher"], Limits())  # doctest: +SKIP
['bwrap', '--tmpfs', '/', '--ro-bind', '/usr', '/usr', ...]
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

from .kernel_settings import SYSTEM_LINKS, Limits

MODES = ("auto", "on", "off")
MAX_PROCESSES = 512     # threads count too: TensorFlow and the kernel start a few dozen
# The only variables the kernel inherits (the instructor's environment may hold tokens).
PASSED_ENV = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "LD_LIBRARY_PATH", "PYTHONPATH",
              "PYTHONHASHSEED", "MPLBACKEND", "OMP_NUM_THREADS", "TF_NUM_INTEROP_THREADS",
              "TF_NUM_INTRAOP_THREADS", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND",
              "CUDA_VISIBLE_DEVICES")
# What of the system a kernel sees (read-only), besides its Python and the course's package:
# programs and libraries, the dynamic linker's cache and configuration, fontconfig's configuration.
SYSTEM_PATHS = ("/usr", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/fonts")
# Top-level folders that merged-/usr systems make links into /usr (kept as the links or folders they are).
WARM_SWITCH = "COURSE_WARM_SANDBOX"   # "0": every kernel starts cold (default: forked warm, helpers.grade.warm)
PACKAGE = "helpers"   # the only part of the course folder a kernel sees


class SandboxUnavailable(RuntimeError):
    """``--sandbox on`` was asked for where bubblewrap cannot run."""


def _resolved(path) -> Path:
    return Path(os.path.abspath(os.path.expanduser(str(path))))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def python_paths(project: Path | None = None) -> list[Path]:
    """The folders of the Python this process runs: its prefixes, the ``sys.path`` folders inside them
    or named site-packages/dist-packages, and ``LD_LIBRARY_PATH``'s folders; never the course folder
    or a folder holding it (a ``PYTHONPATH`` pointing at the course gives its package only)."""
    project = _resolved(project or Path(__file__).resolve().parents[2])
    prefixes = [_resolved(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                                       Path(os.path.realpath(sys.executable)).parent.parent)]
    found = list(prefixes)
    for entry in map(_resolved, (p for p in sys.path if p)):
        if any(_inside(entry, prefix) for prefix in prefixes) or entry.name in ("site-packages", "dist-packages"):
            found.append(entry)
    found += [_resolved(p) for p in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p]
    unique: list[Path] = []
    for path in found:
        if path.exists() and path != Path("/") and not _inside(project, path) and path not in unique:
            unique.append(path)
    return unique


@dataclass(frozen=True)
class Sandbox:
    """A bubblewrap sandbox; ``hidden`` are extra folders or files the kernel must not see even when
    they lie inside a shown folder (the submissions and their folders, the output folder).
    :meth:`confine` gives one kernel's confinement."""

    hidden: tuple[Path, ...] = ()
    bwrap: str = "bwrap"
    project: Path = Path(__file__).resolve().parents[2]
    warm: bool = False   # kernels forked from a warm process inside the sandbox (helpers.grade.warm)

    def scratch_folder(self) -> Path | None:
        """Where a kernel's scratch folder must be made (None: anywhere). With ``warm``, the folder the
        warm process sees (started now); None where it cannot run (kernels then start cold)."""
        if not self.warm:
            return None
        from . import warm

        running = warm.warm_for(self)
        return running.jobs if running is not None else None

    def close(self) -> None:
        """Stop the warm process of this sandbox, if it has one (a batch calls it when it is over)."""
        if self.warm:
            from . import warm

            warm.stop(self)

    def shown(self) -> list[Path]:
        """Every folder or file put into the sandbox read-only (the allowlist), besides ``/dev``,
        ``/proc`` and the kernel's scratch folder."""
        system = [Path(p) for p in (*SYSTEM_PATHS, *SYSTEM_LINKS) if os.path.lexists(p)]
        return list(dict.fromkeys([*system, *python_paths(self.project), _resolved(self.project) / PACKAGE]))

    def masks(self) -> list[Path]:
        """Folders and files hidden again because they lie inside a shown folder: the course folder
        (its package is shown again inside it) and ``hidden``."""
        shown = [p for p in self.shown() if not (str(p) in SYSTEM_LINKS and p.is_symlink())]
        masks = [_resolved(self.project), *map(_resolved, self.hidden)]
        return list(dict.fromkeys(m for m in masks if os.path.lexists(m) and any(_inside(m, s) for s in shown)))

    def confine(self, scratch: Path) -> "Confinement":
        """One kernel's confinement, writing only in ``scratch``; run as root, the kernel gets a user
        id of its own (root ignores ``RLIMIT_NPROC`` and owns every root file)."""
        scratch = _resolved(scratch)
        for sub in ("home", "tmp", "shm"):
            (scratch / sub).mkdir(exist_ok=True)
        _copy_font_cache(scratch / "home")
        return Confinement(self, scratch, next(_UIDS) if os.geteuid() == 0 else None)


def _mounts(box: Sandbox, scratch: Path) -> list[str]:
    """bwrap's arguments building the allowlisted tree, parents before children (a folder hidden
    inside a shown one is masked, then what is shown inside it is bound again)."""
    steps: list[tuple[int, int, list[str], Path]] = []   # (depth, order, arguments, destination)
    shown, masks = box.shown(), box.masks()
    links = [q for q in shown if str(q) in SYSTEM_LINKS and q.is_symlink()]
    folders = [q for q in shown if q not in links]
    for path in shown:
        if path in links:
            steps.append((1, 0, ["--symlink", os.readlink(path), str(path)], path))
        elif not any(_inside(path, q) and path != q and not any(_inside(m, q) and _inside(path, m) for m in masks)
                     for q in folders):   # a folder inside a shown one is there already
            steps.append((len(path.parts), 0, ["--ro-bind", os.path.realpath(path), str(path)], path))
    for path in masks:
        mask = ["--tmpfs", str(path)] if path.is_dir() else ["--ro-bind", "/dev/null", str(path)]
        steps.append((len(path.parts), 1, mask, path))
    steps += [(1, 0, ["--dev", "/dev"], Path("/dev")), (1, 0, ["--proc", "/proc"], Path("/proc")),
              (1, 0, ["--bind", str(scratch / "tmp"), "/tmp"], Path("/tmp")),
              (2, 0, ["--bind", str(scratch / "shm"), "/dev/shm"], Path("/dev/shm")),
              (len(scratch.parts) + 1000, 0, ["--bind", str(scratch), str(scratch)], scratch)]   # last
    arguments: list[str] = ["--tmpfs", "/"]
    made: set[Path] = set()
    for _, _, step, destination in sorted(steps, key=lambda s: (s[0], s[1], str(s[3]))):
        for parent in reversed(destination.parents[:-1]):   # bwrap would make missing parents 0700
            if parent not in made:
                made.add(parent)
                arguments += ["--perms", "0755", "--dir", str(parent)]
        arguments += step
    masked = [path for path in masks if path.is_dir()]
    for path in [Path("/"), Path("/dev"), *masked]:
        arguments += ["--remount-ro", str(path)]
    return arguments


def _copy_font_cache(home: Path) -> None:
    """Give the kernel matplotlib's font list (else it spends seconds rebuilding it in the empty home)."""
    cache = Path(os.environ.get("MPLCONFIGDIR") or Path(os.environ.get("XDG_CACHE_HOME") or
                                                        Path.home() / ".cache") / "matplotlib")
    for found in sorted(cache.glob("fontlist-*.json"))[-1:]:
        target = home / ".cache" / "matplotlib"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(found, target / found.name)


# ids no account uses, one per kernel; each grader process starts elsewhere in the range, so that two
# graders running at once (two instructors, two engineers) rarely give their kernels the same id
_FIRST_UID = 2_000_000 + (os.getpid() * 7919) % 100_000
_UIDS = itertools.chain(range(_FIRST_UID, 2_100_000), itertools.cycle(range(2_000_000, 2_100_000)))


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

    def kernel_env(self, env: dict | None = None) -> dict[str, str]:
        """The kernel's whole environment: a home in the scratch folder and the :data:`PASSED_ENV`
        variables of ``env`` (default: this process's environment)."""
        env = os.environ if env is None else env
        return {"HOME": str(self.scratch / "home"), "TMPDIR": "/tmp", "USER": "learner",
                **{name: str(env[name]) for name in PASSED_ENV if name in env}}

    def rlimits(self, limits) -> dict[str, int]:
        """The kernel's hard limits: bytes of data and of a file, CPU seconds, processes."""
        found = {"fsize": int(limits.file_mb) * 2**20, "nproc": MAX_PROCESSES,
                 "cpu": math.ceil(limits.total_timeout * (os.cpu_count() or 1)) + 60}
        if limits.memory_mb:
            found["data"] = int(limits.memory_mb) * 2**20
        return found

    def command(self, argv: list[str], limits, env: dict | None = None, warm: bool = False) -> list[str]:
        """``argv`` run inside the sandbox, with the scratch folder its only writable folder and only
        the :data:`PASSED_ENV` variables of ``env`` (default: this process's environment).

        ``warm``: the command of a warm process (:mod:`helpers.grade.warmbox`), which keeps the
        capabilities it needs to confine its forks and gives them their limits and user ids itself."""
        scratch = self.scratch
        box = [self.box.bwrap, *_mounts(self.box, scratch)]
        box += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"]
        for name, value in self.kernel_env(env).items():
            box += ["--setenv", name, value]
        if warm:
            caps = ["--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
            ro = box.index("--remount-ro")   # an empty folder where a fork parks its scratch (warmbox.STAGE)
            user_ns = ["--unshare-user"] if os.geteuid() != 0 else []
            return [*box[:ro], "--perms", "0700", "--dir", "/.stage", *box[ro:], *user_ns, *caps, "--", *argv]
        user: list[str] = []
        if self.uid is None:
            box.append("--unshare-user")   # also makes RLIMIT_NPROC count this sandbox's processes only
        else:
            box += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
            user = ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--"]
        option = {"fsize": "--fsize", "nproc": "--nproc", "cpu": "--cpu", "data": "--data"}
        caps = ["prlimit", *(f"{option[name]}={value}" for name, value in self.rlimits(limits).items())]
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
    warm = os.environ.get(WARM_SWITCH, "1") != "0"
    return Sandbox(tuple(_resolved(p) for p in hidden), bwrap=bwrap, warm=warm), ""
