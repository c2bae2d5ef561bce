"""The report's words, shared by its renderings (Markdown, HTML, the cohort, the command line): the
head rows, numbers as shown, durations, the undo record and the estimates in words."""

from __future__ import annotations

from ..engine.i18n import _, ngettext
from .report import fmt_value, label, undo_record_note

__all__ = ["duration_text", "estimate_rows", "fmt_value", "label", "summary_rows", "undo_summary"]


def summary_rows(r: dict) -> list:
    """The report's head as (label, value) rows, shared by the Markdown and HTML renderings."""
    rows = [
        (_("Learner (claimed)"), r.get("learner") or "–"),
        (_("Cohort"), r.get("cohort") or "–"),
        (_("Date (claimed)"), r.get("date") or "–"),
        (_("Time played (claimed)"), duration_text(r.get("time_spent"), len(r["decisions"]))),
        (_("Story"), f"{r['story'].get('title') or r['story']['id']} ({r['story']['id']} {r['story']['version']})"),
        (_("Story hash"), r["story"]["hash"]),
        (_("Seed"), r["seed"]),
        (_("Ending"), r["ending"]["title"] if r.get("ending") else _("not finished")),
        (_("Learning score"), f"{fmt_value(r['score'])}/100"),
        (_("Assimilation"), f"{fmt_value(r['assimilation'])} %"),
    ]
    if r.get("language") and r["language"] != "en":  # the game's language (an English game's rows are as before)
        rows.insert(4, (_("Language played in"), r["language"]))
    if "kept_score" in r:  # schema 2: the score above counts first answers
        rows.append((_("Score of the path kept"), f"{fmt_value(r['kept_score'])}/100"))
    rows.append((_("Answers changed after the feedback"), undo_summary(r)))
    if r.get("mastery"):
        m = r["mastery"]
        if m["passed"] is None:
            verdict = _("not decided (unfinished)")
        else:
            verdict = _("passed") if m["passed"] else _("not passed")
        rows.append(
            (_("Mastery"), _("{mark} needed: {verdict}").format(mark=fmt_value(m["threshold"] * 100), verdict=verdict))
        )
    if r.get("assignment") and r["assignment"].get("deadline"):
        late = r.get("late_days")
        rows.append(
            (
                _("Deadline"),
                r["assignment"]["deadline"]
                + (" " + _("({n} day(s) late by the claimed finish time)").format(n=late) if late else ""),
            )
        )
    rows += estimate_rows(r)
    return rows


def undo_summary(r: dict) -> str:
    """'2 (5 undos)', or what is not known about them."""
    note = undo_record_note(r)
    if "undos" not in r:
        return _("unknown ({why})").format(why=note)
    undos = ngettext("{n} undo", "{n} undos", r["undone"]).format(n=r["undone"])
    text = f"{r['changed_answers']} ({undos})"
    return text + (f"; {note}" if note else "")


def estimate_rows(r: dict) -> list:
    """('Mastery: <point>', 'about 70 out of 100, likely between 55 and 82, from 6 decisions') per point."""
    from ..engine.mastery import from_dict, words

    return [
        (_("Mastery: {point}").format(point=p["name"]), words(from_dict(p["estimate"])))
        for p in r["learning_points"]
        if p.get("estimate")
    ]


def duration_text(spent: dict | None, decisions: int) -> str:
    """'12 min 5 s for 46 decisions' from a report's time_spent (or '–' when no times were recorded)."""
    if not spent:
        return "–" if decisions else _("no decisions")
    s = int(round(float(spent["seconds"])))
    m, sec = divmod(s, 60)
    text = _("{minutes} min {seconds} s").format(minutes=m, seconds=sec) if m else _("{seconds} s").format(seconds=sec)
    return _("{time} for {n} decision(s)").format(time=text, n=decisions)
