"""Help: the keys, and what each number on the screen means."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...engine.i18n import N_, _
from ...engine.text import clean
from ...play.render import KEYS as KEYS_BOTH_FACES
from ...play.render import fmt_num
from ..lang import localise_bindings

# One set of keys for both faces (render.KEYS), with the keys only the terminal UI has.
KEYS = tuple((key, what) for key, what, where in KEYS_BOTH_FACES if where != "plain")


HOW_TO_PLAY = N_(
    "You are the new CIO. Each month brings scenes: the business, your own IT people or events ask "
    "something of you, and you pick one of the numbered choices. After each choice you see what the "
    "Collective (the Borg voice) thinks of it, a plain learning note, and how the company's numbers "
    "moved. Each month ends with a scoreboard and a question to reflect on; the game ends with a "
    "debrief of what you did and what to try at work. Nothing is lost: every decision is autosaved, "
    "and u takes any decision back."
)


#: The numbers that are not the story's own, each a term and what it means (one line each: the dialog
#: wraps it to its width, 80x24 too).
NUMBER_WORDS = (
    (
        N_("Trend"),
        N_(
            "the small chart beside each number: its value after every decision so far, on the "
            "number's whole range (the same all game)."
        ),
    ),
    (
        N_("Coloured change"),
        N_(
            "what your last decision did to it: red is bad for the business; good news has a colour "
            "of its own (blue in the Borg theme, green in the plain ones)."
        ),
    ),
    (
        N_("Score (first answers)"),
        N_(
            "0–100: how close your decisions came to the best practice the workshop teaches, over every "
            "learning point at stake so far. It counts the first answer you gave at each decision: undo is "
            "recorded, and a changed answer does not change it."
        ),
    ),
    (
        N_("Assimilation"),
        N_(
            "0–100 %: how often you took the tempting worst practice when one was offered. The Collective "
            "loves it; the business does not."
        ),
    ),
    (N_("Month"), N_("the round you are in; each month ends with a scoreboard and a reflection question.")),
)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,enter,space,question_mark", "close", N_("Close"), id="help-close")]

    def __init__(self, story, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.story = story

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(_("How to play"), classes="dialog-title", markup=False)
            with VerticalScroll(classes="dialog-body"):
                yield Static(_(HOW_TO_PLAY) + "\n", id="help-how", markup=False)
                yield Static(self._keys(), id="help-keys")
                yield Static(self._numbers(), id="help-numbers")
            yield Static(_("Esc or Enter closes"), classes="dialog-hint", markup=False)

    def _keys(self) -> Content:
        parts: list[str | Content | tuple[str, str]] = [("\n" + _("Keys") + "\n", "bold $accent")]
        for key, what in KEYS:
            parts += [(f"  {key:<14}", "bold"), f"{_(what)}\n"]
        return Content.assemble(*parts)

    def _numbers(self) -> Content:
        parts: list[str | Content | tuple[str, str]] = [("\n" + _("What the numbers mean") + "\n", "bold $accent")]
        for kpi in self.story.kpis.values():
            unit = f" {clean(kpi.unit)}" if kpi.unit else ""
            better = _("lower is better") if kpi.higher_is == "worse" else _("higher is better")
            about = _("({low}–{high}{unit}, starts at {start}; {better})").format(
                low=fmt_num(kpi.min), high=fmt_num(kpi.max), unit=unit, start=fmt_num(kpi.start), better=better
            )
            parts += [(f"  {clean(kpi.name)}", "bold"), f"  {about}\n"]
            if kpi.description:
                parts.append(f"    {clean(kpi.description)}\n")
        # one line per entry, no hard breaks inside: the dialog wraps it to its width (80x24 too)
        for term, meaning in NUMBER_WORDS:
            parts += [("  " + _(term), "bold"), "  " + _(meaning) + "\n"]
        return Content.assemble(*parts)

    def action_close(self) -> None:
        self.dismiss(None)
