"""The bench: run every lesson in fresh kernels, time the grader, write a markdown table.

    python -m helpers.bench                  # 3 runs, medians, table to bench-results/bench.md
    python -m helpers.bench --runs 1 --full  # one run, plus the wall time of `make test`
    python -m helpers.bench --grading        # only the floor and the grader's modes (lesson 01)

Per lesson: wall seconds from asking for a kernel to the end of the last cell, and the peak
resident memory of the kernel's process tree. Lessons run in the course's kernel (warm: forked
from a process that imported TensorFlow, :mod:`helpers.kernels`). The floor is measured in each
run the same way, for a fresh cold kernel that only imports TensorFlow and Keras; ratios are
lesson / floor. The warm-kernel section compares warm and cold kernels measured in the same run.
The grader: submissions per minute, and seconds per lesson 01 submission in each of
:data:`GRADER_MODES` (sandboxed warm, the default; sandboxed cold; unsandboxed cold and warm),
interleaved in the same run, against the floor.
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

from .kernel import FLOOR_NOTEBOOK_SOURCE, ROOT, kernel_env, run_notebook, smaps_rollup, solution_notebooks

MB = 1_000_000
LIMIT_BYTES = 1_000_000_000  # 1 GB: the memory a free Binder guarantees
FLOOR = "floor (import tensorflow, keras)"
FIRST_CELL_SOURCE = "1 + 1"
WARM_AIM = 0.3   # issue 15: importing TensorFlow and Keras in a warm kernel, at most 0.3x a cold one


def cold_env() -> dict[str, str]:
    """A kernel environment that switches warm starts off (helpers.kernels)."""
    return kernel_env(COURSE_WARM_KERNELS="0")


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
        run = run_notebook(FLOOR_NOTEBOOK_SOURCE, env=cold_env(), measure=True, timeout=timeout)
        rows[FLOOR].add(run)
        say(f"run {number}/{runs}: floor {run.seconds:.1f} s, {run.peak_bytes / MB:.0f} MB")
        for path in paths:
            run = run_notebook(path, measure=True, timeout=timeout)
            rows[path.stem].add(run)
            state = f"FAILED: {run.error}" if run.error else "ok"
            say(f"run {number}/{runs}: {path.stem} {run.seconds:.1f} s, {run.peak_bytes / MB:.0f} MB, {state}")
    return rows


def measure_warm_start(runs: int, timeout: int) -> dict:
    """Warm against cold kernels, in this run: seconds to the first cell and to TensorFlow and Keras
    imported, and the memory (``smaps_rollup``) of the warm process and of each kernel after the import."""
    from helpers.kernels.provisioner import POOL

    POOL.stop_all()   # the first warm kernel of a process also starts the warm process
    first = run_notebook(FLOOR_NOTEBOOK_SOURCE, timeout=timeout)
    result: dict = {"first_warm": first.seconds, "errors": [r.error for r in (first,) if r.error]}
    samples: dict[str, list] = {key: [] for key in ("cold_cell", "warm_cell", "cold_import", "warm_import")}
    memory: dict[str, dict] = {}
    warm_flags = []
    for number in range(1, runs + 1):
        for key, source, env in [("cold_cell", FIRST_CELL_SOURCE, cold_env()), ("warm_cell", FIRST_CELL_SOURCE, None),
                                 ("cold_import", FLOOR_NOTEBOOK_SOURCE, cold_env()),
                                 ("warm_import", FLOOR_NOTEBOOK_SOURCE, None)]:
            run = run_notebook(source, env=env, timeout=timeout, measure=key.endswith("import"))
            samples[key].append(run.seconds)
            if run.error:
                result["errors"].append(f"{key}: {run.error}")
            if key.startswith("warm"):
                warm_flags.append(run.warm)
            if run.end_memory:
                memory[key.replace("_import", "_kernel")] = run.end_memory
                if "parent" in run.end_memory:
                    memory["zygote_shared"] = run.end_memory.pop("parent")
        say(f"run {number}/{runs}: warm start: cell {samples['warm_cell'][-1]:.2f} s (cold "
            f"{samples['cold_cell'][-1]:.2f}), import {samples['warm_import'][-1]:.2f} s (cold "
            f"{samples['cold_import'][-1]:.2f})")
    zygotes = POOL.zygotes()
    if zygotes:
        memory["zygote"] = smaps_rollup(zygotes[0].pid)   # every kernel has ended by now
    result.update({key: statistics.median(values) for key, values in samples.items()})
    result["memory"] = memory
    result["all_warm"] = all(warm_flags)
    return result


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


def measure_grader(submissions: list[Path], jobs: int, runs: int, timeout: int, cold: bool = False) -> dict:
    """Submissions per minute of ``python -m helpers.grade`` at ``--jobs jobs`` (median of runs);
    ``cold=True`` switches warm kernels off for the grader's kernels, sandboxed or not."""
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
            env = {**cold_env(), "COURSE_WARM_SANDBOX": "0"} if cold else kernel_env()
            start = time.perf_counter()
            try:
                done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
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
    return {"jobs": jobs, "count": len(submissions), "seconds": wall, "per_minute": len(submissions) * 60 / wall,
            "cold": cold}


