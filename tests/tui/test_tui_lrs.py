"""An assignment that names an LRS, in the terminal UI: at the end the results go to the LRS in the
background (the game never waits on the network) and the learner gets a notice; offline, they are
kept in the saves folder's outbox and the next start tries again."""

from __future__ import annotations

import socket

import pytest
from conftest import until_over

from .conftest import fixed_clock
from .helpers import choose, screen_name, title_ready

pytestmark = pytest.mark.asyncio
SIZE = (100, 30)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/xAPI/"


def app_for(mini_story, saves, assignment):
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    return PizzaBorgApp(Session(mini_story, saves, seed=assignment.seed, now=fixed_clock, assignment=assignment))


def notices(app) -> list:
    return [n.message for n in app._notifications]


async def test_offline_results_are_kept_and_the_learner_is_told(mini_story, saves):
    from pizzaborg.trainer.assignment import new_assignment

    a = new_assignment(mini_story, "Workshop", seed=42, lrs={"endpoint": closed_port_url(), "key": "k", "secret": "s3"})
    app = app_for(mini_story, saves, a)
    async with app.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Ada", "enter")
        await pilot.pause()
        if screen_name(app) == "IntroScreen":
            await pilot.press("enter")
            await pilot.pause()
        for _ in until_over(lambda: app.session.game.over):
            await choose(pilot, "1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("not sent to your trainer's LRS yet" in m and "cannot reach the LRS" in m for m in notices(app))
    assert len(list((saves / "outbox").glob("*.json"))) == 1

    app = app_for(mini_story, saves, a)  # the next start tries again, and says it is still waiting
    async with app.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("1 earlier result(s) are still waiting" in m for m in notices(app))
