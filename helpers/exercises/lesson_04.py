"""Lesson 04, return_sequences and stacking: 3-D outputs, stacked counts, TimeDistributed, RepeatVector."""
from __future__ import annotations

from .engine import Exercise, int_check, shape_with_tips
from .models import model_with_tips

q1 = Exercise(
    lesson="04", id="q1", points=1,
    prompt="Predict the output shape of SimpleRNN(10, return_sequences=True) on keras.Input(shape=(2, 1)).",
    reads="seq_out_shape",
    check=shape_with_tips((None, 2, 10), ("batch", "timesteps", "units"), {
        (None, 10): "(None, 10) is the default, the last state only. return_sequences=True keeps one state per timestep.",
        (None, 10, 2): "Timesteps stay in the middle, where they were: (batch, timesteps, units).",
        (2, 10): "Keep the batch axis in front, written as None.",
        (None, 2, 1): "That is the input. Each step's 1 feature becomes a state of 10 units.",
        (None, 20): "Keras does not flatten the states: they keep their own timesteps axis.",
    }),
    hints=["With return_sequences=True the layer hands out its state at every timestep, not only the last.",
           "2 timesteps, each with a state of 10 values, for every sample of the batch."],
    answer="seq_out_shape = (None, 2, 10)",
)

q2 = Exercise(
    lesson="04", id="q2", points=1,
    prompt="SimpleRNN(10) is stacked on SimpleRNN(10, return_sequences=True) on keras.Input(shape=(2, 1)). "
           "How many parameters does the second layer have?",
    reads="second_layer_params",
    check=int_check(210, "the second SimpleRNN(10)", {
        120: "120 is the first layer. The second one reads the first one's states: 10 features per step, not 1.",
        200: "200 leaves out the bias, one value per unit.",
        330: "330 is the whole model: the first layer's 120 plus the second's. Only the second layer is asked.",
        420: "420 counts the weights once per timestep. They are shared by the steps: count them once.",
        110: "110 is the recurrent kernel and the bias (10 x 10 + 10): the kernel is missing. The second layer's "
             "features are the first layer's 10 units, so its kernel is 10 x 10 too.",
    }),
    hints=["The second layer's input is (None, 2, 10): its features are the first layer's 10 units.",
           "units * (features + units + 1) with features = 10 and units = 10."],
    answer="second_layer_params = 10 * (10 + 10 + 1)",
)

q3 = Exercise(
    lesson="04", id="q3", points=2,
    prompt="Total parameters of SimpleRNN(8, return_sequences=True), SimpleRNN(8, return_sequences=True), "
           "SimpleRNN(4) stacked on keras.Input(shape=(20, 3))?",
    reads="stack_total_params",
    check=int_check(284, "the three-layer stack", {
        224: "224 gives every layer 3 features. Only the first reads the data; each later layer reads the "
             "previous layer's units (8).",
        264: "264 leaves out the biases, one value per unit in each layer.",
        244: "244 gives the second layer the 3 input features. Its features are the 8 units of the layer below.",
        288: "288 is three times the first layer. The layers differ: count each with its own features and units.",
        260: "260 leaves out the first layer's kernel (3 x 8 = 24 weights): the layer that reads the data "
             "multiplies each step's 3 features by it, before adding its recurrent kernel and bias.",
        232: "232 is the first two layers only (96 + 136). Add the third, SimpleRNN(4), which reads the "
             "second layer's 8 units.",
        5680: "The 20 timesteps never enter the count: the weights are shared by the steps.",
    }),
    hints=["Use units * (features + units + 1) for each layer; a layer's features are the previous layer's units.",
           "8 * (3 + 8 + 1) + 8 * (8 + 8 + 1) + 4 * (8 + 4 + 1)."],
    answer="stack_total_params = 8 * (3 + 8 + 1) + 8 * (8 + 8 + 1) + 4 * (8 + 4 + 1)",
)

q4 = Exercise(
    lesson="04", id="q4", points=1,
    prompt="TimeDistributed(Dense(3)) is applied to a (None, 5, 10) tensor. How many parameters does it have?",
    reads="td_params",
    check=int_check(33, "TimeDistributed(Dense(3)) on (None, 5, 10)", {
        165: "165 gives each of the 5 steps its own Dense. TimeDistributed applies one Dense, with one set of "
             "weights, at every step.",
        150: "150 gives each step its own kernel. There is one Dense, shared by the 5 steps.",
        30: "30 is the kernel (10 x 3) alone. Add the 3 biases.",
        18: "18 uses the 5 timesteps as the input size. Dense reads the last axis: 10 values.",
    }),
    hints=["TimeDistributed does not copy the weights: the same Dense runs on every timestep.",
           "A Dense(3) on 10 features: 10 * 3 + 3."],
    answer="td_params = 10 * 3 + 3",
)

