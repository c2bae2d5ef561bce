"""A class server whose disk fills during play, for real (issue 22 §4): the server's data folder is a
small tmpfs of its own, filled by the test while a game is running.

The tmpfs is mounted in a mount namespace of the server's own (``unshare``; as a normal user in a user
namespace, ``--map-root-user``), so no root is needed where user namespaces are allowed, and nothing is
left mounted when a test dies. The test reaches the folder the server sees through ``/proc/<pid>/root``.
Where neither works the tests skip, and CI requires them: they are the ``mount`` tier
(``PIZZABORG_REQUIRE_TIERS`` in ``.ci/run``).

Expected: the learner is told in one line that a save failed and that the previous one is unchanged;
the failed save does not touch the previous one; when the game ends the page says what is saved (not
"It is saved on the class server"); the game's seat is free once its process has ended; the trainer's
terminal gets one line, never a traceback; a learner arriving while the disk is full gets a page that
says the game could not start; once there is room again the game continues from the last good save.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import MINI_DIR
from web_helpers import SCRIPT, ServerProcess

pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
aiohttp = pytest.importorskip("aiohttp", reason="the web extra is not installed: pip install -e '.[web]'")
from test_web_pool import ANSI, Page  # noqa: E402  (after the skips: it needs aiohttp)

mounted = [pytest.mark.slow, pytest.mark.tier("mount")]

SIZE = "1m"  # the data folder's filesystem: room for the sessions table and a few saves


def _unshare_prefix() -> list[str] | None:
    """The command prefix that runs a program in a mount namespace of its own with a tmpfs mounted on
    its first argument, or None when this machine allows neither way."""
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return None
    mount = 'mount -t tmpfs -o size="$1" tmpfs "$2" && shift 2 && exec "$@"'
    ways = [[unshare, "--user", "--map-root-user", "--mount", "--propagation", "private"]]
    if os.geteuid() == 0:
        ways.append([unshare, "--mount", "--propagation", "private"])
    with tempfile.TemporaryDirectory() as probe:
        for way in ways:
            cmd = [*way, "sh", "-c", mount, "sh", "64k", probe, "true"]
            if subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0:
                return [*way, "sh", "-c", mount, "sh", SIZE]
    return None


PREFIX = _unshare_prefix()
needs_mount = pytest.mark.skipif(
    PREFIX is None,
    reason="a small filesystem of its own needs unshare and user namespaces (or root): the mount tier",
)


def on_small_disk(test):
    """A test of a server on a small filesystem: slow, the mount tier, skipped (or failed, in CI) without it."""
    for mark in (*mounted, needs_mount):
        test = mark(test)
    return test


class SmallDiskServer(ServerProcess):
    """``pizzaborg serve`` whose ``data`` folder (under ``cwd``) is a tmpfs of ``SIZE`` only it sees."""

    def _start(self, argv: list, cwd: Path) -> None:
        import queue
        import threading

        cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pizzaborg"]
        if "--port" not in argv:
            argv += ["--port", str(self.port)]
        data = cwd / "data"
        data.mkdir(exist_ok=True)
        assert PREFIX is not None
        self.proc = subprocess.Popen(
            [*PREFIX, str(data), *cmd, "serve", *argv],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list = []
        self._q: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def seen(self, path: Path) -> Path:
        """``path`` as the server sees it (in its mount namespace)."""
        return Path(f"/proc/{self.proc.pid}/root") / path.resolve().relative_to("/")


def fill(folder: Path) -> Path:
    """Write a file in ``folder`` until its filesystem has no room left; returns it."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        for size in (64 * 1024, 4096, 512, 1):
            try:
                while True:
                    fh.write(b"x" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    return filler


def wait_until(predicate, timeout: float = 30.0, what: str = "") -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.02)


def everything_printed(srv: ServerProcess) -> list[str]:
    while (line := srv._q.get(timeout=30)) is not None:
        srv.lines.append(line)
    return srv.lines


def client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def closed(page: Page, timeout: float = 30.0) -> None:
    """Wait for the server to close the page's websocket (what the game drew meanwhile is kept)."""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            plain = ANSI.sub(b"", page.seen).decode("utf-8", "replace")
            raise AssertionError(f"the websocket was not closed within {timeout} s:\n{plain[-1500:]}")
        msg = await page.ws.receive(timeout=left)
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            return
        if msg.type == aiohttp.WSMsgType.BINARY:
            page.seen += msg.data


