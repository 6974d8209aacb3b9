"""Lesson 04, return_sequences and stacking: 3-D outputs, stacked counts, TimeDistributed, RepeatVector."""
from __future__ import annotations

from .engine import Exercise, int_check, shape_with_tips
from .formulas import fitted
from .models import model_with_tips

def _many_to_many_tips(rows):
    """Tips on which SimpleRNN of a many-to-many stack must return sequences."""
    rnns = [r for r in rows if r["type"] == "SimpleRNN"]
    if len(rnns) == 2 and len(rnns[1]["output_shape"]) == 2:
        return ("The second SimpleRNN returns only its last state, so the model predicts one number per sequence. "
                "Many-to-many needs a prediction at every step: that layer must return sequences too.")
    if len(rnns) == 2 and len(rnns[0]["output_shape"]) == 2:
        return "The first SimpleRNN must return sequences so the second one gets (batch, timesteps, features)."
    return None


def _fixed_stack_tips(rows, input_shape):
    rnns = [i for i, r in enumerate(rows) if r["type"] == "SimpleRNN"]
    others = [i for i, r in enumerate(rows) if r["type"] not in ("SimpleRNN", "Dense") and not r.get("recurrent")]
    if others and len(rnns) == 2 and rnns[0] < others[0] < rnns[1]:
        first, extra = rows[rnns[0]], rows[others[0]]
        if len(first["output_shape"]) == 3:
            return (f"Keep exactly the three layers; this model adds {extra['form']} between the two SimpleRNN "
                    f"layers. The first one already hands over every step {first['output_shape']}: remove it.")
        steps = input_shape[1] if input_shape and len(input_shape) == 3 and input_shape[1] else "the"
        return (f"The {extra['form']} after the first SimpleRNN turns its last state {first['output_shape']} into "
                f"{extra['output_shape']}, so the second SimpleRNN reads that instead of the first layer's output "
                f"at each of {steps} steps. Remove the {extra['form']} and fix the first SimpleRNN: "
                "return_sequences=True makes it hand over every step.")
    if others:
        return (f"Keep exactly the three layers; this model adds {', '.join(rows[i]['form'] for i in others)}. "
                "Let the top SimpleRNN hand Dense its last state (no return_sequences there) instead of reshaping "
                "its output.")
    if len(rnns) == 1:
        return "Removing a SimpleRNN avoids the error but changes the model. Keep both; fix how the first one hands over."
    if len(rnns) == 2 and len(rows[rnns[1]]["output_shape"]) == 3:
        return ("Now the second SimpleRNN returns sequences too, so Dense predicts at every step "
                f"{rows[-1]['output_shape']}. Only the lower layer needs return_sequences=True; the top one hands "
                "Dense its last state.")
    return None


_FIXED_STACK_WHY_FORM = "This exercise keeps two layers to practise how the lower one hands over its steps."


# -- q1-q7: the fixed-value exercises, for any numbers ------------------------------------------
# build(DEFAULTS) is the published lesson. q2's defaults are the lesson's running example (2 steps,
# SimpleRNN(10) on SimpleRNN(10)); a release asks about the student's stack while the demonstration
# cells keep that example.
DEFAULTS = {"seq_steps": 2, "seq_units": 10, "second_steps": 2, "second_a": 10, "second_b": 10,
            "stack_steps": 20, "stack_features": 3, "stack_a": 8, "stack_b": 8, "stack_c": 4, "td_steps": 5, "td_features": 10, "td_units": 3, "repeat": 5, "repeat_features": 4,
            "m2m_steps": 6, "m2m_features": 2, "m2m_a": 16, "m2m_b": 8, "fix_steps": 10, "fix_a": 32, "fix_b": 16}


def text_values(p: dict) -> dict:
    """The parameters plus the counts the lesson text states."""
    return {**p, "td_params": p["td_features"] * p["td_units"] + p["td_units"]}


