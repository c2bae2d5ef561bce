"""A fast typist loses no key: keys typed before the previous one's dialog has closed or opened are
handled in order, as if typed slowly.

The keys are posted to the app all at once, before it has handled any of them: the fastest typist
there can be, and what a busy machine makes of an ordinary one.
"""

from __future__ import annotations

import pytest
from textual import events

from pizzaborg.engine import saves as S

from .helpers import in_feedback, screen_name, title_ready

pytestmark = pytest.mark.asyncio
SIZE = (100, 30)


def type_fast(app, *keys: str) -> None:
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def settled(pilot, what: str) -> None:
    """Wait until every key typed has been handled (the typeahead is empty and idle)."""
    app = pilot.app
    typeahead = getattr(app, "typeahead", None)
    for n in range(3000):
        await pilot.pause()
        if typeahead is None and n > 100:  # an app that handles keys as they come: give it time
            return
        if typeahead is not None and not typeahead.busy and not typeahead.held:
            await pilot.pause()
            return
    raise AssertionError(f"the keys for {what} were never all handled (on {screen_name(app)})")


async def test_keys_typed_through_the_new_game_dialog_and_prologue_all_count(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        # n opens the dialog, Enter starts, Enter closes the prologue, 3 chooses: no waiting between
        type_fast(app, "n", "enter", "enter", "3")
        await settled(pilot, "n, Enter, Enter, 3")
        assert screen_name(app) == "GameScreen"
        assert [d.choice for d in app.session.game.decisions] == ["wait"]
        assert in_feedback(app)


async def test_enter_on_the_feedback_then_a_number_chooses_in_the_next_scene(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        type_fast(app, "n", "enter", "enter", "1", "enter", "enter")
        await settled(pilot, "the first scene")
        first = [d.choice for d in app.session.game.decisions]
        assert first[0] == "assess" and len(first) == 2  # the choice and the news item's Continue
        scene = app.session.game.scene
        assert scene is not None and len(scene.choices) >= 2
        type_fast(app, "2", "enter", "1")
        await settled(pilot, "two more scenes")
        assert len(app.session.game.decisions) == 4
        assert app.session.game.decisions[2].choice == scene.choices[1].id


async def test_a_save_name_typed_at_once_is_saved_whole(make_app, saves):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        type_fast(app, "n", "enter", "enter", "2", "enter", "s", *"friday", "enter")
        await settled(pilot, "a save typed at once")
        assert screen_name(app) == "GameScreen"
        assert (saves / "friday.json").exists()
        assert S.read_save(saves, "friday").decisions[0] == {"scene": "a.start", "choice": "push"}


async def test_ctrl_c_is_never_held_back(make_app, saves):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await title_ready(pilot)
        type_fast(app, "n", "enter", "enter", "1")
        app.post_message(events.Key("ctrl+c", None))
        await pilot.pause()
        for _ in range(3000):
            if app._exit_renderables is not None or not app.is_running or app.return_code is not None:
                break
            await pilot.pause()
        assert app.return_code is not None or not app.is_running
