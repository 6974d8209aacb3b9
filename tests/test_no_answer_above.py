"""No exercise's answer is on the page before the learner is asked for it.

For every exercise, the solution notebook's markdown, code (solution blocks excepted: the learner
sees them blank) and stored outputs above its check cell must not contain the answer: its repr
(a shape, a count, a list of shapes) or one of its common spellings (the code that builds it).
What does appear there on purpose is listed, with the reason, in ALLOWED.
"""
import json
import re

import numpy as np
import pytest

from helpers.exercises import exercises_for, lessons
from tests.exercise_kit import ROOT, solution_value

ALL = [e for lesson in lessons() for e in exercises_for(lesson)]
BLOCK = re.compile(r"### BEGIN SOLUTION\n.*?### END SOLUTION\n?", re.S)

# Answers that are code (functions, models, arrays): the spellings that would give them away,
# written as a learner would type them. A model exercise's prompt names its layers (that is the
# spec), so its spellings are the assembled code or the one step the exercise is about.
# Value answers (shapes, counts, lists of shapes) are found by their repr.
SPELLINGS = {
    "00.q2": ["4 * 3", "np.zeros((4, 3)).size"],
    "01.q3": ["features * units + units", "units * (features + 1)", "(features + 1) * units"],
    "01.q7": ["Input(shape=(3,)), Dense(8, activation='relu')", 'Input(shape=(3,)), Dense(8, activation="relu")'],
    "02.q4": ["triples.reshape(6, 3, 1)", "triples[..., None]", "reshape(-1, 3, 1)", "reshape(6, 3, 1)"],
    "02.q6": ["series[i:i + timesteps]", "series[timesteps:]"],
    "02.q7": ["Reshape((2, 1))", "Reshape((-1, 1))"],
    "03.q3": ["units * (features + units + 1)", "features * units + units * units + units"],
    "03.q4": ["np.tanh(x[:, t, :] @ W + h @ U + b)", "tanh(x[:, t] @ W + h @ U + b)"],
    "03.q6": ["Input(shape=(12, 3)), SimpleRNN(8)"],
    "04.q6": ["SimpleRNN(16, return_sequences=True), SimpleRNN(8, return_sequences=True)"],
    "04.q7": ["SimpleRNN(32, return_sequences=True)"],
    "05.q2": ["outputs[:, -1, :]", "outputs[:, -1]"],
    "05.q4": ["initial_state=encoded[1:]", "initial_state=[h, c]", "initial_state=[encoder_h, encoder_c]"],
    "06.q2": ["Input(shape=(None, 1), batch_size=4)", "Input(batch_shape=(4, None, 1))"],
    "06.q3": ["reshape(batch_size, stream_len)", "transpose(1, 0, 2)"],
    "06.q5": ["x[: len(x) // batch_size * batch_size]", "len(x) // batch_size * batch_size"],
    "06.q6": ["with_batch_size(model, 1)", "make_model(1)"],
    "07.q3": ["[[8, 2, 7], [3, 9, 0]]", "[[8, 2, 7]", "[8, 2, 7]"],
    "07.q4": ["np.array([[True, False, True, True], [True, True, False, False]])",
              "[[ True False  True  True]\n [ True  True False False]]"],
    "07.q7": ["Embedding(input_dim=51, output_dim=8, mask_zero=True)", "Embedding(51, 8, mask_zero=True)"],
    "07.q8": ["padded[i, :len(s)] = s", "mask[i, :len(s)] = True"],
    "08.q2": ["series[i + window:i + window + k]", "len(series) - window - k + 1"],
    "08.q4": ["(timesteps - kernel_size) // strides + 1", "math.ceil(timesteps / strides)", "(T - k) // s + 1",
              "floor((T - k) / s) + 1", "ceil(T / s)", "ceil(T / strides)", "/ strides) + 1"],
    "08.q6": ["RepeatVector(6), LSTM(16, return_sequences=True)"],
    "09.q2": ["x[:, -1, 0]"],
    "09.q3": ["np.abs(np.ravel(y_true) - np.ravel(y_pred))", "y_pred.reshape(-1)"],
    "09.q4": ["Flatten(), Dense(16, activation='relu'), Dense(1)"],
    "09.q5": ["SimpleRNN(16), Dense(1)"],
    "09.q6": ["GRU(16, return_sequences=True), GRU(16)"],
    "09.q7": ["final_model = stacked_model"],
}

