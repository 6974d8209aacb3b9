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
        from helpers.exercises import lesson_01, exercises_for, graded_release, lesson_texts
        before = [lesson_01.q1.solution().body, len(lesson_01.q7.hints)]
        graded_release("02", {})
        from helpers.exercises import lesson_03
        after = {
            "published": lesson_01.q1.solution().body, "later import": lesson_03.q1.solution().body,
            "exercises_for": exercises_for("01")[0].solution().body,
            "with numbers": exercises_for("01", {"units": 13})[0].solution().body,
            "answer": lesson_01.q2.answer, "q7 hints": len(lesson_01.q7.hints),
            "q7 last hint": lesson_01.q7.hint(9).body,
            "texts": len(lesson_texts("01", {"units": 13})) + len(lesson_01.TEXTS),
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
    assert after["texts"] == 0           # no template spells an answer line ("dense_shape = (None, {units})")


def test_the_published_course_keeps_its_solutions_and_hints():
    from helpers.exercises import lesson_01

    assert not engine.sealed()
    assert lesson_01.q1.solution().body == "dense_shape = (None, 10)"
    assert len(lesson_01.q7.hints) == 3 and "keras.Sequential([" in lesson_01.q7.hint(3).body
    assert "solution() shows a worked answer" in repr(lesson_01.q7.hint(3))


# -- part 4: variants that identify ---------------------------------------------------------------------
CLASS = [f"s{i:03d}" for i in range(200)]


def colliding_pairs(lesson: str, secret: bytes = SECRET, ids=CLASS) -> int:
    """Pairs of students whose numbers for ``lesson`` are all the same."""
    seen: dict[str, int] = {}
    for student in ids:
        numbers = json.dumps(variant(secret, student, lesson), sort_keys=True)
        seen[numbers] = seen.get(numbers, 0) + 1
    return sum(n * (n - 1) // 2 for n in seen.values())


@pytest.mark.parametrize("lesson", PARAMETRIZED)
def test_no_two_of_200_students_share_every_number_of_a_lesson(lesson):
    assert colliding_pairs(lesson) == 0


def test_the_collision_count_sees_a_collision():
    assert colliding_pairs("01", ids=["s001", "s001", "s002"]) == 1


def _roster_grading(ids):
    from helpers.grade.roster import RosterGrading
    from helpers.release import Roster

    return RosterGrading(Roster(tuple(ids), {s: {"id": s} for s in ids}, ("id",)), SECRET)


def _grade_as(grading, student: str, lesson: str, values: dict):
    """The grader's view of a notebook whose answers are ``values`` (key -> value), judged for ``student``."""
    from helpers.grade import judge
    from helpers.grade.extract import Answer
    from helpers.grade.report import Graded

    exercises = grading.exercises(student, lesson)
    answers = {e.key: [Answer("value", values[e.key])] if e.key in values else [Answer("missing")] for e in exercises}
    graded = Graded(file=f"{student}.ipynb", name=student, lesson=lesson, status="ok", message="", student=student)
    graded.verdicts = [judge.best(e, answers[e.key], 1) for e in exercises]
    grading.flag_other_variants(graded, student, exercises, answers, 1)
    return graded


def _values(exercises) -> dict:
    """The value answers a notebook would hold (those whose answer code runs on its own)."""
    values = {}
    for exercise in exercises:
        if exercise.kind == "value" and "keras" not in exercise.answer:
            try:
                values[exercise.key] = solution_value(exercise)
            except NameError:       # needs the notebook's data (lesson 02's triples)
                continue
    return values


def test_a_classmates_answers_are_flagged_at_lesson_level_with_their_chance():
    grading = _roster_grading(CLASS)
    copied = _values(grading.exercises("s017", "02"))
    graded = _grade_as(grading, "s003", "02", copied)
    assert graded.status == "other variant" and graded.score == 0
    note = graded.instructor_message()
    assert re.search(r"fits s017 on \d+ of \d+ varied exercises", note) and "by chance: about 1 in " in note
    assert "s017" not in graded.message                       # the student is not told whose numbers


def test_own_answers_are_not_flagged():
    grading = _roster_grading(CLASS)
    own = _values(grading.exercises("s003", "02"))
    graded = _grade_as(grading, "s003", "02", own)
    assert graded.status == "ok" and not graded.flags and not graded.copy_note and graded.score > 0


def test_one_answer_that_happens_to_fit_a_classmate_is_not_called_a_copy():
    grading = _roster_grading(CLASS)
    mine = grading.exercises("s003", "01")
    for other in CLASS:
        theirs = grading.exercises(other, "01")
        if other != "s003" and theirs[0].answer != mine[0].answer:
            break
    values = {mine[0].key: solution_value(theirs[0])}   # q1 only, e.g. (None, 12): shared by many classmates
    graded = _grade_as(grading, "s003", "01", values)
    assert graded.status != "other variant" and "could well be chance" in graded.copy_note


def test_the_published_answers_say_published_numbers_not_copied():
    grading = _roster_grading(CLASS)
    published = _values(exercises_for("01"))
    graded = _grade_as(grading, "s003", "01", published)
    assert graded.status == "published numbers" and graded.score == 0
    assert "published numbers" in graded.instructor_message() and "not a copy" in graded.instructor_message()
    assert set(graded.flags.values()) == {"published"}


# -- part 2: no cell of a released notebook prints the student's answer ------------------------------------
def _outputs_text(cell) -> str:
    """What a code cell printed: streams, plain text, HTML (pictures masked), errors."""
    parts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append("".join(output["text"]))
        data = output.get("data", {})
        for kind in ("text/plain", "text/html", "text/markdown"):
            if kind in data:
                parts.append(re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", "".join(data[kind])))
        if output.get("output_type") == "error":
            parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(parts))


def fixed_answers(lesson: str, params: dict) -> dict[str, list[str]]:
    """Per exercise with a fixed answer: the spellings tests/test_no_answer_above.py looks for (the
    value's repr, or the code spellings of an exercise that does not vary), minus what its prompt says."""
    from tests.test_no_answer_above import SPELLINGS, value_spellings

    published = {e.key: e.answer for e in exercises_for(lesson)}
    found = {}
    for exercise in exercises_for(lesson, params):
        words = value_spellings(exercise) if exercise.key not in SPELLINGS else (
            SPELLINGS[exercise.key] if exercise.answer == published[exercise.key] else [])
        words = [w for w in words if _squeeze(w) not in _squeeze(exercise.prompt)]
        if words:
            found[exercise.key] = words
    return found


def printed_answers(nb, answers: dict[str, list[str]], prompts=()) -> dict[str, list[tuple[int, str]]]:
    """Which answers appear in which cell's output: {key: [(cell index, spelling)]}.

    The exercises' ``prompts`` are taken out first: a "not attempted" verdict repeats its question, and
    a number in one question (``SimpleRNN(24)``) is not another exercise's answer shown.
    """
    import html

    hits: dict[str, list[tuple[int, str]]] = {}
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        text = _outputs_text(cell)
        for prompt in prompts:
            text = text.replace(prompt, " ").replace(html.escape(prompt), " ")
        squeezed = _squeeze(text)
        for key, words in answers.items():
            for word in words:
                if word.lstrip("-").isdigit():
                    found = re.search(rf"(?<![\w.]){word}(?![\w.])", text)
                else:
                    found = _squeeze(word) in squeezed
                if found:
                    hits.setdefault(key, []).append((index, word))
    return hits


def run_released(lesson: str, student: str, tmp_path):
    import nbclient
    import nbformat

    from helpers.build import render
    from helpers.release import learner_notebook, solution_path

    solution = json.loads(solution_path(lesson).read_text(encoding="utf-8"))
    path = tmp_path / f"{student}_{solution_path(lesson).name}"
    path.write_text(render(learner_notebook(solution, lesson, variant(SECRET, student, lesson), student=student)),
                    encoding="utf-8")
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(solution_path(lesson).parent.parent / "notebooks")}}
                            ).execute()
    return nb


