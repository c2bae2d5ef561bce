"""The class server under abuse, in one process (issue 22 §4): the connection guard on a loopback socket,
the code-guess limiter with a clock of its own, proxies, Host and Origin, the session table (nothing kept
for a page without a game; sessions.json's backup), and the server's handlers through aiohttp's test
client. The tests that start ``pizzaborg serve`` and its games are in test_web_guard_server.py."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tracemalloc
from types import SimpleNamespace
from unittest import mock

import pytest

pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
aiohttp = pytest.importorskip("aiohttp", reason="the web extra is not installed: pip install -e '.[web]'")

from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request  # noqa: E402

from pizzaborg.web import guard  # noqa: E402
from pizzaborg.web.sessions import Sessions  # noqa: E402


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---- connections ---------------------------------------------------------------------------------
async def _guarded(connections: guard.ConnectionGuard):
    app = web.Application()

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    app.router.add_get("/", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    server = await asyncio.get_running_loop().create_server(connections.wrap(runner.server), "127.0.0.1", 0)
    return runner, server, server.sockets[0].getsockname()[1]


async def _slow(port: int, source: str = "127.0.0.1"):
    """A connection that sends one byte of a request's headers and no more."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(b"G")
    await writer.drain()
    return reader, writer


async def _learner(port: int, source: str = "127.0.0.1", timeout: float = 1.0) -> bytes:
    """A browser's request: the whole answer, within ``timeout`` seconds."""

    async def ask() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = await reader.read()
        writer.close()
        return data

    return await asyncio.wait_for(ask(), timeout)


def test_a_connection_that_does_not_finish_its_headers_in_time_is_closed():
    async def check():
        connections = guard.ConnectionGuard(100, header_seconds=0.3)
        runner, server, port = await _guarded(connections)
        try:
            reader, writer = await _slow(port)
            assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server, nothing answered
            writer.close()
            assert b"hello" in await _learner(port)  # a whole request in time is answered
            assert connections.dropped == 1 and not connections.open
        finally:
            server.close()
            await runner.cleanup()

    asyncio.run(check())


def test_slow_connections_from_one_address_make_room_for_a_learner_and_log_once(caplog):
    async def check():
        connections = guard.ConnectionGuard(1000, per_address=5, header_seconds=60)
        runner, server, port = await _guarded(connections)
        try:
            slow = [await _slow(port) for _ in range(40)]
            assert connections.by_address["127.0.0.1"] == 5  # the cap holds: the oldest were closed
            assert b"hello" in await _learner(port)  # the same address (a NAT): still served
            for _, w in slow:
                w.close()
        finally:
            server.close()
            await runner.cleanup()

    with caplog.at_level(logging.WARNING, logger="pizzaborg.serve"):
        asyncio.run(check())
    assert 1 <= len(caplog.records) <= 2 and not any(r.exc_info for r in caplog.records)


def test_slow_connections_from_many_addresses_cannot_take_every_descriptor():
    async def check():
        connections = guard.ConnectionGuard(12, per_address=64, header_seconds=60)
        runner, server, port = await _guarded(connections)
        try:
            slow = [await _slow(port, f"127.0.0.{2 + i % 20}") for i in range(60)]
            assert len(connections.open) <= 12
            assert b"hello" in await _learner(port)
            for _, w in slow:
                w.close()
        finally:
            server.close()
            await runner.cleanup()

    asyncio.run(check())


def test_connections_that_are_all_in_use_refuse_a_newcomer():
    async def check():
        connections = guard.ConnectionGuard(1000, per_address=2, header_seconds=60)
        runner, server, port = await _guarded(connections)
        try:
            kept = []
            for _ in range(2):  # keep-alive connections whose requests were answered: not slow, not closed
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                await reader.readuntil(b"hello")
                kept.append(writer)
            with pytest.raises((ConnectionError, asyncio.IncompleteReadError, AssertionError)):
                assert b"hello" in await _learner(port)
            for w in kept:
                w.close()
        finally:
            server.close()
            await runner.cleanup()

    asyncio.run(check())


def test_the_connection_budget_stays_below_the_open_file_limit():
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    budget = guard.connection_budget(30)
    now = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert now >= soft and budget <= now - guard.FD_RESERVE - guard.ACCEPT_BATCH - 30 * guard.FDS_PER_GAME


