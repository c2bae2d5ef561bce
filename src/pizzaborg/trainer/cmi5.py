"""The class server as a cmi5 Assignable Unit (AU): the launch's parameters, the LMS's launch data, and the
statements an AU sends, by the rules of the cmi5 specification (section numbers below are its).

Why a module of its own: the launch (web/cmi5.py) only moves bytes; what a launch means and which statement
may be sent when is decided here, once, without a web library, so that the rules are tested without a server.

- :func:`parse_launch` checks the launch URL's query (8.1: ``endpoint``, ``fetch``, ``actor``,
  ``registration``, ``activityId``, in any order); :func:`parse_launch_data` the ``LMS.LaunchData`` State
  document (10.2: ``contextTemplate``, ``launchMode``, ``masteryScore``, ``moveOn``, ``returnURL``,
  ``launchParameters``); :func:`language_preference` the learner preferences (11.1).
- :class:`LmsConnection` talks to the LMS through the xAPI client of ``lrs.py`` (the fetch once, the State
  and Agent Profile documents, statements with ``Authorization: Basic <auth-token>``). Blocking: the web
  layer runs it in a thread.
- :class:`Cmi5Session` is one AU session: ``initialized`` first; ``completed``, ``passed``/``failed`` (Normal
  mode only, once per registration) and our own decision statements (cmi5 allowed) from the report when the
  game ends; ``terminated`` last; nothing after it. The decision statements are those of ``xapi.py`` with the
  LMS's actor, registration and context template.

``moveOn`` is the LMS's business (9.3.3-9.3.5: the LMS evaluates it); the AU sends what happened, the same for
every moveOn, and the LMS decides what satisfies the AU (NotApplicable: satisfied at registration).
"""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from ..engine.errors import PizzaBorgError
from ..engine.times import utcnow
from .lrs import Lrs, LrsError, check_endpoint
from .xapi import CMI5_CATEGORY, CMI5_MASTERY, CMI5_SESSION, MOVEON_CATEGORY, VERBS, precise_duration, stamp_ms

LAUNCH_DATA = "LMS.LaunchData"
PREFERENCES = "cmi5LearnerPreferences"
MODES = ("Normal", "Browse", "Review")
MOVE_ON = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
MAX_PARAM = 4096  # characters of one launch parameter (an actor is a few hundred)
ALLOWED_VERBS = (VERBS["answered"], VERBS["undid"])  # our statements that go beside the cmi5 defined ones


class Cmi5Error(PizzaBorgError):
    """A launch that cannot go on; the message is one line for the learner's page and the server's log."""


@dataclass(frozen=True)
class Launch:
    """The launch URL's parameters, checked (8.1)."""

    endpoint: str
    fetch: str
    actor: dict
    registration: str
    activity_id: str


@dataclass(frozen=True)
class LaunchData:
    """The ``LMS.LaunchData`` State document, checked (10.2)."""

    context_template: dict
    launch_mode: str
    mastery_score: float | None = None
    move_on: str | None = None
    return_url: str | None = None
    launch_parameters: str | None = None

    @property
    def records(self) -> bool:
        """Normal mode: satisfaction data is recorded; Browse and Review: only initialized and terminated (10.2.2)."""
        return self.launch_mode == "Normal"


