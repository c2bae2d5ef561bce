"""The fork server: one process that has imported the game (Textual, the app, the web driver) and read
the story, and forks a game process for each learner.

Why: a game started with ``python -m pizzaborg.web.child`` pays a whole Python and Textual start when the
learner connects (0.3 s alone, tens of seconds when a class of 30 connects at once on two cores), and
each holds its own copy of every imported module (25-27 MB). Forked from a process that has done that
work once, a game starts at once and shares the imported pages copy-on-write with the others.

The class server starts this process before its event loop (``web/pool.py``) with a socket to talk on
and the environment every game shares (Textual's settings, the story, the assignment). It keeps
``spares`` forked children waiting; a request names a session's folder and its environment and carries
the three pipe ends that become the game's standard input, output and error; a waiting child takes
them, moves into the folder and runs ``child.main``; a new spare is forked after the answer.

Each game's exit status goes back to the server on the same socket (``{"exit": pid, "code": n}``).

Lifetime: this process and every game it forked ask Linux for SIGTERM when their parent ends
(PR_SET_PDEATHSIG), so a class server killed with SIGKILL leaves no game behind: each game gets SIGTERM,
leaves the way Textual leaves on SIGTERM, and writes its autosave on the way out. It also ends when the
server's end of the socket closes.

Everything a game reads from its session's environment must be read in ``child.main`` (after the fork),
never when a module is imported: the imports were done here, once, for every session.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys

MAX_REQUEST = 256 * 1024
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None) -> None:
    """SIGTERM to this process when its parent ends (Linux); when the parent has already gone, leave."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if parent is not None and os.getppid() != parent:
        os._exit(0)


def warm(story_dir: str | None, assignment_path: str | None) -> None:
    """Everything a game needs before its first frame, done once: the imports and the story."""
    import textual.app  # noqa: F401
    import textual.drivers.web_driver  # noqa: F401
    import textual.scrollbar  # noqa: F401  (the rehearsal draws no scroll bar; a game in a browser does)

    from ..play import language  # noqa: F401  (a game's story_in; the rehearsal is handed the story)
    from ..tui import app  # noqa: F401
    from . import child, driver  # noqa: F401

    child.preload(story_dir, assignment_path)
    share_parsed_styles()
    rehearse(child._kept("story", story_dir))


_filler: list = []  # kept for the fork server's life: see fill_free_blocks


def fill_free_blocks() -> int:
    """Take every free block of Python's small-object allocator, so that a game's own objects go into
    pages of their own. Why: the rehearsal's garbage leaves free blocks scattered over thousands of the
    fork server's pages; a game forked after it would put each new object into one of those holes and
    copy the whole 4 KiB page for it (copy-on-write), a page per small object. Returns the blocks taken."""
    import tempfile

    if not hasattr(sys, "_debugmallocstats"):
        return 0
    with tempfile.TemporaryFile() as out:
        saved = os.dup(2)
        try:
            sys.stderr.flush()
            os.dup2(out.fileno(), 2)
            sys._debugmallocstats()  # the allocator's table, written to the C stderr
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        table = out.read().decode("ascii", "replace")
    taken = 0
    for line in table.splitlines():
        cells = line.split()
        if len(cells) != 5 or not all(c.isdigit() for c in cells):
            continue
        size, free = int(cells[1]), int(cells[4])
        _filler.extend(_block(size, n) for n in range(free))
        taken += free
    return taken


def trim_c_heap() -> None:
    """Give the C allocator's free pages back to the system (glibc's malloc_trim): what the rehearsal
    freed is then not part of the image every game is forked from (the fork server's 41 MB RSS becomes
    39; each page of it is counted in the class's memory, shared out among the games)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _block(size: int, n: int) -> object:
    """A new object that takes one block of the allocator's ``size`` class."""
    if size <= 16:
        return object()
    if size <= 32:
        return float(n)  # 24 bytes
    return bytes(size - sys.getsizeof(b""))  # the largest bytes object of that class (never a shared one)


