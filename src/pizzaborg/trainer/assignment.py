"""Assignment files: what a trainer sends a cohort (YAML, versioned schema, the story pinned).

```yaml
format: pizzaborg-assignment
schema: 1
id: 6f1c...                       # a UUID: the assignment's identity (also salts learner ids in xAPI)
cohort: CIO workshop December
story: {id: grab-at-pizza, version: 0.1.0, hash: <sha256>}
seed: 48213                       # everyone plays the same game
mastery: 0.7                      # optional: the scaled score (0-1] that passes
undo: recorded                    # optional: free | recorded (the default) | off (docs/reports.md)
deadline: '2026-12-01'            # optional ISO date
note: Play before Tuesday's workshop.   # optional, shown to the learner
xapi_home: https://lms.example.org      # optional: homePage of the learners' xAPI accounts
lrs:                                    # optional: each game sends its statements here at the end
  endpoint: https://lrs.example.org/xAPI/
  key: cohort-key                       # optional basic-auth key and secret: write-only rights,
  secret: s3cret                        #   every learner gets them (never copied into reports)
created: '2026-11-25T09:00:00+00:00'
```
"""

from __future__ import annotations

import math
import os
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from ..engine.errors import PizzaBorgError
from ..engine.files import check_header
from ..engine.times import today as today_utc
from ..engine.times import utcnow

FORMAT = "pizzaborg-assignment"
SCHEMA = 1
MAX_BYTES = 256 * 1024
MAX_NOTE = 4000
MAX_COHORT = 80
MAX_LEARNER = 80
KEYS = {
    "format",
    "schema",
    "id",
    "cohort",
    "story",
    "seed",
    "mastery",
    "deadline",
    "note",
    "xapi_home",
    "lrs",
    "created",
    "undo",
    "language",
}
# undo: how a learner may take decisions back, and what the reported score counts (docs/reports.md)
UNDO_MODES = {
    "recorded": "undo as often as you like; every undo is recorded and the score counts your first answers",
    "free": "undo as often as you like; every undo is recorded and the score counts the path you keep",
    "off": "no undo: every decision is final",
}
DEFAULT_UNDO = "recorded"
LRS_KEYS = ("endpoint", "key", "secret")
DEFAULT_XAPI_HOME = "https://pizzaborg.example/learners"
_URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$")


class AssignmentError(PizzaBorgError):
    """An assignment that cannot be made, read or played; the message is one line."""


@dataclass(frozen=True)
class Assignment:
    id: str
    cohort: str
    story: dict  # id, version, hash
    seed: int
    mastery: float | None = None
    deadline: str | None = None  # ISO date
    note: str = ""
    xapi_home: str = DEFAULT_XAPI_HOME
    created: str = ""
    path: str = ""
    lrs: dict | None = None  # {"endpoint", "key", "secret"}: where the games send their statements
    undo: str = DEFAULT_UNDO  # free | recorded | off (UNDO_MODES)
    language: str | None = None  # the game's language for the learners (nl, sv, es-419...); None: theirs

    @property
    def undo_allowed(self) -> bool:
        """Whether a learner may take a decision back in a game of this assignment (the play layer asks)."""
        return self.undo != "off"

    def to_yaml_dict(self) -> dict:
        data = {
            "format": FORMAT,
            "schema": SCHEMA,
            "id": self.id,
            "cohort": self.cohort,
            "story": dict(self.story),
            "seed": self.seed,
        }
        if self.mastery is not None:
            data["mastery"] = self.mastery
        if self.deadline:
            data["deadline"] = self.deadline
        if self.note:
            data["note"] = self.note
        if self.xapi_home != DEFAULT_XAPI_HOME:
            data["xapi_home"] = self.xapi_home
        if self.undo != DEFAULT_UNDO:
            data["undo"] = self.undo
        if self.language:
            data["language"] = self.language
        if self.lrs:
            data["lrs"] = {k: self.lrs[k] for k in LRS_KEYS if self.lrs.get(k) is not None}
        data["created"] = self.created
        return data

    def ref(self) -> dict:
        """What a report records of its assignment (``undo`` only when not the default: reports of
        assignments made before it verify unchanged)."""
        ref = {
            "id": self.id,
            "cohort": self.cohort,
            "seed": self.seed,
            "mastery": self.mastery,
            "deadline": self.deadline,
            "xapi_home": self.xapi_home,
        }
        if self.undo != DEFAULT_UNDO:
            ref["undo"] = self.undo
        return ref

    def check_story(self, story) -> None:
        """Raise AssignmentError when ``story`` is not the story this assignment was made for."""
        from ..engine.text import clean

        if story.hash == self.story["hash"]:
            return
        want = {k: clean(str(v), oneline=True)[:80] for k, v in self.story.items()}  # from the file: shown
        if story.id != want["id"]:
            raise AssignmentError(
                f"this assignment is for the story '{want['id']}', not '{story.id}': "
                "start the game with --story DIR pointing at that story"
            )
        raise AssignmentError(
            f"this assignment is for version {want['version']} of '{want['id']}' (hash {want['hash'][:12]}), "
            f"but this game has version {story.version} (hash {story.hash[:12]}): ask your trainer for that "
            "story version or a new assignment"
        )

    def days_late(self, when: datetime) -> int | None:
        if not self.deadline:
            return None
        d = date.fromisoformat(self.deadline)
        return (when.date() - d).days