GRADER_MODES = {   # name: (--sandbox, warm kernels, COURSE_WARM_SANDBOX)
    "on": ("on", True, "1"),          # the default: forked from a warm process inside the sandbox
    "on_cold": ("on", False, "0"),    # sandboxed, every kernel cold (COURSE_WARM_SANDBOX=0)
    "off": ("off", False, "0"),       # not sandboxed, cold: against on_cold, the sandbox's own cost
    "off_warm": ("off", True, "0"),   # not sandboxed, kernels forked warm (helpers.kernels)
}
GRADING_AIMS = {"floor": 0.45, "off_warm": 1.10}   # issue 22: the default against these, at most


def measure_sandbox_cost(submission: Path, runs: int, timeout: int, copies: int = 4) -> dict:
    """Seconds per submission of ``python -m helpers.grade --jobs 1`` grading ``copies`` copies of
    ``submission`` in one batch, in each of :data:`GRADER_MODES`, interleaved in every run so that all
    see the same machine load (medians). The sandbox's cost is ``on_cold`` against ``off``."""
    from helpers.grade import sandbox

    if not grader_available():
        return {"note": "grader not available"}
    if sandbox.problem():
        return {"note": f"the sandbox cannot run here: {sandbox.problem()}"}
    seconds: dict[str, list[float]] = {mode: [] for mode in GRADER_MODES}
    for number in range(1, runs + 1):
        for mode, (flag, warm, warm_sandbox) in GRADER_MODES.items():
            with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
                folder = Path(tmp) / "submissions"
                folder.mkdir()
                paths = [Path(shutil.copy(submission, folder / f"student_{n}.ipynb")) for n in range(copies)]
                command = [sys.executable, "-m", "helpers.grade", *map(str, paths), "--out", str(Path(tmp) / "out"),
                           "--jobs", "1", "--seed", "0", "--quiet", "--sandbox", flag]
                start = time.perf_counter()
                try:
                    env = kernel_env() if warm else cold_env()
                    env["COURSE_WARM_SANDBOX"] = warm_sandbox
                    done = subprocess.run(command, cwd=ROOT, env=env,
                                          capture_output=True, text=True, timeout=timeout * copies)
                except subprocess.TimeoutExpired:
                    return {"note": f"grader timed out in mode {mode}"}
                took = (time.perf_counter() - start) / copies
                if done.returncode != 0 or _graded_rows(Path(tmp) / "out" / "grades.csv") != copies:
                    last = (done.stderr.strip().splitlines() or ["no message"])[-1][:120]
                    return {"note": f"grader failed in mode {mode} ({last})"}
                if "warm sandboxed kernels unavailable" in done.stderr and mode == "on":
                    return {"note": f"the default started cold kernels ({done.stderr.strip()[-160:]})"}
            seconds[mode].append(took)
            say(f"run {number}/{runs}: grader, {copies} submissions, mode {mode}: {took:.1f} s per submission")
    medians = {mode: statistics.median(values) for mode, values in seconds.items()}
    return {"name": submission.stem, "copies": copies, **medians, "cost": medians["on_cold"] / medians["off"] - 1,
            "memory": warm_sandbox_memory()}


