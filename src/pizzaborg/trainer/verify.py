"""Replay verification: rebuild a report from its story, seed and decisions and compare every field.

The story is found by the hash the report names, among the stories the verifier was given (the
shipped story, and ``--story DIR``). Each story is loaded once; replays of the same (story, seed,
decisions) are cached, so a cohort in which many learners took the same path replays it once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .report import (
    FORMAT,
    METADATA_KEYS,
    SCHEMA,
    ReplayMismatch,
    ReportError,
    assemble,
    check_report_shape,
    computed_part,
    parse_iso,
    read_json_file,
)

MAX_SHOWN = 5


@dataclass
class Verdict:
    name: str
    ok: bool
    problems: list = field(default_factory=list)  # one line each
    report: dict | None = None  # the rebuilt report (metadata as claimed) when the replay worked
    kind: str = "json"  # json | xapi
    readable: bool = True  # False: not a report at all (unreadable, not JSON, wrong format)

    @property
    def message(self) -> str:
        if self.ok:
            return "verified"
        return "; ".join(self.problems[:MAX_SHOWN]) + (f" (and {len(self.problems) - MAX_SHOWN} more)" if len(self.problems) > MAX_SHOWN else "")


class Verifier:
    def __init__(self, stories=(), assignment=None):
        self.stories: dict = {}  # hash -> Story
        self.ids: dict = {}  # story id -> [(version, hash)]
        self.assignment = assignment
        self._cache: dict = {}
        for s in stories:
            self.add_story(s)

    def add_story(self, story) -> None:
        self.stories.setdefault(story.hash, story)
        self.ids.setdefault(story.id, []).append((story.version, story.hash))

    # ---- the replay -----------------------------------------------------------------------------
    def computed(self, story, seed: int, decisions: list) -> dict:
        key = (story.hash, seed, tuple((d["scene"], d["choice"]) for d in decisions))
        hit = self._cache.get(key)
        if hit is None:
            try:
                hit = computed_part(story, seed, decisions)
            except ReplayMismatch as exc:
                hit = exc
            self._cache[key] = hit
        if isinstance(hit, ReplayMismatch):
            raise hit
        return hit

    def _story_for(self, ref: dict):
        story = self.stories.get(ref.get("hash"))
        if story is not None:
            return story, None
        known = self.ids.get(ref.get("id"))
        where = f"'{ref.get('id')}' version {ref.get('version')} (hash {str(ref.get('hash'))[:12]})"
        if known:
            have = ", ".join(f"version {v} (hash {h[:12]})" for v, h in known)
            return None, f"unknown story hash: the report was played with {where}; here there is {have} — pass --story DIR with that version"
        return None, f"unknown story hash: the report was played with {where}, which is not here — pass --story DIR with that story"

    # ---- entry points ---------------------------------------------------------------------------
    def verify_file(self, path) -> Verdict:
        name = str(path)
        try:
            data = read_json_file(path)
        except ReportError as exc:
            return Verdict(name, False, [str(exc)], readable=False)
        return self.verify_data(data, name)

    def verify_data(self, data, name: str) -> Verdict:
        if isinstance(data, list) or (isinstance(data, dict) and "verb" in data and "actor" in data):
            return self._verify_xapi(data if isinstance(data, list) else [data], name)
        try:
            check_report_shape(data, name)
        except ReportError as exc:
            return Verdict(name, False, [str(exc)], readable=False)
        story, why = self._story_for(data["story"])
        if story is None:
            return Verdict(name, False, [why])
        try:
            computed = self.computed(story, data["seed"], data["decisions"])
        except ReplayMismatch as exc:
            return Verdict(name, False, [f"a decision the story does not have: {exc}"])
        meta = {k: data.get(k) for k in METADATA_KEYS if k != "debrief"}
        rebuilt = assemble(_with_times(computed, data["decisions"]), meta)
        problems = [p for p in diff(data, rebuilt) if p.split(":", 1)[0].split(".", 1)[0].split("[", 1)[0] not in METADATA_KEYS]
        problems += _consistency(data)
        problems += self._assignment_problems(data)
        return Verdict(name, not problems, problems, rebuilt)

    def _assignment_problems(self, data: dict) -> list:
        a = self.assignment
        if a is None:
            return []
        problems = []
        claimed = data.get("assignment") or {}
        if claimed.get("id") != a.id:
            problems.append(f"not a report of this assignment (assignment id {claimed.get('id') or 'missing'}, expected {a.id})")
        if data.get("seed") != a.seed:
            problems.append(f"seed: the assignment sets {a.seed}, the report was played with {data.get('seed')}")
        if (data.get("story") or {}).get("hash") != a.story["hash"]:
            problems.append("story: not the story version the assignment pins")
        if claimed.get("mastery") != a.mastery:
            problems.append(f"assignment.mastery: the assignment sets {a.mastery}, the report says {claimed.get('mastery')}")
        if claimed.get("deadline") != a.deadline:
            problems.append(f"assignment.deadline: the assignment sets {a.deadline}, the report says {claimed.get('deadline')}")
        return problems

    def _verify_xapi(self, stmts: list, name: str) -> Verdict:
        from .xapi import XapiError, claim_of, statements

        try:
            claim = claim_of(stmts, name)
        except XapiError as exc:
            return Verdict(name, False, [str(exc)], kind="xapi", readable=False)
        story, why = self._story_for(claim["story"])
        if story is None:
            return Verdict(name, False, [why], kind="xapi")
        try:
            computed = self.computed(story, claim["seed"], claim["decisions"])
        except ReplayMismatch as exc:
            return Verdict(name, False, [f"a decision the story does not have: {exc}"], kind="xapi")
        m = claim["meta"]
        meta = {"format": FORMAT, "schema": SCHEMA, "generator": None, "learner": None, "cohort": m["cohort"],
                "assignment": m["assignment"], "date": m["finished"], "started": m["started"],
                "finished": m["finished"], "registration": m["registration"]}
        rebuilt = assemble(_with_times(computed, claim["decisions"]), meta)
        try:
            expected = statements(rebuilt, actor=claim["actor"])
        except (KeyError, TypeError, ValueError) as exc:
            return Verdict(name, False, [f"the statements cannot be rebuilt ({exc})"], kind="xapi")
        problems = []
        if len(expected) != len(stmts):
            problems.append(f"{len(stmts)} statements, the replay gives {len(expected)}")
        for i, (got, want) in enumerate(zip(stmts, expected)):
            verb = want["verb"]["display"]["en-US"]
            for p in diff(got, want):
                problems.append(f"statement {i + 1} ({verb}) {p}")
        data = dict(rebuilt)
        problems += _consistency(data)
        problems += self._assignment_problems(data)
        return Verdict(name, not problems, problems, rebuilt, kind="xapi")


def _with_times(computed: dict, claimed: list) -> dict:
    """The replay plus the claimed decision times (``at``: when the save says each decision was made,
    a claim like ``started``): a copy, the cached replay is left as it is."""
    if not any(isinstance(d, dict) and "at" in d for d in claimed):
        return computed
    out = dict(computed)
    out["decisions"] = [dict(e) for e in computed["decisions"]]
    for entry, d in zip(out["decisions"], claimed):
        if isinstance(d, dict) and "at" in d:
            entry["at"] = d["at"]
    return out


def _consistency(data: dict) -> list:
    """Claims that contradict each other (the metadata is not replayed, but must agree with itself)."""
    a = data.get("assignment") or {}
    problems = []
    if a.get("seed") is not None and a.get("seed") != data.get("seed"):
        problems.append(f"assignment.seed: the assignment sets {_fmt(a.get('seed'))}, the game was played with {_fmt(data.get('seed'))}")
    if a and data.get("cohort") != a.get("cohort"):
        problems.append(f"cohort: the report says {_fmt(data.get('cohort'))}, its assignment {_fmt(a.get('cohort'))}")
    previous = None
    for i, d in enumerate(data.get("decisions") or []):
        if not isinstance(d, dict) or "at" not in d:
            continue
        at = parse_iso(d["at"])
        if at is None:
            problems.append(f"decisions[{d.get('n', i + 1)}].at: {_fmt(d['at'])} is not a time")
        elif previous is not None and at < previous:
            problems.append(f"decisions[{d.get('n', i + 1)}].at: earlier than the decision before")
        else:
            previous = at
    return problems


def _fmt(v) -> str:
    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def _key_of(item) -> str | None:
    if isinstance(item, dict):
        for k in ("id", "n", "step", "number"):
            if k in item and isinstance(item[k], (str, int)) and not isinstance(item[k], bool):
                return str(item[k])
    return None


def diff(got, want, path: str = "") -> list:
    """Differences between a claimed value and the rebuilt one, one line each ('path: ...')."""
    out: list = []
    _diff(got, want, path, out)
    return out


def _same_number(a, b) -> bool:
    nums = (int, float)
    return (isinstance(a, nums) and isinstance(b, nums) and not isinstance(a, bool) and not isinstance(b, bool)
            and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)))


def _diff(got, want, path: str, out: list) -> None:
    if len(out) > 50 or got == want:  # equal values (1 and 1.0 are the same number): nothing to report
        return
    here = path or "the report"
    if isinstance(want, dict) and isinstance(got, dict):
        for k in want:
            sub = f"{path}.{k}" if path else str(k)
            if k not in got:
                out.append(f"{sub}: missing (the replay gives {_fmt(want[k])})")
            else:
                _diff(got[k], want[k], sub, out)
        for k in got:
            if k not in want:
                out.append(f"{(path + '.') if path else ''}{k}: not something a report has")
        return
    if isinstance(want, list) and isinstance(got, list):
        if len(got) != len(want):
            out.append(f"{here}: {len(got)} entries, the replay gives {len(want)}")
        for i, (g, w) in enumerate(zip(got, want)):
            key = _key_of(w)
            _diff(g, w, f"{path}[{key if key is not None else i}]", out)
        return
    if _same_number(got, want):
        return
    out.append(f"{here}: the report says {_fmt(got)}, the replay gives {_fmt(want)}")


def load_stories(story_dirs: list, include_shipped: bool = True):
    """(stories, problems): the shipped story (if it loads) and each --story DIR (which must)."""
    from ..engine import StoryError, load_story

    stories, problems = [], []
    if include_shipped:
        try:
            stories.append(load_story(None))
        except StoryError:
            pass  # a checkout without the shipped story: --story must name one
    for d in story_dirs:
        try:
            stories.append(load_story(d))
        except StoryError as exc:
            problems.append(f"the story in {d} cannot be loaded: {exc}")
    return stories, problems


def report_paths(items: list, patterns=("*.json",)) -> tuple:
    """Files named, and the report files in folders named: (paths, problems)."""
    paths, problems = [], []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(q for pat in patterns for q in p.rglob(pat) if q.is_file())
            if not found:
                problems.append(f"{p}: no report files (*.json) in this folder")
            paths.extend(found)
        elif p.exists():
            paths.append(p)
        else:
            problems.append(f"{p}: no such file or folder")
    return paths, problems
