"""The terminal game in the language in use: Textual's pieces that hold words written at import time.

Textual reads a binding's description from the node's own copy of its class's BINDINGS each time the
footer is drawn, and BINDINGS are written when the module is imported, before any language is chosen.
So each screen marks its words with ``N_`` and calls :func:`localise_bindings` once it is built: the
copy then carries the words in the language in use. The command palette's system commands and its
placeholder are translated here too (Textual's own words, which we cannot mark, are listed in
``docs/l10n.md``, "What Textual does not let us translate").
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import SystemCommand
from textual.dom import DOMNode
from textual.markup import escape

from ..engine.i18n import N_, _

#: Textual's own words that it lets us replace: marked here so that the catalogues carry them.
TEXTUAL_WORDS = (
    N_("Theme"),
    N_("Change the current theme"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
    N_("palette"),
    N_("Open the command palette"),
)
PALETTE_PLACEHOLDER = N_("Search for commands…")
THEMES_PLACEHOLDER = N_("Search for themes…")


def localise_bindings(node: DOMNode) -> None:
    """Give ``node`` its bindings with the descriptions and tooltips in the language in use (the class's
    BINDINGS stay as written: another screen or another language translates them again)."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            replace(b, description=_(b.description) if b.description else "", tooltip=_(b.tooltip) if b.tooltip else "")
            for b in bindings
        ]


# Textual's system commands the game leaves out of its palette (ours Quit autosaves; Keys squeezes the game;
# Maximize of a widget), known by the method they call: their titles differ between Textual versions
# ("Quit" in 8, "Quit the application" in 6)
LEFT_OUT = ("action_quit", "action_show_help_panel", "action_hide_help_panel", "action_maximize", "action_minimize")


def left_out(cmd: SystemCommand) -> bool:
    return getattr(cmd.callback, "__name__", "") in LEFT_OUT or cmd.title in ("Quit", "Keys", "Maximize", "Minimize")


def localise_system_command(cmd: SystemCommand) -> SystemCommand:
    """One of Textual's system commands (Theme, Screenshot) with its title and help in the language in use.
    Known by what it does, not by its English title, which differs between Textual versions ("Change theme"
    and "Save screenshot" in 6, "Theme" and "Screenshot" in 8); another keeps Textual's words."""
    if getattr(cmd.callback, "__name__", "") == "action_change_theme":
        return command(_("Theme"), _("Change the current theme"), cmd.callback, cmd.discover)
    if "screenshot" in cmd.title.lower():
        return command(_("Screenshot"), _("Save an SVG 'screenshot' of the current screen"), cmd.callback, cmd.discover)
    return command(_(cmd.title), _(cmd.help), cmd.callback, cmd.discover)


def command(title: str, help_text: str, callback, discover: bool = True) -> SystemCommand:
    """A palette command; the palette reads the help as markup, so words (a translation with a "[" in
    it) are escaped: they show as written."""
    return SystemCommand(title, escape(help_text), callback, discover)
