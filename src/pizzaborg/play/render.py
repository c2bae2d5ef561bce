"""The words the faces share: plain-text rendering of the game for the line mode, headless transcripts
and the terminal UI's texts (no Rich, no colour). What the game means (helped, hurt, trends) is in
:mod:`.meaning`, which this module reads and which never reads this one.

Plain mode is what screen readers speak, so the text uses words and sentences, never drawings:
no rules of ``=`` or ``-``, no bars of ``#``, no arrows; "Revenue 895, down 5", not "900 -> 895".
Every line is wrapped at word boundaries to :data:`WIDTH` columns.
"""

from __future__ import annotations

import re
import textwrap

from ..engine.text import amount as text_amount
from ..engine.text import clean
from ..engine.text import fmt_num as fmt_num  # the faces take it from here with the other words

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from ..engine import ChoiceView, Game, Outcome, RoundSummary, SceneView
    from ..engine.model import Kpi, Story
    from ..engine.scoring import ScoreReport
    from .meaning import Impact

WIDTH = 78

#: Why undo is refused (one line each; every face shows the line :meth:`.session.Session.why_no_undo` gives).
UNDO_OFF = "Undo is off in this assignment: your trainer made every decision final."
NO_UNDO_YET = "Nothing to undo yet."
UNDO_FULL = "No more undos: this game has recorded as many as a game can."
UNDONE = "Undone: your last decision is taken back."
UNDONE_FIRST = "Undone: your last decision is taken back. Your score keeps the first answer you gave there."

#: The keys of both faces, documented once (the plain mode's help and the TUI's help screen).
#: (key, what it does, where: "both", "tui" or "plain")
KEYS = (
    ("1-9", "make that choice (in the terminal UI also arrow keys and Enter, or a click)", "both"),
    ("Enter", "continue after feedback, a month's end and other one-choice scenes", "both"),
    ("u", "undo your last decision (recorded; your score counts your first answers)", "both"),
    ("s", "save the game under a name", "both"),
    ("l", "load a saved game", "both"),
    ("h", "history, every decision so far", "both"),
    ("k", "the numbers (KPIs, learning score, assimilation), which the terminal UI shows all the time", "plain"),
    ("?", "help, these keys", "both"),
    ("d", "the debrief again, once the game is over", "tui"),
    ("ctrl+p", "command palette, every action and the themes", "tui"),
    ("Esc", "close a dialog", "tui"),
    ("q", "quit (the terminal UI asks first; ctrl+c quits at once); your game is autosaved", "both"),
)


def wrap(text: str, indent: str = "") -> str:
    out = []
    for para in clean(text).split("\n\n"):
        lines = para.strip().splitlines()
        if not lines:
            continue
        out.append(
            textwrap.fill(
                " ".join(line.strip() for line in lines), WIDTH, initial_indent=indent, subsequent_indent=indent
            )
        )
    return "\n\n".join(out)


def item(text: str, first: str = "  ", rest: str = "    ") -> str:
    """One entry of a list, wrapped at word boundaries under its first line."""
    return textwrap.fill(" ".join(clean(text).split()), WIDTH, initial_indent=first, subsequent_indent=rest)


def sentence(text: str) -> str:
    """``text`` as a sentence: it ends with a full stop unless it ends with punctuation already."""
    text = " ".join(clean(text).split())
    return text if not text or text[-1] in ".!?:…\"'”" else text + "."


def rule(title: str) -> str:
    """A heading, as a line of its own (a sentence, not a drawing)."""
    return sentence(title)


def fmt_delta(value: float) -> str:
    sign = "+" if value > 0 else ("-" if value < 0 else "±")
    return sign + fmt_num(abs(value))


def said_delta(value: float) -> str:
    """A change in words: "up 5", "down 2.5", "unchanged"."""
    if value > 0:
        return f"up {fmt_num(value)}"
    if value < 0:
        return f"down {fmt_num(-value)}"
    return "unchanged"


def times(n: int) -> str:
    return "once" if n == 1 else ("twice" if n == 2 else f"{n} times")


def month_heading(game: Game, round_id: str, what: str) -> str:
    """ "Month 2 begins: Going online." from a round titled "Month 2: Going online"."""
    rnd = game.story.rounds[round_id]
    title = clean(rnd.title)
    rest = re.sub(rf"^\s*month\s+{rnd.number}\s*[:.\-–—]?\s*", "", title, flags=re.IGNORECASE)
    head = f"Month {rnd.number} {what}".rstrip()
    return sentence(f"{head}: {rest}" if rest else head)


def title_block(game: Game) -> str:
    story = game.story
    lines = [sentence(story.title), ""]
    if story.intro:
        lines += [wrap(story.intro.render(game.view)), ""]
    lines.append(f"Seed {game.seed}. Type ? for help.")
    return "\n".join(lines)


