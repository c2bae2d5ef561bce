"""The trainer's local copy of an LRS cohort, so ``cohort --lrs`` reads only what is new.

The first run reads every statement of the assignment and keeps them here, by id, with each attempt's
verdict. A later run asks the LRS only for what is new (``since``, less a margin: statements written at
about the same moment may be committed out of order; their ids make the overlap harmless), merges by id,
and replays only the attempts whose statements changed. An attempt's verdict is kept with a digest of its
statements and of what it was verified against (the stories and the assignment), so a new story version
or assignment file verifies everything again. A voiding statement (xAPI's ``voided`` verb) takes the
statement it names out of its attempt, and keeps it out when the LRS sends it again.

The cache is a folder per LRS, assignment and account: a small index (what ``since`` means to this LRS,
the newest statement seen, and per attempt the digest of its statements and when they were made), and
two files per attempt, its statements and its verdict (the index also names each attempt's statement ids,
so a voiding statement reads only the attempt it concerns). A run reads the index and the verdicts (the
cohort needs every verdict), and reads an attempt's statements only when the LRS sent something for it;
it writes only the attempts that changed, then the index. With 200 learners' 50-decision games the one
file it replaces held 30 MB of statements: reading it took 0.5-0.8 s and writing it 0.4-0.6 s of every run.
Files are replaced atomically but not flushed to disk (a first run writes 400 of them, 3 ms a flush): after
a power cut a file that lost its text is read as one that cannot be read, and read again from the LRS.

xAPI says ``since`` selects by the time the LRS *stored* a statement. Ralph 5 (fs and mongo backends)
compares it with the statement's own ``timestamp`` instead. The first run tells which, when it can, with
one small query (:meth:`LrsCache.probe`): an attempt whose statements were all made well before they were
stored is asked for ``since`` just before it was stored; an LRS that goes by ``stored`` returns it, one
that goes by ``timestamp`` does not. The answer is kept. Going by ``timestamp`` (or not knowing), the
query reaches back from the newest statement seen by the longest game seen (a game's statements are sent
together when it ends): a result sent much later than it was played (a game left for days, a learner's
outbox) can be missed, the run says so, and ``--no-cache`` reads everything.

The folder is the trainer's own, in the user's cache folder (``$PIZZABORG_CACHE``/lrs, or ``--cache DIR``);
it holds what these credentials read from the LRS and nothing a learner wrote there (a registration names
no file: files are named by a digest). Every file is read through the bounded, regular-file-only reader.
An index that cannot be read, or was written for another LRS, assignment or version, is set aside with a
note and everything is read from the LRS again; an attempt's file that cannot be read, or whose
statements are not the ones the index names, costs a note and that attempt is read again by registration.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..engine.i18n import _
from ..engine.times import iso, parse_iso

FORMAT = "pizzaborg-lrs-cache"
VERSION = 2  # 1: one file with every statement and verdict
INDEX = "index.json"
MAX_INDEX = 64 * 1024 * 1024  # 200 attempts are about 60 KiB
MAX_ATTEMPT = 256 * 1024 * 1024  # one attempt's statements or verdict: a 50-decision game is about 150 KiB
MARGIN = timedelta(seconds=10)  # re-asked each run: statements committed out of order within it are not missed

EPOCH = "1970-01-01T00:00:00Z"
_UNREAD = object()  # what _read gives for a file that is not there or cannot be read
Reread = Callable[[str], list]  # registration -> every statement the LRS holds for it (see merge)


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_file(folder: Path, endpoint: str, activity: str, user: str | None) -> Path:
    """Where the cache of this LRS, assignment and account lives (a folder; see the module's docstring)."""
    return folder / _sha(chr(10).join([endpoint, activity, user or ""]))[:24]


def default_folder() -> Path | None:
    from ..engine.cache import cache_dir

    root = cache_dir()
    return None if root is None else root / "lrs"


def digest_of(statements: list) -> str:
    """What an attempt's verdict depends on from the LRS: its statements, as stored, in id order."""
    ordered = sorted(statements, key=lambda s: str(s.get("id")))
    return _sha(json.dumps(ordered, sort_keys=True, ensure_ascii=True, separators=(",", ":")))


def _registration(st: dict) -> str | None:
    ctx = st.get("context")
    reg = ctx.get("registration") if isinstance(ctx, dict) else None
    return reg if isinstance(reg, str) else None


def _span(statements: list) -> tuple[str, str]:
    """When the first and the last statement of an attempt were made (``timestamp``; ``stored`` for one
    without; the epoch, a span of nought, for an attempt that says neither: it is still an attempt)."""
    made = [
        t for t in (parse_iso(st.get("timestamp")) or parse_iso(st.get("stored")) for st in statements) if t is not None
    ]
    return (iso(min(made)), iso(max(made))) if made else (EPOCH, EPOCH)


class LrsCache:
    """The index (``since``, the activity filter, per attempt a digest and when it was made), each attempt's
    statements read when needed, and each attempt's verdict."""

    def __init__(self, path: Path, endpoint: str, activity: str) -> None:
        self.path = path  # the folder
        self.endpoint = endpoint
        self.activity = activity
        self.newest: str | None = None
        self.filter_works: bool | None = None
        self.since_by: str | None = None  # "stored" (as xAPI says), "timestamp" (Ralph 5), None: not known
        self.index: dict[str, dict] = {}  # registration -> {"file", "digest", "first", "last", "ids"}
        self.voided: set[str] = set()  # statement ids a voiding statement named
        self.known: frozenset[str] = frozenset()  # the registrations kept before this run
        self.notes: list[str] = []
        self.touched: set[str] = set()  # registrations whose statements changed in this run
        self._loaded: dict[str, list[dict]] = {}  # registration -> its statements, once read or changed
        self._kept_verdicts: dict[str, dict] = {}  # registration -> verdict to write
        self._gone: set[str] = set()  # file names of attempts that no longer exist

    @property
    def note(self) -> str | None:
        """The first note (what set the index aside), or None."""
        return self.notes[0] if self.notes else None

    # ---- reading ---------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path, endpoint: str, activity: str) -> LrsCache:
        cache = cls(path, endpoint, activity)
        data = cache._read(path / INDEX, MAX_INDEX)
        if data is _UNREAD:
            return cache
        entries = data.get("attempts") if isinstance(data, dict) else None
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or data.get("version") != VERSION
            or data.get("endpoint") != endpoint
            or data.get("activity") != activity
            or not isinstance(entries, dict)
            or not isinstance(data.get("voided"), list)
        ):
            cache.notes.append(cache._foreign(path / INDEX))
            return cache
        for reg, entry in entries.items():
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("file"), str)
                and entry["file"] == cls._file_of(reg)
                and isinstance(entry.get("digest"), str)
                and all(isinstance(entry.get(k), str) and parse_iso(entry[k]) for k in ("first", "last"))
                and isinstance(entry.get("ids"), list)
                and all(isinstance(i, str) for i in entry["ids"])
            ):
                cache.index[reg] = {k: entry[k] for k in ("file", "digest", "first", "last", "ids")}
        cache.known = frozenset(cache.index)
        cache.voided = {v for v in data["voided"] if isinstance(v, str)}
        newest = data.get("newest")
        cache.newest = newest if isinstance(newest, str) and parse_iso(newest) is not None else None
        fw = data.get("filter_works")
        cache.filter_works = fw if isinstance(fw, bool) else None
        by = data.get("since_by")
        cache.since_by = by if by in ("stored", "timestamp") else None
        return cache

    def _read(self, path: Path, limit: int) -> Any:
        """A file of the cache as JSON; ``_UNREAD`` with a note when it cannot be read, ``_UNREAD`` alone when
        it is not there. Plain json: the trainer's own files (the duplicate-key check costs seconds)."""
        from ..engine.files import read_bounded

        try:
            return json.loads(read_bounded(path, limit))
        except FileNotFoundError:
            return _UNREAD
        except (OSError, ValueError, RecursionError) as exc:
            why = getattr(exc, "strerror", None) or exc
            self.notes.append(_("the LRS cache {path} cannot be read ({why}): read again").format(path=path, why=why))
            return _UNREAD

    @staticmethod
    def _foreign(path: Path) -> str:
        return _("the LRS cache {path} is not one this version wrote for this LRS: read again").format(path=path)

    @staticmethod
    def _file_of(registration: str) -> str:
        return _sha(registration)[:24]

    def registrations(self) -> list[str]:
        return sorted(self.index)

    def attempt(self, registration: str, reread: Reread) -> list[dict]:
        """An attempt's statements: from its file (read once), checked against the digest the index keeps;
        read again from the LRS (``reread``) when the file cannot be read or does not match."""
        if registration in self._loaded:
            return self._loaded[registration]
        entry = self.index.get(registration)
        if entry is None:
            return []
        path = self.path / f"{entry['file']}.statements.json"
        said = len(self.notes)
        data = self._read(path, MAX_ATTEMPT)
        group = data.get("statements") if isinstance(data, dict) else None
        if (
            isinstance(group, list)
            and data.get("registration") == registration
            and all(isinstance(s, dict) for s in group)
            and digest_of(group) == entry["digest"]
        ):
            self._loaded[registration] = group
            return group
        if len(self.notes) == said:  # _read said nothing: the file is not there, or not what the index names
            if data is _UNREAD:
                import errno
                import os

                why = os.strerror(errno.ENOENT)
                self.notes.append(
                    _("the LRS cache {path} cannot be read ({why}): read again").format(path=path, why=why)
                )
            else:
                self.notes.append(self._foreign(path))
        found = [
            s
            for s in reread(registration)
            if isinstance(s.get("id"), str) and s["id"] not in self.voided and _registration(s) == registration
        ]
        self._set(registration, list({s["id"]: s for s in found}.values()))
        return self._loaded.get(registration, [])

    def verdict(self, registration: str, context: str):
        """The kept verdict of an attempt whose statements and context are unchanged, or None."""
        entry = self.index.get(registration)
        if entry is None or registration in self.touched:
            return None
        path = self.path / f"{entry['file']}.verdict.json"
        kept = self._read(path, MAX_ATTEMPT)
        if (
            not isinstance(kept, dict)
            or kept.get("registration") != registration
            or kept.get("digest") != entry["digest"]
            or kept.get("context") != context
        ):
            return None
        return self._verdict(kept)

    @staticmethod
    def _verdict(kept: dict):
        from .verify import Verdict

        v = kept.get("verdict")
        if not isinstance(v, dict):
            return None
        try:
            return Verdict(**v)
        except TypeError:
            return None

    # ---- what ``since`` to ask for ---------------------------------------------------------------

    def since(self) -> str | None:
        """The ``since`` to ask the LRS for. Going by ``stored``: the newest ``stored`` time seen, less the
        margin. Going by ``timestamp``, or not known: the newest ``timestamp`` seen less the longest game
        seen (a game's statements are sent together when it ends, the first made that long before) and the
        margin."""
        stored = parse_iso(self.newest) if self.newest else None
        if stored is None:
            return None
        if self.since_by == "stored" or not self.index:
            return iso(stored - MARGIN)
        newest_made = max(self._when(e["last"]) for e in self.index.values())
        return iso(min(stored, newest_made) - timedelta(seconds=self.longest_game()) - MARGIN)

    def longest_game(self) -> float:
        """Seconds from the first to the last statement made in one attempt, the longest of them."""
        return max(
            ((self._when(e["last"]) - self._when(e["first"])).total_seconds() for e in self.index.values()),
            default=0.0,
        )

    @staticmethod
    def _when(text: str) -> datetime:
        t = parse_iso(text)
        assert t is not None  # checked when the index was read or written
        return t

    def probe(self, lrs) -> None:
        """Find out whether the LRS applies ``since`` to ``stored`` or to ``timestamp`` (see the module's
        docstring), with one query for one attempt of those read in this run; left unknown when none can
        tell."""
        if self.since_by is not None:
            return
        for reg, group in self._loaded.items():
            stored = [parse_iso(st.get("stored")) for st in group]
            made = [parse_iso(st.get("timestamp")) for st in group]
            if not group or None in stored or None in made:
                continue
            first_stored = min(t for t in stored if t is not None)
            last_made = max(t for t in made if t is not None)
            if last_made < first_stored - 3 * MARGIN:  # all made well before any was stored
                found = lrs.get_statements({"registration": reg, "since": iso(first_stored - MARGIN)})
                self.since_by = "stored" if found else "timestamp"
                return

    # ---- merging what the LRS sent ---------------------------------------------------------------

    def merge(self, found: list, reread: Reread) -> int:
        """Add statements by id, apply voiding statements; the number of statements that were new.
        Only the attempts the LRS sent something for are read from their files."""
        from .lrs_cohort import voided_target

        newest = parse_iso(self.newest) if self.newest else None
        targets: set[str] = set()
        by_reg: dict[str, list[dict]] = {}
        for s in found:
            t = parse_iso(s.get("stored"))
            if t is not None and (newest is None or t > newest):
                newest = t
            target = voided_target(s)
            if target is not None:
                targets.add(target)
                continue
            reg = _registration(s)
            if reg is not None and isinstance(s.get("id"), str):
                by_reg.setdefault(reg, []).append(s)
        if newest is not None:
            self.newest = iso(newest)
        fresh = targets - self.voided
        self.voided |= targets
        added = 0
        for reg, group in by_reg.items():
            kept = self.attempt(reg, reread)
            by_id = {s["id"]: s for s in kept}
            changed = False
            for s in group:
                if s["id"] in self.voided:
                    continue
                old = by_id.get(s["id"])
                if old is None:
                    added += 1
                if old != s:
                    by_id[s["id"]] = s
                    changed = True
            if changed:
                self._set(reg, list(by_id.values()))
        if fresh:
            self._void(fresh, reread)
        return added

    def _void(self, ids: set[str], reread: Reread) -> None:
        """Take the statements with these ids out of the attempts that hold them (the index names each
        attempt's ids, so only those attempts are read)."""
        for reg in [r for r, e in self.index.items() if not ids.isdisjoint(e["ids"])]:
            group = self.attempt(reg, reread)
            if any(s.get("id") in ids for s in group):
                self._set(reg, [s for s in group if s.get("id") not in ids])

    def _set(self, registration: str, group: list[dict]) -> None:
        """An attempt's statements changed (or were read again): kept, digested, written at save()."""
        self.touched.add(registration)
        name = self._file_of(registration)
        if not group:  # every statement voided
            self._loaded.pop(registration, None)
            if self.index.pop(registration, None) is not None:
                self._gone.add(name)
            return
        span = _span(group)
        self._loaded[registration] = group
        self.index[registration] = {
            "file": name,
            "digest": digest_of(group),
            "first": span[0],
            "last": span[1],
            "ids": sorted(s["id"] for s in group),
        }
        self._gone.discard(name)

    def keep_verdict(self, registration: str, context: str, verdict) -> None:
        entry = self.index.get(registration)
        if entry is None:
            return
        # a shallow copy: the report is plain JSON already (dataclasses.asdict copies it deeply, 10 ms a game)
        v = {f.name: getattr(verdict, f.name) for f in fields(verdict)}
        self._kept_verdicts[registration] = {
            "registration": registration,
            "digest": entry["digest"],
            "context": context,
            "verdict": v,
        }

    # ---- writing ---------------------------------------------------------------------------------

    def save(self) -> str | None:
        """Write the attempts that changed and their verdicts, then the index; a one-line note when the
        cache cannot be written (the cohort itself is not affected)."""
        from ..engine.files import write_atomic

        def dumps(value: object) -> str:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)

        data = {
            "format": FORMAT,
            "version": VERSION,
            "endpoint": self.endpoint,
            "activity": self.activity,
            "newest": self.newest,
            "filter_works": self.filter_works,
            "since_by": self.since_by,
            "voided": sorted(self.voided),
            "attempts": self.index,
        }
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            for reg in sorted(self.touched):
                if reg in self.index:
                    name = self.index[reg]["file"]
                    body = {"registration": reg, "statements": self._loaded[reg]}
                    write_atomic(self.path / f"{name}.statements.json", dumps(body), durable=False)
            for reg, kept in sorted(self._kept_verdicts.items()):
                if reg in self.index:
                    write_atomic(self.path / f"{self.index[reg]['file']}.verdict.json", dumps(kept), durable=False)
            write_atomic(self.path / INDEX, dumps(data), durable=False)
            for name in self._gone:
                for kind in ("statements", "verdict"):
                    (self.path / f"{name}.{kind}.json").unlink(missing_ok=True)
            old = self.path.with_name(self.path.name + ".json")  # version 1's one file, 30 MB for 200 learners
            if old.is_file():
                old.unlink()
        except (OSError, TypeError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or exc
            return _("the LRS cache {path} could not be written ({why})").format(path=self.path, why=why)
        return None
