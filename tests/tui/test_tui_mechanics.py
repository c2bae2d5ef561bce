"""The trade-off mechanics in the terminal UI (tests/fixtures/mech): capacity in the top bar, unavailable
choices with the reason, the portfolio checklist, the month's reflection and the ending's epilogue."""

from __future__ import annotations

import pytest
from conftest import until_over

from pizzaborg.engine import Game, load_story
from pizzaborg.tui.widgets.checklist import Checklist

from .conftest import TESTS
from .helpers import choose, in_feedback, new_game, screen_name, shows

pytestmark = pytest.mark.asyncio
SIZE = (100, 30)
MECH_DIR = TESTS / "fixtures" / "mech"


@pytest.fixture(scope="module")
def mech():
    return load_story(MECH_DIR)


def number_of(app, choice_id: str) -> str:
    return str(next(c.n for c in app.session.game.scene.choices if c.id == choice_id))


async def tick(pilot, choice_id: str) -> None:
    """Move the checklist's highlight to ``choice_id`` with the arrow keys and tick it with space."""
    sl = pilot.app.screen.query_one(Checklist)
    for _ in range(2 * sl.option_count):
        if sl.highlighted is not None and sl.get_option_at_index(sl.highlighted).id == choice_id:
            await pilot.press("space")
            await pilot.pause()
            return
        await pilot.press("down")
        await pilot.pause()
    raise AssertionError(f"'{choice_id}' cannot be highlighted")


async def test_capacity_unavailable_choices_and_a_portfolio_checklist(make_app, mech):
    app = make_app(story=mech, seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, seed="1")
        assert "Team weeks 8/8" in shows(app, "#topbar")
        await choose(pilot, number_of(app, "team"))
        assert app.session.game.state == "m1.plan"
        assert "Team weeks 2/8" in shows(app, "#topbar")
        lines = {t.split(". ", 1)[1].split("  ")[0]: t for t in app.screen.query_one("#choices").texts}
        assert lines["The delivery app."].endswith(
            "(3 team weeks)  not available: needs 3 team weeks, 2 left this month"
        )
        assert (
            lines["The loyalty scheme."].endswith("(2 team weeks)")
            and "not available" not in lines["The loyalty scheme."]
        )

        # any choice key opens the checklist; an unavailable choice is there but cannot be ticked
        await pilot.press(number_of(app, "app"))
        await pilot.pause()
        assert screen_name(app) == "PortfolioScreen"
        assert "Pick 1 to 2 of these 4 at once." in shows(app, ".dialog-title")
        sl = app.screen.query_one(Checklist)
        disabled = {sl.get_option_at_index(i).id for i in range(sl.option_count) if sl.get_option_at_index(i).disabled}
        assert disabled == {"app", "infra"} and sl.selected == []
        await pilot.press("c")  # nothing ticked: it says so and stays
        await pilot.pause()
        assert screen_name(app) == "PortfolioScreen"
        assert shows(app, "#portfolio-status") == "Tick 1 to 2: 0 ticked."
        await tick(pilot, "crm")
        await tick(pilot, "tidy")
        assert shows(app, "#portfolio-status") == "2 ticked, using 2 team weeks of the 2 left this month."
        await pilot.press("c")
        await pilot.pause()
        assert screen_name(app) == "GameScreen" and in_feedback(app)
        assert app.session.game.decisions[-1].choice == "crm+tidy"
        assert "The loyalty scheme. + Tidy the backlog." in shows(app, "#fb-choice")

        # on through the news to the end of the month: the reflection that matches the month
        await pilot.press("enter")
        await pilot.pause()
        while screen_name(app) == "GameScreen" and app.session.game.state.startswith("ev."):
            await pilot.press("1")
            await pilot.pause()
            if in_feedback(app):
                await pilot.press("enter")
                await pilot.pause()
        assert screen_name(app) == "ReflectionScreen"
        assert "What earned you the trust this month?" in shows(app, "#rf-question")  # trust rose: +2, saturated to +1
        await pilot.press("enter")
        await pilot.pause()
        if screen_name(app) == "IntroScreen":
            await pilot.press("enter")
            await pilot.pause()
        assert app.session.game.state == "m2.peak" and "Team weeks 4/4" in shows(app, "#topbar")
        saved = app.session.game.decision_list
    again = Game.replay(mech, 1, saved)
    assert again.state == "m2.peak"


async def test_esc_leaves_the_checklist_without_deciding(make_app, mech):
    app = make_app(story=mech, seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, seed="1")
        await choose(pilot, number_of(app, "careful"))
        await pilot.press(number_of(app, "crm"))
        await pilot.pause()
        assert screen_name(app) == "PortfolioScreen"
        assert app.screen.query_one(Checklist).selected == ["crm"]  # the key pressed is ticked already
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "GameScreen" and not in_feedback(app)
        assert len(app.session.game.decisions) == 1


async def test_the_debrief_shows_the_epilogue_lines_that_hold(make_app, mech):
    app = make_app(story=mech, seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, seed="1")
        await choose(pilot, number_of(app, "team"))
        await pilot.press(number_of(app, "crm"))
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        for _ in until_over(lambda: app.session.game.over):
            if screen_name(app) == "GameScreen" and not in_feedback(app) and app.session.game.state == "m2.peak":
                await pilot.press(number_of(app, "steady"))
            else:
                await pilot.press("enter" if in_feedback(app) or screen_name(app) != "GameScreen" else "1")
            await pilot.pause()
        assert app.session.game.ending == "good"
        for _ in range(10):
            if screen_name(app) == "DebriefScreen":
                break
            await pilot.press("enter")
            await pilot.pause()
        assert screen_name(app) == "DebriefScreen"
        text = shows(app, "#epilogue")
        assert "The problem team keeps Friday calm." in text and "gamble" not in text
