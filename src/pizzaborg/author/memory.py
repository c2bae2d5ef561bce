"""The story's memory seams, found by ``story check`` (issue 19): what the story forgets it told.

A story remembers through flags. Four seams a tool can see in the YAML:

- **a character who left comes back**: a flag named ``<name>_left`` or ``<name>_gone`` (the
  author's mark that the character has left: ``julian_left``) is set by a choice, and a scene that
  can follow it, or an ending or epilogue line, names the character in a text whose condition does
  not read that flag;
- **an option offered again after it was taken**: a choice that sets a flag is a commitment (the
  story marks it one-off by remembering it); a scene that can follow it offers the same choice (the
  same text, or the same id and a text at least 60 % alike), and neither that choice nor its scene
  reads the flag (or ``chose()``s it);
- **a flag set and never read**: no condition anywhere (scenes, choices, texts, routes, effects,
  rounds, endings) reads it, so the decision that set it is forgotten;
- **a flag read before it can be set**: a scene reads a flag that no scene before it sets (no scene
  that sets the flag can lead to the reading scene), so the condition is always false there.

These are warnings (``path:line:col: warning: ...``): the story still loads and plays.
"""

from __future__ import annotations

import difflib
import re

from ..engine.conditions import Condition
from ..engine.loader import Problem
from .check import graph

LEAVE_SUFFIXES = ("_left", "_gone")


def _conditions(obj, pos, out: list, seen: set) -> None:
    """Every Condition under ``obj`` (model records, lists, tuples, dicts), with the position of the
    nearest record that has one: [(condition, pos)]."""
    if isinstance(obj, Condition):
        out.append((obj, pos))
        return
    if id(obj) in seen or isinstance(obj, (str, int, float, bool)) or obj is None:
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        for v in obj.values():
            _conditions(v, pos, out, seen)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _conditions(v, pos, out, seen)
    elif hasattr(obj, "__slots__"):
        pos = getattr(obj, "pos", None) or pos
        for name in obj.__slots__:
            if name not in ("pos", "__dict__"):
                _conditions(getattr(obj, name, None), pos, out, seen)


def _reads(obj, pos=None) -> list:
    """[(flag, pos)] read by the conditions under ``obj``."""
    found: list = []
    _conditions(obj, pos, found, set())
    return [(r.name, p) for c, p in found for r in c.refs if r.kind == "flag"]


def _chosen(obj) -> set:
    found: list = []
    _conditions(obj, None, found, set())
    return {r.name for c, _ in found for r in c.refs if r.kind == "choice"}


def _after(story) -> dict:
    """{scene id: the scenes that can follow it (one step or more)}."""
    edges = graph(story)
    out = {}
    for start in story.scenes:
        seen, todo = set(), list(edges.get(start, ()))
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(edges.get(n, ()))
        out[start] = {n for n in seen if n in story.scenes}
    return out


def _setters(story) -> dict:
    """{flag: [(scene, choice)]} in story order."""
    out: dict = {}
    for s in story.scenes.values():
        for c in s.choices:
            for f in c.set:
                out.setdefault(f, []).append((s, c))
    return out


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


SAME_TEXT = 0.6  # two choices with one id are one offer when their texts are this alike (difflib ratio)


def _same(c, c2, text: str) -> bool:
    """The same offer: the same text, or the same id and a text at least SAME_TEXT alike."""
    other = _norm(c2.text.all_text)
    if other == text:
        return True
    return c2.id == c.id and difflib.SequenceMatcher(None, text, other).ratio() >= SAME_TEXT


def _texts(scene):
    """(condition reads, text, pos) of each part of a scene shown to the player."""
    base = {f for f, _ in _reads(scene.when)}
    for cond, t in scene.text.parts:
        yield base | {f for f, _ in _reads(cond)}, t, scene.pos
    for c in scene.choices:
        guard = base | {f for f, _ in _reads(c.when)}
        for kind in ("text", "borg", "note"):
            for cond, t in getattr(c, kind).parts:
                yield guard | {f for f, _ in _reads(cond)}, t, c.pos


