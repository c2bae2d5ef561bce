"""Reading a report someone handed in: only a regular file, read with a bound, its shape and claims
checked before anything is replayed (``verify.py`` replays it against the story).

Everything here treats the file as hostile: a duplicate key, a constant such as NaN, a nesting
deeper than a report has, a claim of the wrong type is one line of :class:`ReportError`."""

from __future__ import annotations

import math
import os
import re
import uuid

from ..engine.files import check_header
from ..engine.game import undo_record_ok
from ..engine.times import parse_iso
from .report import (
    ASSIGNMENT_REF_KEYS,
    FORMAT,
    MAX_REPORT_BYTES,
    SCHEMA,
    ReportError,
    name_as_written,
)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number a report may hold")


MAX_DEPTH = 32  # a report nests 5 levels; 32 leaves room and keeps every later step recursion-safe


def read_json_file(path: str | os.PathLike):
    """A JSON value from a file someone handed in: only a regular file, read with a bound, nested at
    most MAX_DEPTH levels. Raises ReportError with one line."""
    from ..engine.files import DuplicateKey, depth, loads_json, read_handed, shown_path

    name = shown_path(path)
    raw = read_handed(path, MAX_REPORT_BYTES, name, "a report", ReportError, f"{name}: no such file")
    try:
        data = loads_json(raw)
    except DuplicateKey as exc:
        raise ReportError(f"{name} is not a report: {exc}") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ReportError(f"{name} is damaged or not a report (it is not valid JSON)") from None
    if not depth(data, MAX_DEPTH):
        raise ReportError(f"{name} is nested more than {MAX_DEPTH} levels deep: not a report")
    return data


def check_report_shape(data, name: str) -> dict:
    """The minimal shape a verifier needs; everything else is compared against the replay."""
    schema = check_header(data, name, FORMAT, SCHEMA, "report", ReportError)
    if schema < 1:
        raise ReportError(f"{name} has no valid schema version")
    story = data.get("story")
    if not isinstance(story, dict) or not all(isinstance(story.get(k), str) for k in ("id", "version", "hash")):
        raise ReportError(f"{name} does not say which story it was played with")
    seed = data.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ReportError(f"{name} has no valid seed")
    decisions = data.get("decisions")
    if not isinstance(decisions, list) or not all(
        isinstance(d, dict) and isinstance(d.get("scene"), str) and isinstance(d.get("choice"), str) for d in decisions
    ):
        raise ReportError(f"{name} has a damaged list of decisions")
    if schema >= 2:
        check_undo_record(data, name)
    for key in ("learner", "cohort", "started", "finished", "date", "registration", "generator"):
        if data.get(key) is not None and not isinstance(data.get(key), str):
            raise ReportError(f"{name}: '{key}' must be text")
    language = data.get("language")
    if language is not None and not (
        isinstance(language, str) and re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", language)
    ):
        raise ReportError(f"{name}: 'language' must be a language tag such as en, sv or es-419")
    check_claims(data, name)
    if data.get("assignment") is not None:
        check_assignment_ref(data["assignment"], name)
    return data


def check_undo_record(data: dict, name: str) -> None:
    """A schema-2 report's undo record must have the shape the game writes (its content is replayed)."""
    undos = data.get("undos")
    if not undo_record_ok(undos):
        raise ReportError(f"{name} has a damaged undo record ('undos')")
    if not isinstance(data.get("undos_complete"), bool):
        raise ReportError(f"{name}: 'undos_complete' must be true or false")


def undo_input(data: dict) -> tuple:
    """(undos, complete) to replay a checked report with: (None, False) for schema 1 (no record)."""
    if data.get("schema") == 1:
        return None, False
    undos = [{"decision": u["decision"], "scene": u["scene"], "choice": u["choice"]} for u in data["undos"]]
    return undos, data["undos_complete"]


def check_claims(data: dict, name: str) -> None:
    """What a report merely claims must still be something the game writes: a name as the name prompt
    takes it, times in ISO 8601, a UUID registration, decision times as saves record them."""
    for key in ("learner", "cohort"):
        value = data.get(key)
        if value is None:
            continue
        if not name_as_written(value):
            raise ReportError(
                f"{name}: '{key}' is not a {key} name the game writes (empty, control characters, "
                "line breaks or more than 80 characters)"
            )
    for key in ("started", "finished", "date"):
        if data.get(key) is not None and parse_iso(data[key]) is None:
            raise ReportError(f"{name}: '{key}' is not a time (ISO 8601)")
    if data.get("registration") is not None:
        try:
            uuid.UUID(data["registration"])
        except ValueError:
            raise ReportError(f"{name}: 'registration' is not a UUID") from None
    if data.get("generator") is not None and len(data["generator"]) > 100:
        raise ReportError(f"{name}: 'generator' is too long")
    from ..engine.times import valid_at

    for what, entries in (("decision", data["decisions"]), ("undo", data.get("undos") or [])):
        for i, d in enumerate(entries):
            if isinstance(d, dict) and "at" in d and not valid_at(d["at"]):
                raise ReportError(
                    f"{name}: {what} {i + 1}: 'at' is not a time as the game records it "
                    "(UTC, milliseconds, e.g. 2026-11-28T18:46:12.345Z)"
                )


def check_assignment_ref(ref, name: str) -> dict:
    if not isinstance(ref, dict):
        raise ReportError(f"{name}: 'assignment' must be a mapping")
    unknown = sorted(str(k) for k in ref if k not in ASSIGNMENT_REF_KEYS)
    if unknown:
        raise ReportError(f"{name}: assignment.{unknown[0][:40]} is not something an assignment has")
    if isinstance(ref.get("xapi_home"), str):
        from .assignment import AssignmentError, check_home

        try:
            check_home(ref["xapi_home"])
        except AssignmentError:
            raise ReportError(f"{name}: assignment.xapi_home must be an http(s) URL") from None
    m = ref.get("mastery")
    if m is not None and (not finite(m) or not 0 < m <= 1):
        raise ReportError(f"{name}: assignment.mastery must be a number above 0 and at most 1")
    for key in ("id", "cohort", "deadline", "xapi_home"):
        if ref.get(key) is not None and not isinstance(ref.get(key), str):
            raise ReportError(f"{name}: assignment.{key} must be text")
    if ref.get("deadline") is not None:
        from datetime import date

        try:
            date.fromisoformat(ref["deadline"])
        except ValueError:
            raise ReportError(f"{name}: assignment.deadline must be a date (YYYY-MM-DD)") from None
    seed = ref.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ReportError(f"{name}: assignment.seed must be a whole number")
    if "undo" in ref and ref["undo"] not in ("free", "off"):
        raise ReportError(f"{name}: assignment.undo must be free or off (recorded, the default, is not written)")
    return ref


def read_report_file(path: str | os.PathLike) -> dict:
    """A JSON report from a file, shape-checked (not yet verified)."""
    from ..engine.files import shown_path

    return check_report_shape(read_json_file(path), shown_path(path))


def finite(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
