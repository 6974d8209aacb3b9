"""The gradebook of a graded release and the LMS files: no kernel, rows as grades.csv holds them."""
from __future__ import annotations

import csv
import doctest
import io
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.exercises import exercises_for
from helpers.grade import gradebook
from helpers.release import read_roster

ROOT = Path(__file__).resolve().parent.parent
# The README's example roster, with the optional columns an LMS file takes when a roster has them.
ROSTER = ("id,name,email,section\n"
          "alice,Alice A,alice@uni.edu,A1\n"
          "bob,Bob B,bob@uni.edu,A1\n"
          "carol,\"Diaz, Carol\",carol@uni.edu,B2\n")
LESSON_01 = sum(e.points for e in exercises_for("01"))


def row(student, lesson, score, file, status="ok", max_score=None):
    return {"student": student, "lesson": lesson, "score": str(score), "status": status,
            "max_score": str(LESSON_01 if max_score is None else max_score), "file": f"/subs/{student}/{file}",
            "submission": f"{student}__{Path(file).stem}"}


ROWS = [row("alice", "01", 9, "01_dense.ipynb"),
        row("bob", "01", 3, "01_dense.ipynb"), row("bob", "01", 7, "01_dense(1).ipynb"),
        row("carol", "01", 0, "01_dense.ipynb", status="other variant"),
        row("alice", "02", 4, "02_seq.ipynb", max_score=7)]


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return read_roster(path)


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_missing_is_not_zero_and_points_possible_comes_first(roster):
    book = list(csv.DictReader(io.StringIO(gradebook.gradebook_csv(gradebook.build(roster, ROWS, ["01", "02"])))))
    assert list(book[0]) == ["id", "name", "email", "section", "lesson 01", "lesson 02", "total", "flags"]
    assert book[0]["id"] == gradebook.POINTS_POSSIBLE
    assert (book[0]["lesson 01"], book[0]["lesson 02"], book[0]["total"]) == (f"{LESSON_01:g}", "7", f"{LESSON_01 + 7:g}")
    students = {line["id"]: line for line in book[1:]}
    assert list(students) == ["alice", "bob", "carol"]
    assert students["bob"]["lesson 02"] == "missing" and students["carol"]["lesson 01"] == "0"
    assert students["alice"]["total"] == "13" and students["bob"]["total"] == "7"


def test_the_flag_column_names_a_status_and_which_of_two_files_counted(roster):
    book = {line["id"]: line for line in csv.DictReader(io.StringIO(
        gradebook.gradebook_csv(gradebook.build(roster, ROWS, ["01", "02"]))))}
    assert book["alice"]["flags"] == ""
    assert book["carol"]["flags"] == "lesson 01: other variant"
    assert book["bob"]["flags"] == "lesson 01: 2 files, counted 01_dense(1).ipynb (7), not 01_dense.ipynb (3)"
    assert book["bob"]["lesson 01"] == "7"


def test_the_choice_between_two_files_does_not_depend_on_their_order(roster):
    forward = gradebook.gradebook_csv(gradebook.build(roster, ROWS, ["01", "02"]))
    assert gradebook.gradebook_csv(gradebook.build(roster, ROWS[::-1], ["01", "02"])) == forward
    tie = [row("bob", "01", 5, "01_b.ipynb"), row("bob", "01", 5, "01_a.ipynb")]
    assert gradebook.build(roster, tie, ["01"]).entries[("bob", "01")].counted["file"].endswith("01_a.ipynb")


def test_a_lesson_nobody_handed_in_gets_its_points_from_the_exercises(roster):
    book = gradebook.build(roster, [], ["01"])
    assert book.possible == {"01": LESSON_01}
    lines = parse(gradebook.gradebook_csv(book))
    assert [line[4] for line in lines[2:]] == ["missing"] * 3


