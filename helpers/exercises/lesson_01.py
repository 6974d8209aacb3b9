"""Lesson 01, Dense and the batch axis: what ``None`` means, the parameter formula, Dense on 3D tensors.

Every number of the fixed-answer exercises is a parameter (``DEFAULTS`` is the published course);
``build(params)`` makes the exercises for other numbers, ``draw(rng)`` picks valid ones, and
``TEXTS`` are the lesson's sentences and code lines that use them (a graded release rewrites them).

>>> build({**DEFAULTS, "units": 12})[0].judge((None, 12)).status
'correct'
"""
from __future__ import annotations

import numbers

from .engine import Exercise, Reject, Result, int_check, shape_with_tips
from .formulas import fitted
from .models import model_check

DEFAULTS = {"features": 2, "units": 10, "batch": 64, "count_features": 4, "count_units": 3,
            "steps": 7, "values": 5, "step_units": 4, "model_features": 3, "hidden": 8, "outputs": 1}


def text_values(p: dict) -> dict:
    """The parameters plus the numbers the lesson text derives from them."""
    wrong = p["features"] + 1 if p["features"] + 1 != 5 else p["features"] + 2   # 5 is the demo's batch size
    return {**p, "wrong_features": wrong}


# The lesson's text and code that use the numbers, as templates (filled with DEFAULTS they are the
# published notebook's own words; whitespace may differ).
TEXTS = [
    "when Keras prints `(None, {features})`, what is the `None`?",
    "here, {features} numbers.",
    "inputs = keras.Input(shape=({features},))",
    "`shape=({features},)` describes one example.",
    "A `Dense({units})` layer is applied to `inputs`.",
    "dense_shape = (None, {units})",
    'outputs = keras.layers.Dense({units}, name="dense")(inputs)',
    "How many parameters does `Dense({count_units})` have when each example has {count_features} features?",
    "small_dense_params = {count_features} * {count_units} + {count_units}",
    "The model gets a numpy array of shape `({batch}, {features})`: {batch} examples of {features} features.",
    "batch_out_shape = ({batch}, {units})",
    'batch = np.ones(({batch}, {features}), dtype="float32")',
    "The `None` has become {batch}: one output row",
    "when rows of {wrong_features} features reach a model built for {features}:",
    "model(np.ones((5, {wrong_features}), dtype='float32'))",
    "Keras **expected** `(None, {features})` (any batch, {features} features) and **found** `(5, {wrong_features})`. "
    "The batch size 5 was fine; the {wrong_features} was not.",
    "give the data {features} features, or build the model with `keras.Input(shape=({wrong_features},))`.",
    "tuple(model(np.ones((5, {features}), dtype='float32')).shape)",
    "each example is {steps} steps of {values} values (think: {steps} days, {values} measurements a day).",
    "steps_in = keras.Input(shape=({steps}, {values}))",
    "`Dense({step_units})` is applied to `steps_in`.",
    "dense_3d_shape = (None, {steps}, {step_units})",
    "How many parameters does that `Dense({step_units})` have?",
    "dense_3d_params = {values} * {step_units} + {step_units}",
    'dense_steps = keras.layers.Dense({step_units}, name="dense_steps")',
    "the {values} values of each step become {step_units} units, and every axis in front (the batch, "
    "the {steps} steps) passes through untouched.",
    "one kernel of shape `({values}, {step_units})`, shared by all {steps} steps.",
    "apply the layer to a whole `(2, {steps}, {values})` block at once, then to each of the {steps} steps on its own",
    "normal(size=(2, {steps}, {values}))",
    "for t in range({steps})]",
    'same_as_model = keras.Sequential([keras.Input(shape=({features},)), keras.layers.Dense({units})], name="listed")',
    "compute_output_shape((None, {features}))",
    'each example has {model_features} features; then `Dense({hidden}, activation="relu")`; then `Dense({outputs})` '
    "(no activation).",
    'keras.Input(shape=({model_features},)),\n    keras.layers.Dense({hidden}, activation="relu"),\n'
    "    keras.layers.Dense({outputs}),",
    'example = keras.Sequential([keras.Input(shape=({model_features},)), keras.layers.Dense({hidden}, '
    'activation="relu"), keras.layers.Dense({outputs})], name="two_dense")',
]


