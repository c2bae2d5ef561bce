"""An introduction to read before playing on: the story's prologue at a new game, a month's intro
when the month begins."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ...engine.i18n import N_, _
from ...engine.text import clean
from ..lang import localise_bindings
from ..text import shown


class IntroScreen(ModalScreen[None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("enter,space,escape", "close", N_("Go on"), id="intro-go-on")]

    def __init__(self, title: str, sections: list, button: str | None = None, **kwargs):
        """``sections``: (heading or None, text) pairs; story text, shown escaped. ``button``: its words
        (already translated); "Begin" when not given."""
        super().__init__(**kwargs)
        localise_bindings(self)
        self.title_text = title
        self.sections = [(h, t) for h, t in sections if t or h]
        self.button = button or _("Begin")

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
            yield Button(
                Content(_("{action} (Enter)").format(action=self.button)),
                id="intro-go-on",
                variant="primary",
                compact=True,
            )

    def on_mount(self) -> None:
        # the text has the focus: PgDn, ↓ and End scroll it at once; Enter (a binding of the screen) goes on
        self.query_one(".dialog-body", VerticalScroll).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
