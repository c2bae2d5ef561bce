"""The game: one playthrough of a story, a pure function of (story, seed, decisions).

Typical use::

    story = load_story()
    game = Game(story, seed=42)
    while not game.over:
        scene = game.scene            # SceneView: text, round, choices numbered from 1
        outcome = game.choose(scene.choices[0].id)   # or game.choose_number(1)
    game.ending, game.report()

``undo()`` replays all decisions but the last. ``Game.replay(story, seed, decisions)`` rebuilds a game;
it raises :class:`ReplayError` at the first decision the story cannot take, with the game as far as it
got in ``partial``.
"""

from __future__ import annotations

import random

from .machine import StoryMachine, ending_state, trigger_name
from .model import ENDING_PREFIX, Story, Value
from .scoring import ScoreReport, Stake, score_report, stakes_for

MAX_AUTO_STEPS = 10_000


class GameError(Exception):
    """A choice that cannot be made now (unknown id, number out of range, game over)."""


class ReplayError(GameError):
    def __init__(self, message: str, index: int, partial: "Game"):
        super().__init__(message)
        self.index = index
        self.partial = partial


class ChoiceView(Value):
    __slots__ = ("n", "id", "text")

    def __init__(self, n: int, id: str, text: str):
        self.n, self.id, self.text = n, id, text


class SceneView(Value):
    __slots__ = ("id", "title", "text", "round_id", "round_number", "round_title", "is_event", "markup", "choices")

    def __init__(self, id: str, title: str, text: str, round_id: str, round_number: int, round_title: str,
                 is_event: bool, markup: bool, choices: tuple):
        self.id, self.title, self.text = id, title, text
        self.round_id, self.round_number, self.round_title = round_id, round_number, round_title
        self.is_event, self.markup, self.choices = is_event, markup, choices

    def as_dict(self) -> dict:
        return {
            "scene": self.id,
            "round": self.round_number,
            "text": self.text,
            "choices": [{"n": c.n, "id": c.id, "text": c.text} for c in self.choices],
        }


class Decision(Value):
    """A decision made: what was chosen, what it did, and the learning evidence at stake."""

    __slots__ = ("scene", "choice", "round_id", "deltas", "stakes", "worst", "worst_offered")
    __hash__ = None  # holds dicts

    def __init__(self, scene: str, choice: str, round_id: str, deltas: dict, stakes: dict, worst: list, worst_offered: bool):
        self.scene, self.choice, self.round_id = scene, choice, round_id
        self.deltas = deltas
        self.stakes = stakes  # point id -> Stake
        self.worst, self.worst_offered = worst, worst_offered

    def as_dict(self) -> dict:
        return {"scene": self.scene, "choice": self.choice}


class RoundSummary(Value):
    __slots__ = ("id", "number", "title", "question", "kpi_start", "kpi_end", "decisions")
    __hash__ = None

    def __init__(self, id: str, number: int, title: str, question: str, kpi_start: dict, kpi_end: dict, decisions: list):
        self.id, self.number, self.title, self.question = id, number, title, question
        self.kpi_start, self.kpi_end = kpi_start, kpi_end
        self.decisions = decisions  # [Decision]

    @property
    def deltas(self) -> dict:
        return {k: round(self.kpi_end[k] - self.kpi_start[k], 6) for k in self.kpi_end}


class Outcome(Value):
    __slots__ = ("scene", "choice", "choice_text", "deltas", "evidence", "worst", "borg", "note", "round_end",
                 "ending", "events_drawn")
    __hash__ = None

    def __init__(self, scene: str, choice: str, choice_text: str, deltas: dict, evidence: dict, worst: list,
                 borg: str, note: str, round_end: RoundSummary | None = None, ending: str | None = None,
                 events_drawn: list | None = None):
        self.scene, self.choice, self.choice_text = scene, choice, choice_text
        self.deltas, self.evidence, self.worst = deltas, evidence, worst
        self.borg, self.note = borg, note
        self.round_end, self.ending = round_end, ending
        self.events_drawn = [] if events_drawn is None else events_drawn


class _Track:
    """The model attached to the story's state machine; ``state`` is the current scene."""

    def __init__(self, game: "Game"):
        self.view = _StateView(game)
        self.queue: list = []
        self.hub: str | None = None


class _StateView:
    """What conditions may look at (see conditions.State)."""

    def __init__(self, game: "Game"):
        self.g = game

    def kpi(self, name):
        return self.g.kpis[name]

    def flag(self, name):
        return name in self.g.flags

    def number(self, name):
        if name == "round":
            return self.g.round_number
        if name == "score":
            return self.g.report().overall or 0.0
        # assimilation, as ScoreReport computes it, without building a whole report: the story's
        # texts test it after almost every decision (the Collective's tone)
        offered = taken = 0
        for d in self.g.decisions:
            if d.worst_offered:
                offered += 1
                taken += bool(d.worst)
        return round(100.0 * taken / offered, 1) if offered else 0.0

    def learning(self, ident):
        r = self.g.report()
        if ident in r.areas:
            return r.areas[ident] or 0.0
        p = r.points.get(ident)
        return (p.score or 0.0) if p else 0.0

    def visited(self, scene):
        return scene in self.g.visited

    def chose(self, scene, choice):
        return (scene, choice) in self.g.chosen


