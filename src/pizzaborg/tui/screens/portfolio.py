"""A portfolio scene: pick K of N choices in a checklist, then confirm. Dismisses with the choice ids
picked, or None (Esc)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ...play.render import amount, fmt_num, pick_note
from ..text import shown
from ..widgets.checklist import Checklist


class PortfolioScreen(ModalScreen[list | None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="portfolio-cancel"),
        Binding("c", "confirm", "Confirm", id="portfolio-confirm"),
        *(Binding(str(n), f"tick({n})", "Tick", show=False, id=f"portfolio-tick-{n}") for n in range(1, 10)),
    ]

    def __init__(self, scene, initial: list | None = None, **kwargs):
        super().__init__(**kwargs)
        self.scene = scene  # the engine's SceneView
        self.initial = set(initial or [])

    def _label(self, c) -> Content:
        parts: list[str | Content | tuple[str, str]] = [(f"{c.n}. ", "bold $accent"), shown(c.text, self.scene.markup)]
        cap = self.scene.capacity
        if cap is not None and c.cost:
            parts.append((f"  ({amount(c.cost, cap.name or cap.id)})", "dim"))
        if not c.available:  # the reason is the capacity left, which the status line shows
            parts.append(("  not available", "dim italic"))
        return Content.assemble(*parts)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide portfolio"):
            yield Static(Content.styled(pick_note(self.scene), "bold $accent"), classes="dialog-title")
            yield Checklist(
                [(c.id, self._label(c), c.available) for c in self.scene.choices], self.initial, id="portfolio-list"
            )
            yield Static("", id="portfolio-status", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Confirm (c)", id="portfolio-ok", variant="primary", compact=True)
                yield Button("Cancel (Esc)", id="portfolio-cancel", compact=True)
            yield Static(
                "A number, or Space or Enter, ticks a choice · c confirms · Esc goes back", classes="dialog-hint"
            )

    def on_mount(self) -> None:
        self.query_one(Checklist).focus()
        self._status()

    def picked(self) -> list:
        """The ids ticked, in the order shown."""
        return self.query_one(Checklist).selected

    def problem(self) -> str:
        """Why the ticks cannot be confirmed yet, or ''."""
        lo, hi = self.scene.pick
        ids = self.picked()
        if not lo <= len(ids) <= hi:
            many = str(lo) if lo == hi else f"{lo} to {hi}"
            return f"Tick {many}: {len(ids)} ticked."
        cap = self.scene.capacity
        if cap is not None:
            cost = sum(c.cost for c in self.scene.choices if c.id in ids)
            if cost > cap.left:
                return f"These need {amount(cost, cap.name or cap.id)}; {fmt_num(cap.left)} left this month."
        return ""

    def _status(self) -> None:
        ids = self.picked()
        text = f"{len(ids)} ticked."
        cap = self.scene.capacity
        if cap is not None:
            cost = sum(c.cost for c in self.scene.choices if c.id in ids)
            used = amount(cost, cap.name or cap.id)
            text = f"{len(ids)} ticked, using {used} of the {fmt_num(cap.left)} left this month."
        self.query_one("#portfolio-status", Static).update(text)

    def on_checklist_changed(self, event: Checklist.Changed) -> None:
        event.stop()
        self._status()

    def action_tick(self, n: int) -> None:
        """A number key ticks or unticks that choice, as on the game screen."""
        choices = self.scene.choices
        if not 1 <= n <= len(choices):
            self.query_one("#portfolio-status", Static).update(f"There is no choice {n} here: pick 1-{len(choices)}.")
        elif not self.query_one(Checklist).toggle(choices[n - 1].id):
            self.query_one("#portfolio-status", Static).update(f"Choice {n} is not available.")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "portfolio-ok":
            self.action_confirm()
        else:
            self.action_cancel()

    def action_confirm(self) -> None:
        why = self.problem()
        if why:
            self.query_one("#portfolio-status", Static).update(why)
            return
        self.dismiss(self.picked())

    def action_cancel(self) -> None:
        self.dismiss(None)
