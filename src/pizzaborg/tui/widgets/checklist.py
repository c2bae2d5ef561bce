"""A checklist of long options: each option wraps over as many lines as it needs (Textual's
SelectionList draws one line per option and cuts the rest, often the cost), and a ticked option says
so in text, "[x]", not only by colour. Space or Enter toggles the highlighted option; the screen
toggles by number with ``toggle``. Posts ``Changed`` up when the ticks change."""

from __future__ import annotations

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class Checklist(OptionList):
    class Changed(Message):
        """The ticks changed."""

    def __init__(self, items: list, ticked: set | None = None, **kwargs):
        """``items``: (id, prompt Content, enabled) triples, in the order shown."""
        self._items = list(items)
        self._ticked = {i for i, _prompt, ok in self._items if ok and i in (ticked or set())}
        super().__init__(*(Option(self._prompt(i, p), id=i, disabled=not ok) for i, p, ok in self._items), **kwargs)

    def _prompt(self, ident: str, prompt: Content) -> Content:
        mark = "[x] " if ident in self._ticked else "[ ] "
        return Content.assemble((mark, "bold $success" if ident in self._ticked else ""), prompt)

    @property
    def selected(self) -> list:
        """The ids ticked, in the order shown."""
        return [i for i, _prompt, _ok in self._items if i in self._ticked]

    def toggle(self, ident: str) -> bool:
        """Tick or untick ``ident``; False (and nothing changes) when it cannot be ticked."""
        for index, (i, prompt, ok) in enumerate(self._items):
            if i == ident:
                if not ok:
                    return False
                self._ticked ^= {i}
                self.replace_option_prompt_at_index(index, self._prompt(i, prompt))
                self.highlighted = index
                self.post_message(self.Changed())
                return True
        return False

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.toggle(event.option.id)

    def key_space(self) -> None:
        self.action_select()
