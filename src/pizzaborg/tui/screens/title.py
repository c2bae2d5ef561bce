"""The title screen: new game, continue the latest autosave, load, how to play, quit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...engine.i18n import N_, _
from ...engine.text import clean
from ..lang import localise_bindings

BANNER = r"""
 ___ _              ___
| _ (_)_________ _ | _ ) ___ _ _ __ _
|  _/ |_ /_ / _` || _ \/ _ \ '_/ _` |
|_| |_/__/__\__,_||___/\___/_| \__, |
                                |___/
""".strip("\n")

TAGLINE = N_("We are IT. Your business will be assimilated. Resistance is futile.")


class TitleScreen(Screen):
    class MenuChosen(Message):
        """The player picked a menu entry: new, continue, load, help or quit."""

        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    BINDINGS = [
        Binding("n", "menu('new')", N_("New game"), id="title-new"),
        Binding("c", "menu('continue')", N_("Continue"), id="title-continue"),
        Binding("l", "menu('load')", N_("Load"), id="title-load"),
        Binding("h", "menu('help')", N_("How to play"), id="title-help"),
    ]

    def __init__(self, story, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.story = story
        self.latest = None  # SlotInfo of the newest autosave, once looked up
        self.looked = False

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            with Center():
                yield Static(BANNER, id="banner", markup=False)
            yield Static(clean(self.story.title) if self.story else "", id="story-title", markup=False)
            yield Static(_(TAGLINE), id="tagline", markup=False)
            with Center():
                yield OptionList(*self._options(), id="title-menu")
            yield Static(
                _("↑/↓ and Enter, a letter, or the mouse · ? help · ctrl+p commands"), id="title-keys", markup=False
            )

    def _options(self):
        yield Option(Content.assemble(("n", "bold $accent"), "  " + _("New game")), id="new")
        yield self._continue_option()
        yield Option(Content.assemble(("l", "bold $accent"), "  " + _("Load a saved game")), id="load")
        yield Option(Content.assemble(("h", "bold $accent"), "  " + _("How to play")), id="help")
        yield Option(Content.assemble(("q", "bold $accent"), "  " + _("Quit")), id="quit")

    def _continue_option(self) -> Option:
        if not self.looked:
            return Option(Content.assemble(("c", "bold"), "  " + _("Continue")), id="continue", disabled=True)
        if self.latest is not None:
            sm = self.latest.save.summary
            when = (self.latest.save.updated or "")[:16].replace("T", " ")
            where = (
                _("ended: {ending}").format(ending=sm.get("ending"))
                if sm.get("over")
                else _("month {n}").format(n=sm.get("round", "?"))
            )
            from ...play.render import fmt_num

            score = sm.get("score")
            if isinstance(score, (int, float)) and not isinstance(score, bool):
                label = _("Continue ({where}, score {score}, {when})").format(
                    where=where, score=fmt_num(score), when=when
                )
            else:
                label = _("Continue ({where}, {when})").format(where=where, when=when)
            return Option(Content.assemble(("c", "bold $accent"), "  " + label), id="continue")
        label = _("Continue (no autosave yet)")
        return Option(Content.assemble(("c", "bold"), "  " + label), id="continue", disabled=True)

    def show_story(self, story) -> None:
        self.story = story
        self.query_one("#story-title", Static).update(clean(story.title))

    def show_latest(self, latest) -> None:
        """The newest autosave to continue (or None), found once the title is on the screen."""
        self.latest = latest
        self.looked = True
        menu = self.query_one("#title-menu", OptionList)
        highlighted = menu.highlighted
        menu.replace_option_prompt("continue", self._continue_option().prompt)
        if latest is None:
            menu.disable_option("continue")
        else:
            menu.enable_option("continue")
        menu.highlighted = highlighted

    def on_mount(self) -> None:
        self.query_one("#title-menu", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.action_menu(event.option.id)

    def action_menu(self, what: str) -> None:
        if what == "continue" and self.latest is None:
            if self.looked:
                self.notify(
                    _("There is no autosave to continue yet: start a new game."), severity="warning", markup=False
                )
            return
        self.post_message(self.MenuChosen(what))
