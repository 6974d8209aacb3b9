"""Lesson 03, SimpleRNN by hand: the recurrence, the weight shapes, 120 parameters, a numpy forward pass."""
from __future__ import annotations

import numbers
import re

from .engine import Exercise, Reject, Result, as_shape, describe, int_check, shape_with_tips
from .models import model_with_tips

# -- q2: the three weights ------------------------------------------------------------------
_WEIGHT_NAMES = ("kernel", "recurrent_kernel", "bias")


def _check_weight_shapes(value):
    want = [(3, 5), (5, 5), (5,)]
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise Reject(f"Expected a list of three shapes [kernel, recurrent_kernel, bias], got {describe(value)}.")
    if value and all(v is None or isinstance(v, numbers.Number) for v in value):
        raise Reject("That is one shape. Write three, one per weight: [kernel, recurrent_kernel, bias].")
    if len(value) != 3:
        raise Reject(f"SimpleRNN creates three weights (kernel, recurrent_kernel, bias); your list has {len(value)}.")
    shapes = [as_shape(v) for v in value]
    if shapes == want:
        return Result(True, "kernel (3, 5), recurrent_kernel (5, 5), bias (5,): none of them mentions the 7 timesteps.")
    if sorted(map(str, shapes)) == sorted(map(str, want)):
        return Result(False, "Right shapes, wrong order: layer.weights lists kernel, recurrent_kernel, bias.")
    if any(7 in s for s in shapes):
        return Result(False, "No weight has a 7 in it: the same weights are reused at every one of the 7 timesteps.")
    kernel, recurrent, bias = shapes
    if kernel != (3, 5):
        if kernel == (5, 3):
            return Result(False, "The kernel is (features, units) = (3, 5): x_t has 3 values and x_t @ W must give 5.")
        return Result(False, f"The kernel is {kernel}; it maps the 3 features of one step to the 5 units: (3, 5).")
    if recurrent != (5, 5):
        if recurrent in ((3, 5), (5, 3), (3, 3)):
            return Result(False, "The recurrent kernel multiplies the previous state h_{t-1}, which has 5 values "
                                 "(one per unit), and gives 5: (units, units).")
        return Result(False, f"The recurrent kernel is {recurrent}; it maps the 5-value state to 5 units.")
    if bias == (1, 5) or bias == (5, 1):
        return Result(False, "The bias is a plain vector, one value per unit: (5,).")
    return Result(False, f"The bias is {bias}; there is one bias value per unit: (5,).")


q2 = Exercise(
    lesson="03", id="q2", points=1,
    prompt="SimpleRNN(5) reads sequences of 7 steps of 3 features. Write the shapes of its three weights "
           "as a list [kernel, recurrent_kernel, bias].",
    reads="weight_shapes",
    check=_check_weight_shapes,
    hints=["The kernel W multiplies x_t (3 values), the recurrent kernel U multiplies h_{t-1} (5 values); "
           "both must give 5 values, one per unit.",
           "W is (features, units), U is (units, units), b is (units,). Timesteps appear nowhere."],
    answer="weight_shapes = [(3, 5), (5, 5), (5,)]",
)

# -- q1: counting a SimpleRNN's parameters ------------------------------------------------------
q1 = Exercise(
    lesson="03", id="q1", points=1,
    prompt="How many parameters does SimpleRNN(6) have on keras.Input(shape=(4, 2))?",
    reads="rnn_params",
    check=int_check(54, "SimpleRNN(6) on 4 steps of 2 features", {
        48: "48 leaves out the bias: one more value per unit.",
        18: "18 is what Dense(6) would have on 2 features. SimpleRNN also has the recurrent kernel U (6 x 6).",
        36: "36 is the recurrent kernel alone. Add the kernel (2 x 6) and the bias (6).",
        66: "66 treats the 4 timesteps as features. (4, 2) is 4 timesteps of 2 features.",
        216: "216 counts the weights once per timestep. The same weights are reused at all 4 steps.",
        42: "42 is the recurrent kernel and the bias (6 x 6 + 6) without the kernel. Each step's 2 features "
            "also go through a 2 x 6 kernel.",
        49: "One bias per unit, not one for the layer: 6 biases.",
        120: "120 is the SimpleRNN(10) on 1 feature shown above. Count this layer: 6 units, 2 features per step.",
        30: "30 gives the recurrent kernel the kernel's shape (2 x 6). It multiplies the previous state, which "
            "has one value per unit: 6 x 6.",
        90: "90 gives the kernel one row per timestep and feature (4 x 2 x 6). It reads one step at a time, "
            "2 features, and the same kernel serves all 4 steps.",
    }),
    hints=["Add up the three weights: kernel (features x units), recurrent kernel (units x units), bias (units).",
           "Here features = 2 and units = 6; the 4 timesteps do not change the weights.",
           "2 * 6 + 6 * 6 + 6."],
    answer="rnn_params = 2 * 6 + 6 * 6 + 6",
)


