"""Typeahead: keys are handled one at a time, each after everything the previous key set off.

Textual hands a key to the focused widget, which passes it up through its parents by message; a
binding may then post more messages (a button's ``Pressed``, a dialog's dismissal, the callback that
opens the next screen). A key typed while that chain is still under way is routed by the screen
stack as it was *before* the previous key took effect, so it lands in a dialog that is closing and
is lost: Enter to close the prologue, then ``3`` within a few hundred milliseconds on a busy machine,
and the ``3`` vanished.

:class:`Typeahead` keeps such keys in order and hands each one to the app only once the app and the
current screen have processed every message the previous key set off (or a new screen has mounted),
the way a terminal keeps what a fast typist types. The first key is never delayed, so the time from
a key to its frame is unchanged; ctrl+c is never held back.
"""

from __future__ import annotations

import asyncio
from collections import deque

from textual import events

NEVER_HELD = frozenset({"ctrl+c"})
MAX_ROUNDS = 200  # a chain of messages is a handful of rounds; this only guards against a loop
ROUND_LIMIT = 1.0  # seconds: a widget that closes before it runs our callback must not hold the keys forever


class Typeahead:
    def __init__(self, app) -> None:
        self.app = app
        self.held: deque = deque()
        self.busy = False
        self._task: asyncio.Task | None = None
        self.blocked = False  # the app is not ready for keys yet (the title is still reading the story)
        self._replays: set = set()  # id() of held keys handed back (a Key has __slots__: no attribute to mark it)

    def take(self, event: events.Event) -> bool:
        """Called with every event the app receives first. True: the key is held for later."""
        if not isinstance(event, events.Key) or event.is_forwarded:
            return False
        if id(event) in self._replays:
            self._replays.discard(id(event))
            return False  # a held key handed back: it goes through now
        if event.key in NEVER_HELD:
            return False
        if self.busy or self.blocked:
            self.held.append(event)
            self.busy = True
            return True
        self.busy = True
        return False

    def block(self) -> None:
        """Hold every key until :meth:`unblock` (the screen that will take them is not up yet)."""
        self.blocked = True

    def unblock(self) -> None:
        self.blocked = False
        if self.busy:
            self.dispatched()  # settle what unblocking set off, then hand back the held keys

    def dispatched(self) -> None:
        """The app has handled (or forwarded) the key it last let through: settle, then go on."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._settle())

    async def _settle(self) -> None:
        app = self.app
        try:
            for _ in range(MAX_ROUNDS):
                stack = list(app.screen_stack)
                if not await self._round():
                    break
                if list(app.screen_stack) == stack and self._quiet():
                    break
        finally:
            self._release()

    async def _round(self) -> bool:
        """Let the app and every widget of the current screen process what they have queued."""
        app = self.app
        try:
            pumps = [app, *app.screen.walk_children(with_self=True)]
        except Exception:  # no screen (the app is closing)
            return False
        pending = 0
        done = asyncio.Event()

        def one_done() -> None:
            nonlocal pending
            pending -= 1
            if pending == 0:
                done.set()

        for pump in pumps:
            if pump.call_later(one_done):
                pending += 1
        if pending:
            try:
                await asyncio.wait_for(done.wait(), ROUND_LIMIT)
            except TimeoutError:
                return True  # a widget went away with our callback in its queue: judge by what is there now
        return True

    def _quiet(self) -> bool:
        app = self.app
        try:
            screen = app.screen
            pumps = [app, *screen.walk_children(with_self=True)]
        except Exception:
            return True
        if not screen.is_mounted:
            return False
        return all(p._message_queue.empty() and not p._next_callbacks for p in pumps)

    def _release(self) -> None:
        self._task = None  # the key handed back starts a settle of its own
        if self.blocked:
            return  # keys stay held; unblock() goes on
        if self.held:
            key = self.held.popleft()
            again = events.Key(key.key, key.character)
            self._replays.add(id(again))
            self.busy = True  # keys typed meanwhile queue up behind the ones already held
            self.app.post_message(again)
        else:
            self.busy = False
