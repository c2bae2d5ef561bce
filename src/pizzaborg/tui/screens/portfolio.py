"""A portfolio scene: pick K of N choices in a checklist, then confirm. Dismisses with the choice ids
picked, or None (Esc)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ...engine.i18n import N_, _, ngettext
from ...play.render import amount, fmt_num, pick_note
from ..lang import localise_bindings
from ..text import shown
from ..widgets.checklist import Checklist


class PortfolioScreen(ModalScreen[list | None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="portfolio-cancel"),
        Binding("c", "confirm", N_("Confirm"), id="portfolio-confirm"),
        *(Binding(str(n), f"tick({n})", N_("Tick"), show=False, id=f"portfolio-tick-{n}") for n in range(1, 10)),
    ]

    def __init__(self, scene, initial: list | None = None, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.scene = scene  # the engine's SceneView
        self.initial = set(initial or [])

    def _label(self, c) -> Content:
        parts: list[str | Content | tuple[str, str]] = [(f"{c.n}. ", "bold $accent"), shown(c.text, self.scene.markup)]
        cap = self.scene.capacity
        if cap is not None and c.cost:
            parts.append((f"  ({amount(c.cost, cap.name or cap.id)})", "dim"))
        if not c.available:  # the reason is the capacity left, which the status line shows
            parts.append(("  " + _("not available"), "dim italic"))
        return Content.assemble(*parts)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide portfolio"):
            yield Static(Content.styled(pick_note(self.scene), "bold $accent"), classes="dialog-title")
            yield Checklist(
                [(c.id, self._label(c), c.available) for c in self.scene.choices], self.initial, id="portfolio-list"
            )
            yield Static("", id="portfolio-status", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(Content(_("Confirm (c)")), id="portfolio-ok", variant="primary", compact=True)
                yield Button(Content(_("Cancel (Esc)")), id="portfolio-cancel", compact=True)
            yield Static(
                _("A number, or Space or Enter, ticks a choice · c confirms · Esc goes back"),
                classes="dialog-hint",
                markup=False,
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
            ticked = ngettext("{n} ticked.", "{n} ticked.", len(ids)).format(n=len(ids))
            if lo == hi:
                return _("Tick {many}: {ticked}").format(many=lo, ticked=ticked)
            return _("Tick {low} to {high}: {ticked}").format(low=lo, high=hi, ticked=ticked)
        cap = self.scene.capacity
        if cap is not None:
            cost = sum(c.cost for c in self.scene.choices if c.id in ids)
            if cost > cap.left:
                return _("These need {cost}; {left} left this month.").format(
                    cost=amount(cost, cap.name or cap.id), left=fmt_num(cap.left)
                )
        return ""

    def _status(self) -> None:
        ids = self.picked()
        text = ngettext("{n} ticked.", "{n} ticked.", len(ids)).format(n=len(ids))
        cap = self.scene.capacity
        if cap is not None:
            cost = sum(c.cost for c in self.scene.choices if c.id in ids)
            used = amount(cost, cap.name or cap.id)
            text = ngettext(
                "{n} ticked, using {used} of the {left} left this month.",
                "{n} ticked, using {used} of the {left} left this month.",
                len(ids),
            ).format(n=len(ids), used=used, left=fmt_num(cap.left))
        self.query_one("#portfolio-status", Static).update(text)

    def on_checklist_changed(self, event: Checklist.Changed) -> None:
        event.stop()
        self._status()

    def action_tick(self, n: int) -> None:
        """A number key ticks or unticks that choice, as on the game screen."""
        choices = self.scene.choices
        if not 1 <= n <= len(choices):
            self.query_one("#portfolio-status", Static).update(
                _("There is no choice {n} here: pick 1-{count}.").format(n=n, count=len(choices))
            )
        elif not self.query_one(Checklist).toggle(choices[n - 1].id):
            self.query_one("#portfolio-status", Static).update(_("Choice {n} is not available.").format(n=n))

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
