"""The learner's report (the model): built by replaying (story, seed, decisions), so it can be verified later.

A report (a JSON-ready dict, schema in docs/reports.md) has two parts:

- the *computed* part — everything that follows from the story, the seed and the decisions: the
  ending, every score, the KPI timeline, each decision with its evidence. :func:`computed_part`
  builds it; ``pizzaborg verify`` rebuilds it and compares.
- the *metadata* — who, which cohort, which assignment, when. Claimed, not provable.

Since schema 2 the computed part also replays the undo record: each undo with what the learner
had seen (``seen``), the count of undos (``undone``), the first-answer scores (``score`` and every
learning point; ``kept_score`` is the path kept), ``changed_answers``, and per learning point an
``estimate`` of mastery with its 90 % interval. A schema-1 report (an earlier version) is rebuilt in
its own form and verifies as it did; its missing undo record is said (:func:`undo_record_note`).

This module is the model only: it imports no renderer. Reading a report someone handed in (a hostile
file) is ``handin.py``; the words the renderings share are ``reporttext.py``; the formats (``render``)
and writing files live in ``formats.py``, which imports this module and the renderers.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from .. import __version__
from ..engine import Game, GameError
from ..engine.errors import PizzaBorgError
from ..engine.i18n import N_
from ..engine.times import iso, parse_iso, utcnow  # noqa: F401 - iso, parse_iso: this module's API

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    pass

FORMAT = "pizzaborg-report"
# Report schemas: 1 the first; 2 adds the undo record ("undos", "undos_complete", "undone"),
# first-answer scores ("kept_score", "changed_answers", decisions' "first") and the estimates.
SCHEMA = 2
MAX_REPORT_BYTES = 8 * 1024 * 1024
# Fields a verifier cannot check (claimed by whoever made the report) and prose regenerated on read.
# Each decision's "at" (when it was made) is claimed too: METADATA_DECISION_KEYS.
METADATA_KEYS = (
    "format",
    "schema",
    "generator",
    "learner",
    "cohort",
    "assignment",
    "date",
    "started",
    "finished",
    "registration",
    "debrief",
    "language",  # the game's language (claimed; the replay uses the story in it); absent: English
)
METADATA_DECISION_KEYS = ("at",)  # in each decision, and in each undo of the undo record
# undo: only when it is not "recorded" (the default)
ASSIGNMENT_REF_KEYS = ("id", "cohort", "seed", "mastery", "deadline", "xapi_home", "undo")
# A game played faster than this, on average per decision, is flagged in the cohort view.
FAST_SECONDS_PER_DECISION = 3.0
NAMESPACE = uuid.UUID("5b0f3a52-6d1e-4f0c-9a57-1f6f0b2d7c11")  # PizzaBorg's uuid5 namespace

DEBRIEF_STAGES = (  # the titles are marked with N_ and translated where the debrief is built
    ("describe", N_("Describe what happened")),
    ("analyse", N_("Analyse why it happened")),
    ("transfer", N_("Transfer it to your own organisation")),
    ("apply", N_("Apply one change")),
)


class ReportError(PizzaBorgError):
    """A report that cannot be built, read or written; the message is one line."""


class ReplayMismatch(ReportError):
    """The decisions do not fit the story (a decision the story does not have)."""


_now = utcnow  # the one set of time helpers: engine/times.py


def _num(v):
    """JSON-stable numbers: whole floats become ints (100.0 -> 100)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


# ---- the computed part -------------------------------------------------------------------------


def computed_part(story, seed: int, decisions: list, undos: list | None = None, complete: bool = True) -> dict:
    """Replay ``decisions`` (``[{"scene", "choice"}]``) and the undo record ``undos``
    (``[{"decision", "scene", "choice"}]``, see engine.game.action_log) with ``seed`` and describe the
    game. ``undos=None``: a schema-1 report (no record), described as that version did; ``complete``
    False: the record holds only the undos since a load from a save without one.

    Raises :class:`ReplayMismatch` at the first decision or undo the story does not allow."""
    game = Game(story, seed)
    try:
        return _describe(game, decisions, undos, complete)
    finally:
        game.close()


def undo_record_note(report: dict) -> str | None:
    """What a report says about its undo record when it cannot say everything (None when complete)."""
    from ..engine.i18n import _

    if "undos" not in report:
        return _(
            "written by an earlier PizzaBorg, which kept no record of undos: whether answers were changed is unknown"
        )
    if report.get("undos_complete") is False:
        return _("continued from a save of an earlier PizzaBorg: undos made before that are unknown")
    return None


