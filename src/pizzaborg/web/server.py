"""The class server: textual-serve's ``Server`` with one game process per browser session.

textual-serve serves a page whose script opens a websocket; for each websocket it starts the app
command with Textual's web driver and pipes keys and screen. This subclass adds what a class needs:

- sessions: a browser gets a resume code (a cookie, also shown on the page); the code names a session
  the server made, whose saves folder is ``<data>/sessions/<id>/``; the code is only ever a key into
  the server's own table (stored hashed), never part of a path;
- an access code (required off loopback) asked for by a form before any game starts;
- at most ``max_sessions`` games at once and an idle timeout, each explained on the page;
- the page and its font come from this server only (no web fonts or scripts from elsewhere);
- the limits that keep it serving under abuse (connections, seats, code guesses, proxies, Host): their
  policy is in ``guard.py``, called from small hooks here.
- games forked from a warm pool (``pool.py``, ``forkserver.py``) instead of a Python start per learner,
  and a page that goes (a reload, a lost connection) finds its live game again within a grace period.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from ..engine.i18n import Translator, count, current, translator
from . import cmi5, guard
from . import lms as launched  # a game launched from an LMS (SCORM or cmi5): its hooks
from .child import COULD_NOT_START, NOT_SAVED
from .codes import MAX_FIELD, normal_code
from .driver import GAME_OVER, PREAMBLE
from .lang import choose as choose_language
from .lang import languages
from .pages import full_message, full_page, game_page, gate_page, page_response
from .pool import CAN_FORK, DRIVER, Pool, PoolUnavailable, game_environment
from .scorm import SESSION_KEY as SCORM_SESSION
from .scorm import add_routes as add_scorm_routes
from .sessions import ClassSession, Sessions

log = logging.getLogger("pizzaborg.serve")

HERE = Path(__file__).resolve().parent
ACCESS_COOKIE, SESSION_COOKIE = "pb_access", "pb_session"
STOP_GRACE = 10.0  # seconds a game gets to autosave and leave before it is killed
# seconds an ENDED game (its debrief reached) waits for its closed page, at most the reattach grace: long
# enough for a reload or a lid opened to find the debrief again, short enough that a class whose learners
# close finished games without quitting is not told it is full (a 60-learner class lost 10 seats for the
# whole 10-minute grace). Not 0: a reload would then start a new game on the title screen, the debrief gone.
ENDED_GRACE = 30.0
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def address_to_give_out(ipv6_too: bool = False) -> str | None:
    """The address other machines reach this one at, for a server listening on every interface: the
    source address of the route out (a UDP socket's connect sends no packet), IPv4 first; None when
    there is none."""
    probes = [(socket.AF_INET, ("192.0.2.1", 80))] + ([(socket.AF_INET6, ("2001:db8::1", 80))] if ipv6_too else [])
    for family, probe in probes:  # documentation addresses: nothing is sent, only the route is looked up
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect(probe)
                found = s.getsockname()[0]
        except OSError:
            continue
        if found and not found.startswith("127.") and found not in ("::1", "0.0.0.0", "::"):
            return found
    return None


class SessionService(AppService):
    """One game process, forked by the warm pool's fork server (``web/pool.py``) or, without one,
    ``python -m pizzaborg.web.child`` (no shell); its settings in the environment."""

    def __init__(self, env: dict, cwd: Path, pool: Pool | None = None, **kwargs):
        super().__init__("pizzaborg.web.child", **kwargs)
        self.extra_env = env
        self.cwd = cwd
        self.pool = pool
        self.pooled = False
        self.drew = False  # the game sent a screen: it started
        self.said: asyncio.Task | None = None  # its standard error, to the server's terminal (start)
        self.lms: launched.LmsLaunch | None = None  # launched from an LMS (web/lms.py): told of its hand-in and end
        self.over = False  # the game says it is over (its debrief): a closed page keeps it only briefly
        self.over_told: Callable[[], None] | None = None  # the server's hook when ``over`` changes

    def _build_environment(self, width: int = 80, height: int = 24) -> dict:
        env = super()._build_environment(width, height)
        env["TEXTUAL_DRIVER"] = DRIVER
        env["PIZZABORG_WEB_PARENT"] = str(os.getpid())  # the game leaves when the server does
        env.update(self.extra_env)
        return env

    async def _open_app_process(self, width: int = 80, height: int = 24):
        if self.pool is not None:
            size = {"COLUMNS": str(width), "ROWS": str(height)}
            try:
                forked = await self.pool.spawn({**self.extra_env, **size}, self.cwd)
            except PoolUnavailable:
                pass
            else:  # what AppService uses of a Process, for a process that is not this one's child
                self._process, self._stdin, self.pooled = forked, forked.stdin, True  # type: ignore[assignment]
                return forked
        environment = self._build_environment(width=width, height=height)
        # -P: the session's folder (its working directory) is not on the import path
        self._process = process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-P",
            "-m",
            "pizzaborg.web.child",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            cwd=self.cwd,
        )
        self._stdin = process.stdin
        return process

    async def start(self, width: int, height: int) -> None:
        """textual-serve's start, with the game's standard error read here (:func:`_tell_trainer`):
        textual-serve would print a failed start's lines twice, and a traceback whole."""
        process = await self._open_app_process(width, height)
        self.said = asyncio.create_task(_tell_trainer(process.stderr))
        process.stderr = _ended_stream()  # what textual-serve reads of it: nothing
        self._task = asyncio.create_task(self.run())

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def on_meta(self, data: bytes) -> None:
        """The game's own messages (web/driver.py): ``handed-in`` goes to its LMS launch, ``game-over`` sets
        ``over``; the rest to textual-serve."""
        try:
            meta = json.loads(data)
        except ValueError:
            meta = None
        if isinstance(meta, dict) and meta.get("type") == launched.HANDED_IN:
            if self.lms is not None:
                self.lms.handed_in(str(meta.get("name", "")))
            return
        if isinstance(meta, dict) and meta.get("type") == GAME_OVER:
            self.over = meta.get("over") is True
            if self.over_told is not None:
                self.over_told()
            return
        await super().on_meta(data)

    async def redraw(self, width: int, height: int) -> None:
        """A new browser terminal for the live game: its size, then the whole screen again."""
        await self.set_terminal_size(width, height)
        await self.send_meta({"type": "redraw"})

    async def stop_within(self, grace: float = STOP_GRACE) -> None:
        """Ask the game to leave (it autosaves); kill it when it has not left after ``grace`` seconds."""
        try:
            await asyncio.wait_for(self.stop(), grace)
        except (TimeoutError, ConnectionError, RuntimeError):
            if self._process is not None and self._process.returncode is None:
                self._process.kill()
                await self._process.wait()
        if self.pooled and self._process is not None:  # its output has ended: wait for the process itself
            try:
                await asyncio.wait_for(self._process.wait(), grace)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()


class ClassServer(Server):
    def __init__(
        self,
        *,
        host: str,
        port: int,
        data_dir: Path,
        story_dir: str | None,
        code: str | None,
        max_sessions: int,
        idle_seconds: float,
        assignment_path: str | None = None,
        hand_ins: Path | None = None,
        cohort: str | None = None,
        pool: int = 0,
        reattach_grace: float = 0.0,
        ended_grace: float = ENDED_GRACE,
        fixed_lang: bool = False,
        out=None,
        max_per_client: int = guard.DEFAULT_SEATS_PER_CLIENT,
        max_connections_per_address: int = guard.DEFAULT_PER_ADDRESS,
        trusted_proxies: tuple[str, ...] = (),
        allowed_hosts: tuple[str, ...] = (),
        lms: tuple[str, ...] = (),
        quota_mb: float = 20.0,
        quota_files: int = 200,
    ):
        import textual_serve

        statics = Path(textual_serve.__file__).resolve().parent / "static"
        super().__init__(
            "pizzaborg.web.child", host=host, port=port, title="PizzaBorg", statics_path=statics, templates_path=HERE
        )
        self.data_dir = data_dir
        self.story_dir = story_dir
        self.code = code
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self.assignment_path = assignment_path
        self.hand_ins = hand_ins
        self.cohort = cohort
        self.out = out or sys.stdout
        self.sessions = Sessions(data_dir)
        # the access cookie's key: the data folder's (servers sharing it accept each other's), and the code's
        self._secret = self.sessions.secret(b"access:" + normal_code(code or "").encode("utf-8", "replace"))
        self.started_games = 0
        self._languages: tuple[str, ...] | None = None  # what a browser may get (web/lang.py)
        # serve --lang or $PIZZABORG_LANG: the trainer chose the class's language, which comes before each
        # browser's (issue 21: --lang, $PIZZABORG_LANG, settings, the assignment's, ..., the browser's)
        self.fixed_lang = fixed_lang
        self.max_per_client = max_per_client
        self.quota_mb, self.quota_files = quota_mb, quota_files
        self.max_connections_per_address = max_connections_per_address
        self.proxies = guard.Proxies(trusted_proxies)
        self.seats = guard.Seats()
        self.guesses = guard.GuessLimiter()
        wildcard = host in ("0.0.0.0", "::", "")
        self.given_out = address_to_give_out(host == "::") if wildcard else None
        self.allowed_hosts = guard.default_hosts(host, self.given_out) | {h.lower() for h in allowed_hosts}
        self.pool_size = pool if CAN_FORK else 0
        self.pool: Pool | None = None
        self.reattach_grace = reattach_grace
        self.ended_grace = ended_grace  # for a closed page of an ended game (ENDED_GRACE), at most reattach_grace
        self.lms = lms  # the LMSs (origins) that may launch games as cmi5 AUs (web/cmi5.py)

    # ---- aiohttp plumbing --------------------------------------------------------------------
    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.WARNING, format="pizzaborg serve: %(message)s")
        # the game's own line says why it failed to start (SessionService.start): this one is not repeated
        logging.getLogger("textual-serve").addFilter(lambda r: r.getMessage() != "Application failed to start")

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers], client_max_size=4096)
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.post("/enter", self.handle_enter),
                web.post("/resume", self.handle_resume),
                web.get("/new", self.handle_new),
                web.post("/new", self.handle_new),
                web.get("/status", self.handle_status),
                web.get("/favicon.ico", self.handle_favicon),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.static("/static", self.statics_path, name="static"),
                web.static("/pb", HERE / "static", name="pb"),
                *cmi5.routes(self),
            ]
        )
        add_scorm_routes(app, self)  # a SCORM package's launch and result (web/scorm.py)
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _headers(self, request: web.Request, handler):
        if not guard.allowed_host(self.proxies.host(request), self.allowed_hosts):  # DNS rebinding
            guard.log.warning("refused a request for host %r (see --allowed-host)", self.proxies.host(request)[:80])
            _ = self._t(request).gettext
            return web.Response(status=421, text=_("This class server does not answer to that host name.") + "\n")
        response = await handler(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.path == "/" or request.path == "/status":
            response.headers["Cache-Control"] = "no-store"
        return response

    def serve(self, debug: bool = False) -> None:
        """Listen until Ctrl+C or SIGTERM (textual-serve's serve, with our lines printed once listening)."""
        import signal

        self.initialize_logging()
        self.start_pool()  # before the event loop: the fork server is a plain process with no loop or thread
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.request_exit)
            except NotImplementedError:
                pass
        connections = guard.ConnectionGuard(
            guard.connection_budget(self.max_sessions),
            per_address=self.max_connections_per_address,
            exempt=self.proxies.trusts,
        )
        guard.run_app(
            self._make_app(), host=self.host, port=self.port, guard=connections, loop=loop, ready=self.listening
        )

    def start_pool(self) -> None:
        if self.pool_size <= 0:
            return
        shared = {
            "PIZZABORG_WEB_STORY": self.story_dir or "",
            "PIZZABORG_WEB_ASSIGNMENT": self.assignment_path or "",
            "PIZZABORG_WEB_HANDINS": str(self.hand_ins) if self.hand_ins is not None else "",
        }
        pool = Pool(self.pool_size, game_environment(shared), self.data_dir)
        if pool.start():
            self.pool = pool
        else:
            print(f"pizzaborg: note: {pool.problem}; each game starts on its own, more slowly", file=sys.stderr)

    async def on_startup(self, app: web.Application) -> None:
        pass

    def listening(self) -> None:
        """Called once the socket is bound: the first line is what scripts and tests wait for."""
        p = lambda *a: print(*a, file=self.out, flush=True)  # noqa: E731
        shown = (
            self.host
            if self.host not in ("0.0.0.0", "::", "")
            else (address_to_give_out(self.host == "::") or "<this machine's address>")
        )
        if ":" in shown and not shown.startswith("<"):
            shown = f"[{shown}]"
        p(f"PizzaBorg class server: http://{shown}:{self.port}/")
        if shown.startswith("<"):
            p("(This machine's address on the network could not be found: see 'ip addr' or 'ipconfig'.)")
        if self.code:
            p(f"Access code: {self.code} (learners type it once on the page)")
        p(
            f"At most {self.max_sessions} games at once; a game idle for {self.idle_seconds / 60:g} min is saved "
            "and closed."
        )
        if self.pool is not None:
            p(f"Games start from a warm pool ({self.pool_size} waiting).")
        if self.reattach_grace > 0:
            p(f"A page closed or reloaded finds its game again within {self.reattach_grace / 60:g} min.")
        p(f"Sessions and their saves: {self.data_dir / 'sessions'}")
        if self.hand_ins is not None:
            p(f"Assignment for '{self.cohort}': reports and server records go to {self.hand_ins}")
        p("Press Ctrl+C to stop (every game is saved).")

    async def on_shutdown(self, app: web.Application) -> None:
        live = [s for s in self.sessions.by_digest.values() if s.service is not None]
        for s in live:
            s.closed = (
                "The class server was stopped. Your game is saved: when it is back, reload this page and "
                "choose Continue."
            )
            if s.grace is not None:
                s.grace.cancel()
        await asyncio.gather(*(s.service.stop_within() for s in live if s.service is not None), return_exceptions=True)
        await asyncio.gather(*(launched.ended(s.service) for s in live), return_exceptions=True)
        for s in live:
            if s.websocket is not None:
                await s.websocket.close()
        if self.pool is not None:  # after the games: its end ends the spares
            await self.pool.close()

    # ---- who is asking -----------------------------------------------------------------------
    def _access_token(self, client: str | None = None) -> str:
        """An access cookie of its own for each browser that typed the code: '<id>.<signature>'."""
        client = client or secrets.token_hex(8)
        return client + "." + hmac.new(self._secret, b"access:" + client.encode(), hashlib.sha256).hexdigest()

    def _access_id(self, request: web.Request) -> str | None:
        client, _, _ = request.cookies.get(ACCESS_COOKIE, "")[:128].partition(".")
        token = request.cookies.get(ACCESS_COOKIE, "")[:128]
        return client if client and hmac.compare_digest(token, self._access_token(client)) else None

    def _has_access(self, request: web.Request) -> bool:
        if request.get(SCORM_SESSION) is not None:  # a game launched from an LMS: its ticket (web/scorm.py)
            return True
        return not self.code or self._access_id(request) is not None

    def _client(self, request: web.Request) -> str | None:
        """Who holds seats: the browser's access cookie; on a server without a code (loopback only) the
        address a trusted proxy names, else nobody in particular (this machine's own browsers)."""
        if self.code:
            return self._access_id(request)
        return self.proxies.client(request) if self.proxies.via_proxy(request) else None

    def _slow_down(self, request: web.Request, need_code: bool) -> web.Response | None:
        """The wait page after too many wrong codes, with the form the learner was using (access or resume)."""
        wait = self.guesses.wait(self.proxies.client(request))
        if wait <= 0:
            return None
        seconds = max(1, int(wait + 0.999))
        t = self._t(request)
        _ = t.gettext  # bound to _: make l10n-extract finds the words
        wait_text = _("Too many wrong codes: wait {seconds} s, then try again.").format(seconds=seconds)
        response = page_response(gate_page(need_code=need_code, error=wait_text, t=t), status=429)
        response.headers["Retry-After"] = str(seconds)
        return response

    def _session(self, request: web.Request) -> ClassSession | None:
        if request.get(SCORM_SESSION) is not None:  # a game launched from an LMS: no cookie in its frame
            return request[SCORM_SESSION]
        return self.sessions.find(request.cookies.get(SESSION_COOKIE))

    def _same_origin(self, request: web.Request) -> bool:
        return self.proxies.same_origin(request)

    def _cookie(self, request: web.Request, response: web.StreamResponse, name: str, value: str, days: int) -> None:
        # Lax: a learner coming back through a link on another site (an LMS page) keeps the session; the
        # websocket is guarded by its Origin, the forms change nothing another site could use
        response.set_cookie(
            name,
            value,
            max_age=days * 86400,
            httponly=True,
            samesite="Lax",
            path="/",
            secure=True if self.proxies.tls(request) else None,
        )

    # ---- pages -------------------------------------------------------------------------------
    def _lang(self, request: web.Request) -> str:
        """The browser's language (Accept-Language, web/lang.py), else the server's (--lang), else English."""
        if self.fixed_lang:
            return current()
        if self._languages is None:  # the catalogues and the story's translations: read once
            self._languages = languages(self.story_dir)
        return choose_language(request.headers.get("Accept-Language"), current(), self._languages)

    def _t(self, request: web.Request) -> Translator:
        return translator(self._lang(request))

    async def handle_index(self, request: web.Request) -> web.Response:
        t = self._t(request)
        if not self._has_access(request):
            return page_response(gate_page(need_code=True, t=t), status=401)
        s = self._session(request)
        fresh = s is None
        if s is None:
            s = self.sessions.new()
        if s.service is None and self.seats.taken() >= self.max_sessions:
            return page_response(full_page(self.max_sessions, t), status=503)
        response = page_response(game_page(s.resume, self.cohort, t))
        if fresh:
            self._cookie(request, response, SESSION_COOKIE, self.sessions.cookie(s), 30)
        return response

    async def handle_enter(self, request: web.Request) -> web.Response:
        if (slow := self._slow_down(request, need_code=True)) is not None:
            return slow
        form = await request.post()
        typed = normal_code(str(form.get("code", ""))[:MAX_FIELD])  # case, spaces and dashes as a code is typed
        if not self.code or not typed or not hmac.compare_digest(typed.encode(), normal_code(self.code).encode()):
            self.guesses.failed(self.proxies.client(request))
            t = self._t(request)
            _ = t.gettext
            wrong = _("That access code is not right: ask your trainer for it.")
            return page_response(gate_page(need_code=True, error=wrong, t=t), status=403)
        response = web.HTTPSeeOther("/")
        self._cookie(request, response, ACCESS_COOKIE, self._access_token(), 1)
        raise response

    async def handle_resume(self, request: web.Request) -> web.Response:
        t = self._t(request)
        if not self._has_access(request):
            return page_response(gate_page(need_code=True, t=t), status=401)
        if (slow := self._slow_down(request, need_code=False)) is not None:
            return slow
        form = await request.post()
        s = self.sessions.find(str(form.get("resume", "")).partition("~")[0])
        if s is None:
            self.guesses.failed(self.proxies.client(request))
            _ = t.gettext
            unknown = _("No game on this server has that resume code. Check it, or start a new game.")
            return page_response(gate_page(need_code=False, error=unknown, t=t), status=404)
        response = web.HTTPSeeOther("/")
        self._cookie(request, response, SESSION_COOKIE, s.resume, 30)
        raise response

    async def handle_new(self, request: web.Request) -> web.Response:
        t = self._t(request)
        if not self._has_access(request):
            return page_response(gate_page(need_code=True, t=t), status=401)
        if request.method != "POST":
            return page_response(gate_page(need_code=False, t=t))
        response = web.HTTPSeeOther("/")
        response.del_cookie(SESSION_COOKIE, path="/")
        raise response

    async def handle_status(self, request: web.Request) -> web.Response:
        s = self._session(request) if self._has_access(request) else None
        _ = self._t(request).gettext
        if s is not None and not self.sessions.opened(s):  # a page whose game never opened
            s = None
        live = s is not None and s.service is not None and s.service.running and not s.closed
        if s is None:
            message = _("This page has no game. Reload it to start.")
        elif live and self.reattach_grace > 0:  # the page lost its connection; the game waits for it
            message = _("The connection was lost; your game is still running. Reconnecting…")
        elif s.closed:
            message = s.closed
        else:
            message = _(
                "The game has ended. It is saved on the class server: reload this page and choose Continue "
                "(or use your resume code {code} on another day or device)."
            ).format(code=s.resume)
        return web.json_response(
            {"message": message, "resume": s.resume if s else None, "live": live and self.reattach_grace > 0}
            | launched.status_extra(s)
        )

    async def handle_favicon(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    # ---- the game ----------------------------------------------------------------------------
    def _child_env(self, s: ClassSession, lang: str | None = None) -> dict:
        env = {
            "PIZZABORG_LANG": lang or current(),  # the game in the browser speaks the browser's language
            "PIZZABORG_WEB_LANG_FIXED": "1" if self.fixed_lang else "",  # then the assignment's does not replace it
            "PIZZABORG_SAVES": ".",  # the game runs in the session's folder: no server path reaches the page
            "PIZZABORG_WEB_STORY": self.story_dir or "",
            "PIZZABORG_WEB_SESSION": s.id,
            "PIZZABORG_WEB_CREATED": s.created,
            "PIZZABORG_WEB_ASSIGNMENT": self.assignment_path or "",
            "PIZZABORG_WEB_HANDINS": str(self.hand_ins) if self.hand_ins is not None else "",
            "PIZZABORG_WEB_QUOTA_MB": f"{self.quota_mb:g}",
            "PIZZABORG_WEB_QUOTA_FILES": str(self.quota_files),
        }
        env.update(s.lms.child_env() if s.lms is not None else {})  # the LMS's learner (web/lms.py)
        return env

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:  # type: ignore[override]
        if not self._same_origin(request) or not self._has_access(request):
            raise web.HTTPForbidden(text="no access: open the class page and enter the access code")
        s = self._session(request)
        if s is None:
            raise web.HTTPForbidden(text="no session: reload the class page")
        t = self._t(request)
        _ = t.gettext
        s = self.sessions.adopt(s)
        s.lang = t.lang
        client = self._client(request)
        width = _clamp(request.query.get("width"), 80)
        height = _clamp(request.query.get("height"), 24)
        if s.service is not None and s.service.running and self.reattach_grace > 0:
            return await self._reattach(request, s, s.service, width, height)
        if s.service is not None:  # the same game opened again without reattaching: the old one leaves first
            old, old_ws = s.service, s.websocket
            s.closed = _(
                "This game was opened in another tab or window, so it closed here. It is saved: reload this "
                "page to take it back."
            )
            s.service = s.websocket = None
            await old.stop_within()
            await self._exited(old)
            _how_it_ended(s, old, old.drew, t)
            if old_ws is not None:
                await old_ws.close()
        if s.leaving is not None:  # its autosave is written before the next game reads it
            await s.leaving.stop_within()
            await self._exited(s.leaving)
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=64 * 1024)
        await websocket.prepare(request)
        if self._no_seat(s, client, t):
            await websocket.close()
            return websocket
        try:  # a full disk or a removed data folder: the page says so, nothing is started
            s.folder.mkdir(parents=True, exist_ok=True)
            await self.sessions.store(s)  # off the event loop; the game starts once its session is on disk
        except OSError as exc:
            log.warning("session %s: its folder or sessions.json cannot be written: %s", s.id, exc.strerror or exc)
            s.closed = _(
                "The game could not start on the class server: its files cannot be written ({why}). Tell your "
                "trainer, then reload this page."
            ).format(why=exc.strerror or exc)
            await websocket.close()
            return websocket
        if s.service is not None or self._no_seat(s, client, t):  # taken while the session was written
            await websocket.close()  # (another tab of this session: the page reconnects to it)
            return websocket
        service: SessionService
        left: list[asyncio.Future] = []  # keeps the task that closes the page's game
        drawn = asyncio.Event()  # the game sent a screen: it started

        def release() -> None:  # the place on the server is free as soon as the game is leaving
            if s.service is service:
                s.service = s.websocket = None
                if s.grace is not None:
                    s.grace.cancel()
                    s.grace = None

        async def to_page_bytes(data: bytes) -> None:  # to whichever page has the game now (none: dropped)
            drawn.set()
            service.drew = True
            ws = s.websocket if s.service is service else None
            if ws is not None and not ws.closed:
                try:
                    await ws.send_bytes(data)
                except (ConnectionError, RuntimeError):
                    pass

        async def to_page_str(data: str) -> None:
            ws = s.websocket if s.service is service else None
            if ws is not None and not ws.closed:
                try:
                    await ws.send_str(data)
                except (ConnectionError, RuntimeError):
                    pass

        async def game_left() -> None:  # the game said it is leaving, or its process ended
            ws = s.websocket if s.service is service else None
            release()
            await self._exited(service)  # its seat is free once the process has gone, not before
            _how_it_ended(s, service, drawn.is_set(), t)
            if ws is not None:
                await ws.close()

        service = SessionService(
            self._child_env(s, t.lang),
            s.folder,
            pool=self.pool,
            write_bytes=to_page_bytes,
            write_str=to_page_str,
            close=game_left,
            download_manager=self.download_manager,
        )
        service.lms = s.lms
        service.over_told = lambda: self._over_told(s, service)
        s.service, s.websocket, s.leaving, s.closed = service, websocket, service, None
        self.seats.hold(service, client or "")
        self.started_games += 1
        try:
            await service.start(width, height)
            task = getattr(service, "_task", None)
            if task is not None:  # a game that dies without saying goodbye still ends the page's game
                task.add_done_callback(lambda _: left.append(asyncio.ensure_future(game_left())))
        except Exception as exc:  # one line in the server's log, never a traceback for the class
            log.warning("session %s: %s: %s", s.id, type(exc).__name__, exc)
            release()
            await self._exited(service)
            if s.closed is None:
                s.closed = _failure_message(service, drawn.is_set(), t)
            await websocket.close()
            return websocket
        await self._attached(websocket, service, s)
        return websocket

    def _no_seat(self, s: ClassSession, client: str | None, t: Translator) -> bool:
        """The class is full, or this learner holds the most seats one may: the page is told (``s.closed``)."""
        if self.seats.taken() >= self.max_sessions:  # a seat is taken until its game process has exited
            s.closed = full_message(self.max_sessions, t)
            return True
        if client is not None and self.seats.held_by(client) >= self.max_per_client:
            s.closed = t.ngettext(
                "You already have {n} game open on this class server, the most one learner may. Close it (it is "
                "saved), then reload this page.",
                "You already have {n} games open on this class server, the most one learner may. Close one (it is "
                "saved), then reload this page.",
                self.max_per_client,
            ).format(n=self.max_per_client)
            return True
        return False

    async def _reattach(
        self, request: web.Request, s: ClassSession, service: SessionService, width: int, height: int
    ) -> web.WebSocketResponse:
        """A page came back (a reload, a lid opened, another network, another tab) while its game still
        runs: the new page gets the same process, drawn again; the old page, if still open, is told."""
        old_ws = s.websocket
        if s.grace is not None:
            s.grace.cancel()
            s.grace = None
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=64 * 1024)
        await websocket.prepare(request)
        s.websocket, s.closed = None, None  # nothing reaches a page until the new one is set up
        if old_ws is not None and not old_ws.closed:
            _ = translator(s.lang).gettext
            s.closed = _(
                "This game was opened in another tab or window, so it closed here. It is saved: reload this "
                "page to take it back."
            )
            await old_ws.close()
        await websocket.send_bytes(PREAMBLE)
        s.websocket = websocket
        if s.grace is not None:  # the old page's end may have started one meanwhile
            s.grace.cancel()
            s.grace = None
        if s.service is not service:  # it ended meanwhile
            await websocket.close()
            return websocket
        await service.redraw(width, height)
        await self._attached(websocket, service, s)
        return websocket

    async def _attached(self, websocket: web.WebSocketResponse, service: SessionService, s: ClassSession) -> None:
        """Keys from this page to the game until the page goes (the game waits out the grace period for
        it to come back), the game ends, or nobody typed for the idle time (the game is saved and stops)."""
        idle = False
        try:
            idle = await self._pump(websocket, service, s)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # one line in the server's log, never a traceback for the class
            log.warning("session %s: %s: %s", s.id, type(exc).__name__, exc)
        finally:
            if s.websocket is websocket:
                s.websocket = None
        try:  # a game the server closes has left, and its seat is free, before its page is told
            await self._page_gone(s, service, idle)
        finally:
            if not websocket.closed:
                await websocket.close()

    async def _page_gone(self, s: ClassSession, service: SessionService, idle: bool) -> None:
        if s.service is not service:  # the game ended, or another game took the session
            await self._leave(s, service)
            return
        if s.websocket is not None:  # another page took the game over
            return
        if idle or self.reattach_grace <= 0 or not service.running:
            s.service = None
            await self._leave(s, service)
            return
        if s.grace is not None:
            s.grace.cancel()
        s.grace = asyncio.create_task(self._grace(s, service, self._grace_for(service)))

    def _grace_for(self, service: SessionService) -> float:
        """How long a game waits for its page to come back: an ended game only briefly (ENDED_GRACE)."""
        return min(self.ended_grace, self.reattach_grace) if service.over else self.reattach_grace

    def _over_told(self, s: ClassSession, service: SessionService) -> None:
        """The game says it is over (or no longer): a page already gone gets the grace that fits now."""
        if s.service is service and s.websocket is None and s.grace is not None:
            s.grace.cancel()
            s.grace = asyncio.create_task(self._grace(s, service, self._grace_for(service)))

    async def _exited(self, service: SessionService) -> None:
        """Wait for the game process to be gone, then free its seat."""
        process = getattr(service, "_process", None)
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE)
            except TimeoutError:
                process.kill()
                await process.wait()
        self.seats.free(service)
        await launched.ended(service)  # launched from an LMS: for cmi5, its results and terminated (web/lms.py)

    async def _grace(self, s: ClassSession, service: SessionService, seconds: float) -> None:
        """The page went: the game waits ``seconds`` for it, then saves and stops. An ended game's page then
        says the game has ended and is saved (``handle_status``): it did not close early for being idle."""
        await asyncio.sleep(seconds)
        if s.service is service and s.websocket is None and service.over:
            s.grace = None
            s.service = None
            await self._leave(s, service)
        elif s.service is service and s.websocket is None:
            s.grace = None
            minutes = self.reattach_grace / 60
            s.closed = (
                translator(s.lang)
                .ngettext(
                    "This game was closed {minutes} minute after its page went. It is saved: reload this page "
                    "and choose Continue.",
                    "This game was closed {minutes} minutes after its page went. It is saved: reload this page "
                    "and choose Continue.",
                    count(minutes),
                )
                .format(minutes=f"{minutes:g}")
            )
            s.service = None
            await self._leave(s, service)

    async def _leave(self, s: ClassSession, service: SessionService) -> None:
        await service.stop_within()
        await self._exited(service)  # its seat is free once the process has gone, not before
        if s.leaving is service:
            s.leaving = None
        _how_it_ended(s, service, service.drew, translator(s.lang))

    async def _pump(self, websocket: web.WebSocketResponse, service: SessionService, s: ClassSession) -> bool:
        """Browser to game: keys, sizes, focus. Ends when the page goes, the game ends, or nobody pressed a
        key for the idle timeout (then True)."""
        last = time.monotonic()
        while True:
            left = self.idle_seconds - (time.monotonic() - last)
            if left <= 0:
                minutes = self.idle_seconds / 60
                s.closed = (
                    translator(s.lang)
                    .ngettext(
                        "This game was closed after {minutes} minute without a key press, to make room for others. "
                        "It is saved: reload this page and choose Continue.",
                        "This game was closed after {minutes} minutes without a key press, to make room for "
                        "others. It is saved: reload this page and choose Continue.",
                        count(minutes),
                    )
                    .format(minutes=f"{minutes:g}")
                )
                return True
            try:
                message = await websocket.receive(timeout=left)
            except TimeoutError:
                continue
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return False
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind = envelope[0]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and len(envelope) > 1 and isinstance(envelope[1], str):
                last = time.monotonic()
                s.closed = None  # a tab that lost the game has read why by now; this page may reconnect
                await service.send_bytes(envelope[1].encode("utf-8"))
            elif kind == "resize" and len(envelope) > 1 and isinstance(envelope[1], dict):
                # not a key: resizing does not keep an idle game open
                await service.set_terminal_size(
                    _clamp(envelope[1].get("width"), 80), _clamp(envelope[1].get("height"), 24)
                )
            elif kind == "ping" and len(envelope) > 1:
                await websocket.send_json(["pong", str(envelope[1])[:32]])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()