def published_outputs(lesson: str) -> dict[str, str]:
    """The solution notebook's stored outputs, by the cell's source (whitespace aside)."""
    from helpers.release import solution_path

    solution = json.loads(solution_path(lesson).read_text(encoding="utf-8"))
    return {" ".join("".join(c["source"]).split()): _outputs_text(c) for c in solution["cells"]
            if c["cell_type"] == "code"}


def sort_hits(lesson: str, params: dict, nb, hits: dict) -> tuple[dict, dict, dict]:
    """Split printed answers into (leaks, coincidences, unvaried).

    A *coincidence*: the exercise varies, and the very same demonstration cell of the published lesson
    prints that text too (a published number that happens to equal the student's answer, e.g. an
    input of 3 features when the student's Dense has 3 units). *Unvaried*: an exercise whose answer is
    the same for everyone (so the published course shows it anyway). Anything else is a *leak*.
    """
    published = {e.key: e.answer for e in exercises_for(lesson)}
    mine = {e.key: e.answer for e in exercises_for(lesson, params)}
    stored = published_outputs(lesson)
    leaks, coincidences, unvaried = {}, {}, {}
    for key, found in hits.items():
        for index, word in found:
            if mine[key] == published[key]:
                unvaried.setdefault(key, []).append((index, word))
                continue
            source = " ".join("".join(nb["cells"][index]["source"]).split())
            printed_anyway = source in stored and printed_answers(
                {"cells": [{"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout",
                                                              "text": stored[source]}]}]}, {key: [word]})
            (coincidences if printed_anyway else leaks).setdefault(key, []).append((index, word))
    return leaks, coincidences, unvaried


