"""One concept for the LMS's learner (web/lms.py): a SCORM launch and a cmi5 launch tell the game the same
things, the server's hooks treat them alike, and the game's "handed-in" message reaches the launch (the SCORM
result is woken by it instead of a look at the hand-ins folder every half second)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_cmi5 import au

pytest.importorskip("aiohttp", reason="the web extra is not installed: pip install -e '.[web]'")
pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")

from pizzaborg.web import lms  # noqa: E402 - needs the web extra
from pizzaborg.web.cmi5 import Cmi5Run  # noqa: E402
from pizzaborg.web.scorm import Launch, ScormLaunch  # noqa: E402

KEYS = {"PIZZABORG_WEB_LMS_LEARNER", "PIZZABORG_WEB_LMS_REGISTRATION", "PIZZABORG_WEB_LMS_MODE"}


def _both(tmp_path: Path) -> tuple[ScormLaunch, Cmi5Run]:
    scorm = ScormLaunch.of(Launch("lms-7", "O'Neil, Ada", "http://lms", "scorm2004"), None)
    cmi5 = Cmi5Run(object(), au(), None, tmp_path / "ledger.json")  # type: ignore[arg-type]
    return scorm, cmi5


def test_a_scorm_and_a_cmi5_learner_are_told_to_the_game_alike(tmp_path):
    scorm, cmi5 = _both(tmp_path)
    for run in (scorm, cmi5):
        assert isinstance(run, lms.LmsLaunch) and run.kind in lms.KINDS and run.launched_from == "lms"
        env = run.child_env()
        assert set(env) == KEYS  # no language of its own: the page's
        assert env["PIZZABORG_WEB_LMS_LEARNER"] == run.learner and run.learner
        assert env["PIZZABORG_WEB_LMS_REGISTRATION"] == run.registration and run.registration
        assert env["PIZZABORG_WEB_LMS_MODE"] == "Normal"
    assert (scorm.kind, cmi5.kind) == ("scorm2004", "cmi5")
    assert cmi5.game_started  # the cmi5 AU knows its game started (else it terminates after the idle time)
    cmi5.lang = "fr"
    assert cmi5.child_env()["PIZZABORG_LANG"] == "fr"


def test_the_server_hooks_take_either_kind(tmp_path):
    scorm, cmi5 = _both(tmp_path)

    class Holder:  # a session or a game process, as the server's hooks see them
        def __init__(self, run) -> None:
            self.lms = run

    assert lms.status_extra(Holder(scorm)) == {} and lms.status_extra(Holder(None)) == {}
    assert lms.status_extra(Holder(cmi5)) == {}  # the return URL only once the AU session has terminated
    cmi5.au.initialized(datetime(2026, 11, 28, 10, tzinfo=UTC))
    cmi5.au.terminate()
    assert lms.status_extra(Holder(cmi5)) == {}  # this LMS gave no return URL
    cmi5.return_url = "https://lms.example/back"
    assert lms.status_extra(Holder(cmi5)) == {"returnURL": "https://lms.example/back"}
    asyncio.run(lms.ended(Holder(scorm)))  # nothing to send for SCORM: the page gives the LMS its result
    asyncio.run(lms.ended(Holder(None)))


def test_the_games_handed_in_message_reaches_its_launch_and_nothing_else(tmp_path):
    from pizzaborg.web.server import SessionService

    scorm, _cmi5 = _both(tmp_path)
    passed_on: list[bytes] = []

    async def nothing(*_args) -> None:
        pass

    async def run() -> None:
        service = SessionService({}, tmp_path, write_bytes=nothing, write_str=nothing, close=nothing,
                                 download_manager=None)  # fmt: skip
        service.lms = scorm
        event = scorm.handed_in_event
        waiter = asyncio.create_task(event.wait())
        await service.on_meta(json.dumps({"type": lms.HANDED_IN, "name": "a-b-c.json"}).encode())
        await asyncio.wait_for(waiter, 5)  # woken by the message, not by a timer

        async def other(data: bytes) -> None:
            passed_on.append(data)

        service.lms = None  # a class game: the message is dropped, not passed to textual-serve as unknown
        await service.on_meta(json.dumps({"type": lms.HANDED_IN, "name": "x.json"}).encode())
        from textual_serve.app_service import AppService

        original = AppService.on_meta
        AppService.on_meta = lambda self, data: other(data)  # type: ignore[method-assign]
        try:
            await service.on_meta(b'{"type": "exit"}')
        finally:
            AppService.on_meta = original  # type: ignore[method-assign]

    asyncio.run(run())
    assert passed_on == [b'{"type": "exit"}']  # textual-serve's own messages still reach it


def test_the_game_tells_its_server_once_the_hand_in_is_recorded(tmp_path, monkeypatch, mini):
    from pizzaborg.play.assignment import HandIn
    from pizzaborg.trainer import classrecord
    from pizzaborg.trainer.assignment import new_assignment
    from pizzaborg.web import child, driver

    told: list[dict] = []
    recorded: list[str] = []
    monkeypatch.setattr(driver, "tell_server", told.append)
    monkeypatch.setattr(classrecord, "write_record", lambda path, **kw: recorded.append(path.name))
    run = child.server_run(new_assignment(mini, "Bakery class", seed=7), str(tmp_path), "0123456789ab", "now", "r-1")
    finished = datetime(2026, 11, 28, 10, tzinfo=UTC)
    assert run.record is not None
    run.record(HandIn(tmp_path / "Bakery-class-0123456789ab-1.json", {}, finished), None, "Ada")
    assert recorded == ["Bakery-class-0123456789ab-1.json"]
    assert told == [{"type": lms.HANDED_IN, "name": "Bakery-class-0123456789ab-1.json"}]


def test_tell_server_outside_a_game_process_does_nothing():
    from pizzaborg.web import driver

    assert driver._RUNNING is None
    driver.tell_server({"type": lms.HANDED_IN, "name": "x"})