def round_intro(game: Game) -> str:
    rnd = game.story.rounds[game.round_id]
    lines = [month_heading(game, game.round_id, "begins")]
    if rnd.intro:
        lines += ["", wrap(rnd.intro.render(game.view))]
    if game.round_start_deltas:  # drift and the round's on_enter effects
        lines += ["", wrap(f"As the month begins: {kpi_line(game, game.round_start_deltas)}", "  ")]
    return "\n".join(lines)


def capacity_note(scene: SceneView) -> str:
    """'Team weeks left this month: 5 of 8', or '' when the story has no capacity."""
    cap = scene.capacity
    if cap is None or cap.left is None or cap.total is None:
        return ""
    return f"{clean(cap.name or cap.id)} left this month: {fmt_num(cap.left)} of {fmt_num(cap.total)}"


def pick_note(scene: SceneView) -> str:
    """'Pick 3 of these 7 at once.' for a portfolio scene, else ''."""
    if scene.pick is None:
        return ""
    lo, hi = scene.pick
    many = str(lo) if lo == hi else f"{lo} to {hi}"
    return f"Pick {many} of these {len(scene.choices)} at once."


def amount(n: float, unit: str) -> str:
    """A cost in running text (``engine.text.amount``) from a capacity's name as the story writes it."""
    return text_amount(n, clean(unit))


def choice_suffix(scene: SceneView, c: ChoiceView) -> str:
    """What a choice costs and, when it cannot be taken, why: ' (3 team weeks)', ' [not available: ...]'."""
    out = ""
    if scene.capacity is not None and c.cost:
        out += f" ({amount(c.cost, scene.capacity.name or scene.capacity.id)})"
    if not c.available:
        out += f" [not available: {clean(c.reason)}]"
    return out


def scene_block(scene: SceneView) -> str:
    head = sentence(f"Scene: {scene.title}") if scene.title else ""
    if scene.is_event:
        head = sentence(f"News: {scene.title}") if scene.title else "News."
    lines = ["", head, wrap(scene.text), ""] if head else ["", wrap(scene.text), ""]
    notes = " ".join(n for n in (pick_note(scene), capacity_note(scene) + "." if scene.capacity else "") if n)
    if notes and (scene.pick is not None or any(c.cost for c in scene.choices)):
        lines += [wrap(notes), ""]
    for c in scene.choices:
        lines.append(
            textwrap.fill(
                clean(c.text) + choice_suffix(scene, c), WIDTH, initial_indent=f"  {c.n}. ", subsequent_indent="     "
            )
        )
    return "\n".join(lines)


def unit_words(kpi: Kpi) -> str:
    """The KPI's unit as read aloud, with a leading space: "k€ per month", not "k€ slash month"."""
    return f" {clean(kpi.unit).replace('/', ' per ')}" if kpi.unit else ""


def kpi_line(game: Game, deltas: dict, values: dict | None = None) -> str:
    """The changes in words, each with its value "now": ``values`` (an outcome's ``after``: right after
    the decision, before the next month's start), else the game's current values."""
    values = values or game.kpis
    parts = []
    for k, d in deltas.items():
        kpi = game.story.kpis[k]
        unit = unit_words(kpi)
        parts.append(f"{kpi.name} {said_delta(d)}, now {fmt_num(values[k])}{unit}")
    return "; ".join(parts) + "." if parts else "no change."


def scene_label(game: Game, scene_id: str, limit: int = 48) -> str:
    """A short name for a scene (:func:`.meaning.scene_label`; imported on first use: a headless run with
    --json renders no words and need not load it)."""
    from .meaning import scene_label as label

    return label(game, scene_id, limit)


def is_plain_continue(game: Game, outcome: Outcome) -> bool:
    scene = game.story.scenes[outcome.scene]
    choice = scene.choice(outcome.choice)
    return bool(choice and choice.synthetic and not outcome.deltas)


def outcome_block(game: Game, outcome: Outcome) -> str:
    if is_plain_continue(game, outcome) and not outcome.borg and not outcome.note:
        return ""
    lines = ["", item(f"You chose: {outcome.choice_text}", "", "  ")]
    if outcome.borg:
        lines += ["", wrap(f"The Collective: {outcome.borg}", "  ")]
    if outcome.note:
        lines += ["", wrap(f"Learning note: {outcome.note}", "  ")]
    lines += ["", wrap(f"Numbers: {kpi_line(game, outcome.deltas, outcome.after)}", "  ")]
    return "\n".join(lines)


def counted_report(report: ScoreReport, undo: str | None = None) -> ScoreReport:
    """The scores that count: the first answers' (free play, an assignment's ``undo: recorded`` or
    ``off``), or the path kept's under an assignment's ``undo: free`` (the trainer's report says the same)."""
    return report if undo == "free" else report.first


