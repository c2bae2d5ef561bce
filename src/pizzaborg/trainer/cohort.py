"""The cohort view: every learner's verified report in one picture for the workshop debrief.

Reports that fail verification are listed and left out of every figure. A learner's name, and every
time in a report, are *claims*: a learner can edit them and the report still verifies. So:

- learners are told apart by their name normalised for identity (Unicode NFKC, invisible format
  characters such as zero-width spaces and bidi overrides removed, case-folded), and shown as typed;
- when a learner handed in several attempts, every attempt is listed and one counts by a stated rule
  (``best``, the default: the highest score, so nobody can lower a classmate's grade by handing in a
  worse game under their name; ``latest`` or ``first`` go by the *claimed* finish time);
- identical playthroughs (same story, seed and every decision) under different files, one
  registration under different names, and games played implausibly fast are flagged for the trainer.
"""

from __future__ import annotations

import csv
import io
import statistics
import unicodedata
from collections import Counter

from ..engine.i18n import N_, _, current
from ..engine.text import for_spreadsheet, json_text
from .cohort_html import _duration, _recorded, changed_text  # cells the page and the other formats share
from .markdown import md
from .report import FAST_SECONDS_PER_DECISION
from .reporttext import fmt_value as _fmt
from .reporttext import label as _label

TOP_WORST = 5
RULES = {  # marked with N_, translated in the summary (rule_text)
    "best": N_("the attempt with the highest score counts"),
    "latest": N_("the attempt with the latest claimed finish time counts"),
    "first": N_("the attempt with the earliest claimed finish time counts"),
}
MIN_DECISIONS_FOR_SPEED = 5
Z90 = 1.6449  # a 90 % interval is mean ± 1.645 sd


def class_estimate(estimates: list) -> dict | None:
    """The class's mastery of one point from its learners' estimates (each {estimate, low, high,
    decisions}): the mean of the estimates, and a 90 % interval for the class mean from each
    learner's own uncertainty (sd ≈ interval width / 3.29, the learners independent). None when no
    learner's report has an estimate (reports of an earlier version)."""
    est = [e for e in estimates if e and e.get("estimate") is not None]
    if not est:
        return None
    n = len(est)
    mean = sum(e["estimate"] for e in est) / n
    var = sum(((e["high"] - e["low"]) / (2 * Z90)) ** 2 for e in est) / n**2
    half = Z90 * var**0.5
    return {
        "estimate": round(mean, 1),
        "low": round(max(0.0, mean - half), 1),
        "high": round(min(100.0, mean + half), 1),
        "learners": n,
        "decisions": sum(e["decisions"] for e in est),
    }


def identity(name: str) -> str:
    """A name as identity: NFKC, format characters (zero-width, bidi controls) removed, spaces collapsed,
    case-folded. 'Bob', 'BOB' and 'Bob' + a zero-width space are one learner."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co", "Cn"))
    return " ".join(text.split()).casefold()


def visible(name: str) -> str:
    """A name as typed, with its invisible characters made visible (<U+200B>)."""
    return "".join(
        f"<U+{ord(ch):04X}>" if unicodedata.category(ch) in ("Cf", "Cc", "Cs", "Co", "Cn") else ch for ch in name
    )


def _who(r: dict) -> str:
    if r.get("learner"):
        return r["learner"]
    return "anonymous (xAPI " + str(r.get("registration", "?"))[:8] + ")"


def _server_record(file: str, problems: list, keys: list, roots: set) -> dict | None:
    """Identity and times from the class server's record beside a hand-in (``pizzaborg serve``), checked
    with the trainer's ``keys`` only, or None. A key lying in a hand-in's folder that is not one of the
    ``roots`` named on the command line is a learner's: noted once, never used."""
    import os
    from pathlib import Path

    from .classrecord import KEY_FILE, read_record

    folder = Path(file).parent
    if folder not in roots and os.path.lexists(folder / KEY_FILE):
        note = (
            f"{folder / KEY_FILE}: a class-server key among the hand-ins, not on the trainer's side: not used "
            "(name the server's key with --class-key FILE, or give its hand-ins folder itself)"
        )
        if note not in problems:
            problems.append(note)
    record, problem = read_record(file, keys)
    if problem:
        problems.append(f"{file}: {problem}; shown as the report's claims only")
    if record is None:
        return None
    shown = ("session", "learner_as_typed", "session_started", "game_started", "finished", "launched_from")
    return {k: record.get(k) for k in shown}


