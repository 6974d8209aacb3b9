"""Grading in shards and merging them: the split, the merge's refusals, and 12 submissions graded both ways.

The split and the merge are tested on generated shard folders (no kernel). One test (marked slow) grades 12
small lesson-00 submissions of a roster in one run and in 3 shards run as 3 processes at once, merges the
shards, and compares; it also re-runs a shard that died.
"""
from __future__ import annotations

import ast
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.bench.shards import answer_blocks_only
from helpers.grade import shards
from helpers.grade.cli import main as grade_main

ROOT = Path(__file__).resolve().parent.parent
GRADE = ROOT / "helpers" / "grade"
SECRET = "a secret for the shard tests\n"


# -- the grader's own imports ----------------------------------------------------------------------------------
def grade_imports() -> dict[str, set[str]]:
    """Which modules of helpers.grade each one imports (anywhere, functions included; not under __main__)."""
    modules = {path.stem for path in GRADE.glob("*.py")}
    graph = {}
    for path in GRADE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        script_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test)
                       for n in ast.walk(node)}
        found = set()
        for node in ast.walk(tree):
            if id(node) in script_only or not isinstance(node, ast.ImportFrom):
                continue
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found |= {alias.name for alias in node.names}
            elif (node.module or "").startswith("helpers.grade."):
                found.add(node.module.split(".")[2])
        graph[path.stem] = found & modules
    return graph


def test_the_grader_has_no_import_loop():
    graph = grade_imports()
    assert {"cli", "gradescope"} <= graph["autograder"] | graph["cli"] and "autograder" not in graph["cli"]

    def loop_from(start, node, path):
        for target in sorted(graph[node]):
            if target == start:
                return path + [target]
            if target not in path:
                found = loop_from(start, target, path + [target])
                if found:
                    return found
        return None

    loops = [loop for module in sorted(graph) if (loop := loop_from(module, module, [module]))]
    assert not loops, " -> ".join(loops[0])


# -- the split -------------------------------------------------------------------------------------------------
def test_the_split_is_stable_whatever_the_order_and_covers_every_key_once():
    keys = [f"s{n:03d}" for n in range(300)]
    forward = {key: shards.shard_of(key, 3) for key in keys}
    assert forward == {key: shards.shard_of(key, 3) for key in reversed(keys)}
    assert set(forward.values()) == {1, 2, 3}
    assert all(70 <= list(forward.values()).count(i) <= 130 for i in (1, 2, 3))   # not all in one shard
    assert {shards.shard_of(key, 1) for key in keys} == {1}