def test_a_log_line_per_address_and_event_at_most_once_a_minute(caplog):
    clock = Clock()
    once = guard.OncePerMinute(clock=clock)
    with caplog.at_level(logging.WARNING, logger="pizzaborg.serve"):
        for _ in range(1000):
            once(("slow", "10.0.0.1"), "%s is slow", "10.0.0.1")
        once(("slow", "10.0.0.2"), "%s is slow", "10.0.0.2")
        clock.now += 61
        once(("slow", "10.0.0.1"), "%s is slow", "10.0.0.1")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["10.0.0.1 is slow", "10.0.0.2 is slow", "10.0.0.1 is slow (999 more like it not logged)"]


# ---- guesses -------------------------------------------------------------------------------------
def test_wrong_codes_lock_an_address_out_longer_each_time(caplog):
    clock = Clock()
    limiter = guard.GuessLimiter(per_address=5, window=10, overall=1000, clock=clock)
    with caplog.at_level(logging.WARNING, logger="pizzaborg.serve"):
        for _ in range(4):
            assert limiter.failed("10.0.0.1") == 0 and limiter.wait("10.0.0.1") == 0
        assert limiter.failed("10.0.0.1") == 10 and limiter.wait("10.0.0.1") == 10
        assert limiter.wait("10.0.0.2") == 0  # another learner is not held up
        clock.now += 10
        assert limiter.wait("10.0.0.1") == 0
        for _ in range(5):
            limiter.failed("10.0.0.1")
        assert limiter.wait("10.0.0.1") == 20  # doubled
    assert [r.getMessage() for r in caplog.records] == [
        "10.0.0.1 typed 5 wrong codes: it waits 10 s before the next try",
        "10.0.0.1 typed 5 wrong codes: it waits 20 s before the next try",
    ]


def test_wrong_codes_from_many_addresses_slow_everyone_down():
    clock = Clock()
    limiter = guard.GuessLimiter(per_address=5, window=10, overall=20, clock=clock)
    for i in range(20):
        limiter.failed(f"10.0.{i}.1")
    assert limiter.wait("10.9.9.9") == 10
    clock.now += 10.5
    assert limiter.wait("10.9.9.9") == 0


# ---- proxies, Host, Origin ---------------------------------------------------------------------
def _request(headers: dict, remote: str = "127.0.0.1", tls: bool = False, path: str = "/ws"):
    transport = mock.Mock()
    info = {"peername": (remote, 40000), "sslcontext": object() if tls else None}
    transport.get_extra_info.side_effect = lambda key, default=None: info.get(key, default)
    return make_mocked_request("GET", path, headers=headers, transport=transport)


def test_forwarded_headers_count_only_from_a_trusted_proxy():
    proxies = guard.Proxies(["10.0.0.5"])
    via = _request({"X-Forwarded-For": "6.6.6.6, 192.168.1.7", "X-Forwarded-Proto": "https"}, remote="10.0.0.5")
    direct = _request({"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https"}, remote="192.168.1.9")
    assert proxies.client(via) == "192.168.1.7" and proxies.tls(via)
    assert proxies.client(direct) == "192.168.1.9" and not proxies.tls(direct)
    assert guard.Proxies().tls(_request({}, tls=True))


@pytest.mark.parametrize(
    "headers, remote, same",
    [
        ({"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000"}, "127.0.0.1", True),
        ({"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:9000"}, "127.0.0.1", False),
        ({"Host": "127.0.0.1:8000", "Origin": "https://127.0.0.1:8000"}, "127.0.0.1", False),
        ({"Host": "class.example:8000", "Origin": "http://elsewhere.example:8000"}, "127.0.0.1", False),
        ({"Host": "[::1]:8000", "Origin": "http://[::1]:8000"}, "::1", True),
        # behind nginx on port 8443 whose Host ($host) has no port: the scheme and name decide
        (
            {"Host": "class.example", "Origin": "https://class.example:8443", "X-Forwarded-Proto": "https"},
            "10.0.0.5",
            True,
        ),
        ({"Host": "class.example", "Origin": "https://evil.example:8443"}, "10.0.0.5", False),
        # with the port forwarded, it is compared
        (
            {"Host": "x", "X-Forwarded-Host": "class.example:8443", "Origin": "https://class.example:8443"},
            "10.0.0.5",
            True,
        ),
        (
            {"Host": "x", "X-Forwarded-Host": "class.example:8443", "Origin": "https://class.example:9443"},
            "10.0.0.5",
            False,
        ),
        # the same headers from a client that is not the proxy: its Host has no port, so it is port 80
        ({"Host": "class.example", "Origin": "https://class.example:8443"}, "192.168.1.9", False),
    ],
)
def test_the_websocket_origin_is_the_page_s_scheme_host_and_port(headers, remote, same):
    assert guard.Proxies(["10.0.0.5"]).same_origin(_request(headers, remote=remote)) is same


