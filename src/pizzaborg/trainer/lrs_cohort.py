"""The cohort from a Learning Record Store: the assignment's statements, one attempt per registration,
each replay-verified like an xAPI report file, with the LRS's ``stored`` time as the record of when.

The query asks for the statements related to the assignment's cohort activity
(``activity=…/cohorts/<assignment id>&related_activities=true``), page by page (``more``). An LRS
that answers that query with nothing (Ralph 5.1's filesystem backend ignores ``activity``) is read
without the filter, and a note says so; either way only statements whose grouping names the
assignment are kept, whatever the LRS returned.
"""

from __future__ import annotations

from ..engine.i18n import _, ngettext
from .report import iso, parse_iso
from .xapi import ACTIVITY_BASE, EXT_DECISION, VERBS

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
# the fields an LRS adds to a statement it stores (xAPI 2.4.8-2.4.10); not part of what was sent
LRS_FIELDS = ("stored", "authority", "version")
_ORDER: dict = {
    VERBS["initialized"]: 0,
    VERBS["answered"]: 1,
    VERBS["completed"]: 2,
    VERBS["passed"]: 3,
    VERBS["failed"]: 3,
    VERBS["terminated"]: 4,
}


def cohort_activity(assignment) -> str:
    return f"{ACTIVITY_BASE}/cohorts/{assignment.id}"


def _grouped_by(st: dict, activity: str) -> bool:
    ctx = st.get("context")
    acts = ctx.get("contextActivities") if isinstance(ctx, dict) else None
    grouping = acts.get("grouping") if isinstance(acts, dict) else None
    return isinstance(grouping, list) and any(isinstance(g, dict) and g.get("id") == activity for g in grouping)


def voided_target(st: dict) -> str | None:
    """The id of the statement a voiding statement voids, or None for any other statement."""
    verb = st.get("verb")
    obj = st.get("object")
    if not isinstance(verb, dict) or verb.get("id") != VOIDED or not isinstance(obj, dict):
        return None
    target = obj.get("id")
    return target if obj.get("objectType") == "StatementRef" and isinstance(target, str) else None


def _kept(st: dict, activity: str) -> bool:
    return _grouped_by(st, activity) or voided_target(st) is not None


def without_voided(stmts: list) -> list:
    """The statements less the voiding ones and those they void."""
    targets = {t for t in map(voided_target, stmts) if t is not None}
    return [s for s in stmts if voided_target(s) is None and s.get("id") not in targets]


def _rank(st: dict) -> tuple:
    verb = st.get("verb")
    verb = verb if isinstance(verb, dict) else {}
    ctx = st.get("context")
    ctx = ctx if isinstance(ctx, dict) else {}
    ext = ctx.get("extensions")
    ext = ext if isinstance(ext, dict) else {}
    n = ext.get(EXT_DECISION)
    return (_ORDER.get(verb.get("id"), 5), n if isinstance(n, int) and not isinstance(n, bool) else 0)


def fetch(lrs, assignment, since: str | None = None, filter_works: bool | None = None) -> tuple:
    """(statements of the assignment, notes, whether the LRS honoured the activity filter or None when
    this run cannot tell). ``since``: only what the LRS stored after that time. ``filter_works``: what an
    earlier run learnt; False goes straight to the unfiltered query, True trusts an empty answer."""
    activity = cohort_activity(assignment)
    notes: list[str] = []
    # in one page where the LRS allows it (limit 0: see Lrs.get_statements): Ralph 5 reads its whole store
    # for each page of 100, 108 times for 200 learners' games
    extra = {"since": since, "limit": 0} if since else {"limit": 0}
    found: list = []
    if filter_works is not False:
        found = lrs.get_statements({"activity": activity, "related_activities": "true", **extra})
        if found or filter_works:
            return [s for s in found if _kept(s, activity)], notes, bool(found) or filter_works
    found = lrs.get_statements(dict(extra))
    mine = [s for s in found if _kept(s, activity)]
    if found and filter_works is None:
        notes.append(
            _(
                "the LRS at {where} found nothing for the assignment's activity filter; all {n} statement(s) "
                "these credentials may read were read and the assignment's kept"
            ).format(where=lrs.where, n=len(found))
        )
    grouped = any(voided_target(s) is None for s in mine)
    return mine, notes, (False if grouped else filter_works)


def attempts(stmts: list) -> dict:
    """{registration: [statements in the order they were made, as sent]} (duplicates dropped)."""
    out: dict = {}
    seen = set()
    for s in stmts:
        ctx = s.get("context") if isinstance(s.get("context"), dict) else {}
        reg = ctx.get("registration")
        sid = s.get("id")
        if not isinstance(reg, str) or sid in seen:
            continue
        seen.add(sid)
        out.setdefault(reg, []).append(s)
    for reg in out:
        out[reg].sort(key=_rank)
    return out


