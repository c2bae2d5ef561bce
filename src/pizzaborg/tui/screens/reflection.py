"""The end of a month: the scoreboard, the month's decisions, the reflection question."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...engine.i18n import N_, _
from ...engine.text import clean
from ...play.meaning import choice_text, is_good
from ...play.render import fmt_delta, fmt_num, scene_label
from ..lang import localise_bindings
from ..text import delta_style


def scoreboard(game, summary) -> Content:
    width = max(len(clean(k.name)) for k in game.story.kpis.values())
    parts: list[str | Content | tuple[str, str]] = []
    for kpi in game.story.kpis.values():
        a, b = summary.kpi_start[kpi.id], summary.kpi_end[kpi.id]
        unit = f" {clean(kpi.unit)}" if kpi.unit else ""
        d = round(b - a, 6)
        parts += [f"{clean(kpi.name):<{width}}  {fmt_num(a):>7} → ", (f"{fmt_num(b):>7}", "bold"), f"{unit:<10} "]
        parts.append((f"{fmt_delta(d):>6}", delta_style(is_good(kpi, d))) if d else f"{'±0':>6}")
        parts.append("\n")
    return Content.assemble(*parts).rstrip()


def month_decisions(game, summary) -> Content:
    parts: list[str | Content | tuple[str, str]] = []
    for d in summary.decisions:
        scene = game.story.scenes[d.scene]
        choice = scene.choice(d.choice)
        if choice is not None and choice.synthetic and not d.deltas:
            continue  # a bare "Continue"
        moved = ", ".join(f"{clean(game.story.kpis[k].name)} {fmt_delta(v)}" for k, v in d.deltas.items()) or _(
            "no change"
        )
        parts += [
            "• ",
            (scene_label(game, d.scene), "bold"),
            f": {choice_text(game, d.scene, d.choice)} ",
            (f"[{moved}]", "dim"),
            "\n",
        ]
    if not parts:
        return Content(_("No decisions this month."))
    return Content.assemble(*parts).rstrip()


class ReflectionScreen(ModalScreen[None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("enter,space,escape", "close", N_("Continue"), id="reflection-continue")]
    # ↑/↓, PgUp/PgDn scroll the scoreboard and the decisions: the scrolling part has the focus

    def __init__(self, game, summary, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.game = game
        self.summary = summary

    def compose(self) -> ComposeResult:
        s = self.summary
        with Vertical(classes="dialog wide reflection"):
            yield Static(
                Content.assemble((_("End of "), "bold"), (clean(s.title), "bold $accent")), classes="dialog-title"
            )
            with VerticalScroll(classes="dialog-body", id="rf-body"):
                yield Static(_("Scoreboard"), classes="heading", markup=False)
                yield Static(scoreboard(self.game, s), id="rf-scoreboard")
                yield Static(_("What you decided this month"), classes="heading", markup=False)
                yield Static(month_decisions(self.game, s), id="rf-decisions")
            if s.question:  # outside the scrolling part: always on the screen
                yield Static(
                    Content.assemble((_("Reflection: "), "bold $accent"), clean(s.question)),
                    id="rf-question",
                    classes="question",
                )
            yield Static(_("Enter continues · ↑/↓ scroll the month"), id="rf-hint", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#rf-body", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
