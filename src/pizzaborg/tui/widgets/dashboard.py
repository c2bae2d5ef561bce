"""The side dashboard: month, every KPI with its trend and last change, learning score, assimilation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ...engine.text import clean
from ...render import fmt_num
from ..analysis import kpi_history, last_deltas
from .kpi import KpiRow
from .sparkline import meter

METER_WIDTH = 14


class Dashboard(VerticalScroll, can_focus=False):
    def __init__(self, story, **kwargs):
        super().__init__(**kwargs)
        self.story = story

    def compose(self) -> ComposeResult:
        yield Static(id="dash-month")
        for kpi in self.story.kpis.values():
            yield KpiRow(id=f"kpi-{kpi.id.replace('.', '-')}", classes="kpi")
        yield Static(id="dash-score")
        yield Static(id="dash-assimilation")

    def show(self, game, round_id: str | None = None) -> None:
        """``round_id``: the month to show (the month of the feedback on the screen), else the game's."""
        rnd = game.story.rounds[round_id or game.round_id]
        months = len(game.story.rounds)
        self.query_one("#dash-month", Static).update(
            Content.assemble((f"Month {rnd.number} of {months}", "bold $accent"), "\n", clean(rnd.title))
        )
        history = kpi_history(game)
        deltas = last_deltas(game)
        for kpi in game.story.kpis.values():
            self.query_one(f"#kpi-{kpi.id.replace('.', '-')}", KpiRow).show(kpi, history[kpi.id], deltas.get(kpi.id))
        report = game.report()
        score = fmt_num(report.overall) if report.overall is not None else "–"
        self.query_one("#dash-score", Static).update(
            Content.assemble(("Learning score", "bold"), "\n", (score, "bold"), " / 100")
        )
        share = f"{fmt_num(report.assimilation)} %"
        box = self.query_one("#dash-assimilation", Static)
        room = (box.content_size.width or METER_WIDTH + 7) - len(share) - 1  # the share is never cut
        full, empty = meter(report.assimilation, max(4, min(METER_WIDTH, room)))
        box.update(
            Content.assemble(
                ("Assimilation", "bold"),
                "\n",
                (full, "$error"),
                (empty, "dim"),
                " ",
                (share, "bold"),
            )
        )
