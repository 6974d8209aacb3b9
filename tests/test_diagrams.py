"""helpers.diagrams: specs (blocks, arrows, labels, roles), rendered artists, display behaviour.

Models are tiny; shapes are compared with what Keras itself reports. Only one pixel check.
"""
import base64
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_hex, to_rgb

from helpers import diagrams as dg
from helpers.diagrams.render import DiagramFigure
from helpers.diagrams.spec import ROLES


def texts(fig):
    """Every text drawn in a figure: axes texts, figure texts and legend entries."""
    found = [t.get_text() for ax in fig.axes for t in ax.texts]
    found += [t.get_text() for t in fig.texts]
    for legend in fig.legends:
        found += [t.get_text() for t in legend.get_texts()]
    return found


# ---------------------------------------------------------------- tensor

def test_tensor_spec_names_every_edge_and_marks_unknown_batch():
    spec = dg.tensor_spec((None, 5, 3))
    block = spec.blocks[0]
    assert block.shape == "box3d"
    assert {e.side: e.label for e in block.edges} == {
        "bottom": "timesteps = 5", "left": "features = 3", "depth": "batch = ?"}
    assert [e.dashed for e in block.edges] == [False, False, True]
    assert "unknown" in spec.legend_roles()
    assert "(None, 5, 3)" in spec.alt_text and "?" in spec.alt_text
    assert "timesteps = 5" in spec.describe()


def test_time_runs_along_width_and_features_along_height():
    wide = dg.tensor_spec((2, 8, 1)).blocks[0]
    tall = dg.tensor_spec((2, 1, 8)).blocks[0]
    assert wide.w > wide.h and tall.h > tall.w


@pytest.mark.parametrize("shape, form, sides", [
    ((None, 10), "sheet", ["left", "depth"]),
    ((4,), "strip", ["left"]),
    ((None, 28, 28, 1), "box3d", ["bottom", "left", "depth", "extra"]),
])
def test_lower_and_higher_ranks_get_their_own_form(shape, form, sides):
    block = dg.tensor_spec(shape).blocks[0]
    assert block.shape == form
    assert [e.side for e in block.edges] == sides


def test_tensor_accepts_arrays_and_custom_names():
    spec = dg.tensor_spec(np.zeros((8, 5, 1)), names=["samples", "steps", "channels"])
    assert [e.label for e in spec.blocks[0].edges] == ["steps = 5", "channels = 1", "samples = 8"]
    assert "unknown" not in spec.legend_roles()


def test_tensor_rejects_bad_input_with_a_sentence():
    with pytest.raises(ValueError, match="one name per axis"):
        dg.tensor_spec((None, 5), names=["batch"])
    with pytest.raises(TypeError, match="shape"):
        dg.tensor_spec(object())
    with pytest.raises(TypeError, match="whole number or None"):
        dg.tensor_spec((None, "five"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(1, 500)), min_size=1, max_size=3))
def test_every_axis_is_an_edge_and_only_unknown_edges_are_dashed(shape):
    block = dg.tensor_spec(tuple(shape)).blocks[0]
    assert sorted((e.axis, e.size) for e in block.edges) == sorted(
        zip(dg.tensor_spec(tuple(shape)).facts["names"], shape))
    assert all(e.dashed == (e.size is None) for e in block.edges)
    assert block.w > 0 and block.h > 0


def test_tensor_figure_prints_sizes_and_draws_unknown_edge_dashed():
    fig = dg.tensor((None, 5, 3))
    drawn = texts(fig)
    for label in ("timesteps = 5", "features = 3", "batch = ?", "shape (None, 5, 3)", "unknown size (None)"):
        assert label in drawn
    unknown = to_hex(to_rgb(ROLES["unknown"][0]))
    dashed = [line for line in fig.axes[0].lines
              if line.get_linestyle() not in ("-", "None") and to_hex(line.get_color()) == unknown]
    assert len(dashed) == 1


def test_tensor_front_face_pixel_has_the_input_colour():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = dg.tensor((2, 5, 3))
    block = fig.spec.blocks[0]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    # centre of the first cell of the front face (away from grid lines)
    px, py = fig.axes[0].transData.transform((block.x + block.w / 10, block.y + block.h / 6))
    rgb = pixels[int(round(pixels.shape[0] - py)), int(round(px)), :3] / 255
    assert np.allclose(rgb, to_rgb(ROLES["input"][0]), atol=0.02)


