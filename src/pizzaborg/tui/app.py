"""The PizzaBorg Textual app: screens over a :class:`Session`; no game rules here."""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..engine.i18n import N_, _, ngettext
from ..engine.notes import severity, warning
from .lang import PALETTE_PLACEHOLDER, THEMES_PLACEHOLDER, command, left_out, localise_bindings, localise_system_command
from .screens.title import TitleScreen
from .screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from .themes import DEFAULT, THEMES
from .typeahead import Typeahead

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from .screens.game import GameScreen


def _game_screen_class() -> type[GameScreen]:
    from .screens.game import GameScreen  # the engine's game and state machine come with it

    return GameScreen


class PizzaBorgApp(App[None]):
    TITLE = "PizzaBorg"
    CSS_PATH = "styles/app.tcss"  # the other screens bring their own .tcss when first shown
    BINDINGS = [
        Binding("q", "request_quit", N_("Quit"), id="quit"),
        Binding("question_mark", "help", N_("Help"), key_display="?", id="help"),
        Binding("ctrl+c", "quit_now", N_("Quit now"), show=False, priority=True, id="quit-now"),
    ]

    def __init__(self, session, theme: str | None = None, load_story=None, remember_theme: bool = False, **kwargs):
        super().__init__(**kwargs)
        localise_bindings(self)  # the footer reads each binding's description as it is: in the language in use
        self._remember_theme = False  # set below, once the starting theme is in place
        self.session = session
        for t in THEMES:
            self.register_theme(t)
        self.theme = theme if theme in self.available_themes else DEFAULT  # before mount: no restyling
        self._load_story = load_story  # called once the title is drawn, when the session has no story yet
        self.startup_error: BaseException | None = None  # re-raised by the launcher after the app ends
        self._early_choice: str | None = None  # a title key pressed before the story was read
        self.saved_to = None  # the autosave written on the way out
        self.typeahead = Typeahead(self)  # keys typed fast are handled in order, none lost
        self._remember_theme = remember_theme  # a theme picked from now on is kept in the user's settings

    async def on_event(self, event) -> None:
        fresh_key = isinstance(event, events.Key) and not event.is_forwarded
        if self.typeahead.take(event):
            return  # held until what the previous key set off is done
        await super().on_event(event)
        if fresh_key and self.typeahead.busy:
            self.typeahead.dispatched()

    def watch_theme(self, theme: str) -> None:
        """A theme picked in the command palette is kept for the next game (settings.py)."""
        if not getattr(self, "_remember_theme", False) or theme not in self.available_themes:
            return
        from .. import settings

        try:
            settings.save(theme=theme)
        except OSError as exc:
            self.notify(
                _("The theme is not kept for next time: {error}").format(error=exc.strerror or exc),
                title=_("Not saved"),
                severity="warning",
                markup=False,
            )

    # ---- start -------------------------------------------------------------------------------
    def on_mount(self) -> None:
        try:  # told to stop (the terminal stays): autosave and restore the terminal like q does
            import asyncio
            import signal

            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.action_quit_now)
        except (NotImplementedError, RuntimeError, ValueError, AttributeError):
            pass
        if self.session.game is not None:  # started with --load
            self.push_screen(_game_screen_class()(self.session))
            if self.session.game.over:
                self.call_after_refresh(self.show_debrief)
        else:
            self.push_screen(self._title())
        self._check_size(self.size.width, self.size.height)
        if self.session.run is not None and self.session.run.lrs:  # results an earlier game could not send
            self._to_lrs()

    def _title(self) -> TitleScreen:
        """The title screen; the story (if not read yet) and the autosave to continue are looked up
        in a worker once the screen is up, so its first frame does not wait for them."""
        screen = TitleScreen(self.session.story)
        self.typeahead.block()  # keys typed meanwhile wait for the story and the autosave, then count
        screen.call_after_refresh(lambda: self.run_worker(self._fill_title(screen), group="title", exclusive=True))
        return screen

    async def _fill_title(self, screen: TitleScreen) -> None:
        try:
            await self._read_for_title(screen)
        finally:
            self.typeahead.unblock()

    async def _read_for_title(self, screen: TitleScreen) -> None:
        import asyncio

        if self.session.story is None:
            try:  # in a thread: the title stays drawn and keys are kept while the story is read
                story = await asyncio.to_thread(self._load_story)
            except Exception as exc:  # a broken story: leave, and let the launcher print the one line
                self.startup_error = exc
                self.exit(return_code=2)
                return
            self.session.story = story
            if screen.is_attached:
                screen.show_story(story)
        latest = await asyncio.to_thread(self.session.latest_autosave)
        if not screen.is_attached:
            return  # the app is closing, or the title has gone
        screen.show_latest(latest)
        if self._early_choice is not None:  # a click on the menu while the story was read
            what, self._early_choice = self._early_choice, None
            self.on_title_screen_menu_chosen(TitleScreen.MenuChosen(what))

    def on_title_screen_menu_chosen(self, message: TitleScreen.MenuChosen) -> None:
        what = message.what
        if not isinstance(self.screen, TitleScreen):
            return  # a second key before the first one's dialog was up
        if self.session.story is None and what != "quit":
            self._early_choice = what  # still reading the story (a few ms): done right after
            return
        if what == "new":
            from .screens.new_game import NewGameScreen

            self.push_screen(
                NewGameScreen(
                    self.session.default_seed,
                    self.session.identity or self.session.learner,
                    self.session.assignment,
                    fixed_learner=self.session.identity is not None,
                ),
                self._new_game,
            )
        elif what == "continue":
            latest = self.session.latest_autosave()
            if latest is not None:
                self._load(latest.slot)
        elif what == "load":
            self.action_load()
        elif what == "help":
            self.action_help()
        elif what == "quit":
            self.action_request_quit()

    def _new_game(self, settings) -> None:
        if settings is None:
            return
        learner, seed = settings
        game = self.session.new_game(seed=seed, learner=learner)
        self.switch_screen(_game_screen_class()(self.session))
        from .screens.intro import IntroScreen

        rnd = game.story.rounds[game.round_id]
        self.push_screen(
            IntroScreen(
                game.story.title,
                [(None, game.story.intro.render(game.view)), (rnd.title, rnd.intro.render(game.view))],
            )
        )

    # ---- game flow ---------------------------------------------------------------------------
    def on_game_screen_game_over(self, message) -> None:
        self.show_debrief()

    def show_debrief(self) -> None:
        from .screens.debrief import DebriefScreen

        if isinstance(self.screen, DebriefScreen) or self.session.game is None or not self.session.game.over:
            return
        if self.session.assignment is not None:
            self._hand_in()
        self.push_screen(DebriefScreen(self.session), self._after_debrief)

    def _hand_in(self) -> None:
        """An assignment's game is over: write the report to hand in and say so, in the run's words
        (the class server's run says the report is with the trainer and shows no path)."""
        from ..play.assignment import ReportError

        if not self.session.learner:
            self.notify(
                _(
                    "This game has no learner name, so no report was written: start a new game from the "
                    "assignment to get one."
                ),
                severity="warning",
                markup=False,
                timeout=12,
            )
            return
        words = self.session.run.words
        fresh = self.session.hand_in is None
        try:
            path = self.session.finish_assignment()
        except ReportError as exc:
            self.notify(words.failed.format(exc=exc), severity="error", markup=False, timeout=12)
            return
        if fresh and path is not None:
            # the path itself is in the debrief, whole on a line of its own (a notice would split it)
            self.notify(words.written, title=_("Report written"), markup=False, timeout=8)
            if self.session.run.lrs:
                self._to_lrs(fresh=True)

    def _to_lrs(self, fresh: bool = False) -> None:
        """Send to the assignment's LRS in a thread (the game never waits on the network): the report
        just handed in (``fresh``), or what earlier games left in the outbox. The outcome is a notice."""

        def work() -> None:
            try:
                line = self.session.deliver() if fresh else self.session.retry_pending()
            except Exception as exc:  # noqa: BLE001 - a notice, never a crash of the game
                line = warning(_("Your results were not sent to your trainer's LRS: {error}").format(error=exc))
            if line:
                self.call_from_thread(
                    self.notify,
                    line,
                    markup=False,
                    timeout=15,
                    severity=severity(line),
                )

        self.run_worker(work, thread=True, exclusive=False, group="lrs")

    def _after_debrief(self, what: str | None) -> None:
        if what == "undo":
            if not self.session.undo():
                from ..play.render import NO_UNDO_YET

                self.notify(self.session.why_no_undo() or _(NO_UNDO_YET), severity="warning", markup=False)
                return
            screen = self._game_screen()
            if screen is not None:
                screen.show_game()
            self.notify(_("Undone: your last decision is taken back."), markup=False)
        elif what == "new":
            self.switch_screen(self._title())

    def _game_screen(self) -> GameScreen | None:
        game_screen = _game_screen_class()
        for screen in reversed(self.screen_stack):
            if isinstance(screen, game_screen):
                return screen
        return None

    def action_load(self) -> None:
        from .screens.load import LoadScreen

        self.push_screen(LoadScreen(self.session.slots(), self.session.dir), self._load)

    def _load(self, slot: str | None) -> None:
        if not slot:
            return
        from ..engine.saves import SaveError

        try:
            warning = self.session.load(slot)
        except SaveError as exc:
            self.notify(_("Cannot load: {error}").format(error=exc), severity="error", markup=False, timeout=8)
            return
        n = len(self.session.game.decisions)
        loaded = ngettext(
            "Loaded '{slot}': seed {seed}, {n} decision.", "Loaded '{slot}': seed {seed}, {n} decisions.", n
        )
        self.notify(loaded.format(slot=slot, seed=self.session.game.seed, n=n), markup=False)
        if warning:
            self.notify(warning, severity="warning", markup=False, timeout=10)
        screen = self._game_screen()
        if screen is None or screen is not self.screen:
            self.switch_screen(_game_screen_class()(self.session))
        else:
            screen.pending = None  # the feedback on the screen belonged to the game before
            screen.show_game()
        if self.session.game.over:
            self.call_after_refresh(self.show_debrief)

    # ---- help and quitting -------------------------------------------------------------------
    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if self.session.story is not None and not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.session.story))

    def action_request_quit(self) -> None:
        from .screens.confirm import ConfirmScreen

        if isinstance(self.screen, ConfirmScreen):
            return
        game = self.session.game
        question = _("Quit PizzaBorg?")
        if game is not None and game.decisions and self.session.save_problem is not None:  # a full disk
            question += "\n\n" + _("Autosave failed: {why}").format(why=self.session.save_problem)
        elif game is not None and game.decisions:
            question += "\n\n" + _(
                "Your game is autosaved in {path}; Continue on the title screen takes you back."
            ).format(path=self.session.autosave_path)
        self.push_screen(
            ConfirmScreen(question, _("Quit"), _("Stay")), lambda yes: self.action_quit_now() if yes else None
        )

    def action_quit_now(self) -> None:
        self.saved_to = self.session.quit()
        self.exit()

    def action_settings(self) -> None:
        from .screens.settings import SettingsScreen, languages

        if not isinstance(self.screen, SettingsScreen):
            story = self.session.story
            choices = languages(str(story.root) if story is not None else None)
            self.push_screen(SettingsScreen(choices), self._language_chosen)

    def _language_chosen(self, lang: str | None) -> None:
        """The player picked a language in Settings: kept in the settings file (``language``) and used
        from now on by the interface (the screens drawn from here on, the footer at once); the story is told
        in it from the next start (``play.language`` chooses it then)."""
        if lang is None:
            return
        from .. import settings
        from ..engine.i18n import use

        use(lang)
        try:
            settings.save(language=lang)
        except OSError as exc:
            self.notify(
                _("The language is not kept for next time: {error}").format(error=exc.strerror or exc),
                title=_("Not saved"),
                severity="warning",
                markup=False,
            )
        localise_bindings(self)
        for screen in self.screen_stack:
            localise_bindings(screen)
        self.refresh_bindings()
        if isinstance(self.screen, TitleScreen):  # the title is drawn again in the new language
            self.switch_screen(self._title())

    # ---- command palette ---------------------------------------------------------------------
    def action_command_palette(self) -> None:
        """Textual's palette with its search placeholder in the language in use."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_(PALETTE_PLACEHOLDER)))

    def search_themes(self) -> None:
        """Textual's theme picker (the palette's Theme command) with its placeholder in the language in use."""
        from textual.command import CommandPalette
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_(THEMES_PLACEHOLDER)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        game_screen = screen if isinstance(screen, _game_screen_class()) else None
        if game_screen is not None and self.session.game is not None:
            game = self.session.game
            if game_screen.pending is not None:
                yield command(_("Continue"), _("Go on after the feedback (Enter)"), game_screen.action_continue)
            elif not game.over:
                from textual.markup import escape

                from ..engine.text import clean

                for c in game.scene.choices:  # the palette reads help texts as markup: story text is escaped
                    yield SystemCommand(
                        _("Choose {n}").format(n=c.n),
                        escape(clean(c.text)[:70]),
                        lambda n=c.n: game_screen.action_choose(n),
                    )
            yield command(_("Undo"), _("Take back your last decision (u)"), game_screen.action_undo)
            yield command(_("Save"), _("Save the game in a named slot (s)"), game_screen.action_save)
            yield command(_("History"), _("Every decision so far (h)"), game_screen.action_history)
            if game.over:
                yield command(_("Debrief"), _("The end-of-game debrief (d)"), self.show_debrief)
        yield command(_("Load"), _("Load a saved game (l)"), self.action_load)
        yield command(_("Settings"), _("The language of the game"), self.action_settings)
        yield command(_("Help"), _("Keys and what each number means (?)"), self.action_help)
        yield command(_("Quit"), _("Quit; the game is autosaved (q)"), self.action_request_quit)
        for cmd in super().get_system_commands(screen):
            # ours: Quit (autosaves); not Textual's Keys panel, which squeezes the game and repeats
            # "1-9 Choose" for every number (? shows the keys), nor Maximize of a single widget.
            # Textual's own (Theme, Screenshot) in the language in use (tui/lang.py)
            if not left_out(cmd):
                yield localise_system_command(cmd)

    # ---- terminal size -----------------------------------------------------------------------
    def on_resize(self, event) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        top = self.screen_stack[-1] if self.screen_stack else None
        if small and not isinstance(top, TooSmallScreen):
            self.push_screen(TooSmallScreen())
        elif small and isinstance(top, TooSmallScreen):
            top.show_size(width, height)
        elif isinstance(top, TooSmallScreen):
            self.pop_screen()
