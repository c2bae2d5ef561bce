"""Graph checks of a loaded story: reachability, dead ends, endings, unused learning points."""

from __future__ import annotations

from ..engine.loader import Problem, gc_paused, read_story
from ..engine.model import END, ENDING_PREFIX, Story


def _route_targets(story: Story, routes) -> set:
    out = set()
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
        if s.is_draw:
            out.update(story.pools.get(s.draw_pool, []))
            out.update(_route_targets(story, s.next))
        elif s.is_event:
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
            problems.append(Problem(e.pos, f"ending '{e.id}' cannot be reached: no route leads to it"))
    for name, events in story.pools.items():
        if not any(s.is_draw and s.draw_pool == name for s in story.scenes.values()):
            first = story.scenes[events[0]].pos if events else story.scenes[story.start].pos
            problems.append(Problem(first, f"pool '{name}' is never drawn from"))
    used_points = {p for s in story.scenes.values() for c in s.choices for p in c.evidence}
    used_worst = {w for s in story.scenes.values() for c in s.choices for w in c.worst}
    for p in story.points.values():
        if p.id not in used_points:
            problems.append(Problem(p.pos, f"learning point '{p.id}' is not used by any choice"))
    for w in story.worst.values():
        if w.id not in used_worst:
            problems.append(Problem(w.pos, f"worst practice '{w.id}' is not the choice of any decision"))
    return problems


def check_story(path=None):
    """The loader's validation, then the graph checks: returns (story or None, problems)."""
    with gc_paused():
        story, problems = read_story(path)
        if story is None:
            return None, problems
        return story, sorted(graph_problems(story), key=lambda p: (p.pos.path, p.pos.line, p.pos.col))
