"""Name the formula a wrong count fits, for answers no tip foresaw.

An exercise that asks for a count (parameters, rows, values) knows the formula of its answer as a
sum of named terms over its own quantities (features, units, timesteps, batch). A learner's wrong
number usually comes from the same formula with one or two slips: a quantity in the wrong place,
a term left out, a term counted once per timestep or twice, one too many of something. This module
tries those slips, one then two at a time, and says which formula the number fits, without the
right answer. When no slip fits, or several different ones do, it says nothing (the check falls
back to its plain "too high" / "too low").

>>> explain = fitted([("kernel", "features * units"), ("bias", "units")], {"features": 4, "units": 3})
>>> explain(20)
'20 fits (features + 1) x (units + 1) = (4 + 1) x (3 + 1): a bias for the inputs too (one more input row and one more unit column) or features x features + features = 4 x 4 + 4: features where units belong. Compare each term with the weights the layer really holds.'
>>> explain(15) is None   # the right answer is never explained as a slip
True
"""
from __future__ import annotations

import itertools
import re
from typing import Callable, Sequence

__all__ = ["fitted", "slips"]

_NAME = re.compile(r"[A-Za-z_]\w*")


def _value(expression: str, quantities: dict) -> int:
    """The value of an expression over the quantities (only names, numbers, + - * and brackets)."""
    if re.search(r"[^\w\s+*()\-]", expression):
        raise ValueError(f"not a formula: {expression!r}")
    names = {name: quantities[name] for name in _NAME.findall(expression)}
    return int(eval(expression, {"__builtins__": {}}, names))  # noqa: S307 - our own formula text, names only


def _render(terms: Sequence[str], quantities: dict | None = None) -> str:
    """``features * units`` -> ``features x units``; with quantities, the numbers instead of the names."""
    text = " + ".join(terms)
    if quantities is not None:
        text = _NAME.sub(lambda m: str(quantities[m.group(0)]) if m.group(0) in quantities else m.group(0), text)
    return text.replace("*", "x")


def _signature(expressions: Sequence[str], quantities: dict) -> tuple:
    """The formula's values for two other sets of quantities: equal signatures, equal formulas."""
    return tuple(sum(_value(e, {k: v * 7 + 3 + i for k, v in quantities.items()}) for e in expressions)
                 for i in (0, 5))


def _swap(expression: str, old: str, new: str) -> str:
    return re.sub(rf"\b{old}\b", new, expression)


def slips(terms: Sequence[tuple[str, str]], quantities: dict, per_step: str = "timesteps") -> list[tuple[str, list[str]]]:
    """Every single slip of the formula: (what the slip is, the slipped terms).

    >>> [what for what, _ in slips([("bias", "units")], {"units": 3, "features": 2})][:2]
    ['features where units belong', 'the bias counted twice']
    """
    labels, expressions = [t[0] for t in terms], [t[1] for t in terms]
    used = {name for e in expressions for name in _NAME.findall(e)}
    found = []
    if "features * units" in expressions and "units" in expressions:   # a kernel and a bias per unit
        rest = [e for e in expressions if e not in ("features * units", "units")]
        found.append(("a bias for the inputs too (one more input row and one more unit column)",
                      ["(features + 1) * (units + 1)"] + rest))
    for old in sorted(used):
        for new in quantities:
            if new != old:
                found.append((f"{new} where {old} belong{'s' if not old.endswith('s') else ''}",
                              [_swap(e, old, new) for e in expressions]))
    for i, label in enumerate(labels):
        if len(expressions) > 1:
            found.append((f"the {label} left out", expressions[:i] + expressions[i + 1:]))
        found.append((f"the {label} counted twice", expressions[:i] + [f"2 * {expressions[i]}"] + expressions[i + 1:]))
        if per_step in quantities and per_step not in _NAME.findall(expressions[i]):
            found.append((f"the {label} counted once per {per_step.rstrip('s')}",
                          expressions[:i] + [f"{per_step} * {expressions[i]}"] + expressions[i + 1:]))
    if per_step in quantities and per_step not in used:
        found.append((f"every weight counted once per {per_step.rstrip('s')}",
                      [f"{per_step} * {e}" if len(_NAME.findall(e)) < 2 else f"{per_step} * {e}" for e in expressions]))
    for name in sorted(used):
        why = ", as if the inputs had a bias too" if name == "features" else ""
        found.append((f"{name} + 1 in place of {name}{why}", [_swap(e, name, f"({name} + 1)") for e in expressions]))
    return found


