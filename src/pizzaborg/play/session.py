"""One player's session: the current game, its learner and its saves. Plain Python, no Textual.

The engine decides everything about the game; this class only keeps the game, calls the engine and
the saves module, and writes the autosave after every decision, as the line mode does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

AUTOSAVE = "autosave"  # the engine's saves.AUTOSAVE; the saves module is imported on first use


def _utcnow():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(microsecond=0)


def _parse_time(text):
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def _saves():
    from ..engine import saves  # imports the game and the state machine: not before the title is drawn

    return saves


class Session:
    """``story`` may be None at first (the app loads it once the title is drawn); ``saves_dir`` None
    means the saves module's default ($PIZZABORG_SAVES or ./saves), worked out on first use."""

    def __init__(self, story, saves_dir=None, seed: int | None = None, now: Callable[[], str] | None = None,
                 assignment=None):
        self.story = story
        self.assignment = assignment  # a trainer's assignment: its seed, a learner name, a report at the end
        self.started = None  # when this game began (the report's duration)
        self.handed_in: Path | None = None  # the report file written for the assignment
        self._dir = Path(saves_dir) if saves_dir is not None else None
        self.default_seed = seed
        self.now = now  # a clock for save stamps (tests fix it); None: the saves module's clock
        self.game: Game | None = None
        self.learner: str | None = None
        self.loaded_from: str | None = None
        self._autosave_checked = False
        self.notes: list = []  # one-line notes for the player (the UI shows and clears them)
        self.times: list = []  # when each decision was made (saved with it; the report shows the time spent)

    @property
    def dir(self) -> Path:
        if self._dir is None:
            self._dir = Path(_saves().saves_dir(None))
        return self._dir

    # ---- clock -------------------------------------------------------------------------------
    def _stamp(self) -> str | None:
        return self.now() if self.now else None

    # ---- starting ----------------------------------------------------------------------------
    def new_game(self, seed: int | None = None, learner: str | None = None):
        if self.assignment is not None:
            seed = self.assignment.seed  # everyone in the cohort plays the same game
        if seed is None:
            seed = self.default_seed
        if seed is None:
            import random

            seed = random.SystemRandom().randrange(1, 1_000_000)
        from ..engine import Game

        if self.game is not None:
            self.game.close()
        self.game = Game(self.story, seed)
        self.times = []
        self.learner = learner or None
        self.started = _utcnow()
        self.handed_in = None
        self.loaded_from = None
        self._autosave_checked = False
        return self.game

    def load(self, slot: str) -> str | None:
        """Load a slot; returns the engine's warning (or None). Raises SaveError."""
        S = _saves()
        if self.assignment is not None:
            info = S.read_save(self.dir, slot)
            if info.seed != self.assignment.seed or info.story.get("hash") != self.assignment.story["hash"]:
                raise S.SaveError(f"'{slot}' is not a game of this assignment (it was played with seed {info.seed})")
        loaded = S.load_game(self.dir, slot, self.story)
        if self.game is not None:
            self.game.close()
        self.game = loaded.game
        self.times = loaded.save.times[: len(self.game.decisions)]
        self.learner = loaded.save.learner
        self.started = _parse_time(loaded.save.created)
        self.handed_in = None
        self.loaded_from = slot
        self._autosave_checked = False
        return loaded.warning

    # ---- playing -----------------------------------------------------------------------------
    def choose(self, n: int, autosave: bool = True):
        """Make choice ``n`` (raises GameError when there is none) and autosave; a caller that passes
        ``autosave=False`` calls :meth:`autosave` itself right after (the UI does, once drawn)."""
        outcome = self.game.choose_number(n)
        self.times = _saves().track_times(self.times, len(self.game.decisions))
        if autosave:
            self.autosave()
        return outcome

    def choose_id(self, choice_id: str, autosave: bool = True):
        """Make the choice ``choice_id`` (a portfolio: ``a+b+c``); like :meth:`choose` otherwise."""
        outcome = self.game.choose(choice_id)
        if autosave:
            self.autosave()
        return outcome

    def undo(self) -> bool:
        if self.game is None or not self.game.undo():
            return False
        self.times = _saves().track_times(self.times, len(self.game.decisions))
        self.handed_in = None  # finishing again writes a new report
        self.autosave()
        return True

    def finish_assignment(self) -> Path | None:
        """At the end of an assignment's game: write the report to hand in (once) and return its path.
        Raises the trainer tools' ReportError when it cannot be written."""
        if self.assignment is None or self.game is None or not self.game.over or not self.learner:
            return None
        if self.handed_in is None:
            from ..trainer import finish_assignment

            self.handed_in = finish_assignment(self.game, self.assignment, self.learner, self.dir, started=self.started,
                                               times=self.times)
        return self.handed_in

    @property
    def hand_in_note(self) -> str | None:
        """What the debrief says about the report to hand in (None before there is one)."""
        if self.handed_in is None:
            return None
        return f"Hand in this file to your trainer:\n{self.handed_in}"

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
            return S.save_game(self.dir, S.AUTOSAVE, self.game, learner=self.learner, now=self._stamp(), times=self.times)
        except S.SaveError as exc:
            self.notes.append(f"Autosave failed: {exc}")
            return None

    def _keep_old_autosave(self) -> None:
        """A new game never destroys an unfinished one: the older autosave keeps a dated name."""
        S = _saves()
        try:
            kept = S.keep_autosave(self.dir)
        except S.SaveError as exc:
            self.notes.append(f"Could not keep the previous autosave: {exc}")
            return
        if kept:
            self.notes.append(f"Your previous autosave is kept as '{kept}'.")

    def needs_overwrite_confirmation(self, slot: str) -> bool:
        """True when saving to ``slot`` would replace another game's save (raises SaveError for a bad name)."""
        S = _saves()
        return S.slot_path(self.dir, slot).exists() and slot != self.loaded_from

    def save(self, slot: str) -> Path:
        """Save in ``slot``. Raises SaveError with a one-line message."""
        S = _saves()
        path = S.save_game(self.dir, slot, self.game, learner=self.learner, now=self._stamp(), times=self.times)
        self.loaded_from = slot
        return path

    def slots(self) -> list:
        return _saves().list_saves(self.dir)

    def latest_autosave(self):
        """The newest readable autosave of this story (``autosave`` or a kept ``autosave-…``), or None."""
        best = None
        for info in self.slots():
            if not info.readable or not (info.slot == AUTOSAVE or info.slot.startswith(AUTOSAVE + "-")):
                continue
            if info.save.story.get("id") != self.story.id or not info.save.decisions:
                continue
            if best is None or info.save.updated > best.save.updated:
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