# ---------------------------------------------------------------- display

def test_figure_displays_once_with_alt_text_and_stable_plain_text():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = dg.tensor((None, 5, 3))
    assert isinstance(fig, DiagramFigure) and fig.spec.kind == "tensor"
    assert plt.get_fignums() == before          # not registered with pyplot: no second inline copy
    bundle = fig._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/png"}
    assert bundle["text/plain"] == repr(fig) == fig.spec.describe()
    assert f'alt="{fig.spec.alt_text}"' in fig._repr_html_().replace("&#x27;", "'")
    png = fig._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 100_000
    assert base64.b64encode(png).decode() in bundle["text/html"]


def test_png_bytes_are_identical_across_renders():
    # nbval compares text/html, which embeds the PNG: it must not change between runs.
    assert dg.tensor((None, 5, 3)).to_png() == dg.tensor((None, 5, 3)).to_png()


def test_importing_diagrams_imports_neither_tensorflow_nor_matplotlib():
    code = ("import sys, helpers.diagrams as dg; dg.tensor_spec((None, 5, 3)); "
            "dg.stateful_batches_spec(8, 2); dg.unrolled_spec(timesteps=3, features=1, units=2); "
            "print([m for m in ('tensorflow', 'keras', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_spec_is_plain_data():
    spec = dg.stateful_batches_spec(6, 2, resets=(1,))
    data = json.loads(json.dumps(spec.to_dict()))
    assert data["kind"] == "stateful_batches"
    assert {b["role"] for b in data["blocks"]} == {"sample", "warning"}


# ---------------------------------------------------------------- unrolled

def test_unrolled_lays_time_left_to_right_and_data_bottom_to_top():
    spec = dg.unrolled_spec(timesteps=4, features=3, units=5)
    cells = spec.blocks_with_role("recurrent")
    assert len(cells) == 4
    assert [c.x for c in cells] == sorted(c.x for c in cells)
    x1, cell1, out1 = spec.block("x0"), spec.block("cell0"), spec.block("out0")
    assert x1.y < cell1.y < out1.y
    assert len(spec.arrows_with_role("input")) == 4


def test_unrolled_shows_one_shared_set_of_weights():
    spec = dg.unrolled_spec(timesteps=5, features=1, units=10)
    badges = spec.blocks_with_role("weights")
    assert len(badges) == 5 and len({b.label for b in badges}) == 1
    assert spec.facts["params"] == 120                      # 1*10 + 10*10 + 10 (KERAS3_FACTS)
    assert any("(1, 10)" in lab.text and "120 params" in lab.text for lab in spec.labels)


@pytest.mark.parametrize("kind, params, states", [("SimpleRNN", 45, ["h"]), ("GRU", 150, ["h"]),
                                                  ("LSTM", 180, ["h", "c"])])
def test_unrolled_param_counts_and_states_per_kind(kind, params, states):
    spec = dg.unrolled_spec(kind=kind, timesteps=3, features=3, units=5)
    assert spec.facts["params"] == params and spec.facts["states"] == states
    assert len(spec.arrows_with_role("hidden")) == 3        # h0 -> step 1, then 2 step-to-step
    assert len(spec.arrows_with_role("cell")) == (3 if kind == "LSTM" else 0)


def test_return_sequences_decides_which_outputs_leave():
    last = dg.unrolled_spec(timesteps=4, features=2, units=3)
    every = dg.unrolled_spec(timesteps=4, features=2, units=3, return_sequences=True)
    assert [b.label for b in last.blocks_with_role("output")] == ["h\u2084"]
    assert len(last.blocks_with_role("dropped")) == 3
    assert [b.id for b in last.blocks_with_role("zeros")] == ["h0"]
    assert len(every.blocks_with_role("output")) == 4
    assert last.facts["output_shape"] == (None, 3) and every.facts["output_shape"] == (None, 4, 3)


def test_return_state_and_initial_state_add_state_blocks():
    plain = dg.unrolled_spec(kind="LSTM", timesteps=3, features=2, units=4)
    full = dg.unrolled_spec(kind="LSTM", timesteps=3, features=2, units=4, return_state=True, initial_state=True)
    assert {b.id for b in full.blocks} - {b.id for b in plain.blocks} == {"h_final", "c_final"}
    assert full.block("h0").role == "hidden" and full.block("c0").role == "cell"
    assert plain.block("h0").role == "zeros" and plain.block("h0").dashed
    assert "initial_state" in full.alt_text and "zeros" in plain.alt_text
    fig = dg.unrolled(kind="LSTM", timesteps=3, features=2, units=4, return_state=True, initial_state=True)
    assert {"return_state", "initial_state", "cell state c (LSTM)"} <= set(texts(fig))


def test_long_sequences_are_drawn_with_an_ellipsis():
    spec = dg.unrolled_spec(kind="GRU", timesteps=20, features=1, units=8)
    assert len(spec.blocks_with_role("recurrent")) == 5
    assert any(lab.text == "\u2026" for lab in spec.labels)
    assert spec.blocks_with_role("output")[0].label == "h\u2082\u2080"


def test_unrolled_rejects_unknown_kind():
    with pytest.raises(ValueError, match="SimpleRNN"):
        dg.unrolled_spec(kind="Transformer")


# ---------------------------------------------------------------- stateful_batches

def test_stateful_batches_draws_one_arrow_per_row_and_batch_boundary():
    spec = dg.stateful_batches_spec(np.zeros((8, 5, 1)), batch_size=2)
    assert spec.facts["batches"] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    carry = spec.arrows_with_role("carry")
    assert len(carry) == 6 and not spec.warnings
    assert ("b0r1", "b1r1") in {(a.src, a.dst) for a in carry}
    assert all(a.start[1] == a.end[1] and a.end[0] > a.start[0] for a in carry)   # row to same row, forward


def test_reset_is_a_cut_with_no_arrows_across():
    spec = dg.stateful_batches_spec(8, 2, resets=(2,))
    assert len(spec.arrows_with_role("carry")) == 4
    cuts = spec.blocks_with_role("warning")
    assert len(cuts) == 1 and cuts[0].label == "reset_state()"
    assert spec.block("b1r0").x < cuts[0].x < spec.block("b2r0").x
    assert "\u2702 reset_state()" in texts(dg.stateful_batches(8, 2, resets=(2,)))


def test_shuffle_and_short_last_batch_warn_in_spec_and_figure():
    spec = dg.stateful_batches_spec(7, 2, shuffle=True)
    assert len(spec.warnings) == 2
    assert "shuffle=False" in spec.warnings[0] and "7 samples" in spec.warnings[1]
    assert spec.arrows_with_role("broken") and "Warning:" in spec.alt_text
    assert len(spec.blocks_with_role("empty")) == 1
    drawn = " ".join(texts(dg.stateful_batches(7, 2, shuffle=True)))
    assert "shuffle=True" in drawn and "7 samples do not fill" in drawn


def test_a_partial_last_batch_is_drawn_as_keras_3_runs_it():
    # measured in lesson 06: fit/predict run a lone last sample from every state row, crash on other
    # partial sizes, and a direct layer call raises
    lone = dg.stateful_batches_spec(7, 2)
    [again] = lone.blocks_with_role("empty")
    assert again.label == "#6 again" and "batch 4: samples 6, 6 again" in lone.lines
    assert "from each of the 2 state rows" in lone.warnings[0] and "direct layer call raises" in lone.warnings[0]
    assert "nothing to continue" not in lone.warnings[0] and "pad" not in lone.warnings[0]
    two_left = dg.stateful_batches_spec(10, 4)
    assert all(b.label == "(empty)" for b in two_left.blocks_with_role("empty"))
    assert "crash" in two_left.warnings[0] and "trim x to 8 samples" in two_left.warnings[0]


def test_stateful_batches_validates_its_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        dg.stateful_batches_spec(8, 0)
    with pytest.raises(ValueError, match="resets"):
        dg.stateful_batches_spec(8, 2, resets=(4,))


def test_big_data_is_summarised_not_drawn_in_full():
    spec = dg.stateful_batches_spec(1000, 32)
    assert len(spec.blocks_with_role("sample")) <= 36
    assert len(spec.describe().splitlines()) < 15


# ---------------------------------------------------------------- model_flow (real Keras models)

@pytest.fixture(scope="module")
def keras():
    import keras

    keras.utils.set_random_seed(0)
    return keras


@pytest.fixture(scope="module")
def stacked(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((5, 3)), L.SimpleRNN(4, return_sequences=True),
                             L.SimpleRNN(4, return_sequences=True), L.SimpleRNN(2)], name="stacked")