# -- q3: the formula, with a distractor argument ---------------------------------------------
def _param_cases(rng):
    cases = [(2, 1, 10), (50, 1, 10)]
    for _ in range(6):
        cases.append((int(rng.integers(1, 100)), int(rng.integers(1, 30)), int(rng.integers(1, 40))))
    return cases


# The mistakes learners make with the formula, each as the formula it computes. A mistake is named only
# when it gives the learner's numbers on every case, so one case where two formulas agree cannot
# mislead (with 1 feature, timesteps x features x units equals timesteps x units).
_PARAM_MISTAKES = [
    (lambda t, f, u: t * u * (f + u + 1), "that multiplies by the timesteps. The same weights serve every step, "
                                          "so timesteps do not change the count."),
    (lambda t, f, u: t * f * u + u * u + u, "that gives the kernel a row per timestep and feature "
                                            "(timesteps x features x units). The kernel reads one step at a time: "
                                            "features x units, reused at every step."),
    (lambda t, f, u: u * (t + u + 1), "you used the timesteps where the features go."),
    (lambda t, f, u: u * (f + u), "the bias is missing, one value per unit."),
    (lambda t, f, u: u * (f + 1), "that is Dense's count. Add the recurrent kernel, units x units."),
    (lambda t, f, u: u * (f + 1) + u, "the recurrent kernel is units x units, not one value per unit."),
    (lambda t, f, u: f * u + f * u + u, "the recurrent kernel is units x units (it multiplies the previous "
                                        "state), not features x units."),
]


def _judge_params(cases, outputs):
    for (timesteps, features, units), got in zip(cases, outputs):
        call = f"simple_rnn_params({timesteps}, {features}, {units})"
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise Reject(f"{call} returned {describe(got)}; it should return a number.")
    for (timesteps, features, units), got in zip(cases, outputs):
        want = units * (features + units + 1)
        if got == want:
            continue
        call = f"simple_rnn_params({timesteps}, {features}, {units})"
        for formula, message in _PARAM_MISTAKES:
            if all(out == formula(*case) for case, out in zip(cases, outputs)):
                return Result(False, f"{call} gave {got}: {message}")
        return Result(False, f"{call} gave {got}, expected {want}.")
    return Result(True, f"Your formula agrees with Keras on {len(cases)} layer sizes, whatever the timesteps.")


q3 = Exercise(
    lesson="03", id="q3", points=2, kind="function",
    prompt="Write simple_rnn_params(timesteps, features, units): the parameter count of SimpleRNN(units) on "
           "inputs of shape (timesteps, features).",
    reads="simple_rnn_params",
    make_inputs=_param_cases,
    check=_judge_params,
    hints=["Count the kernel, the recurrent kernel and the bias. Does any of them depend on timesteps?",
           "features * units + units * units + units; timesteps is not used.",
           "return units * (features + units + 1)"],
    answer=("def simple_rnn_params(timesteps, features, units):\n"
            "    \"\"\"Parameters of SimpleRNN(units) on (timesteps, features) inputs.\"\"\"\n"
            "    return features * units + units * units + units"),
)

# -- q5: units is not timesteps -------------------------------------------------------------
q5 = Exercise(
    lesson="03", id="q5", points=1,
    prompt="Predict the output shape of SimpleRNN(16) on keras.Input(shape=(30, 4)).",
    reads="rnn_out_shape",
    check=shape_with_tips((None, 16), ("batch", "units"), {
        (None, 30): "units is not the number of timesteps: 30 is how many steps go in; 16 is the size of the state that comes out.",
        (None, 30, 16): "That is the shape with return_sequences=True (one state per step). By default only the last state comes out.",
        (None, 4): "4 is the features going in. The output is the state: one value per unit.",
        (16,): "Keep the batch axis in front, written as None.",
        (None, 16, 30): "By default only the last state comes out, and it has no timesteps axis.",
        (None, 30, 4): "That is the input. SimpleRNN reads all 30 steps and returns its last state.",
    }),
    hints=["By default SimpleRNN returns only its last state h_T.",
           "The state has one value per unit, for each sample of the batch: (batch, units)."],
    answer="rnn_out_shape = (None, 16)",
)


