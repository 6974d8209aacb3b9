"""Lesson 00, welcome: two warm-up exercises that show how checks, hints and solutions work.

``build(params)`` makes the exercises for other numbers (``DEFAULTS``: the published lesson).

>>> build({"rows": 2, "columns": 5})[1].judge(10).status
'correct'
"""
from .engine import Exercise, Reject, int_check, shape_check

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

    Drawn from 2 to 999 each (about a million pairs), so that two of 200 students rarely share them.

    >>> import numpy as np
    >>> p = draw(np.random.default_rng(0)); p["rows"] != p["columns"]
    True
    """
    while True:
        p = {"rows": int(rng.integers(2, 1000)), "columns": int(rng.integers(2, 1000))}
        size = p["rows"] * p["columns"]
        if p["rows"] != p["columns"] and size != 12 and p["rows"] + p["columns"] != size:
            return p


def build(p: dict = DEFAULTS) -> list:
    """The lesson's exercises for the numbers ``p`` (``DEFAULTS``: the published lesson)."""
    p = {**DEFAULTS, **p}
    r, c = p["rows"], p["columns"]

    def count_numbers(value):
        if isinstance(value, tuple):
            raise Reject("This one wants a single number, not a shape: how many zeros are there in all?")
        return int_check(r * c, "the number of values",
                         {r + c: f"{r} + {c} is {r + c}, but the array holds {r} rows of {c}: multiply."})(value)

    count_numbers.form = int_check(r * c, "the number of values").form
    q1 = Exercise(
        lesson="00", id="q1", points=1, params=p,
        prompt=f"Write the shape of np.zeros(({r}, {c})) as a tuple.",
        reads="warmup_shape",
        check=shape_check((r, c), ("rows", "columns"), "numpy lists rows first, then columns."),
        hints=["A shape is a tuple of sizes, one per axis, written like (rows, columns).",
               f"np.zeros(({r}, {c})) makes {r} rows of {c} zeros each."],
        answer=f"warmup_shape = ({r}, {c})",
    )
    q2 = Exercise(
        lesson="00", id="q2", points=1, params=p,
        prompt=f"How many numbers does np.zeros(({r}, {c})) hold?",
        reads="warmup_size",
        check=count_numbers,
        hints=[f"Picture {r} rows with {c} numbers in each.", f"Multiply the sizes of the axes: {r} * {c}."],
        answer=f"warmup_size = {r * c}",
    )
    return [q1, q2]


EXERCISES = build(DEFAULTS)
q1, q2 = EXERCISES
