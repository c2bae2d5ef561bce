"""The title screen: new game, continue the latest autosave, load, how to play, quit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.text import clean
from ...render import fmt_num

BANNER = r"""
 ___ _              ___
| _ (_)_________ _ | _ ) ___ _ _ __ _
|  _/ |_ /_ / _` || _ \/ _ \ '_/ _` |
|_| |_/__/__\__,_||___/\___/_| \__, |
                                |___/
""".strip("\n")

TAGLINE = "We are IT. Your business will be assimilated. Resistance is futile."


class TitleScreen(Screen):
    class MenuChosen(Message):
        """The player picked a menu entry: new, continue, load, help or quit."""

        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    BINDINGS = [
        Binding("n", "menu('new')", "New game", id="title-new"),
        Binding("c", "menu('continue')", "Continue", id="title-continue"),
        Binding("l", "menu('load')", "Load", id="title-load"),
        Binding("h", "menu('help')", "How to play", id="title-help"),
    ]

    def __init__(self, story, latest=None, **kwargs):
        super().__init__(**kwargs)
        self.story = story
        self.latest = latest  # SlotInfo of the newest autosave, or None

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            yield Static(BANNER, id="banner", markup=False)
            yield Static(clean(self.story.title), id="story-title", markup=False)
            yield Static(TAGLINE, id="tagline", markup=False)
            with Center():
                yield OptionList(*self._options(), id="title-menu")
        yield Footer()

    def _options(self):
        yield Option(Content.assemble(("n", "bold $accent"), "  New game"), id="new")
        if self.latest is not None:
            sm = self.latest.save.summary
            when = (self.latest.save.updated or "")[:16].replace("T", " ")
            where = f"ended: {sm.get('ending')}" if sm.get("over") else f"month {sm.get('round', '?')}"
            score = sm.get("score")
            score_s = f", score {fmt_num(score)}" if isinstance(score, (int, float)) and not isinstance(score, bool) else ""
            label = f"  Continue ({where}{score_s}, saved {when})"
            yield Option(Content.assemble(("c", "bold $accent"), label), id="continue")
        else:
            yield Option(Content.assemble(("c", "bold"), "  Continue (no autosave yet)"), id="continue", disabled=True)
        yield Option(Content.assemble(("l", "bold $accent"), "  Load a saved game"), id="load")
        yield Option(Content.assemble(("h", "bold $accent"), "  How to play"), id="help")
        yield Option(Content.assemble(("q", "bold $accent"), "  Quit"), id="quit")

    def on_mount(self) -> None:
        self.query_one("#title-menu", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_menu(event.option.id)

    def action_menu(self, what: str) -> None:
        if what == "continue" and self.latest is None:
            self.notify("There is no autosave to continue yet: start a new game.", severity="warning")
            return
        self.post_message(self.MenuChosen(what))
