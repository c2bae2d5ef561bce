"""Snapshots of the main screens at 80×24 (the advertised minimum) and 100×30 on the fixture story
(fixed seed, fixed clock, no blinking).

Update with ``pytest tests/tui/test_tui_snapshots.py --snapshot-update`` and look at every changed SVG
before committing it.
"""

from __future__ import annotations

import pytest

from pizzaborg.engine import Game, load_story
from pizzaborg.engine import saves as S

from .conftest import CLOCK, TESTS, copy_mini
from .helpers import choose, new_game, number_of, play_on_to, title_ready

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


# ---- the screens a newcomer meets at 80x24 (issue 20): each looked at before it was accepted ----
MECH_DIR = TESTS / "fixtures" / "mech"
LONG_INTRO = "\n\n".join(
    f"Paragraph {n}: the chain, its stores, its drivers and its IT, told at some length so that the "
    "prologue is longer than a 24-row terminal holds and has to scroll."
    for n in range(1, 9)
)


def _long_intro_story(tmp_path):
    root = copy_mini(tmp_path)
    story = (root / "story.yaml").read_text(encoding="utf-8")
    (root / "story.yaml").write_text(
        story.replace("intro: You run the IT of a small bakery.", "intro: |\n  " + LONG_INTRO.replace("\n", "\n  ")),
        encoding="utf-8",
    )
    return load_story(root)


def test_intro_dialog_80x24(snap_compare, make_app, tmp_path):
    async def run_before(pilot):
        await title_ready(pilot)
        await pilot.press("n", "enter")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "IntroScreen"

    assert snap_compare(make_app(story=_long_intro_story(tmp_path)), terminal_size=(80, 24), run_before=run_before)


async def _mech_rushed(pilot) -> None:
    await new_game(pilot, seed="1")
    await choose(pilot, number_of(pilot.app, "rush"))


def test_four_choice_scene_80x24(snap_compare, make_app):
    async def run_before(pilot):
        await _mech_rushed(pilot)
        await pilot.press(number_of(pilot.app, "tidy"), "c")
        await pilot.pause()
        await play_on_to(pilot, "m2.peak")
        await pilot.press("down", "down", "down")  # the fourth choice, highlighted and in view
        await pilot.pause()

    assert snap_compare(make_app(story=load_story(MECH_DIR), seed=1), terminal_size=(80, 24), run_before=run_before)


def test_portfolio_checklist_80x24(snap_compare, make_app):
    async def run_before(pilot):
        await _mech_rushed(pilot)
        await pilot.press(number_of(pilot.app, "crm"))  # opens the checklist with that choice ticked
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "PortfolioScreen"

    assert snap_compare(make_app(story=load_story(MECH_DIR), seed=1), terminal_size=(80, 24), run_before=run_before)


def test_month_intro_with_its_start_change_80x24(snap_compare, make_app):
    async def run_before(pilot):
        await _mech_rushed(pilot)
        await pilot.press(number_of(pilot.app, "tidy"), "c")
        await pilot.pause()
        await play_on_to(pilot, "m2.peak", "IntroScreen")

    assert snap_compare(make_app(story=load_story(MECH_DIR), seed=1), terminal_size=(80, 24), run_before=run_before)
