"""What a game shows and records: scenes and choices as shown, decisions, round summaries, outcomes.

Plain values (``model.Value``) with no behaviour of their own; :mod:`.game` builds them.
"""

from __future__ import annotations

from .model import Value


class ChoiceView(Value):
    """A choice as shown: its number (position as shown), id, text, whether it can be taken now and,
    if not, why; its cost in the story's capacity (0 when none)."""

    __slots__ = ("n", "id", "text", "available", "reason", "cost")

    def __init__(self, n: int, id: str, text: str, available: bool = True, reason: str = "", cost: float = 0):
        self.n, self.id, self.text = n, id, text
        self.available, self.reason, self.cost = available, reason, cost


class CapacityView(Value):
    __slots__ = ("id", "name", "left", "total")

    def __init__(self, id: str, name: str, left: float | None, total: float | None):
        self.id, self.name, self.left, self.total = id, name, left, total

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "left": self.left, "total": self.total}


class SceneView(Value):
    """A scene as shown. ``choices`` are in the order shown; ``pick`` is (min, max) in a portfolio
    scene, else None; ``capacity`` is a CapacityView when the story has a capacity."""

    __slots__ = (
        "id",
        "title",
        "text",
        "round_id",
        "round_number",
        "round_title",
        "is_event",
        "markup",
        "choices",
        "pick",
        "capacity",
    )

    def __init__(
        self,
        id: str,
        title: str,
        text: str,
        round_id: str,
        round_number: int,
        round_title: str,
        is_event: bool,
        markup: bool,
        choices: tuple,
        pick: tuple | None = None,
        capacity: CapacityView | None = None,
    ):
        self.id, self.title, self.text = id, title, text
        self.round_id, self.round_number, self.round_title = round_id, round_number, round_title
        self.is_event, self.markup, self.choices = is_event, markup, choices
        self.pick, self.capacity = pick, capacity

    @property
    def order(self) -> list:
        """The choice ids in the order shown."""
        return [c.id for c in self.choices]

    def as_dict(self) -> dict:
        out = {
            "scene": self.id,
            "round": self.round_number,
            "text": self.text,
            "choices": [
                {"n": c.n, "id": c.id, "text": c.text, "available": c.available, "reason": c.reason}
                for c in self.choices
            ],
        }
        if self.pick is not None:
            out["pick"] = {"min": self.pick[0], "max": self.pick[1]}
        if self.capacity is not None:
            out["capacity"] = self.capacity.as_dict()
        return out


class Decision(Value):
    """A decision made: what was chosen, what it did, and the learning evidence at stake.

    ``choice`` is a choice id, or ``a+b+c`` for a portfolio (``picks`` holds the ids, in story order);
    ``shown`` is the choice ids in the order the player saw them."""

    __slots__ = ("scene", "choice", "round_id", "deltas", "stakes", "worst", "worst_offered", "offered", "picks")
    __hash__ = None  # type: ignore[assignment]  # holds dicts

    def __init__(
        self,
        scene: str,
        choice: str,
        round_id: str,
        deltas: dict,
        stakes: dict,
        worst: list,
        worst_offered: bool,
        offered: list | tuple = (),
        picks: tuple = (),
    ):
        self.scene, self.choice, self.round_id = scene, choice, round_id
        self.deltas = deltas
        self.stakes = stakes  # point id -> Stake
        self.worst, self.worst_offered = worst, worst_offered
        self.offered = offered  # the Choice objects shown, in the order shown
        self.picks = picks or (choice,)

    @property
    def shown(self) -> tuple:
        """The choice ids in the order the player saw them."""
        return tuple(c.id for c in self.offered)

    def as_dict(self) -> dict:
        return {"scene": self.scene, "choice": self.choice}


class RoundSummary(Value):
    """A round that ended: the numbers at its start (before its start effects) and end, its decisions,
    and the reflection question that matched how it went."""

    __slots__ = ("id", "number", "title", "question", "kpi_start", "kpi_end", "decisions")
    __hash__ = None  # type: ignore[assignment]

    def __init__(
        self, id: str, number: int, title: str, question: str, kpi_start: dict, kpi_end: dict, decisions: list
    ):
        self.id, self.number, self.title, self.question = id, number, title, question
        self.kpi_start, self.kpi_end = kpi_start, kpi_end
        self.decisions = decisions  # [Decision]

    @property
    def deltas(self) -> dict:
        return {k: round(self.kpi_end[k] - self.kpi_start[k], 6) for k in self.kpi_end}


class KpiEntry(Value):
    """One entry of a game's series of numbers (``Game.history``): the KPI values right after it.

    ``kind`` is "start" (the story's start values), "decision" (right after a decision, before anything
    the next month's start does) or "month_start" (a month began: drift, the round's ``on_enter``
    effects; also the first month's when it has any). ``decisions`` is how many decisions were made at
    that point, ``round_id`` the month it belongs to, ``changes`` what it changed (KPI id -> delta)."""

    __slots__ = ("kind", "decisions", "round_id", "values", "changes")
    __hash__ = None  # type: ignore[assignment]  # holds dicts

    def __init__(self, kind: str, decisions: int, round_id: str, values: dict, changes: dict):
        self.kind, self.decisions, self.round_id = kind, decisions, round_id
        self.values, self.changes = values, changes


class Outcome(Value):
    """What a decision did. ``after`` holds the KPI values right after the decision (before the next
    month's start, which ``round_start`` holds: drift and ``on_enter`` effects, when the decision ended a
    round); "now" in feedback is ``after``, never the game's values, which may hold the next month's start."""

    __slots__ = (
        "scene",
        "choice",
        "choice_text",
        "deltas",
        "evidence",
        "worst",
        "borg",
        "note",
        "round_end",
        "ending",
        "events_drawn",
        "round_start",
        "after",
    )
    __hash__ = None  # type: ignore[assignment]  # holds dicts

    def __init__(
        self,
        scene: str,
        choice: str,
        choice_text: str,
        deltas: dict,
        evidence: dict,
        worst: list,
        borg: str,
        note: str,
        round_end: RoundSummary | None = None,
        ending: str | None = None,
        events_drawn: list | None = None,
    ):
        self.scene, self.choice, self.choice_text = scene, choice, choice_text
        self.deltas, self.evidence, self.worst = deltas, evidence, worst
        self.borg, self.note = borg, note
        self.round_end, self.ending = round_end, ending
        self.events_drawn = [] if events_drawn is None else events_drawn
        self.round_start: dict = {}
        self.after: dict = {}


class Undone(Value):
    """A decision taken back (``Game.undo``), kept in the record: the game state does not depend on it,
    the first-answer score and the report do.

    ``index`` is its position in the path it was made on (0 = the first decision), ``key`` where it was
    made (``scoring.point_key``: scene and earlier visits there), ``decision`` the Decision itself (what
    the learner saw: its deltas and evidence), ``score`` the first-answer score shown after it."""

    __slots__ = ("index", "key", "decision", "score")
    __hash__ = None  # type: ignore[assignment]  # holds dicts

    def __init__(self, index: int, key: tuple, decision: Decision, score: float | None):
        self.index, self.key, self.decision, self.score = index, key, decision, score

    @property
    def scene(self) -> str:
        return self.decision.scene

    @property
    def choice(self) -> str:
        return self.decision.choice

    def as_dict(self) -> dict:
        """As saves keep it: which decision (1-based), its scene and choice."""
        return {"decision": self.index + 1, "scene": self.decision.scene, "choice": self.decision.choice}
