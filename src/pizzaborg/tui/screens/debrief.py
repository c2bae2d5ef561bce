"""The debrief: the ending's epilogue, the score that is reported (first answers) and the answers changed
after the feedback, a scorecard per learning point, how sure each point's estimate is, the decisions that
helped and hurt most with their evidence, what to try at work, and export of the report. The words are
the play layer's (:mod:`pizzaborg.play.render`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ...engine.i18n import N_, _, ngettext
from ...engine.text import clean
from ...play.meaning import helped_and_hurt, is_good, to_try_at_work
from ...play.render import (
    changed_line,
    counted_report,
    counted_score,
    evidence_words,
    fmt_delta,
    fmt_num,
    mastery_lines,
    pass_line,
)
from ..lang import localise_bindings
from ..text import delta_style, shown
from ..widgets.footer import FittingFooter
from ..widgets.sparkline import meter

BAR = 20


def _score(score) -> str:
    return fmt_num(score) if score is not None else "–"


def whole_game(game) -> Content:
    """Each KPI from the start of the game to now, with the change: not only the last month's."""
    parts: list[str | Content | tuple[str, str]] = []
    width = max(len(clean(k.name)) for k in game.story.kpis.values())
    for kpi in game.story.kpis.values():
        start, now = kpi.start, game.kpis[kpi.id]
        unit = f" {clean(kpi.unit)}" if kpi.unit else ""
        d = round(now - start, 6)
        parts += [
            f"{clean(kpi.name):<{width}}  " + _("started at {start}, now ").format(start=fmt_num(start)),
            (f"{fmt_num(now)}{unit}", "bold"),
            "  ",
        ]
        parts.append((fmt_delta(d), delta_style(is_good(kpi, d))) if d else _("unchanged"))
        parts.append("\n")
    return Content.assemble(*parts).rstrip()


def scorecard(game, undo: str | None = None) -> Content:
    """A bar and the score first, then the full name: nothing is cut, long names wrap under their line.
    The scores that count (first answers, unless the assignment's ``undo`` is ``free``)."""
    report = counted_report(game.report(), undo)
    parts: list[str | Content | tuple[str, str]] = []
    for area in game.story.areas.values():
        a = report.areas[area.id]
        full, empty = meter(a or 0, BAR) if a is not None else ("", "·" * BAR)
        parts += [(full, "$success"), (empty, "dim"), (f" {_score(a):>5}  ", "bold"), (clean(area.name), "bold"), "\n"]
        for pid in area.points:
            p = report.points[pid]
            full, empty = meter(p.score or 0, BAR) if p.score is not None else ("", "·" * BAR)
            parts += [(full, "$primary"), (empty, "dim"), f" {_score(p.score):>5}    {clean(p.name)}\n"]
    return Content.assemble(*parts).rstrip()


def impacts(items, empty: str, per_decision: int = 3) -> Content:
    """Each decision, then the learning points it moved most, in words: the best choice offered for
    that point (✓), the worst (✗), or one in between (~)."""
    if not items:
        return Content.styled(empty, "italic")
    parts: list[str | Content | tuple[str, str]] = []
    for it in items:
        head = _("Month {n}, {scene}: ").format(n=it.round_number, scene=it.label)
        parts += [(head, "bold"), f"{it.choice}\n"]
        evidence = sorted(it.evidence, key=lambda e: -(e[3] - e[2]))[:per_decision]
        for name, earned, low, high in evidence:
            how = evidence_words(earned, low, high)
            # the words of a best and a worst choice in the language in use: compared, never parsed
            marks = {evidence_words(1, 0, 1): ("✓", "$success"), evidence_words(0, 0, 1): ("✗", "$error")}
            mark, style = marks.get(how, ("~", "$warning"))
            parts += ["    ", (mark, f"bold {style}"), f" {clean(name)}: ", (how, "dim"), "\n"]
        for w in it.worst:
            parts += ["    ", (_("✗ worst practice: "), "bold $error"), f"{clean(w)}\n"]
    return Content.assemble(*parts).rstrip()


def tips(game) -> Content:
    items = to_try_at_work(game)
    if not items:
        return Content(_("Keep doing what you did: no learning point below 75 and no worst practice taken."))
    parts: list[str | Content | tuple[str, str]] = []
    for head, advice in items:
        parts += ["• ", (head, "bold"), "\n"]
        if advice:
            parts.append(f"  {advice}\n")
    return Content.assemble(*parts).rstrip()


