"""pytest setup shared by tests/, solutions/ and notebooks/.

* solutions/ run under strict nbval: every output is compared, except cells tagged
  ``nbval-ignore-output``; images are never compared (nbval's default).
* notebooks/ (learner versions, no stored outputs) only have to run without errors,
  with every answer left blank: output comparison is switched off for them.
* Pictures are never compared byte for byte: PNGs are skipped (nbval's default) and the base64
  PNG inside a diagram's HTML (an <img> with alt text) is masked; the alt text is still compared.
* Every kernel inherits a quiet, reproducible TensorFlow configuration.
"""
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYTHONHASHSEED", "0")

ROOT = Path(__file__).resolve().parent
collect_ignore_glob = ["tests/fixtures/*", ".venv/*", "**/.ipynb_checkpoints/*"]
# Browser tests (headless Chromium + JupyterLab) run only from `make test-browser`.
if os.environ.get("COURSE_BROWSER") != "1":
    collect_ignore_glob += ["tests/browser", "tests/browser/*"]
# Tests that need the jax/torch extras run only from `make test-backends` (KERAS_BACKEND=jax or torch).
if os.environ.get("COURSE_BACKENDS") != "1":
    collect_ignore_glob += ["tests/backends", "tests/backends/*"]


SANITIZE = {
    r"data:image/png;base64,[A-Za-z0-9+/=]+": "data:image/png;base64,<png>",
    r"\b0x[0-9a-fA-F]{6,}\b": "0x<address>",
}


def pytest_collectstart(collector):
    path = getattr(collector, "path", None)
    if path is None or path.suffix != ".ipynb":
        return
    if hasattr(collector, "sanitize_patterns"):
        collector.sanitize_patterns.update(SANITIZE)
    if path.parent == ROOT / "notebooks":
        collector.compare_outputs = False


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _answers_back_after_a_graded_release():
    """``graded_release`` seals its process (no answers from then on, as in a student's kernel);
    in the test process the next test gets the answers back. Every lesson module is imported first,
    so none is first built while sealed."""
    import importlib

    from helpers.exercises import engine, exercises_for, lessons

    modules = [importlib.import_module(f"helpers.exercises.lesson_{n}") for n in lessons()]
    for lesson in lessons():
        exercises_for(lesson)
    kept, texts = dict(engine._KEPT), {m: getattr(m, "TEXTS", None) for m in modules}
    yield
    if engine._SEALED:
        engine._SEALED = False
        engine._KEPT.update(kept)
        for module, templates in texts.items():
            if templates is not None:
                module.TEXTS = templates