def keras_shapes(layer):
    out = layer.output
    outs = out if isinstance(out, (list, tuple)) else [out]
    return [tuple(t.shape) for t in outs]


def test_model_flow_shapes_come_from_keras(stacked):
    spec = dg.model_flow_spec(stacked)
    assert [row["output_shapes"] for row in spec.facts["layers"]] == [keras_shapes(lay) for lay in stacked.layers]
    assert [row["params"] for row in spec.facts["layers"]] == [32, 36, 14]
    assert spec.facts["total_params"] == stacked.count_params()
    labels = {lab.text for lab in spec.labels}
    assert {"input  (None, 5, 3)", "(None, 5, 4)", "(None, 2)"} <= labels


def test_model_flow_says_what_each_rnn_passes_on_and_flows_upward(stacked):
    spec = dg.model_flow_spec(stacked)
    assert [row["passes"] for row in spec.facts["layers"]] == ["every timestep"] * 2 + ["last timestep only"]
    boxes = spec.blocks_with_role("recurrent")
    assert [b.y for b in boxes] == sorted(b.y for b in boxes) and len(boxes) == 3
    assert [a.label for a in spec.arrows if a.label] == ["every step", "every step", "last step"]
    assert all(a.end[1] > a.start[1] for a in spec.arrows)
    assert spec.blocks_with_role("output")[-1].shape == "sheet"   # (None, 2): last step only


