"""The cohort from a Learning Record Store: the assignment's statements, one attempt per registration,
each replay-verified like an xAPI report file, with the LRS's ``stored`` time as the record of when.

The query asks for the statements related to the assignment's cohort activity
(``activity=…/cohorts/<assignment id>&related_activities=true``), page by page (``more``). An LRS
that answers that query with nothing (Ralph 5.1's filesystem backend ignores ``activity``) is read
without the filter, and a note says so; either way only statements whose grouping names the
assignment are kept, whatever the LRS returned.
"""

from __future__ import annotations

from .report import iso, parse_iso
from .xapi import ACTIVITY_BASE, EXT_DECISION, VERBS

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


def _rank(st: dict) -> tuple:
    verb = st.get("verb")
    verb = verb if isinstance(verb, dict) else {}
    ctx = st.get("context")
    ctx = ctx if isinstance(ctx, dict) else {}
    ext = ctx.get("extensions")
    ext = ext if isinstance(ext, dict) else {}
    n = ext.get(EXT_DECISION)
    return (_ORDER.get(verb.get("id"), 5), n if isinstance(n, int) and not isinstance(n, bool) else 0)


def fetch(lrs, assignment) -> tuple:
    """(statements of the assignment, notes)."""
    activity = cohort_activity(assignment)
    notes = []
    found = lrs.get_statements({"activity": activity, "related_activities": "true"})
    if not found:
        found = lrs.get_statements({})
        if found:
            notes.append(
                f"the LRS at {lrs.where} found nothing for the assignment's activity filter; all "
                f"{len(found)} statement(s) these credentials may read were read and the assignment's kept"
            )
    return [s for s in found if _grouped_by(s, activity)], notes


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


def verdicts_from_lrs(lrs, assignment, verifier) -> tuple:
    """(verdicts, notes): one replay-verified verdict per attempt found in the LRS."""
    stmts, notes = fetch(lrs, assignment)
    verdicts = []
    for reg, group in sorted(attempts(stmts).items()):
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
        verdicts.append(v)
    return verdicts, notes
