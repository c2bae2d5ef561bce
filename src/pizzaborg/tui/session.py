"""One player's session: the current game, its learner and its saves. Plain Python, no Textual.

The engine decides everything about the game; this class only keeps the game, calls the engine and
the saves module, and writes the autosave after every decision, as the line mode does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..engine import Game, Outcome
from ..engine import saves as S

AUTOSAVE_PREFIX = S.AUTOSAVE


class Session:
    def __init__(self, story, saves_dir, seed: int | None = None, now: Callable[[], str] | None = None):
        self.story = story
        self.dir = Path(saves_dir)
        self.default_seed = seed
        self.now = now  # a clock for save stamps (tests fix it); None: the saves module's clock
        self.game: Game | None = None
        self.learner: str | None = None
        self.loaded_from: str | None = None
        self._autosave_checked = False
        self.notes: list = []  # one-line notes for the player (the UI shows and clears them)

    # ---- clock -------------------------------------------------------------------------------
    def _stamp(self) -> str | None:
        return self.now() if self.now else None

    # ---- starting ----------------------------------------------------------------------------
    def new_game(self, seed: int | None = None, learner: str | None = None) -> Game:
        if seed is None:
            seed = self.default_seed
        if seed is None:
            import random

            seed = random.SystemRandom().randrange(1, 1_000_000)
        if self.game is not None:
            self.game.close()
        self.game = Game(self.story, seed)
        self.learner = learner or None
        self.loaded_from = None
        self._autosave_checked = False
        return self.game

    def load(self, slot: str) -> str | None:
        """Load a slot; returns the engine's warning (or None). Raises SaveError."""
        loaded = S.load_game(self.dir, slot, self.story)
        if self.game is not None:
            self.game.close()
        self.game = loaded.game
        self.learner = loaded.save.learner
        self.loaded_from = slot
        self._autosave_checked = False
        return loaded.warning

    # ---- playing -----------------------------------------------------------------------------
    def choose(self, n: int) -> Outcome:
        """Make choice ``n`` (raises GameError when there is none) and autosave."""
        outcome = self.game.choose_number(n)
        self.autosave()
        return outcome

    def undo(self) -> bool:
        if self.game is None or not self.game.undo():
            return False
        self.autosave()
        return True

    # ---- saves -------------------------------------------------------------------------------
    def autosave(self) -> Path | None:
        """Write the autosave slot. A failure becomes a note, never an exception."""
        if self.game is None:
            return None
        if not self._autosave_checked:
            self._autosave_checked = True
            if self.loaded_from != S.AUTOSAVE:
                self._keep_old_autosave()
        try:
            return S.save_game(self.dir, S.AUTOSAVE, self.game, learner=self.learner, now=self._stamp())
        except S.SaveError as exc:
            self.notes.append(f"Autosave failed: {exc}")
            return None

    def _keep_old_autosave(self) -> None:
        """A new game never destroys an unfinished one: the older autosave keeps a dated name."""
        path = S.slot_path(self.dir, S.AUTOSAVE)
        if not path.exists():
            return
        try:
            old = S.read_save_file(path)
        except S.SaveError:
            return  # save_game refuses to overwrite it and says why
        if not old.decisions:
            return
        stamp = (old.updated or "")[:19].replace(":", "").replace("-", "").replace("T", "-") or "old"
        base = f"{S.AUTOSAVE}-{stamp}"
        keep, n = base, 1
        while S.slot_path(self.dir, keep).exists():
            n += 1
            keep = f"{base}-{n}"
        try:
            path.replace(S.slot_path(self.dir, keep))
            self.notes.append(f"Your previous autosave is kept as '{keep}'.")
        except (OSError, S.SaveError) as exc:
            self.notes.append(f"Could not keep the previous autosave: {exc}")

    def needs_overwrite_confirmation(self, slot: str) -> bool:
        """True when saving to ``slot`` would replace another game's save (raises SaveError for a bad name)."""
        return S.slot_path(self.dir, slot).exists() and slot != self.loaded_from

    def save(self, slot: str) -> Path:
        """Save in ``slot``. Raises SaveError with a one-line message."""
        path = S.save_game(self.dir, slot, self.game, learner=self.learner, now=self._stamp())
        self.loaded_from = slot
        return path

    def slots(self) -> list:
        return S.list_saves(self.dir)

    def latest_autosave(self):
        """The newest readable autosave of this story (``autosave`` or a kept ``autosave-…``), or None."""
        best = None
        for info in self.slots():
            if not info.readable or not (info.slot == S.AUTOSAVE or info.slot.startswith(AUTOSAVE_PREFIX + "-")):
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
        return S.slot_path(self.dir, S.AUTOSAVE)
