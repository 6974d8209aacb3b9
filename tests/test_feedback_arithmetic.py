"""Every number a tip states is computed, not typed.

Each tip for a wrong count is rebuilt here from the mistake it names (the table below: the
arithmetic that produces the wrong number), no tip states arithmetic that is false, and no tip
for a wrong answer gives the right one away. Function checks name a mistake only when the
learner's function really computes it.
"""
import ast
import operator
import re

import pytest

from helpers.exercises import exercises_for, lessons
from helpers.exercises import lesson_01, lesson_03
from tests.exercise_kit import NOT_YET, assert_verdict

ALL = [e for lesson in lessons() for e in exercises_for(lesson)]
INT_TIPS = {(e.key, wrong): message for e in ALL for wrong, message in getattr(e.rule, "near", {}).items()}
SHAPE_TIPS = {(e.key, wrong): message for e in ALL for wrong, message in getattr(e.rule, "tips", {}).items()}

# (exercise, wrong count): the mistake its tip names, as the arithmetic that produces that count.
TIP_FORMULAS = {
    # 01 q2: Dense(3) on 4 features
    ("01.q2", 12): "4 * 3",                       # the kernel alone
    ("01.q2", 7): "4 + 3",                        # adding instead of multiplying
    ("01.q2", 16): "4 * 3 + 4",                   # a bias per feature
    ("01.q2", 3): "3",                            # the biases alone
    # 01 q6: Dense(4) on (7, 5)
    ("01.q6", 168): "7 * (5 * 4 + 4)",            # a Dense per step
    ("01.q6", 144): "7 * 5 * 4 + 4",              # a kernel per step, one bias
    ("01.q6", 140): "7 * 5 * 4",                  # a kernel per step, no bias
    ("01.q6", 28): "7 * 4",                       # steps as input features, no bias
    ("01.q6", 35): "7 * 5",                       # the size of one example
    ("01.q6", 20): "5 * 4",                       # the kernel alone
    ("01.q6", 32): "7 * 4 + 4",                   # 7 as the input size
    # 03 q1: SimpleRNN(6) on (4, 2)
    ("03.q1", 48): "2 * 6 + 6 * 6",               # no bias
    ("03.q1", 18): "2 * 6 + 6",                   # Dense(6)'s count
    ("03.q1", 36): "6 * 6",                       # the recurrent kernel alone
    ("03.q1", 66): "4 * 6 + 6 * 6 + 6",           # timesteps as features
    ("03.q1", 216): "4 * (2 * 6 + 6 * 6 + 6)",    # the weights once per step
    ("03.q1", 42): "6 * 6 + 6",                   # no kernel
    ("03.q1", 49): "2 * 6 + 6 * 6 + 1",           # one bias for the layer
    ("03.q1", 120): "1 * 10 + 10 * 10 + 10",      # the lesson's SimpleRNN(10) on 1 feature
    ("03.q1", 30): "2 * 6 + 2 * 6 + 6",           # recurrent kernel shaped like the kernel
    ("03.q1", 90): "4 * 2 * 6 + 6 * 6 + 6",       # a kernel row per timestep and feature
    # 04 q2: the second SimpleRNN(10), on the first one's 10 units
    ("04.q2", 120): "1 * 10 + 10 * 10 + 10",      # the first layer
    ("04.q2", 200): "10 * 10 + 10 * 10",          # no bias
    ("04.q2", 330): "(1 * 10 + 10 * 10 + 10) + (10 * 10 + 10 * 10 + 10)",   # the whole model
    ("04.q2", 420): "2 * (10 * 10 + 10 * 10 + 10)",                         # once per timestep
    ("04.q2", 110): "10 * 10 + 10",               # no kernel
    # 04 q3: SimpleRNN(8), SimpleRNN(8), SimpleRNN(4) on (20, 3)
    ("04.q3", 224): "8 * (3 + 8 + 1) + 8 * (3 + 8 + 1) + 4 * (3 + 4 + 1)",  # 3 features everywhere
    ("04.q3", 264): "8 * (3 + 8) + 8 * (8 + 8) + 4 * (8 + 4)",              # no biases
    ("04.q3", 244): "8 * (3 + 8 + 1) + 8 * (3 + 8 + 1) + 4 * (8 + 4 + 1)",  # 3 features in the second layer
    ("04.q3", 288): "3 * 8 * (3 + 8 + 1)",                                  # three times the first layer
    ("04.q3", 5680): "20 * (8 * (3 + 8 + 1) + 8 * (8 + 8 + 1) + 4 * (8 + 4 + 1))",  # once per timestep
    ("04.q3", 260): "8 * (8 + 1) + 8 * (8 + 8 + 1) + 4 * (8 + 4 + 1)",      # the first kernel left out
    ("04.q3", 232): "8 * (3 + 8 + 1) + 8 * (8 + 8 + 1)",                    # the third layer left out
    # 04 q4: TimeDistributed(Dense(3)) on (None, 5, 10)
    ("04.q4", 165): "5 * (10 * 3 + 3)",           # a Dense per step
    ("04.q4", 150): "5 * 10 * 3",                 # a kernel per step
    ("04.q4", 30): "10 * 3",                      # the kernel alone
    ("04.q4", 18): "5 * 3 + 3",                   # the timesteps as the input size
    # 05 q5: GRU(4) on 2 features: 3 blocks (update gate, reset gate, candidate)
    ("05.q5", 84): "3 * (2 * 4 + 4 * 4 + 4)",     # reset_after=False: one bias vector
    ("05.q5", 72): "3 * (2 * 4 + 4 * 4)",         # no biases
    ("05.q5", 28): "2 * 4 + 4 * 4 + 4",           # a SimpleRNN(4)
    ("05.q5", 112): "4 * (2 * 4 + 4 * 4 + 4)",    # an LSTM(4): 4 blocks
    ("05.q5", 32): "2 * 4 + 4 * 4 + 2 * 4",       # one block with two biases
    # 06 q4: predict on 9 samples, stateful batch size 4
    ("06.q4", 9): "9",                            # one row per sample
    ("06.q4", 8): "4 + 4",                        # the partial batch dropped
    ("06.q4", 4): "4",                            # one batch
    ("06.q4", 3): "(9 + 4 - 1) // 4",             # the number of batches
    # 07 q5: 5 real steps padded to 8; the copy at step 7 comes from the last real step
    ("07.q5", 7): "8 - 1",                        # the padded step itself
    ("07.q5", 6): "8 - 2",                        # another padded step
    ("07.q5", 5): "5",                            # the first padded step (counting from 0)
    ("07.q5", 1): "2 - 1",                        # the lesson's example, 2 real steps
    ("07.q5", 0): "0",                            # the first real step
}

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
        ast.Div: operator.truediv}


