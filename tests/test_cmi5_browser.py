"""A cmi5 launch in Chromium (issue 23, items 2 and 5): the browser opens the launch URL the LMS stand-in gives
(tests/lms_standin.py, in front of a real Ralph), the learner plays a whole game with the keyboard only, leaves
it, and the page goes back to the LMS's returnURL; Ralph then has passed or failed under the LMS's registration.
The same launch driven through the websocket without a browser: tests/test_cmi5_lrs.py."""

from __future__ import annotations

import re

import pytest
import ralph_server
from conftest import MINI_DIR
from web_helpers import SCREEN_JS, TERMINAL_HOOK, ServerProcess, browser_problem, launch_chromium, screen, wait_screen

from pizzaborg.engine import load_story
from pizzaborg.trainer.assignment import new_assignment, write_assignment
from pizzaborg.trainer.lrs import Lrs

pytestmark = [pytest.mark.browser, pytest.mark.lrs]

pytest.importorskip("aiohttp", reason="the web extra is not installed: pip install -e '.[web]'")
pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
from lms_standin import LmsStandIn  # noqa: E402 - needs aiohttp

TEXTAREA = "#terminal .xterm-helper-textarea"


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    py, why = ralph_server.ralph_python()
    if py is None:
        pytest.skip(why)
    auth = ralph_server.make_auth_file(py, tmp_path_factory.mktemp("cmi5b-auth") / "auth.json")
    server = ralph_server.start(py, tmp_path_factory.mktemp("cmi5b-ralph"), auth)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


def _changed(page, before: str) -> None:
    page.wait_for_function("(before) => (" + SCREEN_JS + ")() !== before", arg=before, timeout=15000, polling=50)


@pytest.mark.timeout(300)
def test_a_cmi5_launch_in_the_browser_plays_with_the_keyboard_and_goes_back_to_the_lms(browser, ralph, tmp_path):
    a = new_assignment(load_story(MINI_DIR), "Workshop A", seed=3, mastery=0.5)
    write_assignment(a, tmp_path / "hw.yaml")
    lms = LmsStandIn(ralph.url, *ralph_server.TRAINER).start()
    try:
        with ServerProcess(
            "--story", str(MINI_DIR), "--data-dir", "data", "--assignment", "hw.yaml", "--pool", "0",
            "--lms", lms.url + "/", "--reattach-grace", "0", cwd=tmp_path,
        ) as srv:  # fmt: skip
            url, rec = lms.launch(srv.url, mastery=0.5)
            page = browser.new_page(viewport={"width": 1100, "height": 760})
            page.add_init_script(TERMINAL_HOOK)
            page.goto(url)  # the launch: the token is fetched, initialized sent, and the game page opens
            assert page.url.rstrip("/") == srv.url and rec.token not in page.content()
            wait_screen(page, "New game", timeout=30)
            page.wait_for_function(  # the keyboard reaches the game without a click
                "(sel) => document.activeElement === document.querySelector(sel)", arg=TEXTAREA, timeout=15000
            )
            page.keyboard.press("n")
            wait_screen(page, "as your LMS knows you", "Ada Lovelace")  # nothing typed: the LMS's learner
            page.keyboard.press("Enter")
            wait_screen(page, "You run the IT of a small bakery.")
            for _ in range(60):  # 1 wherever there is a choice, Enter through the rest
                shown = screen(page)
                if "Ending:" in shown:
                    break
                dialog = "█▀▀" in shown or "(Enter)" in shown or "The Collective" in shown
                key = "1" if re.search(r"│\s+1\. ", shown) and not dialog else "Enter"
                page.keyboard.press(key)
                try:
                    _changed(page, shown)
                except Exception:
                    continue  # a key dropped while a screen was swapped: look again and press again
            wait_screen(page, "Ending:", "Your report is handed in", timeout=30)
            assert "initialized" in rec.verbs and "terminated" not in rec.verbs  # sent when the game process ends
            for key in ("q", "y"):  # leave the debrief: the game ends, the AU session terminates
                before = screen(page)
                page.keyboard.press(key)
                if key == "q":
                    _changed(page, before)
            page.wait_for_url(lms.url + "/back", timeout=60000)  # back to the LMS's returnURL
            assert "back in the LMS" in page.text_content("body")
            page.close()
    finally:
        lms.stop()
    verbs = rec.verbs
    assert verbs[0] == "initialized" and verbs[-3:-1] == ["completed", verbs[-2]] and verbs[-1] == "terminated"
    judged = verbs[-2]
    assert judged in ("passed", "failed") and rec.fetches == 1 and not rec.refused
    stored = Lrs(ralph.url, *ralph_server.TRAINER).get_statements({"registration": rec.registration})
    assert {s["id"] for s in stored} == {s["id"] for s in rec.statements}  # all in Ralph, under the registration
    result = next(s for s in stored if s["verb"]["id"].endswith("/" + judged))
    assert result["actor"] == rec.actor and result["result"]["success"] is (judged == "passed")
