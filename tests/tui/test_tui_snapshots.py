"""Snapshots of the main screens at 80×24 (the advertised minimum) and 100×30 on the fixture story
(fixed seed, fixed clock, no blinking).

Update with ``pytest tests/tui/test_tui_snapshots.py --snapshot-update`` and look at every changed SVG
before committing it.
"""

from __future__ import annotations

import pytest

from pizzaborg.engine import Game
from pizzaborg.engine import saves as S

from .conftest import CLOCK
from .helpers import choose, new_game, title_ready

SIZES = [(80, 24), (100, 30)]
sizes = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


@sizes
def test_title(snap_compare, size, make_app):
    assert snap_compare(make_app(), terminal_size=size, run_before=title_ready)


@sizes
def test_game(snap_compare, size, make_app):
    async def run_before(pilot):
        await new_game(pilot)
        await choose(pilot, "2")
        while pilot.app.session.game.state != "a.bake":  # through the news, to a scene with choices
            await choose(pilot, "1")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@sizes
def test_feedback(snap_compare, size, make_app):
    async def run_before(pilot):
        await new_game(pilot)
        await pilot.press("1")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@sizes
def test_reflection(snap_compare, size, make_app):
    async def run_before(pilot):
        await new_game(pilot)
        for _ in range(3):
            await choose(pilot, "1")
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("enter")  # past the feedback, to the month's reflection
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "ReflectionScreen"

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@sizes
def test_debrief(snap_compare, size, make_app):
    async def run_before(pilot):
        await new_game(pilot)
        for key in "2111111":
            if pilot.app.session.game.over:
                break
            await choose(pilot, key)
        assert type(pilot.app.screen).__name__ == "DebriefScreen"

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@sizes
def test_load(snap_compare, size, make_app, mini_story, saves):
    game = Game(mini_story, 3)
    game.choose_number(2)
    S.save_game(saves, "before the bake", game, learner="Ada", now=CLOCK)
    game.choose_number(1)
    S.save_game(saves, "autosave", game, now="2026-01-03T10:00:00+00:00")
    (saves / "broken.json").write_text("{", encoding="utf-8")

    async def run_before(pilot):
        await title_ready(pilot)
        await pilot.press("l")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_too_small_after_a_dialog(snap_compare, make_app):
    """Once a dialog was open, the too-small screen still hides the squeezed game."""

    async def run_before(pilot):
        await new_game(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "TooSmallScreen"

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
