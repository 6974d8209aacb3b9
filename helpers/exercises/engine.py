"""The exercise engine: exercises declared as data, judged by pure checks.

A lesson module declares its exercises with :class:`Exercise`; learners call
``ex.q1.check(value)``, ``ex.q1.hint()`` and ``ex.q1.solution()``. The grader calls
the very same :meth:`Exercise.judge` in its own process.

A check is a pure function ``value -> Result``: it must not print, read globals or
keep state. It may raise :class:`Reject` (or any exception): the engine turns every
exception into a "not yet" verdict, so nothing from inside ``helpers`` ever reaches
the learner as a traceback.

>>> q = Exercise(lesson="99", id="q1", prompt="Two plus two?", reads="answer",
...              check=lambda v: Result(v == 4, "2 + 2 is 4."), hints=["Count."],
...              answer="answer = 4")
>>> q.judge(4).status
'correct'
>>> q.judge(...).status
'not attempted'
"""
from __future__ import annotations

import copy
import html
import math
import numbers
import os
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .backend_values import plain

CORRECT = "correct"
NOT_YET = "not yet"
NOT_ATTEMPTED = "not attempted"
RECEIVED = "received"   # graded release with format-only feedback: the answer has the right form

_TITLES = {CORRECT: "Correct", NOT_YET: "Not yet", NOT_ATTEMPTED: "Not attempted", RECEIVED: "Received"}
# Okabe-Ito colours: bluish green, vermillion, grey, blue; each verdict also has its own word and symbol.
_COLOURS = {CORRECT: "#009E73", NOT_YET: "#D55E00", NOT_ATTEMPTED: "#7f7f7f", RECEIVED: "#0072B2"}
_SYMBOLS = {CORRECT: "✔", NOT_YET: "✘", NOT_ATTEMPTED: "…", RECEIVED: "•"}
FULL_FEEDBACK, FORMAT_FEEDBACK = "full", "format"
NO_SOLUTIONS = "Solutions are not available in this graded release."

# Each exercise's answer and full hints live here, not on the exercise (so ``vars()`` and attribute
# exploration find none of them). :func:`seal` empties it for good: once a process has opened a
# graded release, no exercise in it, published or built later, holds an answer or a withheld hint.
_KEPT: "weakref.WeakKeyDictionary[Exercise, tuple[str, tuple]]" = weakref.WeakKeyDictionary()
_SEALED = False


def seal() -> None:
    """Forget every answer and withheld hint in this process, and keep none made later.

    ``graded_release`` calls it: from then on every ``solution()`` says there is none.
    """
    global _SEALED
    _SEALED = True
    _KEPT.clear()


def sealed() -> bool:
    """Whether this process has opened a graded release (see :func:`seal`)."""
    return _SEALED


def _opaque(rule: Callable[..., Any] | None) -> Callable[..., Any] | None:
    """``rule`` behind a plain function with no attributes (a check's ``expected``, ``tips`` stay inside)."""
    if rule is None:
        return None

    def check(*args: Any) -> Any:
        return rule(*args)

    return check


class Reject(Exception):
    """Raised inside a check to say "not yet" with a message, e.g. ``raise Reject("Expected a tuple.")``."""


@dataclass(frozen=True)
class Result:
    """What a check returns: whether the value is right, and a sentence saying why."""

    ok: bool
    message: str = ""


@dataclass(frozen=True)
class Verdict:
    """The judgement of one exercise: shown as coloured HTML in JupyterLab, stable text elsewhere.

    >>> Verdict("01.q1", CORRECT, "The batch axis is None.", 1, 1)
    [01.q1] Correct: The batch axis is None.
    """

    exercise: str
    status: str
    message: str
    points: float
    max_points: float
    next_step: str = ""

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def text(self) -> str:
        line = f"[{self.exercise}] {_TITLES[self.status]}: {self.message}"
        return f"{line}\n{self.next_step}" if self.next_step else line

    def __repr__(self) -> str:
        return self.text()

    __str__ = text

    def _repr_html_(self) -> str:
        colour = _COLOURS[self.status]
        tail = f"<div style='margin-top:4px;opacity:.85'>{html.escape(self.next_step)}</div>" if self.next_step else ""
        return (
            f"<div class='course-verdict course-{self.status.replace(' ', '-')}' role='status' "
            f"style='border-left:6px solid {colour};padding:6px 10px;margin:4px 0;background:{colour}14'>"
            f"<strong style='color:{colour}'>{_SYMBOLS[self.status]} {_TITLES[self.status]}</strong> "
            f"<code>{html.escape(self.exercise)}</code>: {html.escape(self.message)}{tail}</div>"
        )


