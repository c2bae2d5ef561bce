"""The condition language of stories: parsed here, evaluated over a small interface, never ``eval``.

Grammar::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | cmp
    cmp     := atom (("<" | "<=" | ">" | ">=" | "==" | "!=") atom)?
    atom    := NUMBER | "true" | "false" | NAME | NAME "(" ARG ")" | "(" expr ")"

A NAME is a KPI id, ``flag.X``, ``score``, ``assimilation`` or ``round``; the functions are
``learning(ID)``, ``visited(SCENE)``, ``chose(SCENE.CHOICE)`` and ``delta(KPI)`` (the KPI's change
since the current round began). Types are checked at parse time: comparisons take numbers,
``and``/``or``/``not`` take truths.
"""

from __future__ import annotations

import re

from .errors import PizzaBorgError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

NUMBER_NAMES = {"score", "assimilation", "round"}
FUNCTIONS = {"learning": "num", "visited": "bool", "chose": "bool", "delta": "num"}
COMPARE = {"<", "<=", ">", ">=", "==", "!="}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<op><=|>=|==|!=|<|>|\(|\))|(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)|(?P<bad>\S))"
)


class ConditionError(PizzaBorgError):
    """A malformed condition; ``offset`` is the 0-based character position of the problem."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


class State:
    """What a condition evaluates against (the engine's game view implements it)."""

    def kpi(self, name: str) -> float:
        raise NotImplementedError

    def flag(self, name: str) -> bool:
        raise NotImplementedError

    def number(self, name: str) -> float:  # score, assimilation, round
        raise NotImplementedError

    def learning(self, ident: str) -> float:
        raise NotImplementedError

    def visited(self, scene: str) -> bool:
        raise NotImplementedError

    def chose(self, scene: str, choice: str) -> bool:
        raise NotImplementedError

    def delta(self, kpi: str) -> float:  # the change since the current round began
        raise NotImplementedError


class Ref:
    """A name a condition refers to, for the loader to check: kind is kpi, flag, learning, scene or choice."""

    __slots__ = ("kind", "name", "offset")

    def __init__(self, kind: str, name: str, offset: int):
        self.kind, self.name, self.offset = kind, name, offset


class Node:
    __slots__: tuple[str, ...] = ()
    kind = "bool"

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def evaluate(self, st: State) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


class Const(Node):
    __slots__ = ("value", "kind")

    def __init__(self, value: object, kind: str):
        self.value = value
        self.kind = kind

    def evaluate(self, st: State) -> Any:
        return self.value


class Kpi(Node):
    __slots__ = ("name",)
    kind = "num"

    def __init__(self, name: str):
        self.name = name

    def evaluate(self, st: State) -> Any:
        return st.kpi(self.name)


class Flag(Node):
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def evaluate(self, st: State) -> Any:
        return st.flag(self.name)


class Number(Node):
    __slots__ = ("name",)
    kind = "num"

    def __init__(self, name: str):
        self.name = name

    def evaluate(self, st: State) -> Any:
        return st.number(self.name)


class Call(Node):
    __slots__ = ("func", "arg", "kind")

    def __init__(self, func: str, arg: str, kind: str):
        self.func = func
        self.arg = arg
        self.kind = kind

    def evaluate(self, st: State) -> Any:
        if self.func == "learning":
            return st.learning(self.arg)
        if self.func == "visited":
            return st.visited(self.arg)
        if self.func == "delta":
            return st.delta(self.arg)
        scene, _, choice = self.arg.rpartition(".")
        return st.chose(scene, choice)


class Not(Node):
    __slots__ = ("operand",)

    def __init__(self, operand: Node):
        self.operand = operand

    def evaluate(self, st: State) -> Any:
        return not self.operand.evaluate(st)


class BoolOp(Node):
    __slots__ = ("op", "operands")

    def __init__(self, op: str, operands: list[Node]):
        self.op = op
        self.operands = operands

    def evaluate(self, st: State) -> Any:
        if self.op == "and":
            return all(o.evaluate(st) for o in self.operands)
        return any(o.evaluate(st) for o in self.operands)


class Compare(Node):
    __slots__ = ("op", "left", "right", "offset")

    def __init__(self, op: str, left: Node, right: Node, offset: int = 0):
        self.op = op
        self.left = left
        self.right = right
        self.offset = offset  # where the comparison starts in the source

    def evaluate(self, st: State) -> Any:
        a, b = self.left.evaluate(st), self.right.evaluate(st)
        if self.op == "<":
            return a < b
        if self.op == "<=":
            return a <= b
        if self.op == ">":
            return a > b
        if self.op == ">=":
            return a >= b
        if self.op == "==":
            return a == b
        return a != b


class Condition:
    """A parsed condition with its source text and the names it refers to."""

    __slots__ = ("source", "root", "refs")

    def __init__(self, source: str, root: Node, refs: list):
        self.source = source
        self.root = root
        self.refs = refs

    def __repr__(self) -> str:
        return f"Condition({self.source!r})"

    def __call__(self, st: State) -> bool:
        return bool(self.root.evaluate(st))


class LazyCondition(Condition):
    """A condition read back from the story cache, parsed the first time it is used: a cached story holds
    hundreds of conditions and one game evaluates some of them (start-up time: benchmarks/bench_headless.py).
    The cache holds only conditions that parsed when the story was loaded, so parsing again cannot fail."""

    __slots__ = ("_kpis",)

    def __init__(self, source: str, kpis: set) -> None:  # root and refs come on first use
        self.source = source
        self._kpis = kpis

    def __getattr__(self, name: str) -> Any:
        if name not in ("root", "refs"):
            raise AttributeError(name)
        parsed = parse_condition(self.source, self._kpis)
        self.root, self.refs = parsed.root, parsed.refs
        return getattr(self, name)


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        if m.group("bad") is not None:
            raise ConditionError(f"unexpected character '{m.group('bad')}'", m.start("bad"))
        for kind in ("num", "op", "name"):
            if m.group(kind) is not None:
                tokens.append((kind, m.group(kind), m.start(kind)))
                break
        pos = m.end()
    return tokens


MAX_NESTING = 32  # parentheses and 'not's inside each other; far more than a readable condition needs


class _Parser:
    def __init__(self, text: str, kpis: set):
        self.depth = 0
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.kpis = kpis
        self.refs: list[Ref] = []

    def peek(self) -> tuple[Any, Any, int]:
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None, len(self.text))

    def take(self) -> tuple[Any, Any, int]:
        tok = self.peek()
        self.i += 1
        return tok

    def expect_kind(self, node: Node, kind: str, offset: int, what: str) -> Node:
        if node.kind != kind:
            need = "a number" if kind == "num" else "true or false"
            raise ConditionError(f"{what} needs {need}", offset)
        return node

    def nest(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ConditionError(f"the condition is nested more than {MAX_NESTING} levels deep", offset)

    def parse(self) -> Node:
        if not self.tokens:
            raise ConditionError("the condition is empty", 0)
        node = self.parse_or()
        kind, value, offset = self.peek()
        if kind is not None:
            raise ConditionError(f"unexpected '{value}'", offset)
        return self.expect_kind(node, "bool", 0, "a condition")

    def _chain(self, word: str, operand: Callable[[], Node]) -> Node:
        # each operand keeps its own offset, so a wrong one is pointed at, not the first
        offsets = [self.peek()[2]]
        operands = [operand()]
        while self.peek()[1] == word:
            self.take()
            offsets.append(self.peek()[2])
            operands.append(operand())
        if len(operands) == 1:
            return operands[0]
        for o, off in zip(operands, offsets, strict=False):
            self.expect_kind(o, "bool", off, f"'{word}'")
        return BoolOp(word, operands)

    def parse_or(self) -> Node:
        return self._chain("or", self.parse_and)

    def parse_and(self) -> Node:
        return self._chain("and", self.parse_not)

    def parse_not(self) -> Node:
        if self.peek()[1] == "not":
            _, _, off = self.take()
            self.nest(off)
            node = Not(self.expect_kind(self.parse_not(), "bool", off, "'not'"))
            self.depth -= 1
            return node
        return self.parse_cmp()

    def parse_cmp(self) -> Node:
        left_offset = self.peek()[2]
        left = self.parse_atom()
        kind, value, offset = self.peek()
        if kind == "op" and value in COMPARE:
            self.take()
            right_offset = self.peek()[2]
            right = self.parse_atom()
            self.expect_kind(left, "num", left_offset, f"'{value}'")
            self.expect_kind(right, "num", right_offset, f"'{value}'")
            return Compare(value, left, right, left_offset)
        return left

    def parse_atom(self) -> Node:
        kind, value, offset = self.take()
        if kind is None:
            raise ConditionError("the condition ends too early", offset)
        if kind == "num":
            return Const(float(value), "num")
        if value == "(":
            self.nest(offset)
            node = self.parse_or()
            k, v, off = self.take()
            if v != ")":
                raise ConditionError("missing ')'", off)
            self.depth -= 1
            return node
        if kind == "op":
            raise ConditionError(f"unexpected '{value}'", offset)
        # a name
        if value in ("true", "false"):
            return Const(value == "true", "bool")
        if value in ("and", "or", "not"):
            raise ConditionError(f"unexpected '{value}'", offset)
        if self.peek()[1] == "(":
            if value not in FUNCTIONS:
                raise ConditionError(f"unknown function '{value}' (use learning, visited, chose or delta)", offset)
            self.take()
            k, arg, arg_off = self.take()
            if k != "name":
                raise ConditionError(f"{value}() needs an id", arg_off)
            k2, v2, off2 = self.take()
            if v2 != ")":
                raise ConditionError("missing ')'", off2)
            if value == "learning":
                self.refs.append(Ref("learning", arg, arg_off))
            elif value == "visited":
                self.refs.append(Ref("scene", arg, arg_off))
            elif value == "delta":
                if arg not in self.kpis:
                    raise ConditionError(f"delta() needs a KPI id, not '{arg}'", arg_off)
                self.refs.append(Ref("kpi", arg, arg_off))
            else:
                if "." not in arg:
                    raise ConditionError("chose() needs SCENE.CHOICE", arg_off)
                self.refs.append(Ref("choice", arg, arg_off))
            return Call(value, arg, FUNCTIONS[value])
        if value.startswith("flag."):
            name = value[5:]
            if not name:
                raise ConditionError("'flag.' needs a flag name", offset)
            self.refs.append(Ref("flag", name, offset))
            return Flag(name)
        if value in NUMBER_NAMES:
            return Number(value)
        if value in self.kpis:
            self.refs.append(Ref("kpi", value, offset))
            return Kpi(value)
        raise ConditionError(f"unknown name '{value}' (a KPI id, flag.NAME, score, assimilation or round)", offset)


def parse_condition(text: str, kpis: set) -> Condition:
    """Parse ``text``; ``kpis`` are the story's KPI ids. Raises ConditionError."""
    if not isinstance(text, str):
        raise ConditionError("a condition must be text", 0)
    parser = _Parser(text, kpis)
    root = parser.parse()
    return Condition(text, root, parser.refs)


def _range(node: Node, kpis: dict) -> tuple[Any, Any] | None:
    """The values a number node can take, or None when unknown."""
    if isinstance(node, Const):
        return (node.value, node.value)
    if isinstance(node, Kpi) and node.name in kpis:
        k = kpis[node.name]
        return (k.min, k.max)
    if isinstance(node, Number) and node.name in ("score", "assimilation"):
        return (0.0, 100.0)
    if isinstance(node, Call) and node.func == "learning":
        return (0.0, 100.0)
    if isinstance(node, Call) and node.func == "delta" and node.arg in kpis:
        k = kpis[node.arg]
        return (k.min - k.max, k.max - k.min)
    return None


def _can_hold(op: str, a: tuple, b: tuple) -> bool:
    (alo, ahi), (blo, bhi) = a, b
    if op == "<":
        return alo < bhi
    if op == "<=":
        return alo <= bhi
    if op == ">":
        return ahi > blo
    if op == ">=":
        return ahi >= blo
    if op == "==":
        return alo <= bhi and blo <= ahi
    return not (alo == ahi == blo == bhi)


def impossible_parts(cond: Condition, kpis: dict) -> list:
    """Comparisons in ``cond`` that can never hold given the ranges of KPIs (``kpis``: id -> Kpi with
    min and max), scores and learning (0-100): ``[(offset, why)]``. E.g. ``trust > 100`` when trust
    is at most 100."""
    out = []

    def walk(node: Node) -> None:
        if isinstance(node, Compare):
            a, b = _range(node.left, kpis), _range(node.right, kpis)
            if a is not None and b is not None and not (isinstance(node.left, Const) and isinstance(node.right, Const)):
                if not _can_hold(node.op, a, b):
                    named = node.left if not isinstance(node.left, Const) else node.right
                    lo, hi = a if named is node.left else b
                    what = getattr(named, "name", None) or f"{getattr(named, 'func', '')}({getattr(named, 'arg', '')})"
                    out.append((node.offset, f"{what} is always between {lo:g} and {hi:g}"))
        elif isinstance(node, Not):
            walk(node.operand)
        elif isinstance(node, BoolOp):
            for o in node.operands:
                walk(o)

    walk(cond.root)
    return out