MAX_GAME_LINES = 20  # what the server's terminal shows of one game's standard error, at most
CHAINED = ("During handling of the above exception", "The above exception was the direct cause")


def _ended_stream() -> asyncio.StreamReader:
    stream = asyncio.StreamReader()
    stream.feed_eof()
    return stream


async def _tell_trainer(stream: asyncio.StreamReader | None) -> None:
    """A game's standard error on the server's terminal, line by line as it comes: its own one-line
    messages (``pizzaborg: ...``) as they are, a Python traceback as its last line only, control
    characters removed, at most 20 lines a game; read to its end (a line over 64 KiB is dropped)."""
    if stream is None:
        return
    from ..engine.text import clean

    shown, pending, in_traceback = 0, None, False

    def show(line: str) -> None:
        nonlocal shown
        if shown < MAX_GAME_LINES:
            print(line, flush=True)
            shown += 1

    while True:
        try:
            raw = await stream.readline()
        except ValueError:  # a line longer than the stream's limit: dropped
            continue
        except ConnectionError:
            raw = b""
        if not raw:
            break
        line = clean(raw.decode("utf-8", "replace").rstrip("\r\n"), oneline=True)
        if not line.strip():
            continue
        if line.startswith("Traceback") or line.startswith(CHAINED):
            in_traceback, pending = True, None  # a chained traceback: only the last exception counts
        elif in_traceback and line[:1].isspace():
            continue
        elif in_traceback and pending is None:
            pending = f"pizzaborg: a game stopped with an error: {line.strip()}"
        else:
            if pending is not None:
                show(pending)
            in_traceback, pending = False, None
            show(line)
    if pending is not None:
        show(pending)