@dataclass(frozen=True)
class Note:
    """A hint or a solution: text shown as-is, with a small coloured frame in HTML."""

    title: str
    body: str
    code: bool = False

    def __repr__(self) -> str:
        return f"{self.title}:\n{self.body}" if self.code else f"{self.title}: {self.body}"

    def _repr_html_(self) -> str:
        body = html.escape(self.body)
        body = f"<pre style='margin:4px 0'>{body}</pre>" if self.code else body
        return (
            "<div class='course-note' style='border-left:6px solid #0072B2;padding:6px 10px;"
            f"margin:4px 0;background:#0072B214'><strong style='color:#0072B2'>{html.escape(self.title)}</strong>"
            f"{':<br>' if self.code else ': '}{body}</div>"
        )


def is_blank(value: Any) -> bool:
    """True for the learner's "not attempted" marker, ``...``."""
    return value is Ellipsis


class Exercise:
    """One exercise, declared as data.

    ``reads`` names the notebook variable the grader takes the answer from. ``check`` is the
    pure rule (kept as ``.rule``; the method :meth:`check` is the learner's entry point).
    ``kind`` is ``"value"`` (a shape, a number, an array, a model) or ``"function"``: then the
    rule receives ``(cases, outputs)``, the learner's function's outputs on ``make_inputs(rng)``
    (see :meth:`judge_function`), so the grader can choose fresh random inputs.

    ``params`` are the numbers the exercise was built with (a lesson's ``build(params)`` makes
    them; the defaults are the published course). ``form`` raises :class:`Reject` when a value
    does not even have the answer's form (by default the check's own ``form``, if it has one).
    ``answer_hints`` is how many of the last hints state the answer: a graded release
    (:meth:`released`) withholds them (or shows only ``release_hints``, when given), and its
    ``solution()`` shows no solution.
    ``explain_error(args, err)`` may turn an error the learner's function raised on ``args`` into a
    sentence (None: the default message, which names the call and its inputs' shapes).
    """

    def __init__(self, *, lesson: str, id: str, prompt: str, reads: str, check: Callable[..., Result],
                 hints: Sequence[str], answer: str, points: int = 1, kind: str = "value",
                 make_inputs: Callable[[Any], list] | None = None,
                 explain_error: Callable[[tuple, BaseException], str | None] | None = None,
                 params: dict | None = None, form: Callable[[Any], Any] | None = None,
                 answer_hints: int | None = None, release_hints: Sequence[str] | None = None) -> None:
        self.lesson, self.id, self.prompt, self.reads = str(lesson), id, prompt, reads
        self.rule, self.points = check, points
        hints = tuple(hints)
        self.kind, self.make_inputs, self.explain_error = kind, make_inputs, explain_error
        self.params = dict(params or {})
        self.form = form if form is not None else getattr(check, "form", None)
        self.answer_hints = (1 if len(hints) > 1 else 0) if answer_hints is None else int(answer_hints)
        self.release_hints = None if release_hints is None else tuple(release_hints)
        self.release: str | None = None   # None, or the feedback of a graded release: "full" / "format"
        self._key = f"{self.lesson}.{self.id}"
        self._open_hints = self._release_cut(hints)     # the hints a graded release shows
        if not _SEALED:
            _KEPT[self] = (answer, hints)
        if self.kind not in ("value", "function"):
            raise ValueError(f"kind must be 'value' or 'function', not {self.kind!r}")
        if self.kind == "function" and self.make_inputs is None:
            raise ValueError("a function exercise needs make_inputs")
        if not hints:
            raise ValueError(f"exercise {self._key} needs at least one hint")

    def _release_cut(self, hints: tuple) -> tuple:
        if self.release_hints is not None:
            return self.release_hints
        if self.answer_hints <= 0:
            return hints
        return hints[: max(len(hints) - self.answer_hints, 0)]

    @property
    def withheld(self) -> bool:
        """True in a graded release, and in any process that opened one: no answer, no answer hint."""
        return self.release is not None or _KEPT.get(self) is None

    @property
    def answer(self) -> str:
        """The worked answer's code; in a graded release (or a process that opened one) a note that there is none."""
        kept = None if self.release is not None else _KEPT.get(self)
        return NO_SOLUTIONS if kept is None else kept[0]

    @property
    def hints(self) -> tuple:
        """All hints; in a graded release (or a process that opened one) only those that do not state the answer."""
        kept = None if self.release is not None else _KEPT.get(self)
        return self._open_hints if kept is None else kept[1]

    @property
    def key(self) -> str:
        """``"01.q1"``: lesson and id, as the grader and the verdicts name it."""
        return self._key

    # -- judging -------------------------------------------------------------------------
    def _verdict(self, status: str, message: str) -> Verdict:
        nudge = ""
        if status == NOT_YET:
            nudge = f"Stuck? Run ex.{self.id}.hint()."
        elif status == NOT_ATTEMPTED:
            nudge = (f"Replace the ... with your answer, then run the cell again. ({self.prompt}) "
                     f"Hints: ex.{self.id}.hint().")
        points = self.points if status == CORRECT else 0
        return Verdict(self._key, status, message, points, self.points, nudge)

    def _run_check(self, *args: Any) -> Verdict:
        try:
            result = self.rule(*args)
        except Reject as reason:
            return self._verdict(NOT_YET, str(reason))
        except Exception as err:  # noqa: BLE001 - a check must never raise at a learner
            return self._verdict(NOT_YET, f"This answer could not be checked ({describe(err)}). {self.prompt}")
        if not isinstance(result, Result):
            return self._verdict(NOT_YET, f"Internal check for {self._key} gave no result; please report it.")
        return self._verdict(CORRECT if result.ok else NOT_YET, result.message)

    def judge(self, value: Any) -> Verdict:
        """The verdict for ``value``; pure, never raises, never prints."""
        if is_blank(value):
            return self._verdict(NOT_ATTEMPTED, "no answer yet.")
        if self.kind == "function":
            return self.judge_function(value)
        return self._run_check(plain(value))   # JAX arrays, torch tensors -> numpy

    def inputs(self, seed: int = 0) -> list:
        """The argument tuples a function exercise is tried on (seed 0 is what the learner sees)."""
        import numpy as np

        return list(self.make_inputs(np.random.default_rng(seed)))

    def judge_function(self, fn: Any, seed: int = 0) -> Verdict:
        """Call ``fn`` on this exercise's inputs, then judge the outputs."""
        if is_blank(fn):
            return self._verdict(NOT_ATTEMPTED, "no answer yet.")
        if not callable(fn):
            return self._verdict(NOT_YET, f"Expected a function (made with def), got {describe(fn)}.")
        try:
            cases = self.inputs(seed)
        except Exception as err:  # noqa: BLE001
            return self._verdict(NOT_YET, f"Internal inputs for {self._key} failed ({describe(err)}); please report it.")
        outputs = []
        for args in cases:
            try:
                outputs.append(fn(*args))
            except (Exception, SystemExit) as err:  # noqa: BLE001 - the learner's code may fail (even exit): say how
                return self._verdict(NOT_YET, self._raised_message(args, err))
        return self.judge_outputs(cases, outputs)

    def _raised_message(self, args: tuple, err: BaseException) -> str:
        """What to say when the learner's function raised ``err`` on ``args``: the exercise's own
        explanation when it has one, else the call with its inputs' shapes and the error."""
        if self.explain_error is not None:
            try:
                told = self.explain_error(tuple(args), err)
            except Exception:  # noqa: BLE001 - an explanation must never hide the learner's error
                told = None
            if told:
                return told
        call = f"{self.reads}({', '.join(_argument_text(a) for a in args)})"
        return f"Your function raised {describe(err)} when called as {call}."

    def judge_outputs(self, cases: list, outputs: list) -> Verdict:
        """Judge outputs already computed (the grader computes them in the learner's kernel)."""
        if outputs and all(is_blank(o) for o in outputs):
            return self._verdict(NOT_ATTEMPTED, "your function still returns ... .")
        return self._run_check(cases, [plain(output) for output in outputs])

    def judge_form(self, value: Any) -> Verdict:
        """Only whether ``value`` has the answer's form (a graded release with format feedback).

        >>> q = Exercise(lesson="99", id="q1", prompt="Two plus two?", reads="a", hints=["Count."],
        ...              check=int_check(4), answer="a = 4")
        >>> q.judge_form(5).status, q.judge_form("four").status
        ('received', 'not yet')
        """
        if is_blank(value):
            return self._verdict(NOT_ATTEMPTED, "no answer yet.")
        if self.kind == "function" and not callable(value):
            return self._verdict(NOT_YET, f"Expected a function (made with def), got {describe(value)}.")
        if self.kind == "value" and self.form is not None:
            try:
                self.form(plain(value))
            except Reject as reason:
                return self._verdict(NOT_YET, str(reason))
            except Exception as err:  # noqa: BLE001
                return self._verdict(NOT_YET, f"This answer could not be read ({describe(err)}). {self.prompt}")
        return Verdict(self._key, RECEIVED, "your answer has the right form. In this graded release it is "
                       "judged after you hand it in.", 0, self.points)

    # -- graded release -------------------------------------------------------------------
    def released(self, feedback: str = FULL_FEEDBACK) -> "Exercise":
        """A copy for a graded release: no solution, no hint that states the answer, and with
        ``feedback="format"`` a check that only says whether the answer has the right form."""
        if feedback not in (FULL_FEEDBACK, FORMAT_FEEDBACK):
            raise ValueError(f"feedback must be 'full' or 'format', not {feedback!r}")
        twin = copy.copy(self)
        twin.release = feedback
        twin.rule, twin.form = _opaque(self.rule), _opaque(self.form)
        if feedback == FORMAT_FEEDBACK:      # the learner's check only reads the form; the grader judges
            twin.rule = _opaque(_judged_after_hand_in)
        return twin

    def visible_hints(self) -> tuple:
        """The hints a learner may see: all of them, or in a graded release those before the answer."""
        return self.hints

    # -- learner API --------------------------------------------------------------------
    def check(self, value: Any) -> Verdict:
        """Judge the learner's answer; the verdict shows itself when it is a cell's last line."""
        verdict = self.judge_form(value) if self.release == FORMAT_FEEDBACK else self.judge(value)
        if "COURSE_CLASSROOM_URL" in os.environ:   # a live classroom: see helpers.classroom.client
            _tell_classroom(self, verdict)
        return verdict

    def hint(self, n: int = 1) -> Note:
        """Hint number ``n`` (1-based); asking past the last one shows the last and says so."""
        hints = self.visible_hints()
        if not hints:
            return Note(f"Hints for {self._key}", "No hints in this graded release: reread the lesson text "
                                                   "above the exercise.")
        try:
            n = int(n)
        except (TypeError, ValueError, OverflowError):
            n = 1
        asked_past_end = n > len(hints)
        n = min(max(n, 1), len(hints))
        if n < len(hints):
            more = f" (more: ex.{self.id}.hint({n + 1}))"
        elif self.withheld:
            more = " (the last one in this graded release)"
        else:
            more = f" (the last one; ex.{self.id}.solution() shows a worked answer)"
        body = hints[n - 1]
        if asked_past_end:
            body = f"There are only {len(hints)} hints; here is the last. {body}"
        return Note(f"Hint {n}/{len(hints)} for {self._key}{more}", body)

    def solution(self) -> Note:
        """The worked answer (``answer``, as code); in a graded release, a note that there is none."""
        if self.withheld:
            return Note(f"Solution for {self._key}", NO_SOLUTIONS)
        return Note(f"Solution for {self._key}", self.answer, code=True)

    def __repr__(self) -> str:
        return f"Exercise {self._key} ({self.points} pt): {self.prompt}"


