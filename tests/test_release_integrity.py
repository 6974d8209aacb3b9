"""Graded releases a curious student cannot game (issue 19): nothing in ``ex`` holds an answer.

An attacker's walk: from the namespace ``graded_release(...)`` returns, follow every name ``dir()``
lists (dunders aside) and every ``vars()`` entry, into containers, and call what a learner calls
(``solution()``, ``hint(n)``); collect every repr and str on the way, and look for the answers
and the withheld hints of every exercise with a fixed answer, worked out before the release.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest

from helpers.exercises import engine, exercises_for, graded_release, lessons, parameters
from helpers.release import variant
from tests.exercise_kit import solution_value

SECRET = b"a course secret for the tests"
DRAWN = ["s001", "s002"]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"\b(?:keras\.)?layers\.", "", text))


def value_reprs(exercise) -> list[str]:
    """The repr of a value answer (a shape, a count, a list of shapes), as tests/test_no_answer_above.py uses."""
    if exercise.kind == "function":
        return []
    try:
        value = solution_value(exercise)
    except Exception:  # noqa: BLE001 - answers that need the notebook's objects: their code is searched instead
        return []
    if isinstance(value, bool) or hasattr(value, "shape") or hasattr(value, "layers") or callable(value):
        return []
    if not isinstance(value, (int, tuple, list, dict)):
        return []
    return [repr(value)] + ([repr(list(value))] if isinstance(value, tuple) else [])


def giveaways(lesson: str, params: dict) -> dict[str, list[str]]:
    """Per exercise key: its answer code, its withheld hints and its value's repr (a count is found
    by its code: a bare number is everywhere); worked out in this process before any release seals it."""
    found = {}
    for exercise in exercises_for(lesson, params):
        assert not exercise.withheld, "the test process is sealed: the answers are gone"
        withheld = [h for h in exercise.hints if h not in exercise._open_hints
                    and not h.strip(" .").lstrip("-").isdigit()]      # a bare count: found by the answer's code
        spellings = [exercise.answer.strip()] + withheld
        spellings += [r for r in value_reprs(exercise) if not r.lstrip("-").isdigit()   # counts: see their code
                      and _squeeze(r) not in _squeeze(exercise.prompt)]   # 00.q1 asks for np.zeros((4, 3))'s shape
        found[exercise.key] = spellings
    return found


def walk(root, depth: int = 5) -> list[str]:
    """Every text an explorer reaches from ``root`` by public and private names, vars(), reprs and calls."""
    texts, seen = [], set()

    def visit(obj, level):
        if id(obj) in seen or level > depth:
            return
        seen.add(id(obj))
        for show in (repr, str):
            try:
                texts.append(show(obj))
            except Exception:  # noqa: BLE001
                pass
        if isinstance(obj, (str, bytes, int, float, bool, type(None))):
            return
        if isinstance(obj, dict):
            for key, value in obj.items():
                visit(key, level + 1)
                visit(value, level + 1)
            return
        if isinstance(obj, (list, tuple, set, frozenset)):
            for item in obj:
                visit(item, level + 1)
            return
        if isinstance(obj, type(sys)):      # a module reached by name: its public names only
            names = [n for n in dir(obj) if not n.startswith("_")]
        else:
            names = [n for n in dir(obj) if not (n.startswith("__") and n.endswith("__"))]
        try:
            visit(dict(vars(obj)), level + 1)
        except TypeError:
            pass
        for name in names:
            try:
                value = getattr(obj, name)
            except Exception:  # noqa: BLE001
                continue
            visit(value, level + 1)
        if isinstance(obj, engine.Exercise):
            for call in [obj.solution, obj.visible_hints] + [lambda n=n: obj.hint(n) for n in range(1, 7)]:
                visit(call(), level + 1)

    visit(root, 0)
    return texts


def reachable(ex, spellings: dict[str, list[str]]) -> dict[str, list[str]]:
    """Which exercises' give-aways appear in the walk from ``ex``."""
    everything = "\x00".join(_squeeze(text) for text in walk(ex))
    hits = {}
    for key, words in spellings.items():
        found = [w for w in words if _squeeze(w) in everything]
        if found:
            hits[key] = found
    return hits


PARAMETRIZED = [n for n in lessons() if parameters(n)]


@pytest.mark.parametrize("feedback", ["full", "format"])
@pytest.mark.parametrize("lesson", lessons())
def test_no_answer_or_withheld_hint_is_reachable_from_a_released_namespace(lesson, feedback):
    variants = [variant(SECRET, student, lesson) for student in DRAWN]
    spellings = [giveaways(lesson, params) for params in variants]   # an exercise that does not vary: the published answer
    for params, words in zip(variants, spellings):
        ex = graded_release(lesson, params, feedback=feedback)
        assert reachable(ex, words) == {}, (lesson, params)


def test_the_walk_finds_answers_where_they_are():
    """The attacker's walk is not blind: over unreleased exercises it finds every answer."""
    params = variant(SECRET, DRAWN[0], "01")
    words = giveaways("01", params)
    hits = reachable(exercises_for("01", params), words)
    assert set(hits) == set(words)


def test_a_released_namespace_offers_no_answer_making_machinery():
    ex = graded_release("01", variant(SECRET, "s001", "01"))
    assert not {"build", "draw", "TEXTS", "DEFAULTS", "text_values", "valid"} & set(dir(ex))
    for exercise in ex.EXERCISES:
        assert exercise.answer == engine.NO_SOLUTIONS
        assert not [n for n in dir(exercise.rule) if not n.startswith("__")]   # no .expected, .tips, .near


def test_exec_of_a_released_answer_defines_nothing():
    ex = graded_release("01", variant(SECRET, "s001", "01"))
    space: dict = {}
    with pytest.raises(SyntaxError):
        exec(ex.q2.answer, space)  # noqa: S102 - what a submission would try
    assert "small_dense_params" not in space


def test_a_release_seals_every_solution_in_its_process():
    """In a fresh process (a student's kernel): after graded_release, the published modules and
    exercises_for, with or without numbers, show no solution and no withheld hint."""
    code = textwrap.dedent("""
        import json
        from helpers.exercises import lesson_01, exercises_for, graded_release
        before = [lesson_01.q1.solution().body, len(lesson_01.q7.hints)]
        graded_release("02", {})
        from helpers.exercises import lesson_03
        after = {
            "published": lesson_01.q1.solution().body, "later import": lesson_03.q1.solution().body,
            "exercises_for": exercises_for("01")[0].solution().body,
            "with numbers": exercises_for("01", {"units": 13})[0].solution().body,
            "answer": lesson_01.q2.answer, "q7 hints": len(lesson_01.q7.hints),
            "q7 last hint": lesson_01.q7.hint(9).body,
        }
        print(json.dumps({"before": before, "after": after}))
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["before"] == ["dense_shape = (None, 10)", 3]
    after = seen["after"]
    for name in ("published", "later import", "exercises_for", "with numbers", "answer"):
        assert after[name] == engine.NO_SOLUTIONS, name
    assert after["q7 hints"] == 2 and "keras.Sequential([" not in after["q7 last hint"]


def test_the_published_course_keeps_its_solutions_and_hints():
    from helpers.exercises import lesson_01

    assert not engine.sealed()
    assert lesson_01.q1.solution().body == "dense_shape = (None, 10)"
    assert len(lesson_01.q7.hints) == 3 and "keras.Sequential([" in lesson_01.q7.hint(3).body
    assert "solution() shows a worked answer" in repr(lesson_01.q7.hint(3))