def counted_score(report: ScoreReport, undo: str | None = None) -> float | None:
    """The score a trainer sees and the pass mark counts (:func:`counted_report`)."""
    return counted_report(report, undo).overall


def score_label(undo: str | None = None, short: bool = False) -> str:
    """The name of :func:`counted_score`: 'Learning score (first answers)'; ``short`` for the dashboard,
    which must fit 80×24: 'Score (first answers)'."""
    what = "(the path you kept)" if undo == "free" else "(first answers)"
    if short:
        return "Score (path kept)" if undo == "free" else "Score " + what
    return "Learning score " + what


def changed_line(report: ScoreReport, undo: str | None = None) -> str:
    """'You changed 7 answers after seeing the feedback; your score counts your first answers.', or ''
    when nothing was undone."""
    if not report.undone:
        return ""
    many = "answer" if report.changed == 1 else "answers"
    counts = "the path you kept" if undo == "free" else "your first answers"
    return (
        f"You changed {report.changed} {many} after seeing the feedback ({times(report.undone)} undone); "
        f"your score counts {counts}."
    )


def mastery_lines(story: Story, report: ScoreReport) -> list[str]:
    """Each learning point's mastery estimate in words, in story order: 'Change management: about 70 out
    of 100, likely between 55 and 82, from 6 decisions' (:func:`engine.mastery.say`)."""
    from ..engine.mastery import estimates, say

    est = estimates(report)
    return [say(clean(p.name), est[p.id]) for p in story.points.values() if p.id in est]


def numbers_block(game: Game, undo: str | None = None) -> str:
    lines = ["", "The numbers:"]
    for kpi in game.story.kpis.values():
        unit = unit_words(kpi)
        lines.append(
            item(
                f"{kpi.name}: {fmt_num(game.kpis[kpi.id])}{unit}, on a scale from {fmt_num(kpi.min)} to "
                f"{fmt_num(kpi.max)}."
            )
        )
    report = game.report()
    score = counted_score(report, undo)
    lines.append(item(f"{score_label(undo)}: {fmt_num(score) + ' of 100' if score is not None else 'none yet'}."))
    changed = changed_line(report, undo)
    if changed:
        lines.append(item(changed))
    lines.append(item(f"Assimilation: {fmt_num(report.assimilation)} percent."))
    lines.append(item(month_heading(game, game.round_id, "is under way")))
    return "\n".join(lines)


def round_block(game: Game, summary: RoundSummary) -> str:
    lines = ["", month_heading(game, summary.id, "ends"), "", "The numbers this month:"]
    for kpi in game.story.kpis.values():
        a, b = summary.kpi_start[kpi.id], summary.kpi_end[kpi.id]
        unit = unit_words(kpi)
        lines.append(item(f"{kpi.name} {fmt_num(b)}{unit}, {said_delta(round(b - a, 6))}."))
    if summary.decisions:
        lines += ["", "What you decided this month:"]
        for d in summary.decisions:
            scene = game.story.scenes[d.scene]
            choice = scene.choice(d.choice)
            if choice is not None and choice.synthetic and not d.deltas:
                continue
            label = scene_label(game, d.scene)
            texts = [scene.choice(p) for p in d.picks]  # one choice, or each of a portfolio's picks
            text = " + ".join(c.text.render(game.view) if c else p for c, p in zip(texts, d.picks, strict=False))
            moved = "; ".join(f"{game.story.kpis[k].name} {said_delta(v)}" for k, v in d.deltas.items()) or "No change"
            lines.append(item(f"{sentence(f'{label}: {text}')} {sentence(moved)}", "  ", "    "))
    if summary.question:
        lines += ["", wrap(f"Reflection: {summary.question}")]
    return "\n".join(lines)


def pass_line(score: float | None, mastery: float | None) -> str:
    """ "Pass mark 70 of 100: passed." (the trainer report's rule), or "" without a pass mark."""
    if mastery is None:
        return ""
    mark = fmt_num(round(mastery * 100, 2))
    passed = score is not None and score / 100 >= mastery - 1e-9
    return f"Pass mark {mark} of 100: {'passed' if passed else 'not passed'}."


def ending_block(game: Game, mastery: float | None = None, undo: str | None = None) -> str:
    ending = game.story.ending(game.ending or "")
    if ending is None:
        raise ValueError("the game is not over: it has no ending to show")
    lines = ["", sentence(f"The game is over. Ending: {ending.title}"), "", wrap(ending.text.render(game.view)), ""]
    lines.append(report_block(game, mastery, undo))
    lines += ["", "The numbers over the whole game:"]
    for kpi in game.story.kpis.values():
        now = game.kpis[kpi.id]
        lines.append(
            item(
                f"{kpi.name} {fmt_num(now)}{unit_words(kpi)}, {said_delta(round(now - kpi.start, 6))} "
                f"since the start ({fmt_num(kpi.start)})."
            )
        )
    lines.append(debrief_block(game))
    return "\n".join(lines)