def test_host_names_other_than_the_server_s_are_refused():
    allowed = guard.default_hosts("0.0.0.0", "192.168.1.20") | {"class.example"}
    for ok in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "192.168.1.20:8000", "10.1.2.3", "CLASS.example"):
        assert guard.allowed_host(ok, allowed), ok
    for bad in ("evil.example:8000", "", "rebind.attacker.test", "localhost.evil.example"):
        assert not guard.allowed_host(bad, allowed), bad
    assert guard.allowed_host("anything.example", {"*"})


# ---- sessions ------------------------------------------------------------------------------------
def test_a_page_without_a_game_keeps_nothing_on_the_server(tmp_path):
    sessions = Sessions(tmp_path)
    tracemalloc.start()
    try:
        for _ in range(1000):
            sessions.cookie(sessions.new())
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(20000):
            sessions.cookie(sessions.new())
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert not sessions.by_digest and grown < 64 * 1024
    s = sessions.new()
    cookie = sessions.cookie(s)
    found = sessions.find(cookie)
    assert found is not None and found.id == s.id and found.resume == s.resume
    assert sessions.find(cookie[:-1] + ("0" if cookie[-1] != "0" else "1")) is None  # a forged tag
    assert sessions.find(s.resume) is None  # the bare code of a page whose game never opened
    kept = sessions.adopt(found)
    assert sessions.find(cookie) is kept and sessions.find(s.resume.lower()) is kept


def test_sessions_json_has_a_backup_and_a_table_that_cannot_be_read_is_never_overwritten(tmp_path):
    sessions = Sessions(tmp_path)
    a, b = sessions.new(), sessions.new()
    sessions.keep(a)
    sessions.keep(b)
    index, backup = tmp_path / "sessions.json", tmp_path / "sessions.json.bak"
    assert len(json.loads(index.read_text())) == 2 and len(json.loads(backup.read_text())) == 1
    broken = index.read_bytes().replace(b'"', b"'", 1)  # one changed byte
    index.write_bytes(broken)
    said: list[str] = []
    after = Sessions(tmp_path, say=said.append)
    assert len(said) == 1 and "cannot be read" in said[0] and "sessions.json.bak" in said[0]
    assert after.find(a.resume) is not None  # from the backup
    c = after.new()
    after.keep(c)
    assert index.read_bytes() == broken  # left as it was, for the trainer to mend
    assert "sessions.side.json" in said[0]
    again = Sessions(tmp_path, say=said.append)
    assert again.find(a.resume) is not None and again.find(c.resume) is not None


# ---- the server's handlers -----------------------------------------------------------------------
def _server(tmp_path, **kwargs):
    from pizzaborg.web.server import ClassServer

    conf = dict(host="127.0.0.1", port=0, data_dir=tmp_path, story_dir=None, code=None, max_sessions=4)
    conf.update(idle_seconds=60.0, out=SimpleNamespace(write=lambda *_: None, flush=lambda: None))
    conf.update(kwargs)
    return ClassServer(**conf)


async def _client(server) -> TestClient:
    client = TestClient(TestServer(await server._make_app()), cookie_jar=aiohttp.CookieJar(unsafe=True))
    await client.start_server()
    return client


def test_a_cookie_less_page_stores_nothing_and_its_cookie_is_lax(tmp_path):
    server = _server(tmp_path)

    async def check():
        client = await _client(server)
        try:
            for _ in range(200):
                async with client.get("/", cookies={}) as r:
                    assert r.status == 200
                    cookie = r.headers["Set-Cookie"]
                client.session.cookie_jar.clear()
            assert "SameSite=Lax" in cookie and "Secure" not in cookie and "HttpOnly" in cookie
        finally:
            await client.close()

    asyncio.run(check())
    assert not server.sessions.by_digest and not (tmp_path / "sessions.json").exists()


def test_access_codes_are_typed_loosely_guesses_are_slowed_and_the_right_code_works_later(tmp_path, caplog):
    server = _server(tmp_path, code="K7QM-3XHD")
    clock = Clock()
    server.guesses = guard.GuessLimiter(clock=clock)

    async def check():
        client = await _client(server)
        try:
            answers = []
            for i in range(50):
                async with client.post("/enter", data={"code": f"wrong{i:02d}"}, allow_redirects=False) as r:
                    answers.append((r.status, r.headers.get("Retry-After")))
            assert [s for s, _ in answers].count(403) == 5 and all(
                s == 429 and int(after) >= 1 for s, after in answers[5:]
            )
            async with client.post("/enter", data={"code": "k7qm 3xhd"}, allow_redirects=False) as r:
                assert r.status == 429  # locked out: even the right code waits
                page = await r.text()  # the wait page shows the form the learner was using: the access code's
                assert 'action="/enter"' in page and 'action="/resume"' not in page
            clock.now += 11
            async with client.post("/enter", data={"code": "k7qm 3xhd"}, allow_redirects=False) as r:
                assert r.status == 303
                assert "SameSite=Lax" in r.headers["Set-Cookie"]
            async with client.get("/") as r:
                assert r.status == 200 and "Your resume code" in await r.text()
        finally:
            await client.close()

    with caplog.at_level(logging.WARNING, logger="pizzaborg.serve"):
        asyncio.run(check())
    assert sum("wrong codes" in r.getMessage() for r in caplog.records) == 1


