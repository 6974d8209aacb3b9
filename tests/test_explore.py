"""helpers.explore: pure model building and shape reading, the static rendering, and the widgets."""
from __future__ import annotations

import random
import sys

import pytest

from helpers import explore as ex
from helpers.explore import Settings


def outputs(settings):
    return [row["output"] for row in ex.shapes(settings)]


def test_default_is_one_simplernn_returning_its_last_step():
    rows = ex.shapes(Settings())
    assert [(r["layer"], r["type"]) for r in rows] == [("sequence", "InputLayer"), ("simple_rnn_1", "SimpleRNN")]
    assert rows[1]["input"] == "(None, 5, 3)"
    assert rows[1]["output"] == "(None, 4)"
    assert rows[1]["params"] == 3 * 4 + 4 * 4 + 4


def test_return_sequences_keeps_the_time_axis():
    assert outputs(Settings(timesteps=7, features=2, units=6, return_sequences=True))[-1] == "(None, 7, 6)"


def test_batch_size_appears_on_every_shape():
    assert outputs(Settings(batch=8, timesteps=4, features=1, units=2)) == ["(8, 4, 1)", "(8, 2)"]


@pytest.mark.parametrize("layer, states, params", [("SimpleRNN", ["h"], 45), ("GRU", ["h"], 150),
                                                    ("LSTM", ["h", "c"], 180)])
def test_return_state_lists_every_state_with_keras_param_counts(layer, states, params):
    rows = ex.shapes(Settings(layer=layer, features=3, units=5, return_state=True))
    expected = "; ".join(["output (None, 5)"] + [f"state {s} (None, 5)" for s in states])
    assert rows[-1]["output"] == expected
    assert rows[-1]["params"] == params


def test_stacking_makes_lower_layers_return_sequences():
    rows = ex.shapes(Settings(layer="GRU", depth=3, timesteps=6, features=2, units=3))
    assert [r["layer"] for r in rows[1:]] == ["gru_1", "gru_2", "gru_3"]
    assert [r["output"] for r in rows[1:]] == ["(None, 6, 3)", "(None, 6, 3)", "(None, 3)"]
    assert [r["input"] for r in rows[2:]] == ["(None, 6, 3)", "(None, 6, 3)"]


@pytest.mark.parametrize("settings", [Settings(), Settings(batch=2, layer="LSTM", depth=2, return_state=True),
                                      Settings(layer="GRU", depth=3, return_sequences=True, return_state=True),
                                      Settings(batch=4, timesteps=1, features=1, units=1, return_sequences=True)])
def test_code_line_builds_a_model_with_the_same_shapes(settings):
    import keras

    namespace = {"keras": keras}
    exec(ex.code_line(settings), namespace)  # noqa: S102 - our own generated line
    rebuilt = namespace["model"]
    ours = ex.build(settings)
    assert "\n" not in ex.code_line(settings)
    mine = [t.shape for t in (ours.outputs)]
    theirs = [t.shape for t in rebuilt.outputs]
    assert mine == theirs
    assert ours.count_params() == rebuilt.count_params()


@pytest.mark.parametrize("bad", [dict(layer="Dense"), dict(depth=4), dict(depth=0), dict(units=0),
                                 dict(timesteps=0), dict(batch=0)])
