"""One player's session: the current game, its learner and its saves. Plain Python, no Textual.

The engine decides everything about the game; this class only keeps the game, calls the engine and
the saves module, and writes the autosave after every decision, as the line mode does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

AUTOSAVE = "autosave"  # the engine's saves.AUTOSAVE; the saves module is imported on first use


def _saves():
    from ..engine import saves  # imports the game and the state machine: not before the title is drawn

    return saves


class Session:
    """``story`` may be None at first (the app loads it once the title is drawn); ``saves_dir`` None
    means the saves module's default ($PIZZABORG_SAVES or ./saves), worked out on first use."""

    def __init__(self, story, saves_dir=None, seed: int | None = None, now: Callable[[], str] | None = None):
        self.story = story
        self._dir = Path(saves_dir) if saves_dir is not None else None
        self.default_seed = seed
        self.now = now  # a clock for save stamps (tests fix it); None: the saves module's clock
        self.game: Game | None = None
        self.learner: str | None = None
        self.loaded_from: str | None = None
        self._autosave_checked = False
        self.notes: list = []  # one-line notes for the player (the UI shows and clears them)

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
        if seed is None:
            seed = self.default_seed
        if seed is None:
            import random

            seed = random.SystemRandom().randrange(1, 1_000_000)
        from ..engine import Game

        if self.game is not None:
            self.game.close()
        self.game = Game(self.story, seed)
        self.learner = learner or None
        self.loaded_from = None
        self._autosave_checked = False
        return self.game

    def load(self, slot: str) -> str | None:
        """Load a slot; returns the engine's warning (or None). Raises SaveError."""
        loaded = _saves().load_game(self.dir, slot, self.story)
        if self.game is not None:
            self.game.close()
        self.game = loaded.game
        self.learner = loaded.save.learner
        self.loaded_from = slot
        self._autosave_checked = False
        return loaded.warning

    # ---- playing -----------------------------------------------------------------------------
    def choose(self, n: int, autosave: bool = True):
        """Make choice ``n`` (raises GameError when there is none) and autosave; a caller that passes
        ``autosave=False`` calls :meth:`autosave` itself right after (the UI does, once drawn)."""
        outcome = self.game.choose_number(n)
        if autosave:
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
        S = _saves()
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
        S = _saves()
        keep_autosave = getattr(S, "keep_autosave", None)  # the saves module's own, where it has one
        if keep_autosave is not None:
            try:
                kept = keep_autosave(self.dir)
            except S.SaveError as exc:
                self.notes.append(f"Could not keep the previous autosave: {exc}")
                return
            if kept:
                self.notes.append(f"Your previous autosave is kept as '{kept}'.")
            return
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
        S = _saves()
        return S.slot_path(self.dir, slot).exists() and slot != self.loaded_from

    def save(self, slot: str) -> Path:
        """Save in ``slot``. Raises SaveError with a one-line message."""
        S = _saves()
        path = S.save_game(self.dir, slot, self.game, learner=self.learner, now=self._stamp())
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
