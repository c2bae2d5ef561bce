"""The story model: what the loader builds from YAML and the engine plays. Plain data, read-only use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .conditions import Condition
from .yamlsrc import Pos

END = "end"
ENDING_PREFIX = "ending:"


@dataclass(frozen=True)
class Text:
    """Text made of parts, each shown when its condition holds (None: always)."""

    parts: tuple  # ((Condition | None, str), ...)

    def render(self, state) -> str:
        return "\n\n".join(t.strip() for cond, t in self.parts if cond is None or cond(state)).strip()

    @property
    def all_text(self) -> str:
        return "\n\n".join(t for _, t in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)


EMPTY_TEXT = Text(())


@dataclass
class Route:
    to: str  # a scene id, "end" or "ending:ID"
    when: Condition | None
    pos: Pos


@dataclass
class Choice:
    id: str
    text: Text
    pos: Pos
    when: Condition | None = None
    effects: dict = field(default_factory=dict)
    set: list = field(default_factory=list)
    clear: list = field(default_factory=list)
    evidence: dict = field(default_factory=dict)
    worst: list = field(default_factory=list)
    borg: Text = EMPTY_TEXT
    note: Text = EMPTY_TEXT
    next: list | None = None  # [Route] or None: the scene's next
    synthetic: bool = False  # the "Continue" of a scene without choices


@dataclass
class Scene:
    id: str
    pos: Pos
    round: str
    title: str = ""
    text: Text = EMPTY_TEXT
    when: Condition | None = None
    choices: list = field(default_factory=list)
    next: list = field(default_factory=list)  # [Route]
    draw_pool: str | None = None
    draw_count: int = 0
    markup: bool = False
    pool: str | None = None  # the pool an event belongs to
    weight: float = 1.0
    draw_pos: Pos | None = None

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


@dataclass
class Kpi:
    id: str
    name: str
    min: float
    max: float
    start: float
    unit: str = ""
    higher_is: str = "better"
    description: str = ""


@dataclass
class LearningPoint:
    id: str
    name: str
    area: str
    description: str = ""
    pos: Pos | None = None


@dataclass
class Area:
    id: str
    name: str
    points: list  # [point id]


@dataclass
class WorstPractice:
    id: str
    name: str
    description: str = ""
    pos: Pos | None = None


@dataclass
class Ending:
    id: str
    title: str
    text: Text
    when: Condition | None
    pos: Pos


@dataclass
class Round:
    id: str
    number: int
    title: str
    intro: Text = EMPTY_TEXT
    question: str = ""
    file: str = ""


@dataclass
class Story:
    id: str
    title: str
    version: str
    language: str
    start: str
    intro: Text
    company: str
    company_description: str
    kpis: dict  # id -> Kpi, in story order
    areas: dict  # id -> Area
    points: dict  # id -> LearningPoint
    worst: dict  # id -> WorstPractice
    endings: list  # [Ending]
    rounds: dict  # id -> Round, in order
    scenes: dict  # id -> Scene
    pools: dict  # name -> [scene id]
    hash: str
    root: Path
    files: list = field(default_factory=list)  # relative paths read

    def ending(self, ending_id: str) -> Ending | None:
        for e in self.endings:
            if e.id == ending_id:
                return e
        return None

    @property
    def ref(self) -> dict:
        return {"id": self.id, "version": self.version, "hash": self.hash}
