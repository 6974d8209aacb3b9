"""helpers.backend_wording: JAX's and PyTorch's messages (as measured, Keras 3.15.1) read by the explainer.

The messages below were copied from real runs on each backend (tests/backends/test_explain_backends.py
raises them live under ``make test-backends``); here they are explained without JAX or torch installed.
"""
from helpers import explain as ex
from helpers.backend_wording import as_tensorflow_wording

JAX_CELL = ("Exception encountered when calling SimpleRNNCell.call().\n\ndot_general requires contracting dimensions "
            "to have the same shape, got (2,) and (3,).\n\nArguments received by SimpleRNNCell.call():\n"
            "  • sequence=jnp.ndarray(shape=(8, 2), dtype=float32)\n  • states=['jnp.ndarray(shape=(8, 4), "
            "dtype=float32)']\n  • training=False")
TORCH_CELL = ("Exception encountered when calling SimpleRNNCell.call().\n\nmat1 and mat2 shapes cannot be multiplied "
              "(8x2 and 3x4)\n\nArguments received by SimpleRNNCell.call():\n  • sequence=torch.Tensor(shape="
              "torch.Size([8, 2]), dtype=float32)\n  • states=('torch.Tensor(shape=torch.Size([8, 4]), dtype=float32)',)")
TORCH_LSTM_FIT = ("Unable to automatically build the model.\nException encountered:\n'Exception encountered when calling "
                  "LSTM.call().\n\nmat1 and mat2 shapes cannot be multiplied (40x2 and 3x16)\n\nArguments received by "
                  "LSTM.call():\n  • sequences=torch.Tensor(shape=torch.Size([8, 5, 2]), dtype=float32)")
JAX_TARGETS = "sub got incompatible shapes for broadcasting: (8, 5), (8, 3)."
JAX_LOWER_RANK = "Incompatible shapes for broadcasting: shapes=[(8,), (8, 3)]"
SPARSE = ("Arguments `target` and `output` must have the same shape up until the last dimension: "
          "target.shape=torch.Size([8]), output.shape=torch.Size([8, 6, 5])")
TORCH_CONV = ("Exception encountered when calling Conv1D.call().\n\nCalculated padded input size per channel: (3). "
              "Kernel size: (5). Kernel size can't be greater than actual input size")
TORCH_NDIM = ("Invalid input shape for input tensor([[0., 0.]]) with name 'keras_tensor_31' and path ''. Expected shape "
              "(None, 5, 3), but input has incompatible shape torch.Size([8, 5])")


def test_a_cell_fed_the_wrong_number_of_features_on_jax_and_torch():
    for message in (JAX_CELL, TORCH_CELL):
        found = ex.explain(ValueError(message))
        assert found.kind == ex.FEATURE_MISMATCH, message
        assert "3 features" in found.expected and "2 features" in found.received


def test_pytorch_fused_lstm_names_the_layer_not_the_cell():
    found = ex.explain(RuntimeError(TORCH_LSTM_FIT))
    assert found.kind == ex.FEATURE_MISMATCH and "2 features" in found.received


def test_jax_targets_that_do_not_broadcast():
    found = ex.explain(TypeError(JAX_TARGETS))
    assert found.kind == ex.TARGET_SHAPE_MISMATCH and found.received == "targets (8, 5)"
    assert "(8, 3)" in found.expected
    assert ex.explain(ValueError(JAX_LOWER_RANK)).received == "targets (8,)"


def test_sparse_labels_and_torch_sizes():
    found = ex.explain(ValueError(SPARSE))   # no model at hand: the modest reading of a per-step output
    assert found.kind == ex.OUTPUT_HAS_TIMESTEPS and found.modest and found.received.startswith("targets (8,)")
    assert ex.explain(ValueError(TORCH_NDIM)).kind == ex.DATA_NDIM_MISMATCH


def test_torch_conv_on_a_short_sequence():
    found = ex.explain(RuntimeError(TORCH_CONV))
    assert found.kind == ex.CONV_TOO_SHORT and "kernel_size=5" in found.title and "3 timesteps" in found.received


def test_wording_is_left_alone_when_nothing_matches_and_never_raises():
    for text in ("", "plain words", "mat1 and mat2 shapes cannot be multiplied (x)", "torch.Size([", "\x00" * 50):
        assert as_tensorflow_wording(text) == text
    assert as_tensorflow_wording("torch.Size([8])") == "(8,)"
    assert as_tensorflow_wording(None) is None   # nonsense in, the same nonsense out
