"""The bench: run every lesson in fresh kernels, time the grader, write a markdown table.

    python -m helpers.bench                  # 3 runs, medians, table to bench-results/bench.md
    python -m helpers.bench --runs 1 --full  # one run, plus the wall time of `make test`

Per lesson: wall seconds from asking for a kernel to the end of the last cell, and the peak
resident memory of the kernel's process tree. The floor is measured in each run the same way,
for a fresh kernel that only imports TensorFlow and Keras; ratios are lesson / floor. The grader:
submissions per minute, and the cost of its sandbox (seconds per lesson 01 submission with
``--sandbox on`` and ``off``, interleaved in the same run).
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .kernel import FLOOR_NOTEBOOK_SOURCE, ROOT, kernel_env, run_notebook, solution_notebooks

MB = 1_000_000
LIMIT_BYTES = 1_000_000_000  # 1 GB: the memory a free Binder guarantees
FLOOR = "floor (import tensorflow, keras)"


@dataclass
class Samples:
    """Every run's figures for one row of the table."""

    seconds: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, run) -> None:
        self.seconds.append(run.seconds)
        self.peaks.append(run.peak_bytes)
        if run.error:
            self.errors.append(run.error)

    @property
    def wall(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return statistics.median(self.peaks)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_lessons(paths: list[Path], runs: int, timeout: int) -> dict[str, Samples]:
    """Floor first, then every lesson, once per run; a failing lesson is recorded, not fatal."""
    rows: dict[str, Samples] = {FLOOR: Samples()}
    rows.update({path.stem: Samples() for path in paths})
    # Unmeasured warm-up: the first kernel of a process also pays for loading Jupyter's machinery.
    run_notebook("pass", timeout=timeout)
    for number in range(1, runs + 1):
        run = run_notebook(FLOOR_NOTEBOOK_SOURCE, measure=True, timeout=timeout)
        rows[FLOOR].add(run)
        say(f"run {number}/{runs}: floor {run.seconds:.1f} s, {run.peak_bytes / MB:.0f} MB")
        for path in paths:
            run = run_notebook(path, measure=True, timeout=timeout)
            rows[path.stem].add(run)
            state = f"FAILED: {run.error}" if run.error else "ok"
            say(f"run {number}/{runs}: {path.stem} {run.seconds:.1f} s, {run.peak_bytes / MB:.0f} MB, {state}")
    return rows


def grader_available() -> bool:
    try:
        return importlib.util.find_spec("helpers.grade.__main__") is not None
    except (ImportError, ValueError):
        return False


def graded_submissions(paths: list[Path]) -> list[Path]:
    """The solution notebooks of lessons with exercises: one student's perfect course."""
    from helpers.exercises import lessons

    with_exercises = set(lessons())
    return [p for p in paths if p.name[:2] in with_exercises]


def measure_grader(submissions: list[Path], jobs: int, runs: int, timeout: int) -> dict:
    """Submissions per minute of ``python -m helpers.grade`` at ``--jobs jobs`` (median of runs)."""
    if not grader_available():
        return {"jobs": jobs, "note": "grader not available (helpers/grade has no __main__ yet)"}
    if not submissions:
        return {"jobs": jobs, "note": "no solution notebook has exercises to grade"}
    seconds = []
    for number in range(1, runs + 1):
        with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
            folder = Path(tmp) / "submissions"
            folder.mkdir()
            copies = [Path(shutil.copy(p, folder / p.name)) for p in submissions]
            out = Path(tmp) / "out"
            command = [sys.executable, "-m", "helpers.grade", *map(str, copies), "--out", str(out),
                       "--jobs", str(jobs), "--seed", "0", "--quiet"]
            start = time.perf_counter()
            try:
                done = subprocess.run(command, cwd=ROOT, env=kernel_env(), capture_output=True, text=True,
                                      timeout=timeout * len(copies))
            except subprocess.TimeoutExpired:
                return {"jobs": jobs, "note": "grader timed out"}
            took = time.perf_counter() - start
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["no message"])[-1][:120]
                return {"jobs": jobs, "note": f"grader failed (exit {done.returncode}: {last})"}
            graded = _graded_rows(out / "grades.csv")
            if graded != len(copies):
                return {"jobs": jobs, "note": f"grader wrote {graded} grade rows for {len(copies)} submissions"}
            seconds.append(took)
            say(f"run {number}/{runs}: grader --jobs {jobs}: {len(copies)} submissions in {took:.1f} s")
    wall = statistics.median(seconds)
    return {"jobs": jobs, "count": len(submissions), "seconds": wall, "per_minute": len(submissions) * 60 / wall}


