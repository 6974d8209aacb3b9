"""The Gradescope autograder zip, unpacked into a Gradescope-shaped folder and run there.

Gradescope unpacks the zip into ``/autograder/source``, copies ``run_autograder`` to ``/autograder``,
puts the submission in ``/autograder/submission`` and ``submission_metadata.json`` beside it. These
tests build that tree in a temporary folder and run ``run_autograder`` with ``AUTOGRADER_ROOT`` pointing
at it and this project's Python first on PATH, in place of what ``setup.sh`` installs. Two runs start a
kernel (the solution, a blank notebook); the others stop before any kernel.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers.exercises import exercises_for
from helpers.grade import autograder
from helpers.grade.autograder import main

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_01 = next((ROOT / "solutions").glob("01_*.ipynb"))
BLANK_01 = next((ROOT / "notebooks").glob("01_*.ipynb"))
TRUNCATED = ROOT / "tests" / "fixtures" / "submissions" / "truncated_json.ipynb"
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
# Gradescope's documented submission_metadata.json, trimmed to what a real one holds.
METADATA = {
    "id": 123456, "created_at": "2026-12-01T10:22:32.365935-08:00", "submission_method": "upload",
    "assignment": {"id": 25828, "course_id": 1234, "title": "Lesson 01", "total_points": "9.0",
                   "due_date": "2026-12-08T23:00:00.000000-08:00", "late_due_date": None,
                   "group_submission": False, "group_size": None,
                   "release_date": "2026-12-01T00:00:00.000000-08:00"},
    "users": [{"email": "ana@example.org", "id": 1234, "name": "Ana Lima", "sid": "s2"}],
    "previous_submissions": [],
}


@pytest.fixture(scope="module")
def zip_01(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zip") / "autograder.zip"
    assert main(["build", "--lesson", "1", "--out", str(out)]) == 0
    return out


def gradescope_tree(zip_path: Path, root: Path, submission: list[Path] = (), metadata: dict = METADATA) -> Path:
    """The folders Gradescope makes: source/ (the zip, file modes kept as unzip does), submission/, results/."""
    source = root / "source"
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            archive.extract(info, source)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(source / info.filename, mode)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for path in submission:
        shutil.copy(path, root / "submission" / path.name)
    (root / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return root


def run_autograder(root: Path, path: str | None = None) -> tuple[subprocess.CompletedProcess, dict]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["AUTOGRADER_ROOT"] = str(root)
    env["PATH"] = path if path is not None else f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=900)
    return done, json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def assert_gradescope_format(results: dict) -> None:
    """The fields Gradescope's autograder specification documents, with the types it expects."""
    json.dumps(results, allow_nan=False)
    number = (int, float)
    assert isinstance(results["score"], number) and not isinstance(results["score"], bool)
    assert isinstance(results["execution_time"], number) and results["execution_time"] >= 0
    assert isinstance(results["output"], str) and results["output"].strip()
    assert results.get("visibility", "visible") in VISIBILITY
    assert isinstance(results["tests"], list)
    for test in results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in {"passed", "failed"} and test["visibility"] in VISIBILITY
    if results["tests"]:
        assert results["score"] == sum(test["score"] for test in results["tests"])


# -- the zip itself (no kernel) -------------------------------------------------------------------------------------
def test_zip_holds_the_scripts_at_its_top_and_a_small_copy_of_the_course(zip_01):
    with zipfile.ZipFile(zip_01) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        config = json.loads(archive.read("autograder.json"))
        setup = archive.read("setup.sh").decode()
    for script in ("setup.sh", "run_autograder"):
        assert (infos[script].external_attr >> 16) & 0o111 == 0o111, f"{script} must be executable"
    assert {"course/pyproject.toml", "course/README.md", "course/helpers/grade/__main__.py",
            "course/helpers/exercises/lesson_01.py"} <= set(infos)
    assert config == {"lesson": "01", "grader_options": [], "roster": None, "secret_file": None, "match": None}
    tops = {name.split("/")[0] for name in infos}
    assert tops == {"setup.sh", "run_autograder", "autograder.json", "course"}, tops
    assert not [n for n in infos if "__pycache__" in n or n.endswith(".pyc")]
    assert zip_01.stat().st_size < 1_000_000   # the source only: no notebooks, tests, outputs or .venv
    assert '"$HERE/course[cpu]"' in setup      # the CPU-only TensorFlow, as `make install` gets
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", "-c", archive_text(zip_01, script)], check=True)


