"""Warm kernels (helpers.kernels): forks of a warm process behave like fresh, cold kernels.

The slow tests start real kernels through the course's ``python3`` kernelspec (``make install``
points it at the warm provisioner) with plain jupyter_client, as JupyterLab and nbval do.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from helpers.kernels import PROVISIONER_NAME
from helpers.kernels.provisioner import SWITCH, cold_reason, split_command, startup_key

PYTHON = [sys.executable, "-m", "ipykernel_launcher", "-f", "kernel.json"]


def test_importing_the_package_imports_neither_tensorflow_nor_jupyter():
    code = "import helpers, helpers.kernels, sys; print('tensorflow' in sys.modules, 'jupyter_client' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_only_a_plain_ipykernel_command_is_forked():
    assert cold_reason(PYTHON, {"env": {}}) is None
    assert cold_reason(PYTHON[:1] + ["-Xfrozen_modules=off"] + PYTHON[1:], {"env": {}}) is None
    wrapped = ["bwrap", "--unshare-pid", "--", *PYTHON]
    assert "wrapped (bwrap)" in cold_reason(wrapped, {"env": {}})
    assert "wrapped" in cold_reason(["sh", "-c", 'exec "$@"', "sh", *PYTHON], {"env": {}})
    assert split_command([sys.executable, "-c", "print(1)"]) is None
    assert split_command([sys.executable, "-E", "-m", "ipykernel_launcher", "-f", "k.json"]) is None


def test_cold_when_switched_off_or_output_is_piped():
    assert cold_reason(PYTHON, {"env": {SWITCH: "0"}}) == f"{SWITCH}=0"
    assert "pipe" in cold_reason(PYTHON, {"env": {}, "stderr": subprocess.PIPE})
    assert "cannot honour: preexec_fn" in cold_reason(PYTHON, {"env": {}, "preexec_fn": print})


def test_zygotes_are_keyed_by_what_imports_read():
    base = {"PYTHONHASHSEED": "0", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": "/guard"}
    assert startup_key(["py"], base) == startup_key(["py"], {**base, "JPY_SESSION_NAME": "x", "PATH": "/bin"})
    for name, value in [("PYTHONHASHSEED", "1"), ("PYTHONPATH", ""), ("MPLBACKEND", "Agg"), ("TF_ENABLE_ONEDNN_OPTS", "0")]:
        assert startup_key(["py"], base) != startup_key(["py"], {**base, name: value}), name
    assert startup_key(["py"], base) != startup_key(["py", "-Xfrozen_modules=off"], base)


def test_the_course_kernelspec_uses_the_warm_provisioner():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.metadata["kernel_provisioner"]["provisioner_name"] == PROVISIONER_NAME
    from jupyter_client.provisioning import KernelProvisionerFactory

    assert KernelProvisionerFactory.instance().is_provisioner_available(spec)


# ---- real kernels -------------------------------------------------------------------------------

class Kernel:
    """A python3 kernel started with jupyter_client, plus a way to run a cell and read what it did."""

    def __init__(self, cwd, **env):
        from jupyter_client import KernelManager

        self.km = KernelManager(kernel_name="python3")
        full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
                    "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
        full_env.update(env)
        for name in [k for k, v in full_env.items() if v is None]:
            del full_env[name]
        self.km.start_kernel(cwd=str(cwd), env=full_env, stderr=subprocess.DEVNULL)
        self.connect()

    def connect(self):
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    @property
    def pid(self):
        return self.km.provisioner.pid

    @property
    def warm(self):
        return getattr(self.km.provisioner, "warm", False)

    def run(self, code, timeout=120):
        """Run ``code``; returns (stdout text, error name or None, output mime types)."""
        out, kinds = [], []

        def hook(msg):
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind in ("display_data", "execute_result"):
                kinds.extend(content["data"])

        reply = self.kc.execute_interactive(textwrap.dedent(code), timeout=timeout, output_hook=hook)
        error = reply["content"].get("ename") if reply["content"]["status"] == "error" else None
        return "".join(out), error, kinds

    def close(self):
        self.kc.stop_channels()
        if self.km.has_kernel:
            self.km.shutdown_kernel(now=False)


@pytest.fixture
def kernels(tmp_path):
    started = []

    def start(name="k", **env):
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        kernel = Kernel(folder, **env)
        started.append(kernel)
        return kernel

    yield start
    for kernel in started:
        kernel.close()


def zygote_of(pid):
    import psutil

    return psutil.Process(pid).ppid()


@pytest.mark.slow
def test_a_fork_sees_nothing_of_the_kernel_before_it(kernels):
    first = kernels("first")
    assert first.warm
    out, error, _ = first.run("import os\nsecret = 42\nopen('notes.txt', 'w').write('mine')\nprint(os.getcwd())")
    assert error is None and out.strip().endswith("first")
    second = kernels("second")
    assert second.warm and second.pid != first.pid
    assert zygote_of(second.pid) == zygote_of(first.pid), "both kernels come from the same warm process"
    out, error, _ = second.run("import os\nprint('secret' in globals(), sorted(os.listdir('.')), os.getcwd())")
    assert error is None
    assert out.startswith("False [] ") and out.strip().endswith("second"), out


@pytest.mark.slow
def test_a_relative_folder_is_relative_to_the_manager(tmp_path, monkeypatch):
    (tmp_path / "lesson").mkdir()
    monkeypatch.chdir(tmp_path)
    kernel = Kernel("lesson")
    try:
        assert kernel.warm
        assert kernel.run("import os\nprint(os.getcwd())")[0] == f"{tmp_path / 'lesson'}\n"
    finally:
        kernel.close()


@pytest.mark.slow
def test_interrupt_reaches_the_fork(kernels):
    kernel = kernels()
    assert kernel.warm
    # stop_on_error=False: otherwise ipykernel aborts requests that arrive before it has cleared its
    # abort flag after the KeyboardInterrupt, which under load can include the next one
    kernel.kc.execute("import time\ntime.sleep(100)", stop_on_error=False)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:   # wait until the cell runs
        msg = kernel.kc.get_iopub_msg(timeout=60)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "busy":
            break
    time.sleep(0.5)
    kernel.km.interrupt_kernel()
    reply = kernel.kc.get_shell_msg(timeout=60)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    # the kernel lives on: read the answer from the shell reply (a stream may still be in flight)
    reply = kernel.kc.execute_interactive("y = 6 * 7", user_expressions={"y": "y"}, timeout=120)
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["user_expressions"]["y"]["data"]["text/plain"] == "42"


@pytest.mark.slow
def test_restart_gives_a_fresh_warm_kernel(kernels):
    kernel = kernels()
    kernel.run("x = 1")
    before = kernel.pid
    kernel.km.restart_kernel(now=False)
    kernel.kc.stop_channels()
    kernel.connect()
    assert kernel.warm and kernel.pid != before
    assert kernel.run("print('x' in globals())")[0] == "False\n"


@pytest.mark.slow
def test_shutdown_and_kill_leave_no_process(kernels):
    import psutil

    for how in ("shutdown", "kill"):
        kernel = kernels(how)
        kernel.run("import subprocess, sys\nchild = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])")
        pids = [kernel.pid, *(p.pid for p in psutil.Process(kernel.pid).children(recursive=True))]
        assert len(pids) == 2
        if how == "shutdown":
            kernel.km.shutdown_kernel(now=False)
        else:
            kernel.km.shutdown_kernel(now=True)
        gone, alive = psutil.wait_procs([psutil.Process(p) for p in pids if psutil.pid_exists(p)], timeout=30)
        alive = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
        assert not alive, f"{how}: still running: {alive}"


@pytest.mark.slow
def test_a_killed_warm_process_is_replaced(kernels):
    from helpers.kernels.provisioner import POOL

    first = kernels("first")
    zygote = zygote_of(first.pid)
    assert zygote in [z.pid for z in POOL.zygotes()]
    os.kill(zygote, signal.SIGKILL)
    second = kernels("second")
    assert second.warm and zygote_of(second.pid) not in (zygote, 1)
    assert second.run("print(6 * 7)")[0] == "42\n"
    assert first.run("print('orphan works')")[0] == "orphan works\n", "a kernel outlives its warm process"


@pytest.mark.slow
def test_switched_off_gives_a_cold_kernel_that_works(kernels):
    kernel = kernels(**{SWITCH: "0"})
    assert not kernel.warm
    assert zygote_of(kernel.pid) == os.getpid()
    out, error, _ = kernel.run("import keras\nprint(keras.layers.SimpleRNN(3)(keras.ops.zeros((1, 2, 4))).shape)")
    assert (out, error) == ("(1, 3)\n", None)


TRAIN = """
import keras, numpy as np
keras.utils.set_random_seed(0)
x = np.random.rand(32, 5, 2).astype("float32")
y = x.sum(axis=(1, 2))[:, None]
model = keras.Sequential([keras.Input((5, 2)), keras.layers.SimpleRNN(4), keras.layers.Dense(1)])
model.compile("adam", "mse")
history = model.fit(x, y, epochs=3, verbose=0)
prediction = model.predict(x[:3], verbose=0)
print(prediction.shape, np.round(prediction.ravel(), 4).tolist(), round(history.history["loss"][-1], 4))
"""


@pytest.mark.slow
def test_a_fork_trains_and_predicts_like_a_cold_kernel(kernels):
    warm, cold = kernels("warm"), kernels("cold", **{SWITCH: "0"})
    assert warm.warm and not cold.warm
    warm_out, warm_error, _ = warm.run(TRAIN)
    cold_out, cold_error, _ = cold.run(TRAIN)
    assert warm_error is None and cold_error is None
    assert warm_out.startswith("(3, 1) ")
    assert warm_out == cold_out


@pytest.mark.slow
def test_hash_seed_and_offline_guard_reach_the_fork(kernels):
    from helpers.bench.offline import MARK, offline_env

    expected = subprocess.run([sys.executable, "-c", "print(hash('shapes'))"], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": "1"}).stdout
    seeded = kernels("seeded", PYTHONHASHSEED="1")
    assert seeded.warm and seeded.run("print(hash('shapes'))")[0] == expected
    guard = offline_env()
    guarded = kernels("guarded", PYTHONPATH=guard["PYTHONPATH"])
    assert guarded.warm and zygote_of(guarded.pid) != zygote_of(seeded.pid)
    out, error, _ = guarded.run("import socket\ntry:\n    socket.getaddrinfo('example.com', 443)\n"
                                "except OSError as err:\n    print(err)")
    assert MARK in out, out


@pytest.mark.slow
def test_plots_are_inline_when_no_backend_is_set(kernels):
    kernel = kernels(MPLBACKEND=None)
    assert kernel.warm
    _, error, kinds = kernel.run("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()")
    assert error is None and "image/png" in kinds, kinds


MANAGER = """
import json, subprocess, sys
from jupyter_client import KernelManager
km = KernelManager(kernel_name="python3")
km.start_kernel(stderr=subprocess.DEVNULL)
print(json.dumps([km.provisioner.pid, km.provisioner.warm]), flush=True)
sys.stdin.read()
"""


@pytest.mark.slow
def test_a_fork_ends_when_its_manager_dies(tmp_path):
    import psutil

    manager = subprocess.Popen([sys.executable, "-c", MANAGER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, cwd=tmp_path)
    try:
        pid, warm = json.loads(manager.stdout.readline())
        assert warm
        kernel = psutil.Process(pid)
        manager.kill()
        manager.wait()
        gone, alive = psutil.wait_procs([kernel], timeout=60)
        assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], "the kernel outlived its manager"
    finally:
        manager.kill()


FORKED_CHECK = """\
import os, psutil
parent = " ".join(psutil.Process(os.getppid()).cmdline())
assert "helpers.kernels.zygote" in parent, parent
"""


@pytest.mark.slow
def test_nbval_through_the_kernelspec_gets_warm_kernels(tmp_path):
    """`make test` names the kernelspec; nbval's --nbval-current-env builds its own spec and starts cold."""
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells.append(nbformat.v4.new_code_cell(FORKED_CHECK))
    nbformat.write(nb, tmp_path / "forked.ipynb")

    def nbval(*options):
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval", *options,
                               "--rootdir", str(tmp_path), str(tmp_path / "forked.ipynb")],
                              capture_output=True, text=True, cwd=tmp_path, timeout=300)

    warm = nbval("--nbval-kernel-name", "python3")
    assert warm.returncode == 0, warm.stdout[-2000:]
    cold = nbval("--nbval-current-env")
    assert cold.returncode == 1 and "AssertionError" in cold.stdout, cold.stdout[-2000:]


