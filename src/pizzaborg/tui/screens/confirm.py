"""A yes/no question (quit, overwrite a save)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ...engine.i18n import N_, _
from ..lang import localise_bindings
from ..text import shown


class ConfirmScreen(ModalScreen[bool]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes"), id="confirm-yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm-no"),
    ]

    def __init__(self, question: str, yes: str | None = None, no: str | None = None, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.question = question
        self.yes, self.no = yes or _("Yes"), no or _("No")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm"):
            yield Static(shown(self.question), classes="question")
            with Horizontal(classes="buttons"):
                yield Button(Content(f"{self.yes} (y)"), id="yes", variant="primary", compact=True)
                yield Button(Content(f"{self.no} (n)"), id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