def _key(r: dict) -> str:
    if r.get("learner"):
        return "name:" + identity(r["learner"])
    return "registration:" + str(r.get("registration"))


def _pick(attempts: list, rule: str) -> int:
    """Index of the attempt that counts (ties: the first file in name order)."""
    if rule == "best":
        return max(range(len(attempts)), key=lambda i: (attempts[i][1]["score"] or 0, -i))
    stamps = [(a[1].get("finished") or "", i) for i, a in enumerate(attempts)]
    if rule == "first":
        return min(stamps, key=lambda t: (t[0] == "", t[0], t[1]))[1]
    return max(stamps, key=lambda t: (t[0], -t[1]))[1]


def _playthrough(r: dict) -> tuple:
    return (r["story"]["hash"], r["seed"], tuple((d["scene"], d["choice"]) for d in r["decisions"]))


def _files(items: list, limit: int = 10) -> str:
    """'a.json (Ann), b.json (Bob)', at most ``limit`` of them ('and N more')."""
    shown = ", ".join(f"{f} ({visible(_who(r))})" for f, r in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _flags(groups: dict) -> list:
    flags = []
    every = [(f, r) for attempts in groups.values() for f, r in attempts]
    same_game: dict = {}
    for f, r in every:
        same_game.setdefault(_playthrough(r), []).append((f, r))
    for (_hash, seed, decisions), items in same_game.items():
        if len(items) > 1 and len(decisions) >= 1:
            names = {_key(r) for _f, r in items}
            who = _files(items)
            held = []
            if len(names) > 1:
                text = _(
                    "identical playthroughs under different names (seed {seed}, the same {n} decisions): {who}"
                ).format(seed=seed, n=len(decisions), who=who)
                # the copies: every one but the first handed in (by claimed finish, then file name)
                first = min(items, key=lambda it: (it[1].get("finished") or "~", it[0]))
                held = [f for f, r in items if _key(r) != _key(first[1])]
            else:
                text = _("the same playthrough handed in more than once (seed {seed}, {n} decisions): {who}").format(
                    seed=seed, n=len(decisions), who=who
                )
            flags.append({"kind": "identical", "text": text, "files": [f for f, _ in items], "held": held})
    regs: dict = {}
    for f, r in every:
        if r.get("registration"):
            regs.setdefault(r["registration"], []).append((f, r))
    for reg, items in regs.items():
        if len({_key(r) for _, r in items}) > 1:
            who = _files(items)
            flags.append(
                {
                    "kind": "registration",
                    "text": _("one registration ({registration}) under different names: {who}").format(
                        registration=reg, who=who
                    ),
                    "files": [f for f, _ in items],
                }
            )
    for attempts in groups.values():
        typed = sorted({r["learner"] for _, r in attempts if r.get("learner")})
        if len(typed) > 1:
            flags.append(
                {
                    "kind": "names",
                    "text": _("one learner, names typed differently: {names}").format(
                        names=", ".join(repr(visible(t)) for t in typed)
                    ),
                    "files": [f for f, _ in attempts],
                }
            )
    untimed = [(f, r) for f, r in every if r["decisions"] and not r.get("time_spent")]
    if untimed:
        flags.append(
            {
                "kind": "no-times",
                "text": _(
                    "no decision times recorded (an older PizzaBorg, or removed from the file), so the time "
                    "played is unknown: {files}"
                ).format(files=_files(untimed)),
                "files": [f for f, _ in untimed],
            }
        )
    for f, r in every:
        spent = r.get("time_spent")
        n = len(r["decisions"])
        if spent and n >= MIN_DECISIONS_FOR_SPEED and spent["per_decision"] < FAST_SECONDS_PER_DECISION:
            flags.append(
                {
                    "kind": "fast",
                    "text": _(
                        "implausibly fast: {learner} made {n} decisions in {time} (claimed times) — {file}"
                    ).format(learner=visible(_who(r)), n=n, time=_duration(spent["seconds"]), file=f),
                    "files": [f],
                }
            )
    return flags


def _by_language(reports: list) -> list:
    """``reports`` with those in the trainer's language (the interface's) first, then English, then the rest."""
    mine = current()

    def rank(r: dict) -> int:
        lang = r.get("language") or "en"
        return 0 if lang == mine else (1 if lang == "en" else 2)

    return sorted(reports, key=rank)


def summarise(
    verdicts: list,
    problems: list | tuple = (),
    rule: str = "best",
    class_keys: list | tuple = (),
    roots: tuple = (),
    count_flagged: bool = False,
) -> dict:
    """The cohort's figures from verification verdicts (only the verified ones count). ``class_keys``:
    the trainer's class-server keys (:func:`classrecord.trainer_keys`); ``roots``: the folders named on the
    command line, whose keys those are. A learner whose counted report is a flagged copy (the playthrough
    of another learner, handed in later under another name) is listed but held back from every figure
    until the trainer says so (``count_flagged``, ``cohort --count-flagged``)."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    ok = [v for v in verdicts if v.ok]
    rejected = [{"file": v.name, "reason": v.message} for v in verdicts if not v.ok]
    groups: dict = {}
    for v in ok:
        groups.setdefault(_key(v.report), []).append((v.name, v.report))
    counted = []
    attempts_out: list[dict] = []
    for attempts in groups.values():
        attempts.sort(key=lambda a: a[0])
        pick = _pick(attempts, rule)
        counted.append(attempts[pick])
        if len(attempts) > 1:
            attempts_out.append(
                {
                    "learner": _who(attempts[pick][1]),
                    "attempts": [
                        {
                            "file": f,
                            "learner": _who(r),
                            "score": r["score"],
                            "finished": r.get("finished"),
                            "ending": r["ending"]["title"] if r.get("ending") else _("not finished"),
                            "counted": i == pick,
                        }
                        for i, (f, r) in enumerate(attempts)
                    ],
                }
            )
    flags = _flags(groups)
    flagged: dict = {}
    for fl in flags:
        for f in fl["files"]:
            flagged.setdefault(f, []).append(fl["kind"])
    reports = [r for _, r in counted]
    files = {id(r): f for f, r in counted}
    n_attempts = {id(attempts[_pick(attempts, rule)][1]): len(attempts) for attempts in groups.values()}
    reports.sort(key=lambda r: (identity(_who(r)), _who(r)))
    attempts_out.sort(key=lambda a: identity(a["learner"]))
    problems = list(problems)
    from pathlib import Path

    trusted = {Path(x) for x in roots}
    records = {id(r): _server_record(files[id(r)], problems, list(class_keys), trusted) for r in reports}
    copies = {f for fl in flags for f in fl.get("held", [])}
    held = set() if count_flagged else {id(r) for r in reports if files[id(r)] in copies}
    everyone = reports
    reports = [r for r in everyone if id(r) not in held]  # the figures: held-back copies are not in them

    # a cohort may mix languages: the names shown come from the reports in the trainer's language first,
    # then English, then any (every figure is by id, so a Swedish and an English learner count together)
    named = _by_language(reports)
    ending_ids = Counter(r["ending"]["id"] if r.get("ending") else "" for r in reports)
    ending_titles: dict = {"": _("not finished")}
    for r in named:
        if r.get("ending"):
            ending_titles.setdefault(r["ending"]["id"], r["ending"]["title"])
    endings = Counter({(e, ending_titles.get(e, e)): n for e, n in ending_ids.items()})
    points: dict = {}
    areas: dict = {}
    for r in named:
        for p in r["learning_points"]:
            points.setdefault(
                p["id"], {"id": p["id"], "name": p["name"], "area": p.get("area"), "values": [], "estimates": []}
            )
            if p["score"] is not None:
                points[p["id"]]["values"].append(p["score"])
            if p.get("estimate"):
                points[p["id"]]["estimates"].append(p["estimate"])
        for a in r["areas"]:
            areas.setdefault(a["id"], {"id": a["id"], "name": a["name"], "values": []})
            if a["score"] is not None:
                areas[a["id"]]["values"].append(a["score"])

    def stats(values):
        if not values:
            return {"n": 0, "mean": None, "median": None}
        return {
            "n": len(values),
            "mean": round(statistics.fmean(values), 1),
            "median": round(statistics.median(values), 1),
        }

    overall = stats([r["score"] for r in reports if r["score"] is not None])
    worst: Counter = Counter()
    where: dict = {}
    worst_names: dict = {}
    for r in named:
        for w in r.get("worst_practices") or []:
            worst_names.setdefault(w["id"], w["name"])
    for r in named:
        for d in r["decisions"]:
            if d["worst"]:
                key = (r["story"]["hash"], d["scene"], d["choice"])
                worst[key] += 1
                where.setdefault(key, d)
    top = []
    for (h, scene, choice), count in sorted(worst.items(), key=lambda kv: (-kv[1], kv[0][1], kv[0][2]))[:TOP_WORST]:
        d = where[(h, scene, choice)]
        top.append(
            {
                "scene": scene,
                "choice": choice,
                "count": count,
                "learners_share": round(count / len(reports), 3),
                "scene_title": _label(d),
                "scene_text": d["scene_text"],
                "choice_text": d["choice_text"],
                "worst": d["worst"],
                "worst_names": [worst_names.get(w, w) for w in d["worst"]],
                "month": d["round"],
            }
        )
    return {
        "reports": len(verdicts),
        "learners": len(everyone),
        "held_back": [{"learner": _who(r), "file": str(files[id(r)])} for r in everyone if id(r) in held],
        "count_flagged": count_flagged,
        "verified": len(ok),
        "rejected": rejected,
        "rule": rule,
        "rule_text": _(RULES[rule]),
        "attempts": attempts_out,
        "flags": [{"kind": f["kind"], "text": f["text"]} for f in flags],
        "problems": list(problems),
        "stories": sorted({f"{r['story']['id']} {r['story']['version']}" for r in reports}),
        "story_titles": sorted({r["story"].get("title") or r["story"]["id"] for r in reports}),
        "cohorts": sorted({r["cohort"] for r in reports if r.get("cohort")}),
        "mastery": sorted({(r.get("mastery") or {}).get("threshold") for r in reports} - {None}),
        "endings": [
            {"id": e[0] or None, "title": e[1], "count": n}
            for e, n in sorted(endings.items(), key=lambda kv: (-kv[1], kv[0][1]))
        ],
        "score": overall,
        "areas": [{"id": a["id"], "name": a["name"], **stats(a["values"])} for a in areas.values()],
        "learning_points": [
            {
                "id": p["id"],
                "name": p["name"],
                "area": p["area"],
                **stats(p["values"]),
                "estimate": class_estimate(p["estimates"]),
            }
            for p in points.values()
        ],
        "worst_choices": top,
        "learners_table": [
            {
                "learner": _who(r),
                "file": str(files[id(r)]),
                "language": r.get("language") or "en",  # the language the learner played in
                "ending": r["ending"]["title"] if r.get("ending") else _("not finished"),
                "score": r["score"],
                "assimilation": r["assimilation"],
                "worst_taken": sum(w["count"] for w in r["worst_practices"]),
                "passed": (r.get("mastery") or {}).get("passed"),
                "finished": r.get("finished"),
                "late_days": r.get("late_days"),
                "server_record": records[id(r)],  # recorded by the class server, not claimed by the report
                "time_spent": (r.get("time_spent") or {}).get("seconds"),
                "attempts": n_attempts.get(id(r), 1),
                "flags": sorted(set(flagged.get(files[id(r)], []))),
                "counted": id(r) not in held,
                "changed": r.get("changed_answers"),  # None: a report of an earlier version (no undo record)
                "undone": r.get("undone"),
                "undos_complete": r.get("undos_complete"),
            }
            for r in everyone
        ],
    }


# ---- rendering ---------------------------------------------------------------------------------


def render_cohort(c: dict, fmt: str, names: bool = False) -> str:
    """``names``: the HTML page shows learners' names (it is anonymous by default, to project)."""
    if fmt == "json":
        return json_text(c, indent=2) + "\n"
    if fmt == "csv":
        return _csv(c)
    if fmt == "html":
        return _html(c, names)
    return _md(c)


def _csv(c: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "learner (claimed)",
            "ending",
            "score",
            "assimilation",
            "worst_taken",
            "passed",
            "finished (claimed)",
            "days late (by claimed finish)",
            "seconds played (claimed)",
            "attempts",
            "flags",
            "answers changed after feedback",
            "undos",
            "file",
            "language",
            "server_learner",
            "server_session",
            "server_started",
            "server_finished",
        ]
    )
    for row in c["learners_table"]:
        w.writerow(
            [
                _cell(row["learner"]),
                _cell(row["ending"]),
                _fmt(row["score"]) if row["score"] is not None else "",
                _fmt(row["assimilation"]),
                row["worst_taken"],
                "" if row["passed"] is None else str(row["passed"]).lower(),
                _cell(row["finished"] or ""),
                "" if row["late_days"] is None else row["late_days"],
                "" if row["time_spent"] is None else _fmt(row["time_spent"]),
                row["attempts"],
                _cell(" ".join(row["flags"])),
                "" if row.get("changed") is None else row["changed"],
                "" if row.get("undone") is None else row["undone"],
                _cell(row["file"]),
                _cell(row.get("language") or "en"),
            ]
            + _server_cells(row.get("server_record"))
        )
    return buf.getvalue()


