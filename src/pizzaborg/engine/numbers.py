"""The range of every number a story may hold, checked once when a story file is read.

A story's numbers are added up (evidence weights, effects) and divided (scores): a weight of 1.0e+308
passes a plain "is it a finite number" check, then sums to infinity and scores to NaN, and an integer of
400 digits cannot even be turned into a float. So every number in a story file must lie within
±MAX_MAGNITUDE; one that does not is a ``path:line:col`` problem, and is replaced by the nearest bound in what
was read so that it is reported once (the story does not load while it has a problem). Sums of such numbers
stay far below the floating-point limits, and the scoring guards its own divisions besides.
"""

from __future__ import annotations

import math

MAX_MAGNITUDE = 1_000_000_000  # a billion: far beyond any KPI, budget or weight a story needs


def in_range(value: object) -> bool:
    """True for a number (not a bool) that is finite and at most MAX_MAGNITUDE in size."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int):
        return -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE


def _shown(value: object) -> str:
    if isinstance(value, int) and abs(value) >= 10**15:
        digits = len(str(abs(value)))
        return f"{'-' if value < 0 else ''}a {digits}-digit number"
    return repr(value)


def _too_large(value: object) -> bool:
    """A number beyond the range (NaN and infinities are left to the loader's own 'must be a number')."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) > MAX_MAGNITUDE if isinstance(value, int) or math.isfinite(value) else False


def bound_numbers(data: object) -> list:
    """Problems (``YamlProblem``) for every number out of range in a file's parsed YAML (Map/Seq values,
    walked without recursion); each such number is replaced by the nearest bound so that it is reported only here."""
    from .yamlsrc import Map, Seq, YamlProblem

    problems = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            items = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            continue
        for key, value in items:
            if isinstance(value, (dict, list)):
                stack.append(value)
            elif _too_large(value):
                pos = node.at(key) if isinstance(node, (Map, Seq)) else None
                if pos is not None:
                    problems.append(
                        YamlProblem(
                            pos,
                            f"the number {_shown(value)} is out of range: a story's numbers "
                            f"lie between -{MAX_MAGNITUDE:,} and {MAX_MAGNITUDE:,}",
                        )
                    )
                node[key] = MAX_MAGNITUDE if value > 0 else -MAX_MAGNITUDE  # the nearest: no problem follows from it
    problems.sort(key=lambda p: (p.pos.line, p.pos.col))
    return problems
