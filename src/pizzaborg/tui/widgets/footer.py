"""The footer of keys, kept on one line in a longer language.

Textual's footer lays its keys out in a row and scrolls out of sight what does not fit: in a language
about a third longer than English, the last keys (Help, the palette) would be cut off at 80 columns.
When the keys do not fit, this footer narrows one step at a time: Textual's compact style (less padding),
then without the palette's key (ctrl+p still opens it; the title screen and Help name it), then without
the space between keys, then without the space between a key and its words (each key stays set apart
by its colour). In English at 80 columns every key
fits, and the footer is Textual's own.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import Footer

SPARE = 1  # the last key's trailing padding (or margin) may go: no letter is lost (English's debrief at 80)


class FittingFooter(Footer):
    DEFAULT_CSS = """
    FittingFooter.-tight FooterKey {
        margin-right: 0;
    }
    /* -tightest (no space between a key and its words) is in styles/game.tcss: a component class of
       FooterKey is not reached from this widget's scoped CSS */
    """

    def watch_virtual_size(self, size: Size) -> None:
        """After each layout: narrow the footer one step while its keys are wider than the screen."""
        width = self.size.width
        if not width or size.width <= width + SPARE:
            return
        if not self.compact:
            self.compact = True
        elif self.show_command_palette:
            self.show_command_palette = False
            self.call_after_refresh(self.recompose)
        elif not self.has_class("-tight"):
            self.add_class("-tight")
        elif not self.has_class("-tightest"):
            self.add_class("-tightest")
            self.call_after_refresh(self.recompose)  # the keys measure their words' padding when made