def _http_url(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_PARAM:
        raise Cmi5Error(f"the launch has no valid {what}")
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise Cmi5Error(f"the launch's {what} is not an http(s) address")
    return value


def _actor(raw: str) -> dict:
    """An Agent as cmi5 launches one (9.2): objectType Agent and an account with homePage and name."""
    try:
        actor = json.loads(raw)
    except (ValueError, RecursionError):
        raise Cmi5Error("the launch's actor is not JSON") from None
    account = actor.get("account") if isinstance(actor, dict) else None
    if (
        not isinstance(actor, dict)
        or actor.get("objectType", "Agent") != "Agent"
        or not isinstance(account, dict)
        or not isinstance(account.get("homePage"), str)
        or not isinstance(account.get("name"), str)
        or not account["name"]
    ):
        raise Cmi5Error("the launch's actor is not an Agent with an account (homePage and name)")
    return actor


def origin(url: str) -> str:
    """``scheme://host:port`` of an http(s) address (the port always written), or :class:`Cmi5Error`."""
    parts = urllib.parse.urlsplit(str(url).strip())
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Cmi5Error(f"'{str(url)[:60]}' has a bad port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Cmi5Error(f"'{str(url)[:60]}' is not an http(s) address")
    return f"{parts.scheme}://{parts.hostname.lower()}:{port}"


def from_lms(launch: Launch, lms: tuple[str, ...]) -> bool:
    """Whether the launch's fetch URL and endpoint are on one of the LMSs (origins) the server takes launches
    from (``serve --lms``): a launch must not make the server send requests anywhere else."""
    return origin(launch.endpoint) in lms and origin(launch.fetch) in lms


def parse_launch(query: dict) -> Launch:
    """The launch parameters from a query (any order, 8.1), or :class:`Cmi5Error` naming the first wrong one."""
    missing = [k for k in ("endpoint", "fetch", "actor", "registration", "activityId") if not query.get(k)]
    if missing:
        raise Cmi5Error(f"the launch lacks {', '.join(missing)}: open this game from your LMS")
    if any(len(str(query[k])) > MAX_PARAM for k in ("endpoint", "fetch", "actor", "registration", "activityId")):
        raise Cmi5Error("a launch parameter is too long")
    try:
        endpoint = check_endpoint(str(query["endpoint"]))
    except LrsError:
        raise Cmi5Error("the launch's endpoint is not an xAPI address") from None
    fetch = _http_url(query["fetch"], "fetch URL")
    try:
        registration = str(uuid.UUID(str(query["registration"])))
    except ValueError:
        raise Cmi5Error("the launch's registration is not a UUID") from None
    activity = str(query["activityId"])
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", activity):
        raise Cmi5Error("the launch's activityId is not an IRI")
    return Launch(endpoint, fetch, _actor(str(query["actor"])), registration, activity)


def parse_launch_data(doc: object) -> LaunchData:
    """The ``LMS.LaunchData`` document, or :class:`Cmi5Error` (what the LMS must include is required)."""
    if not isinstance(doc, dict):
        raise Cmi5Error("the LMS's launch data is not a JSON object")
    template = doc.get("contextTemplate")
    if not isinstance(template, dict):
        raise Cmi5Error("the LMS's launch data has no contextTemplate")
    ext = template.get("extensions")
    if not isinstance(ext, dict) or not isinstance(ext.get(CMI5_SESSION), str) or not ext[CMI5_SESSION]:
        raise Cmi5Error("the LMS's context template has no session id")
    mode = doc.get("launchMode")
    if mode not in MODES:
        raise Cmi5Error(f"the LMS's launch mode is not one of {', '.join(MODES)}")
    mastery = doc.get("masteryScore")
    if mastery is not None and (
        isinstance(mastery, bool) or not isinstance(mastery, (int, float)) or not 0 <= mastery <= 1
    ):
        raise Cmi5Error("the LMS's masteryScore is not a number from 0 to 1")
    move_on = doc.get("moveOn")
    if move_on is not None and move_on not in MOVE_ON:
        raise Cmi5Error("the LMS's moveOn is not a cmi5 value")
    back = doc.get("returnURL")
    if back is not None:
        try:
            back = _http_url(back, "return URL")
        except Cmi5Error:
            raise Cmi5Error("the LMS's returnURL is not an http(s) address") from None
    params = doc.get("launchParameters")
    return LaunchData(
        template,
        mode,
        None if mastery is None else float(mastery),
        move_on,
        back,
        params if isinstance(params, str) else None,
    )


def language_preference(doc: object) -> str | None:
    """The learner's ``languagePreference`` (a comma-separated list of tags, 11.1), or None."""
    pref = doc.get("languagePreference") if isinstance(doc, dict) else None
    return pref if isinstance(pref, str) and pref.strip() else None


def display_name(actor: dict) -> str:
    """The learner as the LMS names them: the actor's name, else its account name (one line, 80 characters)."""
    name = actor.get("name") if isinstance(actor.get("name"), str) and actor["name"].strip() else None
    text = name or str(actor["account"]["name"])
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())[:80]


class LmsConnection(Lrs):
    """The LMS's xAPI endpoint with the session's auth token (8.2): the fetch once, then every request with
    ``Authorization: Basic <auth-token>``."""

    def __init__(self, launch: Launch, timeout: float = 15.0) -> None:
        super().__init__(launch.endpoint, timeout=timeout)
        self.launch = launch
        self.fetched = False

    def fetch_token(self) -> None:
        """POST the fetch URL once (8.2.1); an answer with ``error-code`` (8.2.3) is :class:`Cmi5Error`."""
        if self.fetched:
            raise Cmi5Error("the auth token was fetched already: the fetch URL is used once")
        self.fetched = True
        status, raw = self._request("POST", self.launch.fetch, b"")
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            answer = None
        if isinstance(answer, dict) and "error-code" in answer:
            code = str(answer.get("error-code"))[:4]
            text = " ".join(str(answer.get("error-text") or "").split())[:120]
            raise Cmi5Error(f"the LMS refused the launch (cmi5 error {code}: {text or 'no reason given'})")
        token = answer.get("auth-token") if isinstance(answer, dict) else None
        if status != 200 or not isinstance(token, str) or not token or len(token) > MAX_PARAM:
            raise Cmi5Error(f"the LMS's fetch URL gave no auth token (HTTP {status})")
        self._auth = f"Basic {token}"

    def _document(self, resource: str, params: dict, required: bool) -> object:
        url = self.endpoint + resource + "?" + urllib.parse.urlencode(params)
        status, raw = self._request("GET", url, limit=1024 * 1024)
        if status == 404 and not required:
            return None
        if status != 200:
            if not required:
                return None  # the preferences are a wish: 403 is not an error (11.0)
            raise Cmi5Error(f"the LMS did not give its launch data (HTTP {status})")
        try:
            return json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            if required:
                raise Cmi5Error("the LMS's launch data is not JSON") from None
            return None

    def launch_data(self) -> LaunchData:
        """GET the ``LMS.LaunchData`` State document (10.1); it is never written or deleted."""
        la = self.launch
        params = {
            "stateId": LAUNCH_DATA,
            "activityId": la.activity_id,
            "agent": json.dumps(la.actor, separators=(",", ":")),
            "registration": la.registration,
        }
        return parse_launch_data(self._document("activities/state", params, required=True))

    def preferences(self) -> str | None:
        """GET the ``cmi5LearnerPreferences`` Agent Profile (11.0): the language preference, or None."""
        params = {"profileId": PREFERENCES, "agent": json.dumps(self.launch.actor, separators=(",", ":"))}
        return language_preference(self._document("agents/profile", params, required=False))


def merge_context(template: dict, ours: dict) -> dict:
    """A statement's context: the template's values kept as they are (10.2.1: never overwritten), ours added
    (context activities appended to the template's lists, extensions the template lacks)."""
    out = json.loads(json.dumps(template))  # a deep copy: the template is shared by every statement
    for key, value in ours.items():
        if key == "contextActivities":
            acts = out.setdefault("contextActivities", {})
            for kind, items in value.items():
                have = acts.get(kind)
                have = have if isinstance(have, list) else ([have] if isinstance(have, dict) else [])
                ids = {a.get("id") for a in have if isinstance(a, dict)}
                acts[kind] = have + [a for a in items if a.get("id") not in ids]
        elif key == "extensions":
            ext = out.setdefault("extensions", {})
            for k, v in value.items():
                ext.setdefault(k, v)
        else:
            out.setdefault(key, value)
    return out


@dataclass
class Cmi5Session:
    """One AU session: which statements go when, and never one after ``terminated``.

    ``done``: what this registration was already sent in earlier sessions ({"completed", "passed", "failed"}),
    so that completed and passed are sent once per registration (9.3.3, 9.3.4)."""

    launch: Launch
    data: LaunchData
    done: set = field(default_factory=set)
    started: datetime | None = None
    terminated: bool = False
    sent: list = field(default_factory=list)  # the verbs sent, in order (the server's log and the tests)

    @property
    def session_id(self) -> str:
        return self.data.context_template["extensions"][CMI5_SESSION]

    def _au(self) -> dict:
        return {"objectType": "Activity", "id": self.launch.activity_id}

    def _statement(self, verb: str, result: dict | None, categories: tuple, when: datetime, extra=None) -> dict:
        acts = {"category": [{"objectType": "Activity", "id": c} for c in categories]}
        ctx = merge_context(self.data.context_template, {"contextActivities": acts, "extensions": extra or {}})
        ctx["registration"] = self.launch.registration  # the launch's (9.6.1); the template has none of its own
        st = {
            "id": str(uuid.uuid4()),
            "actor": self.launch.actor,
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": self._au(),
            "context": ctx,
            "timestamp": stamp_ms(when),
        }
        if result:
            st["result"] = result
        return st

    def _check_open(self) -> None:
        if self.terminated:
            raise Cmi5Error("the AU session is terminated: no statement may follow")

    def initialized(self, when: datetime | None = None) -> dict:
        """The first statement of the session (9.3.2)."""
        self._check_open()
        if self.started is not None:
            raise Cmi5Error("the AU session is initialized already")
        self.started = when or utcnow()
        self.sent.append("initialized")
        return self._statement("initialized", None, (CMI5_CATEGORY,), self.started)

    def results(self, report: dict | None, statements: list | None = None) -> list:
        """What the game's end adds, in order: our decision statements (cmi5 allowed), ``completed`` and
        ``passed`` or ``failed`` (cmi5 defined). ``report``: the hand-in's report (None: the game did not
        end); ``statements``: its xAPI statements (``xapi.statements(report, actor)``). In Browse and Review
        mode nothing (10.2.2)."""
        self._check_open()
        if self.started is None or report is None or not self.data.records:
            return []
        out = [self._allowed(s) for s in statements or [] if (s.get("verb") or {}).get("id") in ALLOWED_VERBS]
        if not report.get("over"):
            return out
        from .report import parse_iso

        finished = parse_iso(report.get("finished")) or utcnow()
        finished = max(finished, self.started)
        took = precise_duration(int((finished - self.started).total_seconds() * 1000))
        if "completed" not in self.done:
            figures = next(
                (
                    s.get("result", {}).get("extensions")
                    for s in statements or []
                    if s["verb"]["id"] == VERBS["completed"]
                ),
                None,
            )
            result = {"completion": True, "duration": took}
            if figures:
                result["extensions"] = figures
            out.append(self._statement("completed", result, (CMI5_CATEGORY, MOVEON_CATEGORY), finished))
            self.done.add("completed")
            self.sent.append("completed")
        judged = self.judge(report)
        if judged is not None and "passed" not in self.done:
            passed, scaled, threshold, lms = judged
            score = report.get("score") or 0
            result = {
                "score": {"scaled": scaled, "raw": int(round(score)), "min": 0, "max": 100},
                "success": passed,
                "duration": took,
            }
            verb = "passed" if passed else "failed"
            extra = {CMI5_MASTERY: threshold} if lms else None
            out.append(self._statement(verb, result, (CMI5_CATEGORY, MOVEON_CATEGORY), finished, extra))
            self.done.add(verb)
            self.sent.append(verb)
        return out

    def judge(self, report: dict) -> tuple | None:
        """(passed, scaled score, mastery threshold 0..1, whether the LMS's) or None when nothing judges the
        game: the LMS's masteryScore first (10.2.4: passed/failed MUST be based on it), else the assignment's."""
        score = report.get("score")
        if not isinstance(score, (int, float)) or isinstance(score, bool):
            return None
        scaled = round(max(0.0, min(1.0, score / 100)), 4)
        if self.data.mastery_score is not None:
            return scaled >= self.data.mastery_score, scaled, self.data.mastery_score, True
        mastery = report.get("mastery") or {}
        threshold = mastery.get("threshold") if isinstance(mastery, dict) else None
        if isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
            return scaled >= threshold, scaled, round(threshold, 4), False  # the assignment's mastery is 0..1 too
        return None

    def _allowed(self, st: dict) -> dict:
        """One of our statements as cmi5 allowed: the launch's actor and registration, the context template,
        no cmi5 category, a fresh id (the same report may be played in several sessions of a registration)."""
        ours = dict(st.get("context") or {})
        ours.pop("registration", None)
        ext = dict(ours.get("extensions") or {})
        ext.pop(CMI5_SESSION, None)  # the LMS's session id comes with the template
        ours["extensions"] = ext
        acts = dict(ours.get("contextActivities") or {})
        acts.pop("category", None)
        if "parent" in acts:
            acts["parent"] = [self._au()]
        ours["contextActivities"] = acts
        ctx = merge_context(self.data.context_template, ours)
        ctx["registration"] = self.launch.registration
        out = dict(st, id=str(uuid.uuid4()), actor=self.launch.actor, context=ctx)
        return out

    def terminate(self, when: datetime | None = None) -> dict:
        """The last statement (9.3.8), with the session's duration; after it nothing is sent."""
        self._check_open()
        if self.started is None:
            raise Cmi5Error("the AU session was never initialized")
        when = max(when or utcnow(), self.started)
        self.terminated = True
        self.sent.append("terminated")
        took = precise_duration(int((when - self.started).total_seconds() * 1000))
        return self._statement("terminated", {"duration": took}, (CMI5_CATEGORY,), when)
