"""The Gradescope autograder zip: what it holds, how it is built, and the code its ``run_autograder`` calls.

``python -m helpers.grade.autograder build --lesson 01 --out autograder.zip`` writes a zip with, at its top
(``python -m helpers.grade.gradescope build`` is the same command, kept for older notes):

- ``setup.sh``: Gradescope runs it once, on its Ubuntu image, to build the autograder: Python 3.11 or
  newer from apt, a virtual environment in ``/autograder/venv``, and the course installed from the
  zip's own copy with its pinned dependencies (``pip install ./course[cpu]``);
- ``run_autograder``: runs for every submission; grades the notebook in ``$AUTOGRADER_ROOT/submission``
  (default root ``/autograder``) and writes ``$AUTOGRADER_ROOT/results/results.json``, whatever happens;
- ``autograder.json``: the lesson and the grader's options, read by ``run_autograder``;
- ``course/``: ``pyproject.toml``, ``README.md``, ``LICENSE`` and ``helpers/`` (no notebooks, tests or outputs);
- with ``--roster ROSTER.csv --secret-file KEY`` (a graded release): ``roster.csv`` and ``secret.key``;
  the student is then taken from Gradescope's ``submission_metadata.json`` (``--match``: their ``sid``
  against the roster's ``id``, their email against its ``email`` column, or ``auto``: both, see
  :func:`helpers.grade.roster.match_submitter`) and handed to the grader; ``results.json`` says
  which rule found them (``extra_data.matched_by``).

Imports point one way: ``autograder`` -> ``cli`` (the grader's command line) -> ``gradescope``.

>>> build("01", Path("autograder.zip")).name      # doctest: +SKIP
'autograder.zip'
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import sys
import time
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CONFIG = "autograder.json"
COURSE = "course"
ROSTER, SECRET = "roster.csv", "secret.key"
_SKIPPED = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)   # every entry's date, so the same source gives the same zip

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root on its Ubuntu image, when it builds the autograder.
# Python 3.11 or newer (Keras 3.15 needs it), a virtual environment in /autograder/venv, and the
# course from this zip's own copy (course/) with its pinned dependencies, TensorFlow's CPU build.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${AUTOGRADER_ROOT:-/autograder}/venv"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 python3-venv ca-certificates >/dev/null
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    # Ubuntu 22.04 ships Python 3.10; its universe section has 3.11. Ubuntu 24.04 needs nothing more.
    apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv >/dev/null
    PYTHON=python3.11
fi
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "$HERE/course[cpu]"
"$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 \
    --env TF_CPP_MIN_LOG_LEVEL 3 --env TF_ENABLE_ONEDNN_OPTS 0 >/dev/null
# Fail the build here, where the instructor sees it, rather than at the first submission.
TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/python" -c \
    "import helpers.grade, keras, tensorflow; print('autograder ready: keras', keras.__version__, 'tensorflow', tensorflow.__version__)"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission (as /autograder/run_autograder). It grades the notebook
# in $ROOT/submission and always leaves $ROOT/results/results.json. AUTOGRADER_ROOT moves the root:
# the course's tests run it in a temporary folder, with their own Python first on PATH.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
COURSE="$ROOT/source/course"
PYTHON="$ROOT/venv/bin/python"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3 || command -v python)"
export TF_CPP_MIN_LOG_LEVEL=3 TF_ENABLE_ONEDNN_OPTS=0 MPLBACKEND=Agg
# The zip's copy of the course, for the grader and the kernels it starts.
export PYTHONPATH="$COURSE${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$ROOT/results"
rm -f "$ROOT/results/results.json"
cd "$COURSE" && "$PYTHON" -m helpers.grade.autograder run --root "$ROOT"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
    printf '%s\n' '{"score": 0, "execution_time": 0, "visibility": "visible", "tests": [], "output": "The autograder stopped before it could grade your notebook: a problem on the course side, not in your work. Your instructor can read its log (exit code '"$status"'); submit again later or ask them."}' \
        > "$ROOT/results/results.json"
fi
exit "$status"
"""


class BuildError(ValueError):
    """A build that cannot go ahead; the message says why."""