def archive_text(zip_path: Path, name: str) -> str:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.read(name).decode()


def test_the_same_source_builds_the_same_zip(zip_01, tmp_path):
    again = tmp_path / "again.zip"
    assert main(["build", "--lesson", "01", "--out", str(again), "--timeout", "30"]) == 0
    assert json.loads(archive_text(again, "autograder.json"))["grader_options"] == ["--timeout", "30"]
    main(["build", "--lesson", "01", "--out", str(again)])
    assert again.read_bytes() == zip_01.read_bytes()
    with pytest.raises(SystemExit):
        main(["build", "--lesson", "01", "--out", str(again), "--total-timeout", "0"])


def test_the_older_command_builds_the_same_zip(zip_01, tmp_path):
    """``python -m helpers.grade.gradescope build`` (older notes) runs the autograder's command line."""
    out = tmp_path / "old.zip"
    done = subprocess.run([sys.executable, "-m", "helpers.grade.gradescope", "build", "--lesson", "01", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == zip_01.read_bytes()


@pytest.mark.parametrize("roster, secret, error", [
    ("name,email\nAna,a@x.org\n", "k3y", "`id` column"),
    ("id,name\ns1,Ana\ns1,Bo\n", "k3y", "duplicate ids in the roster: s1"),
    ("id\n\n", "k3y", "no student ids"),
    ("id\ns1\n", "  \n", "secret file is empty"),
    ("id\ns1\n", None, "both --roster and --secret-file"),
])
def test_a_bad_graded_release_is_refused_with_exit_code_2(tmp_path, capsys, roster, secret, error):
    (tmp_path / "roster.csv").write_text(roster)
    argv = ["build", "--lesson", "01", "--out", str(tmp_path / "a.zip"), "--roster", str(tmp_path / "roster.csv")]
    if secret is not None:
        (tmp_path / "key").write_text(secret)
        argv += ["--secret-file", str(tmp_path / "key")]
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2 and error in capsys.readouterr().err
    assert not (tmp_path / "a.zip").exists()


# -- running it (two kernels in all) -------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_solution_gets_full_marks_from_the_zips_own_copy_of_the_course(zip_01, tmp_path):
    root = gradescope_tree(zip_01, tmp_path, [SOLUTION_01])
    done, results = run_autograder(root)
    assert done.returncode == 0, done.stderr[-2000:]
    assert_gradescope_format(results)
    exercises = exercises_for("01")
    assert results["score"] == sum(e.points for e in exercises) > 0
    assert [t["name"] for t in results["tests"]] == [e.key for e in exercises]
    assert {t["status"] for t in results["tests"]} == {"passed"}
    assert f"the course in {root / 'source' / 'course' / 'helpers'}" in done.stdout


@pytest.mark.slow
def test_a_blank_learner_notebook_gets_0(zip_01, tmp_path):
    done, results = run_autograder(gradescope_tree(zip_01, tmp_path, [BLANK_01]))
    assert done.returncode == 0, done.stderr[-2000:]
    assert_gradescope_format(results)
    assert results["score"] == 0 and len(results["tests"]) == len(exercises_for("01"))
    assert all("Not attempted" in t["output"] for t in results["tests"])


def test_a_broken_file_gets_0_and_says_what_to_fix(zip_01, tmp_path):
    done, results = run_autograder(gradescope_tree(zip_01, tmp_path, [TRUNCATED]))
    assert done.returncode == 0, done.stderr[-2000:]
    assert_gradescope_format(results)
    assert results["score"] == 0
    assert "invalid JSON" in results["output"]
    assert "What to do:" in results["output"] and "upload that .ipynb" in results["output"]


def test_no_notebook_gets_0_and_says_what_to_upload(zip_01, tmp_path):
    notes = tmp_path / "notes.py"
    notes.write_text("print('my answers')\n")
    done, results = run_autograder(gradescope_tree(zip_01, tmp_path, [notes]))
    assert done.returncode == 0, done.stderr[-2000:]
    assert_gradescope_format(results)
    assert results["score"] == 0 and "No .ipynb file" in results["output"]


def test_without_a_python_it_still_leaves_a_results_json(zip_01, tmp_path):
    shell_only = tmp_path / "bin"
    shell_only.mkdir()
    for tool in ("bash", "mkdir", "rm"):
        (shell_only / tool).symlink_to(shutil.which(tool))
    root = tmp_path / "autograder"
    root.mkdir()
    done, results = run_autograder(gradescope_tree(zip_01, root, [SOLUTION_01]), path=str(shell_only))
    assert done.returncode != 0
    assert_gradescope_format(results)
    assert results["score"] == 0 and "problem on the course side" in results["output"]


# -- graded release: the zip's side of it (the grader's --roster/--secret-file/--student come from issue 13) -------
ROSTER = "id,name,email\ns1,Bo Chen,bo@example.org\ns2,Ana Lima,ana@example.org\nc.diaz@example.org,Cy Diaz,\n"


@pytest.fixture
def release_zip(tmp_path) -> Path:
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "release.key").write_text("not-a-real-secret\n")
    out = tmp_path / "release.zip"
    assert main(["build", "--lesson", "01", "--out", str(out), "--roster", str(tmp_path / "roster.csv"),
                 "--secret-file", str(tmp_path / "release.key")]) == 0
    return out


def test_a_graded_release_zip_carries_the_roster_and_secret(release_zip):
    assert archive_text(release_zip, "roster.csv") == ROSTER
    assert archive_text(release_zip, "secret.key") == "not-a-real-secret\n"
    config = json.loads(archive_text(release_zip, "autograder.json"))
    assert (config["roster"], config["secret_file"], config["match"]) == ("roster.csv", "secret.key", "auto")


@pytest.mark.parametrize("user, student, rule", [
    ({"email": "ana@example.org", "id": 1234, "name": "Ana Lima", "sid": "s2"}, "s2",
     "Gradescope sid 's2' = the roster's id column"),
    ({"email": "C.Diaz@Example.org", "id": 99, "name": "Cy Diaz", "sid": ""}, "c.diaz@example.org",
     "Gradescope email 'C.Diaz@Example.org' = the roster's id column"),
    ({"email": "Bo@Example.org", "id": 5, "name": "Bo Chen", "sid": "20231234"}, "s1",
     "Gradescope email 'Bo@Example.org' = the roster's email column"),
])
def test_the_student_comes_from_submission_metadata_and_reaches_the_grader(release_zip, tmp_path, user, student,
                                                                          rule):
    root = gradescope_tree(release_zip, tmp_path / "ag", metadata={**METADATA, "users": [user]})
    calls = []

    def fake_grader(argv):
        calls.append(argv)
        autograder.write_results(root / "results" / "results.json", {**autograder.failure("graded"), "score": 3})
        return 0, ""

    results = autograder.autograde(root, grade=fake_grader)
    source = root / "source"
    assert results["score"] == 3
    assert calls == [["--gradescope", "--quiet", "--lesson", "01", "--submission-dir", str(root / "submission"),
                      "--results", str(root / "results" / "results.json"),
                      "--roster", str(source / "roster.csv"), "--secret-file", str(source / "secret.key"),
                      "--student", student, "--matched-by", rule]]


def test_a_student_missing_from_the_roster_gets_0_and_is_told_why(release_zip, tmp_path):
    stranger = {"email": "eve@example.org", "id": 555, "name": "Eve", "sid": "s9"}
    root = gradescope_tree(release_zip, tmp_path / "ag", metadata={**METADATA, "users": [stranger]})
    results = autograder.autograde(root, grade=lambda argv: pytest.fail("no student, no grading"))
    assert_gradescope_format(results)
    assert results["score"] == 0 and "not on this assignment's roster" in results["output"]
    assert "email eve@example.org" in results["output"] and "sid s9" in results["output"]
    assert json.loads((root / "results" / "results.json").read_text()) == results


def test_a_grader_that_refuses_its_options_still_gives_a_results_json(release_zip, tmp_path):
    root = gradescope_tree(release_zip, tmp_path / "ag")

    def old_grader(argv):
        return 2, "usage: python -m helpers.grade\nerror: unrecognized arguments: --roster\n"

    results = autograder.autograde(root, grade=old_grader)
    assert_gradescope_format(results)
    assert results["score"] == 0 and "unrecognized arguments: --roster" in results["output"]


# -- the README's example roster (ids alice and bob, an email column) on Gradescope --------------------------------
README_ROSTER = "id,name,email\nalice,Alice A,alice@uni.edu\nbob,Bob B,bob@uni.edu\n"
ALICE = {"email": "Alice@Uni.edu", "id": 4242, "name": "Alice A", "sid": "20231234"}   # Gradescope knows no "alice"


def readme_zip(folder: Path, *options: str, lesson: str = "01") -> Path:
    (folder / "roster.csv").write_text(README_ROSTER)
    (folder / "course-secret.txt").write_text("a secret for this course offering only\n")
    out = folder / "readme.zip"
    assert main(["build", "--lesson", lesson, "--out", str(out), "--roster", str(folder / "roster.csv"),
                 "--secret-file", str(folder / "course-secret.txt"), *options]) == 0
    return out


@pytest.mark.parametrize("options, student", [((), "alice"), (("--match", "email"), "alice"), (("--match", "sid"), None)])
def test_the_readme_roster_finds_the_submitter_by_email_and_says_so(tmp_path, options, student):
    root = gradescope_tree(readme_zip(tmp_path, *options), tmp_path / "ag", metadata={**METADATA, "users": [ALICE]})
    calls = []

    def fake_grader(argv):
        calls.append(argv)
        autograder.write_results(root / "results" / "results.json", autograder.failure("graded"))
        return 0, ""

    results = autograder.autograde(root, grade=fake_grader)
    assert_gradescope_format(results)
    if student is None:   # --match sid: Gradescope's Student ID 20231234 is no roster id
        assert calls == [] and results["score"] == 0
        assert "not on this assignment's roster" in results["output"] and "your sid = the roster's id" in results["output"]
        assert results["extra_data"] == {"matched_by": None, "match": "sid"}
    else:
        assert calls[0][calls[0].index("--student") + 1] == student
        assert calls[0][calls[0].index("--matched-by") + 1] == "Gradescope email 'Alice@Uni.edu' = the roster's email column"


def test_match_email_needs_an_email_column_and_two_rules_naming_two_students_are_refused(tmp_path, capsys):
    (tmp_path / "roster.csv").write_text("id,name\nalice,Alice A\n")
    (tmp_path / "key").write_text("k3y")
    with pytest.raises(SystemExit) as stop:
        main(["build", "--lesson", "01", "--out", str(tmp_path / "a.zip"), "--roster", str(tmp_path / "roster.csv"),
              "--secret-file", str(tmp_path / "key"), "--match", "email"])
    assert stop.value.code == 2 and "needs an 'email' column" in capsys.readouterr().err
    from helpers.grade.roster import match_submitter
    from helpers.release import read_roster

    (tmp_path / "two.csv").write_text("id,email\ns1,bo@x.org\ns2,ana@x.org\n")
    student, why = match_submitter({"users": [{"sid": "s1", "email": "ana@x.org"}]}, read_roster(tmp_path / "two.csv"))
    assert student is None and "several students" in why and "s1" in why and "s2" in why
    (tmp_path / "dup.csv").write_text("id,email\ns1,bo@x.org\ns2,BO@x.org\n")
    student, why = match_submitter({"users": [{"email": "bo@x.org"}]}, read_roster(tmp_path / "dup.csv"), "email")
    assert student is None and "2 times" in why


@pytest.mark.slow
def test_the_readme_example_works_on_gradescope_end_to_end(tmp_path):
    """The README's roster, alice's own filled key from the release, graded by run_autograder: full marks."""
    zip_path = readme_zip(tmp_path)
    release = tmp_path / "release"
    subprocess.run([sys.executable, "-m", "helpers.release", "--roster", str(tmp_path / "roster.csv"), "--secret-file",
                    str(tmp_path / "course-secret.txt"), "--out", str(release), "--lessons", "01", "--keys"],
                   check=True, timeout=120, capture_output=True)
    key = next((release / "keys" / "alice").glob("01_*.ipynb"))
    done, results = run_autograder(gradescope_tree(zip_path, tmp_path / "ag", [key],
                                                   metadata={**METADATA, "users": [ALICE]}))
    assert done.returncode == 0, done.stderr[-2000:]
    assert_gradescope_format(results)
    assert results["score"] == sum(e.points for e in exercises_for("01")), results["output"]
    assert results["extra_data"]["student"] == "alice"
    assert results["extra_data"]["matched_by"] == "Gradescope email 'Alice@Uni.edu' = the roster's email column"
    assert results["output"].startswith("Graded as alice (Gradescope email 'Alice@Uni.edu' = the roster's email column).")
