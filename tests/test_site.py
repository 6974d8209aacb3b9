"""The course website's sources (helpers.site), without Sphinx or a browser.

The built site itself is opened in headless Chromium by tests/browser/test_site.py (`make test-browser`).
"""
from __future__ import annotations

import copy
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers import exercises
from helpers.site import copy_local_images, repository_setting, write_sources
from helpers.site.pages import (SHOW_SOLUTION, SiteError, hints_block, launch_links, lesson_page,
                                parse_repository, rewrite_links, sections)

ROOT = Path(__file__).resolve().parent.parent
REPO = "https://github.com/ada/rnn-course"
LESSON_02 = "02_sequences_are_3d.ipynb"


def solution(name: str) -> dict:
    return json.loads((ROOT / "solutions" / name).read_text(encoding="utf-8"))


def published_hints(lesson: str) -> dict:
    return {e.id: e.hints for e in exercises.exercises_for(lesson)}


def text(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


# -- the one setting: the repository's address ---------------------------------------------------------
@pytest.mark.parametrize("url", [REPO, REPO + "/", REPO + ".git", "https://github.com/a-b/c.d_e"])
def test_repository_addresses_github_accepts(url):
    assert parse_repository(url)[0] in ("ada", "a-b")


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "http://github.com/ada/rnn-course", "https://gitlab.com/ada/rnn-course",
    "https://github.com/ada", "https://github.com/ada/rnn-course/tree/main", 'https://github.com/ada/x"onclick="',
    "https://github.com/ada/rnn course", "https://github.com/ada/..", "https://github.com.evil.org/ada/x", "", None,
])
def test_repository_addresses_that_are_not_a_github_repository_are_refused(url):
    with pytest.raises(SiteError, match="OWNER/NAME"):
        parse_repository(url)


def test_the_setting_is_pyprojects_repository_url_unless_the_environment_overrides_it(monkeypatch):
    monkeypatch.delenv("COURSE_REPOSITORY", raising=False)
    parse_repository(repository_setting())   # the committed setting is a valid address
    monkeypatch.setenv("COURSE_REPOSITORY", REPO)
    assert repository_setting() == REPO


def test_launch_links_point_at_the_learner_notebook():
    links = launch_links(REPO, LESSON_02)
    assert links == {
        "binder": "https://mybinder.org/v2/gh/ada/rnn-course/main?urlpath=lab/tree/notebooks/" + LESSON_02,
        "colab": "https://colab.research.google.com/github/ada/rnn-course/blob/main/notebooks/" + LESSON_02,
        "github": "https://github.com/ada/rnn-course/blob/main/notebooks/" + LESSON_02,
        "download": "../notebooks/" + LESSON_02,
    }
    for bad in ("../secret.ipynb", "02_x.py", "02_x.ipynb?a=1", "02_X.ipynb"):
        with pytest.raises(SiteError):
            launch_links(REPO, bad)


# -- lesson pages ---------------------------------------------------------------------------------------
def test_a_lesson_page_has_launch_links_hints_and_folded_solutions():
    nb = solution(LESSON_02)
    before = copy.deepcopy(nb)
    hints = published_hints("02")
    prompts = {e.id: e.prompt for e in exercises.exercises_for("02")}
    page = lesson_page(nb, LESSON_02, REPO, hints, "02", prompts)
    assert nb == before, "the solution notebook itself is not changed"

    first = text(page["cells"][0])
    assert first.startswith("# 02 · Sequences are 3D\n\n<nav class=\"course-launch\"")
    assert launch_links(REPO, LESSON_02)["binder"] in first

    hint_cells = [c for c in page["cells"] if c["cell_type"] == "markdown" and "course-hints" in text(c)]
    folded = [c for c in page["cells"] if "hide-cell" in c.get("metadata", {}).get("tags", [])]
    assert len(hint_cells) == len(folded) == len(hints) == 7
    for hint_cell, exercise in zip(hint_cells, exercises.exercises_for("02")):
        assert text(hint_cell).count("<details class=\"course-hint\">") == len(exercise.hints)
        assert f"exercise 02.{exercise.id}" in text(hint_cell)
        assert f"<strong>Exercise 02.{exercise.id}:</strong>" in text(hint_cell), "the question is stated"
        assert "\n\n" not in text(hint_cell), "one raw-HTML block for MyST: no blank line inside"
    for cell in folded:
        assert cell["metadata"]["mystnb"]["code_prompt_show"] == SHOW_SOLUTION
        assert "BEGIN SOLUTION" not in text(cell) and "END SOLUTION" not in text(cell)
        assert re.search(r"ex\.q[0-9]+\.check\(", text(cell)), "the answer keeps its check (and its verdict)"
        assert cell["outputs"], "the stored verdict stays inside the fold"
    index = page["cells"].index(folded[0])
    assert page["cells"][index - 1] is hint_cells[0], "the hints come right before the folded answer"
    assert all(c.get("id") for c in page["cells"]), "every cell has an id (nbformat 4.5)"


