"""The class server's side of the warm pool: it starts the fork server (``web/forkserver.py``) before
its event loop, and asks it for a game process when a learner connects.

What a game is handed: three pipes (its standard input, output and error, the same channels
textual-serve uses with a process it starts itself), the session's folder as its working directory,
and the session's environment (terminal size, session id, language...). The answer is the game's PID;
the server watches it through a pidfd, so a game holds its place until it has really ended.

When the fork server cannot start or has gone, games are started the way textual-serve starts them
(``python -m pizzaborg.web.child`` per learner): slower, never refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

log = logging.getLogger("pizzaborg.serve")

DRIVER = "pizzaborg.web.driver:ClassWebDriver"
READY_TIMEOUT = 120.0  # seconds the fork server may take to import and read the story (a slow disk)
CAN_FORK = sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")


def game_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """What every game's environment holds: the server's, Textual's web settings (as textual-serve
    sets them) with our driver, then ``extra``."""
    from importlib.metadata import version

    env = dict(os.environ)
    env.update(
        TEXTUAL_DRIVER=DRIVER,
        TEXTUAL_FPS="60",
        TEXTUAL_COLOR_SYSTEM="truecolor",
        TERM_PROGRAM="textual",
        TERM_PROGRAM_VERSION=version("textual-serve"),
    )
    env.pop("PIZZABORG_WEB_PARENT", None)
    env.update(extra or {})
    return env


class PoolUnavailable(Exception):
    """The fork server is not there: start the game the slow way."""


class PooledProcess:
    """What textual-serve's AppService uses of an asyncio ``Process``, for a game the fork server forked.
    It is not this process's child: its end is seen through a pidfd, its exit status comes from the fork
    server (which reaps it); ``returncode`` is set once both are known."""

    def __init__(
        self,
        pid: int,
        stdin: asyncio.StreamWriter,
        stdout: asyncio.StreamReader,
        stderr: asyncio.StreamReader,
        pool: Pool,
    ):
        self.pid = pid
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode: int | None = None
        self._exited = asyncio.Event()
        self._dead = False
        self._code: int | None = None
        self._code_known = False
        self._pidfd: int | None = None
        pool.watch(self)
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:
            self._ended()
            return
        asyncio.get_running_loop().add_reader(self._pidfd, self._ended)

    def _ended(self) -> None:
        if self._pidfd is not None:
            asyncio.get_running_loop().remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None
        self._dead = True
        self.stdin.close()
        self._settle()

    def exit_status(self, code: int | None) -> None:
        """From the fork server: how the game ended (None: the fork server has gone and will not say)."""
        self._code, self._code_known = code, True
        self._settle()

    def _settle(self) -> None:
        if self._dead and self._code_known and not self._exited.is_set():
            # unknown: the fork server went first, and the game ended with it (SIGTERM)
            self.returncode = self._code if self._code is not None else -int(signal.SIGTERM)
            self._exited.set()

    def send_signal(self, sig: int) -> None:
        if self._pidfd is not None:
            try:
                signal.pidfd_send_signal(self._pidfd, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    async def wait(self) -> int:
        await self._exited.wait()
        return self.returncode if self.returncode is not None else 0


class Pool:
    """The fork server and its socket. ``start`` runs before the server's event loop; ``spawn`` in it."""

    def __init__(self, spares: int, env: dict[str, str], cwd: Path):
        self.spares = spares
        self.env = env
        self.cwd = cwd
        self.process: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.problem: str | None = None
        self._lock: asyncio.Lock | None = None
        self._next = 0
        self._reader: asyncio.Task | None = None
        self._answers: dict[int, asyncio.Future] = {}
        self._games: dict[int, PooledProcess] = {}
        self._statuses: dict[int, int] = {}  # exit statuses that came before their game was watched

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self) -> bool:
        """Start the fork server and wait until it has imported the game and forked its spares."""
        try:  # a game's end is watched through a pidfd (Linux 5.3 and later)
            os.close(os.pidfd_open(os.getpid()))
        except OSError as exc:
            self.problem = f"this system has no pidfds ({exc.strerror or exc})"
            return False
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-P",
                    "-m",
                    "pizzaborg.web.forkserver",
                    str(theirs.fileno()),
                    str(self.spares),
                    str(os.getpid()),
                ],
                pass_fds=[theirs.fileno()],
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        except OSError as exc:
            self.problem = f"the fork server cannot start: {exc}"
            return False
        finally:
            theirs.close()
        mine.settimeout(READY_TIMEOUT)
        try:
            answer = json.loads(mine.recv(4096) or b"{}")
        except (OSError, ValueError) as exc:
            answer = {"error": str(exc) or type(exc).__name__}
        if not answer.get("ready"):
            self.problem = f"the fork server did not start: {answer.get('error', 'it ended')}"
            mine.close()
            self.stop()
            return False
        mine.setblocking(False)
        self.sock = mine
        return True

    async def close(self) -> None:
        """``stop`` from the event loop: the reader first, then the blocking wait in a thread."""
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        await asyncio.to_thread(self.stop)

    def stop(self) -> None:
        """Close the socket (the fork server leaves, and its spares with it) and reap it."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    async def spawn(self, env: dict[str, str], cwd: Path) -> PooledProcess:
        """A game for a session: its folder, its environment; the pipes are made here."""
        if self.sock is None:
            raise PoolUnavailable(self.problem or "no fork server")
        if self._lock is None:
            self._lock = asyncio.Lock()
        if self._reader is None:
            self._reader = asyncio.create_task(self._read())
        loop = asyncio.get_running_loop()
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        theirs, ours = [stdin_r, stdout_w, stderr_w], [stdin_w, stdout_r, stderr_r]
        try:
            async with self._lock:  # one request at a time: the answer is the next message
                self._next += 1
                request = json.dumps({"id": self._next, "cwd": str(cwd), "env": env}).encode()
                waiting = self._answers[self._next] = loop.create_future()
                try:
                    socket.send_fds(self.sock, [request], theirs)
                    answer = await waiting
                except OSError as exc:
                    self._gone(f"{type(exc).__name__}: {exc}")
                    raise PoolUnavailable(self.problem) from None
                if not answer.get("pid"):
                    self._gone("it ended" if not answer else "it could not fork")
                    raise PoolUnavailable(self.problem)
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        stdin = await _writer(loop, stdin_w)
        stdout = await _reader(loop, stdout_r)
        stderr = await _reader(loop, stderr_r)
        return PooledProcess(int(answer["pid"]), stdin, stdout, stderr, self)

    def watch(self, game: PooledProcess) -> None:
        """Tell ``game`` its exit status when the fork server sends it."""
        if game.pid in self._statuses:
            game.exit_status(self._statuses.pop(game.pid))
        elif self.sock is None:
            game.exit_status(None)
        else:
            self._games[game.pid] = game

    async def _read(self) -> None:
        """The fork server's messages: answers to requests (by id) and games' exit statuses (by pid)."""
        loop = asyncio.get_running_loop()
        while self.sock is not None:
            try:
                data = await loop.sock_recv(self.sock, 4096)
            except OSError:
                data = b""
            if not data:
                self._reader = None  # ending by itself: _gone must not cancel it
                self._gone("it ended")
                return
            try:
                message = json.loads(data)
            except ValueError:
                continue
            if "exit" in message:
                pid, code = int(message["exit"]), int(message.get("code", 0))
                game = self._games.pop(pid, None)
                if game is not None:
                    game.exit_status(code)
                elif len(self._statuses) < 10_000:  # a spare's, or a game not watched yet
                    self._statuses[pid] = code
            elif (waiting := self._answers.pop(message.get("id"), None)) is not None and not waiting.done():
                waiting.set_result(message)

    def _gone(self, why: str) -> None:
        if self.sock is None:
            return
        log.warning("the fork server has gone (%s): each game now starts on its own, more slowly", why)
        self.problem = f"the fork server has gone ({why})"
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        self.sock.close()
        self.sock = None
        for waiting in self._answers.values():
            if not waiting.done():
                waiting.set_result({})
        self._answers.clear()
        for game in self._games.values():  # no status will come: they ended with it
            game.exit_status(None)
        self._games.clear()


async def _reader(loop: asyncio.AbstractEventLoop, fd: int) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=2**16, loop=loop)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop), os.fdopen(fd, "rb", 0))
    return reader


async def _writer(loop: asyncio.AbstractEventLoop, fd: int) -> asyncio.StreamWriter:
    from asyncio.streams import FlowControlMixin

    transport, protocol = await loop.connect_write_pipe(lambda: FlowControlMixin(loop=loop), os.fdopen(fd, "wb", 0))
    return asyncio.StreamWriter(transport, protocol, None, loop)
