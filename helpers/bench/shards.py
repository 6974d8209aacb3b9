"""Measure grading in shards: 12 small submissions in one run vs 3 shards at once, and the merge of many rows.

    python -m helpers.bench.shards                    # both measurements
    python -m helpers.bench.shards --merge-only --rows 5000

The submissions are lesson 00 answer blocks of a 12-student roster (each student's own filled key,
trimmed to its answers), graded with ``--jobs 1`` per process. The merge joins generated shard folders
(a grades.csv row, results.json and feedback.md per submission) with a roster gradebook and canvas.csv.

>>> rows_per_shard(10, 3)
[4, 3, 3]
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def rows_per_shard(rows: int, count: int) -> list[int]:
    return [rows // count + (1 if i < rows % count else 0) for i in range(count)]


def answer_blocks_only(nb: dict) -> dict:
    """A small submission made of ``nb``: its metadata and only its answer blocks (no check, no demo cell)."""
    from helpers.build import BEGIN, END

    cells = []
    for cell in nb["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and BEGIN in text:
            block = text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip()
            cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                          "source": block + "\n"})
    return {**nb, "cells": cells}


def make_class(folder: Path, students: int = 12) -> Path:
    """A roster, a secret and one small lesson-00 submission per student in ``folder/subs``."""

    ids = [f"s{n:02d}" for n in range(1, students + 1)]
    (folder / "roster.csv").write_text("id,name,email\n" + "".join(f"{s},Student {s},{s}@uni.edu\n" for s in ids))
    (folder / "secret.txt").write_text("a secret for the shard bench\n")
    release = folder / "release"
    subprocess.run([sys.executable, "-m", "helpers.release", "--roster", str(folder / "roster.csv"), "--secret-file",
                    str(folder / "secret.txt"), "--out", str(release), "--lessons", "00", "--keys"],
                   check=True, capture_output=True, timeout=300)
    for s in ids:
        key = next((release / "keys" / s).glob("00_*.ipynb"))
        nb = answer_blocks_only(json.loads(key.read_text(encoding="utf-8")))
        (folder / "subs" / s).mkdir(parents=True)
        (folder / "subs" / s / key.name).write_text(json.dumps(nb), encoding="utf-8")
    return folder


def grade_command(folder: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "helpers.grade", str(folder / "subs"), "--roster", str(folder / "roster.csv"),
            "--secret-file", str(folder / "secret.txt"), "--out", str(out), "--lesson", "00", "--quiet", *extra]


def time_one_vs_shards(folder: Path, count: int = 3) -> dict:
    """Seconds for the class in one run, and in ``count`` shards started at once (then merged)."""
    started = time.perf_counter()
    subprocess.run(grade_command(folder, folder / "one"), check=True, capture_output=True, timeout=3600)
    one = time.perf_counter() - started
    started = time.perf_counter()
    running = [subprocess.Popen(grade_command(folder, folder / f"shard_{i}", "--shard", f"{i}/{count}"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for i in range(1, count + 1)]
    for process in running:
        process.communicate(timeout=3600)
    sharded = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "helpers.grade", "merge", *(str(folder / f"shard_{i}") for i in
                    range(1, count + 1)), "--out", str(folder / "merged"), "--quiet"], check=True, timeout=600)
    merged = time.perf_counter() - started
    return {"one run s": round(one, 1), f"{count} shards at once s": round(sharded, 1), "merge s": round(merged, 2)}


def fake_shards(folder: Path, rows: int, count: int = 3, lessons: int = 10) -> list[Path]:
    """Shard folders holding ``rows`` graded submissions (``rows / lessons`` students), as --shard leaves them."""
    from helpers.grade import shards

    students = [f"s{n:05d}" for n in range(max(1, rows // lessons))]
    roster = folder / "roster.csv"
    roster.write_text("id,name,email\n" + "".join(f"{s},Student {s},{s}@uni.edu\n" for s in students))
    columns = ["submission", "student", "file", "lesson", "score", "max_score", "status", "message", "seconds"]
    settings = {"lesson": None, "roster": shards.file_digest(roster), "secret": "bench", "student": None,
                "seed": "random per submission", "grader": "bench", "limits": [], "sandbox": "auto",
                "listing": shards.listing_digest(students)}
    outs = []
    for index in range(1, count + 1):
        out = folder / f"shard_{index}"
        out.mkdir(parents=True)
        table = []
        for s in (s for s in students if shards.shard_of(s, count) == index):
            for lesson in range(lessons):
                name = f"{s}__{lesson:02d}_lesson"
                table.append({"submission": name, "student": s, "file": f"/subs/{s}/{lesson:02d}_lesson.ipynb",
                              "lesson": f"{lesson:02d}", "score": str(lesson % 5), "max_score": "9", "status": "ok",
                              "message": "", "seconds": "5.0"})
                (out / name).mkdir()
                (out / name / "results.json").write_text('{"score": 1, "tests": []}\n')
                (out / name / "feedback.md").write_text(f"# Feedback: {name}\n")
        with open(out / "grades.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(table)
        shards.write_manifest(out, {"index": index, "count": count, "status": shards.COMPLETE, "lms": ["canvas"],
                                    "assigned": [r["file"] for r in table], "not_graded": [],
                                    "roster_path": str(roster), "command": [], "settings": settings})
        outs.append(out)
    return outs


def time_merge(folder: Path, rows: int) -> dict:
    outs = fake_shards(folder, rows)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "helpers.grade", "merge", *map(str, outs), "--out", str(folder / "merged"),
                    "--quiet"], check=True, timeout=600)
    first = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "helpers.grade", "merge", *map(str, outs), "--out", str(folder / "merged"),
                    "--quiet"], check=True, timeout=600)
    return {"rows": rows, "merge s": round(first, 2), "merge again s": round(time.perf_counter() - started, 2)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m helpers.bench.shards", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=5000, help="rows of the generated merge (default 5000)")
    p.add_argument("--students", type=int, default=12, help="submissions graded one run vs shards (default 12)")
    p.add_argument("--merge-only", action="store_true", help="time only the merge of generated shards")
    args = p.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as scratch:
        results["merge"] = time_merge(Path(scratch) / "merge", args.rows) if (Path(scratch) / "merge").mkdir() is None else {}
        if not args.merge_only:
            results["grading"] = time_one_vs_shards(make_class(Path(scratch), args.students))
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
