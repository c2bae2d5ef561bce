"""The reader: one story's problems and the checked reading of YAML values (ids, numbers, conditions,
text, effects, routes), plus reading one file through the bounded reader.

Every section reader (``sections``) and the reference checks (``references``) report through one
``_Reader``, so every problem of a story is collected and shown at once, sorted by position.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..conditions import ConditionError, impossible_parts, parse_condition
from ..errors import PizzaBorgError
from ..model import (
    EMPTY_TEXT,
    END,
    Capacity,
    Effect,
    Route,
    Text,
    Value,
)
from ..text import clean, excerpt
from ..yamlsrc import Map, Pos, Seq, load_yaml

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from ..conditions import Condition

MAX_FILE_BYTES = 5 * 1024 * 1024
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
CHOICE_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
FLAG_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


class Problem(Value):
    """A problem in a story: where (``pos``) and what (``message``). Sorts by position."""

    __slots__ = ("pos", "message")

    def __init__(self, pos: Pos, message: str):
        self.pos, self.message = pos, message

    def __lt__(self, other: Problem) -> bool:
        return self._fields() < other._fields()

    def __str__(self) -> str:
        return f"{self.pos}: {self.message}"


class SyntaxProblem(Problem):
    """A file that cannot be read at all (YAML syntax, encoding, size): reported before anything else,
    since every later problem may only follow from it."""

    __slots__ = ()


def problem_order(p: Problem) -> tuple:
    """Sort key: problems that stop a file from being read first, then by position."""
    return (not isinstance(p, SyntaxProblem), p.pos.path, p.pos.line, p.pos.col)


def did_you_mean(name: str, known: Iterable) -> str:
    """``"; did you mean 'x'?"`` for the nearest of ``known`` to ``name``, or "" when none is near."""
    import difflib  # only on the error path

    near = difflib.get_close_matches(str(name), [str(k) for k in known], n=1, cutoff=0.6)
    return f"; did you mean '{near[0]}'?" if near else ""


class StoryError(PizzaBorgError):
    def __init__(self, problems: list):
        self.problems = sorted(problems, key=problem_order)
        first = str(self.problems[0]) if self.problems else "the story cannot be read"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


def default_story_dir() -> Path:
    """The shipped story: inside the installed package, or story/ at the top of a checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "story"
    if (packaged / "story.yaml").is_file():
        return packaged
    return here.parent.parent / "story"


def _num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


