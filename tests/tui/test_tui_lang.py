"""The terminal game's own words in the language in use: the footer's bindings (written at import time),
the command palette's commands (ours and Textual's Theme and Screenshot) and its placeholder, and the
Settings screen that picks the language and keeps it in the player's settings."""

from __future__ import annotations

import pytest
from i18n_pseudo import pseudo_catalogue, use_catalogues_from
from textual.widgets import Static

from pizzaborg import settings
from pizzaborg.engine import i18n

from .helpers import new_game, screen_name, title_ready


@pytest.fixture
def qps(tmp_path, monkeypatch):
    use_catalogues_from(monkeypatch, tmp_path / "locale")
    pseudo_catalogue(tmp_path / "locale")
    for lang in ("sv", "qps"):  # a Swedish catalogue for the Settings test: the pseudo one under its name
        pseudo_catalogue(tmp_path / "locale", lang)
    i18n.use("qps")
    yield
    i18n.use(None)


def footer_words(app) -> list[str]:
    from textual.widgets._footer import FooterKey

    return [k.description for k in app.screen.query(FooterKey)]


@pytest.mark.asyncio
async def test_the_footer_shows_each_binding_in_the_language_in_use(make_app, qps):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await new_game(pilot)
        words = footer_words(app)
        assert words and all(w.startswith("⟦") for w in words), words
    from pizzaborg.tui.screens.game import GameScreen

    assert GameScreen.BINDINGS[9].description == "Undo"  # the class keeps its English: each screen translates


@pytest.mark.asyncio
async def test_english_bindings_are_as_written(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await new_game(pilot)
        assert {"Choose", "Undo", "Save", "Load", "History", "Quit", "Help"} <= set(footer_words(app))


@pytest.mark.asyncio
async def test_the_palette_speaks_the_language_in_use(make_app, qps):
    from textual.command import CommandInput, CommandPalette

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await new_game(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles and all(t.startswith("⟦") for t in titles), titles  # Theme and Screenshot too
        ours = [c for c in app.get_system_commands(app.screen) if not c.title.startswith("⟦Çĥ")]  # not "Choose n"
        assert all(c.help.startswith("⟦") for c in ours), ours  # a choice's help is the story's own text
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert str(app.screen.query_one(CommandInput).placeholder).startswith("⟦")


@pytest.mark.asyncio
async def test_settings_picks_a_language_keeps_it_and_uses_it_at_once(make_app, qps, monkeypatch):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await title_ready(pilot)
        app.action_settings()
        await pilot.pause()
        assert screen_name(app) == "SettingsScreen"
        menu = app.screen.query_one("#settings-language")
        assert menu.highlighted == 0  # the pseudo-locale is not in the list: the first, English
        ids = [o.id for o in menu.options]
        assert ids == ["lang-en", "lang-sv"]  # the catalogues there are (qps aside): English and Swedish
        assert "Svenska" in str(menu.options[1].prompt)
        menu.highlighted = ids.index("lang-sv")
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "TitleScreen"
        assert i18n.current() == "sv"
        assert settings.load().get("language") == "sv"
        await title_ready(pilot)
        assert str(app.screen.query_one("#tagline", Static).visual).startswith("⟦")  # drawn again in Swedish
        app.action_settings()
        await pilot.pause()
        assert app.screen.query_one("#settings-language").highlighted == ids.index("lang-sv")
        await pilot.press("escape")
        await pilot.pause()
        assert i18n.current() == "sv" and screen_name(app) == "TitleScreen"  # Esc changes nothing
