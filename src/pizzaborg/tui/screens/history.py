"""History: every decision so far, month by month."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...engine.i18n import N_, _, ngettext
from ...engine.text import clean
from ...play.meaning import choice_text
from ...play.render import fmt_delta, scene_label
from ..lang import localise_bindings


def month_starts(game) -> dict:
    """{round id: what that month's start changed (drift, the month's own effects)}: the month-start
    entries of the engine's series of numbers (``game.history``), never recomputed here."""
    return {e.round_id: e.changes for e in game.history if e.kind == "month_start" and e.changes}


def _moved(game, deltas: dict) -> str:
    return ", ".join(f"{clean(game.story.kpis[k].name)} {fmt_delta(v)}" for k, v in deltas.items())


def history_content(game) -> Content:
    if not game.decisions:
        return Content(_("No decisions yet."))
    parts: list[str | Content | tuple[str, str]] = []
    month = None
    starts = month_starts(game)
    for i, d in enumerate(game.decisions, start=1):
        rnd = game.story.rounds[d.round_id]
        if rnd.id != month:
            month = rnd.id
            parts.append((("\n" if parts else "") + clean(rnd.title) + "\n", "bold $accent"))
            if rnd.id in starts:
                parts += ["     " + _("As the month began: "), (f"[{_moved(game, starts[rnd.id])}]", "dim"), "\n"]
        moved = _moved(game, d.deltas) or _("no change")
        parts += [
            f"{i:>3}. ",
            (scene_label(game, d.scene), "bold"),
            f": {choice_text(game, d.scene, d.choice)} ",
            (f"[{moved}]", "dim"),
            "\n",
        ]
    if not game.over and game.round_id != month and game.round_id in starts:  # a month just begun
        rnd = game.story.rounds[game.round_id]
        parts += [
            ("\n" + clean(rnd.title) + "\n", "bold $accent"),
            "     " + _("As the month began: "),
            (f"[{_moved(game, starts[rnd.id])}]", "dim"),
            "\n",
        ]
    return Content.assemble(*parts).rstrip()


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,enter,h", "close", N_("Close"), id="history-close")]

    def __init__(self, game, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.game = game

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            n = len(self.game.decisions)
            title = ngettext("History: {n} decision", "History: {n} decisions", n).format(n=n)
            yield Static(title, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(history_content(self.game), id="history-list")
            yield Static(_("Esc closes"), classes="dialog-hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
