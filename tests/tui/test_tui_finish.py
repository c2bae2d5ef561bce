"""A finished feel at the advertised minimum of 80x24: the month-end dialog, the header's month, the
pass mark, notices that leave the choices alone, a palette without Textual's Keys panel, the theme
kept between games, and the too-small screen that nothing shows through."""

from __future__ import annotations

import pytest
from conftest import until_over

from .conftest import fixed_clock
from .helpers import choose, in_feedback, new_game, screen_name, shows, title_ready

SMALL = (80, 24)


def inside(widget, size) -> bool:
    r = widget.region
    return r.width > 0 and r.height > 0 and r.x >= 0 and r.y >= 0 and r.right <= size[0] and r.bottom <= size[1]


async def to_month_end(pilot) -> None:
    app = pilot.app
    while screen_name(app) != "ReflectionScreen":
        await pilot.press("enter" if in_feedback(app) else "1")
        await pilot.pause()


@pytest.mark.asyncio
async def test_the_month_end_dialog_fits_80x24_and_scrolls_with_the_arrows(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await new_game(pilot)
        await to_month_end(pilot)
        screen = app.screen
        for selector in ("#rf-question", "#rf-hint"):
            assert inside(screen.query_one(selector), SMALL), selector
        assert "Enter continues" in shows(app, "#rf-hint")
        body = screen.query_one("#rf-body")
        assert app.focused is body  # the arrows work at once, no Tab first
        if body.max_scroll_y:
            await pilot.press("down")
            await pilot.pause()
            assert body.scroll_y > 0
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) != "ReflectionScreen"