def test_canvas_csv_has_the_documented_import_layout(roster):
    # Canvas Instructor Guide, "How do I import grades in the Gradebook?", and the OSU guide "Import a CSV file
    # to Carmen grades" (teaching.resources.osu.edu): Student, ID, SIS User ID, SIS Login ID, Section, then one
    # column per assignment (a new title creates an assignment), and the "Points Possible" row of the export.
    lines = parse(gradebook.canvas_csv(gradebook.build(roster, ROWS, ["01", "02"])))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lesson 01", "Lesson 02"]
    assert lines[1] == ["Points Possible", "", "", "", "", f"{LESSON_01:g}", "7"]
    assert lines[3] == ["Bob B", "", "bob", "bob@uni.edu", "A1", "7", ""]   # missing: blank, Canvas leaves it
    assert lines[4][0] == "Diaz, Carol" and len(lines) == 5                  # a comma in a name stays one field
    assert "flags" not in lines[0] and "total" not in lines[0]             # Canvas would make them assignments


def test_canvas_takes_its_own_ids_when_the_roster_has_them(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("id,name,canvas_id,sis_user_id,sis_login_id\nalice,Alice A,4711,S-1,aa1\n", encoding="utf-8")
    lines = parse(gradebook.canvas_csv(gradebook.build(read_roster(path), ROWS, ["01"])))
    assert lines[2] == ["Alice A", "4711", "S-1", "aa1", "", "9"]


def test_moodle_csv_has_an_identifier_column_and_one_column_per_grade_item(roster):
    # MoodleDocs, "Grade import" (docs.moodle.org/en/Grade_import): CSV with a header row; on import the user is
    # identified by mapping a column ("Email address" to useremail, or "ID number" to useridnumber) and each
    # other column is mapped to a grade item.
    lines = parse(gradebook.moodle_csv(gradebook.build(roster, ROWS, ["01", "02"])))
    assert lines[0] == ["ID number", "Email address", "Lesson 01", "Lesson 02"]
    assert lines[1] == ["alice", "alice@uni.edu", "9", "4"]
    assert lines[2] == ["bob", "bob@uni.edu", "7", ""]
    assert len(lines) == 4 and all(len(line) == 4 for line in lines)


def test_write_reads_grades_csv_and_writes_the_chosen_files(tmp_path, roster):
    columns = ["submission", "student", "file", "lesson", "score", "max_score", "status", "message", "seconds"]
    with open(tmp_path / "grades.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(ROWS + [row("mallory", "01", 9, "01.ipynb")])
    written = gradebook.write(tmp_path, roster, None, ["canvas", "moodle", "canvas"])
    assert [p.name for p in written] == ["gradebook.csv", "canvas.csv", "moodle.csv"]
    assert "mallory" not in (tmp_path / "gradebook.csv").read_text()
    assert gradebook.two_files_report(tmp_path, roster) == [
        "bob: lesson 01: 2 files, counted 01_dense(1).ipynb (7), not 01_dense.ipynb (3)"]


def test_the_cli_refuses_lms_without_a_roster(tmp_path):
    done = subprocess.run([sys.executable, "-m", "helpers.grade", str(ROOT / "notebooks"), "--out", str(tmp_path),
                           "--lms", "canvas"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "--lms" in done.stderr and "--roster" in done.stderr


@pytest.mark.parametrize("module", ["helpers.grade.gradebook", "helpers.grade.roster", "helpers.grade.shards",
                                    "helpers.bench.shards"])
def test_docstring_examples_hold(module):
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_git_ignores_the_secret_roster_release_submissions_and_grades_but_not_the_course():
    ignored = ["course-secret.txt", "course.key", "roster.csv", "release/keys/alice/01.ipynb",
               "submissions/alice/01.ipynb", "grades/gradebook.csv", "grades_2/shard.json"]
    kept = ["helpers/release/__init__.py", "tests/fixtures/submissions/empty.ipynb", "helpers/grade/roster.py"]
    done = subprocess.run(["git", "check-ignore", "--no-index", *ignored, *kept], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.split() == ignored