class _Reader:
    """Validates YAML data against the format, collecting problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.kpi_ids: set = set()
        self.kpis: dict = {}  # id -> Kpi, for the ranges of impossible comparisons
        self.capacity: Capacity | None = None  # the story's, for choices' costs
        self.cond_refs: list = []  # (Ref, Pos of the condition text)
        self._conditions: dict = {}  # text -> Condition or ConditionError: stories repeat conditions a lot
        self.sources: dict = {}  # path -> file text, to place a position inside a scalar
        self._lines: dict = {}
        self.broken: list = []  # files that could not be read: ids they define are unknown, not missing
        self.suppressed = 0  # follow-on problems left out because of a broken file

    def _source_lines(self, path: str) -> list:
        lines = self._lines.get(path)
        if lines is None:
            lines = self._lines[path] = self.sources.get(path, "").split("\n")
        return lines

    def spot(self, pos: Pos, value: str, offset: int) -> Pos:
        """The file position of ``value[offset]``, where ``pos`` is where the scalar ``value`` starts.

        A plain scalar is the text as written; a quoted or folded one has quotes, a block header
        or line breaks in between, so the characters of ``value`` are followed through the source.
        """
        lines = self._source_lines(pos.path)
        li, ci = pos.line - 1, pos.col - 1
        if li < len(lines) and lines[li].startswith(value, ci):
            return Pos(pos.path, pos.line, pos.col + offset)
        fallback = Pos(pos.path, pos.line, pos.col + offset)
        for k, ch in enumerate(value[: offset + 1]):
            space = ch.isspace()
            while True:
                if li >= len(lines):
                    return fallback
                line = lines[li]
                if ci >= len(line):
                    if space:
                        break
                    li, ci = li + 1, 0
                    continue
                if line[ci] == ch or (space and line[ci].isspace()):
                    break
                ci += 1
            if k == offset:
                return Pos(pos.path, li + 1, ci + 1)
            if ci >= len(lines[li]):
                li, ci = li + 1, 0
            else:
                ci += 1
        return Pos(pos.path, li + 1, ci + 1)  # the end of the condition

    def written(self, pos: Pos, value: object) -> str:
        """A plain scalar as the author typed it (``yes``, not YAML's reading of it, ``True``)."""
        lines = self._source_lines(pos.path)
        if 0 < pos.line <= len(lines):
            token = re.split(r"[,\]}#]|:\s", lines[pos.line - 1][pos.col - 1 :] + " ", maxsplit=1)[0].strip()
            if token:
                return token
        return str(value)

    def err(self, pos: Pos, message: str) -> None:
        self.problems.append(Problem(pos, message))

    def fatal(self, pos: Pos, message: str) -> None:
        """A problem that stops a file from being read (see :class:`SyntaxProblem`)."""
        self.problems.append(SyntaxProblem(pos, message))
        if pos.path not in self.broken:
            self.broken.append(pos.path)

    def missing(self, pos: Pos, message: str) -> None:
        """A reference to an id that does not exist: while a file is broken, the id may be defined
        there, so the problem is counted, not reported (the syntax error comes first)."""
        if self.broken:
            self.suppressed += 1
        else:
            self.err(pos, message)

    def mapping(
        self, data: object, pos: Pos, what: str, allowed: set | frozenset, required: set | frozenset = frozenset()
    ) -> Map | None:
        if not isinstance(data, Map):
            self.err(getattr(data, "pos", pos), f"{what} must be a mapping")
            return None
        for key in data:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                near = did_you_mean(key, allowed)
                if near:
                    self.err(data.key_at(key), f"unknown key '{key}' in {what}{near}")
                else:
                    self.err(data.key_at(key), f"unknown key '{key}' in {what} (known: {hint})")
        for key in sorted(required):
            if key not in data:
                self.err(data.pos, f"{what} is missing '{key}'")
        return data

    def seq(self, data: object, pos: Pos, what: str) -> Seq | None:
        if not isinstance(data, Seq):
            self.err(getattr(data, "pos", pos), f"{what} must be a list")
            return None
        return data

    def text_value(self, m: Map, key: str, what: str, default: str = "") -> str:
        if key not in m:
            return default
        v = m[key]
        if isinstance(v, bool) or v is None or isinstance(v, (Map, Seq)):
            self.err(m.at(key), f"'{key}' of {what} must be text")
            return default
        return clean(str(v))

    def ident(self, m: Map, key: str, what: str, pattern: re.Pattern = ID_RE) -> str | None:
        if key not in m:
            return None
        v = m[key]
        if not isinstance(v, str):
            pos = m.at(key)
            self.err(pos, f"'{key}' of {what} must be text (quote it: \"{self.written(pos, v)}\")")
            return None
        if not pattern.match(v) or v == END:
            self.err(m.at(key), f"'{v}' is not a valid id for {what}")
            return None
        return v

    def number(self, m: Map, key: str, what: str, default: Any = None) -> Any:
        if key not in m:
            return default
        v = m[key]
        if not _num(v):
            self.err(m.at(key), f"'{key}' of {what} must be a number")
            return default
        return v

    def condition(self, m: Map, key: str, what: str) -> Condition | None:
        if key not in m:
            return None
        v = m[key]
        pos = m.at(key)
        if isinstance(v, bool):
            return parse_condition("true" if v else "false", set())
        if not isinstance(v, str):
            self.err(pos, f"'{key}' of {what} must be a condition written as text")
            return None
        cond = self._conditions.get(v)
        if cond is None:
            try:
                cond = parse_condition(v, self.kpi_ids)
            except ConditionError as exc:
                cond = exc
            self._conditions[v] = cond
        if isinstance(cond, ConditionError):
            self.err(self.spot(pos, v, cond.offset), f"condition '{excerpt(v, cond.offset)}': {cond.message}")
            return None
        for ref in cond.refs:
            self.cond_refs.append((ref, self.spot(pos, v, ref.offset)))
        for offset, why in impossible_parts(cond, self.kpis):
            self.err(self.spot(pos, v, offset), f"condition '{excerpt(v, offset)}' can never hold: {why}")
        return cond

    def flag_value(self, m: Map, key: str, what: str, default: bool) -> bool:
        if key not in m:
            return default
        if not isinstance(m[key], bool):
            self.err(m.at(key), f"'{key}' of {what} must be true or false")
            return default
        return m[key]

    def effects(self, m: Map, key: str, what: str) -> dict:
        """A mapping of KPI id to a number (``effects`` of a choice, of an ``effects_if`` entry ...)."""
        out: dict = {}
        if key not in m:
            return out
        eff = self.mapping(m[key], m.at(key), f"'{key}' of {what}", set(m[key]) if isinstance(m[key], Map) else set())
        for k in eff or {}:
            assert eff is not None
            if k not in self.kpi_ids:
                self.err(eff.key_at(k), f"unknown KPI '{k}' in {key} of {what}{did_you_mean(k, self.kpi_ids)}")
            elif not _num(eff[k]):
                self.err(eff.at(k), f"the effect on '{k}' must be a number")
            else:
                out[k] = eff[k]
        return out

    def conditional_effects(self, m: Map, key: str, what: str) -> list:
        """A list of ``{when, effects}``: effects that apply when the condition holds."""
        out: list = []
        if key not in m:
            return out
        seq = self.seq(m[key], m.at(key), f"'{key}' of {what}")
        for i, item in enumerate(seq or []):
            assert seq is not None
            e = self.mapping(item, seq.at(i), f"an entry of '{key}' of {what}", {"when", "effects"}, {"effects"})
            if e is None:
                continue
            when = self.condition(e, "when", f"an entry of '{key}'")
            effects = self.effects(e, "effects", f"an entry of '{key}'")
            if effects:
                out.append(Effect(when, effects, e.pos))
        return out

    def rich_text(self, m: Map, key: str, what: str, required: bool = False) -> Text:
        if key not in m:
            if required:
                self.err(m.pos, f"{what} is missing '{key}'")
            return EMPTY_TEXT
        v = m[key]
        if isinstance(v, str):
            return Text(((None, clean(v)),))
        if isinstance(v, Seq):
            parts: list[tuple[Condition | None, str]] = []
            for i, item in enumerate(v):
                if isinstance(item, str):
                    parts.append((None, clean(item)))
                elif isinstance(item, Map):
                    part = self.mapping(item, v.at(i), f"a part of '{key}'", {"when", "text"}, {"text"})
                    if part is not None and "text" in part:
                        body = self.text_value(part, "text", f"a part of '{key}'")
                        parts.append((self.condition(part, "when", f"a part of '{key}'"), body))
                else:
                    self.err(v.at(i), f"a part of '{key}' must be text or {{when, text}}")
            return Text(tuple(parts))
        self.err(m.at(key), f"'{key}' of {what} must be text or a list of parts")
        return EMPTY_TEXT

    def routes(self, m: Map, key: str, what: str) -> list | None:
        if key not in m:
            return None
        v = m[key]
        if isinstance(v, str):
            return [Route(v, None, m.at(key))]
        if isinstance(v, Seq):
            routes = []
            for i, item in enumerate(v):
                r = self.mapping(item, v.at(i), "a route", {"to", "when"}, {"to"})
                if r is None or "to" not in r:
                    continue
                if not isinstance(r["to"], str):
                    self.err(r.at("to"), "'to' of a route must be a scene id")
                    continue
                when = self.condition(r, "when", "a route")
                if "when" not in r and i != len(v) - 1:
                    self.err(r.pos, "only the last route may have no 'when'")
                routes.append(Route(r["to"], when, r.at("to")))
            if routes and routes[-1].when is not None:
                self.err(v.at(len(v) - 1), "the last route must have no 'when' (it is the fallback)")
            return routes
        self.err(m.at(key), f"'{key}' of {what} must be a scene id or a list of routes")
        return None


def _read_file(path: Path, rel: str, reader: _Reader) -> tuple[Any, bytes]:
    from ..files import NotRegularFile, TooLarge, read_bounded

    try:
        raw = read_bounded(path, MAX_FILE_BYTES)
    except NotRegularFile:
        reader.fatal(Pos(rel, 1, 1), "not a regular file (a pipe, a device or a link to one): not read")
        return None, b""
    except TooLarge:
        reader.fatal(
            Pos(rel, 1, 1),
            f"the file is larger than {MAX_FILE_BYTES // 1024} KiB; a story file may be at most "
            f"{MAX_FILE_BYTES // 1024} KiB",
        )
        return None, b""
    except OSError as exc:
        reader.fatal(Pos(rel, 1, 1), f"cannot be read: {exc.strerror or exc}")
        return None, b""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reader.fatal(Pos(rel, line, 1), "the file is not UTF-8 text")
        return None, raw
    text = text.replace("\r\n", "\n")
    reader.sources[rel] = text
    data, problems = load_yaml(text, rel)
    from ..numbers import bound_numbers  # every number within range: one problem each, never NaN (numbers.py)

    problems = list(problems) + bound_numbers(data)
    for p in problems:
        (reader.fatal if data is None else reader.err)(p.pos, p.message)
    if data is None and not problems:
        reader.err(Pos(rel, 1, 1), "the file is empty")
    return data, raw


def _rel(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):  # elsewhere, or the working directory was deleted
        return str(p)
