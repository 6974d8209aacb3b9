"""The course as a learner meets it: JupyterLab in headless Chromium, driven through the UI.

Lesson 01 is opened and run with Run > Run All Cells; then one exercise is answered by typing
into its cell. The shape explorer is opened in a notebook of its own and one control is changed.
Each step leaves a PNG in the screenshots folder (printed at the end of the run).
"""
from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from . import lab_ui

# Another lesson can be driven the same way: COURSE_BROWSER_LESSON=02_sequences_are_3d.ipynb
LESSON = os.environ.get("COURSE_BROWSER_LESSON", "01_dense_and_batch_axis.ipynb")
ANSWER_LINE = re.compile(r"^(?P<name>\w+) = \.\.\.\s*# your answer$", re.MULTILINE)
CHECK_CALL = re.compile(r"\bex\.(?P<exercise>q\d+)\.check\((?P<name>\w+)\)")


@dataclass
class ExerciseCell:
    index: int          # position among all cells, as in the JupyterLab DOM
    name: str           # the variable the learner fills in, e.g. "dense_shape"
    exercise: str       # "q1"
    source: str


def exercise_cells(notebook) -> list[ExerciseCell]:
    """Cells of the form ``name = ...  # your answer`` + ``ex.qN.check(name)``, in order."""
    found = []
    for index, cell in enumerate(notebook.cells):
        answer, check = ANSWER_LINE.search(cell.source), CHECK_CALL.search(cell.source)
        if cell.cell_type == "code" and answer and check and answer["name"] == check["name"]:
            found.append(ExerciseCell(index, answer["name"], check["exercise"], cell.source))
    return found


def shoot(page, folder: Path, name: str, element=None) -> Path:
    """Save a PNG of ``element`` (scrolled into view) or of the whole window."""
    path = folder / f"{name}.png"
    (element or page).screenshot(path=str(path))
    return path


@dataclass
class RunLesson:
    page: object
    path: Path            # the served copy, saved after Run All
    saved: object         # that copy, read back with nbformat


@pytest.fixture(scope="module")
def lesson(page, lab, screenshots) -> RunLesson:
    """The lesson opened in JupyterLab, every cell run through the Run menu, then saved."""
    lab_ui.open_notebook(page, lab, LESSON)
    shoot(page, screenshots, f"01_lesson{LESSON[:2]}_opened")
    lab_ui.run_all_cells(page, lab, LESSON)
    shoot(page, screenshots, f"02_lesson{LESSON[:2]}_after_run_all")
    lab_ui.save(page, lab, LESSON)
    path = lab.notebook_dir / LESSON
    return RunLesson(page, path, nbformat.read(path, as_version=4))


def test_run_all_cells_runs_every_cell_without_unexpected_errors(lesson, screenshots):
    code_cells = [c for c in lesson.saved.cells if c.cell_type == "code"]
    assert code_cells, f"{LESSON} has no code cells"
    not_run = [i for i, c in enumerate(lesson.saved.cells) if c.cell_type == "code" and c.execution_count is None]
    assert not_run == [], f"cells never ran (Run All stopped early?): {not_run}"
    unexpected = [
        (i, output.get("ename"), output.get("evalue"))
        for i, cell in enumerate(lesson.saved.cells) if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "error" and "raises-exception" not in cell.metadata.get("tags", [])
    ]
    assert unexpected == []
    # Cells tagged to raise show their real error, and Run All went on past them.
    silent = [i for i, cell in enumerate(lesson.saved.cells)
              if "raises-exception" in cell.metadata.get("tags", [])
              and not any(o.output_type == "error" for o in cell.get("outputs", []))]
    assert silent == [], f"cells tagged raises-exception that raised nothing: {silent}"
    tagged = [i for i, cell in enumerate(lesson.saved.cells) if "raises-exception" in cell.metadata.get("tags", [])]
    for index in tagged:
        error = next(o for o in lesson.saved.cells[index].outputs if o.output_type == "error")
        shown_error = lab_ui.cell(lesson.page, index).locator(".jp-OutputArea-output").filter(has_text=error.ename)
        assert shown_error.count() >= 1, f"cell {index}: {error.ename} is not on the page"
    if tagged:
        shoot(lesson.page, screenshots, "03_raises_exception_cell", lab_ui.cell(lesson.page, tagged[0]))
    shown = [p for p in lab_ui.prompts(lesson.page) if p]
    assert len(shown) == len(code_cells) and all(re.fullmatch(r"\[\d+\]:", p) for p in shown), shown


