"""Warm sandboxed kernels (issue 22): forks of a warm process inside the sandbox, seen by an attacker.

Two kernels forked at once must not see, signal or change each other (files, /tmp, processes,
shared memory, network, abstract sockets), a fork must not reach the warm process or the grader,
a dead warm process is replaced, and where the warm process cannot start the kernel starts cold,
still sandboxed, with one warning. (Every hostile test of test_grade_sandbox.py also runs through
warm kernels: its ``hostile_batch`` fixture has a "warm" mode.)
"""
from __future__ import annotations

import ast
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest

from helpers.grade import sandbox, warm
from helpers.grade.execute import Kernel, Limits

from .test_grade_sandbox import skip_without_bubblewrap

pytestmark = pytest.mark.slow

LIMITS = Limits(cell_timeout=120, total_timeout=300, startup_timeout=120)


@pytest.fixture(scope="module")
def box():
    skip_without_bubblewrap()
    warm.stop_all()
    found = sandbox.Sandbox(bwrap=shutil.which("bwrap"), warm=True)
    if found.scratch_folder() is None:
        pytest.fail(f"the warm process did not start: {warm._WARM[found].problem}")
    yield found
    warm.stop_all()


class Fork:
    """A warm sandboxed kernel in a scratch folder of its own."""

    def __init__(self, box):
        self.scratch = Path(tempfile.mkdtemp(prefix="course-grade-", dir=box.scratch_folder()))
        self.work = self.scratch / "work"
        self.work.mkdir()
        self.kernel = Kernel(self.work, LIMITS, sandbox=box, scratch=self.scratch)
        self.kernel.start()
        assert isinstance(self.kernel.km.provisioner, warm.WarmSandboxProvisioner), "not a warm fork"

    def value(self, code: str):
        """Run ``code`` (which sets ``result``) and read ``result`` back through a file."""
        run = self.kernel.run(code + "\nopen('result.txt', 'w').write(repr(result))", timeout=120)
        assert run.status == "ok", run.error
        return ast.literal_eval((self.work / "result.txt").read_text())

    def close(self):
        self.kernel.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)


@pytest.fixture
def forks(box):
    made = []

    def make():
        made.append(Fork(box))
        return made[-1]

    yield make
    for fork in made:
        fork.close()


PROCESSES = "import os\nresult = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())"


def host_pid_of(fork) -> int:
    """The pid of ``fork``'s kernel as the grader sees it (the deepest process working in its folder)."""
    keeper = psutil.Process(_keeper_host_pid(fork))
    return max([keeper, *keeper.children(recursive=True)], key=lambda p: len(p.parents())).pid


def _keeper_host_pid(fork) -> int:
    """The keeper's pid in the grader's namespace, read from its pidfd (``Pid:`` in fdinfo)."""
    info = Path(f"/proc/self/fdinfo/{fork.kernel.km.provisioner.process.pidfd}").read_text()
    return int(info.split("Pid:")[1].split()[0])


