"""Lesson 01, Dense and the batch axis: what ``None`` means, the parameter formula, Dense on 3D tensors."""
from __future__ import annotations

import numbers

from .engine import Exercise, Reject, Result, int_check, shape_with_tips
from .models import model_check


q1 = Exercise(
    lesson="01", id="q1", points=1,
    prompt="Predict the output shape of Dense(10) applied to keras.Input(shape=(2,)).",
    reads="dense_shape",
    check=shape_with_tips((None, 10), ("batch", "units"), {
        (10,): "Keras keeps the batch axis in front of every shape: add it, written as None.",
        (None, 2): "(None, 2) is what goes in. Dense(10) replaces the last axis with its 10 units.",
        (2, 10): "(2, 10) is the shape of the layer's weight matrix (its kernel), not of its output.",
        (1, 10): "The batch size is not known when the model is built, so Keras writes None, not 1.",
    }),
    hints=["The first axis of every Keras shape is the batch axis, and it stays open until data arrives.",
           "Dense keeps the batch axis and turns the 2 features into 10 units: (batch, units)."],
    answer="dense_shape = (None, 10)",
)

q2 = Exercise(
    lesson="01", id="q2", points=1,
    prompt="How many parameters does Dense(3) have when its input has 4 features?",
    reads="small_dense_params",
    check=int_check(15, "the parameter count of Dense(3) on 4 features", {
        12: "12 is the kernel alone (4 x 3). Each of the 3 units also has a bias.",
        7: "7 is 4 + 3: the kernel multiplies, it has one weight per (feature, unit) pair.",
        16: "16 is 4 x 3 + 4: a bias for each of the 4 features. The bias belongs to the units: one per unit, 3 in all.",
        3: "3 is only the biases. Add the kernel: one weight per (feature, unit) pair.",
    }),
    hints=["Dense holds a kernel of shape (features, units) and a bias of shape (units,).",
           "Count both: 4 * 3 kernel weights plus 3 biases."],
    answer="small_dense_params = 4 * 3 + 3",
)


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


q3 = Exercise(
    lesson="01", id="q3", points=2, kind="function",
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
    lesson="01", id="q4", points=1,
    prompt="The model from q1 gets a numpy array of shape (64, 2). What shape comes out?",
    reads="batch_out_shape",
    check=shape_with_tips((64, 10), ("batch", "units"), {
        (None, 10): "None was only a placeholder while the batch size was unknown. Now 64 rows arrive.",
        (64, 2): "That is the input. Dense(10) replaces the 2 features of each row by 10 units.",
        (10,): "The batch axis stays: one row of 10 outputs per input row.",
    }),
    hints=["The batch axis is whatever number of rows you feed.",
           "64 rows go in, 64 rows come out; each row now has 10 values."],
    answer="batch_out_shape = (64, 10)",
)

q5 = Exercise(
    lesson="01", id="q5", points=1,
    prompt="Predict the output shape of Dense(4) applied to keras.Input(shape=(7, 5)).",
    reads="dense_3d_shape",
    check=shape_with_tips((None, 7, 4), ("batch", "steps", "units"), {
        (None, 4): "Dense does not flatten or drop axes: it only changes the last one.",
        (None, 7, 5): "That is the input. Dense(4) turns the last axis (5 values) into 4 units.",
        (None, 4, 5): "Dense acts on the last axis, not the middle one: the 7 stays, the 5 becomes 4.",
        (None, 28): "Dense does not flatten: the 7 steps stay, and each step's 5 values become 4.",
        (7, 4): "Keep the batch axis in front, written as None.",
    }),
    hints=["Dense only ever touches the last axis of its input.",
           "Every axis before the last is kept as it is: (None, 7, ?)."],
    answer="dense_3d_shape = (None, 7, 4)",
)

q6 = Exercise(
    lesson="01", id="q6", points=1,
    prompt="How many parameters does that Dense(4) on inputs of shape (7, 5) have?",
    reads="dense_3d_params",
    check=int_check(24, "the parameter count of Dense(4) on (7, 5) inputs", {
        168: "168 gives each of the 7 steps a Dense layer of its own. There is one layer, shared by all 7.",
        144: "144 counts a separate kernel for each of the 7 steps. There is one kernel, shared by all 7.",
        140: "140 gives each of the 7 steps its own kernel. There is one kernel, shared by all 7, plus 4 biases.",
        28: "28 is 7 x 4, as if the steps were the input features. Dense reads only the last axis: 5 values.",
        35: "35 is 7 x 5, the size of one example. Count the weights instead: 5 values in, 4 units out, plus biases.",
        20: "20 is the kernel (5 x 4) alone. Add one bias per unit.",
        32: "32 uses 7 as the input size. Dense reads only the last axis: 5 values.",
    }),
    hints=["Dense sees only the last axis: 5 values in, 4 units out.",
           "The 7 steps share one kernel: 5 * 4 + 4."],
    answer="dense_3d_params = 5 * 4 + 4",
)

q7 = Exercise(
    lesson="01", id="q7", points=2,
    prompt="Build a model: input of 3 features, then Dense(8, activation='relu'), then Dense(1).",
    reads="two_layer_model",
    check=model_check([("Dense", (None, 8), 32, "relu"), ("Dense", (None, 1), 9, "linear")], input_shape=(None, 3),
                      hint="Check the units of each Dense layer.",
                      why_form="The exercise asks for Dense(8, activation='relu'): one layer, the form the "
                               "course uses from here on."),
    hints=["keras.Sequential([keras.Input(shape=(3,)), ...]) with the two Dense layers after the Input.",
           "The first Dense has 8 units and a relu activation, the second has 1 unit.",
           "keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(8, activation='relu'), keras.layers.Dense(1)])"],
    answer=("two_layer_model = keras.Sequential([\n    keras.Input(shape=(3,)),\n"
            "    keras.layers.Dense(8, activation='relu'),\n    keras.layers.Dense(1),\n])"),
)

EXERCISES = [q1, q2, q3, q4, q5, q6, q7]