def _distinct(*numbers_: int) -> bool:
    return len(set(numbers_)) == len(numbers_)


def _q6_near(steps: int, values: int, units: int) -> dict:
    kernel = values * units
    return {
        steps * (kernel + units): f"{steps * (kernel + units)} gives each of the {steps} steps a Dense layer of "
                                  f"its own. There is one layer, shared by all {steps}.",
        steps * kernel + units: f"{steps * kernel + units} counts a separate kernel for each of the {steps} steps. "
                                f"There is one kernel, shared by all {steps}.",
        steps * kernel: f"{steps * kernel} gives each of the {steps} steps its own kernel. There is one kernel, "
                        f"shared by all {steps}, plus {units} biases.",
        steps * units: f"{steps * units} is {steps} x {units}, as if the steps were the input features. Dense "
                       f"reads only the last axis: {values} values.",
        steps * values: f"{steps * values} is {steps} x {values}, the size of one example. Count the weights "
                        f"instead: {values} values in, {units} units out, plus biases.",
        kernel: f"{kernel} is the kernel ({values} x {units}) alone. Add one bias per unit.",
        steps * units + units: f"{steps * units + units} uses {steps} as the input size. Dense reads only the "
                               f"last axis: {values} values.",
    }


def valid(p: dict) -> bool:
    """Whether the numbers make a fair variant: every typical wrong answer differs from the right one."""
    f, u, b = p["features"], p["units"], p["batch"]
    cf, cu = p["count_features"], p["count_units"]
    t, v, k = p["steps"], p["values"], p["step_units"]
    q2_wrong = [cf * cu, cf + cu, cf * cu + cf, cu]
    q6_wrong = list(_q6_near(t, v, k))
    return (min(p.values()) >= 1 and _distinct(f, u, b, 1) and u != text_values(p)["wrong_features"]
            and cu >= 2 and _distinct(*q2_wrong, cf * cu + cu)
            and _distinct(t, v, k) and len(q6_wrong) == 7 and _distinct(*q6_wrong, v * k + k) and t * k not in (k, v)
            and p["hidden"] != p["model_features"] and p["hidden"] > 1)


def draw(rng) -> dict:
    """Other valid numbers, each exercise's answer different from the published one.

    >>> import numpy as np
    >>> valid(draw(np.random.default_rng(1)))
    True
    """
    d = DEFAULTS
    while True:
        p = {"features": int(rng.integers(2, 7)), "units": int(rng.integers(3, 17)),
             "batch": int(rng.choice([16, 20, 24, 32, 40, 48, 50, 80, 96, 100, 128])),
             "count_features": int(rng.integers(3, 10)), "count_units": int(rng.integers(2, 9)),
             "steps": int(rng.integers(3, 13)), "values": int(rng.integers(2, 10)), "step_units": int(rng.integers(2, 10)),
             "model_features": int(rng.integers(2, 7)), "hidden": int(rng.integers(4, 17)),
             "outputs": int(rng.integers(1, 4))}
        differs = (p["units"] != d["units"] and (p["batch"], p["units"]) != (d["batch"], d["units"])
                   and p["count_features"] * p["count_units"] + p["count_units"] != 15
                   and (p["steps"], p["step_units"]) != (d["steps"], d["step_units"])
                   and p["values"] * p["step_units"] + p["step_units"] != 24
                   and (p["model_features"], p["hidden"], p["outputs"]) != (3, 8, 1))
        if differs and valid(p):
            return p


def _param_cases(rng):
    cases = [(2, 10), (1, 1)]
    cases += [(int(rng.integers(1, 60)), int(rng.integers(1, 60))) for _ in range(6)]
    return cases


