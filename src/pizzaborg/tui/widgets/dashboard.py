"""The side dashboard: month, every KPI with its trend and last change, the score that will be reported
(first answers, or the path kept under an assignment's ``undo: free``), assimilation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ...engine.i18n import _
from ...engine.text import clean
from ...play.meaning import kpi_history, last_deltas
from ...play.render import counted_score, fmt_num, score_label
from .kpi import KpiRow
from .sparkline import meter

METER_WIDTH = 14


class Dashboard(VerticalScroll, can_focus=False):
    def __init__(self, story, undo: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.story = story
        self.undo = undo  # the assignment's undo mode (None: free play): which score is reported

    def compose(self) -> ComposeResult:
        yield Static(id="dash-month")
        for kpi in self.story.kpis.values():
            yield KpiRow(id=f"kpi-{kpi.id.replace('.', '-')}", classes="kpi")
        yield Static(id="dash-score")
        yield Static(id="dash-assimilation")

    def show(self, game, round_id: str | None = None, through: int | None = None) -> None:
        """``round_id``: the month to show (the month of the feedback on the screen), else the game's;
        ``through``: the numbers as they were right after that decision (its feedback is on the screen),
        else as the game holds them now. Every value comes from the engine's series."""
        rnd = game.story.rounds[round_id or game.round_id]
        months = len(game.story.rounds)
        self.query_one("#dash-month", Static).update(
            Content.assemble(
                (_("Month {n} of {months}").format(n=rnd.number, months=months), "bold $accent"),
                "\n",
                clean(rnd.title),
            )
        )
        history = kpi_history(game, through)
        deltas = last_deltas(game)
        for kpi in game.story.kpis.values():
            self.query_one(f"#kpi-{kpi.id.replace('.', '-')}", KpiRow).show(kpi, history[kpi.id], deltas.get(kpi.id))
        report = game.report()
        counted = counted_score(report, self.undo)
        score = fmt_num(counted) if counted is not None else "–"
        self.query_one("#dash-score", Static).update(
            Content.assemble((score_label(self.undo, short=True), "bold"), "\n", (score, "bold"), " / 100")
        )
        share = f"{fmt_num(report.assimilation)} %"
        box = self.query_one("#dash-assimilation", Static)
        room = (box.content_size.width or METER_WIDTH + 7) - len(share) - 1  # the share is never cut
        full, empty = meter(report.assimilation, max(4, min(METER_WIDTH, room)))
        box.update(
            Content.assemble(
                (_("Assimilation"), "bold"),
                "\n",
                (full, "$error"),
                (empty, "dim"),
                " ",
                (share, "bold"),
            )
        )
