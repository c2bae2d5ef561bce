"""The debrief: the ending's epilogue, a scorecard per learning point, the decisions that helped and
hurt most with their evidence, what to try at work, and export of the report."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...engine.text import clean
from ...render import fmt_num
from ..analysis import helped_and_hurt, to_try_at_work
from ..text import shown
from ..widgets.sparkline import meter

BAR = 20


def _score(score) -> str:
    return fmt_num(score) if score is not None else "–"


def scorecard(game) -> Content:
    report = game.report()
    name_w = 46
    parts = []
    for area in game.story.areas.values():
        a = report.areas[area.id]
        full, empty = meter(a or 0, BAR) if a is not None else ("", "·" * BAR)
        parts += [(f"{clean(area.name)[:name_w]:<{name_w}}", "bold"), " ", (full, "$success"), (empty, "dim"), (f" {_score(a):>5}\n", "bold")]
        for pid in area.points:
            p = report.points[pid]
            full, empty = meter(p.score or 0, BAR) if p.score is not None else ("", "·" * BAR)
            label = clean(p.name)
            label = label if len(label) <= name_w - 2 else label[: name_w - 3] + "…"
            parts += [f"  {label:<{name_w - 2}} ", (full, "$primary"), (empty, "dim"), f" {_score(p.score):>5}\n"]
    return Content.assemble(*parts).rstrip()


def impacts(items, empty: str, per_decision: int = 3) -> Content:
    """Each decision, then the learning points it moved most: ✓ the best offered, ✗ the worst, ~ between."""
    if not items:
        return Content.styled(empty, "italic")
    parts = []
    for it in items:
        parts += [(f"Month {it.round_number}, {it.label}: ", "bold"), f"{it.choice}\n"]
        evidence = sorted(it.evidence, key=lambda e: -(e[3] - e[2]))[:per_decision]
        for name, earned, low, high in evidence:
            if earned == high:
                mark, style = "✓", "$success"
            elif earned == low:
                mark, style = "✗", "$error"
            else:
                mark, style = "~", "$warning"
            parts += ["    ", (mark, f"bold {style}"), f" {clean(name)} ", (f"({fmt_num(earned)} of {fmt_num(low)}…{fmt_num(high)})", "dim"), "\n"]
        for w in it.worst:
            parts += ["    ", ("✗ worst practice: ", "bold $error"), f"{clean(w)}\n"]
    return Content.assemble(*parts).rstrip()


def tips(game) -> Content:
    items = to_try_at_work(game)
    if not items:
        return Content("Keep doing what you did: no learning point below 75 and no worst practice taken.")
    parts = []
    for head, advice in items:
        parts += ["• ", (head, "bold"), "\n"]
        if advice:
            parts.append(f"  {advice}\n")
    return Content.assemble(*parts).rstrip()


class DebriefScreen(Screen[str | None]):
    CSS_PATH = "../styles/game.tcss"
    BINDINGS = [
        Binding("e", "export", "Export report", id="export"),
        Binding("u", "close('undo')", "Undo last", id="debrief-undo"),
        Binding("n", "close('new')", "New game", id="debrief-new"),
        Binding("h", "history", "History", id="debrief-history"),
    ]

    def __init__(self, session, **kwargs):
        super().__init__(**kwargs)
        self.session = session

    def compose(self) -> ComposeResult:
        game = self.session.game
        ending = game.story.ending(game.ending)
        report = game.report()
        helped, hurt = helped_and_hurt(game)
        with VerticalScroll(id="debrief-body"):
            yield Static(Content.assemble(("Ending: ", "bold"), (clean(ending.title), "bold $accent")), id="ending-title")
            yield Static(shown(ending.text.render(game.view)), id="epilogue")
            yield Static(
                Content.assemble(
                    ("Learning score ", "bold"), (f"{_score(report.overall)}/100", "bold $accent"),
                    ("   Assimilation ", "bold"), (f"{fmt_num(report.assimilation)} %", "bold $error"),
                    f"   {len(game.decisions)} decisions, seed {game.seed}",
                ),
                id="debrief-totals",
            )
            yield Static("Scorecard", classes="heading")
            yield Static(scorecard(game), id="scorecard")
            yield Static("Decisions that helped most  (✓ the best choice offered for a learning point, ✗ the worst)", classes="heading")
            yield Static(impacts(helped, "None of your decisions beat the alternatives."), id="helped")
            yield Static("Decisions that hurt most", classes="heading")
            yield Static(impacts(hurt, "None: no decision fell short of the alternatives."), id="hurt")
            yield Static("What to try at work", classes="heading")
            yield Static(tips(game), id="tips")
            if self.session.handed_in is not None:
                yield Static(f"Your report for the trainer: {self.session.handed_in}. Hand in this file.",
                             id="handed-in", markup=False)
            yield Static("e exports this report (Markdown and a printable HTML copy) to the save folder.", classes="dialog-hint")
        yield Footer()

    def action_export(self) -> None:
        from ..export import export_report

        try:
            path = export_report(self.session.game, self.session.dir, learner=self.session.learner,
                                 now=self.session.now() if self.session.now else None,
                                 assignment=self.session.assignment, started=self.session.started,
                                 times=self.session.times)
        except OSError as exc:
            self.notify(f"Could not export the report: {exc.strerror or exc}", severity="error", markup=False)
            return
        self.notify(f"Report written to {path}", markup=False, timeout=8)

    def action_history(self) -> None:
        from .history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.session.game))

    def action_close(self, what: str) -> None:
        self.dismiss(what)
