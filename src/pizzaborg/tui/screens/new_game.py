"""Start a new game: an optional learner name and seed; for a trainer's assignment, the trainer's note,
a required learner name or id, and the assignment's seed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ...cliargs import MAX_SEED
from ...engine.i18n import N_, _
from ..lang import localise_bindings


class NewGameScreen(ModalScreen[tuple | None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="new-cancel")]

    def __init__(
        self,
        seed: int | None = None,
        learner: str | None = None,
        assignment=None,
        fixed_learner: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.fixed_learner = fixed_learner  # launched from an LMS: the LMS names the learner
        localise_bindings(self)
        self.seed = seed if assignment is None else assignment.seed
        self.learner = learner
        self.assignment = assignment

    def compose(self) -> ComposeResult:
        a = self.assignment
        with Vertical(classes="dialog new-game"):
            if a is None:
                yield Static(_("New game"), classes="dialog-title", markup=False)
                if not self.fixed_learner:
                    yield Label(Content(_("Your name (optional; it goes into your saves and report)")))
            else:
                title = _("New game: assignment for {cohort}").format(cohort=a.cohort)
                yield Static(title, classes="dialog-title", markup=False)
                if a.note:
                    yield Static(_("From your trainer: {note}").format(note=a.note), id="new-note", markup=False)
                if a.mastery is not None:
                    from ...play.render import fmt_num

                    yield Static(
                        _("To pass, reach a learning score of {mark} of 100.").format(
                            mark=fmt_num(round(a.mastery * 100, 2))
                        ),
                        id="new-pass-mark",
                        markup=False,
                    )
                if not self.fixed_learner:
                    yield Label(Content(_("Your name or learner id, as your trainer knows you")))
            if self.fixed_learner:
                yield Label(Content(_("You play as your LMS knows you:")))
            yield Input(
                value=self.learner or "",
                placeholder=_("learner name"),
                id="new-learner",
                max_length=80,
                disabled=self.fixed_learner,
            )
            if a is None:
                yield Label(Content(_("Seed (optional: the same seed gives the same game)")))
            else:
                yield Label(Content(_("Seed: set by the assignment, the same for everyone")))
            yield Input(
                value="" if self.seed is None else str(self.seed),
                placeholder=_("random"),
                id="new-seed",
                max_length=19,
                disabled=a is not None,
            )
            yield Static("", id="new-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(Content(_("Start (Enter)")), id="new-start", variant="primary", compact=True)
                yield Button(Content(_("Cancel (Esc)")), id="new-cancel", compact=True)

    def on_mount(self) -> None:
        for box in self.query(Input):
            box.cursor_blink = not self.app.is_headless
        (self.query_one("#new-start", Button) if self.fixed_learner else self.query_one("#new-learner", Input)).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "new-start":
            self.start()
        else:
            self.dismiss(None)

    def start(self) -> None:
        learner = " ".join(self.query_one("#new-learner", Input).value.split()) or None
        if self.assignment is not None:
            from ...play.assignment import AssignmentError, check_learner

            try:
                learner = check_learner(learner or "")
            except AssignmentError as exc:
                self.query_one("#new-error", Static).update(f"{exc}.")
                self.query_one("#new-learner", Input).focus()
                return
            self.dismiss((learner, self.assignment.seed))
            return
        text = self.query_one("#new-seed", Input).value.strip()
        seed = None
        if text:
            if not (text.isascii() and text.isdigit()) or int(text) > MAX_SEED:
                self.query_one("#new-error", Static).update(
                    _("The seed must be a whole number from 0 to 2^63-1, or empty for a random game.")
                )
                self.query_one("#new-seed", Input).focus()
                return
            seed = int(text)
        self.dismiss((learner, seed))

    def action_cancel(self) -> None:
        self.dismiss(None)