async def next_scene(page: Page) -> None:
    """From the feedback of the mini story's first decision to the next scene (its news), drawn: a key
    pressed before it shows could go to the feedback."""
    page.seen = b""
    await page.keys("\r")
    await page.wait_for("News")
    page.seen = b""


async def status(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url + "/status") as r:
        return (await r.json())["message"]


@on_small_disk
@pytest.mark.parametrize("pool", ["0", "1"])
def test_a_disk_that_fills_during_play_is_told_truly_and_frees_the_seat(tmp_path, pool):
    args = ("--story", str(MINI_DIR), "--data-dir", "data", "--max-sessions", "1", "--pool", pool)
    with SmallDiskServer(*args, cwd=tmp_path) as srv:
        data = srv.seen(tmp_path / "data")

        async def check() -> None:
            async with client() as http:
                page = await Page(http, srv.url).open()
                await page.start_game()
                await page.keys("1")
                await page.wait_for("The Collective")
                (folder,) = [p for p in (data / "sessions").iterdir() if p.is_dir()]
                autosave = folder / "autosave.json"
                wait_until(autosave.exists, what="the first autosave")
                good = autosave.read_bytes()
                assert json.loads(good)["decisions"]

                filler = fill(data)  # the disk fills while the game runs
                await next_scene(page)
                await page.keys("1")  # the next decision: its autosave finds no room
                await page.wait_for("Autosave failed", "No space left on device", "previous save is unchanged")
                assert autosave.read_bytes() == good  # the failed save did not touch the last good one
                assert sorted(p.name for p in folder.iterdir()) == ["autosave.json"]  # no temporary file left

                page.seen = b""
                await page.keys("q")  # the learner quits: the game's last save fails again
                await page.wait_for("Quit PizzaBorg?", "Autosave failed")
                await page.keys("y")
                await closed(page)
                message = await status(http, srv.url)
                assert "saved on the class server" not in message
                assert message.startswith("The game has ended, but the class server could not save your last moves")
                assert "Your game is saved as it was 1 minute ago" in message

                async with client() as other:  # the seat is free (--max-sessions 1): its process has ended
                    late = await Page(other, srv.url).open()  # a learner arriving while the disk is full
                    await closed(late)
                    message = await status(other, srv.url)
                    assert message.startswith("The game could not start on the class server: its files cannot")
                    assert "No space left on device" in message
                async with client() as other, other.get(srv.url + "/") as r:
                    assert r.status == 200  # and the newcomer took no seat

                filler.unlink()  # room again: the game goes on from its last good save
                page = await Page(http, srv.url).open()
                await page.wait_for("Continue")
                await page.keys("c")
                await page.wait_for("Ada", "Month 1")
                await page.ws.close()

        asyncio.run(check())
    printed = everything_printed(srv)
    assert sum("No space left on device" in line for line in printed) == 2, printed  # the game's, the newcomer's
    assert not any("Traceback" in line for line in printed), printed


@on_small_disk
def test_a_game_on_a_full_disk_that_saved_nothing_says_nothing_is_saved(tmp_path):
    args = ("--story", str(MINI_DIR), "--data-dir", "data", "--pool", "1")
    with SmallDiskServer(*args, cwd=tmp_path) as srv:
        data = srv.seen(tmp_path / "data")

        async def check() -> None:
            async with client() as http:
                page = await Page(http, srv.url).open()
                await page.start_game()
                fill(data)  # full before the first decision: no autosave was ever written
                await page.keys("1")
                await page.wait_for("Autosave failed")
                await page.keys("q")
                await page.wait_for("Quit PizzaBorg?")
                await page.keys("y")
                await closed(page)
                message = await status(http, srv.url)
                assert message == (
                    "The game has ended, but the class server could not save it (its disk is full or cannot be "
                    "written): nothing of this game is saved. Tell your trainer."
                )

        asyncio.run(check())
    assert not any("Traceback" in line for line in everything_printed(srv))


@on_small_disk
def test_an_idle_game_closed_on_a_full_disk_does_not_say_it_is_saved(tmp_path):
    args = ("--story", str(MINI_DIR), "--data-dir", "data", "--pool", "1", "--idle-minutes", "0.25")
    with SmallDiskServer(*args, cwd=tmp_path) as srv:
        data = srv.seen(tmp_path / "data")

        async def check() -> None:
            async with client() as http:
                page = await Page(http, srv.url).open()
                await page.start_game()
                await page.keys("1")
                await page.wait_for("The Collective")
                (folder,) = [p for p in (data / "sessions").iterdir() if p.is_dir()]
                wait_until(lambda: decisions(folder / "autosave.json") == 1, what="the first autosave")
                fill(data)
                await next_scene(page)
                await page.keys("1")
                await page.wait_for("Autosave failed")
                await closed(page, timeout=60)  # nobody types: the server closes the game after 15 s
                message = await status(http, srv.url)
                assert "It is saved" not in message
                assert message.startswith("The game has ended, but the class server could not save your last moves")
                assert decisions(folder / "autosave.json") == 1  # the last good save, whole

        asyncio.run(check())
    assert not any("Traceback" in line for line in everything_printed(srv))


