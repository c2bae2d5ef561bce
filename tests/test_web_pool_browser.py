"""Reload to the live game in a real browser (the system Chromium, Playwright): the page loaded again
shows the game where it was, drawn by the same process, without going through the title."""

from __future__ import annotations

import time

import pytest
from conftest import MINI_DIR
from test_web_pool import no_game_left, procs_in  # noqa: F401  (the fixture: no process left behind)
from web_helpers import TERMINAL_HOOK, ServerProcess, browser_problem, launch_chromium, press_until, wait_screen

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


def test_a_reload_in_the_browser_shows_the_live_game_at_once(browser, tmp_path):
    data = tmp_path / "data"
    with ServerProcess("--story", str(MINI_DIR), "--data-dir", str(data), cwd=tmp_path) as srv:
        page = browser.new_page(viewport={"width": 1000, "height": 640})
        page.add_init_script(TERMINAL_HOOK)
        page.goto(srv.url)
        wait_screen(page, "New game", "A small test story")
        page.keyboard.press("n")
        wait_screen(page, "Your name")
        page.keyboard.type("Ada")
        page.keyboard.press("Enter")
        wait_screen(page, "You run the IT of a small bakery.")
        page.keyboard.press("Enter")
        wait_screen(page, "The oven controller needs a patch.")
        press_until(page, "1", "The Collective")
        ((folder, pid),) = [(f, procs_in(f)) for f in (data / "sessions").iterdir()]

        t0 = time.monotonic()
        page.reload()
        shown = wait_screen(page, "The Collective", "Revenue")  # the live game, not the title
        took = time.monotonic() - t0
        assert "New game" not in shown
        assert procs_in(folder) == pid  # the same process
        assert took < 10, took  # (the figure against the 1 s bar is bench_web.py's)
        press_until(page, "Enter", "Month 1")  # and it takes keys
        page.close()


def test_the_game_starts_while_the_page_is_still_loading_its_terminal(browser, tmp_path):
    """page.js opens the game's websocket before textual.js (half a megabyte) has arrived: the game is
    forked and drawing while the terminal's script loads, and its first screen is on the page once the
    terminal starts (handed the open socket, with what the game sent meanwhile)."""
    data = tmp_path / "data"
    with ServerProcess("--story", str(MINI_DIR), "--data-dir", str(data), "--pool", "1", cwd=tmp_path) as srv:
        started_before_script: list[bool] = []

        def hold_the_script(route) -> None:  # textual.js is held until the game runs (or 30 s)
            end = time.monotonic() + 30
            while time.monotonic() < end:
                sessions = data / "sessions"
                if sessions.is_dir() and any(procs_in(f) for f in sessions.iterdir()):
                    started_before_script.append(True)
                    break
                time.sleep(0.02)  # polling /proc for the condition, bounded by the deadline
            route.continue_()

        page = browser.new_page(viewport={"width": 1000, "height": 640})
        page.add_init_script(TERMINAL_HOOK)
        page.route("**/static/js/textual.js", hold_the_script)
        page.goto(srv.url)
        wait_screen(page, "New game", "A small test story")
        assert started_before_script == [True]
        page.keyboard.press("n")  # the handed socket carries keys too
        wait_screen(page, "Your name")
        page.close()