# -- building the zip ---------------------------------------------------------------------------------------------
def course_files(project: Path = PROJECT) -> list[tuple[Path, str]]:
    """``(file, name in the zip)`` for the course copy: the package and what installing it needs."""
    if not (project / "pyproject.toml").is_file():
        raise BuildError(f"{project} is not a checkout of the course (no pyproject.toml); build from one")
    files = [(project / name, f"{COURSE}/{name}") for name in ("pyproject.toml", "README.md", "LICENSE")
             if (project / name).is_file()]
    for path in sorted((project / "helpers").rglob("*")):
        parts = path.relative_to(project).parts
        if path.is_file() and not _SKIPPED.intersection(parts) and path.suffix not in {".pyc", ".pyo"}:
            files.append((path, f"{COURSE}/{'/'.join(parts)}"))
    return files


def read_roster_ids(path: Path) -> list[str]:
    """The ``id`` column of a roster CSV (header required); raises :class:`BuildError` when unusable."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = [name.strip() for name in reader.fieldnames or []]
            if "id" not in fields:
                raise BuildError(f"{path}: the roster needs a header with an `id` column (found: {', '.join(fields) or 'none'})")
            column = reader.fieldnames[fields.index("id")]
            ids = [(row.get(column) or "").strip() for row in reader]
    except OSError as err:
        raise BuildError(f"{path}: {err.strerror or err}") from err
    ids = [i for i in ids if i]
    if not ids:
        raise BuildError(f"{path}: the roster has no student ids")
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise BuildError(f"{path}: duplicate ids in the roster: {', '.join(repeated)}")
    return ids


def build(lesson: str, out: Path, roster: Path | None = None, secret_file: Path | None = None,
          grader_options: list[str] | tuple = (), project: Path = PROJECT, match: str = "auto") -> Path:
    """Write the autograder zip for ``lesson`` to ``out``; returns ``out``."""
    from ..exercises import lessons

    lesson = str(lesson).zfill(2)
    if lesson not in lessons():
        raise BuildError(f"--lesson {lesson}: no such lesson with exercises (known: {', '.join(lessons())})")
    if (roster is None) != (secret_file is None):
        raise BuildError("a graded release needs both --roster and --secret-file")
    extras: list[tuple[bytes, str]] = []
    if roster is not None:
        read_roster_ids(roster)
        from ..release import ReleaseError, read_roster
        from .roster import check_match

        try:
            problem = check_match(read_roster(roster), match)
        except ReleaseError as err:
            problem = str(err)
        if problem:
            raise BuildError(problem)
        try:
            secret = Path(secret_file).read_bytes()
        except OSError as err:
            raise BuildError(f"{secret_file}: {err.strerror or err}") from err
        if not secret.strip():
            raise BuildError(f"{secret_file}: the secret file is empty")
        extras = [(Path(roster).read_bytes(), ROSTER), (secret, SECRET)]
    config = {"lesson": lesson, "grader_options": list(grader_options),
              "roster": ROSTER if roster is not None else None,
              "secret_file": SECRET if roster is not None else None,
              "match": match if roster is not None else None}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _add(archive, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(archive, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        _add(archive, CONFIG, (json.dumps(config, indent=1) + "\n").encode())
        for data, name in extras:
            _add(archive, name, data)
        for path, name in course_files(project):
            _add(archive, name, path.read_bytes())
    partial.replace(out)
    return out


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)


# -- inside the autograder ---------------------------------------------------------------------------------------
def grader_arguments(root: Path, config: dict, student: str | None = None, matched_by: str = "") -> list[str]:
    """The command line handed to ``python -m helpers.grade`` for one Gradescope submission."""
    root = Path(root)
    source = root / "source"
    argv = ["--gradescope", "--quiet", "--lesson", config["lesson"], "--submission-dir", str(root / "submission"),
            "--results", str(root / "results" / "results.json"), *config.get("grader_options", [])]
    if config.get("roster"):
        argv += ["--roster", str(source / config["roster"]), "--secret-file", str(source / config["secret_file"])]
        if student is not None:
            argv += ["--student", student]
            if matched_by:
                argv += ["--matched-by", matched_by]
    return argv


def failure(message: str) -> dict:
    """A score-0 ``results.json`` that tells the student what happened."""
    return {"score": 0, "execution_time": 0, "visibility": "visible", "tests": [], "output": message}


def write_results(path: Path, results: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


def call_grader(argv: list[str]) -> tuple[int, str]:
    """Run ``python -m helpers.grade`` in this process; returns its exit code and what it wrote to stderr."""
    from .cli import main as grade_main

    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        try:
            code = grade_main(argv)
        except SystemExit as stop:   # argparse: an option this grader does not know, a bad value
            code = stop.code if isinstance(stop.code, int) else 2
    sys.stderr.write(errors.getvalue())
    return int(code or 0), errors.getvalue()


def autograde(root: Path, grade=call_grader) -> dict:
    """Grade ``root/submission`` as ``root/source/autograder.json`` says; always writes ``root/results/results.json``."""
    import helpers

    root = Path(root)
    results_path = root / "results" / "results.json"
    started = time.monotonic()
    try:
        config = json.loads((root / "source" / CONFIG).read_text(encoding="utf-8"))
        print(f"grading lesson {config['lesson']} with the course in {Path(helpers.__file__).parent}", flush=True)
        student = None
        if config.get("roster"):
            metadata_path = root / "submission_metadata.json"
            try:
                metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                metadata = {}
                print(f"cannot read {metadata_path}: {err}", file=sys.stderr)
            from ..release import read_roster
            from .roster import match_submitter

            how = config.get("match") or "auto"
            student, matched_by = match_submitter(metadata, read_roster(root / "source" / config["roster"]), how)
            if student is None:
                results = {**failure(matched_by), "extra_data": {"matched_by": None, "match": how}}
                write_results(results_path, results)
                return results
            print(f"student: {student} ({matched_by})", flush=True)
        code, errors = grade(grader_arguments(root, config, student, matched_by if config.get("roster") else ""))
        if code != 0 or not results_path.is_file():
            detail = errors.strip().splitlines()[-1] if errors.strip() else f"exit code {code}"
            raise RuntimeError(f"the grader stopped: {detail}")
        return json.loads(results_path.read_text(encoding="utf-8"))
    except Exception as err:  # noqa: BLE001 - whatever went wrong, the student gets a results.json
        print(f"autograder error: {type(err).__name__}: {err}", file=sys.stderr)
        results = failure("The autograder could not grade your notebook because of a problem on the course "
                          f"side, not in your work ({err}). Your instructor can see the log; submit again "
                          "later or ask them.")
        results["execution_time"] = round(time.monotonic() - started, 2)
        write_results(results_path, results)
        return results


def parser() -> argparse.ArgumentParser:
    from .roster import MATCH_CHOICES

    p = argparse.ArgumentParser(prog="python -m helpers.grade.autograder",
                                description="Build the Gradescope autograder zip, or run it (what run_autograder calls).")
    commands = p.add_subparsers(dest="command", required=True)
    build_ = commands.add_parser("build", help="write the autograder zip for one lesson")
    build_.add_argument("--lesson", required=True, help="the lesson (NN) the assignment grades")
    build_.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip to write (default autograder.zip)")
    build_.add_argument("--roster", type=Path, help="graded release: the roster CSV (an `id` column)")
    build_.add_argument("--secret-file", type=Path, help="graded release: the file holding the release's secret")
    build_.add_argument("--match", choices=MATCH_CHOICES, default="auto",
                        help="graded release: find the submitter by their Gradescope sid (= roster id), their email "
                             "(= roster email column), or auto: sid, then email, then email = id (default)")
    for option, kind in (("--timeout", float), ("--total-timeout", float), ("--memory-mb", int)):
        build_.add_argument(option, type=kind, help="passed to the grader (see python -m helpers.grade --help)")
    run_ = commands.add_parser("run", help="grade ROOT/submission into ROOT/results/results.json")
    run_.add_argument("--root", type=Path, default=Path("/autograder"), help="the autograder root (default /autograder)")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command == "run":
        results = autograde(args.root)
        print(f"{results.get('score', 0):g} points; wrote {args.root / 'results' / 'results.json'}")
        return 0
    given = {name: getattr(args, name) for name in ("timeout", "total_timeout", "memory_mb")
             if getattr(args, name) is not None}
    if any(value <= 0 for name, value in given.items() if name != "memory_mb") or given.get("memory_mb", 0) < 0:
        p.error("--timeout and --total-timeout must be positive, --memory-mb not negative")
    options = [item for name, value in given.items() for item in (f"--{name.replace('_', '-')}", f"{value:g}")]
    try:
        out = build(args.lesson, args.out, roster=args.roster, secret_file=args.secret_file,
                    grader_options=options, match=args.match)
    except BuildError as err:
        p.error(str(err))
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB): upload it on the assignment's Configure Autograder page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