def test_two_forks_at_once_cannot_see_signal_or_change_each_other(forks):
    a, b = forks(), forks()
    assert a.value(PROCESSES) == b.value(PROCESSES) == [1, 2]   # an init and the kernel: nobody else
    planted = b.value(
        "import os, socket\nfrom multiprocessing import shared_memory\n"
        "open('/tmp/b-was-here', 'w').write('b')\nopen('b-notes.txt', 'w').write('b')\n"
        "shm = shared_memory.SharedMemory(name='b-shared', create=True, size=64)\n"
        "server = socket.create_server(('127.0.0.1', 45678))\n"
        "abstract = socket.socket(socket.AF_UNIX); abstract.bind('\\0b-abstract'); abstract.listen()\n"
        "result = [os.getpid(), os.getuid()]")
    b_kernel = host_pid_of(b)
    b_keeper = b.kernel.km.provisioner.pid   # as the warm process sees it
    seen = a.value(
        "import os, signal, socket\nfrom multiprocessing import shared_memory\nfound = []\n"
        "for root, dirs, files in os.walk('/'):\n"
        "    if root in ('/proc', '/usr', '/sys'):\n        dirs[:] = []\n"
        "    found += [f for f in files if f.startswith('b-')]\n"
        "def group(pid):\n"
        "    try:\n        return int(open(f'/proc/{pid}/status').read().split('Tgid:')[1].split()[0])\n"
        "    except OSError:\n        return None\n"
        "alive = [pid for pid in range(1, 5000) if group(pid) not in (None, 1, 2)]   # threads are 1's or 2's\n"
        "attempts = {}\n"
        "def write_into_b():\n"
        f"    open({str(b.work / 'from-a.txt')!r}, 'w').write('a')\n"
        "for name, attempt in [('shm', lambda: shared_memory.SharedMemory(name='b-shared')),\n"
        "                      ('tcp', lambda: socket.create_connection(('127.0.0.1', 45678), timeout=2)),\n"
        "                      ('abstract', lambda: socket.socket(socket.AF_UNIX).connect('\\0b-abstract')),\n"
        "                      ('kill all', lambda: os.kill(-1, signal.SIGKILL)),\n"
        f"                      ('kill kernel', lambda: os.kill({b_kernel}, signal.SIGKILL)),\n"
        f"                      ('kill keeper', lambda: os.kill({b_keeper}, signal.SIGKILL)),\n"
        "                      ('write', write_into_b)]:\n"
        "    try:\n        attempt()\n        attempts[name] = 'reached'\n"
        "    except OSError as err:\n        attempts[name] = type(err).__name__\n"
        "result = [found, alive, attempts, os.getuid()]")
    found, alive, attempts, a_uid = seen
    assert found == [] and alive == [], seen
    assert attempts["shm"] == "FileNotFoundError" and attempts["tcp"] != "reached" and attempts["abstract"] != "reached"
    assert attempts["kill all"] == "ProcessLookupError", attempts   # nobody to signal but its own init
    for name, pid in (("kill kernel", b_kernel), ("kill keeper", b_keeper)):
        assert attempts[name] == "ProcessLookupError" or pid in (1, 2), attempts
    assert attempts["write"] in ("FileNotFoundError", "PermissionError"), attempts
    assert a_uid != planted[1] or os.geteuid() != 0   # a root grader gives each fork a user id of its own
    # b is untouched and still alive
    assert b.value("import os\nresult = [open('/tmp/b-was-here').read(), open('b-notes.txt').read(), "
                   "os.path.exists('from-a.txt')]") == ["b", "b", False]
    assert not (a.scratch / "work" / "b-notes.txt").exists() and not (b.work / "from-a.txt").exists()


def test_a_fork_cannot_reach_the_warm_process_or_the_grader(box, forks):
    fork = forks()
    running = warm.warm_for(box)
    result = fork.value(
        "import os, signal, socket\nattempts = {}\n"
        f"for name, attempt in [('socket', lambda: socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET).connect({str(running.socket_path)!r})),\n"
        f"                      ('grader', lambda: os.kill({os.getpid()}, signal.SIGKILL)),\n"
        f"                      ('warm', lambda: os.kill({running.process.pid}, signal.SIGKILL)),\n"
        "                      ('parent', lambda: os.kill(os.getppid(), signal.SIGKILL))]:\n"
        "    try:\n        attempt()\n        attempts[name] = 'reached'\n"
        "    except OSError as err:\n        attempts[name] = type(err).__name__\n"
        f"result = [attempts, os.path.exists({str(running.root)!r} + '/tmp'), sorted(os.listdir('/tmp'))]")
    attempts, sees_warm_tmp, tmp = result
    assert attempts["socket"] in ("FileNotFoundError", "ConnectionRefusedError"), attempts
    assert attempts["grader"] == "ProcessLookupError" or os.getpid() in (1, 2), attempts
    assert attempts["warm"] == "ProcessLookupError" or running.process.pid in (1, 2), attempts
    assert not sees_warm_tmp and running.alive() and fork.kernel.alive   # the parent (init) ignores it


def test_a_dead_warm_process_is_replaced(box, forks):
    running = warm.warm_for(box)
    first = running.process.pid
    running.process.kill()
    running.process.wait()
    fork = forks()
    assert fork.value("import sys\nresult = 'tensorflow' in sys.modules") is True
    assert warm.warm_for(box).process.pid != first


def test_without_a_warm_process_the_kernel_starts_cold_and_sandboxed_with_one_warning(monkeypatch, capsys, tmp_path):
    skip_without_bubblewrap()
    monkeypatch.setattr(warm, "_WARM", {})
    monkeypatch.setattr(warm, "_warned", set())
    monkeypatch.setattr(warm.WarmSandbox, "start", lambda self: (_ for _ in ()).throw(RuntimeError("no forks here")))
    cold_box = sandbox.Sandbox(bwrap=shutil.which("bwrap"), warm=True)
    assert cold_box.scratch_folder() is None
    (tmp_path / "work").mkdir()
    for _ in range(2):
        with Kernel(tmp_path / "work", LIMITS, sandbox=cold_box, scratch=tmp_path) as kernel:
            assert kernel.km.provisioner is not None and not isinstance(kernel.km.provisioner, warm.WarmSandboxProvisioner)
            assert kernel.run("import os\nassert not os.path.exists('/home') and os.listdir('/proc') != []").status == "ok"
            assert "bwrap" in kernel.km.kernel_spec.argv[0]
    assert capsys.readouterr().err.count("warm sandboxed kernels unavailable (no forks here)") == 1
    warm.stop(cold_box)   # its folder, made before the start failed


