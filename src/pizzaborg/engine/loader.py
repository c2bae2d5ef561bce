"""Read a story folder into a :class:`~pizzaborg.engine.model.Story`, reporting every problem.

``load_story(path)`` returns the story or raises :class:`StoryError`, whose ``problems`` list holds
every problem found (``path:line:column: message``), not only the first.
"""

from __future__ import annotations

import gc
import math
import re
from pathlib import Path

from .conditions import ConditionError, impossible_parts, parse_condition
from .text import clean
from .model import (
    END,
    ENDING_PREFIX,
    EMPTY_TEXT,
    Area,
    Capacity,
    Choice,
    Effect,
    Ending,
    Kpi,
    LearningPoint,
    Round,
    Route,
    Scene,
    Story,
    Text,
    Value,
    WorstPractice,
)
from . import cache
from .cache import new_sha256
from .yamlsrc import Map, Pos, Seq, load_yaml

MAX_FILE_BYTES = 5 * 1024 * 1024
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
CHOICE_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
FLAG_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


class Problem(Value):
    """A problem in a story: where (``pos``) and what (``message``). Sorts by position."""

    __slots__ = ("pos", "message")

    def __init__(self, pos: Pos, message: str):
        self.pos, self.message = pos, message

    def __lt__(self, other):
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


def did_you_mean(name: str, known) -> str:
    """ ``"; did you mean 'x'?"`` for the nearest of ``known`` to ``name``, or "" when none is near."""
    import difflib  # only on the error path

    near = difflib.get_close_matches(str(name), [str(k) for k in known], n=1, cutoff=0.6)
    return f"; did you mean '{near[0]}'?" if near else ""


class StoryError(Exception):
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


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