def test_model_flow_colours_roles_with_the_palette(stacked):
    fig = dg.model_flow(stacked)
    faces = {to_hex(p.get_facecolor()[:3]) for p in fig.axes[0].patches}
    assert {ROLES["recurrent"][0].lower(), ROLES["input"][0].lower(), ROLES["output"][0].lower()} <= faces
    assert {"recurrent layer", "input data", "output passed on"} <= set(texts(fig))


def test_lstm_return_state_outputs_leave_by_their_own_arrows(keras):
    L = keras.layers
    x = keras.Input((7, 3), name="x")
    h0, c0 = keras.Input((5,), name="h0"), keras.Input((5,), name="c0")
    out, h, c = L.LSTM(5, return_state=True, name="enc")(x, initial_state=[h0, c0])
    model = keras.Model([x, h0, c0], [L.Dense(1, name="head")(out), h, c])
    spec = dg.model_flow_spec(model)
    leaving = [a for a in spec.arrows if a.src == "layer:enc"]
    assert [a.role for a in leaving] == ["output", "hidden", "cell"]
    assert [a.label for a in leaving] == ["last step", "return_state", ""]
    entering = [a for a in spec.arrows if a.dst == "layer:enc"]
    assert sorted(a.label for a in entering) == ["", "", "initial_state"]
    assert [a.src for a in entering if a.label == "initial_state"] == ["tensor:h0:0:0"]
    assert spec.facts["layers"][0]["output_shapes"] == [(None, 5)] * 3
    assert len(spec.facts["outputs"]) == 3
    assert "state c  (None, 5)" in {lab.text for lab in spec.labels}


def test_model_flow_handles_wrappers_cells_and_dense_on_3d(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((7, 5)), L.Dense(2), L.Bidirectional(L.GRU(3, return_sequences=True)),
                              L.TimeDistributed(L.Dense(4)), L.RNN(L.SimpleRNNCell(4)), L.RepeatVector(3)])
    spec = dg.model_flow_spec(model)
    rows = spec.facts["layers"]
    assert [r["output_shapes"][0] for r in rows] == [(None, 7, 2), (None, 7, 6), (None, 7, 4), (None, 4),
                                                      (None, 3, 4)]
    text = spec.describe()
    for words in ("at every timestep", "Bidirectional(GRU(3))", "TimeDistributed(Dense(4))",
                  "RNN(SimpleRNNCell(4))", "RepeatVector(3)"):
        assert words in text
    assert [r["passes"] for r in rows] == [None, "every timestep", None, "last timestep only", None]


