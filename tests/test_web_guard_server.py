"""The class server under abuse, as a real ``pizzaborg serve`` process with its games (issue 22 §4):
slow connections at a low open-file limit, seats counted until the game process has exited and per
learner, resizing that is not a key press, and a game that cannot start saying so and freeing its seat.
The parts that need no process are in test_web_guard.py."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import MINI_DIR
from web_helpers import SCRIPT, ServerProcess

pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
aiohttp = pytest.importorskip("aiohttp", reason="the web extra is not installed: pip install -e '.[web]'")
resource = pytest.importorskip("resource", reason="open-file limits are a POSIX thing")

pytestmark = pytest.mark.slow


class LimitedServer(ServerProcess):
    """``pizzaborg serve`` with its open-file limit (soft and hard) set to ``nofile``."""

    def __init__(self, *args: str, nofile: int, cwd: Path):
        self.nofile = nofile
        super().__init__(*args, cwd=cwd)

    def _start(self, argv: list, cwd: Path) -> None:
        import queue

        cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pizzaborg"]
        if "--port" not in argv:
            argv += ["--port", str(self.port)]
        limit = self.nofile
        self.proc = subprocess.Popen(
            cmd + ["serve", *argv],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit)),
        )
        self.lines: list = []
        self._q: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()


def everything_printed(srv: ServerProcess) -> list[str]:
    """Every line the (stopped) server printed."""
    while (line := srv._q.get(timeout=10)) is not None:
        srv.lines.append(line)
    return srv.lines


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry))
    return found


class MostChildren:
    """The most child processes a server had at once, sampled in a thread until stopped."""

    def __init__(self, pid: int):
        self.pid, self.most, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.most = max(self.most, len(children(self.pid)))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.most


def wait_until(predicate, timeout: float = 30.0, what: str = "") -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.02)


async def first_frame(ws, timeout: float = 30.0) -> None:
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


def jar() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def hold_slow_connections(port: int, count: int) -> list:
    """``count`` connections that each send one byte of a request's headers (from 20 loopback addresses:
    under the per-address cap, so that only the global cap can hold them back); closed by the caller."""
    held = []
    for i in range(count):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(f"127.0.1.{1 + i % 20}", 0))
            writer.write(b"G")
            held.append(writer)
        except OSError:  # refused or reset by the server: what it should do when it is full
            pass
    return held


async def learner_time(url: str) -> float:
    start = time.monotonic()
    async with jar() as http, http.get(url + "/", timeout=aiohttp.ClientTimeout(total=10)) as r:
        assert r.status == 200 and "Your resume code" in await r.text()
    return time.monotonic() - start


@pytest.mark.parametrize("nofile, slow", [(256, 300), (1024, 1100)])
def test_slow_connections_beyond_the_open_file_limit_do_not_lock_learners_out(tmp_path, nofile, slow):
    with LimitedServer(
        "--story", str(MINI_DIR), "--data-dir", "data", "--max-sessions", "2", nofile=nofile, cwd=tmp_path
    ) as srv:

        async def attack() -> float:
            held = await hold_slow_connections(srv.port, slow)
            try:
                return max([await learner_time(srv.url) for _ in range(5)])
            finally:
                for w in held:
                    w.close()

        slowest = asyncio.run(attack())
        print(f"{slow} slow connections at open-file limit {nofile}: slowest of 5 learners {slowest:.3f} s")
        assert slowest <= 1.0
    log = "\n".join(everything_printed(srv))
    assert "Traceback" not in log and len(log) < 4000, log[-2000:]


def test_seats_count_until_the_game_process_has_exited(tmp_path):
    with ServerProcess(
        "--story",
        str(MINI_DIR),
        "--data-dir",
        "data",
        "--max-sessions",
        "2",
        "--max-sessions-per-learner",
        "40",
        "--pool",
        "0",  # game processes are the server's own children (the pool's are the fork server's)
        "--reattach-grace",
        "0",  # a closed page's game leaves at once (within the grace it keeps its seat, by design)
        cwd=tmp_path,
    ) as srv:
        most = MostChildren(srv.proc.pid)

        async def one() -> None:
            async with jar() as http:
                async with http.get(srv.url + "/") as r:
                    await r.read()
                ws = await http.ws_connect(srv.url + "/ws")
                await ws.close()

        async def storm() -> None:
            await asyncio.gather(*(one() for _ in range(40)))

        asyncio.run(storm())
        wait_until(lambda: not children(srv.proc.pid), what="every game process to end")
        assert most.stop() <= 2


def test_one_learner_holds_at_most_its_share_of_seats_and_resizing_is_not_a_key(tmp_path):
    with ServerProcess(
        "--story",
        str(MINI_DIR),
        "--data-dir",
        "data",
        "--code",
        "K7QM-3XHD",
        "--max-sessions-per-learner",
        "2",
        "--idle-minutes",
        "0.05",
        cwd=tmp_path,
    ) as srv:

        async def check() -> None:
            async with jar() as http:
                async with http.post(srv.url + "/enter", data={"code": "k7qm3xhd"}) as r:
                    assert r.status == 200
                games = []
                for _ in range(2):
                    ws = await http.ws_connect(srv.url + "/ws")
                    await first_frame(ws)
                    games.append(ws)
                    async with http.post(srv.url + "/new") as r:  # another session for the same browser
                        await r.read()
                third = await http.ws_connect(srv.url + "/ws")
                await wait_closed(third, timeout=10)
                async with http.get(srv.url + "/status") as r:
                    assert "You already have 2 games open" in (await r.json())["message"]
                # resizing every 0.3 s is not typing: the idle game still closes after 3 s
                started = time.monotonic()

                async def resize() -> None:
                    while not games[0].closed:
                        await games[0].send_json(["resize", {"width": 90, "height": 30}])
                        await asyncio.sleep(0.3)

                resizing = asyncio.ensure_future(resize())
                await wait_closed(games[0], timeout=20)
                resizing.cancel()
                assert time.monotonic() - started < 15

        asyncio.run(check())


def test_a_game_that_cannot_start_says_so_and_frees_its_seat(tmp_path, run_cli):
    assignment = tmp_path / "class.yaml"
    made = run_cli(
        "assignment", "new", "--story", str(MINI_DIR), "--cohort", "Web class", "--seed", "7", "-o", str(assignment)
    )
    assert made.code == 0, made.err
    with ServerProcess(
        "--story",
        str(MINI_DIR),
        "--data-dir",
        "data",
        "--assignment",
        str(assignment),
        "--max-sessions",
        "1",
        "--pool",
        "0",  # each game reads the assignment as it starts (a warm pool read it once, at the server's start)
        cwd=tmp_path,
    ) as srv:
        assignment.unlink()  # removed during class

        async def check() -> None:
            async with jar() as http:
                async with http.get(srv.url + "/") as r:
                    assert r.status == 200
                ws = await http.ws_connect(srv.url + "/ws")
                await wait_closed(ws)
                async with http.get(srv.url + "/status") as r:
                    message = (await r.json())["message"]
                assert message.startswith("The game could not start") and "saved on the class server" not in message
            async with jar() as other, other.get(srv.url + "/") as r:
                assert r.status == 200  # the dead game's seat is free (--max-sessions 1)

        asyncio.run(check())
        line = srv.wait_for("the game could not start")  # the reason, for the trainer
    assert re.search(r"pizzaborg: the game could not start: .*class\.yaml", line)


def test_behind_a_proxy_on_another_port_the_websocket_works_and_other_origins_do_not(tmp_path):
    with ServerProcess(
        "--story",
        str(MINI_DIR),
        "--data-dir",
        "data",
        "--trusted-proxy",
        "127.0.0.1",
        "--allowed-host",
        "class.example",
        cwd=tmp_path,
    ) as srv:
        # what nginx on https://class.example:8443 passes on: Host without the port ($host), the scheme
        proxied = {"Host": "class.example", "X-Forwarded-Proto": "https"}

        async def check() -> None:
            async with jar() as http:
                async with http.get(srv.url + "/", headers=proxied) as r:
                    assert r.status == 200 and "Secure" in r.headers["Set-Cookie"]
                    cookie = r.cookies["pb_session"].value
                headers = {**proxied, "Cookie": f"pb_session={cookie}"}
                with pytest.raises(aiohttp.WSServerHandshakeError):
                    await http.ws_connect(srv.url + "/ws", headers={**headers, "Origin": "https://evil.example:8443"})
                ws = await http.ws_connect(srv.url + "/ws", headers={**headers, "Origin": "https://class.example:8443"})
                await first_frame(ws)
                await ws.close()

        asyncio.run(check())


def test_when_the_server_cannot_write_a_session_the_page_says_so(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "sessions").write_text("not a folder")  # as good as a full disk for mkdir
    with ServerProcess("--story", str(MINI_DIR), "--data-dir", "data", "--max-sessions", "1", cwd=tmp_path) as srv:

        async def check() -> None:
            async with jar() as http:
                async with http.get(srv.url + "/") as r:
                    assert r.status == 200
                ws = await http.ws_connect(srv.url + "/ws")
                await wait_closed(ws)
                async with http.get(srv.url + "/status") as r:
                    message = (await r.json())["message"]
                assert message.startswith("The game could not start on the class server: its files cannot be written")
            async with jar() as other, other.get(srv.url + "/") as r:
                assert r.status == 200  # no seat was taken

        asyncio.run(check())
    log = "\n".join(everything_printed(srv))
    assert "cannot be written" in log and "Traceback" not in log
