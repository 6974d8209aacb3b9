"""The grading pipeline: load -> execute -> extract -> judge -> report, for one file or a batch.

>>> graded = grade_batch(["alice.ipynb", "bob.ipynb"], "grades", jobs=2)   # doctest: +SKIP
>>> [g.status for g in graded]                                               # doctest: +SKIP
['ok', 'cell timeout']

Statuses (the ``status`` column), most severe first: the load problems (``unreadable``,
``empty file``, ``file too large``, ``invalid JSON``, ``not a notebook``, ``unknown lesson``,
``wrong lesson``), ``kernel failed to start``, ``kernel died``, ``cell never ended``,
``time limit``, ``cell timeout``, ``large output``, ``grader error`` and ``ok``. With a roster
(:mod:`helpers.grade.roster`), ``other variant`` comes first: an answer right only for another
student's numbers, or for the published ones.
Whatever the status, every exercise that could be read is judged.

Each kernel runs in a sandbox (:mod:`~helpers.grade.sandbox`) when ``sandbox`` is ``"auto"``
(where bubblewrap works; otherwise every row's message says it was graded without one) or
``"on"`` (no grading without it); ``"off"`` runs kernels with the grader's own rights.
"""
from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Iterable

from ..exercises import exercises_for
from . import execute, extract, judge, load, report, sandbox as sandboxes
from .execute import Limits

OK = "ok"
KERNEL_FAILED, KERNEL_DIED, NEVER_ENDED = "kernel failed to start", "kernel died", "cell never ended"
TIME_LIMIT, CELL_TIMEOUT, LARGE_OUTPUT, GRADER_ERROR = "time limit", "cell timeout", "large output", "grader error"
_SEVERITY = [KERNEL_DIED, NEVER_ENDED, TIME_LIMIT, CELL_TIMEOUT, LARGE_OUTPUT]

_STOP = threading.Event()   # set on Ctrl-C: running submissions stop at their next cell


def new_seed() -> int:
    """A fresh random seed for a submission's function-exercise inputs (never 0, the lesson's own)."""
    return secrets.randbelow(2**31 - 2) + 1


def grade_one(sub: load.Submission, name: str, limits: Limits = Limits(), seed: int | None = None,
              variants=None, student: str = "", box: sandboxes.Sandbox | None = None,
              unconfined: str = "") -> report.Graded:
    """Grade one loaded submission, its kernel in ``box`` (None: unconfined, ``unconfined`` saying
    why, to be added to the row's message); never raises.

    With ``variants`` (a :class:`helpers.grade.roster.RosterGrading`) and ``student``, the answers are
    judged against that student's numbers, and answers that fit other numbers are flagged.
    """
    started = time.monotonic()
    seed = new_seed() if seed is None else seed
    graded = report.Graded(str(Path(sub.path).resolve()), name, sub.lesson, OK, "", seed=seed, student=student)
    try:
        if variants is not None and sub.lesson:
            exercises = variants.exercises(student, sub.lesson)
        else:
            exercises = exercises_for(sub.lesson) if sub.lesson else []
    except KeyError:
        exercises = []
    graded.max_score = float(sum(e.points for e in exercises))
    try:
        if sub.problem:
            graded.status, graded.message = sub.problem, sub.detail
            graded.verdicts = [judge.unreadable(e, f"the submission is not gradable: {sub.problem}") for e in exercises]
        else:
            answers = _run_and_judge(sub, exercises, limits, seed, graded, box)
            if variants is not None and answers:
                variants.flag_other_variants(graded, student, exercises, answers, seed)
    except Exception as err:  # noqa: BLE001 - a grader bug costs one row, never the batch
        graded.status, graded.message = GRADER_ERROR, f"{type(err).__name__}: {err}"[:300]
        graded.verdicts = [judge.unreadable(e, "the grader failed on this submission") for e in exercises]
    if unconfined:
        graded.message = f"[{unconfined}] {graded.message}".strip()[:700]
    graded.seconds = time.monotonic() - started
    return graded


