"""Gradescope entry point: grade the one notebook in ``/autograder/submission``.

Gradescope runs ``/autograder/run_autograder``; with this course installed in the image,
that script can be just::

    #!/usr/bin/env bash
    cd /autograder/source && python -m helpers.grade --gradescope --lesson 01

It writes ``/autograder/results/results.json``. Both paths can be changed
(``--submission-dir``, ``--results``), which is how the tests run it on a temporary folder.

>>> run(Path("/tmp/sub"), Path("/tmp/results.json"), lesson="01")["score"]   # doctest: +SKIP
7
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from . import load, pipeline, report
from .execute import Limits

SUBMISSION_DIR = Path("/autograder/submission")
RESULTS_PATH = Path("/autograder/results/results.json")


def choose(notebooks: list[Path], lesson: str | None) -> tuple[Path, list[Path]]:
    """The notebook to grade (the first one that loads without a problem), and the ones left out."""
    for path in notebooks:
        if not load.load(path, lesson).problem:
            return path, [p for p in notebooks if p != path]
    return notebooks[0], notebooks[1:]


def run(submission_dir: Path = SUBMISSION_DIR, results_path: Path = RESULTS_PATH, lesson: str | None = None,
        limits: Limits = Limits(), seed: int | None = None, sandbox: str = "auto") -> dict:
    """Grade the submission folder and write Gradescope's ``results.json``; returns its content."""
    notebooks = pipeline.collect([submission_dir]) if Path(submission_dir).is_dir() else []
    if not notebooks:
        results = {"score": 0, "execution_time": 0, "visibility": "visible", "tests": [],
                   "output": "No .ipynb file was found in your submission: upload the notebook file itself."}
    else:
        chosen, left_out = choose(notebooks, lesson)
        with tempfile.TemporaryDirectory(prefix="gradescope-") as out_dir:
            graded = pipeline.grade_batch([chosen], out_dir, lesson=lesson, limits=limits, seed=seed, force=True,
                                          sandbox=sandbox)
        results = report.gradescope_results(graded[0])
        if left_out:
            names = ", ".join(p.name for p in left_out)
            results["output"] += f" Graded {chosen.name}; not graded: {names}."
    results_path = Path(results_path)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return results
