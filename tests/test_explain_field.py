"""The explainer on errors from the field: broken snippets modelled on public bug reports and Q&A threads
(tests/explain_field_snippets.py names the thread of each). Every snippet must get the right explanation,
each look-alike another (or a modest) one, and the stateful short batch the same explanation every run."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from helpers import explain as ex
from tests.explain_field_snippets import NEAR_MISSES, SNIPPETS


def run_cell(code: str):
    """Run ``code`` as a notebook cell would (its own namespace) and return (error, namespace)."""
    import keras

    namespace = {"np": np, "keras": keras, "layers": keras.layers}
    try:
        exec(compile(textwrap.dedent(code), "<cell>", "exec"), namespace)
    except Exception as error:  # noqa: BLE001
        return error, namespace
    pytest.fail("the snippet was expected to raise")


def test_every_kind_has_three_snippets_from_the_field_with_different_apis():
    by_kind: dict[str, list] = {}
    for snippet in SNIPPETS:
        by_kind.setdefault(snippet.kind, []).append(snippet)
        assert snippet.source.startswith("http"), snippet.id
        assert snippet.kind in ex.KINDS, snippet.kind
    assert len(by_kind) >= 17
    for kind, snippets in by_kind.items():
        assert len(snippets) >= 3, kind
        assert len({s.code for s in snippets}) == len(snippets), kind
    apis = {s.api for s in SNIPPETS}
    assert apis == {"sequential", "functional", "subclassed"}
    assert len({s.id for s in SNIPPETS + NEAR_MISSES}) == len(SNIPPETS) + len(NEAR_MISSES)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.id for s in SNIPPETS])
def test_field_snippet_gets_the_right_explanation(snippet):
    error, namespace = run_cell(snippet.code)
    result = ex.explain(error, namespace=namespace)
    assert result is not None, f"not recognised: {type(error).__name__}: {str(error)[:300]}"
    assert result.kind == snippet.kind, result.text()
    assert result.modest == snippet.modest, result.text()
    text = result.text()
    for word in snippet.words:
        assert word in text, f"{word!r} missing from:\n{text}"
    if result.modest:
        assert result.check and not result.fix
    assert repr(result) == text and result._repr_html_().count("course-explain") >= 1


@pytest.mark.parametrize("snippet", NEAR_MISSES, ids=[s.id for s in NEAR_MISSES])
def test_look_alikes_with_another_cause_get_another_or_a_modest_explanation(snippet):
    error, namespace = run_cell(snippet.code)
    result = ex.explain(error, namespace=namespace)
    if snippet.kind is None:
        assert result is None, result
        return
    assert result is not None, f"not recognised: {type(error).__name__}: {str(error)[:300]}"
    assert result.kind == snippet.kind, result.text()
    assert result.modest == snippet.modest, result.text()


def test_the_stateful_short_batch_gets_the_same_explanation_every_run():
    import re

    for snippet_id in ("stateful-short-seq", "stateful-short-func-seqout"):
        code = next(s for s in SNIPPETS if s.id == snippet_id).code
        texts = set()
        for _ in range(4):   # a fresh model each run: Keras numbers its layers lstm_1, lstm_2, ...
            error, namespace = run_cell(code)
            texts.add(re.sub(r"'(\w+?)(_\d+)?'", r"'\1'", ex.explain(error, namespace=namespace).text()))
        assert len(texts) == 1, texts
    # the same model fitted again fails again, explained the same way
    error, namespace = run_cell(next(s for s in SNIPPETS if s.id == "stateful-short-seq").code)
    first = ex.explain(error, namespace=namespace).text()
    for _ in range(3):
        try:
            namespace["model"].fit(np.random.rand(10, 5, 3), np.random.rand(10, 1), batch_size=4, shuffle=False,
                                   epochs=1, verbose=0)
        except Exception as again:  # noqa: BLE001
            assert ex.explain(again, namespace=namespace).text() == first
        else:
            pytest.fail("the short last batch was expected to fail again")


def test_pictures_are_specs_that_name_the_mismatch():
    error, namespace = run_cell(next(s for s in SNIPPETS if s.id == "retseq-seq-cce").code)
    spec = ex.explain(error, namespace=namespace).picture
    assert spec.kind == "comparison"
    assert spec.facts["mismatched"] == [("model output", "timesteps")]
    assert "model output: batch=?, timesteps=45, classes=3" in spec.describe()
    error, namespace = run_cell(next(s for s in SNIPPETS if s.id == "states-size-bidi").code)
    spec = ex.explain(error, namespace=namespace).picture
    assert [row for row, _ in spec.facts["rows"]] == ["the states handed over", "the decoder holds"]
    assert "h = [forward h | backward h] = 32 + 32" in spec.describe()
    error, namespace = run_cell(next(s for s in SNIPPETS if s.id == "axes-eeg-func").code)
    spec = ex.explain(error, namespace=namespace).picture
    assert "your data: batch=20, features=64, timesteps=256" in spec.describe()


def test_explanations_that_draw_a_picture_render_it(monkeypatch):
    import helpers.diagrams.render as drawing

    error, namespace = run_cell(next(s for s in SNIPPETS if s.id == "states-count-func-h").code)
    result = ex.explain(error, namespace=namespace)
    figure = result.diagram()
    assert figure.spec is result.picture and figure.spec.alt_text
    assert result.diagram().spec is result.picture   # drawn again: once the render submodule is loaded too
    monkeypatch.setattr(drawing, "render", lambda spec: (_ for _ in ()).throw(RuntimeError("broken")))
    assert result.diagram() is None   # a drawing problem never hides the explanation


def test_comparison_spec_marks_what_differs_and_rejects_nonsense():
    from helpers.diagrams import comparison_spec

    spec = comparison_spec("states", [("encoder", [("h", 64), ("c", 64)]), ("decoder", [("h", 128), ("c", 128)])],
                           note="same units on both sides")
    assert spec.warnings == ["h: encoder 64, decoder 128", "c: encoder 64, decoder 128"]
    assert [b.role for b in spec.blocks] == ["warning"] * 4 and all(b.dashed for b in spec.blocks)
    assert "same units on both sides" in spec.describe() and spec.alt_text.startswith("states:")
    same = comparison_spec("ok", [("a", [("batch", None), ("features", 3)]), ("b", [("batch", 8), ("features", 3)])])
    assert same.warnings == [] and not any(b.dashed for b in same.blocks)   # an unknown size matches any
    for rows in ([], [("a", [("h",)])], [("a", [("h", "64")])], [("a", [("h", True)])]):
        with pytest.raises(ValueError):
            comparison_spec("bad", rows)


def test_explaining_never_raises_on_hostile_namespaces_or_messages():
    class Hostile:
        def __getattr__(self, name):
            raise RuntimeError("no attributes here")

        def __len__(self):
            raise RuntimeError("no length")

    error, namespace = run_cell(next(s for s in SNIPPETS if s.id == "onehot-emb-func").code)
    namespace.update(hostile=Hostile(), huge=np.zeros((2, 50)), obj=np.array([object()] * 3))
    assert ex.explain(error, namespace=namespace).kind == "one-hot-into-embedding"
    forged = ValueError("Arguments `target` and `output` must have the same shape. Received: target.shape=(a, b), "
                        "output.shape=(None, 5)")
    assert ex.explain(forged, namespace={"x": Hostile()}) is None
    assert ex.explain(AttributeError("'Scheduler' object has no attribute 'reset_states'")) is None
    assert ex.explain(ValueError("Unrecognized keyword arguments passed to LSTM: {'input_length': __import__('os')}")) is None
