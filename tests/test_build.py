"""The builder: solution blocks become stubs, outputs vanish, metadata stays, --check catches drift."""
import json
import shutil

import pytest

from helpers import build


def test_assignment_block_becomes_ellipsis():
    src = "x = 1\n### BEGIN SOLUTION\nunits = 10\nshape = (None, 2)\n### END SOLUTION\nex.q1.check(units)"
    assert build.strip_solutions(src) == (
        "x = 1\nunits = ...  # your answer\nshape = ...  # your answer\nex.q1.check(units)")


def test_function_block_keeps_signature_and_docstring():
    src = ('### BEGIN SOLUTION\ndef f(a, b=2):\n    """Add."""\n    c = a + b\n    return c\n'
           "### END SOLUTION\nex.q3.check(f)")
    out = build.strip_solutions(src)
    assert out.splitlines() == ["def f(a, b=2):", '    """Add."""', "    return ...  # your code", "ex.q3.check(f)"]
    namespace = {}
    exec(out.replace("ex.q3.check(f)", ""), namespace)
    assert namespace["f"](1) is Ellipsis


def test_indented_block_and_other_statements():
    src = "if True:\n    ### BEGIN SOLUTION\n    y = 3\n    print(y)\n    ### END SOLUTION\n    pass"
    assert build.strip_solutions(src) == "if True:\n    y = ...  # your answer\n    pass"
    assert build.strip_solutions("### BEGIN SOLUTION\nprint(1)\n### END SOLUTION") == "..."


@pytest.mark.parametrize("bad", ["### BEGIN SOLUTION\nx = 1", "x = 1\n### END SOLUTION",
                                 "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
                                 "### BEGIN SOLUTION\nx = (\n### END SOLUTION"])
def test_malformed_blocks_are_refused(bad):
    with pytest.raises(build.BuildError):
        build.strip_solutions(bad)


def _notebook(source, tags=()):
    return {"cells": [{"cell_type": "code", "execution_count": 3, "id": "a", "source": source,
                       "metadata": {"tags": list(tags)}, "outputs": [{"output_type": "stream", "name": "stdout",
                                                                      "text": "hi"}]},
                      {"cell_type": "markdown", "id": "b", "metadata": {}, "source": ["# Title"]}],
            "metadata": {"course": {"lesson": "42"}}, "nbformat": 4, "nbformat_minor": 5}


def test_learner_version_clears_outputs_keeps_tags_and_metadata():
    nb = _notebook("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\nx", tags=["raises-exception"])
    learner = build.learner_version(nb)
    cell = learner["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert cell["metadata"]["tags"] == ["raises-exception"]
    assert cell["source"] == "x = ...  # your answer\nx"
    assert learner["metadata"]["course"]["lesson"] == "42"
    assert learner["cells"][1]["source"] == "# Title"
    assert nb["cells"][0]["outputs"], "the solution notebook itself must not change"


def test_solution_only_cells_are_dropped():
    learner = build.learner_version(_notebook("print('answer key')", tags=["solution-only"]))
    assert [c["cell_type"] for c in learner["cells"]] == ["markdown"]


def test_check_names_stale_missing_and_orphan_files(tmp_path, capsys):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "solutions" / "42_demo.ipynb").write_text(json.dumps(_notebook("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")))
    assert build.main(["--check", "--root", str(tmp_path)]) == 1
    assert "notebooks/42_demo.ipynb is missing" in capsys.readouterr().err
    assert build.main(["--root", str(tmp_path)]) == 0
    assert build.main(["--check", "--root", str(tmp_path)]) == 0
    (tmp_path / "solutions" / "42_demo.ipynb").write_text(json.dumps(_notebook("### BEGIN SOLUTION\nx = 2\ny = 3\n### END SOLUTION")))
    assert build.main(["--check", "--root", str(tmp_path)]) == 1
    assert "42_demo.ipynb is out of date" in capsys.readouterr().err
    shutil.copy(tmp_path / "solutions" / "42_demo.ipynb", tmp_path / "notebooks" / "43_orphan.ipynb")
    build.main(["--root", str(tmp_path)])
    assert not (tmp_path / "notebooks" / "43_orphan.ipynb").exists()


def test_changing_a_real_solution_makes_check_fail(tmp_path):
    root = build.ROOT
    shutil.copytree(root / "solutions", tmp_path / "solutions")
    shutil.copytree(root / "notebooks", tmp_path / "notebooks")
    assert build.stale(tmp_path) == []
    path = sorted((tmp_path / "solutions").glob("00_*.ipynb"))[0]
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = "# a changed title"
    path.write_text(json.dumps(nb))
    assert any(path.name in line for line in build.stale(tmp_path))


def test_repository_notebooks_are_in_sync():
    assert build.stale() == []