def fitted(terms: Sequence[tuple[str, str]], quantities: dict, per_step: str = "timesteps",
           advice: str = "Compare each term with the weights the layer really holds.") -> Callable[[int], str | None]:
    """A function ``number -> sentence or None``: which slip of ``terms`` (``(label, expression)``
    pairs over ``quantities``) gives ``number``; None for the right number, or when no slip (or more
    than two different ones) fits. One slip is tried before two.

    >>> explain = fitted([("kernel", "features * units"), ("recurrent kernel", "units * units"), ("bias", "units")],
    ...                  {"timesteps": 4, "features": 2, "units": 6})
    >>> explain(216)
    '216 fits timesteps x features x units + timesteps x units x units + timesteps x units = 4 x 2 x 6 + 4 x 6 x 6 + 4 x 6: every weight counted once per timestep. Compare each term with the weights the layer really holds.'
    """
    quantities = {k: int(v) for k, v in quantities.items()}
    expected = sum(_value(e, quantities) for _, e in terms)
    table: list[dict[int, dict[str, str]]] = []   # per depth: value -> {formula: what slipped}

    def build() -> None:
        single = slips(terms, quantities, per_step)
        depth_one = [([what], slipped) for what, slipped in single]
        depth_two = [([a, b], _apply_two(terms, quantities, per_step, [a, b]))
                     for (a, _), (b, _) in itertools.combinations(single, 2)]
        for candidates in (depth_one, depth_two):
            values: dict[int, dict[str, str]] = {}
            readings_terms: dict[int, list] = {}
            for whats, slipped in candidates:
                if slipped is None:
                    continue
                try:
                    value = sum(_value(e, quantities) for e in slipped)
                except (KeyError, ValueError, SyntaxError):
                    continue
                if value == expected:
                    continue
                readings = values.setdefault(value, {})
                same = _signature(slipped, quantities)   # the same formula written two ways is one reading
                if all(_signature(other, quantities) != same for other in readings_terms.get(value, [])):
                    readings.setdefault(_render(slipped), ", and ".join(whats))
                    readings_terms.setdefault(value, []).append(slipped)
            table.append(values)

    def explain(number: int) -> str | None:
        if number == expected:
            return None
        if not table:
            build()
        for values in table:
            readings = values.get(number)
            if readings:
                if len(readings) > 2:
                    return None
                said = [f"{f} = {_render([f], quantities)}: {why}" for f, why in readings.items()]
                return f"{number} fits " + " or ".join(said) + f". {advice}".rstrip()
        return None

    return explain


def _apply_two(terms, quantities, per_step, whats) -> list[str] | None:
    """The terms with the two slips named in ``whats`` applied one after the other, or None when the
    second does not apply to what the first left."""
    current = list(terms)
    for what in whats:
        matches = [slipped for name, slipped in slips(current, quantities, per_step) if name == what]
        if not matches:
            return None
        labels = [label for label, _ in current]
        slipped = matches[0]
        if len(slipped) < len(current):   # a term left out: keep the labels of the others
            dropped = next((i for i, (label, _) in enumerate(current) if f"the {label} left out" == what), None)
            if dropped is None:   # a slip that rewrites several terms at once is not combined with another
                return None
            labels = labels[:dropped] + labels[dropped + 1:]
        current = list(zip(labels, slipped))
    return [e for _, e in current]
