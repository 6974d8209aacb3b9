"""A graded batch on the backend named by KERAS_BACKEND: kernels run on it (the sandbox passes the
variable on), the grader judges models, arrays and functions made there, and answers written with
``keras.ops`` (JAX arrays, torch tensors that require grad) earn their points like numpy ones."""
import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from helpers.exercises import exercises_for
from helpers.grade import pipeline
from helpers.grade.execute import Limits

ROOT = Path(__file__).resolve().parents[2]
# Solutions graded as they are: shapes, models, functions. Lesson 09 (trained models, the slowest lesson on
# PyTorch) is graded once, answered with keras.ops; test_notebooks_on_backend.py runs its solution as it is.
LESSONS = ("01", "05", "06")
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")


def _points(lesson: str) -> float:
    return float(sum(e.points for e in exercises_for(lesson)))


def _with_keras_ops_answers(folder: Path) -> None:
    """Lesson 09 answered with keras.ops: the function outputs are the backend's own tensors."""
    notebook = json.loads((ROOT / "solutions" / "09_capstone.ipynb").read_text())
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        source = source.replace("    return x[:, -1, 0]",
                                "    return keras.ops.convert_to_tensor(x)[:, -1, 0] * keras.Variable(1.0)")
        source = source.replace("    return float(np.mean(np.abs(np.ravel(y_true) - np.ravel(y_pred))))",
                                "    diff = keras.ops.ravel(keras.ops.convert_to_tensor(y_true, 'float32')) - "
                                "keras.ops.ravel(keras.ops.convert_to_tensor(y_pred, 'float32'))\n"
                                "    return keras.ops.mean(keras.ops.abs(diff)) * keras.Variable(1.0)")
        cell["source"] = source
    text = json.dumps(notebook)
    assert "keras.ops.mean(keras.ops.abs(diff))" in text and "convert_to_tensor(x)[:, -1, 0]" in text
    (folder / "keras_ops_09_capstone.ipynb").write_text(text)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"batch_{BACKEND}")
    for lesson in LESSONS:
        source = next((ROOT / "solutions").glob(f"{lesson}_*.ipynb"))
        shutil.copy(source, folder / f"solution_{source.name}")
    _with_keras_ops_answers(folder)
    out = folder / "out"
    # generous: lesson 09 trains three models, minutes on PyTorch on a busy machine
    pipeline.grade_batch([folder], out, jobs=2, limits=Limits(cell_timeout=1200, total_timeout=2400))
    with open(out / "grades.csv", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


@pytest.mark.slow
def test_every_solution_gets_full_marks_on_this_backend(graded):
    for lesson in LESSONS:
        row = next(r for name, r in graded.items() if name.startswith(f"solution_{lesson}_"))
        assert row["status"] == "ok" and float(row["score"]) == _points(lesson), row


@pytest.mark.slow
def test_answers_computed_with_keras_ops_earn_their_points(graded):
    row = next(r for name, r in graded.items() if name.startswith("keras_ops_09"))
    assert row["status"] == "ok" and float(row["score"]) == _points("09"), row
