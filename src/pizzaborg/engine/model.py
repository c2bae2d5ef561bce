"""The story model: what the loader builds from YAML and the engine plays. Plain data, read-only use.

Plain classes with ``__slots__`` rather than dataclasses: defining a dataclass costs about 0.4 ms at
import, and the headless path is measured against a bare ``import yaml, transitions``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

    from .yamlsrc import Pos

    Condition = Callable[[Any], bool]  # a parsed condition (see conditions.py), called with the game's state view

END = "end"
ENDING_PREFIX = "ending:"


class _Record:
    __slots__: tuple[str, ...] = ()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k, None)!r}" for k in self.__slots__[:3])
        return f"{type(self).__name__}({fields}, ...)"


class Value:
    """A small value class: fields are the ``__slots__``, compared and shown like a dataclass's.

    The engine's result types (views, decisions, outcomes, scores) derive from it instead of being
    dataclasses: each dataclass definition costs about 0.3 ms of start-up, and the headless path is
    measured against a bare ``import yaml, transitions``.
    """

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]  # the same class

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Text(_Record):
    """Text made of parts, each shown when its condition holds (None: always)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple):
        self.parts = parts  # ((Condition | None, str), ...)

    def render(self, state: Any) -> str:
        return "\n\n".join(t.strip() for cond, t in self.parts if cond is None or cond(state)).strip()

    @property
    def all_text(self) -> str:
        return "\n\n".join(t for _, t in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and self.parts == other.parts

    __hash__ = None  # type: ignore[assignment]  # equal texts are not interchangeable keys


EMPTY_TEXT = Text(())


class Route(_Record):
    __slots__ = ("to", "when", "pos")

    def __init__(self, to: str, when: Condition | None, pos: Pos):
        self.to = to  # a scene id, "end" or "ending:ID"
        self.when = when
        self.pos = pos


class Effect(_Record):
    """Effects that apply only when ``when`` holds (``effects_if`` of a choice, ``on_enter`` of a round)."""

    __slots__ = ("when", "effects", "pos")

    def __init__(self, when: Condition | None, effects: dict, pos: Pos | None = None):
        self.when = when  # Condition or None (always)
        self.effects = effects  # KPI id -> number
        self.pos = pos


class Choice(_Record):
    __slots__ = (
        "id",
        "text",
        "pos",
        "when",
        "effects",
        "set",
        "clear",
        "evidence",
        "worst",
        "borg",
        "note",
        "next",
        "synthetic",
        "effects_if",
        "cost",
        "pin",
    )

    def __init__(self, id: str, text: Text, pos: Pos, synthetic: bool = False):
        self.id = id
        self.text = text
        self.pos = pos
        self.when: Condition | None = None
        self.effects: dict = {}
        self.set: list = []
        self.clear: list = []
        self.evidence: dict = {}
        self.worst: list = []
        self.borg = EMPTY_TEXT
        self.note = EMPTY_TEXT
        self.next: list[Route] | None = None  # None: the scene's next
        self.synthetic = synthetic  # the "Continue" of a scene without choices
        self.effects_if: list = []  # [Effect]: more effects when a condition holds as the choice is made
        self.cost: float = 0  # capacity this choice spends (the story's one capacity)
        self.pin: str | None = None  # None, "first" or "last": kept out of the shuffle


class Scene(_Record):
    __slots__ = (
        "id",
        "pos",
        "round",
        "title",
        "text",
        "when",
        "choices",
        "next",
        "draw_pool",
        "draw_count",
        "draw_pos",
        "markup",
        "pool",
        "weight",
        "weights",
        "shuffle",
        "pick",
    )

    def __init__(self, id: str, pos: Pos, round: str, pool: str | None = None):
        self.id = id
        self.pos = pos
        self.round = round
        self.title = ""
        self.text = EMPTY_TEXT
        self.when: Condition | None = None
        self.choices: list[Choice] = []
        self.next: list[Route] = []
        self.draw_pool: str | None = None
        self.draw_count = 0
        self.draw_pos: Pos | None = None
        self.markup = False
        self.pool = pool  # the pool an event belongs to
        self.weight: float = 1.0
        self.weights: tuple | None = None  # ((Condition | None, weight), ...): the first that holds, or None (weight)
        self.shuffle = True  # False: the choices are shown in the order written
        self.pick: tuple[int, int] | None = None  # (min, max) for a portfolio scene: pick that many choices at once

    @property
    def is_draw(self) -> bool:
        return self.draw_pool is not None

    @property
    def is_event(self) -> bool:
        return self.pool is not None

    def choice(self, choice_id: str) -> Choice | None:
        for c in self.choices:
            if c.id == choice_id:
                return c
        return None


class Kpi(_Record):
    __slots__ = (
        "id",
        "name",
        "min",
        "max",
        "start",
        "unit",
        "higher_is",
        "description",
        "saturate",
        "drift",
        "drift_toward",
    )

    def __init__(
        self,
        id: str,
        name: str,
        min: float,
        max: float,
        start: float,
        unit: str = "",
        higher_is: str = "better",
        description: str = "",
        saturate: float = 0.0,
        drift: float = 0.0,
        drift_toward: float | None = None,
    ):
        self.id, self.name, self.min, self.max, self.start = id, name, min, max, start
        self.unit, self.higher_is, self.description = unit, higher_is, description
        self.saturate = saturate  # 0: off; S in (0, 1]: see apply()
        self.drift = drift  # change at the start of each round after the first (a step when drift_toward is set)
        self.drift_toward = drift_toward  # None, or the value the drift moves toward by at most |drift|

    def apply(self, value: float, delta: float) -> float:
        """``value`` changed by ``delta`` with saturation, clamped to min..max.

        With ``saturate: S`` a gain is scaled by ``1 - S * (value - min) / (max - min)`` and a loss by
        ``1 - S * (max - value) / (max - min)``, rounded to one decimal: gains shrink near the maximum,
        losses near the minimum."""
        if self.saturate and delta and self.max > self.min:
            span = self.max - self.min
            room = (value - self.min) if delta > 0 else (self.max - value)
            delta = round(delta * (1 - self.saturate * room / span), 1)
        return min(self.max, max(self.min, value + delta))

    def drifted(self, value: float) -> float:
        if not self.drift:
            return value
        if self.drift_toward is None:
            return min(self.max, max(self.min, value + self.drift))
        step = abs(self.drift)
        if value < self.drift_toward:
            return min(self.drift_toward, value + step)
        return max(self.drift_toward, value - step)


class LearningPoint(_Record):
    __slots__ = ("id", "name", "area", "description", "pos")

    def __init__(self, id: str, name: str, area: str, description: str = "", pos: Pos | None = None):
        self.id, self.name, self.area, self.description, self.pos = id, name, area, description, pos


class Area(_Record):
    __slots__ = ("id", "name", "points")

    def __init__(self, id: str, name: str, points: list[str]):
        self.id, self.name, self.points = id, name, points  # points: [point id]


class WorstPractice(_Record):
    __slots__ = ("id", "name", "description", "pos")

    def __init__(self, id: str, name: str, description: str = "", pos: Pos | None = None):
        self.id, self.name, self.description, self.pos = id, name, description, pos


class Ending(_Record):
    __slots__ = ("id", "title", "text", "when", "pos")

    def __init__(self, id: str, title: str, text: Text, when: Condition | None, pos: Pos | None):
        self.id, self.title, self.text, self.when, self.pos = id, title, text, when, pos


class Round(_Record):
    __slots__ = ("id", "number", "title", "intro", "question", "file", "questions", "on_enter", "capacity")

    def __init__(
        self,
        id: str,
        number: int,
        title: str,
        intro: Text = EMPTY_TEXT,
        question: str = "",
        file: str = "",
        questions: tuple[tuple[Condition | None, str], ...] = (),
        on_enter: tuple[Effect, ...] = (),
        capacity: float | None = None,
    ):
        self.id, self.number, self.title, self.intro, self.question, self.file = (
            id,
            number,
            title,
            intro,
            question,
            file,
        )
        self.questions = questions  # ((Condition | None, text), ...): the first that holds is asked
        self.on_enter = on_enter  # (Effect, ...) applied when the round begins
        self.capacity = capacity  # this round's capacity, None: the story's per_round

    def reflection(self, state: Any) -> str:
        """The reflection question for the round that ends now: the first of ``questions`` whose
        condition holds, else ``question``."""
        for cond, text in self.questions:
            if cond is None or cond(state):
                return text
        return self.question


class Capacity(_Record):
    """A resource each round has anew (e.g. the team's weeks); choices spend it with ``cost``."""

    __slots__ = ("id", "name", "per_round", "pos")

    def __init__(self, id: str, name: str, per_round: float, pos: Pos | None = None):
        self.id, self.name, self.per_round, self.pos = id, name, per_round, pos


class Story(_Record):
    """A loaded story. ``kpis``, ``areas``, ``points``, ``worst``, ``rounds`` and ``scenes`` are dicts
    by id in story order; ``pools`` maps a pool name to its event scene ids; ``audit`` holds the
    thresholds story.yaml sets for ``story audit`` (only the keys it sets)."""

    __slots__ = (
        "id",
        "title",
        "version",
        "language",
        "start",
        "intro",
        "company",
        "company_description",
        "kpis",
        "areas",
        "points",
        "worst",
        "endings",
        "rounds",
        "scenes",
        "pools",
        "hash",
        "root",
        "files",
        "audit",
        "shuffle",
        "capacity",
        "__dict__",
    )

    # set by __init__ from its keyword arguments (the loader passes every one)
    id: str
    title: str
    version: str
    language: str
    start: str
    intro: Text
    company: str
    company_description: str
    kpis: dict[str, Kpi]
    areas: dict[str, Area]
    points: dict[str, LearningPoint]
    worst: dict[str, WorstPractice]
    endings: list[Ending]
    rounds: dict[str, Round]
    scenes: dict[str, Scene]
    pools: dict[str, list[str]]
    hash: str
    root: Path
    files: list[str]
    audit: dict[str, Any]
    shuffle: bool
    capacity: Capacity | None

    def __init__(self, **fields: Any):
        for k in self.__slots__[:-1]:
            setattr(self, k, fields.pop(k, None))
        if fields:
            raise TypeError(f"unknown story fields: {', '.join(fields)}")
        if self.files is None:
            self.files = []
        if self.audit is None:
            self.audit = {}  # story.yaml's ``audit:`` thresholds (the author tools read them)
        if self.shuffle is None:
            self.shuffle = True

    def ending(self, ending_id: str) -> Ending | None:
        for e in self.endings:
            if e.id == ending_id:
                return e
        return None

    @property
    def ref(self) -> dict:
        return {"id": self.id, "version": self.version, "hash": self.hash}
