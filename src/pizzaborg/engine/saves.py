"""Saves: JSON files in the save folder, written atomically, read defensively.

A save holds what defines a game — the story's id, version and content hash, the seed, the
decisions kept and the undo record — plus timestamps and a summary for a load screen. Loading
replays the decisions, so a save from an edited story loads as far as the story still allows, and
says so.

Writes go to a temporary file in the same folder, are flushed and fsynced, then renamed over the old
file: a failed write leaves the previous save as it was. A file that is not a PizzaBorg save is never
overwritten.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PizzaBorgError
from .files import check_header, write_atomic
from .game import Game, ReplayError, undo_record_ok
from .text import clean
from .times import AT_RE, is_time, now_iso, stamp, track_times, valid_at  # noqa: F401 - stamp, track_times, AT_RE: this module's API

TYPE_CHECKING = False  # typing.TYPE_CHECKING would import typing: start-up time (CONTRIBUTING.md)
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from .model import Story

# Save schemas (a reader reads MIN_SCHEMA..SCHEMA; a newer one is refused with a one-line message):
#   1  story, seed, decisions (each with its "at" when recorded), created, updated, summary, learner
#   2  + "undos": the undo record, [{decision, scene, choice}] in the order undone (see
#      engine.game.action_log), and "undos_complete": false when the game was loaded from a schema-1
#      save (undos made before that are unknown). A schema-1 save loads with its record missing.
#      Each undo may carry "at" (when it was undone), metadata like a decision's.
SCHEMA = 2
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")  # the language a save records (none: English)
MIN_SCHEMA = 1
FORMAT = "pizzaborg-save"
AUTOSAVE = "autosave"
MAX_SAVE_BYTES = 2 * 1024 * 1024
SLOT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,63}$")


class SaveError(PizzaBorgError):
    """A save that cannot be read or written; the message is one line for the player."""


def saves_dir(explicit: str | os.PathLike | None = None) -> Path:
    """--saves-dir, else $PIZZABORG_SAVES, else ./saves under the working directory."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("PIZZABORG_SAVES")
    if env:
        return Path(env)
    try:
        return Path.cwd() / "saves"
    except OSError:  # the working directory was deleted: a save attempt will say so
        return Path("saves")


def check_slot(slot: str) -> str:
    """Return the slot name if it is safe as a file name, else raise SaveError."""
    if not isinstance(slot, str) or not slot:
        raise SaveError("a save name cannot be empty")
    if len(slot) > 64:
        raise SaveError("a save name may be at most 64 characters")
    if "/" in slot or "\\" in slot or ".." in slot or not SLOT_RE.match(slot):
        raise SaveError(
            f"'{_short(slot)}' is not a valid save name: use letters, digits, spaces, '-', '_' and '.', "
            "starting with a letter or digit"
        )
    return slot


def _short(text: str, n: int = 40) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return text if len(text) <= n else text[: n - 1] + "…"


def slot_path(directory: Path, slot: str) -> Path:
    return Path(directory) / f"{check_slot(slot)}.json"


# ---- when each decision was made -----------------------------------------------------------------
# Each decision in a save may carry "at" (engine/times.py: UTC ISO 8601 with milliseconds and a Z, never
# earlier than the decision before it). Saves written before it load without times.
_now = now_iso


@dataclass
class SaveData:
    slot: str
    story: dict  # id, version, hash
    seed: int
    decisions: list  # [{scene, choice}]
    created: str
    updated: str
    summary: dict = field(default_factory=dict)
    learner: str | None = None
    extra: dict = field(default_factory=dict)  # fields other tools added (assignment, cohort, ...)
    times: list = field(default_factory=list)  # each decision's "at" (None where the save has none)
    undos: list | None = None  # the undo record ([{decision, scene, choice}]); None: missing (schema 1)
    undos_complete: bool = True  # False: undos before a load from a schema-1 save are unknown
    undo_times: list = field(default_factory=list)  # each undo's "at" (None where the save has none)

    @property
    def language(self) -> str:
        """The language the game was played in (``language``, beside the schema's fields: a reader that
        does not know it keeps it as is); a save without it, or with an odd one, is English."""
        value = self.extra.get("language")
        return value if isinstance(value, str) and _LANG.fullmatch(value) else "en"

    def to_json(self) -> dict:
        data = {
            "format": FORMAT,
            "schema": SCHEMA,
            "story": self.story,
            "seed": self.seed,
            "decisions": with_times(self.decisions, self.times),
            "undos": with_times(self.undos or [], self.undo_times, ("decision", "scene", "choice")),
            "created": self.created,
            "updated": self.updated,
            "summary": self.summary,
        }
        if self.learner is not None:
            data["learner"] = self.learner
        if self.undos is None or not self.undos_complete:
            data["undos_complete"] = False
        for k, v in self.extra.items():
            data.setdefault(k, v)
        return data


