"""Learners in the terminal UI: a trainer's assignment (the note, a required learner name, the
assignment's seed, and the report to hand in written when the game ends — the same report
`pizzaborg verify` accepts), learner names that look like markup, shown as typed, and a save folder
that cannot be written: a notice, and the game goes on."""

from __future__ import annotations

import json

import pytest
from conftest import until_over

from pizzaborg.engine import Game
from pizzaborg.engine import saves as S

from .conftest import fixed_clock
from .helpers import choose, screen_name, shows, title_ready

pytestmark = pytest.mark.asyncio
SIZE = (100, 30)


@pytest.fixture
def assignment(mini_story):
    from pizzaborg.trainer.assignment import new_assignment

    return new_assignment(mini_story, "Workshop [May]", seed=42, mastery=0.5, note="Play it before [b]Friday[/b].")


def app_for(mini_story, saves, assignment):
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    return PizzaBorgApp(Session(mini_story, saves, seed=assignment.seed, now=fixed_clock, assignment=assignment))


async def test_an_assignment_asks_a_name_fixes_the_seed_and_writes_the_report(mini_story, saves, assignment):
    app = app_for(mini_story, saves, assignment)
    async with app.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert "Workshop [May]" in shows(app, ".dialog-title")
        assert shows(app, "#new-note") == "From your trainer: Play it before [b]Friday[/b]."
        seed_box = app.screen.query_one("#new-seed")
        assert seed_box.disabled and seed_box.value == "42"
        # no name: the dialog says why and stays
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "NewGameScreen"
        assert "learner name or id is needed" in shows(app, "#new-error")
        await pilot.press(*"Ada")
        await pilot.press("enter")
        await pilot.pause()
        if screen_name(app) == "IntroScreen":
            await pilot.press("enter")
            await pilot.pause()
        assert app.session.game.seed == 42 and app.session.learner == "Ada"
        for _ in until_over(lambda: app.session.game.over):
            await choose(pilot, "1")
        assert screen_name(app) == "DebriefScreen"
        handed = app.session.handed_in
        assert handed is not None and handed.parent == saves / "reports" and handed.suffix == ".json"
        assert str(handed) in shows(app, "#handed-in")
        report = json.loads(handed.read_text(encoding="utf-8"))
        assert report["learner"] == "Ada" and report["seed"] == 42
    # the hand-in verifies against the story
    from pizzaborg.trainer import Verifier

    verdict = Verifier([mini_story], assignment=assignment).verify_file(handed)
    assert verdict.ok, verdict.message


async def test_a_save_of_another_game_is_refused_in_an_assignment(mini_story, saves, assignment):
    other = Game(mini_story, 7)
    other.choose_number(1)
    S.save_game(saves, "other", other)
    app = app_for(mini_story, saves, assignment)
    async with app.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        with pytest.raises(S.SaveError, match="not a game of this assignment"):
            app.session.load("other")
        assert app.session.game is None


async def test_a_learner_name_with_markup_is_shown_as_typed(mini_story, saves):
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    from .helpers import new_game

    app = PizzaBorgApp(Session(mini_story, saves, seed=3, now=fixed_clock))
    name = "[bold]Eve[/] [link=http://x]y[/link]"
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, seed="3", learner=name)
        assert app.session.learner == name
        assert name in shows(app, "#topbar")
        await choose(pilot, "1")
        assert S.read_save(saves, "autosave").learner == name


async def test_an_unwritable_save_folder_is_a_notice_and_the_game_goes_on(mini_story, tmp_path):
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    from .helpers import in_feedback, new_game

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")  # root ignores permission bits: a folder that cannot exist
    app = PizzaBorgApp(Session(mini_story, blocker / "saves", seed=3, now=fixed_clock))
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, seed="3")
        await pilot.press("1")
        await pilot.pause(0.2)
        notices = [str(n.message) for n in app._notifications]
        assert any("Autosave failed" in n for n in notices), notices
        assert in_feedback(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert len(app.session.game.decisions) == 2  # the game went on
    assert blocker.read_text() == "not a folder"


async def test_a_game_launched_from_an_lms_shows_its_learner_and_asks_no_name(mini_story, saves, assignment):
    app = app_for(mini_story, saves, assignment)
    app.session.identity = "Ada Lovelace"  # what web/child.py sets for a cmi5 launch
    async with app.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        box = app.screen.query_one("#new-learner")
        assert box.disabled and box.value == "Ada Lovelace"
        assert "You play as your LMS knows you:" in str(app.screen.query("Label").first().render())
        await pilot.press("enter")  # the Start button has the focus: nothing to type
        await pilot.pause()
        if screen_name(app) == "IntroScreen":
            await pilot.press("enter")
            await pilot.pause()
        assert app.session.learner == "Ada Lovelace" and app.session.game.seed == 42