def evaluate(expression: str) -> float:
    """The value of plain arithmetic (numbers, + - * / //, parentheses); ``x`` counts as times."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        raise ValueError(f"not plain arithmetic: {expression!r}")
    return walk(ast.parse(re.sub(r"(?<=[\d)])\s*x\s*(?=[\d(])", " * ", expression), mode="eval"))


_CANDIDATE = re.compile(r"[(\d][\d\s()*+/x-]*[\d)]")
_OPERATOR = re.compile(r"\d\s*(?:[*+/-]|x\s)\s*\(?\s*\d")


def stated_arithmetic(message: str) -> list[tuple[str, float]]:
    """Every calculation a message states, with its value: "(4 + 1) x (3 + 1)" -> 20.

    A sum or difference is a calculation; a bare product such as "2 x 6" is one only when the message
    equates it with a number ("is 4 x 3", "4 x 3 = 12"), since it usually names a kernel's shape.
    """
    found = []
    for match in _CANDIDATE.finditer(message):
        text = match.group().strip()
        if not _OPERATOR.search(text):
            continue
        while text.count("(") > text.count(")") and text.startswith("("):
            text = text[1:].strip()
        while text.count(")") > text.count("(") and text.endswith(")"):
            text = text[:-1].strip()
        equated = re.search(rf"\d\s+(?:is|would be)\s+\(?{re.escape(text)}|{re.escape(text)}\)?\s*=\s*\d", message)
        if not re.search(r"[+-]|//", text) and not equated:
            continue
        try:
            found.append((text, evaluate(text)))
        except (ValueError, SyntaxError, ZeroDivisionError):
            continue
    return found


def numbers_in(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"(?<![\d.])\d+(?![\d.])", text)}


def test_every_count_tip_has_its_formula_here():
    assert set(TIP_FORMULAS) == set(INT_TIPS), (
        f"tips without a formula: {sorted(set(INT_TIPS) - set(TIP_FORMULAS))}; "
        f"formulas without a tip: {sorted(set(TIP_FORMULAS) - set(INT_TIPS))}")


@pytest.mark.parametrize("key, wrong", sorted(TIP_FORMULAS), ids=lambda v: str(v))
def test_each_tips_number_comes_from_the_mistake_it_names(key, wrong):
    [exercise] = [e for e in ALL if e.key == key]
    assert evaluate(TIP_FORMULAS[key, wrong]) == wrong
    assert wrong != exercise.rule.expected


@pytest.mark.parametrize("key, wrong", sorted(INT_TIPS) + sorted(SHAPE_TIPS, key=str), ids=lambda v: str(v))
def test_no_tip_states_false_arithmetic(key, wrong):
    message = {**INT_TIPS, **SHAPE_TIPS}[key, wrong]
    stated = numbers_in(message) | set(numbers_in(str(wrong)))
    for expression, value in stated_arithmetic(message):
        assert value == int(value) and int(value) in stated, (
            f"{key} tip for {wrong} writes {expression!r} = {value}, a number it never states: {message!r}")


def test_the_arithmetic_reader_catches_the_old_01_q2_mistake():
    old = "16 would be (4 + 1) x (3 + 1). There is one bias per unit, and no extra unit."
    [(expression, value)] = stated_arithmetic(old)
    assert value == 20 and 20 not in numbers_in(old)


@pytest.mark.parametrize("key, wrong", sorted(INT_TIPS), ids=lambda v: str(v))
def test_no_count_tip_gives_the_answer_away(key, wrong):
    [exercise] = [e for e in ALL if e.key == key]
    message = INT_TIPS[key, wrong]
    assert exercise.rule.expected not in numbers_in(message), message
    for _, value in stated_arithmetic(message):
        assert value != exercise.rule.expected, message


@pytest.mark.parametrize("key, wrong", sorted(SHAPE_TIPS, key=str), ids=lambda v: str(v))
def test_no_shape_tip_gives_the_answer_away(key, wrong):
    [exercise] = [e for e in ALL if e.key == key]
    expected = exercise.rule.expected
    message = SHAPE_TIPS[key, wrong].replace(" ", "")
    assert repr(expected).replace(" ", "") not in message


@pytest.mark.parametrize("wrong", sorted(SHAPE_TIPS_09_Q1 := [w for k, w in SHAPE_TIPS if k == "09.q1"], key=str))
def test_09_q1_tips_do_not_state_the_number_of_windows(wrong):
    # the answer is (60, 12, 1); its one number to find is the 60
    assert 60 not in numbers_in(SHAPE_TIPS["09.q1", wrong])


# Function checks: a mistake is named only when the learner's function computes it.
RNN_PARAM_MISTAKES = [
    (lambda t, f, u: t * u * (f + u + 1), "multiplies by the timesteps"),
    (lambda t, f, u: t * f * u + u * u + u, "a row per timestep and feature"),
    (lambda t, f, u: u * (t + u + 1), "timesteps where the features go"),
    (lambda t, f, u: u * (f + u), "bias is missing"),
    (lambda t, f, u: u * (f + 1), "Dense's count"),
    (lambda t, f, u: u * (f + 1) + u, "not one value per unit"),
    (lambda t, f, u: f * u + f * u + u, "not features x units"),
]


@pytest.mark.parametrize("index", range(len(RNN_PARAM_MISTAKES)))
def test_03_q3_names_each_mistake_it_computes_and_no_other(index):
    wrong, words = RNN_PARAM_MISTAKES[index]
    verdict = lesson_03.q3.check(wrong)
    assert_verdict(verdict, NOT_YET, words)
    for other, other_words in RNN_PARAM_MISTAKES:
        if other_words != words:
            assert other_words.lower() not in verdict.message.lower(), verdict.text()
    call = re.match(r"simple_rnn_params\((\d+), (\d+), (\d+)\) gave (\d+)", verdict.message)
    t, f, u, got = map(int, call.groups())
    assert got == wrong(t, f, u) != u * (f + u + 1)


def test_03_q3_an_unnamed_formula_gets_no_diagnosis():
    verdict = lesson_03.q3.check(lambda t, f, u: u * (f + u + 2))
    assert_verdict(verdict, NOT_YET, "expected")
    assert ":" not in verdict.message.split("gave", 1)[1]


@pytest.mark.parametrize("wrong, words", [
    (lambda f, u: f * u, "kernel only"),
    (lambda f, u: (f + 1) * (u + 1), "not an extra feature"),
    (lambda f, u: f + u, "multiply"),
    (lambda f, u: f * u + f, "one value per unit"),
])
def test_01_q3_names_the_mistake_its_number_comes_from(wrong, words):
    verdict = lesson_01.q3.check(wrong)
    assert_verdict(verdict, NOT_YET, words)
    call = re.match(r"dense_param_count\((\d+), (\d+)\) gave (\d+)", verdict.message)
    f, u, got = map(int, call.groups())
    assert got == wrong(f, u)
