"""The classroom service on a loopback port: auth, bad input, restarts, a flood, the dashboard, a hub.

Each test starts ``python -m helpers.classroom serve`` (helpers.classroom.local) and stops it.
"""
from __future__ import annotations

import http.client
import http.server
import json
import os
import threading
import urllib.error
import urllib.request

import pytest

from helpers.classroom import MAX_BODY, MAX_MESSAGE
from helpers.classroom.dashboard import DASHBOARD_JS
from helpers.classroom.local import LocalService, flood, free_port, post

pytestmark = pytest.mark.slow

GOOD = {"learner": "ada", "lesson": "01", "exercise": "q1", "status": "not yet",
        "message": "Keras keeps the batch axis in front of every shape: add it, written as None."}


@pytest.fixture
def service(tmp_path):
    with LocalService(tmp_path / "classroom") as running:
        yield running


def get(url: str, headers: dict | None = None, follow: bool = True):
    """``(status, headers, body bytes)`` of a GET; redirects not followed unless ``follow``."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_a_verdict_is_stored_and_counted_in_the_summary(service):
    assert post(service.url, service.class_token, GOOD) == (201, {"stored": True})
    assert post(service.url, service.class_token, {**GOOD, "learner": "bo"})[0] == 201
    assert post(service.url, service.class_token, {**GOOD, "learner": "bo", "status": "correct",
                                                   "message": "(None, 10) is right."})[0] == 201
    assert post(service.url, service.class_token, {**GOOD, "learner": "cy", "exercise": "q2",
                                                   "status": "not attempted", "message": "no answer yet."})[0] == 201
    summary = service.summary()
    assert summary["learners"] == 3 and summary["verdicts"] == 4
    q1 = next(row for row in summary["exercises"] if row["key"] == "01.q1")
    assert (q1["attempted"], q1["right"], q1["stuck"], q1["not_started"]) == (2, 1, 1, 1)
    assert q1["stuck_learners"] == ["ada"]
    q2 = next(row for row in summary["exercises"] if row["key"] == "01.q2")
    assert (q2["attempted"], q2["right"], q2["stuck"]) == (0, 0, 0), "'not attempted' is not an attempt"
    top = summary["misconceptions"][0]
    assert (top["key"], top["message"], top["learners"], top["times"], top["stuck_now"]) == \
        ("01.q1", GOOD["message"], 2, 2, 1)
    progress = {p["learner"]: p for p in summary["progress"]}
    assert progress["ada"]["stuck"] == ["01.q1"] and progress["bo"]["right"] == 1 and progress["bo"]["stuck"] == []


def test_without_a_valid_token_nothing_is_stored_or_shown(service):
    assert post(service.url, None, GOOD)[0] == 401
    assert post(service.url, "not-the-class-token-at-all", GOOD)[0] == 403
    assert post(service.url, service.class_token + "x", GOOD)[0] == 403
    assert post(service.url, service.class_token[:-1], GOOD)[0] == 403
    assert get(service.url + "api/summary")[0] == 401
    assert get(service.url + "api/summary", {"Authorization": f"token {service.class_token}"})[0] == 403
    assert get(service.url + "api/summary", {"Authorization": "token " + "x" * 43})[0] == 403
    assert service.summary()["verdicts"] == 0


LONG_NAME = "a" * 65
BAD_BODIES = {
    "not JSON": b"learner=ada&lesson=01",
    "not UTF-8": b"\xff\xfe{}",
    "a list": [GOOD],
    "a number": 7,
    "missing field": {k: v for k, v in GOOD.items() if k != "status"},
    "the learner's code as an extra field": {**GOOD, "code": "dense_shape = (10,)"},
    "a number as status": {**GOOD, "status": 1},
    "unknown status": {**GOOD, "status": "hacked"},
    "unknown lesson": {**GOOD, "lesson": "77"},
    "path as lesson": {**GOOD, "lesson": "../01"},
    "unknown exercise": {**GOOD, "exercise": "q99"},
    "empty learner": {**GOOD, "learner": ""},
    "learner too long": {**GOOD, "learner": LONG_NAME},
    "markup in the learner's name": {**GOOD, "learner": "<script>alert(1)</script>"},
    "a path as learner": {**GOOD, "learner": "../../etc"},
    "control characters in the message": {**GOOD, "message": "ok\x00\x1b[31m"},
    "message too long": {**GOOD, "message": "x" * (MAX_MESSAGE + 1)},
    "body over the limit": {**GOOD, "message": "x" * 10, "pad": "y" * MAX_BODY},
}


@pytest.mark.parametrize("name", BAD_BODIES)
def test_malformed_or_oversized_input_is_400_with_a_reason(service, name):
    status, answer = post(service.url, service.class_token, BAD_BODIES[name])
    assert status == 400, (name, status, answer)
    assert answer.get("error"), f"no reason given for {name}"
    assert service.summary()["verdicts"] == 0


def test_a_huge_body_is_refused_before_it_is_read(service):
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
    try:
        connection.putrequest("POST", "/api/verdicts")
        connection.putheader("Authorization", f"token {service.class_token}")
        connection.putheader("Content-Length", str(50 * 1024 * 1024))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status in (400, 413)
    except (ConnectionError, http.client.HTTPException):
        pass   # closed without a word is also a refusal
    finally:
        connection.close()
    assert post(service.url, service.class_token, GOOD)[0] == 201, "the service stopped answering"
    assert service.summary()["verdicts"] == 1


def test_the_longest_allowed_message_and_unicode_names_are_kept(service):
    message = "é" * MAX_MESSAGE
    assert post(service.url, service.class_token, {**GOOD, "learner": "zoë.k", "message": message})[0] == 201
    top = service.summary()["misconceptions"][0]
    assert top["message"] == message and service.summary()["progress"][0]["learner"] == "zoë.k"


def test_a_restart_keeps_every_verdict_even_after_a_kill(tmp_path):
    folder = tmp_path / "classroom"
    service = LocalService(folder).start()
    try:
        for number in range(150):
            assert post(service.url, service.class_token, {**GOOD, "learner": f"l{number % 30}"})[0] == 201
        service.stop(kill=True)            # no clean shutdown: only what was committed survives
        service.start()
        assert service.summary()["verdicts"] == 150
        for number in range(50):
            assert post(service.url, service.class_token, {**GOOD, "learner": "late"})[0] == 201
        service.stop()                     # a clean stop, then again
        service.start()
        summary = service.summary()
        assert summary["verdicts"] == 200 and summary["learners"] == 31
    finally:
        service.stop()


def test_a_flood_of_10000_posts_from_30_learners_is_stored_completely(tmp_path):
    with LocalService(tmp_path / "classroom", per_minute=0) as service:   # the per-learner limit off
        check_flood(service)


def check_flood(service):
    result = flood(service.url, service.class_token, learners=30, posts=10_000, deadline_s=240)
    assert result.failures == [] and result.stored == 10_000
    summary = service.summary()
    assert summary["verdicts"] == 10_000 and summary["learners"] == 30
    q1 = next(row for row in summary["exercises"] if row["key"] == "01.q1")
    assert q1["attempted"] == 30


def test_a_learner_over_the_rate_limit_gets_429_and_others_are_served(tmp_path):
    with LocalService(tmp_path / "classroom", per_minute=3) as service:   # a token back every 20 s
        answers = [post(service.url, service.class_token, GOOD)[0] for _ in range(5)]
        assert answers == [201] * 3 + [429] * 2
        refused = urllib.request.Request(service.url + "api/verdicts", data=json.dumps(GOOD).encode(), method="POST",
                                         headers={"Authorization": f"token {service.class_token}"})
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(refused, timeout=30)
        assert error.value.code == 429 and b"too many verdicts" in error.value.read()
        assert 1 <= int(error.value.headers["Retry-After"]) <= 20
        assert post(service.url, service.class_token, {**GOOD, "learner": "bob"})[0] == 201
        assert service.summary()["verdicts"] == 4


@pytest.mark.parametrize("bad", ["-1", "nan", "inf", "many"])
def test_a_bad_rate_limit_is_refused_at_start(bad, tmp_path):
    from helpers.classroom.__main__ import main

    with pytest.raises(SystemExit) as stop:
        main(["serve", "--db", str(tmp_path / "db.sqlite"), "--port", "8765", "--verdicts-per-minute", bad])
    assert stop.value.code == 2


def test_the_dashboard_is_for_the_instructor_only(service):
    assert get(service.url, follow=False)[0] == 401
    assert get(service.url + "?token=" + service.class_token, follow=False)[0] == 403
    status, headers, _ = get(service.url + "?token=" + service.instructor_token, follow=False)
    assert status == 302 and headers["Location"] == "/", "the token must leave the address bar"
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    status, headers, page = get(service.url, {"Cookie": cookie})
    assert status == 200 and b'<script src="dashboard.js">' in page
    assert "script-src 'self'" in headers["Content-Security-Policy"] and "unsafe-inline" not in \
        headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert get(service.url + "api/summary", {"Cookie": cookie})[0] == 200
    forged = cookie.split("=", 1)[0] + '="2|1:0|10:1|20:classroom_instructor|4:MQ==|00"'
    assert get(service.url + "api/summary", {"Cookie": forged})[0] == 403


def test_learner_text_reaches_the_page_only_as_text(service):
    """Names and messages come from learners: the dashboard script never parses them as HTML."""
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in DASHBOARD_JS
    message = '<img src=x onerror="alert(1)"> and (None, 2)'
    assert post(service.url, service.class_token, {**GOOD, "message": message})[0] == 201
    assert service.summary()["misconceptions"][0]["message"] == message   # kept as sent, shown with textContent


# -- on a JupyterHub: the hub says whose token it is -------------------------------------------------------------
HUB_USERS = {"token-of-ada-0123456789": "ada", "token-of-bo-0123456789": "bo"}


class FakeHubAPI(http.server.BaseHTTPRequestHandler):
    """Answers ``GET /hub/api/user`` like JupyterHub: the owner of the token in the header, else 403."""

    def do_GET(self):
        token = self.headers.get("Authorization", "").partition(" ")[2]
        if self.path.split("?")[0] != "/hub/api/user" or token not in HUB_USERS:
            self.send_response(403)
            self.end_headers()
            return
        body = json.dumps({"kind": "user", "name": HUB_USERS[token], "admin": False, "groups": [],
                           "scopes": [f"users:activity!user={HUB_USERS[token]}"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def hub_service(tmp_path):
    import jupyterhub  # noqa: F401 - the `hub` extra, which `make install` installs: fail loudly when missing
    hub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeHubAPI)
    thread = threading.Thread(target=hub.serve_forever, daemon=True)
    thread.start()
    port = free_port()
    env = {**os.environ, "JUPYTERHUB_API_TOKEN": "service-token-0123456789",
           "JUPYTERHUB_API_URL": f"http://127.0.0.1:{hub.server_address[1]}/hub/api",
           "JUPYTERHUB_BASE_URL": "/", "JUPYTERHUB_SERVICE_PREFIX": "/services/classroom/",
           "JUPYTERHUB_SERVICE_NAME": "classroom", "JUPYTERHUB_CLIENT_ID": "service-classroom",
           "JUPYTERHUB_OAUTH_CALLBACK_URL": "/services/classroom/oauth_callback",
           "JUPYTERHUB_OAUTH_ACCESS_SCOPES": json.dumps(["access:services!service=classroom"]),
           "JUPYTERHUB_HOST": "", "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}"}
    service = LocalService(tmp_path / "classroom", port=port, env=env, class_token=False,
                           prefix="/services/classroom/")
    try:
        yield service.start()
    finally:
        service.stop()
        hub.shutdown()
        hub.server_close()


def test_on_a_hub_a_learner_can_only_write_as_themselves(hub_service):
    url = hub_service.url
    ada, bo = list(HUB_USERS)
    assert post(url, ada, GOOD)[0] == 201
    assert post(url, bo, {**GOOD, "learner": "bo"})[0] == 201
    status, answer = post(url, ada, {**GOOD, "learner": "bo"})
    assert status == 403 and "own" in answer["error"]
    assert post(url, "token-nobody-has-0123456789", GOOD)[0] == 403
    assert post(url, None, GOOD)[0] == 401
    assert post(url, hub_service.instructor_token, {**GOOD, "learner": "cy"})[0] == 201   # the instructor may
    request = urllib.request.Request(url + "api/summary", headers={"Authorization": f"token {hub_service.instructor_token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        summary = json.loads(response.read())
    assert sorted(p["learner"] for p in summary["progress"]) == ["ada", "bo", "cy"] and summary["verdicts"] == 3


def test_on_a_hub_the_dashboard_sends_a_stranger_to_the_hub_login(hub_service):
    status, headers, _ = get(hub_service.url, follow=False)
    assert status == 302 and "/hub/api/oauth2/authorize" in headers["Location"]
    assert get(hub_service.url + "api/summary", {"Authorization": "token token-of-ada-0123456789"})[0] == 403


def test_the_bench_measures_checks_in_three_modes_and_a_small_flood():
    from helpers.bench.classroom import MODES, measure_classroom, section

    numbers = measure_classroom(samples=5, learners=3, posts=60)
    assert numbers["stored"] == 60 and numbers["summary_verdicts"] >= 60 and numbers["summary_learners"] >= 3
    assert set(numbers["check_median_us"]) == set(MODES) and numbers["loaded_rss"] > 0
    text = "\n".join(section(numbers))
    assert all(f"| {mode} |" in text for mode in MODES) and "posts/s" in text
