"""The classroom web service: ``POST /api/verdicts``, ``GET /api/summary``, ``GET /`` (the dashboard).

Standalone it trusts two tokens read from files: the class token (learners post with it, under any
name they give) and the instructor token (the summary and the dashboard; a browser logs in once
with ``/?token=...`` and keeps a signed cookie). Run as a JupyterHub managed service (the hub sets
``JUPYTERHUB_SERVICE_PREFIX`` and friends), a learner posts with their own server's hub token and
may only write under their own hub name, and instructors log in to the dashboard with the hub's
OAuth: the hub lets only users granted ``access:services!service=<name>`` (an instructors group's
role; admins too) through.

Verdicts are written by one thread in batches (group commit): a 201 is sent after the batch holding
the verdict is committed and synced, so a crash after a 201 loses nothing.

>>> app = make_app(Classroom(Store(":memory:"), instructor_token="i" * 32, class_token="c" * 32))
>>> sorted(rule.matcher.regex.pattern for rule in app.wildcard_router.rules)[:2]
['/$', '/api/health$']
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tornado import httpserver, web

from . import MAX_BODY
from .dashboard import DASHBOARD_HTML, DASHBOARD_JS
from .store import BadVerdict, Store, known_exercises, validate

log = logging.getLogger("helpers.classroom")
INSTRUCTOR_COOKIE = "classroom_instructor"
MIN_TOKEN = 16
MAX_CONNECTION_BODY = 64 * 1024   # tornado refuses bodies larger than this before any handler runs
VERDICTS_PER_MINUTE = 120          # per learner; a learner checking by hand sends a few a minute


class RateLimit:
    """A token bucket per learner: ``per_minute`` verdicts a minute, up to one minute's worth at once.

    >>> limit = RateLimit(per_minute=2, clock=lambda: 0.0)
    >>> [limit.allow("ada"), limit.allow("ada"), limit.allow("ada"), limit.allow("bob")]
    [True, True, False, True]
    """

    def __init__(self, per_minute: float = VERDICTS_PER_MINUTE, clock=time.monotonic, max_learners: int = 10_000):
        self.per_second = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock
        self.max_learners = max_learners
        self.buckets: dict[str, tuple[float, float]] = {}   # learner -> (tokens, when counted)

    def allow(self, learner: str) -> bool:
        """Take one token from ``learner``'s bucket; False when it is empty (always True when off)."""
        if self.capacity <= 0:
            return True
        now = self.clock()
        tokens, then = self.buckets.pop(learner, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.per_second)
        if len(self.buckets) >= self.max_learners:   # forget the learner seen longest ago
            self.buckets.pop(next(iter(self.buckets)))
        allowed = tokens >= 1.0
        self.buckets[learner] = (tokens - 1.0 if allowed else tokens, now)
        return allowed

    def retry_after(self, learner: str) -> int:
        """Whole seconds until ``learner`` may send again."""
        tokens, _ = self.buckets.get(learner, (self.capacity, 0.0))
        return max(1, int((1.0 - tokens) / self.per_second + 0.999)) if self.per_second else 1


