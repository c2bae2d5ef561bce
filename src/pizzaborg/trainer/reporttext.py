"""The report's words, shared by its renderings (Markdown, HTML, the cohort, the command line): the
head rows, numbers as shown, durations, the undo record and the estimates in words."""

from __future__ import annotations

from .report import fmt_value, label, undo_record_note

__all__ = ["duration_text", "estimate_rows", "fmt_value", "label", "summary_rows", "undo_summary"]


def summary_rows(r: dict) -> list:
    """The report's head as (label, value) rows, shared by the Markdown and HTML renderings."""
    rows = [
        ("Learner (claimed)", r.get("learner") or "–"),
        ("Cohort", r.get("cohort") or "–"),
        ("Date (claimed)", r.get("date") or "–"),
        ("Time played (claimed)", duration_text(r.get("time_spent"), len(r["decisions"]))),
        ("Story", f"{r['story'].get('title') or r['story']['id']} ({r['story']['id']} {r['story']['version']})"),
        ("Story hash", r["story"]["hash"]),
        ("Seed", r["seed"]),
        ("Ending", r["ending"]["title"] if r.get("ending") else "not finished"),
        ("Learning score", f"{fmt_value(r['score'])}/100"),
        ("Assimilation", f"{fmt_value(r['assimilation'])} %"),
    ]
    if "kept_score" in r:  # schema 2: the score above counts first answers
        rows.append(("Score of the path kept", f"{fmt_value(r['kept_score'])}/100"))
    rows.append(("Answers changed after the feedback", undo_summary(r)))
    if r.get("mastery"):
        m = r["mastery"]
        verdict = "not decided (unfinished)" if m["passed"] is None else ("passed" if m["passed"] else "not passed")
        rows.append(("Mastery", f"{fmt_value(m['threshold'] * 100)} needed: {verdict}"))
    if r.get("assignment") and r["assignment"].get("deadline"):
        late = r.get("late_days")
        rows.append(
            (
                "Deadline",
                r["assignment"]["deadline"] + (f" ({late} day(s) late by the claimed finish time)" if late else ""),
            )
        )
    rows += estimate_rows(r)
    return rows


def undo_summary(r: dict) -> str:
    """'2 (5 undos)', or what is not known about them."""
    note = undo_record_note(r)
    if "undos" not in r:
        return f"unknown ({note})"
    text = f"{r['changed_answers']} ({r['undone']} undo{'' if r['undone'] == 1 else 's'})"
    return text + (f"; {note}" if note else "")


def estimate_rows(r: dict) -> list:
    """('Mastery: <point>', 'about 70 out of 100, likely between 55 and 82, from 6 decisions') per point."""
    from ..engine.mastery import from_dict, words

    return [
        (f"Mastery: {p['name']}", words(from_dict(p["estimate"]))) for p in r["learning_points"] if p.get("estimate")
    ]


def duration_text(spent: dict | None, decisions: int) -> str:
    """'12 min 5 s for 46 decisions' from a report's time_spent (or '–' when no times were recorded)."""
    if not spent:
        return "–" if decisions else "no decisions"
    s = int(round(float(spent["seconds"])))
    m, sec = divmod(s, 60)
    text = f"{m} min {sec} s" if m else f"{sec} s"
    return f"{text} for {decisions} decision(s)"
