"""Graded releases: per-student numbers, no solutions in the learners' hands, a roster gradebook.

The check-level tests draw many variants and need no kernel; one batch of four kernels (marked
slow) grades a three-student roster and runs one released notebook with blank answers.
"""
from __future__ import annotations

import csv
import importlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers.build import BEGIN, END
from helpers.exercises import (NOT_ATTEMPTED, NOT_YET, RECEIVED, draw_parameters, exercises_for, graded_release,
                               lesson_texts, lessons, parameters)
from helpers.release import (ReleaseError, check_lessons, key_notebook, learner_notebook, read_roster, read_secret,
                             solution_path, substitute, variant)

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"a course secret for the tests"
STUDENTS = ["alice", "bob", "carol"]
PARAMETRIZED = [n for n in lessons() if parameters(n)]


def solution(lesson: str) -> dict:
    return json.loads(solution_path(lesson).read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def markdown(nb: dict) -> str:
    return "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def solution_blocks(nb: dict) -> list[str]:
    blocks = []
    for cell in nb["cells"]:
        text = source(cell)
        while BEGIN in text:
            start = text.index(BEGIN) + len(BEGIN)
            blocks.append(text[start:text.index(END, start)])
            text = text[text.index(END, start):]
    return blocks


def answer_of(exercise, nb: dict):
    """The key notebook's answer to ``exercise``: its solution block run on its own (else the exercise's answer)."""
    import keras

    for block in solution_blocks(nb):
        if re.search(rf"^(def )?{re.escape(exercise.reads)}\b", block.strip(), re.M):
            space = {"np": np, "keras": keras, "layers": keras.layers}
            try:
                exec(block, space)  # noqa: S102 - the course's own solution code
                return space[exercise.reads]
            except NameError:
                break
    space = {"np": np, "keras": keras, "layers": keras.layers}
    exec(exercise.answer, space)  # noqa: S102
    return space[exercise.reads]


def write_roster(folder: Path, text: str) -> Path:
    path = folder / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


# -- variants ------------------------------------------------------------------------------------------------
def test_variants_are_recomputable_and_differ_between_students_and_secrets():
    assert variant(SECRET, "alice", "01") == variant(SECRET, "alice", "1")
    numbers = [variant(SECRET, s, "01") for s in STUDENTS]
    assert len({json.dumps(n, sort_keys=True) for n in numbers}) == 3
    assert variant(b"another secret", "alice", "01") != numbers[0]
    assert numbers[0] != parameters("01")


@pytest.mark.parametrize("lesson", PARAMETRIZED)
def test_every_template_is_in_the_lesson_and_the_defaults_change_nothing_but_wrapping(lesson):
    published = solution(lesson)
    same = substitute(published, lesson_texts(lesson, parameters(lesson)))
    words = [source(c).split() for c in published["cells"]]
    assert [source(c).split() for c in same["cells"]] == words


@pytest.mark.parametrize("lesson", PARAMETRIZED)
def test_fifty_drawn_variants_keys_pass_and_published_answers_fail(lesson):
    published = solution(lesson)
    defaults = exercises_for(lesson)
    rng = np.random.default_rng(2026)
    for _ in range(50):
        params = draw_parameters(lesson, rng)
        key = key_notebook(published, lesson, params)
        for exercise, default in zip(exercises_for(lesson, params), defaults):
            if exercise is default:
                continue           # not parametrized (function exercises, fixed data): the published one
            value = answer_of(exercise, key)
            judged = exercise.judge_function(value) if exercise.kind == "function" else exercise.judge(value)
            assert judged.correct, (params, exercise.key, judged)
            if exercise.kind == "value" and exercise.answer != default.answer:
                assert not exercise.judge(answer_of(default, published)).correct, (params, exercise.key)


def probes(exercise) -> list:
    """Values worth asking an exercise: its tips' wrong answers, its right one, and some nonsense."""
    tips = getattr(exercise.rule, "tips", {}) or {}
    right = exercise.answer.split("=", 1)[1].strip() if exercise.kind == "value" else "None"
    try:
        value = eval(right, {"__builtins__": {}})   # noqa: S307 - our own answer text (a shape or a count)
    except Exception:  # noqa: BLE001 - models and arrays are left to the lesson tests
        value = None
    near = []
    if isinstance(value, tuple):
        near = [value[::-1], value[1:], (None,) + value] + [value[:i] + (7,) + value[i + 1:] for i in range(len(value))]
    elif isinstance(value, list):
        near = [value[::-1], value[:2], [s[::-1] for s in value]] + [
            value[:i] + [(7,) + tuple(value[i][1:])] + value[i + 1:] for i in range(len(value))]
    elif isinstance(value, int):
        near = [value - 1, value + 1, 2 * value]
    return list(tips) + near + [value, "text", 1.5, (None,), ...]


@pytest.mark.parametrize("lesson", PARAMETRIZED)
def test_the_published_exercises_are_the_ones_built_for_the_default_numbers(lesson):
    """One source per exercise: ``build(DEFAULTS)`` says what the published lesson says, and the module's
    ``q1``, ``q2``, ... (what notebooks and tests call) are the published exercises."""
    module = importlib.import_module(f"helpers.exercises.lesson_{lesson}")
    assert not hasattr(module, "_variants"), "declare each exercise once, in build(params)"
    built = module.build(dict(module.DEFAULTS))
    assert [e.key for e in built] == [e.key for e in module.EXERCISES]
    for published, again in zip(module.EXERCISES, built):
        assert getattr(module, published.id) is published, published.key
        if published is again:
            continue       # not parametrized: one object, used by every variant
        assert published.params == module.DEFAULTS, published.key
        fields = ("prompt", "hints", "answer", "points", "kind", "reads", "answer_hints", "release_hints")
        assert [getattr(again, f) for f in fields] == [getattr(published, f) for f in fields], published.key
        for value in probes(published):
            assert again.judge(value) == published.judge(value), (published.key, value)


@pytest.mark.parametrize("lesson", PARAMETRIZED)
def test_drawn_numbers_change_every_parametrized_exercise(lesson):
    published = exercises_for(lesson)
    rng = np.random.default_rng(11)
    for _ in range(20):
        params = draw_parameters(lesson, rng)
        for exercise, default in zip(exercises_for(lesson, params), published):
            if exercise is default or exercise.kind == "function":
                continue       # not parametrized; function exercises keep their random inputs
            assert exercise.params == {**parameters(lesson), **params}, exercise.key
            assert (exercise.prompt, exercise.answer) != (default.prompt, default.answer), (params, exercise.key)


@pytest.mark.parametrize("lesson", PARAMETRIZED)
def test_every_typical_wrong_answer_keeps_its_own_message_in_fifty_variants(lesson):
    rng = np.random.default_rng(7)
    for _ in range(50):
        params = draw_parameters(lesson, rng)
        for exercise in exercises_for(lesson, params):
            tips = getattr(exercise.rule, "tips", None) or {}
            for wrong, message in tips.items():
                value = list(wrong) if isinstance(wrong, tuple) and wrong and isinstance(wrong[0], tuple) else wrong
                verdict = exercise.judge(value)
                assert verdict.status == NOT_YET and verdict.message == message, (params, exercise.key, wrong, verdict)


def test_the_three_students_lesson_texts_differ_and_carry_no_secret():
    texts = [markdown(learner_notebook(solution("01"), "01", variant(SECRET, s, "01"))) for s in STUDENTS]
    assert len(set(texts)) == 3
    assert all(SECRET.decode() not in t for t in texts)


def test_a_released_exercise_has_no_solution_and_no_answer_hint():
    params = variant(SECRET, "bob", "01")
    full_hints = {e.id: e.hints for e in exercises_for("01", params)}      # before the release seals the process
    ex = graded_release("01", params)
    for exercise in ex.EXERCISES:
        assert "not available in this graded release" in repr(exercise.solution())
        shown = [repr(exercise.hint(n)) for n in range(1, 6)]
        if len(full_hints[exercise.id]) > 1:
            assert full_hints[exercise.id][-1] not in " ".join(shown)
            assert full_hints[exercise.id][-1] not in exercise.hints
        assert "solution()" not in " ".join(shown)
    assert repr(ex.q1.hint(1)) == repr(graded_release("01", params).q1.hint(1))
    assert ex.q1.check(...).status == NOT_ATTEMPTED


@pytest.mark.parametrize("lesson", PARAMETRIZED)
def test_no_hint_a_released_notebook_shows_states_a_value_answer(lesson):
    rng = np.random.default_rng(11)
    variants = [parameters(lesson)] + [draw_parameters(lesson, rng) for _ in range(20)]
    answers = [{e.id: e.answer.split("=", 1)[1].strip() for e in exercises_for(lesson, params) if e.kind == "value"}
               for params in variants]                                     # before the first release seals the process
    for params, answer_of_id in zip(variants, answers):
        for exercise in graded_release(lesson, params).EXERCISES:
            if exercise.kind != "value":
                continue
            answer = answer_of_id[exercise.id]
            shown = " ".join(repr(exercise.hint(n)) for n in range(1, len(exercise.hints) + 2))
            assert not re.search(rf"(?<![\w.]){re.escape(answer)}(?![\w.])", shown), (exercise.key, params, answer)


def test_format_feedback_only_says_whether_the_answer_has_the_right_form():
    params = variant(SECRET, "bob", "01")
    right = exercises_for("01", params)[0].answer.split("=", 1)[1].strip()
    ex = graded_release("01", params, feedback="format")
    assert ex.q1.check(eval(right)).status == RECEIVED          # noqa: S307 - our own answer text
    assert ex.q1.check((None, 12345)).status == RECEIVED
    assert ex.q1.check("a shape").status == NOT_YET
    assert ex.q1.check((None, 3, 4)).status == NOT_YET
    assert ex.q2.check(12345).status == RECEIVED and ex.q2.check(2.5).status == NOT_YET
    assert ex.q3.check(lambda f, u: 0).status == RECEIVED and ex.q3.check(3).status == NOT_YET


# -- bad input --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, words", [
    ("name,email\nAl,a@x\n", "'id' column"),
    ("id,name\nal,Al\nal,Al again\n", "appears twice"),
    ("id,name\n,Al\n", "empty"),
    ("id\n../evil\n", "folder name"),
])
def test_a_bad_roster_is_refused_with_a_reason(tmp_path, text, words):
    with pytest.raises(ReleaseError, match=re.escape(words)):
        read_roster(write_roster(tmp_path, text))