def _run_and_judge(sub, exercises, limits: Limits, seed: int, graded: report.Graded, box=None) -> dict | None:
    problems: list[str] = []
    answers: dict[str, list[extract.Answer]] = {e.key: [] for e in exercises}
    last_cell = len(sub.code_cells) - 1
    lost = ""
    with tempfile.TemporaryDirectory(prefix="course-grade-", dir=box.scratch_folder() if box else None) as scratch:
        workdir = Path(scratch) / "work"
        workdir.mkdir()
        shutil.copy2(sub.path, workdir / "submission.ipynb")
        answer_dir = Path(tempfile.mkdtemp(prefix="answers-", dir=scratch))
        for exercise in exercises:   # made now, so that a sandboxed kernel owns them
            (answer_dir / exercise.key).mkdir()
        points = extract.reading_points(exercises, sub.code_cells)
        kernel = execute.Kernel(workdir, limits, sandbox=box, scratch=scratch)
        try:
            kernel.start()
        except Exception as err:  # noqa: BLE001
            graded.status, graded.message = KERNEL_FAILED, f"{type(err).__name__}: {err}"[:300]
            graded.verdicts = [judge.unreadable(e, "the grader could not start a kernel") for e in exercises]
            return None
        # the notebook's own time: not the wait for a kernel (the first ones wait for the warm process)
        deadline = time.monotonic() + limits.total_timeout
        with kernel:
            for position, source in enumerate(sub.code_cells):
                label = f"code cell {position + 1}"
                remaining = deadline - time.monotonic()
                if remaining <= 0 or _STOP.is_set():
                    problems.append(TIME_LIMIT)
                    graded.cell_notes.append(f"Stopped before {label}: the whole notebook may run at most "
                                             f"{limits.total_timeout:g} s.")
                    break
                if source.strip():
                    run = kernel.run(source, timeout=min(limits.cell_timeout, remaining), index=position)
                    lost = _note_cell(run, label, limits, problems, graded.cell_notes,
                                      expected_error=position in sub.expected_errors)
                    if lost:
                        break
                for exercise in points.get(position, []):
                    answers[exercise.key].append(extract.take(kernel, exercise, answer_dir, seed))
            if time.monotonic() >= deadline:
                problems.append(TIME_LIMIT)
            for exercise in exercises:
                if lost:
                    if not answers[exercise.key]:
                        answers[exercise.key].append(extract.Answer("unreadable", why=lost))
                elif exercise not in points.get(last_cell, []):
                    answers[exercise.key].append(extract.take(kernel, exercise, answer_dir, seed))
    graded.verdicts = [judge.best(e, answers[e.key], seed) for e in exercises]
    ranked = [p for p in _SEVERITY if p in problems]
    if ranked:
        graded.status = ranked[0]
    graded.message = " ".join(graded.cell_notes[:3])[:500]
    return answers


def _note_cell(run: execute.CellRun, label: str, limits: Limits, problems: list, notes: list,
               expected_error: bool = False) -> str:
    """Record what went wrong in one cell; returns why the kernel is lost, or ''."""
    if run.output_bytes > limits.output_bytes:
        problems.append(LARGE_OUTPUT)
        notes.append(f"{label} printed {run.output_bytes / 1e6:.1f} MB of output; the grader kept none of it.")
    elif run.output_lost:
        problems.append(LARGE_OUTPUT)
        notes.append(f"{label} sent an output larger than {limits.message_bytes / 2**20:g} MB at once; "
                     "the grader dropped it.")
    if run.status == execute.ERROR and not expected_error:
        notes.append(f"{label} raised {run.error}")
    elif run.status == execute.TIMEOUT:
        problems.append(CELL_TIMEOUT)
        notes.append(f"{label} was {run.error}; the next cells still ran.")
    elif run.status == execute.STUCK:
        problems.append(NEVER_ENDED)
        notes.append(f"{label} never ended, even when interrupted; the cells after it did not run.")
        return f"your notebook never finished {label}"
    elif run.status == execute.DIED:
        problems.append(KERNEL_DIED)
        if run.error == execute.ALREADY_STOPPED:
            notes.append(f"The kernel stopped before {label} (did the cell before call exit() or quit()?).")
            return f"the kernel stopped before {label}"
        crash = run.error.strip().splitlines()[-1][:200] if run.error.strip() else ""
        notes.append(f"The kernel stopped during {label}" + (f" ({crash})." if crash else "."))
        return f"the kernel stopped during {label}"
    return ""


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "submission"


def unique_names(paths: list[Path], taken: Iterable[str] = ()) -> list[str]:
    """A folder name per submission: its file name without ``.ipynb``, with the parent folder's
    name in front when two submissions share a file name.

    >>> unique_names([Path("alice/01.ipynb"), Path("bob/01.ipynb"), Path("c.ipynb")])
    ['alice__01', 'bob__01', 'c']
    """
    stems = [_safe(p.stem) for p in paths]
    used = set(taken)
    names = []
    for path, stem in zip(paths, stems):
        name = stem if stems.count(stem) == 1 else _safe(f"{path.resolve().parent.name}__{stem}")
        candidate, n = name, 2
        while candidate in used:
            candidate, n = f"{name}-{n}", n + 1
        used.add(candidate)
        names.append(candidate)
    return names