def test_each_browser_that_enters_the_code_gets_an_access_cookie_of_its_own(tmp_path):
    server = _server(tmp_path, code="K7QM-3XHD")
    a, b = server._access_token(), server._access_token()
    assert a != b and server._access_id(_request({"Cookie": f"pb_access={a}"}, path="/")) == a.partition(".")[0]
    assert server._access_id(_request({"Cookie": "pb_access=" + a.partition(".")[0] + ".00"}, path="/")) is None


def test_cookies_are_secure_behind_tls_only_from_a_trusted_proxy_and_other_hosts_are_refused(tmp_path):
    server = _server(tmp_path, trusted_proxies=("127.0.0.1",), allowed_hosts=("class.example",))

    async def check():
        client = await _client(server)
        try:
            async with client.get("/", headers={"X-Forwarded-Proto": "https"}) as r:
                assert r.status == 200 and "Secure" in r.headers["Set-Cookie"]
            client.session.cookie_jar.clear()
            async with client.get("/", headers={"Host": "class.example"}) as r:
                assert r.status == 200 and "Secure" not in r.headers["Set-Cookie"]
            async with client.get("/", headers={"Host": "rebind.attacker.test:8000"}) as r:
                assert r.status == 421
            async with client.get("/ws", headers={"Host": "rebind.attacker.test"}) as r:
                assert r.status == 421
        finally:
            await client.close()

    asyncio.run(check())
    untrusted = _server(tmp_path)

    async def check_untrusted():
        client = await _client(untrusted)
        try:
            async with client.get("/", headers={"X-Forwarded-Proto": "https"}) as r:
                assert r.status == 200 and "Secure" not in r.headers["Set-Cookie"]
        finally:
            await client.close()

    asyncio.run(check_untrusted())


def test_the_browser_game_offers_no_screenshot_the_server_cannot_serve():
    from pizzaborg.play.session import Session
    from pizzaborg.web.child import _app_class

    app = _app_class()(Session(None, None))
    screen = SimpleNamespace(query=lambda _: [], maximized=None, focused=None)
    titles = [c.title for c in app.get_system_commands(screen)]
    assert "Screenshot" not in titles and "Help" in titles


# ---- a session folder's quota --------------------------------------------------------------------
def test_a_session_s_saves_have_a_quota_the_game_respects(tmp_path):
    from conftest import MINI_DIR

    from pizzaborg.engine import load_story
    from pizzaborg.engine.saves import SaveError
    from pizzaborg.play.session import Session
    from pizzaborg.web.quota import Quota

    quota = Quota(max_bytes=10 * 1024 * 1024, max_files=4)
    session = Session(load_story(str(MINI_DIR)), tmp_path, seed=3, room=quota.room)
    for _ in range(3):  # three games, each leaving an unfinished autosave: two are kept as autosave-…
        session.new_game()
        session.choose(1)
        session.notes.clear()
        old = tmp_path / "autosave.json"
        os.utime(old, (old.stat().st_mtime - 100, old.stat().st_mtime - 100))  # the next keep is newer
    session.save("mine")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) <= 4 and "autosave.json" in names and "mine.json" in names
    session.save("mine")  # saving over a slot needs no room
    with pytest.raises(SaveError, match="no room for another save in this session"):
        for n in range(5):
            session.save(f"more{n}")
    session.new_game()
    session.choose(1)  # the newest autosave is always written; the oldest kept ones make room
    assert (tmp_path / "autosave.json").exists() and len(list(tmp_path.iterdir())) <= 4
    assert any("oldest kept autosave" in note for note in session.notes)


def test_the_quota_comes_from_the_server_s_environment():
    from pizzaborg.web.quota import Quota

    assert Quota.from_env({"PIZZABORG_WEB_QUOTA_MB": "20", "PIZZABORG_WEB_QUOTA_FILES": "200"}) == Quota()
    assert Quota.from_env({}) is None and Quota.from_env({"PIZZABORG_WEB_QUOTA_MB": "x"}) is None