def _judge_param_function(cases, outputs):
    for (features, units), got in zip(cases, outputs):
        want = features * units + units
        if got is not None and (isinstance(got, bool) or not isinstance(got, numbers.Real)):
            raise Reject(f"dense_param_count({features}, {units}) returned {got!r}; it should return a number.")
        if got == want:
            continue
        call = f"dense_param_count({features}, {units})"
        if got == features * units:
            return Result(False, f"{call} gave {got}: that is the kernel only. Add one bias per unit.")
        if got == (features + 1) * (units + 1):
            return Result(False, f"{call} gave {got}: there is one bias per unit, not an extra feature and unit.")
        if got == features + units:
            return Result(False, f"{call} gave {got}: weights connect every feature to every unit, so multiply.")
        if got == features * units + features:
            return Result(False, f"{call} gave {got}: the bias has one value per unit (units is the second "
                                 "argument), not one per feature.")
        if got is None:
            return Result(False, f"{call} returned None: did you print the count instead of returning it?")
        return Result(False, f"{call} gave {got}, expected {want}.")
    return Result(True, f"Your formula gives the right count for {len(cases)} layer sizes.")



def build(p: dict = DEFAULTS) -> list:
    """The lesson's exercises for the numbers ``p`` (``DEFAULTS``: the published lesson)."""
    p = {**DEFAULTS, **p}
    f, u, b = p["features"], p["units"], p["batch"]
    cf, cu = p["count_features"], p["count_units"]
    t, v, k = p["steps"], p["values"], p["step_units"]
    g, h, o = p["model_features"], p["hidden"], p["outputs"]

    q1 = Exercise(
        lesson="01", id="q1", points=1, params=p,
        prompt=f"Predict the output shape of Dense({u}) applied to keras.Input(shape=({f},)).",
        reads="dense_shape",
        check=shape_with_tips((None, u), ("batch", "units"), {
            (u,): "Keras keeps the batch axis in front of every shape: add it, written as None.",
            (None, f): f"(None, {f}) is what goes in. Dense({u}) replaces the last axis with its {u} units.",
            (f, u): f"({f}, {u}) is the shape of the layer's weight matrix (its kernel), not of its output.",
            (1, u): "The batch size is not known when the model is built, so Keras writes None, not 1.",
        }),
        hints=["The first axis of every Keras shape is the batch axis, and it stays open until data arrives.",
               f"Dense keeps the batch axis and turns the {f} features into {u} units: (batch, units)."],
        answer=f"dense_shape = (None, {u})",
    )

    q2 = Exercise(
        lesson="01", id="q2", points=1, params=p,
        prompt=f"How many parameters does Dense({cu}) have when its input has {cf} features?",
        reads="small_dense_params",
        check=int_check(cf * cu + cu, f"the parameter count of Dense({cu}) on {cf} features", {
            cf * cu: f"{cf * cu} is the kernel alone ({cf} x {cu}). Each of the {cu} units also has a bias.",
            cf + cu: f"{cf + cu} is {cf} + {cu}: the kernel multiplies, it has one weight per (feature, unit) pair.",
            cf * cu + cf: f"{cf * cu + cf} is {cf} x {cu} + {cf}: a bias for each of the {cf} features. The bias "
                          f"belongs to the units: one per unit, {cu} in all.",
            cu: f"{cu} is only the biases. Add the kernel: one weight per (feature, unit) pair.",
        }, explain=fitted([("kernel", "features * units"), ("bias", "units")], {"features": cf, "units": cu})),
        hints=["Dense holds a kernel of shape (features, units) and a bias of shape (units,).",
               f"Count both: {cf} * {cu} kernel weights plus {cu} biases."],
        answer=f"small_dense_params = {cf} * {cu} + {cu}",
    )

    q3 = Exercise(
        lesson="01", id="q3", points=2, kind="function", params=p,
        prompt="Write dense_param_count(features, units): the number of parameters of Dense(units) on that many features.",
        reads="dense_param_count",
        make_inputs=_param_cases,
        check=_judge_param_function,
        hints=["Look back at the weights the summary listed: a kernel and a bias.",
               "The kernel is features x units, the bias has one value per unit.",
               "return features * units + units"],
        answer="def dense_param_count(features, units):\n    return features * units + units",
    )

    q4 = Exercise(
        lesson="01", id="q4", points=1, params=p,
        prompt=f"The model from q1 gets a numpy array of shape ({b}, {f}). What shape comes out?",
        reads="batch_out_shape",
        check=shape_with_tips((b, u), ("batch", "units"), {
            (None, u): f"None was only a placeholder while the batch size was unknown. Now {b} rows arrive.",
            (b, f): f"That is the input. Dense({u}) replaces the {f} features of each row by {u} units.",
            (u,): f"The batch axis stays: one row of {u} outputs per input row.",
        }),
        hints=["The batch axis is whatever number of rows you feed.",
               f"{b} rows go in, {b} rows come out; each row now has {u} values."],
        answer=f"batch_out_shape = ({b}, {u})",
    )

    q5 = Exercise(
        lesson="01", id="q5", points=1, params=p,
        prompt=f"Predict the output shape of Dense({k}) applied to keras.Input(shape=({t}, {v})).",
        reads="dense_3d_shape",
        check=shape_with_tips((None, t, k), ("batch", "steps", "units"), {
            (None, k): "Dense does not flatten or drop axes: it only changes the last one.",
            (None, t, v): f"That is the input. Dense({k}) turns the last axis ({v} values) into {k} units.",
            (None, k, v): f"Dense acts on the last axis, not the middle one: the {t} stays, the {v} becomes {k}.",
            (None, t * k): f"Dense does not flatten: the {t} steps stay, and each step's {v} values become {k}.",
            (t, k): "Keep the batch axis in front, written as None.",
        }),
        hints=["Dense only ever touches the last axis of its input.",
               f"Every axis before the last is kept as it is: (None, {t}, ?)."],
        answer=f"dense_3d_shape = (None, {t}, {k})",
    )

    q6 = Exercise(
        lesson="01", id="q6", points=1, params=p,
        prompt=f"How many parameters does that Dense({k}) on inputs of shape ({t}, {v}) have?",
        reads="dense_3d_params",
        check=int_check(v * k + k, f"the parameter count of Dense({k}) on ({t}, {v}) inputs", _q6_near(t, v, k),
                        explain=fitted([("kernel", "features * units"), ("bias", "units")], {"timesteps": t, "features": v, "units": k})),
        hints=[f"Dense sees only the last axis: {v} values in, {k} units out.",
               f"The {t} steps share one kernel: {v} * {k} + {k}."],
        answer=f"dense_3d_params = {v} * {k} + {k}",
    )

    out_layer = f"Dense({o})"
    q7 = Exercise(
        lesson="01", id="q7", points=2, params=p,
        prompt=f"Build a model: input of {g} features, then Dense({h}, activation='relu'), then {out_layer}.",
        reads="two_layer_model",
        check=model_check([("Dense", (None, h), g * h + h, "relu"), ("Dense", (None, o), h * o + o, "linear")],
                          input_shape=(None, g), hint="Check the units of each Dense layer.",
                          why_form=f"The exercise asks for Dense({h}, activation='relu'): one layer, the form the "
                                   "course uses from here on."),
        hints=[f"keras.Sequential([keras.Input(shape=({g},)), ...]) with the two Dense layers after the Input.",
               f"The first Dense has {h} units and a relu activation, the second has {o} unit{'s' if o != 1 else ''}.",
               f"keras.Sequential([keras.Input(shape=({g},)), keras.layers.Dense({h}, activation='relu'), "
               f"keras.layers.{out_layer}])"],
        answer=(f"two_layer_model = keras.Sequential([\n    keras.Input(shape=({g},)),\n"
                f"    keras.layers.Dense({h}, activation='relu'),\n    keras.layers.{out_layer},\n])"),
    )
    return [q1, q2, q3, q4, q5, q6, q7]


EXERCISES = build(DEFAULTS)
q1, q2, q3, q4, q5, q6, q7 = EXERCISES
