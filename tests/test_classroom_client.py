"""The learner's side: check() hands verdicts to helpers.classroom.client only when configured, never
waits for the service, never changes a verdict, and sends the five fields, never the learner's code."""
from __future__ import annotations

import http.server
import json
import sys
import threading

import pytest

from helpers.classroom import FIELDS, client
from helpers.classroom.local import free_port
from helpers.exercises import lesson_01 as ex

ENV = ("COURSE_CLASSROOM_URL", "COURSE_CLASSROOM_TOKEN", "COURSE_LEARNER", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER")
ANSWERS = [(10,), (None, 10), ..., "garbage", None, object(), [None, 10], {"a": 1}]


class Recorder(http.server.BaseHTTPRequestHandler):
    """Stores each POST body; holds its answer while ``hold`` is clear; answers ``status``."""

    bodies: list = []
    status = 201
    hold = threading.Event()
    arrived = threading.Event()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).bodies.append((self.headers.get("Authorization"), json.loads(body)))
        type(self).arrived.set()
        type(self).hold.wait(30)
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder(monkeypatch):
    Recorder.bodies, Recorder.status = [], 201
    Recorder.hold.set()
    Recorder.arrived.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COURSE_CLASSROOM_URL", f"http://127.0.0.1:{server.server_address[1]}/")
    monkeypatch.setenv("COURSE_CLASSROOM_TOKEN", "class-token-0123456789")
    monkeypatch.setenv("COURSE_LEARNER", "ada")
    try:
        yield Recorder
    finally:
        Recorder.hold.set()
        assert client.flush(40)
        server.shutdown()
        server.server_close()


@pytest.fixture
def unset(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def test_without_the_variable_nothing_is_sent_or_even_imported(unset):
    code = ("import sys; from helpers.exercises import lesson_01 as ex; ex.q1.check((10,)); ex.q1.check((None, 10)); "
            "print('helpers.classroom.client' in sys.modules, any(t.name == 'course-classroom' "
            "for t in __import__('threading').enumerate()))")
    import subprocess

    env = {k: v for k, v in __import__("os").environ.items() if k not in ENV}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["False", "False"]
    assert client.send("01", "q1", ex.q1.judge((10,))) is False
    assert client.status().startswith("Classroom: off")


def test_verdicts_are_the_same_with_and_without_a_classroom(recorder, monkeypatch):
    with_classroom = [repr(ex.q1.check(a)) for a in ANSWERS] + [repr(ex.q3.check(a)) for a in ANSWERS]
    assert client.flush(30)
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    without = [repr(ex.q1.check(a)) for a in ANSWERS] + [repr(ex.q3.check(a)) for a in ANSWERS]
    assert with_classroom == without
    assert len(recorder.bodies) == 2 * len(ANSWERS)


def test_each_check_sends_the_five_fields_and_never_the_code(recorder):
    def params(features, units):
        secret_marker = "SOURCE-OF-THE-LEARNERS-FUNCTION"   # noqa: F841 - must never leave the kernel
        return features * units

    ex.q1.check((10,))
    ex.q1.check((None, 10))
    ex.q3.check(params)
    assert client.flush(30)
    sent = [body for _, body in recorder.bodies]
    assert [tuple(sorted(body)) for body in sent] == [tuple(sorted(FIELDS))] * 3
    assert [(b["learner"], b["lesson"], b["exercise"], b["status"]) for b in sent] == [
        ("ada", "01", "q1", "not yet"), ("ada", "01", "q1", "correct"), ("ada", "01", "q3", "not yet")]
    assert sent[0]["message"] == ex.q1.judge((10,)).message
    assert all("SOURCE-OF-THE-LEARNERS" not in json.dumps(body) and "def params" not in json.dumps(body)
               for body in sent)
    assert {auth for auth, _ in recorder.bodies} == {"token class-token-0123456789"}


def test_on_a_hub_the_hub_user_and_the_servers_token_are_used(recorder, monkeypatch):
    monkeypatch.delenv("COURSE_CLASSROOM_TOKEN")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-token-of-this-server")
    monkeypatch.setenv("JUPYTERHUB_USER", "bo")
    ex.q2.check(33)
    assert client.flush(30)
    auth, body = recorder.bodies[0]
    assert auth == "token hub-token-of-this-server" and body["learner"] == "bo"


def test_a_service_that_holds_every_request_never_holds_a_check(recorder):
    """While the service sits on the first post, checks go on returning (and extra verdicts are dropped)."""
    recorder.hold.clear()
    first = ex.q1.check((10,))
    assert recorder.arrived.wait(30), "the first verdict never reached the service"
    verdicts = [ex.q1.check((None, 10)) for _ in range(client.MAX_QUEUE + 20)]
    assert not recorder.hold.is_set() and len(recorder.bodies) == 1, "checks returned only after the service answered"
    assert first.status == "not yet" and {v.status for v in verdicts} == {"correct"}
    assert client.stats["dropped"] >= 20
    recorder.hold.set()


def test_a_service_that_is_down_changes_nothing(unset, monkeypatch):
    monkeypatch.setenv("COURSE_CLASSROOM_URL", f"http://127.0.0.1:{free_port()}/")   # nothing listens there
    monkeypatch.setenv("COURSE_CLASSROOM_TOKEN", "class-token-0123456789")
    monkeypatch.setenv("COURSE_LEARNER", "ada")
    failed = client.stats["failed"]
    verdict = ex.q1.check((10,))
    assert repr(verdict) == repr(ex.q1.judge((10,)))
    assert client.flush(30)
    assert client.stats["failed"] == failed + 1


def test_a_refused_verdict_is_not_retried(recorder):
    recorder.status = 403
    refused = client.stats["refused"]
    ex.q1.check((10,))
    assert client.flush(30)
    assert len(recorder.bodies) == 1 and client.stats["refused"] == refused + 1


@pytest.mark.parametrize("env, sent", [
    ({"COURSE_CLASSROOM_URL": "http://x/", "COURSE_CLASSROOM_TOKEN": "t"}, False),          # no name
    ({"COURSE_CLASSROOM_URL": "http://x/", "COURSE_LEARNER": "ada"}, False),                # no token
    ({"COURSE_CLASSROOM_URL": "file:///etc/passwd", "COURSE_CLASSROOM_TOKEN": "t", "COURSE_LEARNER": "a"}, False),
    ({"COURSE_CLASSROOM_URL": "http://x/", "COURSE_CLASSROOM_TOKEN": "t", "COURSE_LEARNER": "a"}, True),
])
def test_settings_need_an_http_address_a_token_and_a_name(env, sent):
    assert (client.settings(env) is not None) == sent
    assert ("verdicts go to" in client.status(env)) == sent
