"""One KPI on the dashboard: name, value, its trend over the game and the last decision's change."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...engine.text import clean
from ...play.meaning import is_good
from ...play.render import fmt_delta, fmt_num
from ..text import delta_style
from .sparkline import spark

DEFAULT_WIDTH = 26  # the dashboard's inner width before the first layout
MAX_TREND = 12
AMOUNT_WIDTH = 12  # room for the value and its unit ("900 k€/month"): every trend starts in the same column


class KpiRow(Static):
    """Shows one KPI; the screen passes the values down with ``show``. Re-drawn to fit on resize."""

    _shown: tuple | None = None

    def show(self, kpi, history: list, delta: float | None) -> None:
        self._shown = (kpi, history, delta)
        width = self.content_size.width or DEFAULT_WIDTH
        value = history[-1] if history else kpi.start
        change = fmt_delta(delta) if delta else ""
        name = clean(kpi.name)
        amount = fmt_num(value) + (f" {clean(kpi.unit)}" if kpi.unit else "")
        # the change goes after the name when both fit, else after the value: a name is never cut for it
        late = bool(change) and len(name) + 1 + len(change) > width
        name = name[:width]
        line1: list[str | Content | tuple[str, str]] = [(name, "bold")]
        if change and not late:
            line1 += [" " * (width - len(name) - len(change)), (change, delta_style(is_good(kpi, delta or 0.0)))]
        line2: list[str | Content | tuple[str, str]] = [(amount, "bold")]
        used = len(amount)
        if late:
            line2 += [" ", (change, delta_style(is_good(kpi, delta or 0.0)))]
            used += 1 + len(change)
        trend = spark(history, max(0, min(MAX_TREND, width - max(used, AMOUNT_WIDTH) - 1)), kpi.min, kpi.max)
        gap = max(1, width - used - len(trend)) if trend else 0
        self.update(Content.assemble(*line1, "\n", *line2, " " * gap, (trend, "$secondary")))
        self.tooltip = Content(clean(kpi.description or kpi.name))

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)