def leaving_warnings(story, after, setters) -> list:
    out = []
    for flag, where in setters.items():
        if not flag.endswith(LEAVE_SUFFIXES):
            continue
        who = flag.rsplit("_", 1)[0].replace("_", " ")
        pattern = re.compile(rf"(?<![\w]){re.escape(who)}(?![\w])", re.IGNORECASE)
        warned = set()
        for s, c in where:
            for sid in sorted(after[s.id], key=lambda i: list(story.scenes).index(i)):
                if sid in warned or sid == s.id:
                    continue
                for reads, t, pos in _texts(story.scenes[sid]):
                    if flag not in reads and pattern.search(t):
                        warned.add(sid)
                        out.append(
                            Problem(
                                pos,
                                f"warning: '{sid}' names {who.title()} after '{s.id}.{c.id}' sets "
                                f"flag.{flag} (they left): guard the text with 'not flag.{flag}'",
                            )
                        )
                        break
        s, c = where[0]
        seen_texts = set()
        for e in story.endings:  # the ending and its epilogue come after every scene
            base = {f for f, _ in _reads(e.when)}
            for cond, t in e.text.parts:
                if t in seen_texts or flag in base | {f for f, _ in _reads(cond)} or not pattern.search(t):
                    continue
                seen_texts.add(t)
                quote = t if len(t) <= 40 else t[:39] + "…"
                out.append(
                    Problem(
                        e.pos,
                        f"warning: ending '{e.id}' names {who.title()} in \"{quote}\", which does not "
                        f"read flag.{flag} (set by '{s.id}.{c.id}': they left): guard it with "
                        f"'not flag.{flag}'",
                    )
                )
    return out


def repeat_warnings(story, after) -> list:
    out = []
    for s in story.scenes.values():
        for c in s.choices:
            if not c.set or c.synthetic:
                continue
            text = _norm(c.text.all_text)
            for sid in after[s.id]:
                if sid == s.id:
                    continue
                later = story.scenes[sid]
                for c2 in later.choices:
                    if c2.synthetic or not _same(c, c2, text):
                        continue
                    guard = {f for f, _ in _reads(later.when)} | {f for f, _ in _reads(c2.when)}
                    chosen = _chosen(later.when) | _chosen(c2.when)
                    if set(c.set) & guard or f"{s.id}.{c.id}" in chosen:
                        continue
                    out.append(
                        Problem(
                            c2.pos,
                            f"warning: '{sid}.{c2.id}' offers again what '{s.id}.{c.id}' chose "
                            f"(it sets flag.{c.set[0]}): guard it with 'when: not flag.{c.set[0]}'",
                        )
                    )
    return out


def flag_warnings(story, after, setters) -> list:
    out = []
    scene_reads = {s.id: _reads(s) for s in story.scenes.values()}
    everything = {f for f, _ in _reads(story)}
    for flag, where in setters.items():
        if flag not in everything:
            s, c = where[0]
            out.append(
                Problem(
                    c.pos,
                    f"warning: flag '{flag}' is set by '{s.id}.{c.id}' and never read: the story forgets this decision",
                )
            )
    for sid, reads in scene_reads.items():
        warned = set()
        for flag, pos in reads:
            if flag in warned or flag not in setters:
                continue
            if not any(sid in after[s.id] for s, _ in setters[flag]):
                warned.add(flag)
                first = setters[flag][0]
                out.append(
                    Problem(
                        pos or story.scenes[sid].pos,
                        (
                            f"warning: '{sid}' reads flag.{flag} before any scene that sets it (set by "
                            f"'{first[0].id}.{first[1].id}', which cannot come before it): the condition is always "
                            "false "
                            "here"
                        ),
                    )
                )
    return out


def memory_warnings(story) -> list:
    """Every memory seam of ``story`` as a warning Problem, sorted by position."""
    after = _after(story)
    setters = _setters(story)
    problems = leaving_warnings(story, after, setters) + repeat_warnings(story, after)
    problems += flag_warnings(story, after, setters)
    return sorted(set(problems), key=lambda p: (p.pos.path, p.pos.line, p.pos.col, p.message))
