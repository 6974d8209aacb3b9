"""Gradescope entry point: grade the one notebook in ``/autograder/submission``.

``python -m helpers.grade --gradescope --lesson 01`` grades it and writes
``/autograder/results/results.json``. Both paths can be changed (``--submission-dir``, ``--results``),
which is how the tests run it on a temporary folder.

Run as a module, it builds the autograder zip to upload to Gradescope, and is what the zip's
``run_autograder`` calls (see :mod:`~helpers.grade.autograder`)::

    python -m helpers.grade.gradescope build --lesson 01 --out autograder.zip
    python -m helpers.grade.gradescope run --root /autograder

>>> run(Path("/tmp/sub"), Path("/tmp/results.json"), lesson="01")["score"]   # doctest: +SKIP
7
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from . import load, pipeline, report
from .execute import Limits

SUBMISSION_DIR = Path("/autograder/submission")
RESULTS_PATH = Path("/autograder/results/results.json")

_DOWNLOAD = ("In JupyterLab, save the notebook (File > Save), download it (right-click it in the file "
             "browser > Download) and upload that .ipynb file.")
# What the student can do about a submission that could not be graded or did not run to the end.
FIXES = {
    "unreadable": "The file could not be read. " + _DOWNLOAD,
    "empty file": "The file is empty. " + _DOWNLOAD,
    "file too large": "Clear the outputs first (Edit > Clear Outputs of All Cells), save, and upload again.",
    "invalid JSON": "This is not a notebook file as Jupyter saves it (renamed, exported or damaged). " + _DOWNLOAD,
    "not a notebook": "This is not a notebook file as Jupyter saves it. " + _DOWNLOAD,
    "unknown lesson": "Upload the course's notebook for this lesson, the one you worked in (it carries its lesson number).",
    "wrong lesson": "Upload the notebook of the lesson this assignment is about.",
    "kernel died": "Your notebook crashed its Python (often: too much memory). Run it top to bottom "
                   "(Kernel > Restart Kernel and Run All Cells), fix what stops it, and upload again.",
    "cell never ended": "A cell kept running and could not be interrupted. Remove endless loops, check with "
                        "Kernel > Restart Kernel and Run All Cells, and upload again.",
    "time limit": "Your notebook took too long to run. Check with Kernel > Restart Kernel and Run All Cells "
                  "that it finishes in a few minutes, and upload again.",
    "cell timeout": "A cell ran too long and was interrupted; the answers it did not reach earned nothing. "
                    "Shorten it (fewer epochs, smaller loops) and upload again.",
}


def choose(notebooks: list[Path], lesson: str | None) -> tuple[Path, list[Path]]:
    """The notebook to grade (the first one that loads without a problem), and the ones left out."""
    for path in notebooks:
        if not load.load(path, lesson).problem:
            return path, [p for p in notebooks if p != path]
    return notebooks[0], notebooks[1:]


def submitter(submission_dir: Path, roster_ids) -> str | None:
    """The roster id of the Gradescope submitter, from ``submission_metadata.json`` next to the
    submission folder (its users' ``sid``, ``email`` or ``id``, whichever is on the roster)."""
    try:
        metadata = json.loads((Path(submission_dir).parent / "submission_metadata.json").read_text(encoding="utf-8"))
        users = metadata.get("users") or []
    except (OSError, ValueError, AttributeError):
        return None
    for user in users if isinstance(users, list) else []:
        for field in ("sid", "email", "id"):
            value = user.get(field) if isinstance(user, dict) else None
            if value is not None and str(value).strip() in roster_ids:
                return str(value).strip()
    return None


def run(submission_dir: Path = SUBMISSION_DIR, results_path: Path = RESULTS_PATH, lesson: str | None = None,
        limits: Limits = Limits(), seed: int | None = None, variants=None, student: str | None = None,
        sandbox: str = "auto", hide=()) -> dict:
    """Grade the submission folder and write Gradescope's ``results.json``; returns its content.

    With ``variants`` (a graded release), the answers are judged against ``student``'s numbers
    (by default the submitter named in ``submission_metadata.json``). ``sandbox``: auto, on or off;
    ``hide``: files the kernel must not see (the release's roster and secret).
    """
    notebooks = pipeline.collect([submission_dir]) if Path(submission_dir).is_dir() else []
    if variants is not None and student is None:
        student = submitter(submission_dir, variants.roster.rows)
    if variants is not None and student is None:
        results = {"score": 0, "execution_time": 0, "visibility": "visible", "tests": [],
                   "output": "Your Gradescope account is not on this course's roster, so your numbers are "
                             "unknown: please tell your instructor."}
    elif not notebooks:
        results = {"score": 0, "execution_time": 0, "visibility": "visible", "tests": [],
                   "output": "No .ipynb file was found in your submission: upload the notebook file itself."}
    else:
        chosen, left_out = choose(notebooks, lesson)
        if variants is not None:
            variants.claim(chosen, student)
        with tempfile.TemporaryDirectory(prefix="gradescope-") as out_dir:
            graded = pipeline.grade_batch([chosen], out_dir, lesson=lesson, limits=limits, seed=seed, force=True,
                                          variants=variants, sandbox=sandbox, hide=hide)
        results = report.gradescope_results(graded[0])
        if left_out:
            names = ", ".join(p.name for p in left_out)
            results["output"] += f" Graded {chosen.name}; not graded: {names}."
        fix = FIXES.get(results.get("extra_data", {}).get("status"))
        if fix:
            results["output"] += f" What to do: {fix}"
    results_path = Path(results_path)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return results


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m helpers.grade.gradescope",
                                description="Build the Gradescope autograder zip, or run it (what run_autograder calls).")
    commands = p.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write the autograder zip for one lesson")
    build.add_argument("--lesson", required=True, help="the lesson (NN) the assignment grades")
    build.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip to write (default autograder.zip)")
    build.add_argument("--roster", type=Path, help="graded release: the roster CSV (an `id` column)")
    build.add_argument("--secret-file", type=Path, help="graded release: the file holding the release's secret")
    for option, kind in (("--timeout", float), ("--total-timeout", float), ("--memory-mb", int)):
        build.add_argument(option, type=kind, help="passed to the grader (see python -m helpers.grade --help)")
    run_ = commands.add_parser("run", help="grade ROOT/submission into ROOT/results/results.json")
    run_.add_argument("--root", type=Path, default=SUBMISSION_DIR.parent, help="the autograder root (default /autograder)")
    return p


def main(argv: list[str] | None = None) -> int:
    from . import autograder

    p = parser()
    args = p.parse_args(argv)
    if args.command == "run":
        results = autograder.autograde(args.root)
        print(f"{results.get('score', 0):g} points; wrote {args.root / 'results' / 'results.json'}")
        return 0
    given = {name: getattr(args, name) for name in ("timeout", "total_timeout", "memory_mb")
             if getattr(args, name) is not None}
    if any(value <= 0 for name, value in given.items() if name != "memory_mb") or given.get("memory_mb", 0) < 0:
        p.error("--timeout and --total-timeout must be positive, --memory-mb not negative")
    options = [item for name, value in given.items() for item in (f"--{name.replace('_', '-')}", f"{value:g}")]
    try:
        out = autograder.build(args.lesson, args.out, roster=args.roster, secret_file=args.secret_file,
                               grader_options=options)
    except autograder.BuildError as err:
        p.error(str(err))
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB): upload it on the assignment's Configure Autograder page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