class Writer:
    """Group commit: verdicts queued while a batch is being written go into the next batch."""

    def __init__(self, store: Store):
        self.store = store
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="classroom-db")
        self.pending: list[tuple[dict, asyncio.Future]] = []
        self.task: asyncio.Task | None = None

    async def add(self, row: dict) -> None:
        """Return once ``row`` is committed (raises if it could not be)."""
        future = asyncio.get_running_loop().create_future()
        self.pending.append((row, future))
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._drain())
        await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self.pending:
            batch, self.pending = self.pending, []
            try:
                await loop.run_in_executor(self.executor, self.store.add_many, [row for row, _ in batch])
            except Exception as error:  # noqa: BLE001 - every waiting request hears of it
                log.error("could not store %d verdicts: %s", len(batch), error)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)

    async def read(self, function, *args):
        """Run ``function(*args)`` on the database thread."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.store.close()


class HubUnavailable(RuntimeError):
    """The hub did not answer who owns a token."""


class Classroom:
    """What the handlers share: the store, the tokens, the hub connection (or None)."""

    def __init__(self, store: Store, instructor_token: str | None, class_token: str | None = None,
                 prefix: str = "/", hub_auth=None, exercises: dict | None = None,
                 per_minute: float = VERDICTS_PER_MINUTE):
        self.writer = Writer(store)
        self.rate = RateLimit(per_minute)
        self.instructor_token = instructor_token
        self.class_token = class_token
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self.hub_auth = hub_auth
        self.exercises = exercises if exercises is not None else known_exercises()

    @staticmethod
    def _same(given: str | None, secret: str | None) -> bool:
        return bool(given and secret) and hmac.compare_digest(given.encode(), secret.encode())

    def is_instructor_token(self, token: str | None) -> bool:
        return self._same(token, self.instructor_token)

    def is_class_token(self, token: str | None) -> bool:
        return self._same(token, self.class_token)

    async def hub_learner(self, token: str) -> str | None:
        """The hub user that owns ``token`` (a single-user server's token), or None."""
        if self.hub_auth is None:
            return None
        try:
            model = await self.hub_auth.user_for_token(token, sync=False)
        except Exception as error:  # noqa: BLE001 - the hub may be restarting
            log.warning("the hub could not identify a token: %s", error)
            raise HubUnavailable(str(error)) from None
        if not model or model.get("kind", "user") != "user" or not model.get("name"):
            return None
        return model["name"]


class Base(web.RequestHandler):
    def initialize(self, classroom: Classroom) -> None:
        self.classroom = classroom

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Content-Security-Policy",
                        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
                        "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": self._reason}))

    def refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with ``{"error": message}`` and stop handling the request."""
        self.refusal = message
        self.clear_header("Location")
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": message}))
        raise web.Finish()

    def bearer(self) -> str | None:
        """The token of an ``Authorization: token X`` (or ``Bearer X``) header."""
        scheme, _, token = self.request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() in ("token", "bearer") and token.strip():
            return token.strip()
        return None

    def cookie_instructor(self) -> bool:
        value = self.get_signed_cookie(INSTRUCTOR_COOKIE, max_age_days=1)
        return value == b"1"

    def set_instructor_cookie(self) -> None:
        self.set_signed_cookie(INSTRUCTOR_COOKIE, "1", expires_days=1, httponly=True, samesite="Strict",
                               path=self.classroom.prefix)

    def hub_instructor(self) -> bool:
        """Overridden on a hub: a user the hub let through OAuth with access to this service."""
        return False

    def instructor(self) -> bool:
        return (self.classroom.is_instructor_token(self.bearer()) or self.cookie_instructor()
                or self.hub_instructor())

    def require_instructor(self) -> None:
        if self.instructor():
            return
        if self.bearer() is None and not self.get_cookie(INSTRUCTOR_COOKIE):
            self.refuse(401, "instructor token required")
        self.refuse(403, "not an instructor")


class Health(Base):
    def get(self) -> None:
        self.write({"ok": True})


class Verdicts(Base):
    async def post(self) -> None:
        token = self.bearer()
        if token is None:
            self.refuse(401, "send the header Authorization: token <class token>")
        vouched = None   # the learner the hub says owns this token
        if not (self.classroom.is_class_token(token) or self.classroom.is_instructor_token(token)):
            try:
                vouched = await self.classroom.hub_learner(token)
            except HubUnavailable:
                self.refuse(503, "the hub could not be asked who this token belongs to")
            if vouched is None:
                self.refuse(403, "this token is not valid here")
        body = self.request.body
        if len(body) > MAX_BODY:
            self.refuse(400, f"body larger than {MAX_BODY} bytes")
        try:
            data = json.loads(body)
        except ValueError:
            self.refuse(400, "the body is not JSON")
        try:
            row = validate(data, self.classroom.exercises)
        except BadVerdict as why:
            self.refuse(400, str(why))
        if vouched is not None and row["learner"] != vouched:
            self.refuse(403, "a learner can only send their own verdicts")
        if not self.classroom.rate.allow(row["learner"]):
            self.set_header("Retry-After", str(self.classroom.rate.retry_after(row["learner"])))
            self.refuse(429, "too many verdicts from this learner: wait a moment")
        try:
            await self.classroom.writer.add(row)
        except Exception:  # noqa: BLE001 - the disk may be full: say so, keep serving
            self.refuse(503, "the verdict could not be stored")
        self.set_status(201)
        self.write({"stored": True})


class Summary(Base):
    async def get(self) -> None:
        self.require_instructor()
        summary = await self.classroom.writer.read(self.classroom.writer.store.summary, self.classroom.exercises)
        self.write(summary)


class Dashboard(Base):
    def get(self) -> None:
        token = self.get_argument("token", "")
        if token and self.classroom.is_instructor_token(token):
            self.set_instructor_cookie()
            self.redirect(self.classroom.prefix)   # drop the token from the address bar and history
            return
        if not self.instructor():
            self.not_instructor(bool(token))
            return
        if not self.cookie_instructor():
            self.set_instructor_cookie()   # on a hub: after its OAuth; the page's script then uses this cookie
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.write(DASHBOARD_HTML)

    def not_instructor(self, tried_token: bool) -> None:
        self.set_status(403 if tried_token else 401)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish("<!doctype html><title>Classroom</title><h1>Instructors only</h1><p>Open the address that "
                    "<code>python -m helpers.classroom serve</code> printed, ending in "
                    "<code>?token=</code> and the instructor token.</p>")


class Script(Base):
    def get(self) -> None:
        self.set_header("Content-Type", "application/javascript; charset=utf-8")
        self.write(DASHBOARD_JS)


def _hub_handlers(classroom: Classroom) -> list:
    """On a hub: the dashboard and summary also accept the hub's OAuth; the OAuth callback."""
    from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated

    class HubMixin(HubOAuthenticated):
        hub_auth = classroom.hub_auth

        def hub_instructor(self) -> bool:
            return bool(self.current_user)   # the mixin lets through only users with the access scope

    class HubDashboard(HubMixin, Dashboard):
        def not_instructor(self, tried_token: bool) -> None:
            if self.hub_auth.get_user(self) is None and not tried_token:
                self.redirect(self.get_login_url())   # to the hub's login, then back here
                return
            self.set_status(403)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish("<!doctype html><title>Classroom</title><h1>Instructors only</h1>"
                        "<p>Ask the hub's admin to add you to the instructors group.</p>")

    class HubSummary(HubMixin, Summary):
        pass

    class Callback(HubOAuthCallbackHandler):
        hub_auth = classroom.hub_auth

    return [(r"", HubDashboard), (r"api/summary", HubSummary), (r"oauth_callback", Callback)]


