"""Step 3, extract: take each answer out of the learner's kernel, as data the grader trusts.

Each exercise's variable is read right after the last cell that checks it (``q1.check(``) has
run, because later cells may reuse a name such as ``model``, and once more at the end, in case
the learner set it below the check (:func:`helpers.grade.judge.best` combines the readings). The reading is done by :mod:`helpers.grade.probe`, sent as text; it writes JSON
(and ``.keras`` files for models) into a folder of the grader's choosing, and the grader decodes
that strictly. For a function exercise the grader picks the inputs (``ex.inputs(seed)``), the
learner's function runs on them in the kernel, and only its outputs come back.

>>> cells_that_check(["x = 1", "ex.q1.check(x)", "ex.q1.check(x)  # again"], "q1")
[1, 2]
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import probe

MAX_PAYLOAD_BYTES = 64 * 2**20
PROBE_SOURCE = Path(probe.__file__).read_text(encoding="utf-8")
_KERAS_LOCK = threading.Lock()   # model loading and judging share Keras' global state


@dataclass
class Answer:
    """What came out of the kernel for one exercise.

    ``state`` is ``"value"`` (see ``value``), ``"outputs"`` (a function's results on ``cases``,
    or ``raised`` when it raised), ``"missing"`` (the name was never defined) or
    ``"unreadable"`` (``why`` says what went wrong).
    """

    state: str
    value: Any = None
    cases: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    raised: dict | None = None
    why: str = ""


def cells_that_check(sources: list[str], exercise_id: str) -> list[int]:
    """Positions of the cells whose code calls ``<exercise_id>.check(``."""
    pattern = re.compile(rf"\b{re.escape(exercise_id)}\s*\.\s*check\s*\(")
    return [i for i, source in enumerate(sources) if pattern.search(source)]


def reading_points(exercises: list, sources: list[str]) -> dict[int, list]:
    """Cell position -> exercises to read after it; position ``len(sources)`` means "at the end"."""
    points: dict[int, list] = {}
    for exercise in exercises:
        checks = cells_that_check(sources, exercise.id)
        points.setdefault(checks[-1] if checks else len(sources), []).append(exercise)
    return points


def probe_cell(request: dict) -> str:
    """The code sent to the kernel to read one answer (no name is left in the learner's namespace)."""
    source = PROBE_SOURCE + "\nrun(LEARNER, REQUEST)\n"
    return (f"exec(compile({source!r}, '<grader probe>', 'exec'), "
            f"{{'__name__': 'grader_probe', 'LEARNER': globals(), 'REQUEST': {json.dumps(request)!r}}})")


def take(kernel, exercise, folder: Path, seed: int) -> Answer:
    """Read ``exercise``'s answer from ``kernel``; never raises."""
    try:
        return _take(kernel, exercise, Path(folder), seed)
    except Exception as err:  # noqa: BLE001 - one unreadable answer must not stop the others
        return Answer("unreadable", why=f"{type(err).__name__}: {err}"[:300])


def _take(kernel, exercise, folder: Path, seed: int) -> Answer:
    folder.mkdir(parents=True, exist_ok=True)
    model_dir = folder / exercise.key
    model_dir.mkdir(exist_ok=True)
    out = folder / f"{exercise.key}.json"
    cases = exercise.inputs(seed) if exercise.kind == "function" else []
    request = {"name": exercise.reads, "kind": exercise.kind, "out": str(out), "model_dir": str(model_dir),
               "cases": [probe.encode(tuple(args)) for args in cases]}
    if any(case.get("t") == "unsupported" for case in request["cases"]):
        return Answer("unreadable", why="the grader could not send this exercise's inputs; please report it")
    out.unlink(missing_ok=True)          # only what this probe writes counts
    run = kernel.run(probe_cell(request), silent=True)
    if not out.exists():
        reason = run.error or run.status
        if run.status == "timeout":
            reason = f"reading it took longer than {kernel.limits.cell_timeout:g} s"
        return Answer("unreadable", why=reason)
    if out.stat().st_size > MAX_PAYLOAD_BYTES:
        return Answer("unreadable", why="it is too large to take out of the notebook")
    payload = json.loads(out.read_text(encoding="utf-8"))
    if not isinstance(payload, dict) or not payload.get("found"):
        return Answer("missing")
    load = _model_loader(model_dir)
    try:
        if payload.get("callable"):
            raised = payload.get("raised")
            if raised is not None and not (isinstance(raised, dict) and all(isinstance(v, str) for v in raised.values())):
                raise ValueError("malformed exception report")
            outputs = [_decode(item, load) for item in payload.get("outputs", [])]
            return Answer("outputs", cases=cases, outputs=outputs, raised=raised)
        return Answer("value", value=_decode(payload.get("value"), load))
    except ValueError as err:
        return Answer("unreadable", why=str(err)[:300])


def _decode(data: Any, load) -> Any:
    if isinstance(data, dict) and data.get("t") == "unsupported":
        raise ValueError(f"{data.get('why', 'it cannot be transported')}")
    return probe.decode(data, load_model=load)


def _model_loader(model_dir: Path):
    def load(name: str):
        path = model_dir / name
        if not path.is_file() or path.stat().st_size > MAX_PAYLOAD_BYTES:
            raise ValueError("the saved model is missing or too large")
        import keras

        with _KERAS_LOCK:
            try:
                return keras.saving.load_model(path, safe_mode=True, compile=False)
            except Exception as err:  # noqa: BLE001
                raise ValueError(f"the model could not be loaded safely ({type(err).__name__}: "
                                 f"{str(err)[:200]})") from None

    return load


def import_keras() -> None:
    """Import Keras in the grader (ahead of the first model an answer hands in); never raises."""
    try:
        import keras  # noqa: F401
    except Exception:  # noqa: BLE001 - the first model to load reports it
        pass


def keras_lock() -> threading.Lock:
    """The lock the grader holds while Keras loads or judges a model (threads share Keras)."""
    return _KERAS_LOCK
