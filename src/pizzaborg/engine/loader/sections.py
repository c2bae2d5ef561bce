"""The sections of a story: story.yaml's KPIs, capacity, learning points, endings and audit, and the
round files with their scenes, pools, events and choices. Each reads one kind of mapping through the
``_Reader`` and builds the model's values; references between them are checked afterwards
(``references``), once every id is known.
"""

from __future__ import annotations

from ..model import (
    Area,
    Capacity,
    Choice,
    Ending,
    Kpi,
    LearningPoint,
    Round,
    Scene,
    Text,
    Value,
    WorstPractice,
)
from ..yamlsrc import Map, Pos, Seq
from .reader import CHOICE_ID_RE, FLAG_RE, ID_RE, _num, _Reader

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any

    from ..conditions import Condition

STORY_KEYS = {
    "id",
    "title",
    "version",
    "language",
    "start",
    "intro",
    "company",
    "kpis",
    "learning",
    "endings",
    "rounds",
    "audit",
    "shuffle",
    "capacity",
}
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
AUDIT_NUMBERS.update(
    {
        k: (0, 1, False)
        for k in (  # issue 19's tells; the defaults live in pizzaborg.author.settings
            "cost_best_max",
            "cost_worst_max",
            "character_share_max",
            "vocabulary_share_max",
            "model_best_max",
            "learner_good_share_max",
            "best_player_min",
            "best_blocked_max",
            "coverage_thin_max",
            "tone_disapproval_max",
            "tone_approval_max",
            "tone_pick_max",
        )
    },
    character_min_options=(1, 1000, True),
    vocabulary_min_options=(1, 1000, True),
    coverage_decisions=(1, 1000, True),
    peek_gap_max=(0, 100, False),
)
AUDIT_KEYS = set(AUDIT_NUMBERS) | {
    "best_ending",
    "business_kpis",
    "trust_kpi",
    "virtue_words",
    "collective_phrase",
    "vocabulary",
    "characters",
    "good_ending",
}
ROUND_FILE_KEYS = {"round", "scenes", "pools"}
ROUND_KEYS = {"id", "title", "intro", "reflection", "on_enter", "capacity"}
SCENE_KEYS = {"id", "title", "text", "when", "choices", "next", "draw", "markup", "shuffle", "pick"}
EVENT_KEYS = {"id", "title", "text", "when", "choices", "weight", "markup", "shuffle"}
CHOICE_KEYS = {
    "id",
    "text",
    "when",
    "effects",
    "set",
    "clear",
    "evidence",
    "worst",
    "borg",
    "note",
    "next",
    "effects_if",
    "cost",
    "pin",
}
KPI_KEYS = {"id", "name", "unit", "min", "max", "start", "higher_is", "description", "saturate", "drift"}


def _read_kpis(meta: Map, reader: _Reader) -> dict:
    kpis: dict = {}
    if "kpis" not in meta:
        return kpis
    seq = reader.seq(meta["kpis"], meta.at("kpis"), "'kpis'")
    for i, item in enumerate(seq or []):
        assert seq is not None
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
        kpi = Kpi(
            kid,
            reader.text_value(k, "name", "a KPI"),
            lo,
            hi,
            start,
            reader.text_value(k, "unit", "a KPI"),
            higher,
            reader.text_value(k, "description", "a KPI"),
        )
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


def _read_capacity(meta: Map, reader: _Reader) -> Capacity | None:
    if "capacity" not in meta:
        return None
    c = reader.mapping(
        meta["capacity"], meta.at("capacity"), "'capacity'", {"id", "name", "per_round"}, {"id", "name", "per_round"}
    )
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


