"""A small LMS for the cmi5 tests: what an LMS does around one AU launch, in front of a real LRS (Ralph).

- ``POST /fetch/<key>``: the auth token once; a second POST answers cmi5's error 1 (8.2.3);
- ``GET /xapi/activities/state`` and ``GET /xapi/agents/profile``: the ``LMS.LaunchData`` document and the
  learner preferences it wrote before the launch (Ralph has no State or Agent Profile API, so the stand-in keeps
  them); a PUT or DELETE of ``LMS.LaunchData`` is recorded (the AU must never change it);
- ``POST /xapi/statements``: checked for the session's token, recorded, and passed on to Ralph with the trainer's
  credentials; refused once the session has a ``terminated`` (no statement after it).

It runs in a thread with its own event loop, on a free loopback port.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import threading
import urllib.parse
import uuid
from dataclasses import dataclass, field

from aiohttp import ClientSession, web

SESSION_EXT = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
PUBLISHER = "https://pizzaborg.example/course/au-1"
TERMINATED = "http://adlnet.gov/expapi/verbs/terminated"


@dataclass
class LaunchRecord:
    key: str
    token: str
    actor: dict
    registration: str
    activity_id: str
    session_id: str
    launch_data: dict
    preferences: dict | None
    fetches: int = 0
    fetch_answers: list = field(default_factory=list)
    statements: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # statements sent after terminated
    state_writes: int = 0

    @property
    def verbs(self) -> list:
        return [s["verb"]["id"].rsplit("/", 1)[-1] for s in self.statements]


class LmsStandIn:
    def __init__(self, lrs_url: str, lrs_user: str, lrs_password: str) -> None:
        self.lrs_url = lrs_url
        self.lrs_auth = "Basic " + base64.b64encode(f"{lrs_user}:{lrs_password}".encode()).decode()
        self.launches: dict[str, LaunchRecord] = {}
        self.changed = threading.Condition()  # notified on every statement received: tests wait on it
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    # ---- running ---------------------------------------------------------------------------------
    def start(self) -> LmsStandIn:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the LMS stand-in did not start")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.add_routes(
            [
                web.post("/fetch/{key}", self.fetch),
                web.get("/xapi/activities/state", self.state),
                web.put("/xapi/activities/state", self.state_write),
                web.delete("/xapi/activities/state", self.state_write),
                web.get("/xapi/agents/profile", self.profile),
                web.post("/xapi/statements", self.statements),
                web.get("/back", self.back),
            ]
        )
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        async def down():
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(down(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_for(self, rec: LaunchRecord, verb: str, timeout: float = 60.0) -> list:
        """Wait until ``rec`` has received a statement with ``verb``; return its verbs."""
        with self.changed:
            if not self.changed.wait_for(lambda: verb in rec.verbs, timeout):
                raise AssertionError(f"no {verb!r} within {timeout} s: {rec.verbs}")
            return list(rec.verbs)

    # ---- a launch --------------------------------------------------------------------------------
    def launch(
        self,
        au_url: str,
        mode: str = "Normal",
        mastery: float | None = 0.5,
        move_on: str = "CompletedAndPassed",
        language: str | None = None,
        registration: str | None = None,
        name: str = "Ada Lovelace",
    ) -> tuple[str, LaunchRecord]:
        """Write the launch data for a new AU session and return (the launch URL, its record)."""
        key = secrets.token_hex(8)
        actor = {"objectType": "Agent", "name": name, "account": {"homePage": "https://lms.example", "name": key}}
        registration = registration or str(uuid.uuid4())
        session_id = str(uuid.uuid4())
        template = {
            "contextActivities": {"grouping": [{"objectType": "Activity", "id": PUBLISHER}]},
            "extensions": {SESSION_EXT: session_id},
        }
        data = {"contextTemplate": template, "launchMode": mode, "moveOn": move_on, "returnURL": self.url + "/back"}
        if mastery is not None:
            data["masteryScore"] = mastery
        prefs = {"languagePreference": language, "audioPreference": "off"} if language else None
        rec = LaunchRecord(key, secrets.token_urlsafe(24), actor, registration, PUBLISHER, session_id, data, prefs)
        self.launches[key] = rec
        query = {
            "endpoint": self.url + "/xapi/",
            "fetch": f"{self.url}/fetch/{key}",
            "actor": json.dumps(actor),
            "registration": registration,
            "activityId": PUBLISHER,
        }
        return au_url.rstrip("/") + "/cmi5/launch?" + urllib.parse.urlencode(query), rec

    def _by_token(self, request: web.Request) -> LaunchRecord | None:
        auth = request.headers.get("Authorization", "")
        return next((r for r in self.launches.values() if auth == f"Basic {r.token}"), None)

    def _for(self, request: web.Request) -> LaunchRecord:
        rec = self._by_token(request)
        if rec is None:
            raise web.HTTPUnauthorized(text="no valid auth token")
        return rec

    # ---- handlers --------------------------------------------------------------------------------
    async def fetch(self, request: web.Request) -> web.Response:
        rec = self.launches.get(request.match_info["key"])
        if rec is None:
            return web.json_response({"error-code": "2", "error-text": "Unknown launch."}, status=403)
        rec.fetches += 1
        if rec.fetches > 1:
            answer = {"error-code": "1", "error-text": "The authorization token has already been returned."}
            rec.fetch_answers.append(answer)
            return web.json_response(answer, status=403)
        answer = {"auth-token": rec.token}
        rec.fetch_answers.append(answer)
        return web.json_response(answer)

    async def state(self, request: web.Request) -> web.Response:
        rec = self._for(request)
        q = request.query
        same = (
            q.get("stateId") == "LMS.LaunchData"
            and q.get("activityId") == rec.activity_id
            and q.get("registration") == rec.registration
            and json.loads(q.get("agent", "{}")) == rec.actor
        )
        if not same:
            return web.Response(status=404)
        return web.json_response(rec.launch_data)

    async def state_write(self, request: web.Request) -> web.Response:
        self._for(request).state_writes += 1
        return web.Response(status=403)

    async def profile(self, request: web.Request) -> web.Response:
        rec = self._for(request)
        if request.query.get("profileId") != "cmi5LearnerPreferences" or rec.preferences is None:
            return web.Response(status=404)
        if json.loads(request.query.get("agent", "{}")) != rec.actor:
            return web.Response(status=404)
        return web.json_response(rec.preferences)

    async def statements(self, request: web.Request) -> web.Response:
        rec = self._for(request)
        body = await request.json()
        batch = body if isinstance(body, list) else [body]
        if TERMINATED in [s["verb"]["id"] for s in rec.statements]:
            rec.refused.extend(batch)
            return web.json_response({"error": "the session is terminated"}, status=403)
        with self.changed:
            rec.statements.extend(batch)
            self.changed.notify_all()
        headers = {"Authorization": self.lrs_auth, "X-Experience-API-Version": "1.0.3"}
        async with ClientSession() as http:
            async with http.post(self.lrs_url + "statements", json=batch, headers=headers) as r:
                return web.Response(status=r.status, body=await r.read(), content_type="application/json")

    async def back(self, request: web.Request) -> web.Response:
        return web.Response(text="back in the LMS")
