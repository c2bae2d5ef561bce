"""A class-server session's saves folder has a quota: a browser must not fill the server's disk with
named saves and kept autosaves (issue 22 §4).

The game in a browser session (``web/child.py``) passes :meth:`Quota.room` to its play session, which
calls it before each save is written. When a save would pass the quota, the oldest kept autosaves
(``autosave-…``, older games the learner left) are removed first, and the learner is told; the newest
autosave is always written; a named save that still finds no room is refused with one line saying so.
Plain Python: the game imports it in the class server's child process only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..engine.i18n import _

DEFAULT_MB = 20
DEFAULT_FILES = 200
AUTOSAVE = "autosave"  # the engine's saves.AUTOSAVE, the one slot always written


@dataclass(frozen=True)
class Quota:
    max_bytes: int = DEFAULT_MB * 1024 * 1024
    max_files: int = DEFAULT_FILES

    @classmethod
    def from_env(cls, environ: dict | os._Environ) -> Quota | None:
        """The quota the class server put in the child's environment (None: no quota)."""
        try:
            mb = float(environ.get("PIZZABORG_WEB_QUOTA_MB", ""))
            files = int(environ.get("PIZZABORG_WEB_QUOTA_FILES", ""))
        except ValueError:
            return None
        return cls(int(mb * 1024 * 1024), files) if mb > 0 and files > 0 else None

    def room(self, folder: Path, slot: str) -> list[str]:
        """Make room for writing ``slot`` in ``folder``; returns notes for the learner (what was removed).
        Raises SaveError when a named save finds no room."""
        from ..engine.saves import SaveError

        target = folder / f"{slot}.json"
        files = _files(folder)
        replaced = files.pop(target.name, None)
        expected = replaced or files.get(f"{AUTOSAVE}.json", (0, 0.0))
        need = max(expected[0], 4096)
        notes: list[str] = []
        kept = sorted((f for f in files if f.startswith(AUTOSAVE + "-")), key=lambda f: files[f][1])
        while kept and (len(files) + 1 > self.max_files or _total(files) + need > self.max_bytes):
            oldest = kept.pop(0)
            try:
                (folder / oldest).unlink()
            except OSError:
                break
            files.pop(oldest)
            notes.append(
                _(
                    "Your oldest kept autosave '{name}' was removed: this session's saves are limited to {files} "
                    "files and {mb} MB on the class server."
                ).format(name=oldest[:-5], files=self.max_files, mb=self.max_bytes // (1024 * 1024))
            )
        full = len(files) + 1 > self.max_files or _total(files) + need > self.max_bytes
        if full and slot != AUTOSAVE:
            raise SaveError(
                _(
                    "no room for another save in this session (at most {files} files and {mb} MB on the class "
                    "server): save over one of your saves instead"
                ).format(files=self.max_files, mb=self.max_bytes // (1024 * 1024))
            )
        return notes


def _files(folder: Path) -> dict[str, tuple[int, float]]:
    """Every regular file directly in ``folder``: name -> (size, modified)."""
    found: dict[str, tuple[int, float]] = {}
    try:
        with os.scandir(folder) as entries:
            for e in entries:
                try:
                    if e.is_file(follow_symlinks=False):
                        st = e.stat(follow_symlinks=False)
                        found[e.name] = (st.st_size, st.st_mtime)
                except OSError:
                    continue
    except FileNotFoundError:
        pass
    return found


def _total(files: dict[str, tuple[int, float]]) -> int:
    return sum(size for size, _ in files.values())
