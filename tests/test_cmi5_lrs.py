"""The class server launched as a cmi5 AU by an LMS (tests/lms_standin.py) in front of a real LRS (Ralph): a
whole game ends with passed or failed in Ralph under the LMS's registration; Browse and Review send only
initialized and terminated; a second fetch is refused and the launch says so; a page closed without leaving
(abandonment) still ends with terminated. The game is driven through its websocket, as a page does, without a
browser. The AU's MUSTs and the test that checks each: docs/lms.md."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import pytest
import ralph_server
from conftest import MINI_DIR
from web_helpers import ServerProcess

from pizzaborg.engine import load_story
from pizzaborg.trainer.assignment import new_assignment, write_assignment
from pizzaborg.trainer.lrs import Lrs

aiohttp = pytest.importorskip("aiohttp", reason="the web extra is not installed: pip install -e '.[web]'")
pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
from lms_standin import LmsStandIn  # noqa: E402 - needs aiohttp

pytestmark = pytest.mark.lrs

ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])")
DEBRIEF = "Export report"  # the debrief's key bar: the game is over


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    py, why = ralph_server.ralph_python()
    if py is None:
        pytest.skip(why)
    auth = ralph_server.make_auth_file(py, tmp_path_factory.mktemp("cmi5-auth") / "auth.json")
    server = ralph_server.start(py, tmp_path_factory.mktemp("cmi5-ralph"), auth)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def lms(ralph):
    stand_in = LmsStandIn(ralph.url, *ralph_server.TRAINER).start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def course(tmp_path):
    a = new_assignment(load_story(MINI_DIR), "Workshop A", seed=3, mastery=0.5)
    write_assignment(a, tmp_path / "hw.yaml")
    return tmp_path / "hw.yaml"


def serve(tmp_path: Path, course: Path, lms: LmsStandIn | None, grace: str = "0", *more: str) -> ServerProcess:
    args = ("--story", str(MINI_DIR), "--data-dir", "data", "--assignment", str(course), "--pool", "0")
    named = ("--lms", lms.url + "/") if lms is not None else ()
    return ServerProcess(*args, *named, "--reattach-grace", grace, *more, cwd=tmp_path)


def in_ralph(ralph, registration: str) -> list:
    return Lrs(ralph.url, *ralph_server.TRAINER).get_statements({"registration": registration})


class Page:
    """The page's websocket to its game, with what the game drew as plain text."""

    def __init__(self, http, url: str) -> None:
        self.http, self.url, self.seen, self.ws = http, url, b"", None

    async def open(self) -> Page:
        self.ws = await self.http.ws_connect(self.url + "/ws?width=100&height=30")
        return self

    def text(self) -> str:
        return ANSI.sub(b"", self.seen).decode("utf-8", "replace")

    async def wait_for(self, text: str, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while text not in self.text():
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} not shown within {timeout} s:\n{self.text()[-1500:]}")
            msg = await self.ws.receive(timeout=max(0.1, end - time.monotonic()))
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.seen += msg.data
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                raise AssertionError(f"the game closed before {text!r} showed:\n{self.text()[-1500:]}")

    async def quiet(self, seconds: float = 0.4) -> None:
        """Read what the game draws until it has drawn nothing for ``seconds`` (a screen is up), at most 10 s
        (a blinking cursor draws for ever)."""
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                msg = await self.ws.receive(timeout=seconds)
            except TimeoutError:
                return
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.seen += msg.data
            elif msg.type != aiohttp.WSMsgType.TEXT:
                return

    async def key(self, key: str) -> None:
        await self.ws.send_json(["stdin", key])
        await self.quiet()

    async def start(self) -> None:
        """From the title to the first decision: the LMS's learner, no name typed."""
        await self.wait_for("New game")
        await self.key("n")
        await self.wait_for("as your LMS knows you")
        await self.key("\r")
        await self.key("\r")  # the intro
        await self.wait_for("oven controller")

    async def play_to_the_end(self, choice: str = "1") -> None:
        """A choice, then Enter (feedback, reflections, events), until the debrief; then leave the game."""
        for _ in range(60):
            if DEBRIEF in self.text()[-4000:]:
                break
            await self.key(choice)
            await self.key("\r")
        else:
            raise AssertionError(f"the game did not end:\n{self.text()[-1500:]}")
        await self.key("q")
        await self.key("y")


async def launched(http, url: str) -> str:
    async with http.get(url) as r:
        page = await r.text()
        assert r.status == 200 and str(r.url).endswith("/"), page[:300]
        return page


