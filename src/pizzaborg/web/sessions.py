"""The class server's sessions: who has which resume code, and ``<data>/sessions.json`` that keeps the
table (hashed codes only) across restarts. The code is only ever a key into this table, never part of a
path.

A page served to a browser without a session cookie stores nothing: its cookie is the new code with a
tag signed by the server, and the session enters the table only when a game is opened for it (20,000
cookie-less requests keep no memory). ``sessions.json`` has a backup written before each replace; when
it cannot be read the backup is used, and a table that cannot be read is never overwritten: new
sessions go to a side file, and the server's terminal says so.

Two or more class servers may share one data folder (behind a proxy, docs/deploy.md): each adds its new
sessions to ``sessions.json`` under a lock (``sessions.json.lock``), merged with what the others wrote, and
a code this server does not know is looked up again in the file. The class server adds a session with
:meth:`Sessions.store`, which writes off the event loop: one writer task hands the fsync'd, locked write to a
thread, with every session that arrived meanwhile (30 learners at once: a few writes, not 30 on the loop), and
returns once the session is on disk. Their signatures (a new session's cookie
tag, the access cookie) come from one key kept in the folder (``.pizzaborg-server-key``), so a page one
server gave out is good on the other."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.times import now_iso
from .codes import new_code, normal_code

if TYPE_CHECKING:
    from aiohttp import web

    from .lms import LmsLaunch
    from .server import SessionService

MAX_INDEX_BYTES = 16 * 1024 * 1024  # sessions.json: a class of thousands is a few MiB
TAG = "~"  # separates a new session's code from its signature in the cookie
SERVER_KEY = ".pizzaborg-server-key"  # in the data folder: the servers sharing it sign with one key


def _digest(code: str) -> str:
    return hashlib.sha256(normal_code(code).encode("ascii", "replace")).hexdigest()


@dataclass
class ClassSession:
    id: str  # made by the server: the folder name and the id in hand-in records
    resume: str  # the code the learner keeps (held in memory, stored only hashed)
    created: str
    root: Path  # the server's sessions folder
    service: SessionService | None = None  # the game being played (it holds a place on the server)
    websocket: web.WebSocketResponse | None = None
    leaving: SessionService | None = None  # the last game, perhaps still saving on its way out
    closed: str | None = None  # why the last game closed, for the page
    grace: asyncio.Task | None = None  # the page went: the game waits this out for it to come back
    lang: str | None = None  # the page's language (web/lang.py): the words the server says later are in it
    lms: LmsLaunch | None = None  # launched from an LMS (web/lms.py): a SCORM package's or a cmi5 AU's learner

    @property
    def folder(self) -> Path:
        """The session's own folder, made when asked for: pathlib keeps every name it parses for good, and
        a page whose game never opened must keep nothing."""
        return self.root / self.id


class Sessions:
    """The server's table of sessions, by resume code; ``<data>/sessions.json`` keeps it (hashed codes)
    across restarts."""

    def __init__(self, data_dir: Path, say=None):
        self.root = data_dir / "sessions"
        self.index_path = data_dir / "sessions.json"
        self.backup_path = data_dir / "sessions.json.bak"
        self.side_path = data_dir / "sessions.side.json"  # new sessions while sessions.json cannot be read
        self.write_path = self.index_path
        self.lock_path = data_dir / "sessions.json.lock"  # held while a server adds to sessions.json
        self.say = say or (lambda line: print(line, file=sys.stderr, flush=True))
        self.by_digest: dict[str, ClassSession] = {}
        self._stored: dict[str, dict] = {}
        self.key = self._server_key(data_dir)
        self._secret = self.secret(b"sessions")
        self._last_text: str | None = None  # what sessions.json held when read or last written: the next backup
        self._seen: tuple | None = None  # sessions.json's identity when last read: another server changed it?
        self._side_keys: set[str] = set()
        # the table's state, shared by the event loop (find, _refresh) and the writer's thread (_write_records)
        self._state = threading.Lock()
        self._queued: dict[str, tuple[dict, asyncio.Future]] = {}  # sessions waiting for the writer (store)
        self._writer: asyncio.Task | None = None
        try:
            self._seen = self._identity()
            self._stored, self._last_text = self._read(self.index_path)
        except FileNotFoundError:
            pass
        except (OSError, ValueError, RecursionError) as exc:
            why = getattr(exc, "strerror", None) or exc
            self.write_path = self.side_path
            try:
                self._stored, _ = self._read(self.backup_path)
                got = f"the resume codes in {self.backup_path.name} (its backup) are used"
            except (OSError, ValueError, RecursionError):
                got = "earlier sessions' resume codes are not known"
            self.say(
                f"pizzaborg: warning: {self.index_path} cannot be read ({why}): {got}; it is left as it is and "
                f"new sessions are written to {self.side_path}"
            )
        try:  # sessions made while sessions.json could not be read, in an earlier run
            side, _ = self._read(self.side_path)
            self._stored.update(side)
            self._side_keys = set(side)
        except FileNotFoundError:
            pass
        except (OSError, ValueError, RecursionError) as exc:
            self.say(f"pizzaborg: warning: {self.side_path} cannot be read ({getattr(exc, 'strerror', None) or exc})")

    def _server_key(self, data_dir: Path) -> bytes:
        """The key kept in the data folder (made once, private), so that every server sharing the folder
        signs alike; without it, a key for this run only."""
        from ..trainer.classrecord import ensure_key

        try:
            return ensure_key(data_dir, SERVER_KEY)
        except (OSError, ValueError) as exc:
            self.say(
                f"pizzaborg: warning: the server key in {data_dir} cannot be made or read ({exc}): resume links "
                "and access cookies hold for this run only, and no other server can share the folder"
            )
            return secrets.token_bytes(32)

    def secret(self, purpose: bytes) -> bytes:
        """A signing key for one purpose, derived from the folder's key."""
        return hmac.new(self.key, b"pizzaborg-web:" + purpose, hashlib.sha256).digest()

    def _identity(self) -> tuple | None:
        try:
            st = os.stat(self.index_path)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Only one server at a time adds to sessions.json (an advisory lock on a file beside it; none where
        the system has no flock)."""
        try:
            import fcntl
        except ImportError:  # Windows: one server per folder
            yield
            return
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _refresh(self, always: bool = False) -> bool:
        """Take in the sessions another server sharing the folder stored since this one last read the
        file (``always``: read it even if it looks unchanged); False when it cannot be read (it is then left
        alone: :meth:`keep` says so)."""
        seen = self._identity()
        if seen is None or (seen == self._seen and not always):
            return True
        try:
            stored, text = self._read(self.index_path)
        except (OSError, ValueError, RecursionError):
            return False
        with self._state:
            for digest, rec in stored.items():
                self._stored.setdefault(digest, rec)
            self._seen, self._last_text = seen, text
        return True

    @staticmethod
    def _read(path: Path) -> tuple[dict[str, dict], str]:
        """A stored table, checked; the one bounded, regular-file-only reader (a FIFO does not hang the
        start). ValueError when it is not a table of sessions."""
        from ..engine.files import loads_json, read_bounded

        raw = read_bounded(path, MAX_INDEX_BYTES)
        stored = loads_json(raw)
        if not isinstance(stored, dict):
            raise ValueError("it is not a table of sessions")
        table = {k: v for k, v in stored.items() if isinstance(v, dict) and str(v.get("id", "")).isalnum()}
        return table, raw.decode("utf-8")

    def _tag(self, code: str) -> str:
        return hmac.new(self._secret, normal_code(code).encode("ascii", "replace"), hashlib.sha256).hexdigest()[:20]

    def new(self) -> ClassSession:
        """A new session for a page: not in the table until :meth:`adopt` (its first websocket)."""
        resume = new_code()
        return self._pending(resume)

    def _pending(self, resume: str) -> ClassSession:
        sid = hmac.new(self._secret, b"id:" + resume.encode("ascii"), hashlib.sha256).hexdigest()[:12]
        return ClassSession(sid, resume, now_iso(), self.root)

    def cookie(self, s: ClassSession) -> str:
        """The session cookie's value: the code, with the server's tag while the session is not stored."""
        return s.resume if _digest(s.resume) in self.by_digest else f"{s.resume}{TAG}{self._tag(s.resume)}"

    def find(self, code: str | None) -> ClassSession | None:
        if not code:
            return None
        code, _, tag = str(code)[: 2 * 64].partition(TAG)
        d = _digest(code)
        s = self.by_digest.get(d)
        if s is None and d not in self._stored and self.write_path == self.index_path:
            self._refresh()  # perhaps a session another server sharing the folder stored
        if s is None and d in self._stored:  # a session from before a restart, or another server's
            rec = self._stored[d]
            s = ClassSession(rec["id"], normal_code(code), str(rec.get("created", "")), self.root)
            self.by_digest[d] = s
        if s is None and tag and hmac.compare_digest(tag, self._tag(code)):
            s = self._pending(normal_code(code))  # a page this server gave out: nothing kept until a game opens
        return s

    def adopt(self, s: ClassSession) -> ClassSession:
        """The session a websocket opened: kept in memory from now on (the same object every time)."""
        return self.by_digest.setdefault(_digest(s.resume), s)

    def opened(self, s: ClassSession) -> bool:
        return self.by_digest.get(_digest(s.resume)) is s

    def keep(self, s: ClassSession) -> None:
        """Write the session into the stored table, here and now (:meth:`store` does it off the event loop).
        OSError (a full disk): it is not kept, so that the next game of this session tries again."""
        self.adopt(s)
        d = _digest(s.resume)
        if d not in self._stored:
            self._write_records({d: {"id": s.id, "created": s.created}})

    async def store(self, s: ClassSession) -> None:
        """:meth:`keep` without blocking the event loop (when a session's first game starts): the write is
        done in a thread by one writer task, together with the sessions that arrived while it wrote. Returns
        once the session is on disk, so its game (whose resume code the learner will rely on) starts only
        then; OSError as :meth:`keep`, to every session of a write that failed."""
        self.adopt(s)
        d = _digest(s.resume)
        if d in self._stored:
            return
        queued = self._queued.get(d)
        if queued is None:
            done = asyncio.get_running_loop().create_future()
            done.add_done_callback(_seen_out)
            queued = self._queued[d] = ({"id": s.id, "created": s.created}, done)
            if self._writer is None or self._writer.done():
                self._writer = asyncio.create_task(self._write_queued())
        await asyncio.shield(queued[1])  # a page that goes meanwhile does not stop the others' write

    async def _write_queued(self) -> None:
        """The writer: what is queued, in one write in a thread, until nothing is."""
        while self._queued:
            batch, self._queued = self._queued, {}
            try:
                await asyncio.to_thread(self._write_records, {d: rec for d, (rec, _) in batch.items()})
            except BaseException as exc:  # OSError (a full disk) for each page that waits; the writer's end: cancelled
                for _, done in batch.values():
                    if done.done():
                        continue
                    if isinstance(exc, Exception):
                        done.set_exception(exc)
                    else:
                        done.cancel()
                if not isinstance(exc, Exception):
                    raise
                continue
            for _, done in batch.values():
                if not done.done():
                    done.set_result(None)

    def _write_records(self, records: dict[str, dict]) -> None:
        """Add ``records`` to the stored table on disk (under the folder's lock, merged with what other servers
        wrote), then to this one's; safe in a thread while the loop looks sessions up. OSError: none is added."""
        from ..engine.files import write_atomic

        with self._locked():  # another server sharing the folder adds its sessions in turn, never over these
            if self.write_path == self.index_path and not self._refresh(always=True):
                self.write_path = self.side_path
                self.say(
                    f"pizzaborg: warning: {self.index_path} cannot be read any more: it is left as it is and new "
                    f"sessions are written to {self.side_path}"
                )
            with self._state:
                table = {**self._stored, **records}  # the records join self._stored once they are on disk
                backup = self._last_text
            if self.write_path == self.side_path:
                keys = self._side_keys | set(records)
                write_atomic(self.side_path, json.dumps({k: table[k] for k in keys}, indent=1) + "\n")
                with self._state:
                    self._stored.update(records)
                    self._side_keys = keys
                return
            text = json.dumps(table, indent=1) + "\n"
            if backup is not None:
                write_atomic(self.backup_path, backup)  # the table as it was, before it is replaced
            write_atomic(self.index_path, text)
            with self._state:
                self._stored.update(records)
                self._last_text, self._seen = text, self._identity()


def _seen_out(done: asyncio.Future) -> None:
    """A failed write's error is read even when every page that waited for it has gone (no asyncio warning)."""
    if not done.cancelled():
        done.exception()
