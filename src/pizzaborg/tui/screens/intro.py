"""An introduction to read before playing on: the story's prologue at a new game, a month's intro
when the month begins."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ...engine.text import clean
from ..text import shown


class IntroScreen(ModalScreen[None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("enter,space,escape", "close", "Go on", id="intro-go-on")]

    def __init__(self, title: str, sections: list, button: str = "Begin", **kwargs):
        """``sections``: (heading or None, text) pairs; story text, shown escaped."""
        super().__init__(**kwargs)
        self.title_text = title
        self.sections = [(h, t) for h, t in sections if t or h]
        self.button = button

    def compose(self) -> ComposeResult:
        parts: list[str | Content | tuple[str, str]] = []
        for heading, text in self.sections:
            if parts:
                parts.append("\n\n")
            if heading:
                parts += [(clean(heading), "bold $accent"), "\n"]
            parts.append(shown(text))
        with Vertical(classes="dialog wide intro"):
            yield Static(clean(self.title_text), classes="dialog-title", markup=False)
            with VerticalScroll(classes="dialog-body"):
                yield Static(Content.assemble(*parts), id="intro-text")
            yield Button(f"{self.button} (Enter)", id="intro-go-on", variant="primary", compact=True)

    def on_mount(self) -> None:
        # the text has the focus: PgDn, ↓ and End scroll it at once; Enter (a binding of the screen) goes on
        self.query_one(".dialog-body", VerticalScroll).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
