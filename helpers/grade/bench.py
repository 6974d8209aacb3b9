"""Measure the grader: its overhead over plain execution, and batch wall time with 1 and 2 jobs.

    python -m helpers.grade.bench solutions/01_dense_and_batch_axis.ipynb --copies 10

Prints, as markdown: seconds to run the notebook with plain nbclient (fresh kernel), seconds
for ``grade_one`` on it (fresh kernel, extraction and judging included), their ratio, and the
wall time of a batch of ``--copies`` copies at ``--jobs 1`` and ``--jobs 2``.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from . import load, pipeline
from .execute import KERNEL_ENV, Limits


def plain_seconds(path: Path) -> float:
    """Seconds for nbclient to run ``path`` top to bottom in a fresh kernel (errors allowed)."""
    import os

    import nbclient
    import nbformat

    os.environ.update(KERNEL_ENV)
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as workdir:
        started = time.monotonic()
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": workdir}}).execute()
        return time.monotonic() - started


def graded_seconds(path: Path) -> float:
    started = time.monotonic()
    graded = pipeline.grade_one(load.load(path), path.stem, Limits())
    if graded.status != pipeline.OK:
        raise SystemExit(f"{path} graded with status {graded.status}: {graded.message}")
    return time.monotonic() - started


def batch_seconds(path: Path, copies: int, jobs: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        for n in range(copies):
            shutil.copy(path, Path(folder) / f"student_{n:02d}.ipynb")
        started = time.monotonic()
        pipeline.grade_batch([folder], Path(folder) / "out", jobs=jobs)
        return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.grade.bench", description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the single-notebook timings")
    parser.add_argument("--copies", type=int, default=10, help="submissions in the batch timings")
    args = parser.parse_args(argv)
    pairs = [(plain_seconds(args.notebook), graded_seconds(args.notebook)) for _ in range(args.runs)]
    plain = statistics.median(p for p, _ in pairs)    # interleaved, so both see the same machine load
    graded = statistics.median(g for _, g in pairs)
    print(f"| measure ({args.notebook.name}) | seconds |\n| --- | --- |")
    print(f"| plain nbclient run, median of {args.runs} | {plain:.1f} |")
    print(f"| grade_one, median of {args.runs} | {graded:.1f} |")
    print(f"| overhead ratio | {graded / plain:.2f} |")
    for jobs in (1, 2):
        print(f"| {args.copies} submissions, --jobs {jobs} | {batch_seconds(args.notebook, args.copies, jobs):.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
