"""A classroom service on this machine's loopback, for tests and the bench; and a flood of posts.

>>> with LocalService(tmp_folder) as service:                       # doctest: +SKIP
...     flood(service.url, service.class_token, learners=30, posts=10_000).stored
10000
"""
from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalService:
    """``python -m helpers.classroom serve`` on 127.0.0.1 in a folder of its own; stopped on exit."""

    def __init__(self, folder: str | Path, port: int | None = None, env: dict | None = None,
                 class_token: bool = True, start_timeout: float = 60.0, prefix: str = "/",
                 per_minute: float | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.db = self.folder / "classroom.sqlite"
        self.instructor_token = self._token("instructor.token")
        self.class_token = self._token("class.token") if class_token else None
        self.env = env
        self.prefix = prefix   # where the service serves: "/", or its hub prefix such as "/services/classroom/"
        self.start_timeout = start_timeout
        self.per_minute = per_minute   # None: the service's default limit; 0: none
        self.process: subprocess.Popen | None = None
        self.log_path = self.folder / "service.log"

    def _token(self, name: str) -> str:
        path = self.folder / name
        if not path.exists():
            path.write_text(secrets.token_urlsafe(32) + "\n")
        return path.read_text().strip()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "helpers.classroom", "serve", "--db", str(self.db), "--port", str(self.port),
                   "--instructor-token-file", str(self.folder / "instructor.token")]
        if self.class_token:
            command += ["--class-token-file", str(self.folder / "class.token")]
        if self.per_minute is not None:
            command += ["--verdicts-per-minute", str(self.per_minute)]
        return command

    def start(self) -> "LocalService":
        env = dict(os.environ if self.env is None else self.env)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.command(), cwd=self.folder, env=env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the classroom service exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if request("GET", self.url + "api/health", timeout=2)[0] == 200:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"the classroom service did not answer on {self.url}:\n{self.log_tail()}")

    def stop(self, kill: bool = False) -> None:
        """SIGTERM (or SIGKILL with ``kill``), then wait; SIGKILL after 10 s if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def summary(self) -> dict:
        status, body = request("GET", self.url + "api/summary", {"Authorization": f"token {self.instructor_token}"})
        if status != 200:
            raise RuntimeError(f"GET api/summary answered {status}: {body[:200]!r}")
        return json.loads(body)

    def __enter__(self) -> "LocalService":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def request(method: str, url: str, headers: dict | None = None, body: bytes | None = None,
            timeout: float = 30.0) -> tuple[int, bytes]:
    """One HTTP request to ``url`` on this machine: ``(status, body)``."""
    address, _, path = url.split("//", 1)[1].partition("/")
    host, _, port = address.partition(":")
    connection = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    try:
        connection.request(method, "/" + path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def post(url: str, token: str | None, body, timeout: float = 10.0) -> tuple[int, dict]:
    """POST ``body`` (a dict, or raw bytes) to ``url`` + ``api/verdicts``: ``(status, decoded JSON)``."""
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"token {token}"
    status, raw = request("POST", url + "api/verdicts", headers, data, timeout)
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        return status, {"raw": raw[:200].decode(errors="replace")}


def verdict(learner: str, number: int, lessons: dict[str, list[str]] | None = None) -> dict:
    """A plausible verdict: learner ``learner``'s ``number``-th check (cycling over lesson 01's exercises)."""
    exercises = (lessons or {}).get("01") or ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]
    exercise = exercises[number % len(exercises)]
    if number % 3 == 2:
        return {"learner": learner, "lesson": "01", "exercise": exercise, "status": "correct", "message": "Right."}
    return {"learner": learner, "lesson": "01", "exercise": exercise, "status": "not yet",
            "message": f"Keras keeps the batch axis in front of every shape ({number % 4})."}


@dataclass
class Flood:
    posts: int
    learners: int
    seconds: float
    stored: int = 0                                    # answered 201
    failures: list = field(default_factory=list)      # (status, error) of the others, first 20

    @property
    def per_second(self) -> float:
        return self.stored / self.seconds if self.seconds else 0.0


def flood(url: str, token: str, learners: int = 30, posts: int = 10_000, deadline_s: float = 300.0) -> Flood:
    """``posts`` verdicts from ``learners`` threads at once (each its own keep-alive connection),
    bounded by ``deadline_s``: a thread still posting then stops."""
    address, _, prefix = url.split("//", 1)[1].partition("/")
    host, port = address.split(":")
    share = [posts // learners + (1 if i < posts % learners else 0) for i in range(learners)]
    lock = threading.Lock()
    result = Flood(posts, learners, 0.0)
    stop_at = time.monotonic() + deadline_s

    def learner(index: int) -> None:
        name = f"learner{index:02d}"
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        stored, failures = 0, []
        try:
            for number in range(share[index]):
                if time.monotonic() > stop_at:
                    failures.append((None, "deadline"))
                    break
                body = json.dumps(verdict(name, number)).encode()
                try:
                    connection.request("POST", f"/{prefix}api/verdicts", body=body, headers={
                        "Authorization": f"token {token}", "Content-Type": "application/json"})
                    response = connection.getresponse()
                    response.read()
                    if response.status == 201:
                        stored += 1
                    else:
                        failures.append((response.status, response.reason))
                except (OSError, http.client.HTTPException) as error:
                    failures.append((None, repr(error)))
                    connection.close()
                    connection = http.client.HTTPConnection(host, int(port), timeout=30)
        finally:
            connection.close()
            with lock:
                result.stored += stored
                result.failures.extend(failures[:20])

    threads = [threading.Thread(target=learner, args=(i,), daemon=True) for i in range(learners)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, stop_at - time.monotonic()) + 35)
    result.seconds = time.perf_counter() - start
    return result