def measure_sandbox_cost(submission: Path, runs: int, timeout: int, copies: int = 2) -> dict:
    """Seconds per submission of ``python -m helpers.grade --jobs 1`` with ``--sandbox off`` and
    ``on``, the two interleaved in every run so that both see the same machine load (medians)."""
    from helpers.grade import sandbox

    if not grader_available():
        return {"note": "grader not available"}
    if sandbox.problem():
        return {"note": f"the sandbox cannot run here: {sandbox.problem()}"}
    seconds: dict[str, list[float]] = {"off": [], "on": []}
    for number in range(1, runs + 1):
        for mode in ("off", "on"):
            with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
                folder = Path(tmp) / "submissions"
                folder.mkdir()
                paths = [Path(shutil.copy(submission, folder / f"student_{n}.ipynb")) for n in range(copies)]
                command = [sys.executable, "-m", "helpers.grade", *map(str, paths), "--out", str(Path(tmp) / "out"),
                           "--jobs", "1", "--seed", "0", "--quiet", "--sandbox", mode]
                start = time.perf_counter()
                try:
                    done = subprocess.run(command, cwd=ROOT, env=kernel_env(), capture_output=True, text=True,
                                          timeout=timeout * copies)
                except subprocess.TimeoutExpired:
                    return {"note": f"grader timed out with --sandbox {mode}"}
                took = (time.perf_counter() - start) / copies
                if done.returncode != 0 or _graded_rows(Path(tmp) / "out" / "grades.csv") != copies:
                    last = (done.stderr.strip().splitlines() or ["no message"])[-1][:120]
                    return {"note": f"grader failed with --sandbox {mode} ({last})"}
            seconds[mode].append(took)
            say(f"run {number}/{runs}: grader --sandbox {mode}: {took:.1f} s per submission")
    off, on = statistics.median(seconds["off"]), statistics.median(seconds["on"])
    return {"name": submission.stem, "off": off, "on": on, "cost": on / off - 1}


def _graded_rows(csv_path: Path) -> int:
    import csv

    try:
        with open(csv_path, newline="", encoding="utf-8") as handle:
            return sum(1 for _ in csv.DictReader(handle))
    except OSError:
        return 0


def measure_make_test() -> dict:
    """Wall time of one ``make test`` (the whole suite), and whether it passed."""
    start = time.perf_counter()
    done = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True, text=True)
    return {"seconds": time.perf_counter() - start, "passed": done.returncode == 0}


