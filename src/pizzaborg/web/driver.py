"""Textual's web driver with one more message from the class server: ``redraw``.

When a learner's browser comes back (a reload, a lid opened, another network) the class server hands
the live game a new websocket whose terminal is blank. A resize to the same size makes Textual draw
nothing (it only draws what changed), so the server sends ``{"type": "redraw"}`` and the game paints
its whole screen again. And messages to the server, by ``tell_server``: the game's hand-in is recorded (for a
game launched from an LMS: web/lms.py), and ``GAME_OVER``: the game reached its ending and debrief, or left it
(an undo, a new game), so that a closed page of an ended game gives its seat back soon (web/server.py).
Nothing else differs from textual's ``WebDriver``.
"""

from __future__ import annotations

import asyncio

from textual.drivers.web_driver import WebDriver

# what WebDriver.start_application_mode writes before the first frame: a new browser terminal needs it
# again (alternate screen, mouse reports, cursor hidden, bracketed paste)
PREAMBLE = b"\x1b[?1049h\x1b[?1000h\x1b[?1003h\x1b[?1015h\x1b[?1006h\x1b[?25l\x1b[?1003h\x1b[?2004h"


GAME_OVER = "pizzaborg-game-over"  # the meta message: {"type": GAME_OVER, "over": bool}

_RUNNING: ClassWebDriver | None = None  # the game process's driver, once it started


def tell_server(meta: dict[str, object]) -> None:
    """A meta message from the game to its class server (``SessionService.on_meta``); nothing outside one. Written
    on the app's loop, where the screen's packets are written too (two threads' writes could interleave)."""
    driver = _RUNNING
    loop = driver._app_loop if driver is not None else None
    if driver is not None and loop is not None and not loop.is_closed():
        loop.call_soon_threadsafe(driver.write_meta, meta)


class ClassWebDriver(WebDriver):
    _app_loop: asyncio.AbstractEventLoop | None = None

    def start_application_mode(self) -> None:
        global _RUNNING
        self._app_loop = asyncio.get_running_loop()
        super().start_application_mode()
        _RUNNING = self

    def on_meta(self, packet_type: str, payload: dict[str, object]) -> None:
        if packet_type == "redraw":  # from the input thread: the repaint runs on the app's loop
            if self._app_loop is not None and not self._app_loop.is_closed():
                self._app_loop.call_soon_threadsafe(self._redraw)
            return
        super().on_meta(packet_type, payload)

    def _redraw(self) -> None:
        app = self._app
        if app.is_running and app._screen_stack:
            app.refresh(repaint=True, layout=True)
