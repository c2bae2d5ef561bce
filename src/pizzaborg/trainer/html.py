"""The report as one self-contained, printable HTML page: inline CSS, the KPI timeline as inline SVG,
no scripts, no external assets. Every piece of text is HTML-escaped."""

from __future__ import annotations

import math
from html import escape

from ..engine.i18n import _, current
from ..engine.text import clean
from .report import debrief
from .reporttext import fmt_value as _fmt
from .reporttext import label as _label
from .reporttext import summary_rows

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;
color:#111;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #bbb;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}.area td{font-weight:600;background:#f3f3f3}
.bar{display:inline-block;height:.7rem;background:#2a6;vertical-align:middle}.barbg{display:inline-block;width:8rem;background:#eee;margin-right:.4rem}
.decision{border-left:3px solid #999;padding-left:.8rem;margin:1rem 0;page-break-inside:avoid}
.worst{border-left-color:#c33}
td.score{white-space:nowrap}.score .v{display:inline-block;min-width:2.6rem;text-align:right}
.muted{color:#555}.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{page-break-inside:avoid}
@media print{body{margin:0;max-width:none}a{color:inherit}}
"""


def h(text) -> str:
    return escape(clean(str(text if text is not None else "")), quote=True)


def _para(text) -> str:
    parts = [p for p in clean(str(text or "")).split("\n\n") if p.strip()]
    return "".join(f"<p>{h(' '.join(p.split()))}</p>" for p in parts)


def _bar(score) -> str:
    if score is None:
        return '<span class="barbg"></span><span class="v">–</span>'
    return (
        f'<span class="barbg"><span class="bar" style="width:{max(0.0, min(100.0, float(score))):.1f}%"></span></span>'
        f'<span class="v">{h(_fmt(score))}</span>'
    )


def kpi_chart(r: dict, kpi: dict, width: int = 360, height: int = 150) -> str:
    """One KPI over the decisions as an inline SVG line chart, month boundaries dashed."""
    pad_l, pad_r, pad_t, pad_b = 44, 10, 22, 24
    steps = r["timeline"]
    n = max(1, len(steps) - 1)
    values = [float(t["kpis"][kpi["id"]]) for t in steps] or [float(kpi["start"])]
    kmin, kmax = float(kpi["min"]), float(kpi["max"])
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * 0.15, (kmax - kmin) * 0.02, 0.5)
    lo, hi = max(kmin, lo - pad), min(kmax, hi + pad)  # zoom on what happened, within the KPI's range
    if all(v.is_integer() for v in values):
        lo, hi = max(kmin, math.floor(lo)), min(kmax, math.ceil(hi))
    span = (hi - lo) or 1.0
    iw, ih = width - pad_l - pad_r, height - pad_t - pad_b

    def xy(i, v):
        x = pad_l + iw * i / n
        y = pad_t + ih * (1 - (float(v) - lo) / span)
        return f"{x:.1f},{y:.1f}"

    pts = " ".join(xy(i, t["kpis"][kpi["id"]]) for i, t in enumerate(steps))
    unit = f" ({kpi['unit']})" if kpi.get("unit") else ""
    title = f"{kpi['name']}{unit}: {_fmt(kpi['start'])} → {_fmt(kpi['end'])}"
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{h(title)}">',
        f"<title>{h(title)}</title>",
        f'<text x="{pad_l}" y="14" font-size="12" font-weight="600">{h(title)}</text>',
        f'<rect x="{pad_l}" y="{pad_t}" width="{iw}" height="{ih}" fill="#fafafa" stroke="#ccc"/>',
        f'<text x="{pad_l - 4}" y="{pad_t + 4}" font-size="10" text-anchor="end">{h(_fmt(hi))}</text>',
        f'<text x="{pad_l - 4}" y="{pad_t + ih}" font-size="10" text-anchor="end">{h(_fmt(lo))}</text>',
    ]
    prev = steps[0]["round"] if steps else None
    for i, t in enumerate(steps):
        if t["round"] != prev:
            x = pad_l + iw * (i - 1) / n
            parts.append(
                f'<line x1="{x:.1f}" y1="{pad_t}" x2="{x:.1f}" y2="{pad_t + ih}" stroke="#999" stroke-dasharray="3,3"/>'
            )
            month = _("month {n}").format(n=t["round"])
            parts.append(f'<text x="{x + 2:.1f}" y="{pad_t + ih + 14}" font-size="9">{h(month)}</text>')
            prev = t["round"]
    parts.append(f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{pts}"/>')
    for i, t in enumerate(steps):
        x, y = xy(i, t["kpis"][kpi["id"]]).split(",")
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="2.2" fill="#1565c0"><title>{h(_fmt(t["kpis"][kpi["id"]]))}</title></circle>'
        )
    parts.append(f'<text x="{pad_l}" y="{height - 4}" font-size="9" class="muted">{h(_("decisions →"))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(r: dict) -> str:
    kpis = {k["id"]: k for k in r["kpis"]}
    lp = {p["id"]: p for p in r["learning_points"]}
    learner = r.get("learner") or _("anonymous learner")
    heading = _("PizzaBorg report: {learner}").format(learner=learner)
    b = [
        f'<!DOCTYPE html><html lang="{h(current())}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(heading)}</title><style>{CSS}</style></head><body>",
        f"<h1>{h(heading)}</h1>",
        f'<p class="muted">{h(r["story"].get("title") or r["story"]["id"])}</p>',
        "<table>",
    ]
    rows = summary_rows(r)
    b += [f"<tr><th>{h(k)}</th><td>{h(v)}</td></tr>" for k, v in rows]
    b.append("</table>")
    if r.get("ending"):
        b += [f"<h2>{h(_('Ending: {title}').format(title=r['ending']['title']))}</h2>", _para(r["ending"]["text"])]

    b += [
        f"<h2>{h(_('Learning scores'))}</h2>",
        f"<table><tr><th>{h(_('learning point'))}</th><th>{h(_('score'))}</th>"
        f'<th class="n">{h(_("decisions at stake"))}</th></tr>',
    ]
    for a in r["areas"]:
        b.append(f'<tr class="area"><td>{h(a["name"])}</td><td class="score">{_bar(a["score"])}</td><td></td></tr>')
        for p in r["learning_points"]:
            if p["area"] == a["id"]:
                b.append(
                    f'<tr><td>{h(p["name"])}</td><td class="score">{_bar(p["score"])}</td><td '
                    f'class="n">{h(p["at_stake"])}</td></tr>'
                )
    b.append("</table>")
    fell = [w for w in r["worst_practices"] if w["count"]]
    if fell:
        b.append(
            f"<p>{h(_('Worst practices fallen into:'))}</p><ul>"
            + "".join(f"<li>{h(w['id'])} {h(w['name'])} ({h(w['count'])}x)</li>" for w in fell)
            + "</ul>"
        )
    else:
        b.append(f"<p>{h(_('No worst practice fallen into.'))}</p>")

    b += [f"<h2>{h(_('KPI timeline'))}</h2>", '<div class="charts">']
    b += [kpi_chart(r, k) for k in r["kpis"]]
    b.append("</div>")
    ids = list(kpis)
    b.append(
        f'<table><tr><th>{h(_("after"))}</th><th class="n">{h(_("month"))}</th>'
        + "".join(f'<th class="n">{h(kpis[k]["name"])}</th>' for k in ids)
        + "</tr>"
    )
    for t in r["timeline"]:
        label = _("start") if t["step"] == 0 else _("decision {n}").format(n=t["step"])
        b.append(
            f'<tr><td>{h(label)}</td><td class="n">{h(t["round"])}</td>'
            + "".join(f'<td class="n">{h(_fmt(t["kpis"][k]))}</td>' for k in ids)
            + "</tr>"
        )
    b.append("</table>")

    b.append(f"<h2>{h(_('Decisions'))}</h2>")
    if any(d["continue"] and not d["deltas"] and not d["evidence"] for d in r["decisions"]):
        said = h(_("Numbered as in the timeline; scenes that only said {continue} and changed nothing are left out."))
        b.append("<p>" + said.replace("{continue}", "<em>Continue</em>") + "</p>")
    for d in r["decisions"]:
        if d["continue"] and not d["deltas"] and not d["evidence"]:
            continue
        cls = "decision worst" if d["worst"] else "decision"
        head = _("{n}. Month {month}: {scene}").format(n=d["n"], month=d["round"], scene=_label(d))
        b.append(f'<div class="{cls}"><h3>{h(head)}</h3>')
        b.append(_para(d["scene_text"]))
        b.append(f"<p><strong>{h(_('Chosen:'))}</strong> {h(d['choice_text'])}</p><ul>")
        if d["deltas"]:
            moved = ", ".join(f"{kpis[k]['name']} {('+' if v > 0 else '') + _fmt(v)}" for k, v in d["deltas"].items())
            b.append("<li>" + h(_("Numbers: {changes}").format(changes=moved)) + "</li>")
        for p, e in d["evidence"].items():
            name = lp[p]["name"] if p in lp else p
            said = _("Evidence for {point}: {earned} (options ranged {low} to {high})").format(
                point=name, earned=_fmt(e["earned"]), low=_fmt(e["low"]), high=_fmt(e["high"])
            )
            b.append(f"<li>{h(said)}</li>")
        if d["worst"]:
            b.append("<li>" + h(_("Worst practice: {names}").format(names=", ".join(d["worst"]))) + "</li>")
        if d.get("note"):
            b.append("<li>" + h(_("Learning note: {note}").format(note=d["note"])) + "</li>")
        b.append("</ul></div>")

    b.append(f"<h2>{h(_('Debrief questions for the workshop'))}</h2>")
    for stage in debrief(r) if r.get("debrief") is not None else []:  # in the reader's language
        b.append(
            f"<h3>{h(stage['title'])}</h3><ul>" + "".join(f"<li>{h(q)}</li>" for q in stage["questions"]) + "</ul>"
        )
    said = h(
        _("Generated by {generator}. The JSON report verifies with {command}; this page is for reading and printing.")
    )
    said = said.replace("{generator}", h(r.get("generator") or "pizzaborg"), 1)
    b.append(f'<p class="muted">{said.replace("{command}", "<code>pizzaborg verify</code>", 1)}</p>')
    b.append("</body></html>")
    return "\n".join(b) + "\n"
