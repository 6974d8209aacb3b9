"""The grader end to end, with real kernels: fair marks, bad submissions survived, cheating earns nothing.

Kernels cost a few seconds each, so each fixture below grades many submissions in one batch
(``--jobs 2``) and the tests only read its results.
"""
from __future__ import annotations

import copy
import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from helpers.build import learner_version
from helpers.exercises import CORRECT, NOT_ATTEMPTED, NOT_YET, exercises_for, lessons
from helpers.grade import gradescope, pipeline
from helpers.grade.execute import Limits

pytestmark = pytest.mark.slow   # starts about 30 kernels; `make test-fast` leaves it out

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"
SOLUTION_01 = next((ROOT / "solutions").glob("01_*.ipynb"))
# Caps sized from what the tests need, with room for a loaded machine: no lesson 01 cell takes
# more than a few seconds even then; an interrupted cell gets 10 s to stop before "never ended".
FAST = Limits(cell_timeout=15, total_timeout=300, interrupt_grace=10, memory_mb=1536)


def graded_lessons() -> list[str]:
    """Lessons that have both exercises and a solution notebook."""
    return [n for n in lessons() if list((ROOT / "solutions").glob(f"{n}_*.ipynb"))]


def rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def results(out: Path, name: str) -> dict:
    return json.loads((out / name / "results.json").read_text())


def statuses(out: Path, name: str) -> dict[str, str]:
    """Exercise key -> verdict status, read back from the Gradescope results' verdict text."""
    titles = {"Correct": CORRECT, "Not yet": NOT_YET, "Not attempted": NOT_ATTEMPTED}
    found = {}
    for test in results(out, name)["tests"]:
        title = re.match(r"\[[^\]]+\] ([A-Za-z ]+):", test["output"]).group(1)
        found[test["name"]] = titles[title]
    return found


# -- building submissions from the lesson 01 solution ------------------------------------------------------------
def solution() -> dict:
    return json.loads(SOLUTION_01.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def check_cell(nb: dict, exercise_id: str) -> dict:
    return next(c for c in nb["cells"] if c["cell_type"] == "code" and f"ex.{exercise_id}.check(" in source(c))


def code(text: str, tags=()) -> dict:
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": text, "outputs": [],
            "execution_count": None}


def after_imports(nb: dict, text: str) -> dict:
    """A copy of ``nb`` with one code cell inserted right after its first (import) cell."""
    nb = copy.deepcopy(nb)
    first = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    nb["cells"].insert(first + 1, code(text))
    return nb


def save(folder: Path, name: str, nb: dict) -> Path:
    path = folder / f"{name}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def cheat_by_printing(nb: dict) -> dict:
    """Blank answers; every check call replaced by a print of what a correct verdict looks like."""
    nb = learner_version(nb)
    for exercise in exercises_for("01"):
        cell = check_cell(nb, exercise.id)
        cell["source"] = re.sub(r"ex\.\w+\.check\(.*\)", f'print("[{exercise.key}] Correct: well done.")', source(cell))
    return nb


def cheat_by_monkeypatching(nb: dict) -> dict:
    """Blank answers; the course's checks patched in the kernel to say Correct to anything."""
    patch = (
        "import helpers.exercises.engine as engine\n"
        "always = lambda self, *args, **kw: engine.Verdict(self.key, engine.CORRECT, 'sure', self.points, self.points)\n"
        "for method in ('check', 'judge', 'judge_function', 'judge_outputs'):\n"
        "    setattr(engine.Exercise, method, always)\n"
        "for q in ex.EXERCISES:\n"
        "    object.__setattr__(q, 'check', lambda *a, **k: 'Correct')\n"
    )
    return after_imports(learner_version(nb), patch)


def cheat_with_objects_equal_to_anything(nb: dict) -> dict:
    """Every answer is an object whose == is always True; the function returns one too."""
    nb = copy.deepcopy(nb)
    helper = ("class Anything:\n    def __eq__(self, other):\n        return True\n"
              "    def __iter__(self):\n        return iter((None, 10))\n")
    for exercise in exercises_for("01"):
        cell = check_cell(nb, exercise.id)
        body = (f"def {exercise.reads}(*args):\n    return Anything()\n" if exercise.kind == "function"
                else f"{exercise.reads} = Anything()\n")
        cell["source"] = body + f"ex.{exercise.id}.check({exercise.reads})"
    return after_imports(nb, helper)