def _evidence(stakes: dict) -> dict:
    return {p: {"earned": _num(s.earned), "low": _num(s.low), "high": _num(s.high)} for p, s in stakes.items()}


def _undo_entry(u, n: int) -> dict:
    dec = u.decision
    return {
        "n": n,
        "decision": u.index + 1,
        "scene": dec.scene,
        "choice": dec.choice,
        "seen": {
            "deltas": {k: _num(v) for k, v in dec.deltas.items()},
            "evidence": _evidence(dec.stakes),
            "score": _num(u.score),
        },
    }


def _describe(game: Game, decisions: list, undos: list | None = None, complete: bool = True) -> dict:
    from ..engine.game import action_log, walk

    story = game.story
    timeline = [{"step": 0, "round": game.round_number, "kpis": {k: _num(v) for k, v in game.kpis.items()}}]
    rounds = []
    entries = []
    try:
        log = action_log(decisions, undos or [])
    except ValueError as exc:
        raise ReplayMismatch(str(exc)) from None
    for (scene_id, choice_id), label in walk(game, log):
        n = len(game.decisions) + 1
        what = f"decision {n}" if label is None else f"undo {label} (decision {n})"
        if game.over:
            raise ReplayMismatch(f"{what} ({scene_id}/{choice_id}) comes after the game ended")
        if game.state != scene_id:
            raise ReplayMismatch(f"{what} is for scene '{scene_id}', but the story is at '{game.state}' there")
        view = game.scene
        assert view is not None  # the game is not over
        offered = {c.id: c for c in view.choices}
        picks = str(choice_id).split("+")  # a portfolio decision is "a+b+c"
        for pick in picks:
            if pick not in offered:
                known = story.scenes[scene_id].choice(pick) if scene_id in story.scenes else None
                why = "is not offered at that point" if known else "does not exist in the story"
                raise ReplayMismatch(f"{what}: choice '{pick}' of scene '{scene_id}' {why}")
        round_number, round_title = view.round_number, view.round_title
        try:
            outcome = game.choose(choice_id)
        except GameError as exc:  # e.g. more than the round's capacity
            raise ReplayMismatch(f"{what}: {exc}") from None
        if label is not None:  # taken back later: only the undo record tells of it
            continue
        dec = game.decisions[-1]
        choice = story.scenes[scene_id].choice(choice_id)
        # the numbers right after the decision (the engine's series), not with the next month's start in
        # them; a schema-1 report (undos None) was written with the game's values then, and is rebuilt so
        after = game.kpis if undos is None or not outcome.after else outcome.after
        entries.append(
            {
                "n": n,
                "round": round_number,
                "round_title": round_title,
                "scene": scene_id,
                "scene_title": view.title,
                "scene_text": view.text,
                "event": view.is_event,
                "choice": choice_id,
                "choice_text": " + ".join(offered[p].text for p in picks),
                "continue": bool(choice is not None and choice.synthetic),
                "options": [{"id": c.id, "text": c.text} for c in view.choices],
                "deltas": {k: _num(v) for k, v in dec.deltas.items()},
                "kpis": {k: _num(v) for k, v in after.items()},
                "evidence": _evidence(dec.stakes),
                "worst": list(dec.worst),
                "borg": outcome.borg,
                "note": outcome.note,
            }
        )
        timeline.append({"step": n, "round": round_number, "kpis": {k: _num(v) for k, v in after.items()}})
        if outcome.round_end is not None:
            rs = outcome.round_end
            rounds.append(
                {
                    "number": rs.number,
                    "id": rs.id,
                    "title": rs.title,
                    "question": rs.question,
                    "kpis_start": {k: _num(v) for k, v in rs.kpi_start.items()},
                    "kpis_end": {k: _num(v) for k, v in rs.kpi_end.items()},
                    "decisions": [entries[i]["n"] for i in range(len(entries) - len(rs.decisions), len(entries))],
                }
            )
    kept = game.report()
    report = kept.first  # the learning evidence: first answers (the report itself when nothing was undone)
    ending = story.ending(game.ending) if game.over and game.ending is not None else None
    out = {
        "story": {"id": story.id, "version": story.version, "hash": story.hash, "title": story.title},
        "seed": game.seed,
        "over": game.over,
        "ending": None
        if ending is None
        else {"id": ending.id, "title": ending.title, "text": ending.text.render(game.view)},
        "score": _num(report.overall),
        "assimilation": _num(report.assimilation),
        "areas": [{"id": a.id, "name": a.name, "score": _num(report.areas[a.id])} for a in story.areas.values()],
        "learning_points": [
            {"id": p.id, "name": p.name, "area": p.area, "score": _num(p.score), "at_stake": len(p.evidence)}
            for p in report.points.values()
        ],
        "worst_practices": [
            {"id": w.id, "name": w.name, "count": report.worst_taken.get(w.id, 0)} for w in story.worst.values()
        ],
        "kpis": [
            {
                "id": k.id,
                "name": k.name,
                "unit": k.unit,
                "min": _num(k.min),
                "max": _num(k.max),
                "start": _num(k.start),
                "end": _num(game.kpis[k.id]),
                "higher_is": k.higher_is,
            }
            for k in story.kpis.values()
        ],
        "timeline": timeline,
        "rounds": rounds,
        "decisions": entries,
    }
    if undos is None:  # schema 1: as that version described it (no undo could be in it)
        return out
    from ..engine.mastery import estimates
    from ..engine.scoring import point_key

    est = estimates(kept)
    for p in out["learning_points"]:
        p["estimate"] = est[p["id"]].as_dict()
    firsts: dict = {}
    for u in game.undos:
        firsts.setdefault(u.key, u.decision)
    for i, entry in enumerate(entries if firsts else ()):
        f = firsts.get(point_key(game.decisions, i))
        if f is not None and f.choice != entry["choice"]:
            entry["first"] = {
                "choice": f.choice,
                "evidence": _evidence(f.stakes),
            }
    out["kept_score"] = _num(kept.overall)
    out["changed_answers"] = kept.changed
    out["undone"] = kept.undone
    out["undos"] = [_undo_entry(u, n) for n, u in enumerate(game.undos, start=1)]
    out["undos_complete"] = bool(complete)
    return out