def warm_sandbox_memory() -> dict:
    """Memory (``smaps_rollup``) of the warm process inside the sandbox, alone and while one fork of it
    is alive, and of that fork after it imported TensorFlow and Keras (helpers.grade.warm); empty where
    it cannot run."""
    import psutil

    from helpers.grade import sandbox, warm
    from helpers.grade.execute import Kernel, Limits

    def ours() -> list:
        tree = psutil.Process(running.process.pid).children(recursive=True)
        return [p for p in tree if "helpers.grade.warmbox" in " ".join(p.cmdline()) and "python" in p.name()]

    box = sandbox.Sandbox(bwrap=shutil.which("bwrap") or "bwrap", warm=True)
    folder = box.scratch_folder()
    if folder is None:
        return {}
    running = warm.warm_for(box)
    try:
        alone = ours()
        found = {"warm_process_alone": smaps_rollup(alone[0].pid)} if len(alone) == 1 else {}
        with tempfile.TemporaryDirectory(dir=folder) as scratch:
            (Path(scratch) / "work").mkdir()
            with Kernel(Path(scratch) / "work", Limits(), sandbox=box, scratch=scratch) as kernel:
                kernel.run("import tensorflow, keras, numpy", timeout=300)
                tree = ours()
                server = [p for p in tree if p.parent() not in tree]
                kernel = max(tree, key=lambda p: len(p.parents()))   # keeper -> init -> kernel
                return {**found, "warm_process": smaps_rollup(server[0].pid), "fork": smaps_rollup(kernel.pid)}
    finally:
        warm.stop_all()


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


def warm_table(warm: dict) -> list[str]:
    """The warm-kernel section of the report."""
    def ratio(key: str) -> str:
        return fmt(warm[f"warm_{key}"] / warm[f"cold_{key}"], 2)

    lines = ["", "## Warm kernels", "",
             "Seconds from asking for a fresh kernel to the end of its cell, medians; cold: "
             "`COURSE_WARM_KERNELS=0`, warm: the course's kernel, forked from the warm process.", "",
             "| fresh kernel, then | cold s | warm s | warm / cold |", "| --- | ---: | ---: | ---: |",
             f"| first cell (`{FIRST_CELL_SOURCE}`) | {fmt(warm['cold_cell'], 2)} | {fmt(warm['warm_cell'], 2)} | "
             f"{ratio('cell')} |",
             f"| import TensorFlow and Keras | {fmt(warm['cold_import'], 2)} | {fmt(warm['warm_import'], 2)} | "
             f"{ratio('import')} (aim <= {WARM_AIM}) |",
             f"| same, first warm kernel of a process (starts the warm process) | | {fmt(warm['first_warm'], 2)} | |"]
    if not warm.get("all_warm", True):
        lines.append("\nSome \"warm\" kernels started cold (see the log): no warm start on this machine.")
    if warm.get("errors"):
        lines.append(f"\nFAILED: {'; '.join(warm['errors'])[:300]}")
    names = {"zygote": "warm process, no kernel alive", "zygote_shared": "warm process, one warm kernel alive",
             "cold_kernel": "cold kernel after the import", "warm_kernel": "warm kernel after the import"}
    memory = warm.get("memory", {})
    if memory:
        lines += ["", "Memory (`/proc/<pid>/smaps_rollup`, MB): private is what the process adds; PSS "
                  "shares pages among the processes that map them.", "",
                  "| process | RSS | PSS | private |", "| --- | ---: | ---: | ---: |"]
        for key, name in names.items():
            if key in memory:
                m = memory[key]
                lines.append(f"| {name} | {fmt(m['Rss'] / MB, 0)} | {fmt(m['Pss'] / MB, 0)} | "
                             f"{fmt(m['Private'] / MB, 0)} |")
    return lines


GRADING_LABELS = {"on": "`--sandbox on`, warm sandboxed kernels (the default where bubblewrap runs)",
                  "on_cold": "`--sandbox on`, cold kernels (`COURSE_WARM_SANDBOX=0`)",
                  "off": "`--sandbox off`, cold kernels", "off_warm": "`--sandbox off`, warm kernels"}
MEMORY_LABELS = {"warm_process_alone": "warm process inside the sandbox, no fork alive",
                 "warm_process": "warm process inside the sandbox, one fork alive",
                 "fork": "one fork, after importing TensorFlow and Keras"}


