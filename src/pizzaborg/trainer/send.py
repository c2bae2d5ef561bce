"""Results to a Learning Record Store: ``pizzaborg send`` and an assignment's own LRS.

``pizzaborg send SAVE|REPORT --lrs URL`` sends a save's or a report's xAPI statements (a report,
JSON or xAPI, is replay-verified first: only what verifies is sent). A game played for an assignment
that names an LRS sends its statements at the end by itself: they are first written into the saves
folder's ``outbox/`` (one file per playthrough, statements only, never credentials), then POSTed,
and the file is removed once the LRS has them. What could not be sent stays there and is sent again
the next time an assignment for the same LRS starts; what the LRS refuses for good (401, 403, 409: the
same statements would be refused again) is set aside as ``NAME.refused`` with a one-line note, so it
never holds back the results after it.

Statements are deterministic (:mod:`.xapi`), so sending the same results twice is a no-op for a
conformant LRS.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..engine.errors import PizzaBorgError
from ..engine.i18n import _
from ..engine.notes import information, warning
from .lrs import Lrs, LrsError

OUTBOX = "outbox"
OUTBOX_FORMAT = "pizzaborg-outbox"
LEARNER_TIMEOUT = 10.0  # a learner waits at most this long per request at the end of a game


class SendError(PizzaBorgError):
    """An input that cannot be sent (not a save or report, not verified); one line."""


@dataclass
class Outcome:
    ok: bool
    line: str
    retry: bool = False


def statements_of_report(data, name: str, verifier) -> list:
    """The statements of a JSON report or an xAPI statements file, once it replay-verifies."""
    verdict = verifier.verify_data(data, name)
    if not verdict.ok:
        raise SendError(f"not verified: {verdict.message}")
    from .xapi import statements

    if verdict.kind == "xapi":
        return data if isinstance(data, list) else [data]
    return statements(data)


def send_statements(lrs: Lrs, stmts: list, name: str) -> Outcome:
    try:
        n = lrs.post(stmts)
    except LrsError as exc:
        return Outcome(False, f"{name}: NOT sent: {exc}", exc.retry)
    new = getattr(lrs, "new", n)
    if n and not new:  # a re-send: the LRS held every one of them already
        return Outcome(True, f"{name}: already there: the LRS at {lrs.where} holds these {n} statement(s)")
    if new < n:
        return Outcome(True, f"{name}: {new} statement(s) sent to {lrs.where} ({n - new} already there)")
    return Outcome(True, f"{name}: {n} statement(s) sent to {lrs.where}")


# ---- an assignment's LRS: the outbox ----------------------------------------------------------


def outbox_dir(saves_dir) -> Path:
    return Path(saves_dir) / OUTBOX


def queue(saves_dir, endpoint: str, registration: str, stmts: list) -> Path:
    """Keep ``stmts`` for ``endpoint`` in the outbox (atomically) until the LRS has them."""
    from ..engine.files import write_atomic

    folder = outbox_dir(saves_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{registration}.json"
    payload = {"format": OUTBOX_FORMAT, "schema": 1, "endpoint": endpoint, "statements": stmts}
    write_atomic(target, json.dumps(payload, ensure_ascii=False, allow_nan=False) + "\n")
    return target


def pending(saves_dir, endpoint: str) -> list:
    """[(path, statements)] waiting in the outbox for ``endpoint``; unreadable files are left alone."""
    from ..engine.files import loads_json, read_bounded

    folder = outbox_dir(saves_dir)
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.glob("*.json")):
        try:
            data = loads_json(read_bounded(p, 16 * 1024 * 1024))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            continue
        if (
            isinstance(data, dict)
            and data.get("format") == OUTBOX_FORMAT
            and data.get("endpoint") == endpoint
            and isinstance(data.get("statements"), list)
        ):
            out.append((p, data["statements"]))
    return out


def lrs_of(assignment) -> Lrs | None:
    spec = getattr(assignment, "lrs", None)
    if not spec:
        return None
    return Lrs(spec["endpoint"], spec.get("key"), spec.get("secret"), timeout=LEARNER_TIMEOUT)


def deliver(report: dict, assignment, saves_dir) -> str | None:
    """At the end of an assignment's game: send its statements to the assignment's LRS.

    Returns one line for the learner (None when the assignment names no LRS). Nothing is lost: the
    statements are in the outbox before the first byte goes out, and stay there unless the LRS took them."""
    lrs = lrs_of(assignment)
    if lrs is None:
        return None
    from .xapi import statements

    stmts = statements(report)
    try:
        path = queue(saves_dir, lrs.endpoint, report["registration"], stmts)
    except OSError as exc:
        path = None
        kept = _("and could not be kept for later ({why}): your report file is what counts").format(
            why=exc.strerror or exc
        )
    else:
        assert path is not None
        kept = _("they are kept in {folder} and sent the next time you start this assignment").format(
            folder=path.parent
        )
    try:
        lrs.post(stmts)
    except LrsError as exc:
        if path is not None and refused_for_good(exc):
            return aside_note(1, str(exc), set_aside(path).parent)
        return warning(
            _("Your results were not sent to your trainer's LRS yet: {why}; {kept}.").format(why=exc, kept=kept)
        )
    if path is not None:
        _remove(path)
    return information(_("Your results were sent to your trainer's LRS ({where}).").format(where=lrs.where))


def retry_pending(assignment, saves_dir) -> str | None:
    """On start: send what an earlier game of an assignment for the same LRS could not. One line, or None."""
    lrs = lrs_of(assignment)
    if lrs is None:
        return None
    waiting = pending(saves_dir, lrs.endpoint)
    if not waiting:
        return None
    import time

    sent, why, waits = 0, "", None
    aside: list = []
    until = time.monotonic() + LEARNER_TIMEOUT  # the learner's first screen waits this long in all
    for path, stmts in waiting:
        lrs.timeout = until - time.monotonic()
        if lrs.timeout <= 0.5:
            waits = _(
                "{n} earlier result(s) are still waiting to be sent to your trainer's LRS; they stay in {folder} "
                "and are tried again next time."
            ).format(n=len(waiting) - sent - len(aside), folder=path.parent)
            break
        try:
            lrs.post(stmts)
        except LrsError as exc:
            if refused_for_good(exc):  # trying again cannot help, and must not hold back the results after it
                aside.append(set_aside(path))
                why = why or str(exc)
                continue
            waits = _(
                "{n} earlier result(s) are still waiting to be sent to your trainer's LRS ({why}); they stay in "
                "{folder} and are tried again next time."
            ).format(n=len(waiting) - sent - len(aside), why=exc, folder=path.parent)
            break
        _remove(path)
        sent += 1
    lines = []
    if sent:
        lines.append(
            _("{n} earlier result(s) that could not be sent before were sent to your trainer's LRS now.").format(n=sent)
        )
    if aside:
        lines.append(aside_note(len(aside), why, aside[0].parent))
    if waits:
        lines.append(waits)
    if not lines:
        return None
    return (warning if aside or waits else information)(" ".join(lines))


REFUSED_FOR_GOOD = (400, 401, 403, 409, 413)  # the same statements will be refused again, whenever they are sent
ASIDE = ".refused"  # not .json: set aside, never picked up by the outbox again


def refused_for_good(exc: LrsError) -> bool:
    return not exc.retry and exc.status in REFUSED_FOR_GOOD


def set_aside(path: Path) -> Path:
    """Move an outbox file the LRS refused for good out of the way (kept, renamed ``NAME.refused``)."""
    target = path.with_suffix(ASIDE)
    try:
        os.replace(path, target)
    except OSError:
        return path
    return target


def aside_note(count: int, why: str, folder: Path) -> str:
    """One line for the learner: what was set aside, why, and what to do."""
    return warning(
        _(
            "{n} result(s) were refused for good by your trainer's LRS ({why}) and set aside in {folder} "
            "(*.refused): trying again will not help, so tell your trainer, who has your report file; "
            "your other results go on being sent."
        ).format(n=count, why=why, folder=folder)
    )


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # sent twice next time: the LRS treats identical statements as one
