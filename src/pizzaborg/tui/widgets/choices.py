"""The numbered choices: number keys, arrows and Enter, or the mouse. Posts ``Chosen`` up."""

from __future__ import annotations

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..text import shown


class ChoiceList(OptionList):
    class Chosen(Message):
        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def set_choices(self, choices, markup: bool = False) -> None:
        self.clear_options()
        self.add_options(
            Option(Content.assemble((f"{c.n}. ", "bold $accent"), shown(c.text, markup)), id=f"choice-{c.n}")
            for c in choices
        )
        if choices:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(event.option_index + 1))