def _judged_after_hand_in(*args: Any) -> Result:
    raise Reject("In this graded release your answer is judged after you hand it in.")


def _tell_classroom(exercise: Exercise, verdict: Verdict) -> None:
    """Queue the verdict for the classroom service (never blocks, raises or changes the verdict)."""
    try:
        from ..classroom.client import send

        send(exercise.lesson, exercise.id, verdict)
    except Exception:  # noqa: BLE001 - the classroom must never break a check
        pass


def describe(value: Any) -> str:
    """A short, safe description of any value for feedback (never raises).

    >>> describe((None, 2))
    'the tuple (None, 2)'
    """
    try:
        if value is None:
            return "None"
        if isinstance(value, bool):
            return f"the boolean {value}"
        if isinstance(value, BaseException):
            try:
                text = str(value)[:200]
            except Exception:  # noqa: BLE001 - an exception whose message itself fails
                text = "(its message could not be read)"
            return f"{type(value).__name__}: {text}"
        if isinstance(value, str):
            shown = value if len(value) <= 40 else value[:37] + "..."
            return f"the string {shown!r}"
        if isinstance(value, numbers.Number):
            plain = value.item() if hasattr(value, "item") else value
            return f"the number {plain!r}"
        if isinstance(value, tuple):
            shown = repr(value)
            return f"the tuple {shown if len(shown) <= 60 else shown[:57] + '...'}"
        if isinstance(value, list):
            return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
        if isinstance(value, dict):
            return f"a dict with {len(value)} key{'s' if len(value) != 1 else ''}"
        shape = getattr(value, "shape", None)
        kind = type(value).__name__
        if shape is not None and not callable(shape):
            noun = "tensor" if "Tensor" in kind else "numpy array" if kind == "ndarray" else kind
            return f"{_article(noun)} {noun} of shape {tuple(shape)!r}"
        if hasattr(value, "layers") and hasattr(value, "summary"):
            return f"a Keras {kind}"
        if isinstance(value, type):
            return f"the class {value.__name__} (not an instance of it)"
        if callable(value):
            return "a function" if kind in ("function", "builtin_function_or_method") else f"{_article(kind)} {kind} (callable)"
        return f"{_article(kind)} {kind}"
    except Exception:  # noqa: BLE001
        return "a value that could not be described"


