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

``undo()`` replays all decisions but the last, and records the decision it took back in ``undos``
(:class:`Undone`): the state (scene, numbers, ending) stays a function of the decisions kept, the
first-answer score (``report().first``) and the report of (story, seed, decisions, undos).
``Game.replay(story, seed, decisions, undos)`` rebuilds a game, undos included (see
:func:`action_log`); it raises :class:`ReplayError` at the first step the story cannot take, with the
game as far as it got in ``partial``. ``undos=None`` (a save from before undos were recorded) replays
the decisions and marks the record missing (``undo_record`` False): never an invented empty one.
"""

from __future__ import annotations

import random

from . import i18n
from .errors import PizzaBorgError
from .machine import StoryMachine, ending_state, trigger_name
from .model import ENDING_PREFIX, Story
from .scoring import ScoreReport, Stake, point_key, score_report, stakes_for, stakes_for_pick
from .shuffle import shown_order
from .text import amount, fmt_num
from .views import CapacityView, ChoiceView, Decision, KpiEntry, Outcome, RoundSummary, SceneView, Undone

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .model import Choice, Scene

PICK = "+"  # the trigger of a portfolio decision: SCENE/+ (no choice id can be "+")
# undos one game may record: a learner who tries every option of every decision makes a few hundred;
# the bound keeps the replay of a handed-in record (each undo rescored) quick whatever the file says
MAX_UNDOS = 2_000
MAX_AUTO_STEPS = 10_000


class GameError(PizzaBorgError):
    """A choice that cannot be made now (unknown id, number out of range, game over)."""


class ReplayError(GameError):
    def __init__(self, message: str, index: int, partial: Game):
        super().__init__(message)
        self.index = index
        self.partial = partial


class _Track:
    """The model attached to the story's state machine; ``state`` is the current scene."""

    state: str  # set by the machine
    trigger: Callable[[str], bool]  # set by the machine (StoryMachine.attach)

    def __init__(self, game: Game):
        self.view = _StateView(game)
        self.queue: list = []
        self.hub: str | None = None


