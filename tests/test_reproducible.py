"""Every solution notebook gives the same compared outputs each time it runs.

"Compared" means what strict nbval compares: text outputs, not images, not cells tagged
``nbval-ignore-output`` (``helpers.bench.outputs``). Strict nbval already runs each solution
once in ``make test`` and checks it against the stored outputs; this test runs each solution
once more, in another fresh kernel and with another ``PYTHONHASHSEED``, and checks that run
against the stored outputs too. The same run is the offline check (``tests/test_offline.py``
proves the guard): the kernel has the network guard and, where allowed, no network at all. Together: two runs, identical to each other and to the file,
for one extra execution per notebook. The other hash seed also catches output that depends on
set or dict order of strings, which differs for learners whose Jupyter sets no seed.
Strings are sanitized with the patterns the project's nbval run uses (``SANITIZE`` in the
top-level conftest.py: PNG bytes inside diagram HTML, memory addresses).
"""
from pathlib import Path

import conftest
import nbformat
import pytest

from helpers.bench.kernel import kernel_env, run_notebook, solution_notebooks
from helpers.bench.offline import namespace_prefix, offline_env
from helpers.bench.outputs import compared_outputs, is_compared, output_differences

OTHER_HASH_SEED = "1"  # the Makefile and conftest.py use 0
SANITIZE = getattr(conftest, "SANITIZE", {})


def stored_notebook(*cells):
    """A notebook whose cells are ``(source, stored stdout, tags)``, as if run once and saved."""
    nb = nbformat.v4.new_notebook()
    for count, (source, stdout, tags) in enumerate(cells, start=1):
        outputs = [nbformat.v4.new_output("stream", name="stdout", text=stdout)]
        nb.cells.append(nbformat.v4.new_code_cell(source, execution_count=count, outputs=outputs,
                                                  metadata={"tags": list(tags)}))
    return nb


def test_a_varying_output_is_caught(tmp_path):
    nb = stored_notebook(("print('same')", "same\n", ()),
                         ("import time\nprint(time.perf_counter_ns())", "123\n", ()))
    run = run_notebook(nb, env=kernel_env(), cwd=tmp_path, timeout=60)
    assert run.ok, run.error
    problems = output_differences(nb, run.notebook)
    assert len(problems) == 1 and problems[0].startswith("code cell 1"), problems


def test_ignored_and_unrun_cells_are_not_compared():
    nb = stored_notebook(("print(1)", "1\n", ("nbval-ignore-output",)), ("print(2)", "2\n", ("nbval-skip",)),
                         ("print(3)", "3\n", ()))
    assert [is_compared(c) for c in nb.cells] == [False, False, True]
    nb.cells[2].execution_count = None
    assert not is_compared(nb.cells[2])


def test_images_are_not_compared_but_text_is():
    plot = nbformat.v4.new_output("display_data", data={"image/png": "AAAA", "text/plain": "<Figure>"})
    other = nbformat.v4.new_output("display_data", data={"image/png": "BBBB", "text/plain": "<Figure>"})
    cell = nbformat.v4.new_code_cell("plot()", execution_count=1, outputs=[plot])
    again = nbformat.v4.new_code_cell("plot()", execution_count=1, outputs=[other])
    assert compared_outputs(cell) == compared_outputs(again) == {"text/plain": ["<Figure>"]}


def test_sanitizing_masks_only_what_it_names():
    html = '<img src="data:image/png;base64,{}" alt="a (4, 3) sheet"/>'
    cell = nbformat.v4.new_code_cell("", execution_count=1, outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": html.format("AAAA")})])
    same_alt = nbformat.v4.new_code_cell("", execution_count=1, outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": html.format("BBBB")})])
    other_alt = nbformat.v4.new_code_cell("", execution_count=1, outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": html.format("AAAA").replace("4, 3", "4, 2")})])
    mask = {r"data:image/png;base64,[A-Za-z0-9+/=]+": "data:image/png;base64,<png>"}
    assert compared_outputs(cell, mask) == compared_outputs(same_alt, mask)
    assert compared_outputs(cell, mask) != compared_outputs(other_alt, mask)
    assert compared_outputs(cell) != compared_outputs(same_alt)


def test_split_streams_compare_equal_to_one_stream():
    one = nbformat.v4.new_code_cell("", execution_count=1,
                                    outputs=[nbformat.v4.new_output("stream", name="stdout", text="a\nb\n")])
    two = nbformat.v4.new_code_cell("", execution_count=1, outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="a\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n")])
    assert compared_outputs(one) == compared_outputs(two)
    assert two.outputs[0]["text"] == "a\n", "comparison must not change the notebook"


@pytest.mark.slow
@pytest.mark.parametrize("path", solution_notebooks(), ids=lambda p: p.stem)
def test_solution_runs_offline_and_matches_stored_outputs(path: Path, tmp_path):
    stored = nbformat.read(path, as_version=4)
    log = tmp_path / "attempts.log"
    run = run_notebook(path, env=offline_env(log, PYTHONHASHSEED=OTHER_HASH_SEED), timeout=600,
                       prefix=namespace_prefix())
    attempts = log.read_text().splitlines() if log.exists() else []
    assert not attempts, f"{path.name} tried to reach the network: {attempts[:5]}"
    assert run.ok, f"{path.name} failed offline: {run.error}"
    problems = output_differences(stored, run.notebook, SANITIZE)
    assert not problems, f"{path.name}: outputs differ from the stored ones:\n" + "\n\n".join(problems)