def test_unbuilt_model_gets_a_clear_message(keras):
    with pytest.raises(ValueError, match=r"keras\.Input"):
        dg.model_flow_spec(keras.Sequential([keras.layers.SimpleRNN(3)]))
    with pytest.raises(TypeError, match="Keras model"):
        dg.model_flow_spec((None, 5, 3))


def test_model_built_by_calling_it_draws_with_its_batch(keras):
    model = keras.Sequential([keras.layers.SimpleRNN(3)])
    model(np.zeros((2, 4, 1), dtype="float32"))
    spec = dg.model_flow_spec(model)
    assert spec.facts["inputs"] == [(2, 4, 1)] and spec.facts["layers"][0]["output_shapes"] == [(2, 3)]


def test_unrolled_draws_what_a_built_layer_knows(keras):
    built = keras.layers.SimpleRNN(10)
    built.build((None, 2, 1))
    spec = dg.unrolled_spec(built)
    assert spec.facts["timesteps"] == 2 and spec.facts["features"] == 1
    assert spec.facts["weights"][0][1] == (1, 10) and spec.facts["params"] == 120
    assert "?" not in spec.lines[0]
    any_length = keras.layers.GRU(4)
    any_length.build((None, None, 3))
    spec = dg.unrolled_spec(any_length)
    assert spec.facts["timesteps"] is None and spec.facts["features"] == 3


def test_unrolled_reads_a_live_layer(keras):
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.LSTM(3, return_sequences=True,
                                                                      return_state=False)])
    spec = dg.unrolled_spec(model.layers[0])
    assert spec.facts["kind"] == "LSTM" and spec.facts["timesteps"] == 6 and spec.facts["features"] == 2
    assert spec.facts["params"] == model.layers[0].count_params()
    assert spec.facts["output_shape"] == keras_shapes(model.layers[0])[0]
    with pytest.raises(ValueError, match="forward_layer"):
        dg.unrolled_spec(keras.layers.Bidirectional(keras.layers.GRU(2)))
    with pytest.raises(TypeError, match="recurrent layer"):
        dg.unrolled_spec(keras.layers.Dense(2))


def test_shared_layer_is_drawn_once_per_call_and_counted_once(keras):
    L = keras.layers
    a, b = keras.Input((5, 3), name="a"), keras.Input((5, 3), name="b")
    shared = L.SimpleRNN(4, name="shared")
    merged = L.Concatenate(name="cat")([shared(a), shared(b)])
    model = keras.Model([a, b], L.Dense(1, name="head")(merged))    # one output: stored unwrapped by Keras
    spec = dg.model_flow_spec(model)
    assert [row["name"] for row in spec.facts["layers"]] == ["shared", "shared (call 2)", "cat", "head"]
    assert spec.facts["total_params"] == model.count_params() == 41
    into_cat = [a.src for a in spec.arrows if a.dst == "layer:cat"]
    assert sorted(into_cat) == ["tensor:shared:0:0", "tensor:shared:1:0"]
    assert {b.id for b in spec.blocks} >= {"layer:shared", "layer:shared (call 2)", "tensor:shared:1:0"}
    assert spec.facts["outputs"] == [(None, 1)]
    assert "same weights as call 1" in spec.describe()


def test_subclassed_model_gets_a_clear_message(keras):
    class Wrapped(keras.Model):
        def __init__(self):
            super().__init__()
            self.rnn = keras.layers.SimpleRNN(2)

        def call(self, x):
            return self.rnn(x)

    model = Wrapped()
    model(np.zeros((1, 5, 3), dtype="float32"))
    with pytest.raises(ValueError, match="call\\(\\)"):
        dg.model_flow_spec(model)


def test_every_arrow_joins_blocks_that_exist(stacked):
    specs = [dg.model_flow_spec(stacked), dg.unrolled_spec(stacked.layers[0]),
             dg.unrolled_spec(kind="LSTM", timesteps=9, features=2, units=3, return_state=True, initial_state=True),
             dg.stateful_batches_spec(9, 2, shuffle=True, resets=(3,))]
    for spec in specs:
        ids = {b.id for b in spec.blocks}
        assert len(ids) == len(spec.blocks), spec.kind
        assert all(a.src in ids and a.dst in ids for a in spec.arrows), spec.kind
        assert set(spec.legend_roles()) <= set(ROLES)


