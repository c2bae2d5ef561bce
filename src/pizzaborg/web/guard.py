"""The class server's defences against abuse: one home for every limit the server puts on a client.

An attacker's round (issue 22 §4) found that the class server trusted every connection: slow headers held
file descriptors until learners were locked out, one access code could hold every seat, codes could be
guessed thousands of times a second, and any Host or forwarded header was believed. This module holds
the policy; ``server.py`` calls it from small hooks:

- :class:`ConnectionGuard` wraps aiohttp's protocol factory: a deadline for the first request's headers,
  a cap of open connections per client address and a global cap below the open-file limit; when a cap is
  reached the oldest connection that has not yet sent its headers makes room (a learner's browser sends
  its headers at once, a slow-header attacker never finishes);
- :class:`GuessLimiter`: failed access/resume codes per address and overall, then an exponential lockout;
- :class:`Seats`: game processes counted from their start until they have exited, per client and in all;
- :class:`Proxies` and :func:`allowed_host`: which addresses may speak for a client (X-Forwarded-*), TLS,
  the Host allow-list (DNS rebinding) and the websocket's Origin check with the port;
- :class:`OncePerMinute`: a log line per address and event at most once a minute, never a traceback.

Plain asyncio and aiohttp: imported only by the server (``pizzaborg serve``), never by the game.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger("pizzaborg.serve")

HEADER_SECONDS = 8.0  # from connect to the end of the first request's headers (a browser needs milliseconds)
KEEPALIVE_SECONDS = 15.0  # an idle kept-alive connection is closed after this (aiohttp's default is 75)
# A classroom behind one NAT shares one address, and each browser opens up to 6 connections while the page
# loads, then keeps its websocket: 30 learners arriving at once need about 200. A slow-header attacker's
# connections are closed first whatever this cap, so it only bounds connections that sent a request.
DEFAULT_PER_ADDRESS = 256
DEFAULT_SEATS_PER_CLIENT = 2
FD_RESERVE = 64  # descriptors kept for the server's own files (sessions.json, logs, static files)
FDS_PER_GAME = 4  # a game process holds three pipes and its websocket
ACCEPT_BATCH = 64  # the listen backlog: asyncio accepts up to this many sockets before any is looked at
MIN_CONNECTIONS = 16
GUESSES_PER_WINDOW, GUESS_WINDOW = 5, 10.0  # wrong codes per address before a lockout, and the window
GLOBAL_GUESSES_PER_WINDOW = 60  # wrong codes from everyone together in a window
MAX_LOCKOUT = 15 * 60.0


class OncePerMinute:
    """Log a warning for a key (an event and an address) at most once per ``every`` seconds, saying how
    many were not logged since; never with a traceback."""

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic, limit: int = 4096):
        self.every, self.clock, self.limit = every, clock, limit
        self._last: OrderedDict[tuple, tuple[float, int]] = OrderedDict()

    def __call__(self, key: tuple, message: str, *args: Any) -> bool:
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last[0] < self.every:
            self._last[key] = (last[0], last[1] + 1)
            return False
        quiet = last[1] if last is not None else 0
        self._last[key] = (now, 0)
        self._last.move_to_end(key)
        while len(self._last) > self.limit:  # bounded: an attacker with many addresses cannot grow it
            self._last.popitem(last=False)
        log.warning(message + (f" ({quiet} more like it not logged)" if quiet else ""), *args)
        return True


class _AcceptErrors(logging.Filter):
    """asyncio logs a traceback each time accept() finds no free file descriptor: one line a minute."""

    def __init__(self, once: OncePerMinute):
        super().__init__()
        self.once = once

    def filter(self, record: logging.LogRecord) -> bool:
        if "out of system resource" in str(record.msg):
            self.once(("accept",), "no free file descriptor for a new connection: refusing connections for now")
            return False
        return True


# ---- connections ---------------------------------------------------------------------------------
def connection_budget(max_sessions: int) -> int:
    """The most client connections at once: the open-file limit (raised to its hard limit first) less
    what the game processes and the server's own files need, and one accept batch (the sockets asyncio
    accepts in a burst are open before the guard sees them, and those it closes are closed a moment later)."""
    try:
        import resource
    except ImportError:  # not on POSIX: no limit to read
        return 4096
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # the hard limit, or on macOS (whose hard limit says unlimited) its OPEN_MAX, 10240
    for wanted in (hard, 65536, 10240, 4096) if hard == resource.RLIM_INFINITY else (hard,):
        if soft == resource.RLIM_INFINITY or soft >= wanted:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
            break
        except (ValueError, OSError):
            continue
    if soft == resource.RLIM_INFINITY:
        soft = 65536
    return max(MIN_CONNECTIONS, soft - FD_RESERVE - ACCEPT_BATCH - FDS_PER_GAME * max_sessions)


@dataclass(eq=False)
class _Conn:
    address: str
    transport: asyncio.Transport | None = None
    pending: bool = True  # the first request's headers are not complete yet
    tail: bytes = b""
    timer: asyncio.TimerHandle | None = None


class ConnectionGuard:
    """Open connections, per client address and in all, with a deadline for the first headers."""

    def __init__(
        self,
        max_total: int,
        per_address: int = DEFAULT_PER_ADDRESS,
        header_seconds: float = HEADER_SECONDS,
        exempt: Callable[[str], bool] = lambda address: False,
        once: OncePerMinute | None = None,
    ):
        self.max_total, self.per_address, self.header_seconds = max_total, per_address, header_seconds
        self.exempt = exempt  # a trusted proxy carries many clients: no per-address cap for it
        self.once = once or OncePerMinute()
        self.open: OrderedDict[_Conn, None] = OrderedDict()  # oldest first
        self.by_address: dict[str, int] = {}
        self.dropped = 0
        logging.getLogger("asyncio").addFilter(_AcceptErrors(self.once))

    def wrap(self, factory: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        return lambda: _GuardedProtocol(self, factory())

    # called by _GuardedProtocol
    def admit(self, conn: _Conn) -> bool:
        """Make room for a new connection, or say it cannot be taken."""
        if not self.exempt(conn.address) and self.by_address.get(conn.address, 0) >= self.per_address:
            if not self._evict(lambda c: c.address == conn.address):
                self.once(
                    ("per-address", conn.address),
                    "%s has %d connections open, the most one address may: refusing more",
                    conn.address,
                    self.per_address,
                )
                return False
            self.once(("slow", conn.address), "%s: closing its slowest connections to make room", conn.address)
        if len(self.open) >= self.max_total:
            if not self._evict(lambda c: True):
                self.once(
                    ("total",), "%d connections are open, the most this server takes: refusing more", self.max_total
                )
                return False
            self.once(("full",), "the server's connections are all taken: closing those that never sent a request")
        self.open[conn] = None
        self.by_address[conn.address] = self.by_address.get(conn.address, 0) + 1
        return True

    def _evict(self, which: Callable[[_Conn], bool]) -> bool:
        for c in self.open:
            if c.pending and which(c):
                self.close(c)
                self.dropped += 1
                return True
        return False

    def close(self, conn: _Conn) -> None:
        self.forget(conn)
        if conn.transport is not None:
            conn.transport.abort()

    def forget(self, conn: _Conn) -> None:
        if conn.timer is not None:
            conn.timer.cancel()
            conn.timer = None
        if self.open.pop(conn, False) is None:
            n = self.by_address.get(conn.address, 1) - 1
            if n > 0:
                self.by_address[conn.address] = n
            else:
                self.by_address.pop(conn.address, None)

    def too_slow(self, conn: _Conn) -> None:
        conn.timer = None
        if conn.pending and conn in self.open:
            self.once(
                ("header-timeout", conn.address),
                "%s did not send a request's headers within %g s: connection closed",
                conn.address,
                self.header_seconds,
            )
            self.dropped += 1
            self.close(conn)


class _GuardedProtocol(asyncio.Protocol):
    """aiohttp's request handler behind a door: counted, and closed when its first headers are late."""

    def __init__(self, guard: ConnectionGuard, inner: Any):
        self.guard, self.inner = guard, inner
        self.conn: _Conn | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, (tuple, list)) and peer else "?"
        conn = _Conn(address, cast(asyncio.Transport, transport))
        if not self.guard.admit(conn):
            cast(asyncio.Transport, transport).abort()  # connection_lost follows; the handler never saw it
            return
        self.conn = conn
        conn.timer = asyncio.get_running_loop().call_later(self.guard.header_seconds, self.guard.too_slow, conn)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        conn = self.conn
        if conn is None:
            return
        if conn.pending:
            seen = conn.tail + data
            if b"\r\n\r\n" in seen or b"\n\n" in seen:
                conn.pending = False
                if conn.timer is not None:
                    conn.timer.cancel()
                    conn.timer = None
            else:
                conn.tail = seen[-3:]
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.conn is not None else None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.conn is None:
            return
        self.guard.forget(self.conn)
        self.conn.transport = None
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self.conn is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.conn is not None:
            self.inner.resume_writing()


