"""Graph checks of a loaded story: reachability, dead ends, endings, unused learning points."""

from __future__ import annotations

import re
from pathlib import Path

from ..engine.loader import Problem, gc_paused, read_story
from ..engine.model import END, ENDING_PREFIX, Story
from ..engine.yamlsrc import Pos


def _at(story: Story, pos: Pos | None) -> Pos:
    """Where a problem is shown: ``pos``, or the top of story.yaml for a value built without one."""
    return pos if pos is not None else Pos(story.files[0] if story.files else "story.yaml", 1, 1)


def _route_targets(story: Story, routes: list) -> set:
    out: set = set()
    for r in routes:
        if r.to == END:
            out.update(ENDING_PREFIX + e.id for e in story.endings)
        else:
            out.add(r.to)
    return out


def graph(story: Story) -> dict:
    """Every node (scene id or ``ending:ID``) with the nodes it can lead to."""
    hubs_of_pool: dict = {}
    for s in story.scenes.values():
        if s.is_draw:
            hubs_of_pool.setdefault(s.draw_pool, []).append(s)
    edges: dict = {ENDING_PREFIX + e.id: set() for e in story.endings}
    for s in story.scenes.values():
        out: set = set()
        if s.draw_pool is not None:  # a draw point
            out.update(story.pools.get(s.draw_pool, []))
            out.update(_route_targets(story, s.next))
        elif s.pool is not None:  # an event
            out.update(story.pools.get(s.pool, []))
            out.discard(s.id)
            for hub in hubs_of_pool.get(s.pool, []):
                out.update(_route_targets(story, hub.next))
        else:
            if s.when is not None:
                out.update(_route_targets(story, s.next))
            for c in s.choices:
                out.update(_route_targets(story, c.next or s.next))
        edges[s.id] = out
    return edges


def _reach(edges: dict, start) -> set:
    seen = set(start)
    todo = list(start)
    while todo:
        node = todo.pop()
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def graph_problems(story: Story) -> list:
    problems = []
    edges = graph(story)
    reachable = _reach(edges, [story.start])
    reverse: dict = {n: set() for n in edges}
    for node, outs in edges.items():
        for o in outs:
            reverse.setdefault(o, set()).add(node)
    endings = [ENDING_PREFIX + e.id for e in story.endings]
    can_finish = _reach(reverse, endings)
    for s in story.scenes.values():
        if s.id not in reachable:
            what = "event" if s.is_event else "scene"
            problems.append(Problem(s.pos, f"{what} '{s.id}' cannot be reached from the start scene '{story.start}'"))
        elif s.id not in can_finish:
            problems.append(Problem(s.pos, f"scene '{s.id}' is a dead end: no ending can be reached from it"))
    for e in story.endings:
        if ENDING_PREFIX + e.id not in reachable:
            problems.append(Problem(_at(story, e.pos), f"ending '{e.id}' cannot be reached: no route leads to it"))
    for name, events in story.pools.items():
        if not any(s.is_draw and s.draw_pool == name for s in story.scenes.values()):
            first = story.scenes[events[0]].pos if events else story.scenes[story.start].pos
            problems.append(Problem(first, f"pool '{name}' is never drawn from"))
    used_points = {p for s in story.scenes.values() for c in s.choices for p in c.evidence}
    used_worst = {w for s in story.scenes.values() for c in s.choices for w in c.worst}
    for p in story.points.values():
        if p.id not in used_points:
            problems.append(Problem(_at(story, p.pos), f"learning point '{p.id}' is not used by any choice"))
    for w in story.worst.values():
        if w.id not in used_worst:
            problems.append(Problem(_at(story, w.pos), f"worst practice '{w.id}' is not the choice of any decision"))
    return problems


def check_story(path=None):
    """The loader's validation, then the graph checks: returns (story or None, problems)."""
    with gc_paused():
        story, problems = read_story(path)
        if story is None:
            return None, suggest_kpis(problems, path)
        return story, sorted(graph_problems(story), key=lambda p: (p.pos.path, p.pos.line, p.pos.col))


_UNKNOWN_KPI = re.compile(r"unknown (?:KPI|name) '([^']+)'")