q5 = Exercise(
    lesson="04", id="q5", points=1,
    prompt="Predict the output shape of RepeatVector(5) applied to keras.Input(shape=(4,)).",
    reads="repeat_shape",
    check=shape_with_tips((None, 5, 4), ("batch", "timesteps", "features"), {
        (None, 4, 5): "The new axis is the timesteps axis, in the middle: each of the 5 steps carries the 4 values.",
        (None, 20): "RepeatVector does not concatenate: it stacks 5 copies on a new timesteps axis.",
        (5, 4): "Keep the batch axis in front, written as None.",
        (None, 5): "Each of the 5 steps carries the whole vector of 4 values.",
    }),
    hints=["RepeatVector(n) turns one vector per sample into a sequence of n copies of it.",
           "(batch, 4) becomes (batch, 5 steps, 4 features)."],
    answer="repeat_shape = (None, 5, 4)",
)


def _many_to_many_tips(rows, input_shape):
    if input_shape == (None, 2, 6):
        return "The input is (None, 2, 6): 2 steps of 6 features. The spec is 6 steps of 2 features: (6, 2)."
    rnns = [r for r in rows if r["type"] == "SimpleRNN"]
    if len(rnns) < 2:
        return ("This model stacks two SimpleRNN layers (16 units, then 8), both returning sequences, "
                f"before the Dense; yours has {len(rnns)}.")
    if len(rnns) == 2 and len(rnns[1]["output_shape"]) == 2:
        return ("The second SimpleRNN returns only its last state, so the model predicts one number per sequence. "
                "Many-to-many needs a prediction at every step: that layer must return sequences too.")
    if len(rnns) == 2 and len(rnns[0]["output_shape"]) == 2:
        return "The first SimpleRNN must return sequences so the second one gets (batch, timesteps, features)."
    return None


q6 = Exercise(
    lesson="04", id="q6", points=2,
    prompt="Build a many-to-many model for sequences of 6 steps of 2 features: SimpleRNN(16), SimpleRNN(8), "
           "then one Dense(1) prediction at every step.",
    reads="many_to_many",
    check=model_with_tips([("SimpleRNN", (None, 6, 16), 304), ("SimpleRNN", (None, 6, 8), 200),
                           (None, (None, 6, 1), 9)], (None, 6, 2), _many_to_many_tips,
                          hint="Every layer keeps the 6 timesteps in a many-to-many model.", any_length=True),
    hints=["One prediction per step means the timesteps axis survives to the end: (None, 6, 1).",
           "Both SimpleRNN layers need return_sequences=True; Dense (or TimeDistributed(Dense)) then acts at every step.",
           "keras.Sequential([keras.Input(shape=(6, 2)), keras.layers.SimpleRNN(16, return_sequences=True), "
           "keras.layers.SimpleRNN(8, return_sequences=True), keras.layers.Dense(1)])"],
    answer=("many_to_many = keras.Sequential([\n    keras.Input(shape=(6, 2)),\n"
            "    keras.layers.SimpleRNN(16, return_sequences=True),\n"
            "    keras.layers.SimpleRNN(8, return_sequences=True),\n"
            "    keras.layers.Dense(1),\n])"),
)


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


q7 = Exercise(
    lesson="04", id="q7", points=2,
    prompt="Fix the broken stack: keep Input (10, 1), SimpleRNN(32), SimpleRNN(16), Dense(1) and make it build, "
           "predicting one number per sequence.",
    reads="fixed_stack",
    check=model_with_tips([("SimpleRNN", (None, 10, 32), 1088), ("SimpleRNN", (None, 16), 784),
                           ("Dense", (None, 1), 17)], (None, 10, 1), _fixed_stack_tips, any_length=True,
                          why_form="This exercise keeps two layers to practise how the lower one hands over "
                                   "its steps."),
    hints=["The error says the second SimpleRNN received a 2-D tensor. Which layer produced it?",
           "The first SimpleRNN must hand over every step: return_sequences=True on it, and only on it.",
           "keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.SimpleRNN(32, return_sequences=True), "
           "keras.layers.SimpleRNN(16), keras.layers.Dense(1)])"],
    answer=("fixed_stack = keras.Sequential([\n    keras.Input(shape=(10, 1)),\n"
            "    keras.layers.SimpleRNN(32, return_sequences=True),\n"
            "    keras.layers.SimpleRNN(16),\n    keras.layers.Dense(1),\n])"),
)

EXERCISES = [q1, q2, q3, q4, q5, q6, q7]
