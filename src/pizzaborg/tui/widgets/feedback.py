"""Feedback after a choice, shown in place of the scene: the choice, the Collective's line, the
learning note and the KPI changes. The game screen passes them down with ``show``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ...engine.i18n import _
from ...engine.text import clean
from ...play.meaning import is_good
from ...play.render import fmt_delta, fmt_num
from ..text import delta_style, shown


def kpi_changes(game, deltas: dict, values: dict | None = None) -> Content:
    """The changes, each with its value right after the decision (``values``: the outcome's ``after``)."""
    values = values or game.kpis
    if not deltas:
        return Content.styled(_("No number moved."), "italic")
    parts: list[str | Content | tuple[str, str]] = []
    width = max(len(clean(game.story.kpis[k].name)) for k in deltas)
    for k, d in deltas.items():
        kpi = game.story.kpis[k]
        unit = f" {clean(kpi.unit)}" if kpi.unit else ""
        parts += [
            f"  {clean(kpi.name):<{width}}  ",
            (f"{fmt_delta(d):>7}", delta_style(is_good(kpi, d))),
            "   " + _("now {value}").format(value=f"{fmt_num(values[k])}{unit}") + "\n",
        ]
    return Content.assemble(*parts).rstrip()


class FeedbackPanel(Vertical):
    """The last outcome's feedback, in place of the scene text."""

    def compose(self) -> ComposeResult:
        yield Static(id="fb-choice")
        yield Static(_("The Collective"), id="fb-borg-heading", classes="heading borg-heading", markup=False)
        yield Static(id="fb-borg", classes="borg")
        yield Static(_("Learning note"), id="fb-note-heading", classes="heading", markup=False)
        yield Static(id="fb-note", classes="note")
        yield Static(_("The numbers"), classes="heading", markup=False)
        yield Static(id="fb-numbers")

    def show(self, game, outcome, markup: bool = False) -> None:
        self.query_one("#fb-choice", Static).update(
            Content.assemble((_("You chose: "), "bold $accent"), shown(outcome.choice_text, markup))
        )
        for part, text in (("borg", outcome.borg), ("note", outcome.note)):
            self.query_one(f"#fb-{part}", Static).update(shown(text, markup))
            self.query_one(f"#fb-{part}", Static).display = bool(text)
            self.query_one(f"#fb-{part}-heading", Static).display = bool(text)
        self.query_one("#fb-numbers", Static).update(kpi_changes(game, outcome.deltas, outcome.after))
