"""Small helpers for Pilot tests: read what a widget shows, play through screens."""

from __future__ import annotations


def shows(app, selector: str) -> str:
    """The plain text a Static on the current screen shows."""
    return str(app.screen.query_one(selector).content)


def screen_name(app) -> str:
    return type(app.screen).__name__


def in_feedback(app) -> bool:
    """The game screen shows a choice's feedback in place of the scene."""
    return screen_name(app) == "GameScreen" and app.screen.pending is not None


async def new_game(pilot, seed: str | None = None, learner: str | None = None) -> None:
    """Title -> New game dialog -> (prologue) -> the game screen."""
    await title_ready(pilot)
    await pilot.press("n")
    await pilot.pause()
    if learner:
        await pilot.press(*learner)
    if seed is not None:
        await pilot.press("tab")
        box = pilot.app.screen.query_one("#new-seed")
        box.value = ""
        await pilot.press(*seed)
    await pilot.press("enter")
    await pilot.pause()
    if screen_name(pilot.app) == "IntroScreen":
        await pilot.press("enter")
        await pilot.pause()
    assert screen_name(pilot.app) == "GameScreen"


async def choose(pilot, key: str) -> None:
    """Press a choice key, then continue through feedback and reflection screens."""
    await pilot.press(key)
    await pilot.pause()
    while in_feedback(pilot.app) or screen_name(pilot.app) == "ReflectionScreen":
        await pilot.press("enter")
        await pilot.pause()


async def title_ready(pilot) -> None:
    """Wait until the title screen has looked for an autosave to continue (it does so once drawn)."""
    for _ in range(200):
        if getattr(pilot.app.screen, "looked", False):
            return
        await pilot.pause(0.01)
    raise AssertionError("the title screen never looked for the autosave")


def number_of(app, choice_id: str) -> str:
    """The number a choice has on the screen (choices are shuffled per seed)."""
    return str(next(c.n for c in app.session.game.scene.choices if c.id == choice_id))


async def play_on_to(pilot, state: str, screen: str = "GameScreen") -> None:
    """Choice 1 on every scene, Enter on everything else, until the game is at ``state`` with ``screen``
    on top (e.g. the month's IntroScreen)."""
    app = pilot.app
    for _ in range(20):
        if app.session.game.state == state and screen_name(app) == screen:
            return
        if screen_name(app) == "GameScreen" and not in_feedback(app):
            await choose(pilot, "1")
        else:
            await pilot.press("enter")
        await pilot.pause()
    raise AssertionError(f"stuck at {screen_name(app)}, {app.session.game.state}")