def _read_learning(
    meta: Map, reader: _Reader
) -> tuple[dict[str, Area], dict[str, LearningPoint], dict[str, WorstPractice]]:
    areas: dict[str, Area] = {}
    points: dict[str, LearningPoint] = {}
    worst: dict[str, WorstPractice] = {}
    if "learning" not in meta:
        return areas, points, worst
    lm = reader.mapping(meta["learning"], meta.at("learning"), "'learning'", {"areas", "worst_practices"}, {"areas"})
    if lm is None:
        return areas, points, worst
    seq = reader.seq(lm["areas"], lm.at("areas"), "'areas'") if "areas" in lm else None
    for i, item in enumerate(seq or []):
        assert seq is not None
        a = reader.mapping(
            item, seq.at(i), "an area", {"id", "name", "description", "points"}, {"id", "name", "points"}
        )
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
            assert pseq is not None
            pm = reader.mapping(pitem, pseq.at(j), "a learning point", {"id", "name", "description"}, {"id", "name"})
            if pm is None:
                continue
            pid = reader.ident(pm, "id", "a learning point")
            if pid is None:
                continue
            if pid in points or pid in areas:
                reader.err(pm.at("id"), f"duplicate learning id '{pid}'")
                continue
            points[pid] = LearningPoint(
                pid,
                reader.text_value(pm, "name", "a learning point"),
                aid,
                reader.text_value(pm, "description", "a learning point"),
                pm.at("id"),
            )
            area.points.append(pid)
    if "worst_practices" in lm:
        wseq = reader.seq(lm["worst_practices"], lm.at("worst_practices"), "'worst_practices'")
        for i, item in enumerate(wseq or []):
            assert wseq is not None
            w = reader.mapping(item, wseq.at(i), "a worst practice", {"id", "name", "description"}, {"id", "name"})
            if w is None:
                continue
            wid = reader.ident(w, "id", "a worst practice")
            if wid is None:
                continue
            if wid in worst:
                reader.err(w.at("id"), f"duplicate worst practice id '{wid}'")
                continue
            worst[wid] = WorstPractice(
                wid,
                reader.text_value(w, "name", "a worst practice"),
                reader.text_value(w, "description", "a worst practice"),
                w.at("id"),
            )
    return areas, points, worst


def _read_endings(meta: Map, reader: _Reader) -> list:
    endings: list = []
    if "endings" not in meta:
        return endings
    seq = reader.seq(meta["endings"], meta.at("endings"), "'endings'")
    seen = set()
    for i, item in enumerate(seq or []):
        assert seq is not None
        e = reader.mapping(
            item, seq.at(i), "an ending", {"id", "title", "text", "when", "epilogue"}, {"id", "title", "text"}
        )
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
        reader.err(
            endings[-1].pos,
            f"the last ending ('{endings[-1].id}') must have no 'when': it is the one reached when no other applies",
        )
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
                reader.err(
                    a.at(key),
                    f"'{key}' of 'audit' must be the id of an ending, not '{reader.written(a.at(key), v)}'",
                )
                continue
            out[key] = v
        elif key == "trust_kpi":
            v = a[key]
            if not isinstance(v, str) or v not in kpis:
                reader.err(
                    a.at(key), f"'trust_kpi' of 'audit' must be the id of a KPI, not '{reader.written(a.at(key), v)}'"
                )
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


def _read_round(
    data: Any,
    rel: str,
    number: int,
    reader: _Reader,
    rounds: dict,
    scenes: dict,
    pools: dict,
    pool_pos: dict,
    scene_pos: dict,
) -> None:
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
    question = ""
    questions: tuple[tuple[Condition | None, str], ...] = ()
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
            reader.err(
                r.key_at("capacity"),
                f"round '{rid}' sets a capacity but the story has none (add 'capacity' to story.yaml)",
            )
        else:
            capacity = reader.number(r, "capacity", f"round '{rid}'")
            if capacity is not None and capacity < 0:
                reader.err(r.at("capacity"), "'capacity' of a round must be 0 or more")
                capacity = None
    rounds[rid] = Round(
        rid,
        number,
        reader.text_value(r, "title", "a round"),
        reader.rich_text(r, "intro", "a round"),
        question,
        rel,
        questions,
        on_enter,
        capacity,
    )

    if "scenes" in top:
        seq = reader.seq(top["scenes"], top.at("scenes"), "'scenes'")
        for i, item in enumerate(seq or []):
            assert seq is not None
            scene = _read_scene(item, seq.at(i), rid, reader, pool=None)
            if scene is not None:
                _add_scene(scene, scenes, scene_pos, reader)
    if "pools" in top:
        pm = reader.mapping(
            top["pools"], top.at("pools"), "'pools'", set(top["pools"]) if isinstance(top["pools"], Map) else set()
        )
        for name in pm or {}:
            assert pm is not None
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
                assert eseq is not None
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


