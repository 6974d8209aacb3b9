"""Unit tests of the grader's steps that need no kernel: codec, load, reading points, judge, report, CLI misuse."""
from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.exercises import CORRECT, NOT_ATTEMPTED, NOT_YET, Verdict, exercises_for, lessons
from helpers.grade import extract, judge, load, pipeline, probe, report
from helpers.grade.__main__ import main

ROOT = Path(__file__).resolve().parent.parent

# -- codec ---------------------------------------------------------------------------------------------------
plain = st.recursive(
    st.none() | st.just(Ellipsis) | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(plain)
def test_plain_values_survive_the_trip_through_json(value):
    sent = json.loads(json.dumps(probe.encode(value)))
    assert probe.decode(sent) == value


def test_special_floats_and_numpy_values_keep_their_type():
    back = probe.decode(json.loads(json.dumps(probe.encode([math.nan, math.inf, -0.0]))))
    assert math.isnan(back[0]) and back[1] == math.inf and math.copysign(1, back[2]) == -1
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    got = probe.decode(json.loads(json.dumps(probe.encode(array))))
    assert got.dtype == np.float32 and got.shape == (3, 4) and np.array_equal(got, array)
    scalar = probe.decode(probe.encode(np.int64(7)))
    assert isinstance(scalar, np.int64) and scalar == 7
    big_endian = np.arange(3, dtype=">i4")
    assert probe.decode(probe.encode(big_endian)).tolist() == [0, 1, 2]


def test_values_that_cannot_travel_become_unsupported_not_errors():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    for value in (AlwaysEqual(), lambda: 1, np.array(["a", "b"]), np.array([object()]), "x" * (probe.MAX_STR + 1)):
        tag = probe.encode(value)
        assert tag["t"] == "unsupported", value
        with pytest.raises(ValueError):
            probe.decode(tag)


def test_decode_refuses_malformed_or_dangerous_data():
    bad = [
        {"t": "ndarray", "dtype": "|O", "shape": [1], "b64": ""},
        {"t": "ndarray", "dtype": "<f8", "shape": [10**9], "b64": ""},
        {"t": "pickle", "v": "gASV"},
        {"t": "int", "v": 3},
        {"t": "keras_model", "file": "../../etc/passwd"},
        ["not", "tagged"],
    ]
    for data in bad:
        with pytest.raises(ValueError):
            probe.decode(data)


def test_nesting_and_size_are_bounded():
    deep: list = []
    for _ in range(probe.MAX_DEPTH + 5):
        deep = [deep]
    assert probe.encode(deep)["t"] == "unsupported"
    assert probe.encode(np.zeros(probe.MAX_ITEMS + 1))["t"] == "unsupported"


def test_probe_run_reads_values_and_calls_functions_on_the_given_cases(tmp_path):
    out = tmp_path / "answer.json"
    learner = {"shape": (None, 3), "twice": lambda x: 2 * x, "boom": lambda x: 1 / 0}
    for name, kind in [("shape", "value"), ("twice", "function"), ("boom", "function"), ("absent", "value")]:
        request = {"name": name, "kind": kind, "out": str(out), "model_dir": str(tmp_path),
                   "cases": [probe.encode((4,)), probe.encode((5,))]}
        probe.run(learner, json.dumps(request))
        payload = json.loads(out.read_text())
        if name == "shape":
            assert probe.decode(payload["value"]) == (None, 3)
        elif name == "twice":
            assert [probe.decode(o) for o in payload["outputs"]] == [8, 10] and payload["raised"] is None
        elif name == "boom":
            assert payload["outputs"] == [] and payload["raised"]["type"] == "ZeroDivisionError"
        else:
            assert payload == {"found": False}


def test_probe_cell_leaves_no_name_in_the_learners_namespace(tmp_path):
    namespace = {"units": 10}
    request = {"name": "units", "kind": "value", "out": str(tmp_path / "a.json"), "model_dir": str(tmp_path),
               "cases": []}
    exec(extract.probe_cell(request).replace("globals()", "NS"), {"NS": namespace})
    assert set(namespace) == {"units"}
    assert probe.decode(json.loads((tmp_path / "a.json").read_text())["value"]) == 10


# -- load ------------------------------------------------------------------------------------------------------
def _notebook(lesson="01", cells=None):
    return {"cells": cells or [{"cell_type": "code", "metadata": {}, "source": ["x = 1\n", "y = 2"]}],
            "metadata": {"course": {"lesson": lesson}}, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("content, problem", [
    ("", load.EMPTY),
    ("   \n", load.EMPTY),
    ('{"cells": [', load.INVALID_JSON),
    (b"\xff\xfe\x00garbage", load.INVALID_JSON),
    ('["a list"]', load.NOT_A_NOTEBOOK),
    ('{"cells": [{"cell_type": "code", "source": 5}]}', load.NOT_A_NOTEBOOK),
    (json.dumps(_notebook(lesson="99")), load.UNKNOWN_LESSON),
    (json.dumps({"cells": [], "metadata": {}}), load.UNKNOWN_LESSON),
])
def test_load_names_the_problem_of_a_bad_file(tmp_path, content, problem):
    path = tmp_path / "sub.ipynb"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert load.load(path).problem == problem


def test_load_reads_code_cells_lesson_and_expected_errors(tmp_path):
    cells = [{"cell_type": "markdown", "source": "# hi"},
             {"cell_type": "code", "metadata": {}, "source": "a = 1"},
             {"cell_type": "code", "metadata": {"tags": ["raises-exception"]}, "source": ["1 / 0"]}]
    path = tmp_path / "sub.ipynb"
    path.write_text(json.dumps(_notebook(cells=cells)))
    sub = load.load(path)
    assert (sub.problem, sub.lesson, sub.code_cells, sub.expected_errors) == ("", "01", ["a = 1", "1 / 0"], {1})
    assert load.load(path, lesson="02").problem == load.WRONG_LESSON
    assert load.load(tmp_path / "missing.ipynb").problem == load.UNREADABLE


# -- extract / judge ------------------------------------------------------------------------------------------
def test_answers_are_read_after_the_last_cell_that_checks_them():
    q1, q2, q3 = exercises_for("01")[:3]
    sources = ["ex.q1.check(a)", "a = 2\nex.q1.check(a)", "ex.q2 . check (b)", "print('no check for q3')"]
    assert extract.reading_points([q1, q2, q3], sources) == {1: [q1], 2: [q2], 4: [q3]}
    assert extract.cells_that_check(["ex.q10.check(x)"], "q1") == []


def test_judge_uses_the_lessons_checks_and_never_raises():
    q1, _, q3 = exercises_for("01")[:3]
    assert judge.judge(q1, extract.Answer("value", value=(None, 10)), seed=5).status == CORRECT
    assert judge.judge(q1, extract.Answer("value", value=...), seed=5).status == NOT_ATTEMPTED
    assert judge.judge(q1, extract.Answer("missing"), seed=5).status == NOT_ATTEMPTED
    unreadable = judge.judge(q1, extract.Answer("unreadable", why="it is a lambda"), seed=5)
    assert unreadable.status == NOT_YET and "could not read your answer (it is a lambda)" in unreadable.message
    cases = q3.inputs(5)
    right = [f * u + u for f, u in cases]
    assert judge.judge(q3, extract.Answer("outputs", cases=cases, outputs=right), seed=5).status == CORRECT
    raised = judge.judge(q3, extract.Answer("outputs", cases=cases, outputs=right[:2],
                                            raised={"type": "KeyError", "message": "(7, 9)"}), seed=5)
    assert raised.status == NOT_YET and "KeyError" in raised.message


def test_best_reading_is_any_correct_one_else_the_first():
    q1 = exercises_for("01")[0]
    wrong, right, blank = (extract.Answer("value", value=v) for v in ((None, 2), (None, 10), ...))
    assert judge.best(q1, [wrong, right], seed=3).status == CORRECT
    assert judge.best(q1, [wrong, blank], seed=3).message == judge.judge(q1, wrong, seed=3).message
    assert judge.best(q1, [blank, wrong], seed=3).status == NOT_ATTEMPTED
    assert judge.best(q1, [], seed=3).status == NOT_YET


# -- report ---------------------------------------------------------------------------------------------------
def _graded(file, name, points, status="ok"):
    verdicts = [Verdict("01.q1", CORRECT if points else NOT_YET, "m", points, 1),
                Verdict("01.q10", NOT_ATTEMPTED, "m", 0, 2)]
    return report.Graded(file, name, "01", status, "", verdicts, 3.0, seconds=1.25, seed=9)


def test_grades_table_rewrites_rows_in_place_and_keeps_them_across_runs(tmp_path):
    path = tmp_path / "grades.csv"
    table = report.GradesTable(path, ["01.q10", "01.q1"])
    table.add(_graded("/a.ipynb", "a", 1))
    table.add(_graded("/b.ipynb", "b", 0, status="kernel died"))
    table.add(_graded("/a.ipynb", "a", 0))
    rows = list(csv.DictReader(path.open()))
    assert [r["file"] for r in rows] == ["/a.ipynb", "/b.ipynb"]
    assert rows[0]["score"] == "0" and rows[1]["status"] == "kernel died"
    assert list(rows[0])[:7] == ["submission", "file", "lesson", "score", "max_score", "01.q1", "01.q10"]
    again = report.GradesTable(path, ["02.q1"])
    assert again.graded_files() == {"/a.ipynb", "/b.ipynb"} and "02.q1" in again.columns


def test_gradescope_results_and_feedback_carry_every_verdict(tmp_path):
    graded = _graded("/x/alice.ipynb", "alice", 1)
    folder = report.write_submission(tmp_path, graded)
    results = json.loads((folder / "results.json").read_text())
    assert results["score"] == 1 and results["execution_time"] == 1.25
    assert [(t["name"], t["status"], t["max_score"]) for t in results["tests"]] == [
        ("01.q1", "passed", 1), ("01.q10", "failed", 2)]
    assert all(set(t) == {"name", "score", "max_score", "status", "output", "visibility"} for t in results["tests"])
    feedback = (folder / "feedback.md").read_text()
    assert "1 / 3 points" in feedback and "[01.q10] Not attempted: m" in feedback


def test_unique_names_keep_folders_apart():
    names = pipeline.unique_names([Path("a/sub.ipynb"), Path("b/sub.ipynb"), Path("c/other.ipynb")], taken={"other"})
    assert names == ["a__sub", "b__sub", "other-2"]


def test_seeds_are_never_the_lessons_own():
    assert all(pipeline.new_seed() > 0 for _ in range(200))


# -- command line ---------------------------------------------------------------------------------------------
def test_misuse_exits_non_zero(tmp_path, capsys):
    with pytest.raises(SystemExit) as nothing:
        main(["--out", str(tmp_path / "o")])
    assert nothing.value.code == 2
    empty_folder = tmp_path / "none"
    empty_folder.mkdir()
    with pytest.raises(SystemExit) as no_files:
        main([str(empty_folder), "--out", str(tmp_path / "o")])
    assert no_files.value.code == 2
    with pytest.raises(SystemExit) as bad_lesson:
        main([str(empty_folder), "--out", str(tmp_path / "o"), "--lesson", "42"])
    assert bad_lesson.value.code == 2
    blocker = tmp_path / "file"
    blocker.write_text("")
    (tmp_path / "sub.ipynb").write_text("")
    with pytest.raises(SystemExit) as unwritable:
        main([str(tmp_path / "sub.ipynb"), "--out", str(blocker / "out")])
    assert unwritable.value.code == 2


def test_files_that_need_no_kernel_are_graded_skipped_and_forced(tmp_path):
    (tmp_path / "empty.ipynb").write_text("")
    (tmp_path / "broken.ipynb").write_text("{")
    out = tmp_path / "out"
    assert main([str(tmp_path), "--out", str(out), "--lesson", "01", "--quiet"]) == 0
    rows = {r["submission"]: r for r in csv.DictReader((out / "grades.csv").open())}
    max_score = str(sum(e.points for e in exercises_for("01")))
    assert {k: (r["status"], r["score"], r["max_score"]) for k, r in rows.items()} == {
        "empty": ("empty file", "0", max_score), "broken": ("invalid JSON", "0", max_score)}
    before = (out / "grades.csv").stat().st_mtime_ns
    assert pipeline.grade_batch([tmp_path], out, lesson="01") == []
    assert (out / "grades.csv").stat().st_mtime_ns == before
    again = pipeline.grade_batch([tmp_path / "empty.ipynb"], out, lesson="01", force=True)
    assert [g.name for g in again] == ["empty"]
    assert len(list(csv.DictReader((out / "grades.csv").open()))) == 2


def test_importing_the_grader_does_not_import_tensorflow():
    code = "import sys, helpers.grade, helpers.grade.__main__; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.split() == ["False", "False"]


def test_every_lesson_with_exercises_is_gradable():
    assert "01" in lessons()
    for lesson in lessons():
        for exercise in exercises_for(lesson):
            assert exercise.reads.isidentifier()


@pytest.mark.parametrize("module", ["probe", "load", "extract", "judge", "report", "pipeline"])
def test_docstring_examples_hold(module, tmp_path, monkeypatch):
    import doctest
    import importlib

    monkeypatch.chdir(tmp_path)
    name = "helpers.grade" if module == "__init__" else f"helpers.grade.{module}"
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