def run_app(
    app: Any,
    *,
    host: str,
    port: int,
    guard: ConnectionGuard,
    loop: asyncio.AbstractEventLoop,
    ready: Callable[[], None],
) -> None:
    """aiohttp's ``web.run_app`` for one TCP site whose connections pass through ``guard``; returns on
    GracefulExit (SIGINT/SIGTERM) after the app's shutdown. A failed bind raises OSError."""
    from aiohttp import web
    from aiohttp.web_runner import GracefulExit

    class GuardedSite(web.TCPSite):
        async def start(self) -> None:
            await web.BaseSite.start(self)
            factory = self._runner.server
            assert factory is not None
            self._server = await asyncio.get_running_loop().create_server(
                guard.wrap(factory), self._host, self._port, backlog=self._backlog, reuse_address=True
            )

    async def main() -> None:
        runner = web.AppRunner(await app, handle_signals=False, keepalive_timeout=KEEPALIVE_SECONDS)
        await runner.setup()
        try:
            await GuardedSite(runner, host, port, backlog=ACCEPT_BATCH).start()
            ready()
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    task = loop.create_task(main())
    try:
        loop.run_until_complete(task)
    except (GracefulExit, KeyboardInterrupt):
        pass
    finally:
        if not task.done():  # stopped by a signal: the app's shutdown saves every game
            task.cancel()
            try:
                loop.run_until_complete(task)
            except (asyncio.CancelledError, GracefulExit, KeyboardInterrupt):
                pass
        rest = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in rest:
            t.cancel()
        if rest:
            loop.run_until_complete(asyncio.gather(*rest, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


# ---- code guesses --------------------------------------------------------------------------------
@dataclass
class _Tries:
    fails: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    lockouts: int = 0


class GuessLimiter:
    """Wrong access or resume codes: ``per_address`` in ``window`` seconds from one address, then it waits
    ``window`` seconds, doubled at each further lockout (at most 15 minutes); ``overall`` wrong codes in a
    window from everyone together make every address wait until the window has passed."""

    def __init__(
        self,
        per_address: int = GUESSES_PER_WINDOW,
        window: float = GUESS_WINDOW,
        overall: int = GLOBAL_GUESSES_PER_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        limit: int = 10000,
    ):
        self.per_address, self.window, self.overall, self.clock, self.limit = per_address, window, overall, clock, limit
        self._by: OrderedDict[str, _Tries] = OrderedDict()
        self._all: list[float] = []

    def wait(self, address: str) -> float:
        """Seconds ``address`` must wait before its next guess is looked at (0: go ahead)."""
        now = self.clock()
        self._all = [t for t in self._all if now - t < self.window]
        tries = self._by.get(address)
        mine = max(0.0, tries.locked_until - now) if tries else 0.0
        overall = (self._all[0] + self.window - now) if len(self._all) >= self.overall else 0.0
        return max(mine, overall)

    def failed(self, address: str) -> float:
        """Count a wrong code; returns the lockout it started (0: none)."""
        now = self.clock()
        self._all.append(now)
        tries = self._by.pop(address, None) or _Tries()
        self._by[address] = tries  # most recent last: the table is bounded by dropping the oldest
        while len(self._by) > self.limit:
            self._by.popitem(last=False)
        tries.fails = [t for t in tries.fails if now - t < self.window] + [now]
        if len(tries.fails) >= self.per_address:
            seconds = min(MAX_LOCKOUT, self.window * 2**tries.lockouts)
            tries.lockouts += 1
            tries.locked_until = now + seconds
            tries.fails = []
            log.warning(
                "%s typed %d wrong codes: it waits %g s before the next try", address, self.per_address, seconds
            )
            return seconds
        if len(self._all) == self.overall:
            log.warning("%d wrong codes in %g s from all addresses: every guess waits", self.overall, self.window)
        return 0.0

    def succeeded(self, address: str) -> None:
        self._by.pop(address, None)


# ---- seats ---------------------------------------------------------------------------------------
class Seats:
    """Game processes from their start until they have exited (not until their websocket closed), in all
    and per client (an access cookie, or the address when the server has no access code)."""

    def __init__(self) -> None:
        self._owner: dict[object, str] = {}

    def hold(self, game: object, client: str) -> None:
        self._owner[game] = client

    def free(self, game: object) -> None:
        self._owner.pop(game, None)

    def taken(self) -> int:
        return len(self._owner)

    def held_by(self, client: str) -> int:
        return sum(1 for c in self._owner.values() if c == client)


# ---- who is asking: proxies, TLS, Host and Origin --------------------------------------------------
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text.strip().strip("[]"), strict=False)


class Proxies:
    """The reverse proxies whose X-Forwarded-For/-Proto/-Host headers are believed (``--trusted-proxy``);
    from any other address those headers are ignored."""

    def __init__(self, trusted: Iterable[str] = ()):
        self.networks = [_network(t) for t in trusted]

    def trusts(self, address: str | None) -> bool:
        if not address or not self.networks:
            return False
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        return any(ip in n for n in self.networks)

    def via_proxy(self, request: web.BaseRequest) -> bool:
        return self.trusts(request.remote)

    def client(self, request: web.BaseRequest) -> str:
        """The client's address: the connection's, or from a trusted proxy the last address in
        X-Forwarded-For that is not itself a trusted proxy."""
        remote = request.remote or "?"
        if not self.trusts(remote):
            return remote
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop[:64]
        return remote

    def tls(self, request: web.BaseRequest) -> bool:
        if request.transport is not None and request.transport.get_extra_info("sslcontext") is not None:
            return True
        if self.via_proxy(request):
            proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
            return proto == "https"
        return False

    def host(self, request: web.BaseRequest) -> str:
        """The Host the browser used: X-Forwarded-Host from a trusted proxy, else the Host header."""
        if self.via_proxy(request):
            forwarded = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
            if forwarded:
                return forwarded
        return request.headers.get("Host", "")

    def same_origin(self, request: web.BaseRequest) -> bool:
        """The websocket's Origin is this page's scheme, host and port. Behind a trusted proxy whose Host
        carries no port (nginx's ``$host``), only the scheme and host name are compared."""
        origin = request.headers.get("Origin")
        if not origin:
            return True  # not a browser page: the access cookie still decides
        scheme = "https" if self.tls(request) else "http"
        o_scheme, _, o_rest = origin.partition("://")
        o_name, o_port = split_host(o_rest.rstrip("/"))
        h_name, h_port = split_host(self.host(request))
        if not o_name or o_name != h_name:
            return False
        if self.via_proxy(request):
            if o_scheme.lower() not in ("http", "https"):
                return False
            return h_port is None or (o_port or default_port(o_scheme)) == h_port
        return o_scheme.lower() == scheme and (o_port or default_port(o_scheme)) == (h_port or default_port(scheme))


def default_port(scheme: str) -> int:
    return 443 if scheme.lower() in ("https", "wss") else 80


def split_host(text: str) -> tuple[str, int | None]:
    """'Name:port' or '[v6]:port' as (lower-case name without brackets, port or None)."""
    text = text.strip().lower()
    if text.startswith("["):
        name, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        name, _, port_text = text.partition(":")
    else:
        name, port_text = text, ""
    try:
        port = int(port_text) if port_text else None
    except ValueError:
        return "", None
    return name.rstrip("."), port


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def default_hosts(listen: str, given_out: str | None) -> set[str]:
    """Host names a class server answers to unless ``--allowed-host`` adds others: localhost, the name it
    listens on, the address it gives out and this machine's own names. Any IP address is allowed as well
    (see :func:`allowed_host`)."""
    import socket

    names = {"localhost", split_host(listen)[0] if listen.startswith("[") else listen.lower()}
    if given_out:
        names.add(given_out.lower())
    for name in (socket.gethostname, socket.getfqdn):
        try:
            names.add(name().lower())
        except OSError:
            pass
    names |= {n.split(".")[0] + ".local" for n in list(names) if n and not is_ip(n) and "." not in n}  # mDNS
    return {n.rstrip(".") for n in names if n}


def allowed_host(request_host: str, allowed: set[str]) -> bool:
    """Whether a request's Host may be served. DNS rebinding needs a name the attacker controls that
    resolves to this server: a Host that is an IP address, or one of ``allowed``, cannot be that; '*' in
    ``allowed`` turns the check off."""
    if "*" in allowed:
        return True
    name, _ = split_host(request_host)
    return bool(name) and (is_ip(name) or name in allowed or name.endswith(".localhost"))