def test_a_missing_or_empty_secret_and_an_unknown_lesson_are_refused(tmp_path):
    (tmp_path / "empty").write_text("  \n")
    with pytest.raises(ReleaseError, match="empty"):
        read_secret(tmp_path / "empty")
    with pytest.raises(ReleaseError, match="cannot read"):
        read_secret(tmp_path / "absent")
    with pytest.raises(ReleaseError, match="unknown lesson"):
        check_lessons(["42"])


@pytest.mark.parametrize("tool", ["helpers.release", "helpers.grade"])
@pytest.mark.parametrize("problem", ["no id", "duplicate", "empty secret", "unknown lesson"])
def test_the_command_lines_exit_2_on_bad_input(tmp_path, tool, problem):
    roster = write_roster(tmp_path, {"no id": "name\nAl\n", "duplicate": "id\nal\nal\n"}.get(problem, "id\nal\n"))
    secret = tmp_path / "secret"
    secret.write_text("" if problem == "empty secret" else "s3cret")
    lesson = ["--lessons" if tool == "helpers.release" else "--lesson", "42" if problem == "unknown lesson" else "01"]
    run = subprocess.run([sys.executable, "-m", tool, *([str(tmp_path)] if tool == "helpers.grade" else []),
                          "--roster", str(roster), "--secret-file", str(secret), "--out", str(tmp_path / "out"),
                          *lesson], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "error" in run.stderr and "Traceback" not in run.stderr


def test_release_writes_each_students_notebooks_and_keys(tmp_path):
    roster = write_roster(tmp_path, "id,name\nalice,Alice\nbob,Bob\n")
    secret = tmp_path / "secret"
    secret.write_bytes(SECRET)
    run = subprocess.run([sys.executable, "-m", "helpers.release", "--roster", str(roster), "--secret-file",
                          str(secret), "--out", str(tmp_path / "out"), "--lessons", "01", "02", "--keys"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    for student in ("alice", "bob"):
        for folder in (tmp_path / "out" / student, tmp_path / "out" / "keys" / student):
            assert sorted(p.name[:2] for p in folder.glob("*.ipynb")) == ["01", "02"]
    learner = json.loads(next((tmp_path / "out" / "alice").glob("01_*.ipynb")).read_text())
    assert "graded_release('01'" in "".join(source(c) for c in learner["cells"])
    assert BEGIN not in json.dumps(learner) and SECRET.decode() not in json.dumps(learner)


# -- one batch of kernels: a three-student roster, graded ----------------------------------------------------
FAST_LIMITS = ["--timeout", "60", "--total-timeout", "300"]


@pytest.fixture(scope="module")
def roster_batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roster")
    roster = write_roster(folder, "id,name,email\n" + "".join(f"{s},{s.title()},{s}@uni\n" for s in STUDENTS))
    secret = folder / "secret"
    secret.write_bytes(SECRET)
    release = folder / "release"
    subprocess.run([sys.executable, "-m", "helpers.release", "--roster", str(roster), "--secret-file", str(secret),
                    "--out", str(release), "--lessons", "01", "--keys"], check=True, timeout=120)
    subs = folder / "subs"
    for student in STUDENTS + ["mallory"]:
        (subs / student).mkdir(parents=True)
    name = solution_path("01").name
    shutil.copy(release / "keys" / "alice" / name, subs / "alice" / name)          # her own key
    shutil.copy(release / "keys" / "carol" / name, subs / "bob" / name)            # carol's key
    shutil.copy(solution_path("01"), subs / "carol" / name)                         # the published solutions
    shutil.copy(solution_path("01"), subs / "mallory" / name)                       # not on the roster
    out = folder / "grades"
    run = subprocess.run([sys.executable, "-m", "helpers.grade", str(subs), "--roster", str(roster), "--secret-file",
                          str(secret), "--out", str(out), "--jobs", "2", *FAST_LIMITS],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    with open(out / "grades.csv", newline="") as handle:
        grades = {row["student"]: row for row in csv.DictReader(handle)}
    with open(out / "gradebook.csv", newline="") as handle:
        book = list(csv.DictReader(handle))
    return {"grades": grades, "book": book, "stderr": run.stderr, "out": out, "release": release, "folder": folder,
            "roster": roster, "secret": secret}


@pytest.mark.slow
def test_a_students_own_key_scores_full_marks(roster_batch):
    alice = roster_batch["grades"]["alice"]
    assert alice["status"] == "ok" and float(alice["score"]) == float(alice["max_score"]) == 9


@pytest.mark.slow
def test_another_students_key_scores_at_most_half_and_names_that_student(roster_batch):
    bob = roster_batch["grades"]["bob"]
    assert float(bob["score"]) <= float(bob["max_score"]) / 2
    assert bob["status"] == "other variant" and re.search(r"fits carol on \d+ of \d+ varied exercises", bob["message"])
    assert "by chance: about 1 in" in bob["message"]
    feedback = (roster_batch["out"] / bob["submission"] / "feedback.md").read_text()
    assert "carol" not in feedback        # the student is told, but not whose numbers they are


@pytest.mark.slow
def test_the_published_solutions_are_flagged_published_numbers_not_copied(roster_batch):
    carol = roster_batch["grades"]["carol"]
    assert float(carol["score"]) <= float(carol["max_score"]) / 2
    assert carol["status"] == "published numbers" and "not a copy" in carol["message"]


@pytest.mark.slow
def test_the_gradebook_has_a_row_per_roster_student_and_unknown_folders_are_reported(roster_batch):
    points_possible, *book = roster_batch["book"]   # gradebook.csv's first row (tests/test_gradebook.py)
    assert points_possible["id"] == "Points Possible" and points_possible["lesson 01"] == "9"
    assert [row["id"] for row in book] == STUDENTS
    assert [row["email"] for row in book] == [f"{s}@uni" for s in STUDENTS]
    assert book[0]["lesson 01"] == book[0]["total"] == "9"
    assert "mallory" not in roster_batch["grades"]
    assert "mallory" in roster_batch["stderr"] and "mallory" in (roster_batch["out"] / "not_graded.txt").read_text()


@pytest.mark.slow
def test_gradescope_grades_the_submitter_named_in_the_metadata_against_their_numbers(roster_batch):
    folder = roster_batch["folder"] / "gradescope"
    (folder / "submission").mkdir(parents=True)
    name = solution_path("01").name
    shutil.copy(roster_batch["release"] / "keys" / "bob" / name, folder / "submission" / name)
    (folder / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "bob", "name": "Bob"}]}))
    results = folder / "results.json"
    run = subprocess.run([sys.executable, "-m", "helpers.grade", "--gradescope", "--roster", str(roster_batch["roster"]),
                          "--secret-file", str(roster_batch["secret"]), "--submission-dir", str(folder / "submission"),
                          "--results", str(results), *FAST_LIMITS], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    data = json.loads(results.read_text())
    assert data["score"] == 9 and data["extra_data"]["student"] == "bob"


@pytest.mark.parametrize("lesson", lessons())
def test_a_released_lesson_offers_every_name_its_notebook_uses(lesson):
    ex = graded_release(lesson, variant(SECRET, "carol", lesson))
    used = set(re.findall(r"\bex\.([A-Za-z_]\w*)", solution_path(lesson).read_text(encoding="utf-8"))) - {"qN"}
    assert used and all(hasattr(ex, name) for name in used), sorted(n for n in used if not hasattr(ex, n))


@pytest.mark.slow
@pytest.mark.parametrize("lesson", [n for n in lessons() if n != "01"])
def test_released_notebooks_of_every_lesson_run_clean_with_blank_answers(lesson, tmp_path):
    import nbclient
    import nbformat

    from helpers.build import render

    path = tmp_path / solution_path(lesson).name
    path.write_text(render(learner_notebook(solution(lesson), lesson, variant(SECRET, "carol", lesson),
                                            student="carol")), encoding="utf-8")
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    verdicts = json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"])
    assert "Not attempted" in verdicts and "Correct" not in verdicts


@pytest.mark.slow
def test_a_released_notebook_runs_clean_with_blank_answers(roster_batch):
    import nbclient
    import nbformat

    path = next((roster_batch["release"] / "bob").glob("01_*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print(ex.q1.solution())\nprint(ex.q7.hint(9))"))
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "not available in this graded release" in printed and "keras.Sequential([" not in printed
    verdicts = json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"])
    assert "Not attempted" in verdicts and "Correct" not in verdicts


@pytest.mark.parametrize("module", ["helpers.release", "helpers.grade.roster", "helpers.exercises"]
                         + [f"helpers.exercises.lesson_{n}" for n in PARAMETRIZED])
def test_docstring_examples_hold(module):
    import doctest

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_roster_and_the_secret_are_hidden_from_every_graded_kernel(tmp_path, monkeypatch):
    """The sandbox hides the release's roster and secret wherever the instructor keeps them."""
    from helpers.grade import __main__ as grade_cli
    from helpers.grade import pipeline

    roster = write_roster(tmp_path, "id\nalice\n")
    secret = tmp_path / "course.key"
    secret.write_bytes(SECRET)
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    shutil.copy(solution_path("01"), tmp_path / "subs" / "alice" / solution_path("01").name)
    seen = {}

    class Stop(Exception):
        pass

    def choose(mode, hidden=()):
        seen["hidden"] = [Path(p) for p in hidden]
        raise Stop

    monkeypatch.setattr(pipeline.sandboxes, "choose", choose)
    with pytest.raises(Stop):
        grade_cli.main([str(tmp_path / "subs"), "--roster", str(roster), "--secret-file", str(secret),
                        "--out", str(tmp_path / "out"), "--quiet"])
    assert roster.resolve() in seen["hidden"] and secret.resolve() in seen["hidden"]
