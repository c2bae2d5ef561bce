"""History: every decision so far, month by month."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...engine.text import clean
from ...play.meaning import choice_text
from ...play.render import fmt_delta, scene_label


def history_content(game) -> Content:
    if not game.decisions:
        return Content("No decisions yet.")
    parts: list[str | Content | tuple[str, str]] = []
    month = None
    for i, d in enumerate(game.decisions, start=1):
        rnd = game.story.rounds[d.round_id]
        if rnd.id != month:
            month = rnd.id
            parts.append((("\n" if parts else "") + clean(rnd.title) + "\n", "bold $accent"))
        moved = (
            ", ".join(f"{clean(game.story.kpis[k].name)} {fmt_delta(v)}" for k, v in d.deltas.items()) or "no change"
        )
        parts += [
            f"{i:>3}. ",
            (scene_label(game, d.scene), "bold"),
            f": {choice_text(game, d.scene, d.choice)} ",
            (f"[{moved}]", "dim"),
            "\n",
        ]
    return Content.assemble(*parts).rstrip()


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,enter,h", "close", "Close", id="history-close")]

    def __init__(self, game, **kwargs):
        super().__init__(**kwargs)
        self.game = game

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            n = len(self.game.decisions)
            yield Static(f"History: {n} decision{'' if n == 1 else 's'}", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(history_content(self.game), id="history-list")
            yield Static("Esc closes", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
