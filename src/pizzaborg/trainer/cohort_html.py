"""The cohort page: the group's results as one self-contained HTML page to project in the debrief.

Read from the front of a room: large type, one column of sections in the order a debrief runs
(how it ended, what was learnt per area, the choices to discuss), bars instead of tables of numbers.
It is anonymous unless ``names`` is set: a projected page shows no learner's name or file; the table
per learner is the trainer's (``pizzaborg cohort --format html --names``). The reports left out
come last. No scripts, no external assets; every piece of text is HTML-escaped.
"""

from __future__ import annotations

from ..engine.i18n import N_, _, current, ngettext
from ..engine.times import today as today_utc
from .html import h
from .reporttext import fmt_value as _fmt

CSS = """
:root{--ink:#111;--muted:#555;--bar:#2a6f4e;--bar-bg:#e6e6e6;--worst:#b3261e}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:20px;line-height:1.4;color:var(--ink);
max-width:1200px;margin:0 auto;padding:1.5rem 2rem 3rem}
header{border-bottom:3px solid var(--ink);margin-bottom:1rem}
h1{font-size:2.1rem;margin:0 0 .2rem}h2{font-size:1.45rem;margin:2rem 0 .6rem}
.sub{color:var(--muted);margin:.2rem 0 .8rem}
.muted{color:var(--muted)}
.kpis{display:flex;flex-wrap:wrap;gap:1rem 3rem;margin:.5rem 0}
.kpis div{min-width:10rem}.kpis b{display:block;font-size:2.2rem;line-height:1.1}
.rows{display:grid;grid-template-columns:minmax(12rem,26rem) 1fr 7.5rem;gap:.35rem 1rem;align-items:center}
.rows .name{overflow-wrap:anywhere}.rows .num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.track{background:var(--bar-bg);height:1.1rem;border-radius:2px}.fill{background:var(--bar);height:100%;border-radius:2px}
.rows .point{font-size:.8em;color:var(--muted);padding-left:1.2rem}.rows .point-track{height:.55rem}
.rows .area{font-weight:600;margin-top:.5rem}
ol.worst{padding-left:1.6rem}ol.worst li{margin-bottom:1.1rem}
ol.worst blockquote{margin:.3rem 0 0;padding-left:.8rem;border-left:4px solid var(--worst);color:#333;font-size:.85em}
table{border-collapse:collapse;font-size:.8em}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}
footer{margin-top:2.5rem;border-top:1px solid #bbb;padding-top:.5rem;font-size:.8em}
@media print{body{font-size:12pt;max-width:none;padding:0}h2{page-break-after:avoid}
ol.worst li{page-break-inside:avoid}}
"""


def _pct(n: int, total: int) -> str:
    return f"{round(100 * n / total)}%" if total else "–"


def _row(name: str, value, text: str, cls: str = "", scale: float = 100.0) -> str:
    width = 0.0 if value is None else max(0.0, min(100.0, 100 * float(value) / scale)) if scale else 0.0
    kind = f" {cls}" if cls else ""
    track = "track point-track" if cls == "point" else "track"
    return (
        f'<div class="name{kind}">{h(name)}</div>'
        f'<div class="{track}" role="img" aria-label="{h(name)}: {h(text)}"><div class="fill" '
        f'style="width:{width:.1f}%"></div></div>'
        f'<div class="num{kind}">{h(text)}</div>'
    )


def _title(c: dict, today: str) -> str:
    cohort = ", ".join(c.get("cohorts") or []) or _("PizzaBorg cohort")
    return _("{cohort} — debrief {date}").format(cohort=cohort, date=today)


