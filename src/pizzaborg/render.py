"""Plain-text rendering of the game for the line mode and headless transcripts (no Rich, no colour)."""

from __future__ import annotations

import textwrap

from .engine.text import clean

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from .engine import Game, Outcome, RoundSummary, SceneView

WIDTH = 78


def wrap(text: str, indent: str = "") -> str:
    out = []
    for para in clean(text).split("\n\n"):
        lines = para.strip().splitlines()
        if not lines:
            continue
        out.append(textwrap.fill(" ".join(line.strip() for line in lines), WIDTH, initial_indent=indent, subsequent_indent=indent))
    return "\n\n".join(out)


def rule(title: str) -> str:
    title = f" {clean(title)} "
    return f"=={title}" + "=" * max(3, WIDTH - len(title) - 2)


def fmt_num(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def fmt_delta(value: float) -> str:
    sign = "+" if value > 0 else ("-" if value < 0 else "±")
    return sign + fmt_num(abs(value))


def title_block(game: Game) -> str:
    story = game.story
    lines = [rule(story.title), ""]
    if story.intro:
        lines += [wrap(story.intro.render(game.view)), ""]
    lines.append(f"Seed {game.seed}. Type h for help.")
    return "\n".join(lines)


def round_intro(game: Game) -> str:
    rnd = game.story.rounds[game.round_id]
    lines = [rule(rnd.title)]
    if rnd.intro:
        lines += ["", wrap(rnd.intro.render(game.view))]
    if game.round_start_deltas:  # drift and the round's on_enter effects
        lines += ["", wrap(f"As the month begins: {kpi_line(game, game.round_start_deltas)}", "  ")]
    return "\n".join(lines)


def capacity_note(scene: SceneView) -> str:
    """'Team weeks left this month: 5 of 8', or '' when the story has no capacity."""
    cap = scene.capacity
    return f"{clean(cap.name or cap.id)} left this month: {fmt_num(cap.left)} of {fmt_num(cap.total)}" if cap else ""


def pick_note(scene: SceneView) -> str:
    """'Pick 3 of these 7 at once.' for a portfolio scene, else ''."""
    if scene.pick is None:
        return ""
    lo, hi = scene.pick
    many = str(lo) if lo == hi else f"{lo} to {hi}"
    return f"Pick {many} of these {len(scene.choices)} at once."


def choice_suffix(scene: SceneView, c) -> str:
    """What a choice costs and, when it cannot be taken, why: ' (3 Team weeks)', ' [not available: ...]'."""
    out = ""
    if scene.capacity is not None and c.cost:
        out += f" ({fmt_num(c.cost)} {clean(scene.capacity.name or scene.capacity.id)})"
    if not c.available:
        out += f" [not available: {clean(c.reason)}]"
    return out


def scene_block(scene: SceneView) -> str:
    head = f"-- {clean(scene.title)} --" if scene.title else ""
    if scene.is_event:
        head = f"-- News: {clean(scene.title)} --" if scene.title else "-- News --"
    lines = ["", head, wrap(scene.text), ""] if head else ["", wrap(scene.text), ""]
    notes = " ".join(n for n in (pick_note(scene), capacity_note(scene) + "." if scene.capacity else "") if n)
    if notes and (scene.pick is not None or any(c.cost for c in scene.choices)):
        lines += [wrap(notes), ""]
    for c in scene.choices:
        lines.append(textwrap.fill(clean(c.text) + choice_suffix(scene, c), WIDTH, initial_indent=f"  {c.n}. ", subsequent_indent="     "))
    return "\n".join(lines)


def kpi_line(game: Game, deltas: dict) -> str:
    parts = []
    for k, d in deltas.items():
        kpi = game.story.kpis[k]
        unit = f" {kpi.unit}" if kpi.unit else ""
        parts.append(f"{kpi.name} {fmt_delta(d)} (now {fmt_num(game.kpis[k])}{unit})")
    return "; ".join(parts) if parts else "no change"


def scene_label(game: Game, scene_id: str, limit: int = 48) -> str:
    """A short name for a scene: its title, else the start of its text."""
    scene = game.story.scenes[scene_id]
    if scene.title:
        return clean(scene.title)
    text = " ".join(clean(scene.text.render(game.view)).split())
    first = text.split(". ")[0].rstrip(".")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def is_plain_continue(game: Game, outcome: Outcome) -> bool:
    scene = game.story.scenes[outcome.scene]
    choice = scene.choice(outcome.choice)
    return bool(choice and choice.synthetic and not outcome.deltas)


def outcome_block(game: Game, outcome: Outcome) -> str:
    if is_plain_continue(game, outcome) and not outcome.borg and not outcome.note:
        return ""
    lines = ["", f"> {clean(outcome.choice_text)}"]
    if outcome.borg:
        lines += ["", wrap(f"The Collective: {outcome.borg}", "  ")]
    if outcome.note:
        lines += ["", wrap(f"Learning note: {outcome.note}", "  ")]
    lines += ["", wrap(f"Numbers: {kpi_line(game, outcome.deltas)}", "  ")]
    return "\n".join(lines)


def numbers_block(game: Game) -> str:
    lines = ["", "The numbers:"]
    for kpi in game.story.kpis.values():
        unit = f" {kpi.unit}" if kpi.unit else ""
        lines.append(f"  {kpi.name:<22} {fmt_num(game.kpis[kpi.id]):>8}{unit}   (range {fmt_num(kpi.min)}–{fmt_num(kpi.max)})")
    score = game.report().overall
    lines.append(f"  {'Learning score':<22} {fmt_num(score) if score is not None else '–':>8}")
    lines.append(f"  {'Assimilation':<22} {fmt_num(game.report().assimilation):>8} %")
    rnd = game.story.rounds[game.round_id]
    lines.append(f"  {'Month':<22} {rnd.number:>8}   {clean(rnd.title)}")
    return "\n".join(lines)


def round_block(game: Game, summary: RoundSummary) -> str:
    lines = ["", rule(f"End of {summary.title}"), "", "Scoreboard:"]
    for kpi in game.story.kpis.values():
        a, b = summary.kpi_start[kpi.id], summary.kpi_end[kpi.id]
        unit = f" {kpi.unit}" if kpi.unit else ""
        lines.append(f"  {kpi.name:<22} {fmt_num(a):>7} -> {fmt_num(b):>7}{unit}  ({fmt_delta(b - a)})")
    if summary.decisions:
        lines += ["", "What you decided this month:"]
        for d in summary.decisions:
            scene = game.story.scenes[d.scene]
            choice = scene.choice(d.choice)
            if choice is not None and choice.synthetic and not d.deltas:
                continue
            label = scene_label(game, d.scene)
            texts = [scene.choice(p) for p in d.picks]  # one choice, or each of a portfolio's picks
            text = " + ".join(c.text.render(game.view) if c else p for c, p in zip(texts, d.picks))
            moved = ", ".join(f"{game.story.kpis[k].name} {fmt_delta(v)}" for k, v in d.deltas.items()) or "no change"
            lines.append(textwrap.fill(f"{clean(label)}: {clean(text)} [{moved}]", WIDTH, initial_indent="  - ", subsequent_indent="    "))
    if summary.question:
        lines += ["", wrap(f"Reflection: {summary.question}")]
    return "\n".join(lines)


def bar(score: float | None, width: int = 20) -> str:
    if score is None:
        return "." * width
    filled = int(round(score / 100 * width))
    return "#" * filled + "-" * (width - filled)


def ending_block(game: Game) -> str:
    ending = game.story.ending(game.ending)
    report = game.report()
    lines = ["", rule(f"Ending: {ending.title}"), "", wrap(ending.text.render(game.view)), ""]
    lines.append(report_block(game))
    return "\n".join(lines)


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis where it was cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def report_block(game: Game) -> str:
    report = game.report()
    overall = report.overall
    lines = [f"Learning score: {fmt_num(overall) if overall is not None else '–'}/100", ""]
    areas = list(game.story.areas.values())
    width = min(max((len(clean(a.name)) for a in areas), default=10), WIDTH - 30)
    for area in areas:
        a = report.areas[area.id]
        lines.append(f"  {_fit(clean(area.name), width):<{width}} {bar(a)} {fmt_num(a) if a is not None else '–':>5}")
        for pid in area.points:
            p = report.points[pid]
            if p.score is not None:
                lines.append(f"    {_fit(clean(p.name), WIDTH - 14):<{WIDTH - 14}} {fmt_num(p.score):>5}")
    taken = {w: n for w, n in report.worst_taken.items() if n}
    lines.append("")
    if taken:
        lines.append("Worst practices you fell into:")
        for w, n in taken.items():
            lines.append(f"  {w} ({n}x): {clean(game.story.worst[w].name)}")
    else:
        lines.append("You fell into no worst practice.")
    lines.append(f"Assimilation: {fmt_num(report.assimilation)} %")
    return "\n".join(lines)
