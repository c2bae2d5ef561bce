"""Feedback after a choice: the Collective's line, the learning note and the KPI changes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ...engine.text import clean
from ...render import fmt_delta, fmt_num
from ..analysis import is_good
from ..text import delta_style, shown


def kpi_changes(game, deltas: dict) -> Content:
    if not deltas:
        return Content.styled("No number moved.", "italic")
    parts = []
    width = max(len(clean(game.story.kpis[k].name)) for k in deltas)
    for k, d in deltas.items():
        kpi = game.story.kpis[k]
        unit = f" {clean(kpi.unit)}" if kpi.unit else ""
        parts += [
            f"{clean(kpi.name):<{width}}  ",
            (f"{fmt_delta(d):>7}", delta_style(is_good(kpi, d))),
            f"   now {fmt_num(game.kpis[k])}{unit}\n",
        ]
    return Content.assemble(*parts).rstrip()


class FeedbackScreen(ModalScreen[None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("enter,space,escape", "close", "Continue", id="feedback-continue")]

    def __init__(self, game, outcome, markup: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.game = game
        self.outcome = outcome
        self.markup = markup

    def compose(self) -> ComposeResult:
        o = self.outcome
        with Vertical(classes="dialog feedback"):
            yield Static(Content.assemble(("You chose: ", "bold $accent"), shown(o.choice_text, self.markup)), id="fb-choice")
            with VerticalScroll(classes="dialog-body"):
                if o.borg:
                    yield Static("The Collective", classes="heading borg-heading")
                    yield Static(shown(o.borg, self.markup), id="fb-borg", classes="borg")
                if o.note:
                    yield Static("Learning note", classes="heading")
                    yield Static(shown(o.note, self.markup), id="fb-note", classes="note")
                yield Static("The numbers", classes="heading")
                yield Static(kpi_changes(self.game, o.deltas), id="fb-numbers")
            yield Button("Continue (Enter)", id="fb-continue", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#fb-continue", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