def _verify(reg: str, group: list, verifier):
    stored = [parse_iso(s.get("stored")) for s in group]
    sent = [{k: v for k, v in s.items() if k not in LRS_FIELDS} for s in group]
    actor = sent[0].get("actor")
    actor = actor if isinstance(actor, dict) else {}
    account = actor.get("account")
    account = account if isinstance(account, dict) else {}
    who = str(account.get("name") or "?")[:12]
    name = f"LRS attempt {reg[:8]} (account {who})"
    v = verifier.verify_data(sent, name)
    if v.report is not None:
        r = v.report
        r["learner"] = f"account {who}"  # pseudonymous: the LRS never holds the learner's name
        when = max((t for t in stored if t is not None), default=None)
        r["claimed_finished"] = r.get("finished")
        if when is not None:  # the LRS's record of when, not the learner's claim
            r["finished"] = r["date"] = iso(when)
            deadline = (r.get("assignment") or {}).get("deadline")
            if deadline:
                from datetime import date

                r["late_days"] = max(0, (when.date() - date.fromisoformat(deadline)).days)
    return v


def _duration(seconds: float) -> str:
    if seconds >= 2 * 86400:
        n = round(seconds / 86400)
        return ngettext("{n} day", "{n} days", n).format(n=n)
    if seconds >= 7200:
        n = round(seconds / 3600)
        return ngettext("{n} hour", "{n} hours", n).format(n=n)
    n = max(1, round(seconds / 60))
    return ngettext("{n} minute", "{n} minutes", n).format(n=n)


def _context(verifier) -> str:
    """What a verdict depends on besides the statements: the stories and the assignment it was checked
    against, and this version of the verifier."""
    import hashlib
    import json
    from dataclasses import asdict, is_dataclass

    from .. import __version__

    a = verifier.assignment
    what = {
        "version": __version__,
        "stories": sorted(verifier.stories),
        "assignment": asdict(a) if is_dataclass(a) and not isinstance(a, type) else None,
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()


def verdicts_from_lrs(lrs, assignment, verifier, cache=None) -> tuple:
    """(verdicts, notes): one replay-verified verdict per attempt found in the LRS.

    With a :class:`~pizzaborg.trainer.lrs_cache.LrsCache`, only what the LRS stored since the last run is
    read, and only attempts whose statements changed are replayed; a note says what changed."""
    if cache is None:
        stmts, notes, _works = fetch(lrs, assignment)
        found = attempts(without_voided(stmts))
        return [_verify(reg, group, verifier) for reg, group in sorted(found.items())], notes
    activity = cohort_activity(assignment)

    def reread(registration: str) -> list:
        """Every statement of one attempt, when the cache's copy of it cannot be used."""
        return [s for s in lrs.get_statements({"registration": registration}) if _grouped_by(s, activity)]

    since = cache.since()
    found, notes, works = fetch(lrs, assignment, since=since, filter_works=cache.filter_works)
    cache.filter_works = works
    added = cache.merge(found, reread)
    cache.probe(lrs)
    context = _context(verifier)
    verdicts, counts = [], {"new": 0, "changed": 0, "unchanged": 0}
    for reg in cache.registrations():
        v = cache.verdict(reg, context)
        if v is None:
            group = attempts(cache.attempt(reg, reread)).get(reg)
            if not group:  # every statement voided, or read again and gone
                continue
            counts["changed" if reg in cache.known else "new"] += 1
            v = _verify(reg, group, verifier)
            cache.keep_verdict(reg, context, v)
        else:
            counts["unchanged"] += 1
        verdicts.append(v)
    if since is not None:
        notes.append(
            _(
                "from the LRS at {where}: {added} new statement(s) since {since} ({read} read); {new} new "
                "attempt(s), {changed} changed, {unchanged} unchanged (kept in {path})"
            ).format(
                where=lrs.where,
                added=added,
                since=since,
                read=len(found),
                new=counts["new"],
                changed=counts["changed"],
                unchanged=counts["unchanged"],
                path=cache.path,
            )
        )
        if cache.since_by != "stored":
            notes.append(
                (
                    _(
                        "the LRS at {where} selects 'since' by when a statement was made, not when it was "
                        "stored: a result sent more than {time} after the newest one seen was made (a game left "
                        "for days, a learner's outbox) may be missed; --no-cache reads everything"
                    )
                    if cache.since_by
                    else _(
                        "the LRS at {where} may select 'since' by when a statement was made, not when it was "
                        "stored: a result sent more than {time} after the newest one seen was made (a game left "
                        "for days, a learner's outbox) may be missed; --no-cache reads everything"
                    )
                ).format(where=lrs.where, time=_duration(cache.longest_game()))
            )
    problem = cache.save()
    return verdicts, [*cache.notes, *notes, *([problem] if problem else [])]