def _recorded(row: dict) -> str:
    """The learners table's 'recorded by the class server' cell."""
    rec = row.get("server_record")
    if not rec:
        return "–"
    start, end = str(rec.get("game_started") or rec.get("session_started") or ""), str(rec.get("finished") or "")
    when = f"{start[:10]} {start[11:16]}–{end[11:16]} UTC" if start and end else end[:16]
    text = _("{name}, session {session}, {when}").format(
        name=rec.get("learner_as_typed"), session=rec.get("session"), when=when
    )
    if rec.get("launched_from") == "lms":  # a cmi5 launch: the LMS named the learner (web/cmi5.py)
        text += " · " + _("launched from the LMS")
    return text


def held_back_note(c: dict) -> str:
    """One line, naming nobody: how many learners the figures leave out as flagged copies, and how to count them."""
    n = len(c.get("held_back") or [])
    return _(
        "{n} learner(s) held back from these figures: their report repeats another learner's playthrough "
        "(flagged as a copy). Check the flags; to count them anyway: pizzaborg cohort … --count-flagged."
    ).format(n=n)


def _duration(seconds) -> str:
    if seconds is None:
        return "–"
    s = int(round(float(seconds)))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}h {m:02d}m" if h else (f"{m}m {sec:02d}s" if m else f"{sec}s")


def _unnamed(reason: str, file: str, instead: str) -> str:
    """A reason a report was left out, without its file's name (game-made names carry the learner's name,
    and a hand-in may be called 'Alice Smith (damaged).json'): the projected page names nobody."""
    import os
    import re

    for shown in sorted(
        {file, os.path.basename(file), os.path.splitext(os.path.basename(file))[0]} - {""}, key=len, reverse=True
    ):
        reason = reason.replace(shown, instead)
    return re.sub(r"\S+\.(json|xapi|yaml)\b", "a file", reason)  # any other file named in it


def changed_text(row: dict) -> str:
    """'changed 7 answers after seeing the feedback' (or why it is not known) for a learner's row."""
    n = row.get("changed")
    if n is None:
        return _("undos not recorded (an earlier PizzaBorg)")
    text = ngettext(
        "changed {n} answer after seeing the feedback", "changed {n} answers after seeing the feedback", n
    ).format(n=n)
    if row.get("undos_complete") is False:
        text += " " + _("(undos before a load from an older save unknown)")
    return text