def make_app(classroom: Classroom, cookie_secret: bytes | None = None) -> web.Application:
    """The Tornado application for ``classroom``, its routes under ``classroom.prefix``."""
    routes = {"": Dashboard, "api/verdicts": Verdicts, "api/summary": Summary, "api/health": Health,
              "dashboard.js": Script}
    if classroom.hub_auth is not None:
        routes.update(dict(_hub_handlers(classroom)))
    handlers = []
    for path, handler in routes.items():
        kwargs = {} if handler.__name__ == "Callback" else {"classroom": classroom}
        handlers.append((classroom.prefix + path, handler, kwargs))
    if classroom.prefix != "/":
        handlers.append((classroom.prefix.rstrip("/"), web.RedirectHandler, {"url": classroom.prefix}))
    secret = cookie_secret or hashlib.sha256(b"classroom-cookie:" + (classroom.instructor_token or "").encode()).digest()
    return web.Application(handlers, cookie_secret=secret, log_function=_log_request, xsrf_cookies=False)


def _log_request(handler: web.RequestHandler) -> None:
    """Log failures only, and never a query string (it may hold a token)."""
    status = handler.get_status()
    if status >= 400:
        why = getattr(handler, "refusal", handler._reason)
        log.warning("%d %s %s (%s)", status, handler.request.method, handler.request.path, why)


def read_token(path: str | Path | None, what: str) -> str | None:
    """The token in the file ``path`` (stripped), or None; refuses short tokens."""
    if path is None:
        return None
    token = Path(path).read_text(encoding="utf-8").strip()
    if len(token) < MIN_TOKEN:
        raise SystemExit(f"{what} in {path} is shorter than {MIN_TOKEN} characters: make one with "
                         f"`python -m helpers.classroom new-token {path}`")
    return token


def hub_auth_from_environment():
    """A HubOAuth when this process runs as a JupyterHub managed service, else None."""
    if not (os.environ.get("JUPYTERHUB_API_TOKEN") and os.environ.get("JUPYTERHUB_SERVICE_PREFIX")):
        return None
    from jupyterhub.services.auth import HubOAuth

    return HubOAuth(cache_max_age=300)


def serve(db: str | Path, port: int, instructor_token_file: str | Path | None,
          class_token_file: str | Path | None = None, ip: str = "127.0.0.1",
          per_minute: float = VERDICTS_PER_MINUTE) -> None:
    """Serve until SIGTERM or SIGINT (then finish the batch in flight and close the database)."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[classroom %(asctime)s] %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    hub_auth = hub_auth_from_environment()
    instructor_token = read_token(instructor_token_file, "the instructor token")
    class_token = read_token(class_token_file, "the class token")
    if instructor_token is None and hub_auth is None:
        raise SystemExit("--instructor-token-file is needed outside a JupyterHub")
    if instructor_token and class_token and instructor_token == class_token:
        raise SystemExit("the class token and the instructor token must differ")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/") if hub_auth else "/"
    classroom = Classroom(Store(db), instructor_token, class_token, prefix=prefix, hub_auth=hub_auth,
                          per_minute=per_minute)
    secret = None
    if instructor_token is None:
        secret = hashlib.sha256(b"classroom-cookie:" + os.environ["JUPYTERHUB_API_TOKEN"].encode()).digest()
    app = make_app(classroom, cookie_secret=secret)

    async def main() -> None:
        server = httpserver.HTTPServer(app, max_body_size=MAX_CONNECTION_BODY, xheaders=bool(hub_auth))
        server.listen(port, address=ip)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        mode = "JupyterHub service" if hub_auth else "standalone"
        log.info("serving %s on http://%s:%d%s (%s, %d verdicts stored in %s)", classroom.prefix, ip, port,
                 classroom.prefix, mode, classroom.writer.store.count(), db)
        if instructor_token and not hub_auth:
            print(f"Dashboard: http://{ip}:{port}/?token=<the instructor token in {instructor_token_file}>",
                  flush=True)
        await stop.wait()
        server.stop()
        while classroom.writer.task is not None and not classroom.writer.task.done():
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)

    started = time.monotonic()
    try:
        asyncio.run(main())
    finally:
        classroom.writer.close()
        log.info("stopped after %.0f s", time.monotonic() - started)