@pytest.mark.parametrize("text", ["0/3", "4/3", "2", "a/b", "1/0", "-1/2"])
def test_a_bad_shard_is_refused(text, tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    shutil.copy(next((ROOT / "notebooks").glob("00_*.ipynb")), tmp_path / "subs")
    with pytest.raises(SystemExit) as stop:
        grade_main([str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--shard", text])
    assert stop.value.code == 2 and "--shard" in capsys.readouterr().err


# -- merging generated shards (no kernel) ---------------------------------------------------------------------
COLUMNS = ["submission", "student", "file", "lesson", "score", "max_score", "00.q1", "00.q2", "status", "message",
           "seconds"]


def fake_shards(folder: Path, students: int, count: int, roster: Path, settings: dict | None = None) -> list[Path]:
    """Shard folders as ``--shard I/N`` leaves them: a manifest, grades.csv, one folder per submission."""
    ids = [f"s{n:05d}" for n in range(students)]
    roster.write_text("id,name,email\n" + "".join(f"{s},Student {s},{s}@uni.edu\n" for s in ids), encoding="utf-8")
    base = {"lesson": "00", "roster": shards.file_digest(roster), "secret": "x", "student": None,
            "seed": "random per submission", "grader": "0.1.0+test", "limits": [60, 600, 3072, 1024],
            "sandbox": "auto", "listing": shards.listing_digest(ids)}
    outs = []
    for index in range(1, count + 1):
        out = folder / f"out_{index}"
        out.mkdir(parents=True)
        mine = [s for s in ids if shards.shard_of(s, count) == index]
        rows = [{"submission": f"{s}__00_welcome", "student": s, "file": f"/subs/{s}/00_welcome.ipynb", "lesson": "00",
                 "score": str(n % 3), "max_score": "2", "00.q1": str(min(n % 3, 1)), "00.q2": str(max(n % 3 - 1, 0)),
                 "status": "ok", "message": "", "seconds": "1.0"} for n, s in enumerate(mine)]
        with open(out / "grades.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        for r in rows[:3]:
            (out / r["submission"]).mkdir()
            (out / r["submission"] / "feedback.md").write_text(f"# {r['student']}\n")
        shards.write_manifest(out, {"index": index, "count": count, "status": shards.COMPLETE, "lms": ["canvas"],
                                    "assigned": [r["file"] for r in rows], "not_graded": [],
                                    "roster_path": str(roster), "command": ["python", "-m", "helpers.grade", "..."],
                                    "settings": {**base, **(settings or {}).get(index, {})}})
        outs.append(out)
    return outs


def test_merging_twice_gives_the_same_files_and_a_row_per_submission(tmp_path):
    outs = fake_shards(tmp_path, 40, 3, tmp_path / "roster.csv")
    assert grade_main(["merge", *map(str, outs), "--out", str(tmp_path / "merged"), "--quiet"]) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "merged").iterdir() if p.is_file()}
    assert {"grades.csv", "gradebook.csv", "canvas.csv", "not_graded.txt", "merged.json"} <= set(first)
    assert grade_main(["merge", *map(str, reversed(outs)), "--out", str(tmp_path / "merged"), "--quiet"]) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "merged").iterdir() if p.is_file()} == first
    rows = list(csv.DictReader((tmp_path / "merged" / "grades.csv").open()))
    book = list(csv.DictReader((tmp_path / "merged" / "gradebook.csv").open()))
    assert len(rows) == 40 and len(book) == 41 and book[0]["id"] == "Points Possible"
    copied = [p for p in (tmp_path / "merged").iterdir() if p.is_dir()]
    assert len(copied) == 9 and all((p / "feedback.md").read_text() == f"# {p.name[:6]}\n" for p in copied)


@pytest.mark.parametrize("setting, value", [("lesson", "01"), ("roster", "0" * 16), ("seed", "fixed 7"),
                                            ("grader", "0.1.0+other"), ("secret", "y"), ("listing", "1" * 16)])
def test_shards_graded_with_other_settings_are_refused(tmp_path, capsys, setting, value):
    outs = fake_shards(tmp_path, 12, 3, tmp_path / "roster.csv", {2: {setting: value}})
    assert grade_main(["merge", *map(str, outs), "--out", str(tmp_path / "merged")]) == 2
    err = capsys.readouterr().err
    assert f"{outs[1]} was graded with other settings" in err and setting in err
    assert not (tmp_path / "merged" / "grades.csv").exists()


def test_a_missing_or_incomplete_shard_is_named_and_nothing_is_merged(tmp_path, capsys):
    outs = fake_shards(tmp_path, 12, 3, tmp_path / "roster.csv")
    assert grade_main(["merge", str(outs[0]), str(outs[2]), "--out", str(tmp_path / "merged")]) == 2
    assert "shard 2/3 is missing" in capsys.readouterr().err
    manifest = json.loads((outs[1] / shards.MANIFEST).read_text())
    shards.write_manifest(outs[1], {**manifest, "status": shards.RUNNING})
    lines = (outs[1] / "grades.csv").read_text().splitlines(keepends=True)
    (outs[1] / "grades.csv").write_text("".join(lines[:-1]))
    assert grade_main(["merge", *map(str, outs), "--out", str(tmp_path / "merged")]) == 2
    err = capsys.readouterr().err
    assert f"shard 2/3 ({outs[1]}) is incomplete: {len(lines) - 2} of {len(lines) - 1} submissions graded" in err
    assert "re-run python -m helpers.grade" in err
    assert grade_main(["merge", str(tmp_path), "--out", str(tmp_path / "m2")]) == 2
    assert "no shard.json" in capsys.readouterr().err
    assert grade_main(["merge", *map(str, outs), "--out", str(outs[0])]) == 2
    assert "is one of the shards" in capsys.readouterr().err
    assert not (tmp_path / "merged").exists()


def test_merge_needs_the_roster_the_shards_were_graded_with(tmp_path, capsys):
    outs = fake_shards(tmp_path, 12, 2, tmp_path / "roster.csv")
    other = tmp_path / "other.csv"
    other.write_text("id\ns00001\n")
    assert grade_main(["merge", *map(str, outs), "--out", str(tmp_path / "merged"), "--roster", str(other)]) == 2
    assert "not the roster the shards were graded with" in capsys.readouterr().err