def submission_names(paths: list[Path], variants=None, taken: Iterable[str] = ()) -> list[str]:
    """The output folder names of ``paths``: :func:`unique_names`, with the student in front when
    grading a roster (``variants``)."""
    if variants is None:
        return unique_names(paths, taken)
    return unique_names([Path(f"{variants.student_of(p)}__{Path(p).name}") for p in paths], taken)


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """The submission files: files as given, folders searched for ``*.ipynb`` (checkpoints skipped)."""
    found: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            found += sorted(p for p in item.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(item)
    unique, seen = [], set()
    for path in found:
        key = str(path.resolve())
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def grade_batch(paths: Iterable[str | Path], out_dir: str | Path, *, jobs: int = 1, limits: Limits = Limits(),
                lesson: str | None = None, force: bool = False, seed: int | None = None,
                log: Callable[[str], None] | None = None, variants=None,
                sandbox: str = "auto", hide: Iterable[str | Path] = (),
                names: dict[str, str] | None = None) -> list[report.Graded]:
    """Grade every submission, ``jobs`` at a time; write the reports as each one finishes.

    Files already in ``out_dir/grades.csv`` are skipped unless ``force``. Returns what was graded now.
    With ``variants`` (:class:`helpers.grade.roster.RosterGrading`), every path must belong to a
    roster student (``variants.student_of``); grades.csv gains a ``student`` column.
    ``sandbox`` is auto, on or off (see the module docstring); ``on`` raises
    :class:`~helpers.grade.sandbox.SandboxUnavailable` where the sandbox cannot run. ``hide`` names more
    files the kernels must not see (a graded release's roster and secret). ``names``: each file's
    output folder name, by resolved path (a shard passes the names of the whole listing).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    log = log or (lambda line: None)
    found = collect(paths)
    box, unconfined = sandboxes.choose(sandbox, hidden=[out_dir, *found, *{p.resolve().parent for p in found},
                                                          *(Path(h).resolve() for h in hide)])
    if unconfined:
        print(f"WARNING: {unconfined}. Each kernel runs with your rights: it can read your files and "
              "use the network. Use --sandbox on to refuse, --sandbox off to silence this.", flush=True)
    subs = [load.load(path, lesson) for path in found]
    keys = [e.key for lesson_id in sorted({s.lesson for s in subs if s.lesson and not s.problem})
            for e in exercises_for(lesson_id)]
    table = report.GradesTable(out_dir / "grades.csv", keys, student_column=variants is not None)
    done = table.graded_files()
    todo = [s for s in subs if force or str(s.path.resolve()) not in done]
    for s in subs:
        if s not in todo:
            log(f"skip   {s.path} (already in grades.csv; --force grades it again)")
    taken = {row.get("submission", "") for file, row in table.rows.items()
             if file not in {str(s.path.resolve()) for s in todo}}
    students = [variants.student_of(s.path) for s in todo] if variants is not None else [""] * len(todo)
    if names is not None:
        names = [names[str(s.path.resolve())] for s in todo]
    else:
        names = submission_names([s.path for s in todo], variants, taken)
    results = []
    _STOP.clear()
    warming = _warm_up(box) if todo else []
    pool = ThreadPoolExecutor(max_workers=max(1, int(jobs)), thread_name_prefix="grade")
    try:
        futures = {pool.submit(grade_one, sub, name, limits, seed, variants, student, box, unconfined): sub
                   for sub, name, student in zip(todo, names, students)}
        for future in as_completed(futures):
            graded = future.result()
            report.write_submission(out_dir, graded)
            table.add(graded)
            results.append(graded)
            log(f"graded {futures[future].path}: {graded.score:g}/{graded.max_score:g} [{graded.status}] "
                f"in {graded.seconds:.1f} s")
    except KeyboardInterrupt:
        _STOP.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        for thread in warming:
            thread.join()
        if box is not None:
            box.close()
    return results


def _warm_up(box: sandboxes.Sandbox | None) -> list[threading.Thread]:
    """Start, side by side with the first submission, the two slow things a batch waits for once:
    the sandbox's warm process (when it has one) and the grader's own Keras import (it loads the
    models that answers hand in). Returns the threads doing them."""
    steps: list[Callable[[], object]] = [extract.import_keras]
    if box is not None and box.warm:
        steps.insert(0, box.scratch_folder)   # starts the warm process; the first kernel waits for it
    def quietly(step: Callable[[], object]) -> None:
        try:
            step()
        except Exception:  # noqa: BLE001 - the submission that needs it meets the same error, in its row
            pass

    threads = [threading.Thread(target=quietly, args=(step,), name="grade-warm-up", daemon=True) for step in steps]
    for thread in threads:
        thread.start()
    return threads
