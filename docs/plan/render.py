"""Regenerate the generated parts of docs/story-plan-0.2.md from plan02.py and check.py.

    python3 docs/plan/render.py      # rewrites the blocks between <!-- gen:NAME --> markers
"""
import io
import os
import re
import sys
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(__file__))
import check  # noqa: E402
import plan02 as P  # noqa: E402

DOC = os.path.join(os.path.dirname(__file__), "..", "story-plan-0.2.md")
WNAMES = {"W1": "W1", "W2": "W2", "W3": "W3", "W4": "W4", "W5": "W5", "W6": "W6"}
AB = {v: k for k, v in P.EV.items()}


def ev_text(ev):
    return ", ".join(f"`{p}` {v:+d}" for p, v in ev.items()) or "—"


def eff_text(e):
    names = {"revenue": "rev", "cost": "cost", "customers": "cust", "stability": "stab", "trust": "trust"}
    return ", ".join(f"{names[k]} {v:+d}" for k, v in e.items()) or "—"


def esc(t):
    return t.replace("|", "\\|")


def scene_md(s, event=False):
    out = []
    kind = "portfolio, pick up to %d" % s["k"] if s["kind"] == "portfolio" else ("event" if event else "decision")
    if s.get("kplus"):
        kind += f" (one more when `{s['kplus']}`)"
    tags = ""
    if s["kind"] == "choice":
        opts = s["options"]
        b = max(opts, key=check.evsum)
        pos = [frozenset(p for p, v in o["ev"].items() if v > 0) for o in opts if any(v > 0 for v in o["ev"].values())]
        two = len(pos) >= 2 and len(frozenset().union(*pos)) > max(len(x) for x in pos)
        tempt = any(any(o["eff"].get(k, 0) > b["eff"].get(k, 0) for k in ("revenue", "customers", "trust", "stability"))
                    for o in opts if o["worst"])
        tags = f" · two good options: {'yes' if two else 'no'} · temptation pays now: {'yes' if tempt else 'no'}"
    out.append(f"#### `{s['id']}` — {s['title']} ({kind}{tags})")
    out.append("")
    if s.get("when"):
        out.append(f"*Played only when* `{s['when']}`.")
    w = s.get("weight")
    if event and isinstance(w, list):
        out.append("*Odds:* " + "; ".join(f"weight {v} when `{c}`" for c, v in w) + " (first match).")
    out.append(f"**Dilemma.** {s['dilemma']}")
    if s.get("who"):
        out.append(f"*Cast:* {s['who']}.")
    if s.get("bite"):
        out.append("")
        out.append("*Bills and rewards on entry* (shown as one line each before the choices):")
        for c, x, why in s["bite"]:
            if x:
                out.append(f"- `{c}` → {eff_text(x)}: {why}")
    out.append("")
    out.append("| id | what it is | professional rationale | effects now | evidence | worst | weeks | sets | L/V |")
    out.append("| --- | --- | --- | --- | --- | --- | ---: | --- | --- |")
    for o in s["options"]:
        e = eff_text(o["eff"])
        for c, x in o["cond"]:
            e += f"; if `{c}`: {eff_text(x)}"
        sets = " ".join(f"`{f}`" for f in o["set"]) + (" clears " + " ".join(f"`{f}`" for f in o["clear"]) if o["clear"] else "")
        what = esc(o["what"]) + (f" *(offered only if `{o['when']}`)*" if o["when"] else "")
        out.append(f"| `{o['id']}` | {what} | {esc(o['why'])} | {e} | {ev_text(o['ev'])} | "
                   f"{' '.join(o['worst']) or '—'} | {o['cap']} | {sets or '—'} | {o['mark'] or ''} |")
    out.append("")
    return "\n".join(out)


def months_md():
    out = []
    for rd in P.ROUNDS:
        out.append(f"### {rd['title']}")
        out.append("")
        mods = "; ".join(f"{d:+d} when `{c}` ({why})" for c, d, why in rd["cap_mods"]) or "none"
        out.append(f"**Capacity:** {rd['capacity']} team weeks; {mods}. "
                   f"**Draw point:** after `{check.DRAW_AFTER[rd['n']]}`, {rd['draws']} event(s) from the pool below.")
        out.append("")
        out.append("Scenes in order: " + " → ".join(f"`{s['id']}`" for s in rd["scenes"]))
        out.append("")
        for s in rd["scenes"]:
            out.append(scene_md(s))
        out.append(f"**Event pool `month-{rd['n']}-news`** (draw {rd['draws']}):")
        out.append("")
        for e in rd["pool"]:
            out.append(scene_md(e, event=True))
    return "\n".join(out)


def flags_md():
    sets, reads, chose_reads, unbitten = check.flag_contract()
    out = ["| flag | set by (scene.choice) | bites in numbers (bill, odds, capacity, availability) |",
           "| --- | --- | --- |"]
    teeth = 0
    for f in sorted(sets):
        r = reads.get(f, [])
        teeth += bool(r)
        out.append(f"| `{f}` | {', '.join(sets[f])} | {esc('; '.join(r)) or '(text and epilogue only)'} |")
    out.append("")
    out.append(f"Flags with teeth in numbers: **{teeth}** of {len(sets)}. "
               "Choices read directly with `chose()`: " +
               "; ".join(f"`{c}` → {'; '.join(v)}" for c, v in sorted(chose_reads.items())) + ".")
    out.append("")
    out.append("Worst-practice options of months 1–3 whose choice never comes back in numbers: "
               + (", ".join(unbitten) or "**none**") + ".")
    return "\n".join(out)


def check_md():
    buf = io.StringIO()
    sys.argv = ["check.py"]
    with redirect_stdout(buf):
        check.main()
    return "```\n" + buf.getvalue().rstrip() + "\n```"


def main():
    doc = open(DOC).read()
    for name, fn in (("months", months_md), ("flags", flags_md), ("check", check_md)):
        pat = re.compile(rf"(<!-- gen:{name} -->\n).*?(<!-- /gen:{name} -->)", re.S)
        if not pat.search(doc):
            print(f"marker gen:{name} missing", file=sys.stderr)
            continue
        body = fn()
        doc = pat.sub(lambda m: m.group(1) + body + "\n" + m.group(2), doc)
    open(DOC, "w").write(doc)


if __name__ == "__main__":
    main()
