"""The class server's side of a SCORM dispatch package (``pizzaborg package scorm12 | scorm2004``).

The package's launch page runs inside the LMS. It finds the LMS's SCORM API, reads the learner's id and
name, and trades its token at ``POST /scorm/launch`` (a cross-origin request from the LMS's origin):

1. the token must be signed with this server's class key (the hand-ins folder's) and made for the
   assignment this server plays (``trainer/lms_package.read_token``); the server answers with a
   ONE-TIME launch URL, ``/scorm/play/<nonce>``, bound to the LMS's origin and good for two minutes;
2. the first ``GET /scorm/play/<nonce>`` takes it (a second is refused) and sends the frame on to the
   learner's game page, ``/scorm/game/<ticket>``: the ticket stands for the session (the same LMS learner
   gets the same session, so a second launch continues the game) in place of the cookies a third-party
   frame does not get. The page may be framed by the LMS's origin only (CSP ``frame-ancestors``);
3. the game runs as every class game does (``server.handle_websocket``, through ``/scorm/ws/<ticket>``):
   the report and the server's signed record go to the hand-ins folder, the full xAPI record to the LRS
   when the assignment names one;
4. the game page waits at ``/scorm/result/<ticket>`` for the hand-in of its session (one made after the
   launch; or the latest, when the LMS holds no result yet): looked for at once, then each time the game
   says it recorded one (its ``handed-in`` message, web/lms.py), no polling of the folder; the server reads it
   (with a valid server record only) and answers the figures the LMS takes: completion, pass/fail, the
   score and the learning points; the page posts them to the launch page, to the LMS's origin only, and
   the launch page checks the message's origin and source before it writes them through the SCORM API.

Registered by one line in ``ClassServer._make_app``. In memory: launches and tickets end with the server
(a learner launches again from the LMS; the session's autosave is kept).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from .lms import LmsLaunch

if TYPE_CHECKING:
    from ..trainer.assignment import Assignment
    from .server import ClassServer
    from .sessions import ClassSession

log = logging.getLogger("pizzaborg.serve")

LAUNCH_SECONDS = 120.0  # a one-time launch URL is good for this long
WAIT_SECONDS = 20.0  # a result request waits this long for the hand-in, then the page asks again
MAX_BODY = 4096
MAX_LEARNER = 255  # SCORM's cmi.core.student_id is at most 255 characters
SESSION_KEY = "pizzaborg.session"  # a request's session, set here for server.handle_websocket
TICKETS = 10_000  # at most this many live launches and tickets (a flood of valid tokens keeps no more)


@dataclass
class Launch:
    learner: str
    name: str
    origin: str  # the LMS's origin: the only page that may frame the game and hear its result
    kind: str
    expires: float = 0.0
    has_result: bool = True  # the LMS holds a result of this learner's already (else an earlier one is reported)


@dataclass
class Ticket:
    session: ClassSession
    launch: Launch
    before: frozenset[str] = frozenset()  # the session's hand-ins when it was launched: not this launch's result
    made: float = field(default_factory=time.monotonic)


class Scorm:
    """The launches this server gave out and the tickets of the games they opened."""

    def __init__(self, server: ClassServer) -> None:
        self.server = server
        self.launches: dict[str, Launch] = {}
        self.tickets: dict[str, Ticket] = {}
        self.by_learner: dict[str, ClassSession] = {}
        self.delivered: set[str] = set()  # hand-ins whose statements went to the assignment's LRS
        self._tasks: set[asyncio.Task] = set()
        self._key: bytes | None = None
        self._assignment: Assignment | None = None

    # ---- what the server knows ----------------------------------------------------------------
    def _setup(self) -> str | None:
        """Why this server cannot take SCORM launches (None when it can)."""
        s = self.server
        if s.hand_ins is None or not s.assignment_path:
            return "this class server plays no assignment (pizzaborg serve --assignment)"
        if self._key is None:
            from ..trainer.assignment import load_assignment
            from ..trainer.classrecord import ensure_key

            try:
                self._assignment = load_assignment(s.assignment_path)
                self._key = ensure_key(s.hand_ins)
            except Exception as exc:  # an assignment or key that went away (OSError, AssignmentError): logged
                log.warning("SCORM launch: %s", exc)
                return "the class server cannot read its assignment or key"
        return None

    def _forget_old(self) -> None:
        now = time.monotonic()
        for nonce in [n for n, v in self.launches.items() if v.expires < now]:
            del self.launches[nonce]

    # ---- routes ------------------------------------------------------------------------------
    def routes(self) -> list:
        return [
            web.post("/scorm/launch", self.handle_launch),
            web.options("/scorm/launch", self.handle_preflight),
            web.get("/scorm/play/{nonce}", self.handle_play),
            web.get("/scorm/game/{ticket}", self.handle_game),
            web.get("/scorm/ws/{ticket}", self.handle_ws),
            web.get("/scorm/result/{ticket}", self.handle_result),
        ]

    @staticmethod
    def _cors(origin: str, response: web.StreamResponse) -> web.StreamResponse:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        return response

    async def handle_preflight(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin", "")
        response = web.Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        return self._cors(origin, response) if _origin_ok(origin) else response

    def _refuse(self, origin: str, status: int, message: str) -> web.StreamResponse:
        response = web.json_response({"error": message}, status=status)
        return self._cors(origin, response) if _origin_ok(origin) else response

    async def handle_launch(self, request: web.Request) -> web.StreamResponse:
        """The launch page's token and learner, traded for a one-time launch URL."""
        origin = request.headers.get("Origin", "")
        if not _origin_ok(origin):
            return self._refuse(origin, 403, "the launch page must run in the LMS's web page (no Origin was sent)")
        problem = self._setup()
        if problem:
            return self._refuse(origin, 503, problem)
        try:
            raw = await request.content.read(MAX_BODY + 1)
            body = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_BODY else None
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            return self._refuse(origin, 400, "the launch request is not JSON of at most 4 KiB")
        from ..trainer.lms_package import read_token

        assert self._key is not None and self._assignment is not None
        token = read_token(self._key, body.get("token"), self._assignment.id)
        if token is None:
            return self._refuse(
                origin,
                403,
                "this package's token is not for this class server or its assignment: make the package again",
            )
        learner = body.get("learner") if _text_ok(body.get("learner"), MAX_LEARNER) else ""
        name = body.get("name") if _text_ok(body.get("name"), MAX_LEARNER) else ""
        assert isinstance(learner, str) and isinstance(name, str)
        if not learner.strip():
            return self._refuse(origin, 400, "the LMS gave no learner id")
        self._forget_old()
        if len(self.launches) >= TICKETS:
            return self._refuse(origin, 503, "too many launches at once: try again in a minute")
        nonce = secrets.token_urlsafe(24)
        self.launches[nonce] = Launch(
            learner.strip(),
            name.strip(),
            origin,
            token["k"],
            time.monotonic() + LAUNCH_SECONDS,
            has_result=body.get("has_result") is not False,
        )
        base = _base(self.server, request)
        return self._cors(origin, web.json_response({"url": f"{base}/scorm/play/{nonce}"}))

    async def handle_play(self, request: web.Request) -> web.StreamResponse:
        """The one-time launch URL: taken once, then the frame goes on to the game page."""
        launch = self.launches.pop(request.match_info["nonce"][:64], None)
        if launch is None or launch.expires < time.monotonic():
            return _page(
                410,
                "This launch link was used already or is too old. Open the activity again from your learning platform.",
            )
        s = self.by_learner.get(launch.learner)
        if s is None:  # the same LMS learner continues the same session (its autosave) on the next launch
            s = self.server.sessions.new()
            self.by_learner[launch.learner] = s
        # who plays, for the game process (server._child_env): the LMS's learner instead of a typed name
        run = ScormLaunch.of(launch, self._assignment)
        if not (isinstance(s.lms, ScormLaunch) and s.lms.registration == run.registration):
            s.lms = run  # (the same learner again keeps the one its running game was told of)
        if len(self.tickets) >= TICKETS:  # the oldest go (their pages launch again from the LMS)
            for old in sorted(self.tickets, key=lambda k: self.tickets[k].made)[: TICKETS // 10]:
                del self.tickets[old]
        ticket = secrets.token_urlsafe(24)
        # a result the LMS holds is not this launch's; when it holds none, the latest hand-in is (a game finished
        # in a window closed before its result reached the LMS)
        before = frozenset(
            p.name for p, _report in hand_ins_of(self.server.hand_ins, s.id, self._key or b"") if launch.has_result
        )
        self.tickets[ticket] = Ticket(s, launch, before)
        raise web.HTTPSeeOther(f"/scorm/game/{ticket}")

    def _ticket(self, request: web.Request) -> Ticket | None:
        return self.tickets.get(request.match_info["ticket"][:64])

    async def handle_game(self, request: web.Request) -> web.StreamResponse:
        found = self._ticket(request)
        if found is None:
            return _page(404, "This game link is not known (the class server restarted?). Open the activity again.")
        from ..engine.i18n import translator

        t = translator(self.server._lang(request))
        from .pages import game_page

        html = game_page(found.session.resume, self.server.cohort, t)
        # the SCORM page's own script instead of the class page's (its websocket and its end differ)
        html = html.replace('<script src="/pb/page.js"></script>', '<script src="/pb/scorm.js"></script>')
        html = html.replace(
            '<body class="game">',
            f'<body class="game" data-ticket="{escape(request.match_info["ticket"][:64])}" '
            f'data-lms-origin="{escape(found.launch.origin)}">',
        )
        response = web.Response(text=html, content_type="text/html", charset="utf-8")
        from .server import CSP

        response.headers["Content-Security-Policy"] = CSP.replace(
            "frame-ancestors 'none'", f"frame-ancestors {found.launch.origin}"
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_ws(self, request: web.Request) -> web.StreamResponse:
        found = self._ticket(request)
        if found is None:
            raise web.HTTPForbidden(text="no such game: open the activity again from your learning platform")
        request[SESSION_KEY] = found.session
        return await self.server.handle_websocket(request)

    async def handle_result(self, request: web.Request) -> web.StreamResponse:
        """The result of the ticket's game once its hand-in is there (long poll: 204 after a while, and the
        page asks again). The first time a hand-in is seen its statements go to the assignment's LRS."""
        found = self._ticket(request)
        if found is None:
            return web.json_response({"error": "no such game"}, status=404)
        end = time.monotonic() + WAIT_SECONDS
        while True:
            run = found.session.lms
            handed_in = run.handed_in_event if run is not None else None
            if handed_in is not None:
                handed_in.clear()  # before the look: a hand-in recorded after it sets it again
            got = self.result(found)
            if got is not None:
                path, report = got
                self._deliver(found.session, path, report)
                return web.json_response(figures(report), headers={"Cache-Control": "no-store"})
            left = end - time.monotonic()
            if left <= 0 or handed_in is None:
                return web.Response(status=204, headers={"Cache-Control": "no-store"})
            try:  # the game's handed-in message (SessionService.on_meta), not a look at the folder every so often
                await asyncio.wait_for(handed_in.wait(), left)
            except TimeoutError:
                return web.Response(status=204, headers={"Cache-Control": "no-store"})

    # ---- the result ----------------------------------------------------------------------------
    def result(self, ticket: Ticket) -> tuple[Path, dict] | None:
        """The latest hand-in of the ticket's session that the class server recorded since the launch."""
        if self._setup() or self.server.hand_ins is None:
            return None
        for path, report in reversed(hand_ins_of(self.server.hand_ins, ticket.session.id, self._key or b"")):
            if path.name not in ticket.before and report.get("over"):
                return path, report
        return None

    def _deliver(self, s: ClassSession, path: Path, report: dict) -> None:
        """Dual tracking: the full xAPI record of the game to the assignment's LRS (when it names one), once,
        in a thread; the session's folder keeps them in its outbox until the LRS took them."""
        if path.name in self.delivered or self._assignment is None or not self._assignment.lrs:
            return
        self.delivered.add(path.name)
        from ..trainer.send import deliver

        async def send() -> None:
            try:
                line = await asyncio.to_thread(deliver, report, self._assignment, s.folder)
            except Exception as exc:  # one line in the server's log, never a traceback
                line = f"{type(exc).__name__}: {exc}"
            if line:
                log.info("SCORM session %s, LRS: %s", s.id, line)

        task = asyncio.create_task(send())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class ScormLaunch(LmsLaunch):
    """A learner launched from a SCORM package (web/lms.py): always Normal mode; the result goes to the LMS
    through the page (``/scorm/result``), woken by ``handed_in``."""

    def __init__(self, kind: str, learner: str, registration: str) -> None:
        super().__init__(learner, registration, "Normal")
        self.kind = kind

    @classmethod
    def of(cls, launch: Launch, assignment: Assignment | None) -> ScormLaunch:
        """The LMS's name with its learner id (two learners may share a name), and a registration derived from
        the assignment and the learner id (SCORM has none of its own)."""
        import uuid

        who = f"{launch.name} ({launch.learner})" if launch.name else launch.learner
        if len(who) > 80:  # a learner name is at most 80 characters (trainer/assignment.check_learner)
            who = launch.learner[:80]
        scope = assignment.id if assignment is not None else ""
        registration = str(uuid.uuid5(uuid.NAMESPACE_URL, f"pizzaborg-scorm:{scope}:{launch.learner}"))
        return cls(launch.kind, who, registration)


def lms_env(launch: Launch, assignment: Assignment | None) -> dict[str, str]:
    """What the game process is told of a SCORM launch's learner (``ScormLaunch.child_env``)."""
    return ScormLaunch.of(launch, assignment).child_env()


def hand_ins_of(hand_ins: Path | None, session_id: str, key: bytes) -> list[tuple[Path, dict]]:
    """The reports of a session in ``hand_ins`` that have a valid server record (``trainer/classrecord``),
    oldest first. Reports are named ``<cohort>-<session>-<time>.json`` (web/child.py)."""
    from ..engine.files import loads_json, read_bounded
    from ..trainer.classrecord import read_record

    if hand_ins is None or not session_id.isalnum():
        return []
    try:
        found = sorted(Path(hand_ins).glob(f"*-{session_id}-*.json"))
    except OSError:
        return []
    out = []
    for path in found:
        record, _problem = read_record(path, [key])
        if record is None or record.get("session") != session_id:
            continue
        try:
            report = loads_json(read_bounded(path, 64 * 1024 * 1024))
        except (OSError, ValueError, RecursionError):
            continue
        if isinstance(report, dict):
            out.append((path, report))
    return out


def figures(report: dict) -> dict:
    """A report's end for the SCORM API: score 0-100, passed (None without a mastery score), and each
    learning point's estimate of mastery scaled to 0-1 (its score where the report has no estimate: an
    earlier report) and whether it reaches the mastery score."""
    from ..trainer.lms_package import objective_iri

    mastery = report.get("mastery") or {}
    threshold = mastery.get("threshold")
    score = report.get("score")
    story = (report.get("story") or {}).get("id", "")
    objectives = []
    for p in report.get("learning_points") or []:
        est = p.get("estimate").get("estimate") if isinstance(p.get("estimate"), dict) else None
        found = est if isinstance(est, (int, float)) else p.get("score")  # both 0-100 (engine/mastery.py)
        if not isinstance(found, (int, float)) or isinstance(found, bool):
            continue
        value = max(0.0, min(1.0, float(found) / 100))
        objectives.append(
            {
                "id": objective_iri(story, str(p.get("id"))),
                "scaled": round(value, 4),
                "passed": None if threshold is None else value >= threshold - 1e-9,
            }
        )
    return {
        "type": "pizzaborg-result",
        "completed": True,
        "score": score if isinstance(score, (int, float)) else None,
        "passed": mastery.get("passed") if threshold is not None else None,
        "ending": (report.get("ending") or {}).get("id"),
        "objectives": objectives,
    }


def _origin_ok(origin: str) -> bool:
    """An http(s) origin a page can be framed by and posted to (not 'null', no path)."""
    scheme, sep, rest = origin.partition("://")
    return (
        scheme in ("http", "https")
        and bool(sep)
        and 0 < len(rest) <= 255
        and "/" not in rest
        and all(c.isalnum() or c in ".-:[]" for c in rest)
    )


def _text_ok(value: object, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit and all(ch.isprintable() for ch in value)


def _base(server: ClassServer, request: web.Request) -> str:
    scheme = "https" if server.proxies.tls(request) else "http"
    return f"{scheme}://{server.proxies.host(request)}"


def _page(status: int, message: str) -> web.Response:
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>PizzaBorg</title>'
        '<link rel="stylesheet" href="/pb/page.css"></head><body class="gate"><main><h1>PizzaBorg</h1>'
        f'<p class="error" role="alert">{escape(message)}</p></main></body></html>'
    )
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def add_routes(app: web.Application, server: ClassServer) -> None:
    """The SCORM routes on the class server's app (one line in ``ClassServer._make_app``)."""
    server.scorm = Scorm(server)  # type: ignore[attr-defined]
    app.add_routes(server.scorm.routes())  # type: ignore[attr-defined]
