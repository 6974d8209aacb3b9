"""Lesson 03, SimpleRNN by hand: the recurrence, the weight shapes, 120 parameters, a numpy forward pass."""
from __future__ import annotations

import numbers
import re

from .engine import Exercise, Reject, Result, as_shape, describe, int_check, shape_with_tips
from .formulas import fitted
from .models import model_with_tips


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
                 (features, units): "x[:, t, :] times a matrix with one row per unit (U, or W transposed): one "
                                    "step of x has one value per feature, so it needs a matrix with one row per "
                                    "feature, the kernel W as Keras stores it (features x units)."}
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


q3.answer_hints = 2   # its second hint is the formula itself

DEFAULTS = {"count_steps": 4, "count_features": 2, "count_units": 6, "weight_steps": 7, "weight_features": 3,
            "weight_units": 5, "out_steps": 30, "out_features": 4, "out_units": 16, "spec_steps": 12,
            "spec_features": 3, "spec_units": 8}

TEXTS = [
    "how many parameters does `SimpleRNN({count_units})` have on `keras.Input(shape=({count_steps}, "
    "{count_features}))`, that is {count_steps} steps of {count_features} features?",
    "rnn_params = {count_features} * {count_units} + {count_units} * {count_units} + {count_units}",
    "yours = keras.layers.SimpleRNN({count_units})\nyours.build((None, {count_steps}, {count_features}))\n"
    'print("SimpleRNN({count_units}) on ({count_steps}, {count_features}):", yours.count_params())',
    "`SimpleRNN({weight_units})` reads sequences of {weight_steps} steps of {weight_features} features.",
    "weight_shapes = [({weight_features}, {weight_units}), ({weight_units}, {weight_units}), ({weight_units},)]",
    "layer = keras.layers.SimpleRNN({weight_units})\nlayer.build((None, {weight_steps}, {weight_features}))",
    "Predict the output shape of `SimpleRNN({out_units})` on `keras.Input(shape=({out_steps}, {out_features}))`.",
    "rnn_out_shape = (None, {out_units})",
    "Build `spec_model` for sequences of {spec_steps} steps of {spec_features} features: a `SimpleRNN` with "
    "{spec_units} units, then `Dense(1)`.",
    "keras.Input(shape=({spec_steps}, {spec_features})),\n    keras.layers.SimpleRNN({spec_units}),",
]


def _q1_near(t: int, f: int, u: int) -> dict:
    return {
        f * u + u * u: f"{f * u + u * u} leaves out the bias: one more value per unit.",
        u * (f + 1): f"{u * (f + 1)} is what Dense({u}) would have on {f} features. SimpleRNN also has the recurrent "
                     f"kernel U ({u} x {u}).",
        u * u: f"{u * u} is the recurrent kernel alone. Add the kernel ({f} x {u}) and the bias ({u}).",
        u * (t + u + 1): f"{u * (t + u + 1)} treats the {t} timesteps as features. ({t}, {f}) is {t} timesteps of "
                         f"{f} features.",
        t * u * (f + u + 1): f"{t * u * (f + u + 1)} counts the weights once per timestep. The same weights are "
                             f"reused at all {t} steps.",
        u * (u + 1): f"{u * (u + 1)} is the recurrent kernel and the bias ({u} x {u} + {u}) without the kernel. "
                     f"Each step's {f} features also go through a {f} x {u} kernel.",
        f * u + u * u + 1: f"One bias per unit, not one for the layer: {u} biases.",
        120: f"120 is the SimpleRNN(10) on 1 feature shown above. Count this layer: {u} units, {f} features per step.",
        2 * f * u + u: f"{2 * f * u + u} gives the recurrent kernel the kernel's shape ({f} x {u}). It multiplies the "
                       f"previous state, which has one value per unit: {u} x {u}.",
        t * f * u + u * u + u: f"{t * f * u + u * u + u} gives the kernel one row per timestep and feature ({t} x {f} "
                               f"x {u}). It reads one step at a time, {f} features, and the same kernel serves all "
                               f"{t} steps.",
    }


