"""Warm sandboxed kernels (issue 22): forks of a warm process inside the sandbox, seen by an attacker.

Two kernels forked at once must not see, signal or change each other (files, /tmp, processes,
shared memory, network, abstract sockets), a fork must not reach the warm process or the grader,
a dead warm process is replaced, and where the warm process cannot start the kernel starts cold,
still sandboxed, with one warning. (Every hostile test of test_grade_sandbox.py also runs through
warm kernels: its ``hostile_batch`` fixture has a "warm" mode.)
"""
from __future__ import annotations

import ast
import os
import shutil
import socket
import tempfile
from pathlib import Path

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
        "for name, attempt in [('shm', lambda: shared_memory.SharedMemory(name='b-shared')),\n"
        "                      ('tcp', lambda: socket.create_connection(('127.0.0.1', 45678), timeout=2)),\n"
        "                      ('abstract', lambda: socket.socket(socket.AF_UNIX).connect('\\0b-abstract')),\n"
        "                      ('kill', lambda: os.kill(-1, signal.SIGKILL) if False else os.killpg(0, 0))]:\n"
        "    try:\n        attempt()\n        attempts[name] = 'reached'\n"
        "    except OSError as err:\n        attempts[name] = type(err).__name__\n"
        "result = [found, alive, attempts, os.getuid()]")
    found, alive, attempts, a_uid = seen
    assert found == [] and alive == [], seen
    assert attempts["shm"] == "FileNotFoundError" and attempts["tcp"] != "reached" and attempts["abstract"] != "reached"
    assert a_uid != planted[1] or os.geteuid() != 0   # a root grader gives each fork a user id of its own
    # b is untouched and still alive
    assert b.value("result = [open('/tmp/b-was-here').read(), open('b-notes.txt').read()]") == ["b", "b"]
    assert not (a.scratch / "work" / "b-notes.txt").exists()


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
