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

from ..engine.i18n import N_, _, ngettext
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
#: Marked with N_: a face shows them through ``_()`` (the session's lines already are).
UNDO_OFF = N_("Undo is off in this assignment: your trainer made every decision final.")
NO_UNDO_YET = N_("Nothing to undo yet.")
UNDO_FULL = N_("No more undos: this game has recorded as many as a game can.")
UNDONE = N_("Undone: your last decision is taken back.")
UNDONE_FIRST = N_("Undone: your last decision is taken back. Your score keeps the first answer you gave there.")

#: The keys of both faces, documented once (the plain mode's help and the TUI's help screen).
#: (key, what it does, where: "both", "tui" or "plain"); the words are marked with N_, shown through _()
KEYS = (
    ("1-9", N_("make that choice (in the terminal UI also arrow keys and Enter, or a click)"), "both"),
    ("Enter", N_("continue after feedback, a month's end and other one-choice scenes"), "both"),
    ("u", N_("undo your last decision (recorded; your score counts your first answers)"), "both"),
    ("s", N_("save the game under a name"), "both"),
    ("l", N_("load a saved game"), "both"),
    ("h", N_("history, every decision so far"), "both"),
    ("k", N_("the numbers (KPIs, learning score, assimilation), which the terminal UI shows all the time"), "plain"),
    ("?", N_("help, these keys"), "both"),
    ("d", N_("the debrief again, once the game is over"), "tui"),
    ("ctrl+p", N_("command palette, every action and the themes"), "tui"),
    ("Esc", N_("close a dialog"), "tui"),
    ("q", N_("quit (the terminal UI asks first; ctrl+c quits at once); your game is autosaved"), "both"),
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
        return _("up {n}").format(n=fmt_num(value))
    if value < 0:
        return _("down {n}").format(n=fmt_num(-value))
    return _("unchanged")


def times(n: int) -> str:
    if n == 2:
        return _("twice")
    return ngettext("once", "{n} times", n).format(n=n)


def month_heading(game: Game, round_id: str, what: str) -> str:
    """ "Month 2 begins: Going online." from a round titled "Month 2: Going online"."""
    rnd = game.story.rounds[round_id]
    title = clean(rnd.title)
    rest = re.sub(rf"^\s*month\s+{rnd.number}\s*[:.\-–—]?\s*", "", title, flags=re.IGNORECASE)
    if rest == title and game.story.language != "en":  # "Månad 2: ..." in a translated story
        rest = re.sub(rf"^\s*\w+\s+{rnd.number}\s*[:.\-–—]\s*", "", title)
    head = _month_words(what, rnd.number)
    return sentence(_("{heading}: {title}").format(heading=head, title=rest) if rest else head)


def _month_words(what: str, number: int) -> str:
    """'Month 2 begins' (what: begins, ends, is under way, or '' for 'Month 2'), translated whole."""
    if what == "begins":
        return _("Month {number} begins").format(number=number)
    if what == "ends":
        return _("Month {number} ends").format(number=number)
    if what == "is under way":
        return _("Month {number} is under way").format(number=number)
    return f"Month {number} {what}".rstrip() if what else _("Month {number}").format(number=number)


def title_block(game: Game) -> str:
    story = game.story
    lines = [sentence(story.title), ""]
    if story.intro:
        lines += [wrap(story.intro.render(game.view)), ""]
    lines.append(_("Seed {seed}. Type ? for help.").format(seed=game.seed))
    return "\n".join(lines)


def round_intro(game: Game) -> str:
    rnd = game.story.rounds[game.round_id]
    lines = [month_heading(game, game.round_id, "begins")]
    if rnd.intro:
        lines += ["", wrap(rnd.intro.render(game.view))]
    if game.round_start_deltas:  # drift and the round's on_enter effects
        lines += [
            "",
            wrap(_("As the month begins: {changes}").format(changes=kpi_line(game, game.round_start_deltas)), "  "),
        ]
    return "\n".join(lines)


def capacity_note(scene: SceneView) -> str:
    """'Team weeks left this month: 5 of 8', or '' when the story has no capacity."""
    cap = scene.capacity
    if cap is None or cap.left is None or cap.total is None:
        return ""
    return _("{capacity} left this month: {left} of {total}").format(
        capacity=clean(cap.name or cap.id), left=fmt_num(cap.left), total=fmt_num(cap.total)
    )


def pick_note(scene: SceneView) -> str:
    """'Pick 3 of these 7 at once.' for a portfolio scene, else ''."""
    if scene.pick is None:
        return ""
    lo, hi = scene.pick
    many = str(lo) if lo == hi else _("{low} to {high}").format(low=lo, high=hi)
    return _("Pick {many} of these {count} at once.").format(many=many, count=len(scene.choices))


def amount(n: float, unit: str) -> str:
    """A cost in running text (``engine.text.amount``) from a capacity's name as the story writes it."""
    return text_amount(n, clean(unit))


def choice_suffix(scene: SceneView, c: ChoiceView) -> str:
    """What a choice costs and, when it cannot be taken, why: ' (3 team weeks)', ' [not available: ...]'."""
    out = ""
    if scene.capacity is not None and c.cost:
        out += f" ({amount(c.cost, scene.capacity.name or scene.capacity.id)})"
    if not c.available:
        out += " [" + _("not available: {reason}").format(reason=clean(c.reason)) + "]"
    return out


def scene_block(scene: SceneView) -> str:
    head = sentence(_("Scene: {title}").format(title=scene.title)) if scene.title else ""
    if scene.is_event:
        head = sentence(_("News: {title}").format(title=scene.title)) if scene.title else _("News.")
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
    return " " + clean(kpi.unit).replace("/", _(" per ")) if kpi.unit else ""


def kpi_line(game: Game, deltas: dict, values: dict | None = None) -> str:
    """The changes in words, each with its value "now": ``values`` (an outcome's ``after``: right after
    the decision, before the next month's start), else the game's current values."""
    values = values or game.kpis
    parts = []
    for k, d in deltas.items():
        kpi = game.story.kpis[k]
        unit = unit_words(kpi)
        parts.append(
            _("{kpi} {change}, now {value}{unit}").format(
                kpi=kpi.name, change=said_delta(d), value=fmt_num(values[k]), unit=unit
            )
        )
    return "; ".join(parts) + "." if parts else _("no change.")


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
    lines = ["", item(_("You chose: {choice}").format(choice=outcome.choice_text), "", "  ")]
    if outcome.borg:
        lines += ["", wrap(_("The Collective: {words}").format(words=outcome.borg), "  ")]
    if outcome.note:
        lines += ["", wrap(_("Learning note: {note}").format(note=outcome.note), "  ")]
    lines += ["", wrap(_("Numbers: {changes}").format(changes=kpi_line(game, outcome.deltas, outcome.after)), "  ")]
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
    if short:
        return _("Score (path kept)") if undo == "free" else _("Score (first answers)")
    return _("Learning score (the path you kept)") if undo == "free" else _("Learning score (first answers)")


def changed_line(report: ScoreReport, undo: str | None = None) -> str:
    """'You changed 7 answers after seeing the feedback; your score counts your first answers.', or ''
    when nothing was undone."""
    if not report.undone:
        return ""
    changed = ngettext(
        "You changed {n} answer after seeing the feedback",
        "You changed {n} answers after seeing the feedback",
        report.changed,
    ).format(n=report.changed)
    if undo == "free":
        return _("{changed} ({times} undone); your score counts the path you kept.").format(
            changed=changed, times=times(report.undone)
        )
    return _("{changed} ({times} undone); your score counts your first answers.").format(
        changed=changed, times=times(report.undone)
    )


def mastery_lines(story: Story, report: ScoreReport) -> list[str]:
    """Each learning point's mastery estimate in words, in story order: 'Change management: about 70 out
    of 100, likely between 55 and 82, from 6 decisions' (:func:`engine.mastery.say`)."""
    from ..engine.mastery import estimates, say

    est = estimates(report)
    return [say(clean(p.name), est[p.id]) for p in story.points.values() if p.id in est]


def numbers_block(game: Game, undo: str | None = None) -> str:
    lines = ["", _("The numbers:")]
    for kpi in game.story.kpis.values():
        unit = unit_words(kpi)
        lines.append(
            item(
                _("{kpi}: {value}{unit}, on a scale from {low} to {high}.").format(
                    kpi=kpi.name,
                    value=fmt_num(game.kpis[kpi.id]),
                    unit=unit,
                    low=fmt_num(kpi.min),
                    high=fmt_num(kpi.max),
                )
            )
        )
    report = game.report()
    score = counted_score(report, undo)
    lines.append(item(_score_sentence(score_label(undo), score, _("none yet"))))
    changed = changed_line(report, undo)
    if changed:
        lines.append(item(changed))
    lines.append(item(_("Assimilation: {n} percent.").format(n=fmt_num(report.assimilation))))
    lines.append(item(month_heading(game, game.round_id, "is under way")))
    return "\n".join(lines)


def _score_sentence(label: str, score: float | None, none: str) -> str:
    """'Learning score (first answers): 72 of 100.' or '...: none.'"""
    if score is None:
        return _("{label}: {none}.").format(label=label, none=none)
    return _("{label}: {score} of 100.").format(label=label, score=fmt_num(score))


def _moved(game: Game, deltas: dict) -> str:
    """'Revenue up 5; Trust down 2' or 'No change'."""
    return "; ".join(
        _("{kpi} {change}").format(kpi=game.story.kpis[k].name, change=said_delta(v)) for k, v in deltas.items()
    ) or _("No change")


def round_block(game: Game, summary: RoundSummary) -> str:
    lines = ["", month_heading(game, summary.id, "ends"), "", _("The numbers this month:")]
    for kpi in game.story.kpis.values():
        a, b = summary.kpi_start[kpi.id], summary.kpi_end[kpi.id]
        unit = unit_words(kpi)
        lines.append(
            item(
                _("{kpi} {value}{unit}, {change}.").format(
                    kpi=kpi.name, value=fmt_num(b), unit=unit, change=said_delta(round(b - a, 6))
                )
            )
        )
    if summary.decisions:
        lines += ["", _("What you decided this month:")]
        for d in summary.decisions:
            scene = game.story.scenes[d.scene]
            choice = scene.choice(d.choice)
            if choice is not None and choice.synthetic and not d.deltas:
                continue
            label = scene_label(game, d.scene)
            texts = [scene.choice(p) for p in d.picks]  # one choice, or each of a portfolio's picks
            text = " + ".join(c.text.render(game.view) if c else p for c, p in zip(texts, d.picks, strict=False))
            moved = _moved(game, d.deltas)
            lines.append(item(f"{sentence(f'{label}: {text}')} {sentence(moved)}", "  ", "    "))
    if summary.question:
        lines += ["", wrap(_("Reflection: {question}").format(question=summary.question))]
    return "\n".join(lines)


def pass_line(score: float | None, mastery: float | None) -> str:
    """ "Pass mark 70 of 100: passed." (the trainer report's rule), or "" without a pass mark."""
    if mastery is None:
        return ""
    mark = fmt_num(round(mastery * 100, 2))
    passed = score is not None and score / 100 >= mastery - 1e-9
    if passed:
        return _("Pass mark {mark} of 100: passed.").format(mark=mark)
    return _("Pass mark {mark} of 100: not passed.").format(mark=mark)


def ending_block(game: Game, mastery: float | None = None, undo: str | None = None) -> str:
    ending = game.story.ending(game.ending or "")
    if ending is None:
        raise ValueError("the game is not over: it has no ending to show")
    over = sentence(_("The game is over. Ending: {ending}").format(ending=ending.title))
    lines = ["", over, "", wrap(ending.text.render(game.view)), ""]
    lines.append(report_block(game, mastery, undo))
    lines += ["", _("The numbers over the whole game:")]
    for kpi in game.story.kpis.values():
        now = game.kpis[kpi.id]
        lines.append(
            item(
                _("{kpi} {value}{unit}, {change} since the start ({start}).").format(
                    kpi=kpi.name,
                    value=fmt_num(now),
                    unit=unit_words(kpi),
                    change=said_delta(round(now - kpi.start, 6)),
                    start=fmt_num(kpi.start),
                )
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
    lines = [_score_sentence(score_label(undo), overall, _("none"))]
    verdict = pass_line(overall, mastery)
    if verdict:
        lines.append(verdict)
    changed = changed_line(kept, undo)
    if changed:
        lines.append(item(changed, "", ""))
    lines += ["", _("Scores by learning area, each of 100:")]
    for area in game.story.areas.values():
        a = report.areas[area.id]
        shown = fmt_num(a) if a is not None else _("not scored")
        lines.append(item(_("{name}: {score}.").format(name=clean(area.name), score=shown)))
        for pid in area.points:
            p = report.points[pid]
            if p.score is not None:
                lines.append(
                    item(_("{name}: {score}.").format(name=clean(p.name), score=fmt_num(p.score)), "    ", "      ")
                )
    taken = {w: n for w, n in report.worst_taken.items() if n}
    lines.append("")
    if taken:
        lines.append(_("Worst practices you fell into:"))
        for w, n in taken.items():
            lines.append(item(_("{name}: {times}.").format(name=clean(game.story.worst[w].name), times=times(n))))
    else:
        lines.append(_("You fell into no worst practice."))
    lines.append(_("Assimilation: {n} percent.").format(n=fmt_num(report.assimilation)))
    lines += ["", _("How sure each learning point is, from your first answers:")]
    lines += [item(sentence(line)) for line in mastery_lines(game.story, kept)]
    return "\n".join(lines)


def evidence_words(earned: float, low: float, high: float) -> str:
    """How a choice did for one learning point, against the options offered, in words (a ✓ only for a
    best choice that earned something)."""
    if high > low and earned == high and earned > 0:
        return _("the best choice offered")
    if high > low and earned == low:
        return _("the worst choice offered")
    if earned == high:
        return _("no worse than the others, but it earned nothing")
    return _("between the best and the worst offered")


def _impact_lines(items: list[Impact]) -> list:
    lines = []
    for it in items:
        head = _("Month {number}, {scene}: {choice}").format(
            number=it.round_number, scene=it.label, choice=sentence(it.choice)
        )
        lines.append(item(head, "  ", "    "))
        for name, earned, low, high in sorted(it.evidence, key=lambda e: -(e[3] - e[2]))[:3]:
            how = evidence_words(earned, low, high)
            lines.append(item(_("For {point}: {how}.").format(point=clean(name), how=how), "    ", "      "))
        for w in it.worst:
            lines.append(item(_("A worst practice: {name}.").format(name=clean(w)), "    ", "      "))
    return lines


def debrief_block(game: Game) -> str:
    """The TUI debrief's analysis in words: the decisions that helped and hurt most, what to try at work."""
    from .meaning import helped_and_hurt, to_try_at_work

    helped, hurt = helped_and_hurt(game)
    lines = ["", _("Decisions that helped most:")]
    lines += _impact_lines(helped) or ["  " + _("None of your decisions beat the alternatives.")]
    lines += ["", _("Decisions that hurt most:")]
    lines += _impact_lines(hurt) or ["  " + _("None: no decision fell short of the alternatives.")]
    lines += ["", _("What to try at work:")]
    tips = to_try_at_work(game)
    if not tips:
        lines.append("  " + _("Keep doing what you did: no learning point below 75 and no worst practice taken."))
    for head, advice in tips:
        lines.append(item(sentence(head)))
        if advice:
            lines.append(item(advice, "    ", "    "))
    return "\n".join(lines)


def history_block(game: Game) -> str:
    """Every decision so far, month by month, in words (the TUI's history)."""
    if not game.decisions:
        return "\n" + _("No decisions yet.")
    n = len(game.decisions)
    lines = ["", ngettext("History: {n} decision.", "History: {n} decisions.", n).format(n=n)]
    month = None
    for i, d in enumerate(game.decisions, start=1):
        if d.round_id != month:
            month = d.round_id
            lines += ["", month_heading(game, d.round_id, "")]
        scene = game.story.scenes[d.scene]
        choice = scene.choice(d.choice)
        text = choice.text.render(game.view) if choice else d.choice
        moved = _moved(game, d.deltas)
        lines.append(item(f"{i}. {sentence(f'{scene_label(game, d.scene)}: {text}')} {sentence(moved)}", "  ", "     "))
    return "\n".join(lines)