TEXTS = [
    "Predict the output shape of `SimpleRNN({seq_units}, return_sequences=True)` on `keras.Input(shape=({seq_steps}, 1))`.",
    "seq_out_shape = (None, {seq_steps}, {seq_units})",
    "The upper layer reads a sequence of {second_steps} steps whose **features are the {second_a} units of the layer below**.",
    "How many parameters does the second `SimpleRNN({second_b})` have?",
    "second_layer_params = {second_b} * ({second_a} + {second_b} + 1)",
    "Total parameters of `SimpleRNN({stack_a}, return_sequences=True)`, `SimpleRNN({stack_b}, return_sequences=True)`, "
    "`SimpleRNN({stack_c})` stacked on `keras.Input(shape=({stack_steps}, {stack_features}))`?",
    "stack_total_params = {stack_a} * ({stack_features} + {stack_a} + 1) + {stack_b} * ({stack_a} + {stack_b} + 1) "
    "+ {stack_c} * ({stack_b} + {stack_c} + 1)",
    "`TimeDistributed(Dense({td_units}))` is applied to a `(None, {td_steps}, {td_features})` tensor.",
    "td_params = {td_features} * {td_units} + {td_units}",
    "normal(size=(2, {td_steps}, {td_features}))",
    "dense = layers.Dense({td_units})\nper_step = layers.TimeDistributed(layers.Dense({td_units}))",
    "Same shapes, same {td_params} parameters, same numbers.",
    "Predict the output shape of `RepeatVector({repeat})` on `keras.Input(shape=({repeat_features},))`.",
    "repeat_shape = (None, {repeat}, {repeat_features})",
    "Build `many_to_many`: sequences of {m2m_steps} steps of {m2m_features} features, `SimpleRNN({m2m_a})`, then "
    "`SimpleRNN({m2m_b})`, then one `Dense(1)` prediction",
    "keras.Input(shape=({m2m_steps}, {m2m_features})),\n    layers.SimpleRNN({m2m_a}, return_sequences=True),\n"
    "    layers.SimpleRNN({m2m_b}, return_sequences=True),",
    "This model should read sequences of {fix_steps} steps of 1 feature",
    "keras.Input(shape=({fix_steps}, 1)),\n    layers.SimpleRNN({fix_a}),\n    layers.SimpleRNN({fix_b}),",
    "keep the input and all three layers (`SimpleRNN({fix_a})`, `SimpleRNN({fix_b})`, `Dense(1)`)",
    "keras.Input(shape=({fix_steps}, 1)),\n    layers.SimpleRNN({fix_a}, return_sequences=True),\n"
    "    layers.SimpleRNN({fix_b}),",
]


def _rnn(units: int, features: int) -> int:
    return units * (features + units + 1)


def _stack_near(t, f, a, b, c) -> dict:
    later = f"({a})" if a == b else f"({a}, then {b})"
    total = _rnn(a, f) + _rnn(b, a) + _rnn(c, b)
    return {
        _rnn(a, f) + _rnn(b, f) + _rnn(c, f): f"{_rnn(a, f) + _rnn(b, f) + _rnn(c, f)} gives every layer {f} features. "
                                              "Only the first reads the data; each later layer reads the previous "
                                              f"layer's units {later}.",
        total - a - b - c: f"{total - a - b - c} leaves out the biases, one value per unit in each layer.",
        _rnn(a, f) + _rnn(b, f) + _rnn(c, b): f"{_rnn(a, f) + _rnn(b, f) + _rnn(c, b)} gives the second layer the {f} "
                                              f"input features. Its features are the {a} units of the layer below.",
        3 * _rnn(a, f): f"{3 * _rnn(a, f)} is three times the first layer. The layers differ: count each with its own "
                        "features and units.",
        total - f * a: f"{total - f * a} leaves out the first layer's kernel ({f} x {a} = {f * a} weights): the layer "
                       f"that reads the data multiplies each step's {f} features by it, before adding its recurrent "
                       "kernel and bias.",
        _rnn(a, f) + _rnn(b, a): f"{_rnn(a, f) + _rnn(b, a)} is the first two layers only ({_rnn(a, f)} + "
                                 f"{_rnn(b, a)}). Add the third, SimpleRNN({c}), which reads the second layer's {b} "
                                 "units.",
        t * total: f"The {t} timesteps never enter the count: the weights are shared by the steps.",
    }


def _second_near(t, a, b) -> dict:
    """Tips for the second SimpleRNN(b) of a stack on SimpleRNN(a, return_sequences=True) on (t, 1)."""
    first, second = _rnn(a, 1), _rnn(b, a)
    near = {
        first: f"{first} is the first layer. The second one reads the first one's states: {a} features per step, not 1.",
        second - b: f"{second - b} leaves out the bias, one value per unit.",
        first + second: f"{first + second} is the whole model: the first layer's {first} plus the second's. Only the "
                        "second layer is asked.",
        t * second: f"{t * second} counts the weights once per timestep. They are shared by the steps: count them once.",
        b * b + b: f"{b * b + b} is the recurrent kernel and the bias ({b} x {b} + {b}): the kernel is missing. The second "
                   f"layer's features are the first layer's {a} units, so its kernel is {a} x {b}"
                   + (" too." if a == b else "."),
    }
    if _rnn(b, 1) not in near:
        near[_rnn(b, 1)] = (f"{_rnn(b, 1)} gives the second layer 1 feature per step, like the first. Its features are "
                            f"the first layer's {a} units.")
    return near