# ---- the quota per session (web/quota.py): bytes as well as files, told in the learner's language ------------
def _session(folder: Path, quota):
    from pizzaborg.engine import load_story
    from pizzaborg.play.session import Session

    return Session(load_story(str(MINI_DIR)), folder, seed=3, room=quota.room)


def _kept_games(session, folder: Path, games: int) -> None:
    """``games`` games of one decision each: every new game keeps the last one's autosave as autosave-…"""
    for n in range(games):
        session.new_game()
        session.choose(1)
        old = folder / "autosave.json"
        os.utime(old, (old.stat().st_mtime - 100 * (games - n), old.stat().st_mtime - 100 * (games - n)))


def _used(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir())


def test_the_quota_in_bytes_holds_for_named_saves_and_kept_autosaves(tmp_path):
    from pizzaborg.engine.saves import SaveError
    from pizzaborg.web.quota import Quota

    probe = _session(tmp_path / "probe", Quota())
    probe.new_game()
    probe.choose(1)
    size = (tmp_path / "probe" / "autosave.json").stat().st_size
    quota = Quota(max_bytes=int(size * 4.5), max_files=1000)  # room for four saves, not five

    folder = tmp_path / "kept"
    session = _session(folder, quota)
    _kept_games(session, folder, 8)  # eight games: seven kept autosaves would take twice the room
    assert _used(folder) <= quota.max_bytes and (folder / "autosave.json").exists()
    assert any("oldest kept autosave" in note for note in session.notes)

    folder = tmp_path / "named"
    session = _session(folder, quota)
    session.new_game()
    session.choose(1)
    with pytest.raises(SaveError, match="no room for another save in this session"):
        for n in range(8):
            session.save(f"mine{n}")
    assert _used(folder) <= quota.max_bytes
    session.choose(1)  # the autosave is still written over itself
    assert _used(folder) <= quota.max_bytes + 4096


@pytest.mark.parametrize(
    "lang, refused, removed",
    [
        ("nl", "geen ruimte voor nog een opslag in deze sessie", "Je oudste bewaarde automatische opslag"),
        ("fr", "plus de place pour une autre sauvegarde", "Votre plus ancienne autosauvegarde conservée"),
    ],
)
def test_hitting_the_quota_is_told_in_the_learner_s_language(tmp_path, lang, refused, removed):
    from pizzaborg.engine import i18n
    from pizzaborg.engine.saves import SaveError
    from pizzaborg.web.quota import Quota

    i18n.use(lang)  # what the game in a browser session does first (PIZZABORG_LANG)
    session = _session(tmp_path, Quota(max_bytes=10 * 1024 * 1024, max_files=3))
    _kept_games(session, tmp_path, 4)
    assert any(note.startswith(removed) for note in session.notes), session.notes
    with pytest.raises(SaveError, match=refused):
        for n in range(3):
            session.save(f"mine{n}")


def decisions(save: Path) -> int:
    """How many decisions a save holds (0 before it is written)."""
    try:
        return len(json.loads(save.read_text(encoding="utf-8"))["decisions"])
    except FileNotFoundError:
        return 0