# -- 12 submissions, one run vs 3 shards at once ------------------------------------------------------------------
def write_tiny(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(answer_blocks_only(json.loads(source.read_text(encoding="utf-8")))), encoding="utf-8")


@pytest.fixture(scope="module")
def class_of_ten(tmp_path_factory):
    """Ten roster students handing in 12 lesson-00 notebooks (one twice, one the published answers, one blank,
    one nothing), plus a folder that is not on the roster."""
    folder = tmp_path_factory.mktemp("class")
    ids = [f"s{n:02d}" for n in range(1, 11)]
    (folder / "roster.csv").write_text("id,name,email\n" + "".join(f"{s},Student {s},{s}@uni.edu\n" for s in ids))
    (folder / "secret.txt").write_text(SECRET)
    release = folder / "release"
    subprocess.run([sys.executable, "-m", "helpers.release", "--roster", str(folder / "roster.csv"), "--secret-file",
                    str(folder / "secret.txt"), "--out", str(release), "--lessons", "00", "--keys"],
                   check=True, timeout=120, capture_output=True)
    subs = folder / "subs"
    name = "00_welcome.ipynb"
    for s in ids[:7]:
        write_tiny(release / "keys" / s / name, subs / s / name)
    write_tiny(release / "keys" / "s01" / name, subs / "s01" / "00_welcome(1).ipynb")        # s01 twice
    write_tiny(release / "keys" / "s08" / name, subs / "s08" / name)
    (subs / "s08" / "00_welcome(1).ipynb").write_text(                                       # s08 twice: a blank
        json.dumps({**answer_blocks_only(json.loads((release / "keys" / "s08" / name).read_text())), "cells": []}))
    write_tiny(next((ROOT / "solutions").glob("00_*.ipynb")), subs / "s09" / name)            # the published answers
    write_tiny(release / "keys" / "s02" / name, subs / "s10" / name)                           # s02's numbers
    write_tiny(release / "keys" / "s03" / name, subs / "zed" / name)                           # not on the roster
    assert len([p for p in subs.rglob("*.ipynb") if p.parent.name != "zed"]) == 12
    return folder


def grade_command(folder: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "helpers.grade", str(folder / "subs"), "--roster", str(folder / "roster.csv"),
            "--secret-file", str(folder / "secret.txt"), "--out", str(out), "--lesson", "00", "--seed", "7",
            "--lms", "canvas", "--timeout", "60", "--total-timeout", "120", "--quiet", *extra]