def test_bidirectional_return_state_names_both_directions(keras):
    x = keras.Input((6, 3))
    outputs = keras.layers.Bidirectional(keras.layers.LSTM(2, return_state=True), name="bi")(x)
    spec = dg.model_flow_spec(keras.Model(x, outputs))
    assert spec.facts["layers"][0]["output_shapes"] == [(None, 4)] + [(None, 2)] * 4
    leaving = [a for a in spec.arrows if a.src == "layer:bi"]
    assert [a.role for a in leaving] == ["output", "hidden", "cell", "hidden", "cell"]
    names = [lab.text.split("  ")[0] for lab in spec.labels if "  (None, 2)" in lab.text]
    assert names == ["forward h", "forward c", "backward h", "backward c"]
    assert "1 layer\n" not in spec.describe() and spec.describe().endswith("in 1 layer")


def test_inline_backend_printer_does_not_replace_our_png():
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure

    shell = InteractiveShell.instance()
    try:
        png_formatter = shell.display_formatter.formatters["image/png"]
        png_formatter.for_type(Figure, lambda figure: b"inline backend png")   # what %matplotlib inline does
        fig = dg.tensor((None, 5, 3))
        data, _ = shell.display_formatter.format(fig)
        assert data["image/png"] == fig.to_png()
        assert data["text/plain"] == fig.spec.describe()
    finally:
        InteractiveShell.clear_instance()


@pytest.mark.parametrize("module", ["", ".spec", ".tensor", ".unrolled", ".stateful", ".render", ".model_flow",
                                    ".tasks"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"helpers.diagrams{module}"))
    assert result.failed == 0


# ---------------------------------------------------------------- sequence_task (lesson 08)

def _keras_output(model_layers, input_shape):
    import keras

    model = keras.Sequential([keras.Input(shape=input_shape), *model_layers])
    return tuple(model.compute_output_shape((None, *input_shape)))


def test_sequence_task_shapes_match_the_keras_models_they_draw(keras):
    L = keras.layers
    cases = [
        (dg.sequence_task_spec("many-to-one", timesteps=6), [L.SimpleRNN(4), L.Dense(1)], (6, 1)),
        (dg.sequence_task_spec("many-to-one", timesteps=12, horizon=3), [L.LSTM(4), L.Dense(3)], (12, 1)),
        (dg.sequence_task_spec("many-to-many", timesteps=6, outputs=2),
         [L.SimpleRNN(4, return_sequences=True), L.Dense(2)], (6, 1)),
        (dg.sequence_task_spec("one-to-many", features=3, horizon=5),
         [L.RepeatVector(5), L.LSTM(4, return_sequences=True), L.Dense(1)], (3,)),
    ]
    for spec, layers, input_shape in cases:
        assert spec.facts["input_shape"] == (None, *input_shape)
        assert spec.facts["output_shape"] == _keras_output(layers, input_shape), spec.facts["task"]
        assert spec.facts["target_shape"] == ("batch", *spec.facts["output_shape"][1:])


def test_sequence_task_predictions_and_flow_per_task():
    one = dg.sequence_task_spec("many-to-one", timesteps=6)
    many = dg.sequence_task_spec("many-to-many", timesteps=6)
    assert len(one.blocks_with_role("output")) == 1 and len(many.blocks_with_role("output")) == 6
    assert len(one.blocks_with_role("recurrent")) == len(many.blocks_with_role("recurrent")) == 6
    # the single prediction sits above the last step; time left to right, data bottom to top
    cells = one.blocks_with_role("recurrent")
    assert [c.x for c in cells] == sorted(c.x for c in cells)
    assert one.block("y").center[0] == cells[-1].center[0]
    assert one.block("x0").y < cells[0].y < one.block("y").y
    assert len(one.arrows_with_role("hidden")) == 5


def test_long_inputs_are_drawn_with_an_ellipsis_and_summarised():
    spec = dg.sequence_task_spec("many-to-many", timesteps=20)
    assert len(spec.blocks_with_role("recurrent")) == 5
    assert any(lab.text == "\u2026" for lab in spec.labels)
    assert spec.blocks_with_role("output")[-1].label == "\u0177\u2082\u2080"
    assert spec.facts["predictions"] == 5 and spec.facts["output_shape"] == (None, 20, 1)


