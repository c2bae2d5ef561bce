"""xAPI statements for a report, following cmi5's rules for its defined statements.

One playthrough is one ``context.registration``. The statements, in order:

- ``initialized`` (cmi5 defined: category cmi5; no result);
- one ``answered`` per decision (cmi5 allowed: no cmi5 category): the object is the scene (a
  cmi.interaction of type choice), ``result.response`` the choice id (an opaque string), the
  ``timestamp`` when the decision was made and ``result.duration`` the time since the one before;
- when the game is over, ``completed`` (cmi5 defined, moveon: ``result.completion`` true and a
  duration, no success, no score) whose ``result.extensions`` carry PizzaBorg's own figures;
- then ``passed`` or ``failed`` only when the assignment sets a mastery score (``success``,
  ``score.scaled`` = score / 100, ``masteryscore`` in the context);
- ``terminated`` last, with the session's duration.

Since report schema 2 (a report with an undo record): every statement's context carries
``extensions/undo-record`` ({"complete": …}); each undo is an ``undid`` statement (PizzaBorg's own
verb: neither ADL nor cmi5 has one for taking an answer back) after the ``answered`` ones, whose
object is the scene, ``result.response`` the choice taken back and ``result.extensions`` what the
learner had seen; ``completed`` carries the first-answer and kept-path scores, the changed answers
and, in ``extensions/estimates``, each learning point's estimate with its interval, and lists the
learning points as objectives (``contextActivities.other``). An ``undid`` statement's timestamp is
the undo's ``at`` (when the face recorded it), else the game's end (whole seconds: a placeholder,
like a decision without ``at``).

The actor is an opaque account: ``homePage`` is the assignment's ``xapi_home`` and ``name`` a hash of
the learner's name salted with the assignment id — the learner's name never appears. Statement ids
and the registration are UUIDs derived from the playthrough, so rendering a report twice gives the
same statements (an LRS treats a re-send as the same statements).

Every statement carries a ``timestamp``, so that a conformant LRS does not fill in its own and a
re-send is byte for byte the same statements (a no-op): ``initialized`` the game's start,
``completed``/``passed``/``failed``/``terminated`` its end, and each ``answered`` the decision's
``at`` (UTC, milliseconds), its ``result.duration`` the time since the decision before (the first:
since the start), truncated to 0.01 s as xAPI compares durations. A decision without ``at`` (a save
from before decisions were timed) takes the time of the last decision before it that has one (or the
start) and no duration, and so does the duration of the decision after it: a placeholder, never an
invented figure.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime, timedelta

from ..engine.errors import PizzaBorgError
from ..engine.times import stamp
from .report import NAMESPACE, parse_iso

ACTIVITY_BASE = "https://pizzaborg.example/xapi"
EXT = ACTIVITY_BASE + "/extensions"
EXT_STORY, EXT_SEED, EXT_ASSIGNMENT = EXT + "/story", EXT + "/seed", EXT + "/assignment"
EXT_DECISION, EXT_EVIDENCE, EXT_DELTAS, EXT_WORST = (
    EXT + "/decision",
    EXT + "/evidence",
    EXT + "/deltas",
    EXT + "/worst",
)
EXT_RESULT = EXT + "/result"
EXT_UNDO_RECORD, EXT_UNDO, EXT_ESTIMATES = EXT + "/undo-record", EXT + "/undo", EXT + "/estimates"
OBJECTIVE = "http://adlnet.gov/expapi/activities/objective"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
CMI5_SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
CMI5_MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
VERBS = {
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
    "undid": ACTIVITY_BASE + "/verbs/undid",  # our own: no registered verb takes an answer back
}
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
DEFAULT_HOME = "https://pizzaborg.example/learners"


class XapiError(PizzaBorgError):
    """Statements that are not a PizzaBorg xAPI report; the message is one line."""


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration, e.g. PT1H2M3S (whole seconds; PT0S for zero)."""
    s = max(0, int(round(seconds)))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    out = "PT"
    if h:
        out += f"{h}H"
    if m:
        out += f"{m}M"
    if sec or out == "PT":
        out += f"{sec}S"
    return out


