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


# -- graded release: the warm-up with other numbers ------------------------------------------
# The exercises above are the published lesson (DEFAULTS); _variants(p) words the same feedback
# for other numbers (tests/test_release.py checks that _variants(DEFAULTS) says what they say).
DEFAULTS = {"rows": 4, "columns": 3}

TEXTS = [
    "zeros = np.zeros(({rows}, {columns}))",
    "ex.q1.check(({columns}, {rows}))",
    "warmup_shape = ({rows}, {columns})",
    "warmup_size = {size}",
    "`zeros` is {rows} examples of {columns} features each.",
]


def text_values(p: dict) -> dict:
    """The parameters plus the size the lesson's answer states."""
    return {**p, "size": p["rows"] * p["columns"]}


def draw(rng) -> dict:
    """Other valid numbers: rows and columns differ from each other and from the published ones.

    >>> import numpy as np
    >>> p = draw(np.random.default_rng(0)); p["rows"] != p["columns"]
    True
    """
    while True:
        p = {"rows": int(rng.integers(2, 10)), "columns": int(rng.integers(2, 10))}
        size = p["rows"] * p["columns"]
        if p["rows"] != p["columns"] and size != 12 and p["rows"] + p["columns"] != size:
            return p


def _variants(p: dict) -> list:
    r, c = p["rows"], p["columns"]

    def count_numbers(value):
        if isinstance(value, tuple):
            raise Reject("This one wants a single number, not a shape: how many zeros are there in all?")
        return int_check(r * c, "the number of values",
                         {r + c: f"{r} + {c} is {r + c}, but the array holds {r} rows of {c}: multiply."})(value)

    count_numbers.form = int_check(r * c, "the number of values").form
    v1 = Exercise(
        lesson="00", id="q1", points=1, params=p,
        prompt=f"Write the shape of np.zeros(({r}, {c})) as a tuple.",
        reads="warmup_shape",
        check=shape_check((r, c), ("rows", "columns"), "numpy lists rows first, then columns."),
        hints=[q1.hints[0], f"np.zeros(({r}, {c})) makes {r} rows of {c} zeros each."],
        answer=f"warmup_shape = ({r}, {c})",
    )
    v2 = Exercise(
        lesson="00", id="q2", points=1, params=p,
        prompt=f"How many numbers does np.zeros(({r}, {c})) hold?",
        reads="warmup_size",
        check=count_numbers,
        hints=[f"Picture {r} rows with {c} numbers in each.", f"Multiply the sizes of the axes: {r} * {c}."],
        answer=f"warmup_size = {r * c}",
    )
    return [v1, v2]


def build(p: dict = DEFAULTS) -> list:
    """The lesson's exercises for the numbers ``p`` (``DEFAULTS``: the published ones, above)."""
    p = {**DEFAULTS, **p}
    return list(EXERCISES) if p == DEFAULTS else _variants(p)
