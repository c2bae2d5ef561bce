"""The game: one playthrough of a story, a pure function of (story, seed, decisions).

Typical use::

    story = load_story()
    game = Game(story, seed=42)
    while not game.over:
        scene = game.scene            # SceneView: text, round, choices numbered from 1 as shown
        outcome = game.choose(scene.choices[0].id)   # or game.choose_number(1)
    game.ending, game.report()

The choices of a scene are shown in an order shuffled from (seed, scene id) (see :func:`shown_order`):
numbers are positions as shown, ids never change. ``game.offered()`` is the list as shown (with
choices the capacity cannot pay for), ``game.available()`` the ones that can be taken now,
``game.reason(choice)`` why one cannot. In a portfolio scene (``scene.pick``) the choice is
``"a+b+c"`` (ids, in any order; stored in story order) or ``game.choose_numbers([2, 5, 7])``.

``undo()`` replays all decisions but the last. ``Game.replay(story, seed, decisions)`` rebuilds a game;
it raises :class:`ReplayError` at the first decision the story cannot take, with the game as far as it
got in ``partial``.
"""

from __future__ import annotations

import random

from .machine import StoryMachine, ending_state, trigger_name
from .model import ENDING_PREFIX, Story
from .scoring import ScoreReport, Stake, score_report, stakes_for, stakes_for_pick
from .shuffle import shown_order
from .views import CapacityView, ChoiceView, Decision, Outcome, RoundSummary, SceneView

PICK = "+"  # the trigger of a portfolio decision: SCENE/+ (no choice id can be "+")
MAX_AUTO_STEPS = 10_000


class GameError(Exception):
    """A choice that cannot be made now (unknown id, number out of range, game over)."""