class _Reader:
    """Validates YAML data against the format, collecting problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.kpi_ids: set = set()
        self.kpis: dict = {}  # id -> Kpi, for the ranges of impossible comparisons
        self.capacity = None  # the story's Capacity, for choices' costs
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

    def written(self, pos: Pos, value) -> str:
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

    def mapping(self, data, pos: Pos, what: str, allowed: set, required: set = frozenset()) -> Map | None:
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

    def seq(self, data, pos: Pos, what: str) -> Seq | None:
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

    def ident(self, m: Map, key: str, what: str, pattern=ID_RE) -> str | None:
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

    def number(self, m: Map, key: str, what: str, default=None):
        if key not in m:
            return default
        v = m[key]
        if not _num(v):
            self.err(m.at(key), f"'{key}' of {what} must be a number")
            return default
        return v

    def condition(self, m: Map, key: str, what: str):
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
            self.err(self.spot(pos, v, cond.offset), f"condition '{v}': {cond.message}")
            return None
        for ref in cond.refs:
            self.cond_refs.append((ref, self.spot(pos, v, ref.offset)))
        for offset, why in impossible_parts(cond, self.kpis):
            self.err(self.spot(pos, v, offset), f"condition '{v}' can never hold: {why}")
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
            parts = []
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


STORY_KEYS = {"id", "title", "version", "language", "start", "intro", "company", "kpis", "learning", "endings", "rounds", "audit",
              "shuffle", "capacity"}
# ``audit:`` in story.yaml: the thresholds of ``pizzaborg story audit`` (the author tools read them;
# see pizzaborg.author.settings for the defaults and docs/story-format.md#audit for their meaning).
# name -> (smallest, largest, whole number)
AUDIT_NUMBERS = {
    "length_share_max": (0, 1, False),
    "length_ratio_max": (0, 100, False),
    "position_share_max": (0, 1, False),
    "number_share_max": (0, 1, False),
    "temptation_min": (0, 1, False),
    "one_right_max": (0, 1, False),
    "stamp_share_max": (0, 1, False),
    "phrase_words": (2, 20, True),
    "phrase_repeats_max": (1, 10_000, True),
    "collective_share_max": (0, 1, False),
    "learner_score_max": (0, 100, False),
    "learner_best_share_max": (0, 1, False),
}
AUDIT_NUMBERS.update({k: (0, 1, False) for k in (  # issue 19's tells; the defaults live in pizzaborg.author.settings
    "cost_best_max", "cost_worst_max", "character_share_max", "vocabulary_share_max", "model_best_max",
    "learner_good_share_max", "best_player_min", "best_blocked_max", "coverage_thin_max")},
    character_min_options=(1, 1000, True), vocabulary_min_options=(1, 1000, True), coverage_decisions=(1, 1000, True))
AUDIT_KEYS = set(AUDIT_NUMBERS) | {"best_ending", "business_kpis", "trust_kpi", "virtue_words", "collective_phrase",
                                   "vocabulary", "characters", "good_ending"}
ROUND_FILE_KEYS = {"round", "scenes", "pools"}
ROUND_KEYS = {"id", "title", "intro", "reflection", "on_enter", "capacity"}
SCENE_KEYS = {"id", "title", "text", "when", "choices", "next", "draw", "markup", "shuffle", "pick"}
EVENT_KEYS = {"id", "title", "text", "when", "choices", "weight", "markup", "shuffle"}
CHOICE_KEYS = {"id", "text", "when", "effects", "set", "clear", "evidence", "worst", "borg", "note", "next",
               "effects_if", "cost", "pin"}
KPI_KEYS = {"id", "name", "unit", "min", "max", "start", "higher_is", "description", "saturate", "drift"}


def _read_file(path: Path, rel: str, reader: _Reader):
    from .files import NotRegularFile, TooLarge, read_bounded

    try:
        raw = read_bounded(path, MAX_FILE_BYTES)
    except NotRegularFile:
        reader.fatal(Pos(rel, 1, 1), "not a regular file (a pipe, a device or a link to one): not read")
        return None, b""
    except TooLarge:
        reader.fatal(Pos(rel, 1, 1), f"the file is larger than {MAX_FILE_BYTES // 1024} KiB; a story file may be at most "
                   f"{MAX_FILE_BYTES // 1024} KiB")
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
    for p in problems:
        (reader.fatal if data is None else reader.err)(p.pos, p.message)
    if data is None and not problems:
        reader.err(Pos(rel, 1, 1), "the file is empty")
    return data, raw


def load_story(path: str | Path | None = None) -> Story:
    """Load a story to play. An unchanged story comes from the cache (see ``cache``); a story with
    problems raises StoryError with all of them."""
    root = Path(path) if path is not None else default_story_dir()
    key = cache.key_of(root) if cache.cache_dir() is not None else None  # with the cache off, nothing extra is read
    story = cache.load(root, key)
    if story is not None:
        return story
    story, problems = read_story(root)
    if problems or story is None:
        raise StoryError(problems)
    if key is not None and cache.key_of(root) == key:  # unchanged while it was read
        cache.store(story, key)
    return story


class gc_paused:
    """Reading builds many small acyclic objects; the cyclic GC would rescan them again and again
    (superlinear on big stories), so it is paused while a story is read and checked."""

    def __enter__(self):
        self.was_on = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was_on:
            gc.enable()


def read_story(path: str | Path | None = None):
    """Read and validate a story folder: returns (story or None, problems)."""
    with gc_paused():
        return _read_story(path)


def _read_story(path):
    root = Path(path) if path is not None else default_story_dir()
    reader = _Reader()
    meta_path = root / "story.yaml"
    if root.is_file():
        reader.err(Pos(str(root), 1, 1), "a story is a folder with a story.yaml, not a file")
        return None, reader.problems
    if not root.exists():
        reader.err(Pos(str(root), 1, 1), "no such folder")
        return None, reader.problems
    if not meta_path.is_file():
        reader.err(Pos(str(meta_path), 1, 1), "no story.yaml here: is this a story folder?")
        return None, reader.problems
    digest = new_sha256()
    rel_meta = _rel(meta_path)
    data, raw = _read_file(meta_path, rel_meta, reader)
    digest.update(b"story.yaml\0" + raw + b"\0")
    sources = [(str(meta_path.absolute()), "story.yaml")]  # what the hash is made of (the cache checks them)
    if data is None:
        return None, reader.problems
    meta = reader.mapping(data, Pos(rel_meta, 1, 1), "story.yaml", STORY_KEYS, {"id", "title", "version", "start", "company", "kpis", "learning", "endings"})
    if meta is None:
        return None, reader.problems

    story_id = reader.ident(meta, "id", "the story") or "?"
    title = reader.text_value(meta, "title", "the story")
    version = reader.text_value(meta, "version", "the story")
    language = reader.text_value(meta, "language", "the story", "en")
    intro = reader.rich_text(meta, "intro", "the story")

    company_name, company_desc = "", ""
    if "company" in meta:
        comp = reader.mapping(meta["company"], meta.at("company"), "company", {"name", "description"}, {"name"})
        if comp is not None:
            company_name = reader.text_value(comp, "name", "company")
            company_desc = reader.text_value(comp, "description", "company")

    kpis = _read_kpis(meta, reader)
    reader.kpi_ids = set(kpis)
    reader.kpis = kpis
    shuffle = reader.flag_value(meta, "shuffle", "the story", True)
    reader.capacity = _read_capacity(meta, reader)
    areas, points, worst = _read_learning(meta, reader)
    endings = _read_endings(meta, reader)
    audit = _read_audit(meta, reader, kpis, endings)

    # round files
    files: list[tuple[Path, str, Pos]] = []
    if "rounds" in meta:
        seq = reader.seq(meta["rounds"], meta.at("rounds"), "'rounds'")
        for i, item in enumerate(seq or []):
            if not isinstance(item, str):
                reader.err(seq.at(i), "a round file must be a path")
                continue
            p = (root / item).resolve()
            try:
                p.relative_to(root.resolve())
            except ValueError:
                reader.err(seq.at(i), f"round file '{item}' is outside the story folder")
                continue
            if not p.exists() or p.is_dir():
                reader.err(seq.at(i), f"round file '{item}' does not exist")
                continue
            files.append((p, item, seq.at(i)))
    else:
        rdir = root / "rounds"
        for p in sorted(rdir.glob("*.yaml")) + sorted(rdir.glob("*.yml")):
            files.append((p, f"rounds/{p.name}", meta.pos))
        if not files:
            reader.err(meta.pos, "no round files: put them in rounds/*.yaml or list them in 'rounds'")

    rounds: dict = {}
    scenes: dict = {}
    pools: dict = {}
    pool_pos: dict = {}
    scene_pos: dict = {}
    for number, (p, rel_name, _) in enumerate(files, start=1):
        rel = _rel(p)
        rdata, rraw = _read_file(p, rel, reader)
        digest.update(rel_name.encode() + b"\0" + rraw + b"\0")
        sources.append((str(Path(p).absolute()), rel_name))
        if rdata is None:
            continue
        _read_round(rdata, rel, number, reader, rounds, scenes, pools, pool_pos, scene_pos)

    start = reader.ident(meta, "start", "the story") or ""
    story = Story(
        id=story_id,
        title=title,
        version=version,
        language=language,
        start=start,
        intro=intro,
        company=company_name,
        company_description=company_desc,
        kpis=kpis,
        areas=areas,
        points=points,
        worst=worst,
        endings=endings,
        rounds=rounds,
        scenes=scenes,
        pools=pools,
        hash=digest.hexdigest(),
        root=root,
        files=[rel_meta] + [_rel(p) for p, _, _ in files],
        audit=audit,
        shuffle=shuffle,
        capacity=reader.capacity,
    )
    story.__dict__["_sources"] = sources
    _check_references(story, meta, reader)
    if reader.suppressed:
        first = next(p for p in reader.problems if isinstance(p, SyntaxProblem))
        reader.fatal(first.pos, f"{reader.suppressed} reference(s) to ids are not checked until this file can be read "
                     "(they may be defined in it)")
    return (story if not reader.problems else None), sorted(reader.problems, key=problem_order)


def _rel(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):  # elsewhere, or the working directory was deleted
        return str(p)


def _read_kpis(meta: Map, reader: _Reader) -> dict:
    kpis: dict = {}
    if "kpis" not in meta:
        return kpis
    seq = reader.seq(meta["kpis"], meta.at("kpis"), "'kpis'")
    for i, item in enumerate(seq or []):
        k = reader.mapping(item, seq.at(i), "a KPI", KPI_KEYS, {"id", "name", "min", "max", "start"})
        if k is None:
            continue
        kid = reader.ident(k, "id", "a KPI", FLAG_RE)
        if kid is None:
            continue
        if kid in kpis:
            reader.err(k.at("id"), f"duplicate KPI id '{kid}'")
            continue
        lo, hi, start = (reader.number(k, key, f"KPI '{kid}'", 0) for key in ("min", "max", "start"))
        if lo > hi:
            reader.err(k.at("min"), f"KPI '{kid}': min is above max")
        elif not lo <= start <= hi:
            reader.err(k.at("start"), f"KPI '{kid}': start is outside min..max")
        higher = reader.text_value(k, "higher_is", f"KPI '{kid}'", "better")
        if higher not in ("better", "worse"):
            reader.err(k.at("higher_is"), "'higher_is' must be better or worse")
        kpi = Kpi(kid, reader.text_value(k, "name", "a KPI"), lo, hi, start, reader.text_value(k, "unit", "a KPI"), higher, reader.text_value(k, "description", "a KPI"))
        if "saturate" in k:
            sat = k["saturate"]
            if sat is True:
                sat = 1.0
            if sat is False:
                sat = 0.0
            if not _num(sat) or not 0 <= sat <= 1:
                reader.err(k.at("saturate"), f"KPI '{kid}': 'saturate' must be true, false or a number from 0 to 1")
            else:
                kpi.saturate = float(sat)
        if "drift" in k:
            d = k["drift"]
            if _num(d):
                kpi.drift = d
            elif isinstance(d, Map):
                dm = reader.mapping(d, k.at("drift"), f"'drift' of KPI '{kid}'", {"toward", "step"}, {"toward", "step"})
                if dm is not None and "toward" in dm and "step" in dm:
                    toward = reader.number(dm, "toward", f"'drift' of KPI '{kid}'")
                    step = reader.number(dm, "step", f"'drift' of KPI '{kid}'")
                    if toward is not None and not lo <= toward <= hi:
                        reader.err(dm.at("toward"), f"KPI '{kid}': 'toward' is outside min..max")
                    elif step is not None and step <= 0:
                        reader.err(dm.at("step"), f"KPI '{kid}': the drift 'step' must be above 0")
                    elif toward is not None and step is not None:
                        kpi.drift, kpi.drift_toward = step, toward
            else:
                reader.err(k.at("drift"), f"KPI '{kid}': 'drift' must be a number or {{toward, step}}")
        kpis[kid] = kpi
    if seq is not None and not kpis and not reader.problems:
        reader.err(seq.pos, "a story needs at least one KPI")
    return kpis


def _read_capacity(meta: Map, reader: _Reader):
    if "capacity" not in meta:
        return None
    c = reader.mapping(meta["capacity"], meta.at("capacity"), "'capacity'", {"id", "name", "per_round"}, {"id", "name", "per_round"})
    if c is None:
        return None
    cid = reader.ident(c, "id", "the capacity", FLAG_RE)
    per = reader.number(c, "per_round", "the capacity")
    if per is not None and per < 0:
        reader.err(c.at("per_round"), "'per_round' of the capacity must be 0 or more")
        per = None
    if cid is None or per is None:
        return None
    return Capacity(cid, reader.text_value(c, "name", "the capacity"), per, c.at("id"))


def _read_learning(meta: Map, reader: _Reader):
    areas, points, worst = {}, {}, {}
    if "learning" not in meta:
        return areas, points, worst
    lm = reader.mapping(meta["learning"], meta.at("learning"), "'learning'", {"areas", "worst_practices"}, {"areas"})
    if lm is None:
        return areas, points, worst
    seq = reader.seq(lm["areas"], lm.at("areas"), "'areas'") if "areas" in lm else None
    for i, item in enumerate(seq or []):
        a = reader.mapping(item, seq.at(i), "an area", {"id", "name", "description", "points"}, {"id", "name", "points"})
        if a is None:
            continue
        aid = reader.ident(a, "id", "an area")
        if aid is None:
            continue
        if aid in areas or aid in points:
            reader.err(a.at("id"), f"duplicate learning id '{aid}'")
            continue
        area = Area(aid, reader.text_value(a, "name", "an area"), [])
        areas[aid] = area
        pseq = reader.seq(a["points"], a.at("points"), "'points'") if "points" in a else None
        for j, pitem in enumerate(pseq or []):
            pm = reader.mapping(pitem, pseq.at(j), "a learning point", {"id", "name", "description"}, {"id", "name"})
            if pm is None:
                continue
            pid = reader.ident(pm, "id", "a learning point")
            if pid is None:
                continue
            if pid in points or pid in areas:
                reader.err(pm.at("id"), f"duplicate learning id '{pid}'")
                continue
            points[pid] = LearningPoint(pid, reader.text_value(pm, "name", "a learning point"), aid, reader.text_value(pm, "description", "a learning point"), pm.at("id"))
            area.points.append(pid)
    if "worst_practices" in lm:
        wseq = reader.seq(lm["worst_practices"], lm.at("worst_practices"), "'worst_practices'")
        for i, item in enumerate(wseq or []):
            w = reader.mapping(item, wseq.at(i), "a worst practice", {"id", "name", "description"}, {"id", "name"})
            if w is None:
                continue
            wid = reader.ident(w, "id", "a worst practice")
            if wid is None:
                continue
            if wid in worst:
                reader.err(w.at("id"), f"duplicate worst practice id '{wid}'")
                continue
            worst[wid] = WorstPractice(wid, reader.text_value(w, "name", "a worst practice"), reader.text_value(w, "description", "a worst practice"), w.at("id"))
    return areas, points, worst


def _read_endings(meta: Map, reader: _Reader) -> list:
    endings: list = []
    if "endings" not in meta:
        return endings
    seq = reader.seq(meta["endings"], meta.at("endings"), "'endings'")
    seen = set()
    for i, item in enumerate(seq or []):
        e = reader.mapping(item, seq.at(i), "an ending", {"id", "title", "text", "when", "epilogue"}, {"id", "title", "text"})
        if e is None:
            continue
        eid = reader.ident(e, "id", "an ending")
        if eid is None:
            continue
        if eid in seen:
            reader.err(e.at("id"), f"duplicate ending id '{eid}'")
            continue
        seen.add(eid)
        when = reader.condition(e, "when", f"ending '{eid}'")
        text = reader.rich_text(e, "text", "an ending")
        epilogue = reader.rich_text(e, "epilogue", f"ending '{eid}'")
        if epilogue:  # shown after the text: each line whose condition holds at the end
            text = Text(text.parts + epilogue.parts)
        endings.append(Ending(eid, reader.text_value(e, "title", "an ending"), text, when, e.pos))
    if seq is not None and not endings and not reader.problems:
        reader.err(seq.pos, "a story needs at least one ending")
    if endings and endings[-1].when is not None:
        reader.err(endings[-1].pos, f"the last ending ('{endings[-1].id}') must have no 'when': it is the one reached when no other applies")
    return endings


def _read_audit(meta: Map, reader: _Reader, kpis: dict, endings: list) -> dict:
    """The ``audit:`` mapping, checked: {name: value} with only the keys the author set."""
    out: dict = {}
    if "audit" not in meta:
        return out
    a = reader.mapping(meta["audit"], meta.at("audit"), "'audit'", AUDIT_KEYS)
    if a is None:
        return out
    for key in a:
        if key in AUDIT_NUMBERS:
            lo, hi, whole = AUDIT_NUMBERS[key]
            v = reader.number(a, key, "'audit'")
            if v is None:
                continue
            if not lo <= v <= hi or (whole and v != int(v)):
                kind = "a whole number" if whole else "a number"
                reader.err(a.at(key), f"'{key}' of 'audit' must be {kind} from {lo} to {hi}")
                continue
            out[key] = int(v) if whole else float(v)
        elif key in ("best_ending", "good_ending"):
            v = a[key]
            if not isinstance(v, str) or v not in {e.id for e in endings}:
                reader.err(a.at(key), f"'{key}' of 'audit' must be the id of an ending, not '{reader.written(a.at(key), v)}'")
                continue
            out[key] = v
        elif key == "trust_kpi":
            v = a[key]
            if not isinstance(v, str) or v not in kpis:
                reader.err(a.at(key), f"'trust_kpi' of 'audit' must be the id of a KPI, not '{reader.written(a.at(key), v)}'")
                continue
            out[key] = v
        elif key == "collective_phrase":
            v = reader.text_value(a, key, "'audit'")
            if v.strip():
                out[key] = v.strip()
        else:  # business_kpis, virtue_words: lists
            seq = reader.seq(a[key], a.at(key), f"'{key}' of 'audit'")
            if seq is None:
                continue
            items = []
            for i, v in enumerate(seq):
                if key == "business_kpis" and (not isinstance(v, str) or v not in kpis):
                    reader.err(seq.at(i), f"unknown KPI '{reader.written(seq.at(i), v)}' in 'business_kpis' of 'audit'")
                elif key == "virtue_words" and (not isinstance(v, str) or not v.strip() or len(v.split()) != 1):
                    reader.err(seq.at(i), "a word in 'virtue_words' of 'audit' must be one word of text")
                else:
                    items.append(v.strip().lower() if key == "virtue_words" else v)
            out[key] = items
    return out


def _read_round(data, rel, number, reader, rounds, scenes, pools, pool_pos, scene_pos) -> None:
    top = reader.mapping(data, Pos(rel, 1, 1), "a round file", ROUND_FILE_KEYS, {"round"})
    if top is None or "round" not in top:
        return
    r = reader.mapping(top["round"], top.at("round"), "'round'", ROUND_KEYS, {"id", "title"})
    if r is None:
        return
    rid = reader.ident(r, "id", "a round")
    if rid is None:
        return
    if rid in rounds:
        reader.err(r.at("id"), f"duplicate round id '{rid}'")
        return
    question, questions = "", ()
    if "reflection" in r:
        refl = reader.mapping(r["reflection"], r.at("reflection"), "'reflection'", {"question"}, {"question"})
        if refl is not None and "question" in refl:
            if isinstance(refl["question"], Seq):
                # several questions: the first whose 'when' holds as the round ends is asked
                parts = reader.rich_text(refl, "question", "'reflection'").parts
                questions = tuple((cond, text.strip()) for cond, text in parts)
                question = next((t for c, t in questions if c is None), "")  # the fallback, if any
            else:
                question = reader.text_value(refl, "question", "'reflection'")
    on_enter = tuple(reader.conditional_effects(r, "on_enter", f"round '{rid}'"))
    capacity = None
    if "capacity" in r:
        if reader.capacity is None:
            reader.err(r.key_at("capacity"), f"round '{rid}' sets a capacity but the story has none (add 'capacity' to story.yaml)")
        else:
            capacity = reader.number(r, "capacity", f"round '{rid}'")
            if capacity is not None and capacity < 0:
                reader.err(r.at("capacity"), "'capacity' of a round must be 0 or more")
                capacity = None
    rounds[rid] = Round(rid, number, reader.text_value(r, "title", "a round"), reader.rich_text(r, "intro", "a round"),
                        question, rel, questions, on_enter, capacity)

    if "scenes" in top:
        seq = reader.seq(top["scenes"], top.at("scenes"), "'scenes'")
        for i, item in enumerate(seq or []):
            scene = _read_scene(item, seq.at(i), rid, reader, pool=None)
            if scene is not None:
                _add_scene(scene, scenes, scene_pos, reader)
    if "pools" in top:
        pm = reader.mapping(top["pools"], top.at("pools"), "'pools'", set(top["pools"]) if isinstance(top["pools"], Map) else set())
        for name in pm or {}:
            if not isinstance(name, str) or not ID_RE.match(name):
                reader.err(pm.key_at(name), f"'{name}' is not a valid pool name")
                continue
            if name in pools:
                reader.err(pm.key_at(name), f"duplicate pool '{name}' (first at {pool_pos[name]})")
                continue
            pools[name] = []
            pool_pos[name] = pm.key_at(name)
            eseq = reader.seq(pm[name], pm.at(name), f"pool '{name}'")
            for i, item in enumerate(eseq or []):
                scene = _read_scene(item, eseq.at(i), rid, reader, pool=name)
                if scene is not None and _add_scene(scene, scenes, scene_pos, reader):
                    pools[name].append(scene.id)


def _add_scene(scene: Scene, scenes: dict, scene_pos: dict, reader: _Reader) -> bool:
    if scene.id in scenes:
        reader.err(scene.pos, f"duplicate scene id '{scene.id}' (first at {scene_pos[scene.id]})")
        return False
    scenes[scene.id] = scene
    scene_pos[scene.id] = scene.pos
    return True


def _read_scene(item, pos: Pos, round_id: str, reader: _Reader, pool: str | None) -> Scene | None:
    what = "an event" if pool else "a scene"
    s = reader.mapping(item, pos, what, EVENT_KEYS if pool else SCENE_KEYS, {"id"})
    if s is None:
        return None
    sid = reader.ident(s, "id", what)
    if sid is None:
        return None
    what = f"{'event' if pool else 'scene'} '{sid}'"
    scene = Scene(sid, s.at("id"), round_id, pool=pool)
    scene.title = reader.text_value(s, "title", what)
    scene.when = reader.condition(s, "when", what)
    if "markup" in s:
        if not isinstance(s["markup"], bool):
            reader.err(s.at("markup"), "'markup' must be true or false")
        else:
            scene.markup = s["markup"]
    scene.shuffle = reader.flag_value(s, "shuffle", what, True)
    if pool and isinstance(s.get("weight"), Seq):
        scene.weights = _read_weights(s, what, reader)
    elif pool:
        w = reader.number(s, "weight", what, 1)
        if w <= 0:
            reader.err(s.at("weight"), "'weight' must be above 0")
            w = 1
        scene.weight = w
    if "pick" in s and not pool:
        scene.pick = _read_pick(s, what, reader)
    if "draw" in s:
        d = reader.mapping(s["draw"], s.at("draw"), "'draw'", {"pool", "count"}, {"pool"})
        if d is not None and "pool" in d:
            if not isinstance(d["pool"], str):
                reader.err(d.at("pool"), "'pool' must be a pool name")
            else:
                scene.draw_pool = d["pool"]
                scene.draw_pos = d.at("pool")
            count = reader.number(d, "count", "'draw'", 1)
            if count != int(count) or count < 1:
                reader.err(d.at("count"), "'count' must be a whole number of at least 1")
                count = 1
            scene.draw_count = int(count)
        for key in ("text", "choices", "title"):
            if key in s:
                reader.err(s.key_at(key), f"a draw point has no '{key}': it only draws events")
    scene.text = reader.rich_text(s, "text", what)
    if not pool:
        scene.next = reader.routes(s, "next", what) or []
    if "choices" in s:
        seq = reader.seq(s["choices"], s.at("choices"), f"'choices' of {what}")
        for i, citem in enumerate(seq or []):
            choice = _read_choice(citem, seq.at(i), what, reader, in_event=bool(pool))
            if choice is None:
                continue
            if scene.choice(choice.id):
                reader.err(choice.pos, f"duplicate choice id '{choice.id}' in {what}")
                continue
            scene.choices.append(choice)
        if seq is not None and not seq:
            reader.err(seq.pos, f"{what} has an empty list of choices (leave 'choices' out for a Continue)")
    if scene.pick is not None:
        lo, hi = scene.pick
        if len(scene.choices) < hi and "choices" in s:
            reader.err(s.at("pick"), f"{what} picks up to {hi} but has only {len(scene.choices)} choice(s)")
        if "choices" not in s:
            reader.err(s.key_at("pick"), f"{what} has 'pick' but no choices")
        for c in scene.choices:
            if c.next is not None:
                reader.err(c.pos, f"choice '{c.id}' of {what}: the choices of a 'pick' scene have no 'next' (the scene's 'next' applies)")
        if not scene.next:
            reader.err(s.pos, f"{what} has 'pick' and needs a 'next'")
    if not scene.choices and not scene.is_draw:
        scene.choices.append(Choice("continue", Text(((None, "Continue"),)), scene.pos, synthetic=True))
    if not scene.text and not scene.is_draw:
        reader.err(s.pos, f"{what} has no 'text'")
    return scene


def _read_choice(item, pos: Pos, scene_what: str, reader: _Reader, in_event: bool) -> Choice | None:
    # 'text' is required too, but reported below with the choice's id, once
    c = reader.mapping(item, pos, f"a choice of {scene_what}", CHOICE_KEYS, {"id"})
    if c is None:
        return None
    cid = reader.ident(c, "id", f"a choice of {scene_what}", CHOICE_ID_RE)
    if cid is None:
        return None
    what = f"choice '{cid}' of {scene_what}"
    choice = Choice(cid, reader.rich_text(c, "text", what, required=True), c.at("id"))
    choice.when = reader.condition(c, "when", what)
    choice.borg = reader.rich_text(c, "borg", what)
    choice.note = reader.rich_text(c, "note", what)
    choice.effects = reader.effects(c, "effects", what)
    choice.effects_if = reader.conditional_effects(c, "effects_if", what)
    if "pin" in c:
        if c["pin"] not in ("first", "last"):
            reader.err(c.at("pin"), f"'pin' of {what} must be first or last")
        else:
            choice.pin = c["pin"]
    if "cost" in c:
        cost = reader.mapping(c["cost"], c.at("cost"), f"'cost' of {what}", set(c["cost"]) if isinstance(c["cost"], Map) else set())
        for k in cost or {}:
            cap = reader.capacity
            if cap is None or k != cap.id:
                known = f" (the story's capacity is '{cap.id}')" if cap else " (the story has no 'capacity')"
                reader.err(cost.key_at(k), f"unknown capacity '{k}' in the cost of {what}{known}")
            elif not _num(cost[k]) or cost[k] < 0:
                reader.err(cost.at(k), f"the cost in '{k}' must be a number of 0 or more")
            else:
                choice.cost = cost[k]
    if "evidence" in c:
        ev = reader.mapping(c["evidence"], c.at("evidence"), f"'evidence' of {what}", set(c["evidence"]) if isinstance(c["evidence"], Map) else set())
        for k in ev or {}:
            if not _num(ev[k]):
                reader.err(ev.at(k), f"the evidence weight for '{k}' must be a number")
            else:
                choice.evidence[k] = ev[k]
                reader.cond_refs.append((_LpRef(k), ev.key_at(k)))
    for key in ("set", "clear", "worst"):
        if key in c:
            seq = reader.seq(c[key], c.at(key), f"'{key}' of {what}")
            for i, v in enumerate(seq or []):
                pattern = FLAG_RE if key != "worst" else ID_RE
                if not isinstance(v, str) or not pattern.match(v):
                    reader.err(seq.at(i), f"'{v}' is not a valid {'flag name' if key != 'worst' else 'worst practice id'}")
                    continue
                getattr(choice, key).append(v)
                if key == "worst":
                    reader.cond_refs.append((_WorstRef(v), seq.at(i)))
    if in_event and "next" in c:
        reader.err(c.key_at("next"), f"{what}: a choice in a pool event has no 'next' (events return to their draw point)")
    else:
        choice.next = reader.routes(c, "next", what)
    return choice


def _check_costs(story: Story, cap, reader: _Reader) -> None:
    """A cost its round can never pay (events: no round), and portfolios whose cheapest allowed set of
    picks costs more than the round has."""
    def budget(rid):
        r = story.rounds.get(rid)
        return cap.per_round if r is None or r.capacity is None else r.capacity

    name = cap.name or cap.id
    hubs: dict = {}
    for s in story.scenes.values():
        if s.is_draw:
            hubs.setdefault(s.draw_pool, []).append(budget(s.round))
    for s in story.scenes.values():
        if s.is_event:
            most = max(hubs.get(s.pool, []), default=cap.per_round)
            where = "any round that draws it"
        else:
            most = budget(s.round)
            where = f"its round ('{s.round}')"
        for c in s.choices:
            if c.cost > most:
                reader.err(c.pos, f"choice '{c.id}' of scene '{s.id}' costs {c.cost:g} {name}, more than {where} ever has ({most:g})")
        if s.pick is not None and s.choices:
            cheapest = sum(sorted(c.cost for c in s.choices)[: s.pick[0]])
            if cheapest > most:
                reader.err(s.pos, f"scene '{s.id}': the {s.pick[0]} cheapest choices cost {cheapest:g} {name}, more than its round has ({most:g})")


def _read_weights(s: Map, what: str, reader: _Reader):
    """``weight: [{when: COND, weight: N}, ..., {weight: N}]``: the first entry that holds; the last has no 'when'."""
    seq = s["weight"]
    out = []
    for i, item in enumerate(seq):
        w = reader.mapping(item, seq.at(i), f"an entry of 'weight' of {what}", {"when", "weight"}, {"weight"})
        if w is None or "weight" not in w:
            continue
        value = reader.number(w, "weight", f"an entry of 'weight' of {what}")
        if value is None:
            continue
        if value < 0:
            reader.err(w.at("weight"), "a 'weight' must be 0 or more")
            continue
        when = reader.condition(w, "when", f"an entry of 'weight' of {what}")
        if "when" not in w and i != len(seq) - 1:
            reader.err(w.pos, "only the last entry of 'weight' may have no 'when'")
        out.append((when, value))
    if not seq or (isinstance(seq[-1], Map) and "when" in seq[-1]):
        reader.err(s.at("weight"), f"the last entry of 'weight' of {what} must have no 'when' (the weight when none holds)")
    return tuple(out) or None


def _read_pick(s: Map, what: str, reader: _Reader):
    v = s["pick"]
    if isinstance(v, Map):
        pm = reader.mapping(v, s.at("pick"), f"'pick' of {what}", {"min", "max"}, {"min", "max"})
        if pm is None or "min" not in pm or "max" not in pm:
            return None
        lo, hi, where = pm["min"], pm["max"], pm.at("min")
    else:
        lo = hi = v
        where = s.at("pick")
    for n in (lo, hi):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            reader.err(where, f"'pick' of {what} must be a whole number of at least 1, or {{min, max}}")
            return None
    if lo > hi:
        reader.err(where, f"'pick' of {what}: min is above max")
        return None
    return (lo, hi)


class _LpRef(Value):
    __slots__ = ("name", "kind")

    def __init__(self, name: str):
        self.name, self.kind = name, "evidence"


class _WorstRef(Value):
    __slots__ = ("name", "kind")

    def __init__(self, name: str):
        self.name, self.kind = name, "worst"


def _check_references(story: Story, meta: Map, reader: _Reader) -> None:
    scenes = story.scenes
    if story.start and story.start not in scenes:
        reader.missing(meta.at("start"), f"start scene '{story.start}' does not exist{did_you_mean(story.start, scenes)}")
    elif story.start in scenes and scenes[story.start].is_event:
        reader.err(meta.at("start"), "the start scene cannot be a pool event")
    ending_ids = {e.id for e in story.endings}
    set_flags = {f for s in scenes.values() for c in s.choices for f in c.set}

    def check_dest(route: Route):
        to = route.to
        if to == END:
            return
        if to.startswith(ENDING_PREFIX):
            if to[len(ENDING_PREFIX):] not in ending_ids:
                name = to[len(ENDING_PREFIX):]
                reader.missing(route.pos, f"unknown ending '{name}'{did_you_mean(name, ending_ids)}")
            return
        if to not in scenes:
            reader.missing(route.pos, f"unknown scene '{to}'{did_you_mean(to, scenes)}")
        elif scenes[to].is_event:
            reader.err(route.pos, f"'{to}' is a pool event: events are reached through a draw point")

    for s in scenes.values():
        for r in s.next:
            check_dest(r)
        for c in s.choices:
            for r in c.next or []:
                check_dest(r)
        if s.is_draw and s.draw_pool not in story.pools:
            reader.missing(s.draw_pos or s.pos, f"unknown pool '{s.draw_pool}'{did_you_mean(s.draw_pool, story.pools)}")
        if not s.is_event and not s.next and any(c.next is None for c in s.choices):
            reader.err(s.pos, f"scene '{s.id}' has no 'next' and a choice that does not say where it leads")
        if s.is_draw and not s.next:
            reader.err(s.pos, f"draw point '{s.id}' needs a 'next'")

    cap = story.capacity
    if cap is not None:
        _check_costs(story, cap, reader)

    for ref, pos in reader.cond_refs:
        kind, name = ref.kind, ref.name
        if kind == "evidence" and name not in story.points:
            reader.missing(pos, f"unknown learning point '{name}'{did_you_mean(name, story.points)}")
        elif kind == "worst" and name not in story.worst:
            reader.missing(pos, f"unknown worst practice '{name}'{did_you_mean(name, story.worst)}")
        elif kind == "learning" and name not in story.points and name not in story.areas:
            reader.missing(pos, f"unknown learning point or area '{name}'{did_you_mean(name, [*story.points, *story.areas])}")
        elif kind == "scene" and name not in scenes:
            reader.missing(pos, f"unknown scene '{name}'{did_you_mean(name, scenes)}")
        elif kind == "choice":
            sid, _, cid = name.rpartition(".")
            if sid not in scenes:
                reader.missing(pos, f"unknown scene '{sid}' in chose(){did_you_mean(sid, scenes)}")
            elif scenes[sid].choice(cid) is None:
                reader.err(pos, f"scene '{sid}' has no choice '{cid}'{did_you_mean(cid, [c.id for c in scenes[sid].choices])}")
        elif kind == "flag" and name not in set_flags:
            reader.missing(pos, f"flag '{name}' is tested but never set by any choice{did_you_mean(name, set_flags)}")
