"""The trainer's local copy of an LRS cohort, so ``cohort --lrs`` reads only what is new.

The first run reads every statement of the assignment and keeps them here, by id, with each attempt's
verdict. A later run asks the LRS only for what is new (``since``, less a margin: statements written at
about the same moment may be committed out of order; their ids make the overlap harmless), merges by id,
and replays only the attempts whose statements changed. An attempt's verdict is kept with a digest of its
statements and of what it was verified against (the stories and the assignment), so a new story version
or assignment file verifies everything again.

xAPI says ``since`` selects by the time the LRS *stored* a statement. Ralph 5 (fs and mongo backends)
compares it with the statement's own ``timestamp`` instead. The first run tells which, when it can, with
one small query (:meth:`LrsCache.probe`): an attempt whose statements were all made well before they were
stored is asked for ``since`` just before it was stored; an LRS that goes by ``stored`` returns it, one
that goes by ``timestamp`` does not. The answer is kept. Going by ``timestamp`` (or not knowing), the
query reaches back from the newest statement seen by the longest game seen (a game's statements are sent
together when it ends): a result sent much later than it was played (a game left for days, a learner's
outbox) can be missed, the run says so, and ``--no-cache`` reads everything.

The file is the trainer's own, in the user's cache folder (``$PIZZABORG_CACHE``/lrs, or ``--cache DIR``),
one per LRS, assignment and account; it holds what these credentials read from the LRS and nothing a
learner wrote there. It is read through the bounded, regular-file-only reader; one that cannot be read
is set aside with a note, and everything is read from the LRS again.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from ..engine.i18n import _
from ..engine.times import iso, parse_iso

FORMAT = "pizzaborg-lrs-cache"
VERSION = 1
MAX_BYTES = 1024 * 1024 * 1024  # 200 learners' 50-decision games are about 20 MiB
MARGIN = timedelta(seconds=10)  # re-asked each run: statements committed out of order within it are not missed


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_file(folder: Path, endpoint: str, activity: str, user: str | None) -> Path:
    return folder / f"{_sha(chr(10).join([endpoint, activity, user or '']))[:24]}.json"


def default_folder() -> Path | None:
    from ..engine.cache import cache_dir

    root = cache_dir()
    return None if root is None else root / "lrs"


def digest_of(statements: list) -> str:
    """What an attempt's verdict depends on from the LRS: its statements, as stored, in id order."""
    ordered = sorted(statements, key=lambda s: str(s.get("id")))
    return _sha(json.dumps(ordered, sort_keys=True, ensure_ascii=True, separators=(",", ":")))


