"""The learner's screens at 80×24, the advertised minimum, as a newcomer meets them: the intro dialog
whole with its button, a scene that is more than a few lines, the highlighted choice in view, KPI
labels and the assimilation meter uncut, the portfolio checklist, and the month-start change in the
month's intro, its first scene and the history."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from pizzaborg.engine import load_story
from pizzaborg.tui.widgets.checklist import Checklist
from pizzaborg.tui.widgets.kpi import KpiRow

from .conftest import TESTS, copy_mini
from .helpers import choose, new_game, number_of, play_on_to, screen_name, shows, title_ready

pytestmark = pytest.mark.asyncio
SIZE = (80, 24)
MECH_DIR = TESTS / "fixtures" / "mech"
LONG_INTRO = "\n\n".join(
    f"Paragraph {n}: the chain, its stores, its drivers and its IT, told at some length so that the "
    "prologue is longer than a 24-row terminal holds and has to scroll."
    for n in range(1, 9)
)


@pytest.fixture(scope="module")
def mech():
    return load_story(MECH_DIR)


def inside(inner, outer) -> bool:
    return outer.x <= inner.x and outer.y <= inner.y and inner.right <= outer.right and inner.bottom <= outer.bottom


async def test_the_intro_dialog_fits_and_scrolls_without_tab(make_app, tmp_path):
    root = copy_mini(tmp_path)
    story = (root / "story.yaml").read_text(encoding="utf-8")
    (root / "story.yaml").write_text(
        story.replace("intro: You run the IT of a small bakery.", "intro: |\n  " + LONG_INTRO.replace("\n", "\n  ")),
        encoding="utf-8",
    )
    app = make_app(story=load_story(root))
    async with app.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        await pilot.press("n", "enter")
        await pilot.pause()
        assert screen_name(app) == "IntroScreen"
        button = app.screen.query_one(Button)
        assert "Begin (Enter)" in str(button.label)
        assert inside(button.region, app.screen.region)  # the button is on the screen, whole
        body = app.screen.query_one(".dialog-body")
        assert body.max_scroll_y > 0  # the text is longer than the dialog: it scrolls
        await pilot.press("pagedown")  # no Tab first
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"


async def test_the_scene_has_room_and_the_fourth_choice_stays_in_view(make_app, mech):
    app = make_app(story=mech, seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, seed="1")
        await choose(pilot, number_of(app, "rush"))
        await pilot.press(number_of(app, "tidy"), "c")
        await pilot.pause()
        await play_on_to(pilot, "m2.peak")
        assert len(app.session.game.scene.choices) == 4
        scene = app.screen.query_one("#scene-scroll")
        assert scene.content_region.height >= 9  # was 6 at 80x24: the choices took 65 % of the column
        choices = app.screen.query_one("#choices")
        for _ in range(3):
            await pilot.press("down")
        await pilot.pause()
        await pilot.pause()
        lit = choices.query(".-highlighted").first()
        assert choices.highlighted == 3
        assert inside(lit.region, choices.content_region)


async def test_kpi_names_changes_and_the_meter_are_not_cut(make_app, mech):
    app = make_app(story=mech, seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, seed="1")
        await pilot.press(number_of(app, "rush"))
        await pilot.pause()
        for row in app.screen.query(KpiRow):
            kpi, _, delta = row._shown
            text = str(row.content)
            assert kpi.name in text
            if delta:
                assert f"{delta:+g}" in text
            assert all(len(line) <= row.content_size.width for line in text.splitlines())
        meter = app.screen.query_one("#dash-assimilation")
        assert all(len(line) <= meter.content_size.width for line in str(meter.content).splitlines())
        assert str(meter.content).endswith(" %")


async def test_kpi_row_puts_a_change_that_does_not_fit_after_the_value():
    class K:
        id, name, unit, start, min, max = "s", "Service stability", "%", 70, 0, 100
        higher_is, description = "better", ""

    from unittest.mock import PropertyMock, patch

    row = KpiRow()
    with patch.object(KpiRow, "content_size", new_callable=PropertyMock) as size:
        size.return_value.width = 21
        row.show(K, [70, 70.8], 0.8)
    first, second = str(row.content).splitlines()
    assert first == "Service stability" and second.startswith("70.8 % +0.8")
    assert len(second) <= 21


async def test_the_portfolio_checklist_ticks_by_number_and_says_so(make_app, mech, tmp_path):
    app = make_app(story=mech, seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, seed="1")
        await choose(pilot, number_of(app, "team"))
        tidy, crm, app_n = number_of(app, "tidy"), number_of(app, "crm"), number_of(app, "app")
        await pilot.press(tidy)
        await pilot.pause()
        assert screen_name(app) == "PortfolioScreen"
        sl = app.screen.query_one(Checklist)
        assert sl.selected == ["tidy"]
        prompts = {sl.get_option_at_index(i).id: str(sl.get_option_at_index(i).prompt) for i in range(sl.option_count)}
        assert prompts["tidy"].startswith("[x] ") and prompts["crm"].startswith("[ ] ")
        assert prompts["crm"].endswith("(2 team weeks)")
        await pilot.press(crm)  # a number key inside the checklist ticks that choice
        await pilot.pause()
        assert sl.selected == ["crm", "tidy"] or sl.selected == ["tidy", "crm"]
        assert str(sl.get_option_at_index(int(crm) - 1).prompt).startswith("[x] ")
        await pilot.press(app_n)  # not available: said, and nothing ticked
        await pilot.pause()
        assert "not available" in shows(app, "#portfolio-status") and "app" not in sl.selected
        await pilot.press(tidy)  # again: unticked
        await pilot.pause()
        assert sl.selected == ["crm"] and str(sl.get_option_at_index(int(tidy) - 1).prompt).startswith("[ ] ")
        for widget in (app.screen.query_one("#portfolio-ok"), app.screen.query_one(".dialog-hint")):
            assert inside(widget.region, app.screen.region)
        await pilot.press("c")
        await pilot.pause()
        assert app.session.game.decisions[-1].choice == "crm"


async def test_a_long_option_wraps_whole_in_the_checklist(make_app, tmp_path):
    import shutil

    root = tmp_path / "mech-long"
    shutil.copytree(MECH_DIR, root)
    rounds = root / "rounds" / "01.yaml"
    long = (
        "The loyalty scheme, with a card for every regular, points on every pizza, a monthly newsletter and "
        "a birthday voucher that the stores hand out at the counter."
    )
    rounds.write_text(rounds.read_text(encoding="utf-8").replace("The loyalty scheme.", f"'{long}'"), encoding="utf-8")
    story = load_story(root)
    app = make_app(story=story, seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, seed="1")
        await choose(pilot, number_of(app, "team"))
        await pilot.press(number_of(app, "crm"))
        await pilot.pause()
        sl = app.screen.query_one(Checklist)
        assert sl.virtual_size.height > sl.option_count  # the long option takes more than one line
        assert sl.virtual_size.height <= sl.content_region.height  # and all of them are on the screen
        assert str(sl.get_option_at_index(int(number_of(app, "crm")) - 1).prompt).endswith("(2 team weeks)")


async def test_the_month_start_change_is_in_the_intro_the_scene_and_the_history(make_app, mech):
    app = make_app(story=mech, seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, seed="1")
        await choose(pilot, number_of(app, "rush"))
        await pilot.press(number_of(app, "tidy"), "c")
        await pilot.pause()
        await play_on_to(pilot, "m2.peak", "IntroScreen")
        change = "As the month begins: Trust up 1, now 50; Revenue down 60, now 470 k€."
        assert change in shows(app, "#intro-text")
        assert not any("As the month begins" in str(n.message) for n in app._notifications)  # no notice over it
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "GameScreen" and shows(app, "#month-start") == change
        await pilot.press("h")
        await pilot.pause()
        history = shows(app, "#history-list")
        assert history.endswith("Month two\n     As the month began: [Trust +1, Revenue -60]")
        await pilot.press("escape")
        await pilot.press(number_of(app, "steady"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # past the reflection
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        if screen_name(app) == "HistoryScreen":
            assert "Month two\n     As the month began: [Trust +1, Revenue -60]\n  4. " in shows(app, "#history-list")