def table(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["file"]: {k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(handle)}


@pytest.mark.slow
def test_three_shards_at_once_merged_equal_one_run_and_a_dead_shard_is_rerun(class_of_ten):
    folder = class_of_ten
    one = subprocess.run(grade_command(folder, folder / "one"), capture_output=True, text=True, timeout=900)
    assert one.returncode == 0, one.stderr
    running = [subprocess.Popen(grade_command(folder, folder / f"shard_{i}", "--shard", f"{i}/3"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in (1, 2, 3)]
    for process in running:
        _, err = process.communicate(timeout=900)
        assert process.returncode == 0, err
    sizes = [len(json.loads((folder / f"shard_{i}" / "shard.json").read_text())["assigned"]) for i in (1, 2, 3)]
    assert sum(sizes) == 12 and max(sizes) < 12

    # shard 2 "dies" after its first submission: its last rows are lost and its manifest never says complete
    dead = folder / "shard_2"
    manifest = json.loads((dead / "shard.json").read_text())
    shards.write_manifest(dead, {**manifest, "status": shards.RUNNING})
    lines = (dead / "grades.csv").read_text().splitlines(keepends=True)
    (dead / "grades.csv").write_text("".join(lines[:2]))
    merged = folder / "merged"
    refused = subprocess.run([sys.executable, "-m", "helpers.grade", "merge", *(str(folder / f"shard_{i}") for i in (1, 2, 3)),
                              "--out", str(merged)], capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "shard 2/3" in refused.stderr and "incomplete" in refused.stderr
    again = subprocess.run(grade_command(folder, dead, "--shard", "2/3"), capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    assert json.loads((dead / "shard.json").read_text())["status"] == shards.COMPLETE

    for _ in range(2):   # merging twice gives the same files
        done = subprocess.run([sys.executable, "-m", "helpers.grade", "merge",
                               *(str(folder / f"shard_{i}") for i in (3, 1, 2)), "--out", str(merged)],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    ones, merges = table(folder / "one" / "grades.csv"), table(merged / "grades.csv")
    assert merges == ones and len(ones) == 12
    for name in ("gradebook.csv", "canvas.csv"):
        assert (merged / name).read_text() == (folder / "one" / name).read_text(), name
    assert sorted((merged / "not_graded.txt").read_text().splitlines()) == sorted(
        (folder / "one" / "not_graded.txt").read_text().splitlines()) != []
    for row in ones.values():
        one_feedback = (folder / "one" / row["submission"] / "feedback.md").read_text()
        assert (merged / row["submission"] / "feedback.md").read_text() == one_feedback
    book = {line["id"]: line for line in csv.DictReader((merged / "gradebook.csv").open())}
    assert book["s01"]["lesson 00"] == "2" and "2 files" in book["s01"]["flags"]
    assert book["s08"]["lesson 00"] == "2" and "counted 00_welcome.ipynb (2)" in book["s08"]["flags"]
    assert book["s10"]["lesson 00"] == "0" and "other variant" in book["s10"]["flags"]
    assert book["s09"]["flags"] == "lesson 00: published numbers"   # the published answers: flagged, not called a copy
    assert book["Points Possible"]["lesson 00"] == "2"


# -- the cluster recipes in INSTRUCTORS.md: they cannot run here, the commands they call can ----------------------
def recipe_section() -> str:
    text = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
    start = text.index("### A large class: grading in shards on a cluster")
    end = text.find("\n### ", start + 10)
    return text[start:end if end > 0 else len(text)]


def fenced(section: str, language: str) -> list[str]:
    import re

    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


SAMPLE = {"${{ matrix.shard }}": "2", "$((JOB_COMPLETION_INDEX + 1))": "2", "$SLURM_ARRAY_TASK_ID": "2", "$I": "2",
          "$N": "10", "$G": "/g", "$RUNNER_TEMP": "/tmp", "$HOME": "/home/me"}


def grader_commands(text: str) -> list[list[str]]:
    import shlex

    commands = []
    for line in text.replace("\\\n", " ").splitlines():
        if "-m helpers.grade " not in line:
            continue
        command = line[line.index("-m helpers.grade ") + len("-m helpers.grade "):].split("&&")[0]
        for name, value in SAMPLE.items():
            command = command.replace(name, value)
        commands.append(shlex.split(command, comments=True))
    return commands


def test_the_cluster_recipes_parse_and_call_only_the_courses_commands():
    import yaml

    from helpers.grade.cli import merge_parser, parser

    section = recipe_section()
    scripts, manifests = fenced(section, "bash"), fenced(section, "yaml")
    assert len(scripts) == 3 and len(manifests) == 2
    texts = list(scripts)
    for script in scripts:
        subprocess.run(["bash", "-n", "-c", script], check=True)
    for manifest in manifests:
        loaded = yaml.safe_load(manifest)
        texts += list(strings_in(loaded))
    kinds = [yaml.safe_load(m).get("kind") for m in manifests]
    assert kinds == ["Job", None] and yaml.safe_load(manifests[0])["spec"]["completionMode"] == "Indexed"
    jobs = yaml.safe_load(manifests[1])["jobs"]
    assert jobs["grade"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4] and jobs["merge"]["needs"] == "grade"
    import re

    inline = [span for span in re.findall(r"`([^`\n]+)`", section) if "-m helpers.grade " in span]
    commands = [c for text in texts + inline + fenced(section, "bash") for c in grader_commands(text)]
    grading = [c for c in commands if c[0] != "merge"]
    merging = [c for c in commands if c[0] == "merge"]
    assert len(grading) >= 4 and len(merging) >= 4
    for argv in grading:
        args = parser().parse_args(argv)
        assert args.shard and shards.parse_shard(args.shard) and args.out, argv
    for argv in merging:
        assert merge_parser().parse_args(argv[1:]).out, argv
    others = [line for text in texts for line in text.splitlines()
              if "python" in line and "-m helpers.grade" not in line and "helpers.grade" not in line]
    assert not others, others