def _server_cells(rec: dict | None) -> list:
    if not rec:
        return ["", "", "", ""]
    return [
        _cell(rec.get("learner_as_typed") or ""),
        _cell(rec.get("session") or ""),
        _cell(rec.get("game_started") or rec.get("session_started") or ""),
        _cell(rec.get("finished") or ""),
    ]


def _cell(text) -> str:
    """Every text cell: cleaned, on one line, never a formula (the engine's one spreadsheet cleaner)."""
    return for_spreadsheet(text)


def _md(c: dict) -> str:
    out = [_("# PizzaBorg cohort"), ""]
    out.append(
        _("{learners} learner(s), {verified} verified report(s) of {reports}; story: {stories}.").format(
            learners=c["learners"],
            verified=c["verified"],
            reports=c["reports"],
            stories=md(", ".join(c["stories"]) or "–"),
        )
    )
    out.append("")
    if c.get("held_back"):
        from .cohort_html import held_back_note

        who = ", ".join(md(x["learner"]) for x in c["held_back"])
        out += [md(held_back_note(c)) + " " + _("Held back: {names}.").format(names=who), ""]
    if c["rejected"]:
        out += [_("## Reports left out (failed verification)"), ""]
        out += [f"- {md(x['file'])}: {md(x['reason'])}" for x in c["rejected"]] + [""]
    out += [_("## Endings"), "", _("| ending | learners |"), "| --- | ---: |"]
    out += [f"| {md(e['title'])} | {e['count']} |" for e in c["endings"]] + [""]
    out += [_("## Scores"), "", _("| | mean | median | scored |"), "| --- | ---: | ---: | ---: |"]
    s = c["score"]
    out.append(f"| **{_('Overall')}** | {_fmt(s['mean'])} | {_fmt(s['median'])} | {s['n']} |")
    for p in c["learning_points"]:
        out.append(f"| {md(p['name'])} | {_fmt(p['mean'])} | {_fmt(p['median'])} | {p['n']} |")
    out.append("")
    estimated = [p for p in c["learning_points"] if p.get("estimate")]
    if estimated:
        out += [
            _("## Mastery of the class per learning point (90 % interval)"),
            "",
            _("| learning point | estimate | likely between | learners | decisions |"),
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for p in estimated:
            e = p["estimate"]
            out.append(
                f"| {md(p['name'])} | {_fmt(e['estimate'])} | {_fmt(e['low'])}–{_fmt(e['high'])} | "
                f"{e['learners']} | {e['decisions']} |"
            )
        out.append("")
    out += [_("## Worst-practice choices taken most often (discussion starters)"), ""]
    if not c["worst_choices"]:
        out += [_("Nobody fell into a worst practice."), ""]
    for i, w in enumerate(c["worst_choices"], 1):
        said = _('(month {month}) — {n} learner(s) chose "{choice}" ({worst})').format(
            month=w["month"], n=w["count"], choice=md(w["choice_text"]), worst=md(", ".join(w["worst"]))
        )
        out += [
            f"{i}. **{md(w['scene_title'])}** {said}",
            "",
            f"   > {md(w['scene_text'])}",
            "",
        ]
    out += [
        _("## Learners"),
        "",
        _("Names and times are as the learners' files claim them; the scores are verified."),
        "",
        "| "
        + " | ".join(
            _(name)
            for name in (
                N_("learner (claimed)"),
                N_("language"),
                N_("ending"),
                N_("score"),
                N_("assimilation"),
                N_("worst practices"),
                N_("passed"),
                N_("finished (claimed)"),
                N_("time played (claimed)"),
                N_("attempts"),
                N_("flags"),
                N_("recorded by the class server"),
            )
        )
        + " |",
        "| --- | --- | --- | ---: | ---: | ---: | --- | --- | ---: | ---: | --- | --- |",
    ]
    for row in c["learners_table"]:
        passed = "–" if row["passed"] is None else (_("yes") if row["passed"] else _("no"))
        passed += "" if row.get("counted", True) else " " + _("(held back)")
        late = " " + _("({n}d late)").format(n=row["late_days"]) if row["late_days"] else ""
        out.append(
            f"| {md(row['learner'])} | {md(row.get('language') or 'en')} | {md(row['ending'])} | "
            f"{_fmt(row['score'])} | {_fmt(row['assimilation'])} | "
            f"{row['worst_taken']} | {passed} | {md((row['finished'] or '')[:10])}{late} | "
            f"{_duration(row['time_spent'])} "
            f"| {row['attempts']} | {md(', '.join(row['flags']) or '–')} | {md(_recorded(row))} |"
        )
    out += ["", _("## Undos"), ""]
    out += [f"- {md(row['learner'])}: {md(changed_text(row))}" for row in c["learners_table"]]
    out += ["", _("## Check these (flags)"), ""]
    out += [f"- **{md(f['kind'])}**: {md(f['text'])}" for f in c["flags"]] or [_("Nothing to check.")]
    out += ["", _("## Attempts (rule: {rule})").format(rule=md(c["rule_text"])), ""]
    if not c["attempts"]:
        out.append(_("Every learner handed in one verified report."))
    for a in c["attempts"]:
        out.append(
            f"- {md(a['learner'])}: "
            + "; ".join(
                _("{file} score {score}, finished {finished} (claimed)").format(
                    file=md(x["file"]), score=_fmt(x["score"]), finished=md(x["finished"] or "–")
                )
                + (f" **{_('counts')}**" if x["counted"] else "")
                for x in a["attempts"]
            )
        )
    return "\n".join(out) + "\n"


def _html(c: dict, names: bool = False) -> str:
    from .cohort_html import render_page  # the projectable page

    return render_page(c, names=names)
