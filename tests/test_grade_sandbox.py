"""The grader's sandbox: hostile submissions graded in one batch, next to an innocent classmate.

Each hostile submission is lesson 01's solution plus one cell that attacks the grading machine.
The tests assert what the sandbox guarantees: nothing outside changed, no secret in any output,
no connection made, no process left behind, every other row graded. They are skipped (with
bubblewrap's own reason) only where bubblewrap cannot run.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import psutil
import pytest

import helpers
from helpers.grade import pipeline, sandbox
from helpers.grade.execute import Limits

from .test_grade_batch import after_imports, check_cell, code, save, solution

pytestmark = pytest.mark.slow   # about 8 kernels with TensorFlow

SECRET = "the-instructors-secret-7f3a"
CLASSMATE = "classmates-own-answer-91c2"
WRITTEN = "planted-by-a-submission-55d1"
MARKER = "hostile-process-0b6e"
DISK_MB = 300


def skip_without_bubblewrap() -> None:
    """Skip where bubblewrap cannot run; fail instead where it must (``.ci/run`` installs it and sets
    ``COURSE_REQUIRE_SANDBOX=1``, so a sandbox broken by our own code cannot hide behind a skip)."""
    why = sandbox.problem()
    if why and os.environ.get("COURSE_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"the sandbox must run here (COURSE_REQUIRE_SANDBOX=1): {why}")
    if why:
        pytest.skip(f"no sandbox here: {why}")


class LoopbackServer:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def stop(self):
        self.stopped.set()
        self.thread.join()
        self.sock.close()


def attempts(*lines: str) -> str:
    """A cell that tries each statement and carries on whatever happens."""
    return "import os, sys, subprocess, time, signal, socket\n" + "".join(
        f"try:\n    {line}\nexcept BaseException as err:\n    print('refused:', repr(err))\n" for line in lines)


def package_folder() -> Path:
    return Path(helpers.__file__).resolve().parent


def site_packages() -> Path:
    import site

    return Path(site.getsitepackages()[0])


@pytest.fixture(scope="module", params=["cold", "warm"])
def hostile_batch(tmp_path_factory, request):
    """The hostile batch, graded by cold sandboxed kernels (``COURSE_WARM_SANDBOX=0``) and by kernels
    forked from the warm process inside the sandbox (the default, helpers.grade.warm)."""
    skip_without_bubblewrap()
    from helpers.grade import warm

    warm.stop_all()
    folder = tmp_path_factory.mktemp("hostile")
    out = folder / "out"
    home = Path(tempfile.mkdtemp(prefix="grader-home-", dir="/var/tmp"))
    (home / "secret.txt").write_text(SECRET)
    server = LoopbackServer()
    nb = solution()
    classmate = after_imports(nb, f"note = {CLASSMATE!r}")
    classmate_path = save(folder, "innocent", classmate)
    save(folder, "writer", after_imports(nb, attempts(
        f"open({str(package_folder() / 'planted.py')!r}, 'w').write({WRITTEN!r})",
        f"open({str(site_packages() / 'planted.pth')!r}, 'w').write('import os')",
        f"os.makedirs({str(out / 'innocent')!r}, exist_ok=True)",
        f"open({str(out / 'innocent' / 'feedback.md')!r}, 'a').write({WRITTEN!r})",
        f"open({str(out / 'grades.csv')!r}, 'a').write({WRITTEN!r})")))
    reader = attempts(f"stolen = open({str(home / 'secret.txt')!r}).read()",
                      f"stolen += open({str(classmate_path)!r}).read()",
                      "stolen += open(os.path.expanduser('~/secret.txt')).read()")
    reading = after_imports(nb, "stolen = 'nothing'\n" + reader)
    for exercise_id, name in (("q1", "dense_shape"), ("q2", "small_dense_params")):   # echoed in feedback
        check_cell(reading, exercise_id)["source"] = f"{name} = stolen\nex.{exercise_id}.check({name})"
    save(folder, "reader", reading)
    save(folder, "network", after_imports(nb, attempts(
        f"socket.create_connection(('127.0.0.1', {server.port}), timeout=3)",
        f"socket.create_connection(('localhost', {server.port}), timeout=3)")))
    save(folder, "background", after_imports(nb, attempts(
        f"subprocess.Popen([{MARKER!r}, '600'], executable='/bin/sleep', start_new_session=True)",
        f"os.system(\"setsid bash -c 'exec -a {MARKER} sleep 600' &\")")))
    save(folder, "fork_bomb", after_imports(nb, (
        "import os, time\nchildren = 0\ntry:\n    for _ in range(5000):\n        if os.fork() == 0:\n"
        f"            os.execv('/bin/sleep', [{MARKER!r}, '600'])\n        children += 1\n"
        "except OSError as err:\n    print('fork refused after', children, err)\n"
        "assert children < 5000, 'fork was never refused'")))
    save(folder, "parent_killer", after_imports(nb, attempts(
        "os.kill(os.getppid(), signal.SIGKILL)", f"os.kill({os.getpid()}, signal.SIGKILL)",
        f"os.killpg({os.getpgid(0)}, signal.SIGKILL)")))
    save(folder, "disk_filler", after_imports(nb, attempts(
        "open(os.path.expanduser('~/../../fill'), 'wb').write(b'x' * 2**20)",
        *[f"open('/tmp/fill{n}', 'wb').write(b'x' * 100 * 2**20)" for n in range(10)],
        *[f"open('fill{n}', 'wb').write(b'x' * 100 * 2**20)" for n in range(10)])))
    before = {p.name for p in package_folder().iterdir()}, {p.name for p in site_packages().iterdir()}
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    old_switch = os.environ.pop(sandbox.WARM_SWITCH, None)
    if request.param == "cold":
        os.environ[sandbox.WARM_SWITCH] = "0"
    forked = warm.forks_made()
    try:
        pipeline.grade_batch([folder], out, jobs=2, lesson="01", sandbox="on",
                             limits=Limits(cell_timeout=60, total_timeout=300, disk_mb=DISK_MB))
        forks = warm.forks_made() - forked
    finally:
        os.environ["HOME"] = old_home if old_home is not None else ""
        os.environ.pop(sandbox.WARM_SWITCH, None)
        if old_switch is not None:
            os.environ[sandbox.WARM_SWITCH] = old_switch
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
        warm.stop_all()
    after = {p.name for p in package_folder().iterdir()}, {p.name for p in site_packages().iterdir()}
    return {"out": out, "server": server, "before": before, "after": after, "mode": request.param, "forks": forks}


def test_warm_mode_grades_every_submission_with_a_warm_fork(hostile_batch):
    assert hostile_batch["forks"] == (8 if hostile_batch["mode"] == "warm" else 0)


def rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def every_output_text(out: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())


def test_every_submission_gets_a_row_and_the_classmate_full_marks(hostile_batch):
    graded = rows(hostile_batch["out"])
    assert set(graded) == {"innocent", "writer", "reader", "network", "background", "fork_bomb",
                           "parent_killer", "disk_filler"}
    assert (graded["innocent"]["score"], graded["innocent"]["status"]) == ("9", "ok")
    for name in ("writer", "network", "background", "parent_killer"):
        assert graded[name]["score"] == "9", graded[name]


def test_nothing_outside_the_scratch_folder_changed(hostile_batch):
    assert hostile_batch["after"] == hostile_batch["before"]
    assert not (package_folder() / "planted.py").exists() and not (site_packages() / "planted.pth").exists()
    assert WRITTEN not in every_output_text(hostile_batch["out"])


def test_no_secret_and_no_classmate_answer_comes_back(hostile_batch):
    text = every_output_text(hostile_batch["out"])
    assert SECRET not in text and CLASSMATE not in text
    assert (hostile_batch["out"] / "innocent" / "feedback.md").read_text().count(CLASSMATE) == 0


def test_no_connection_reaches_a_loopback_server_of_the_host(hostile_batch):
    assert hostile_batch["server"].connections == 0


def test_no_process_is_left_behind(hostile_batch):
    left = [p.info for p in psutil.process_iter(["pid", "name", "cmdline"])
            if MARKER in " ".join(p.info["cmdline"] or []) or p.info["name"] == MARKER]
    assert left == []


def test_a_fork_bomb_is_refused_and_costs_only_its_row(hostile_batch):
    row = rows(hostile_batch["out"])["fork_bomb"]
    assert "never refused" not in row["message"], row


def test_a_disk_filler_is_stopped_and_says_why(hostile_batch):
    row = rows(hostile_batch["out"])["disk_filler"]
    assert row["status"] == "kernel died" and f"more than {DISK_MB} MB" in row["message"], row


def test_the_parent_killer_kills_nothing_outside(hostile_batch):
    row = rows(hostile_batch["out"])["parent_killer"]
    assert row["status"] == "ok" and "refused" not in row["message"], row


# -- without bubblewrap -----------------------------------------------------------------------------------------
def tiny(folder: Path, name: str) -> Path:
    nb = {"cells": [code("dense_shape = (None, 10)")], "metadata": {"course": {"lesson": "01"}},
          "nbformat": 4, "nbformat_minor": 5}
    return save(folder, name, nb)


def test_auto_grades_without_a_sandbox_and_says_so_everywhere(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "problem", lambda: "bubblewrap is not installed (test)")
    tiny(tmp_path, "one")
    tiny(tmp_path, "two")
    out = tmp_path / "out"
    pipeline.grade_batch([tmp_path], out, jobs=2, sandbox="auto", limits=Limits(cell_timeout=60, total_timeout=120))
    assert "WARNING: graded WITHOUT a sandbox: bubblewrap is not installed (test)" in capsys.readouterr().out
    for row in rows(out).values():
        assert row["message"].startswith("[graded WITHOUT a sandbox: bubblewrap is not installed (test)]"), row
        assert row["01.q1"] == "1"
    with pytest.raises(sandbox.SandboxUnavailable, match="not installed"):
        pipeline.grade_batch([tmp_path], tmp_path / "out2", sandbox="on")


def bound(argv: list[str]) -> dict[str, str]:
    """Destination -> source of every read-only bind in a bwrap command."""
    return {argv[i + 2]: argv[i + 1] for i, a in enumerate(argv) if a == "--ro-bind"}


def test_kernels_are_forked_warm_inside_the_sandbox_unless_switched_off(monkeypatch):
    skip_without_bubblewrap()
    monkeypatch.delenv(sandbox.WARM_SWITCH, raising=False)
    assert sandbox.choose("on")[0].warm and sandbox.choose("auto")[0].warm
    monkeypatch.setenv(sandbox.WARM_SWITCH, "0")
    assert not sandbox.choose("on")[0].warm


def test_the_sandbox_command_is_an_allowlist(tmp_path, monkeypatch):
    skip_without_bubblewrap()
    monkeypatch.setenv(sandbox.WARM_SWITCH, "0")   # a cold kernel's command
    submission = package_folder().parent / "README.md"   # stands for a submission kept in the project
    box, note = sandbox.choose("on", hidden=[tmp_path / "subs", submission])
    assert not box.warm
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    argv = box.confine(scratch).command(["python"], Limits())
    assert note == "" and argv[0].endswith("bwrap") and argv[-1] == "python"
    assert argv[1:3] == ["--tmpfs", "/"], "the root must start empty"
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in argv
    assert ["--bind", str(scratch), str(scratch)] == argv[argv.index(str(scratch)) - 1:][:3]
    writable = [argv[i + 2] for i, a in enumerate(argv) if a == "--bind"]
    assert sorted(writable) == sorted(["/tmp", "/dev/shm", str(scratch)])
    shown = set(bound(argv))
    assert str(package_folder()) in shown and "/usr" in shown
    project = package_folder().parent
    for never in ("/", "/home", "/root", "/etc", "/var", "/opt", "/run", str(project), str(project / "solutions")):
        assert never not in shown, never
    assert not any(s.startswith(("/home", "/var", "/run", "/etc/passwd", "/etc/shadow")) for s in shown), shown
    assert str(submission) not in " ".join(argv)   # the project's root is not there at all: no mask needed
    assert "--nproc=512" in argv and any(a.startswith("--data=") for a in argv)
    assert json.dumps(argv).count("JPY_PARENT_PID") == 0


def test_a_course_cloned_into_tmp_keeps_its_python_and_shows_only_its_package(tmp_path, monkeypatch):
    """/tmp is replaced by the kernel's own: a course (and its .venv) living there is bound after it,
    its package and venv only."""
    project = Path(tempfile.mkdtemp(prefix="clone-", dir="/tmp"))
    try:
        venv = project / ".venv"
        for folder in (venv, project / "solutions", project / ".git", project / "helpers", project / "release"):
            folder.mkdir()
        monkeypatch.setattr(sandbox, "python_paths", lambda project=None: [venv])
        scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir="/tmp"))
        try:
            argv = sandbox.Sandbox(project=project).confine(scratch).command(["python"], Limits())
        finally:
            shutil.rmtree(scratch)
    finally:
        shutil.rmtree(project)
    joined = [" ".join(argv[i:i + 3]) for i in range(len(argv))]
    tmp_bind = joined.index(f"--bind {scratch / 'tmp'} /tmp")
    for shown in (venv, project / "helpers"):
        assert joined.index(f"--ro-bind {shown} {shown}") > tmp_bind, "bound after /tmp is replaced"
    assert set(bound(argv)) - {str(p) for p in (*sandbox.SYSTEM_PATHS, venv, project / "helpers")} == set()


def test_a_course_inside_a_shown_folder_is_hidden_but_its_package(tmp_path, monkeypatch):
    """A course kept in a folder the kernel sees (here: beside the Python) is masked, its package shown again."""
    python = tmp_path / "python"
    project = python / "course"
    for folder in (project / "helpers", project / "release" / "keys", project / "solutions"):
        folder.mkdir(parents=True)
    (project / "course-secret.txt").write_text(SECRET)
    monkeypatch.setattr(sandbox, "python_paths", lambda project=None: [python])
    box = sandbox.Sandbox(project=project, hidden=(python / "out",))
    (python / "out").mkdir()
    assert box.masks() == [project, python / "out"]
    (tmp_path / "scratch").mkdir()
    argv = box.confine(tmp_path / "scratch").command(["python"], Limits())
    pairs = [tuple(argv[i:i + 2]) for i in range(len(argv))]
    shown = pairs.index(("--ro-bind", str(python)))
    masked = pairs.index(("--tmpfs", str(project)))
    again = pairs.index(("--ro-bind", str(project / "helpers")))
    assert shown < masked < again
    assert ("--remount-ro", str(project)) in pairs and ("--tmpfs", str(python / "out")) in pairs