class LrsCache:
    """Statements by id, the newest ``stored`` time seen, whether the LRS honours the activity filter,
    and each attempt's verdict."""

    def __init__(self, path: Path, endpoint: str, activity: str) -> None:
        self.path = path
        self.endpoint = endpoint
        self.activity = activity
        self.statements: dict[str, dict] = {}
        self.newest: str | None = None
        self.filter_works: bool | None = None
        self.since_by: str | None = None  # "stored" (as xAPI says), "timestamp" (Ralph 5), None: not known
        self.verdicts: dict[str, dict] = {}
        self.note: str | None = None
        self.touched: set[str] = set()  # registrations with a statement new or changed in this run
        self._spans: dict[str, tuple] | None = None  # see _made_spans; None after the statements change

    @classmethod
    def load(cls, path: Path, endpoint: str, activity: str) -> LrsCache:
        cache = cls(path, endpoint, activity)
        from ..engine.files import read_bounded

        try:  # the trainer's own file, written by save(): plain json (the duplicate-key check costs seconds)
            data = json.loads(read_bounded(path, MAX_BYTES))
        except FileNotFoundError:
            return cache
        except (OSError, ValueError, RecursionError) as exc:
            why = getattr(exc, "strerror", None) or exc
            cache.note = _("the LRS cache {path} cannot be read ({why}): read again").format(path=path, why=why)
            return cache
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or data.get("version") != VERSION
            or data.get("endpoint") != endpoint
            or data.get("activity") != activity
            or not isinstance(data.get("statements"), dict)
            or not isinstance(data.get("verdicts"), dict)
        ):
            cache.note = _("the LRS cache {path} is not one this version wrote for this LRS: read again").format(
                path=path
            )
            return cache
        cache.statements = {k: v for k, v in data["statements"].items() if isinstance(v, dict)}
        newest = data.get("newest")
        cache.newest = newest if isinstance(newest, str) and parse_iso(newest) is not None else None
        fw = data.get("filter_works")
        cache.filter_works = fw if isinstance(fw, bool) else None
        by = data.get("since_by")
        cache.since_by = by if by in ("stored", "timestamp") else None
        cache.verdicts = {k: v for k, v in data["verdicts"].items() if isinstance(v, dict)}
        return cache

    def since(self) -> str | None:
        """The ``since`` to ask the LRS for. Going by ``stored``: the newest ``stored`` time seen, less the
        margin. Going by ``timestamp``, or not known: the newest ``timestamp`` seen less the longest game
        seen (a game's statements are sent together when it ends, the first made that long before) and the
        margin."""
        stored = parse_iso(self.newest) if self.newest else None
        if stored is None:
            return None
        if self.since_by == "stored":
            return iso(stored - MARGIN)
        spans = self._made_spans()
        if not spans:
            return iso(stored - MARGIN)
        newest_made = max(last for _first, last in spans.values())
        return iso(min(stored, newest_made) - timedelta(seconds=self.longest_game()) - MARGIN)

    def longest_game(self) -> float:
        """Seconds from the first to the last statement made in one attempt, the longest of them."""
        return max(((last - first).total_seconds() for first, last in self._made_spans().values()), default=0.0)

    def _by_registration(self) -> dict[str, list[dict]]:
        groups: dict[str, list[dict]] = {}
        for st in self.statements.values():
            ctx = st.get("context")
            reg = ctx.get("registration") if isinstance(ctx, dict) else None
            if isinstance(reg, str):
                groups.setdefault(reg, []).append(st)
        return groups

    def _made_spans(self) -> dict[str, tuple]:
        """{registration: (first, last) statement timestamp}, worked out once per set of statements (a run
        asks for it for the query and again for its note; a cohort holds thousands of statements)."""
        if self._spans is None:
            spans = {}
            for reg, group in self._by_registration().items():
                made = [t for t in (parse_iso(st.get("timestamp")) for st in group) if t is not None]
                if made:
                    spans[reg] = (min(made), max(made))
            self._spans = spans
        return self._spans

    def probe(self, lrs) -> None:
        """Find out whether the LRS applies ``since`` to ``stored`` or to ``timestamp`` (see the module's
        docstring), with one query for one attempt; left unknown when no attempt can tell."""
        if self.since_by is not None:
            return
        for reg, group in self._by_registration().items():
            stored = [parse_iso(st.get("stored")) for st in group]
            made = [parse_iso(st.get("timestamp")) for st in group]
            if None in stored or None in made:
                continue
            first_stored = min(t for t in stored if t is not None)
            last_made = max(t for t in made if t is not None)
            if last_made < first_stored - 3 * MARGIN:  # all made well before any was stored
                found = lrs.get_statements({"registration": reg, "since": iso(first_stored - MARGIN)})
                self.since_by = "stored" if found else "timestamp"
                return

    def merge(self, found: list) -> int:
        """Add statements by id; the number that were new."""
        added = 0
        newest = parse_iso(self.newest) if self.newest else None
        for s in found:
            sid = s.get("id")
            if not isinstance(sid, str):
                continue
            if sid not in self.statements:
                added += 1
            if self.statements.get(sid) != s:
                ctx = s.get("context")
                reg = ctx.get("registration") if isinstance(ctx, dict) else None
                self.touched.add(reg if isinstance(reg, str) else "")
            self.statements[sid] = s
            self._spans = None
            t = parse_iso(s.get("stored"))
            if t is not None and (newest is None or t > newest):
                newest = t
        if newest is not None:
            self.newest = iso(newest)
        return added

    def verdict(self, registration: str, group: list, context: str):
        """(the kept verdict of an attempt whose statements and context are unchanged or None, the digest of
        its statements). Only an attempt that got a new or changed statement in this run is digested again."""
        kept = self.verdicts.get(registration)
        if kept and registration not in self.touched and isinstance(kept.get("digest"), str):
            digest = kept["digest"]
        else:
            digest = digest_of(group)
        if not kept or kept.get("digest") != digest or kept.get("context") != context:
            return None, digest
        return self._verdict(kept), digest

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

    def keep_verdict(self, registration: str, digest: str, context: str, verdict) -> None:
        self.verdicts[registration] = {"digest": digest, "context": context, "verdict": asdict(verdict)}

    def save(self) -> str | None:
        """Write the cache; a one-line note when it cannot be (the cohort itself is not affected)."""
        from ..engine.files import write_atomic

        data = {
            "format": FORMAT,
            "version": VERSION,
            "endpoint": self.endpoint,
            "activity": self.activity,
            "newest": self.newest,
            "filter_works": self.filter_works,
            "since_by": self.since_by,
            "statements": self.statements,
            "verdicts": self.verdicts,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str))
        except (OSError, TypeError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or exc
            return _("the LRS cache {path} could not be written ({why})").format(path=self.path, why=why)
        return None
