"""The class server's record of a hand-in: which browser session, when it started and finished, and the
name as the learner typed it. ``pizzaborg serve --assignment`` writes one beside every report it puts in
the hand-ins folder; ``cohort`` shows it as *recorded by the class server* instead of as a claim.

The learner never holds these files: the server writes them into the trainer's folder. A record is
signed (HMAC-SHA256) with a key the server keeps in that folder (``.pizzaborg-class-key``) and names
the SHA-256 of the report it belongs to, so a record copied from elsewhere, edited, or kept beside an
edited report does not count. Plain Python: no web library here.
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


def ensure_key(folder: str | os.PathLike) -> bytes:
    """The hand-ins folder's signing key, made (readable by its owner only) the first time."""
    path = Path(folder) / KEY_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        pass
    key = secrets.token_bytes(32)
    Path(folder).mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another server sharing the folder made it just now: use that one
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
    return key


def _key(folder: Path) -> bytes | None:
    try:
        return bytes.fromhex((folder / KEY_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _mac(key: bytes, fields: dict) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def write_record(report: str | os.PathLike, *, session: str, session_started: str, game_started: str | None,
                 finished: str, learner_as_typed: str) -> Path:
    """Sign and write the record of the report file ``report`` (already written) beside it."""
    from ..engine.files import write_atomic

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
        "report_sha256": hashlib.sha256(report.read_bytes()).hexdigest(),
    }
    fields["mac"] = _mac(ensure_key(report.parent), fields)
    return write_atomic(record_path(report), json.dumps(fields, indent=2, ensure_ascii=False) + "\n")


def read_record(report: str | os.PathLike) -> tuple[dict | None, str | None]:
    """(record, None) when a valid server record stands beside ``report``; (None, why) when one stands
    there but does not hold; (None, None) when there is none (a report handed in by hand)."""
    report = Path(report)
    path = record_path(report)
    try:
        if not path.is_file():
            return None, None
        if path.stat().st_size > MAX_BYTES:
            return None, f"{path.name}: too large for a class-server record"
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, f"{path.name}: unreadable class-server record ({exc.__class__.__name__})"
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        return None, f"{path.name}: not a class-server record of this version"
    key = _key(path.parent)
    if key is None:
        return None, f"{path.name}: no class-server key ({KEY_FILE}) in its folder, so it cannot be checked"
    fields = {k: v for k, v in data.items() if k != "mac"}
    if not isinstance(data.get("mac"), str) or not hmac.compare_digest(_mac(key, fields), data["mac"]):
        return None, f"{path.name}: the class-server record's signature does not match (edited, or from another server)"
    try:
        digest = hashlib.sha256(report.read_bytes()).hexdigest()
    except OSError:
        return None, f"{path.name}: its report cannot be read"
    if data.get("report") != report.name or data.get("report_sha256") != digest:
        return None, f"{path.name}: the report beside it is not the one the class server wrote"
    return data, None
