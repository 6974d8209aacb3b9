"""Lesson 00, welcome: two warm-up exercises that show how checks, hints and solutions work."""
from .engine import Exercise, Reject, int_check, shape_check

q1 = Exercise(
    lesson="00", id="q1", points=1,
    prompt="Write the shape of np.zeros((4, 3)) as a tuple.",
    reads="warmup_shape",
    check=shape_check((4, 3), ("rows", "columns"), "numpy lists rows first, then columns."),
    hints=["A shape is a tuple of sizes, one per axis, written like (rows, columns).",
           "np.zeros((4, 3)) makes 4 rows of 3 zeros each."],
    answer="warmup_shape = (4, 3)",
)


def _count_numbers(value):
    if isinstance(value, tuple):
        raise Reject("This one wants a single number, not a shape: how many zeros are there in all?")
    return int_check(12, "the number of values", {7: "4 + 3 is 7, but the array holds 4 rows of 3: multiply."})(value)


q2 = Exercise(
    lesson="00", id="q2", points=1,
    prompt="How many numbers does np.zeros((4, 3)) hold?",
    reads="warmup_size",
    check=_count_numbers,
    hints=["Picture 4 rows with 3 numbers in each.", "Multiply the sizes of the axes: 4 * 3."],
    answer="warmup_size = 12",
)

EXERCISES = [q1, q2]