def report_block(game: Game, mastery: float | None = None, undo: str | None = None) -> str:
    """The scores as reported: the counted score (:func:`counted_score`), the pass mark, the changed
    answers, each area and point, then how sure each point's estimate is."""
    kept = game.report()
    report = counted_report(kept, undo)
    overall = counted_score(kept, undo)
    lines = [f"{score_label(undo)}: {fmt_num(overall) + ' of 100' if overall is not None else 'none'}."]
    verdict = pass_line(overall, mastery)
    if verdict:
        lines.append(verdict)
    changed = changed_line(kept, undo)
    if changed:
        lines.append(item(changed, "", ""))
    lines += ["", "Scores by learning area, each of 100:"]
    for area in game.story.areas.values():
        a = report.areas[area.id]
        lines.append(item(f"{clean(area.name)}: {fmt_num(a) if a is not None else 'not scored'}."))
        for pid in area.points:
            p = report.points[pid]
            if p.score is not None:
                lines.append(item(f"{clean(p.name)}: {fmt_num(p.score)}.", "    ", "      "))
    taken = {w: n for w, n in report.worst_taken.items() if n}
    lines.append("")
    if taken:
        lines.append("Worst practices you fell into:")
        for w, n in taken.items():
            lines.append(item(f"{clean(game.story.worst[w].name)}: {times(n)}."))
    else:
        lines.append("You fell into no worst practice.")
    lines.append(f"Assimilation: {fmt_num(report.assimilation)} percent.")
    lines += ["", "How sure each learning point is, from your first answers:"]
    lines += [item(sentence(line)) for line in mastery_lines(game.story, kept)]
    return "\n".join(lines)


def evidence_words(earned: float, low: float, high: float) -> str:
    """How a choice did for one learning point, against the options offered, in words (a ✓ only for a
    best choice that earned something)."""
    if high > low and earned == high and earned > 0:
        return "the best choice offered"
    if high > low and earned == low:
        return "the worst choice offered"
    if earned == high:
        return "no worse than the others, but it earned nothing"
    return "between the best and the worst offered"


def _impact_lines(items: list[Impact]) -> list:
    lines = []
    for it in items:
        lines.append(item(f"Month {it.round_number}, {it.label}: {sentence(it.choice)}", "  ", "    "))
        for name, earned, low, high in sorted(it.evidence, key=lambda e: -(e[3] - e[2]))[:3]:
            how = evidence_words(earned, low, high)
            lines.append(item(f"For {clean(name)}: {how}.", "    ", "      "))
        for w in it.worst:
            lines.append(item(f"A worst practice: {clean(w)}.", "    ", "      "))
    return lines


def debrief_block(game: Game) -> str:
    """The TUI debrief's analysis in words: the decisions that helped and hurt most, what to try at work."""
    from .meaning import helped_and_hurt, to_try_at_work

    helped, hurt = helped_and_hurt(game)
    lines = ["", "Decisions that helped most:"]
    lines += _impact_lines(helped) or ["  None of your decisions beat the alternatives."]
    lines += ["", "Decisions that hurt most:"]
    lines += _impact_lines(hurt) or ["  None: no decision fell short of the alternatives."]
    lines += ["", "What to try at work:"]
    tips = to_try_at_work(game)
    if not tips:
        lines.append("  Keep doing what you did: no learning point below 75 and no worst practice taken.")
    for head, advice in tips:
        lines.append(item(sentence(head)))
        if advice:
            lines.append(item(advice, "    ", "    "))
    return "\n".join(lines)


def history_block(game: Game) -> str:
    """Every decision so far, month by month, in words (the TUI's history)."""
    if not game.decisions:
        return "\nNo decisions yet."
    lines = ["", f"History: {len(game.decisions)} decision{'' if len(game.decisions) == 1 else 's'}."]
    month = None
    for i, d in enumerate(game.decisions, start=1):
        if d.round_id != month:
            month = d.round_id
            lines += ["", month_heading(game, d.round_id, "")]
        scene = game.story.scenes[d.scene]
        choice = scene.choice(d.choice)
        text = choice.text.render(game.view) if choice else d.choice
        moved = "; ".join(f"{game.story.kpis[k].name} {said_delta(v)}" for k, v in d.deltas.items()) or "No change"
        lines.append(item(f"{i}. {sentence(f'{scene_label(game, d.scene)}: {text}')} {sentence(moved)}", "  ", "     "))
    return "\n".join(lines)
