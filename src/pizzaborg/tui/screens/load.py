"""Load a saved game: the slots with date, month and score; unreadable files listed, not fatal."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...engine.i18n import N_, _
from ...engine.text import clean
from ..lang import localise_bindings
from .slots import slot_line


class LoadScreen(ModalScreen[str | None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="load-cancel")]

    def __init__(self, slots: list, folder, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.slots = slots
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide load"):
            yield Static(_("Load a saved game"), classes="dialog-title", markup=False)
            yield Static(
                _("Saves in {folder}").format(folder=clean(str(self.folder))), classes="dialog-hint", markup=False
            )
            if self.slots:
                yield OptionList(
                    *(Option(slot_line(i), id=f"slot-{n}", disabled=not i.readable) for n, i in enumerate(self.slots)),
                    id="load-slots",
                )
            else:
                yield Static(_("No saved games yet."), id="load-empty", markup=False)
            yield Static(_("↑/↓ and Enter load · Esc cancels"), classes="dialog-hint", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        info = self.slots[event.option_index]
        if info.readable:
            self.dismiss(info.slot)

    def action_cancel(self) -> None:
        self.dismiss(None)
