"""The exercise engine: verdicts, rendering, hints, and never raising at a learner."""
import numpy as np
import pytest

from helpers.exercises import catalog, exercises_for, lessons
from helpers.exercises.engine import (CORRECT, NOT_ATTEMPTED, NOT_YET, Exercise, Reject, Result, Verdict,
                                      as_shape, describe, int_check, shape_check)


def make(rule, **kw):
    return Exercise(lesson="99", id="q1", prompt="Answer it.", reads="answer", check=rule,
                    hints=["first", "second"], answer="answer = 4", **kw)


def test_three_verdicts_with_points():
    q = make(lambda v: Result(v == 4, "four" if v == 4 else "not four"), points=3)
    assert (q.check(4).status, q.check(4).points, q.check(4).max_points) == (CORRECT, 3, 3)
    assert (q.check(5).status, q.check(5).points) == (NOT_YET, 0)
    assert q.check(...).status == NOT_ATTEMPTED


def test_plain_text_is_stable_and_html_is_coloured():
    verdict = make(lambda v: Result(False, "Axis 1 is off.")).check(5)
    assert repr(verdict) == "[99.q1] Not yet: Axis 1 is off.\nStuck? Run ex.q1.hint()."
    html = verdict._repr_html_()
    assert "course-not-yet" in html and "#D55E00" in html and "Axis 1 is off." in html


def test_html_escapes_learner_text():
    verdict = Verdict("99.q1", NOT_YET, "<script>alert(1)</script>", 0, 1)
    assert "<script>" not in verdict._repr_html_()


def test_rule_exceptions_become_not_yet():
    def rule(value):
        if value == "reject":
            raise Reject("Give a tuple.")
        raise KeyError("internal")

    q = make(rule)
    assert q.check("reject").message == "Give a tuple."
    verdict = q.check(1)
    assert verdict.status == NOT_YET and "could not be checked" in verdict.message
    assert make(lambda v: "not a Result").check(1).status == NOT_YET


def test_hints_are_numbered_and_clamped():
    q = make(lambda v: Result(True))
    assert repr(q.hint()) == "Hint 1/2 for 99.q1 (more: ex.q1.hint(2)): first"
    assert q.hint(2).body == "second"
    assert "solution()" in repr(q.hint(2))
    assert q.hint(99).body == "There are only 2 hints; here is the last. second"
    assert q.hint(0).body == q.hint("x").body == "first"
    assert "answer = 4" in repr(q.solution()) and "<pre" in q.solution()._repr_html_()


def test_declaration_errors_are_caught_early():
    with pytest.raises(ValueError):
        make(lambda v: Result(True), kind="essay")
    with pytest.raises(ValueError):
        make(lambda v: Result(True), kind="function")
    with pytest.raises(ValueError):
        Exercise(lesson="99", id="q1", prompt="p", reads="r", check=lambda v: Result(True), hints=[], answer="")


def test_function_exercise_calls_the_function_and_handles_failures():
    q = make(lambda cases, outs: Result(outs == [a * 2 for (a,) in cases], "doubles"), kind="function",
             make_inputs=lambda rng: [(int(rng.integers(0, 9)),) for _ in range(3)])
    assert q.check(lambda a: a * 2).correct
    assert q.check(lambda a: a).status == NOT_YET
    assert q.check(lambda a: ...).status == NOT_ATTEMPTED
    assert "Expected a function" in q.check(5).message
    assert "raised ValueError" in q.check(lambda a: int("x")).message

    def exits(a):
        raise SystemExit(3)

    assert "raised SystemExit" in q.check(exits).message


@pytest.mark.parametrize("value, shape", [((None, 2), (None, 2)), ([3, np.int64(4)], (3, 4)), ((2.0, 5), (2, 5)), ((), ())])
def test_as_shape_accepts_reasonable_spellings(value, shape):
    assert as_shape(value) == shape


@pytest.mark.parametrize("value", ["(None, 2)", None, 3, np.zeros((2, 3)), (1.5, 2), ("a", 2), 3.5])
def test_as_shape_rejects_with_a_reason(value):
    with pytest.raises(Reject):
        as_shape(value)


def test_integer_arrays_read_as_shapes_and_tensors_are_named_plainly():
    assert as_shape(np.array([4, 3])) == (4, 3)
    assert describe(np.zeros((5, 10))) == "a numpy array of shape (5, 10)"
    assert describe(int) == "the class int (not an instance of it)"
    assert describe(lambda: 0) == "a function"


def test_no_batch_talk_when_the_shape_has_no_batch_axis():
    check = shape_check((4, 3), ("rows", "columns"))
    assert "batch" not in check((None, 3)).message
    assert "batch" in shape_check((None, 3), ("batch", "features"))((4, None)).message


def test_shape_check_names_the_axis():
    check = shape_check((None, 5, 3), ("batch", "timesteps", "features"))
    assert check((None, 5, 4)).message.startswith("Axis 2 (features) is 4, expected 3.")
    assert "wrong order" in check((None, 3, 5)).message
    assert "this one has 3 (batch, timesteps, features)" in check((5,)).message
    assert "add it, written as None" in check((5, 3)).message
    assert "one axis too many in front" in shape_check((5, 3))((1, 5, 3)).message
    assert "batch axis is left open" in check((8, 5, 3)).message


def test_int_check_messages():
    check = int_check(30, "parameters", {20: "Add the biases."})
    assert check(30).ok and check(30.0).ok and check(np.int16(30)).ok
    assert check(20).message == "Add the biases."
    assert "too low" in check(25).message
    for bad in ("30", True, float("nan"), 29.5, None):
        with pytest.raises(Reject):
            check(bad)


def test_describe_never_raises():
    class Weird:
        def __repr__(self):
            raise RuntimeError

        @property
        def shape(self):
            raise RuntimeError

    for value in [None, True, "x" * 100, 3, np.float64(2.5), (1,) * 50, [1], {}, ValueError("v"), Weird(), print]:
        assert isinstance(describe(value), str)


def test_catalog_lists_every_lesson_and_exercise():
    rows = catalog()
    assert {"00", "01"} <= set(lessons())
    assert {(r["lesson"], r["id"]) for r in rows} >= {("00", "q1"), ("01", "q7")}
    keys = [f"{r['lesson']}.{r['id']}" for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r["points"] >= 1 and r["reads"].isidentifier() for r in rows)
    with pytest.raises(KeyError):
        exercises_for("42")


def test_a_function_that_raises_is_told_which_call_failed():
    q = make(lambda cases, outs: Result(True), kind="function",
             make_inputs=lambda rng: [(np.zeros((2, 3)), 4)])
    message = q.check(lambda a, n: a @ np.zeros((4, 1))).message
    assert "raised ValueError" in message and "answer(array of shape (2, 3), 4)" in message


def test_an_exercise_may_explain_the_error_itself():
    told = lambda args, err: f"{type(err).__name__} on {len(args)} argument(s)"  # noqa: E731
    q = make(lambda cases, outs: Result(True), kind="function", make_inputs=lambda rng: [(1,)], explain_error=told)
    assert q.check(lambda a: 1 / 0).message == "ZeroDivisionError on 1 argument(s)"
    broken = make(lambda cases, outs: Result(True), kind="function", make_inputs=lambda rng: [(1,)],
                  explain_error=lambda args, err: 1 / 0)
    assert "raised ZeroDivisionError" in broken.check(lambda a: 1 / 0).message