def answers_right_checks_deleted_and_edited(nb: dict) -> dict:
    """Correct answers with every check call deleted, except q2: a wrong answer checked on a literal 15."""
    nb = copy.deepcopy(nb)
    for exercise in exercises_for("01"):
        cell = check_cell(nb, exercise.id)
        cell["source"] = re.sub(r"ex\.\w+\.check\(.*\)", "", source(cell))
    q2 = next(c for c in nb["cells"] if "small_dense_params = 4 * 3 + 3" in source(c))
    q2["source"] = "small_dense_params = 14\nex.q2.check(15)"
    return nb


def hard_coded_example(nb: dict) -> dict:
    """q3 answered by a table of the results for the inputs the learner sees (seed 0)."""
    nb = copy.deepcopy(nb)
    q3 = exercises_for("01")[2]
    table = {tuple(args): args[0] * args[1] + args[1] for args in q3.inputs(0)}
    cell = check_cell(nb, "q3")
    cell["source"] = (f"KNOWN = {table!r}\ndef dense_param_count(features, units):\n"
                      f"    return KNOWN[(features, units)]\nex.q3.check(dense_param_count)")
    return nb


def answers_moved(nb: dict) -> dict:
    """q1 checked while wrong and set right only in a last cell; q7's name reused after its check."""
    nb = copy.deepcopy(nb)
    check_cell(nb, "q1")["source"] = "dense_shape = (None, 2)\nex.q1.check(dense_shape)"
    nb["cells"].append(code("dense_shape = (None, 10)\ntwo_layer_model = None"))
    return nb


def memory_hog_and_endless_function(nb: dict) -> dict:
    """A cell that allocates past the memory cap, and a q3 function that never returns."""
    nb = after_imports(nb, "import numpy as np\nhog = np.ones(400_000_000)")
    cell = check_cell(nb, "q3")
    cell["source"] = "def dense_param_count(features, units):\n    while True:\n        pass"
    return nb


