"""The references between sections, checked once the whole story is read: scenes, endings, pools,
learning points, worst practices, flags and chosen choices that are named but missing, and costs a
round can never pay.
"""

from __future__ import annotations

from ..model import (
    END,
    ENDING_PREFIX,
    Capacity,
    Route,
    Story,
)
from ..yamlsrc import Map
from .reader import _Reader, did_you_mean


def _check_costs(story: Story, cap: Capacity, reader: _Reader) -> None:
    """A cost its round can never pay (events: no round), and portfolios whose cheapest allowed set of
    picks costs more than the round has."""

    def budget(rid: str) -> float:
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
                reader.err(
                    c.pos,
                    f"choice '{c.id}' of scene '{s.id}' costs {c.cost:g} {name}, more than {where} ever has ({most:g})",
                )
        if s.pick is not None and s.choices:
            cheapest = sum(sorted(c.cost for c in s.choices)[: s.pick[0]])
            if cheapest > most:
                reader.err(
                    s.pos,
                    f"scene '{s.id}': the {s.pick[0]} cheapest choices cost {cheapest:g} {name}, more than its "
                    f"round has ({most:g})",
                )


def _check_references(story: Story, meta: Map, reader: _Reader) -> None:
    scenes = story.scenes
    if story.start and story.start not in scenes:
        reader.missing(
            meta.at("start"), f"start scene '{story.start}' does not exist{did_you_mean(story.start, scenes)}"
        )
    elif story.start in scenes and scenes[story.start].is_event:
        reader.err(meta.at("start"), "the start scene cannot be a pool event")
    ending_ids = {e.id for e in story.endings}
    set_flags = {f for s in scenes.values() for c in s.choices for f in c.set}

    def check_dest(route: Route) -> None:
        to = route.to
        if to == END:
            return
        if to.startswith(ENDING_PREFIX):
            if to[len(ENDING_PREFIX) :] not in ending_ids:
                name = to[len(ENDING_PREFIX) :]
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
        if s.draw_pool is not None and s.draw_pool not in story.pools:
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
            reader.missing(
                pos, f"unknown learning point or area '{name}'{did_you_mean(name, [*story.points, *story.areas])}"
            )
        elif kind == "scene" and name not in scenes:
            reader.missing(pos, f"unknown scene '{name}'{did_you_mean(name, scenes)}")
        elif kind == "choice":
            sid, _, cid = name.rpartition(".")
            if sid not in scenes:
                reader.missing(pos, f"unknown scene '{sid}' in chose(){did_you_mean(sid, scenes)}")
            elif scenes[sid].choice(cid) is None:
                reader.err(
                    pos, f"scene '{sid}' has no choice '{cid}'{did_you_mean(cid, [c.id for c in scenes[sid].choices])}"
                )
        elif kind == "flag" and name not in set_flags:
            reader.missing(pos, f"flag '{name}' is tested but never set by any choice{did_you_mean(name, set_flags)}")
