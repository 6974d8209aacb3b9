"""The course runs with the network switched off.

Every solution notebook runs in a kernel whose connections outside loopback are refused by the
guard (``helpers.bench.offline``) and, where the machine allows it, that lives in a network
namespace with only loopback. A lesson that tries to reach the network fails, even if it catches
the error. The first tests prove both layers: a notebook that reaches out must fail.
"""
import subprocess

import nbformat
import pytest

from helpers.bench.kernel import kernel_env, run_notebook
from helpers.bench.offline import MARK, namespace_prefix, offline_env

# Each probe must raise under the guard; `{mark}` is what the guard's message contains.
PROBES = {
    "look up a name": "import socket\nsocket.getaddrinfo('example.com', 443)",
    "connect by address": "import socket\nsocket.create_connection(('93.184.216.34', 80), timeout=2)",
    "raw socket connect": "import socket\ns = socket.socket()\ns.settimeout(2)\ns.connect(('1.1.1.1', 53))",
    "UDP datagram": "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('8.8.8.8', 53))",
    "IPv6 connect": "import socket\ns = socket.socket(socket.AF_INET6)\ns.settimeout(2)\ns.connect(('2606:4700::1111', 53))",
    "urllib download": "import urllib.request\nurllib.request.urlopen('https://example.com/data.csv', timeout=2)",
    "child process": (
        "import subprocess, sys\n"
        "code = 'import socket; socket.create_connection((\"example.org\", 80), timeout=2)'\n"
        "done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)\n"
        "raise RuntimeError(done.stderr[-300:])"
    ),
}
LOOPBACK = """\
import socket, threading
server = socket.create_server(("127.0.0.1", 0))
port = server.getsockname()[1]
threading.Thread(target=lambda: server.accept()[0].sendall(b"pong"), daemon=True).start()
with socket.create_connection(("localhost", port), timeout=5) as client:
    print(client.recv(4).decode())
"""


def probe_notebook() -> nbformat.NotebookNode:
    """One cell per probe, each allowed to raise, then a loopback round trip that must work."""
    nb = nbformat.v4.new_notebook()
    for source in PROBES.values():
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["raises-exception"]}))
    nb.cells.append(nbformat.v4.new_code_cell(LOOPBACK))
    return nb


def error_text(cell) -> str:
    return " ".join(f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs if o.output_type == "error")


@pytest.fixture(scope="module")
def guarded_probe(tmp_path_factory):
    log = tmp_path_factory.mktemp("offline") / "attempts.log"
    run = run_notebook(probe_notebook(), env=offline_env(log), cwd=log.parent, timeout=60)
    return run, log


def test_guard_refuses_every_way_out(guarded_probe):
    run, _ = guarded_probe
    assert run.ok, run.error
    for name, cell in zip(PROBES, run.notebook.cells):
        assert MARK in error_text(cell), f"{name}: not refused by the guard: {error_text(cell) or 'no error'}"


def test_guard_keeps_loopback_working(guarded_probe):
    run, _ = guarded_probe
    assert run.notebook.cells[-1].outputs[0]["text"] == "pong\n"


def test_guard_logs_attempts_even_when_caught(guarded_probe):
    _, log = guarded_probe
    lines = log.read_text().splitlines()
    assert len(lines) >= len(PROBES), lines
    assert any("example.com" in line for line in lines)
    assert any("example.org" in line for line in lines), "the child process was not guarded"


def test_probes_fail_for_another_reason_without_the_guard(tmp_path):
    """Control: the refusals above come from the guard, not from this machine's sandbox."""
    nb = probe_notebook()
    nb.cells = nb.cells[:1]
    run = run_notebook(nb, env=kernel_env(), cwd=tmp_path, timeout=60)
    assert run.ok, run.error
    assert MARK not in error_text(run.notebook.cells[0])


BYPASS = """\
import _socket, socket
print([name for _, name in socket.if_nameindex()])
raw = _socket.socket()  # the C socket class: the Python-level guard does not see it
raw.settimeout(3)
raw.connect(("192.0.2.1", 80))
"""


def test_namespace_stops_what_the_guard_cannot_see(tmp_path):
    prefix = namespace_prefix()
    if prefix is None:
        refused = subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode != 0
        assert refused, "unshare --net works here, yet namespace_prefix() found no namespace"
        return
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(BYPASS, metadata={"tags": ["raises-exception"]}))
    run = run_notebook(nb, env=offline_env(), cwd=tmp_path, timeout=60, prefix=prefix)
    assert run.ok, run.error
    outputs = run.notebook.cells[0].outputs
    assert outputs[0]["text"] == "['lo']\n"
    assert outputs[-1]["ename"] == "OSError" and MARK not in outputs[-1]["evalue"], outputs[-1]


# The per-solution run (offline and reproducible in one extra execution) lives in
# tests/test_reproducible.py: test_solution_runs_offline_and_matches_stored_outputs.
