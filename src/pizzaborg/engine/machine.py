"""One ``transitions`` state machine per story: scenes and endings are states, choices are triggers.

Trigger names are ``SCENE/CHOICE`` for a decision, ``SCENE/draw`` for a draw point and
``SCENE/skip`` for a scene whose ``when`` does not hold — the slash keeps them apart from any model
method. Routes become guarded transitions tried in order; ``end`` expands to one transition per
ending, guarded by the ending's condition. Pool events go on to the next queued event or back to the
draw point's routes. A scene's transitions are added the first time a game leaves it. The engine applies
effects before firing, so guards see the new numbers.
"""

from __future__ import annotations

from functools import partial

from transitions import Machine

from .model import END, ENDING_PREFIX, Story

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .model import Condition, Scene

    Guard = Callable[[Any], bool]  # called with transitions' EventData


def ending_state(ending_id: str) -> str:
    return ENDING_PREFIX + ending_id


def trigger_name(scene_id: str, choice_id: str) -> str:
    return f"{scene_id}/{choice_id}"


def _guard(cond: Condition) -> Guard:
    return lambda event: cond(event.model.view)


def _queue_head(scene_id: str) -> Guard:
    return lambda event: bool(event.model.queue) and event.model.queue[0] == scene_id


def _queue_empty(event: Any) -> bool:
    return not event.model.queue


def _from_hub(hub_id: str) -> Guard:
    return lambda event: event.model.hub == hub_id


class _GameMachine(Machine):
    """transitions' Machine with a light model registry.

    Games fire events with ``model.trigger(name)`` only. ``Machine.add_model`` would also bind a
    method per event and per state (``model.<trigger>()``, ``may_<trigger>``, ``is_<state>``) to
    every game, bind each new event to every game ever attached, and keep every game alive in
    ``machine.models``. A report verifier or a random test plays thousands of games on one machine,
    so here a game gets just its ``trigger`` and its initial state, and the machine keeps no
    reference to it (so there is nothing to remove either).
    """

    def add_model(self, model: Any, initial: Any = None) -> None:
        for mod in model if isinstance(model, list) else [model]:
            mod.trigger = partial(self._get_trigger, mod)
            self.set_state(self.initial if initial is None else initial, model=mod)  # type: ignore[arg-type]

    def remove_model(self, model: Any) -> None:
        pass


class StoryMachine:
    """Builds and holds the machine of one story; games attach their model to it."""

    def __init__(self, story: Story):
        self.story = story
        states = list(story.scenes) + [ending_state(e.id) for e in story.endings]
        self.machine = _GameMachine(
            model=None,
            states=states,
            initial=story.start,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        self._hubs_of_pool: dict = {}
        for s in story.scenes.values():
            if s.is_draw:
                self._hubs_of_pool.setdefault(s.draw_pool, []).append(s)
        self._built: set = set()  # scenes whose transitions exist: added on first use, see ensure()

    def ensure(self, scene_id: str) -> None:
        """Add the transitions out of ``scene_id`` if they are not there yet.

        A game plays a fraction of a story's scenes and events, and each pool event has a
        transition to every other event of its pool: building them all up front was most of the
        cost of starting a game. The transitions of a scene are added all at once, the first time
        any game on this machine leaves it, so every game sees the same machine."""
        if scene_id not in self._built:
            self._built.add(scene_id)
            self._add_scene(self.story.scenes[scene_id])

    def _add_routes(self, trigger: str, source: str, routes: list, extra: list) -> None:
        for route in routes:
            guards = list(extra) + ([_guard(route.when)] if route.when else [])
            if route.to == END:
                for ending in self.story.endings:
                    eguards = guards + ([_guard(ending.when)] if ending.when else [])
                    self.machine.add_transition(trigger, source, ending_state(ending.id), conditions=eguards)
            elif route.to.startswith(ENDING_PREFIX):
                self.machine.add_transition(trigger, source, route.to, conditions=guards)
            else:
                self.machine.add_transition(trigger, source, route.to, conditions=guards)

    def _to_queued(self, trigger: str, source: str, pool: str) -> None:
        for ev in self.story.pools.get(pool, []):
            self.machine.add_transition(trigger, source, ev, conditions=[_queue_head(ev)])

    def _add_scene(self, scene: Scene) -> None:
        if scene.draw_pool is not None:  # a draw point
            trigger = trigger_name(scene.id, "draw")
            self._to_queued(trigger, scene.id, scene.draw_pool)
            self._add_routes(trigger, scene.id, scene.next, [_queue_empty])
            return
        if scene.pool is not None:  # an event
            for c in scene.choices:
                trigger = trigger_name(scene.id, c.id)
                self._to_queued(trigger, scene.id, scene.pool)
                for hub in self._hubs_of_pool.get(scene.pool, []):
                    self._add_routes(trigger, scene.id, hub.next, [_queue_empty, _from_hub(hub.id)])
            return
        if scene.when is not None:
            self._add_routes(trigger_name(scene.id, "skip"), scene.id, scene.next, [])
        if scene.pick is not None:  # a portfolio: one trigger, SCENE/+, on the scene's routes
            self._add_routes(trigger_name(scene.id, "+"), scene.id, scene.next, [])
            return
        for c in scene.choices:
            self._add_routes(trigger_name(scene.id, c.id), scene.id, c.next or scene.next, [])

    def attach(self, model: Any) -> None:
        self.machine.add_model(model)

    def detach(self, model: Any) -> None:
        self.machine.remove_model(model)

    def reset(self, model: Any) -> None:
        self.machine.set_state(self.story.start, model=model)
