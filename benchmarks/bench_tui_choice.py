"""A choice key to the next scene drawn, measured with Textual's Pilot on the shipped story.

Bar (issue 4): median at most 50 ms. The clock starts when the number key is pressed and stops at the
first frame that shows what the screen finally shows (the choice's feedback in place of the scene and
the dashboard with the changes): every frame is recorded until the app has been idle for a while, and
the earliest one equal to the last counts. Enter then draws the next scene (or the month's
reflection); that is reported too. A whole game is played with a varied, fixed path.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time

from pizzaborg.engine import load_story
from pizzaborg.play.session import Session
from pizzaborg.tui.app import PizzaBorgApp

BAR_MS = 50.0
SETTLE = 0.15  # seconds to let every follow-up frame happen on its own


async def settle(pilot) -> None:
    """Wait until the app has handled the key and drawn whatever it draws by itself.

    Not ``pilot.pause()``: that forces one more refresh at its end, a frame the real app would not
    draw, and the clock would stop there."""
    await pilot._wait_for_screen()
    await asyncio.sleep(SETTLE)


def first_final(frames: list, t0: float) -> float:
    """Milliseconds from ``t0`` to the first frame equal to the last one."""
    final = frames[-1][1]
    return next((t - t0) * 1000 for t, text in frames if text == final)


async def confirm_portfolio(app, pilot, session) -> None:
    """In a portfolio scene the number opens the checklist: tick available options until ``c`` confirms."""
    available = [c.n for c in session.game.scene.choices if c.available] if not session.game.over else []
    for k in range(20):
        if type(app.screen).__name__ != "PortfolioScreen":
            return
        await pilot.press("c")
        await settle(pilot)
        if type(app.screen).__name__ == "PortfolioScreen" and available:
            await pilot.press(str(available[k % len(available)]))
            await settle(pilot)
    raise RuntimeError("the portfolio checklist did not confirm")


async def play(story_dir=None) -> tuple:
    story = load_story(story_dir)
    with tempfile.TemporaryDirectory() as tmp:
        session = Session(story, tmp, seed=7)
        app = PizzaBorgApp(session)
        frames = []

        def drawn() -> None:  # the time first, then the screen's text (which takes a little while)
            t = time.perf_counter()
            text = ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]
            frames.append((t, text))

        app.post_display_hook = drawn
        choice_ms, continue_ms = [], []
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(200):  # the title looks for autosaves once it is drawn
                if getattr(app.screen, "looked", False):
                    break
                await pilot.pause(0.01)
            session.new_game()
            app.switch_screen(__import__("pizzaborg.tui.screens.game", fromlist=["GameScreen"]).GameScreen(session))
            await pilot.pause()
            n = 0
            while not session.game.over:
                if n > 1000:
                    raise RuntimeError(f"the game does not end; stuck on {type(app.screen).__name__}")
                count = len(session.game.scene.choices)
                key = str(1 + (n % count))
                n += 1
                frames.clear()
                t0 = time.perf_counter()
                await pilot.press(key)
                await settle(pilot)
                if frames:
                    choice_ms.append(first_final(frames, t0))
                await confirm_portfolio(app, pilot, session)
                while getattr(app.screen, "pending", None) is not None or type(app.screen).__name__ in (
                    "ReflectionScreen",
                    "IntroScreen",
                ):
                    frames.clear()
                    t0 = time.perf_counter()
                    await pilot.press("enter")
                    await settle(pilot)
                    if frames:
                        continue_ms.append(first_final(frames, t0))
    return choice_ms, continue_ms


def main() -> int:
    story_dir = sys.argv[1] if len(sys.argv) > 1 else None
    choice_ms, continue_ms = asyncio.run(play(story_dir))
    median = statistics.median(choice_ms)
    ok = median <= BAR_MS
    print(
        f"choice key to next scene drawn: median {median:5.1f} ms, max {max(choice_ms):5.1f} ms over {len(choice_ms)} "
        f"choices (bar: median <= {BAR_MS:.0f} ms)   Enter past feedback/reflection: median "
        f"{statistics.median(continue_ms):5.1f} ms   {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
