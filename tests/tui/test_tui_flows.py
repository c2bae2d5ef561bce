"""Whole flows through the terminal UI, driven with Textual's Pilot like a player would."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import until_over

from pizzaborg.engine import Game
from pizzaborg.engine import saves as S

from .conftest import CLOCK, copy_mini, write_story
from .helpers import choose, in_feedback, new_game, screen_name, shows, title_ready

pytestmark = pytest.mark.asyncio
SIZE = (100, 30)


def engine_game(story, seed, numbers):
    game = Game(story, seed)
    for n in numbers:
        game.choose_number(n)
    return game


async def test_new_game_to_debrief(make_app, mini_story, saves):
    app = make_app(seed=None)
    async with app.run_test(size=SIZE) as pilot:
        assert screen_name(app) == "TitleScreen"
        assert "A small test story" in shows(app, "#story-title")
        await new_game(pilot, seed="3", learner="Ada")
        # the scene and its numbered choices
        assert "The oven controller needs a patch." in shows(app, "#scene-text")
        choices = app.screen.query_one("#choices")
        assert choices.texts == [
            "1. Assess the impact with the owner first.",
            "2. Push the patch tonight.",
            "3. Wait and see.",
        ]
        assert "Month 1 of 2" in shows(app, "#dash-month")
        assert "Ada" in shows(app, "#topbar") and "seed 3" in shows(app, "#topbar")

        # feedback after the choice, in place of the scene: the Collective, the note, the numbers
        await pilot.press("1")
        await pilot.pause()
        assert in_feedback(app)
        assert not app.screen.query_one("#scene-text").display
        assert "Assess the impact with the owner first." in shows(app, "#fb-choice")
        assert shows(app, "#fb-borg") == "Delay. Irrelevant."
        assert shows(app, "#fb-note") == "Change management, impact first."
        numbers = shows(app, "#fb-numbers")
        assert "Revenue" in numbers and "-5" in numbers and "now 95 k€" in numbers
        assert "Business trust" in numbers and "+10" in numbers and "now 60 %" in numbers
        # the dashboard shows the change of the last decision next to it
        assert "+10" in shows(app, "#kpi-trust") and "60 %" in shows(app, "#kpi-trust")
        # a number key does not skip the feedback; Enter goes on to the next scene
        await pilot.press("2")
        await pilot.pause()
        assert in_feedback(app) and len(app.session.game.decisions) == 1
        await pilot.press("enter")
        await pilot.pause()
        assert not in_feedback(app) and app.screen.query_one("#scene-text").display

        # play on with the first choice each time, up to the end of round A
        expected = engine_game(mini_story, 3, [1])
        while expected.round_number == 1:
            before = expected.round_number
            await pilot.press("1")
            await pilot.pause()
            outcome_round_end = expected.choose_number(1).round_end
            if in_feedback(app):
                await pilot.press("enter")
                await pilot.pause()
            if outcome_round_end is not None:
                assert before == 1
                break
        assert screen_name(app) == "ReflectionScreen"
        assert "End of Round A" in shows(app, ".dialog-title")
        assert shows(app, "#rf-question") == "Reflection: What did you see?"
        board = shows(app, "#rf-scoreboard")
        assert "Business trust" in board and "50 →" in board
        assert "Assess the impact with the owner first." in shows(app, "#rf-decisions")
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"
        assert "Round B" in shows(app, "#topbar")
        assert "Month 2 of 2" in shows(app, "#dash-month")

        # to the end: reflection of round B, then the debrief
        for _ in until_over(lambda: app.session.game.over):
            await choose(pilot, "1")
        assert screen_name(app) == "DebriefScreen"
        game = app.session.game
        assert game.decision_list == expected.decision_list + game.decision_list[len(expected.decision_list) :]
        assert "Ending: " + mini_story.ending(game.ending).title in shows(app, "#ending-title")
        card = shows(app, "#scorecard")
        assert "Change management" in card and "Assess impact" in card and "Go and see" in card
        assert "Month 1" in shows(app, "#helped")

        # export the report to the save folder
        await pilot.press("e")
        await pilot.pause()
        reports = list(Path(saves).glob("report-*.md"))
        assert len(reports) == 1 and reports[0].with_suffix(".html").is_file()
        text = reports[0].read_text(encoding="utf-8")
        assert "| Learner (claimed) | Ada |" in text and "## Ending: " in text and "| Seed | 3 |" in text


async def test_arrows_and_enter_choose_and_so_does_the_mouse(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert in_feedback(app)
        assert "Push the patch tonight." in shows(app, "#fb-choice")
        await pilot.press("enter")
        await pilot.press("u")
        await pilot.pause()
        assert app.session.game.decisions == []
        # the mouse: click the third choice, then "Continue"
        third = list(app.screen.query(".choice"))[2]
        await pilot.click(third)
        await pilot.pause()
        assert in_feedback(app)
        assert "Wait and see." in shows(app, "#fb-choice")
        await pilot.click(list(app.screen.query(".choice"))[0])
        await pilot.pause()
        assert not in_feedback(app)


async def test_a_number_with_no_choice_is_explained(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("7")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"
        assert app.session.game.decisions == []
        assert any("no choice 7" in str(n.message) for n in app._notifications)


async def test_undo_takes_back_and_autosaves(make_app, saves):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await choose(pilot, "2")
        assert len(S.read_save(saves, "autosave").decisions) == 1
        scene_after = shows(app, "#scene-text")
        await pilot.press("u")
        await pilot.pause()
        assert app.session.game.decisions == []
        assert "The oven controller needs a patch." in shows(app, "#scene-text")
        assert scene_after != shows(app, "#scene-text")
        assert S.read_save(saves, "autosave").decisions == []
        await pilot.press("u")
        await pilot.pause()
        assert any("Nothing to undo" in str(n.message) for n in app._notifications)


async def test_save_quit_and_continue(make_app, mini_story, saves):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await choose(pilot, "1")
        await choose(pilot, "1")
        # save in a named slot
        await pilot.press("s")
        await pilot.pause()
        assert screen_name(app) == "SaveScreen"
        box = app.screen.query_one("#save-name")
        box.value = ""
        await pilot.press(*"my game", "enter")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"
        mine = S.read_save(saves, "my game")
        assert len(mine.decisions) == 2 and mine.updated == CLOCK
        decisions = app.session.game.decision_list
        # quit asks first; "n" stays
        await pilot.press("q")
        await pilot.pause()
        assert screen_name(app) == "ConfirmScreen"
        await pilot.press("n")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.saved_to == Path(saves) / "autosave.json"
    assert S.read_save(saves, "autosave").decisions == decisions

    # a new start: Continue on the title screen takes the player back
    app2 = make_app()
    async with app2.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        option = app2.screen.query_one("#title-menu").get_option("continue")
        assert not option.disabled and "month 1" in str(option.prompt)
        await pilot.press("c")
        await pilot.pause()
        assert screen_name(app2) == "GameScreen"
        assert app2.session.game.decision_list == decisions
        assert app2.session.game.state == engine_game(mini_story, 3, [1, 1]).state


async def test_saving_over_another_save_asks_first(make_app, saves):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await choose(pilot, "1")
        app.session.save("other")
        app.session.loaded_from = None
        await choose(pilot, "1")
        await pilot.press("s")
        await pilot.pause()
        box = app.screen.query_one("#save-name")
        box.value = "other"
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "ConfirmScreen"
        await pilot.press("n")  # keep it
        await pilot.pause()
        assert screen_name(app) == "SaveScreen"
        assert len(S.read_save(saves, "other").decisions) == 1
        await pilot.press("enter", "y")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"
        assert len(S.read_save(saves, "other").decisions) == 2


async def test_a_bad_save_name_is_explained(make_app, saves):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#save-name").value = "../evil"
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "SaveScreen"
        assert "not a valid save name" in shows(app, "#save-error")
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"
    assert not Path("evil.json").exists()


async def test_load_lists_a_corrupt_save_as_unreadable(make_app, mini_story, saves):
    Path(saves).mkdir()
    (Path(saves) / "broken.json").write_text("{not json", encoding="utf-8")
    S.save_game(saves, "good", engine_game(mini_story, 3, [2]), now=CLOCK)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert screen_name(app) == "LoadScreen"
        slots = app.screen.query_one("#load-slots")
        prompts = [str(slots.get_option_at_index(i).prompt) for i in range(slots.option_count)]
        assert any(p.startswith("good") and "month 1" in p for p in prompts)
        broken = next(i for i, p in enumerate(prompts) if p.startswith("broken"))
        assert "unreadable" in prompts[broken] and "not valid JSON" in prompts[broken]
        assert slots.get_option_at_index(broken).disabled
        good = next(i for i, p in enumerate(prompts) if p.startswith("good"))
        slots.highlighted = good
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"
        assert app.session.game.decision_list == [{"scene": "a.start", "choice": "push"}]
    assert (Path(saves) / "broken.json").read_text(encoding="utf-8") == "{not json"


async def test_load_option_with_a_corrupt_save_is_one_line(tmp_path, mini_story, capsys):
    from pizzaborg.tui.launch import run_tui

    Path("saves").mkdir()
    Path("saves/bad.json").write_text("[]", encoding="utf-8")
    assert run_tui(lambda: mini_story, Path("saves"), load="bad") == 2
    err = capsys.readouterr().err
    assert err.strip() == "pizzaborg: cannot load: bad.json is not a PizzaBorg save"


async def test_help_shows_keys_and_what_the_numbers_mean(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert screen_name(app) == "HelpScreen"
        keys = shows(app, "#help-keys")
        for key in ("1-9", "u ", "s ", "l ", "h ", "q ", "ctrl+p"):
            assert key in keys
        numbers = shows(app, "#help-numbers")
        assert "Revenue" in numbers and "0–200 k€" in numbers and "Assimilation" in numbers
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"


async def test_history_lists_the_decisions(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await choose(pilot, "2")
        await pilot.press("h")
        await pilot.pause()
        text = shows(app, "#history-list")
        assert "Round A" in text and "Push the patch tonight." in text and "Business trust -15" in text


async def test_a_small_terminal_asks_to_be_enlarged(make_app):
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert screen_name(app) == "TooSmallScreen"
        assert "Please enlarge the terminal" in shows(app, "#too-small-text")
        assert "60×20" in shows(app, "#too-small-text")
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        assert screen_name(app) == "TitleScreen"
        await pilot.resize_terminal(79, 24)
        await pilot.pause(0.1)
        assert screen_name(app) == "TooSmallScreen"


async def test_80_by_24_is_enough_to_play(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await new_game(pilot)
        choices = app.screen.query_one("#choices")
        assert choices.region.height >= 5 and choices.region.bottom <= 23
        assert all(c.region.height >= 1 for c in list(app.screen.query(".choice"))[:3])
        # the narrow dashboard: each KPI on two lines, the assimilation meter on the screen
        assert all(row.region.height == 2 for row in app.screen.query(".kpi"))
        assert app.screen.query_one("#dash-assimilation").region.bottom <= 23
        await choose(pilot, "1")
        assert screen_name(app) == "GameScreen"


async def test_ctrl_c_quits_at_once_with_an_autosave(make_app, saves):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await choose(pilot, "1")
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.saved_to is not None
    assert len(S.read_save(saves, "autosave").decisions) == 1


async def test_command_palette_has_the_game_actions(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for t in ("Choose 1", "Choose 3", "Undo", "Save", "Load", "History", "Help", "Quit"):
            assert t in titles
        await choose(pilot, "1")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"undo")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.session.game.decisions == []


async def test_story_text_is_escaped_unless_the_scene_allows_markup(tmp_path, make_app):
    from pizzaborg.engine import load_story

    root = write_story(
        tmp_path,
        """\
        id: esc
        title: "[b]Bold[/b] title"
        version: "1"
        start: r1.one
        company: { name: Co }
        kpis:
          - { id: trust, name: "Trust [red]x[/red]", min: 0, max: 100, start: 50 }
        learning:
          areas:
            - { id: lp, name: Area, points: [ { id: lp.one, name: Point one } ] }
          worst_practices:
            - { id: W1, name: Worst one }
        endings:
          - { id: ok, title: Ok, text: Ok end. }
        """,
        """\
        round: { id: r1, title: "Round [i]one[/i]" }
        scenes:
          - id: r1.one
            text: "Plain [bold]not bold[/bold] and [link=x]y[/link]"
            choices:
              - { id: a, text: "Pick [u]me[/u]", evidence: { lp.one: 1 }, borg: "[blink]We[/blink]", next: r1.two }
              - { id: b, text: Other, evidence: { lp.one: -1 }, worst: [W1], next: r1.two }
          - id: r1.two
            markup: true
            text: "Now [bold]bold[/bold] is allowed"
            next: end
        """,
    )
    story = load_story(root)
    app = make_app(story=story)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        assert shows(app, "#scene-text") == "Plain [bold]not bold[/bold] and [link=x]y[/link]"
        assert "[i]one[/i]" in shows(app, "#topbar")
        assert "[b]Bold[/b] title" in shows(app, "#topbar")
        choices = app.screen.query_one("#choices")
        assert choices.texts[0] == "1. Pick [u]me[/u]"
        await pilot.press("1")
        await pilot.pause()
        assert shows(app, "#fb-borg") == "[blink]We[/blink]"
        from textual.content import Content

        helps = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "Choose 1" not in helps  # the feedback is on the screen: nothing to choose
        await pilot.press("u")
        await pilot.pause()
        helps = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert Content.from_markup(helps["Choose 1"]).plain == "Pick [u]me[/u]"
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert shows(app, "#scene-text") == "Now bold is allowed"


async def test_no_color_makes_the_screen_monochrome(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        svg = app.export_screenshot()
    assert app.no_color
    assert "#22dd55" not in svg.lower() and "#33ff66" not in svg.lower()


async def test_a_story_edited_since_the_save_loads_with_a_note(tmp_path, make_app, mini_story):
    from pizzaborg.engine import load_story

    S.save_game("saves", "old", engine_game(mini_story, 3, [1, 1]), now=CLOCK)
    root = copy_mini(tmp_path)
    p = root / "rounds" / "01-a.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("Wait and see.", "Wait and watch."), encoding="utf-8")
    app = make_app(story=load_story(root))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "GameScreen"
        assert len(app.session.game.decisions) == 2
        assert any("all 2 decisions replayed" in str(n.message) for n in app._notifications)


async def test_a_broken_story_ends_the_app_with_its_error(saves):
    from pizzaborg.cli import UsageError
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    def broken():
        raise UsageError("the story cannot be played: story.yaml:3:1: something is wrong")

    app = PizzaBorgApp(Session(None, saves), load_story=broken)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if app.startup_error is not None:
                break
            await pilot.pause(0.01)
    assert isinstance(app.startup_error, UsageError) and app.return_code == 2


async def test_a_title_key_pressed_before_the_story_is_read_is_not_lost(mini_story, saves):
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    app = PizzaBorgApp(Session(None, saves, seed=3), load_story=lambda: mini_story)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")  # at once, before the story is read
        for _ in range(100):
            if screen_name(app) == "NewGameScreen":
                break
            await pilot.pause(0.01)
        assert screen_name(app) == "NewGameScreen"
        assert "A small test story" in str(app.screen_stack[-2].query_one("#story-title").content)


async def test_a_month_with_an_intro_opens_with_it(tmp_path, make_app):
    from pizzaborg.engine import load_story

    root = copy_mini(tmp_path)
    p = root / "rounds" / "02-b.yaml"
    text = p.read_text(encoding="utf-8")
    p.write_text(
        text.replace('  title: "Round B"\n', '  title: "Round B"\n  intro: "The [b]shop[/b] reopens."\n'),
        encoding="utf-8",
    )
    app = make_app(story=load_story(root))
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        while app.session.game.round_number == 1:
            await pilot.press("1")
            await pilot.pause()
            if in_feedback(app):
                await pilot.press("enter")
                await pilot.pause()
        assert screen_name(app) == "ReflectionScreen"
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "IntroScreen"
        assert shows(app, "#intro-text") == "The [b]shop[/b] reopens."
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "GameScreen" and "The shop opens." in shows(app, "#scene-text")


@pytest.fixture(scope="module")
def shipped_story():
    from pizzaborg.engine import default_story_dir, load_story

    if not (default_story_dir() / "story.yaml").is_file():
        pytest.skip("the shipped story is not in this checkout")
    return load_story()


@pytest.mark.slow  # the whole shipped story: make test-all / CI
async def test_the_shipped_story_plays_to_the_debrief_at_80_by_24(make_app, shipped_story, saves):
    app = make_app(story=shipped_story, seed=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await new_game(pilot)
        dash = app.screen.query_one("#dashboard")
        assert all(row.region.height == 2 for row in dash.query(".kpi"))
        assert app.screen.query_one("#dash-assimilation").region.bottom <= 23
        months = set()
        n = 0
        for _ in until_over(lambda: app.session.game.over):
            game = app.session.game
            months.add(game.round_number)
            offered = [c for c in game.scene.choices if c.available]  # the team weeks may rule some out
            if game.pick is not None:  # a portfolio: what the checklist hands back when confirmed
                ranked = [game.offered()[c.n - 1] for c in offered]
                ranked = ranked[n % len(ranked) :] + ranked[: n % len(ranked)]
                app.screen._picked(game.portfolio(ranked).split("+"))
                await pilot.pause()
                while in_feedback(app) or screen_name(app) == "ReflectionScreen":
                    await pilot.press("enter")
                    await pilot.pause()
            else:
                await choose(pilot, str(offered[n % len(offered)].n))
            if screen_name(app) == "IntroScreen":
                await pilot.press("enter")
                await pilot.pause()
            n += 1
        assert months == {r.number for r in shipped_story.rounds.values()}
        assert screen_name(app) == "DebriefScreen"
        game = app.session.game
        assert shipped_story.ending(game.ending).title in shows(app, "#ending-title")
        for area in shipped_story.areas.values():
            assert area.name[:40] in shows(app, "#scorecard")
    assert len(S.read_save(saves, "autosave").decisions) == len(game.decisions) == n


@pytest.mark.parametrize("theme", ["borg", "plain-dark", "plain-light"])
async def test_the_three_themes(make_app, theme):
    from pizzaborg.tui.app import PizzaBorgApp

    app = PizzaBorgApp(make_app().session, theme=theme)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        assert app.theme == theme
        background = app.screen.styles.background
        assert (background.brightness > 0.5) == (theme == "plain-light")


async def test_an_unknown_theme_falls_back_to_the_borg_one(make_app):
    from pizzaborg.tui.app import PizzaBorgApp

    app = PizzaBorgApp(make_app().session, theme="no-such-theme")
    async with app.run_test(size=SIZE):
        assert app.theme == "borg"


async def test_from_the_debrief_undo_and_new_game(make_app, saves):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        for _ in until_over(lambda: app.session.game.over):
            await choose(pilot, "1")
        assert screen_name(app) == "DebriefScreen"
        played = len(app.session.game.decisions)
        await pilot.press("u")
        await pilot.pause()
        assert screen_name(app) == "GameScreen" and not app.session.game.over
        assert len(app.session.game.decisions) == played - 1
        assert len(S.read_save(saves, "autosave").decisions) == played - 1
        await choose(pilot, "2")
        assert screen_name(app) == "DebriefScreen"
        await pilot.press("n")
        await pilot.pause()
        await title_ready(pilot)
        assert screen_name(app) == "TitleScreen"
        # "continue" is the newest unfinished autosave (the one rule, plain mode too): a finished game
        # is in the load list, not behind Continue
        option = app.screen.query_one("#title-menu").get_option("continue")
        assert option.disabled  # (its words, "no autosave yet", are left to the title screen's owner)


async def test_loading_during_feedback_shows_the_loaded_game(make_app, mini_story, saves):
    Path(saves).mkdir()
    S.save_game(saves, "fresh", Game(mini_story, 3), now=CLOCK)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert in_feedback(app)
        await pilot.press("l")
        await pilot.pause()
        slots = app.screen.query_one("#load-slots")
        slots.highlighted = next(
            i for i in range(slots.option_count) if str(slots.get_option_at_index(i).prompt).startswith("fresh")
        )
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "GameScreen" and not in_feedback(app)
        assert app.session.game.decisions == []
        assert "The oven controller needs a patch." in shows(app, "#scene-text")


async def test_a_load_option_note_is_shown_when_the_game_opens(tmp_path, make_app, mini_story):
    from pizzaborg.engine import load_story
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    S.save_game("saves", "old", engine_game(mini_story, 3, [1]), now=CLOCK)
    root = copy_mini(tmp_path)
    p = root / "rounds" / "01-a.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("Wait and see.", "Wait and watch."), encoding="utf-8")
    session = Session(load_story(root), "saves")
    session.notes.append(session.load("old"))  # what the launcher does with --load
    app = PizzaBorgApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert screen_name(app) == "GameScreen"
        assert any("decisions replayed" in str(n.message) for n in app._notifications)
