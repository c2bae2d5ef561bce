"""Export of the end-of-game report to a Markdown file in the save folder.

One function, ``export_report``, so that it can be switched to the shared report module
(``build_report``/``render``) without touching the screens.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from ..engine.text import clean
from ..render import fmt_delta, fmt_num
from .analysis import helped_and_hurt, to_try_at_work


def _md(text: str) -> str:
    """Text from the story or the learner, made inert for Markdown (no links, no HTML, no headings)."""
    text = " ".join(clean(str(text)).split())
    for ch in "\\`*_[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def _bar(score, width: int = 20) -> str:
    if score is None:
        return "·" * width
    filled = int(round(score / 100 * width))
    return "█" * filled + "░" * (width - filled)


def export_report(game, directory, learner: str | None = None, now: str | None = None) -> Path:
    """Write the report of ``game`` as Markdown into ``directory``; return the file's path.

    Raises OSError when the file cannot be written.
    """
    stamp = now or datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    story = game.story
    report = game.report()
    lines = [f"# {_md(story.title)}: report", ""]
    if learner:
        lines.append(f"- Learner: {_md(learner)}")
    lines += [
        f"- Story: {_md(story.id)} {_md(story.version)} (hash {story.hash[:12]})",
        f"- Seed: {game.seed}",
        f"- Decisions: {len(game.decisions)}",
        f"- Written: {stamp}",
        "",
    ]
    if game.over:
        ending = story.ending(game.ending)
        lines += [f"## Ending: {_md(ending.title)}", "", _md(ending.text.render(game.view)), ""]
    else:
        lines += ["## The game is not finished", ""]
    overall = report.overall
    lines += [
        "## Scorecard",
        "",
        f"Learning score: **{fmt_num(overall) if overall is not None else '–'}/100** · "
        f"Assimilation: **{fmt_num(report.assimilation)} %**",
        "",
        "| learning point | score | |",
        "| --- | ---: | --- |",
    ]
    for area in story.areas.values():
        a = report.areas[area.id]
        lines.append(f"| **{_md(area.name)}** | {fmt_num(a) if a is not None else '–'} | `{_bar(a)}` |")
        for pid in area.points:
            p = report.points[pid]
            lines.append(f"| {_md(p.name)} | {fmt_num(p.score) if p.score is not None else '–'} | `{_bar(p.score)}` |")
    lines.append("")
    lines += ["## The numbers", "", "| KPI | start | end | change |", "| --- | ---: | ---: | ---: |"]
    for kpi in story.kpis.values():
        end = game.kpis[kpi.id]
        unit = f" {_md(kpi.unit)}" if kpi.unit else ""
        lines.append(f"| {_md(kpi.name)} | {fmt_num(kpi.start)}{unit} | {fmt_num(end)}{unit} | {fmt_delta(end - kpi.start)} |")
    lines.append("")
    helped, hurt = helped_and_hurt(game)
    for title, items in (("Decisions that helped most", helped), ("Decisions that hurt most", hurt)):
        lines += [f"## {title}", ""]
        if not items:
            lines += ["None.", ""]
        for it in items:
            lines.append(f"- Month {it.round_number}, {_md(it.label)}: {_md(it.choice)}")
            for name, earned, low, high in it.evidence:
                lines.append(f"  - {_md(name)}: {fmt_num(earned)} (best {fmt_num(high)}, worst {fmt_num(low)})")
            for w in it.worst:
                lines.append(f"  - worst practice: {_md(w)}")
        lines.append("")
    lines += ["## What to try at work", ""]
    tips = to_try_at_work(game)
    if not tips:
        lines.append("Keep doing what you did: no learning point below 75 and no worst practice.")
    for head, advice in tips:
        lines.append(f"- **{_md(head)}**" + (f": {_md(advice)}" if advice else ""))
    lines.append("")
    lines += ["## Decisions", ""]
    for i, d in enumerate(game.decisions, start=1):
        lines.append(f"{i}. `{d.scene}` → `{d.choice}`")
    lines.append("")

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    base = f"report-{story.id}-seed{game.seed}-" + stamp[:19].replace(":", "").replace("-", "").replace("T", "-")
    target = directory / f"{base}.md"
    n = 1
    while target.exists():
        n += 1
        target = directory / f"{base}-{n}.md"
    target.write_text("\n".join(lines), encoding="utf-8")
    return target
