"""The class server's record of a hand-in: which browser session, when it started and finished, and the
name as the learner typed it. ``pizzaborg serve --assignment`` writes one beside every report it puts in
the hand-ins folder; ``cohort`` shows it as *recorded by the class server* instead of as a claim.

The learner never holds these files: the server writes them into the trainer's folder. A record is
signed (HMAC-SHA256) with a key the server keeps in that folder (``.pizzaborg-class-key``) and names
the SHA-256 of the report it belongs to, so a record copied from elsewhere, edited, or kept beside an
edited report does not count. ``cohort`` checks records with the trainer's key only (the hand-ins folder
named on its command line, or ``--class-key FILE``), never with a key found beside a hand-in: a learner
who hands in a folder can put a key of their own in it. Plain Python: no web library here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

FORMAT = "pizzaborg-class-record"
VERSION = 1
KEY_FILE = ".pizzaborg-class-key"
SUFFIX = ".server-record"  # not .json: the report tools read every *.json in a folder as a report
MAX_BYTES = 64 * 1024


def record_path(report: str | os.PathLike) -> Path:
    """Where the record of ``report`` (``…/name.json``) is: ``…/name.server-record``."""
    return Path(report).with_suffix(SUFFIX)


class KeyProblem(OSError):
    """The class-server key cannot be trusted or read; the message is one line saying what to do. (An
    OSError, so that whoever writes a record and handles failing files handles this too.)"""


MIN_KEY_BYTES = 32


def load_key(path: str | os.PathLike) -> bytes:
    """The key in ``path``, read through the one bounded, regular-file-only reader, or :class:`KeyProblem`:
    an empty or short key (a start that died while writing it) would let anyone sign a record, and a key
    someone else owns or may write is not the trainer's."""
    import stat

    from ..engine.files import NotRegularFile, TooLarge, read_bounded, shown_path

    name = shown_path(path)
    try:
        info = os.stat(path)
        raw = read_bounded(path, 4096)
    except FileNotFoundError:
        raise KeyProblem(f"{name}: no such class-server key") from None
    except (NotRegularFile, IsADirectoryError):
        raise KeyProblem(f"{name} is not a regular file: not a class-server key") from None
    except TooLarge:
        raise KeyProblem(f"{name} is too large to be a class-server key") from None
    except OSError as exc:
        raise KeyProblem(f"the class-server key {name} cannot be read: {exc.strerror or exc}") from None
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise KeyProblem(
            f"the class-server key {name} belongs to another user: not trusted (make your own: "
            "delete it and start the server again)"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise KeyProblem(
            f"the class-server key {name} may be written by others: not trusted (chmod 600 it, "
            "or delete it and start the server again)"
        )
    try:
        key = bytes.fromhex(raw.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise KeyProblem(f"the class-server key {name} is damaged: delete it and start the server again") from None
    if len(key) < MIN_KEY_BYTES:
        what = "empty" if not key else "too short"
        raise KeyProblem(
            f"the class-server key {name} is {what} (a start that died while writing it?): "
            "delete it and start the server again"
        )
    return key


def ensure_key(folder: str | os.PathLike, name: str = KEY_FILE) -> bytes:
    """The hand-ins folder's signing key, made the first time: written whole to a private temporary file,
    flushed, and linked into place (never an empty or half-written key, never one replaced under a running
    server). An existing key that cannot be trusted is :class:`KeyProblem`. ``name``: another key file
    made the same way (the class server's own key in its data folder, web/sessions.py)."""
    import tempfile

    from ..engine.files import fsync_dir

    path = Path(folder) / name
    if os.path.lexists(path):
        return load_key(path)
    key = secrets.token_bytes(32)
    Path(folder).mkdir(parents=True, exist_ok=True)
    fd, made = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)  # 0600
    tmp: str | None = made
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(made, path)  # fails when another server sharing the folder made one just now: use that
        except FileExistsError:
            return load_key(path)
        except OSError:  # a file system without hard links
            os.replace(made, path)
            tmp = None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    fsync_dir(folder)
    return key


def trainer_keys(roots: list, explicit: str | os.PathLike | None = None) -> tuple[list[bytes], list[str]]:
    """The keys records are checked with, from the trainer's side only: ``explicit`` (``--class-key
    FILE``; a problem with it is :class:`KeyProblem`), else the key in each *folder named on the command
    line* (the hand-ins root ``serve`` wrote). Never the key in a folder where a hand-in lies: a learner
    can hand in a folder holding a key of their own. Returns (keys, notes)."""
    if explicit is not None:
        return [load_key(explicit)], []
    keys, notes = [], []
    for root in roots:
        path = Path(root) / KEY_FILE
        if not Path(root).is_dir() or not os.path.lexists(path):
            continue
        try:
            key = load_key(path)
        except KeyProblem as exc:
            notes.append(f"{exc}; its records are shown as the reports' claims only")
            continue
        if key not in keys:
            keys.append(key)
    return keys, notes


def _mac(key: bytes, fields: dict) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def write_record(
    report: str | os.PathLike,
    *,
    session: str,
    session_started: str,
    game_started: str | None,
    finished: str,
    learner_as_typed: str,
    lms_registration: str | None = None,
) -> Path:
    """Sign and write the record of the report file ``report`` (already written) beside it. ``lms_registration``:
    the game was launched from an LMS (cmi5) for this registration, and ``learner_as_typed`` is the LMS's name."""
    from ..engine.files import read_bounded, write_atomic

    report = Path(report)
    fields = {
        "format": FORMAT,
        "version": VERSION,
        "session": session,
        "session_started": session_started,
        "game_started": game_started,
        "finished": finished,
        "learner_as_typed": learner_as_typed,
        "report": report.name,
        "report_sha256": hashlib.sha256(read_bounded(report, 64 * 1024 * 1024)).hexdigest(),
    }
    if lms_registration:  # signed with the rest: "launched from the LMS" is the server's word, not the report's
        fields.update(launched_from="lms", lms_registration=lms_registration)
    fields["mac"] = _mac(ensure_key(report.parent), fields)
    return write_atomic(record_path(report), json.dumps(fields, indent=2, ensure_ascii=False) + "\n", shared=True)


def read_record(report: str | os.PathLike, keys: list[bytes] | tuple = ()) -> tuple[dict | None, str | None]:
    """(record, None) when a valid server record stands beside ``report``, signed with one of ``keys``
    (the trainer's: see :func:`trainer_keys`); (None, why) when one stands there but does not hold;
    (None, None) when there is none (a report handed in by hand)."""
    from ..engine.files import loads_json, read_bounded

    report = Path(report)
    path = record_path(report)
    try:
        if not os.path.lexists(path):
            return None, None
        data = loads_json(read_bounded(path, MAX_BYTES))
    except (OSError, ValueError, RecursionError) as exc:
        return None, f"{path.name}: unreadable class-server record ({exc.__class__.__name__})"
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        return None, f"{path.name}: not a class-server record of this version"
    if not keys:
        return None, (
            f"{path.name}: no class-server key on the trainer's side (the {KEY_FILE} of the hand-ins folder "
            "named on the command line, or --class-key FILE), so it cannot be checked"
        )
    fields = {k: v for k, v in data.items() if k != "mac"}
    mac = data.get("mac")
    if not isinstance(mac, str) or not any(hmac.compare_digest(_mac(k, fields), mac) for k in keys):
        return None, f"{path.name}: the class-server record's signature does not match (edited, or from another server)"
    try:
        digest = hashlib.sha256(read_bounded(report, 64 * 1024 * 1024)).hexdigest()
    except OSError:
        return None, f"{path.name}: its report cannot be read"
    if data.get("report") != report.name or data.get("report_sha256") != digest:
        return None, f"{path.name}: the report beside it is not the one the class server wrote"
    return data, None