def share_parsed_styles() -> None:
    """Textual parses an app's CSS (its own and every widget's defaults) again for each app: its cache
    belongs to one style sheet. Kept here for the process, the rules parsed in the rehearsal are shared
    by every game forked after it (the same CSS with the same theme variables gives the same rules)."""
    from textual.css.stylesheet import Stylesheet

    parse = getattr(Stylesheet, "_parse_rules", None)
    if parse is None or getattr(parse, "shared", False):  # another Textual, or done already
        return
    kept: dict[tuple, list] = {}

    def _parse_rules(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        variables = getattr(self, "_variables", None)
        if not isinstance(variables, dict):  # not the Textual this was written for: no sharing
            return parse(self, *args, **kwargs)
        key = (args, tuple(sorted(kwargs.items())), tuple(sorted(variables.items())))
        rules = kept.get(key)
        if rules is None:
            rules = parse(self, *args, **kwargs)
            if len(kept) < 1024:
                kept[key] = rules
        return rules

    _parse_rules.shared = True  # type: ignore[attr-defined]
    Stylesheet._parse_rules = _parse_rules  # type: ignore[method-assign]


def rehearse(story, runs: int = 2) -> None:
    """Start the game to its title a few times, headless, in a folder thrown away after: what Textual and
    Rich compute once and keep (parsed styles, colours, cell widths, the modules imported on first use)
    is then computed here, once, instead of in every game (a game starts in about half the time)."""
    import asyncio
    import tempfile

    from ..play.session import Session
    from .child import _app_class

    app_class = _app_class()

    async def once(folder: str) -> None:
        app = app_class(Session(None, folder), load_story=lambda: story)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(100):  # until the title shows the story (read in a worker)
                await pilot.pause()
                if app.session.story is not None and not app.typeahead.blocked:
                    break

    with tempfile.TemporaryDirectory(prefix="pizzaborg-rehearsal-") as folder:
        for _ in range(runs):
            asyncio.run(once(folder))


class ForkServer:
    def __init__(self, control: socket.socket, spares: int, env: dict[str, str]):
        self.control = control
        self.wanted = spares
        self.env = env
        self.spares: list[tuple[int, socket.socket]] = []
        self.pid = os.getpid()
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None

    def listen_for_children(self) -> None:
        """SIGCHLD wakes ``serve`` through a socket the C-level handler writes to (``set_wakeup_fd``).

        Why not reap in a Python signal handler: Python runs it between two bytecodes, so a SIGCHLD that
        lands after the interpreter's last check and before ``recvmsg`` blocks waits for the next request
        (about one game in 300 that ended at once was never reported). The byte on the socket is not lost:
        ``serve`` polls it with the control socket."""
        self._wake_r, self._wake_w = socket.socketpair()
        for s in (self._wake_r, self._wake_w):
            s.setblocking(False)
        signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # a handler, so that the byte is written

    def reap(self) -> None:
        """Each game that ended is reaped here and its exit status sent to the server (2: the game could
        not start), which sees the end itself through a pidfd but cannot read a grandchild's status."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            try:
                self.control.send(json.dumps({"exit": pid, "code": os.waitstatus_to_exitcode(status)}).encode())
            except OSError:
                pass

    def fill(self) -> None:
        while len(self.spares) < self.wanted:
            self.spares.append(self._fork())

    def _fork(self) -> tuple[int, socket.socket]:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:  # the game process: nothing of the fork server's sockets stays open in it
            code = 1
            try:
                mine.close()
                self.control.close()
                for _, s in self.spares:
                    s.close()
                signal.set_wakeup_fd(-1)
                for w in (self._wake_r, self._wake_w):
                    if w is not None:
                        w.close()
                code = become_game(theirs, self.pid, self.env)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException as exc:  # one line for the server's log, never a traceback on the page
                print(f"pizzaborg: game process: {type(exc).__name__}: {exc}", file=sys.stderr)
            finally:
                os._exit(code)
        theirs.close()
        return pid, mine

    def serve(self) -> None:
        """Answer requests until the server's end of the socket closes; report each game that ends."""
        if self._wake_r is None:
            self.listen_for_children()
        try:
            self._serve()
        finally:  # no SIGCHLD may write to the socket once it is closed (at the interpreter's exit)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.set_wakeup_fd(-1)

    def _serve(self) -> None:
        assert self._wake_r is not None
        poller = select.poll()
        poller.register(self.control, select.POLLIN)
        poller.register(self._wake_r, select.POLLIN)
        while True:
            self.reap()  # before waiting: a child may have ended before its SIGCHLD woke anything
            ready = {fd for fd, _ in poller.poll()}
            if self._wake_r.fileno() in ready:
                try:
                    while self._wake_r.recv(512):
                        pass
                except OSError:  # drained
                    pass
            if self.control.fileno() not in ready:
                continue
            try:
                msg, fds, _, _ = socket.recv_fds(self.control, MAX_REQUEST, 3)
            except OSError:
                return
            if not msg:
                return
            try:
                request = json.loads(msg)
                rid = request.get("id")
            except (ValueError, AttributeError):
                rid = None
            pid = 0
            if rid is not None and len(fds) == 3:
                pid = self._hand_out(msg, fds)
            for fd in fds:
                os.close(fd)
            self.control.send(json.dumps({"id": rid, "pid": pid}).encode())
            self.fill()  # the next spare is forked once the learner has theirs

    def _hand_out(self, msg: bytes, fds: list[int]) -> int:
        while True:
            pid, sock = self.spares.pop(0) if self.spares else self._fork()
            try:
                socket.send_fds(sock, [msg], fds)
                return pid
            except OSError:  # that spare is gone (killed): the next one
                continue
            finally:
                sock.close()


def become_game(sock: socket.socket, parent: int, base_env: dict[str, str]) -> int:
    """A spare: wait for a session, take its pipes, folder and environment, and run the game."""
    die_with_parent(parent)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    msg, fds, _, _ = socket.recv_fds(sock, MAX_REQUEST, 3)
    sock.close()
    if not msg or len(fds) != 3:
        return 0
    request = json.loads(msg)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(base_env)
    os.environ.update({str(k): str(v) for k, v in request.get("env", {}).items()})
    from .child import main

    return main()


def main(argv: list[str]) -> int:
    fd, spares, parent = int(argv[0]), int(argv[1]), int(argv[2])
    # Ctrl+C in the trainer's terminal reaches the whole process group: the server stops the games and
    # then this process (its socket closes); the spares and the games inherit this, and each game's
    # Textual driver sets its own handler when it starts
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    control = socket.socket(fileno=fd)
    env = dict(os.environ)
    try:
        warm(env.get("PIZZABORG_WEB_STORY") or None, env.get("PIZZABORG_WEB_ASSIGNMENT") or None)
    except Exception as exc:  # the server falls back to starting each game itself, and says why
        control.send(json.dumps({"ready": False, "error": f"{type(exc).__name__}: {exc}"}).encode())
        return 1
    import gc

    gc.collect()
    fill_free_blocks()
    trim_c_heap()
    gc.freeze()  # the imported objects are never scanned again: their pages stay shared after each fork
    server = ForkServer(control, spares, env)
    server.listen_for_children()
    server.fill()
    control.send(json.dumps({"ready": True}).encode())
    server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