# ---- assembling a report -----------------------------------------------------------------------


def registration_for(story_hash: str, seed: int, learner: str | None, started: str) -> str:
    """One registration (UUID) per playthrough, stable for the same save."""
    return str(uuid.uuid5(NAMESPACE, f"{story_hash}|{seed}|{learner or ''}|{started}"))


def make_meta(
    *,
    learner=None,
    assignment=None,
    started=None,
    finished=None,
    registration=None,
    story_hash="",
    seed=0,
    language: str | None = None,
) -> dict:
    finished_dt = finished or _now()
    started_dt = started or finished_dt
    started_s, finished_s = iso(started_dt), iso(finished_dt)
    ref = assignment.ref() if assignment is not None else None
    meta = {
        "format": FORMAT,
        "schema": SCHEMA,
        "generator": f"pizzaborg {__version__}",
        "learner": learner,
        "cohort": assignment.cohort if assignment is not None else None,
        "assignment": ref,
        "date": finished_s,
        "started": started_s,
        "finished": finished_s,
        "registration": registration or registration_for(story_hash, seed, learner, started_s),
    }
    if language is not None:
        meta["language"] = language
    return meta


def story_in_language(story, language: str | None):
    """``story`` told in ``language``, as the game was (its ids and hash unchanged): a report's texts are
    the story's in the language it was played in, and the replay that verifies it reads the same. The
    story itself for English, or for a language it has no translation into (the game told it in English)."""
    if not language or language == story.language:
        return story
    from ..engine import l10n

    try:
        if language != l10n.PSEUDO and not l10n.l10n_path(story, language).is_file():
            return story
        return l10n.translate(story, language)
    except l10n.L10nError:
        return story


