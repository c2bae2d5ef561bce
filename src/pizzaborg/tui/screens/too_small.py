"""Shown over everything while the terminal is smaller than the game needs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from ...engine.i18n import _

MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmallScreen(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static(id="too-small-text", markup=False)

    def on_mount(self) -> None:
        self.show_size(self.app.size.width, self.app.size.height)

    def show_size(self, width: int, height: int) -> None:
        self.query_one("#too-small-text", Static).update(
            _("Please enlarge the terminal.")
            + "\n\n"
            + _("PizzaBorg needs at least {min_width}×{min_height}; this one is {width}×{height}.").format(
                min_width=MIN_WIDTH, min_height=MIN_HEIGHT, width=width, height=height
            )
            + "\n\n"
            + _("q quits (your game is autosaved).")
        )
