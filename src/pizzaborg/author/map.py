"""The learning map: which decisions test each learning point and worst practice (``story map``).

Generated from the story, never written by hand: ``docs/learning-map.md`` is the output for the
shipped story, and a test fails when it is out of date.
"""

from __future__ import annotations

REGENERATE = "pizzaborg story map -o docs/learning-map.md"


def decisions(story) -> list:
    """Scenes and events with real choices (not draw points, not a lone "Continue"), in story order."""
    return [s for s in story.scenes.values() if not s.is_draw and any(not c.synthetic for c in s.choices)]


def point_tests(story) -> dict:
    """{point id: [(scene, choice, weight)]}: every choice with evidence for the point, in decisions
    where the point is at stake (the offered weights differ; choices without evidence weigh 0)."""
    out: dict = {p: [] for p in story.points}
    for s in decisions(story):
        points = {p for c in s.choices for p in c.evidence}
        for p in sorted(points, key=list(story.points).index):
            weights = [c.evidence.get(p, 0) for c in s.choices]
            if max(weights) == min(weights):
                continue
            for c in s.choices:
                if p in c.evidence:
                    out.setdefault(p, []).append((s, c, c.evidence[p]))
    return out


def worst_tests(story) -> dict:
    """{worst practice id: [(scene, choice)]}: every choice that falls into it."""
    out: dict = {w: [] for w in story.worst}
    for s in decisions(story):
        for c in s.choices:
            for w in c.worst:
                out.setdefault(w, []).append((s, c))
    return out


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes and markup characters escaped."""
    text = " ".join(str(text).split())
    for ch in "\\|*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text


def _ref(scene, choice) -> str:
    tag = " (event)" if scene.is_event else ""
    return f"`{scene.id}/{choice.id}`{tag}"


def _weight(w) -> str:
    w = int(w) if float(w).is_integer() else w
    return f"+{w}" if w > 0 else str(w)


def learning_map(story) -> str:
    points = point_tests(story)
    worst = worst_tests(story)
    lines = [
        f"# Learning map: {md_cell(story.title)}",
        "",
        f"Story `{story.id}` version {md_cell(story.version)}. Generated from the story by `pizzaborg story map`;",
        "do not edit by hand.",
        "",
        "A decision *tests* a learning point when its choices carry different evidence for it; each",
        "entry is `scene/choice` with the choice's evidence weight. A decision *tempts* with a worst",
        "practice when one of its choices falls into it. Events from the random pools are marked; a",
        "player meets only some of them.",
        "",
        "## Learning points",
        "",
        "| area | learning point | decisions | choices and weights |",
        "| --- | --- | ---: | --- |",
    ]
    for area in story.areas.values():
        for pid in area.points:
            tests = points.get(pid, [])
            scenes = {s.id for s, _, _ in tests}
            refs = ", ".join(f"{_ref(s, c)} {_weight(w)}" for s, c, w in tests) or "**none**"
            name = md_cell(story.points[pid].name)
            lines.append(f"| {md_cell(area.name)} | `{pid}` {name} | {len(scenes)} | {refs} |")
    lines += [
        "",
        "## Areas",
        "",
        "| area | decisions that test it |",
        "| --- | ---: |",
    ]
    for area in story.areas.values():
        scenes = {s.id for pid in area.points for s, _, _ in points.get(pid, [])}
        lines.append(f"| {md_cell(area.name)} (`{area.id}`) | {len(scenes)} |")
    lines += [
        "",
        "## Worst practices",
        "",
        "| worst practice | decisions | tempting choices |",
        "| --- | ---: | --- |",
    ]
    for wid, wp in story.worst.items():
        tests = worst.get(wid, [])
        scenes = {s.id for s, _ in tests}
        refs = ", ".join(_ref(s, c) for s, c in tests) or "**none**"
        lines.append(f"| `{wid}` {md_cell(wp.name)} | {len(scenes)} | {refs} |")
    return "\n".join(lines) + "\n"