def _argument_text(value: Any) -> str:
    """How a call's argument is named in feedback: an array by its shape, a small value as itself."""
    shape = getattr(value, "shape", None)
    if shape is not None and not callable(shape):
        return f"array of shape {tuple(shape)!r}"
    text = repr(value)
    return text if len(text) <= 30 else describe(value)


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def as_shape(value: Any) -> tuple:
    """Read ``value`` as a shape: a tuple of ints (or None). Raises :class:`Reject` with a reason.

    Accepts tuples, lists, ``TensorShape`` and numpy integers.

    >>> as_shape([None, 2])
    (None, 2)
    """
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, (bool, numbers.Number)):
        raise Reject(f"Expected a shape: a tuple of sizes such as (32, 10), got {describe(value)}.")
    dtype_kind = getattr(getattr(value, "dtype", None), "kind", "")
    if getattr(value, "ndim", None) == 1 and dtype_kind in ("i", "u") and 0 < len(value) <= 8:
        value = [int(v) for v in value]   # np.array([4, 3]) spelled as an array
    elif hasattr(value, "shape") and not isinstance(value, (tuple, list)) and not type(value).__name__ == "TensorShape":
        raise Reject(f"Expected a shape tuple, got {describe(value)}. Did you mean its .shape?")
    if hasattr(value, "as_list"):
        try:
            value = value.as_list()
        except Exception:  # noqa: BLE001
            raise Reject("Expected a shape with a known number of axes.") from None
    try:
        items = list(value)
    except TypeError:
        raise Reject(f"Expected a shape: a tuple of sizes such as (32, 10), got {describe(value)}.") from None
    shape = []
    for item in items:
        if item is None:
            shape.append(None)
        elif isinstance(item, bool) or not isinstance(item, numbers.Integral):
            if isinstance(item, numbers.Real) and not isinstance(item, bool) and math.isfinite(item) and float(item).is_integer():
                shape.append(int(item))
            else:
                raise Reject(f"Every size in a shape is a whole number or None; {describe(item)} is neither.")
        else:
            shape.append(int(item))
    return tuple(shape)