def _failed(service: SessionService) -> bool:
    """The game ended by itself with an error (not stopped by the server: that is a negative code)."""
    process = getattr(service, "_process", None)
    return process is not None and process.returncode is not None and process.returncode > 0


def _how_it_ended(s: ClassSession, service: SessionService, drawn: bool, t: Translator) -> None:
    """The page's message for a game that ended with an error. A game whose last save failed replaces a
    message that says it is saved (an idle game, another tab): the page tells what is saved."""
    if _failed(service) and (s.closed is None or service._process.returncode == NOT_SAVED):  # type: ignore[union-attr]
        s.closed = _failure_message(service, drawn, t, s.folder)


def _failure_message(service: SessionService, drawn: bool, t: Translator, folder: Path | None = None) -> str:
    if getattr(service._process, "returncode", None) == NOT_SAVED and folder is not None:
        return _not_saved_message(folder, t)
    _ = t.gettext  # bound to _: make l10n-extract finds the words
    could_not_start = not drawn or getattr(service._process, "returncode", None) == COULD_NOT_START
    if could_not_start:
        return _(
            "The game could not start on the class server: tell your trainer (the server's terminal says why). "
            "Your last autosave, if any, is kept."
        )
    return _(
        "The game stopped with an error on the class server: tell your trainer (the server's terminal says why). "
        "Your last autosave, if any, is kept."
    )


def _not_saved_message(folder: Path, t: Translator) -> str:
    """The truth about a game whose last autosave could not be written: how old the last save that
    worked is (its ``autosave.json``, written atomically, so it is whole), or that nothing is saved."""
    try:
        age = max(0.0, time.time() - (folder / "autosave.json").stat().st_mtime)
    except OSError:
        _ = t.gettext  # bound to _: make l10n-extract finds the words
        return _(
            "The game has ended, but the class server could not save it (its disk is full or cannot be written): "
            "nothing of this game is saved. Tell your trainer."
        )
    minutes = max(1, round(age / 60))
    return t.ngettext(
        "The game has ended, but the class server could not save your last moves (its disk is full or cannot be "
        "written). Your game is saved as it was {minutes} minute ago: tell your trainer, then reload this page "
        "and choose Continue.",
        "The game has ended, but the class server could not save your last moves (its disk is full or cannot be "
        "written). Your game is saved as it was {minutes} minutes ago: tell your trainer, then reload this page "
        "and choose Continue.",
        minutes,
    ).format(minutes=minutes)


def _clamp(value, default: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return max(10, min(n, 400))