def _td_near(t, f, u) -> dict:
    return {
        t * (f * u + u): f"{t * (f * u + u)} gives each of the {t} steps its own Dense. TimeDistributed applies one "
                         "Dense, with one set of weights, at every step.",
        t * f * u: f"{t * f * u} gives each step its own kernel. There is one Dense, shared by the {t} steps.",
        f * u: f"{f * u} is the kernel ({f} x {u}) alone. Add the {u} biases.",
        t * u + u: f"{t * u + u} uses the {t} timesteps as the input size. Dense reads the last axis: {f} values.",
    }


def draw(rng) -> dict:
    """Other valid numbers, each exercise's answer different from the published one.

    >>> import numpy as np
    >>> draw(np.random.default_rng(0))["repeat"] >= 2
    True
    """
    d = DEFAULTS
    while True:
        p = {"seq_steps": int(rng.integers(3, 13)), "seq_units": int(rng.integers(4, 33)),
             "second_steps": int(rng.integers(3, 13)), "second_a": int(rng.integers(4, 25)),
             "second_b": int(rng.integers(4, 25)),
             "stack_steps": int(rng.integers(10, 61)), "stack_features": int(rng.integers(2, 7)),
             "stack_a": int(rng.integers(4, 17)), "stack_b": int(rng.integers(4, 17)), "stack_c": int(rng.integers(2, 9)),
             "td_steps": int(rng.integers(3, 13)), "td_features": int(rng.integers(4, 17)), "td_units": int(rng.integers(2, 9)),
             "repeat": int(rng.integers(2, 13)), "repeat_features": int(rng.integers(2, 13)),
             "m2m_steps": int(rng.integers(4, 25)), "m2m_features": int(rng.integers(2, 7)),
             "m2m_a": int(rng.choice([8, 12, 16, 20, 24, 32])), "m2m_b": int(rng.choice([4, 6, 8, 10, 12])),
             "fix_steps": int(rng.integers(5, 41)), "fix_a": int(rng.choice([8, 12, 16, 20, 24, 48, 64])),
             "fix_b": int(rng.choice([4, 6, 8, 10, 12, 20]))}
        stack = (p["stack_steps"], p["stack_features"], p["stack_a"], p["stack_b"], p["stack_c"])
        stack_total = _rnn(stack[2], stack[1]) + _rnn(stack[3], stack[2]) + _rnn(stack[4], stack[3])
        td = (p["td_steps"], p["td_features"], p["td_units"])
        q1_shapes = {(None, p["seq_units"]), (None, p["seq_units"], p["seq_steps"]), (p["seq_steps"], p["seq_units"]),
                     (None, p["seq_steps"], 1), (None, p["seq_steps"] * p["seq_units"]), (None, p["seq_steps"], p["seq_units"])}
        second = (p["second_steps"], p["second_a"], p["second_b"])
        fair = (len(q1_shapes) == 6 and p["seq_units"] != d["seq_units"]
                and len(_second_near(*second)) == 6 and _rnn(second[2], second[1]) not in _second_near(*second)
                and _rnn(second[2], second[1]) != 210
                and len(set(second)) == 3
                and len(set(_stack_near(*stack))) == 7 and stack_total not in _stack_near(*stack) and stack_total != 284
                and len(set(_td_near(*td))) == 4 and td[1] * td[2] + td[2] not in _td_near(*td)
                and td[1] * td[2] + td[2] != 33 and len(set(td)) == 3
                and p["repeat"] != p["repeat_features"] and (p["repeat"], p["repeat_features"]) != (5, 4)
                and p["m2m_steps"] != p["m2m_features"] and p["m2m_a"] != p["m2m_b"]
                and (p["m2m_steps"], p["m2m_a"], p["m2m_b"]) != (6, 16, 8)
                and p["fix_a"] != p["fix_b"] and (p["fix_steps"], p["fix_a"], p["fix_b"]) != (10, 32, 16)
                and p["fix_steps"] not in (p["fix_a"], p["fix_b"]))
        if fair:
            return p