class DebriefScreen(Screen[str | None]):
    CSS_PATH = "../styles/game.tcss"
    BINDINGS = [
        Binding("e", "export", N_("Export report"), id="export"),
        Binding("u", "close('undo')", N_("Undo last"), id="debrief-undo"),
        Binding("n", "close('new')", N_("New game"), id="debrief-new"),
        Binding("h", "history", N_("History"), id="debrief-history"),
    ]

    def __init__(self, session, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.session = session

    def compose(self) -> ComposeResult:
        game = self.session.game
        ending = game.story.ending(game.ending)
        report = game.report()
        helped, hurt = helped_and_hurt(game)
        with VerticalScroll(id="debrief-body"):
            yield Static(
                Content.assemble((_("Ending: "), "bold"), (clean(ending.title), "bold $accent")), id="ending-title"
            )
            yield Static(shown(ending.text.render(game.view)), id="epilogue")
            assignment = self.session.assignment
            undo = self.session.undo_mode
            counted = counted_score(report, undo)
            mastery = assignment.mastery if assignment is not None else None
            verdict = pass_line(counted, mastery)
            passed = verdict == pass_line(100, mastery)  # a full score always passes: same words, in any language
            yield Static(
                Content.assemble(
                    (_("Learning score "), "bold"),
                    (_("{score} of 100").format(score=_score(counted)), "bold $accent"),
                    *((("   " + verdict, "bold $success" if passed else "bold $error"),) if verdict else ()),
                    "\n",
                    (_("Assimilation "), "bold"),
                    (f"{fmt_num(report.assimilation)} %", "bold $error"),
                    "   "
                    + ngettext("{n} decision, seed {seed}", "{n} decisions, seed {seed}", len(game.decisions)).format(
                        n=len(game.decisions), seed=game.seed
                    ),
                ),
                id="debrief-totals",
            )
            changed = changed_line(report, undo)
            if changed:
                yield Static(changed, id="debrief-changed", markup=False)
            if self.session.hand_in_note:  # near the top, the path whole on a line of its own
                yield Static(self.session.hand_in_note, id="handed-in", markup=False)
            yield Static(_("The numbers over the whole game"), classes="heading", markup=False)
            yield Static(whole_game(game), id="debrief-kpis")
            yield Static(_("Scorecard"), classes="heading", markup=False)
            yield Static(scorecard(game, undo), id="scorecard")
            yield Static(_("How sure each learning point is"), classes="heading", markup=False)
            yield Static("\n".join(mastery_lines(game.story, report)), id="debrief-mastery", markup=False)
            yield Static(_("Decisions that helped most"), classes="heading", markup=False)
            yield Static(impacts(helped, _("None of your decisions beat the alternatives.")), id="helped")
            yield Static(_("Decisions that hurt most"), classes="heading", markup=False)
            yield Static(impacts(hurt, _("None: no decision fell short of the alternatives.")), id="hurt")
            yield Static(_("What to try at work"), classes="heading", markup=False)
            yield Static(tips(game), id="tips")
            yield Static(
                _("e exports this report (Markdown and a printable HTML copy) to the save folder."),
                id="export-status",
                classes="dialog-hint",
                markup=False,
            )
        yield FittingFooter()

    def action_export(self) -> None:
        from ...play.export import export_report

        try:
            path = export_report(
                self.session.game,
                self.session.dir,
                learner=self.session.learner,
                now=self.session.now() if self.session.now else None,
                assignment=self.session.assignment,
                started=self.session.started,
                times=self.session.times,
                undo_times=self.session.undo_times,
            )
        except OSError as exc:
            self.notify(
                _("Could not export the report: {error}").format(error=exc.strerror or exc),
                severity="error",
                markup=False,
            )
            return
        # in the page, not a notice: the path stays whole on a line of its own, as long as needed
        status = self.query_one("#export-status", Static)
        status.update(_("Report written to:") + f"\n{path}")
        status.remove_class("dialog-hint")
        status.scroll_visible(animate=False)

    def action_history(self) -> None:
        from .history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.session.game))

    def action_close(self, what: str) -> None:
        why = self.session.why_no_undo() if what == "undo" else None
        if why is not None:  # undo off in this assignment: the debrief stays, with the reason
            self.notify(why, severity="warning", markup=False)
            return
        self.dismiss(what)