class ReplayError(GameError):
    def __init__(self, message: str, index: int, partial: "Game"):
        super().__init__(message)
        self.index = index
        self.partial = partial


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

    def delta(self, name):
        return self.g.kpis[name] - self.g._round_start[name]


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
        self._orders: dict = {}  # scene id -> its choices in the order this game shows them
        self._offer_key = None  # (scene, decisions made) of the cached offered() list
        self._offer: list = []
        self.round_id = self.story.scenes[self.story.start].round
        self._round_start = dict(self.kpis)
        self._round_decisions: list = []
        self.spent = 0  # capacity spent this round
        self.round_start_deltas: dict = {}  # what the current round's start changed (drift, on_enter)
        self.ending: str | None = None
        self.last_round: RoundSummary | None = None
        self._report: ScoreReport | None = None
        self._settle([])
        self._start_round(first=True)

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

    # ---- capacity ----------------------------------------------------------------------------
    @property
    def capacity_total(self) -> float | None:
        """The current round's capacity, None when the story has none."""
        cap = self.story.capacity
        if cap is None:
            return None
        rc = self.story.rounds[self.round_id].capacity
        return cap.per_round if rc is None else rc

    @property
    def capacity_left(self) -> float | None:
        total = self.capacity_total
        return None if total is None else round(total - self.spent, 6)

    def reason(self, choice) -> str:
        """Why ``choice`` cannot be taken now ("" when it can)."""
        if choice.cost and self.story.capacity is not None:
            left = self.capacity_left
            if choice.cost > left:
                cap = self.story.capacity
                return f"needs {_units(choice.cost, cap.name or cap.id)}, {_num(left)} left this month"
        return ""

    # ---- what the player sees ----------------------------------------------------------------
    def offered(self) -> list:
        """The choices shown now, in the order shown (numbers are positions in this list), including
        those the capacity cannot pay for. The list is shared: copy it before changing it."""
        if self.over:
            return []
        sid = self._track.state
        key = (sid, len(self.decisions))  # what is offered changes only with a decision (or a reset)
        if key != self._offer_key:
            order = self._orders.get(sid)
            if order is None:
                order = self._orders[sid] = shown_order(self.story.scenes[sid], self.seed, self.story.shuffle)
            view = self._track.view
            self._offer = [c for c in order if c.when is None or c.when(view)]  # a new list: never changed
            self._offer_key = key
        return self._offer

    def available(self) -> list:
        """The choices that can be taken now, in the order shown."""
        offered = self.offered()
        if self.story.capacity is None:
            return offered
        left = self.capacity_left
        return [c for c in offered if c.cost <= left]

    @property
    def pick(self) -> tuple | None:
        """(min, max) when the current scene is a portfolio, else None."""
        return None if self.over else self.story.scenes[self.state].pick

    @property
    def scene(self) -> SceneView | None:
        if self.over:
            return None
        s = self.story.scenes[self.state]
        rnd = self.story.rounds[self.round_id]
        view = self._track.view
        choices = []
        for i, c in enumerate(self.offered(), start=1):
            why = self.reason(c)
            choices.append(ChoiceView(i, c.id, c.text.render(view), not why, why, c.cost))
        cap = None
        if self.story.capacity is not None:
            cap = CapacityView(self.story.capacity.id, self.story.capacity.name, self.capacity_left, self.capacity_total)
        return SceneView(s.id, s.title, s.text.render(view), rnd.id, rnd.number, rnd.title, s.is_event, s.markup,
                         tuple(choices), s.pick, cap)

    # ---- playing -----------------------------------------------------------------------------
    def choose_number(self, n: int) -> Outcome:
        """Choose by the number shown (1 = the first choice on the screen)."""
        offered = self.offered()
        if not 1 <= n <= len(offered):
            raise GameError(self._invalid(f"no choice {n}"))
        return self.choose(offered[n - 1].id)

    def choose_numbers(self, numbers: list) -> Outcome:
        """A portfolio by the numbers shown, e.g. [2, 5, 7]."""
        offered = self.offered()
        ids = []
        for n in numbers:
            if not 1 <= n <= len(offered):
                raise GameError(self._invalid(f"no choice {n}"))
            ids.append(offered[n - 1].id)
        return self.choose(PICK.join(ids))

    def portfolio(self, preference: list, k: int | None = None) -> str | None:
        """A valid portfolio (``a+b+c``) from available choices in order of preference: the first ones
        the capacity left can pay for, ``k`` of them (default: as many as the scene allows). None when
        fewer than the scene's minimum fit. For players that are programs (bots, random tests)."""
        lo, hi = self.pick or (1, 1)
        want = hi if k is None else max(lo, min(hi, k))
        left = self.capacity_left
        picks = []
        for c in preference:
            if len(picks) == want:
                break
            if c in picks or (left is not None and c.cost > left):
                continue
            picks.append(c)
            if left is not None:
                left -= c.cost
        return PICK.join(c.id for c in picks) if len(picks) >= lo else None

    def _invalid(self, what: str) -> str:
        if self.over:
            return f"{what}: the game is over ({self.ending})"
        opts = ", ".join(f"{i} {c.id}" for i, c in enumerate(self.offered(), start=1))
        return f"{what} in scene '{self.state}'; valid choices: {opts}"

    def _picks(self, scene, choice_id: str, offered: list) -> list:
        """The choices ``choice_id`` names (``a+b+c`` in a portfolio), checked; raises GameError."""
        ids = choice_id.split(PICK) if scene.pick is not None else [choice_id]
        picks = []
        for cid in ids:
            c = next((c for c in offered if c.id == cid), None)
            if c is None:
                raise GameError(self._invalid(f"no choice '{cid}'"))
            if c in picks:
                raise GameError(f"choice '{cid}' is picked twice in scene '{scene.id}'")
            why = self.reason(c)
            if why:
                raise GameError(f"choice '{cid}' in scene '{scene.id}' is not available: {why}")
            picks.append(c)
        if scene.pick is not None:
            lo, hi = scene.pick
            if not lo <= len(picks) <= hi:
                want = f"{lo}" if lo == hi else f"{lo} to {hi}"
                raise GameError(f"scene '{scene.id}' asks for {want} choices at once, not {len(picks)} (e.g. a+b+c)")
            cost = sum(c.cost for c in picks)
            if self.story.capacity is not None and cost > self.capacity_left:
                cap = self.story.capacity
                raise GameError(f"the choices picked in scene '{scene.id}' need {_units(cost, cap.name or cap.id)}, "
                                f"{_num(self.capacity_left)} left this month")
            order = {c: i for i, c in enumerate(scene.choices)}
            picks.sort(key=order.__getitem__)
        return picks

    def _effects(self, picks: list) -> dict:
        """The summed effects of ``picks``, with each ``effects_if`` whose condition holds now."""
        if len(picks) == 1 and not picks[0].effects_if:
            return picks[0].effects
        view = self._track.view
        total: dict = {}
        for c in picks:
            for k, d in c.effects.items():
                total[k] = total.get(k, 0) + d
            for e in c.effects_if:
                if e.when is None or e.when(view):
                    for k, d in e.effects.items():
                        total[k] = total.get(k, 0) + d
        return total

    def _apply(self, effects: dict) -> None:
        kpis = self.story.kpis
        values = self.kpis
        for k, delta in effects.items():
            kpi = kpis[k]
            if kpi.saturate:
                values[k] = kpi.apply(values[k], delta)
            else:
                values[k] = min(kpi.max, max(kpi.min, values[k] + delta))

    def choose(self, choice_id: str) -> Outcome:
        """Make a decision: a choice id, or ``a+b+c`` (ids) in a portfolio scene. Raises GameError."""
        if self.over:
            raise GameError(self._invalid(f"choice '{choice_id}'"))
        scene = self.story.scenes[self.state]
        offered = self.offered()
        if scene.pick is None:  # the common case, kept quick: random tests make millions of these
            chosen = None
            for c in offered:
                if c.id == choice_id:
                    chosen = c
                    break
            if chosen is None:
                raise GameError(self._invalid(f"no choice '{choice_id}'"))
            if chosen.cost and self.reason(chosen):
                raise GameError(f"choice '{choice_id}' in scene '{scene.id}' is not available: {self.reason(chosen)}")
            picks = [chosen]
        else:
            picks = self._picks(scene, choice_id, offered)
        if self.story.capacity is None:
            available = offered
        else:
            left = self.capacity_left
            available = [c for c in offered if c.cost <= left]
        before = dict(self.kpis)
        if len(picks) == 1 and not picks[0].effects_if and not self._saturating():
            values, kpis = self.kpis, self.story.kpis
            for k, delta in picks[0].effects.items():
                kpi = kpis[k]
                values[k] = min(kpi.max, max(kpi.min, values[k] + delta))
        else:
            self._apply(self._effects(picks))
        for c in picks:
            self.flags.update(c.set)
            self.flags.difference_update(c.clear)
            self.chosen.add((scene.id, c.id))
            self.spent += c.cost
        self.visited.add(scene.id)
        if scene.is_event:
            self.played_events.add(scene.id)
        deltas = {k: round(self.kpis[k] - before[k], 6) for k in self.kpis if self.kpis[k] != before[k]}
        worst_offered = any(c.worst for c in available)
        view = self._track.view
        if len(picks) == 1 and scene.pick is None:
            chosen = picks[0]
            cid = chosen.id
            stakes = stakes_for(available, chosen)
            worst, evidence = list(chosen.worst), dict(chosen.evidence)
            text, borg, note = chosen.text.render(view), chosen.borg.render(view), chosen.note.render(view)
        else:
            cid = PICK.join(c.id for c in picks)
            stakes = stakes_for_pick(available, picks, scene.pick, self.capacity_left + sum(c.cost for c in picks)
                                     if self.story.capacity is not None else None)
            worst = [w for c in picks for w in c.worst]
            evidence = {}
            for c in picks:
                for p, w in c.evidence.items():
                    evidence[p] = evidence.get(p, 0) + w
            text = " + ".join(c.text.render(view) for c in picks)
            borg = "\n\n".join(b for b in (c.borg.render(view) for c in picks) if b)
            note = "\n\n".join(n for n in (c.note.render(view) for c in picks) if n)
        decision = Decision(scene.id, cid, self.round_id, deltas, stakes, worst, worst_offered, offered,
                            tuple(c.id for c in picks) if scene.pick is not None else ())
        self.decisions.append(decision)
        self._round_decisions.append(decision)
        self._report = None
        outcome = Outcome(scene.id, cid, text, deltas, evidence, worst, borg, note)
        self._fire(trigger_name(scene.id, PICK if scene.pick is not None else cid))
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
        eligible = []
        for e in self.story.pools[hub.draw_pool]:
            ev = self.story.scenes[e]
            if e in self.played_events or (ev.when is not None and not ev.when(view)):
                continue
            w = ev.weight if ev.weights is None else next((w for cond, w in ev.weights if cond is None or cond(view)), 0)
            if w > 0:  # a conditional weight of 0: not drawn now
                eligible.append((ev, w))
        picked = []
        for _ in range(min(hub.draw_count, len(eligible))):
            total = sum(w for _, w in eligible)
            x = rng.random() * total
            for i, (e, w) in enumerate(eligible):
                x -= w
                if x < 0 or i == len(eligible) - 1:
                    picked.append(eligible.pop(i)[0].id)
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
            self._start_round(first=False)
            outcome.round_start = dict(self.round_start_deltas)

    def _start_round(self, first: bool) -> None:
        """A round begins: capacity anew, each KPI's drift (not in the first round), then the round's
        ``on_enter`` effects whose conditions hold. The round's summary counts these changes."""
        self.spent = 0
        rnd = self.story.rounds[self.round_id]
        if not rnd.on_enter and (first or not self._drifts()):
            self.round_start_deltas = {}
            return
        before = dict(self.kpis)
        if not first:
            for k in self._drifts():
                self.kpis[k.id] = k.drifted(self.kpis[k.id])
        view = self._track.view
        total: dict = {}
        for e in rnd.on_enter:
            if e.when is None or e.when(view):
                for k, d in e.effects.items():
                    total[k] = total.get(k, 0) + d
        self._apply(total)
        self.round_start_deltas = {k: round(self.kpis[k] - before[k], 6) for k in self.kpis if self.kpis[k] != before[k]}
        self._report = None

    def _saturating(self) -> bool:
        sat = self.story.__dict__.get("_saturating")
        if sat is None:
            sat = self.story.__dict__["_saturating"] = any(k.saturate for k in self.story.kpis.values())
        return sat

    def _drifts(self) -> list:
        d = self.story.__dict__.get("_drifts")
        if d is None:
            d = self.story.__dict__["_drifts"] = [k for k in self.story.kpis.values() if k.drift]
        return d

    def _close_round(self) -> RoundSummary:
        rnd = self.story.rounds[self.round_id]
        question = rnd.reflection(self._track.view) if rnd.questions else rnd.question
        summary = RoundSummary(rnd.id, rnd.number, rnd.title, question, self._round_start, dict(self.kpis), self._round_decisions)
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
            if PICK not in choice and choice not in {c.id for c in game.offered()}:
                raise ReplayError(f"decision {index + 1}: scene '{scene}' has no choice '{choice}' now", index, game)
            try:
                game.choose(choice)
            except GameError as exc:
                raise ReplayError(f"decision {index + 1}: {exc}", index, game) from None
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


def _num(v) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def _units(n, name: str) -> str:
    """'1 team week', '3 team weeks' from a capacity named 'Team weeks', as the faces write a cost
    (render.amount): lower case in running text unless an acronym, singular for one."""
    if name[:1].isupper() and name[1:2].islower():
        name = name[0].lower() + name[1:]
    if n == 1 and name.endswith("s") and not name.endswith("ss"):
        name = name[:-1]
    return f"{_num(n)} {name}"


def _decision_pair(d) -> tuple:
    if isinstance(d, dict):
        return str(d.get("scene")), str(d.get("choice"))
    scene, choice = d
    return scene, choice


__all__ = [
    "CapacityView",
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
    "shown_order",
]