def draw(rng) -> dict:
    """Other valid numbers, each exercise's answer different from the published one.

    >>> import numpy as np
    >>> draw(np.random.default_rng(0))["count_units"] >= 2
    True
    """
    while True:
        p = {"count_steps": int(rng.integers(3, 13)), "count_features": int(rng.integers(2, 6)),
             "count_units": int(rng.integers(3, 13)), "weight_steps": int(rng.integers(3, 16)),
             "weight_features": int(rng.integers(2, 8)), "weight_units": int(rng.integers(2, 13)),
             "out_steps": int(rng.choice([10, 20, 24, 40, 50, 60, 100])), "out_features": int(rng.integers(2, 9)),
             "out_units": int(rng.choice([4, 8, 12, 20, 24, 32, 64])), "spec_steps": int(rng.integers(5, 25)),
             "spec_features": int(rng.integers(2, 7)), "spec_units": int(rng.integers(4, 33))}
        t, f, u = p["count_steps"], p["count_features"], p["count_units"]
        near = list(_q1_near(t, f, u))
        fair = (len(near) == 10 and u * (f + u + 1) not in near and u * (f + u + 1) != 54
                and len({p["weight_steps"], p["weight_features"], p["weight_units"]}) == 3
                and (p["weight_features"], p["weight_units"]) != (3, 5)
                and len({p["out_steps"], p["out_features"], p["out_units"]}) == 3 and p["out_units"] != 16
                and len({p["spec_steps"], p["spec_features"], p["spec_units"]}) == 3
                and (p["spec_steps"], p["spec_features"], p["spec_units"]) != (12, 3, 8) and t != f)
        if fair:
            return p


def _weight_shapes_check(steps: int, features: int, units: int):
    want = [(features, units), (units, units), (units,)]

    def check(value):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise Reject(f"Expected a list of three shapes [kernel, recurrent_kernel, bias], got {describe(value)}.")
        if value and all(v is None or isinstance(v, numbers.Number) for v in value):
            raise Reject("That is one shape. Write three, one per weight: [kernel, recurrent_kernel, bias].")
        if len(value) != 3:
            raise Reject(f"SimpleRNN creates three weights (kernel, recurrent_kernel, bias); your list has {len(value)}.")
        shapes = [as_shape(v) for v in value]
        if shapes == want:
            return Result(True, f"kernel {want[0]}, recurrent_kernel {want[1]}, bias {want[2]}: none of them "
                                f"mentions the {steps} timesteps.")
        if sorted(map(str, shapes)) == sorted(map(str, want)):
            return Result(False, "Right shapes, wrong order: layer.weights lists kernel, recurrent_kernel, bias.")
        if steps not in (features, units) and any(steps in s for s in shapes):
            return Result(False, f"No weight has a {steps} in it: the same weights are reused at every one of "
                                 f"the {steps} timesteps.")
        kernel, recurrent, bias = shapes
        if kernel != want[0]:
            if kernel == (units, features):
                return Result(False, f"The kernel is (features, units) = {want[0]}: x_t has {features} values and "
                                     f"x_t @ W must give {units}.")
            return Result(False, f"The kernel is {kernel}; it maps the {features} features of one step to the "
                                 f"{units} units: {want[0]}.")
        if recurrent != want[1]:
            if recurrent in ((features, units), (units, features), (features, features)):
                return Result(False, f"The recurrent kernel multiplies the previous state h_{{t-1}}, which has "
                                     f"{units} values (one per unit), and gives {units}: (units, units).")
            return Result(False, f"The recurrent kernel is {recurrent}; it maps the {units}-value state to {units} units.")
        if bias in ((1, units), (units, 1)):
            return Result(False, f"The bias is a plain vector, one value per unit: ({units},).")
        return Result(False, f"The bias is {bias}; there is one bias value per unit: ({units},).")

    def form(value):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or len(value) != 3:
            raise Reject(f"Expected a list of three shapes [kernel, recurrent_kernel, bias], got {describe(value)}.")
        for item in value:
            as_shape(item)

    check.form = form
    return check