def parse_mastery(value) -> float:
    """0 < mastery <= 1 (a scaled score, as in cmi5). '70%' and 70 are refused with a hint."""
    if isinstance(value, bool):
        raise AssignmentError("mastery must be a number between 0 and 1, e.g. 0.7")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise AssignmentError(
                f"mastery '{value[:20]}' is not a number: give a score between 0 and 1, e.g. 0.7"
            ) from None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise AssignmentError("mastery must be a number between 0 and 1, e.g. 0.7")
    if not 0 < value <= 1:
        hint = f" (for {value:g}% write {value / 100:g})" if 1 < value <= 100 else ""
        raise AssignmentError(f"mastery must be above 0 and at most 1{hint}")
    if round(float(value), 4) <= 0:  # what the file keeps: 4 decimals; 0 would refuse every game
        raise AssignmentError(f"mastery {value:g} is too small: give at least 0.0001 (a score of 0.01)")
    return round(float(value), 4)


def parse_deadline(value, today: date | None = None, allow_past: bool = True) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        d = value
    else:
        text = str(value).strip()
        days = re.fullmatch(r"\+(\d{1,4})d", text) if not allow_past else None  # --deadline +14d: in 14 days
        try:
            if days:
                d = (today or today_utc()) + timedelta(days=int(days.group(1)))
            else:
                d = date.fromisoformat(text)
        except ValueError:
            raise AssignmentError(
                f"deadline '{text[:30]}' is not a date: write it as YYYY-MM-DD, e.g. 2026-12-01, "
                "or as days from today, e.g. +14d"
            ) from None
    if not allow_past:
        today = today or today_utc()
        if d < today:
            raise AssignmentError(f"the deadline {d.isoformat()} is in the past")
    return d.isoformat()