# ---- an assignment file removed during class --------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("pool", ["0", "1"])
def test_an_assignment_removed_during_class_lets_running_games_go_on_and_tells_newcomers(tmp_path, run_cli, pool):
    assignment = tmp_path / "class.yaml"
    made = run_cli(
        "assignment", "new", "--story", str(MINI_DIR), "--cohort", "Web class", "--seed", "7", "-o", str(assignment)
    )
    assert made.code == 0, made.err
    args = ("--story", str(MINI_DIR), "--data-dir", "data", "--assignment", str(assignment), "--pool", pool)
    with ServerProcess(*args, "--max-sessions", "2", cwd=tmp_path) as srv:

        async def check() -> None:
            async with client() as http:
                page = await Page(http, srv.url).open()
                await page.start_game()
                assignment.unlink()  # removed while this learner plays
                await page.keys("1")
                await page.wait_for("The Collective")
                await next_scene(page)
                await page.keys("1")  # the game goes on: the assignment was read when it started
                (folder,) = (tmp_path / "data" / "sessions").iterdir()
                wait_until(lambda: decisions(folder / "autosave.json") == 2, what="the second decision autosaved")
                async with client() as other:
                    late = await Page(other, srv.url).open()
                    if pool == "1":  # the fork server read the assignment at the start: the class goes on
                        await late.wait_for("New game")
                        await late.ws.close()
                    else:  # each game reads it as it starts: this one cannot, and says so
                        await closed(late)
                        message = await status(other, srv.url)
                        assert message.startswith("The game could not start on the class server: tell your trainer")
                        assert "saved on the class server" not in message
                await page.ws.close()

        asyncio.run(check())
    printed = everything_printed(srv)
    assert not any("Traceback" in line for line in printed), printed
    assert sum("the game could not start" in line for line in printed) == (1 if pool == "0" else 0), printed


# ---- what a game says on the server's terminal ------------------------------------------------------------
def _told(data: bytes, capsys) -> list[str]:
    from pizzaborg.web.server import _tell_trainer

    async def run() -> None:
        stream = asyncio.StreamReader()
        stream.feed_data(data)
        stream.feed_eof()
        await _tell_trainer(stream)

    asyncio.run(run())
    return capsys.readouterr().out.splitlines()


def test_a_game_s_errors_reach_the_trainer_s_terminal_once_and_a_traceback_as_one_line(capsys):
    assert _told(b"pizzaborg: session ab12: could not save: No space left on device\n", capsys) == [
        "pizzaborg: session ab12: could not save: No space left on device"
    ]
    traceback = b'Traceback (most recent call last):\n  File "x.py", line 1\n    boom()\nOSError: [Errno 28] disk\n'
    assert _told(traceback, capsys) == ["pizzaborg: a game stopped with an error: OSError: [Errno 28] disk"]
    chained = traceback + b"\nDuring handling of the above exception, another exception occurred:\n\n" + traceback
    assert _told(b"pizzaborg: one\n" + chained + b"pizzaborg: two\n", capsys) == [
        "pizzaborg: one",
        "pizzaborg: a game stopped with an error: OSError: [Errno 28] disk",
        "pizzaborg: two",
    ]
    assert _told(b"pizzaborg: \x1b]0;owned\x07 evil\n", capsys) == ["pizzaborg:  evil"]  # no terminal title set
    assert len(_told(b"x\n" * 200_000 + b"y" * 100_000 + b"\n", capsys)) == 20  # read to its end, 20 lines shown


def test_a_session_the_full_disk_kept_out_of_sessions_json_is_written_when_its_game_opens_again(tmp_path, monkeypatch):
    from pizzaborg.engine import files
    from pizzaborg.web.sessions import Sessions

    table = Sessions(tmp_path)
    first = table.adopt(table.new())
    table.keep(first)
    real = files.write_atomic

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    s = table.adopt(table.new())
    monkeypatch.setattr(files, "write_atomic", full)
    with pytest.raises(OSError, match="No space left"):
        table.keep(s)  # the page says the game could not start (tested with a real full disk above)
    monkeypatch.setattr(files, "write_atomic", real)
    table.keep(s)  # room again: the learner reloads and the game opens
    again = Sessions(tmp_path)  # after a restart both resume codes still work
    assert again.find(first.resume).id == first.id and again.find(s.resume).id == s.id


def test_a_hand_in_the_server_cannot_write_gives_the_trainer_one_line(tmp_path, capfd):
    from conftest import until_over

    from pizzaborg.engine import load_story
    from pizzaborg.play.assignment import ReportError
    from pizzaborg.play.session import Session
    from pizzaborg.trainer.assignment import new_assignment
    from pizzaborg.web.child import server_run

    story = load_story(str(MINI_DIR))
    (tmp_path / "hand-ins").write_text("a file where the folder should be: as good as a full disk")
    run = server_run(new_assignment(story, "Web class", seed=7), str(tmp_path / "hand-ins"), "s1", "2026-12-06")
    session = Session(story, tmp_path / "saves", seed=7, run=run)
    session.new_game(learner="Ada")
    for _ in until_over(session.current):
        session.choose(1)
    with pytest.raises(ReportError):
        session.finish_assignment()  # the learner is told (the TUI's words.failed), and so is the trainer
    (line,) = [line for line in capfd.readouterr().err.splitlines() if line]
    assert line.startswith("pizzaborg: session s1: the report could not be handed in:")