def render_page(c: dict, names: bool = False, today: str | None = None) -> str:
    today = today or today_utc().isoformat()
    title = _title(c, today)
    learners = c["learners"]
    b = [
        f'<!DOCTYPE html><html lang="{h(current())}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{h(title)}</h1>",
        f'<p class="sub">{h(", ".join(c.get("story_titles") or c["stories"]) or "–")} · '
        + h(
            _("{learners} learner(s) · {verified} of {reports} report(s) verified").format(
                learners=learners, verified=c["verified"], reports=c["reports"]
            )
        )
        + "</p></header>",
    ]

    # the headline figures
    s = c["score"]
    table = c["learners_table"]
    finished = sum(1 for row in table if row["ending"] != _("not finished"))
    b.append('<section class="kpis">')
    b.append(
        f'<div>{h(_("Mean learning score"))}<b>{h(_fmt(s["mean"]))}</b><span class="muted">'
        + h(_("of 100 · median {median}").format(median=_fmt(s["median"])))
        + "</span></div>"
    )
    b.append(
        f"<div>{h(_('Finished the game'))}<b>{h(_('{n} of {total}').format(n=finished, total=learners))}</b></div>"
    )
    judged = [row["passed"] and row.get("counted", True) for row in table if row["passed"] is not None]
    if judged:
        marks = _(" or ").join(f"{round(m * 100)}" for m in c.get("mastery") or [])
        mark = " " + _("(pass mark {marks} of 100)").format(marks=marks) if marks else ""
        passed = _("{n} of {total}").format(n=sum(judged), total=len(judged))
        b.append(f'<div>{h(_("Passed"))}<b>{h(passed)}</b><span class="muted">{h(mark)}</span></div>')
    recorded = [row["changed"] for row in table if row.get("changed") is not None]
    if recorded:
        b.append(
            f'<div>{h(_("Answers changed after the feedback"))}<b>{h(sum(recorded))}</b><span class="muted">'
            + h(
                _("by {n} of {total} learner(s) with an undo record").format(
                    n=sum(1 for n in recorded if n), total=len(recorded)
                )
            )
            + "</span></div>"
        )
    b.append("</section>")
    if c.get("held_back"):
        b.append(f'<p class="muted">{h(held_back_note(c))}</p>')

    # how it ended
    b.append(f'<h2>{h(_("How the games ended"))}</h2><div class="rows">')
    top = max((e["count"] for e in c["endings"]), default=0)
    for e in c["endings"]:
        b.append(_row(e["title"], e["count"], f"{e['count']} · {_pct(e['count'], learners)}", scale=top or 1))
    b.append("</div>")

    # learning areas, their points beneath
    b.append(
        f'<h2>{h(_("Learning scores by area"))}</h2><p class="muted">'
        + h(
            _(
                "Mean score of 100 per learning area, with its learning points beneath; the figure right is the "
                "mean (and how many learners were scored)."
            )
        )
        + '</p><div class="rows">'
    )
    by_area: dict = {}
    for p in c["learning_points"]:
        by_area.setdefault(p.get("area"), []).append(p)
    for a in c["areas"]:
        b.append(_row(a["name"], a["mean"], f"{_fmt(a['mean'])} ({a['n']})", cls="area"))
        for p in by_area.get(a["id"], []):
            b.append(_row(p["name"], p["mean"], f"{_fmt(p['mean'])} ({p['n']})", cls="point"))
    b.append("</div>")
    estimated = [p for p in c["learning_points"] if p.get("estimate")]
    if estimated:  # how sure: the class's mastery per point with its 90 % interval
        b.append(
            f'<h2>{h(_("Mastery of the class per learning point"))}</h2><p class="muted">'
            + h(
                _(
                    "The estimate of 100, and the 90 % interval it likely lies in (from how many decisions bore on "
                    "it, corrected for guessing)."
                )
            )
            + '</p><div class="rows">'
        )
        for p in estimated:
            e = p["estimate"]
            b.append(
                _row(
                    p["name"], e["estimate"], f"{_fmt(e['estimate'])} ({_fmt(e['low'])}–{_fmt(e['high'])})", cls="point"
                )
            )
        b.append("</div>")

    # what to discuss
    b.append(f"<h2>{h(_('Worst-practice choices taken most often'))}</h2>")
    if not c["worst_choices"]:
        b.append(f"<p>{h(_('Nobody fell into a worst practice.'))}</p>")
    else:
        b.append('<ol class="worst">')
        for w in c["worst_choices"]:
            named = ", ".join(w.get("worst_names") or w["worst"])
            b.append(
                f"<li><strong>{h(w['scene_title'])}</strong> "
                + h(
                    _("(month {month}): {n} of {total} chose “{choice}” — {names}").format(
                        month=w["month"], n=w["count"], total=learners, choice=w["choice_text"], names=named
                    )
                )
                + f"<blockquote>{h(w['scene_text'])}</blockquote></li>"
            )
        b.append("</ol>")

    # the trainer's table
    if names:
        b.append(
            f"<h2>{h(_('Learners'))}</h2><p>"
            + h(_("Names and times are as the learners' files claim them; the scores are verified."))
            + "</p><table><tr>"
            + "".join(
                f"<th{cls}>{h(_(name))}</th>"
                for name, cls in (
                    (N_("learner (claimed)"), ""),
                    (N_("language"), ""),
                    (N_("ending"), ""),
                    (N_("score"), ' class="n"'),
                    (N_("assimilation"), ' class="n"'),
                    (N_("worst practices"), ' class="n"'),
                    (N_("passed"), ""),
                    (N_("finished (claimed)"), ""),
                    (N_("time played (claimed)"), ' class="n"'),
                    (N_("attempts"), ' class="n"'),
                    (N_("flags"), ""),
                    (N_("undos"), ""),
                    (N_("recorded by the class server"), ""),
                )
            )
            + "</tr>"
        )
        for row in table:
            passed = "–" if row["passed"] is None else (_("yes") if row["passed"] else _("no"))
            passed += "" if row.get("counted", True) else " " + _("(held back)")
            late = " " + _("({n} days late)").format(n=row["late_days"]) if row["late_days"] else ""
            b.append(
                f"<tr><td>{h(row['learner'])}</td><td>{h(row.get('language') or 'en')}</td>"
                f'<td>{h(row["ending"])}</td><td class="n">{h(_fmt(row["score"]))}</td>'
                f'<td class="n">{h(_fmt(row["assimilation"]))}</td><td class="n">{h(row["worst_taken"])}</td>'
                f"<td>{h(passed)}</td><td>{h((row['finished'] or '')[:10])}{h(late)}</td>"
                f'<td class="n">{h(_duration(row.get("time_spent")))}</td><td '
                f'class="n">{h(row.get("attempts", 1))}</td>'
                f"<td>{h(', '.join(row.get('flags') or []) or '–')}</td><td>{h(changed_text(row))}</td>"
                f"<td>{h(_recorded(row))}</td></tr>"
            )
        b.append(f"</table><h2>{h(_('Check these (flags)'))}</h2>")
        b.append(
            "<ul>" + "".join(f"<li><strong>{h(f['kind'])}</strong>: {h(f['text'])}</li>" for f in c["flags"]) + "</ul>"
            if c.get("flags")
            else f"<p>{h(_('Nothing to check.'))}</p>"
        )
        b.append(f"<h2>{h(_('Attempts (rule: {rule})').format(rule=c.get('rule_text', '')))}</h2>")
        b.append(
            "<ul>"
            + "".join(
                f"<li>{h(a['learner'])}: "
                + "; ".join(
                    h(
                        _("{file} score {score}, finished {finished} (claimed)").format(
                            file=x["file"], score=_fmt(x["score"]), finished=x["finished"] or "–"
                        )
                    )
                    + (f" <strong>{h(_('counts'))}</strong>" if x["counted"] else "")
                    for x in a["attempts"]
                )
                + "</li>"
                for a in c["attempts"]
            )
            + "</ul>"
            if c.get("attempts")
            else f"<p>{h(_('Every learner handed in one verified report.'))}</p>"
        )
    elif c.get("flags"):
        b.append(
            '<p class="muted">'
            + h(
                _(
                    "{n} thing(s) to check in the hand-ins (identical playthroughs, names, times): see the "
                    "trainer's view with {option}."
                ).format(n=len(c["flags"]), option="{option}")
            ).replace("{option}", "<code>--names</code>", 1)
            + "</p>"
        )

    # left out, last
    b.append("<footer>")
    if c["rejected"]:
        b.append(f"<h2>{h(_('Reports left out ({n}: failed verification)').format(n=len(c['rejected'])))}</h2><ul>")
        for i, x in enumerate(c["rejected"], 1):
            who = x["file"] if names else _("report {n}").format(n=i)
            reason = x["reason"] if names else _unnamed(x["reason"], x["file"], who)
            b.append(f"<li>{h(who)}: {h(reason)}</li>")
        b.append("</ul>")
    several = [a for a in c.get("attempts") or [] if len(a["attempts"]) > 1]
    if several:
        b.append(
            "<p>"
            + h(
                _("{n} learner(s) handed in more than once; one attempt each counts ({rule}).").format(
                    n=len(several), rule=c.get("rule_text", "")
                )
            )
            + "</p>"
        )
    if not names:
        b.append(
            '<p class="muted">'
            + h(_("No names on this page, to project it. The table per learner: {command}.")).replace(
                "{command}", "<code>pizzaborg cohort … --format html --names</code>", 1
            )
            + "</p>"
        )
    b.append("</footer></body></html>")
    return "\n".join(b) + "\n"
