"""The numbered choices: number keys (bound on the game screen), ↑/↓ and Enter, or the mouse.

A fixed set of nine one-choice lines that are filled and shown as needed: nothing is mounted or
removed between scenes, and the height is known in the same layout pass, so a choice is drawn in one
frame. Posts ``Chosen`` (a choice) or ``GoOn`` (Enter on the feedback's "Continue") up.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from ...engine.i18n import N_, _
from ...engine.text import clean
from ...play.render import amount
from ..lang import localise_bindings
from ..text import shown

MAX_CHOICES = 9


class ChoiceItem(Static):
    def __init__(self, index: int, **kwargs):
        super().__init__(**kwargs)
        self.index = index

    def on_click(self, event: Click) -> None:
        event.stop()
        parent = self.parent
        if isinstance(parent, ChoiceList):
            parent.pick(self.index)


class ChoiceList(Vertical, can_focus=True):
    BINDINGS = [
        Binding("up", "move(-1)", N_("Previous choice"), show=False, id="choice-up"),
        Binding("down", "move(1)", N_("Next choice"), show=False, id="choice-down"),
        Binding("enter", "select", N_("Choose"), show=False, id="choice-select"),
    ]

    class Chosen(Message):
        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    class GoOn(Message):
        """The player goes on from the feedback (Enter or a click on "Continue")."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.feedback = False
        self.count = 0
        self.highlighted = 0
        self.texts: list = []  # the plain text of each line shown, for tests and screen readers

    def compose(self) -> ComposeResult:
        for i in range(MAX_CHOICES):
            yield ChoiceItem(i, classes="choice")

    def _fill(self, lines: list) -> None:
        self.count = len(lines)
        self.texts = [str(line) for line in lines]
        for i, item in enumerate(self.query(ChoiceItem)):
            if i < self.count:
                item.update(lines[i])
                item.display = True
            else:
                item.display = False
        self.highlighted = 0
        self._highlight()

    def set_choices(self, choices, markup: bool = False, unit: str = "") -> None:
        """The engine's ChoiceViews; ``unit`` names the story's capacity, for what a choice costs. A
        choice the capacity cannot pay for is dimmed, with the reason."""
        self.feedback = False
        lines = []
        for c in choices[:MAX_CHOICES]:
            parts = [(f"{c.n}. ", "bold $accent"), shown(c.text, markup) if c.available else (clean(c.text), "dim")]
            if unit and c.cost:
                parts.append((f"  ({amount(c.cost, unit)})", "dim"))
            if not c.available:
                parts.append(("  " + _("not available: {reason}").format(reason=clean(c.reason)), "dim italic"))
            lines.append(Content.assemble(*parts))
        self._fill(lines)

    def set_continue(self) -> None:
        """One line, to go on after the feedback."""
        self.feedback = True
        self._fill([Content.assemble(("⏎ ", "bold $accent"), _("Continue (Enter)"))])

    def _highlight(self) -> None:
        for i, item in enumerate(self.query(ChoiceItem)):
            lit = i == self.highlighted and i < self.count
            item.set_class(lit, "-highlighted")
            if lit:  # the list scrolls when the choices are taller than its share of the column
                self.call_after_refresh(self.scroll_to_widget, item, animate=False)

    def action_move(self, step: int) -> None:
        if self.count:
            self.highlighted = (self.highlighted + step) % self.count
            self._highlight()

    def action_select(self) -> None:
        if self.count:
            self.pick(self.highlighted)

    def pick(self, index: int) -> None:
        if index >= self.count:
            return
        self.highlighted = index
        self._highlight()
        self.post_message(self.GoOn() if self.feedback else self.Chosen(index + 1))
