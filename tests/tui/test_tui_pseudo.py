"""The terminal game in the pseudo-locale at 80x24 (issue 21 §4): every word on every screen translated
(no English left) and nothing cut (every label, button and line fits its box; only scrolling parts may
hold more than they show).

The interface's ``qps`` catalogue is made from the source by tests/i18n_pseudo.py; the story's ``qps`` is
made on the fly by engine/l10n.py. Pseudo-translated text is accented (no ASCII letter left), about 35 %
longer and in ⟦brackets⟧, so a run of ASCII letters on the screen is a word nobody marked for translation.
One month in ``make test``; the whole shipped story in the slow tier.
"""

from __future__ import annotations

import re

import pytest
from i18n_pseudo import pseudo_catalogue, use_catalogues_from

from pizzaborg.engine import i18n
from pizzaborg.engine import load_story as load
from pizzaborg.tui.widgets.footer import SPARE

from .conftest import fixed_clock
from .helpers import in_feedback, screen_name, title_ready

SIZE = (80, 24)
ENGLISH = re.compile(r"[A-Za-z]{3,}")
#: ASCII words that are not English to translate: key names, the product's name, file names.
NOT_WORDS = {"Enter", "Esc", "Tab", "ctrl", "space", "PgUp", "PgDn", "autosave", "json", "saves", "Ada"}


def english_words(text: str) -> list[str]:
    return [w for w in ENGLISH.findall(text) if w not in NOT_WORDS]


@pytest.fixture
def qps(tmp_path, monkeypatch):
    """The interface in the pseudo-locale for this test only (English again afterwards)."""
    use_catalogues_from(monkeypatch, tmp_path / "locale")
    assert pseudo_catalogue(tmp_path / "locale") > 100
    i18n.use("qps")
    yield
    i18n.use(None)


def _texts(widget) -> list[str]:
    """The words a widget shows (all of them, scrolled out of sight or not)."""
    from textual.widgets import Button, Input, OptionList, Static
    from textual.widgets._footer import FooterKey

    if isinstance(widget, Button):
        return [str(widget.label)]
    if isinstance(widget, Static):
        return [str(widget.visual)] if widget.visual is not None else []
    if isinstance(widget, OptionList):
        return [str(o.prompt) for o in widget.options]
    if isinstance(widget, Input):
        return [widget.placeholder]
    if isinstance(widget, FooterKey):
        return [widget.description]
    return []


def _scrolls(widget) -> bool:
    return widget.styles.overflow_y in ("auto", "scroll") or widget.styles.overflow_x in ("auto", "scroll")


def _cut(widget) -> str | None:
    """Why ``widget``'s text does not fit, or None: more lines than its box, a line wider than a box that
    does not wrap, a box outside a parent that cannot scroll to it, or footer keys wider than the footer
    (it scrolls, but nobody can scroll it)."""
    from textual.geometry import Size
    from textual.widgets import Button, Footer, Static

    if isinstance(widget, Footer) and widget.size.width and widget.virtual_size.width > widget.size.width + SPARE:
        return f"keys {widget.virtual_size.width} cells wide in a footer of {widget.size.width}"  # the last ones unseen
    if not isinstance(widget, (Static, Button)) or not widget.display or widget.content_size.area == 0:
        return None
    box = widget.content_size
    viewport = widget.app.size
    parent = widget.parent
    container = parent.content_size if parent is not None and hasattr(parent, "content_size") else Size(*viewport)
    if widget.styles.text_wrap == "nowrap" or isinstance(widget, Button):
        wide = widget.get_content_width(container, viewport)
        if wide > box.width:
            return f"{wide} cells wide in a box of {box.width}"
    tall = widget.get_content_height(container, viewport, box.width)
    if tall > box.height:
        return f"{tall} lines in a box of {box.height}"
    region = widget.region
    node = widget.parent
    while node is not None and node is not widget.screen:
        if _scrolls(node):
            return None  # a scrolling part: what does not show is a scroll away
        if not node.region.contains_region(region):
            return f"outside {type(node).__name__} {node.region} at {region}"
        node = node.parent
    if not widget.screen.region.contains_region(region):
        return f"outside the screen at {region}"
    return None


