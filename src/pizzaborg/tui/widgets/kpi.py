"""One KPI on the dashboard: name, value, its trend over the game and the last decision's change."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...engine.text import clean
from ...render import fmt_delta, fmt_num
from ..analysis import is_good
from ..text import delta_style
from .sparkline import spark

WIDTH = 26  # the dashboard's inner width
TREND_WIDTH = 12


class KpiRow(Static):
    """Shows one KPI; the screen passes the values down with ``show``."""

    def show(self, kpi, history: list, delta: float | None) -> None:
        value = history[-1] if history else kpi.start
        name = clean(kpi.name)
        change = fmt_delta(delta) if delta else ""
        name = name[: WIDTH - len(change) - 1]
        line1 = [(name, "bold"), " " * (WIDTH - len(name) - len(change))]
        if change:
            line1.append((change, delta_style(is_good(kpi, delta))))
        amount = fmt_num(value) + (f" {clean(kpi.unit)}" if kpi.unit else "")
        trend = spark(history, TREND_WIDTH)
        gap = max(1, WIDTH - len(amount) - len(trend))
        self.update(Content.assemble(*line1, "\n", (amount, "bold"), " " * gap, (trend, "$secondary")))
        self.tooltip = clean(kpi.description or kpi.name)