@pytest.mark.asyncio
async def test_the_header_keeps_the_month_of_the_feedback_on_screen(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await new_game(pilot, learner="Ada")
        game = app.session.game
        while True:
            await pilot.press("1")
            await pilot.pause()
            if game.decisions and game.decisions[-1].round_id != game.round_id:
                break
            if in_feedback(app):
                await pilot.press("enter")
                await pilot.pause()
        assert in_feedback(app)  # the last feedback of month 1, the game already in month 2
        top = shows(app, "#topbar")
        assert "Round A" in top and "Round B" not in top
        assert "seed 3" in top and "Ada" in top


@pytest.mark.asyncio
async def test_the_too_small_screen_hides_the_game_after_a_dialog_was_open(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await new_game(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert screen_name(app) == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert screen_name(app) == "TooSmallScreen"
        assert app.screen.styles.background.a == 1.0  # opaque: the squeezed game does not show through


@pytest.mark.asyncio
async def test_the_palette_has_no_keys_panel_and_esc_closes_it(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await new_game(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Keys" not in titles and "Maximize" not in titles
        assert titles.count("Quit") == 1 and "Help" in titles
        assert any("theme" in t.lower() for t in titles)  # "Theme" (Textual 8) or "Change theme" (6)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert screen_name(app) == "CommandPalette"
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"


@pytest.mark.asyncio
async def test_a_picked_theme_is_kept_in_the_config_folder_for_next_time(make_app, tmp_path, monkeypatch):
    from pizzaborg import settings
    from pizzaborg.tui.app import PizzaBorgApp
    from pizzaborg.tui.launch import starting_theme

    monkeypatch.setenv("PIZZABORG_CONFIG_DIR", str(tmp_path / "cfg"))
    app = PizzaBorgApp(make_app().session, theme=starting_theme(), remember_theme=True)
    async with app.run_test(size=SMALL) as pilot:
        await title_ready(pilot)
        assert app.theme == "borg"
        app.theme = "plain-light"  # what picking it in the palette does
        await pilot.pause()
    assert settings.config_path() == tmp_path / "cfg" / "config.yaml"
    assert settings.load() == {"theme": "plain-light"}
    assert starting_theme() == "plain-light"
    monkeypatch.setenv("PIZZABORG_THEME", "plain-dark")  # the environment still wins
    assert starting_theme() == "plain-dark"


@pytest.mark.asyncio
async def test_a_notice_does_not_cover_the_choices(make_app):
    app = make_app()
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await new_game(pilot)
        await choose(pilot, "1")
        await pilot.press("u")
        for _ in range(100):  # the notice is mounted after the key's frame
            await pilot.pause()
            toasts = [t for t in app.screen.query("Toast") if t.region.height]
            if toasts:
                break
        assert toasts, "no notice after undo"
        choices = app.screen.query_one("#choices").region
        for toast in toasts:
            assert not toast.region.overlaps(choices), (toast.region, choices)


def test_good_news_has_a_colour_of_its_own_in_every_theme():
    from textual.color import Color

    from pizzaborg.tui.themes import THEMES

    for theme in THEMES:
        good, body = Color.parse(theme.success), Color.parse(theme.foreground)
        distance = sum(abs(a - b) for a, b in zip(good.rgb, body.rgb, strict=False))
        assert distance > 120, f"{theme.name}: success {theme.success} looks like the body text {theme.foreground}"


def test_a_trend_is_drawn_on_the_kpis_range_not_its_own():
    from pizzaborg.tui.widgets.sparkline import spark

    small_dip = spark([180, 180, 177], 6, 0, 400)
    assert len(small_dip) == 6 and small_dip.startswith("   ")
    assert len(set(small_dip.strip())) == 1  # 180 -> 177 of 0-400 is no cliff
    assert spark([10, 390], 2, 0, 400) == "▁█"


@pytest.mark.asyncio
async def test_the_pass_mark_in_the_new_game_dialog_and_the_verdict_in_the_debrief(mini_story, saves):
    from pizzaborg.play.session import Session
    from pizzaborg.trainer.assignment import new_assignment
    from pizzaborg.tui.app import PizzaBorgApp

    a = new_assignment(mini_story, "Workshop", seed=42, mastery=0.5)
    app = PizzaBorgApp(Session(mini_story, saves, seed=a.seed, now=fixed_clock, assignment=a))
    async with app.run_test(size=SMALL) as pilot:
        await title_ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert shows(app, "#new-pass-mark") == "To pass, reach a learning score of 50 of 100."
        await pilot.press(*"Ada", "enter")
        await pilot.pause()
        if screen_name(app) == "IntroScreen":
            await pilot.press("enter")
            await pilot.pause()
        for _ in until_over(lambda: app.session.game.over):
            await choose(pilot, "1")
        assert screen_name(app) == "DebriefScreen"
        totals = shows(app, "#debrief-totals")
        assert "Pass mark 50 of 100: " in totals and ("passed." in totals)
        kpis = shows(app, "#debrief-kpis")
        assert "started at 100, now" in kpis  # the whole game's change, not only the last month's
        await pilot.press("e")
        await pilot.pause()
        status = shows(app, "#export-status")
        assert status.startswith("Report written to:\n") and status.split("\n")[1].endswith(".md")


@pytest.mark.asyncio
async def test_the_dashboard_says_first_answers_and_undo_off_is_refused_with_why(mini_story, saves):
    from pizzaborg.play.render import UNDO_OFF
    from pizzaborg.play.session import Session
    from pizzaborg.trainer.assignment import new_assignment
    from pizzaborg.tui.app import PizzaBorgApp

    a = new_assignment(mini_story, "Workshop", seed=42, undo="off")
    app = PizzaBorgApp(Session(mini_story, saves, seed=a.seed, now=fixed_clock, assignment=a))
    async with app.run_test(size=SMALL) as pilot:
        await title_ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Ada", "enter")
        await pilot.pause()
        if screen_name(app) == "IntroScreen":
            await pilot.press("enter")
            await pilot.pause()
        assert shows(app, "#dash-score").startswith("Score (first answers)\n")
        await choose(pilot, "1")
        await pilot.press("u")
        await pilot.pause()
        assert len(app.session.game.decisions) == 1 and not app.session.game.undos
        assert any(n.message == UNDO_OFF for n in app._notifications)


@pytest.mark.asyncio
async def test_the_debrief_shows_the_changed_answers_and_each_points_estimate(mini_story, saves):
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    app = PizzaBorgApp(Session(mini_story, saves, seed=42, now=fixed_clock))
    async with app.run_test(size=SMALL) as pilot:
        await new_game(pilot)
        await choose(pilot, "1")
        await pilot.press("u")
        await pilot.pause()
        for _ in until_over(lambda: app.session.game.over):
            await choose(pilot, "2" if len(app.session.game.scene.choices) > 1 else "1")
        assert screen_name(app) == "DebriefScreen"
        assert shows(app, "#debrief-changed").startswith("You changed ")
        assert "likely between" in shows(app, "#debrief-mastery")


@pytest.mark.asyncio
async def test_undo_off_keeps_the_debrief_open_and_says_why(mini_story, saves):
    from pizzaborg.play.render import UNDO_OFF
    from pizzaborg.play.session import Session
    from pizzaborg.trainer.assignment import new_assignment
    from pizzaborg.tui.app import PizzaBorgApp

    a = new_assignment(mini_story, "Workshop", seed=42, undo="off")
    app = PizzaBorgApp(Session(mini_story, saves, seed=a.seed, now=fixed_clock, assignment=a))
    async with app.run_test(size=SMALL) as pilot:
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
        assert screen_name(app) == "DebriefScreen"
        await pilot.press("u")
        await pilot.pause()
        assert screen_name(app) == "DebriefScreen" and app.session.game.over
        assert any(n.message == UNDO_OFF for n in app._notifications)