def test_a_lesson_page_refuses_an_exercise_the_lesson_does_not_declare():
    nb = solution(LESSON_02)
    hints = published_hints("02")
    del hints["q3"]
    with pytest.raises(SiteError, match="ex.q3 is not an exercise of lesson 02"):
        lesson_page(nb, LESSON_02, REPO, hints, "02")
    nb["cells"].insert(3, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n"})
    with pytest.raises(SiteError, match="checks no ex.qN"):
        lesson_page(nb, LESSON_02, REPO, published_hints("02"), "02")


def test_hints_are_escaped_html_and_code_keeps_its_lines():
    block = hints_block("02.q1", ["Use `shape=(5, 1)`", "<script>alert(1)</script>", "model = [\n\n  Dense(1)]"],
                        prompt="What <b>shape</b>?")
    assert "What &lt;b&gt;shape&lt;/b&gt;?" in block
    assert "<script>" not in block and "&lt;script&gt;" in block
    assert "<code>shape=(5, 1)</code>" in block
    assert "<pre>model = [&#10;&#10;  Dense(1)]</pre>" in block
    assert block.count("Show hint ") == 3 and "Show hint 3 of 3" in block and "\n" not in block


# -- markdown pages from README.md and INSTRUCTORS.md ------------------------------------------------------
def test_links_are_rewritten_to_site_pages_or_to_the_repository():
    pages = {"INSTRUCTORS.md": "instructors.md", "README.md": "setup.md", "notebooks/02_a.ipynb": "lessons/02_a.ipynb"}
    anchors = {"setup.md": {"two-commands"}}
    source = ("[g](INSTRUCTORS.md) [s](README.md#two-commands) [x](README.md#grading) [l](notebooks/02_a.ipynb) "
              "[c](CONTRIBUTING.md) [w](https://keras.io) [a](#two-commands) [b](#elsewhere)\n"
              "[o](#own-heading)\n```\n[kept](INSTRUCTORS.md)\n```\n## Own heading\n")
    out = rewrite_links(source, pages, anchors, "README.md", REPO)
    assert "[g](instructors.md)" in out and "[s](setup.md#two-commands)" in out
    assert "[x](https://github.com/ada/rnn-course#grading)" in out
    assert "[l](lessons/02_a.ipynb)" in out
    assert "[c](https://github.com/ada/rnn-course/blob/main/CONTRIBUTING.md)" in out
    assert "[w](https://keras.io)" in out and "[a](setup.md#two-commands)" in out
    assert "[b](https://github.com/ada/rnn-course#elsewhere)" in out
    assert "[kept](INSTRUCTORS.md)" in out, "code blocks are left as they are"
    assert "[o](#own-heading)" in out, "a link to a heading of the same text stays on the page"


def test_sections_cut_at_level_two_headings_outside_code():
    parts = sections("intro\n## One\na\n```\n## not a heading\n```\n## Two\nb\n")
    assert [h for h, _ in parts] == ["", "One", "Two"] and "## not a heading" in parts[1][1]


def test_write_sources_makes_every_page_and_leaves_the_learner_notebooks_blank(tmp_path):
    learner_before = {p.name: p.read_bytes() for p in (ROOT / "notebooks").glob("*.ipynb")}
    written = write_sources(tmp_path / "src", REPO)
    src = tmp_path / "src"
    solutions = sorted(p.name for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in (src / "lessons").glob("*.ipynb")) == solutions
    assert [stem + ".ipynb" for stem, _, _ in written["lessons"]] == solutions
    for name in solutions:
        shipped = src / "_extra" / "notebooks" / name
        assert shipped.read_bytes() == learner_before[name], "the download is the learner notebook as it is"
        assert "BEGIN SOLUTION" not in shipped.read_text(encoding="utf-8")
    assert {p.name: p.read_bytes() for p in (ROOT / "notebooks").glob("*.ipynb")} == learner_before
    home = (src / "index.md").read_text(encoding="utf-8")
    assert "## The lessons" in home and "## How to start" in home and "](lessons/02_sequences_are_3d.ipynb)" in home
    assert "](notebooks/" not in home, "the lesson map links to the site's pages"
    setup = (src / "setup.md").read_text(encoding="utf-8")
    assert "make lab" in setup and "## Two commands" in setup
    assert "repository_url" in (src / "conf.py").read_text(encoding="utf-8")
    assert 'nb_execution_mode = "off"' in (src / "conf.py").read_text(encoding="utf-8")
    # Writing again starts from an empty folder (no page of a removed lesson survives).
    (src / "lessons" / "55_stale.ipynb").write_text("{}")
    write_sources(src, REPO)
    assert not (src / "lessons" / "55_stale.ipynb").exists()


# -- git and the publishing workflow -----------------------------------------------------------------------
def test_the_built_site_is_git_ignored():
    for path in ("build/site/index.html", "build/site-src/conf.py", "build/npm/node_modules/axe-core/axe.min.js"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path


def test_the_pages_workflow_builds_with_make_site_and_publishes_build_site_on_push_to_main():
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    triggers = flow.get("on", flow.get(True))   # YAML 1.1 reads the key `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"
    steps = flow["jobs"]["build"]["steps"]
    build = next(s for s in steps if s.get("run") == "make site")
    assert build["env"]["COURSE_REPOSITORY"] == "${{ github.server_url }}/${{ github.repository }}"
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "build/site"
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages") for s in flow["jobs"]["deploy"]["steps"])


def test_images_of_a_markdown_page_are_copied_and_nothing_outside_the_repository(tmp_path):
    root, src = tmp_path / "repo", tmp_path / "src"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "fig.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"secret")
    page = "![a](docs/fig.png) ![b](../secret.png) ![c](/etc/passwd) ![d](https://x.org/y.png) ![e](docs/none.png)"
    assert copy_local_images(page, root, src) == ["docs/fig.png"]
    assert (src / "docs" / "fig.png").read_bytes() == b"png"
    assert sorted(p.name for p in src.rglob("*") if p.is_file()) == ["fig.png"]