def test_one_to_many_repeats_one_vector_to_every_step():
    spec = dg.sequence_task_spec("one-to-many", features=4, horizon=6)
    fans = [a for a in spec.arrows if a.src == "x"]
    assert len(fans) == 6 and {a.dst for a in fans} == {b.id for b in spec.blocks if b.id.startswith("copy")}
    assert any("RepeatVector(6)" in lab.text for lab in spec.labels)
    assert spec.facts["output_shape"] == (None, 6, 1) and "copied to 6 steps" in spec.alt_text


def test_encoder_decoder_hands_states_over_and_feeds_predictions_back():
    spec = dg.sequence_task_spec("encoder-decoder", timesteps=12, horizon=4)
    handover = [a for a in spec.arrows if a.label == "states"]
    assert len(handover) == 1
    encoders = [b for b in spec.blocks if b.id.startswith("enc")]
    decoders = [b for b in spec.blocks if b.id.startswith("dec")]
    assert handover[0].src == max(encoders, key=lambda b: b.x).id
    assert handover[0].dst == min(decoders, key=lambda b: b.x).id
    assert max(b.x for b in encoders) < min(b.x for b in decoders)
    feedback = [a for a in spec.arrows if a.dashed and a.role == "output"]
    assert [(a.src, a.dst) for a in feedback] == [("y0", "prev1"), ("y1", "prev2"), ("y2", "prev3")]
    assert spec.block("prev0").label == "start"
    assert spec.facts["output_shape"] == (None, 4, 1) and "one at a time" in spec.alt_text


def test_sequence_task_figure_shows_the_target_shape_and_validates_arguments():
    fig = dg.sequence_task("many-to-many", timesteps=4, outputs=3)
    drawn = texts(fig)
    assert "targets y (batch, 4, 3): the same axes as the output (None, 4, 3)" in drawn
    assert {"recurrent layer", "hidden state h", "output passed on", "input data"} <= set(drawn)
    assert fig.spec.alt_text.endswith("targets must be shaped (batch, 4, 3).")
    assert len([p for p in fig.axes[0].patches if to_hex(p.get_facecolor()[:3]) == ROLES["output"][0].lower()]) >= 4
    with pytest.raises(ValueError, match="many-to-one"):
        dg.sequence_task_spec("seq2seq")
    with pytest.raises(ValueError, match="timesteps"):
        dg.sequence_task_spec("many-to-one", timesteps=0)
    assert dg.sequence_task_spec("Many_to_One").facts["task"] == "many-to-one"


def test_sequence_task_arrows_join_blocks_that_exist():
    for task in ("many-to-one", "many-to-many", "one-to-many", "encoder-decoder"):
        spec = dg.sequence_task_spec(task, timesteps=9, horizon=5)
        ids = {b.id for b in spec.blocks}
        assert len(ids) == len(spec.blocks), task
        assert all(a.src in ids and a.dst in ids for a in spec.arrows), task
        assert json.loads(json.dumps(spec.to_dict()))["kind"] == "sequence_task"


# ---------------------------------------------------------------- padded_batch (lesson 07)

def test_padded_batch_masks_the_padded_steps_at_the_chosen_end():
    post = dg.padded_batch_spec([[0.3, 0.7, 0.2], [0.9, 0.4], [0.5]], padding="post")
    assert post.facts["mask"] == [[1, 1, 1], [1, 1, 0], [1, 0, 0]]
    assert post.facts["n_padded"] == 3 and len(post.blocks_with_role("padding")) == 3
    assert all(b.dashed for b in post.blocks_with_role("padding"))
    assert not any(b.dashed for b in post.blocks_with_role("step"))
    pre = dg.padded_batch_spec([3, 2, 1])   # pad_sequences' default: padding="pre"
    assert pre.facts["mask"] == [[1, 1, 1], [0, 1, 1], [0, 0, 1]]
    # time runs left to right: in row 1, the padded step sits left of the real ones (pre), right of them (post)
    assert pre.block("r1t0").role == "padding" and pre.block("r1t0").x < pre.block("r1t1").x
    assert post.block("r1t2").role == "padding" and post.block("r1t2").x > post.block("r1t1").x


