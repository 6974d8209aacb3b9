"""hand-out copies each student's release folder into their home without overwriting their edits;
collect gathers notebooks into submissions/<id>/ and names who handed in nothing."""
from __future__ import annotations

import os

import pytest

from helpers.classroom.__main__ import main
from helpers.classroom.handout import HandOutError, collect, hand_out, student_ids

LESSON_01, LESSON_02 = "01_dense_and_batch_axis.ipynb", "02_sequences_are_3d.ipynb"


@pytest.fixture
def course(tmp_path):
    """A release for ada, bo and cy (and the instructor's keys/), homes for ada and bo only."""
    release = tmp_path / "release"
    for student in ("ada", "bo", "cy"):
        (release / student).mkdir(parents=True)
        (release / student / LESSON_01).write_text(f'{{"release": "01 for {student}"}}')
        (release / student / LESSON_02).write_text(f'{{"release": "02 for {student}"}}')
    (release / "keys" / "ada").mkdir(parents=True)
    (release / "keys" / "ada" / LESSON_01).write_text("SOLUTIONS")
    for student in ("ada", "bo"):
        (tmp_path / "home" / f"jupyter-{student}").mkdir(parents=True)
    return release, str(tmp_path / "home" / "jupyter-{id}" / "course")


def test_hand_out_copies_each_release_into_its_students_home(course):
    release, pattern = course
    report = hand_out(release, pattern)
    assert sorted(report.copied) == ["ada", "bo"] and report.no_home == ["cy"]
    ada = pattern.replace("{id}", "ada")
    assert open(os.path.join(ada, LESSON_01)).read() == '{"release": "01 for ada"}'
    assert not os.path.exists(pattern.replace("{id}", "keys")), "the instructor's keys are never handed out"
    assert any("cy: no home yet" in line for line in report.lines())


def test_hand_out_twice_keeps_a_students_edits(course):
    release, pattern = course
    hand_out(release, pattern)
    edited = os.path.join(pattern.replace("{id}", "ada"), LESSON_01)
    with open(edited, "w") as handle:
        handle.write('{"edited": "by ada"}')
    (release / "ada" / "03_simplernn_by_hand.ipynb").write_text("{}")   # a lesson released later
    again = hand_out(release, pattern)
    assert open(edited).read() == '{"edited": "by ada"}'
    assert again.kept == {"ada": [LESSON_01]} and again.copied == {"ada": ["03_simplernn_by_hand.ipynb"]}
    assert again.unchanged == {"ada": 1, "bo": 2}


def test_hand_out_never_follows_a_link_a_student_planted(course, tmp_path):
    release, pattern = course
    course_dir = pattern.replace("{id}", "bo")
    os.makedirs(course_dir)
    outside = tmp_path / "root-owned-target.txt"
    os.symlink(outside, os.path.join(course_dir, LESSON_01))      # a dangling link to where root may write
    linked_course = tmp_path / "home" / "jupyter-ada" / "course"
    os.symlink(tmp_path / "elsewhere", linked_course)             # the course folder itself is a link
    report = hand_out(release, pattern)
    assert report.refused == {"bo": [LESSON_01], "ada": [LESSON_01, LESSON_02]}
    assert not outside.exists() and not (tmp_path / "elsewhere").exists()
    assert report.copied == {"bo": [LESSON_02]}


def test_collect_gathers_notebooks_and_names_who_handed_in_nothing(course, tmp_path):
    release, pattern = course
    hand_out(release, pattern)
    os.remove(os.path.join(pattern.replace("{id}", "bo"), LESSON_01))
    os.remove(os.path.join(pattern.replace("{id}", "bo"), LESSON_02))
    out = tmp_path / "submissions"
    report = collect(pattern, ["01", "2"], out, students=["ada", "bo", "cy"])
    assert report.handed_in == {"ada": ["01", "02"]} and report.nothing == ["bo", "cy"]
    assert (out / "ada" / LESSON_01).read_text() == '{"release": "01 for ada"}'
    assert not (out / "bo").exists()
    assert report.lines()[-1] == "1 handed in, 2 handed in nothing: bo, cy"


def test_collect_finds_every_home_and_reports_missing_lessons(course, tmp_path):
    release, pattern = course
    hand_out(release, pattern)
    os.remove(os.path.join(pattern.replace("{id}", "bo"), LESSON_02))
    report = collect(pattern, ["01", "02"], tmp_path / "out")
    assert report.handed_in == {"ada": ["01", "02"], "bo": ["01"]} and report.missing == {"bo": ["02"]}


def test_collect_does_not_read_through_a_link(course, tmp_path):
    release, pattern = course
    hand_out(release, pattern)
    secret = tmp_path / "secret.txt"
    secret.write_text("root's secret")
    notebook = os.path.join(pattern.replace("{id}", "bo"), LESSON_01)
    os.remove(notebook)
    os.symlink(secret, notebook)
    report = collect(pattern, ["01"], tmp_path / "out")
    assert report.refused == {"bo": [LESSON_01]} and report.nothing == ["bo"]
    assert not (tmp_path / "out" / "bo").exists()


def test_collected_folders_are_what_the_grader_reads(course, tmp_path):
    from helpers.grade import pipeline

    release, pattern = course
    hand_out(release, pattern)
    collect(pattern, ["01", "02"], tmp_path / "submissions")
    found = sorted(p.relative_to(tmp_path / "submissions").as_posix() for p in pipeline.collect([tmp_path / "submissions"]))
    assert found == [f"ada/{LESSON_01}", f"ada/{LESSON_02}", f"bo/{LESSON_01}", f"bo/{LESSON_02}"]


@pytest.mark.parametrize("pattern", ["relative/{id}/course", "/home/{id}/{id}", "/home/jupyter/course",
                                     "/home/{name}/{id}"])
def test_a_bad_homes_pattern_is_refused(pattern, tmp_path):
    with pytest.raises(HandOutError):
        collect(pattern, ["01"], tmp_path / "out")


def test_ids_are_read_back_from_the_homes():
    homes = ["/srv/h/jupyter-ada", "/srv/h/jupyter-bo.b", "/srv/h/other", "/srv/h/jupyter-../x"]
    assert student_ids("/srv/h/jupyter-{id}/course", homes) == ["ada", "bo.b"]


def test_the_command_line_reports_both_steps(course, tmp_path, capsys):
    release, pattern = course
    assert main(["hand-out", "--release", str(release), "--homes", pattern]) == 0
    assert "ada: 2 copied" in capsys.readouterr().out
    assert main(["collect", "--homes", pattern, "--lessons", "01", "--out", str(tmp_path / "s"), "--ids", "ada", "cy"]) == 0
    printed = capsys.readouterr().out
    assert "ada: 01" in printed and "cy: NOTHING handed in" in printed
    with pytest.raises(SystemExit):
        main(["collect", "--homes", pattern, "--lessons", "one", "--out", str(tmp_path / "s")])
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nada,Ada\nbo,Bo\ncy,Cy\n")
    assert main(["collect", "--homes", pattern, "--lessons", "01", "02", "--out", str(tmp_path / "r"),
                 "--roster", str(roster)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2 handed in, 1 handed in nothing: cy"
    roster.write_text("name\nAda\n")
    with pytest.raises(SystemExit):
        main(["collect", "--homes", pattern, "--lessons", "01", "--out", str(tmp_path / "r"), "--roster", str(roster)])


def test_the_classroom_modules_examples_run():
    import doctest

    import helpers.classroom as package
    from helpers.classroom import client, handout, local, service, store

    for module in (package, client, handout, local, service, store):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