def axis_names(n: int, names: Sequence[str] | None) -> list[str]:
    if names and len(names) == n:
        return list(names)
    return [f"axis {i}" for i in range(n)]


def shape_check(expected: tuple, names: Sequence[str] | None = None, why: str = "") -> Callable[[Any], Result]:
    """A check that the value is the shape ``expected``, with feedback per axis.

    >>> shape_check((None, 10), ("batch", "units"))((None, 2)).message
    'Axis 1 (units) is 2, expected 10. ...'
    """
    expected = tuple(expected)
    labels = axis_names(len(expected), names)

    def check(value: Any) -> Result:
        shape = as_shape(value)
        if shape == expected:
            return Result(True, f"{expected} is right. {why}".strip())
        if len(shape) == len(expected) + 1 and shape[1:] == expected and expected[:1] != (None,):
            return Result(False, f"Your shape {shape} has one axis too many in front. If it is the batch axis, "
                                 f"leave it out: keras.Input(shape=...) describes one sample and adds the batch itself.")
        if len(shape) + 1 == len(expected) and expected[0] is None and shape == expected[1:]:
            return Result(False, f"{shape} describes one sample. Keras shapes carry the batch axis in front: "
                                 f"add it, written as None.")
        if len(shape) != len(expected):
            named = ", ".join(labels) if names else f"{len(expected)} sizes"
            return Result(False, f"Your shape {shape} has {len(shape)} ax{'is' if len(shape) == 1 else 'es'}; "
                                 f"this one has {len(expected)} ({named}).")
        if sorted(map(str, shape)) == sorted(map(str, expected)):
            return Result(False, f"Right sizes, wrong order: the axes are ({', '.join(labels)}).")
        wrong = [i for i, (a, b) in enumerate(zip(shape, expected)) if a != b]
        i = wrong[0]
        got, want = shape[i], expected[i]
        extra = ""
        if want is None:
            extra = " The batch axis is left open (None) until data arrives."
        elif got is None and "batch" in labels:
            extra = " Only the batch axis is unknown (None) here."
        elif got is None:
            extra = " Every size is known here: write a number, not None."
        more = f" ({len(wrong) - 1} more ax{'is' if len(wrong) == 2 else 'es'} also off.)" if len(wrong) > 1 else ""
        if sealed() and want is not None:   # a graded release: name the axis, not its size
            return Result(False, f"Axis {i} ({labels[i]}) is {got}: not the size it has here. Which number "
                                 f"in the question sets the {labels[i]}?{extra}{more}")
        return Result(False, f"Axis {i} ({labels[i]}) is {got}, expected {want}.{extra}{more}")

    def form(value: Any) -> None:
        shape = as_shape(value)
        if len(shape) != len(expected):
            raise Reject(f"Expected a shape with {len(expected)} ax{'is' if len(expected) == 1 else 'es'}, "
                         f"got {shape}.")

    check.form = form
    return check