def assemble(computed: dict, meta: dict) -> dict:
    """The report: the computed part and the metadata (``meta["times"]``: each decision's claimed
    ``at``), with the figures that follow from the claims (mastery, days late, time spent)."""
    meta = dict(meta)
    times = meta.pop("times", None) or []
    undo_times = meta.pop("undo_times", None) or []
    report = dict(meta)
    report.update(computed)
    if any(undo_times) and computed.get("undos"):
        report["undos"] = [
            dict(u, at=undo_times[i]) if i < len(undo_times) and undo_times[i] else u
            for i, u in enumerate(computed["undos"])
        ]
    if any(times):
        decisions = []
        for i, d in enumerate(computed["decisions"]):
            at = times[i] if i < len(times) else None
            decisions.append(dict(d, at=at) if at else d)
        report["decisions"] = decisions
    spent = time_spent(meta.get("started"), times, len(computed["decisions"]))
    if spent is not None:  # absent without decision times (reports of older versions still verify)
        report["time_spent"] = spent
    assignment = meta.get("assignment") or {}
    mastery = assignment.get("mastery")
    if mastery is not None:
        # first answers count (the assignment's undo: recorded or off); undo: free counts the path kept
        free = assignment.get("undo") == "free" and "kept_score" in computed
        score = computed["kept_score"] if free else computed["score"]
        passed = None if not computed["over"] else bool(score is not None and score / 100 >= mastery - 1e-9)
        report["mastery"] = {"threshold": mastery, "passed": passed}
    else:
        report["mastery"] = None
    deadline = assignment.get("deadline")
    finished = parse_iso(meta.get("finished"))
    if deadline and finished is not None:
        from datetime import date

        try:
            report["late_days"] = max(0, (finished.date() - date.fromisoformat(deadline)).days)
        except ValueError:
            report["late_days"] = None
    else:
        report["late_days"] = None
    report["debrief"] = debrief(report)
    return report


def time_spent(started, times: list, decisions: int) -> dict | None:
    """From the claimed start to the last decision's claimed time: seconds in all and per decision."""
    start = parse_iso(started)
    last = parse_iso(times[-1]) if times and len(times) == decisions and all(times) else None
    if start is None or last is None or not decisions:
        return None
    seconds = max(0.0, round((last - start).total_seconds(), 3))
    return {"seconds": _num(seconds), "per_decision": _num(round(seconds / decisions, 1))}


def build_report(
    game: Game,
    learner: str | None = None,
    assignment=None,
    started: datetime | None = None,
    finished: datetime | None = None,
    registration: str | None = None,
    times: list | None = None,
    undo_times: list | None = None,
) -> dict:
    """The report of ``game`` (finished or not) as a JSON-ready dict. ``times``: when each decision
    was made (the faces record them; saves keep them)."""
    computed = computed_part(game.story, game.seed, game.decision_list, game.undo_list, game.undo_record)
    meta = make_meta(
        learner=learner,
        assignment=assignment,
        started=started,
        finished=finished,
        registration=registration,
        story_hash=game.story.hash,
        seed=game.seed,
        language=_game_language(game),
    )
    meta["times"] = list(times or [])
    meta["undo_times"] = list(undo_times or [])
    return assemble(computed, meta)


def _game_language(game: Game) -> str:
    from ..engine.saves import game_language

    return game_language(game)


def name_as_written(value: str) -> bool:
    """A learner or cohort name as the game writes it: not empty, trimmed, at most 80 characters, no control
    characters or line breaks. ``verify`` refuses a report whose name is not; ``report`` refuses to write one."""
    import unicodedata

    return (
        bool(value.strip())
        and value == value.strip()
        and len(value) <= 80
        and not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in value)
    )


def report_from_save(story, save, learner: str | None = None, assignment=None) -> dict:
    """The report of a save (pizzaborg.engine.saves.SaveData) played on ``story`` (same hash)."""
    if learner is None and save.learner is not None and not name_as_written(str(save.learner)):
        raise ReportError(
            f"'{save.slot}' holds a learner name the game does not write (empty, control characters, "
            "line breaks or more than 80 characters): give the name with --learner NAME"
        )
    if save.story.get("hash") != story.hash:
        from ..engine.text import clean

        theirs = {k: clean(str(save.story.get(k)), oneline=True)[:80] for k in ("id", "version", "hash")}
        raise ReportError(
            f"'{clean(save.slot)}' was played with '{theirs['id']}' version {theirs['version']} "
            f"(hash {theirs['hash'][:12]}), not with this story ({clean(story.id)} "
            f"{clean(story.version, oneline=True)}, "
            f"hash {story.hash[:12]}): pass --story DIR with that version"
        )
    story = story_in_language(story, save.language)  # the texts the learner read
    try:
        computed = computed_part(story, save.seed, save.decisions, save.undos or [], save.undos_complete)
    except ReplayMismatch as exc:
        raise ReportError(f"'{save.slot}' does not replay: {exc}") from None
    started = parse_iso(save.created)
    finished = parse_iso(save.updated) or started
    meta = make_meta(
        learner=learner or save.learner,
        assignment=assignment,
        started=started,
        finished=finished,
        story_hash=story.hash,
        seed=save.seed,
        language=save.language,
    )
    meta["times"] = save.times
    meta["undo_times"] = save.undo_times
    return assemble(computed, meta)