# -- q4: the forward pass in numpy -----------------------------------------------------------
def _forward_cases(rng):
    cases = []
    for batch, timesteps, features, units in [(2, 3, 1, 4), (1, 1, 2, 3), (3, 5, 2, 6), (2, 4, 3, 2), (4, 6, 1, 5)]:
        x = rng.normal(size=(batch, timesteps, features))
        W = rng.normal(size=(features, units)) * 0.7
        U = rng.normal(size=(units, units)) * 0.7
        b = rng.normal(size=(units,)) * 0.3
        cases.append((x, W, U, b))
    return cases


def _run(x, W, U, b, *, act=True, recur=True, bias=True, transpose_u=False, every=False):
    import numpy as np

    h = np.zeros((x.shape[0], W.shape[1]))
    states = []
    u = U.T if transpose_u else U
    for t in range(x.shape[1]):
        z = x[:, t, :] @ W + (h @ u if recur else 0) + (b if bias else 0)
        h = np.tanh(z) if act else z
        states.append(h)
    return np.stack(states, axis=1) if every else h


def _judge_forward(cases, outputs):
    import numpy as np

    mistakes = [
        (dict(every=True), "returns the state of every step. SimpleRNN(units) returns only the last one (that is "
                           "what return_sequences=False means): keep h after the loop."),
        (dict(act=False), "is missing the tanh: h_t = tanh(x_t W + h_{t-1} U + b)."),
        (dict(recur=False), "forgets the previous state: each step must add h_{t-1} @ U, or nothing is remembered."),
        (dict(bias=False), "leaves out the bias b."),
        (dict(transpose_u=True), "uses U transposed: multiply the row of states from the left, h @ U."),
    ]
    for (x, W, U, b), got in zip(cases, outputs):
        call = f"rnn_forward(x of shape {x.shape}, ...)"
        try:
            h = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise Reject(f"{call} returned {describe(got)}; return a numpy array of states.") from None
        want = _run(x, W, U, b)
        if h.shape == want.shape and np.allclose(h, want, atol=1e-6):
            continue
        for variant, message in mistakes:
            other = _run(x, W, U, b, **variant)
            if h.shape == other.shape and np.allclose(h, other, atol=1e-6):
                return Result(False, f"Your function {message}")
        first = _run(x[:, :1], W, U, b)
        if x.shape[1] > 1 and h.shape == first.shape and np.allclose(h, first, atol=1e-6):
            return Result(False, "Your function stops after the first timestep: loop over all of x's timesteps "
                                 "(axis 1) before returning.")
        short = _run(x[:, :-1], W, U, b)
        if x.shape[1] > 1 and h.shape == short.shape and np.allclose(h, short, atol=1e-6):
            return Result(False, "Your function skips the last timestep: range(timesteps) runs t = 0 ... T-1; "
                                 "range(timesteps - 1) stops one step early.")
        backwards = _run(x[:, ::-1], W, U, b)
        if x.shape[1] > 1 and h.shape == backwards.shape and np.allclose(h, backwards, atol=1e-6):
            return Result(False, "Your function reads the sequence backwards: start at t = 0, the first timestep.")
        if h.shape != want.shape:
            if h.shape == want.shape[::-1]:
                return Result(False, f"{call}: the result has shape {h.shape}; expected {want.shape} (batch, units).")
            return Result(False, f"{call}: the result has shape {h.shape}; expected {want.shape}: (batch, units).")
        worst = float(np.max(np.abs(h - want)))
        return Result(False, f"{call}: the shape is right but values differ by up to {worst:.3g}. Start from "
                             f"h = zeros((batch, units)) and apply h = tanh(x[:, t] @ W + h @ U + b) for each t.")
    return Result(True, f"Your forward pass matches the reference on {len(cases)} random batches.")


_MATMUL_SIZES = re.compile(r"size (\d+) is different from (\d+)")