def check(app, seen: dict) -> None:
    """Every widget of the screen on top: no English word, nothing cut."""
    problems = []
    for widget in app.screen.query("*"):
        if not widget.display:
            continue
        for text in [] if widget.id == "settings-language" else _texts(widget):  # each language in its own words
            english = english_words(text)
            if english:
                problems.append(f"{screen_name(app)} {widget!r}: English {english[:5]} in {text[:60]!r}")
        why = _cut(widget)
        if why:
            problems.append(f"{screen_name(app)} {widget!r}: cut, {why}: {' '.join(_texts(widget))[:60]!r}")
    seen[screen_name(app)] = seen.get(screen_name(app), 0) + 1
    for p in problems:
        seen.setdefault("problems", {})[p] = None


def _app(story):
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    return PizzaBorgApp(Session(story, "saves", seed=3, now=fixed_clock))


async def _step(pilot, key: str, seen: dict) -> None:
    await pilot.press(key)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    check(pilot.app, seen)


async def _dialog(pilot, key: str, seen: dict) -> None:
    """Open a dialog with ``key``, check it, close it with Esc."""
    await _step(pilot, key, seen)
    await pilot.press("escape")
    await pilot.pause()


async def play(pilot, months: int | None, seen: dict) -> None:
    """Title, new game, then choice 1 (or Enter) until ``months`` months have ended (None: the game's
    end and its debrief), checking every screen on the way and the dialogs once."""
    app = pilot.app
    await title_ready(pilot)
    check(app, seen)
    await _step(pilot, "n", seen)  # the new game dialog
    await pilot.press(*"Ada")
    await _step(pilot, "enter", seen)  # the prologue
    await _step(pilot, "enter", seen)  # the game
    await _dialog(pilot, "question_mark", seen)
    ended = 0
    dialogs_done = False
    for _ in range(400):
        name = screen_name(app)
        if name == "DebriefScreen":
            await _dialog(pilot, "h", seen)
            return
        if name == "ReflectionScreen":
            ended += 1
            if months is not None and ended >= months:
                return
            await _step(pilot, "enter", seen)
        elif name == "GameScreen" and not in_feedback(app) and not app.session.game.over:
            if not dialogs_done and app.session.game.decisions:
                dialogs_done = True
                await _dialog(pilot, "h", seen)
                await _dialog(pilot, "s", seen)
                await _dialog(pilot, "l", seen)
                app.action_settings()
                await pilot.pause()
                check(app, seen)
                await pilot.press("escape")
                await pilot.pause()
            choices = app.session.game.scene.choices
            await _step(pilot, str(next((c.n for c in choices if c.available), 1)), seen)
        elif name == "PortfolioScreen":
            await _step(pilot, "c", seen)
            if screen_name(app) == "PortfolioScreen":  # not enough ticked: tick in order until it takes
                for n in "123456789":
                    await _step(pilot, n, seen)
                    await _step(pilot, "c", seen)
                    if screen_name(app) != "PortfolioScreen":
                        break
        else:
            await _step(pilot, "enter", seen)
    game = app.session.game
    raise AssertionError(f"the game did not end: at {screen_name(app)}, {game.state}, over {game.over}")


@pytest.mark.asyncio
async def test_one_month_in_the_pseudo_locale_at_80x24_shows_no_english_and_cuts_nothing(qps):
    from pizzaborg.engine.l10n import translate

    story = translate(load(None), "qps")
    seen: dict = {}
    async with _app(story).run_test(size=SIZE) as pilot:
        await play(pilot, 1, seen)
    problems = list(seen.pop("problems", {}))
    assert not problems, "\n".join(problems)
    for name in ("TitleScreen", "NewGameScreen", "IntroScreen", "GameScreen", "HelpScreen", "HistoryScreen"):
        assert seen.get(name), f"{name} was never checked: {seen}"
    assert (
        seen.get("SaveScreen")
        and seen.get("LoadScreen")
        and seen.get("SettingsScreen")
        and seen.get("ReflectionScreen")
    ), seen


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_whole_game_in_the_pseudo_locale_at_80x24_shows_no_english_and_cuts_nothing(qps):
    from pizzaborg.engine.l10n import translate

    story = translate(load(None), "qps")
    seen: dict = {}
    async with _app(story).run_test(size=SIZE) as pilot:
        await play(pilot, None, seen)
    problems = list(seen.pop("problems", {}))
    assert not problems, "\n".join(problems)
    assert seen.get("DebriefScreen") and seen.get("ReflectionScreen"), seen
