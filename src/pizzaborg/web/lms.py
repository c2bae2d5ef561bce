"""The LMS's learner on the class server: one concept for a game launched from a SCORM package (web/scorm.py)
and one launched as a cmi5 AU (web/cmi5.py).

Why one home: both launches put a learner the LMS names in place of a typed name, with a registration and a
launch mode. The game process (web/child.py), the server's signed record ("launched from the LMS",
trainer/classrecord.py), the cohort and the new-game dialog must treat the two alike, so what the game is told
is made here only (``child_env``), and the server keeps one attribute for it (``ClassSession.lms``) with one
hook per event: the game process made (``child_env``), the hand-in written (``handed_in``, the game's
``handed-in`` message, web/driver.py), the game process gone (``game_ended``) and what ``/status`` adds
(``status``). Each kind overrides the hooks it needs.
"""

from __future__ import annotations

import asyncio

KINDS = ("cmi5", "scorm12", "scorm2004")
HANDED_IN = "pizzaborg-handed-in"  # the meta message a game sends its server once its hand-in is recorded


class LmsLaunch:
    """A learner launched from an LMS: who (``learner``, as the game shows them), under which
    ``registration``, in which ``mode`` (cmi5's Normal, Browse or Review; SCORM: Normal) and ``lang`` (None:
    the page's), by which kind of launch (``KINDS``)."""

    kind = ""
    launched_from = "lms"  # what the server's signed record and the cohort say (trainer/classrecord.py)

    def __init__(self, learner: str = "", registration: str = "", mode: str = "Normal", lang: str | None = None):
        self._learner, self._registration, self._mode, self.lang = learner, registration, mode, lang
        self._handed_in: asyncio.Event | None = None

    @property
    def learner(self) -> str:
        return self._learner

    @property
    def registration(self) -> str:
        return self._registration

    @property
    def mode(self) -> str:
        return self._mode

    def child_env(self) -> dict[str, str]:
        """What the game process is told (web/child.py): the LMS's learner instead of a typed name, the
        registration (signed into the server's record), the launch mode and, when the LMS gave one, the language."""
        env = {
            "PIZZABORG_WEB_LMS_LEARNER": self.learner,
            "PIZZABORG_WEB_LMS_REGISTRATION": self.registration,
            "PIZZABORG_WEB_LMS_MODE": self.mode,
        }
        if self.lang:
            env["PIZZABORG_LANG"] = self.lang
        return env

    # ---- the server's hooks ------------------------------------------------------------------
    @property
    def handed_in_event(self) -> asyncio.Event:
        """Set each time the game reports a hand-in recorded (cleared by whoever waits on it)."""
        if self._handed_in is None:
            self._handed_in = asyncio.Event()
        return self._handed_in

    def handed_in(self, name: str) -> None:
        """The game recorded a hand-in (its file name in the hand-ins folder)."""
        self.handed_in_event.set()

    async def game_ended(self) -> None:
        """The game process has gone."""

    def status(self) -> dict:
        """What ``/status`` adds for the page."""
        return {}


async def ended(service: object) -> None:
    """The server's hook when a game process has gone: its launch's ``game_ended``."""
    run = getattr(service, "lms", None)
    if run is not None:
        await run.game_ended()


def status_extra(s: object) -> dict:
    """What ``/status`` adds for a session launched from an LMS."""
    run = getattr(s, "lms", None)
    return run.status() if run is not None else {}
