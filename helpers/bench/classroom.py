"""The live classroom's costs: a check()'s time with the service up, down and unset; the service's
memory with 30 learners; verdicts per second it stores.

    python -m helpers.bench.classroom            # prints the section, writes bench-results/classroom.md

``python -m helpers.bench`` runs it too and appends the same section to its table. Everything runs on
127.0.0.1: one ``python -m helpers.classroom serve`` in a temporary folder, stopped at the end.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

MODES = ("unset", "up", "down")
ROOT = Path(__file__).resolve().parents[2]


def _rss(pid: int) -> int:
    import psutil

    return psutil.Process(pid).memory_info().rss


def _cpu(pid: int) -> float:
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def time_checks(url: str, token: str, samples: int = 200) -> dict[str, list[float]]:
    """Seconds of ``lesson_01.q1.check`` on a wrong answer, ``samples`` times in each mode, interleaved
    (unset, up, down, unset, ...) so all three see the same machine load."""
    from helpers.classroom import client
    from helpers.classroom.local import free_port
    from helpers.exercises import lesson_01 as ex

    names = ("COURSE_CLASSROOM_URL", "COURSE_CLASSROOM_TOKEN", "COURSE_LEARNER")
    saved = {name: os.environ.get(name) for name in names}
    nowhere = f"http://127.0.0.1:{free_port()}/"   # nothing listens there: connection refused
    settings = {"unset": None, "up": url, "down": nowhere}
    seconds: dict[str, list[float]] = {mode: [] for mode in MODES}
    answer = (10,)
    ex.q1.check(answer)   # warm-up: first calls pay for imports
    try:
        os.environ.update(COURSE_CLASSROOM_TOKEN=token, COURSE_LEARNER="bench")
        for _ in range(samples):
            for mode in MODES:
                if settings[mode] is None:
                    os.environ.pop("COURSE_CLASSROOM_URL", None)
                else:
                    os.environ["COURSE_CLASSROOM_URL"] = settings[mode]
                start = time.perf_counter()
                ex.q1.check(answer)
                seconds[mode].append(time.perf_counter() - start)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        client.clear()
    return seconds


def measure_classroom(samples: int = 200, learners: int = 30, posts: int = 10_000) -> dict:
    """The numbers of the report's "Live classroom" section (see :func:`section`)."""
    from helpers.classroom.local import LocalService, flood

    with tempfile.TemporaryDirectory(prefix="bench-classroom-") as folder:
        with LocalService(Path(folder) / "service", per_minute=0) as service:   # throughput, no per-learner limit
            idle = _rss(service.process.pid)
            checks = time_checks(service.url, service.class_token, samples)
            cpu_before = _cpu(service.process.pid)
            result = flood(service.url, service.class_token, learners=learners, posts=posts)
            cpu_seconds = _cpu(service.process.pid) - cpu_before
            start = time.perf_counter()
            summary = service.summary()
            summary_seconds = time.perf_counter() - start
            loaded = _rss(service.process.pid)
    return {
        "samples": samples, "check_median_us": {m: statistics.median(v) * 1e6 for m, v in checks.items()},
        "check_p95_us": {m: sorted(v)[int(0.95 * (len(v) - 1))] * 1e6 for m, v in checks.items()},
        "learners": learners, "posts": posts, "stored": result.stored, "flood_seconds": result.seconds,
        "posts_per_second": result.per_second, "failures": result.failures[:3],
        "cpu_ms_per_post": 1000 * cpu_seconds / max(result.stored, 1),
        "idle_rss": idle, "loaded_rss": loaded, "summary_seconds": summary_seconds,
        "summary_learners": summary["learners"], "summary_verdicts": summary["verdicts"],
    }


def section(numbers: dict) -> list[str]:
    """The markdown lines of the "Live classroom" section."""
    median, p95 = numbers["check_median_us"], numbers["check_p95_us"]
    lines = ["", "## Live classroom (helpers.classroom)", "",
             f"`lesson_01.q1.check` on a wrong answer, {numbers['samples']} calls per mode, interleaved in one run "
             "(microseconds). up: `COURSE_CLASSROOM_URL` points at the service; down: at a port where nothing "
             "listens; unset: no variable.", "",
             "| classroom | median µs | p95 µs |", "| --- | ---: | ---: |"]
    lines += [f"| {mode} | {median[mode]:.0f} | {p95[mode]:.0f} |" for mode in MODES]
    complete = "all stored" if numbers["stored"] == numbers["posts"] else f"ONLY {numbers['stored']} stored"
    lines += ["", f"Service (one process, SQLite WAL, every batch synced): {numbers['posts']} posts from "
              f"{numbers['learners']} learners at once in {numbers['flood_seconds']:.1f} s, "
              f"**{numbers['posts_per_second']:.0f} posts/s**, {complete} (the service used "
              f"{numbers['cpu_ms_per_post']:.2f} ms of CPU per post: the rest is waiting for the disk and for "
              f"the machine); resident memory "
              f"{numbers['idle_rss'] / 1e6:.0f} MB idle, **{numbers['loaded_rss'] / 1e6:.0f} MB** with "
              f"{numbers['summary_learners']} learners and {numbers['summary_verdicts']} verdicts; "
              f"the summary of those took {numbers['summary_seconds'] * 1000:.0f} ms."]
    if numbers["failures"]:
        lines.append(f"Failures: {numbers['failures']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.bench.classroom", description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "classroom.md")
    args = parser.parse_args(argv)
    numbers = measure_classroom(samples=args.samples)
    text = "\n".join(section(numbers)).strip() + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0 if numbers["stored"] == numbers["posts"] else 1


if __name__ == "__main__":
    sys.exit(main())
