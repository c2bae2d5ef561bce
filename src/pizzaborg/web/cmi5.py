"""The class server's cmi5 launch: an LMS opens ``/cmi5/launch?endpoint=…&fetch=…&actor=…&registration=…&activityId=…``
and the learner's game starts for the LMS's actor and registration; the statements go back to the LMS.

Why here and not in server.py: the server keeps one hook per event (a route, the game's environment, the game's
end, the status the page reads); what a launch does is this module's, and what the statements are is
``trainer/cmi5.py``'s. The LMS's auth token stays in this process (the page gets only the usual session
cookie); the game process gets the learner's name, the registration and the launch mode.

The order on the wire: the fetch URL once, ``LMS.LaunchData``, the learner preferences, then ``initialized``
before the page's game starts. When the game process ends, however it ends (the learner leaves, the page
closed and the reattach grace ran out, the idle cull, the server stopping), the report the game handed in
gives our decision statements, ``completed`` and ``passed``/``failed``, and ``terminated`` goes last. The
page then goes to the LMS's ``returnURL`` (``/status`` names it once the session is terminated).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from ..engine.i18n import Translator
from .lms import LmsLaunch

if TYPE_CHECKING:  # the trainer's modules are imported at the first launch: the server starts without them
    from ..trainer.cmi5 import Cmi5Session, LmsConnection
    from .server import ClassServer
    from .sessions import ClassSession

log = logging.getLogger("pizzaborg.serve")
LEDGER = "cmi5-registrations.json"  # per registration (hashed): what was sent once for good (completed, passed)


class Cmi5Run(LmsLaunch):
    """One launched AU session on the server: the LMS connection (with its token), the statement rules,
    and the class session whose game it is. Its learner is the launch's actor (web/lms.py)."""

    kind = "cmi5"

    def __init__(self, conn: LmsConnection, au: Cmi5Session, lang: str | None, ledger: Path) -> None:
        super().__init__(lang=lang)
        self.conn, self.au, self.ledger = conn, au, ledger
        self.hand_ins: Path | None = None
        self.session_id = ""
        self._lock = asyncio.Lock()
        self.return_url = au.data.return_url
        self.game_started = False  # a game process was started for this AU session
        self.waiting: asyncio.Task | None = None  # ends the AU session when no game starts (see unless_played)

    @property
    def learner(self) -> str:
        from ..trainer.cmi5 import display_name

        return display_name(self.au.launch.actor)

    @property
    def registration(self) -> str:
        return self.au.launch.registration

    @property
    def mode(self) -> str:
        return self.au.data.launch_mode

    def child_env(self) -> dict[str, str]:
        self.game_started = True  # asked when the game process is made
        return super().child_env()

    def status(self) -> dict:
        """The LMS's return URL once the AU session is over (the page goes back to the LMS)."""
        return {"returnURL": self.return_url} if self.au.terminated and self.return_url else {}

    async def _post(self, statements: list) -> None:
        if statements:
            await asyncio.to_thread(self.conn.post, statements)

    def _report(self) -> dict | None:
        """The report this AU session's game handed in, or None: the class server names it after the class
        session, which a relaunch of the registration continues, so only one finished since ``initialized``."""
        from ..engine.files import loads_json, read_bounded
        from ..engine.times import parse_iso

        if self.hand_ins is None or not self.session_id or self.au.started is None:
            return None
        for path in sorted(self.hand_ins.glob(f"*-{self.session_id}-*.json"), reverse=True):  # newest first
            try:
                report = loads_json(read_bounded(path, 16 * 1024 * 1024))
            except (OSError, ValueError, RecursionError) as exc:
                log.warning("cmi5: the hand-in %s cannot be read: %s", path.name, exc)
                continue
            finished = parse_iso(report.get("finished")) if isinstance(report, dict) else None
            if finished is not None and finished >= self.au.started:
                return report
            return None
        return None

    async def unless_played(self, seconds: float) -> None:
        """A launch whose page never started its game (the window closed at once, the server full): after
        ``seconds`` (the idle timeout) the AU session ends with ``terminated``, not left open for the LMS to
        abandon."""
        await asyncio.sleep(seconds)
        if not self.game_started:
            await self.game_ended()

    async def game_ended(self) -> None:
        """The game process has gone: the results (if the game ended), then ``terminated``; once only."""
        from ..trainer.cmi5 import Cmi5Error
        from ..trainer.lrs import LrsError

        async with self._lock:
            if self.au.terminated:
                return
            statements: list = []
            try:
                report = self._report() if self.au.data.records else None
                if report is not None:
                    from ..trainer.xapi import statements as report_statements

                    statements = self.au.results(report, report_statements(report, self.au.launch.actor))
                statements.append(self.au.terminate())
                await self._post(statements)
                self._remember()  # only what the LMS took: not sent, it may be sent in a later session
            except (Cmi5Error, LrsError, KeyError, TypeError, ValueError) as exc:
                # the LMS sees no terminated: it records the session as abandoned when the registration is next
                # launched (9.3.6)
                log.warning("cmi5: the statements of session %s could not be sent: %s", self.au.session_id[:40], exc)

    def _remember(self) -> None:
        if self.au.done:
            _remember(self.ledger, self.au.launch.registration, done=sorted(self.au.done))


def _key(registration: str) -> str:
    return hashlib.sha256(registration.encode()).hexdigest()


