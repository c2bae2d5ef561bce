"""Replay verification: rebuild a report from its story, seed and decisions and compare every field.

The story is found by the hash the report names, among the stories the verifier was given (the
shipped story, and ``--story DIR``). Each story is loaded once; replays of the same (story, seed,
decisions) are cached, so a cohort in which many learners took the same path replays it once.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ..engine.files import shown_path
from .handin import check_report_shape, read_json_file, undo_input
from .report import (
    ASSIGNMENT_REF_KEYS,
    FORMAT,
    METADATA_DECISION_KEYS,
    METADATA_KEYS,
    SCHEMA,
    ReplayMismatch,
    ReportError,
    assemble,
    computed_part,
    parse_iso,
    undo_record_note,
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
    note: str | None = None  # what a verified report cannot say (e.g. no undo record: an earlier version)

    @property
    def message(self) -> str:
        """One line, whatever the file held (keys and values quoted in it are escaped or cleaned)."""
        from ..engine.i18n import _

        if self.ok:
            return _("verified")
        from ..engine.text import clean

        more = len(self.problems) - MAX_SHOWN
        return clean("; ".join(self.problems[:MAX_SHOWN]), oneline=True) + (
            " " + _("(and {n} more)").format(n=more) if more > 0 else ""
        )


class Verifier:
    def __init__(self, stories=(), assignment=None):
        self.stories: dict = {}  # hash -> Story
        self.ids: dict = {}  # story id -> [(version, hash)]
        self.assignment = assignment
        self._cache: dict = {}
        self._languages: dict = {}  # (hash, language) -> the story told in it
        for s in stories:
            self.add_story(s)

    def add_story(self, story) -> None:
        self.stories.setdefault(story.hash, story)
        self.ids.setdefault(story.id, []).append((story.version, story.hash))

    # ---- the replay -----------------------------------------------------------------------------
    def computed(self, story, seed: int, decisions: list, undos: list | None = None, complete: bool = True) -> dict:
        key = (
            story.hash,
            story.language,  # a translation has the same hash, not the same texts
            seed,
            tuple((d["scene"], d["choice"]) for d in decisions),
            None if undos is None else tuple((u["decision"], u["scene"], u["choice"]) for u in undos),
            complete,
        )
        hit = self._cache.get(key)
        if hit is None:
            try:
                hit = computed_part(story, seed, decisions, undos, complete)
            except ReplayMismatch as exc:
                hit = exc
            self._cache[key] = hit
        if isinstance(hit, ReplayMismatch):
            raise hit
        return hit

    def _in_language(self, story, language: str | None):
        """The story in the language the game was played in (same hash; cached per language)."""
        if not language or language == story.language:
            return story
        key = (story.hash, language)
        hit = self._languages.get(key)
        if hit is None:
            from .report import story_in_language

            hit = self._languages[key] = story_in_language(story, language)
        return hit

    def _story_for(self, ref: dict):
        story = self.stories.get(ref.get("hash"))
        if story is not None:
            return story, None
        known = self.ids.get(ref.get("id"))
        where = f"'{ref.get('id')}' version {ref.get('version')} (hash {str(ref.get('hash'))[:12]})"
        if known:
            have = ", ".join(f"version {v} (hash {h[:12]})" for v, h in known)
            return (
                None,
                f"unknown story hash: the report was played with {where}; here there is {have} — pass --story DIR "
                "with that version",
            )
        return (
            None,
            f"unknown story hash: the report was played with {where}, which is not here — pass --story DIR with "
            "that story",
        )

    # ---- entry points ---------------------------------------------------------------------------
    def verify_file(self, path) -> Verdict:
        """One file's verdict. Whatever the file holds, this returns a verdict: one bad file never stops
        a run over many."""
        name = shown_path(path)
        try:
            data = read_json_file(path)
        except ReportError as exc:
            return Verdict(name, False, [str(exc)], readable=False)
        try:
            return self.verify_data(data, name)
        except (RecursionError, MemoryError) as exc:
            return Verdict(
                name,
                False,
                [f"cannot be verified ({type(exc).__name__}): not a report this game writes"],
                readable=False,
            )

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
        undos, complete = undo_input(data)
        story = self._in_language(story, data.get("language"))
        try:
            computed = self.computed(story, data["seed"], data["decisions"], undos, complete)
        except ReplayMismatch as exc:
            return Verdict(name, False, [f"{_what_failed(str(exc))}: {exc}"])
        meta = {k: data.get(k) for k in METADATA_KEYS if k != "debrief"}
        meta["times"] = [d.get("at") for d in data["decisions"]]
        meta["undo_times"] = [u.get("at") for u in data.get("undos") or []]
        rebuilt = assemble(computed, meta)
        # everything but the metadata is compared with the replay; the metadata was checked for its
        # form (check_report_shape) and is checked against itself and the assignment below
        problems = _undo_problems(data, rebuilt)
        problems += diff(_replayed(data), _replayed(rebuilt))
        problems += _consistency(data)
        problems += self._assignment_problems(data)
        return Verdict(name, not problems, problems, rebuilt, note=undo_record_note(rebuilt))

    def _assignment_problems(self, data: dict) -> list:
        a = self.assignment
        if a is None:
            return []
        problems = []
        claimed = data.get("assignment") or {}
        if claimed.get("id") != a.id:
            problems.append(
                f"not a report of this assignment (assignment id {_fmt(claimed.get('id') or 'missing')}, expected "
                f"{a.id})"
            )
        if data.get("seed") != a.seed:
            problems.append(f"seed: the assignment sets {a.seed}, the report was played with {_fmt(data.get('seed'))}")
        if (data.get("story") or {}).get("hash") != a.story["hash"]:
            problems.append("story: not the story version the assignment pins")
        want = a.ref()
        for key in ASSIGNMENT_REF_KEYS:
            if key == "id":
                continue
            if claimed.get(key) != want.get(key):
                problems.append(
                    f"assignment.{key}: the assignment sets {_fmt(want.get(key))}, the report says "
                    f"{_fmt(claimed.get(key))}"
                )
        if a.undo == "off" and data.get("undos"):
            problems.append(f"undos: the assignment allows no undo, the report has {len(data['undos'])}")
        if data.get("cohort") != a.cohort:
            problems.append(
                f"cohort: the assignment's cohort is {_fmt(a.cohort)}, the report says {_fmt(data.get('cohort'))}"
            )
        return problems

    def _verify_xapi(self, stmts: list, name: str) -> Verdict:
        from .xapi import XapiError, check_actor, claim_of, statements

        try:
            claim = claim_of(stmts, name)
        except XapiError as exc:
            return Verdict(name, False, [str(exc)], kind="xapi", readable=False)
        story, why = self._story_for(claim["story"])
        if story is None:
            return Verdict(name, False, [why], kind="xapi")
        try:
            told = self._in_language(story, claim["meta"].get("language"))
            computed = self.computed(told, claim["seed"], claim["decisions"], claim["undos"], claim["undos_complete"])
        except ReplayMismatch as exc:
            return Verdict(name, False, [f"{_what_failed(str(exc))}: {exc}"], kind="xapi")
        m = claim["meta"]
        schema = SCHEMA if claim["undos"] is not None else 1  # statements of an earlier version: no undo record
        meta = {
            "format": FORMAT,
            "schema": schema,
            "generator": None,
            "learner": None,
            "cohort": m["cohort"],
            "assignment": m["assignment"],
            "date": m["finished"],
            "started": m["started"],
            "finished": m["finished"],
            "registration": m["registration"],
            "times": m.get("times"),
            "undo_times": m.get("undo_times"),
        }
        if m.get("language") is not None:
            meta["language"] = m["language"]
        rebuilt = assemble(computed, meta)
        try:
            expected = statements(rebuilt, actor=claim["actor"])
        except (KeyError, TypeError, ValueError) as exc:
            return Verdict(name, False, [f"the statements cannot be rebuilt ({exc})"], kind="xapi")
        problems = []
        why = check_actor(claim["actor"], m["assignment"])
        if why:
            problems.append(why)
        if len(expected) != len(stmts):
            problems.append(f"{len(stmts)} statements, the replay gives {len(expected)}")
        for i, (got, want) in enumerate(zip(stmts, expected, strict=False)):
            verb = want["verb"]["display"]["en-US"]
            for p in diff(got, want):
                problems.append(f"statement {i + 1} ({verb}) {p}")
        data = dict(rebuilt)
        problems += _consistency(data)
        problems += self._assignment_problems(data)
        return Verdict(name, not problems, problems, rebuilt, kind="xapi", note=undo_record_note(rebuilt))


def _what_failed(message: str) -> str:
    return "an undo the story does not have" if message.startswith("undo ") else "a decision the story does not have"


def _undo_problems(data: dict, rebuilt: dict) -> list:
    """An undo removed from the record, or one added: said in one line before the differences it makes."""
    if "undone" not in rebuilt or not isinstance(data.get("undone"), int) or data["undone"] == rebuilt["undone"]:
        return []
    listed, said = rebuilt["undone"], data["undone"]
    how = "removed" if listed < said else "added"
    return [f"undos: the record lists {listed}, the report says {said} were made (an undo {how}?)"]


def _replayed(report: dict) -> dict:
    """The part of a report the replay rebuilds: without the metadata (and each decision's time)."""
    out = {k: v for k, v in report.items() if k not in METADATA_KEYS}
    for key in ("decisions", "undos"):
        if isinstance(out.get(key), list):
            out[key] = [
                {k: v for k, v in d.items() if k not in METADATA_DECISION_KEYS} if isinstance(d, dict) else d
                for d in out[key]
            ]
    return out


def _consistency(data: dict) -> list:
    """Claims that contradict each other (the metadata is not replayed, but must agree with itself)."""
    a = data.get("assignment") or {}
    problems = []
    started, finished = parse_iso(data.get("started")), parse_iso(data.get("finished"))
    if data.get("date") != data.get("finished"):
        problems.append(f"date: the report says {_fmt(data.get('date'))}, but it finished {_fmt(data.get('finished'))}")
    if a.get("deadline") and finished is None:
        problems.append("finished: missing, so the deadline cannot be checked")
    if started and finished and finished < started:
        problems.append("finished: before the game started")
    times = [d.get("at") for d in data.get("decisions") or [] if isinstance(d, dict)]
    if any(times):
        first = next(i for i, t in enumerate(times) if t)
        if not all(times[first:]):  # untimed decisions only before the first timed one: a game saved by an
            problems.append("decisions: a time ('at') is missing after the first one")  # older version, continued
        else:
            times = times[first:]
            slack = timedelta(seconds=1)  # started and finished are whole seconds
            stamps = [s for s in map(parse_iso, times) if s is not None]  # one that is not a time: see below
            if any(later < earlier for earlier, later in zip(stamps, stamps[1:], strict=False)):
                problems.append("decisions: their times ('at') go backwards")
            if started and stamps and stamps[0] + slack < started:
                problems.append("decisions: the first was made before the game started")
            if finished and stamps and stamps[-1] > finished + slack:
                problems.append("decisions: the last was made after the game finished")
    if a.get("seed") is not None and a.get("seed") != data.get("seed"):
        problems.append(
            f"assignment.seed: the assignment sets {_fmt(a.get('seed'))}, the game was played with "
            f"{_fmt(data.get('seed'))}"
        )
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


def _name(key) -> str:
    """A key as it appears in a problem's path: as is when it is short and printable, else quoted with
    escapes (a key may hold a line break or an escape sequence)."""
    key = str(key)
    if key.isprintable() and len(key) <= 60:
        return key
    text = json.dumps(key)
    return text if len(text) <= 62 else text[:60] + '…"'


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
    return (
        isinstance(a, nums)
        and isinstance(b, nums)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
        and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    )


def _diff(got, want, path: str, out: list) -> None:
    if len(out) > 50 or got == want:  # equal values (1 and 1.0 are the same number): nothing to report
        return
    here = path or "the report"
    if isinstance(want, dict) and isinstance(got, dict):
        for k in want:
            sub = f"{path}.{_name(k)}" if path else _name(k)
            if k not in got:
                out.append(f"{sub}: missing (the replay gives {_fmt(want[k])})")
            else:
                _diff(got[k], want[k], sub, out)
        for k in got:
            if k not in want:
                out.append(f"{(path + '.') if path else ''}{_name(k)}: not something a report has")
        return
    if isinstance(want, list) and isinstance(got, list):
        if len(got) != len(want):
            out.append(f"{here}: {len(got)} entries, the replay gives {len(want)}")
        for i, (g, w) in enumerate(zip(got, want, strict=False)):
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


MAX_FOLDER_DEPTH = 16


def report_paths(items: list, patterns=("*.json",)) -> tuple:
    """Files named, and the report files in folders named: (paths, problems as lines)."""
    paths, problems = search_reports(items, patterns)
    return paths, [f"{where}: {why}" for where, why in problems]


def search_reports(items: list, patterns=("*.json",)) -> tuple:
    """Files named, and the report files in folders named: (paths, [(where, why)]).

    Folders are searched without following links to folders, at most MAX_FOLDER_DEPTH levels deep;
    every entry that matches a pattern and is not a folder is returned, whatever it is (a pipe, a
    device, a link): reading it says what is wrong with it, so it gets its own verdict."""
    import fnmatch

    paths, problems = [], []
    for item in items:
        p = Path(item)
        try:
            is_dir = p.is_dir()
            exists = is_dir or p.exists() or p.is_symlink()
        except (OSError, ValueError):
            is_dir, exists = False, True  # let reading it say what is wrong
        if is_dir:
            found = []
            stack = [(p, 0)]
            while stack:
                folder, level = stack.pop()
                try:
                    with os.scandir(folder) as it:
                        entries = list(it)
                except OSError as exc:
                    problems.append((shown_path(folder), f"cannot be searched ({exc.strerror or exc})"))
                    continue
                for e in entries:
                    try:
                        sub = e.is_dir(follow_symlinks=False)
                    except OSError:
                        sub = False
                    if sub:
                        if level + 1 > MAX_FOLDER_DEPTH:
                            problems.append(
                                (shown_path(e.path), f"more than {MAX_FOLDER_DEPTH} folders deep, not searched")
                            )
                        else:
                            stack.append((Path(e.path), level + 1))
                    elif any(fnmatch.fnmatch(e.name, pat) for pat in patterns):
                        found.append(Path(e.path))
            if not found:
                problems.append((shown_path(p), "no report files (*.json) in this folder"))
            paths.extend(sorted(found, key=lambda q: os.fsencode(q)))
        elif exists:
            paths.append(p)
        else:
            problems.append((shown_path(p), "no such file or folder"))
    return paths, problems
