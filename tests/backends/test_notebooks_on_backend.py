"""Every solution notebook on the backend named by KERAS_BACKEND (``make test-backends``: jax, torch).

Lax on purpose: numbers, tracebacks and the backend's own wording differ, so outputs are not
compared. What must hold on every backend: no cell raises unless it is tagged ``raises-exception``,
every cell so tagged raises (but those in :data:`QUIET_ON`, whose error this backend does not
have: each one a backend difference to know about), every check prints the same verdict as the
stored TensorFlow run, and the kernel really ran on the backend asked for (the variable reached
it through the warm-kernel provisioner).
"""
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
NOTEBOOKS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
VERDICT = re.compile(r"^\[\d\d\.\w+\] (?:Correct|Not yet|Not attempted|Received)\b", re.M)
# (notebook, cell id) -> backends on which the error the cell shows (on TensorFlow) does not happen.
QUIET_ON: dict[tuple[str, str], set[str]] = {
    # id 6 in an Embedding(input_dim=6): JAX's lookup returns nan (test_backend_differences.py)
    ("07_padding_and_masking", "e3aa3fe8"): {"jax"},
}
PROBE = "import keras\nprint('KERAS BACKEND:', keras.backend.backend())"


def _text(outputs) -> str:
    parts = []
    for output in outputs:
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") in ("execute_result", "display_data"):
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def run_on_backend(path: Path) -> tuple[list[str], list[str], str]:
    """Execute ``path`` in a fresh kernel; returns (unexpected errors or missing ones, verdict changes,
    the backend the kernel reported)."""
    notebook = nbformat.read(path, as_version=4)
    stored = [_text(cell.get("outputs", [])) for cell in notebook.cells]
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
    NotebookClient(notebook, kernel_name="python3", allow_errors=True, timeout=600,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors, changed = [], []
    quiet = []
    for index, cell in enumerate(notebook.cells[:-1]):
        if cell.cell_type != "code":
            continue
        raised = [o for o in cell.outputs if o.get("output_type") == "error"]
        if raised and "raises-exception" not in cell.metadata.get("tags", []):
            errors.append(f"cell {index}: {raised[0]['ename']}: {raised[0]['evalue'][:300]}")
        if not raised and "raises-exception" in cell.metadata.get("tags", []) \
                and BACKEND not in QUIET_ON.get((path.stem, cell.get("id", "")), set()):
            quiet.append(f"cell {index} (id {cell.get('id')}): tagged raises-exception, ran without error")
        want, got = VERDICT.findall(stored[index]), VERDICT.findall(_text(cell.outputs))
        if want != got:
            changed.append(f"cell {index}: stored {want}, on {BACKEND} {got}")
    return errors + quiet, changed, _text(notebook.cells[-1].outputs).strip()


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_this_backend(path):
    errors, changed, backend = run_on_backend(path)
    assert backend == f"KERAS BACKEND: {BACKEND}", backend
    assert not errors, f"unexpected errors on {BACKEND}:\n" + "\n".join(errors)
    assert not changed, f"verdicts differ on {BACKEND}:\n" + "\n".join(changed)
