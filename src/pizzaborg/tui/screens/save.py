"""Save the game in a named slot; asks before overwriting another game's save."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...engine import saves as S
from ...engine.i18n import N_, _
from ...engine.text import clean
from ..lang import localise_bindings
from .confirm import ConfirmScreen
from .slots import slot_line


class SaveScreen(ModalScreen[str | None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="save-cancel")]

    def __init__(self, slots: list, current: str | None, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.slots = [i for i in slots if i.slot != S.AUTOSAVE]
        self.by_name = {i.slot: i for i in slots}
        self.current = current if current and current != S.AUTOSAVE else None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide save"):
            yield Static(_("Save the game"), classes="dialog-title", markup=False)
            yield Input(
                value=self.current or "save1", placeholder=_("a name for this save"), id="save-name", max_length=64
            )
            yield Static("", id="save-error", markup=False)
            if self.slots:
                yield Static(
                    _("Existing saves (Tab, then Enter to reuse a name):"), classes="dialog-hint", markup=False
                )
                yield OptionList(
                    *(Option(slot_line(i), id=f"slot-{n}") for n, i in enumerate(self.slots)), id="save-slots"
                )
            yield Static(_("Enter saves · Esc cancels"), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        box = self.query_one("#save-name", Input)
        box.cursor_blink = not self.app.is_headless
        box.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        box = self.query_one("#save-name", Input)
        box.value = self.slots[event.option_index].slot
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        error = self.query_one("#save-error", Static)
        try:
            S.check_slot(name)
        except S.SaveError as exc:
            error.update(clean(str(exc)))
            return
        if name == S.AUTOSAVE:
            error.update(_("'autosave' is written after every decision; choose another name."))
            return
        info = self.by_name.get(name)
        if info is not None and not info.readable:
            error.update(
                _("'{name}' is a file this game cannot read; it is left alone. Choose another name.").format(
                    name=clean(name)
                )
            )
            return
        if info is not None and name != self.current:

            def answered(yes: bool | None) -> None:
                if yes:
                    self.dismiss(name)

            self.app.push_screen(
                ConfirmScreen(
                    _("'{name}' already holds a saved game. Overwrite it?").format(name=name),
                    _("Overwrite"),
                    _("Keep it"),
                ),
                answered,
            )
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