def _explain_forward_error(args, err):
    """Name the inputs' shapes and the product that failed, e.g. h @ W, from numpy's matmul message."""
    x, W, U, b = args
    batch, steps, features = x.shape
    units = W.shape[1]
    shapes = (f"x {x.shape} (batch, timesteps, features), W {W.shape}, U {U.shape}, b {b.shape}: "
              f"x[:, t, :] is ({batch}, {features}) and h is ({batch}, {units})")
    found = _MATMUL_SIZES.search(str(err))
    if found and features != units:
        right_rows, left_cols = int(found[1]), int(found[2])
        named = {(units, features): "h @ W: the state h has one value per unit, so it multiplies U (units x units); "
                                    "W (features x units) is for x[:, t, :].",
                 (features, units): "x[:, t, :] @ U: one step of x has one value per feature, so it multiplies W "
                                    "(features x units); U (units x units) is for h."}
        step = named.get((left_cols, right_rows))
        if step:
            return f"Your function raised {type(err).__name__} on {shapes}. The product that fails looks like {step}"
        return (f"Your function raised {type(err).__name__} on {shapes}: a matrix product whose inner sizes differ "
                f"({left_cols} against {right_rows}). In a @ B, a's last axis must equal B's first.")
    return f"Your function raised {describe(err)} on {shapes}."


q4 = Exercise(
    lesson="03", id="q4", points=3, kind="function",
    prompt="Write rnn_forward(x, W, U, b): SimpleRNN's forward pass in numpy. x is (batch, timesteps, features); "
           "return the last state, shape (batch, units).",
    reads="rnn_forward",
    make_inputs=_forward_cases,
    check=_judge_forward,
    explain_error=_explain_forward_error,
    hints=["Start with h = np.zeros((batch, units)); units is W.shape[1]. Then loop over the timesteps.",
           "At step t, x[:, t, :] has shape (batch, features): h = np.tanh(x[:, t, :] @ W + h @ U + b).",
           "h = np.zeros((x.shape[0], W.shape[1]))\nfor t in range(x.shape[1]):\n"
           "    h = np.tanh(x[:, t, :] @ W + h @ U + b)\nreturn h"],
    answer=("def rnn_forward(x, W, U, b):\n"
            "    \"\"\"Last state of SimpleRNN on x (batch, timesteps, features): h_t = tanh(x_t W + h_{t-1} U + b).\"\"\"\n"
            "    h = np.zeros((x.shape[0], W.shape[1]))\n"
            "    for t in range(x.shape[1]):\n"
            "        h = np.tanh(x[:, t, :] @ W + h @ U + b)\n"
            "    return h"),
)


# -- q6: a model to a spec ------------------------------------------------------------------
def _spec_tips(rows, input_shape):
    if input_shape == (None, 3, 12):
        return "The input is (None, 3, 12): 3 steps of 12 features. The spec is 12 steps of 3 features: (12, 3)."
    if rows and rows[0]["type"] == "SimpleRNN" and rows[0]["output_shape"] == (None, 12):
        return ("SimpleRNN(12) has 12 units, but units is not the number of timesteps: the 12 steps live in the "
                "input shape. The spec asks for 8 units.")
    if rows and rows[0]["type"] == "SimpleRNN" and rows[0]["output_shape"] == (None, 12, 8):
        return "The RNN returns every step (return_sequences=True); Dense(1) should get only the last state."
    return None


q6 = Exercise(
    lesson="03", id="q6", points=2,
    prompt="Build a model for sequences of 12 steps of 3 features: a SimpleRNN with 8 units, then Dense(1).",
    reads="spec_model",
    check=model_with_tips([("SimpleRNN", (None, 8), 96), ("Dense", (None, 1), 9)], (None, 12, 3), _spec_tips,
                          any_length=True),
    hints=["keras.Input takes (timesteps, features) = (12, 3); units=8 is the layer's own choice.",
           "keras.Sequential([keras.Input(shape=(12, 3)), keras.layers.SimpleRNN(8), keras.layers.Dense(1)])"],
    answer=("spec_model = keras.Sequential([\n    keras.Input(shape=(12, 3)),\n"
            "    keras.layers.SimpleRNN(8),\n    keras.layers.Dense(1),\n])"),
)

EXERCISES = [q1, q2, q3, q4, q5, q6]