# Exercises that do not vary (same numbers for every student, so the published lesson shows their
# answers to anyone) and whose answer a demonstration cell prints, as the published predict-then-run
# flow does. A graded release cannot hide what the public course shows: make such an exercise vary
# (a parameter of its lesson's build/draw) to take it off this list.
# 08.q4 is a function exercise (conv1d_length): its rule is the same for everyone, and the Conv1D
# explanation that follows it (too deep a stack) prints the formula the lesson then teaches.
UNVARIED_AND_SHOWN = {"07.q4", "08.q4", "09.q1"}


@pytest.mark.slow
@pytest.mark.parametrize("lesson", lessons())
def test_no_cell_of_a_released_notebook_prints_the_students_answer(lesson, tmp_path):
    """For drawn students, every cell of the released lesson (run with blank answers) prints no answer
    of theirs to an exercise that varies; what does not vary is the known list above, exactly."""
    counts, unvaried_seen = [], set()
    for student in DRAWN:
        params = variant(SECRET, student, lesson)
        answers = fixed_answers(lesson, params)
        nb = run_released(lesson, student, tmp_path)
        prompts = [e.prompt for e in exercises_for(lesson, params)]
        leaks, coincidences, unvaried = sort_hits(lesson, params, nb, printed_answers(nb, answers, prompts))
        counts.append(f"{student}: {len(leaks)} leaked, {len(coincidences)} coincide with a published number, "
                      f"{len(unvaried)} unvaried shown, of {len(answers)} fixed-answer exercises")
        assert leaks == {}, (lesson, student, leaks)
        unvaried_seen |= set(unvaried)
    print(f"lesson {lesson}: " + "; ".join(counts))
    assert unvaried_seen == {k for k in UNVARIED_AND_SHOWN if k.startswith(lesson)}, (lesson, sorted(unvaried_seen))


def test_the_output_search_finds_a_printed_answer():
    cell = {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout",
                                              "text": "shape (None, 12)\ntotal: 15\n"}]}
    hits = printed_answers({"cells": [cell]}, {"01.q1": ["(None, 12)"], "01.q2": ["15"], "01.q4": ["(64, 12)"],
                                               "01.q6": ["5"]})
    assert hits == {"01.q1": [(0, "(None, 12)")], "01.q2": [(0, "15")]}
    assert printed_answers({"cells": [cell]}, {"01.q2": ["15"]}, prompts=["total: 15"]) == {}


def test_demonstration_cells_keep_the_published_numbers_and_exercises_take_the_students():
    from helpers.release import RELEASE_NOTE, learner_notebook, solution_path

    solution = json.loads(solution_path("01").read_text(encoding="utf-8"))
    params = variant(SECRET, "s001", "01")
    released = learner_notebook(solution, "01", params)
    code = "\n".join("".join(c["source"]) for c in released["cells"] if c["cell_type"] == "code")
    text = "\n".join("".join(c["source"]) for c in released["cells"])
    assert 'outputs = keras.layers.Dense(10, name="dense")(inputs)' in code          # the demo: published
    assert f"A `Dense({params['units']})` layer is applied to `inputs`" in text      # the exercise: the student's
    assert text.count(RELEASE_NOTE) >= 5
    published = learner_notebook(solution, "01", {})
    assert RELEASE_NOTE not in "\n".join("".join(c["source"]) for c in published["cells"])


def test_a_released_shape_check_names_the_wrong_axis_without_its_size():
    """Full feedback in a release: one wrong guess must not reveal the right size of that axis."""
    from helpers.exercises import lesson_01

    published = lesson_01.q1.check((None, 3)).message
    assert "expected 10" in published          # the published course teaches with the number
    params = variant(SECRET, "s001", "01")
    ex = graded_release("01", params, feedback="full")
    wrong_units = params["units"] + 1
    message = ex.q1.check((None, wrong_units)).message
    assert "Axis 1 (units)" in message and f"is {wrong_units}" in message
    assert f"expected {params['units']}" not in message and str(params["units"]) not in message.replace(str(wrong_units), "")
