"""Gradescope entry point: grade the one notebook in ``/autograder/submission``.

``python -m helpers.grade --gradescope --lesson 01`` grades it and writes
``/autograder/results/results.json``. Both paths can be changed (``--submission-dir``, ``--results``),
which is how the tests run it on a temporary folder. With a roster, the submitter is found in
``submission_metadata.json`` (:func:`helpers.grade.roster.match_submitter`, ``--match``), and
``results.json`` says how (``extra_data.matched_by``).

The autograder zip (build it, and what its ``run_autograder`` calls) is :mod:`~helpers.grade.autograder`::

    python -m helpers.grade.autograder build --lesson 01 --out autograder.zip

>>> run(Path("/tmp/sub"), Path("/tmp/results.json"), lesson="01")["score"]   # doctest: +SKIP
7
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from . import load, pipeline, report
from .roster import match_submitter
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


def read_metadata(submission_dir: Path) -> dict:
    """Gradescope's ``submission_metadata.json``, next to the submission folder ({} when unreadable)."""
    try:
        metadata = json.loads((Path(submission_dir).parent / "submission_metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return metadata if isinstance(metadata, dict) else {}


def run(submission_dir: Path = SUBMISSION_DIR, results_path: Path = RESULTS_PATH, lesson: str | None = None,
        limits: Limits = Limits(), seed: int | None = None, variants=None, student: str | None = None,
        sandbox: str = "auto", hide=(), match: str = "auto", matched_by: str = "") -> dict:
    """Grade the submission folder and write Gradescope's ``results.json``; returns its content.

    With ``variants`` (a graded release), the answers are judged against ``student``'s numbers
    (by default the submitter named in ``submission_metadata.json``, found as ``match`` says:
    auto, sid or email; ``matched_by`` says how a given ``student`` was found). ``sandbox``: auto, on or off;
    ``hide``: files the kernel must not see (the release's roster and secret).
    """
    notebooks = pipeline.collect([submission_dir]) if Path(submission_dir).is_dir() else []
    matched_by = (matched_by or "--student") if student is not None else ""
    if variants is not None and student is None:
        student, matched_by = match_submitter(read_metadata(submission_dir), variants.roster, match)
    if variants is not None and student is None:
        results = {"score": 0, "execution_time": 0, "visibility": "visible", "tests": [], "output": matched_by,
                   "extra_data": {"matched_by": None, "match": match}}
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
        if variants is not None:
            results["extra_data"].update(matched_by=matched_by, match=match)
            results["output"] = f"Graded as {student} ({matched_by}). {results['output']}"
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


if __name__ == "__main__":
    # ``python -m helpers.grade.gradescope build|run`` (older zips and notes call it so) is the
    # autograder's command line; run as a script, not imported, so no import loop.
    import runpy

    runpy.run_module("helpers.grade.autograder", run_name="__main__", alter_sys=True)