class _StateView:
    """What conditions may look at (see conditions.State)."""

    def __init__(self, game: Game):
        self.g = game

    def kpi(self, name: str) -> float:
        return self.g.kpis[name]

    def flag(self, name: str) -> bool:
        return name in self.g.flags

    def number(self, name: str) -> float:
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

    def learning(self, ident: str) -> float:
        r = self.g.report()
        if ident in r.areas:
            return r.areas[ident] or 0.0
        p = r.points.get(ident)
        return (p.score or 0.0) if p else 0.0

    def visited(self, scene: str) -> bool:
        return scene in self.g.visited

    def chose(self, scene: str, choice: str) -> bool:
        return (scene, choice) in self.g.chosen

    def delta(self, name: str) -> float:
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
        self.undos: list = []  # [Undone], in the order undone; kept across the replays undo() makes
        self.undo_record = True  # False: restored from a save that kept no undo record (undos before: unknown)
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
        self._offer_key: tuple | None = None  # (scene, decisions made) of the cached offered() list
        self._offer: list = []
        self.round_id = self.story.scenes[self.story.start].round
        self._round_start = dict(self.kpis)
        self._round_decisions: list = []
        self.spent = 0  # capacity spent this round
        self.round_start_deltas: dict = {}  # what the current round's start changed (drift, on_enter)
        self.ending: str | None = None
        self.last_round: RoundSummary | None = None
        self._report: ScoreReport | None = None
        # the one series of the numbers every face shows (see kpi_series): the start, each decision,
        # each month's start changes as entries of their own
        self.history: list = [KpiEntry("start", 0, self.round_id, dict(self.kpis), {})]
        self._settle([])
        self._start_round(first=True)

    @property
    def state(self) -> str:
        return self._track.state

    @property
    def view(self) -> _StateView:
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
            self._report = score_report(self.story, self.decisions, self.undos)
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

    def reason(self, choice: Choice) -> str:
        """Why ``choice`` cannot be taken now ("" when it can)."""
        if choice.cost and self.story.capacity is not None:
            left = self.capacity_left
            if left is not None and choice.cost > left:
                cap = self.story.capacity
                return i18n._("needs {amount}, {left} left this month").format(
                    amount=amount(choice.cost, cap.name or cap.id), left=fmt_num(left)
                )
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
            cap = CapacityView(
                self.story.capacity.id, self.story.capacity.name, self.capacity_left, self.capacity_total
            )
        return SceneView(
            s.id,
            s.title,
            s.text.render(view),
            rnd.id,
            rnd.number,
            rnd.title,
            s.is_event,
            s.markup,
            tuple(choices),
            s.pick,
            cap,
        )

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
        picks: list[Choice] = []
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

    def _picks(self, scene: Scene, choice_id: str, offered: list) -> list:
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
            left = self.capacity_left
            if self.story.capacity is not None and left is not None and cost > left:
                cap = self.story.capacity
                raise GameError(
                    i18n._("the choices picked in scene '{scene}' need {amount}, {left} left this month").format(
                        scene=scene.id, amount=amount(cost, cap.name or cap.id), left=fmt_num(left)
                    )
                )
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
            left = self.capacity_left  # None: the story has no capacity
            budget = left + sum(c.cost for c in picks) if left is not None else None
            stakes = stakes_for_pick(available, picks, scene.pick or (1, 1), budget)
            worst = [w for c in picks for w in c.worst]
            evidence = {}
            for c in picks:
                for p, w in c.evidence.items():
                    evidence[p] = evidence.get(p, 0) + w
            text = " + ".join(c.text.render(view) for c in picks)
            borg = "\n\n".join(b for b in (c.borg.render(view) for c in picks) if b)
            note = "\n\n".join(n for n in (c.note.render(view) for c in picks) if n)
        decision = Decision(
            scene.id,
            cid,
            self.round_id,
            deltas,
            stakes,
            worst,
            worst_offered,
            offered,
            tuple(c.id for c in picks) if scene.pick is not None else (),
        )
        self.decisions.append(decision)
        self._round_decisions.append(decision)
        self._report = None
        after = dict(self.kpis)
        self.history.append(KpiEntry("decision", len(self.decisions), self.round_id, after, deltas))
        outcome = Outcome(scene.id, cid, text, deltas, evidence, worst, borg, note)
        outcome.after = after
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

    def _draw(self, hub: Scene) -> list:
        visit = self.draw_visits.get(hub.id, 0)
        self.draw_visits[hub.id] = visit + 1
        rng = random.Random(f"{self.seed}|{hub.id}|{visit}")
        view = self._track.view
        eligible = []
        assert hub.draw_pool is not None  # a draw point
        for e in self.story.pools[hub.draw_pool]:
            ev = self.story.scenes[e]
            if e in self.played_events or (ev.when is not None and not ev.when(view)):
                continue
            w = (
                ev.weight
                if ev.weights is None
                else next((w for cond, w in ev.weights if cond is None or cond(view)), 0)
            )
            if w > 0:  # a conditional weight of 0: not drawn now
                eligible.append((ev, w))
        picked = []
        for _ in range(min(hub.draw_count, len(eligible))):
            total = sum(w for _, w in eligible)
            x = rng.random() * total
            for i, (_e, w) in enumerate(eligible):
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
            self.ending = state[len(ENDING_PREFIX) :]
            outcome.ending = self.ending
            outcome.round_end = self._close_round()
            return
        scene = self.story.scenes[state]
        hub = self._track.hub
        round_id = self.story.scenes[hub].round if scene.is_event and hub is not None else scene.round
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
        self.round_start_deltas = {
            k: round(self.kpis[k] - before[k], 6) for k in self.kpis if self.kpis[k] != before[k]
        }
        self._report = None
        if self.round_start_deltas:
            self.history.append(
                KpiEntry(
                    "month_start", len(self.decisions), self.round_id, dict(self.kpis), dict(self.round_start_deltas)
                )
            )

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
        summary = RoundSummary(
            rnd.id, rnd.number, rnd.title, question, self._round_start, dict(self.kpis), self._round_decisions
        )
        self._round_start = dict(self.kpis)
        self._round_decisions = []
        self.last_round = summary
        return summary

    # ---- history -----------------------------------------------------------------------------
    def kpi_series(self, decisions: int | None = None) -> dict:
        """{kpi id: [value at the start, after each entry of :attr:`history`]}: the numbers as the game
        held them, month starts included. ``decisions``: only up to the entry of that decision (the
        month start that follows it left out), as a face shows while that decision's feedback is up."""
        entries = self.history if decisions is None else self.entries_through(decisions)
        return {k: [e.values[k] for e in entries] for k in self.kpis}

    def entries_through(self, decisions: int) -> list:
        """The entries of :attr:`history` up to decision number ``decisions`` (1-based; 0: the start and
        the first month's start), without the month start that comes right after it."""
        out = []
        for e in self.history:
            if e.decisions > decisions or (e.decisions == decisions and decisions and e.kind == "month_start"):
                break
            out.append(e)
        return out

    def undo(self, before: tuple | None = None) -> bool:
        """Take back the last decision. Returns False when there is none, or when the game has
        recorded MAX_UNDOS undos already (the record would no longer replay).

        ``before``: a :meth:`snapshot` taken just before that decision (replays of a record take
        them), restored instead of replaying every decision but the last."""
        if not self.decisions or len(self.undos) >= MAX_UNDOS:
            return False
        last = self.decisions[-1]
        index = len(self.decisions) - 1
        undone = Undone(index, point_key(self.decisions, index), last, self.report().reported)
        if before is not None:
            self._restore(before)
        else:
            keep = [(d.scene, d.choice) for d in self.decisions[:-1]]
            self._reset()
            for _scene, choice in keep:
                self.choose(choice)
        self.undos.append(undone)
        self._report = None
        return True

    _NOT_STATE = frozenset(("story", "seed", "_sm", "_track", "undos", "undo_record", "_report"))

    def snapshot(self) -> tuple:
        """Where the game stands, to :meth:`undo` back to: every field of the game (containers copied
        one level; the values in them are never changed in place) and the scene, queue and hub."""
        fields = {
            k: (v.copy() if isinstance(v, (list, dict, set)) else v)
            for k, v in self.__dict__.items()
            if k not in self._NOT_STATE
        }
        t = self._track
        return fields, t.state, list(t.queue), t.hub

    def _restore(self, snap: tuple) -> None:
        fields, state, queue, hub = snap
        for k, v in fields.items():
            setattr(self, k, v.copy() if isinstance(v, (list, dict, set)) else v)
        self._sm.machine.set_state(state, model=self._track)
        self._track.queue, self._track.hub = list(queue), hub
        self._report = None

    @property
    def decision_list(self) -> list:
        return [{"scene": d.scene, "choice": d.choice} for d in self.decisions]

    @property
    def undo_list(self) -> list:
        """The undo record as saves keep it ([{decision, scene, choice}]); with ``undo_record`` False it
        holds only the undos made since the game was restored from a save without a record."""
        return [u.as_dict() for u in self.undos]

    @classmethod
    def replay(cls, story: Story, seed: int, decisions: list, undos: list | None = None) -> Game:
        """Rebuild a game from the decisions kept and the undo record (None: missing, see the module)."""
        game = cls(story, seed)
        if undos is None:
            game.undo_record = False
            undos = []
        try:
            log = action_log(decisions, undos)
        except ValueError as exc:
            raise ReplayError(str(exc), 0, game) from None
        kept = 0
        for (scene, choice), label in walk(game, log):
            index = len(game.decisions)
            what = f"decision {index + 1}" if label is None else f"undo {label} (decision {index + 1})"
            if game.over:
                raise ReplayError(f"{what} ({scene}/{choice}) comes after the game ended", kept, game)
            if game.state != scene:
                raise ReplayError(f"{what} is for scene '{scene}', but the story is at '{game.state}'", kept, game)
            if PICK not in choice and choice not in {c.id for c in game.offered()}:
                raise ReplayError(f"{what}: scene '{scene}' has no choice '{choice}' now", kept, game)
            try:
                game.choose(choice)
            except GameError as exc:
                raise ReplayError(f"{what}: {exc}", kept, game) from None
            if label is None:
                kept += 1
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


