"""The game: the scene in a readable column, numbered choices, and the dashboard at the side."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from ...engine import GameError
from ...engine.i18n import N_, _
from ...engine.notes import severity
from ...engine.text import clean
from ...play.render import NO_UNDO_YET, fmt_num, is_plain_continue, kpi_line
from ..lang import localise_bindings
from ..text import shown
from ..widgets.choices import ChoiceList
from ..widgets.dashboard import Dashboard
from ..widgets.feedback import FeedbackPanel
from ..widgets.footer import FittingFooter


def _choose_bindings():
    for n in range(1, 10):
        yield Binding(str(n), f"choose({n})", N_("Choose"), show=n == 1, key_display="1-9", id=f"choose-{n}")


class GameScreen(Screen):
    CSS_PATH = "../styles/game.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (96, "-wide")]
    BINDINGS = [
        *_choose_bindings(),
        Binding("u", "undo", N_("Undo"), id="undo"),
        Binding("s", "save", N_("Save"), id="save"),
        Binding("l", "load", N_("Load"), id="load"),
        Binding("h", "history", N_("History"), id="history"),
        Binding("d", "debrief", N_("Debrief"), show=False, id="debrief"),
        Binding("space", "continue", N_("Continue"), show=False, id="continue"),
        Binding("pageup", "scroll_text(-1)", N_("Scroll up"), show=False, priority=True, id="text-up"),
        Binding("pagedown", "scroll_text(1)", N_("Scroll down"), show=False, priority=True, id="text-down"),
    ]

    class GameOver(Message):
        """The game reached an ending and the player has seen the last reflection."""

    def __init__(self, session, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)
        self.session = session
        self.pending = None  # the outcome whose feedback is on the screen, until the player goes on

    @property
    def game(self):
        return self.session.game

    def compose(self) -> ComposeResult:
        yield Static(id="topbar", markup=False)
        with Horizontal(id="game-body"):
            with Vertical(id="scene-column"):
                with VerticalScroll(id="scene-scroll", can_focus=False):
                    yield Static(id="month-start", markup=False)
                    yield Static(id="scene-title")
                    yield Static(id="scene-text")
                    yield FeedbackPanel(id="feedback")
                yield ChoiceList(id="choices")
            yield Dashboard(self.session.story, undo=self.session.undo_mode, id="dashboard")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.show_game()
        self.flush_notes()  # e.g. the note of a --load from an older version of the story

    # ---- showing -----------------------------------------------------------------------------
    def show_game(self) -> None:
        game = self.game
        story = game.story
        # while a decision's feedback is on the screen, it is still that decision's month
        round_id = game.decisions[-1].round_id if self.pending is not None and game.decisions else game.round_id
        rnd = story.rounds[round_id]
        who = f" · {clean(self.session.learner)}" if self.session.learner else ""
        cap = ""
        if story.capacity is not None and not game.over:
            cap = (
                f" · {clean(story.capacity.name or story.capacity.id)} "
                f"{fmt_num(game.capacity_left)}/{fmt_num(game.capacity_total)}"
            )
        seed = " · " + _("seed {seed}").format(seed=game.seed)
        month = clean(rnd.title)
        # the month, capacity, seed and name fit in English at 80 columns: the story's title goes first when
        # the line is short; a longer language drops the name, then the seed, then shortens the month's title
        room = (self.size.width or 80) - 2
        for line in (
            f"{clean(story.title)} · {month}{seed}{cap}{who}",
            f"{month}{seed}{cap}{who}",
            f"{month}{seed}{cap}",
        ):
            if cell_len(line) <= room:
                break
        else:
            keep = max(1, room - cell_len(cap) - 1)
            line = (month if cell_len(month) <= keep else month[: keep - 1] + "…") + cap
        self.query_one("#topbar", Static).update(line)
        self.query_one(Dashboard).show(game, round_id, len(game.decisions) if self.pending is not None else None)
        title = self.query_one("#scene-title", Static)
        text = self.query_one("#scene-text", Static)
        choices = self.query_one(ChoiceList)
        feedback = self.query_one(FeedbackPanel)
        start = self.query_one("#month-start", Static)
        change = self.month_start_change()
        start.display = bool(change)
        start.update(change)
        if self.pending is not None:
            outcome, markup = self.pending
            for w in (title, text):
                w.display = False
            feedback.show(game, outcome, markup)
            feedback.display = True
            choices.display = True
            choices.set_continue()
            choices.focus(scroll_visible=False)
            self.query_one("#scene-scroll", VerticalScroll).scroll_home(animate=False)
            return
        feedback.display = False
        text.display = True
        if game.over:
            ending = story.ending(game.ending)
            title.display = True
            title.update(Content.assemble((_("The end: "), "bold"), (clean(ending.title), "bold $accent")))
            text.update(
                Content(_("The game is over. d shows the debrief again; u takes back your last decision; q quits."))
            )
            choices.set_choices(())
            choices.display = False
            return
        scene = game.scene
        heading = clean(scene.title)
        if scene.is_event:
            heading = _("News: {title}").format(title=heading) if heading else _("News")
        title.update(Content.styled(heading, "bold $secondary"))
        title.display = bool(heading)
        text.update(shown(scene.text, scene.markup))
        choices.display = True
        unit = (scene.capacity.name or scene.capacity.id) if scene.capacity else ""
        choices.set_choices(scene.choices, scene.markup, unit)
        choices.focus(scroll_visible=False)
        self.query_one("#scene-scroll", VerticalScroll).scroll_home(animate=False)

    def month_start_change(self) -> str:
        """'As the month begins: …' above the first scene of a month whose start moved numbers (drift,
        the month's own effects), from the engine's record of that start; else ''."""
        game = self.game
        if self.pending is not None or game.over or not game.decisions or not game.round_start_deltas:
            return ""
        if game.decisions[-1].round_id == game.round_id:
            return ""  # a decision of this month is made: the change is in the history (h)
        return _("As the month begins: {changes}").format(changes=kpi_line(game, game.round_start_deltas))

    def flush_notes(self) -> None:
        for note in self.session.notes:
            self.notify(note, markup=False, severity=severity(note))
        self.session.notes.clear()

    # ---- playing -----------------------------------------------------------------------------
    def on_choice_list_chosen(self, message: ChoiceList.Chosen) -> None:
        self.action_choose(message.number)

    def on_choice_list_go_on(self, message: ChoiceList.GoOn) -> None:
        self.action_continue()

    def action_choose(self, n: int) -> None:
        game = self.game
        if self.pending is not None:
            return  # the feedback is on the screen: Enter, space or a click goes on
        if game.over:
            self.post_message(self.GameOver())
            return
        scene = game.scene
        count = len(scene.choices)
        if not 1 <= n <= count:
            self.notify(
                _("There is no choice {n} here: pick 1-{count}.").format(n=n, count=count),
                severity="warning",
                markup=False,
            )
            return
        if scene.pick is not None:  # a portfolio: tick several in a checklist, then confirm
            from .portfolio import PortfolioScreen

            first = scene.choices[n - 1]
            self.app.push_screen(PortfolioScreen(scene, [first.id] if first.available else []), self._picked)
            return
        if not scene.choices[n - 1].available:
            self.notify(
                _("Choice {n} is not available: {reason}.").format(n=n, reason=scene.choices[n - 1].reason),
                severity="warning",
                markup=False,
            )
            return
        self._decide(lambda: self.session.choose(n, autosave=False), scene.markup)

    def _picked(self, ids: list | None) -> None:
        if ids:
            markup = self.game.scene.markup
            self._decide(lambda: self.session.choose_id("+".join(ids), autosave=False), markup)

    def _decide(self, make, markup: bool) -> None:
        """Make a decision (``make`` returns the engine's Outcome), show its feedback, autosave after."""
        game = self.game
        try:
            outcome = make()
        except GameError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        if not (is_plain_continue(game, outcome) and not outcome.borg and not outcome.note):
            self.pending = (outcome, markup)
        with self.app.batch_update():
            self.show_game()
        self.call_after_refresh(self._autosave)
        if self.pending is None:
            self._after_feedback(outcome)

    def _autosave(self) -> None:
        """After the frame is on the screen: the autosave of the decision just made."""
        self.session.autosave()
        self.flush_notes()

    def action_continue(self) -> None:
        if self.pending is None:
            if self.game.scene is not None and len(self.game.scene.choices) == 1:
                self.action_choose(1)  # space on a bare "Continue"
            return
        outcome, _markup = self.pending
        self.pending = None
        with self.app.batch_update():
            self.show_game()
        self._after_feedback(outcome)

    def _after_feedback(self, outcome) -> None:
        if outcome.round_end is not None:
            from .reflection import ReflectionScreen

            self.app.push_screen(
                ReflectionScreen(self.game, outcome.round_end), lambda _result: self._after_reflection()
            )
        else:
            self._after_reflection()

    def _after_reflection(self) -> None:
        game = self.game
        if game.over:
            self.post_message(self.GameOver())
            return
        rnd = game.story.rounds[game.round_id]
        first_of_round = game.decisions and game.decisions[-1].round_id != game.round_id
        change = self.month_start_change()  # drift and the month's own effects: in the intro and the scene
        if first_of_round and rnd.intro:
            from .intro import IntroScreen

            sections = [(None, rnd.intro.render(game.view)), (None, change)]
            self.app.push_screen(IntroScreen(rnd.title, sections, button=_("Go on")))

    def action_undo(self) -> None:
        self.pending = None
        if self.session.undo():
            self.show_game()
            self.notify(self.session.undone_line(), markup=False)
        else:
            self.notify(self.session.why_no_undo() or _(NO_UNDO_YET), severity="warning", markup=False)
        self.flush_notes()

    def action_save(self) -> None:
        from .save import SaveScreen

        self.app.push_screen(SaveScreen(self.session.slots(), self.session.loaded_from), self._save_to)

    def _save_to(self, slot: str | None) -> None:
        if not slot:
            return
        from ...engine import saves as S

        try:
            path = self.session.save(slot)
        except S.SaveError as exc:
            self.notify(_("Not saved: {error}").format(error=exc), severity="error", markup=False)
            return
        self.notify(_("Saved as '{slot}' ({path}).").format(slot=slot, path=path), markup=False)

    def action_load(self) -> None:
        self.app.action_load()  # type: ignore[attr-defined]  # the PizzaBorgApp's

    def action_scroll_text(self, direction: int) -> None:
        scroll = self.query_one("#scene-scroll", VerticalScroll)
        if direction < 0:
            scroll.scroll_page_up(animate=False)
        else:
            scroll.scroll_page_down(animate=False)

    def action_debrief(self) -> None:
        if self.game.over:
            self.post_message(self.GameOver())
        else:
            self.notify(_("The debrief comes at the end of the game."), severity="warning", markup=False)

    def action_history(self) -> None:
        from .history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.game))