def fmt_value(v) -> str:
    """A number as a report shows it: whole numbers without a decimal, others with one, in the reader's
    language (``48,9`` in nl: ``engine.text.fmt_num``); '–' for none."""
    if v is None:
        return "–"
    from ..engine.text import fmt_num

    return fmt_num(float(v))


# ---- debrief questions -------------------------------------------------------------------------


def label(entry: dict, limit: int = 60) -> str:
    """A decision's short name: its scene's title, or the first sentence of its text."""
    if entry.get("scene_title"):
        return entry["scene_title"]
    text = " ".join(str(entry.get("scene_text", "")).split())
    first = text.split(". ")[0].rstrip(".")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def debrief(report: dict) -> list:
    """Questions for the workshop debrief: describe, analyse, transfer, apply — general ones, and
    ones about this learner's own game."""
    kpis = {k["id"]: k for k in report["kpis"]}
    decisions = [d for d in report["decisions"] if not d["continue"] or d["deltas"]]
    worst_move = None
    for d in decisions:
        for k, v in d["deltas"].items():
            info = kpis.get(k, {})
            span = (info.get("max", 1) - info.get("min", 0)) or 1
            bad = (-v if info.get("higher_is", "better") == "better" else v) / span
            if bad > 0 and (worst_move is None or bad > worst_move[0]):
                worst_move = (bad, d, k, v)
    scored = [p for p in report["learning_points"] if p["score"] is not None]
    weakest = min(scored, key=lambda p: p["score"]) if scored else None
    strongest = max(scored, key=lambda p: p["score"]) if scored else None
    fell = [w for w in report["worst_practices"] if w["count"]]
    fell.sort(key=lambda w: -w["count"])
    areas = [a for a in report["areas"] if a["score"] is not None]
    weak_area = min(areas, key=lambda a: a["score"]) if areas else None

    from ..engine.i18n import _

    describe = [_("What happened during your time as CIO? Tell the story of your game in three sentences.")]
    if worst_move is not None:
        _bad, d, k, v = worst_move
        sign = "+" if v > 0 else ""
        describe.append(
            _(
                "In month {month} ('{scene}') you chose \"{choice}\" and {kpi} moved {change}. "
                "What did you expect to happen?"
            ).format(
                month=d["round"],
                scene=label(d),
                choice=d["choice_text"],
                kpi=kpis[k]["name"],
                change=sign + fmt_value(v),
            )
        )
    if report.get("ending"):
        describe.append(
            _("Your game ended '{ending}'. Which decisions took you there?").format(ending=report["ending"]["title"])
        )
    analyse = [_("Why did it happen? Which decisions did the business notice, and which only IT?")]
    if fell:
        w = fell[0]
        analyse.append(
            _(
                "You fell into the worst practice '{name}' ({count}x). What made that option tempting at the time?"
            ).format(name=w["name"], count=w["count"])
        )
    if weakest is not None and strongest is not None and weakest["id"] != strongest["id"]:
        analyse.append(
            _(
                "Your strongest learning point was '{strong}' ({strong_score}), your weakest '{weak}' "
                "({weak_score}). What made the difference?"
            ).format(
                strong=strongest["name"],
                strong_score=fmt_value(strongest["score"]),
                weak=weakest["name"],
                weak_score=fmt_value(weakest["score"]),
            )
        )
    transfer = [
        _(
            "Where do you see the same pattern in your own organisation: who calls everything top priority, "
            "and who knows what an outage costs?"
        )
    ]
    if weak_area is not None:
        transfer.append(
            _("How does '{area}' work where you work today? Who would you need to talk to?").format(
                area=weak_area["name"]
            )
        )
    apply = [
        _("Name one change you will make in the next month, and how the business will notice it."),
        _("How will you explain that change in terms of Value, Outcomes, Costs and Risks?"),
    ]
    texts = {"describe": describe, "analyse": analyse, "transfer": transfer, "apply": apply}
    return [{"stage": s, "title": _(t), "questions": texts[s]} for s, t in DEBRIEF_STAGES]
