"""Class servers behind Debian's nginx: nginx started as an unprivileged process with deploy/nginx.conf, and
learners played by websocket clients through it (no browser: many games at once on 2 cores).

Used by tests/test_web_nginx.py and benchmarks/bench_web_proxy.py. Waits are on events (a port that
answers, a frame on a websocket, a process's end), never fixed sleeps.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = os.environ.get("PIZZABORG_NGINX", "/usr/sbin/nginx")
ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])")
TITLE_LOOKED = re.compile(r"Continue \((no autosave yet|month|ended)")
NOBODY = 65534  # nginx run by root for a test drops to this user: never a root process serving the web


def nginx_path() -> str | None:
    return NGINX if os.path.exists(NGINX) else shutil.which("nginx")


def nginx_problem() -> str | None:
    """Why nginx cannot be run here, or None."""
    if nginx_path() is None:
        return (
            f"no nginx at {NGINX}: apt-get install nginx (the Debian package; .ci/run installs it when it runs as "
            "root; only the program is used, never the system service)"
        )
    return None


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class NginxProcess:
    """deploy/nginx.conf and deploy/pizzaborg-site.conf, their @...@ names filled in, run as
    ``nginx -p DIR -c DIR/nginx.conf`` in the foreground (``daemon off``), on a free loopback port."""

    def __init__(self, servers: list[int], port: int, timeout: float = 30.0):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="pizzaborg-nginx-"))  # /tmp: reachable when nginx drops to nobody
        site = (DEPLOY / "pizzaborg-site.conf").read_text(encoding="utf-8")
        site = site.replace("@LISTEN@", f"127.0.0.1:{port}")
        for n, server_port in enumerate(servers, 1):
            site = site.replace(f"@SERVER_{n}@", f"127.0.0.1:{server_port}")
        assert "@" not in re.sub(r"#.*", "", site), "a server of the site file was not filled in"
        (self.dir / "pizzaborg-site.conf").write_text(site, encoding="utf-8")
        shutil.copy(DEPLOY / "nginx.conf", self.dir / "nginx.conf")
        root = os.geteuid() == 0
        if root:  # as a user of no account: it only reads its files and writes its logs in DIR
            for path in [self.dir, *self.dir.iterdir()]:
                os.chown(path, NOBODY, NOBODY)
        conf, err = str(self.dir / "nginx.conf"), str(self.dir / "error.log")
        self.proc = subprocess.Popen(
            [nginx_path() or NGINX, "-p", str(self.dir), "-c", conf, "-e", err],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=(lambda: (os.setgroups([]), os.setgid(NOBODY), os.setuid(NOBODY))) if root else None,
        )
        end = time.monotonic() + timeout
        while not port_answers(port):
            if self.proc.poll() is not None or time.monotonic() > end:
                out = self.proc.stdout.read().decode("utf-8", "replace") if self.proc.poll() is not None else ""
                self.stop()
                raise AssertionError(f"nginx did not start: {out}{self.errors()}")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def errors(self) -> str:
        try:
            return (self.dir / "error.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        except OSError:
            return ""

    def access_log(self) -> list[str]:
        try:
            return (self.dir / "access.log").read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> NginxProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()


def make_assignment(folder: Path, cohort: str = "Proxy class", seed: int = 7) -> Path:
    from conftest import MINI_DIR
    from web_helpers import SCRIPT

    path = folder / "class.yaml"
    cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pizzaborg"]
    argv = ["assignment", "new", "--story", str(MINI_DIR), "--cohort", cohort, "--seed", str(seed), "-o", str(path)]
    subprocess.run(cmd + argv, check=True, capture_output=True, timeout=120)
    return path


# ---- which server runs a game --------------------------------------------------------------------
def parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return int(fh.read().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def games_in(folder: Path) -> list[int]:
    """The processes running in ``folder`` (a session's: its game)."""
    found, wanted = [], str(folder.resolve())
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if os.readlink(d / "cwd") == wanted:
                    found.append(int(d.name))
            except OSError:
                continue
    return found


def server_of(pid: int, servers: dict[int, str]) -> str | None:
    """The name of the server (by its process id) a game runs under: its parent, or its fork server's."""
    seen = 0
    while pid and seen < 6:
        if pid in servers:
            return servers[pid]
        pid, seen = parent_of(pid) or 0, seen + 1
    return None


# ---- a learner through the proxy -------------------------------------------------------------------
# The mini story's assignment (seed 7), answered by what each screen shows: the texts first in the list win
# (a dialog over a scene), and a screen is answered once (a redraw of it is not a new screen).
LAST_SCREEN = "What do you take away?"  # the last month's reflection: answered, the game ends and hands in
ANSWERS: list[tuple[str, str]] = [
    ("Your report is handed in", ""),
    (LAST_SCREEN, "\r"),
    ("What did you see?", "\r"),
    ("Continue (Enter)", "\r"),
    ("Begin (Enter)", "\r"),
    ("1. Continue", "\r"),
    ("1. Stay calm.", "1"),
    ("1. Assess the impact", "1"),
    ("1. Visit the bakers", "1"),
    ("1. Fix the cause", "1"),
    ("1. Go home.", "1"),
    ("learner name", "NAME"),
]


MAX_KEYS = 40  # keys one learner presses in one game of the mini assignment at most (a whole game takes 15)
LEARNERS: weakref.WeakSet = weakref.WeakSet()  # every learner made, for the message of a scenario that hangs


class Learner:
    """One browser's worth of a learner: its cookies, the access code typed once, a websocket with the
    page's Origin, and the screens' text since the last key.

    Every wait is bounded as a whole (a learner stuck under load fails in bounded time, never hangs the
    test until pytest-timeout), and its failure says which screens it answered and what it saw last."""

    def __init__(self, url: str, name: str, code: str | None):
        import aiohttp

        self.url, self.name, self.code = url, name, code
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.ws = None
        self.seen = b""
        self.decisions = 0  # keys that answered a screen, so far
        self.answered: set[str] = set()  # the screens answered, by their text
        self.trail: list[str] = []  # the screens answered, in order, with when (for a failure's message)
        self.t0 = time.monotonic()
        self.finished = False
        self.server = ""  # the class server running its game (see where())
        LEARNERS.add(self)

    def stuck(self, why: str) -> str:
        """A failure's message: what went wrong, the screens answered last and the screens' text since the last key."""
        answered = ", ".join(self.trail[-14:]) or "nothing"
        return f"{self.name}: {why}; answered: {answered}; shown since the last key:\n{self.text()[-1500:]}"

    async def close(self, timeout: float = 30.0) -> None:
        try:
            if self.ws is not None:
                async with asyncio.timeout(timeout):  # the close handshake; the session's close ends the socket anyway
                    await self.ws.close()
        except TimeoutError:
            pass
        finally:
            await self.http.close()

    def resume_code(self) -> str | None:
        from yarl import URL

        cookie = self.http.cookie_jar.filter_cookies(URL(self.url)).get("pb_session")
        return cookie.value.partition("~")[0] if cookie is not None else None

    async def open(self, origin: str | None = None, resume: str | None = None, timeout: float = 60.0) -> None:
        """The page (the access code first, when asked for) and its websocket; ``resume``: a resume code
        typed on the page first (another browser, another day). TimeoutError after ``timeout`` s in all."""
        try:
            async with asyncio.timeout(timeout):
                await self._open(origin, resume)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: the class page and its websocket took over {timeout} s") from None

    async def _open(self, origin: str | None, resume: str | None) -> None:
        async with self.http.get(self.url + "/") as r:
            status, body = r.status, await r.text()
        if status == 401 and self.code:
            async with self.http.post(self.url + "/enter", data={"code": self.code}) as r:
                status, body = r.status, await r.text()
        if resume is not None and status == 200:
            async with self.http.post(self.url + "/resume", data={"resume": resume}) as r:
                status, body = r.status, await r.text()
            if resume.lower() not in body.lower():
                raise AssertionError(f"{self.name}: the page after the resume code answered {status}: {body[:300]}")
        if status != 200 or "resume" not in body.lower():
            raise AssertionError(f"the class page answered {status}: {body[:300]}")
        self.seen = b""
        headers = {"Origin": origin or self.url}
        self.ws = await self.http.ws_connect(self.url + "/ws?width=100&height=30", headers=headers)

    def text(self) -> str:
        return ANSI.sub(b"", self.seen).decode("utf-8", "replace")

    async def _frame(self, end: float, waiting_for: str) -> None:
        """The next frame of the screen into ``seen``, waiting until ``end`` (time.monotonic()) at most."""
        import aiohttp

        try:
            msg = await self.ws.receive(timeout=max(0.1, end - time.monotonic()))
        except TimeoutError:
            return
        if msg.type == aiohttp.WSMsgType.BINARY:
            self.seen += msg.data
        elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            raise ConnectionError(self.stuck(f"the game closed before {waiting_for}"))

    async def wait_for(self, *texts: str, pattern: re.Pattern | None = None, timeout: float = 60.0) -> str:
        """The screens' text since the last key, once every text (and ``pattern``) is in it."""
        end = time.monotonic() + timeout
        while True:
            plain = self.text()
            if all(t in plain for t in texts) and (pattern is None or pattern.search(plain)):
                return plain
            if time.monotonic() > end:
                raise AssertionError(self.stuck(f"{texts} not shown within {timeout} s"))
            await self._frame(end, f"{texts} showed")

    async def until_closed(self, timeout: float = 60.0) -> None:
        """Wait for the server to close the websocket (its game stopped), ``timeout`` s at most in all."""
        import aiohttp

        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(self.stuck(f"the game's websocket still open after {timeout} s"))
            try:
                msg = await self.ws.receive(timeout=left)
            except TimeoutError:
                continue
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                await self.close_ws()
                return

    async def close_ws(self, timeout: float = 30.0) -> None:
        """The websocket closed (its close handshake ``timeout`` s at most), the learner's cookies kept."""
        try:
            async with asyncio.timeout(timeout):
                await self.ws.close()
        except TimeoutError:
            pass

    async def quit(self) -> None:
        """Leave the game (q, then Quit): its process ends and its seat on the server is free at once,
        where a closed page would keep it for the reattach grace period."""
        await self.keys("q")
        await self.wait_for("Quit PizzaBorg?")
        await self.keys("y")
        await self.until_closed()

    async def keys(self, text: str) -> None:
        self.seen = b""
        await self.ws.send_json(["stdin", text])

    async def start(self) -> str:
        """From the title: the autosave when there is one ("continue"), else a new game ("new"); "ended",
        with nothing pressed, when this learner answered the game's last screen before (its report is
        handed in: an ended game is not offered to continue). The title's Continue says which once it
        has looked for an autosave (before that, the key would be ignored)."""
        found = TITLE_LOOKED.search(await self.wait_for("New game", pattern=TITLE_LOOKED, timeout=90))
        how = {"no autosave yet": "new", "month": "continue"}.get(found[1] if found else "", "ended")
        if how == "new" and LAST_SCREEN in self.answered:
            how = "ended"
        if how != "ended":
            await self.keys("n" if how == "new" else "c")
        return how

    async def play(self, decisions: int | None = None, timeout: float = 60.0, total: float = 240.0) -> None:
        """Answer screens until the report is handed in (or ``decisions`` more keys have been pressed).

        Bounded as a whole: each screen ``timeout`` s to show, the whole call ``total`` s, and MAX_KEYS
        keys in one game; past any of them an AssertionError names the screens answered and shown."""
        last = None
        pressed = 0
        end_all = time.monotonic() + total
        end = min(end_all, time.monotonic() + timeout)
        while decisions is None or pressed < decisions:
            if time.monotonic() > end_all:
                raise AssertionError(self.stuck(f"the game not over within {total} s"))
            found = next((a for a in ANSWERS if a[0] in self.text() and a[0] != last), None)
            if found is None:
                if time.monotonic() > end:
                    raise AssertionError(self.stuck(f"no screen to answer within {timeout} s"))
                await self._frame(end, "its report was handed in")
                continue
            marker, key = found
            if not key:
                self.finished = True
                return
            if self.decisions >= MAX_KEYS:
                raise AssertionError(self.stuck(f"{MAX_KEYS} keys pressed and the game is not over"))
            end = min(end_all, time.monotonic() + timeout)  # each screen gets the whole time to show
            last = marker
            self.answered.add(marker)
            self.trail.append(f"{marker!r} {time.monotonic() - self.t0:.1f}s")
            await self.keys(self.name + "\r" if key == "NAME" else key)
            pressed += 1
            self.decisions += 1


async def open_until(
    url: str, code: str | None, names: list[str], data: Path, servers: dict[int, str], wanted: set[str]
) -> list[Learner]:
    """Learners opened one by one (a new game each, at its first screen) until every server in ``wanted``
    runs one of their games, or ``names`` run out; each learner's ``server`` names the one running its game."""
    opened: list[Learner] = []
    for name in names:
        learner = Learner(url, name, code)
        opened.append(learner)
        await learner.open()
        assert await learner.start() == "new", f"{name}: a new learner has an autosave"
        await learner.wait_for("learner name")
        learner.server = where(learner, data, servers)
        if wanted <= {lr.server for lr in opened}:
            break
    return opened


def session_of(learner: Learner, data: Path):
    """The learner's session as the servers stored it."""
    from pizzaborg.web.sessions import Sessions

    code = learner.resume_code()
    s = Sessions(data, say=lambda _: None).find(code) if code else None
    if s is None:
        raise AssertionError(f"{learner.name}: no stored session for its cookie")
    return s


def wait_in_rotation(nginx: NginxProcess, port: int, timeout: float = 60.0) -> None:
    """Wait until nginx sends requests to the server on ``port`` again (after ``fail_timeout``): cheap
    requests until its access log names that server for one."""
    import urllib.request

    end, mark = time.monotonic() + timeout, f"upstream=127.0.0.1:{port} "
    while time.monotonic() < end:
        with urllib.request.urlopen(nginx.url + "/favicon.ico", timeout=10) as r:
            r.read()
        if any(mark in line for line in nginx.access_log()[-3:]):
            return
        time.sleep(0.05)
    raise AssertionError(f"nginx sent nothing to 127.0.0.1:{port} within {timeout} s")


def where(learner: Learner, data: Path, servers: dict[int, str]) -> str:
    """The server running the learner's game now."""
    pids = games_in(data / "sessions" / session_of(learner, data).id)
    names = {server_of(pid, servers) for pid in pids} - {None}
    if len(names) != 1:
        raise AssertionError(f"{learner.name}: its game runs under {names or 'no server'}")
    return names.pop()


def awaiting(task: asyncio.Task) -> str:
    """Where a task waits: its coroutines, the outermost first, down to what the innermost awaits."""
    lines, coro = [], task.get_coro()
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            lines.append(f"    awaiting {coro!r}"[:300])
            break
        lines.append(f"    {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return "\n".join(lines)


def run(coro, within: float = 480.0):
    """Run a scenario; past ``within`` s, an AssertionError that says where each of its tasks waits and what
    the learners still playing saw, instead of a hang until pytest-timeout. Its tasks are then cancelled but
    not waited for long (a task that ignores its cancellation must not hang the test either)."""
    loop = asyncio.new_event_loop()
    try:
        main = loop.create_task(coro)
        loop.run_until_complete(asyncio.wait({main}, timeout=within))
        if main.done():
            return main.result()
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        where = "\n".join(f"  {t.get_name()}:\n{awaiting(t)}" for t in tasks)
        playing = [lr for lr in list(LEARNERS) if not lr.finished and lr.ws is not None and not lr.ws.closed]
        seen = "\n".join(lr.stuck("still playing") for lr in playing[:4])
        for t in tasks:
            t.cancel()
        loop.run_until_complete(asyncio.wait(tasks, timeout=10))
        raise AssertionError(f"the scenario did not end within {within} s; its tasks wait at:\n{where}\n{seen}")
    finally:
        asyncio.set_event_loop(None)
        loop.close()
