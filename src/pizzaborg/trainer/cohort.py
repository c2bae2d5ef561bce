"""The cohort view: every learner's verified report in one picture for the workshop debrief.

Reports that fail verification are listed and left out of every figure. When a learner handed in
several reports, the one finished last counts (the others are listed as superseded).
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter

from .markdown import md
from .report import _fmt, _label

TOP_WORST = 5


def _who(r: dict) -> str:
    if r.get("learner"):
        return r["learner"]
    return "anonymous (xAPI " + str(r.get("registration", "?"))[:8] + ")"


def _server_record(file: str, problems: list) -> dict | None:
    """Identity and times from the class server's record beside a hand-in (``pizzaborg serve``), or None."""
    from .classrecord import read_record

    record, problem = read_record(file)
    if problem:
        problems.append(f"{file}: {problem}; shown as the report's claims only")
    if record is None:
        return None
    return {k: record.get(k) for k in ("session", "learner_as_typed", "session_started", "game_started", "finished")}


def _recorded(row: dict) -> str:
    """The learners table's 'recorded by the class server' cell."""
    rec = row.get("server_record")
    if not rec:
        return "–"
    start, end = str(rec.get("game_started") or rec.get("session_started") or ""), str(rec.get("finished") or "")
    when = f"{start[:10]} {start[11:16]}–{end[11:16]} UTC" if start and end else end[:16]
    return f"{rec.get('learner_as_typed')}, session {rec.get('session')}, {when}"


def summarise(verdicts: list, problems: list = ()) -> dict:
    """The cohort's figures from verification verdicts (only the verified ones count)."""
    ok = [v for v in verdicts if v.ok]
    rejected = [{"file": v.name, "reason": v.message} for v in verdicts if not v.ok]
    latest: dict = {}
    superseded = []
    for v in ok:
        r = v.report
        key = r.get("learner") or r.get("registration")
        prev = latest.get(key)
        if prev is None or (r.get("finished") or "") > (prev[1].get("finished") or ""):
            if prev is not None:
                superseded.append({"file": prev[0], "learner": _who(prev[1])})
            latest[key] = (v.name, r)
        else:
            superseded.append({"file": v.name, "learner": _who(r)})
    reports = [r for _, r in latest.values()]
    files = {id(r): f for f, r in latest.values()}
    reports.sort(key=lambda r: _who(r).lower())
    problems = list(problems)
    records = {id(r): _server_record(files[id(r)], problems) for r in reports}

    endings = Counter((r["ending"]["id"], r["ending"]["title"]) if r.get("ending") else ("", "not finished") for r in reports)
    points: dict = {}
    areas: dict = {}
    for r in reports:
        for p in r["learning_points"]:
            points.setdefault(p["id"], {"id": p["id"], "name": p["name"], "area": p.get("area"), "values": []})
            if p["score"] is not None:
                points[p["id"]]["values"].append(p["score"])
        for a in r["areas"]:
            areas.setdefault(a["id"], {"id": a["id"], "name": a["name"], "values": []})
            if a["score"] is not None:
                areas[a["id"]]["values"].append(a["score"])

    def stats(values):
        if not values:
            return {"n": 0, "mean": None, "median": None}
        return {"n": len(values), "mean": round(statistics.fmean(values), 1), "median": round(statistics.median(values), 1)}

    overall = stats([r["score"] for r in reports if r["score"] is not None])
    worst = Counter()
    where = {}
    worst_names = {w["id"]: w["name"] for r in reports for w in r.get("worst_practices") or []}
    for r in reports:
        for d in r["decisions"]:
            if d["worst"]:
                key = (r["story"]["hash"], d["scene"], d["choice"])
                worst[key] += 1
                where.setdefault(key, d)
    top = []
    for (h, scene, choice), count in sorted(worst.items(), key=lambda kv: (-kv[1], kv[0][1], kv[0][2]))[:TOP_WORST]:
        d = where[(h, scene, choice)]
        top.append({
            "scene": scene, "choice": choice, "count": count, "learners_share": round(count / len(reports), 3),
            "scene_title": _label(d), "scene_text": d["scene_text"], "choice_text": d["choice_text"],
            "worst": d["worst"], "worst_names": [worst_names.get(w, w) for w in d["worst"]], "month": d["round"],
        })
    return {
        "reports": len(verdicts),
        "learners": len(reports),
        "verified": len(ok),
        "rejected": rejected,
        "superseded": superseded,
        "problems": list(problems),
        "stories": sorted({f"{r['story']['id']} {r['story']['version']}" for r in reports}),
        "story_titles": sorted({r["story"].get("title") or r["story"]["id"] for r in reports}),
        "cohorts": sorted({r["cohort"] for r in reports if r.get("cohort")}),
        "mastery": sorted({(r.get("mastery") or {}).get("threshold") for r in reports} - {None}),
        "endings": [{"id": e[0] or None, "title": e[1], "count": n} for e, n in sorted(endings.items(), key=lambda kv: (-kv[1], kv[0][1]))],
        "score": overall,
        "areas": [{"id": a["id"], "name": a["name"], **stats(a["values"])} for a in areas.values()],
        "learning_points": [{"id": p["id"], "name": p["name"], "area": p["area"], **stats(p["values"])} for p in points.values()],
        "worst_choices": top,
        "learners_table": [
            {
                "learner": _who(r),
                "file": str(files[id(r)]),
                "ending": r["ending"]["title"] if r.get("ending") else "not finished",
                "score": r["score"],
                "assimilation": r["assimilation"],
                "worst_taken": sum(w["count"] for w in r["worst_practices"]),
                "passed": (r.get("mastery") or {}).get("passed"),
                "finished": r.get("finished"),
                "late_days": r.get("late_days"),
                "server_record": records[id(r)],  # recorded by the class server, not claimed by the report
            }
            for r in reports
        ],
    }


