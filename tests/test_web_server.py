"""The class server without a browser: access code, limits, idle timeout, sessions, bad input.

The page's game is driven in a real browser by test_web_browser.py; here an HTTP and websocket client
talks to a real ``pizzaborg serve`` process.
"""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from conftest import MINI_DIR
from web_helpers import ServerProcess

pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
aiohttp = pytest.importorskip("aiohttp", reason="the web extra is not installed: pip install -e '.[web]'")

pytestmark = pytest.mark.slow


def run(coro):
    return asyncio.run(coro)


async def first_frame(ws, timeout: float = 30.0) -> None:
    """Wait until the game has sent its first screen (binary data)."""
    while True:
        msg = await ws.receive(timeout=timeout)
        if msg.type == aiohttp.WSMsgType.BINARY and len(msg.data) > 10:
            return
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            raise AssertionError("the game closed before its first screen")


async def wait_closed(ws, timeout: float = 30.0) -> None:
    while True:
        msg = await ws.receive(timeout=timeout)
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            return


def test_off_loopback_a_code_is_required_and_a_wrong_code_plays_nothing(tmp_path):
    with ServerProcess("--host", "0.0.0.0", "--story", str(MINI_DIR), "--data-dir", "data", cwd=tmp_path) as srv:
        line = srv.wait_for("Access code:")
        code = re.search(r"Access code: (\S+)", line).group(1)
        assert len(code) >= 6

        async def check():
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                async with http.get(srv.url + "/") as r:
                    assert r.status == 401 and "Access code from your trainer" in await r.text()
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(srv.url + "/ws")
                assert refused.value.status == 403
                async with http.post(srv.url + "/enter", data={"code": code.lower() + "x"}) as r:
                    assert r.status == 403 and "not right" in await r.text()
                with pytest.raises(aiohttp.WSServerHandshakeError):
                    await http.ws_connect(srv.url + "/ws")
                assert not (tmp_path / "data" / "sessions").exists()  # nothing was played
                async with http.post(srv.url + "/enter", data={"code": code}) as r:
                    assert r.status == 200 and "Your resume code" in await r.text()  # redirected to the game page
                ws = await http.ws_connect(srv.url + "/ws", headers={"Origin": srv.url})
                await first_frame(ws)
                await ws.close()

        run(check())
    assert len(list((tmp_path / "data" / "sessions").iterdir())) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--code", "abc"], "--code must be 6 to 64 printable characters"),
        (["--hand-ins", "h"], "--hand-ins needs --assignment"),
        (["--assignment", "missing.yaml"], "missing.yaml"),
        (["--port", "http"], "'http' is not a port number"),
    ],
)
def test_bad_serve_options_are_one_line(run_cli, tmp_path, args, message):
    code, out, err = run_cli("serve", *args, cwd=tmp_path)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_sessions_have_their_own_folders_a_full_server_and_an_idle_game_say_why(tmp_path):
    with ServerProcess(
        "--story", str(MINI_DIR), "--data-dir", "data", "--max-sessions", "1", "--idle-minutes", "0.05", cwd=tmp_path
    ) as srv:

        async def check():
            a = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
            b = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
            async with a, b:
                async with a.get(srv.url + "/") as r:
                    page = await r.text()
                resume = re.search(r'id="resume-code">([^<]+)<', page).group(1)
                ws = await a.ws_connect(srv.url + "/ws?width=100&height=30")
                await first_frame(ws)
                # a second learner while one game runs: the page says the server is full
                async with b.get(srv.url + "/") as r:
                    assert r.status == 503 and "The class server is full" in await r.text()
                # nobody types: the game is closed after the idle time, and the page is told why
                await wait_closed(ws)
                async with a.get(srv.url + "/status") as r:
                    assert "without a key press" in (await r.json())["message"]
                async with b.get(srv.url + "/") as r:  # room again
                    assert r.status == 200
                # a resume code is a key into the server's table, never a path
                async with b.post(srv.url + "/resume", data={"resume": "../../etc"}) as r:
                    assert r.status == 404 and "No game on this server has that resume code" in await r.text()
                async with b.post(srv.url + "/resume", data={"resume": resume.lower().replace("-", " ")}) as r:
                    assert r.status == 200 and resume in await r.text()
                # a page on another site cannot open a game with the learner's cookie
                with pytest.raises(aiohttp.WSServerHandshakeError):
                    await b.ws_connect(srv.url + "/ws", headers={"Origin": "http://elsewhere.example"})
            return resume

        resume = run(check())
    folders = list((tmp_path / "data" / "sessions").iterdir())
    assert len(folders) == 1 and re.fullmatch(r"[0-9a-f]{12}", folders[0].name)
    index = (tmp_path / "data" / "sessions.json").read_text(encoding="utf-8")
    assert resume not in index and folders[0].name in json.dumps(json.loads(index))