def int_check(expected: int, what: str = "the answer", near: dict | None = None, why: str = "",
              nudge: str = "", explain: Callable[[int], str | None] | None = None) -> Callable[[Any], Result]:
    """A check that the value is the whole number ``expected``; ``near`` maps common wrong
    answers to a targeted message, ``why`` follows a correct answer, ``nudge`` any other wrong one.
    ``explain(number)`` may name the formula an unforeseen wrong number fits (see ``formulas.fitted``).

    >>> int_check(30, "parameters", {20: "Add the biases."})(20).message
    'Add the biases.'
    """
    near = {k: v for k, v in (near or {}).items() if k != expected}   # a variant's tip never hides its answer

    def check(value: Any) -> Result:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise Reject(f"Expected a whole number for {what}, got {describe(value)}.")
        if not math.isfinite(value) or not float(value).is_integer():
            raise Reject(f"Expected a whole number for {what}, got {value!r}.")
        number = int(value)
        if number == expected:
            return Result(True, f"{expected} is right. {why}".strip())
        if number in near:
            return Result(False, near[number])
        told = _explained(explain, number)
        if told:
            return Result(False, told)
        direction = "too high" if number > expected else "too low"
        return Result(False, f"{number} is {direction} for {what}. {nudge}".strip())

    def form(value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
                or not float(value).is_integer():
            raise Reject(f"Expected a whole number for {what}, got {describe(value)}.")

    check.form, check.tips = form, near
    check.expected, check.near = expected, dict(near)   # read by the tests that recompute each tip
    return check


def _explained(explain: Callable[[int], str | None] | None, number: int) -> str | None:
    """``explain(number)``, or None when there is none or it fails (a check must never raise)."""
    if explain is None:
        return None
    try:
        told = explain(number)
    except Exception:  # noqa: BLE001
        return None
    return told if isinstance(told, str) and told else None


def shape_with_tips(expected: tuple, names: tuple, tips: dict, why: str = ""):
    """:func:`shape_check` with a tailored message for the shapes learners typically write instead.

    >>> shape_with_tips((None, 2, 1), ('batch', 'timesteps', 'features'), {(2,): "Add the features axis."})((2,)).message
    'Add the features axis.'
    """
    base = shape_check(expected, names, why)
    tips = {tuple(k): v for k, v in tips.items() if tuple(k) != tuple(expected)}

    def check(value):
        shape = as_shape(value)
        if shape in tips:
            return Result(False, tips[shape])
        return base(shape)

    check.form, check.tips = base.form, tips
    check.expected, check.tips = tuple(expected), dict(tips)   # read by the tests of the messages
    return check