# -- q1, q2, q5, q6: the fixed-value exercises, for any numbers --------------------------------
# build(DEFAULTS) is the published lesson; q3 and q4 (functions) are the same for every variant.
def build(p: dict = DEFAULTS) -> list:
    """The lesson's exercises for the numbers ``p`` (``DEFAULTS``: the published lesson)."""
    p = {**DEFAULTS, **p}
    t, f, u = p["count_steps"], p["count_features"], p["count_units"]
    wt, wf, wu = p["weight_steps"], p["weight_features"], p["weight_units"]
    ot, of, ou = p["out_steps"], p["out_features"], p["out_units"]
    st, sf, su = p["spec_steps"], p["spec_features"], p["spec_units"]
    q2 = Exercise(
        lesson="03", id="q2", points=1, params=p,
        prompt=f"SimpleRNN({wu}) reads sequences of {wt} steps of {wf} features. Write the shapes of its three "
               "weights as a list [kernel, recurrent_kernel, bias].",
        reads="weight_shapes",
        check=_weight_shapes_check(wt, wf, wu),
        hints=[f"The kernel W multiplies x_t ({wf} values), the recurrent kernel U multiplies h_{{t-1}} ({wu} values); "
               f"both must give {wu} values, one per unit.",
               "W is (features, units), U is (units, units), b is (units,). Timesteps appear nowhere."],
        answer=f"weight_shapes = [({wf}, {wu}), ({wu}, {wu}), ({wu},)]",
    )
    q1 = Exercise(
        lesson="03", id="q1", points=1, params=p,
        prompt=f"How many parameters does SimpleRNN({u}) have on keras.Input(shape=({t}, {f}))?",
        reads="rnn_params",
        check=int_check(u * (f + u + 1), f"SimpleRNN({u}) on {t} steps of {f} features", _q1_near(t, f, u),
                        explain=fitted([("kernel", "features * units"), ("recurrent kernel", "units * units"), ("bias", "units")], {"timesteps": t, "features": f, "units": u})),
        hints=["Add up the three weights: kernel (features x units), recurrent kernel (units x units), bias (units).",
               f"Here features = {f} and units = {u}; the {t} timesteps do not change the weights.",
               f"{f} * {u} + {u} * {u} + {u}."],
        answer=f"rnn_params = {f} * {u} + {u} * {u} + {u}",
    )
    q5 = Exercise(
        lesson="03", id="q5", points=1, params=p,
        prompt=f"Predict the output shape of SimpleRNN({ou}) on keras.Input(shape=({ot}, {of})).",
        reads="rnn_out_shape",
        check=shape_with_tips((None, ou), ("batch", "units"), {
            (None, ot): f"units is not the number of timesteps: {ot} is how many steps go in; {ou} is the size of the "
                        "state that comes out.",
            (None, ot, ou): "That is the shape with return_sequences=True (one state per step). By default only the "
                            "last state comes out.",
            (None, of): f"{of} is the features going in. The output is the state: one value per unit.",
            (ou,): "Keep the batch axis in front, written as None.",
            (None, ou, ot): "By default only the last state comes out, and it has no timesteps axis.",
            (None, ot, of): f"That is the input. SimpleRNN reads all {ot} steps and returns its last state.",
        }),
        hints=["By default SimpleRNN returns only its last state h_T.",
               "The state has one value per unit, for each sample of the batch: (batch, units)."],
        answer=f"rnn_out_shape = (None, {ou})",
    )

    def spec_tips(rows, input_shape):
        if input_shape == (None, sf, st):
            return (f"The input is (None, {sf}, {st}): {sf} steps of {st} features. The spec is {st} steps of "
                    f"{sf} features: ({st}, {sf}).")
        if rows and rows[0]["type"] == "SimpleRNN" and rows[0]["output_shape"] == (None, st):
            return (f"SimpleRNN({st}) has {st} units, but units is not the number of timesteps: the {st} steps live "
                    f"in the input shape. The spec asks for {su} units.")
        if rows and rows[0]["type"] == "SimpleRNN" and rows[0]["output_shape"] == (None, st, su):
            return f"The RNN returns every step (return_sequences=True); Dense(1) should get only the last state."
        return None

    q6 = Exercise(
        lesson="03", id="q6", points=2, params=p,
        prompt=f"Build a model for sequences of {st} steps of {sf} features: a SimpleRNN with {su} units, then Dense(1).",
        reads="spec_model",
        check=model_with_tips([("SimpleRNN", (None, su), su * (sf + su + 1)), ("Dense", (None, 1), su + 1)],
                              (None, st, sf), spec_tips, any_length=True),
        hints=[f"keras.Input takes (timesteps, features) = ({st}, {sf}); units={su} is the layer's own choice.",
               f"keras.Sequential([keras.Input(shape=({st}, {sf})), keras.layers.SimpleRNN({su}), "
               "keras.layers.Dense(1)])"],
        answer=("spec_model = keras.Sequential([\n"
                f"    keras.Input(shape=({st}, {sf})),\n    keras.layers.SimpleRNN({su}),\n    keras.layers.Dense(1),\n])"),
    )
    return [q1, q2, q3, q4, q5, q6]


EXERCISES = build(DEFAULTS)
q1, q2, q3, q4, q5, q6 = EXERCISES
