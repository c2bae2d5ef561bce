"""Textual's web driver with one more message from the class server: ``redraw``.

When a learner's browser comes back (a reload, a lid opened, another network) the class server hands
the live game a new websocket whose terminal is blank. A resize to the same size makes Textual draw
nothing (it only draws what changed), so the server sends ``{"type": "redraw"}`` and the game paints
its whole screen again. Nothing else differs from textual's ``WebDriver``.
"""

from __future__ import annotations

import asyncio

from textual.drivers.web_driver import WebDriver

# what WebDriver.start_application_mode writes before the first frame: a new browser terminal needs it
# again (alternate screen, mouse reports, cursor hidden, bracketed paste)
PREAMBLE = b"\x1b[?1049h\x1b[?1000h\x1b[?1003h\x1b[?1015h\x1b[?1006h\x1b[?25l\x1b[?1003h\x1b[?2004h"


class ClassWebDriver(WebDriver):
    _app_loop: asyncio.AbstractEventLoop | None = None

    def start_application_mode(self) -> None:
        self._app_loop = asyncio.get_running_loop()
        super().start_application_mode()

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