def grading_table(cost: dict, floor: float) -> list[str]:
    """The grading section: seconds per lesson-01 submission in each mode, against the floor, the aims."""
    lines = ["", f"Grading one submission (`--jobs 1`, {cost.get('copies', '?')} copies in one batch, "
             "seconds per submission, grader start-up included):", "",
             "| grading one submission (`--jobs 1`) | s per submission | x floor |", "| --- | ---: | ---: |"]
    if "note" in cost:
        return lines + [f"| not measured | {cost['note']} | |"]
    for mode, label in GRADING_LABELS.items():
        if mode in cost:
            lines.append(f"| {cost['name']}, {label} | {fmt(cost[mode], 2)} | {fmt(cost[mode] / floor, 2)} |")
    lines.append(f"| sandbox cost (on against off, both cold) | {100 * cost['cost']:+.1f} % | |")
    if "on" in cost and "off_warm" in cost:
        lines.append(f"| the default against the floor (aim <= {GRADING_AIMS['floor']}) | "
                     f"{fmt(cost['on'] / floor, 2)} | |")
        lines.append(f"| the default against `--sandbox off`, warm (aim <= {GRADING_AIMS['off_warm']}) | "
                     f"{fmt(cost['on'] / cost['off_warm'], 2)} | |")
    for key, label in MEMORY_LABELS.items():
        m = (cost.get("memory") or {}).get(key)
        if m:
            lines.append(f"| memory of the {label}: Rss / Pss / Private MB | {fmt(m['Rss'] / MB, 0)} / "
                         f"{fmt(m['Pss'] / MB, 0)} / {fmt(m['Private'] / MB, 0)} | |")
    return lines


def table(rows: dict[str, Samples], runs: int, grader: list[dict], make_test: dict | None,
          warm: dict | None = None, sandbox_cost: dict | None = None) -> str:
    """The markdown report."""
    floor = rows[FLOOR]
    lines = [
        "# Bench results",
        "",
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; {machine()}.",
        f"Medians of {runs} run{'s' if runs != 1 else ''}. Wall: seconds from asking for a fresh kernel to the "
        "end of the last cell, in the course's (warm) kernel. Peak: resident memory of the kernel's process "
        "tree (MB = 10^6 bytes). x floor: lesson / floor, the floor being a fresh cold kernel that only imports "
        "TensorFlow and Keras.",
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
    if grader:
        lines += ["", "Grader, default options (each kernel sandboxed where bubblewrap runs, forked from a warm "
                  "process inside the sandbox):", "",
                  "| grader | submissions | wall s | submissions / min |", "| --- | ---: | ---: | ---: |"]
    for row in grader:
        label = f"`--jobs {row['jobs']}`" + (", cold kernels (`COURSE_WARM_KERNELS=0 COURSE_WARM_SANDBOX=0`)"
                                             if row.get("cold") else "")
        if "note" in row:
            lines.append(f"| {label} | | | {row['note']} |")
        else:
            lines.append(f"| {label} | {row['count']} | {fmt(row['seconds'])} | {fmt(row['per_minute'])} |")
    if sandbox_cost is not None:
        lines += grading_table(sandbox_cost, floor.wall)
    if warm is not None:
        lines += warm_table(warm)
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
    parser.add_argument("--grading", action="store_true",
                        help="only the floor and the cost of grading one lesson 01 submission in each mode")
    parser.add_argument("--copies", type=int, default=4, help="submissions per batch when timing the grading modes")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.copies < 1:
        parser.error("--runs and --copies must be at least 1")
    paths = [p for p in solution_notebooks() if args.only in p.name and not args.grading]
    say(f"bench: {len(paths)} notebooks, {args.runs} runs")
    rows = measure_lessons(paths, args.runs, args.timeout)
    warm = None if args.grading else measure_warm_start(args.runs, args.timeout)
    submissions = graded_submissions(paths)
    grader = [measure_grader(submissions, jobs, args.runs, args.timeout) for jobs in args.jobs if not args.grading]
    if 1 in args.jobs and not args.grading:
        grader.append(measure_grader(submissions, 1, args.runs, args.timeout, cold=True))
    lesson_01 = [p for p in graded_submissions(solution_notebooks()) if p.name.startswith("01_")]
    sandbox_cost = measure_sandbox_cost(lesson_01[0], args.runs, args.timeout, args.copies) if lesson_01 else None
    make_test = measure_make_test() if args.full else None
    report = table(rows, args.runs, grader, make_test, warm, sandbox_cost)
    if not args.grading:
        from .classroom import measure_classroom, section   # the live classroom's costs (helpers.classroom)

        report += "\n".join(section(measure_classroom())) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    say(f"written to {args.out}")
    failed = any(row.errors for row in rows.values()) or bool(warm and warm["errors"])
    return 1 if failed else 0