def client():
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


@pytest.mark.parametrize("mastery, move_on, choice", [(0.5, "CompletedAndPassed", "1"), (1.0, "NotApplicable", "2")])
def test_a_whole_game_launched_the_cmi5_way_ends_passed_or_failed_in_ralph(
    ralph, lms, course, tmp_path, run_cli, mastery, move_on, choice
):
    with serve(tmp_path, course, lms) as srv:
        url, rec = lms.launch(srv.url, mastery=mastery, move_on=move_on)

        async def play():
            async with client() as http:
                page = await launched(http, url)
                assert rec.token not in page  # the token stays in the server
                p = await Page(http, srv.url).open()
                await p.start()
                assert "Ada Lovelace" in p.text()  # the LMS's learner, shown as such
                await p.play_to_the_end(choice)
                lms.wait_for(rec, "terminated")
                async with http.get(srv.url + "/status") as r:
                    return await r.json()

        status = asyncio.run(play())
    assert status["returnURL"] == lms.url + "/back"  # the page goes back to the LMS
    verbs = rec.verbs
    judged = "passed" if mastery <= 0.5 else "failed"
    assert verbs[0] == "initialized" and verbs[-3:] == ["completed", judged, "terminated"]
    assert set(verbs[1:-3]) == {"answered"} and rec.fetches == 1 and rec.state_writes == 0 and not rec.refused
    stored = in_ralph(ralph, rec.registration)
    assert {s["id"] for s in stored} == {s["id"] for s in rec.statements}  # all in Ralph, under the registration
    result = next(s for s in stored if s["verb"]["id"].endswith(judged))
    assert result["actor"] == rec.actor and result["object"]["id"] == rec.activity_id
    assert result["result"]["success"] is (judged == "passed")
    if judged == "failed":
        assert result["result"]["score"]["scaled"] < mastery
    assert result["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] == mastery
    assert all(s["context"]["extensions"][lms_ext()] == rec.session_id for s in stored)
    # the hand-in: recorded by the class server, launched from the LMS, and replay-verified like any other
    hand_ins = tmp_path / "data" / "hand-ins"
    (report,) = hand_ins.glob("*.json")
    record = json.loads(report.with_suffix(".server-record").read_text(encoding="utf-8"))
    assert record["launched_from"] == "lms" and record["lms_registration"] == rec.registration
    assert json.loads(report.read_text(encoding="utf-8"))["learner"] == "Ada Lovelace"
    code, out, err = run_cli("verify", str(report), "--story", str(MINI_DIR), "--assignment", str(course))
    assert code == 0, out + err
    code, out, err = run_cli("cohort", str(hand_ins), "--story", str(MINI_DIR), "--format", "md")
    assert code == 0 and "launched from the LMS" in out, out + err


def lms_ext() -> str:
    return "https://w3id.org/xapi/cmi5/context/extensions/sessionid"


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_send_initialized_and_terminated_only(ralph, lms, course, tmp_path, mode, monkeypatch):
    monkeypatch.delenv("PIZZABORG_LANG")  # not a class language (serve --lang): the LMS's preference counts
    with serve(tmp_path, course, lms) as srv:
        url, rec = lms.launch(srv.url, mode=mode, language="fr")

        async def play():
            async with client() as http:
                await launched(http, url)
                p = await Page(http, srv.url).open()
                await p.wait_for("Nouvelle partie")  # the learner's language, from the LMS's preferences
                await p.key("n")
                await p.key("\r")
                await p.key("\r")
                await p.wait_for("oven controller")
                await p.key("1")
                await p.ws.close()  # the page goes
                lms.wait_for(rec, "terminated")

        asyncio.run(play())
    assert rec.verbs == ["initialized", "terminated"] and not rec.refused
    assert not (tmp_path / "data" / "hand-ins").exists() or not list((tmp_path / "data" / "hand-ins").glob("*.json"))
    assert sorted(s["verb"]["id"].rsplit("/", 1)[-1] for s in in_ralph(ralph, rec.registration)) == [
        "initialized",
        "terminated",
    ]


def test_a_second_fetch_is_refused_and_the_launch_says_so(ralph, lms, course, tmp_path):
    with serve(tmp_path, course, lms) as srv:
        url, rec = lms.launch(srv.url)

        async def twice():
            async with client() as http:
                await launched(http, url)
                async with http.get(url) as r:  # the same launch URL again (a reload of the LMS's link)
                    return r.status, await r.text()

        status, page = asyncio.run(twice())
    assert rec.fetches == 2 and rec.fetch_answers[1]["error-code"] == "1"
    assert status == 502 and "could not be launched from your LMS" in page and "cmi5 error 1" in page
    assert rec.verbs == ["initialized"]  # the refused launch sent nothing


def test_a_page_closed_without_leaving_ends_with_terminated_after_the_grace(ralph, lms, course, tmp_path):
    with serve(tmp_path, course, lms, grace="0.02") as srv:  # 1.2 s
        url, rec = lms.launch(srv.url)

        async def abandon():
            async with client() as http:
                await launched(http, url)
                p = await Page(http, srv.url).open()
                await p.start()
                await p.key("1")
                await p.key("\r")
                await p.ws.close()  # the browser is closed: no terminate from the page
                lms.wait_for(rec, "terminated")

        asyncio.run(abandon())
    assert rec.verbs == ["initialized", "terminated"] and not rec.refused  # not completed: the game did not end
    terminated = rec.statements[-1]
    assert terminated["result"]["duration"].startswith("PT")


def test_a_bad_launch_is_one_line_and_starts_nothing(tmp_path, course, lms):
    with serve(tmp_path, course, lms) as srv:

        async def bad(url: str):
            async with client() as http:
                async with http.get(url) as r:
                    return r.status, await r.text()

        status, page = asyncio.run(bad(srv.url + "/cmi5/launch?endpoint=x"))
        assert status == 400 and "the launch lacks fetch, actor, registration, activityId" in page
        url, rec = lms.launch(srv.url)  # a launch naming the LMS on another origin than the one --lms names
        status, page = asyncio.run(bad(url.replace("127.0.0.1", "localhost")))
        assert status == 403 and "takes no launches from that LMS" in page and rec.fetches == 0
    assert not (tmp_path / "data" / "sessions").exists()


def test_without_lms_no_launch_is_taken(tmp_path, course, lms):
    with serve(tmp_path, course, None) as srv:
        url, rec = lms.launch(srv.url)

        async def launch():
            async with client() as http:
                async with http.get(url) as r:
                    return r.status

        assert asyncio.run(launch()) == 403 and rec.fetches == 0


def test_a_relaunch_of_the_registration_continues_its_game(ralph, lms, course, tmp_path):
    with serve(tmp_path, course, lms) as srv:
        first_url, first = lms.launch(srv.url)
        again_url, again = lms.launch(srv.url, registration=first.registration)

        async def two_sessions():
            async with client() as http:
                await launched(http, first_url)
                p = await Page(http, srv.url).open()
                await p.start()
                await p.key("1")
                await p.key("\r")
                await p.ws.close()  # the window is closed after one decision (the game is saved)
                lms.wait_for(first, "terminated")
            async with client() as http:  # another day, another browser: the LMS launches the registration again
                await launched(http, again_url)
                p = await Page(http, srv.url).open()
                await p.wait_for("Continue")
                await p.key("c")
                await p.play_to_the_end()
                lms.wait_for(again, "terminated")

        asyncio.run(two_sessions())
    assert first.verbs == ["initialized", "terminated"]
    assert again.verbs[0] == "initialized" and again.verbs[-3:] == ["completed", "passed", "terminated"]
    assert len(list((tmp_path / "data" / "sessions").iterdir())) == 1  # the same class session, its autosave
    stored = in_ralph(ralph, first.registration)
    assert {s["context"]["extensions"][lms_ext()] for s in stored} == {first.session_id, again.session_id}


def test_a_launch_whose_game_never_starts_is_terminated_after_the_idle_time(ralph, lms, course, tmp_path):
    with serve(tmp_path, course, lms, "0", "--idle-minutes", "0.05", "--max-sessions", "1") as srv:  # 3 s
        url, rec = lms.launch(srv.url)
        busy_url, busy = lms.launch(srv.url)

        async def never_played():
            async with client() as http:
                await launched(http, url)  # the window is closed before the game opens
                lms.wait_for(rec, "terminated")
                p = await Page(http, srv.url).open()  # one game takes the only seat
                await p.wait_for("New game")
                async with http.get(busy_url) as r:  # a launch meanwhile: full, said before the one fetch
                    return r.status, await r.text()

        status, page = asyncio.run(never_played())
    assert rec.verbs == ["initialized", "terminated"] and not rec.refused
    assert status == 503 and "The class server is full" in page and busy.fetches == 0 and busy.verbs == []
