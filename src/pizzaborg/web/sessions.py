"""The class server's sessions: who has which resume code, and ``<data>/sessions.json`` that keeps the
table (hashed codes only) across restarts. The code is only ever a key into this table, never part of a
path."""

from __future__ import annotations

import hashlib
import json
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.times import now_iso
from .codes import new_code, normal_code

if TYPE_CHECKING:
    import asyncio

    from aiohttp import web

    from .server import SessionService

MAX_INDEX_BYTES = 16 * 1024 * 1024  # sessions.json: a class of thousands is a few MiB


def _digest(code: str) -> str:
    return hashlib.sha256(normal_code(code).encode("ascii", "replace")).hexdigest()


@dataclass
class ClassSession:
    id: str  # made by the server: the folder name and the id in hand-in records
    resume: str  # the code the learner keeps (held in memory, stored only hashed)
    created: str
    folder: Path
    service: SessionService | None = None  # the game being played (it holds a place on the server)
    websocket: web.WebSocketResponse | None = None
    leaving: SessionService | None = None  # the last game, perhaps still saving on its way out
    closed: str | None = None  # why the last game closed, for the page
    grace: asyncio.Task | None = None  # the page went: the game waits this out for it to come back


class Sessions:
    """The server's table of sessions, by resume code; ``<data>/sessions.json`` keeps it (hashed codes)
    across restarts."""

    def __init__(self, data_dir: Path):
        self.root = data_dir / "sessions"
        self.index_path = data_dir / "sessions.json"
        self.by_digest: dict[str, ClassSession] = {}
        self._stored: dict[str, dict] = {}
        from ..engine.files import loads_json, read_bounded

        try:  # the one bounded, regular-file-only reader: a FIFO here does not hang the start
            stored = loads_json(read_bounded(self.index_path, MAX_INDEX_BYTES))
            if isinstance(stored, dict):
                self._stored = {
                    k: v for k, v in stored.items() if isinstance(v, dict) and str(v.get("id", "")).isalnum()
                }
        except FileNotFoundError:
            pass
        except (OSError, ValueError, RecursionError) as exc:
            print(
                f"pizzaborg: note: {self.index_path} cannot be read ({getattr(exc, 'strerror', None) or exc}): "
                "earlier sessions' resume codes are not known",
                file=sys.stderr,
            )

    def new(self) -> ClassSession:
        sid = secrets.token_hex(6)
        resume = new_code()
        s = ClassSession(sid, resume, now_iso(), self.root / sid)
        self.by_digest[_digest(resume)] = s
        return s

    def find(self, code: str | None) -> ClassSession | None:
        if not code:
            return None
        d = _digest(code)
        s = self.by_digest.get(d)
        if s is None and d in self._stored:  # a session from before a restart
            rec = self._stored[d]
            s = ClassSession(rec["id"], normal_code(code), str(rec.get("created", "")), self.root / rec["id"])
            self.by_digest[d] = s
        return s

    def keep(self, s: ClassSession) -> None:
        """Write the session into the stored table (when its first game starts)."""
        d = _digest(s.resume)
        if d in self._stored:
            return
        self._stored[d] = {"id": s.id, "created": s.created}
        from ..engine.files import write_atomic

        write_atomic(self.index_path, json.dumps(self._stored, indent=1) + "\n")

    def live(self) -> int:
        return sum(1 for s in self.by_digest.values() if s.service is not None)