# ---- rendering ---------------------------------------------------------------------------------


def render_cohort(c: dict, fmt: str, names: bool = False) -> str:
    """``names``: the HTML page shows learners' names (it is anonymous by default, to project)."""
    if fmt == "json":
        return json.dumps(c, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(c)
    if fmt == "html":
        return _html(c, names)
    return _md(c)


def _csv(c: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["learner", "ending", "score", "assimilation", "worst_taken", "passed", "finished", "late_days", "file",
                "server_learner", "server_session", "server_started", "server_finished"])
    for row in c["learners_table"]:
        w.writerow([_cell(row["learner"]), row["ending"], _fmt(row["score"]) if row["score"] is not None else "",
                    _fmt(row["assimilation"]), row["worst_taken"], "" if row["passed"] is None else str(row["passed"]).lower(),
                    row["finished"] or "", "" if row["late_days"] is None else row["late_days"], _cell(row["file"])]
                   + _server_cells(row.get("server_record")))
    return buf.getvalue()


def _server_cells(rec: dict | None) -> list:
    if not rec:
        return ["", "", "", ""]
    return [_cell(rec.get("learner_as_typed") or ""), rec.get("session") or "",
            rec.get("game_started") or rec.get("session_started") or "", rec.get("finished") or ""]


def _cell(text: str) -> str:
    """No spreadsheet formula injection from learner-typed names."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _md(c: dict) -> str:
    out = ["# PizzaBorg cohort", ""]
    out.append(f"{c['learners']} learner(s), {c['verified']} verified report(s) of {c['reports']}; story: "
               f"{md(', '.join(c['stories']) or '–')}.")
    out.append("")
    if c["rejected"]:
        out += ["## Reports left out (failed verification)", ""]
        out += [f"- {md(x['file'])}: {md(x['reason'])}" for x in c["rejected"]] + [""]
    out += ["## Endings", "", "| ending | learners |", "| --- | ---: |"]
    out += [f"| {md(e['title'])} | {e['count']} |" for e in c["endings"]] + [""]
    out += ["## Scores", "", "| | mean | median | scored |", "| --- | ---: | ---: | ---: |"]
    s = c["score"]
    out.append(f"| **Overall** | {_fmt(s['mean'])} | {_fmt(s['median'])} | {s['n']} |")
    for p in c["learning_points"]:
        out.append(f"| {md(p['name'])} | {_fmt(p['mean'])} | {_fmt(p['median'])} | {p['n']} |")
    out.append("")
    out += ["## Worst-practice choices taken most often (discussion starters)", ""]
    if not c["worst_choices"]:
        out += ["Nobody fell into a worst practice.", ""]
    for i, w in enumerate(c["worst_choices"], 1):
        out += [f"{i}. **{md(w['scene_title'])}** (month {w['month']}) — {w['count']} learner(s) chose "
                f"\"{md(w['choice_text'])}\" ({md(', '.join(w['worst']))})", "", f"   > {md(w['scene_text'])}", ""]
    out += ["## Learners", "", "| learner | ending | score | assimilation | worst practices | passed | finished | "
            "recorded by the class server |", "| --- | --- | ---: | ---: | ---: | --- | --- | --- |"]
    for row in c["learners_table"]:
        passed = "–" if row["passed"] is None else ("yes" if row["passed"] else "no")
        late = f" ({row['late_days']}d late)" if row["late_days"] else ""
        out.append(f"| {md(row['learner'])} | {md(row['ending'])} | {_fmt(row['score'])} | {_fmt(row['assimilation'])} | "
                   f"{row['worst_taken']} | {passed} | {md((row['finished'] or '')[:10])}{late} | {md(_recorded(row))} |")
    if c["superseded"]:
        out += ["", "Superseded (an older report of the same learner): " + ", ".join(md(x["file"]) for x in c["superseded"])]
    return "\n".join(out) + "\n"


def _html(c: dict, names: bool = False) -> str:
    from .cohort_html import render_page  # the projectable page

    return render_page(c, names=names)
