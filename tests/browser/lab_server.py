"""A throwaway JupyterLab server for browser tests: random port and token, private settings.

The server runs on a copy of the learner notebooks, so a test can type answers and save
without touching the repository.

>>> with LabServer(notebook_dir) as lab:          # doctest: +SKIP
...     lab.url("01_dense_and_batch_axis.ipynb")
'http://127.0.0.1:40123/lab/tree/01_dense_and_batch_axis.ipynb?token=...'
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]

# User settings that keep the UI deterministic: every cell in the DOM (no virtual scrolling,
# so selectors and screenshots see the whole notebook), no news or update checks (no network),
# no extension manager (it asks PyPI).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, e.g. ``40123``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_executable() -> Path:
    """The project's own ``jupyter`` (in .venv), or the one beside the running Python."""
    venv = ROOT / ".venv" / "bin" / "jupyter"
    return venv if venv.exists() else Path(sys.executable).with_name("jupyter")


class LabServer:
    """Start ``jupyter lab`` on ``notebook_dir``; stop it and its kernels on exit, whatever happened."""

    def __init__(self, notebook_dir: Path, home: Path, start_timeout: float = 90.0):
        self.notebook_dir = Path(notebook_dir)
        self.home = Path(home)
        self.port = free_port()
        self.token = secrets.token_urlsafe(24)
        self.start_timeout = start_timeout
        self.log_path = self.home / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str) -> str:
        """The address that opens ``notebook`` in JupyterLab, token included."""
        return f"{self.base}/lab/tree/{urllib.parse.quote(notebook)}?token={self.token}"

    def api(self, path: str, method: str = "GET"):
        """Call the server's REST API, e.g. ``api("kernels")``; returns the decoded JSON (or None)."""
        request = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def _environment(self) -> dict:
        env = dict(os.environ)
        for name in ("config", "runtime", "settings", "workspaces", "ipython"):
            (self.home / name).mkdir(parents=True, exist_ok=True)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.home / "config"),
            JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(self.home / "settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(self.home / "workspaces"),
            IPYTHONDIR=str(self.home / "ipython"),
            TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0", MPLBACKEND="Agg",
        )
        for relative, values in LAB_SETTINGS.items():
            target = self.home / "settings" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        return env

    def start(self) -> "LabServer":
        command = [
            str(jupyter_executable()), "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.notebook_dir}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # CI and these machines run as root
        env = self._environment()
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=self.notebook_dir, env=env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if "version" in self.api(""):
                    return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"jupyter lab did not answer on {self.base}/api:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's log, for failure messages."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Shut down every kernel, then the server; kill whatever is left after a grace period."""
        if self.process is None:
            return
        try:
            server = psutil.Process(self.process.pid)
            leftovers = server.children(recursive=True)
        except psutil.NoSuchProcess:
            leftovers = []
        if self.process.poll() is None:
            try:
                for kernel in self.api("kernels"):
                    self.api(f"kernels/{kernel['id']}", method="DELETE")
            except (urllib.error.URLError, OSError, ValueError):
                pass
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        leftovers = [p for p in leftovers if p.is_running()]
        for child in leftovers:
            child.kill()
        psutil.wait_procs(leftovers, timeout=5)
        self.process = None

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