def _kpi_names(path) -> dict:
    """{word or id: KPI id} from story.yaml's ``kpis`` (its ids, names and each word of a name), read
    through the one bounded reader; {} when it cannot be read."""
    from ..engine.files import read_bounded
    from ..engine.loader import MAX_FILE_BYTES, default_story_dir
    from ..engine.yamlsrc import load_yaml

    root = Path(path) if path is not None else default_story_dir()
    try:
        data, _ = load_yaml(read_bounded(root / "story.yaml", MAX_FILE_BYTES).decode("utf-8"), "story.yaml")
    except (OSError, ValueError):  # unreadable or not UTF-8: no suggestion
        return {}
    out: dict = {}
    kpis = data.get("kpis") if isinstance(data, dict) else None
    for k in kpis if isinstance(kpis, list) else []:
        if not isinstance(k, dict) or not isinstance(k.get("id"), str):
            continue
        out[k["id"].lower()] = k["id"]
        name = str(k.get("name") or "").lower()
        if name:
            out.setdefault(name, k["id"])
            for w in re.findall(r"[a-z]+", name):
                if len(w) > 2:
                    out.setdefault(w, k["id"])
    return out


def suggest_kpis(problems: list, path=None) -> list:
    """Issue 19: "did you mean 'revenue'?" for an unknown KPI the loader could not place (authors write
    ``sales`` for ``revenue``): the nearest KPI id, name or word of a name (difflib)."""
    import difflib

    if not any(_UNKNOWN_KPI.search(p.message) and "did you mean" not in p.message for p in problems):
        return problems
    names = _kpi_names(path)
    out = []
    for p in problems:
        m = _UNKNOWN_KPI.search(p.message)
        if m and "did you mean" not in p.message and names:
            near = difflib.get_close_matches(m.group(1).lower(), list(names), n=1, cutoff=0.6)
            if near:
                hint = f"; did you mean '{names[near[0]]}'?"
                cut = p.message.find(" (a KPI id")
                message = p.message[:cut] + hint + p.message[cut:] if cut >= 0 else p.message + hint
                p = Problem(p.pos, message)
        out.append(p)
    return out


class _Probe:
    """A made-up end of game for the ending check: every KPI at ``kpis``, flags all set or none."""

    def __init__(self, kpis: dict, flags: bool, score: float, assimilation: float, last_round: int):
        self.kpis, self.flags, self.score, self.assim, self.last_round = kpis, flags, score, assimilation, last_round

    def kpi(self, name):
        return self.kpis[name]

    def flag(self, name):
        return self.flags

    def number(self, name):
        return {"score": self.score, "assimilation": self.assim}.get(name, self.last_round)

    def learning(self, ident):
        return self.score

    def visited(self, scene):
        return self.flags

    def chose(self, scene, choice):
        return self.flags

    def delta(self, name):
        return 0.0


def _worse(kpi, far: bool):
    """A value of ``kpi`` worse than its start: one step, or the worst bound (``far``)."""
    if kpi.higher_is == "worse":
        return kpi.max if far else min(kpi.max, kpi.start + 1)
    return kpi.min if far else max(kpi.min, kpi.start - 1)


def ending_warnings(story: Story) -> list:
    """Warn when the last ending (the one with no ``when``) is reached with every number worse than at
    the start. Heuristic: the earlier endings' conditions are tried on 36 made-up ends of game (every
    KPI one step worse than its start, or at its worst bound; no flag or every flag set, every scene
    visited and choice made; score and learning 0, 50 or 100; assimilation 0, 50 or 100). When none
    of the earlier endings holds for one of them, the catch-all would contradict the numbers."""
    if len(story.endings) < 1 or story.endings[-1].when is not None:
        return []
    last = story.endings[-1]
    earlier = [e for e in story.endings[:-1] if e.when is not None]
    last_round = max((r.number for r in story.rounds.values()), default=1)
    for far in (False, True):
        kpis = {k.id: _worse(k, far) for k in story.kpis.values()}
        for flags in (False, True):
            for score in (0.0, 50.0, 100.0):
                for assim in (0.0, 50.0, 100.0):
                    probe = _Probe(kpis, flags, score, assim, last_round)
                    if not any(e.when(probe) for e in earlier if e.when is not None):
                        nums = ", ".join(f"{k} {v:g}" for k, v in kpis.items())
                        return [
                            Problem(
                                _at(story, last.pos),
                                (
                                    f"warning: ending '{last.id}' (the last, with no 'when') is reached with every "
                                    "number "
                                    f"worse than at the start ({nums}; score {score:g}, assimilation {assim:g}, "
                                    f"{'every' if flags else 'no'} flag set): add an earlier ending whose 'when' "
                                    "covers it"
                                ),
                            )
                        ]
    return []