def test_invalid_settings_are_refused_with_the_setting_named(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        ex.build(Settings(**bad))


def test_building_does_not_move_the_notebooks_random_stream():
    random.seed(123)
    expected = [random.random() for _ in range(3)]
    random.seed(123)
    ex.build(Settings(layer="LSTM", depth=2))
    assert [random.random() for _ in range(3)] == expected


def test_static_rendering_is_deterministic_text():
    first = ex.explorer(static=True, draw=False, layer="LSTM", return_state=True)
    second = ex.explorer(static=True, draw=False, layer="LSTM", return_state=True)
    assert first.widget is None
    assert repr(first) == repr(second)
    text = repr(first)
    assert text.splitlines()[0].startswith("Shape explorer: batch=None, timesteps=5")
    assert "lstm_1" in text and "output (None, 4); state h (None, 4); state c (None, 4)" in text
    assert "code: x = keras.Input(shape=(5, 3)); y, state_h, state_c = keras.layers.LSTM(4, return_state=True)(x)" in text
    html = first.html()
    assert "course-explorer-shapes" in html and "course-explorer-output-shape" in html


def test_without_a_kernel_the_explorer_falls_back_to_static():
    assert ex.explorer(draw=False).widget is None  # pytest runs no IPython kernel


def test_without_ipywidgets_the_explorer_falls_back_to_static(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    assert ex._widgets_available() is False
    assert ex.explorer(draw=False).static is True


def test_update_rebuilds_and_a_failing_diagram_leaves_the_text(monkeypatch):
    import helpers
    import types

    def broken(model):
        raise RuntimeError("diagrams changed")

    fake = types.SimpleNamespace(model_flow=broken)
    monkeypatch.setattr(helpers, "diagrams", fake, raising=False)
    monkeypatch.setitem(sys.modules, "helpers.diagrams", fake)
    explorer = ex.explorer(static=True)
    explorer.update(return_sequences=True, units=2)
    assert explorer.rows[-1]["output"] == "(None, 5, 2)"
    assert explorer.diagram() is None


def test_diagram_comes_from_model_flow_of_the_built_model():
    explorer = ex.explorer(static=True, layer="GRU", depth=2, return_state=True)
    figure = explorer.diagram()
    assert figure is not None and figure.spec.kind == "model_flow"
    assert "gru_2" in figure.spec.describe()
    single = ex.explorer(static=True).diagram()
    assert single is not None and "simple_rnn_1" in single.spec.describe()


def _by_class(widget, name):
    found = []

    def walk(node):
        if name in getattr(node, "_dom_classes", ()):
            found.append(node)
        for child in getattr(node, "children", ()):
            walk(child)

    walk(widget)
    return found


def test_widgets_have_the_documented_classes_and_follow_the_controls():
    explorer = ex.explorer(static=False, draw=False)
    root = explorer.widget
    assert "course-explorer" in root._dom_classes
    for name in ("batch", "timesteps", "features", "units", "layer", "return-sequences", "return-state", "depth",
                 "shapes", "code", "diagram"):
        assert len(_by_class(root, f"course-explorer-{name}")) == 1, name
        assert f"``course-explorer-{name}``" in ex.__doc__
    shapes_area = _by_class(root, "course-explorer-shapes")[0]
    assert "<span class='course-explorer-output-shape'>(None, 4)</span>" in shapes_area.value

    _by_class(root, "course-explorer-return-sequences")[0].value = True
    assert "<span class='course-explorer-output-shape'>(None, 5, 4)</span>" in shapes_area.value
    _by_class(root, "course-explorer-layer")[0].value = "LSTM"
    _by_class(root, "course-explorer-depth")[0].value = 2
    assert explorer.settings == Settings(layer="LSTM", depth=2, return_sequences=True)
    assert "lstm_2" in shapes_area.value
    assert "keras.layers.LSTM(4, return_sequences=True)(h)" in _by_class(root, "course-explorer-code")[0].value


def test_batch_dropdown_shows_none_and_maps_it_back():
    explorer = ex.explorer(static=False, draw=False)
    batch = _by_class(explorer.widget, "course-explorer-batch")[0]
    assert batch.label == "None"
    batch.value = 8
    assert explorer.settings.batch == 8
    batch.value = 0
    assert explorer.settings.batch is None and batch.label == "None"


def test_widget_display_carries_the_static_text_as_text_plain(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    explorer = ex.explorer(static=False, draw=False)
    explorer._ipython_display_()
    bundle, raw = shown[-1]
    assert raw is True
    assert bundle["text/plain"] == repr(ex.explorer(static=True, draw=False))
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_memory_stays_bounded_over_many_changes():
    import psutil

    explorer = ex.explorer(static=True, draw=False)
    rng = random.Random(0)

    def move():
        explorer.update(timesteps=rng.randint(1, 20), features=rng.randint(1, 10), units=rng.randint(1, 16),
                        layer=rng.choice(ex.LAYER_TYPES), depth=rng.randint(1, 3),
                        return_sequences=rng.random() < 0.5, return_state=rng.random() < 0.5)

    for _ in range(20):
        move()
    before = psutil.Process().memory_info().rss
    for _ in range(60):
        move()
    grown_mb = (psutil.Process().memory_info().rss - before) / 2**20
    assert grown_mb < 30, f"RSS grew {grown_mb:.1f} MB over 60 changes"


def test_widget_diagram_is_an_image_with_alt_text_inside_the_widget_state():
    explorer = ex.explorer(static=False, layer="LSTM", return_state=True)
    area = _by_class(explorer.widget, "course-explorer-diagram")[0]
    assert area.value.startswith("<img") and 'alt="' in area.value
    assert "LSTM (None, 4)" in area.value  # the alt text describes the drawn model


def test_widget_diagram_degrades_to_a_note(monkeypatch):
    import helpers
    import types

    fake = types.SimpleNamespace(model_flow=lambda model: 1 / 0)
    monkeypatch.setattr(helpers, "diagrams", fake, raising=False)
    monkeypatch.setitem(sys.modules, "helpers.diagrams", fake)
    explorer = ex.explorer(static=False)
    area = _by_class(explorer.widget, "course-explorer-diagram")[0]
    assert "no diagram" in area.value
    assert "(None, 4)" in _by_class(explorer.widget, "course-explorer-shapes")[0].value