def machine() -> str:
    import psutil

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    tf = version("tensorflow-cpu") if version("tensorflow-cpu") != "?" else version("tensorflow")
    memory = psutil.virtual_memory().total / 1e9
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip() or "?"
    except OSError:
        commit = "?"
    return (f"{os.cpu_count()} CPUs, {memory:.0f} GB RAM, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, TensorFlow {tf}, Keras {version('keras')}, commit {commit}")


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def table(rows: dict[str, Samples], runs: int, grader: list[dict], make_test: dict | None,
          sandbox_cost: dict | None = None) -> str:
    """The markdown report."""
    floor = rows[FLOOR]
    lines = [
        "# Bench results",
        "",
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; {machine()}.",
        f"Medians of {runs} run{'s' if runs != 1 else ''}. Wall: seconds from asking for a fresh kernel to the "
        "end of the last cell. Peak: resident memory of the kernel's process tree (MB = 10^6 bytes). "
        "x floor: lesson / floor, the floor being a fresh kernel that only imports TensorFlow and Keras.",
        "",
        "| notebook | wall s | x floor | peak MB | x floor | note |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    lessons = [name for name in rows if name != FLOOR]
    for name in [FLOOR, *lessons]:
        row = rows[name]
        notes = []
        if row.errors:
            notes.append(f"FAILED {len(row.errors)}/{runs}: {row.errors[0][:80]}")
        if max(row.peaks, default=0) > LIMIT_BYTES:
            notes.append(f"OVER 1 GB (max {max(row.peaks) / MB:.0f} MB)")
        lines.append(f"| {name} | {fmt(row.wall)} | {fmt(row.wall / floor.wall, 2)} | {fmt(row.peak / MB, 0)} | "
                     f"{fmt(row.peak / floor.peak, 2)} | {'; '.join(notes)} |")
    if lessons:
        per_run_total = [sum(rows[n].seconds[i] for n in lessons) for i in range(runs)]
        total = statistics.median(per_run_total)
        peak = max(rows[n].peak for n in lessons)
        lines.append(f"| **course ({len(lessons)} notebooks)** | {fmt(total)} | {fmt(total / floor.wall, 2)} | "
                     f"{fmt(peak / MB, 0)} (max) | {fmt(peak / floor.peak, 2)} | total wall; highest lesson peak |")
    lines += ["", "| grader | submissions | wall s | submissions / min |", "| --- | ---: | ---: | ---: |"]
    for row in grader:
        if "note" in row:
            lines.append(f"| `--jobs {row['jobs']}` | | | {row['note']} |")
        else:
            lines.append(f"| `--jobs {row['jobs']}` | {row['count']} | {fmt(row['seconds'])} | "
                         f"{fmt(row['per_minute'])} |")
    if sandbox_cost is not None:
        lines += ["", "| grader sandbox (`--jobs 1`) | s per submission |", "| --- | ---: |"]
        if "note" in sandbox_cost:
            lines.append(f"| not measured | {sandbox_cost['note']} |")
        else:
            lines += [f"| {sandbox_cost['name']}, `--sandbox off` | {fmt(sandbox_cost['off'], 2)} |",
                      f"| {sandbox_cost['name']}, `--sandbox on` | {fmt(sandbox_cost['on'], 2)} |",
                      f"| sandbox cost | {100 * sandbox_cost['cost']:+.1f} % |"]
    if make_test is not None:
        verdict = "passed" if make_test["passed"] else "FAILED"
        lines += ["", f"`make test`: {fmt(make_test['seconds'], 0)} s wall, one run, {verdict}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; medians are quoted (default 3)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="grader --jobs values (default 1 2)")
    parser.add_argument("--full", action="store_true", help="also time one `make test`")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    parser.add_argument("--only", default="", help="only lessons whose file name contains this, e.g. 03")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "bench.md")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    paths = [p for p in solution_notebooks() if args.only in p.name]
    say(f"bench: {len(paths)} notebooks, {args.runs} runs")
    rows = measure_lessons(paths, args.runs, args.timeout)
    submissions = graded_submissions(paths)
    grader = [measure_grader(submissions, jobs, args.runs, args.timeout) for jobs in args.jobs]
    lesson_01 = [p for p in submissions if p.name.startswith("01_")]
    sandbox_cost = measure_sandbox_cost(lesson_01[0], args.runs, args.timeout) if lesson_01 else None
    make_test = measure_make_test() if args.full else None
    report = table(rows, args.runs, grader, make_test, sandbox_cost)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    say(f"written to {args.out}")
    failed = any(row.errors for row in rows.values())
    return 1 if failed else 0