def precise_duration(ms: int) -> str:
    """ISO 8601 duration of ``ms`` milliseconds, truncated to 0.01 s: PT3.45S, PT1M2S, PT0S."""
    cs = max(0, int(ms)) // 10
    h, rest = divmod(cs, 360000)
    m, rest = divmod(rest, 6000)
    sec, frac = divmod(rest, 100)
    out = "PT"
    if h:
        out += f"{h}H"
    if m:
        out += f"{m}M"
    if frac:
        out += f"{sec}.{frac:02d}".rstrip("0") + "S"
    elif sec or out == "PT":
        out += f"{sec}S"
    return out


def stamp_ms(dt: datetime) -> str:
    """A UTC timestamp with milliseconds: 2026-11-28T18:46:12.345Z (engine/times.py's ``stamp``)."""
    return stamp(dt)


def decision_times(report: dict) -> list:
    """[(timestamp, duration or None)] for each decision of the report, by the rules above."""
    from .report import parse_iso

    last = parse_iso(report.get("started"))  # the last time known
    previous = last  # the time of the decision before (the start for the first), None when unknown
    out: list[tuple[datetime | None, str | None]] = []
    for d in report["decisions"]:
        at = parse_iso(d.get("at"))
        if at is None:
            out.append((last, None))
        elif previous is None:
            out.append((at, None))
        else:
            out.append((at, precise_duration((at - previous) // timedelta(milliseconds=1))))
        previous = at
        last = at or last
    return out


def _id_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._~-]", "-", text)


def au_iri(report: dict) -> str:
    return f"{ACTIVITY_BASE}/stories/{_id_part(report['story']['id'])}"


def scene_iri(report: dict, scene: str) -> str:
    return f"{au_iri(report)}/scenes/{_id_part(scene)}"


def check_actor(actor, assignment: dict | None) -> str | None:
    """Why ``actor`` is not an actor PizzaBorg writes (None when it is): an opaque account whose
    homePage is the assignment's ``xapi_home``. (Whose hash it is cannot be checked: the name is a claim.)"""
    home = (assignment or {}).get("xapi_home") or DEFAULT_HOME
    account = actor.get("account") if isinstance(actor, dict) else None
    if (
        not isinstance(actor, dict)
        or set(actor) != {"objectType", "account"}
        or actor.get("objectType") != "Agent"
        or not isinstance(account, dict)
        or set(account) != {"homePage", "name"}
    ):
        return "the actor is not the opaque account PizzaBorg writes (an Agent with only an account)"
    if account.get("homePage") != home:
        return (
            f"actor.account.homePage: {str(account.get('homePage'))[:60]!r}, but the assignment's xapi_home is {home!r}"
        )
    if not isinstance(account.get("name"), str) or not re.fullmatch(r"[0-9a-f]{32}", account["name"]):
        return "actor.account.name is not an opaque learner id as PizzaBorg writes it"
    return None


def actor_for(report: dict) -> dict:
    assignment = report.get("assignment") or {}
    home = assignment.get("xapi_home") or DEFAULT_HOME
    salt = assignment.get("id") or report["story"]["hash"]
    who = report.get("learner") or f"anonymous|{report.get('registration')}"
    name = hashlib.sha256(f"{salt}|{who}".encode()).hexdigest()[:32]
    return {"objectType": "Agent", "account": {"homePage": home, "name": name}}


def _lang(report: dict) -> str:
    """The key of the statements' language maps: the language the game was played in (its texts are in
    it); a report from before games recorded their language is English."""
    language = report.get("language")
    return language if isinstance(language, str) and language else "en"


def statements(report: dict, actor: dict | None = None) -> list:
    """The report's xAPI statements (a list of dicts, in the order they happened)."""
    lang = _lang(report)
    registration = report["registration"]
    actor = actor or actor_for(report)
    au = {
        "objectType": "Activity",
        "id": au_iri(report),
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/simulation",
            "name": {lang: report["story"].get("title") or report["story"]["id"]},
        },
    }
    assignment = report.get("assignment")
    extensions = {
        CMI5_SESSION: str(uuid.uuid5(NAMESPACE, f"session|{registration}")),
        EXT_STORY: {k: report["story"][k] for k in ("id", "version", "hash")},
        EXT_SEED: report["seed"],
    }
    if assignment:
        extensions[EXT_ASSIGNMENT] = {k: v for k, v in assignment.items() if v is not None}
    recorded = "undos" in report  # schema 2: the undo record
    if recorded:
        extensions[EXT_UNDO_RECORD] = {"complete": bool(report.get("undos_complete"))}
    grouping = []
    if report.get("cohort"):
        cohort_id = (assignment or {}).get("id") or _id_part(report["cohort"])
        grouping.append(
            {
                "objectType": "Activity",
                "id": f"{ACTIVITY_BASE}/cohorts/{cohort_id}",
                "definition": {"type": "http://id.tincanapi.com/activitytype/group", "name": {lang: report["cohort"]}},
            }
        )
    started = parse_iso(report.get("started"))
    finished = parse_iso(report.get("finished")) or started
    duration = iso_duration((finished - started).total_seconds()) if started and finished else "PT0S"
    out: list = []

    def context(categories=(), extra=None, parent=False, other=None) -> dict:
        acts = {}
        if parent:
            acts["parent"] = [{"objectType": "Activity", "id": au["id"]}]
        if grouping:
            acts["grouping"] = grouping
        if other:
            acts["other"] = other
        if categories:
            acts["category"] = [{"objectType": "Activity", "id": c} for c in categories]
        ctx = {"registration": registration}
        if "language" in report:  # xAPI's context.language (a report of an older version has none)
            ctx["language"] = lang
        if acts:
            ctx["contextActivities"] = acts
        ext = dict(extensions)
        ext.update(extra or {})
        ctx["extensions"] = ext
        return ctx

    def add(verb: str, obj: dict, result: dict | None, ctx: dict, when: datetime | str | None) -> None:
        st = {
            "id": str(uuid.uuid5(NAMESPACE, f"{registration}|{len(out)}")),
            "actor": actor,
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": obj,
        }
        if result:
            st["result"] = result
        st["context"] = ctx
        if isinstance(when, str):
            st["timestamp"] = when
        elif when is not None:
            st["timestamp"] = when.isoformat().replace("+00:00", "Z")
        out.append(st)

    add("initialized", au, None, context([CMI5_CATEGORY]), started)
    times = decision_times(report)
    for d, (when, took) in zip(report["decisions"], times, strict=False):
        definition = {
            "type": INTERACTION,
            "interactionType": "choice",
            "name": {lang: d.get("scene_title") or d["scene"]},
            "choices": [{"id": o["id"], "description": {lang: o["text"] or o["id"]}} for o in d["options"]],
        }
        if d.get("scene_text"):
            definition["description"] = {lang: d["scene_text"]}
        # xAPI joins the choices of a multiple response with "[,]"; a portfolio is "a+b+c" in a save.
        # The definition's choices are listed in the order the learner saw them (the game shuffles).
        result = {"response": d["choice"].replace("+", "[,]")}
        if took is not None:
            result["duration"] = took
        ext = {}
        if d["evidence"]:
            ext[EXT_EVIDENCE] = d["evidence"]
        if d["deltas"]:
            ext[EXT_DELTAS] = d["deltas"]
        if d["worst"]:
            ext[EXT_WORST] = d["worst"]
        if ext:
            result["extensions"] = ext
        add(
            "answered",
            {"objectType": "Activity", "id": scene_iri(report, d["scene"]), "definition": definition},
            result,
            context(extra={EXT_DECISION: d["n"]}, parent=True),
            stamp_ms(when) if when is not None else None,
        )
    for u in report.get("undos") or []:
        seen = {k: v for k, v in u["seen"].items() if v not in ({}, None)}
        result = {
            "response": u["choice"].replace("+", "[,]"),
            "extensions": {EXT_UNDO: {"n": u["n"], "decision": u["decision"], "seen": seen}},
        }
        add(
            "undid",
            {"objectType": "Activity", "id": scene_iri(report, u["scene"])},
            result,
            context(extra={EXT_DECISION: u["decision"]}, parent=True),
            u.get("at") or finished,
        )
    if report["over"]:
        figures = {
            "ending": report["ending"]["id"] if report["ending"] else None,
            "score": report["score"],
            "assimilation": report["assimilation"],
            "learning_points": {p["id"]: p["score"] for p in report["learning_points"]},
            "areas": {a["id"]: a["score"] for a in report["areas"]},
            "worst_practices": {w["id"]: w["count"] for w in report["worst_practices"]},
            "kpis": {k["id"]: k["end"] for k in report["kpis"]},
        }
        result_ext = {EXT_RESULT: figures}
        objectives = None
        if recorded:
            figures.update(
                kept_score=report["kept_score"], changed_answers=report["changed_answers"], undone=report["undone"]
            )
            result_ext[EXT_ESTIMATES] = {p["id"]: p["estimate"] for p in report["learning_points"]}
            objectives = [
                {
                    "objectType": "Activity",
                    "id": f"{au['id']}/points/{_id_part(p['id'])}",
                    "definition": {"type": OBJECTIVE, "name": {lang: p["name"]}},
                }
                for p in report["learning_points"]
            ]
        add(
            "completed",
            au,
            {"completion": True, "duration": duration, "extensions": result_ext},
            context([CMI5_CATEGORY, MOVEON_CATEGORY], other=objectives),
            finished,
        )
        mastery = report.get("mastery")
        if mastery and mastery.get("passed") is not None:
            score = report["score"] or 0
            verb = "passed" if mastery["passed"] else "failed"
            add(
                verb,
                au,
                {
                    "score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
                    "success": bool(mastery["passed"]),
                    "duration": duration,
                },
                context([CMI5_CATEGORY, MOVEON_CATEGORY], {CMI5_MASTERY: mastery["threshold"]}),
                finished,
            )
    add("terminated", au, {"duration": duration}, context([CMI5_CATEGORY]), finished)
    return out


def _dig(value, *keys):
    """value[k1][k2]... or None when any level is not a mapping."""
    for k in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(k)
    return value


def claim_of(stmts, name: str) -> dict:
    """What a list of statements claims: the story, seed, decisions and metadata to rebuild them.

    Returns ``{"story", "seed", "decisions", "meta", "actor"}``; raises XapiError for statements that
    are not a PizzaBorg playthrough."""
    if not isinstance(stmts, list) or not stmts or not all(isinstance(s, dict) for s in stmts):
        raise XapiError(f"{name} is not a list of xAPI statements")
    first = stmts[0]
    verb = (first.get("verb") or {}).get("id") if isinstance(first.get("verb"), dict) else None
    if verb != VERBS["initialized"]:
        raise XapiError(f"{name}: the first statement is not 'initialized'")
    ctx = first.get("context")
    ctx = ctx if isinstance(ctx, dict) else {}
    ext = ctx.get("extensions")
    ext = ext if isinstance(ext, dict) else {}
    story = ext.get(EXT_STORY)
    seed = ext.get(EXT_SEED)
    if not isinstance(story, dict) or not all(isinstance(story.get(k), str) for k in ("id", "version", "hash")):
        raise XapiError(f"{name}: the statements do not say which PizzaBorg story was played")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise XapiError(f"{name}: the statements carry no valid seed")
    registration = ctx.get("registration")
    if not isinstance(registration, str):
        raise XapiError(f"{name}: the statements carry no registration")
    assignment = ext.get(EXT_ASSIGNMENT)
    if assignment is not None and not isinstance(assignment, dict):
        raise XapiError(f"{name}: the assignment extension is damaged")
    if assignment is not None:
        from .handin import check_assignment_ref
        from .report import ReportError

        try:
            check_assignment_ref(assignment, name)
        except ReportError as exc:
            raise XapiError(str(exc)) from None
        assignment = {k: assignment.get(k) for k in ("id", "cohort", "seed", "mastery", "deadline", "xapi_home")} | (
            {"undo": assignment["undo"]} if "undo" in assignment else {}
        )
    cohort = None
    grouping = (
        (ctx.get("contextActivities") or {}).get("grouping") if isinstance(ctx.get("contextActivities"), dict) else None
    )
    if isinstance(grouping, list) and grouping and isinstance(grouping[0], dict):
        names = _dig(grouping[0], "definition", "name")
        if isinstance(names, dict) and names:
            cohort = next(iter(names.values()))
    decisions, times, undos, undo_times = [], [], [], []
    from ..engine.times import valid_at

    record = ext.get(EXT_UNDO_RECORD)
    if record is not None and (not isinstance(record, dict) or not isinstance(record.get("complete"), bool)):
        raise XapiError(f"{name}: the undo-record extension is damaged")
    prefix = f"{ACTIVITY_BASE}/stories/{_id_part(story['id'])}/scenes/"
    from .report import parse_iso

    last = parse_iso(first.get("timestamp"))  # the decision times are rebuilt by the rules of decision_times
    for i, s in enumerate(stmts):
        v = s.get("verb")
        if isinstance(v, dict) and v.get("id") == VERBS["undid"] and record is not None:
            obj = s.get("object") if isinstance(s.get("object"), dict) else {}
            res = s.get("result") if isinstance(s.get("result"), dict) else {}
            u = _dig(res, "extensions", EXT_UNDO)
            oid = obj.get("id")
            pos = u.get("decision") if isinstance(u, dict) else None
            if (
                not isinstance(oid, str)
                or not oid.startswith(prefix)
                or not isinstance(res.get("response"), str)
                or isinstance(pos, bool)
                or not isinstance(pos, int)
            ):
                raise XapiError(f"{name}: statement {i + 1} ('undid') does not name a decision, a scene and a choice")
            undos.append({"decision": pos, "scene": oid[len(prefix) :], "choice": res["response"].replace("[,]", "+")})
            ts = s.get("timestamp")
            undo_times.append(ts if valid_at(ts) else None)  # the placeholder (the end) is whole seconds
            continue
        if not isinstance(v, dict) or v.get("id") != VERBS["answered"]:
            continue
        obj = s.get("object") if isinstance(s.get("object"), dict) else {}
        oid = obj.get("id")
        res = s.get("result") if isinstance(s.get("result"), dict) else {}
        if not isinstance(oid, str) or not oid.startswith(prefix) or not isinstance(res.get("response"), str):
            raise XapiError(f"{name}: statement {i + 1} ('answered') does not name a scene and a choice")
        decisions.append({"scene": oid[len(prefix) :], "choice": res["response"].replace("[,]", "+")})
        ts = s.get("timestamp")
        at = None
        if isinstance(ts, str):  # a recorded time; a decision without one was sent with a stand-in time and no duration
            placeholder = stamp_ms(last) if last is not None else None
            if isinstance(res.get("duration"), str) or ts != placeholder:
                at = ts
                last = parse_iso(ts) or last
        times.append(at)
    last = stmts[-1]
    started = first.get("timestamp") if isinstance(first.get("timestamp"), str) else None
    finished = last.get("timestamp") if isinstance(last.get("timestamp"), str) else None
    if not isinstance(cohort, str):
        cohort = None
    meta = {
        "learner": None,
        "cohort": cohort,
        "assignment": assignment,
        "started": started,
        "finished": finished,
        "registration": registration,
        "times": times,
        "undo_times": undo_times,
    }
    language = ctx.get("language")
    if language is not None:
        if not isinstance(language, str) or not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", language):
            raise XapiError(f"{name}: context.language is not a language tag")
        meta["language"] = language
    return {
        "story": story,
        "seed": seed,
        "decisions": decisions,
        "meta": meta,
        "actor": first.get("actor"),
        "undos": undos if record is not None else None,
        "undos_complete": bool(record and record["complete"]),
    }