def test_a_fork_cannot_reach_a_warm_process_kept_outside_tmp(monkeypatch):
    """With the warm process's folder outside /tmp (``TMPDIR`` elsewhere), a fork's new /tmp does not
    cover it: an empty read-only folder does, so the socket, the log and other scratch folders are gone."""
    skip_without_bubblewrap()
    outside = Path(tempfile.mkdtemp(prefix="course-warm-outside-", dir="/var/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(outside))
    other = sandbox.Sandbox(hidden=(outside,), bwrap=shutil.which("bwrap"), warm=True)
    made = []
    try:
        assert other.scratch_folder() is not None, warm._WARM[other].problem
        running = warm.warm_for(other)
        assert outside in running.root.parents
        made = [Fork(other), Fork(other)]
        first, second = made
        seen = first.value(
            "import os, socket\nattempts = {}\n"
            "def connect():\n"
            f"    socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET).connect({str(running.socket_path)!r})\n"
            "def write():\n"
            f"    open({str(running.jobs / 'planted')!r}, 'w').write('x')\n"
            "for name, attempt in [('socket', connect), ('write', write),\n"
            f"                      ('log', lambda: open({str(running.root / 'warm-stderr.txt')!r}).read())]:\n"
            "    try:\n        attempt()\n        attempts[name] = 'reached'\n"
            "    except OSError as err:\n        attempts[name] = type(err).__name__\n"
            f"result = [attempts, sorted(os.listdir({str(running.jobs)!r})), sorted(os.listdir({str(running.root)!r}))]")
        attempts, jobs, root = seen
        assert attempts["socket"] in ("FileNotFoundError", "ConnectionRefusedError"), attempts
        assert attempts["write"] in ("OSError", "PermissionError"), attempts   # read-only
        assert attempts["log"] == "FileNotFoundError", attempts
        assert jobs == [first.scratch.name] and root == ["jobs"], seen   # not the second fork's folder
        assert second.value("import os\nresult = os.path.exists('/tmp/warm.sock')") is False
    finally:
        for fork in made:
            fork.close()
        found = warm._WARM.pop(other, None)
        if found is not None:
            found.stop()
        shutil.rmtree(outside, ignore_errors=True)


NOT_ROOT_GRADER = """
import json, os, shutil, tempfile
from pathlib import Path
from helpers.grade import sandbox, warm
from helpers.grade.execute import Kernel, Limits

box = sandbox.Sandbox(bwrap=shutil.which("bwrap"), warm=True)
folder = box.scratch_folder()
if folder is None:
    raise SystemExit("the warm process did not start: " + warm._WARM[box].problem)
running = warm.warm_for(box)
limits = Limits(cell_timeout=120, total_timeout=300, startup_timeout=120)
kernels, seen = [], []
try:
    for _ in range(2):
        scratch = Path(tempfile.mkdtemp(dir=folder))
        (scratch / "work").mkdir()
        kernel = Kernel(scratch / "work", limits, sandbox=box, scratch=scratch)
        kernel.start()
        kernels.append(kernel)
        assert type(kernel.km.provisioner).__name__ == "WarmSandboxProvisioner"
    code = '''import os, json, signal
status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines())
try:
    os.kill(-1, signal.SIGKILL)
    kill = 'reached'
except OSError as err:
    kill = type(err).__name__
json.dump({"uid": os.getuid(), "caps": [status[k].strip() for k in ("CapEff", "CapPrm", "CapInh", "NoNewPrivs")],
           "processes": sorted(int(p) for p in os.listdir('/proc') if p.isdigit()), "kill": kill,
           "jobs": os.listdir(JOBS), "socket": os.path.exists(SOCKET), "tf": "tensorflow" in __import__("sys").modules,
           "home": os.path.exists('/home'), "write_usr": os.access('/usr', os.W_OK)}, open('seen.json', 'w'))'''
    code = code.replace("JOBS", repr(str(folder))).replace("SOCKET", repr(str(running.socket_path)))
    for kernel in kernels:
        run = kernel.run(code, timeout=120)
        assert run.status == "ok", run.error
        seen.append(json.loads((Path(kernel.workdir) / "seen.json").read_text()))
        seen[-1]["scratch"] = Path(kernel.scratch).name
    grader_caps = open("/proc/self/status").read().split("CapEff:")[1].split()[0]
    print(json.dumps({"grader_uid": os.getuid(), "grader_caps": grader_caps, "seen": seen,
                      "alive": [k.alive for k in kernels]}))
finally:
    for kernel in kernels:
        kernel.stop()
    warm.stop_all()
"""


def as_nobody(home: Path, needed: list[Path]) -> list[str]:
    """A command prefix running as ``nobody`` in a mount namespace of its own in which every folder of
    ``needed`` can be reached: a folder on the way that others may not enter (root's 0700 home, where
    the project's machines keep their Python) is covered by an empty one that holds only what is needed.
    Nothing outside the namespace changes."""
    blocked: dict[Path, set[Path]] = {}
    for path in needed:
        chain = [*reversed(path.parents), path]
        for parent, child in zip(chain, chain[1:]):
            if not parent.stat().st_mode & 0o001:
                blocked.setdefault(parent, set()).add(child)
                break
    lines = []
    for parent, children in blocked.items():
        staged = [(child, home / f"stage-{len(lines)}-{n}") for n, child in enumerate(sorted(children))]
        for child, stage in staged:
            stage.mkdir()
            lines.append(f"mount --bind '{child}' '{stage}'")
        lines.append(f"mount -t tmpfs -o mode=0755 tmpfs '{parent}'")
        lines += [f"mkdir -p '{child}' && mount --move '{stage}' '{child}'" for child, stage in staged]
    os.chown(home, 65534, 65534)
    script = " && ".join([*lines, 'exec setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"'])
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "as-nobody"]


def test_a_grader_that_is_not_root_gets_confined_warm_forks():
    """The path of a grader without root: bwrap ``--unshare-user``, no user id of its own per fork,
    every capability dropped. When the tests run as root, the grader runs as ``nobody``."""
    skip_without_bubblewrap()
    home = Path(tempfile.mkdtemp(prefix="course-not-root-", dir="/tmp"))   # pytest's folders are root's only
    root = Path(__file__).resolve().parents[1]
    prefix: list[str] = []
    if os.geteuid() == 0:
        needed = [Path(p) for p in (sys.prefix, sys.base_prefix, os.path.realpath(sys.executable), root)]
        prefix = as_nobody(home, needed)
    env = {**os.environ, "HOME": str(home), "TMPDIR": "/tmp", "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop(sandbox.WARM_SWITCH, None)
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", NOT_ROOT_GRADER], cwd=home, env=env,
                              capture_output=True, text=True, timeout=900)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["grader_uid"] != 0 and report["grader_caps"] == "0000000000000000" and report["alive"] == [True, True]
    for seen in report["seen"]:
        assert seen["uid"] == report["grader_uid"], seen   # no change of user id without root
        assert seen["caps"] == ["0000000000000000"] * 3 + ["1"], seen   # no capability, and no way to gain one
        assert seen["processes"] == [1, 2] and seen["kill"] == "ProcessLookupError", seen
        assert seen["jobs"] == [seen["scratch"]] and seen["socket"] is False, seen   # not the other fork
        assert seen["tf"] is True and seen["home"] is False and seen["write_usr"] is False, seen


COLD_FALLBACK = """
import json, shutil, tempfile
from pathlib import Path
from helpers.grade import sandbox, warm
from helpers.grade.execute import Kernel, Limits

box = sandbox.Sandbox(bwrap=shutil.which("bwrap"), warm=True)
folder = box.scratch_folder()
scratch = Path(tempfile.mkdtemp())
(scratch / "work").mkdir()
with Kernel(scratch / "work", Limits(cell_timeout=120, startup_timeout=120), sandbox=box, scratch=scratch) as kernel:
    run = kernel.run("import os\\nassert not os.path.exists('/home') and os.getpid() < 10")
    print(json.dumps({"folder": str(folder), "status": run.status, "provisioner": type(kernel.km.provisioner).__name__,
                      "argv0": kernel.km.kernel_spec.argv[0]}))
shutil.rmtree(scratch, ignore_errors=True)
"""


def test_where_a_fork_cannot_mount_its_proc_kernels_start_cold_and_sandboxed():
    """Root of a user namespace without capabilities outside it: bubblewrap covers parts of the warm
    process's /proc, so the kernel refuses a fork a /proc of its own. The warm process finds out before
    importing anything; kernels start cold, still sandboxed, with one warning."""
    skip_without_bubblewrap()
    if os.geteuid() != 0:
        pytest.fail("this test maps root into a user namespace: run it as root (as CI does)")
    home = Path(tempfile.mkdtemp(prefix="course-no-proc-"))
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop(sandbox.WARM_SWITCH, None)
    try:
        done = subprocess.run(["unshare", "--user", "--map-user=1000", "--map-group=1000", "--", sys.executable,
                               "-c", COLD_FALLBACK], cwd=home, env=env, capture_output=True, text=True, timeout=900)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["folder"] == "None" and report["status"] == "ok", report
    assert report["provisioner"] != "WarmSandboxProvisioner" and report["argv0"].endswith("bwrap"), report
    assert done.stderr.count("warm sandboxed kernels unavailable") == 1, done.stderr
    assert "a fork cannot be confined here" in done.stderr and "mount /proc" in done.stderr
