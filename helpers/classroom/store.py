"""Verdicts in SQLite (write-ahead log, every commit synced), and the class summary read from them.

>>> store = Store(":memory:")
>>> store.add_many([{"learner": "ada", "lesson": "01", "exercise": "q1", "status": "not yet",
...                  "message": "Add the batch axis."}])
1
>>> store.summary()["exercises"][0]["stuck"]
1
"""
from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from . import FIELDS, MAX_MESSAGE, MAX_NAME, STATUSES

_LEARNER = re.compile(r"[\w.@+-]+")          # letters (any script), digits and . @ + _ -
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
TOP_MISCONCEPTIONS = 10


class BadVerdict(ValueError):
    """A posted verdict that is not stored; the message says why."""


def known_exercises() -> dict[str, list[str]]:
    """Lesson -> exercise ids of the course, in lesson order, e.g. ``{"01": ["q1", "q2", ...]}``."""
    from ..exercises import catalog

    found: dict[str, list[str]] = {}
    for entry in catalog():
        found.setdefault(entry["lesson"], []).append(entry["id"])
    return found


def validate(data, exercises: dict[str, list[str]]) -> dict:
    """The verdict in ``data`` (a decoded JSON object) as a row, or :class:`BadVerdict` with a reason.

    Allowlists only: exactly the five fields, a known lesson and exercise, a known status.
    """
    if not isinstance(data, dict):
        raise BadVerdict("the body must be one JSON object")
    missing, extra = set(FIELDS) - set(data), set(data) - set(FIELDS)
    if extra:
        raise BadVerdict(f"{len(extra)} unknown field(s); the fields are: {', '.join(FIELDS)}")
    if missing:
        raise BadVerdict(f"missing field(s): {', '.join(sorted(missing))}")
    if not all(isinstance(data[name], str) for name in FIELDS):
        raise BadVerdict("every field must be a string")
    learner, lesson, exercise, status, message = (data[name] for name in FIELDS)
    if not (0 < len(learner) <= MAX_NAME and _LEARNER.fullmatch(learner)):
        raise BadVerdict(f"learner must be 1-{MAX_NAME} letters, digits or . @ + _ -")
    if lesson not in exercises:
        raise BadVerdict("unknown lesson")
    if exercise not in exercises[lesson]:
        raise BadVerdict("unknown exercise for this lesson")
    if status not in STATUSES:
        raise BadVerdict(f"status must be one of: {', '.join(STATUSES)}")
    if len(message) > MAX_MESSAGE:
        raise BadVerdict(f"message longer than {MAX_MESSAGE} characters")
    if _CONTROL.search(message):
        raise BadVerdict("message contains control characters")
    return {"learner": learner, "lesson": lesson, "exercise": exercise, "status": status, "message": message}


class Store:
    """One SQLite file. Use it from one thread at a time (the service gives it a thread of its own)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._lock = threading.Lock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")   # a 201 means the verdict is on disk
        self.db.execute("""CREATE TABLE IF NOT EXISTS verdicts (
            id INTEGER PRIMARY KEY, received REAL NOT NULL, learner TEXT NOT NULL, lesson TEXT NOT NULL,
            exercise TEXT NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL)""")
        self.db.execute("CREATE INDEX IF NOT EXISTS by_exercise ON verdicts (lesson, exercise, learner)")

    def add_many(self, rows: list[dict]) -> int:
        """Store ``rows`` in one transaction; returns how many."""
        now = time.time()
        with self._lock:
            self.db.execute("BEGIN")
            try:
                self.db.executemany(
                    "INSERT INTO verdicts (received, learner, lesson, exercise, status, message) VALUES (?,?,?,?,?,?)",
                    [(now, r["learner"], r["lesson"], r["exercise"], r["status"], r["message"]) for r in rows])
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        return len(rows)

    def count(self) -> int:
        with self._lock:
            return self.db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def summary(self, exercises: dict[str, list[str]] | None = None) -> dict:
        """Per exercise: learners who attempted it, got it right, are stuck (attempted, not yet right),
        have not started; the most common "not yet" messages; per learner, their progress.

        ``exercises`` (lesson -> ids) orders the exercises and lists those nobody has started yet in
        every lesson that has a verdict.
        """
        with self._lock:
            per_learner = self.db.execute(
                "SELECT lesson, exercise, learner, MAX(status = 'correct'), MAX(status != 'not attempted'), "
                "MAX(received), COUNT(*) FROM verdicts GROUP BY lesson, exercise, learner").fetchall()
            wrong = self.db.execute(
                "SELECT lesson, exercise, message, learner, COUNT(*) FROM verdicts WHERE status = 'not yet' "
                "GROUP BY lesson, exercise, message, learner").fetchall()
            total = self.db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]
        learners = sorted({row[2] for row in per_learner})
        right: dict[tuple, set] = defaultdict(set)
        attempted: dict[tuple, set] = defaultdict(set)
        last_seen: dict[str, tuple] = {}
        for lesson, exercise, learner, is_right, tried, received, _ in per_learner:
            key = (lesson, exercise)
            if is_right:
                right[key].add(learner)
            if tried:
                attempted[key].add(learner)
            if learner not in last_seen or received > last_seen[learner][0]:
                last_seen[learner] = (received, f"{lesson}.{exercise}")
        seen = {(row[0], row[1]) for row in per_learner}
        order = _exercise_order(seen, exercises)
        rows = []
        for lesson, exercise in order:
            key = (lesson, exercise)
            stuck = attempted[key] - right[key]
            rows.append({"lesson": lesson, "exercise": exercise, "key": f"{lesson}.{exercise}",
                         "attempted": len(attempted[key]), "right": len(right[key]), "stuck": len(stuck),
                         "not_started": len(learners) - len(attempted[key] | right[key]),
                         "stuck_learners": sorted(stuck)})
        groups: dict[tuple, Counter] = defaultdict(Counter)
        for lesson, exercise, message, learner, times in wrong:
            groups[(lesson, exercise, message)][learner] += times
        misconceptions = []
        for (lesson, exercise, message), who in groups.items():
            still = [name for name in who if name not in right[(lesson, exercise)]]
            misconceptions.append({"lesson": lesson, "exercise": exercise, "key": f"{lesson}.{exercise}",
                                   "message": message, "learners": len(who), "times": sum(who.values()),
                                   "stuck_now": len(still)})
        misconceptions.sort(key=lambda m: (-m["learners"], -m["stuck_now"], -m["times"], m["key"], m["message"]))
        progress = []
        for name in learners:
            done = sorted(f"{lesson}.{exercise}" for (lesson, exercise), who in right.items() if name in who)
            stuck_on = [row["key"] for row in rows if name in row["stuck_learners"]]
            progress.append({"learner": name, "right": len(done), "stuck": stuck_on,
                             "last_exercise": last_seen[name][1], "last_seen": last_seen[name][0]})
        return {"generated": time.time(), "learners": len(learners), "verdicts": total, "exercises": rows,
                "misconceptions": misconceptions[:TOP_MISCONCEPTIONS], "progress": progress}


def _exercise_order(seen: set[tuple], exercises: dict[str, list[str]] | None) -> list[tuple]:
    """Every exercise of each lesson with a verdict, in the course's order (then any others seen)."""
    exercises = exercises or {}
    lessons = sorted({lesson for lesson, _ in seen})
    order = [(lesson, exercise) for lesson in lessons for exercise in exercises.get(lesson, [])]
    order += sorted(seen - set(order))
    return order