def check_cohort(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AssignmentError("the cohort needs a name")
    text = " ".join(value.split())
    if len(text) > MAX_COHORT:
        raise AssignmentError(f"the cohort name may be at most {MAX_COHORT} characters")
    if any(not ch.isprintable() for ch in text):
        raise AssignmentError("the cohort name may not contain control characters")
    return text


def check_learner(value) -> str:
    """A learner's name or id as typed: trimmed, printable, 1-80 characters."""
    from ..engine.i18n import _

    if not isinstance(value, str) or not value.strip():
        raise AssignmentError(_("a learner name or id is needed"))
    text = " ".join(value.split())
    if len(text) > MAX_LEARNER:
        raise AssignmentError(_("a learner name or id may be at most {n} characters").format(n=MAX_LEARNER))
    if any(not ch.isprintable() for ch in text):
        raise AssignmentError(_("a learner name or id may not contain control characters"))
    return text


def check_undo(value) -> str:
    """One of UNDO_MODES. YAML reads a bare ``off`` as false: that is "off" too."""
    if value is False:
        return "off"
    if not isinstance(value, str) or value not in UNDO_MODES:
        shown = str(value)[:20] if isinstance(value, (str, int, float)) else type(value).__name__
        raise AssignmentError(f"undo must be one of free, recorded, off (not '{shown}')")
    return value


def check_note(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AssignmentError("the note must be text")
    if len(value) > MAX_NOTE:
        raise AssignmentError(f"the note may be at most {MAX_NOTE} characters")
    from ..engine.text import clean

    return clean(value).strip()  # shown in a terminal: no escape sequences


def check_home(value) -> str:
    if not isinstance(value, str) or not _URL_RE.match(value):
        raise AssignmentError("xapi_home must be an http(s) URL, e.g. https://lms.example.org")
    return value


def check_lrs(value) -> dict:
    """An assignment's LRS: an http(s) xAPI endpoint, optionally a key and its secret (both or neither)."""
    if not isinstance(value, dict) or any(k not in LRS_KEYS for k in value):
        raise AssignmentError("lrs must be a mapping of endpoint, key and secret")
    from .lrs import LrsError, check_endpoint

    try:
        endpoint = check_endpoint(value.get("endpoint"))
    except LrsError as exc:
        raise AssignmentError(f"lrs.endpoint: {exc}") from None
    key, secret = value.get("key"), value.get("secret")
    for name, v in (("key", key), ("secret", secret)):
        if v is not None and (not isinstance(v, str) or not v or any(not ch.isprintable() for ch in v)):
            raise AssignmentError(f"lrs.{name} must be text")
    if (key is None) != (secret is None):
        raise AssignmentError("lrs needs both a key and its secret, or neither")
    if key is not None and ":" in key:
        raise AssignmentError("lrs.key cannot contain ':'")
    return {"endpoint": endpoint, "key": key, "secret": secret}


def new_assignment(
    story,
    cohort: str,
    seed: int | None = None,
    mastery=None,
    deadline=None,
    note=None,
    xapi_home: str | None = None,
    now: datetime | None = None,
    lrs: dict | None = None,
    undo: str | None = None,
    language: str | None = None,
) -> Assignment:
    now = now or utcnow()
    if seed is None:
        import random

        seed = random.SystemRandom().randrange(1, 1_000_000)
    return Assignment(
        id=str(uuid.uuid4()),
        cohort=check_cohort(cohort),
        story=dict(story.ref),
        seed=seed,
        mastery=parse_mastery(mastery) if mastery is not None else None,
        deadline=parse_deadline(deadline, now.date(), allow_past=False) if deadline is not None else None,
        note=check_note(note),
        xapi_home=check_home(xapi_home) if xapi_home else DEFAULT_XAPI_HOME,
        created=now.replace(microsecond=0).isoformat(),
        lrs=check_lrs({k: v for k, v in lrs.items() if v is not None}) if lrs else None,
        undo=check_undo(undo) if undo is not None else DEFAULT_UNDO,
        language=check_language(language) if language else None,
    )


def write_assignment(assignment: Assignment, path: str | os.PathLike, force: bool = False) -> Path:
    import yaml

    from .files import write_atomic

    target = Path(path)
    if target.exists() and not force:
        raise AssignmentError(f"{target} exists; use --force to replace it")
    text = (
        "# PizzaBorg assignment: play it with  pizzaborg --assignment "
        + target.name
        + "\n"
        + yaml.safe_dump(assignment.to_yaml_dict(), sort_keys=False, allow_unicode=True, width=100)
    )
    try:
        write_atomic(target, text, shared=True)  # given to every learner
    except OSError as exc:
        raise AssignmentError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def load_assignment(path: str | os.PathLike) -> Assignment:
    """Read and validate an assignment file. Raises AssignmentError (one line) on any problem."""
    from ..engine.files import read_handed_text, shown_path

    name = shown_path(path)
    # the one bounded, regular-file-only reader: a FIFO or /dev/zero is refused, not waited on or read whole
    text = read_handed_text(
        path, MAX_BYTES, name, "an assignment file", AssignmentError, f"{name}: no such assignment file"
    )
    # the story's own safe reader: no tags, alias bombs stopped, duplicate keys reported
    from ..engine.yamlsrc import load_yaml

    data, problems = load_yaml(text, name)
    if problems:
        raise AssignmentError(f"{problems[0].pos}: {problems[0].message}")
    check_header(data, name, FORMAT, SCHEMA, "assignment", AssignmentError)
    unknown = sorted(str(k) for k in data if k not in KEYS)
    if unknown:
        raise AssignmentError(f"{name}: unknown key '{unknown[0]}' (known: {', '.join(sorted(KEYS))})")

    def field(msg_fn):
        try:
            return msg_fn()
        except AssignmentError as exc:
            raise AssignmentError(f"{name}: {exc}") from None

    ident = data.get("id")
    try:
        ident = str(uuid.UUID(str(ident)))
    except ValueError:
        raise AssignmentError(f"{name}: id must be a UUID") from None
    story = data.get("story")
    if not isinstance(story, dict) or not all(
        isinstance(story.get(k), str) and story.get(k) for k in ("id", "version", "hash")
    ):
        raise AssignmentError(f"{name}: story must give the story's id, version and hash")
    if not re.fullmatch(r"[0-9a-f]{64}", story["hash"]):
        raise AssignmentError(f"{name}: story.hash must be a sha256 hex digest")
    seed = data.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise AssignmentError(f"{name}: seed must be a whole number between 0 and 2^63-1")
    mastery = data.get("mastery")
    deadline = data.get("deadline")
    home = data.get("xapi_home")
    created = data.get("created", "")
    if isinstance(created, datetime):
        created = created.isoformat()
    return Assignment(
        id=ident,
        cohort=field(lambda: check_cohort(data.get("cohort"))),
        story={k: story[k] for k in ("id", "version", "hash")},
        seed=seed,
        mastery=field(lambda: parse_mastery(mastery)) if mastery is not None else None,
        deadline=field(lambda: parse_deadline(deadline)) if deadline is not None else None,
        note=field(lambda: check_note(data.get("note"))),
        xapi_home=field(lambda: check_home(home)) if home is not None else DEFAULT_XAPI_HOME,
        created=str(created or ""),
        path=name,
        lrs=field(lambda: check_lrs(data["lrs"])) if data.get("lrs") is not None else None,
        undo=field(lambda: check_undo(data["undo"])) if "undo" in data else DEFAULT_UNDO,
        language=field(lambda: check_language(data["language"])) if data.get("language") is not None else None,
    )


def check_language(value: object) -> str:
    """An assignment's ``language:``: a language tag (nl, sv, nb, es-419, fr); whether the game has it is
    checked when the game starts (``engine.i18n.choose``)."""
    from ..engine.i18n import normalise

    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", value.strip()):
        raise AssignmentError("language must be a language tag such as nl, sv, nb, es-419 or fr")
    return normalise(value)