def build(p: dict = DEFAULTS) -> list:
    """The lesson's exercises for the numbers ``p`` (``DEFAULTS``: the published lesson)."""
    p = {**DEFAULTS, **p}
    st, su = p["seq_steps"], p["seq_units"]
    ss, sa, sb = p["second_steps"], p["second_a"], p["second_b"]
    stack = (p["stack_steps"], p["stack_features"], p["stack_a"], p["stack_b"], p["stack_c"])
    t, f, a, b, c = stack
    tt, tf, tu = p["td_steps"], p["td_features"], p["td_units"]
    n, rf = p["repeat"], p["repeat_features"]
    mt, mf, ma, mb = p["m2m_steps"], p["m2m_features"], p["m2m_a"], p["m2m_b"]
    ft, fa, fb = p["fix_steps"], p["fix_a"], p["fix_b"]
    q1 = Exercise(
        lesson="04", id="q1", points=1, params=p,
        prompt=f"Predict the output shape of SimpleRNN({su}, return_sequences=True) on keras.Input(shape=({st}, 1)).",
        reads="seq_out_shape",
        check=shape_with_tips((None, st, su), ("batch", "timesteps", "units"), {
            (None, su): f"(None, {su}) is the default, the last state only. return_sequences=True keeps one state "
                        "per timestep.",
            (None, su, st): "Timesteps stay in the middle, where they were: (batch, timesteps, units).",
            (st, su): "Keep the batch axis in front, written as None.",
            (None, st, 1): f"That is the input. Each step's 1 feature becomes a state of {su} units.",
            (None, st * su): "Keras does not flatten the states: they keep their own timesteps axis.",
        }),
        hints=["With return_sequences=True the layer hands out its state at every timestep, not only the last.",
               f"{st} timesteps, each with a state of {su} values, for every sample of the batch."],
        answer=f"seq_out_shape = (None, {st}, {su})",
    )
    q2 = Exercise(
        lesson="04", id="q2", points=1, params=p,
        prompt=f"SimpleRNN({sb}) is stacked on SimpleRNN({sa}, return_sequences=True) on keras.Input(shape=({ss}, 1)). "
               "How many parameters does the second layer have?",
        reads="second_layer_params",
        check=int_check(_rnn(sb, sa), f"the second SimpleRNN({sb})", _second_near(ss, sa, sb),
                        explain=fitted([("kernel", "features * units"), ("recurrent kernel", "units * units"), ("bias", "units")],
                                       {"timesteps": ss, "features": sa, "units": sb},
                                       advice="The second layer's features are the first layer's units.")),
        hints=[f"The second layer's input is (None, {ss}, {sa}): its features are the first layer's {sa} units.",
               f"units * (features + units + 1) with features = {sa} and units = {sb}."],
        answer=f"second_layer_params = {sb} * ({sa} + {sb} + 1)",
    )
    total = _rnn(a, f) + _rnn(b, a) + _rnn(c, b)
    q3 = Exercise(
        lesson="04", id="q3", points=2, params=p,
        prompt=f"Total parameters of SimpleRNN({a}, return_sequences=True), SimpleRNN({b}, return_sequences=True), "
               f"SimpleRNN({c}) stacked on keras.Input(shape=({t}, {f}))?",
        reads="stack_total_params",
        check=int_check(total, "the three-layer stack", _stack_near(*stack)),
        hints=["Use units * (features + units + 1) for each layer; a layer's features are the previous layer's units.",
               f"{a} * ({f} + {a} + 1) + {b} * ({a} + {b} + 1) + {c} * ({b} + {c} + 1)."],
        answer=f"stack_total_params = {a} * ({f} + {a} + 1) + {b} * ({a} + {b} + 1) + {c} * ({b} + {c} + 1)",
    )
    q4 = Exercise(
        lesson="04", id="q4", points=1, params=p,
        prompt=f"TimeDistributed(Dense({tu})) is applied to a (None, {tt}, {tf}) tensor. How many parameters does it have?",
        reads="td_params",
        check=int_check(tf * tu + tu, f"TimeDistributed(Dense({tu})) on (None, {tt}, {tf})", _td_near(tt, tf, tu),
                        explain=fitted([("kernel", "features * units"), ("bias", "units")], {"timesteps": tt, "features": tf, "units": tu})),
        hints=["TimeDistributed does not copy the weights: the same Dense runs on every timestep.",
               f"A Dense({tu}) on {tf} features: {tf} * {tu} + {tu}."],
        answer=f"td_params = {tf} * {tu} + {tu}",
    )
    q5 = Exercise(
        lesson="04", id="q5", points=1, params=p,
        prompt=f"Predict the output shape of RepeatVector({n}) applied to keras.Input(shape=({rf},)).",
        reads="repeat_shape",
        check=shape_with_tips((None, n, rf), ("batch", "timesteps", "features"), {
            (None, rf, n): f"The new axis is the timesteps axis, in the middle: each of the {n} steps carries the "
                           f"{rf} values.",
            (None, n * rf): f"RepeatVector does not concatenate: it stacks {n} copies on a new timesteps axis.",
            (n, rf): "Keep the batch axis in front, written as None.",
            (None, n): f"Each of the {n} steps carries the whole vector of {rf} values.",
        }),
        hints=["RepeatVector(n) turns one vector per sample into a sequence of n copies of it.",
               f"(batch, {rf}) becomes (batch, {n} steps, {rf} features)."],
        answer=f"repeat_shape = (None, {n}, {rf})",
    )

    def m2m_tips(rows, input_shape):
        if input_shape == (None, mf, mt):
            return (f"The input is (None, {mf}, {mt}): {mf} steps of {mt} features. The spec is {mt} steps of {mf} "
                    f"features: ({mt}, {mf}).")
        rnns = [r for r in rows if r["type"] == "SimpleRNN"]
        if len(rnns) < 2:
            return (f"This model stacks two SimpleRNN layers ({ma} units, then {mb}), both returning sequences, "
                    f"before the Dense; yours has {len(rnns)}.")
        return _many_to_many_tips(rows)

    q6 = Exercise(
        lesson="04", id="q6", points=2, params=p,
        prompt=f"Build a many-to-many model for sequences of {mt} steps of {mf} features: SimpleRNN({ma}), "
               f"SimpleRNN({mb}), then one Dense(1) prediction at every step.",
        reads="many_to_many",
        check=model_with_tips([("SimpleRNN", (None, mt, ma), _rnn(ma, mf)), ("SimpleRNN", (None, mt, mb), _rnn(mb, ma)),
                               (None, (None, mt, 1), mb + 1)], (None, mt, mf), m2m_tips,
                              hint=f"Every layer keeps the {mt} timesteps in a many-to-many model.", any_length=True),
        hints=[f"One prediction per step means the timesteps axis survives to the end: (None, {mt}, 1).",
               "Both SimpleRNN layers need return_sequences=True; Dense (or TimeDistributed(Dense)) then acts at "
               "every step.",
               f"keras.Sequential([keras.Input(shape=({mt}, {mf})), keras.layers.SimpleRNN({ma}, return_sequences=True), "
               f"keras.layers.SimpleRNN({mb}, return_sequences=True), keras.layers.Dense(1)])"],
        answer=(f"many_to_many = keras.Sequential([\n    keras.Input(shape=({mt}, {mf})),\n"
                f"    keras.layers.SimpleRNN({ma}, return_sequences=True),\n"
                f"    keras.layers.SimpleRNN({mb}, return_sequences=True),\n"
                "    keras.layers.Dense(1),\n])"),
    )

    q7 = Exercise(
        lesson="04", id="q7", points=2, params=p,
        prompt=f"Fix the broken stack: keep Input ({ft}, 1), SimpleRNN({fa}), SimpleRNN({fb}), Dense(1) and make it "
               "build, predicting one number per sequence.",
        reads="fixed_stack",
        check=model_with_tips([("SimpleRNN", (None, ft, fa), _rnn(fa, 1)), ("SimpleRNN", (None, fb), _rnn(fb, fa)),
                               ("Dense", (None, 1), fb + 1)], (None, ft, 1), _fixed_stack_tips, any_length=True,
                              why_form=_FIXED_STACK_WHY_FORM),
        hints=["The error says the second SimpleRNN received a 2-D tensor. Which layer produced it?",
               "The first SimpleRNN must hand over every step: return_sequences=True on it, and only on it.",
               f"keras.Sequential([keras.Input(shape=({ft}, 1)), keras.layers.SimpleRNN({fa}, return_sequences=True), "
               f"keras.layers.SimpleRNN({fb}), keras.layers.Dense(1)])"],
        answer=(f"fixed_stack = keras.Sequential([\n    keras.Input(shape=({ft}, 1)),\n"
                f"    keras.layers.SimpleRNN({fa}, return_sequences=True),\n"
                f"    keras.layers.SimpleRNN({fb}),\n    keras.layers.Dense(1),\n])"),
    )
    return [q1, q2, q3, q4, q5, q6, q7]


EXERCISES = build(DEFAULTS)
q1, q2, q3, q4, q5, q6, q7 = EXERCISES