def _machine_for(story: Story) -> StoryMachine:
    """One machine per loaded story, built on first use and kept with the story."""
    m = story.__dict__.get("_machine")
    if m is None:
        m = StoryMachine(story)
        story.__dict__["_machine"] = m
    return m


class Game:
    def __init__(self, story: Story, seed: int = 0):
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise GameError("the seed must be a whole number")
        self.story = story
        self.seed = seed
        self._sm = _machine_for(story)
        self._track = _Track(self)
        self._sm.attach(self._track)
        self._reset()

    # ---- state -------------------------------------------------------------------------------
    def _reset(self) -> None:
        self._sm.reset(self._track)
        self._track.queue = []
        self._track.hub = None
        self.kpis = {k.id: k.start for k in self.story.kpis.values()}
        self.flags: set = set()
        self.visited: set = set()
        self.chosen: set = set()
        self.decisions: list = []
        self.played_events: set = set()
        self.draw_visits: dict = {}
        self.round_id = self.story.scenes[self.story.start].round
        self._round_start = dict(self.kpis)
        self._round_decisions: list = []
        self.ending: str | None = None
        self.last_round: RoundSummary | None = None
        self._report: ScoreReport | None = None
        self._settle([])

    @property
    def state(self) -> str:
        return self._track.state

    @property
    def view(self):
        """The game as conditions see it: pass it to ``Text.render``."""
        return self._track.view

    @property
    def over(self) -> bool:
        return self.ending is not None

    @property
    def round_number(self) -> int:
        return self.story.rounds[self.round_id].number

    def report(self) -> ScoreReport:
        if self._report is None:
            self._report = score_report(self.story, self.decisions)
        return self._report

    @property
    def score(self) -> float:
        return self.report().overall or 0.0

    def close(self) -> None:
        """Detach from the story's machine (for programs that create many games)."""
        self._sm.detach(self._track)

    # ---- what the player sees ----------------------------------------------------------------
    def available(self) -> list:
        if self.over:
            return []
        scene = self.story.scenes[self.state]
        view = self._track.view
        return [c for c in scene.choices if c.when is None or c.when(view)]

    @property
    def scene(self) -> SceneView | None:
        if self.over:
            return None
        s = self.story.scenes[self.state]
        rnd = self.story.rounds[self.round_id]
        view = self._track.view
        choices = tuple(ChoiceView(i, c.id, c.text.render(view)) for i, c in enumerate(self.available(), start=1))
        return SceneView(s.id, s.title, s.text.render(view), rnd.id, rnd.number, rnd.title, s.is_event, s.markup, choices)

    # ---- playing -----------------------------------------------------------------------------
    def choose_number(self, n: int) -> Outcome:
        offered = self.available()
        if not 1 <= n <= len(offered):
            raise GameError(self._invalid(f"no choice {n}"))
        return self.choose(offered[n - 1].id)

    def _invalid(self, what: str) -> str:
        if self.over:
            return f"{what}: the game is over ({self.ending})"
        opts = ", ".join(f"{i} {c.id}" for i, c in enumerate(self.available(), start=1))
        return f"{what} in scene '{self.state}'; valid choices: {opts}"

    def choose(self, choice_id: str) -> Outcome:
        if self.over:
            raise GameError(self._invalid(f"choice '{choice_id}'"))
        offered = self.available()
        chosen = next((c for c in offered if c.id == choice_id), None)
        if chosen is None:
            raise GameError(self._invalid(f"no choice '{choice_id}'"))
        scene = self.story.scenes[self.state]
        before = dict(self.kpis)
        for k, delta in chosen.effects.items():
            kpi = self.story.kpis[k]
            self.kpis[k] = min(kpi.max, max(kpi.min, self.kpis[k] + delta))
        self.flags.update(chosen.set)
        self.flags.difference_update(chosen.clear)
        self.visited.add(scene.id)
        self.chosen.add((scene.id, chosen.id))
        if scene.is_event:
            self.played_events.add(scene.id)
        deltas = {k: round(self.kpis[k] - before[k], 6) for k in self.kpis if self.kpis[k] != before[k]}
        worst_offered = any(c.worst for c in offered)
        decision = Decision(scene.id, chosen.id, self.round_id, deltas, stakes_for(offered, chosen), list(chosen.worst), worst_offered)
        self.decisions.append(decision)
        self._round_decisions.append(decision)
        self._report = None
        view = self._track.view
        outcome = Outcome(
            scene.id,
            chosen.id,
            chosen.text.render(view),
            deltas,
            dict(chosen.evidence),
            list(chosen.worst),
            chosen.borg.render(view),
            chosen.note.render(view),
        )
        self._fire(trigger_name(scene.id, chosen.id))
        self._settle(outcome.events_drawn)
        self._after_move(outcome)
        return outcome

    def _fire(self, trigger: str) -> None:
        self._sm.ensure(self._track.state)
        ok = self._track.trigger(trigger)
        if not ok:  # pragma: no cover - the loader guarantees a fallback route
            raise GameError(f"the story has no way on from '{self.state}'")
        if self._track.queue and self._track.queue[0] == self._track.state:
            self._track.queue.pop(0)

    def _settle(self, drawn: list) -> None:
        """Pass through draw points and skipped scenes until a scene to play or an ending."""
        for _ in range(MAX_AUTO_STEPS):
            state = self._track.state
            if state.startswith(ENDING_PREFIX):
                return
            scene = self.story.scenes[state]
            if scene.is_draw:
                events = self._draw(scene)
                drawn.extend(events)
                self._track.queue = list(events)
                self._track.hub = scene.id
                self._fire(trigger_name(scene.id, "draw"))
            elif scene.when is not None and not scene.is_event and not scene.when(self._track.view):
                self._fire(trigger_name(scene.id, "skip"))
            else:
                return
        raise GameError("the story loops through draw points or skipped scenes without stopping")

    def _draw(self, hub) -> list:
        visit = self.draw_visits.get(hub.id, 0)
        self.draw_visits[hub.id] = visit + 1
        rng = random.Random(f"{self.seed}|{hub.id}|{visit}")
        view = self._track.view
        eligible = [
            self.story.scenes[e]
            for e in self.story.pools[hub.draw_pool]
            if e not in self.played_events and (self.story.scenes[e].when is None or self.story.scenes[e].when(view))
        ]
        picked = []
        for _ in range(min(hub.draw_count, len(eligible))):
            total = sum(e.weight for e in eligible)
            x = rng.random() * total
            for i, e in enumerate(eligible):
                x -= e.weight
                if x < 0 or i == len(eligible) - 1:
                    picked.append(eligible.pop(i).id)
                    break
        for e in picked:
            self.played_events.add(e)
        return picked

    def _after_move(self, outcome: Outcome) -> None:
        state = self._track.state
        if state.startswith(ENDING_PREFIX):
            self.ending = state[len(ENDING_PREFIX):]
            outcome.ending = self.ending
            outcome.round_end = self._close_round()
            return
        scene = self.story.scenes[state]
        round_id = self.story.scenes[self._track.hub].round if scene.is_event else scene.round
        if round_id != self.round_id:
            outcome.round_end = self._close_round()
            self.round_id = round_id

    def _close_round(self) -> RoundSummary:
        rnd = self.story.rounds[self.round_id]
        summary = RoundSummary(rnd.id, rnd.number, rnd.title, rnd.question, self._round_start, dict(self.kpis), self._round_decisions)
        self._round_start = dict(self.kpis)
        self._round_decisions = []
        self.last_round = summary
        return summary

    # ---- history -----------------------------------------------------------------------------
    def undo(self) -> bool:
        """Take back the last decision. Returns False when there is none."""
        if not self.decisions:
            return False
        keep = [(d.scene, d.choice) for d in self.decisions[:-1]]
        self._reset()
        for scene, choice in keep:
            self.choose(choice)
        return True

    @property
    def decision_list(self) -> list:
        return [{"scene": d.scene, "choice": d.choice} for d in self.decisions]

    @classmethod
    def replay(cls, story: Story, seed: int, decisions: list) -> "Game":
        game = cls(story, seed)
        for index, d in enumerate(decisions):
            scene, choice = _decision_pair(d)
            if game.over:
                raise ReplayError(f"decision {index + 1} ({scene}/{choice}) comes after the game ended", index, game)
            if game.state != scene:
                raise ReplayError(
                    f"decision {index + 1} is for scene '{scene}', but the story is at '{game.state}'", index, game
                )
            if choice not in {c.id for c in game.available()}:
                raise ReplayError(f"decision {index + 1}: scene '{scene}' has no choice '{choice}' now", index, game)
            game.choose(choice)
        return game

    def state_dict(self) -> dict:
        """Everything that defines where the game stands, for comparing two games."""
        return {
            "scene": None if self.over else self.state,
            "ending": self.ending,
            "round": self.round_id,
            "kpis": dict(self.kpis),
            "flags": sorted(self.flags),
            "decisions": self.decision_list,
            "played_events": sorted(self.played_events),
            "queue": list(self._track.queue),
            "report": self.report().as_dict(),
        }


def _decision_pair(d) -> tuple:
    if isinstance(d, dict):
        return str(d.get("scene")), str(d.get("choice"))
    scene, choice = d
    return scene, choice


__all__ = [
    "ChoiceView",
    "Decision",
    "Game",
    "GameError",
    "Outcome",
    "ReplayError",
    "RoundSummary",
    "SceneView",
    "Stake",
    "ending_state",
]
