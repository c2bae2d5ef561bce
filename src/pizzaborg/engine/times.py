"""Times, in one place: now in UTC, the ISO 8601 forms saves and reports write, reading them back, and the
time of each decision.

The engine's saves need them, so they live in the engine; the play layer, the trainer tools and the
class server import them from here instead of keeping copies (there were ten or so, in five modules).
A decision's time is metadata the face records when the player decides: the game itself stays a
function of (story, seed, decisions).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

#: A decision's ``at``: UTC with milliseconds and a Z, e.g. ``2026-11-28T18:46:12.345Z``.
AT_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def utcnow() -> datetime:
    """Now, in UTC, to the second (when a game or a report began or ended)."""
    return datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    """Today's date in UTC (deadlines, the cohort page's date)."""
    return utcnow().date()


def now_iso() -> str:
    """Now as a save's ``created``/``updated``: ``2026-11-28T18:46:12+00:00``."""
    return utcnow().isoformat()


def iso(dt: datetime) -> str:
    """``dt`` in UTC to the second with a Z: ``2026-11-28T18:46:12Z`` (the reports' form)."""
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def stamp(now: datetime | None = None) -> str:
    """``2026-11-28T18:46:12.345Z``: the form of a decision's ``at`` (and of an xAPI timestamp)."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: object) -> datetime | None:
    """An ISO 8601 time (a Z allowed) as an aware datetime (UTC when it names no zone), else None."""
    if not isinstance(text, str) or not text:
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt


def is_time(value: object) -> bool:
    """Whether a file's claim is a short printable ISO 8601 time (saves keep it, or nothing)."""
    if not isinstance(value, str) or len(value) > 40:
        return False
    return parse_iso(value) is not None and value.isascii() and value.isprintable()


def valid_at(value: object) -> bool:
    """Whether ``value`` is a decision's ``at`` in the one form saves hold."""
    return isinstance(value, str) and bool(AT_RE.match(value)) and parse_iso(value) is not None


def track_times(times: list, count: int, now: datetime | None = None) -> list:
    """The decision times for a game that now has ``count`` decisions: cut after an undo, or one new
    stamp for each decision made since (never earlier than the one before, whatever the clock does)."""
    times = list(times[:count])
    if len(times) < count:
        at = stamp(now)
        last = next((t for t in reversed(times) if t), None)
        if last is not None and last > at:
            at = last
        times += [at] * (count - len(times))
    return times


def duration_seconds(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from ``start`` to ``end`` (None when either is unknown or the clock went back)."""
    if start is None or end is None:
        return None
    seconds = (end - start).total_seconds()
    return seconds if seconds >= 0 else None
