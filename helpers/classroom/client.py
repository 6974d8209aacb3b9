"""The learner's side: ``check()`` hands each verdict here, and a background thread posts it.

Off unless ``COURSE_CLASSROOM_URL`` is set (e.g. ``http://127.0.0.1:8765/``). Then it also needs a
token, ``COURSE_CLASSROOM_TOKEN`` (the class token) or, on a JupyterHub, the server's own
``JUPYTERHUB_API_TOKEN``, and a name, ``JUPYTERHUB_USER`` on a hub or ``COURSE_LEARNER``.
Only the exercise, the verdict's status and its message are sent: never the learner's code.

:func:`send` never blocks and never raises: it puts the verdict on a bounded queue (dropping it when
the queue is full, e.g. the service is slow) and returns. A daemon thread posts the queue, giving up
on a verdict after a few tries when the service is down.

>>> status(environ={})
'Classroom: off (COURSE_CLASSROOM_URL is not set); nothing is sent.'
"""
from __future__ import annotations

import json
import os
import queue
import threading
import time

URL, TOKEN, LEARNER = "COURSE_CLASSROOM_URL", "COURSE_CLASSROOM_TOKEN", "COURSE_LEARNER"
HUB_TOKEN, HUB_USER = "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER"
MAX_QUEUE = 200          # verdicts waiting; more are dropped (a learner checks a few times a minute)
TIMEOUT_S = 5.0          # per post
TRIES = 3
MAX_MESSAGE = 1000       # same as helpers.classroom.MAX_MESSAGE (not imported: keep this module light)

_queue: queue.Queue = queue.Queue(maxsize=MAX_QUEUE)
_worker: threading.Thread | None = None
_start_lock = threading.Lock()
stats = {"sent": 0, "refused": 0, "failed": 0, "dropped": 0}


def settings(environ=None) -> dict | None:
    """Where and as whom to send, from the environment; None when off or incomplete."""
    env = os.environ if environ is None else environ
    url = env.get(URL, "").strip()
    token = env.get(TOKEN, "").strip() or env.get(HUB_TOKEN, "").strip()
    learner = env.get(HUB_USER, "").strip() or env.get(LEARNER, "").strip()
    if not (url.startswith(("http://", "https://")) and token and learner):
        return None
    return {"endpoint": url.rstrip("/") + "/api/verdicts", "token": token, "learner": learner}


def status(environ=None) -> str:
    """One sentence on whether and where verdicts go, for a learner who wonders."""
    env = os.environ if environ is None else environ
    if not env.get(URL):
        return f"Classroom: off ({URL} is not set); nothing is sent."
    found = settings(env)
    if found is None:
        return (f"Classroom: {URL} is set but not used: it needs an http(s) address, a token ({TOKEN}, or "
                f"{HUB_TOKEN} on a hub) and a name ({HUB_USER} on a hub, or {LEARNER}).")
    return (f"Classroom: verdicts go to {found['endpoint']} as {found['learner']!r} "
            f"(sent {stats['sent']}, refused {stats['refused']}, failed {stats['failed']}, "
            f"dropped {stats['dropped']}).")


def send(lesson: str, exercise: str, verdict) -> bool:
    """Queue ``verdict`` (of exercise ``exercise`` of ``lesson``) for the classroom; True when queued."""
    try:
        found = settings()
        if found is None:
            return False
        payload = {"learner": found["learner"], "lesson": str(lesson), "exercise": str(exercise),
                   "status": str(verdict.status), "message": str(verdict.message)[:MAX_MESSAGE]}
        _ensure_worker()
        _queue.put_nowait((found["endpoint"], found["token"], payload))
        return True
    except queue.Full:
        stats["dropped"] += 1
        return False
    except Exception:  # noqa: BLE001 - the classroom must never break a check
        return False


def flush(timeout: float = 10.0) -> bool:
    """Wait until every queued verdict has been posted or given up on (tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    while _queue.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def clear() -> int:
    """Drop every verdict still waiting (the bench, after pointing checks at a service that is down)."""
    dropped = 0
    while True:
        try:
            _queue.get_nowait()
        except queue.Empty:
            return dropped
        _queue.task_done()
        dropped += 1


def _ensure_worker() -> None:
    global _worker
    if _worker is not None and _worker.is_alive():
        return
    with _start_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="course-classroom", daemon=True)
            _worker.start()


def _run() -> None:
    while True:
        endpoint, token, payload = _queue.get()
        try:
            for attempt in range(TRIES):
                outcome = _post(endpoint, token, payload)
                if outcome != "retry":
                    stats[outcome] += 1
                    break
                if attempt + 1 < TRIES:
                    time.sleep(0.5 * 2 ** attempt)
            else:
                stats["failed"] += 1
        except Exception:  # noqa: BLE001 - the thread must live on
            stats["failed"] += 1
        finally:
            _queue.task_done()


def _post(endpoint: str, token: str, payload: dict) -> str:
    """POST one verdict: ``"sent"`` (stored), ``"refused"`` (a 4xx: retrying cannot help) or ``"retry"``."""
    import http.client   # imported here, in the background thread, not in the learner's check()
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        connection = kind(parts.hostname, parts.port, timeout=TIMEOUT_S)
        try:
            connection.request("POST", parts.path or "/", body=body, headers={
                "Authorization": f"token {token}", "Content-Type": "application/json"})
            status = connection.getresponse().status
        finally:
            connection.close()
    except (OSError, http.client.HTTPException, ValueError):
        return "retry"
    if status == 201:
        return "sent"
    return "refused" if 400 <= status < 500 else "retry"