# (exercise, spelling found above its check cell): why it may stay there.
ALLOWED = {
    # Lesson 00 teaches how exercises work, not shapes: its warm-up asks for the shape of
    # np.zeros((4, 3)), so the question itself holds the numbers.
    ("00.q1", "(4, 3)"): "the warm-up question names the array it asks about",
    # The rule is what the lesson teaches; the exercise asks for it as a function, checked on random
    # sizes (and, in 03, with a timesteps argument that must stay out of the count).
    ("01.q3", "features * units + units"): "Dense's parameter rule, stated in section 3",
    ("03.q3", "units * (features + units + 1)"): "SimpleRNN's parameter rule, the lesson's result",
    ("03.q3", "features * units + units * units + units"): "the same rule, summed weight by weight",
    # The worked example lays out a fixed series of 24 values; q3 asks for the general function
    # (any length, leftover values dropped, streams trimmed to whole chunks).
    ("06.q3", "transpose(1, 0, 2)"): "section 5's worked example",
    # 12 is on the page, but never as a number of rows: section 3's sequences have 12 steps and
    # section 5's series puts 12 at the start of stream 1.
    ("06.q4", "12"): "a sequence length and a value of the series, not a row count",
    # 4 is on the page as the units of lesson 07's SimpleRNN(4) and as sequence lengths, never as
    # the index of a step whose output is copied.
    ("07.q5", "4"): "units and lengths, not a step index",
}


def _cell_text(cell: dict) -> str:
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    if cell["cell_type"] != "code":
        return source
    parts = [BLOCK.sub("", source)]
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append("".join(output["text"]))
        data = output.get("data", {})
        if "text/plain" in data:
            parts.append("".join(data["text/plain"]))
        if output.get("output_type") == "error":
            parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
    return "\n".join(parts)


def text_above(exercise) -> str:
    """Everything the learner has read when they reach the exercise's check cell."""
    [path] = sorted((ROOT / "solutions").glob(f"{exercise.lesson}_*.ipynb"))
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    marker = f"ex.{exercise.id}.check({exercise.reads})"
    [index] = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and marker in "".join(c["source"])]
    return "\n".join(_cell_text(cell) for cell in cells[:index])


def _squeeze(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    text = re.sub(r"\b(?:keras\.)?layers\.", "", text)
    return re.sub(r"\s+", "", text)


def value_spellings(exercise) -> list[str]:
    """The repr of a value answer, and the way a shape is also written: with or without spaces."""
    if exercise.kind == "function" or exercise.key in SPELLINGS:
        return []
    value = solution_value(exercise)
    if isinstance(value, bool) or isinstance(value, (np.ndarray,)) or hasattr(value, "layers"):
        return []
    return [repr(value)] + ([repr(list(value))] if isinstance(value, tuple) else [])


def found_above(exercise) -> list[str]:
    above = text_above(exercise)
    squeezed = _squeeze(above)
    hits = [s for s in SPELLINGS.get(exercise.key, []) if _squeeze(s) in squeezed]
    for spelling in value_spellings(exercise):
        if isinstance(solution_value(exercise), int):
            if re.search(rf"(?<![\w.]){spelling}(?![\w.])", above):
                hits.append(spelling)
        elif _squeeze(spelling) in squeezed:
            hits.append(spelling)
    return hits


def test_every_code_answer_has_spellings_and_every_value_answer_a_repr():
    for exercise in ALL:
        assert exercise.key in SPELLINGS or value_spellings(exercise), exercise.key
    assert set(SPELLINGS) <= {e.key for e in ALL}


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.key)
def test_no_answer_appears_above_its_check_cell(exercise):
    hits = [h for h in found_above(exercise) if (exercise.key, h) not in ALLOWED]
    assert not hits, f"{exercise.key}'s answer is on the page before it is asked: {hits}"


def test_the_allow_list_names_only_what_is_really_there():
    by_key = {e.key: e for e in ALL}
    for key, spelling in ALLOWED:
        assert spelling in found_above(by_key[key]), f"stale allow-list entry {(key, spelling)}"


def test_the_search_finds_a_planted_answer(tmp_path, monkeypatch):
    import tests.test_no_answer_above as me

    [q1] = [e for e in ALL if e.key == "01.q1"]
    notebook = {"cells": [{"cell_type": "markdown", "source": "Dense(10) gives (None, 10), see?"},
                          {"cell_type": "code", "source": "ex.q1.check(dense_shape)", "outputs": []}]}
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "01_planted.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    monkeypatch.setattr(me, "ROOT", tmp_path)
    assert found_above(q1) == ["(None, 10)"]
