"""Files the game writes and reads back: atomic writes (saves, the story cache, reports, assignments)
and the format/schema header they all carry.

The text goes to a temporary file in the target's folder, is flushed to disk, and is renamed over
the target: a reader sees the old file or the new one, never a mix, and a failed or killed write
leaves the old file as it was (at most a hidden ``.NAME.*.tmp`` beside it, when the process is
killed between the two steps).
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(target: str | os.PathLike, text: str, *, sync_dir: bool = False) -> Path:
    """Write ``text`` to ``target`` atomically; raises OSError on failure (the old file stays).

    ``sync_dir`` also flushes the folder, so that the rename itself survives a power cut (saves)."""
    import tempfile  # only writers need it; keeps start-up light

    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise IsADirectoryError(21, "it is a folder", str(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    if sync_dir:
        fsync_dir(directory)
    return target


def fsync_dir(directory: str | os.PathLike) -> None:
    """Flush a folder's entries to disk, where the system allows it (errors are ignored)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def check_header(data, name: str, fmt: str, schema: int, what: str, error) -> int:
    """Check a JSON or YAML file's ``format`` and ``schema``; return the schema.

    ``what`` names the kind of file in messages ("save", "report"); ``error`` is the exception class
    raised, with a one-line message, when ``data`` is not such a file or comes from a newer PizzaBorg."""
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise error(f"{name} is not a PizzaBorg {what}")
    found = data.get("schema")
    if not isinstance(found, int) or isinstance(found, bool):
        raise error(f"{name} has no valid schema version")
    if found > schema:
        raise error(f"{name} was written by a newer PizzaBorg ({what} schema {found}, this one reads {schema})")
    return found