def test_untouched_exercises_say_not_attempted_in_html(lesson, screenshots):
    cells = exercise_cells(nbformat.read(lesson.path, as_version=4))
    assert cells, f"no `name = ...  # your answer` cells with ex.qN.check(name) in {LESSON}"
    for exercise in cells:
        verdict = lab_ui.cell(lesson.page, exercise.index).locator(
            ".jp-OutputArea-output .course-verdict.course-not-attempted")
        assert verdict.count() == 1, f"cell {exercise.index} ({exercise.exercise}) shows no HTML 'not attempted'"
        assert verdict.is_visible()
        assert "Not attempted" in verdict.inner_text()
    shoot(lesson.page, screenshots, "04_not_attempted_verdict", lab_ui.cell(lesson.page, cells[0].index))


def test_typing_the_right_answer_turns_the_verdict_correct(lesson, lab, screenshots):
    module = importlib.import_module(f"helpers.exercises.lesson_{LESSON[:2]}")
    candidates = [
        (cell, getattr(module, cell.exercise).answer.strip()) for cell in exercise_cells(lesson.saved)
        if "\n" not in getattr(module, cell.exercise).answer.strip()
        and getattr(module, cell.exercise).answer.strip().startswith(f"{cell.name} =")
    ]
    assert candidates, f"no exercise in {LESSON} has a one-line answer to type"
    target, answer = candidates[0]
    typed = ANSWER_LINE.sub(lambda m: f"{answer}  # your answer", target.source, count=1)

    lab_ui.replace_cell_source(lesson.page, target.index, typed)
    lab_ui.run_cell(lesson.page, lab, LESSON, target.index)

    outputs = lab_ui.cell(lesson.page, target.index).locator(".jp-OutputArea-output")
    assert outputs.locator(".course-verdict.course-correct").count() == 1, outputs.all_inner_texts()
    assert outputs.locator(".course-not-attempted, .course-not-yet").count() == 0
    assert "Correct" in outputs.inner_text()
    shoot(lesson.page, screenshots, "05_correct_verdict", lab_ui.cell(lesson.page, target.index))


def test_diagram_is_an_image_with_alt_text(lesson, screenshots):
    images = lesson.page.locator(".jp-OutputArea-output img[alt]")
    assert images.count() >= 1, f"no diagram image with alt text in {LESSON}"
    first = images.first
    alt = first.get_attribute("alt")
    assert alt and len(alt.split()) >= 3, f"alt text too thin to describe a diagram: {alt!r}"
    first.scroll_into_view_if_needed()
    assert first.evaluate("img => img.complete && img.naturalWidth > 0"), "the diagram image did not decode"
    shoot(lesson.page, screenshots, "06_diagram_with_alt_text", first)
    (screenshots / "06_diagram_with_alt_text.txt").write_text(alt + "\n")


def axis_count(shape_text: str) -> int:
    """Axes of the first shape in a text such as ``"(None, 5, 4)"`` -> 3."""
    first = re.search(r"\(([^()]*)\)", shape_text)
    assert first, f"no shape in {shape_text!r}"
    return len([part for part in first.group(1).split(",") if part.strip()])


EXPLORER_NOTEBOOK = "browser_shape_explorer.ipynb"


def test_shape_explorer_output_follows_return_sequences(page, lab, screenshots):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("from helpers.explore import explorer\nexplorer()")]
    nbformat.write(notebook, lab.notebook_dir / EXPLORER_NOTEBOOK)

    lab_ui.open_notebook(page, lab, EXPLORER_NOTEBOOK)
    lab_ui.run_all_cells(page, lab, EXPLORER_NOTEBOOK)
    explorer = page.locator(".jp-OutputArea-output .course-explorer")
    explorer.wait_for(state="visible")
    assert page.locator(".course-explorer-static").count() == 0, "explorer fell back to static HTML: no widgets"
    output_shape = explorer.locator(".course-explorer-shapes .course-explorer-output-shape")
    output_shape.wait_for(state="visible")
    before = output_shape.inner_text().strip()
    checkbox = explorer.locator(".course-explorer-return-sequences input[type=checkbox]")
    was_checked = checkbox.is_checked()
    shoot(page, screenshots, "07_explorer_before", explorer)

    checkbox.click()
    lab_ui.wait_until(lambda: output_shape.inner_text().strip() != before, 60,
                      "the explorer's output shape to change")
    after = output_shape.inner_text().strip()
    shoot(page, screenshots, "08_explorer_after_return_sequences", explorer)

    assert checkbox.is_checked() != was_checked
    # Returning sequences keeps the time axis: (batch, units) becomes (batch, timesteps, units).
    assert axis_count(after) - axis_count(before) == (1 if not was_checked else -1), (before, after)
