"""Settings: the language of the game. Dismisses with the language tag picked, or None (Esc).

Each language is named in its own words (a learner who cannot read the current language still finds
theirs). The app writes the choice to the player's settings (``language``) and uses it from then on.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...engine.i18n import N_, _, current
from ..lang import localise_bindings

#: Each language named in its own words (issue 21: nl, sv, nb, es-419, fr); another shows as its tag.
NAMES: dict[str, str] = {
    "en": "English",
    "nl": "Nederlands",
    "sv": "Svenska",
    "nb": "Norsk bokmål",
    "es-419": "Español (Latinoamérica)",
    "fr": "Français",
}


def languages(story_root: str | None = None) -> tuple[tuple[str, str], ...]:
    """(tag, name) for each language the game has (the interface's catalogues and the story's
    translations; not the pseudo-locale), English first, the rest in the order of NAMES, then by tag."""
    from ...engine import i18n
    from ...play.language import story_languages

    have = (set(i18n.available()) | set(story_languages(story_root))) - {i18n.PSEUDO}
    order = {tag: n for n, tag in enumerate(NAMES)}
    tags = sorted(have | {i18n.SOURCE_LANGUAGE}, key=lambda t: (order.get(t, len(order)), t))
    return tuple((tag, NAMES.get(tag, tag)) for tag in tags)


class SettingsScreen(ModalScreen[str | None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="settings-cancel")]

    def __init__(self, choices: tuple[tuple[str, str], ...], **kwargs) -> None:
        """``choices``: (tag, name) pairs (:func:`languages`)."""
        super().__init__(**kwargs)
        localise_bindings(self)
        self.languages = choices

    def compose(self) -> ComposeResult:
        now = current().replace("_", "-")
        with Vertical(classes="dialog settings"):
            yield Static(_("Settings"), classes="dialog-title", markup=False)
            yield Static(_("Language of the game"), classes="heading", markup=False)
            yield OptionList(
                *(
                    Option(Content.assemble(("• " if tag == now else "  ", "bold $accent"), name), id=f"lang-{tag}")
                    for tag, name in self.languages
                ),
                id="settings-language",
            )
            yield Static(_("↑/↓ and Enter choose · Esc cancels"), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        menu = self.query_one("#settings-language", OptionList)
        tags = [tag for tag, _name in self.languages]
        now = current().replace("_", "-")
        menu.highlighted = tags.index(now) if now in tags else 0
        menu.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(event.option.id.removeprefix("lang-"))

    def action_cancel(self) -> None:
        self.dismiss(None)
