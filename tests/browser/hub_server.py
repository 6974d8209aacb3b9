"""A throwaway JupyterHub on 127.0.0.1 with the classroom as its managed service, for browser tests.

DummyAuthenticator (any password), SimpleLocalProcessSpawner (each user's server runs as this user,
with ``--allow-root`` when that is root, home in ``<workdir>/homes/<name>``), configurable-http-proxy
from npm, and ``python -m helpers.classroom serve`` as the service ``classroom``; the group
``instructors`` gets ``access:services!service=classroom``. Every port is a free loopback port, and
:meth:`HubServer.stop` ends the hub, the proxy, the service, the users' servers and their kernels.

>>> with HubServer(workdir, learners=["ada"], instructors=["teacher"]) as hub:   # doctest: +SKIP
...     hub.login_url
'http://127.0.0.1:40123/hub/login'
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from .lab_server import LAB_SETTINGS, ROOT, free_port

SERVICE = "classroom"


def hub_executable(name: str) -> str:
    """``jupyterhub`` or ``jupyterhub-singleuser`` beside the running Python (the project's .venv)."""
    found = Path(sys.executable).with_name(name)
    if not found.exists():
        raise FileNotFoundError(f"{found} is missing: run `make test-browser` (it installs the `hub` extra)")
    return str(found)


def proxy_executable() -> str:
    found = shutil.which("configurable-http-proxy")
    if not found:
        raise FileNotFoundError("configurable-http-proxy is missing: run `bash .ci/hub-setup.sh` (npm)")
    return found


class UserServer:
    """What tests/browser/lab_ui.py needs of a server: ``url(notebook)`` and ``api(path)``, for one hub user."""

    def __init__(self, hub: "HubServer", name: str):
        self.hub, self.name = hub, name
        self.notebook_dir = hub.course_dir(name)

    def url(self, notebook: str) -> str:
        return f"{self.hub.base}/user/{self.name}/lab/tree/{notebook}"

    def api(self, path: str, method: str = "GET"):
        return self.hub.request(f"/user/{self.name}/api/{path}", method=method)


class HubServer:
    def __init__(self, workdir: Path, learners: list[str], instructors: list[str], start_timeout: float = 120.0):
        self.workdir = Path(workdir)
        self.learners, self.instructors = list(learners), list(instructors)
        self.port, self.hub_port, self.proxy_api_port, self.service_port = (free_port() for _ in range(4))
        self.driver_token = secrets.token_hex(24)   # a service token the test uses for the hub's REST API
        self.start_timeout = start_timeout
        self.log_path = self.workdir / "jupyterhub.log"
        self.process: subprocess.Popen | None = None
        self.classroom_dir = self.workdir / "classroom"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def login_url(self) -> str:
        return f"{self.base}/hub/login"

    @property
    def dashboard_url(self) -> str:
        return f"{self.base}/services/{SERVICE}/"

    @property
    def homes_pattern(self) -> str:
        return str(self.workdir / "homes" / "{id}" / "course")

    def course_dir(self, name: str) -> Path:
        return Path(self.homes_pattern.replace("{id}", name))

    def user(self, name: str) -> UserServer:
        return UserServer(self, name)

    def request(self, path: str, method: str = "GET", body: dict | None = None):
        """Call the hub (through its proxy) with the driver's token; returns decoded JSON or None."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, method=method, data=data,
                                         headers={"Authorization": f"token {self.driver_token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def prepare_homes(self) -> None:
        """Each user's home, with JupyterLab settings that keep the UI deterministic (lab_server.py)."""
        for name in self.learners + self.instructors:
            home = self.workdir / "homes" / name
            self.course_dir(name).mkdir(parents=True, exist_ok=True)   # the server's notebook folder
            for relative, values in LAB_SETTINGS.items():
                target = home / ".jupyter" / "lab" / "user-settings" / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(values))

    def config(self) -> str:
        self.classroom_dir.mkdir(parents=True, exist_ok=True)
        token_file = self.classroom_dir / "instructor.token"
        token_file.write_text(secrets.token_urlsafe(32) + "\n")
        serve = [sys.executable, "-m", "helpers.classroom", "serve", "--db", str(self.classroom_dir / "verdicts.sqlite"),
                 "--port", str(self.service_port), "--instructor-token-file", str(token_file)]
        singleuser_args = ["--allow-root"] if os.geteuid() == 0 else []
        singleuser_args += ["--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                            "--LabApp.extension_manager=readonly"]
        settings = {
            "JupyterHub.ip": "127.0.0.1", "JupyterHub.port": self.port,
            "JupyterHub.hub_ip": "127.0.0.1", "JupyterHub.hub_port": self.hub_port,
            "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{self.proxy_api_port}",
            "ConfigurableHTTPProxy.command": [proxy_executable()],
            "JupyterHub.db_url": f"sqlite:///{self.workdir / 'jupyterhub.sqlite'}",
            "JupyterHub.cookie_secret_file": str(self.workdir / "jupyterhub_cookie_secret"),
            "JupyterHub.authenticator_class": "dummy",
            "Authenticator.allowed_users": sorted(self.learners + self.instructors),
            "JupyterHub.spawner_class": "simple",
            "SimpleLocalProcessSpawner.home_dir_template": str(self.workdir / "homes" / "{username}"),
            "Spawner.cmd": [hub_executable("jupyterhub-singleuser")],
            "Spawner.args": singleuser_args,
            "Spawner.notebook_dir": "~/course",
            "Spawner.default_url": "/lab",
            "Spawner.ip": "127.0.0.1", "Spawner.http_timeout": 120, "Spawner.start_timeout": 120,
            "Spawner.environment": {
                "COURSE_CLASSROOM_URL": f"{self.dashboard_url}",
                "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
                "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"},
            "JupyterHub.load_groups": {"instructors": {"users": self.instructors}},
            "JupyterHub.load_roles": [
                {"name": "classroom-instructors", "groups": ["instructors"],
                 "scopes": [f"access:services!service={SERVICE}"]},
                {"name": "test-driver", "services": ["test-driver"],
                 "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"]},
            ],
            "JupyterHub.services": [
                {"name": SERVICE, "url": f"http://127.0.0.1:{self.service_port}", "command": serve,
                 "oauth_no_confirm": True, "environment": {"PYTHONPATH": str(ROOT)}},
                {"name": "test-driver", "api_token": self.driver_token},
            ],
            "JupyterHub.cleanup_servers": True, "JupyterHub.cleanup_proxy": True,
        }
        lines = ["c = get_config()  # noqa: F821 - written by tests/browser/hub_server.py"]
        for key, value in settings.items():
            lines.append(f"c.{key} = {value!r}")
        return "\n".join(lines) + "\n"

    def start(self) -> "HubServer":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.prepare_homes()
        config = self.workdir / "jupyterhub_config.py"
        config.write_text(self.config())
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        log = self.log_path.open("ab")
        self.process = subprocess.Popen([hub_executable("jupyterhub"), "-f", str(config)], cwd=self.workdir, env=env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.dashboard_url + "api/health", timeout=5) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"the hub or its classroom service did not answer on {self.base}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        """The end of the hub's log (the proxy's, the service's and the users' servers' lines are in it)."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the users' servers through the hub, then the hub (which stops the proxy and the service);
        anything of the hub's process tree still alive after a grace period is killed."""
        if self.process is None:
            return
        try:
            tree = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            tree = []
        if self.process.poll() is None:
            for name in self.learners + self.instructors:
                try:
                    self.request(f"/hub/api/users/{name}/server", method="DELETE")
                except (urllib.error.URLError, OSError):
                    pass
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        alive = [p for p in tree if p.is_running()]
        for child in alive:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=10)
        self.process = None

    def __enter__(self) -> "HubServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
