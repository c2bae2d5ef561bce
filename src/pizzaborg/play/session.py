"""One player's session: the current game, its learner and its saves. Plain Python, no Textual.

Every face drives this class (the terminal UI, plain mode, the class server, assignment play) so that
each rule of a session has one home:

- every decision, of every kind (a number, an id, a portfolio by numbers or ids), gets its time
  (:meth:`Session.decide`), cut back on undo; every undo gets its time too (``undo_times``), saved
  and reported with the undo record;
- undo follows the assignment's ``undo`` (``off``: refused, with one line saying why, in every face;
  ``recorded``, the default, and ``free``: allowed and recorded); free play allows it
  (:meth:`Session.why_no_undo`);
- the autosave is written after every decision; a new game first keeps an older autosave under a dated
  name; a failure becomes a note for the player, never an exception;
- "continue" is the newest *unfinished* autosave of this story (``autosave`` or a kept
  ``autosave-…``), and in an assignment one that belongs to it (:meth:`Session.latest_autosave`);
- an assignment's saves are checked by :class:`~.assignment.AssignmentRun` (seed and story hash), and
  its end writes the hand-in once (:meth:`Session.finish_assignment`).

The engine decides everything about the game; this class only keeps the game, calls the engine and the
saves module. The faces keep only input and output: they show :attr:`Session.notes` and clear them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..engine.i18n import _
from ..engine.notes import warning
from ..engine.times import parse_iso, track_times, utcnow

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from types import ModuleType

    from ..engine import Game, Outcome
    from ..engine.model import Story
    from ..engine.saves import SlotInfo
    from ..trainer.assignment import Assignment
    from .assignment import AssignmentRun, HandIn

AUTOSAVE = "autosave"  # the engine's saves.AUTOSAVE; the saves module is imported on first use


def _saves() -> ModuleType:
    from ..engine import saves  # imports the game and the state machine: not before the title is drawn

    return saves


class Session:
    """``story`` may be None at first (the TUI loads it once the title is drawn); ``saves_dir`` None
    means the saves module's default ($PIZZABORG_SAVES or ./saves), worked out on first use.

    ``assignment``: a trainer's assignment (its seed, a learner name, a report at the end); ``run``: the
    :class:`~.assignment.AssignmentRun` to play it with, when the face passes its own (the class server);
    otherwise one is made from ``assignment``."""

    def __init__(
        self,
        story: Story | None,
        saves_dir: str | Path | None = None,
        seed: int | None = None,
        now: Callable[[], str] | None = None,
        assignment: Assignment | None = None,
        run: AssignmentRun | None = None,
        room: Callable[[Path, str], list] | None = None,
    ) -> None:
        self.story = story
        self.room = room  # a face's quota: called before a slot is written; notes back, or SaveError (web/quota.py)
        if run is None and assignment is not None:
            from .assignment import AssignmentRun

            run = AssignmentRun(assignment)
        self.run = run
        self.assignment = run.assignment if run is not None else None
        self.started: datetime | None = None  # when this game began (the report's duration)
        self.hand_in: HandIn | None = None  # the report written for the assignment
        self._dir = Path(saves_dir) if saves_dir is not None else None
        self.default_seed = seed
        self.now = now  # a clock for save stamps (tests fix it); None: the saves module's clock
        self.game: Game | None = None
        self.learner: str | None = None
        self.loaded_from: str | None = None
        self._autosave_checked = False
        self.save_problem: str | None = None  # why the last autosave failed (None: it was written, or none tried)
        self.notes: list = []  # one-line notes for the player (the face shows and clears them)
        self.times: list = []  # when each decision was made (saved with it; the report shows the time spent)
        self.undo_times: list = []  # when each undo was made (saved and reported with the undo record)
        # the learner as a launching LMS names them (web/cmi5.py): every new game is theirs, nothing is typed
        self.identity: str | None = None

    @property
    def dir(self) -> Path:
        if self._dir is None:
            self._dir = Path(_saves().saves_dir(None))
        return self._dir

    @property
    def handed_in(self) -> Path | None:
        """The report file written for the assignment (None before there is one)."""
        return self.hand_in.path if self.hand_in is not None else None

    @property
    def current(self) -> Game:
        """The game being played; a face asks for it only once a game was started or loaded."""
        if self.game is None:
            raise RuntimeError("no game: start or load one first")
        return self.game

    def _story(self) -> Story:
        if self.story is None:
            raise RuntimeError("no story: the face loads it before a game starts")
        return self.story

    # ---- clock -------------------------------------------------------------------------------
    def _stamp(self) -> str | None:
        return self.now() if self.now else None

    # ---- starting ----------------------------------------------------------------------------
    def new_game(self, seed: int | None = None, learner: str | None = None) -> Game:
        if self.run is not None:
            seed = self.run.seed  # everyone in the cohort plays the same game
        if seed is None:
            seed = self.default_seed
        if seed is None:
            import random

            seed = random.SystemRandom().randrange(1, 1_000_000)
        from ..engine import Game

        if self.game is not None:
            self.game.close()
        self.game = Game(self._story(), seed)
        self.times = []
        self.undo_times = []
        self.learner = self.identity or learner or None
        self.started = utcnow()
        self.hand_in = None
        self.loaded_from = None
        self._autosave_checked = False
        return self.game

    def load(self, slot: str) -> str | None:
        """Load a slot; returns the engine's warning (or None). Raises SaveError (also for a save that is
        not a game of this session's assignment)."""
        S = _saves()
        save = S.read_save(self.dir, slot)
        if self.run is not None:
            self.run.check(save)
        loaded = S.restore(self.story, save)
        if self.game is not None:
            self.game.close()
        self.game = loaded.game
        self.times = loaded.save.times[: len(self.game.decisions)]
        self.undo_times = list(loaded.save.undo_times[: len(self.game.undos)])
        self.learner = loaded.save.learner
        self.started = parse_iso(loaded.save.created)
        self.hand_in = None
        self.loaded_from = slot
        self._autosave_checked = False
        return loaded.warning

    # ---- playing -----------------------------------------------------------------------------
    def decide(self, make: Callable[[], Outcome], autosave: bool = True) -> Outcome:
        """Make a decision (``make`` calls the engine; its GameError goes to the caller), record its time
        and autosave. A caller that passes ``autosave=False`` calls :meth:`autosave` itself right after
        (the TUI does, once the feedback is drawn). Every kind of decision comes through here."""
        outcome = make()
        self.times = track_times(self.times, len(self.current.decisions))
        if autosave:
            self.autosave()
        return outcome

    def choose(self, n: int, autosave: bool = True) -> Outcome:
        """Make choice number ``n`` as shown (raises GameError when there is none)."""
        return self.decide(lambda: self.current.choose_number(n), autosave)

    def choose_id(self, choice_id: str, autosave: bool = True) -> Outcome:
        """Make the choice ``choice_id`` (a portfolio: ``a+b+c``)."""
        return self.decide(lambda: self.current.choose(choice_id), autosave)

    def choose_numbers(self, numbers: list, autosave: bool = True) -> Outcome:
        """A portfolio by the numbers shown (``[2, 5, 7]``), or one number in any other scene."""
        if self.current.pick is None and len(numbers) == 1:
            return self.choose(numbers[0], autosave)
        return self.decide(lambda: self.current.choose_numbers(numbers), autosave)

    @property
    def undo_mode(self) -> str | None:
        """The assignment's ``undo`` (``free``, ``recorded`` or ``off``); None in free play."""
        return self.assignment.undo if self.assignment is not None else None

    def why_no_undo(self) -> str | None:
        """One line saying why undo is refused now (the face shows it), or None when it is allowed."""
        from .render import NO_UNDO_YET, UNDO_FULL, UNDO_OFF

        if self.undo_mode == "off":
            return _(UNDO_OFF)
        if self.game is None or not self.game.decisions:
            return _(NO_UNDO_YET)
        from ..engine.game import MAX_UNDOS

        if len(self.game.undos) >= MAX_UNDOS:
            return _(UNDO_FULL)
        return None

    def undone_line(self) -> str:
        """What the faces say after an undo: the score keeps the first answer, unless the assignment
        counts the path kept (``undo: free``)."""
        from .render import UNDONE, UNDONE_FIRST

        return _(UNDONE) if self.undo_mode == "free" else _(UNDONE_FIRST)

    def undo(self) -> bool:
        """Take back the last decision; False when refused (:meth:`why_no_undo` says why)."""
        if self.game is None or self.why_no_undo() is not None or not self.game.undo():
            return False
        self.times = track_times(self.times, len(self.game.decisions))
        self.undo_times = track_times(self.undo_times, len(self.game.undos))
        self.hand_in = None  # finishing again writes a new report
        self.autosave()
        return True

    # ---- an assignment's end -----------------------------------------------------------------
    def finish_assignment(self) -> Path | None:
        """At the end of an assignment's game: write the report to hand in (once) and return its path.
        Raises the trainer tools' ReportError when it cannot be written."""
        if self.run is None or self.game is None or not self.game.over or not self.learner:
            return None
        if self.hand_in is None:
            self.hand_in = self.run.finish(
                self.game, self.learner, self.dir, started=self.started, times=self.times, undo_times=self.undo_times
            )
        return self.hand_in.path

    @property
    def hand_in_note(self) -> str | None:
        """What the debrief says about the report to hand in (None before there is one)."""
        return self.run.note(self.hand_in) if self.run is not None else None

    def deliver(self) -> str | None:
        """Send the hand-in to the assignment's LRS (one line for the learner, or None)."""
        if self.run is None or self.hand_in is None:
            return None
        return self.run.deliver(self.hand_in, self.dir)

    def retry_pending(self) -> str | None:
        """Send what earlier games of the assignment left in the outbox (one line, or None)."""
        return self.run.retry_pending(self.dir) if self.run is not None else None

    # ---- saves -------------------------------------------------------------------------------
    def autosave(self) -> Path | None:
        """Write the autosave slot. A failure becomes a note, never an exception."""
        if self.game is None:
            return None
        S = _saves()
        if not self._autosave_checked:
            self._autosave_checked = True
            if self.loaded_from != S.AUTOSAVE:
                self._keep_old_autosave()
        try:
            if self.room is not None:
                self.notes.extend(self.room(self.dir, S.AUTOSAVE))
            path = S.save_game(
                self.dir,
                S.AUTOSAVE,
                self.game,
                learner=self.learner,
                now=self._stamp(),
                times=self.times,
                undo_times=self.undo_times,
            )
        except S.SaveError as exc:
            # a full disk, a removed folder: the face tells the truth (the previous autosave is unchanged)
            self.save_problem = str(exc)
            self.notes.append(warning(_("Autosave failed: {why}").format(why=exc)))
            return None
        self.save_problem = None
        return path

    def _keep_old_autosave(self) -> None:
        """A new game never destroys an unfinished one: the older autosave keeps a dated name."""
        S = _saves()
        try:
            kept = S.keep_autosave(self.dir)
        except S.SaveError as exc:
            self.notes.append(warning(_("Could not keep the previous autosave: {why}").format(why=exc)))
            return
        if kept:
            self.notes.append(_("Your previous autosave is kept as '{name}'.").format(name=kept))

    def needs_overwrite_confirmation(self, slot: str) -> bool:
        """True when saving to ``slot`` would replace another game's save (raises SaveError for a bad name)."""
        S = _saves()
        return S.slot_path(self.dir, slot).exists() and slot != self.loaded_from

    def save(self, slot: str) -> Path:
        """Save in ``slot``. Raises SaveError with a one-line message."""
        S = _saves()
        if self.room is not None:
            self.notes.extend(self.room(self.dir, S.check_slot(slot)))
        path = S.save_game(
            self.dir,
            slot,
            self.game,
            learner=self.learner,
            now=self._stamp(),
            times=self.times,
            undo_times=self.undo_times,
        )
        self.loaded_from = slot
        return path

    def slots(self) -> list:  # [SlotInfo]
        return _saves().list_saves(self.dir)

    def latest_autosave(self) -> SlotInfo | None:
        """The one rule for "continue": the newest readable, unfinished autosave (``autosave`` or a kept
        ``autosave-…``) of this story with at least one decision, and in an assignment one that belongs
        to it; None when there is none. A finished game is in the load list, not behind "continue"."""
        best = None
        for info in self.slots():
            if not info.readable or not (info.slot == AUTOSAVE or info.slot.startswith(AUTOSAVE + "-")):
                continue
            save = info.save
            if save.story.get("id") != self._story().id or not save.decisions or save.summary.get("over"):
                continue
            if self.run is not None and not self.run.belongs(save):
                continue
            if best is None or save.updated > best.save.updated:
                best = info
        return best

    def quit(self) -> Path | None:
        """Leave: autosave when there is anything to keep. Returns the autosave's path."""
        if self.game is not None and self.game.decisions:
            return self.autosave()
        return None

    @property
    def autosave_path(self) -> Path:
        return self.dir / f"{AUTOSAVE}.json"