def _entry(path: Path, registration: str) -> dict:
    """What the ledger keeps for a registration: ``done`` (the verbs sent once for good) and ``session`` and
    ``created`` (its class session, which a relaunch of the registration continues)."""
    from ..engine.files import loads_json, read_bounded

    try:
        table = loads_json(read_bounded(path, 16 * 1024 * 1024))
    except (OSError, ValueError, RecursionError):
        return {}
    entry = table.get(_key(registration)) if isinstance(table, dict) else None
    return entry if isinstance(entry, dict) else {}


def _remember(path: Path, registration: str, **fields) -> None:
    from ..engine.files import loads_json, read_bounded, write_atomic

    try:
        try:
            table = loads_json(read_bounded(path, 16 * 1024 * 1024))
        except FileNotFoundError:
            table = {}
        if not isinstance(table, dict):
            table = {}
        entry = table.get(_key(registration))
        table[_key(registration)] = (entry if isinstance(entry, dict) else {}) | fields
        write_atomic(path, json.dumps(table, indent=1) + "\n")
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("cmi5: %s cannot be written: %s", path, getattr(exc, "strerror", None) or exc)


async def _session_for(server: ClassServer, entry: dict) -> ClassSession:
    """The class session of a launch: the registration's earlier one when there is one (its folder keeps the
    game's autosave: the title offers Continue), its game stopped first if it still runs; else a new one."""
    sid, created = entry.get("session"), entry.get("created")
    if not isinstance(sid, str) or not re.fullmatch(r"[0-9a-f]{12}", sid) or not isinstance(created, str):
        return server.sessions.adopt(server.sessions.new())
    s = next((x for x in server.sessions.by_digest.values() if x.id == sid), None)
    if s is None:  # after a restart: the same folder under a new resume code
        from .codes import new_code
        from .sessions import ClassSession

        s = server.sessions.adopt(ClassSession(sid, new_code(), created, server.sessions.root))
    old = s.service
    if old is not None:  # the earlier launch's game (a window left open, or in its grace): it leaves first
        s.service = None
        if s.grace is not None:
            s.grace.cancel()
            s.grace = None
        await server._leave(s, old)
        if s.websocket is not None and not s.websocket.closed:
            await s.websocket.close()
    return s


def _error_page(server: ClassServer, t: Translator, why: str, status: int) -> web.Response:
    from .pages import gate_page, page_response

    _ = t.gettext
    text = _("This game could not be launched from your LMS: {why}").format(why=why)
    body = gate_page(need_code=False, error=text, t=t)
    return page_response(body, status=status)


async def handle_launch(server: ClassServer, request: web.Request) -> web.Response:
    """GET /cmi5/launch: check the parameters, fetch the token once, read the launch data and preferences,
    send ``initialized``, and open the game page on a new session for the LMS's learner."""
    from ..trainer.cmi5 import Cmi5Error, Cmi5Session, LmsConnection, from_lms, origin, parse_launch
    from ..trainer.lrs import LrsError

    t = server._t(request)
    try:
        launch = parse_launch(dict(request.query))
    except Cmi5Error as exc:
        return _error_page(server, t, str(exc), 400)
    if not from_lms(launch, server.lms):  # nothing is fetched from an LMS the trainer did not name
        log.warning("cmi5: a launch from %s refused: not an LMS named by --lms", origin(launch.fetch))
        return _error_page(server, t, "this class server takes no launches from that LMS (serve --lms)", 403)
    if server.seats.taken() >= server.max_sessions:  # before the one fetch: the LMS may launch again later
        from .pages import full_page, page_response

        return page_response(full_page(server.max_sessions, t), status=503)
    conn = LmsConnection(launch)
    try:
        await asyncio.to_thread(conn.fetch_token)
        data = await asyncio.to_thread(conn.launch_data)
        pref = await asyncio.to_thread(conn.preferences)
    except (Cmi5Error, LrsError) as exc:
        log.warning("cmi5: a launch failed: %s", exc)
        return _error_page(server, t, str(exc), 502)
    if data.records and server.hand_ins is None:
        return _error_page(
            server, t, "this class server has no assignment to record the game (serve --assignment)", 503
        )
    lang = None
    if pref:
        from .lang import choose, languages

        lang = choose(pref, None, languages(server.story_dir)) if not server.fixed_lang else None
    ledger = server.data_dir / LEDGER
    entry = _entry(ledger, launch.registration)
    done = {v for v in entry.get("done") or [] if v in ("completed", "passed", "failed")}
    au = Cmi5Session(launch, data, done=done)
    run = Cmi5Run(conn, au, lang, ledger)
    try:
        await run._post([au.initialized()])
    except LrsError as exc:
        log.warning("cmi5: initialized could not be sent: %s", exc)
        return _error_page(server, t, str(exc), 502)
    s = await _session_for(server, entry)
    _remember(ledger, launch.registration, session=s.id, created=s.created)
    s.lms = run
    run.waiting = asyncio.create_task(run.unless_played(server.idle_seconds))
    s.lang = lang or t.lang
    run.session_id, run.hand_ins = s.id, server.hand_ins
    log.info("cmi5: %s launched session %s in %s mode", launch.registration, s.id, data.launch_mode)
    from .server import ACCESS_COOKIE, SESSION_COOKIE

    response = web.HTTPSeeOther("/")
    server._cookie(request, response, SESSION_COOKIE, server.sessions.cookie(s), 1)
    if server.code and not server._has_access(request):  # the LMS vouched for the learner: no access code
        server._cookie(request, response, ACCESS_COOKIE, server._access_token(), 1)
    raise response


def routes(server: ClassServer) -> list:
    """The routes this module adds to the class server (one line in ``_make_app``)."""

    async def launch(request: web.Request) -> web.Response:
        return await handle_launch(server, request)

    return [web.get("/cmi5/launch", launch)]
