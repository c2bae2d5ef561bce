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

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any, NoReturn


def write_atomic(
    target: str | os.PathLike, text: str, *, sync_dir: bool = False, shared: bool = False, durable: bool = True
) -> Path:
    """Write ``text`` to ``target`` atomically; raises OSError on failure (the old file stays).

    ``sync_dir`` also flushes the folder, so that the rename itself survives a power cut (saves).
    ``shared``: a file meant for others (a cohort page, a hand-in, an assignment) keeps the mode of the
    file it replaces, or gets the one the umask gives a new file (0644 under umask 022), instead of the
    temporary file's 0600; saves, the outbox and keys stay private. ``durable=False`` skips flushing the
    file to disk (a power cut may leave it empty): for files that are checked when read and can be made
    again (the trainer's LRS cache writes hundreds; each flush costs milliseconds)."""
    import tempfile  # only writers need it; keeps start-up light

    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise IsADirectoryError(21, "it is a folder", str(target))
    tmp: str | None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            if shared:
                os.fchmod(fh.fileno(), _shared_mode(target))
            if durable:
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


def _shared_mode(target: Path) -> int:
    import stat

    try:
        return stat.S_IMODE(os.stat(target).st_mode) & 0o777
    except OSError:
        return 0o666 & ~current_umask()


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back at once)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


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


def check_header(data: object, name: str, fmt: str, schema: int, what: str, error: type[Exception]) -> int:
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


# ---- reading files someone else made -------------------------------------------------------------


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a socket (or a link to one): never read."""


class TooLarge(OSError):
    """More bytes than the reader's limit (counted while reading: st_size is never trusted)."""


def read_bounded(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a *regular* file of at most ``limit`` bytes.

    Opens without blocking (a FIFO with no writer does not hang the open), checks the opened file is a
    regular file (a link to ``/dev/zero`` is refused), and reads at most ``limit + 1`` bytes, so a huge
    or growing file costs ``limit`` bytes of memory. Raises FileNotFoundError, IsADirectoryError,
    :class:`NotRegularFile`, :class:`TooLarge` or another OSError."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "it is a folder", str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFile(0, "not a regular file (a pipe, a device or a link to one)", str(path))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise TooLarge(0, f"larger than {limit // 1024} KiB", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_handed(
    path: str | os.PathLike, limit: int, name: str, what: str, error: type[Exception], missing: str
) -> bytes:
    """The bytes of a file someone else may have written (a save, a report): ``read_bounded``, with
    each way it can fail as one line raised as ``error`` (``name``: the file as shown; ``what``: 'a
    save', 'a report'; ``missing``: the line for a file that is not there)."""
    try:
        return read_bounded(path, limit)
    except FileNotFoundError:
        raise error(missing) from None
    except IsADirectoryError:
        raise error(f"{name} is a folder, not {what}") from None
    except NotRegularFile:
        raise error(f"{name} is not a regular file (a pipe, a device or a link to one): not read") from None
    except TooLarge:
        raise error(f"{name} is too large to be {what} (more than {limit // 1024} KiB)") from None
    except (OSError, ValueError) as exc:
        raise error(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from None


def read_handed_text(
    path: str | os.PathLike, limit: int, name: str, what: str, error: type[Exception], missing: str
) -> str:
    """``read_handed`` decoded as UTF-8 (a byte-order mark, as Notepad writes one, is accepted and dropped);
    text that is not UTF-8 is ``error`` '``name`` is not a text file'."""
    raw = read_handed(path, limit, name, what, error, missing)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{name} is not a text file (not UTF-8)") from None


class DuplicateKey(ValueError):
    """A JSON object names one key twice (two scores, two learners): which one counts is not said."""


def _no_duplicates(pairs: list) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(f"the key '{key[:40]}' appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number a file may hold")


def loads_json(raw: bytes | str) -> Any:
    """JSON someone handed in: a UTF-8 byte-order mark accepted, a key given twice in one object refused
    (:class:`DuplicateKey`), NaN and Infinity refused. Raises ValueError (or UnicodeDecodeError,
    RecursionError) like ``json.loads``."""
    import json

    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def inside(path: str | os.PathLike, root: str | os.PathLike) -> bool:
    """True when ``path``, with every link followed, lies within the folder ``root`` (also followed)."""
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def shown_path(path: str | bytes | os.PathLike) -> str:
    """A path as text that can be printed and written as UTF-8 (undecodable bytes become U+FFFD)."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        return text.decode("utf-8", "replace")
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def depth(value: Any, limit: int) -> bool:
    """True when a parsed JSON/YAML value nests no deeper than ``limit`` (checked without recursion;
    only containers are visited, so a big report costs little)."""
    level, containers = 1, [value] if type(value) in (dict, list) else []
    while containers:
        if level > limit:
            return False
        deeper = []
        for c in containers:
            for v in c.values() if type(c) is dict else c:
                if type(v) is dict or type(v) is list:
                    deeper.append(v)
        containers = deeper
        level += 1
    return True