def _read_scene(item: Any, pos: Pos, round_id: str, reader: _Reader, pool: str | None) -> Scene | None:
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
            assert seq is not None
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
                reader.err(
                    c.pos,
                    f"choice '{c.id}' of {what}: the choices of a 'pick' scene have no 'next' (the scene's 'next' "
                    "applies)",
                )
        if not scene.next:
            reader.err(s.pos, f"{what} has 'pick' and needs a 'next'")
    if not scene.choices and not scene.is_draw:
        scene.choices.append(Choice("continue", Text(((None, "Continue"),)), scene.pos, synthetic=True))
    if not scene.text and not scene.is_draw:
        reader.err(s.pos, f"{what} has no 'text'")
    return scene


def _read_choice(item: Any, pos: Pos, scene_what: str, reader: _Reader, in_event: bool) -> Choice | None:
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
        cost = reader.mapping(
            c["cost"], c.at("cost"), f"'cost' of {what}", set(c["cost"]) if isinstance(c["cost"], Map) else set()
        )
        for k in cost or {}:
            assert cost is not None
            cap = reader.capacity
            if cap is None or k != cap.id:
                known = f" (the story's capacity is '{cap.id}')" if cap else " (the story has no 'capacity')"
                reader.err(cost.key_at(k), f"unknown capacity '{k}' in the cost of {what}{known}")
            elif not _num(cost[k]) or cost[k] < 0:
                reader.err(cost.at(k), f"the cost in '{k}' must be a number of 0 or more")
            else:
                choice.cost = cost[k]
    if "evidence" in c:
        ev = reader.mapping(
            c["evidence"],
            c.at("evidence"),
            f"'evidence' of {what}",
            set(c["evidence"]) if isinstance(c["evidence"], Map) else set(),
        )
        for k in ev or {}:
            assert ev is not None
            if not _num(ev[k]):
                reader.err(ev.at(k), f"the evidence weight for '{k}' must be a number")
            else:
                choice.evidence[k] = ev[k]
                reader.cond_refs.append((_LpRef(k), ev.key_at(k)))
    for key in ("set", "clear", "worst"):
        if key in c:
            seq = reader.seq(c[key], c.at(key), f"'{key}' of {what}")
            for i, v in enumerate(seq or []):
                assert seq is not None
                pattern = FLAG_RE if key != "worst" else ID_RE
                if not isinstance(v, str) or not pattern.match(v):
                    reader.err(
                        seq.at(i), f"'{v}' is not a valid {'flag name' if key != 'worst' else 'worst practice id'}"
                    )
                    continue
                getattr(choice, key).append(v)
                if key == "worst":
                    reader.cond_refs.append((_WorstRef(v), seq.at(i)))
    if in_event and "next" in c:
        reader.err(
            c.key_at("next"), f"{what}: a choice in a pool event has no 'next' (events return to their draw point)"
        )
    else:
        choice.next = reader.routes(c, "next", what)
    return choice


def _read_weights(s: Map, what: str, reader: _Reader) -> tuple | None:
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
        reader.err(
            s.at("weight"), f"the last entry of 'weight' of {what} must have no 'when' (the weight when none holds)"
        )
    return tuple(out) or None


def _read_pick(s: Map, what: str, reader: _Reader) -> tuple[int, int] | None:
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