# ---- quiet, local transport (issue 22.4) -------------------------------------------------------------------------

def test_kernels_talk_over_unix_sockets_in_a_private_folder(monkeypatch):
    import shutil
    import tempfile

    from jupyter_client import KernelManager

    from helpers.kernels.provisioner import TRANSPORT_SWITCH, use_ipc

    # a short folder: pytest's tmp_path under xdist is too long for a Unix socket path (use_ipc keeps TCP then)
    from pathlib import Path

    tmp_path = Path(tempfile.mkdtemp(prefix="ck-", dir="/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    try:
        _check_ipc_switch(tmp_path, monkeypatch, KernelManager, TRANSPORT_SWITCH, use_ipc)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _check_ipc_switch(tmp_path, monkeypatch, KernelManager, TRANSPORT_SWITCH, use_ipc):  # noqa: N803
    km = KernelManager()
    assert use_ipc(km) and km.transport == "ipc" and not km.cache_ports
    folder = tmp_path / f"course-kernels-{os.getuid()}"
    assert km.ip.startswith(str(folder)) and folder.stat().st_mode & 0o777 == 0o700
    assert not use_ipc(km)                                  # already set up: left alone
    assert not use_ipc(KernelManager(ip="0.0.0.0"))         # asked for another address
    monkeypatch.setenv(TRANSPORT_SWITCH, "tcp")
    assert not use_ipc(KernelManager())
    monkeypatch.delenv(TRANSPORT_SWITCH)
    folder.chmod(0o755)                                     # opened to others: TCP rather than trust it
    assert not use_ipc(KernelManager())


@pytest.mark.slow
@pytest.mark.parametrize("warm", [True, False])
def test_a_course_kernel_uses_ipc_and_logs_no_tcp_warning(tmp_path, warm):
    from jupyter_client import KernelManager

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0",
           "MPLBACKEND": "Agg", SWITCH: "1" if warm else "0"}
    km = KernelManager(kernel_name="python3")
    with open(tmp_path / "stderr.txt", "wb") as stderr:
        km.start_kernel(cwd=str(tmp_path), env=env, stderr=stderr)
        kc = km.client()
        try:
            kc.start_channels()
            kc.wait_for_ready(timeout=120)
            reply = kc.execute_interactive("print('hello over ipc')", timeout=60, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok"
            assert getattr(km.provisioner, "warm", False) is warm
            with open(km.connection_file) as handle:
                info = json.load(handle)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    assert info["transport"] == "ipc" and info["ip"].startswith("/")
    log = (tmp_path / "stderr.txt").read_text(errors="replace")
    assert "without encryption" not in log and "running over TCP" not in log, log