def summary_of(game: Game) -> dict:
    rnd = game.story.rounds[game.round_id]
    return {
        "round": rnd.number,
        "round_title": rnd.title,
        "scene": None if game.over else game.state,
        "over": game.over,
        "ending": game.ending,
        "score": game.report().reported,  # the score a report gives: first answers
        "decisions": len(game.decisions),
    }


def with_times(decisions: list, times: list | None, keys: tuple = ("scene", "choice")) -> list:
    """``decisions`` ([{scene, choice}], or undos with ``keys``) with each one's ``at`` where ``times`` has it."""
    out = []
    for i, d in enumerate(decisions):
        d = {k: d[k] for k in keys}
        at = times[i] if times is not None and i < len(times) else None
        if valid_at(at):
            d["at"] = at
        out.append(d)
    return out


def make_save(
    game: Game,
    slot: str,
    previous: SaveData | None = None,
    learner: str | None = None,
    now: str | None = None,
    times: list | None = None,
    undo_times: list | None = None,
) -> SaveData:
    """``times``: when each decision was made (see :func:`track_times`); without them, the times of
    ``previous`` are kept for the decisions the two have in common. ``undo_times``: when each undo
    was made (``track_times(undo_times, len(game.undos))`` keeps them); without them, those of
    ``previous`` for the undos the two have in common (the record only grows)."""
    updated = now or _now()
    decisions = game.decision_list
    if times is None and previous is not None:
        times = []
        for mine, theirs in zip(decisions, previous.decisions, strict=False):
            if (mine["scene"], mine["choice"]) != (theirs["scene"], theirs["choice"]):
                break
            times.append(previous.times[len(times)] if len(times) < len(previous.times) else None)
    undos = [u.as_dict() for u in game.undos]
    if undo_times is None and previous is not None and previous.undos:
        undo_times = []
        for mine, theirs in zip(undos, previous.undos, strict=False):
            if mine != {k: theirs[k] for k in ("decision", "scene", "choice")}:
                break
            undo_times.append(
                previous.undo_times[len(undo_times)] if len(undo_times) < len(previous.undo_times) else None
            )
    return SaveData(
        slot=check_slot(slot),
        story=dict(game.story.ref),
        seed=game.seed,
        decisions=decisions,
        created=previous.created if previous else updated,
        updated=updated,
        summary=summary_of(game),
        learner=learner if learner is not None else (previous.learner if previous else None),
        extra={**(previous.extra if previous else {}), "language": game_language(game)},
        times=[t if valid_at(t) else None for t in (times or [])][: len(decisions)],
        undos=undos,
        undos_complete=game.undo_record,
        undo_times=[t if valid_at(t) else None for t in (undo_times or [])][: len(undos)],
    )


