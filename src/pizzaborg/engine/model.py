"""The story model: what the loader builds from YAML and the engine plays. Plain data, read-only use.

Plain classes with ``__slots__`` rather than dataclasses: defining a dataclass costs about 0.4 ms at
import, and the headless path is measured against a bare ``import yaml, transitions``.
"""

from __future__ import annotations

END = "end"
ENDING_PREFIX = "ending:"


class _Record:
    __slots__ = ()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k, None)!r}" for k in self.__slots__[:3])
        return f"{type(self).__name__}({fields}, ...)"


class Value:
    """A small value class: fields are the ``__slots__``, compared and shown like a dataclass's.

    The engine's result types (views, decisions, outcomes, scores) derive from it instead of being
    dataclasses: each dataclass definition costs about 0.3 ms of start-up, and the headless path is
    measured against a bare ``import yaml, transitions``.
    """

    __slots__ = ()

    def _fields(self) -> tuple:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self):
        return hash(self._fields())

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Text(_Record):
    """Text made of parts, each shown when its condition holds (None: always)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple):
        self.parts = parts  # ((Condition | None, str), ...)

    def render(self, state) -> str:
        return "\n\n".join(t.strip() for cond, t in self.parts if cond is None or cond(state)).strip()

    @property
    def all_text(self) -> str:
        return "\n\n".join(t for _, t in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __eq__(self, other) -> bool:
        return isinstance(other, Text) and self.parts == other.parts

    __hash__ = None


EMPTY_TEXT = Text(())


class Route(_Record):
    __slots__ = ("to", "when", "pos")

    def __init__(self, to: str, when, pos):
        self.to = to  # a scene id, "end" or "ending:ID"
        self.when = when
        self.pos = pos


class Choice(_Record):
    __slots__ = ("id", "text", "pos", "when", "effects", "set", "clear", "evidence", "worst", "borg", "note", "next", "synthetic")

    def __init__(self, id: str, text: Text, pos, synthetic: bool = False):
        self.id = id
        self.text = text
        self.pos = pos
        self.when = None
        self.effects: dict = {}
        self.set: list = []
        self.clear: list = []
        self.evidence: dict = {}
        self.worst: list = []
        self.borg = EMPTY_TEXT
        self.note = EMPTY_TEXT
        self.next = None  # [Route] or None: the scene's next
        self.synthetic = synthetic  # the "Continue" of a scene without choices


class Scene(_Record):
    __slots__ = ("id", "pos", "round", "title", "text", "when", "choices", "next", "draw_pool", "draw_count",
                 "draw_pos", "markup", "pool", "weight")

    def __init__(self, id: str, pos, round: str, pool: str | None = None):
        self.id = id
        self.pos = pos
        self.round = round
        self.title = ""
        self.text = EMPTY_TEXT
        self.when = None
        self.choices: list = []
        self.next: list = []  # [Route]
        self.draw_pool: str | None = None
        self.draw_count = 0
        self.draw_pos = None
        self.markup = False
        self.pool = pool  # the pool an event belongs to
        self.weight = 1.0

    @property
    def is_draw(self) -> bool:
        return self.draw_pool is not None

    @property
    def is_event(self) -> bool:
        return self.pool is not None

    def choice(self, choice_id: str):
        for c in self.choices:
            if c.id == choice_id:
                return c
        return None


class Kpi(_Record):
    __slots__ = ("id", "name", "min", "max", "start", "unit", "higher_is", "description")

    def __init__(self, id, name, min, max, start, unit="", higher_is="better", description=""):
        self.id, self.name, self.min, self.max, self.start = id, name, min, max, start
        self.unit, self.higher_is, self.description = unit, higher_is, description


class LearningPoint(_Record):
    __slots__ = ("id", "name", "area", "description", "pos")

    def __init__(self, id, name, area, description="", pos=None):
        self.id, self.name, self.area, self.description, self.pos = id, name, area, description, pos


class Area(_Record):
    __slots__ = ("id", "name", "points")

    def __init__(self, id, name, points):
        self.id, self.name, self.points = id, name, points  # points: [point id]


class WorstPractice(_Record):
    __slots__ = ("id", "name", "description", "pos")

    def __init__(self, id, name, description="", pos=None):
        self.id, self.name, self.description, self.pos = id, name, description, pos


class Ending(_Record):
    __slots__ = ("id", "title", "text", "when", "pos")

    def __init__(self, id, title, text, when, pos):
        self.id, self.title, self.text, self.when, self.pos = id, title, text, when, pos


class Round(_Record):
    __slots__ = ("id", "number", "title", "intro", "question", "file")

    def __init__(self, id, number, title, intro=EMPTY_TEXT, question="", file=""):
        self.id, self.number, self.title, self.intro, self.question, self.file = id, number, title, intro, question, file


class Story(_Record):
    """A loaded story. ``kpis``, ``areas``, ``points``, ``worst``, ``rounds`` and ``scenes`` are dicts
    by id in story order; ``pools`` maps a pool name to its event scene ids; ``audit`` holds the
    thresholds story.yaml sets for ``story audit`` (only the keys it sets)."""

    __slots__ = ("id", "title", "version", "language", "start", "intro", "company", "company_description", "kpis",
                 "areas", "points", "worst", "endings", "rounds", "scenes", "pools", "hash", "root", "files", "audit",
                 "__dict__")

    def __init__(self, **fields):
        for k in self.__slots__[:-1]:
            setattr(self, k, fields.pop(k, None))
        if fields:
            raise TypeError(f"unknown story fields: {', '.join(fields)}")
        if self.files is None:
            self.files = []
        if self.audit is None:
            self.audit = {}  # story.yaml's ``audit:`` thresholds (the author tools read them)

    def ending(self, ending_id: str):
        for e in self.endings:
            if e.id == ending_id:
                return e
        return None

    @property
    def ref(self) -> dict:
        return {"id": self.id, "version": self.version, "hash": self.hash}