def test_padded_batch_alt_text_and_describe_come_from_the_spec():
    spec = dg.padded_batch_spec([[0.3, 0.7, 0.2], [0.9, 0.4]], padding="post")
    assert "lengths 3, 2" in spec.alt_text and "1 padded step at the end" in spec.alt_text
    assert "seq 1: 2 real, 1 padded; mask [1, 1, 0]" in spec.describe()
    assert spec.legend_roles() == ["step", "padding"]
    assert set(spec.legend_roles()) <= set(ROLES)


def test_padded_batch_figure_draws_values_masks_and_a_two_role_legend():
    fig = dg.padded_batch([[0.3, 0.7, 0.2], [0.9, 0.4]], padding="post")
    drawn = texts(fig)
    assert "0.3" in drawn and "mask 1 1 0" in drawn and "t2" in drawn
    assert any("padded step" in t for t in drawn) and any("real step" in t for t in drawn)
    faces = {to_hex(p.get_facecolor()).lower() for p in fig.axes[0].patches}
    assert {ROLES["step"][0].lower(), ROLES["padding"][0].lower()} <= faces
    dashed = [p for p in fig.axes[0].patches if p.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == 1   # the one padded step


def test_padded_batch_truncates_like_pad_sequences_and_warns():
    import keras

    sequences = [[1, 2, 3, 4, 5], [6, 7]]
    for truncating in ("pre", "post"):
        spec = dg.padded_batch_spec(sequences, maxlen=3, truncating=truncating, padding="post")
        kept = [[b.label for b in spec.blocks if b.id.startswith(f"r{i}t") and b.role == "step"] for i in range(2)]
        want = keras.utils.pad_sequences(sequences, maxlen=3, truncating=truncating, padding="post")
        assert kept == [[str(v) for v in row if v] for row in want.tolist()]
        assert len(spec.warnings) == 1 and f"truncating='{truncating}'" in spec.alt_text


def test_padded_batch_summarises_big_batches_and_rejects_bad_arguments():
    spec = dg.padded_batch_spec(list(range(1, 41)))
    assert len(spec.blocks) <= 6 * 10 and spec.facts["maxlen"] == 40
    assert len(spec.describe().splitlines()) < 12
    with pytest.raises(ValueError, match="padding"):
        dg.padded_batch_spec([2, 1], padding="middle")
    with pytest.raises(ValueError, match="maxlen"):
        dg.padded_batch_spec([2, 1], maxlen=0)
    with pytest.raises(ValueError, match="at least one"):
        dg.padded_batch_spec([])
    with pytest.raises(TypeError, match="list of sequences"):
        dg.padded_batch_spec(5)


def test_padded_batch_docstring_examples_run():
    import doctest

    from helpers.diagrams import padding

    assert doctest.testmod(padding).failed == 0


def test_sequence_task_outputs_are_drawn_without_a_hatch_behind_their_labels():
    for task in ("many-to-one", "many-to-many", "one-to-many", "encoder-decoder"):
        spec = dg.sequence_task_spec(task, timesteps=6, horizon=3)
        outputs = spec.blocks_with_role("output")
        assert outputs and all(b.plain and b.label for b in outputs), task
        assert not any(b.plain for b in spec.blocks if b.role != "output"), task
    from helpers.diagrams.render import _face_style

    assert _face_style(spec.blocks_with_role("output")[0])["hatch"] == ""
    import dataclasses

    assert _face_style(dataclasses.replace(spec.blocks_with_role("output")[0], plain=False))["hatch"] != ""


def test_encoder_decoder_shows_both_inputs_of_the_trainer(keras):
    L = keras.layers
    spec = dg.sequence_task_spec("encoder-decoder", timesteps=12, horizon=4)
    past, previous = keras.Input(shape=(12, 1)), keras.Input(shape=(4, 1))
    _, h, c = L.LSTM(8, return_state=True)(past)
    trainer = keras.Model([past, previous], L.Dense(1)(L.LSTM(8, return_sequences=True)(previous, initial_state=[h, c])))
    assert spec.facts["inputs"] == [tuple(t.shape) for t in trainer.inputs]
    assert spec.facts["output_shape"] == tuple(trainer.output.shape)
    texts_ = [lab.text for lab in spec.labels]
    assert any("(None, 12, 1)" in t and "input 1" in t for t in texts_)
    assert any("(None, 4, 1)" in t and "input 2" in t for t in texts_)
    assert any("teacher forcing" in t for t in texts_) and "teacher forcing" in " ".join(spec.lines)
