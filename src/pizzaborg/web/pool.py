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
    """What textual-serve's AppService uses of an asyncio ``Process``, for a game the fork server forked
    (it is not this process's child: its end is seen through a pidfd)."""

    def __init__(
        self, pid: int, stdin: asyncio.StreamWriter, stdout: asyncio.StreamReader, stderr: asyncio.StreamReader
    ):
        self.pid = pid
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode: int | None = None
        self._exited = asyncio.Event()
        self._pidfd: int | None = None
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
        if self.returncode is None:
            self.returncode = 0  # the exit status belongs to the fork server, which lets the kernel reap
        self.stdin.close()
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
        return self.returncode or 0


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
        loop = asyncio.get_running_loop()
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        theirs, ours = [stdin_r, stdout_w, stderr_w], [stdin_w, stdout_r, stderr_r]
        try:
            async with self._lock:  # one request at a time: the answer is the next message
                self._next += 1
                request = json.dumps({"id": self._next, "cwd": str(cwd), "env": env}).encode()
                try:
                    socket.send_fds(self.sock, [request], theirs)
                    answer = json.loads(await loop.sock_recv(self.sock, 4096) or b"{}")
                except (OSError, ValueError) as exc:
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
        return PooledProcess(int(answer["pid"]), stdin, stdout, stderr)

    def _gone(self, why: str) -> None:
        if self.sock is not None:
            log.warning("the fork server has gone (%s): each game now starts on its own, more slowly", why)
            self.problem = f"the fork server has gone ({why})"
            self.sock.close()
            self.sock = None


async def _reader(loop: asyncio.AbstractEventLoop, fd: int) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=2**16, loop=loop)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop), os.fdopen(fd, "rb", 0))
    return reader


async def _writer(loop: asyncio.AbstractEventLoop, fd: int) -> asyncio.StreamWriter:
    from asyncio.streams import FlowControlMixin

    transport, protocol = await loop.connect_write_pipe(lambda: FlowControlMixin(loop=loop), os.fdopen(fd, "wb", 0))
    return asyncio.StreamWriter(transport, protocol, None, loop)