# -- batches ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fair_batch(tmp_path_factory):
    """Every solution and every blank learner notebook of the lessons that have exercises."""
    folder = tmp_path_factory.mktemp("fair")
    for lesson in graded_lessons():
        for kind in ("solutions", "notebooks"):
            source_path = next((ROOT / kind).glob(f"{lesson}_*.ipynb"))
            shutil.copy(source_path, folder / f"{kind}_{source_path.name}")
    out = folder / "out"
    pipeline.grade_batch([folder], out, jobs=2, limits=Limits(cell_timeout=120, total_timeout=600))
    return out


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory):
    """Lesson 01 submissions that misbehave or cheat, graded with a good one in the same batch."""
    folder = tmp_path_factory.mktemp("bad")
    nb = solution()
    save(folder, "good", nb)
    save(folder, "endless_loop", after_imports(nb, "while True:\n    pass"))
    save(folder, "ignores_interrupt", after_imports(
        nb, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"))
    save(folder, "os_exit", after_imports(nb, "import os\nos._exit(3)"))
    save(folder, "segfault", after_imports(nb, "import ctypes\nctypes.string_at(0)"))
    save(folder, "enormous_print", after_imports(nb, "print('x' * 100_000_000)"))
    save(folder, "memory_hog", memory_hog_and_endless_function(nb))
    other = copy.deepcopy(nb)
    other["metadata"]["course"]["lesson"] = "02"
    save(folder, "other_lesson", other)
    save(folder, "prints_correct", cheat_by_printing(nb))
    save(folder, "monkeypatches", cheat_by_monkeypatching(nb))
    save(folder, "equal_to_anything", cheat_with_objects_equal_to_anything(nb))
    save(folder, "checks_edited", answers_right_checks_deleted_and_edited(nb))
    save(folder, "hard_coded", hard_coded_example(nb))
    save(folder, "answers_moved", answers_moved(nb))
    for fixture in FIXTURES.glob("*.ipynb"):
        shutil.copy(fixture, folder / fixture.name)
    out = folder / "out"
    pipeline.grade_batch([folder], out, jobs=2, limits=FAST, lesson="01")
    return out


# -- fair marks -------------------------------------------------------------------------------------------------
def test_every_solution_gets_full_marks(fair_batch):
    graded = rows(fair_batch)
    for lesson in graded_lessons():
        row = next(r for r in graded.values() if r["submission"].startswith(f"solutions_{lesson}_"))
        assert (row["lesson"], row["status"]) == (lesson, "ok"), row
        assert float(row["score"]) == float(row["max_score"]) == sum(e.points for e in exercises_for(lesson)), row


def test_every_blank_notebook_gets_zero_and_not_attempted(fair_batch):
    graded = rows(fair_batch)
    for lesson in graded_lessons():
        name = next(n for n in graded if n.startswith(f"notebooks_{lesson}_"))
        assert graded[name]["score"] == "0" and graded[name]["status"] == "ok", graded[name]
        assert set(statuses(fair_batch, name).values()) == {NOT_ATTEMPTED}, name


def test_reports_are_written_for_each_submission(fair_batch):
    for name in rows(fair_batch):
        data = results(fair_batch, name)
        assert data["score"] == sum(t["score"] for t in data["tests"])
        assert (fair_batch / name / "feedback.md").read_text().startswith("# Feedback:")


# -- bad submissions ----------------------------------------------------------------------------------------------
EXPECTED_STATUS = {
    "good": ("ok", 9),
    "endless_loop": ("cell timeout", 9),
    "ignores_interrupt": ("cell never ended", 0),
    "os_exit": ("kernel died", 0),
    "segfault": ("kernel died", 0),
    "enormous_print": ("large output", 9),
    "memory_hog": ("ok", 7),
    "other_lesson": ("wrong lesson", 0),
    "empty": ("empty file", 0),
    "truncated_json": ("invalid JSON", 0),
    "python_script": ("invalid JSON", 0),
    "not_a_notebook": ("not a notebook", 0),
}


def test_each_bad_submission_gets_its_status_and_the_batch_goes_on(bad_batch):
    graded = rows(bad_batch)
    assert sum(e.points for e in exercises_for("01")) == 9
    got = {name: (graded[name]["status"], float(graded[name]["score"])) for name in EXPECTED_STATUS}
    assert got == {name: (status, float(score)) for name, (status, score) in EXPECTED_STATUS.items()}
    assert all(graded[name]["max_score"] == "9" for name in EXPECTED_STATUS)


def test_bad_submissions_say_what_happened(bad_batch):
    graded = rows(bad_batch)
    assert "interrupted after 15 s" in graded["endless_loop"]["message"]
    assert "MemoryError" in graded["memory_hog"]["message"]
    memory = statuses(bad_batch, "memory_hog")
    assert memory["01.q3"] == NOT_YET and memory["01.q1"] == CORRECT
    assert "took longer than 15 s" in results(bad_batch, "memory_hog")["tests"][2]["output"]
    died = results(bad_batch, "os_exit")["tests"][0]["output"]
    assert "could not read your answer (the kernel stopped during code cell 2)" in died


# -- cheating ---------------------------------------------------------------------------------------------------
def test_printing_correct_earns_nothing(bad_batch):
    assert rows(bad_batch)["prints_correct"]["score"] == "0"
    assert set(statuses(bad_batch, "prints_correct").values()) == {NOT_ATTEMPTED}


def test_monkeypatching_the_checks_earns_nothing(bad_batch):
    assert rows(bad_batch)["monkeypatches"]["score"] == "0"
    assert set(statuses(bad_batch, "monkeypatches").values()) == {NOT_ATTEMPTED}


def test_objects_equal_to_anything_cannot_be_read(bad_batch):
    assert rows(bad_batch)["equal_to_anything"]["score"] == "0"
    outputs = [t["output"] for t in results(bad_batch, "equal_to_anything")["tests"]]
    assert all("Not yet" in text for text in outputs), outputs


def test_editing_or_deleting_check_cells_changes_nothing_but_the_faked_answer(bad_batch):
    found = statuses(bad_batch, "checks_edited")
    assert found.pop("01.q2") == NOT_YET
    assert set(found.values()) == {CORRECT}
    assert rows(bad_batch)["checks_edited"]["score"] == "8"


def test_an_answer_set_below_its_check_or_renamed_after_it_still_counts(bad_batch):
    assert set(statuses(bad_batch, "answers_moved").values()) == {CORRECT}


def test_hard_coding_the_lessons_example_fails_on_the_graders_inputs(bad_batch):
    found = statuses(bad_batch, "hard_coded")
    assert found.pop("01.q3") == NOT_YET
    assert set(found.values()) == {CORRECT}
    assert "KeyError" in results(bad_batch, "hard_coded")["tests"][2]["output"]


# -- Gradescope -------------------------------------------------------------------------------------------------
def test_gradescope_entry_grades_the_submission_folder(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    shutil.copy(SOLUTION_01, submission / "my work.ipynb")
    (submission / "notes.txt").write_text("not a notebook")
    written = tmp_path / "results" / "results.json"
    # no cell here needs a short cap: a generous one keeps a busy machine (Keras import > 15 s) from failing it
    data = gradescope.run(submission, written, lesson="01", limits=Limits(cell_timeout=120, total_timeout=600))
    assert json.loads(written.read_text()) == data
    assert data["score"] == 9 and len(data["tests"]) == len(exercises_for("01"))
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = gradescope.run(empty, tmp_path / "r2.json", lesson="01")
    assert nothing["score"] == 0 and "No .ipynb" in nothing["output"]


# -- quiet -------------------------------------------------------------------------------------------------------
def test_the_grader_run_directly_prints_no_tensorflow_noise(tmp_path):
    """Without the quiet variables in its environment, ``python -m helpers.grade`` sets them itself."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")}
    done = subprocess.run([sys.executable, "-m", "helpers.grade", str(SOLUTION_01), "--out", str(tmp_path / "out")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "9/9 [ok]" in done.stdout
    noise = [line for line in done.stderr.splitlines() if "absl" in line or "oneDNN" in line or "I0000" in line]
    assert noise == [], done.stderr


# -- limits, on notebooks that do not import TensorFlow (their kernels start in about a second) --------------------
@pytest.fixture(scope="module")
def tiny_batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    lesson_01 = {"course": {"lesson": "01"}, "kernelspec": {"name": "python3", "language": "python"}}

    def tiny(name, *sources):
        save(folder, name, {"cells": [code(text) for text in sources], "metadata": lesson_01,
                            "nbformat": 4, "nbformat_minor": 5})

    tiny("too_slow", *["import time\ntime.sleep(8)"] * 4, "dense_shape = (None, 10)")   # needs 32 s
    tiny("chatty", "for i in range(3000):\n    print('y' * 1000)", "dense_shape = (None, 10)")
    tiny("quits", "dense_shape = (None, 10)", "quit()", "import time\ntime.sleep(2)", "small_dense_params = 15")
    tiny("quiet", "dense_shape = (None, 10)\nsmall_dense_params = 15")
    out = folder / "out"
    # The others need a second or two on a quiet machine; 20 s leaves room for a busy one.
    pipeline.grade_batch([folder], out, jobs=2, limits=Limits(cell_timeout=30, total_timeout=20, interrupt_grace=10))
    return out


def test_the_whole_submission_cap_stops_the_run_and_the_rest_is_still_judged(tiny_batch):
    row = rows(tiny_batch)["too_slow"]
    assert row["status"] == "time limit" and "at most 20 s" in row["message"]
    assert statuses(tiny_batch, "too_slow")["01.q1"] == NOT_ATTEMPTED


def test_many_small_prints_count_as_large_output(tiny_batch):
    row = rows(tiny_batch)["chatty"]
    assert (row["status"], row["01.q1"]) == ("large output", "1") and "3.0 MB" in row["message"]


def test_quitting_the_kernel_is_kernel_died_and_answers_read_before_are_lost(tiny_batch):
    row = rows(tiny_batch)["quits"]
    assert row["status"] == "kernel died" and row["score"] == "0"
    message = re.sub(r"^\[graded WITHOUT a sandbox: [^\]]*\] ", "", row["message"])   # where bwrap is missing
    assert message.startswith("The kernel stopped")   # quit() takes effect a moment later
    assert rows(tiny_batch)["quiet"]["score"] == "2"