def undo_record_ok(undos: object) -> bool:
    """True when ``undos`` has the shape a save and a report keep: a list of {decision (a whole number),
    scene, choice}. Its content is checked by replaying it (:func:`action_log`)."""
    return isinstance(undos, list) and all(
        isinstance(u, dict)
        and isinstance(u.get("scene"), str)
        and isinstance(u.get("choice"), str)
        and isinstance(u.get("decision"), int)
        and not isinstance(u.get("decision"), bool)
        for u in undos
    )


def walk(game: Game, log: list) -> Iterator[tuple[tuple, int | None]]:
    """Play an action log (:func:`action_log`) on ``game``: an undo restores the snapshot taken just
    before the decision it takes back (no replay per undo); each choice is yielded as
    ((scene, choice), the number of the undo that takes it back, or None) for the caller to check and
    make: :meth:`Game.replay` and the report's description, each with its own messages."""
    marks: list = []
    for action, item, label in log:
        if action == "undo":
            game.undo(marks.pop())
            continue
        if label is not None:
            marks.append(game.snapshot())
        yield item, label


def action_log(decisions: list, undos: list) -> list:
    """The playthrough as it happened: [("choose", (scene, choice), None | undo number) or ("undo", undo, n)].

    ``decisions`` is the path kept, ``undos`` the undone decisions in the order undone, each with
    ``decision`` (its 1-based position in the path then), ``scene`` and ``choice``. The order follows
    from the positions alone: just before undo k the path held ``decision`` decisions, just after it
    one fewer, so the choices made between two undos are the ones that fill the path back up (the
    undone one last). Raises ValueError (one line) for a record no playthrough can make."""
    if len(undos) > MAX_UNDOS:
        raise ValueError(f"{len(undos)} undos: more than a game records ({MAX_UNDOS})")
    stack = [_decision_pair(d) for d in decisions]
    log: list = []
    for n in range(len(undos), 0, -1):
        u = undos[n - 1]
        pos = u.get("decision") if isinstance(u, dict) else None
        if isinstance(pos, bool) or not isinstance(pos, int) or pos < 1:
            raise ValueError(f"undo {n}: 'decision' must be a whole number from 1")
        if len(stack) < pos - 1:
            raise ValueError(f"undo {n} takes back decision {pos}, but the path then had only {len(stack)} decisions")
        while len(stack) > pos - 1:
            log.append(("choose", stack.pop(), None))
        log.append(("undo", u, n))
        stack.append(_decision_pair(u))  # made just before the undo: popped as a choice next
    while stack:
        log.append(("choose", stack.pop(), None))
    log.reverse()
    return _label_undone(log)


def _label_undone(log: list) -> list:
    """Mark each choice that a later undo takes back with that undo's number (for messages)."""
    depth_of: list = []  # the log index of the choice at each path position
    out = [list(a) for a in log]
    for i, (action, _item, label) in enumerate(out):
        if action == "choose":
            depth_of.append(i)
        else:
            j = depth_of.pop()
            out[j][2] = label
    return [tuple(a) for a in out]


def _decision_pair(d: dict | tuple) -> tuple:
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
    "KpiEntry",
    "Outcome",
    "ReplayError",
    "RoundSummary",
    "SceneView",
    "Stake",
    "ending_state",
    "shown_order",
]