def write_save(directory: Path, data: SaveData, checked: bool = False) -> Path:
    """Write atomically. Raises SaveError (and leaves any previous file intact) on failure. ``checked``:
    the caller has just read the file in the slot as a save (``save_game``), so it is not read again."""
    directory = Path(directory)
    target = slot_path(directory, data.slot)
    if not checked and target.exists():
        try:
            read_save_file(target)
        except SaveError as exc:
            raise SaveError(
                f"not saved: {target.name} exists and is not a save this game wrote ({exc}); it was left alone"
            ) from None
    payload = json.dumps(data.to_json(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    size = len(payload.encode("utf-8"))
    if size > MAX_SAVE_BYTES:  # the reader's limit: never write a save that cannot be read back
        raise SaveError(
            f"not saved: this game is too long to save ({size // 1024} KiB; a save may be at most "
            f"{MAX_SAVE_BYTES // 1024} KiB); the previous save is unchanged"
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(target, payload, sync_dir=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SaveError(f"could not save to {target}: {reason}; the previous save is unchanged") from None
    return target


def game_language(game: Game) -> str:
    """The language a game is played in: its story's when translated, else the interface's."""
    from .i18n import SOURCE_LANGUAGE, current

    return game.story.language if game.story.language != SOURCE_LANGUAGE else current()


def save_game(
    directory: Path,
    slot: str,
    game: Game,
    learner: str | None = None,
    now: str | None = None,
    times: list | None = None,
    undo_times: list | None = None,
) -> Path:
    """Save ``game`` in ``slot`` (keeping the slot's creation time and learner if it exists). The file in
    the slot is read and validated once (a foreign or corrupt file raises and is not overwritten)."""
    target = slot_path(directory, slot)
    previous = None
    if target.exists():
        previous = read_save_file(target)
    return write_save(directory, make_save(game, slot, previous, learner, now, times, undo_times), checked=True)


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number a save may hold")


def read_save_file(path: Path) -> SaveData:
    from .files import DuplicateKey, loads_json, read_handed

    path = Path(path)
    name = clean(path.name)
    raw = read_handed(
        path,
        MAX_SAVE_BYTES,
        name,
        "a save",
        SaveError,
        f"no save named '{clean(path.stem)}' in {clean(str(path.parent))}",
    )
    try:
        data = loads_json(raw)  # a byte-order mark accepted; a key given twice refused
    except DuplicateKey as exc:
        raise SaveError(f"{name} is damaged or not a save: {exc}") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SaveError(f"{name} is damaged or not a save (it is not valid JSON)") from None
    return _validate(data, path)


def _validate(data: Any, path: Path) -> SaveData:
    name = path.name
    schema = check_header(data, name, FORMAT, SCHEMA, "save", SaveError)
    if schema < MIN_SCHEMA:
        raise SaveError(f"{name} has no valid schema version")
    story = data.get("story")
    if not isinstance(story, dict) or not all(isinstance(story.get(k), str) for k in ("id", "version", "hash")):
        raise SaveError(f"{name} does not say which story it belongs to")
    seed = data.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise SaveError(f"{name} has no valid seed")
    decisions = data.get("decisions")
    if not isinstance(decisions, list) or not all(
        isinstance(d, dict) and isinstance(d.get("scene"), str) and isinstance(d.get("choice"), str) for d in decisions
    ):
        raise SaveError(f"{name} has a damaged list of decisions")
    undos, undo_times = None, []  # schema 1: no record (missing, never invented)
    if schema >= 2:
        undos = data.get("undos")
        if not undo_record_ok(undos):
            raise SaveError(f"{name} has a damaged undo record")
        undo_times = [u.get("at") if valid_at(u.get("at")) else None for u in undos]
        undos = [{"decision": u["decision"], "scene": u["scene"], "choice": u["choice"]} for u in undos]
    complete = undos is not None and data.get("undos_complete", True) is not False
    created = data.get("created") if _is_time(data.get("created")) else ""  # claims: a time, or nothing
    updated = data.get("updated") if _is_time(data.get("updated")) else created
    summary = data.get("summary") if isinstance(data.get("summary"), dict) else {}
    learner = clean(data["learner"]) if isinstance(data.get("learner"), str) else None  # shown on screens
    summary = {k: clean(v) if isinstance(v, str) else v for k, v in summary.items()}
    known = {
        "format",
        "schema",
        "story",
        "seed",
        "decisions",
        "created",
        "updated",
        "summary",
        "learner",
        "undos",
        "undos_complete",
    }
    extra = {k: v for k, v in data.items() if k not in known}
    for v in summary.values():
        if isinstance(v, float) and not math.isfinite(v):
            raise SaveError(f"{name} has a damaged summary")
    return SaveData(
        path.stem,
        {k: story[k] for k in ("id", "version", "hash")},
        seed,
        [{"scene": d["scene"], "choice": d["choice"]} for d in decisions],
        created,
        updated,
        summary,
        learner,
        extra,
        [d.get("at") if valid_at(d.get("at")) else None for d in decisions],
        undos,
        complete,
        undo_times,
    )


_is_time = is_time


def read_save(directory: Path, slot: str) -> SaveData:
    return read_save_file(slot_path(directory, slot))


@dataclass
class Loaded:
    game: Game
    save: SaveData
    warning: str | None = None  # e.g. replayed only part of the decisions
    note: str | None = None  # e.g. the undo record is missing (a save of an earlier version)


MISSING_UNDOS = "saved by an earlier PizzaBorg, which kept no record of undos: any undos before it are unknown"


def restore(story: Story, save: SaveData) -> Loaded:
    """Rebuild the game a save describes. A save of another story raises SaveError."""
    if save.story["id"] != story.id:
        raise SaveError(
            f"'{clean(save.slot)}' is a save of the story '{clean(save.story['id'], oneline=True)}', "
            f"not of '{clean(story.id)}'"
        )
    version = clean(save.story["version"], oneline=True)  # from the file: shown in messages
    note = None if save.undos_complete else f"'{clean(save.slot)}' was {MISSING_UNDOS}"
    try:
        try:
            game = Game.replay(story, save.seed, save.decisions, save.undos)
        except ReplayError:
            if not save.undos:
                raise
            # the undo record no longer fits (an edited story): the decisions kept still count
            game = Game.replay(story, save.seed, save.decisions, None)
            note = f"'{clean(save.slot)}': its undo record does not fit this version of the story and was left out"
        if not save.undos_complete:
            game.undo_record = False
    except ReplayError as exc:
        kept = exc.index
        warning: str | None = (
            f"'{clean(save.slot)}' was saved with version {version} of the story; "
            f"{kept} of {len(save.decisions)} decisions still fit this version ({clean(story.version, oneline=True)}) "
            f"and were replayed ({clean(str(exc), oneline=True)})"
        )
        exc.partial.undo_record = False
        return Loaded(exc.partial, save, warning, note)
    warning = None
    if save.story["hash"] != story.hash:
        warning = (
            f"'{clean(save.slot)}' was saved with version {version} of the story; "
            f"all {len(save.decisions)} decisions replayed in this version ({clean(story.version, oneline=True)})"
        )
    return Loaded(game, save, warning, note)


def load_game(directory: Path, slot: str, story: Story) -> Loaded:
    return restore(story, read_save(directory, slot))


@dataclass
class SlotInfo:
    slot: str
    path: Path
    save: SaveData | None
    error: str | None

    @property
    def readable(self) -> bool:
        return self.save is not None


def list_saves(directory: Path) -> list:
    """Every *.json file in the folder, newest first; unreadable ones listed with their error."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    infos = []
    for p in sorted(directory.glob("*.json")):
        try:
            infos.append(SlotInfo(p.stem, p, read_save_file(p), None))
        except SaveError as exc:
            infos.append(SlotInfo(p.stem, p, None, str(exc)))
    infos.sort(key=lambda i: (i.save is not None, i.save.updated if i.save else ""), reverse=True)
    return infos


def keep_autosave(directory: Path) -> str | None:
    """Before a new game: move an autosave that holds decisions to a dated slot of its own.

    Returns the slot it was kept as, or None when there was nothing to keep (no autosave, an empty
    one, or an unreadable one, which ``save_game`` then refuses to overwrite). The dated name gets
    ``-2``, ``-3``... when a kept autosave of the same second exists, so none is ever replaced.
    """
    path = slot_path(directory, AUTOSAVE)
    if not path.exists():
        return None
    try:
        old = read_save_file(path)
    except SaveError:
        return None
    if not old.decisions:
        return None
    when = (old.updated or _now())[:19].replace(":", "").replace("-", "").replace("T", "-")
    base = f"autosave-{when}"
    keep, n = base, 1
    while slot_path(directory, keep).exists():
        n += 1
        keep = f"{base}-{n}"
    try:
        path.replace(slot_path(directory, keep))
    except OSError as exc:
        raise SaveError(f"cannot keep the previous autosave as '{keep}': {exc.strerror or exc}") from None
    return keep
